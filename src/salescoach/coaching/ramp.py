"""New-rep ramp plan (`salescoach ramp --rep NAME --start DATE`): 30/60/90-day milestones with
competency gates, each checked against the rep's calls, deals and forecast, and the team's ramp velocity.

The milestones are data (`frameworks/programme.json` "ramp"): each has a due day (30, 60, 90 days
after the start date), a text, and a check. The rep's start date is stored in `rep_profiles` (so
the team comparison knows it). Only the rep's calls dated from the start date up to `as_of` count;
deals are the CRM deals the rep owns, in their state on `as_of` (`crm.stats.state_on`), with the
MEDDPICC evidence of their calls (`crm.evidence.gather`, evidence dated after `as_of` ignored).

Statuses:
- **met**: the data shows the bar reached; `met_on` is the day it was first reached (the day of the
  call, the deal's stage change or the forecast period's end) and `days` = met_on - start.
- **not yet**: the data that could show it is there, and the bar is not reached.
- **unknown**: no data could show it (no calls stored since the start date, no CRM deals in the
  store, no quota, no forecast snapshots ...); the text says which data would settle it.
- **not tracked**: no stored data can ever show it (product certification, shadowing, practice
  pitch, buyer feedback ...): listed for the manager to tick off, never claimed met.
`overdue` is true when a milestone is not met and its due day has passed.

Checks (parameters in the JSON):
- discovery_next_steps: `n` discovery calls whose `next_steps` verdict is a strength (a committed,
  dated next step). No calls since the start: unknown.
- qualified_deals: `n` owned deals whose calls evidence at least `min_elements` of the eight MEDDPICC
  elements; met on the day the n-th deal got its `min_elements`-th element. No CRM deals in the
  store: unknown; deals but none with calls: unknown.
- qualification_all_open: every open deal has calls evidencing `min_elements` elements. No open
  deal: unknown; an open deal without calls: not yet (it has not been qualified on a call).
- top_objections: the floor's `top_k` most common objection categories (all stored calls). For each
  such category the rep met (on calls since the start), the rep's latest objection of it counts as
  handled when the response took at least `aecr_steps` of the four AECR steps (acknowledge,
  empathize, clarify, reframe). Met when at least `min_categories` categories (or every top category,
  if fewer) are handled and no latest one fell short; unknown when the rep met none of them.
- full_discovery_call: a discovery call with business pain (a `pain` or `problem` finding), the
  stakeholders (`stakeholders` finding) and a `next_steps` strength, all three on the same call.
- pipeline_coverage: open pipeline (amount, else list price) >= `coverage` x the quota of the period
  containing `as_of`, and at least `qualified_share` of open deals with `min_elements` elements.
  No quota stored: unknown.
- first_deal: a deal won (met on its close date), or one in a listed stage such as negotiation (met
  on the day it entered that stage).
- forecast_accuracy: a completed forecast period (`crm.forecast.accuracy`) ending after the start,
  with |forecast - actual| <= `pct` x actual. No completed period: unknown (take forecast snapshots).
- deal_through_close: a won deal whose calls evidence `min_elements` elements and include a call
  with a committed, dated next step.

Team ramp velocity: for every rep with a stored start date, the days from start to each tracked
milestone met (gates first). Per milestone the team median over the reps who met it; a rep is
**ahead** when they met it in fewer days than the median, **behind** when they took more days or
have not met it although more days than the median have passed since their start, else **on par**
(`null` when no rep has met it yet, so there is no median).
"""
from __future__ import annotations

import statistics
from datetime import date

from sqlalchemy import func, select

from salescoach.coaching.context import CallFacts, RepContext, find_rep_or_fail, rep_context
from salescoach.crm import parse as P
from salescoach.crm.evidence import MEDDPICC, DealEvidence, gather
from salescoach.crm.stats import DealRow, current_quota, load_deals, state_on
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.memory.signals import AECR
from salescoach.store import models as m
from salescoach.store.models import utcnow
from salescoach.store.repo import Repository

MET, NOT_YET, UNKNOWN, NOT_TRACKED = "met", "not yet", "unknown", "not tracked"


def settings() -> dict:
    return load("programme")["ramp"]


# -- shared readers (also used by the agenda and the programme) ------------------------------------

def crm_loaded(repo: Repository) -> bool:
    """Does the store hold any CRM deal at all? (Without one, deal questions are unknown, not 'not yet'.)"""
    with repo.session() as s:
        return bool(s.scalar(select(func.count()).select_from(m.CrmDeal)))


def deals_with_evidence(repo: Repository, owner_ids: list[int]) -> tuple[list[DealRow], dict[int, DealEvidence]]:
    deals = load_deals(repo, owner_ids)
    with repo.session() as s:
        evs = gather(s, deals)
    return deals, evs


def elements_until(ev: DealEvidence, as_of: date) -> dict[str, dict]:
    """The deal's MEDDPICC evidence dated on or before as_of."""
    return {k: v for k, v in ev.elements.items() if k in MEDDPICC and (v.get("date") or "") <= as_of.isoformat()}


def objection_findings(repo: Repository, call_ids: list[int] | None = None) -> list[dict]:
    """Objection findings [{call, date, start, quote, category, steps}] of these calls (None: all calls)."""
    out = []
    with repo.session() as s:
        q = select(m.Finding.call_id, m.Finding.occurred_at, m.Finding.start, m.Finding.quote, m.Finding.data) \
            .where(m.Finding.kind == "discovery", m.Finding.type == "objection")
        if call_ids is not None:
            if not call_ids:
                return []
            rows = []
            for i in range(0, len(call_ids), 500):
                rows += s.execute(q.where(m.Finding.call_id.in_(call_ids[i:i + 500]))).all()
        else:
            rows = s.execute(q).all()
        for cid, when, start, quote, data in rows:
            data = data or {}
            handling = data.get("handling") or {}
            out.append({"call": cid, "date": when.date() if when else None, "start": start, "quote": quote,
                        "category": data.get("category") or "other",
                        "steps": sum(bool(handling.get(k)) for k in AECR)})
    out.sort(key=lambda o: (o["date"] or date.min, o["call"], o["start"] or 0))
    return out


def floor_top_objections(repo: Repository, k: int) -> list[dict]:
    """The floor's k most common objection categories over every stored call: [{category, count}]."""
    counts: dict[str, int] = {}
    for o in objection_findings(repo):
        counts[o["category"]] = counts.get(o["category"], 0) + 1
    return [{"category": c, "count": n} for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def call_ev(c: CallFacts, start=None, quote=None) -> dict:
    return {"call": c.id, "key": c.key, "date": c.date.isoformat(), "start": start, "quote": quote}


# -- start date ----------------------------------------------------------------------------------

def set_start(repo: Repository, rep: str, start: date) -> str:
    """Store the rep's start date (rep_profiles); returns the rep's name."""
    with repo.session() as s:
        r = find_rep_or_fail(repo, s, rep)
        prof = s.get(m.RepProfile, r.id)
        if prof is None:
            s.add(m.RepProfile(rep_id=r.id, start_date=start, updated_at=utcnow()))
        else:
            prof.start_date = start
            prof.updated_at = utcnow()
        return r.name


# -- checks --------------------------------------------------------------------------------------

class _Data:
    """What the checks read for one rep."""

    def __init__(self, ctx: RepContext, start: date, as_of: date, deals: list[DealRow], evs: dict,
                 crm: bool, objections: list[dict], floor_top: list[dict], forecast: dict | None):
        self.ctx, self.start, self.as_of = ctx, start, as_of
        self.calls = ctx.calls_between(start, None)
        self.deals = [(d, st) for d in deals if (st := state_on(d, as_of)) is not None]
        self.evs, self.crm = evs, crm
        self.objections = [o for o in objections if o["date"] and start <= o["date"] <= as_of]
        self.floor_top, self.forecast = floor_top, forecast

    def elements(self, d: DealRow) -> dict:
        return elements_until(self.evs.get(d.id, DealEvidence()), self.as_of)


def _r(status: str, text: str, evidence: list | None = None, met_on: date | None = None, **extra) -> dict:
    return {"status": status, "finding": text, "evidence": evidence or [],
            "met_on": met_on.isoformat() if met_on else None, **extra}


def _no_calls(x: _Data) -> dict:
    return _r(UNKNOWN, f"no calls stored for the rep since {x.start.isoformat()}: ingest their calls "
              "(salescoach ingest --rep NAME) to check this")


def _no_crm() -> dict:
    return _r(UNKNOWN, "the store holds no CRM deals: import the CRM export (salescoach crm import) to check this")


def check_discovery_next_steps(x: _Data, spec: dict) -> dict:
    if not x.calls:
        return _no_calls(x)
    n = int(spec["n"])
    disc = [c for c in x.calls if c.call_type == "discovery"]
    good = [c for c in disc if c.verdict("next_steps") == "strength"]
    ev = [call_ev(c, c.verdicts["next_steps"]["start"], c.verdicts["next_steps"]["quote"]) for c in good]
    text = f"{len(good)} of {len(disc)} discovery call(s) since the start ended with a committed, dated next step " \
           f"(target {n})"
    if len(good) >= n:
        return _r(MET, text, ev[:n], good[n - 1].date, count=len(good))
    return _r(NOT_YET, text, ev, count=len(good))


def _qualified_on(x: _Data, d: DealRow, k: int) -> date | None:
    dates = sorted(date.fromisoformat(v["date"]) for v in x.elements(d).values() if v.get("date"))
    return dates[k - 1] if len(dates) >= k else None


def _deal_ev(x: _Data, d: DealRow) -> dict:
    els = x.elements(d)
    return {"deal": d.external_id, "name": d.name, "elements": sorted(els),
            "quotes": [{"element": k, "call": v["call"], "date": v["date"], "start": v["start"], "quote": v["quote"]}
                       for k, v in sorted(els.items())][:3]}


def check_qualified_deals(x: _Data, spec: dict) -> dict:
    if not x.crm:
        return _no_crm()
    n, k = int(spec["n"]), int(spec["min_elements"])
    if not x.deals:
        return _r(NOT_YET, "the rep owns no CRM deal yet", count=0)
    with_calls = [d for d, _ in x.deals if x.evs.get(d.id, DealEvidence()).has_calls]
    if not with_calls:
        return _r(UNKNOWN, f"none of the rep's {len(x.deals)} deal(s) has a stored call, so qualification cannot "
                  "be read from evidence: link calls to deals (ingest --deal, or the CRM import's linking)")
    q = sorted(((d, on) for d in with_calls if (on := _qualified_on(x, d, k))), key=lambda t: t[1])
    text = f"{len(q)} of {len(x.deals)} deal(s) have at least {k} MEDDPICC elements evidenced on calls (target {n})"
    ev = [_deal_ev(x, d) for d, _ in q]
    if len(q) >= n:
        return _r(MET, text, ev[:n], max(q[n - 1][1], x.start), count=len(q))
    return _r(NOT_YET, text, ev + [_deal_ev(x, d) for d in with_calls if d not in [a for a, _ in q]][:3], count=len(q))


def check_qualification_all_open(x: _Data, spec: dict) -> dict:
    if not x.crm:
        return _no_crm()
    k = int(spec["min_elements"])
    open_ = [d for d, st in x.deals if P.is_open(st)]
    if not open_:
        return _r(UNKNOWN, "the rep has no open deal on this day, so there is nothing to check the framework on")
    short = [d for d in open_ if len(x.elements(d)) < k]
    text = f"{len(open_) - len(short)} of {len(open_)} open deal(s) have at least {k} MEDDPICC elements evidenced"
    if not short:
        ons = [_qualified_on(x, d, k) for d in open_]
        return _r(MET, text, [_deal_ev(x, d) for d in open_][:5], max([o for o in ons if o] + [x.start]))
    return _r(NOT_YET, text + "; short: " + ", ".join(f"{d.external_id} ({len(x.elements(d))})" for d in short[:5]),
              [_deal_ev(x, d) for d in short][:5])


def check_top_objections(x: _Data, spec: dict) -> dict:
    top = [t["category"] for t in x.floor_top]
    if not top:
        return _r(UNKNOWN, "no objections are stored on any call yet, so the floor's common objections are not known")
    need_steps = int(spec["aecr_steps"])
    need = min(int(spec["min_categories"]), len(top))
    latest: dict[str, dict] = {}
    first_handled: dict[str, date] = {}
    for o in x.objections:
        if o["category"] in top:
            latest[o["category"]] = o
            if o["steps"] >= need_steps and o["category"] not in first_handled:
                first_handled[o["category"]] = o["date"]
    if not latest:
        return _r(UNKNOWN, f"none of the floor's top objections ({', '.join(top)}) came up on the rep's calls since "
                  "the start; nothing shows yet how they handle them" if x.calls else _no_calls(x)["finding"])
    handled = [c for c in top if c in latest and latest[c]["steps"] >= need_steps]
    short = [c for c in top if c in latest and latest[c]["steps"] < need_steps]
    ev = [{"category": c, "call": latest[c]["call"], "date": latest[c]["date"].isoformat(),
           "start": latest[c]["start"], "quote": latest[c]["quote"], "aecr_steps": latest[c]["steps"]}
          for c in top if c in latest]
    text = (f"floor's top objections: {', '.join(top)}; handled with {need_steps}+ AECR steps (latest time): "
            f"{', '.join(handled) or 'none'}" + (f"; fell short: {', '.join(short)}" if short else "") +
            (f"; not met yet: {', '.join(c for c in top if c not in latest)}" if len(latest) < len(top) else ""))
    if len(handled) >= need and not short:
        return _r(MET, text, ev, max(first_handled[c] for c in handled), handled=handled, short=short)
    return _r(NOT_YET, text, ev, handled=handled, short=short)


def check_full_discovery_call(x: _Data, spec: dict) -> dict:
    if not x.calls:
        return _no_calls(x)
    disc = [c for c in x.calls if c.call_type == "discovery"]
    best, best_n = None, -1
    for c in disc:
        pain = (c.discovery.get("pain") or c.discovery.get("problem") or [None])[0]
        who = (c.discovery.get("stakeholders") or [None])[0]
        nxt = c.verdicts.get("next_steps") if c.verdict("next_steps") == "strength" else None
        got = sum(bool(v) for v in (pain, who, nxt))
        if got == 3:
            ev = [dict(call_ev(c, pain["start"], pain["quote"]), part="business pain"),
                  dict(call_ev(c, who["start"], who["quote"]), part="stakeholders"),
                  dict(call_ev(c, nxt["start"], nxt["quote"]), part="next step")]
            return _r(MET, f"discovery call {c.key} ({c.date.isoformat()}) uncovered pain, named stakeholders and "
                      "secured a dated next step", ev, c.date)
        if got > best_n:
            best, best_n = (c, pain, who, nxt), got
    if not disc:
        return _r(NOT_YET, f"no discovery call among the rep's {len(x.calls)} call(s) since the start")
    c, pain, who, nxt = best
    missing = [n for n, v in (("business pain", pain), ("stakeholders", who), ("a secured next step", nxt)) if not v]
    return _r(NOT_YET, f"none of {len(disc)} discovery call(s) had all three; the closest, {c.key} "
              f"({c.date.isoformat()}), lacked {', '.join(missing)}",
              [dict(call_ev(c, v["start"], v["quote"]), part=n) for n, v in
               (("business pain", pain), ("stakeholders", who), ("next step", nxt)) if v])


def check_pipeline_coverage(x: _Data, spec: dict) -> dict:
    if not x.crm:
        return _no_crm()
    q = current_quota(x.ctx.quotas, x.as_of)
    if q is None:
        return _r(UNKNOWN, f"no quota is stored for the period containing {x.as_of.isoformat()}: set one to check "
                  "pipeline coverage")
    open_ = [d for d, st in x.deals if P.is_open(st)]
    total = sum(v for d in open_ if (v := d.value()[0]) is not None)
    k = int(spec["min_elements"])
    qual = [d for d in open_ if len(x.elements(d)) >= k]
    share = len(qual) / len(open_) if open_ else 0.0
    cov = total / q["amount"] if q["amount"] else None
    text = (f"open pipeline {total:,.0f} on a {q['period']} quota of {q['amount']:,.0f} = "
            f"{'n/a' if cov is None else f'{cov:.1f}x'} (target {spec['coverage']:g}x); {len(qual)} of {len(open_)} "
            f"open deal(s) qualified ({k}+ elements; target {spec['qualified_share']:.0%})")
    ev = [{"deal": d.external_id, "value": d.value()[0], "elements": len(x.elements(d))} for d in open_][:10]
    if cov is not None and cov >= float(spec["coverage"]) and share >= float(spec["qualified_share"]):
        return _r(MET, text, ev, x.as_of, coverage=round(cov, 2), qualified_share=round(share, 4))
    return _r(NOT_YET, text, ev, coverage=None if cov is None else round(cov, 2), qualified_share=round(share, 4))


def _entered_on(d: DealRow, stage: str, as_of: date) -> date | None:
    for when, _, to in d.history:
        if to == stage and (when is None or when <= as_of):
            return when
    return None


def check_first_deal(x: _Data, spec: dict) -> dict:
    if not x.crm:
        return _no_crm()
    won = [d for d, st in x.deals if st == "won"]
    if won:
        ons = sorted((_entered_on(d, "won", x.as_of) or d.close_date or x.as_of, d) for d in won)
        on, d = ons[0][0], ons[0][1]
        return _r(MET, f"{len(won)} deal(s) won; first {d.external_id} ({d.name or d.account or ''})",
                  [{"deal": d.external_id, "stage": "won", "field": "crm stage / close date",
                    "close_date": d.close_date.isoformat() if d.close_date else None}], max(on, x.start))
    late = [(d, st) for d, st in x.deals if st in spec["stages"]]
    if late:
        d, st = late[0]
        on = _entered_on(d, st, x.as_of) or d.stage_changed_at or x.as_of
        return _r(MET, f"{d.external_id} is in {st} (final negotiation)",
                  [{"deal": dd.external_id, "stage": s2, "field": "crm stage"} for dd, s2 in late], max(on, x.start))
    return _r(NOT_YET, f"none of the rep's {len(x.deals)} deal(s) is won or in "
              f"{' / '.join(spec['stages'])}", [{"deal": d.external_id, "stage": st} for d, st in x.deals][:10])


def check_forecast_accuracy(x: _Data, spec: dict) -> dict:
    pct = float(spec["pct"])
    periods = [p for p in (x.forecast or {}).get("periods", []) if p["complete"]
               and date.fromisoformat(p["snapshot_as_of"]) >= x.start]
    if not periods:
        return _r(UNKNOWN, "no completed forecast period since the start (take forecast snapshots with "
                  "salescoach forecast snapshot during the period)")
    ok = [p for p in periods if p["pct_error"] is not None and abs(p["pct_error"]) <= pct]
    ev = [{"period": p["period"], "forecast": p["forecast"], "actual": p["actual"], "pct_error": p["pct_error"],
           "field": "forecast snapshot vs won deals"} for p in periods]
    if ok:
        from salescoach.crm.forecast import period_of
        label = ok[0]["period"]
        if "Q" in label:
            end = period_of(date(int(label[:4]), 3 * int(label[-1]) - 2, 1), "quarter")[2]
        else:
            end = period_of(date.fromisoformat(label + "-01"), "month")[2]
        return _r(MET, f"period {label}: forecast {ok[0]['forecast']:,.0f} vs actual {ok[0]['actual']:,.0f}",
                  ev, end)
    return _r(NOT_YET, f"{len(periods)} completed period(s), none within {pct:.0%} of the actual", ev)


def check_deal_through_close(x: _Data, spec: dict) -> dict:
    if not x.crm:
        return _no_crm()
    k = int(spec["min_elements"])
    won = [d for d, st in x.deals if st == "won"]
    if not won:
        return _r(NOT_YET, "no deal won yet")
    strong = {c.id for c in x.ctx.calls if c.verdict("next_steps") == "strength"}
    with_calls = [d for d in won if x.evs.get(d.id, DealEvidence()).has_calls]
    if not with_calls:
        return _r(UNKNOWN, f"{len(won)} deal(s) won but none has a stored call, so how it was run cannot be read")
    for d in with_calls:
        ev = x.evs[d.id]
        ns = [c for c in ev.calls if c["id"] in strong]
        if len(x.elements(d)) >= k and ns:
            on = _entered_on(d, "won", x.as_of) or d.close_date or x.as_of
            return _r(MET, f"{d.external_id} won with {len(x.elements(d))} MEDDPICC elements evidenced and a committed "
                      "next step on its calls", [_deal_ev(x, d)], max(on, x.start))
    return _r(NOT_YET, f"{len(with_calls)} won deal(s) with calls, none with {k}+ elements and a committed next step",
              [_deal_ev(x, d) for d in with_calls][:3])


CHECKS = {"discovery_next_steps": check_discovery_next_steps, "qualified_deals": check_qualified_deals,
          "qualification_all_open": check_qualification_all_open, "top_objections": check_top_objections,
          "full_discovery_call": check_full_discovery_call, "pipeline_coverage": check_pipeline_coverage,
          "first_deal": check_first_deal, "forecast_accuracy": check_forecast_accuracy,
          "deal_through_close": check_deal_through_close}


def milestone_text(spec: dict) -> str:
    fill = {k: v for k, v in spec.items() if isinstance(v, (int, float, str))}
    if "qualified_share" in spec:
        fill["qualified_share_pct"] = f"{spec['qualified_share']:.0%}"
    if "pct" in spec:
        fill["pct_label"] = f"{spec['pct']:.0%}"
    if "coverage" in spec:
        fill["coverage"] = f"{spec['coverage']:g}"
    return spec["text"].format(**fill)


def evaluate(x: _Data) -> list[dict]:
    from datetime import timedelta
    out = []
    for spec in settings()["milestones"]:
        due = x.start + timedelta(days=int(spec["day"]))
        check = spec["check"]
        if check == "not_tracked":
            res = _r(NOT_TRACKED, "no stored data can show this; the manager confirms it")
        elif check not in CHECKS:
            raise SalescoachError(f"programme.json ramp milestone {spec['id']!r}: unknown check {check!r}; "
                                  f"use one of: not_tracked, {', '.join(CHECKS)}")
        else:
            res = CHECKS[check](x, spec)
        met_on = date.fromisoformat(res["met_on"]) if res["met_on"] else None
        out.append({"id": spec["id"], "day": int(spec["day"]), "gate": bool(spec.get("gate")),
                    "text": milestone_text(spec), "check": check, "due": due.isoformat(), **res,
                    "days": (met_on - x.start).days if met_on else None,
                    "overdue": res["status"] != MET and res["status"] != NOT_TRACKED and x.as_of > due})
    return out


# -- the deliverable -----------------------------------------------------------------------------

def _rep_data(repo: Repository, name: str, start: date, as_of: date, deals: list[DealRow], evs: dict, crm: bool,
              floor_top: list[dict], ctx: RepContext | None = None) -> _Data:
    from salescoach.crm.forecast import accuracy
    ctx = ctx or rep_context(repo, name, as_of)
    objs = objection_findings(repo, [c.id for c in ctx.calls])
    fc = next(iter(accuracy(repo, ctx.name, as_of)["reps"]), None) if crm else None
    return _Data(ctx, start, as_of, [d for d in deals if d.owner_id == ctx.rep_id], evs, crm, objs, floor_top, fc)


def ramp(repo: Repository, rep: str, start: date | None = None, as_of: date | None = None,
         with_team: bool = True) -> dict:
    """The rep's ramp plan checked against the data (see the module docstring). With `start` the start
    date is stored first; without it the stored one is used (error when there is none)."""
    as_of = as_of or date.today()
    if start is not None:
        set_start(repo, rep, start)
    ctx = rep_context(repo, rep, as_of)
    start = ctx.profile.get("start_date")
    if start is None:
        raise SalescoachError(f"no start date is stored for {ctx.name}: pass --start YYYY-MM-DD (it is then "
                              "remembered for the team comparison)")
    if start > as_of:
        raise SalescoachError(f"the start date {start.isoformat()} is after the as-of day {as_of.isoformat()}: "
                              "pass an earlier --start or a later --as-of")
    cfg = settings()
    top_k = max([int(s.get("top_k", 0)) for s in cfg["milestones"]] + [0])
    floor_top = floor_top_objections(repo, top_k) if top_k else []
    crm = crm_loaded(repo)
    deals, evs = deals_with_evidence(repo, [ctx.rep_id]) if crm else ([], {})
    x = _rep_data(repo, ctx.name, start, as_of, deals, evs, crm, floor_top, ctx)
    ms = evaluate(x)
    phases = []
    for day, label in sorted(((int(k), v) for k, v in cfg["phases"].items())):
        items = [i for i in ms if i["day"] == day]
        phases.append({"day": day, "label": label, "due": items[0]["due"] if items else None,
                       "milestones": [i for i in items if not i["gate"]],
                       "gate": next((i for i in items if i["gate"]), None)})
    counts = {s: sum(1 for i in ms if i["status"] == s) for s in (MET, NOT_YET, UNKNOWN, NOT_TRACKED)}
    out = {"rep": ctx.name, "start": start.isoformat(), "as_of": as_of.isoformat(),
           "days_in": (as_of - start).days, "calls_since_start": len(x.calls),
           "deals": len(x.deals) if crm else None, "floor_top_objections": floor_top, "phases": phases,
           "summary": counts}
    if with_team:
        out["team"] = team_velocity(repo, as_of, floor_top=floor_top, crm=crm)
    return out


def team_velocity(repo: Repository, as_of: date | None = None, floor_top: list[dict] | None = None,
                  crm: bool | None = None) -> dict:
    """Days from start to each tracked milestone for every rep with a stored start date, compared."""
    as_of = as_of or date.today()
    with repo.session() as s:
        rows = s.execute(select(m.Rep.id, m.Rep.name, m.RepProfile.start_date)
                         .join(m.RepProfile, m.RepProfile.rep_id == m.Rep.id)
                         .where(m.RepProfile.start_date.is_not(None)).order_by(m.Rep.name)).all()
    rows = [r for r in rows if r[2] <= as_of]
    if floor_top is None:
        top_k = max([int(s.get("top_k", 0)) for s in settings()["milestones"]] + [0])
        floor_top = floor_top_objections(repo, top_k) if top_k else []
    crm = crm_loaded(repo) if crm is None else crm
    deals, evs = deals_with_evidence(repo, [r[0] for r in rows]) if crm and rows else ([], {})
    per_rep = []
    for rid, name, start in rows:
        x = _rep_data(repo, name, start, as_of, deals, evs, crm, floor_top)
        per_rep.append((name, start, {i["id"]: i for i in evaluate(x)}))
    specs = [s for s in settings()["milestones"] if s["check"] != "not_tracked"]
    specs.sort(key=lambda s: (not s.get("gate"), int(s["day"])))
    items = []
    for spec in specs:
        days = [ms[spec["id"]]["days"] for _, _, ms in per_rep if ms[spec["id"]]["status"] == MET]
        med = statistics.median(days) if days else None
        reps = []
        for name, start, ms in per_rep:
            i = ms[spec["id"]]
            elapsed = (as_of - start).days
            if med is None:
                pos = None
            elif i["status"] == MET:
                pos = "ahead" if i["days"] < med else "behind" if i["days"] > med else "on par"
            else:  # only "not yet" counts as behind: "unknown" means the data cannot tell
                pos = "behind" if i["status"] == NOT_YET and elapsed > med else None
            reps.append({"rep": name, "status": i["status"], "days": i["days"], "position": pos})
        items.append({"id": spec["id"], "gate": bool(spec.get("gate")), "text": milestone_text(spec),
                      "median_days": med, "met_by": len(days), "reps": reps})
    summary = []
    for name, start, _ in per_rep:
        pos = [r["position"] for it in items for r in it["reps"] if r["rep"] == name]
        summary.append({"rep": name, "start": start.isoformat(), "days_in": (as_of - start).days,
                        "ahead": pos.count("ahead"), "behind": pos.count("behind"), "on_par": pos.count("on par")})
    return {"as_of": as_of.isoformat(), "reps": summary, "milestones": items}


# -- Markdown ------------------------------------------------------------------------------------

_MARK = {MET: "[x]", NOT_YET: "[ ]", UNKNOWN: "[?]", NOT_TRACKED: "[-]"}


def _ts(s) -> str:
    if s is None:
        return ""
    s = int(s)
    return f" {s // 60}:{s % 60:02d}"


def _evidence_md(ev: list) -> list[str]:
    out = []
    for e in ev[:3]:
        if e.get("quote"):
            where = f"call {e.get('key') or e.get('call')} {e.get('date', '')}{_ts(e.get('start'))}".strip()
            part = f"{e['part']}: " if e.get("part") else f"{e['category']}: " if e.get("category") else ""
            out.append(f"    - {part}\"{e['quote']}\" ({where})")
        elif e.get("deal"):
            bits = [f"deal {e['deal']}"]
            if e.get("elements") is not None:
                els = e["elements"]
                bits.append(f"elements: {', '.join(els) or 'none'}" if isinstance(els, list) else f"{els} element(s)")
            if e.get("stage"):
                bits.append(f"stage {e['stage']}")
            out.append("    - " + "; ".join(bits))
            for q in (e.get("quotes") or [])[:2]:
                out.append(f"      - {q['element']}: \"{q['quote']}\" (call {q['call']} {q['date']}{_ts(q['start'])})")
        elif e.get("period"):
            out.append(f"    - {e['period']}: forecast {e['forecast']:,.0f}, actual {e['actual']:,.0f}")
    return out


def _item_md(i: dict) -> list[str]:
    tail = f" — met {i['met_on']} (day {i['days']})" if i["status"] == MET else \
        (" — overdue" if i["overdue"] else "")
    out = [f"- {_MARK[i['status']]} **{i['text']}** · {i['status']}{tail}", f"  {i['finding']}."]
    return out + _evidence_md(i["evidence"])


def render_md(r: dict) -> str:
    out = [f"# Ramp plan: {r['rep']} — started {r['start']}", "",
           f"Day {r['days_in']} on {r['as_of']}; {r['calls_since_start']} call(s) since the start"
           + ("" if r["deals"] is None else f", {r['deals']} CRM deal(s)") + ".", "",
           "Legend: [x] met · [ ] not yet (the data is there, the bar is not reached) · [?] unknown (no data could "
           "show it yet) · [-] not tracked (the manager confirms it; never claimed met).", ""]
    for ph in r["phases"]:
        out += [f"## {ph['day']}-day milestones ({ph['label']}) — due {ph['due']}", ""]
        for i in ph["milestones"]:
            out += _item_md(i)
        if ph["gate"]:
            out += ["", "**Competency gate**", ""] + _item_md(ph["gate"])
        out.append("")
    s = r["summary"]
    out += [f"Summary: {s['met']} met, {s['not yet']} not yet, {s['unknown']} unknown, {s['not tracked']} not tracked.",
            ""]
    t = r.get("team")
    if t:
        out += ["## Team ramp velocity", ""]
        if len(t["reps"]) < 2:
            out += ["Only one rep has a start date stored, so there is no one to compare with yet (pass --start for "
                    "the others).", ""]
        out += ["| Milestone | Team median (days) | " + " | ".join(x["rep"] for x in t["reps"]) + " |",
                "|---|---:|" + "---|" * len(t["reps"])]
        for it in t["milestones"]:
            cells = []
            for x in it["reps"]:
                c = f"{x['days']} d" if x["days"] is not None else x["status"]
                cells.append(c + (f" ({x['position']})" if x["position"] else ""))
            med = "—" if it["median_days"] is None else f"{it['median_days']:g}"
            out.append(f"| {'Gate: ' if it['gate'] else ''}{it['text']} | {med} | " + " | ".join(cells) + " |")
        out += ["", "Ahead / behind the team median per rep: " + "; ".join(
            f"{x['rep']} (day {x['days_in']}): {x['ahead']} ahead, {x['behind']} behind" for x in t["reps"]) + ".", ""]
    return "\n".join(out)
