"""An account's coach network (Miller Heiman): `coaches.network(repo, account, as_of=None) -> dict`.

Documented rules (vocabulary and thresholds: frameworks/coaches.json):

People. The account's CRM contacts (with their contact_roles row) plus every buyer-side speaker
on the account's calls up to `as_of` — calls whose account is this one or that are linked to one of
its deals. A speaker is the contact whose name matches ignoring case, spacing and punctuation, or
whose first name it is when exactly one contact has that first name. A contact with no role, title
or e-mail that spoke only on calls after `as_of` is left out.

Role (buying influence) and its basis:
- crm: the contact_roles label mapped through `roles` (a "coach"/"champion" label makes the person a
  coach candidate but names no buying influence, so the influence is then inferred as below);
- speech: what they say about their own part ("I sign off", "it's my budget" -> economic), first
  matching sentence; it outranks the title because it is first-hand;
- title: title words, tried procurement, economic, technical, user (first match wins).
Every signal found is listed in `role_signals`, so a conflict stays visible.

Candidate coach: a CRM coach/champion or sponsor, or anyone whose own call sentences match a
criterion pattern. Criteria, each `met` (with evidence), `not_shown` (we heard them, no evidence) or
`unknown` (they never spoke on the account's calls, so nothing can be said):
- wants: advocacy in their own words (pushes for it, asks for next steps);
- credible: a senior title (`senior_titles`), a CRM economic role, an access quote whose target
  resolves to a person of the account or a role ("I'll talk to our CFO"), or another buyer deferring
  to them (`referrals`, e.g. "ask Maria");
- guide: decision-process intelligence ("here's how approval works", "between us", "you should
  talk to", "the CFO cares about") or an introduction.
A true coach meets all three; an active coach has not left (contact_roles.status != left).

Coverage (economic, user, technical): the people whose role it is, and the active true coaches with
access to it. A coach has access to a role when they hold it, when one of their quotes names a
person or title in it ("I'll talk to our CFO", "you should talk to Raj" where Raj is technical), or
when someone in that role defers to them. Status covered | uncovered | unknown (no buyer has spoken
on any of the account's calls, so no coach can be established).

Warnings (each with evidence): no_coach (no active true coach), single_coach (exactly one),
sponsor_not_coach (a CRM sponsor, or a CRM coach who advocates, whose guidance is not shown),
procurement_coach (CRM coach/champion/sponsor whose role, title or speech is procurement),
coach_left (a true or CRM coach whose status is left) and coach_quiet (a true or CRM coach not
heard on a call nor contacted within `quiet_days` before as_of).

Next moves: one per role that is not covered (see `moves` in the JSON for the order of choice),
plus one per coach who left or went quiet.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select

from salescoach.coaches.lexicon import CRITERIA, INFLUENCES, lexicon, sentences
from salescoach.crm import parse as P
from salescoach.crm.contacts import crm_roles
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.store import models as m
from salescoach.store.repo import Repository

MET, NOT_SHOWN, UNKNOWN = "met", "not_shown", "unknown"


@dataclass
class Person:
    name: str
    contact_id: int | None = None
    title: str | None = None
    email: str | None = None
    crm: dict | None = None
    segs: list[tuple[dict, m.Segment]] = field(default_factory=list)
    evidence: dict[str, list[dict]] = field(default_factory=lambda: {c: [] for c in CRITERIA})
    role: str | None = None
    role_basis: str | None = None
    role_evidence: dict | None = None
    role_signals: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return P.key(self.name)

    @property
    def heard(self) -> bool:
        return bool(self.segs)

    @property
    def crm_roles(self) -> list[str]:
        return (self.crm or {}).get("roles") or []

    @property
    def crm_coach(self) -> bool:
        return "coach" in self.crm_roles

    @property
    def sponsor(self) -> bool:
        return bool((self.crm or {}).get("is_sponsor"))

    @property
    def left(self) -> bool:
        return (self.crm or {}).get("status") == "left"

    def status(self, c: str) -> str:
        if not self.heard:
            return UNKNOWN
        return MET if self.evidence[c] else NOT_SHOWN

    @property
    def true_coach(self) -> bool:
        return all(self.status(c) == MET for c in CRITERIA)

    def speech_evidence(self) -> int:
        return sum(1 for c in CRITERIA for e in self.evidence[c] if "quote" in e and not e.get("by"))


def _day(call: m.Call) -> date:
    return (call.started_at or call.ingested_at).date()


def find_account(s, name: str) -> m.Account:
    """The account called `name` (ignoring case, spacing and punctuation), or an error with close names."""
    accs = list(s.scalars(select(m.Account).order_by(m.Account.name)))
    want = P.key(name)
    hit = [a for a in accs if P.key(a.name) == want]
    if hit:
        return hit[0]
    names = [a.name for a in accs]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    close += [n for n in names if want and want in P.key(n) and n not in close][:3]
    if not names:
        hint = "the store has no accounts yet: import the CRM (salescoach crm import / contacts import) or ingest " \
               "calls with --account"
    elif close:
        hint = "did you mean " + " or ".join(repr(c) for c in close[:3]) + "?"
    else:
        hint = f"known accounts: {', '.join(names[:15])}" + (" ..." if len(names) > 15 else "")
    raise SalescoachError(f"no account named {name!r} in the store; {hint}")


def _ev(call: dict, seg: m.Segment, quote: str, pattern: str, **extra) -> dict:
    return {"call": call["key"], "call_id": call["id"], "date": call["date"], "start": seg.start,
            "speaker": seg.speaker, "quote": quote, "pattern": pattern, **extra}


class _Targets:
    """Resolve the words a quote points at to a person of the account and/or a role."""

    def __init__(self, people: list[Person]):
        firsts = Counter(p.name.split()[0].casefold() for p in people if p.name.split())
        self.rx: list[tuple[re.Pattern, Person]] = []
        self.alts: dict[int, str] = {}
        for p in people:
            forms = [p.name]
            parts = p.name.split()
            if len(parts) > 1 and firsts[parts[0].casefold()] == 1:
                forms.append(parts[0])
            alt = "|".join(r"\s+".join(map(re.escape, f.split())) for f in sorted(forms, key=len, reverse=True))
            self.rx.append((re.compile(rf"\b(?:{alt})\b", re.I), p))
            self.alts[id(p)] = alt

    def resolve(self, text: str | None, speaker: Person) -> dict | None:
        if not text:
            return None
        text = text.strip()
        for rx, p in self.rx:
            if p is not speaker and rx.search(text):
                return {"text": text, "person": p.name, "role": p.role}
        lx = lexicon()
        tr = lx.title_role(text)
        if tr:
            return {"text": text, "person": None, "role": tr[0], "word": tr[1]}
        found, role, word = lx.access_role(text)
        if found:
            return {"text": text, "person": None, "role": role, "word": word}
        return None

    def name_forms(self, person: Person) -> str:
        return self.alts.get(id(person)) or re.escape(person.name)


def _load(repo: Repository, account: str, as_of: date):
    with repo.session() as s:
        acc = find_account(s, account)
        deal_ids = list(s.scalars(select(m.Deal.id).where(m.Deal.account_id == acc.id)))
        cond = m.Call.account_id == acc.id
        if deal_ids:
            cond = or_(cond, m.Call.deal_id.in_(deal_ids))
        calls = [c for c in s.scalars(select(m.Call).where(cond).order_by(m.Call.id)) if _day(c) <= as_of]
        calls.sort(key=lambda c: (_day(c), c.id))
        info = {c.id: {"id": c.id, "key": c.call_key, "date": _day(c).isoformat()} for c in calls}
        segs = list(s.scalars(select(m.Segment).where(m.Segment.call_id.in_(list(info)), m.Segment.role == "buyer")
                              .order_by(m.Segment.call_id, m.Segment.idx))) if info else []
        rows = s.execute(select(m.Contact, m.ContactRole).outerjoin(m.ContactRole, m.ContactRole.contact_id ==
                                                                     m.Contact.id)
                         .where(m.Contact.account_id == acc.id).order_by(m.Contact.id)).all()
        on_calls = {cid for (cid,) in s.execute(select(m.CallContact.contact_id).where(
            m.CallContact.call_id.in_(list(info))))} if info else set()
        any_calls = {cid for (cid,) in s.execute(select(m.CallContact.contact_id))}
        for g in segs:
            s.expunge(g)
        contacts = []
        for c, cr in rows:
            if cr is None and not c.title and not c.email and c.id in any_calls and c.id not in on_calls:
                continue  # a speaker of calls outside the window only
            crm = None
            if cr is not None:
                crm = {"role_raw": cr.role_raw, "role": cr.role, "roles": crm_roles(cr.role_raw, cr.role),
                       "is_sponsor": cr.is_sponsor, "status": cr.status,
                       "left_on": cr.left_on.isoformat() if cr.left_on else None,
                       "last_contact": cr.last_contact.isoformat() if cr.last_contact else None, "source": cr.source}
            contacts.append(Person(c.name, c.id, c.title, c.email, crm))
        return {"id": acc.id, "name": acc.name}, [info[c.id] for c in calls], info, segs, contacts


def _people(contacts: list[Person], segs: list[m.Segment], info: dict) -> list[Person]:
    people = list(contacts)
    by_key = {p.key: p for p in people}
    firsts: dict[str, list[Person]] = {}
    for p in people:
        if p.name.split():
            firsts.setdefault(p.name.split()[0].casefold(), []).append(p)
    for g in segs:
        k = P.key(g.speaker)
        p = by_key.get(k)
        if p is None and len(g.speaker.split()) == 1 and len(firsts.get(g.speaker.casefold(), [])) == 1:
            p = firsts[g.speaker.casefold()][0]
            by_key[k] = p
        if p is None:
            p = Person(" ".join(g.speaker.split()))
            people.append(p)
            by_key[k] = p
        p.segs.append((info[g.call_id], g))
    return people


def _roles(p: Person) -> None:
    lx = lexicon()
    sig = p.role_signals
    for r in p.crm_roles:
        sig.append({"role": r, "basis": "crm", "evidence": {"field": "contact_roles.role_raw",
                                                            "value": p.crm.get("role_raw") or r}})
    for call, g in p.segs:
        hit = next(((s, lx.speech_role(s)) for s in sentences(g.text) if lx.speech_role(s)), None)
        if hit:
            sig.append({"role": hit[1][0], "basis": "speech", "evidence": _ev(call, g, hit[0], hit[1][1])})
            break
    tr = lx.title_role(p.title)
    if tr:
        sig.append({"role": tr[0], "basis": "title", "evidence": {"field": "contacts.title", "value": p.title,
                                                                  "word": tr[1]}})
    chosen = next((x for x in sig if x["basis"] == "crm" and x["role"] != "coach"), None) or \
        next((x for x in sig if x["basis"] != "crm"), None)
    if chosen is None and p.crm_coach:
        chosen = next(x for x in sig if x["role"] == "coach")
    if chosen:
        p.role, p.role_basis, p.role_evidence = chosen["role"], chosen["basis"], chosen["evidence"]


def _criteria(people: list[Person], targets: _Targets) -> None:
    lx = lexicon()
    for p in people:
        for call, g in p.segs:
            for sent in sentences(g.text):
                for c in CRITERIA:
                    for pat, mt in lx.matches(c, sent):
                        if any(e.get("quote") == sent and e["call_id"] == call["id"] and e["start"] == g.start
                               for e in p.evidence[c]):
                            continue  # one piece of evidence per sentence
                        tgt = None
                        if "target" in pat.rx.groupindex:
                            tgt = targets.resolve(mt.group("target"), p)
                            if pat.needs_target and tgt is None:
                                continue
                        extra = {"target": tgt} if tgt else {}
                        p.evidence[c].append(_ev(call, g, sent, pat.id, **extra))
        w = lx.senior_word(p.title)
        if w:
            p.evidence["credible"].insert(0, {"field": "contacts.title", "value": p.title, "word": w})
        if "economic" in p.crm_roles:
            p.evidence["credible"].insert(0, {"field": "contact_roles.role_raw",
                                              "value": p.crm.get("role_raw") or "economic"})
    # another buyer deferring to the person
    for p in people:
        forms = targets.name_forms(p)
        rxs = [re.compile(r.replace("{name}", f"(?:{forms})"), re.I) for r in lx.referrals]
        for q in people:
            if q is p:
                continue
            for call, g in q.segs:
                for sent in sentences(g.text):
                    if any(rx.search(sent) for rx in rxs):
                        p.evidence["credible"].append(_ev(call, g, sent, "referral", by=q.name,
                                                          target={"text": q.name, "person": q.name, "role": q.role}))


def _criterion_out(p: Person, c: str, limit: int) -> dict:
    ev = p.evidence[c]
    st = p.status(c)
    out = {"status": st, "count": len(ev), "evidence": ev[:limit]}
    if st == UNKNOWN:
        out["why"] = "never heard on this account's calls"
    return out


def _access(coach: Person, role: str, people: list[Person]) -> list[dict]:
    """How an active true coach reaches `role` (see the module doc), each with its evidence."""
    out = []
    if coach.role == role:
        out.append({"how": "holds the role", "evidence": coach.role_evidence})
    role_of = {p.name: p.role for p in people}
    seen = set()
    for c in ("credible", "guide"):
        for e in coach.evidence[c]:
            t = e.get("target")
            if not t:
                continue
            r = role_of.get(t["person"]) if t.get("person") else t.get("role")
            if r != role or (e["call_id"], e["start"], e["quote"]) in seen:
                continue
            seen.add((e["call_id"], e["start"], e["quote"]))
            how = f"{e['by']} defers to them" if e.get("by") else \
                (f"named {t['person']}" if t.get("person") else f"named the {t.get('word') or t['text']}")
            out.append({"how": how, "evidence": e})
    return out


def _last_heard(p: Person) -> tuple[date | None, str | None]:
    days = [date.fromisoformat(call["date"]) for call, _ in p.segs]
    lc = (p.crm or {}).get("last_contact")
    cands = ([(max(days), "call")] if days else []) + ([(date.fromisoformat(lc), "crm last_contact")] if lc else [])
    return max(cands) if cands else (None, None)


def _short(e: dict | None) -> str:
    if not e:
        return ""
    return e.get("quote") or f"{e.get('field')} = {e.get('value')}"


def network(repo: Repository, account: str, as_of: date | None = None) -> dict:
    """The coach network of `account` as seen on `as_of` (default today): see the module doc."""
    as_of = as_of or date.today()
    cfg = load("coaches")
    limit = int(cfg.get("max_quotes", 3))
    acc, calls, info, segs, contacts = _load(repo, account, as_of)
    people = _people(contacts, segs, info)
    for p in people:
        _roles(p)
    targets = _Targets(people)
    _criteria(people, targets)
    heard_any = any(p.heard for p in people)
    labels = cfg["role_labels"]

    def candidate_reason(p: Person) -> list[str]:
        why = []
        if p.crm_coach:
            why.append(f"CRM role {p.crm.get('role_raw')!r}")
        elif p.sponsor:
            why.append(f"CRM sponsor ({p.crm.get('role_raw')!r})")
        shown = [c for c in CRITERIA if any("quote" in e and not e.get("by") for e in p.evidence[c])]
        if shown:
            why.append("own words show " + ", ".join(shown))
        return why

    cand = [p for p in people if candidate_reason(p)]
    coaches = [p for p in people if p.true_coach and not p.left]
    coaches.sort(key=lambda p: -p.speech_evidence())

    # coverage
    coverage = {}
    for r in INFLUENCES:
        in_role = [p for p in people if p.role == r]
        access = [{"coach": c.name, "via": a} for c in coaches for a in _access(c, r, people)]
        status = "covered" if access else ("uncovered" if heard_any else UNKNOWN)
        coverage[r] = {"label": labels[r], "status": status,
                       "contacts": [{"name": p.name, "basis": p.role_basis, "evidence": p.role_evidence}
                                    for p in in_role],
                       "access": access}
        if status == UNKNOWN:
            coverage[r]["why"] = "no buyer has spoken on this account's calls yet"

    # warnings
    warnings: list[dict] = []
    if not coaches:
        ev = [{"person": p.name, "missing": [c for c in CRITERIA if p.status(c) != MET],
               "statuses": {c: p.status(c) for c in CRITERIA}} for p in cand]
        warnings.append({"kind": "no_coach", "person": None, "evidence": ev,
                         "message": ("no true coach: nobody on the account meets all three criteria"
                                     if heard_any else
                                     "no true coach can be established: no buyer on this account has been heard on "
                                     "a call yet")})
    elif len(coaches) == 1:
        c = coaches[0]
        warnings.append({"kind": "single_coach", "person": c.name,
                         "evidence": [next((e for e in c.evidence[k] if "quote" in e), c.evidence[k][0])
                                      for k in CRITERIA],
                         "message": f"{c.name} is the only true coach: if they move or lose standing the account "
                                    "intelligence goes with them"})
    for p in people:
        if p.status("guide") == NOT_SHOWN and (p.sponsor or (p.crm_coach and p.status("wants") == MET)):
            ev = [{"field": "contact_roles.role_raw", "value": p.crm.get("role_raw"),
                   "is_sponsor": p.crm.get("is_sponsor")}] + p.evidence["wants"][:1]
            ev.append({"checked": f"{len(p.segs)} of their segment(s) on {len({c['id'] for c, _ in p.segs})} call(s)",
                       "guide": NOT_SHOWN})
            warnings.append({"kind": "sponsor_not_coach", "person": p.name, "evidence": ev,
                             "message": (f"{p.name} supports us in the open" if p.status("wants") == MET else
                                         f"{p.name} is recorded as a sponsor or champion")
                             + " but has never guided us through how the decision gets made: treat them as a "
                               "sponsor, not a coach"})
        proc = [x for x in p.role_signals if x["role"] == "procurement"]
        if proc and (p.crm_coach or p.sponsor):
            warnings.append({"kind": "procurement_coach", "person": p.name,
                             "evidence": [{"field": "contact_roles.role_raw", "value": p.crm.get("role_raw")}]
                             + [x["evidence"] for x in proc],
                             "message": f"{p.name} is recorded as a coach but works in procurement, whose personal "
                                        "win is a lower price, not our success"})
        if p.true_coach or p.crm_coach:
            if p.left:
                warnings.append({"kind": "coach_left", "person": p.name,
                                 "evidence": [{"field": "contact_roles.status", "value": "left",
                                               "left_on": p.crm.get("left_on"), "source": p.crm.get("source")}],
                                 "message": f"{p.name}, a coach on this account, has left"
                                            + (f" (on {p.crm['left_on']})" if p.crm.get("left_on") else "")})
            else:
                when, how = _last_heard(p)
                if when is None or when < as_of - timedelta(days=int(cfg["quiet_days"])):
                    warnings.append({"kind": "coach_quiet", "person": p.name,
                                     "evidence": [{"last_call": max((c["date"] for c, _ in p.segs), default=None),
                                                   "last_contact": (p.crm or {}).get("last_contact"),
                                                   "quiet_days": cfg["quiet_days"], "as_of": as_of.isoformat()}],
                                     "message": f"{p.name}, a coach on this account, has gone quiet: "
                                                + (f"last heard {when.isoformat()} ({how})" if when
                                                   else "never heard on a call and no CRM contact date")})

    moves = _moves(cfg, coverage, coaches, cand, people, warnings)

    def person_out(p: Person) -> dict:
        crit = {c: _criterion_out(p, c, limit) for c in CRITERIA}
        when, _ = _last_heard(p)
        return {"name": p.name, "contact_id": p.contact_id, "title": p.title, "email": p.email, "crm": p.crm,
                "role": p.role, "role_label": labels.get(p.role) if p.role else None, "role_basis": p.role_basis,
                "role_evidence": p.role_evidence, "role_signals": p.role_signals,
                "calls": len({c["id"] for c, _ in p.segs}), "segments": len(p.segs),
                "last_heard": when.isoformat() if when else None,
                "candidate": bool(candidate_reason(p)), "candidate_reason": candidate_reason(p),
                "criteria": crit if candidate_reason(p) else None,
                "true_coach": p.true_coach, "status": (p.crm or {}).get("status") or "active"}

    return {"account": acc, "as_of": as_of.isoformat(), "calls": calls, "heard": heard_any,
            "people": [person_out(p) for p in people],
            "true_coaches": [c.name for c in coaches],
            "candidates": [p.name for p in cand],
            "coverage": coverage, "warnings": warnings, "next_moves": moves}


def _moves(cfg: dict, coverage: dict, coaches: list[Person], cand: list[Person], people: list[Person],
           warnings: list[dict]) -> list[dict]:
    T, labels = cfg["moves"], cfg["role_labels"]
    out = []
    for r, cov in coverage.items():
        if cov["status"] == "covered":
            continue
        gone = {p.name for p in people if p.left}
        names = [c["name"] for c in cov["contacts"] if c["name"] not in gone]

        def fill(p: Person | None) -> dict | None:
            """Template values for a move by `p`, or None when `p` is the only person in the role."""
            others = [n for n in names if p is None or n != p.name]
            if names and not others:
                return None if p in coaches else {"role_label": labels[r], "who": p.name, "_in_role": True}
            who = f"{' / '.join(others)} ({labels[r]})" if others else f"the {labels[r]} (nobody identified yet)"
            return {"role_label": labels[r], "who": who}
        pool = sorted((p for p in cand if not p.left), key=lambda p: (p.role != r, -p.speech_evidence()))
        rules = [("ask_coach", coaches, lambda p: True),
                 ("ask_guidance", pool, lambda p: p.status("wants") == MET and p.status("credible") == MET
                  and p.status("guide") != MET),
                 ("develop_wants", pool, lambda p: p.status("wants") == MET)]
        kind, who, text = "find_candidate", None, T["find_candidate"].format(**fill(None))
        for k, group, ok in rules:
            hit = next(((p, f) for p in group if ok(p) and (f := fill(p)) is not None), None)
            if hit:
                who, f = hit
                quote = f"\u201c{_short(who.evidence['wants'][0])}\u201d" if who.evidence["wants"] else ""
                kind = k + "_in_role" if f.pop("_in_role", False) else k
                text = T[kind].format(coach=who.name, candidate=who.name, quote=quote, **f)
                break
        out.append({"role": r, "kind": kind, "person": who.name if who else None, "targets": names, "text": text})
    for w in warnings:
        if w["kind"] == "coach_left":
            out.append({"role": None, "kind": "replace_left", "person": w["person"], "targets": [],
                        "text": T["replace_left"].format(name=w["person"])})
        elif w["kind"] == "coach_quiet":
            ev = w["evidence"][0]
            last = max([x for x in (ev["last_call"], ev["last_contact"]) if x], default=None)
            out.append({"role": None, "kind": "reconnect", "person": w["person"], "targets": [],
                        "text": T["reconnect"].format(name=w["person"], last_heard=last or "never")})
    return out
