"""Pipeline review of a rep, a manager's team or everyone (`salescoach pipeline review`).

Definitions (thresholds in frameworks/crm.json `review` and `stages`; `as_of` defaults to today):
- open deals: deals whose stage on `as_of` is open (see stats.state_on). Value: the amount, else the
  product's list price (counted in `estimated_deals`).
- weighted pipeline: each open deal's value x its CRM probability, else its stage's default
  probability (`stages.*.probability`).
- coverage = total pipeline / quota (only with --quota); the target is `review.coverage_target` (3:1).
- age: days since the deal started (engage date, else created date); days in stage: since it entered
  its current stage (stage history, else the CRM's stage-change date, else its start).
- stale / stalled in stage: days in stage above the stage's `stall_days`.
- front-loaded: more than `review.front_loaded_share` of the open value sits in the early stages
  (prospecting, qualification, unknown open stages).

Deal warnings (code: weight — what it means):
- close_date_passed: 3 — the close date is before `as_of` and the deal is still open;
- no_recent_activity: 2 — nothing (CRM last activity, call, stage change) for `no_activity_days`;
- buyer_gone_quiet: 2 — calls exist but no buyer has spoken on one for `buyer_quiet_days`, or the
  buyers had under `buyer_quiet_share` of the words on the latest call;
- stalled_in_stage: 2 — days in stage above the stage's `stall_days`;
- no_economic_buyer: 2 from proposal on, else 1 — calls exist and none shows the economic buyer;
- single_threaded: 1 — calls exist and only one buyer ever spoke;
- pricing_never_discussed: 1 — calls exist, the deal is past qualification, and no call talked money;
- competitor_present: 1 — a call shows competition (evidence or a competition objection);
- meddpicc_gaps: 1 — calls exist and MEDDPICC elements have no evidence on any of them (listed);
- no_next_step: 1 — no CRM next step and no committed next step on the latest call;
- no_call_evidence: 1 — no stored call belongs to the deal (the deal questions stay unknown).
Risk: red when the weights add up to 5 or more, yellow from 2, green below.

The six questions per inspected deal are answered from CRM fields and call evidence, else "unknown":
what changed (last `what_changed_days`), who we talk to (single/multi-threaded), business case (pain,
impact, metrics, cost of inaction), decision process (economic buyer, criteria, process, paper
process), biggest risk (the heaviest warning), next step (with date and owner).

Win/loss debrief (closed deals up to `as_of`): a CRM loss reason is read with `loss_reasons`; else
the calls decide: qualification (no pain or no economic buyer was ever found: we should not have
been there), execution (qualified, but the last call had no committed next step), competition
(qualified and executed, a competitor was present); without calls or reason: unknown.
Qualification and execution are controllable; competition and external causes are not.
"""
from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from salescoach.batchgc import no_gc
from salescoach.crm import parse as P
from salescoach.crm.evidence import MEDDPICC, DealEvidence, gather
from salescoach.crm.stats import DealRow, current_quota, figures, ladder_of, load_deals, reached_map, state_on
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.store import models as m
from salescoach.store.repo import Repository

WEIGHTS = {"close_date_passed": 3, "no_recent_activity": 2, "buyer_gone_quiet": 2, "stalled_in_stage": 2,
           "no_economic_buyer": 1, "single_threaded": 1, "pricing_never_discussed": 1, "competitor_present": 1,
           "meddpicc_gaps": 1, "no_next_step": 1, "no_call_evidence": 1}
LABELS = {"metrics": "metrics", "economic_buyer": "economic buyer", "decision_criteria": "decision criteria",
          "decision_process": "decision process", "paper_process": "paper process", "pain": "identified pain",
          "champion": "champion", "competition": "competition", "problem": "problem", "root_cause": "root cause",
          "impact": "impact", "stakeholders": "stakeholders", "why_now": "why now",
          "cost_of_inaction": "cost of inaction"}


class ReviewError(SalescoachError):
    pass


def resolve_scope(repo: Repository, rep: str | None, manager: str | None) -> tuple[dict, list[int] | None]:
    """({kind, name, reps}, owner ids or None for everyone)."""
    with repo.session() as s:
        if rep:
            r = repo.find_rep(s, rep)
            if r is None:
                raise ReviewError(f"no rep named {rep!r} in the store")
            return {"kind": "rep", "name": r.name, "reps": [r.name]}, [r.id]
        if manager:
            want = " ".join(manager.split()).casefold()
            mg = next((x for x in s.scalars(select(m.Manager)) if " ".join(x.name.split()).casefold() == want), None)
            if mg is None:
                raise ReviewError(f"no manager named {manager!r} in the store (import sales_teams.csv first)")
            ids = {r for (r,) in s.execute(select(m.CrmRep.rep_id).where(m.CrmRep.manager_id == mg.id))}
            ids |= {r for (r,) in s.execute(select(m.Rep.id).join(m.Team, m.Team.id == m.Rep.team_id)
                                            .where(m.Team.manager_id == mg.id))}
            names = sorted(n for (n,) in s.execute(select(m.Rep.name).where(m.Rep.id.in_(ids))))
            return {"kind": "manager", "name": mg.name, "reps": names}, sorted(ids)
    return {"kind": "all", "name": None, "reps": []}, None


def stored_quota(repo: Repository, owner_ids: list[int], as_of: date) -> tuple[float | None, str | None]:
    """The stored quotas (`salescoach quota`) of these reps for the period containing `as_of` — per rep the
    shortest such period (a month before a quarter before a year) — summed; (None, None) unless every rep
    in scope has one (a partial sum would overstate coverage)."""
    with repo.session() as s:
        rows = s.execute(select(m.Quota.rep_id, m.Quota.period, m.Quota.period_start, m.Quota.period_end,
                                m.Quota.amount).where(m.Quota.rep_id.in_(owner_ids), m.Quota.period_start <= as_of,
                                                      m.Quota.period_end >= as_of)).all()
    per_rep: dict[int, list[dict]] = {}
    for rid, period, start, end, amount in rows:
        per_rep.setdefault(rid, []).append({"period": period, "start": start, "end": end, "amount": amount})
    best = {rid: current_quota(qs, as_of) for rid, qs in per_rep.items()}
    if not owner_ids or set(best) != set(owner_ids):
        return None, None
    periods = sorted({b["period"] for b in best.values()})
    return round(sum(b["amount"] for b in best.values()), 2), "stored quota " + ", ".join(periods)


def _entered(d: DealRow, st: str, as_of: date) -> date | None:
    """When the deal last entered stage `st` (a raw-label change inside the same stage does not count)."""
    when, prev, seen = None, None, False
    for w, _, to in d.history:
        if w is not None and w > as_of:
            break
        if to == st and prev != st:
            when, seen = w, True
        prev = to
    if seen and when is not None:
        return when
    return d.stage_changed_at or d.start


def _days(a: date | None, b: date) -> int | None:
    return None if a is None else (b - a).days


def _warn(code: str, message: str, evidence: list | None = None, weight: int | None = None) -> dict:
    return {"code": code, "weight": WEIGHTS[code] if weight is None else weight, "message": message,
            "evidence": evidence or []}


def _ev(item: dict | None) -> list:
    if not item:
        return []
    return [{"call": item.get("call"), "date": item.get("date"), "start": item.get("start"),
             "quote": item.get("quote"), "speaker": item.get("speaker")}]


def inspect_deal(d: DealRow, st: str, ev: DealEvidence, as_of: date, cfg: dict) -> dict:
    """Warnings, risk and days for one open deal."""
    info = P.stage_info(st)
    entered = _entered(d, st, as_of)
    in_stage = _days(entered, as_of)
    age = _days(d.start, as_of)
    ws: list[dict] = []
    if d.close_date and d.close_date < as_of:
        ws.append(_warn("close_date_passed", f"close date {d.close_date.isoformat()} passed "
                        f"{(as_of - d.close_date).days} days ago and the deal is still open"))
    touches = [x for x in (d.last_activity, ev.last_call, *(w for w, _, _ in d.history if w and w <= as_of))
               if x and x <= as_of]
    last_touch = max(touches) if touches else None
    if last_touch is None or (as_of - last_touch).days > cfg["no_activity_days"]:
        ws.append(_warn("no_recent_activity", "no activity recorded" if last_touch is None else
                        f"no activity for {(as_of - last_touch).days} days (last {last_touch.isoformat()})"))
    if ev.has_calls:
        if ev.last_buyer_call is None or (as_of - ev.last_buyer_call).days > cfg["buyer_quiet_days"]:
            ws.append(_warn("buyer_gone_quiet", "no buyer has spoken on a call" if ev.last_buyer_call is None else
                            f"no buyer on a call for {(as_of - ev.last_buyer_call).days} days"))
        elif ev.last_buyer_share is not None and ev.last_buyer_share < cfg["buyer_quiet_share"]:
            ws.append(_warn("buyer_gone_quiet", f"buyers said only {ev.last_buyer_share:.0%} of the words on the "
                            f"latest call ({ev.calls[-1]['date']})"))
    stall = info.get("stall_days")
    if stall and in_stage is not None and in_stage > stall:
        ws.append(_warn("stalled_in_stage", f"{in_stage} days in {info['label'].lower()} (stalled after {stall})"))
    if ev.has_calls:
        if "economic_buyer" not in ev.elements:
            ws.append(_warn("no_economic_buyer", f"no economic buyer found on {len(ev.calls)} call(s)",
                            weight=2 if info["order"] >= 4 else 1))
        if len(ev.buyers) <= 1:
            who = next(iter(ev.buyers), None)
            ws.append(_warn("single_threaded", f"only {who} has spoken for the buyer" if who else
                            "no buyer contact has spoken on the calls"))
        if ev.pricing is None and info["order"] >= 3:
            ws.append(_warn("pricing_never_discussed", f"money never came up on {len(ev.calls)} call(s)"))
        if ev.competition is not None:
            ws.append(_warn("competitor_present", "a competitor came up", _ev(ev.competition)))
        gaps = [k for k in MEDDPICC if k not in ev.elements and k != "competition"]
        if gaps:
            ws.append(_warn("meddpicc_gaps", "no evidence of " + ", ".join(LABELS[k] for k in gaps)))
    else:
        ws.append(_warn("no_call_evidence", "no stored call belongs to this deal"))
    if not d.next_step and not (ev.next_step and ev.next_step["committed"]):
        ws.append(_warn("no_next_step", "no next step in the CRM and none agreed on the latest call"))
    score = sum(w["weight"] for w in ws)
    risk = "red" if score >= 5 else "yellow" if score >= 2 else "green"
    return {"warnings": sorted(ws, key=lambda w: -w["weight"]), "score": score, "risk": risk, "age_days": age,
            "days_in_stage": in_stage, "stage_entered": entered.isoformat() if entered else None}


def six_questions(d: DealRow, st: str, ev: DealEvidence, insp: dict, as_of: date, cfg: dict) -> dict:
    since = as_of - timedelta(days=cfg["what_changed_days"])
    changes = [f"{a or 'new'} -> {b} on {w.isoformat()}" for w, a, b in d.history if w and since < w <= as_of and a]
    recent_calls = [c for c in ev.calls if since.isoformat() < c["date"] <= as_of.isoformat()]
    if changes or recent_calls:
        parts = []
        if changes:
            parts.append("stage " + "; ".join(changes))
        if recent_calls:
            parts.append(f"{len(recent_calls)} call(s) since {since.isoformat()}")
        changed = {"answer": "; ".join(parts), "source": "crm+calls" if changes and recent_calls else
                   "crm" if changes else "calls"}
    else:
        last = max([w for w, _, _ in d.history if w and w <= as_of] + [x for x in (d.last_activity, ev.last_call) if x],
                   default=None)
        changed = {"answer": f"nothing in the last {cfg['what_changed_days']} days" +
                   (f" (last change {last.isoformat()})" if last else ""), "source": "crm"}
    if ev.has_calls:
        names = sorted(ev.buyers, key=lambda n: -ev.buyers[n])
        thread = "multi-threaded" if len(names) > 1 else "single-threaded"
        who = {"answer": f"{thread}: {', '.join(names) or 'no buyer spoke'}", "threading": thread,
               "contacts": names, "source": "calls"}
    else:
        who = {"answer": "unknown", "threading": None, "contacts": [], "source": None}

    def from_elements(keys: tuple, what: str) -> dict:
        if not ev.has_calls:
            return {"answer": "unknown", "found": [], "missing": list(keys), "evidence": [], "source": None}
        found = [k for k in keys if k in ev.elements]
        missing = [k for k in keys if k not in ev.elements]
        if not found:
            ans = f"unknown: no {what} heard on {len(ev.calls)} call(s)"
        else:
            ans = "heard: " + ", ".join(LABELS[k] for k in found) + \
                  ("; missing: " + ", ".join(LABELS[k] for k in missing) if missing else "")
        return {"answer": ans, "found": found, "missing": missing,
                "evidence": [{"element": k, **_ev(ev.elements[k])[0]} for k in found], "source": "calls"}
    business = from_elements(("pain", "impact", "metrics", "cost_of_inaction"), "business case")
    process = from_elements(("economic_buyer", "decision_criteria", "decision_process", "paper_process"),
                            "decision process")
    top = insp["warnings"][0] if insp["warnings"] else None
    risk = {"answer": top["message"] if top else "none found", "code": top["code"] if top else None}
    if d.next_step:
        when = d.next_step_date.isoformat() if d.next_step_date else None
        nxt = {"answer": d.next_step + (f" (by {when})" if when else " (no date)") + f"; owner {d.owner or 'unknown'}",
               "date": when, "owner": d.owner, "source": "crm",
               "overdue": bool(d.next_step_date and d.next_step_date < as_of)}
    elif ev.next_step and ev.next_step.get("text"):
        ns = ev.next_step
        flags = [x for x, ok in (("no date", ns["has_date"]), ("no owner", ns["has_owner"])) if not ok]
        nxt = {"answer": f"\"{ns['text']}\" (call {ns['date']}" + (", " + ", ".join(flags) if flags else "") + ")",
               "date": None, "owner": None, "has_date": ns["has_date"], "has_owner": ns["has_owner"],
               "committed": ns["committed"], "source": "calls", "evidence": [{"call": ns["call"], "date": ns["date"],
                                                                            "start": ns["start"], "quote": ns["text"]}]}
    else:
        nxt = {"answer": "unknown", "source": None}
    return {"what_changed": changed, "who_we_talk_to": who, "business_case": business, "decision_process": process,
            "biggest_risk": risk, "next_step": nxt}


def _classify_loss(d: DealRow, ev: DealEvidence) -> tuple[str, str, list]:
    """(diagnosis, why, evidence) of a lost deal; diagnosis qualification | execution | competition |
    external | unknown."""
    if d.loss_reason:
        low = d.loss_reason.casefold()
        lr = load("crm")["loss_reasons"]
        for cat in ("external", "competition", "qualification", "execution"):
            if any(w in low for w in lr[cat]):
                return cat, f"CRM loss reason: {d.loss_reason}", []
    if not ev.has_calls:
        return "unknown", "no loss reason and no calls", []
    missing = [k for k in ("pain", "economic_buyer") if k not in ev.elements]
    if missing:
        return "qualification", "never found " + " or ".join(LABELS[k] for k in missing), []
    if not (ev.next_step and ev.next_step["committed"]):
        return "execution", "qualified, but the last call ended without a committed next step", \
            [{"call": ev.next_step["call"], "date": ev.next_step["date"], "start": ev.next_step["start"],
              "quote": ev.next_step["text"]}] if ev.next_step and ev.next_step.get("text") else []
    if ev.competition:
        return "competition", "qualified and executed; a competitor was in the deal", _ev(ev.competition)
    return "unknown", "qualified and executed; the calls do not show why it was lost", []


CONTROLLABLE = {"qualification": True, "execution": True, "competition": False, "external": False, "unknown": None}


def win_loss(deals: list[tuple[DealRow, str]], evs: dict[int, DealEvidence]) -> dict:
    lost = [(d, st) for d, st in deals if st == "lost"]
    won = [(d, st) for d, st in deals if st == "won"]
    debriefs = []
    for d, _ in lost:
        diag, why, evi = _classify_loss(d, evs.get(d.id, DealEvidence()))
        before = [a for _, a, b in d.history if b == "lost" and a]
        debriefs.append({"deal": d.external_id, "name": d.name, "account": d.account, "owner": d.owner,
                         "lost_at_stage": before[-1] if before else None,
                         "closed": d.close_date.isoformat() if d.close_date else None, "diagnosis": diag,
                         "controllable": CONTROLLABLE[diag], "why": why, "evidence": evi})
    counts = Counter(x["diagnosis"] for x in debriefs)
    ctrl = sum(1 for x in debriefs if x["controllable"] is True)
    unc = sum(1 for x in debriefs if x["controllable"] is False)
    return {"won": len(won), "lost": len(lost), "diagnoses": dict(counts), "controllable": ctrl,
            "uncontrollable": unc, "unknown": counts.get("unknown", 0),
            "debriefs": sorted(debriefs, key=lambda x: x["closed"] or "", reverse=True)[:20],
            "note": None if len(lost) - counts.get("unknown", 0) else
            "no loss reasons or call evidence: causes cannot be separated yet"}


def review(repo: Repository, rep: str | None = None, manager: str | None = None, as_of: date | None = None,
           quota: float | None = None) -> dict:
    with no_gc():
        return _review(repo, rep, manager, as_of, quota)


def _review(repo: Repository, rep: str | None, manager: str | None, as_of: date | None,
            quota: float | None) -> dict:
    cfg = load("crm")["review"]
    as_of = as_of or date.today()
    scope, owner_ids = resolve_scope(repo, rep, manager)
    deals = load_deals(repo, owner_ids)
    live = [(d, st) for d in deals if (st := state_on(d, as_of)) is not None]
    open_ = [(d, st) for d, st in live if P.is_open(st)]
    closed = [(d, st) for d, st in live if not P.is_open(st) and d.close_date and d.close_date <= as_of]
    with repo.session() as s:
        evs = gather(s, [d for d, _ in open_] + [d for d, st in closed if st == "lost"])
    total = weighted = 0.0
    estimated = unvalued = 0
    rows = []
    for d, st in open_:
        v, e = d.value()
        if v is None:
            unvalued += 1
            v = 0.0
        estimated += e
        prob = d.probability if d.probability is not None else P.stage_info(st)["probability"]
        total += v
        weighted += v * prob
        insp = inspect_deal(d, st, evs[d.id], as_of, cfg)
        rows.append((d, st, v, e, insp))
    ladder = ladder_of(deals)
    by_stage = []
    for stg in ladder:
        rs = [r for r in rows if r[1] == stg]
        if not rs:
            continue
        val = sum(r[2] for r in rs)
        ages = [r[4]["age_days"] for r in rs if r[4]["age_days"] is not None]
        ins = [r[4]["days_in_stage"] for r in rs if r[4]["days_in_stage"] is not None]
        by_stage.append({"stage": stg, "deals": len(rs), "value": round(val, 2),
                         "share_of_value": round(val / total, 4) if total else None,
                         "avg_age_days": round(statistics.fmean(ages), 1) if ages else None,
                         "avg_days_in_stage": round(statistics.fmean(ins), 1) if ins else None,
                         "stale": sum(1 for r in rs if any(w["code"] == "stalled_in_stage" for w in r[4]["warnings"]))})
    early = [b for b in by_stage if P.stage_info(b["stage"])["order"] <= 2]
    early_share = sum(b["value"] for b in early) / total if total and len(by_stage) > 1 else None
    stale = sorted((r for r in rows if any(w["code"] == "stalled_in_stage" for w in r[4]["warnings"])),
                   key=lambda r: -(r[4]["days_in_stage"] or 0))
    top = sorted(rows, key=lambda r: (-r[2], r[0].external_id))[:cfg["top_n"]]
    inspected = []
    for d, st, v, e, insp in top:
        inspected.append({"deal": d.external_id, "name": d.name, "account": d.account, "owner": d.owner,
                          "value": round(v, 2), "value_estimated": e, "stage": st, "stage_raw": d.stage_raw,
                          "age_days": insp["age_days"], "days_in_stage": insp["days_in_stage"],
                          "close_date": d.close_date.isoformat() if d.close_date else None,
                          "forecast_category": d.forecast_category, "risk": insp["risk"], "score": insp["score"],
                          "reasons": [w["message"] for w in insp["warnings"]], "warnings": insp["warnings"],
                          "calls": [c["id"] for c in evs[d.id].calls],
                          "meddpicc": {k: ("found" if k in evs[d.id].elements else "missing") if evs[d.id].has_calls
                                       else "unknown" for k in MEDDPICC},
                          "questions": six_questions(d, st, evs[d.id], insp, as_of, cfg)})
    warn_counts = Counter(w["code"] for r in rows for w in r[4]["warnings"])
    quota_source = "--quota" if quota else None
    if not quota and owner_ids:
        quota, quota_source = stored_quota(repo, owner_ids, as_of)
    coverage = round(total / quota, 2) if quota else None
    summary = {"open_deals": len(rows), "total_pipeline": round(total, 2), "weighted_pipeline": round(weighted, 2),
               "estimated_deals": estimated, "unvalued_deals": unvalued, "quota": quota, "quota_source": quota_source,
               "coverage": coverage,
               "coverage_target": cfg["coverage_target"],
               "coverage_ok": None if coverage is None else coverage >= cfg["coverage_target"],
               "risk": dict(Counter(r[4]["risk"] for r in rows)), "currencies": sorted({d.currency for d, *_ in rows
                                                                                        if d.currency})}
    rm = reached_map(live, as_of)
    funnel = {"all": figures(live, ladder, as_of, rm)["stage_conversion"]}
    if scope["kind"] != "rep":
        per: dict[str, list] = {}
        for d, st in live:
            per.setdefault(d.owner or "(no owner)", []).append((d, st))
        funnel["by_rep"] = {k: figures(v, ladder, as_of, rm)["stage_conversion"] for k, v in sorted(per.items())}
    seg: dict[str, list] = {}
    for d, st in live:
        seg.setdefault(d.sector or "(no account)", []).append((d, st))
    funnel["by_segment"] = {k: figures(v, ladder, as_of, rm)["stage_conversion"] for k, v in sorted(seg.items())}
    return {"scope": scope, "as_of": as_of.isoformat(), "summary": summary, "stages": by_stage,
            "stage_distribution": {"front_loaded": None if early_share is None else
                                   early_share > cfg["front_loaded_share"],
                                   "early_share": None if early_share is None else round(early_share, 4)},
            "stale_deals": [{"deal": d.external_id, "name": d.name, "owner": d.owner, "stage": st,
                             "days_in_stage": insp["days_in_stage"]} for d, st, v, e, insp in stale[:20]],
            "stale_count": len(stale), "top_deals": inspected, "warning_counts": dict(warn_counts.most_common()),
            "patterns": patterns(rows, evs, by_stage, summary, early_share, cfg), "funnel": funnel,
            "win_loss": win_loss(closed, evs)}


def patterns(rows: list, evs: dict, by_stage: list, summary: dict, early_share, cfg: dict) -> list[dict]:
    """Portfolio observations: where deals stall, recurring qualification gaps, hygiene."""
    out = []
    n = len(rows)
    if not n:
        return [{"pattern": "empty_pipeline", "text": "no open deals on this date"}]
    worst = max(by_stage, key=lambda b: (b["stale"] / b["deals"], b["stale"]), default=None)
    if worst and worst["stale"]:
        out.append({"pattern": "stalls_at_stage", "stage": worst["stage"],
                    "text": f"deals stall in {worst['stage']}: {worst['stale']} of {worst['deals']} are past the "
                            f"stage's limit (average {worst['avg_days_in_stage']} days there)"})
    with_calls = [r for r in rows if evs[r[0].id].has_calls]
    if len(with_calls) >= 2:
        gaps = []
        for k in MEDDPICC:
            if k == "competition":
                continue
            miss = sum(1 for r in with_calls if k not in evs[r[0].id].elements)
            if miss >= 2 and miss / len(with_calls) >= 0.5:
                gaps.append((k, miss))
        if gaps:
            out.append({"pattern": "qualification_gaps", "elements": {k: n for k, n in gaps},
                        "text": f"recurring qualification gaps across {len(with_calls)} deals with calls: " +
                                ", ".join(f"{LABELS[k]} missing on {n}" for k, n in gaps)})
        single = sum(1 for r in with_calls if len(evs[r[0].id].buyers) <= 1)
        if single / len(with_calls) >= 0.5:
            out.append({"pattern": "single_threading", "text": f"{single} of {len(with_calls)} deals with calls "
                        "are single-threaded"})
        late_no_eb = sum(1 for r in with_calls if P.stage_info(r[1])["order"] >= 4
                         and "economic_buyer" not in evs[r[0].id].elements)
        if late_no_eb:
            out.append({"pattern": "late_stage_without_power", "text": f"{late_no_eb} deal(s) at proposal or later "
                        "with no economic buyer found: are they in the right stage?"})
    else:
        out.append({"pattern": "no_call_evidence", "text": f"only {len(with_calls)} of {n} open deals have calls: "
                    "qualification cannot be checked from evidence"})
    passed = sum(1 for r in rows if any(w["code"] == "close_date_passed" for w in r[4]["warnings"]))
    if passed:
        out.append({"pattern": "close_dates_passed", "text": f"{passed} of {n} open deals are past their close date "
                    "(forecast hygiene)"})
    if early_share is not None and early_share > cfg["front_loaded_share"]:
        out.append({"pattern": "front_loaded", "text": f"{early_share:.0%} of the open value is in prospecting or "
                    "qualification: the pipeline is front-loaded"})
    if summary["coverage"] is not None and not summary["coverage_ok"]:
        out.append({"pattern": "coverage_below_target", "text": f"coverage {summary['coverage']}:1 is below the "
                    f"{cfg['coverage_target']:g}:1 target"})
    if summary["estimated_deals"]:
        out.append({"pattern": "amounts_missing", "text": f"{summary['estimated_deals']} of {n} open deals have no "
                    "amount; valued at list price"})
    return out
