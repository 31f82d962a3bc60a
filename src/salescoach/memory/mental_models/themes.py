"""Coaching Themes: which gaps recur across reps, which strengths are rare, which interventions helped.

Built from the per-call signal verdicts (coaching findings), the active observations and the
logged coaching interventions (settings: `frameworks/mental_models.json` "themes"). A call
counts for every rep on its selling side (as in consolidation).

- **Recurring gaps.** Per signal: the reps holding an active *gap* observation on it (the
  observation rule: same verdict in >= 2 calls and >= 60% of the rep's applicable calls), as a
  share of the reps with at least one applicable call; and the calls with a gap verdict as a share
  of the calls where the signal applies. A gap *recurs across reps* when at least
  `floor_min_reps` (2) reps hold it (the floor observation rule). Listed by reps, then calls.

- **Rare strengths.** A signal whose strength verdict appears in fewer than
  `rare_strength_share` (20%) of the calls where it applies, judged only with at least
  `min_applicable_calls` (5) such calls; with the reps who do show it (their strength calls, and
  whether it is an observation of theirs): the people the others can learn from.

- **Interventions.** For each logged intervention (rep, signal, date) the signal's metric is
  compared on the rep's calls where the signal applies *before* the date (calls before that day;
  from the day after the previous intervention on the same rep and signal, if any) and *after* it
  (calls from the next day on, up to the day of the next intervention on the same rep and signal).
  Calls on the day itself are left out: they may be before or after the session. Each signal's
  metric (`themes.metrics`):
  - values per call (Mann-Whitney U test, two-sided): talk_ratio = rep talk share (lower is
    better); monologues = longest rep monologue in seconds (lower); implication_questions,
    need_payoff_questions = such questions per call; question_count = business questions per call;
    early_pitch = when the first pitch came, as a fraction of the call (calls with a pitch);
    objection_handling = AECR steps per objection; multithreading = stakeholders and decision
    process explored (0-2); pain_funnel = deepest Sandler level; discovery_coverage = must-knows
    covered (0-6) (all higher is better);
  - shares of calls (Fisher exact test, two-sided): upfront_contract = calls opening with an
    upfront contract; next_steps = calls ending with a dated, committed next step (higher is
    better); situation_overload = calls overloaded with situation questions (lower is better).
  Outcome: **measurably helped** only when both sides have at least `min_calls_each_side` (5)
  calls, p < `alpha` (0.05) and the change goes the better way; **measurably worse** when p < alpha
  the other way; **no measurable change** with enough calls and p >= alpha; **not yet
  measurable** with too few calls on either side.
"""
from __future__ import annotations

import hashlib
import json
import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from salescoach.frameworks import load
from salescoach.memory.mental_models.stats import fisher_exact, mann_whitney_u, wilson
from salescoach.memory.signals import NA, SIGNALS
from salescoach.store import models as m

MODEL_ID = "coaching-themes"
MODEL_NAME = "Coaching Themes"
QUERY = "Which coaching themes recur across reps, and which interventions have measurably helped?"
ALGORITHM = "themes-v1"
HELPED, WORSE, NO_CHANGE, NOT_YET = "measurably helped", "measurably worse", "no measurable change", "not yet measurable"


def settings() -> dict:
    return load("mental_models")["themes"]


def _day(d: datetime) -> datetime:
    return datetime(d.year, d.month, d.day)


def load_inputs(s) -> dict:
    reps = dict(s.execute(select(m.Rep.id, m.Rep.name)).all())
    call_reps: dict[int, list[int]] = defaultdict(list)
    for cid, rid in s.execute(select(m.CallRep.call_id, m.CallRep.rep_id).order_by(m.CallRep.call_id, m.CallRep.rep_id)):
        call_reps[cid].append(rid)
    verdicts = [tuple(r) for r in s.execute(
        select(m.Finding.call_id, m.Finding.signal, m.Finding.verdict, m.Finding.value, m.Finding.occurred_at)
        .where(m.Finding.kind == "coaching").order_by(m.Finding.call_id, m.Finding.signal, m.Finding.id))]
    obs = [tuple(r) for r in s.execute(
        select(m.Observation.id, m.Observation.scope, m.Observation.rep_id, m.Observation.signal,
               m.Observation.polarity, m.Observation.status, m.Observation.updated_at, m.Observation.proof_count,
               m.Observation.applicable_count).order_by(m.Observation.id))]
    ivs = [tuple(r) for r in s.execute(
        select(m.CoachingIntervention.id, m.CoachingIntervention.rep_id, m.CoachingIntervention.signal,
               m.CoachingIntervention.date, m.CoachingIntervention.note).order_by(m.CoachingIntervention.id))]
    return {"reps": reps, "call_reps": dict(call_reps), "verdicts": verdicts, "observations": obs,
            "interventions": ivs}


def signature(inputs: dict, floor_min_reps: int) -> str:
    """Hash of everything the model reads: reps, per-call verdicts and values (with call times and
    reps), observation ids with their state and last update, interventions, and the settings."""
    def default(o):
        return o.isoformat() if isinstance(o, datetime) else str(o)
    h = hashlib.sha256()
    h.update(ALGORITHM.encode())
    h.update(json.dumps([settings(), floor_min_reps], sort_keys=True).encode())
    for key in ("reps", "call_reps", "verdicts", "observations", "interventions"):
        v = inputs[key]
        v = sorted(v.items()) if isinstance(v, dict) else v
        h.update(key.encode())
        h.update(json.dumps(v, default=default).encode())
    return h.hexdigest()


def _metric_value(spec: dict, verdict: str, value):
    if spec["kind"] == "share":
        return 1.0 if verdict == spec["verdict"] else 0.0
    return None if value is None else float(value)


def _summary(vals: list[float], spec: dict) -> dict:
    n = len(vals)
    if spec["kind"] == "share":
        k = int(sum(vals))
        ci = wilson(k, n)
        return {"n": n, "k": k, "rate": round(k / n, 4) if n else None,
                "ci95": [round(ci[0], 4), round(ci[1], 4)] if ci else None}
    return {"n": n, "mean": round(statistics.fmean(vals), 4) if n else None,
            "median": round(statistics.median(vals), 4) if n else None}


def judge_change(before: list[float], after: list[float], spec: dict, cfg: dict) -> dict:
    """Before/after comparison of one metric (see the module docstring for the outcome rule)."""
    need, alpha = int(cfg["min_calls_each_side"]), float(cfg["alpha"])
    out = {"before": _summary(before, spec), "after": _summary(after, spec), "test": None, "p": None,
           "direction": None}
    if before and after:
        if spec["kind"] == "share":
            kb, ka = int(sum(before)), int(sum(after))
            out["test"] = "Fisher exact (two-sided)"
            out["p"] = fisher_exact(ka, len(after) - ka, kb, len(before) - kb)
            diff = ka / len(after) - kb / len(before)
            out["change"] = round(diff, 4)
        else:
            u = mann_whitney_u(before, after)
            out["test"] = f"Mann-Whitney U (two-sided, {u.method})"
            out["p"] = u.p
            out["u"] = u.u
            out["effect"] = round(u.effect, 4)  # P(after > before) + ties/2
            diff = u.effect - 0.5
            out["change"] = round(statistics.fmean(after) - statistics.fmean(before), 4)
        out["p"] = round(out["p"], 6)
        out["direction"] = "up" if diff > 0 else "down" if diff < 0 else "flat"
    good = {"higher": "up", "lower": "down"}[spec["better"]]
    if len(before) < need or len(after) < need:
        out["outcome"] = NOT_YET
        out["why"] = f"{len(before)} call(s) before and {len(after)} after; at least {need} on each side are needed"
    elif out["p"] < alpha and out["direction"] == good:
        out["outcome"] = HELPED
        out["why"] = f"p = {out['p']:.3g} < {alpha} and the metric moved the better way"
    elif out["p"] < alpha and out["direction"] not in (good, "flat"):
        out["outcome"] = WORSE
        out["why"] = f"p = {out['p']:.3g} < {alpha} but the metric moved the wrong way"
    else:
        out["outcome"] = NO_CHANGE
        out["why"] = f"p = {out['p']:.3g}: the difference could be chance"
    return out


def compute(inputs: dict, floor_min_reps: int) -> tuple[dict, dict]:
    cfg = settings()
    metrics = cfg["metrics"]
    reps, call_reps = inputs["reps"], inputs["call_reps"]
    # per (rep, signal): [(time, call, verdict, value)], one verdict per call
    per: dict[tuple[int, str], list] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    calls_by_signal: dict[str, dict[int, str]] = defaultdict(dict)
    call_time: dict[int, datetime] = {}
    for cid, sig, verdict, value, when in inputs["verdicts"]:
        if (cid, sig) in seen:
            continue
        seen.add((cid, sig))
        call_time[cid] = when
        calls_by_signal[sig][cid] = verdict
        for rid in call_reps.get(cid, []):
            per[(rid, sig)].append((when, cid, verdict, value))
    reps_with_calls = sorted({r for rs in call_reps.values() for r in rs if r in reps})
    obs_active = [o for o in inputs["observations"] if o[5] == "active" and o[1] == "rep"]
    obs_by = defaultdict(set)  # (signal, polarity) -> rep ids
    for _, _, rid, sig, pol, *_ in obs_active:
        obs_by[(sig, pol)].add(rid)
    per_signal = {}
    for sig in SIGNALS:
        verdicts = calls_by_signal.get(sig, {})
        app = [v for v in verdicts.values() if v != NA]
        gaps = sum(1 for v in app if v == "gap")
        strengths = sum(1 for v in app if v == "strength")
        reps_app = [r for r in reps_with_calls if any(v[2] != NA for v in per.get((r, sig), []))]
        per_signal[sig] = {
            "applicable_calls": len(app), "gap_calls": gaps, "strength_calls": strengths,
            "gap_call_share": round(gaps / len(app), 4) if app else None,
            "strength_call_share": round(strengths / len(app), 4) if app else None,
            "reps_applicable": len(reps_app),
            "gap_reps": sorted(reps[r] for r in obs_by[(sig, "gap")] if r in reps),
            "strength_reps": sorted(reps[r] for r in obs_by[(sig, "strength")] if r in reps)}
    gaps = []
    for sig, d in per_signal.items():
        if d["gap_reps"]:
            ra = d["reps_applicable"] or 1
            gaps.append({"signal": sig, "reps": d["gap_reps"], "rep_count": len(d["gap_reps"]),
                         "reps_applicable": d["reps_applicable"], "rep_share": round(len(d["gap_reps"]) / ra, 4),
                         "gap_calls": d["gap_calls"], "applicable_calls": d["applicable_calls"],
                         "call_share": d["gap_call_share"],
                         "call_ci95": [round(x, 4) for x in wilson(d["gap_calls"], d["applicable_calls"]) or ()],
                         "recurs_across_reps": len(d["gap_reps"]) >= floor_min_reps})
    gaps.sort(key=lambda g: (-g["rep_count"], -(g["call_share"] or 0), g["signal"]))
    rare = []
    for sig, d in per_signal.items():
        if d["applicable_calls"] < int(cfg["min_applicable_calls"]):
            continue
        if d["strength_call_share"] < float(cfg["rare_strength_share"]):
            who = defaultdict(int)
            for (rid, s2), rows in per.items():
                if s2 == sig:
                    for row in rows:
                        if row[2] == "strength":
                            who[rid] += 1
            rare.append({"signal": sig, "strength_calls": d["strength_calls"],
                         "applicable_calls": d["applicable_calls"], "call_share": d["strength_call_share"],
                         "call_ci95": [round(x, 4) for x in wilson(d["strength_calls"], d["applicable_calls"])],
                         "shown_by": [{"rep": reps[r], "calls": n, "observation": r in obs_by[(sig, "strength")]}
                                      for r, n in sorted(who.items(), key=lambda kv: (-kv[1], reps.get(kv[0], "")))
                                      if r in reps]})
    rare.sort(key=lambda r: (r["call_share"], r["signal"]))
    # interventions
    ivs = sorted(inputs["interventions"], key=lambda x: (x[3], x[0]))
    out_iv = []
    for iid, rid, sig, date, note in ivs:
        spec = metrics.get(sig)
        d0 = _day(date)
        same = [x for x in ivs if x[1] == rid and x[2] == sig]
        prev = max((_day(x[3]) for x in same if _day(x[3]) < d0), default=None)
        nxt = min((_day(x[3]) for x in same if _day(x[3]) > d0), default=None)
        before, after, bcalls, acalls = [], [], [], []
        for when, cid, verdict, value in sorted(per.get((rid, sig), [])):
            if verdict == NA or spec is None:
                continue
            v = _metric_value(spec, verdict, value)
            if v is None:
                continue
            if when < d0 and (prev is None or when >= prev + timedelta(days=1)):
                before.append(v)
                bcalls.append(cid)
            elif when >= d0 + timedelta(days=1) and (nxt is None or when < nxt):
                after.append(v)
                acalls.append(cid)
        res = judge_change(before, after, spec, cfg) if spec else {"outcome": NOT_YET, "why": "no metric defined"}
        out_iv.append({"id": iid, "rep": reps.get(rid), "signal": sig, "date": date.date().isoformat(),
                       "note": note, "metric": spec["name"] if spec else None,
                       "better": spec["better"] if spec else None, **res,
                       "before_calls": bcalls, "after_calls": acalls})
    obs_ids = [o[0] for o in obs_active]
    content = {"model": MODEL_ID, "question": QUERY,
               "definitions": {"recurring_gap": f"held as a gap observation by at least {floor_min_reps} reps",
                               "rare_strength": f"strength verdict in under {round(100 * float(cfg['rare_strength_share']))}% "
                                                f"of applicable calls (at least {cfg['min_applicable_calls']} calls)",
                               "helped": f"at least {cfg['min_calls_each_side']} calls before and after, p < "
                                         f"{cfg['alpha']}, change in the better direction",
                               "metrics": {k: {"name": v["name"], "better": v["better"],
                                               "test": "Fisher exact" if v["kind"] == "share" else "Mann-Whitney U"}
                                           for k, v in metrics.items()}},
               "totals": {"reps": len(reps_with_calls), "calls": len(call_time), "observations": len(obs_ids),
                          "interventions": len(out_iv)},
               "recurring_gaps": gaps, "rare_strengths": rare, "interventions": out_iv, "signals": per_signal}
    based_on = {"call_ids": sorted(call_time), "observation_ids": obs_ids,
                "intervention_ids": [x[0] for x in ivs], "rep_ids": reps_with_calls,
                "verdicts": len(seen)}
    return content, based_on


# -- Markdown -------------------------------------------------------------------------------------

def _pct(x) -> str:
    return "n/a" if x is None else f"{round(100 * x)}%"


def _side(d: dict, spec_kind: str) -> str:
    if not d["n"]:
        return "no calls"
    if spec_kind == "share":
        return f"{d['k']}/{d['n']} calls ({_pct(d['rate'])})"
    return f"mean {d['mean']:g}, median {d['median']:g} over {d['n']} call(s)"


def render(content: dict, version: int, generated_at: str) -> str:
    t = content["totals"]
    defs = content["definitions"]
    out = [f"# Coaching Themes (version {version})", "",
           f"_Generated {generated_at} from {t['calls']} call(s) of {t['reps']} rep(s), {t['observations']} active "
           f"observation(s) and {t['interventions']} logged intervention(s)._", "",
           "**The question it answers:** which coaching topics come back across the team, and which coaching "
           "sessions changed behaviour in a way the calls can show?", ""]
    if not t["calls"]:
        out += ["No calls stored yet: ingest calls with `salescoach ingest --rep NAME` first.", ""]
        return "\n".join(out)
    out += ["## Recurring gaps", "", "Gaps some rep shows as a habit (an observation), those shared by several reps "
            "first.", ""]
    if not content["recurring_gaps"]:
        out += ["No rep holds a gap observation yet (a habit needs the same verdict in at least two calls).", ""]
    for g in content["recurring_gaps"]:
        tag = "across reps" if g["recurs_across_reps"] else "one rep so far"
        out.append(f"- **{g['signal']}** ({tag}): {g['rep_count']} of {g['reps_applicable']} reps "
                   f"({_pct(g['rep_share'])}) — {', '.join(g['reps'])}; gap in {g['gap_calls']} of "
                   f"{g['applicable_calls']} calls where it applies ({_pct(g['call_share'])}, 95% CI "
                   f"{_pct(g['call_ci95'][0])}–{_pct(g['call_ci95'][1])}).")
    out += ["", "## Rare strengths", ""]
    if not content["rare_strengths"]:
        out += [f"None: every signal with enough calls is a strength in at least "
                f"{defs['rare_strength'].split('under ')[1].split(' of')[0]} of them, or the data is too thin.", ""]
    for r in content["rare_strengths"]:
        who = ", ".join(f"{x['rep']} ({x['calls']} call(s){', a habit' if x['observation'] else ''})"
                        for x in r["shown_by"]) or "nobody yet"
        out.append(f"- **{r['signal']}**: a strength in only {r['strength_calls']} of {r['applicable_calls']} calls "
                   f"({_pct(r['call_share'])}). Shown by: {who}.")
    out += ["", "## Interventions", ""]
    if not content["interventions"]:
        out += ["None logged yet. Log one with `salescoach coach log --rep NAME --signal SIGNAL --date YYYY-MM-DD "
                "--note TEXT`.", ""]
    for iv in content["interventions"]:
        kind = "share" if "k" in (iv.get("before") or {}) else "value"
        out.append(f"- **{iv['rep']}, {iv['signal']}, {iv['date']}**: {iv['outcome']}.")
        if iv.get("before") is not None:
            out.append(f"  {iv['metric']} ({iv['better']} is better): before {_side(iv['before'], kind)}; after "
                       f"{_side(iv['after'], kind)}." + (f" {iv['test']}: p = {iv['p']:.3g}." if iv.get("test") else ""))
        out.append(f"  Why: {iv['why']}." + (f" Note: {iv['note']}" if iv.get("note") else ""))
    out += ["", f"_Rule: \"measurably helped\" needs {defs['helped']}._", ""]
    return "\n".join(out)
