"""What a prep brief is built from: the target (a deal or an account), its calls, the buyer-side
evidence in them, the CRM fields, and the floor's objection history.

Definitions:
- Target: `--deal ID` is the CRM id (`deals.external_id`, case-insensitive) or the store's numeric deal id;
  `--account NAME` an account name (case- and spacing-insensitive). Unknown -> SalescoachError with the
  closest names.
- The deal's calls: as crm/evidence.py finds them (calls linked to the deal, else its account's unlinked
  calls on which the deal's owner sold). The account's calls: calls with that account plus the calls of
  its deals. Oldest first.
- Buyer-side evidence of an element (discovery must-knows and MEDDPICC keys): the call reports'
  `coverage_evidence` items (the buyer said it, answered a rep question about it, or confirmed the rep's
  summary of it); a report without coverage_evidence falls back to the element's times with the
  segment said at that time. Items are deduplicated per element by (call, start, quote).
- confirmed_summary: evidence items whose `how` is "rep summary confirmed by buyer".
- budget_talk: buyer segments with a pricing word (frameworks/crm.json `pricing_words`) that are not an
  objection's own sentence.
- demo_held: a call of type demo on which a buyer spoke.
- The buyer's stated pain: the earliest buyer-spoken `pain` item of at least 6 words, else `problem`, else
  `impact` (else any item of those keys). Template slots quoting an element ({impact}, {metric}, {why_now})
  use `slot_item`: the longest of its first five buyer-spoken items, cut to its longest sentence.
- Buyers: buyer-role speakers who said at least one word, by calls spoken on.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from salescoach.crm.evidence import DISCOVERY, MEDDPICC
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.store import models as m

ELEMENTS = MEDDPICC + DISCOVERY


@dataclass
class CallData:
    id: int
    key: str
    date: date
    call_type: str | None
    report: dict
    segs: list[tuple]  # (idx, speaker, role, start, text)

    def ref(self, start=None, quote=None, speaker=None, role=None) -> dict:
        return {"call": self.id, "key": self.key, "date": self.date.isoformat(), "start": start, "quote": quote,
                "speaker": speaker, **({"role": role} if role else {})}


@dataclass
class Facts:
    kind: str  # deal | account
    account_id: int | None
    account: str | None
    deal: dict | None  # CRM facts of the deal
    deals: list[dict]  # the account's deals (account target) or [the deal]
    crm_account: dict | None
    contacts: list[dict]
    calls: list[CallData]
    elements: dict[str, list[dict]] = field(default_factory=dict)
    derived: dict[str, list[dict]] = field(default_factory=dict)
    buyers: dict[str, int] = field(default_factory=dict)
    objections: list[dict] = field(default_factory=list)

    def buyer_items(self, key: str) -> list[dict]:
        """The element's evidence, the items a buyer spoke first (a confirmed rep summary after them)."""
        items = self.elements.get(key, [])
        return [i for i in items if i.get("speaker") in self.buyers] + \
            [i for i in items if i.get("speaker") not in self.buyers]

    def slot_item(self, key: str) -> dict | None:
        """The quote used to fill a template slot for an element: among its first five items (buyer-spoken
        first, an objection's own sentence excluded), the longest in words."""
        said = [o["quote"] or "" for o in self.objections]
        items = [i for i in self.buyer_items(key)
                 if not any(i["quote"] in q or (q and q in i["quote"]) for q in said)]
        spoken = [i for i in items if i.get("speaker") in self.buyers] or items
        return max(spoken[:5], key=lambda i: len((i.get("quote") or "").split())) if spoken else None

    @property
    def pain_item(self) -> dict | None:
        for k in ("pain", "problem", "impact"):
            for it in self.buyer_items(k):
                if len((it.get("quote") or "").split()) >= 6 and it.get("speaker") in self.buyers:
                    return it
        for k in ("pain", "problem", "impact"):
            if self.elements.get(k):
                return self.buyer_items(k)[0]
        return None


def _close(want: str, names: list[str]) -> str:
    hits = difflib.get_close_matches(want, names, n=3, cutoff=0.5) or \
        [n for n in names if want.casefold()[:3] and want.casefold()[:3] in n.casefold()][:3]
    return f"; did you mean {', '.join(repr(h) for h in hits)}?" if hits else ""


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def resolve(s, deal: str | None, account: str | None) -> tuple[str, m.Deal | None, m.Account | None]:
    if bool(deal) == bool(account):
        raise SalescoachError("give exactly one of --deal ID or --account NAME")
    if deal:
        d = s.scalar(select(m.Deal).where(func.lower(m.Deal.external_id) == deal.strip().casefold()))
        if d is None and deal.strip().isdigit():
            d = s.get(m.Deal, int(deal.strip()))
        if d is None:
            ids = list(s.scalars(select(m.Deal.external_id)))
            raise SalescoachError(f"unknown deal {deal!r}{_close(deal, ids)} (deal ids are the CRM ids imported with "
                                  "`salescoach crm import` or given at ingest with --deal)")
        acc = s.get(m.Account, d.account_id) if d.account_id else None
        return "deal", d, acc
    want = _norm(account)
    accs = list(s.scalars(select(m.Account)))
    hit = [a for a in accs if _norm(a.name) == want]
    if not hit:
        raise SalescoachError(f"unknown account {account!r}{_close(account, [a.name for a in accs])} (accounts come "
                              "from `salescoach crm import` or from ingest --account)")
    return "account", None, hit[0]


def _deal_facts(s, d: m.Deal) -> dict:
    c = s.get(m.CrmDeal, d.id)
    owner = s.get(m.Rep, c.owner_id).name if c and c.owner_id else None
    stage = c.stage if c else None
    if stage is None and d.stage:
        from salescoach.crm.parse import canonical_stage
        stage = canonical_stage(d.stage)
    return {"id": d.id, "external_id": d.external_id, "name": d.name, "account_id": d.account_id,
            "owner_id": c.owner_id if c else None, "owner": owner, "stage": stage,
            "stage_raw": (c.stage_raw if c else None) or d.stage, "amount": d.amount,
            "close_date": c.close_date.isoformat() if c and c.close_date else None,
            "next_step": c.next_step if c else None,
            "next_step_date": c.next_step_date.isoformat() if c and c.next_step_date else None,
            "in_crm": c is not None}


def deal_call_ids(s, df: dict) -> list[int]:
    """The deal's calls by crm/evidence.gather's rule (linked to the deal, plus its account's unlinked calls on
    which its owner sold), asked of the database for this one deal instead of scanning every call."""
    ids = set(s.scalars(select(m.Call.id).where(m.Call.deal_id == df["id"])))
    if df["account_id"] and df["owner_id"]:
        ids |= set(s.scalars(select(m.Call.id).join(m.CallRep, m.CallRep.call_id == m.Call.id).where(
            m.Call.deal_id.is_(None), m.Call.account_id == df["account_id"], m.CallRep.rep_id == df["owner_id"])))
    return sorted(ids)


def load_facts(repo, deal: str | None = None, account: str | None = None) -> Facts:
    with repo.session() as s:
        kind, d, acc = resolve(s, deal, account)
        ca = s.get(m.CrmAccount, acc.id) if acc else None
        crm_account = ({"sector": ca.sector, "employees": ca.employees, "revenue": ca.revenue,
                        "location": ca.location, "parent": ca.parent} if ca else None)
        contacts = [{"name": c.name, "title": c.title} for c in
                    s.scalars(select(m.Contact).where(m.Contact.account_id == acc.id))] if acc else []
        if kind == "deal":
            df = _deal_facts(s, d)
            deals = [df]
            call_ids = deal_call_ids(s, df)
        else:
            deals = [_deal_facts(s, x) for x in s.scalars(select(m.Deal).where(m.Deal.account_id == acc.id))]
            df = None
            dids = [x["id"] for x in deals]
            q = select(m.Call.id).where((m.Call.account_id == acc.id) | (m.Call.deal_id.in_(dids) if dids
                                                                         else m.Call.id.is_(None)))
            call_ids = list(s.scalars(q))
        calls = _load_calls(s, call_ids)
    f = Facts(kind, acc.id if acc else None, acc.name if acc else None, df, deals, crm_account, contacts, calls)
    _extract(f)
    return f


def _load_calls(s, ids: list[int]) -> list[CallData]:
    if not ids:
        return []
    out = []
    rows = s.execute(select(m.Call.id, m.Call.call_key, m.Call.call_type, m.Call.started_at, m.Call.ingested_at)
                     .where(m.Call.id.in_(ids))).all()
    reports = dict(s.execute(select(m.CallReport.call_id, m.CallReport.report)
                             .where(m.CallReport.call_id.in_(ids))).all())
    segs: dict[int, list] = {}
    for cid, idx, sp, role, st, text in s.execute(select(m.Segment.call_id, m.Segment.idx, m.Segment.speaker,
                                                         m.Segment.role, m.Segment.start, m.Segment.text)
                                                  .where(m.Segment.call_id.in_(ids))
                                                  .order_by(m.Segment.call_id, m.Segment.idx)):
        segs.setdefault(cid, []).append((idx, sp, role, st, text))
    for cid, key, typ, started, ingested in rows:
        rep = reports.get(cid) or {}
        out.append(CallData(cid, key, (started or ingested).date(), typ or (rep.get("call") or {}).get("type"),
                            rep, segs.get(cid, [])))
    out.sort(key=lambda c: (c.date, c.id))
    return out


def _price_rx() -> re.Pattern:
    words = sorted(load("crm")["pricing_words"], key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])|[$€£]\s?\d", re.I)


def _extract(f: Facts) -> None:
    seen: set = set()
    price = _price_rx()
    for c in f.calls:
        rep = c.report
        for sp in rep.get("speakers") or []:
            if sp.get("role") == "buyer" and (sp.get("words") or 0) > 0:
                f.buyers[sp["name"]] = f.buyers.get(sp["name"], 0) + 1
        cov = rep.get("coverage_evidence")
        for k in ELEMENTS:
            items = (cov or {}).get(k) or []
            if cov is None:
                times = (rep.get("meddpicc") or {}).get(k) or (rep.get("discovery_coverage") or {}).get(k) or []
                items = [{"start": t, **_seg_at(c.segs, t)} for t in times]
            for it in items:
                sig = (k, c.id, it.get("start"), it.get("quote"))
                if sig in seen or not it.get("quote"):
                    continue
                seen.add(sig)
                ref = c.ref(it.get("start"), it.get("quote"), it.get("speaker"))
                ref["how"] = it.get("how")
                f.elements.setdefault(k, []).append(ref)
                if it.get("how") == "rep summary confirmed by buyer":
                    f.derived.setdefault("confirmed_summary", []).append({**ref, "element": k})
        obj_texts = set()
        for o in rep.get("objections") or []:
            if o.get("role", "buyer") != "buyer":
                continue
            obj_texts.add(o.get("text"))
            f.objections.append({**c.ref(o.get("start"), o.get("text"), o.get("speaker")),
                                 "category": o.get("category") or "other", "handling": o.get("handling"),
                                 "detected_by": o.get("detected_by") or "cue"})
        for idx, sp, role, st, text in c.segs:
            if role == "buyer" and text not in obj_texts and price.search(text):
                f.derived.setdefault("budget_talk", []).append(c.ref(st, text[:240], sp))
        if c.call_type == "demo" and any(sp.get("role") == "buyer" and (sp.get("words") or 0) > 0
                                         for sp in rep.get("speakers") or []):
            f.derived.setdefault("demo_held", []).append(c.ref(None, f"demo call {c.key} with the buyer speaking"))


def _seg_at(segs: list, t) -> dict:
    best = None
    for idx, sp, role, st, text in segs:
        if st is not None and t is not None and st <= t + 0.01:
            best = (sp, text)
        elif best is not None:
            break
    return {"quote": best[1][:240], "speaker": best[0]} if best else {"quote": None, "speaker": None}


def buyer_segments(f: Facts):
    """(call, idx, speaker, start, text) of every buyer-role segment."""
    for c in f.calls:
        for idx, sp, role, st, text in c.segs:
            if role == "buyer":
                yield c, idx, sp, st, text


# -- the floor's objection history ------------------------------------------------------------------
_FLOOR_CACHE: dict = {}


def floor_objections(repo) -> dict:
    """Every stored buyer objection (findings kind discovery, type objection) as
    {"items": [(category, call_type)], "handled": {category: [candidate dicts]}}. Cached per store until a
    finding is added or removed. The key is (highest finding id, highest recall-index id, number of calls):
    findings are added by ingest and by re-derivation (which also re-indexes them for recall, whose ids
    never repeat) and deleted with their call; all three numbers come from primary-key indexes, so the
    check stays cheap on a big store (a filtered count over the findings is not)."""
    with repo.session() as s:
        F = m.Finding
        sig = (s.scalar(select(func.max(F.id))), s.scalar(select(func.max(m.RecallItem.id))),
               s.scalar(select(func.count(m.Call.id))))
        ck = (id(repo), tuple(sig))
        if ck in _FLOOR_CACHE:
            return _FLOOR_CACHE[ck]
        items, handled = [], {}
        reps = dict(s.execute(select(m.Rep.id, m.Rep.name)).all())
        q = select(F.call_id, F.rep_id, F.start, F.quote, F.data, F.occurred_at, m.Call.call_type, m.Call.call_key) \
            .join(m.Call, m.Call.id == F.call_id).where(F.kind == "discovery", F.type == "objection")
        for cid, rid, st, quote, data, when, typ, key in s.execute(q):
            data = data or {}
            cat = data.get("category") or "other"
            items.append((cat, typ))
            h = data.get("handling") or {}
            if all(h.get(k) for k in ("acknowledge", "empathize", "clarify", "reframe")):
                handled.setdefault(cat, []).append({"call": cid, "key": key, "rep": reps.get(rid), "call_type": typ,
                                                    "date": when.date().isoformat() if when else None,
                                                    "objection_start": st, "objection": quote,
                                                    "response": data.get("response")})
    out = {"items": items, "handled": handled}
    if len(_FLOOR_CACHE) > 16:
        _FLOOR_CACHE.clear()
    _FLOOR_CACHE[ck] = out
    return out


def handling_evidence(repo, call_id: int, objection_start) -> dict:
    """The AECR step quotes of one stored objection response (from its call report)."""
    with repo.session() as s:
        rep = s.get(m.CallReport, call_id)
        for o in (rep.report if rep else {}).get("objections") or []:
            if objection_start is None or o.get("start") == objection_start:
                return {"response_start": o.get("response_start"), "steps": o.get("handling_evidence") or {}}
    return {"response_start": None, "steps": {}}
