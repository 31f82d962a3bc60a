"""What the stored calls revealed about a deal, read from their call reports and transcripts.

A deal's calls: the calls linked to it (`calls.deal_id`, set at ingest with `--deal` or by the CRM
import's linking), else the unlinked calls of its account on which its owner sold.

Per deal (`DealEvidence`):
- buyers: the buyer-side speakers over all its calls (the people we talk to);
- elements: for each MEDDPICC element and discovery item, the first piece of evidence
  {call, date, start, quote, speaker} (from the report's `coverage_evidence`, else the first time
  in `meddpicc` / `discovery_coverage` with the quote of the segment at that time);
- next_step: the latest call's next step (text, committed, has_date, has_owner, start);
- pricing: the first rep or buyer sentence that talks money (frameworks/crm.json `pricing_words`),
  or a budget objection;
- competition: competition evidence or a competition objection;
- last_call / last_buyer_call dates and the buyers' talk share on the latest call.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from salescoach.frameworks import load
from salescoach.store import models as m

MEDDPICC = ("metrics", "economic_buyer", "decision_criteria", "decision_process", "paper_process", "pain", "champion",
            "competition")
DISCOVERY = ("problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction")


@dataclass
class DealEvidence:
    calls: list[dict] = field(default_factory=list)  # [{id, key, date}] oldest first
    buyers: dict[str, int] = field(default_factory=dict)  # name -> calls they spoke on
    elements: dict[str, dict] = field(default_factory=dict)
    next_step: dict | None = None
    pricing: dict | None = None
    competition: dict | None = None
    last_call: date | None = None
    last_buyer_call: date | None = None
    last_buyer_share: float | None = None
    objections: list[dict] = field(default_factory=list)

    @property
    def has_calls(self) -> bool:
        return bool(self.calls)


_PRICE_RX: re.Pattern | None = None


def _price_rx() -> re.Pattern:
    global _PRICE_RX
    if _PRICE_RX is None:
        words = sorted(load("crm")["pricing_words"], key=len, reverse=True)
        _PRICE_RX = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])|[$€£]\s?\d",
                               re.I)
    return _PRICE_RX


def _date(c) -> date:
    return (c.started_at or c.ingested_at).date()


def gather(s, deals: list, with_segments: bool = True) -> dict[int, DealEvidence]:
    """{deal id: DealEvidence} for these deals (DealRow-like: id, account_id, owner_id)."""
    out = {d.id: DealEvidence() for d in deals}
    if not deals:
        return out
    ids = [d.id for d in deals]
    accs = {d.account_id for d in deals if d.account_id}
    q = select(m.Call.id, m.Call.call_key, m.Call.deal_id, m.Call.account_id, m.Call.started_at, m.Call.ingested_at)
    id_set = set(ids)
    n_calls = s.scalar(select(func.count()).select_from(m.Call))
    if n_calls <= 50000:  # usually: read the calls once and match in memory
        calls = [c for c in s.execute(q) if c.deal_id in id_set or (c.deal_id is None and c.account_id in accs)]
    else:  # many calls: ask per chunk of deals / accounts (bounded statement size)
        seen, calls = set(), []
        acc_list = list(accs)
        conds = [m.Call.deal_id.in_(ids[i:i + 500]) for i in range(0, len(ids), 500)] + \
            [m.Call.deal_id.is_(None) & m.Call.account_id.in_(acc_list[i:i + 500]) for i in range(0, len(acc_list), 500)]
        for cond in conds:
            for c in s.execute(q.where(cond)):
                if c.id not in seen:
                    seen.add(c.id)
                    calls.append(c)
    if not calls:
        return out
    cids = [c.id for c in calls]
    reps_of: dict[int, set] = {}
    for i in range(0, len(cids), 500):
        for cid, rid in s.execute(select(m.CallRep.call_id, m.CallRep.rep_id).where(m.CallRep.call_id.in_(
                cids[i:i + 500]))):
            reps_of.setdefault(cid, set()).add(rid)
    by_acc: dict[int, list] = {}
    for d in deals:
        if d.account_id:
            by_acc.setdefault(d.account_id, []).append(d)
    deal_calls: dict[int, list] = {}
    for c in calls:
        if c.deal_id in out:
            deal_calls.setdefault(c.deal_id, []).append(c)
        elif c.deal_id is None:
            for d in by_acc.get(c.account_id, []):
                if d.owner_id in reps_of.get(c.id, set()):
                    deal_calls.setdefault(d.id, []).append(c)
    used = {c.id for cs in deal_calls.values() for c in cs}
    used_l = list(used)
    reports = {}
    for i in range(0, len(used_l), 500):
        reports.update(s.execute(select(m.CallReport.call_id, m.CallReport.report)
                                 .where(m.CallReport.call_id.in_(used_l[i:i + 500]))).all())
    segs: dict[int, list] = {}
    for i in range(0, len(used_l) if with_segments else 0, 500):
        for cid, idx, sp, role, st, text in s.execute(
                select(m.Segment.call_id, m.Segment.idx, m.Segment.speaker, m.Segment.role, m.Segment.start,
                       m.Segment.text).where(m.Segment.call_id.in_(used_l[i:i + 500])).order_by(m.Segment.call_id,
                                                                                              m.Segment.idx)):
            segs.setdefault(cid, []).append((idx, sp, role, st, text))
    for did, cs in deal_calls.items():
        ev = out[did]
        cs.sort(key=lambda c: (c.started_at or c.ingested_at, c.id))
        for c in cs:
            rep = reports.get(c.id) or {}
            when = _date(c)
            ev.calls.append({"id": c.id, "key": c.call_key, "date": when.isoformat()})
            ev.last_call = when
            buyers = [sp for sp in rep.get("speakers") or [] if sp.get("role") == "buyer" and (sp.get("words") or 0) > 0]
            for sp in buyers:
                ev.buyers[sp["name"]] = ev.buyers.get(sp["name"], 0) + 1
            if buyers:
                ev.last_buyer_call = when
            ev.last_buyer_share = round(sum(sp.get("talk_share") or 0 for sp in buyers), 3)
            seg_list = segs.get(c.id, [])
            cov = rep.get("coverage_evidence") or {}
            for k in MEDDPICC + DISCOVERY:
                if k in ev.elements:
                    continue
                items = cov.get(k) or []
                if items:
                    it = items[0]
                    ev.elements[k] = {"call": c.id, "date": when.isoformat(), "start": it.get("start"),
                                      "quote": it.get("quote"), "speaker": it.get("speaker")}
                    continue
                times = (rep.get("meddpicc") or {}).get(k) or (rep.get("discovery_coverage") or {}).get(k) or []
                if times:
                    ev.elements[k] = {"call": c.id, "date": when.isoformat(), "start": times[0],
                                      **_quote_at(seg_list, times[0])}
            ns = rep.get("next_step")
            if ns:
                ev.next_step = {"call": c.id, "date": when.isoformat(), "text": ns.get("text"),
                                "committed": bool(ns.get("committed")), "has_date": bool(ns.get("has_date")),
                                "has_owner": bool(ns.get("has_owner")), "start": ns.get("start")}
            for o in rep.get("objections") or []:
                item = {"call": c.id, "date": when.isoformat(), "start": o.get("start"), "quote": o.get("text"),
                        "speaker": o.get("speaker"), "category": o.get("category")}
                ev.objections.append(item)
                if o.get("category") == "budget" and ev.pricing is None:
                    ev.pricing = item
                if o.get("category") == "competition" and ev.competition is None:
                    ev.competition = item
            if ev.pricing is None:
                rx = _price_rx()
                for idx, sp, role, st, text in seg_list:
                    if rx.search(text):
                        ev.pricing = {"call": c.id, "date": when.isoformat(), "start": st, "quote": text[:240],
                                      "speaker": sp}
                        break
        if ev.competition is None and "competition" in ev.elements:
            ev.competition = ev.elements["competition"]
    return out


def _quote_at(seg_list: list, t) -> dict:
    best = None
    for idx, sp, role, st, text in seg_list:
        if st is not None and t is not None and st <= t + 0.01:
            best = (sp, text)
        elif best is not None:
            break
    return {"quote": best[1][:240], "speaker": best[0]} if best else {"quote": None, "speaker": None}


def as_date(v) -> date | None:
    if v is None or isinstance(v, date) and not isinstance(v, datetime):
        return v
    return v.date()
