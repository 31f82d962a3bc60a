"""One rep's facts, read from the store in a few queries: what every coaching deliverable starts from.

`rep_context(repo, name, as_of)` returns a `RepContext`:
- `calls`: the rep's calls on or before `as_of`, oldest first, as `CallFacts` — id, key, date,
  call type, account, deal id, duration, the per-signal coaching verdicts (`verdicts[signal]` =
  {verdict, value, text, start, quote}) and the call-quality measurements
  (`quality[type]` = value), and the discovery findings (`discovery[type]` = [{start, quote}]).
  A verdict carries its first piece of evidence (start, quote); the full list stays in the finding's
  `data` (not read here: decoding it for every call of a busy rep costs more than the rest together).
- `observations`: the rep's active observations (rep scope) as `memory.observations` returns them.
- `interventions`: coaching interventions logged for the rep, oldest first.
- `profile`: start date and level when set (`rep_profiles`), `quotas`: [{period, start, end, amount}].

A call's date is when it took place (`calls.started_at`), else when it was ingested.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from salescoach.errors import SalescoachError
from salescoach.store import models as m
from salescoach.store.repo import Repository


@dataclass
class CallFacts:
    id: int
    key: str
    date: date
    call_type: str | None
    account: str | None
    deal_id: int | None
    duration_s: float | None
    verdicts: dict[str, dict] = field(default_factory=dict)
    quality: dict[str, float] = field(default_factory=dict)
    discovery: dict[str, list[dict]] = field(default_factory=dict)

    def verdict(self, signal: str) -> str | None:
        v = self.verdicts.get(signal)
        return v["verdict"] if v else None


@dataclass
class RepContext:
    rep_id: int
    name: str
    as_of: date
    calls: list[CallFacts]
    observations: list[dict]
    interventions: list[dict]
    profile: dict
    quotas: list[dict]

    def calls_between(self, start: date | None = None, end: date | None = None) -> list[CallFacts]:
        """Calls with start <= date < end (either bound optional)."""
        return [c for c in self.calls if (start is None or c.date >= start) and (end is None or c.date < end)]


def find_rep_or_fail(repo: Repository, s, name: str) -> m.Rep:
    """The rep called `name` (see Repository.find_rep), or an error that lists close names."""
    r = repo.find_rep(s, name)
    if r is not None:
        return r
    names = list(s.scalars(select(m.Rep.name).order_by(m.Rep.name)))
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = (f"did you mean {close[0]!r}? " if close else "") + (
        f"known reps: {', '.join(names[:20])}" + (" ..." if len(names) > 20 else "") if names
        else "the store has no reps yet: ingest their calls or import the CRM first")
    raise SalescoachError(f"no rep named {name!r} in the store; {hint}")


def _day(d: datetime | None) -> date | None:
    return d.date() if d else None


def rep_context(repo: Repository, name: str, as_of: date | None = None) -> RepContext:
    as_of = as_of or date.today()
    with repo.session() as s:
        rep = find_rep_or_fail(repo, s, name)
        rid, rname = rep.id, rep.name
        call_rows = s.execute(
            select(m.Call.id, m.Call.call_key, m.Call.started_at, m.Call.ingested_at, m.Call.call_type,
                   m.Account.name, m.Call.deal_id, m.Call.duration_s)
            .join(m.CallRep, m.CallRep.call_id == m.Call.id)
            .outerjoin(m.Account, m.Account.id == m.Call.account_id)
            .where(m.CallRep.rep_id == rid)).all()
        calls: dict[int, CallFacts] = {}
        for cid, key, started, ingested, ctype, acc, deal, dur in call_rows:
            d = (started or ingested).date()
            if d <= as_of:
                calls[cid] = CallFacts(cid, key, d, ctype, acc, deal, dur)
        if calls:
            ids = list(calls)
            for i in range(0, len(ids), 500):
                F = m.Finding
                for f in s.execute(select(F.call_id, F.kind, F.type, F.signal, F.verdict, F.value, F.text, F.start,
                                          F.quote, F.speaker).where(F.call_id.in_(ids[i:i + 500]))
                                   .order_by(F.call_id, F.id)):  # stored order, the same on every database
                    c = calls[f.call_id]
                    if f.kind == "coaching" and f.signal:
                        c.verdicts[f.signal] = {"verdict": f.verdict, "value": f.value, "text": f.text,
                                                "start": f.start, "quote": f.quote}
                    elif f.kind == "quality" and f.value is not None:
                        c.quality[f.type] = f.value
                    elif f.kind == "discovery":
                        c.discovery.setdefault(f.type, []).append({"start": f.start, "quote": f.quote,
                                                                   "speaker": f.speaker})
        ivs = [{"id": iv.id, "signal": iv.signal, "date": iv.date.date(), "note": iv.note}
               for iv in s.scalars(select(m.CoachingIntervention).where(m.CoachingIntervention.rep_id == rid)
                                   .order_by(m.CoachingIntervention.date, m.CoachingIntervention.id))]
        prof = s.get(m.RepProfile, rid)
        profile = {"start_date": prof.start_date, "level": prof.level} if prof else {}
        quotas = [{"period": q.period, "start": q.period_start, "end": q.period_end, "amount": q.amount}
                  for q in s.scalars(select(m.Quota).where(m.Quota.rep_id == rid).order_by(m.Quota.period_start))]
    from salescoach.memory import observations
    obs = [o for o in observations(repo, rname) if o["scope"] == "rep"]
    return RepContext(rid, rname, as_of, sorted(calls.values(), key=lambda c: (c.date, c.id)), obs, ivs, profile,
                      quotas)
