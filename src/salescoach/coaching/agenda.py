"""Weekly 1:1 agenda (`salescoach agenda --rep NAME [--week DATE]`), generated from the data and saved.

The agenda is for the week (Monday to Sunday) containing `--week` (default today). It is prepared as
of the end of the previous week: "last week" is the seven days before that Monday, and deal states
are read on the Sunday before it (`crm.stats.state_on`). Settings: `frameworks/programme.json` "agenda".

Sections:
1. **Last week's metrics**: calls, discovery calls, mean rep talk share (quality finding
   `rep_talk_share`), business questions (situation + problem + implication + need-payoff questions),
   next steps secured (calls whose `next_steps` verdict is a strength, of the calls where it applies);
   from the CRM stage history: deals created (created date in the week), advanced (a stage change in
   the week to a later open stage), won and lost (a change to won / lost in the week, else the close
   date for deals without history), and the pipeline value change (open value at the end of the week
   minus open value at its start; a deal's value is its current amount, else its product's list price;
   a deal created before its first recorded stage change counts as open until then).
   No CRM deals in the store: the deal figures are unknown.
2. **Coaching topic**: the first focus area of the rep's active coaching plan
   (`coaching.plan.active_plan`), else of a plan built now (`coaching.plan.build_plan`, not saved),
   else the rep's top gap observation (ordered by `coaching.json` leverage_order, then share of calls);
   else unknown.
3. **Calls to review together** (for the topic's signal, the rep's calls in the `review_window_weeks`
   weeks before the Monday): the clearest gap example = the call with a gap verdict whose value is
   furthest on the wrong side (the signal's direction from the coaching-themes metrics; ties: the most
   recent), and the clearest good example = the strength call with the best value (ties: the most
   recent). When the rep has no strength call in the window, the best strength call of a teammate in
   the window is offered as the good example (marked `teammate`). Each with its start time and quote.
4. **Deals to discuss**: the rep's open deals ranked by the pipeline-review risk score
   (`crm.review.inspect_deal`: sum of warning weights), then value; the first `deals_to_discuss`, each
   with its warnings and the question for its heaviest warning (`deal_questions`).
5. **Action items for this week**, each with a check the next agenda runs:
   `signal_strength` (a strength verdict on the signal on at least `min` calls in the week),
   `deal_next_step` (the deal's CRM next step is dated on or after the week's Monday, or a call on the
   deal in the week ends with a committed, dated next step), `deal_close_date` (the deal's close date
   is on or after the week's Monday, or it is closed), `calls` (at least `min` calls stored in the week).
6. **Last week's action items** (from the agenda saved for the previous week): each re-checked on
   last week's data as met / not met / unknown (unknown: no call in the week where the signal applies,
   the deal is no longer in the store, or it closed), with the evidence. CRM next-step and close-date
   fields are read as they are now (the CRM export keeps no history of them).
Every generated agenda is saved in `coaching_agendas` (one per rep and week, replaced when regenerated).
"""
from __future__ import annotations

import statistics
from datetime import date, timedelta

from sqlalchemy import select

from salescoach.coaching.context import CallFacts, RepContext, rep_context
from salescoach.coaching.ramp import call_ev, crm_loaded, deals_with_evidence
from salescoach.crm import parse as P
from salescoach.crm.evidence import DealEvidence
from salescoach.crm.review import inspect_deal
from salescoach.crm.stats import DealRow, state_on
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.memory.signals import NA
from salescoach.store import models as m
from salescoach.store.models import utcnow
from salescoach.store.repo import Repository

MET, NOT_MET, UNKNOWN = "met", "not met", "unknown"
BUSINESS_Q = ("situation_questions", "problem_questions", "implication_questions", "need_payoff_questions")


def settings() -> dict:
    return load("programme")["agenda"]


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def signal_label(signal: str | None) -> str:
    if not signal:
        return "—"
    sk = load("coaching")["skills"].get(signal) or {}
    return sk.get("label") or signal.replace("_", " ").capitalize()


# -- 1. metrics ----------------------------------------------------------------------------------

def call_metrics(calls: list[CallFacts]) -> dict:
    shares = [c.quality["rep_talk_share"] for c in calls if "rep_talk_share" in c.quality]
    bq = [sum(c.quality.get(k, 0) for k in BUSINESS_Q) for c in calls if any(k in c.quality for k in BUSINESS_Q)]
    ns = [c for c in calls if c.verdict("next_steps") not in (None, NA)]
    return {"calls": len(calls), "discovery_calls": sum(1 for c in calls if c.call_type == "discovery"),
            "mean_rep_talk_share": round(statistics.fmean(shares), 3) if shares else None,
            "business_questions": int(sum(bq)) if bq else None,
            "next_steps_secured": sum(1 for c in ns if c.verdict("next_steps") == "strength"),
            "next_steps_applicable": len(ns)}


def _open_on(d: DealRow, day: date) -> bool:
    """Was the deal open on `day`? Its stage then (state_on); a deal created by then whose recorded history
    starts later was open in a stage the CRM did not record (closing a deal is always a recorded change)."""
    st = state_on(d, day)
    if st is not None:
        return P.is_open(st)
    return bool(d.start and d.start <= day and d.history and d.history[0][0] and d.history[0][0] > day)


def _open_value(deals: list[DealRow], day: date) -> float:
    return sum(d.value()[0] or 0.0 for d in deals if _open_on(d, day))


def deal_metrics(deals: list[DealRow], start: date, end: date) -> dict:
    """Deal movements with dates in [start, end)."""
    created, advanced, won, lost = [], [], [], []
    orders = P.stage_orders()
    for d in deals:
        if d.created_date and start <= d.created_date < end:
            created.append(d.external_id)
        moved = [(w, a, b) for w, a, b in d.history if w and start <= w < end]
        if any(P.is_open(b) and a and P.is_open(a) and orders.get(b, 0) > orders.get(a, 0) for _, a, b in moved):
            advanced.append(d.external_id)
        for target, bucket in (("won", won), ("lost", lost)):
            if any(b == target for _, _, b in moved) or (
                    d.stage == target and not any(b == target for _, _, b in d.history)
                    and d.close_date and start <= d.close_date < end):
                bucket.append(d.external_id)
    before, after = _open_value(deals, start - timedelta(days=1)), _open_value(deals, end - timedelta(days=1))
    return {"created": created, "advanced": advanced, "won": won, "lost": lost,
            "open_value_start": round(before, 2), "open_value_end": round(after, 2),
            "pipeline_value_change": round(after - before, 2)}


# -- 2. topic ------------------------------------------------------------------------------------

def coaching_topic(repo: Repository, ctx: RepContext, day: date) -> dict:
    from salescoach.coaching import plan as plan_mod
    plan, source = plan_mod.active_plan(repo, ctx.name), "active coaching plan"
    if not plan or not plan.get("focus_areas"):
        try:
            plan, source = plan_mod.build_plan(repo, ctx.name, as_of=day, ctx=ctx), "coaching plan built for this agenda"
        except SalescoachError:
            plan = None
    if plan and plan.get("focus_areas"):
        fa = plan["focus_areas"][0]
        ms = fa.get("milestone") or {}
        return {"source": source, "plan_id": plan.get("id"), "plan_set_on": plan.get("set_on"),
                "skill": fa.get("skill"), "signal": fa.get("signal") or ms.get("signal"),
                "text": fa.get("target_behavior") or ms.get("text") or fa.get("skill"),
                "current_behavior": fa.get("current_behavior"), "milestone": ms or None,
                "target_date": fa.get("target_date")}
    order = load("coaching")["leverage_order"]
    gaps = [o for o in ctx.observations if o["polarity"] == "gap"]
    if gaps:
        gaps.sort(key=lambda o: (order.index(o["signal"]) if o["signal"] in order else len(order), -(o["share"] or 0)))
        o = gaps[0]
        return {"source": "top gap observation", "plan_id": None, "skill": None, "signal": o["signal"],
                "text": o["statement"], "current_behavior": {"evidence": o["evidence"][:2]}, "milestone": None,
                "target_date": None}
    return {"source": None, "status": UNKNOWN, "signal": None, "skill": None,
            "text": "no coaching plan and no recurring gap yet: a topic needs a saved plan (salescoach plan) or the "
                    "same gap on at least two of the rep's calls"}


# -- 3. calls to review --------------------------------------------------------------------------

def _better(signal: str) -> str:
    spec = load("mental_models")["themes"]["metrics"].get(signal) or {}
    return spec.get("better", "higher")


def _pick(rows: list, signal: str, want_best: bool):
    """The clearest example: best (strength) or worst (gap) value by the signal's direction; ties latest."""
    hi = _better(signal) == "higher"

    def k(r):
        v = r["value"] if r["value"] is not None else (float("-inf") if hi == want_best else float("inf"))
        return ((v if hi else -v) if want_best else (-v if hi else v), r["date"], r["call"])
    return max(rows, key=k) if rows else None


def calls_to_review(repo: Repository, ctx: RepContext, signal: str | None, start: date, end: date) -> dict:
    if not signal:
        return {"status": UNKNOWN, "calls": [], "text": "the coaching topic has no call signal, so no call can show "
                "it; review a deal together instead"}
    rows = []
    for c in ctx.calls_between(start, end):
        v = c.verdicts.get(signal)
        if v and v["verdict"] in ("gap", "strength"):
            rows.append({"call": c.id, "key": c.key, "date": c.date.isoformat(), "verdict": v["verdict"],
                         "value": v["value"], "finding": v["text"], "start": v["start"], "quote": v["quote"],
                         "rep": ctx.name})
    gap = _pick([r for r in rows if r["verdict"] == "gap"], signal, False)
    good = _pick([r for r in rows if r["verdict"] == "strength"], signal, True)
    if good is None:
        good = _teammate_example(repo, ctx, signal, start, end)
    picked = []
    if gap:
        picked.append({**gap, "why": "the clearest gap on this topic in the window (worst value)"})
    if good:
        picked.append({**good, "why": "the clearest good example in the window (best value)" +
                       (f", from teammate {good['rep']}" if good.get("teammate") else "")})
    if not picked:
        return {"status": UNKNOWN, "calls": [], "text": f"no call between {start.isoformat()} and "
                f"{(end - timedelta(days=1)).isoformat()} was judged on {signal_label(signal).lower()}"}
    return {"status": "ok", "calls": picked, "window": [start.isoformat(), (end - timedelta(days=1)).isoformat()]}


def _teammate_example(repo: Repository, ctx: RepContext, signal: str, start: date, end: date) -> dict | None:
    from datetime import datetime
    with repo.session() as s:
        q = (select(m.Finding.call_id, m.Finding.value, m.Finding.text, m.Finding.start, m.Finding.quote,
                    m.Finding.occurred_at, m.Call.call_key, m.Rep.name)
             .join(m.Call, m.Call.id == m.Finding.call_id).join(m.CallRep, m.CallRep.call_id == m.Call.id)
             .join(m.Rep, m.Rep.id == m.CallRep.rep_id)
             .where(m.Finding.kind == "coaching", m.Finding.signal == signal, m.Finding.verdict == "strength",
                    m.Finding.occurred_at >= datetime.combine(start, datetime.min.time()),
                    m.Finding.occurred_at < datetime.combine(end, datetime.min.time()), m.CallRep.rep_id != ctx.rep_id))
        rows = [{"call": cid, "key": key, "date": when.date().isoformat(), "verdict": "strength", "value": val,
                 "finding": text, "start": st, "quote": quote, "rep": rep, "teammate": True}
                for cid, val, text, st, quote, when, key, rep in s.execute(q)]
    return _pick(rows, signal, True)


# -- 4. deals ------------------------------------------------------------------------------------

def deals_to_discuss(deals: list[DealRow], evs: dict, day: date, crm: bool) -> dict:
    if not crm:
        return {"status": UNKNOWN, "deals": [], "text": "the store holds no CRM deals: import the CRM export to "
                "discuss deals from data"}
    cfg_r = load("crm")["review"]
    qs = settings()["deal_questions"]
    rows = []
    for d in deals:
        st = state_on(d, day)
        if st is None or not P.is_open(st):
            continue
        insp = inspect_deal(d, st, evs.get(d.id, DealEvidence()), day, cfg_r)
        rows.append((d, st, insp, d.value()[0] or 0.0))
    if not rows:
        return {"status": "ok", "deals": [], "text": "the rep has no open deal"}
    rows.sort(key=lambda r: (-r[2]["score"], -r[3], r[0].external_id))
    out = []
    for d, st, insp, v in rows[:int(settings()["deals_to_discuss"])]:
        top = insp["warnings"][0] if insp["warnings"] else None
        out.append({"deal": d.external_id, "name": d.name, "account": d.account, "stage": st, "value": round(v, 2),
                    "risk": insp["risk"], "score": insp["score"],
                    "warnings": [{"code": w["code"], "weight": w["weight"], "message": w["message"]}
                                 for w in insp["warnings"]],
                    "question": qs.get(top["code"]) if top else "What is the next step that most reduces risk?",
                    "next_step": {"text": d.next_step, "date": d.next_step_date.isoformat() if d.next_step_date
                                  else None, "field": "crm next_step"} if d.next_step else None})
    return {"status": "ok", "deals": out, "open_deals": len(rows),
            "rule": "ranked by the pipeline-review risk score (sum of warning weights), then value"}


# -- 5. action items -----------------------------------------------------------------------------

def action_items(topic: dict, deals: dict, week_calls: int, ws: date) -> list[dict]:
    items = []
    sig = topic.get("signal")
    if sig:
        items.append({"id": f"signal:{sig}", "text": f"Practise {signal_label(sig).lower()} on this week's calls" +
                      (f": {topic['text']}" if topic.get("text") else ""),
                      "criterion": f"a {signal_label(sig).lower()} strength verdict on at least one call dated "
                                   f"{ws.isoformat()} to {(ws + timedelta(days=6)).isoformat()}",
                      "check": {"kind": "signal_strength", "signal": sig, "min": 1}})
    for d in deals.get("deals", []):
        codes = {w["code"] for w in d["warnings"]}
        if codes & {"no_next_step", "no_recent_activity", "stalled_in_stage", "buyer_gone_quiet"}:
            items.append({"id": f"deal_next_step:{d['deal']}", "text": f"Agree a dated next step on {d['deal']}"
                          + (f" ({d['name']})" if d.get("name") else ""),
                          "criterion": f"{d['deal']} has a CRM next step dated {ws.isoformat()} or later, or a call on "
                                       "it this week ends with a committed, dated next step",
                          "check": {"kind": "deal_next_step", "deal": d["deal"]}})
        if "close_date_passed" in codes:
            items.append({"id": f"deal_close_date:{d['deal']}", "text": f"Re-date or close {d['deal']}",
                          "criterion": f"{d['deal']}'s close date is {ws.isoformat()} or later, or the deal is closed",
                          "check": {"kind": "deal_close_date", "deal": d["deal"]}})
    if week_calls == 0:
        items.append({"id": "calls", "text": "Record at least one customer call this week so it can be reviewed",
                      "criterion": "at least one call stored with a date in the week",
                      "check": {"kind": "calls", "min": 1}})
    return items[:5]


def check_item(item: dict, calls: list[CallFacts], deals: list[DealRow], evs: dict, ws: date, end: date) -> dict:
    """Outcome of one action item over the week [ws, end)."""
    ck = item.get("check") or {}
    kind = ck.get("kind")
    if kind == "signal_strength":
        sig = ck["signal"]
        app = [c for c in calls if c.verdict(sig) not in (None, NA)]
        good = [c for c in app if c.verdict(sig) == "strength"]
        ev = [call_ev(c, c.verdicts[sig]["start"], c.verdicts[sig]["quote"]) | {"verdict": c.verdict(sig)}
              for c in (good or app)][:3]
        if not app:
            return {"status": UNKNOWN, "evidence": [], "text": f"no call in the week where "
                    f"{signal_label(sig).lower()} applies ({len(calls)} call(s) stored)"}
        ok = len(good) >= int(ck.get("min", 1))
        return {"status": MET if ok else NOT_MET, "evidence": ev,
                "text": f"strength on {len(good)} of {len(app)} call(s) where it applies"}
    if kind in ("deal_next_step", "deal_close_date"):
        d = next((x for x in deals if x.external_id == ck["deal"]), None)
        if d is None:
            return {"status": UNKNOWN, "evidence": [], "text": f"deal {ck['deal']} is no longer among the rep's deals"}
        st = state_on(d, end - timedelta(days=1)) or d.stage
        if kind == "deal_close_date":
            if not P.is_open(st):
                return {"status": MET, "evidence": [{"deal": d.external_id, "field": "crm stage", "value": st}],
                        "text": f"the deal is closed ({st})"}
            ok = bool(d.close_date and d.close_date >= ws)
            return {"status": MET if ok else NOT_MET,
                    "evidence": [{"deal": d.external_id, "field": "crm close_date",
                                  "value": d.close_date.isoformat() if d.close_date else None}],
                    "text": f"close date {d.close_date.isoformat() if d.close_date else 'not set'}"}
        if not P.is_open(st):
            return {"status": UNKNOWN, "evidence": [{"deal": d.external_id, "field": "crm stage", "value": st}],
                    "text": f"the deal closed ({st}) before a next step could be checked"}
        if d.next_step and d.next_step_date and d.next_step_date >= ws:
            return {"status": MET, "evidence": [{"deal": d.external_id, "field": "crm next_step",
                                                 "value": d.next_step, "date": d.next_step_date.isoformat()}],
                    "text": f"CRM next step dated {d.next_step_date.isoformat()}"}
        deal_calls = {c["id"] for c in evs.get(d.id, DealEvidence()).calls}
        strong = [c for c in calls if c.id in deal_calls and c.verdict("next_steps") == "strength"]
        if strong:
            c = strong[-1]
            return {"status": MET, "evidence": [call_ev(c, c.verdicts["next_steps"]["start"],
                                                        c.verdicts["next_steps"]["quote"])],
                    "text": f"call {c.key} on {c.date.isoformat()} ended with a committed, dated next step"}
        return {"status": NOT_MET, "evidence": [{"deal": d.external_id, "field": "crm next_step",
                                                 "value": d.next_step, "date": d.next_step_date.isoformat()
                                                 if d.next_step_date else None}],
                "text": "no dated next step in the CRM and no call on the deal this week secured one"}
    if kind == "calls":
        n = len(calls)
        return {"status": MET if n >= int(ck.get("min", 1)) else NOT_MET,
                "evidence": [call_ev(c) for c in calls][:3], "text": f"{n} call(s) stored in the week"}
    return {"status": UNKNOWN, "evidence": [], "text": "this item has no check the data can run"}


# -- the deliverable -----------------------------------------------------------------------------

def _outcome(res: dict) -> dict:
    return {"status": res["status"], "finding": res["text"], "evidence": res["evidence"]}


def saved_agenda(repo: Repository, rep_id: int, ws: date) -> dict | None:
    with repo.session() as s:
        row = s.scalar(select(m.CoachingAgenda).where(m.CoachingAgenda.rep_id == rep_id,
                                                      m.CoachingAgenda.week_start == ws))
        return dict(row.content) if row else None


def save_agenda(repo: Repository, rep_id: int, ws: date, content: dict) -> None:
    with repo.session() as s:
        row = s.scalar(select(m.CoachingAgenda).where(m.CoachingAgenda.rep_id == rep_id,
                                                      m.CoachingAgenda.week_start == ws))
        if row is None:
            s.add(m.CoachingAgenda(rep_id=rep_id, week_start=ws, content=content, created_at=utcnow()))
        else:
            row.content = content
            row.created_at = utcnow()


def agenda(repo: Repository, rep: str, week: date | None = None, save: bool = True,
           ctx: RepContext | None = None, crm: bool | None = None) -> dict:
    """The 1:1 agenda of the week containing `week` (see the module docstring); saved unless save=False."""
    ws = monday(week or date.today())
    day = ws - timedelta(days=1)
    last = ws - timedelta(days=7)
    ctx = ctx or rep_context(repo, rep, day)
    crm = crm_loaded(repo) if crm is None else crm
    deals, evs = deals_with_evidence(repo, [ctx.rep_id]) if crm else ([], {})
    week_calls = ctx.calls_between(last, ws)
    metrics = {"week": [last.isoformat(), day.isoformat()], **call_metrics(week_calls),
               "deals": deal_metrics(deals, last, ws) if crm and deals else None,
               "deals_status": "ok" if crm and deals else UNKNOWN,
               "deals_text": None if crm and deals else (
                   "the rep owns no CRM deal" if crm else "the store holds no CRM deals: import the CRM export")}
    topic = coaching_topic(repo, ctx, day)
    n_weeks = int(settings()["review_window_weeks"])
    review = calls_to_review(repo, ctx, topic.get("signal"), ws - timedelta(weeks=n_weeks), ws)
    discuss = deals_to_discuss(deals, evs, day, crm)
    items = action_items(topic, discuss, len(week_calls), ws)
    prev = saved_agenda(repo, ctx.rep_id, last)
    if prev is None:
        followup = {"status": UNKNOWN, "items": [], "text": f"no agenda was saved for the week of {last.isoformat()}, "
                    "so there are no action items to follow up"}
    else:
        followup = {"status": "ok", "from_week": last.isoformat(), "items": [
            {**{k: it.get(k) for k in ("id", "text", "criterion")}, **_outcome(check_item(it, week_calls, deals, evs,
                                                                                    last, ws))}
            for it in prev.get("action_items", [])]}
        if not followup["items"]:
            followup["text"] = "last week's agenda set no action items"
    out = {"rep": ctx.name, "week_start": ws.isoformat(), "prepared_as_of": day.isoformat(),
           "standing_agenda": settings()["standing_agenda"], "last_week": metrics, "coaching_topic": topic,
           "calls_to_review": review, "deals_to_discuss": discuss, "action_items": items,
           "last_week_action_items": followup}
    if save:
        save_agenda(repo, ctx.rep_id, ws, out)
    return out


# -- Markdown ------------------------------------------------------------------------------------

def _ts(s) -> str:
    if s is None:
        return "untimed"
    s = int(s)
    return f"{s // 60}:{s % 60:02d}"


def _money(x) -> str:
    return "—" if x is None else f"{x:,.0f}"


def render_md(a: dict) -> str:
    lw = a["last_week"]
    out = [f"# 1:1 agenda: {a['rep']} — week of {a['week_start']}", "",
           f"_Prepared from the data up to {a['prepared_as_of']}._", "",
           f"## 1. Last week ({lw['week'][0]} to {lw['week'][1]})", ""]
    talk = "unknown (no timed call last week)" if lw["mean_rep_talk_share"] is None else \
        f"{lw['mean_rep_talk_share']:.0%}"
    bq = "unknown (no analysed questions last week)" if lw["business_questions"] is None else lw["business_questions"]
    out += [f"- Calls: {lw['calls']} ({lw['discovery_calls']} discovery)", f"- Mean rep talk share: {talk}",
            f"- Business questions asked: {bq}",
            f"- Next steps secured: {lw['next_steps_secured']} of {lw['next_steps_applicable']} call(s) where one "
            "was due"]
    if lw["deals"]:
        d = lw["deals"]
        def ids(xs: list) -> str:
            return f"{len(xs)} ({', '.join(xs)})" if xs else "0"
        out += [f"- Deals created: {ids(d['created'])}", f"- Deals advanced: {ids(d['advanced'])}",
                f"- Won / lost: {len(d['won'])} / {len(d['lost'])}",
                f"- Open pipeline: {_money(d['open_value_start'])} -> {_money(d['open_value_end'])} "
                f"({d['pipeline_value_change']:+,.0f})"]
    else:
        out.append(f"- Deals: unknown — {lw['deals_text']}.")
    t = a["coaching_topic"]
    out += ["", "## 2. Coaching topic", ""]
    if t.get("source"):
        out.append(f"**{signal_label(t.get('signal')) if t.get('signal') else t.get('skill')}** "
                   f"(from the {t['source']}): {t.get('text')}")
        if t.get("target_date"):
            out.append(f"Target date: {t['target_date']}.")
    else:
        out.append(f"Unknown: {t['text']}.")
    r = a["calls_to_review"]
    out += ["", "## 3. Calls to review together", ""]
    if not r["calls"]:
        out.append(f"None: {r['text']}.")
    for c in r["calls"]:
        who = f" ({c['rep']})" if c.get("teammate") else ""
        out.append(f"- **{c['verdict']}** — call {c['key']}{who}, {c['date']} at {_ts(c['start'])}: "
                   f"\"{c['quote'] or '(no quote)'}\" — {c['finding']}. Why this one: {c['why']}.")
    dd = a["deals_to_discuss"]
    out += ["", "## 4. Deals to discuss", ""]
    if not dd["deals"]:
        out.append(f"None: {dd.get('text')}." if dd["status"] == "ok" else f"Unknown: {dd['text']}.")
    for d in dd["deals"]:
        out.append(f"- **{d['deal']}** {d['name'] or ''} ({d['account'] or 'no account'}, {d['stage']}, "
                   f"{_money(d['value'])}) — risk {d['risk']} (score {d['score']}): "
                   + "; ".join(w["message"] for w in d["warnings"][:3]))
        out.append(f"  Ask: {d['question']}")
    out += ["", "## 5. Action items for this week", ""]
    if not a["action_items"]:
        out.append("None generated: no topic signal and no deal needing a next step.")
    for it in a["action_items"]:
        out.append(f"- [ ] {it['text']} — done when {it['criterion']}.")
    f = a["last_week_action_items"]
    out += ["", "## 6. Last week's action items", ""]
    if f["status"] != "ok" or not f["items"]:
        out.append(f"{f.get('text', 'None')}.")
    for it in f["items"]:
        out.append(f"- **{it['status']}** — {it['text']}: {it['finding']}.")
        for e in it["evidence"][:2]:
            if e.get("quote"):
                out.append(f"  - call {e['key']} {e['date']} at {_ts(e['start'])}: \"{e['quote']}\"")
            elif e.get("field"):
                out.append(f"  - deal {e['deal']}, {e['field']}: {e.get('value')}"
                           + (f" (dated {e['date']})" if e.get("date") else ""))
    out.append("")
    return "\n".join(out)
