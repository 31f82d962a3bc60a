"""Rep coaching plan: `salescoach plan --rep NAME` (build_plan), saved plans and their follow-up.

`build_plan(repo, rep, as_of=None) -> dict` with these sections (every rule's numbers live in
`frameworks/plan.json`; the skill rules are documented in `coaching.skills`):

1. performance (CRM deals owned by the rep, taken on `as_of` with crm.stats.state_on):
   - quota_attainment = won amount closed inside the rep's quota periods that overlap the year to
     date (1 January .. as_of), up to as_of / the sum of those quotas. When quotas of several
     lengths overlap, the year quota is used, else the quarters, else the months. No quota ->
     "unknown".
   - win_rate = won / (won + lost) closed deals; avg_deal_size = mean amount of won deals;
     cycle_days = median days from engage (else created) date to close date of won deals.
   - pipeline_coverage = open pipeline value (amount, else product list price) / remaining quota
     of the current period (the shortest quota period containing as_of, minus what was won in it
     so far). No quota -> "unknown"; quota already met -> "met" (no ratio).
   Every figure carries its sample size and source; no deals -> "unknown" everywhere.
2. skills: `coaching.skills.assess` (six competencies, level, confidence, target, gap).
3. focus_areas (at most 3; rule in plan.json "focus"): candidates are competencies with a known
   level <= 3 and gap evidence, ranked by leverage = (5 - level) x weight x confidence factor.
   Each: skill, signal (the competency's lowest-scoring signal with gap calls), current_behavior
   (diagnosis skill/will/environment + the gap calls quoted), target_behavior, actions (call
   review naming the calls, role-play, shadowing the rep with the best-proven stable strength on
   the signal (most calls),
   deal prep on the largest open deal for deal-facing skills), milestone
   {text, signal, metric, threshold, min_calls} and target_date = as_of + target_weeks.
   Top performer (no candidate, and at least 3 competencies scored; fewer -> kind "no_evidence"
   with the data needed): one "advanced" focus (first of advanced_order below level 5,
   else the first; its advanced target behaviour from plan.json "advanced_behaviours") plus peer
   coaching: the rep's stable strength that the most other reps have as a stable gap, with them. Struggling rep (>= 3
   competencies at level <= 2): still 3 areas, intensive cadence. New rep (no calls, no deals):
   no focus areas, the data needed and a ramp suggestion.
4. follow_up: when an active saved plan exists (set on or before as_of), each saved milestone is
   checked against the rep's calls dated after set_on: met (the signal rated strength in at
   least `threshold` of the first `min_calls` applicable calls), not yet, or unknown (no
   applicable call since). CRM milestones: win_rate over deals closed after set_on (needs
   min_calls closed deals), forecast_within_10 over forecast periods completed after set_on.

`save_plan(repo, plan)` stores the plan (coaching_plans, status active; older active plans of
the rep become superseded) and returns its id; `active_plan(repo, rep)` returns the saved content
plus `id` and `set_on` (ISO), or None.
"""
from __future__ import annotations

import statistics
from datetime import date, timedelta

from sqlalchemy import select

from salescoach.analysis.moments import clock
from salescoach.coaching import skills as S
from salescoach.coaching.context import RepContext, find_rep_or_fail, rep_context
from salescoach.crm import parse as P
from salescoach.crm.stats import current_quota
from salescoach.errors import SalescoachError
from salescoach.store import models as m
from salescoach.store.repo import Repository

DEAL_FACING = ("qualification_rigor", "executive_presence", "closing", "objection_handling")
DEAL_PREP = {
    "qualification_rigor": "list which MEDDPICC elements are still unproven and write the question that settles each",
    "executive_presence": "plan how to reach the economic buyer and rehearse the opening upfront contract",
    "closing": "agree the dated next step you will ask for and how you will answer 'let me think about it'",
    "objection_handling": "list the three objections most likely to come up and rehearse an AECR answer to each",
}


def _unknown(note: str, sample: int = 0, source: str | None = None) -> dict:
    return {"value": "unknown", "sample": sample, "source": source, "note": note}


def _kind(period: str) -> int:
    """0 year, 1 quarter, 2 month (shorter periods sort later)."""
    return 1 if "Q" in period else 2 if "-" in period else 0


# -- 1. performance ----------------------------------------------------------------------------
def performance(ctx: RepContext, deals: list, as_of: date) -> dict:
    won, lost, open_ = [], [], []
    for d in deals:
        st = _state(d, as_of)
        if st is None:
            continue
        (won if st == "won" else lost if st == "lost" else open_).append(d)
    src = f"CRM deals owned by {ctx.name}"
    closed = len(won) + len(lost)
    out: dict = {"deals": {"won": len(won), "lost": len(lost), "open": len(open_), "source": src}}
    if not (won or lost or open_):
        note = "no CRM deals owned by the rep: import the CRM export (salescoach crm import) to fill this in"
        for k in ("quota_attainment", "win_rate", "avg_deal_size", "cycle_days", "pipeline_coverage"):
            out[k] = _unknown(note)
        return out
    out["win_rate"] = ({"value": round(len(won) / closed, 4), "sample": closed, "source": src + ": won / (won + lost)"}
                       if closed else _unknown("no closed deals yet", 0, src))
    amounts = [d.amount for d in won if d.amount is not None]
    out["avg_deal_size"] = ({"value": round(statistics.fmean(amounts), 2), "sample": len(amounts),
                             "source": src + ": mean amount of won deals"}
                            if amounts else _unknown("no won deal with an amount", 0, src))
    cycles = [(d.close_date - d.start).days for d in won if d.close_date and d.start]
    out["cycle_days"] = ({"value": statistics.median(cycles), "sample": len(cycles),
                          "source": src + ": median days from engage/created date to close date of won deals"}
                         if cycles else _unknown("no won deal with both a start and a close date", 0, src))
    # quota attainment, year to date
    ytd0 = date(as_of.year, 1, 1)
    overl = [q for q in ctx.quotas if q["start"] <= as_of and q["end"] >= ytd0]
    if not overl:
        out["quota_attainment"] = _unknown("no quota set for this year: salescoach quota set --rep NAME --period "
                                           f"{as_of.year} --amount N", 0, "quotas")
    else:
        kind = min(_kind(q["period"]) for q in overl)
        qs = [q for q in overl if _kind(q["period"]) == kind]
        lo, hi = min(q["start"] for q in qs), min(as_of, max(q["end"] for q in qs))
        w = [d for d in won if d.close_date and lo <= d.close_date <= hi]
        total = sum(q["amount"] for q in qs)
        won_amt = sum(d.amount or 0.0 for d in w)
        out["quota_attainment"] = {"value": round(won_amt / total, 4), "sample": len(w), "won_amount": won_amt,
                                   "quota": total, "periods": [q["period"] for q in qs],
                                   "source": f"quotas {', '.join(q['period'] for q in qs)}; {src}: won deals closed "
                                             f"{lo.isoformat()}..{hi.isoformat()}"}
    # pipeline coverage of the current period
    q = current_quota(ctx.quotas, as_of)
    vals = [d.value() for d in open_]
    pipe = sum(v for v, _ in vals if v is not None)
    est = sum(1 for v, e in vals if v is not None and e)
    if q is None:
        out["pipeline_coverage"] = _unknown("no quota for the current period", len(open_), "quotas")
        out["pipeline_coverage"]["open_value"] = pipe
    else:
        won_in = sum(d.amount or 0.0 for d in won if d.close_date and q["start"] <= d.close_date <= as_of)
        remaining = q["amount"] - won_in
        base = {"sample": len(open_), "open_value": pipe, "remaining_quota": round(remaining, 2), "period": q["period"],
                "estimated_deals": est,
                "source": f"quota {q['period']} minus won so far; {src}: open deals at amount (else list price)"}
        if remaining <= 0:
            out["pipeline_coverage"] = {"value": "met", **base, "note": f"quota {q['period']} already met"}
        else:
            out["pipeline_coverage"] = {"value": round(pipe / remaining, 2), **base}
    return out


def _state(d, as_of: date) -> str | None:
    from salescoach.crm.stats import state_on
    st = state_on(d, as_of)
    if st == "won" and d.close_date and d.close_date > as_of and not d.history:
        return "open"  # won later than the day we look from
    return st


def _forecast_figure(repo: Repository, name: str, as_of: date) -> dict:
    from salescoach.crm.forecast import accuracy
    try:
        acc = accuracy(repo, name, as_of)
    except SalescoachError:  # rep unknown to the forecast tables
        return {"value": None, "sample": 0, "source": None}
    reps = acc["reps"]
    if not reps or reps[0]["accuracy_within_10"] is None:
        return {"value": None, "sample": 0, "source": "forecast snapshots"}
    return {"value": reps[0]["accuracy_within_10"], "sample": reps[0]["completed_periods"],
            "source": "crm.forecast.accuracy: completed periods within 10% of what closed",
            "tendency": reps[0].get("tendency")}


# -- 3. focus areas ------------------------------------------------------------------------------
def _q(e: dict) -> str:
    at = f" at {clock(e['start'])}" if e.get("start") is not None else ""
    quote = f": \"{e['quote']}\"" if e.get("quote") else ""
    return f"{e['call']} ({e['date']}){at}{quote}"


def _peers(all_obs: list[dict], rep: str, signal: str, polarity: str) -> list[dict]:
    """Other reps with a stable (active observation) strength or gap on `signal`, the best-proven first
    (most calls, then highest share, then name)."""
    out = [o for o in all_obs if o["scope"] == "rep" and o["rep"] != rep and o["signal"] == signal
           and o["polarity"] == polarity]
    return sorted(out, key=lambda o: (-(o.get("proof_count") or 0), -(o.get("share") or 0), o["rep"] or ""))


def _largest_open_deal(deals: list, as_of: date):
    opens = [d for d in deals if (st := _state(d, as_of)) is not None and P.is_open(st)]
    if not opens:
        return None
    return max(opens, key=lambda d: (d.value()[0] or 0.0, d.id))


def _signal_for(comp: dict, cfg: dict, need_gap: bool = True) -> dict | None:
    beh = cfg["behaviours"]
    cands = [s for s in comp["signals"] if s["signal"] in beh and s["applicable_calls"]
             and (s["gap_calls"] or not need_gap)]
    if not cands:
        return None
    return min(cands, key=lambda s: (s["score"], -s["gap_calls"]))


def _recurring_gap(comp: dict, cfg: dict, min_calls: int) -> dict | None:
    """The competency's signal that was a gap in every call where it applied (at least `min_calls` of them)."""
    if not min_calls:
        return None
    return _signal_for({"signals": [s for s in comp["signals"] if s["gap_calls"] >= min_calls and not s["strength_calls"]]},
                       cfg)


def _milestone(signal: str, cfg: dict, b: dict | None = None) -> dict:
    b = b or cfg["behaviours"][signal]
    name = signal.replace("_", " ")
    return {"text": f"{name} rated strength in at least {b['threshold']} of the next {b['min_calls']} calls where it "
                    f"applies", "signal": signal, "metric": "strength_calls", "threshold": b["threshold"],
            "min_calls": b["min_calls"]}


def _focus_from_signal(ctx, comp, sig, cfg, deals, all_obs, as_of, kind="gap") -> dict:
    beh = cfg["behaviours"][sig["signal"]]
    adv = (cfg.get("advanced_behaviours") or {}).get(comp["id"]) if kind == "advanced" else None
    if adv:
        sig = next((s for s in comp["signals"] if s["signal"] == adv["signal"]), sig)
        beh = adv
    name = sig["signal"].replace("_", " ")
    gaps, goods = sig["gap_evidence"], sig["strength_evidence"]
    if kind == "gap":
        summary = (f"{name}: gap in {sig['gap_calls']} of {sig['applicable_calls']} applicable call(s), strength in "
                   f"{sig['strength_calls']}")
    else:
        summary = (f"already at level {comp['level']} in {comp['label'].lower()}; {name}: strength in "
                   f"{sig['strength_calls']} of {sig['applicable_calls']} call(s)")
    actions = []
    if gaps:
        actions.append("Call review: listen together to " + "; ".join(_q(e) for e in gaps[:2])
                       + ". Ask what the rep would do differently at that moment before suggesting anything.")
    if goods and kind != "gap":
        actions.append(f"Reference call to build on: {_q(goods[0])}.")
    elif goods and sig["diagnosis"]["kind"] == "will":
        actions.append(f"Contrast with the rep's own good example: {_q(goods[0])}.")
    actions.append("Role-play: " + beh["role_play"])
    peers = _peers(all_obs, ctx.name, sig["signal"], "strength")
    shadow = None
    if peers:
        p = peers[0]
        ev = (p.get("evidence") or [{}])[0]
        at = f" at {clock(ev.get('start'))}" if ev.get("start") is not None else ""
        shadow = {"rep": p["rep"], "call": ev.get("call_key", ev.get("call")), "start": ev.get("start"),
                  "quote": ev.get("quote")}
        actions.append(f"Shadowing: sit in on {p['rep']}'s next call ({name} is a stable strength of theirs, "
                       f"{p['proof_count']} calls); before that, listen to their call {shadow['call']}{at}.")
    deal = None
    if comp["id"] in DEAL_FACING:
        d = _largest_open_deal(deals, as_of)
        if d is not None:
            deal = {"deal": d.external_id, "name": d.name, "account": d.account, "stage": d.stage}
            actions.append(f"Deal prep: before the next meeting on {d.name or d.external_id} ({d.account or 'no account'}, "
                           f"{d.stage}), {DEAL_PREP[comp['id']]}.")
    if kind == "advanced":
        mine = [o for o in all_obs if o["scope"] == "rep" and o["rep"] == ctx.name and o["polarity"] == "strength"]
        # the strength the most other reps have as a stable gap: where peer coaching helps most
        mine.sort(key=lambda o: -len(_peers(all_obs, ctx.name, o["signal"], "gap")))
        for o in mine[:1]:
            learners = [x["rep"] for x in _peers(all_obs, ctx.name, o["signal"], "gap")]
            ev = (o.get("evidence") or [{}])[0]
            at = f" at {clock(ev.get('start'))}" if ev.get("start") is not None else ""
            who = ", ".join(learners[:3]) if learners else "a rep who is still developing it"
            actions.append(f"Peer coaching: lead a review of your call {ev.get('call_key', ev.get('call'))}{at} on "
                           f"{o['signal'].replace('_', ' ')} with {who}.")
    return {"skill": comp["id"], "label": comp["label"], "kind": kind, "signal": sig["signal"],
            "level": comp["level"], "target_level": comp["target"], "confidence": comp["confidence"],
            "current_behavior": {"summary": summary, "diagnosis": sig["diagnosis"]["kind"],
                                 "diagnosis_why": sig["diagnosis"]["why"],
                                 "applicable_calls": sig["applicable_calls"], "gap_calls": sig["gap_calls"],
                                 "strength_calls": sig["strength_calls"],
                                 "evidence": gaps[:3] if kind == "gap" else goods[:3]},
            "target_behavior": beh["target"], "actions": actions,
            "review_calls": [e["call"] for e in gaps[:2]], "shadow": shadow, "deal": deal,
            "milestone": _milestone(sig["signal"], cfg, adv),
            "target_date": (as_of + timedelta(weeks=cfg["focus"]["target_weeks"])).isoformat()}


def _focus_from_crm(comp, fig, cfg, deals, as_of) -> dict:
    b = cfg["crm_behaviours"][fig["figure"]]
    name = fig["figure"].replace("_", " ")
    actions = []
    d = _largest_open_deal(deals, as_of)
    deal = None
    if comp["id"] == "forecast_accuracy":
        actions.append("Forecast review: for each deal in commit, name the evidence that it closes this period "
                       "(economic buyer, decision process, dated next step) and move the rest to best case.")
    else:
        actions.append("Loss debrief: go through the last lost deals and classify each as qualification, execution "
                       "or competition.")
    if d is not None:
        deal = {"deal": d.external_id, "name": d.name, "account": d.account, "stage": d.stage}
        actions.append(f"Deal prep: walk through {d.name or d.external_id} ({d.account or 'no account'}, {d.stage}) "
                       "and agree what has to be true for it to close.")
    if b["metric"] == "win_rate":
        text = f"win rate of at least {b['threshold']:.0%} over the next {b['min_calls']} deals closed"
    else:
        text = "the next completed forecast period within 10% of what closed"
    return {"skill": comp["id"], "label": comp["label"], "kind": "gap", "signal": None, "level": comp["level"],
            "target_level": comp["target"], "confidence": comp["confidence"],
            "current_behavior": {"summary": f"{name} {fig['value']:.0%} over {fig['sample']} (CRM)",
                                 "diagnosis": "unknown",
                                 "diagnosis_why": "a CRM figure alone does not tell skill from will",
                                 "evidence": [{"crm_field": fig["figure"], "value": fig["value"], "sample": fig["sample"],
                                               "source": fig["source"]}]},
            "target_behavior": b["target"], "actions": actions, "review_calls": [], "shadow": None, "deal": deal,
            "milestone": {"text": text, "signal": None, "metric": b["metric"], "threshold": b["threshold"],
                          "min_calls": b["min_calls"]},
            "target_date": (as_of + timedelta(weeks=cfg["focus"]["target_weeks"])).isoformat()}


def choose_focus(ctx, assessment, cfg, deals, all_obs, as_of) -> tuple[list[dict], str]:
    """(focus areas, plan kind normal | intensive | advanced | ramp | no_evidence)."""
    fc = cfg["focus"]
    known = [a for a in assessment if a["level"] != "unknown"]
    if not known:
        return [], "ramp" if not ctx.calls and not deals else "no_evidence"
    cands = []
    for i, a in enumerate(known):
        if a["level"] > fc["max_level"]:
            # a habit, not a level: a gap in every call where the signal applies (at least recurring_gap_min_calls)
            # keeps the competency a candidate ("asks twelve situation questions every discovery call" is still
            # the thing to coach when the rest of discovery is good)
            sig, crm = _recurring_gap(a, cfg, fc.get("recurring_gap_min_calls", 0)), None
        else:
            sig = _signal_for(a, cfg)
            crm = next((c for c in a["crm"] if c["used"] and c["score"] <= fc["max_level"]
                        and c["figure"] in cfg["crm_behaviours"]), None)
        if sig is None and crm is None:
            continue
        lev = (5 - a["level"]) * a["weight"] * fc["confidence_factor"].get(a["confidence"], 0)
        cands.append((-lev, i, a, sig, crm))
    cands.sort(key=lambda t: (t[0], t[1]))
    areas = []
    for neg, _, a, sig, crm in cands[:fc["max_areas"]]:
        f = (_focus_from_signal(ctx, a, sig, cfg, deals, all_obs, as_of) if sig
             else _focus_from_crm(a, crm, cfg, deals, as_of))
        f["leverage"] = round(-neg, 3)
        areas.append(f)
    struggling = sum(1 for a in known if a["level"] <= fc["struggling_level"]) >= fc["struggling_min"]
    if areas:
        return areas, "intensive" if struggling else "normal"
    if len(known) < fc["advanced_min_known"]:
        return [], "no_evidence"
    # top performer: advanced skills + peer coaching
    by_id = {a["id"]: a for a in known}
    order = [c for c in fc["advanced_order"] if c in by_id]
    pick = next((by_id[c] for c in order if by_id[c]["level"] < 5 and _signal_for(by_id[c], cfg, False)), None) \
        or next((by_id[c] for c in order if _signal_for(by_id[c], cfg, False)), None)
    if pick is None:
        return [], "advanced"
    f = _focus_from_signal(ctx, pick, _signal_for(pick, cfg, False), cfg, deals, all_obs, as_of, kind="advanced")
    f["leverage"] = None
    return [f], "advanced"


# -- 4. follow-up --------------------------------------------------------------------------------
def check_milestone(ms: dict, ctx: RepContext, set_on: date, deals: list | None = None,
                    repo: Repository | None = None) -> dict:
    """One saved milestone against what happened after `set_on` (see the module docstring)."""
    sig = ms.get("signal")
    if sig:
        seen = []
        for c in ctx.calls:
            if c.date <= set_on:
                continue
            v = S.call_verdict(c, sig)
            if v and v["verdict"] in S.APPLICABLE:
                seen.append({"call": c.key, "call_id": c.id, "date": c.date.isoformat(), "verdict": v["verdict"],
                             "start": v["start"], "quote": v["quote"]})
        window = seen[:ms["min_calls"]]
        k = sum(1 for e in window if e["verdict"] == "strength")
        if not seen:
            status = "unknown"
            why = f"no call since {set_on.isoformat()} where {sig.replace('_', ' ')} applies"
        elif k >= ms["threshold"]:
            status, why = "met", f"strength in {k} of {len(window)} call(s) since {set_on.isoformat()}"
        else:
            status = "not yet"
            why = f"strength in {k} of {len(window)} call(s) since {set_on.isoformat()} (needs {ms['threshold']} " \
                  f"of {ms['min_calls']})"
        return {"status": status, "why": why, "calls": window, "applicable_since": len(seen)}
    if ms.get("metric") == "win_rate":
        closed = [d for d in deals or [] if d.close_date and set_on < d.close_date <= ctx.as_of
                  and _state(d, ctx.as_of) in ("won", "lost")]
        if len(closed) < ms["min_calls"]:
            return {"status": "unknown", "why": f"{len(closed)} deal(s) closed since {set_on.isoformat()} "
                                                f"(needs {ms['min_calls']})", "calls": [], "deals": len(closed)}
        wr = sum(1 for d in closed if _state(d, ctx.as_of) == "won") / len(closed)
        return {"status": "met" if wr >= ms["threshold"] else "not yet",
                "why": f"win rate {wr:.0%} over {len(closed)} deals closed since {set_on.isoformat()}", "calls": [],
                "deals": len(closed)}
    if ms.get("metric") == "forecast_within_10" and repo is not None:
        from salescoach.crm.forecast import accuracy
        try:
            acc = accuracy(repo, ctx.name, ctx.as_of)
        except SalescoachError:
            acc = {"reps": []}
        per = [p for r in acc["reps"] for p in r["periods"]
               if p["complete"] and date.fromisoformat(p["snapshot_as_of"]) > set_on]
        if len(per) < ms["min_calls"]:
            return {"status": "unknown", "why": f"no forecast period completed since {set_on.isoformat()}",
                    "calls": []}
        share = sum(1 for p in per if p["within_10"]) / len(per)
        return {"status": "met" if share >= ms["threshold"] else "not yet",
                "why": f"{sum(1 for p in per if p['within_10'])} of {len(per)} period(s) within 10%", "calls": []}
    return {"status": "unknown", "why": "this milestone cannot be checked in the data", "calls": []}


def follow_up(repo: Repository, ctx: RepContext, deals: list) -> dict | None:
    saved = active_plan(repo, ctx.name)
    if saved is None:
        return None
    set_on = date.fromisoformat(saved["set_on"])
    if set_on > ctx.as_of:
        return None
    items = []
    for f in saved.get("focus_areas") or []:
        ms = f.get("milestone") or {}
        res = check_milestone(ms, ctx, set_on, deals, repo)
        items.append({"skill": f.get("skill"), "signal": ms.get("signal"), "milestone": ms.get("text"),
                      "target_date": f.get("target_date"), **res})
    return {"plan_id": saved["id"], "set_on": saved["set_on"], "milestones": items}


def _qualified_figure(repo: Repository, deals: list, as_of: date, cfg: dict) -> dict:
    """Share of the rep's open deals (on `as_of`) with calls on record whose calls evidence at least
    `min_elements` MEDDPICC elements (crm.evidence.gather: calls linked to the deal, else the account's
    calls the owner sold on); deals without calls are left out (nothing to judge), not counted as gaps."""
    from salescoach.crm import parse as P
    from salescoach.crm.evidence import MEDDPICC, gather

    rule = cfg["crm_scales"]["open_deals_qualified"]
    open_ = [d for d in deals if (st := _state(d, as_of)) and P.is_open(st)]
    src = "open CRM deals with calls on record: MEDDPICC elements evidenced on their calls"
    if not open_:
        return {"value": None, "sample": 0, "source": src}
    with repo.session() as s:
        evs = gather(s, open_, with_segments=False)
    judged = [(d, sum(1 for k in MEDDPICC if k in evs[d.id].elements)) for d in open_ if evs[d.id].has_calls]
    if not judged:
        return {"value": None, "sample": 0, "source": src}
    ok = sum(1 for _, n in judged if n >= rule["min_elements"])
    return {"value": ok / len(judged), "sample": len(judged),
            "source": src + " (" + ", ".join(f"{d.external_id}: {n}" for d, n in judged) + f"; {rule['min_elements']}+ "
                      "counts as qualified)"}


# -- the plan ------------------------------------------------------------------------------------
def build_plan(repo: Repository, rep: str, as_of: date | None = None, ctx: RepContext | None = None) -> dict:
    """The rep's coaching plan as of `as_of` (see the module docstring). `ctx`: the rep's facts when the
    caller already read them for the same day (the 1:1 agenda does)."""
    from salescoach.crm.stats import load_deals
    from salescoach.memory import observations

    cfg = S.settings()
    as_of = as_of or date.today()
    if ctx is None or ctx.as_of != as_of:
        ctx = rep_context(repo, rep, as_of)
    deals = [d for d in load_deals(repo, [ctx.rep_id]) if _state(d, as_of) is not None]
    perf = performance(ctx, deals, as_of)
    wr = perf["win_rate"]
    figures = {"win_rate": {"value": wr["value"] if wr["value"] != "unknown" else None, "sample": wr["sample"],
                            "source": wr["source"]},
               "forecast_within_10": _forecast_figure(repo, ctx.name, as_of),
               "open_deals_qualified": _qualified_figure(repo, deals, as_of, cfg)}
    assessment = S.assess(ctx, figures, cfg)
    all_obs = _with_call_keys(repo, observations(repo))
    areas, kind = choose_focus(ctx, assessment, cfg, deals, all_obs, as_of)
    plan = {"rep": ctx.name, "as_of": as_of.isoformat(), "kind": kind,
            "history": {"calls": len(ctx.calls), "first_call": ctx.calls[0].date.isoformat() if ctx.calls else None,
                        "last_call": ctx.calls[-1].date.isoformat() if ctx.calls else None, "deals": len(deals),
                        "profile": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in ctx.profile.items()}},
            "performance": perf, "skills": assessment, "focus_areas": areas,
            "cadence": cfg["cadence"]["normal" if kind in ("normal", "no_evidence") else kind],
            "notes": _notes(kind, ctx, deals, assessment, cfg, as_of)}
    if kind in ("ramp", "no_evidence") or not ctx.calls or not deals:
        plan["data_needed"] = _data_needed(ctx, deals, figures)
    plan["follow_up"] = follow_up(repo, ctx, deals)
    return plan


def _with_call_keys(repo: Repository, obs: list[dict]) -> list[dict]:
    """Observation evidence names calls by id: add each call's key (`call_key`) for the plan's text."""
    ids = {e.get("call") for o in obs for e in o.get("evidence") or [] if isinstance(e.get("call"), int)}
    if not ids:
        return obs
    with repo.session() as s:
        keys = dict(s.execute(select(m.Call.id, m.Call.call_key).where(m.Call.id.in_(ids))).all())
    for o in obs:
        for e in o.get("evidence") or []:
            e["call_key"] = keys.get(e.get("call"), e.get("call"))
    return obs


def _data_needed(ctx, deals, figures) -> list[str]:
    need = []
    if not ctx.calls:
        need.append("the rep's recorded calls (salescoach ingest PATH --rep NAME): every skill is scored from them")
    if not deals:
        need.append("CRM deals owned by the rep (salescoach crm import FILE): quota attainment, win rate, deal size, "
                    "cycle length and pipeline coverage come from them")
    if not ctx.quotas:
        need.append("a quota (salescoach quota set --rep NAME --period YEAR --amount N) for attainment and coverage")
    if figures["forecast_within_10"]["value"] is None:
        need.append("forecast snapshots at the start of each period (salescoach forecast snapshot) for forecast "
                    "accuracy")
    return need


def _notes(kind, ctx, deals, assessment, cfg, as_of) -> list[str]:
    fc = cfg["focus"]
    if kind == "ramp":
        start = ctx.profile.get("start_date") or as_of
        return [f"{ctx.name} has no calls and no CRM deals yet, so every figure and skill level is unknown.",
                "Start with a ramp plan instead of a skills plan: salescoach ramp --rep \"" + ctx.name + "\" --start "
                + (start.isoformat() if isinstance(start, date) else str(start))
                + " (30/60/90-day milestones: shadow top performers' calls, run discovery calls with a manager "
                  "debrief, build qualified pipeline, close a first deal).",
                "Re-run the plan once a handful of calls are stored; the first skill levels appear with low "
                "confidence and firm up from six calls per skill."]
    notes = []
    if kind == "intensive":
        n = sum(1 for a in assessment if a["level"] != "unknown" and a["level"] <= fc["struggling_level"])
        notes.append(f"{n} competencies are at level {fc['struggling_level']} or below. The plan still works on three "
                     "things only, with an intensive cadence: daily check-ins, two call reviews a week, and clear "
                     "success criteria with the target dates below.")
    if kind == "advanced":
        notes.append("No competency is at level 3 or below with gap evidence: the focus moves to advanced skills and "
                     "to coaching peers on the rep's strengths.")
    if kind == "no_evidence":
        known = [a["label"].lower() for a in assessment if a["level"] != "unknown"]
        notes.append((f"Only {len(known)} competency(ies) can be scored from the data ({', '.join(known)})" if known
                      else "No competency can be scored from the data yet")
                     + f"; no focus area is set until at least {fc['advanced_min_known']} can be, which needs the "
                       "rep's discovery and demo calls stored.")
    if ctx.calls and not deals:
        notes.append("The rep has calls but no CRM deals: performance figures are unknown and the skills come from "
                     "the calls alone.")
    return notes


# -- saved plans ---------------------------------------------------------------------------------
def save_plan(repo: Repository, plan: dict) -> int:
    """Store the plan as the rep's active plan (older active plans become superseded); returns its id."""
    content = {k: v for k, v in plan.items() if k != "follow_up"}
    set_on = date.fromisoformat(plan["as_of"])
    with repo.session() as s:
        r = find_rep_or_fail(repo, s, plan["rep"])
        for old in s.scalars(select(m.CoachingPlan).where(m.CoachingPlan.rep_id == r.id,
                                                          m.CoachingPlan.status == "active")):
            old.status = "superseded"
        row = m.CoachingPlan(rep_id=r.id, set_on=set_on, status="active", content=content)
        s.add(row)
        s.flush()
        return row.id


def active_plan(repo: Repository, rep: str) -> dict | None:
    """The rep's active saved plan: its content plus id and set_on (ISO), or None."""
    with repo.session() as s:
        r = find_rep_or_fail(repo, s, rep)
        row = s.scalars(select(m.CoachingPlan).where(m.CoachingPlan.rep_id == r.id, m.CoachingPlan.status == "active")
                        .order_by(m.CoachingPlan.set_on.desc(), m.CoachingPlan.id.desc())).first()
        if row is None:
            return None
        return {**row.content, "id": row.id, "set_on": row.set_on.isoformat()}


# -- Markdown ------------------------------------------------------------------------------------
def _fmt_fig(key: str, f: dict) -> str:
    v = f["value"]
    if v == "unknown":
        return f"unknown — {f.get('note')}"
    if v == "met":
        return f"quota met ({f.get('note')}); open pipeline {f['open_value']:,.0f}"
    if key in ("quota_attainment", "win_rate"):
        s = f"{v:.0%}"
    elif key == "avg_deal_size":
        s = f"{v:,.0f}"
    elif key == "cycle_days":
        s = f"{v:g} days"
    else:
        s = f"{v:g}:1 (open {f['open_value']:,.0f} / remaining {f['remaining_quota']:,.0f})"
    return f"{s} (n={f['sample']}; {f['source']})"


def render_md(plan: dict) -> str:
    L = [f"# Coaching Plan: {plan['rep']}", "", f"As of {plan['as_of']} · {plan['history']['calls']} call(s), "
         f"{plan['history']['deals']} CRM deal(s) · plan type: {plan['kind']}", ""]
    for n in plan["notes"]:
        L.append(f"> {n}")
    if plan["notes"]:
        L.append("")
    p = plan["performance"]
    L += ["## Current Performance", ""]
    for key, label in (("quota_attainment", "Quota attainment (YTD)"), ("win_rate", "Win rate"),
                       ("avg_deal_size", "Average deal size"), ("cycle_days", "Sales cycle length"),
                       ("pipeline_coverage", "Pipeline coverage")):
        L.append(f"- **{label}**: {_fmt_fig(key, p[key])}")
    L += ["", "## Skill Assessment", "", "| Competency | Current | Target | Gap | Confidence | Basis |",
          "|---|---|---|---|---|---|"]
    for a in plan["skills"]:
        L.append(f"| {a['label']} | {a['level']} | {a['target']} | {a['gap']} | {a['confidence']} | "
                 f"{a['explanation'].replace('|', '/')} |")
    L.append("")
    for a in plan["skills"]:
        ev = [(s["signal"], e) for s in a["signals"] for e in s["gap_evidence"][:1] + s["strength_evidence"][:1]]
        if ev:
            L.append(f"- {a['label']}: " + "; ".join(f"{sig.replace('_', ' ')} {e['verdict']} in {_q(e)}"
                                                   for sig, e in ev[:3]))
        for o in a.get("observations") or []:
            L.append(f"  - Stable {o['polarity']} (memory bank observation): {o['statement']}")
    L += ["", "## Focus Areas (max 3)", ""]
    if not plan["focus_areas"]:
        L.append("No focus area can be set from the data yet (see Data Needed)." if plan["kind"] != "advanced" else
                 "No focus area: no competency with a call signal to work on below level 5.")
        L.append("")
    for i, f in enumerate(plan["focus_areas"], 1):
        cb = f["current_behavior"]
        L += [f"### Focus {i}: {f['label']}" + (f" — {f['signal'].replace('_', ' ')}" if f["signal"] else "")
              + (" (advanced)" if f["kind"] == "advanced" else ""), "",
              f"- **Level**: {f['level']} → {f['target_level']} (confidence {f['confidence']})",
              f"- **Current behavior**: {cb['summary']}. Diagnosis: {cb['diagnosis']} — {cb['diagnosis_why']}."]
        for e in cb["evidence"]:
            L.append(f"  - {_q(e)}" if "call" in e else f"  - CRM {e['crm_field']}: {e['value']} (n={e['sample']})")
        L += [f"- **Target behavior**: {f['target_behavior']}", "- **Coaching actions**:"]
        L += [f"  - {a}" for a in f["actions"]]
        L += [f"- **Milestone**: {f['milestone']['text']}", f"- **Target date**: {f['target_date']}", ""]
    c = plan["cadence"]
    L += ["## Coaching Cadence", "", f"- **Weekly 1:1**: {c['weekly_1on1']}", f"- **Call reviews**: {c['call_reviews']}",
          f"- **Deal prep sessions**: {c['deal_prep']}", f"- **Debrief sessions**: {c['debriefs']}", ""]
    if plan.get("data_needed"):
        L += ["## Data Needed", ""] + [f"- {d}" for d in plan["data_needed"]] + [""]
    fu = plan.get("follow_up")
    if fu:
        L += ["## Follow-up", "", f"Saved plan #{fu['plan_id']} set on {fu['set_on']}:", ""]
        for x in fu["milestones"]:
            L.append(f"- **{x['status']}** — {x['milestone']} ({x['why']})")
            for e in x["calls"]:
                at = f" at {clock(e['start'])}" if e.get("start") is not None else ""
                L.append(f"  - {e['call']} ({e['date']}): {e['verdict']}{at}"
                         + (f" — \"{e['quote']}\"" if e.get("quote") else ""))
        L.append("")
    return "\n".join(L)
