"""Skill assessment: the six competencies scored 1-5 from a rep's calls and CRM figures.

Every rule below is data in `frameworks/plan.json` (defaults in brackets):

- Evidence per competency ("competencies"): coaching-signal verdicts from the rep's calls
  (memory.signals) and CRM figures. discovery_quality <- implication_questions,
  need_payoff_questions, situation_overload, question_count, pain_funnel, discovery_coverage,
  talk_ratio; qualification_rigor <- multithreading, meddpicc_elements + the share of the rep's open
  CRM deals whose calls evidence at least 4 MEDDPICC elements; objection_handling <-
  objection_handling (AECR); executive_presence <- upfront_contract, monologues, economic_buyer;
  closing <- next_steps + CRM win rate; forecast_accuracy <- crm.forecast.accuracy (share of
  completed periods within 10%).
- Derived per-call checks (discovery calls only, from the stored discovery findings):
  meddpicc_elements = MEDDPICC elements that came up (>= 5 strength, <= 2 gap, else neutral);
  economic_buyer = the economic buyer came up (strength) or not (gap).
- Signal score = 1 + 4 x (strength + 0.5 x neutral) / applicable calls (applicable = verdict
  strength, gap or neutral). CRM figure score = its band level (crm_scales; below the minimum
  sample the figure is not used). Level = mean of the scores rounded half up; no evidence ->
  "unknown" with confidence "none".
- Confidence: n = distinct applicable calls + closed deals + completed forecast periods behind the
  competency; n >= 6 high, >= 3 medium, >= 1 low.
- Target = min(5, level + 1); gap = target - level.
- Each competency also lists the rep's stable observations (memory bank, rep scope) on its signals:
  the recurring strengths and gaps that stand behind the per-call counts.
- Diagnosis of a signal (skill / will / environment): gap calls and strength calls both present
  -> will (knows how, does not do it every time); gap calls and no strength call in at least
  2 applicable calls -> skill; the rep has calls but the signal never applied (e.g. no objections
  were raised, no discovery calls) -> environment; otherwise unknown.
"""
from __future__ import annotations

from salescoach.coaching.context import CallFacts, RepContext
from salescoach.frameworks import load
from salescoach.memory.retain import MEDDPICC

APPLICABLE = ("strength", "gap", "neutral")
DERIVED = ("meddpicc_elements", "economic_buyer")


def settings() -> dict:
    return load("plan")


def competency_ids(cfg: dict | None = None) -> list[str]:
    cfg = cfg or settings()
    return [k for k in cfg["competencies"] if not k.startswith("_")]


def _ev(c: CallFacts, verdict: str, start=None, quote=None, note: str | None = None) -> dict:
    return {"call": c.key, "call_id": c.id, "date": c.date.isoformat(), "start": start, "quote": quote,
            "verdict": verdict, **({"note": note} if note else {})}


def call_verdict(c: CallFacts, signal: str, cfg: dict | None = None) -> dict | None:
    """One call's verdict on a signal (stored coaching finding, or a derived check) as
    {verdict, start, quote, text}; None when the call has no verdict for it."""
    if signal not in DERIVED:
        v = c.verdicts.get(signal)
        if not v:
            return None
        return {"verdict": v["verdict"], "start": v.get("start"), "quote": v.get("quote"), "text": v.get("text")}
    if c.call_type != "discovery":
        return {"verdict": "not_applicable", "start": None, "quote": None, "text": "not a discovery call"}
    cfg = cfg or settings()
    if signal == "economic_buyer":
        hits = c.discovery.get("economic_buyer") or []
        if hits:
            return {"verdict": "strength", "start": hits[0]["start"], "quote": hits[0]["quote"],
                    "text": "the economic buyer came up"}
        return {"verdict": "gap", "start": None, "quote": None, "text": "the economic buyer never came up"}
    rule = cfg["derived_signals"]["meddpicc_elements"]
    found = [k for k in MEDDPICC if c.discovery.get(k)]
    n = len(found)
    verdict = "strength" if n >= rule["strength_min"] else "gap" if n <= rule["gap_max"] else "neutral"
    first = min((c.discovery[k][0] for k in found), key=lambda e: e["start"] if e["start"] is not None else 1e12,
                default=None)
    return {"verdict": verdict, "start": first["start"] if first else None, "quote": first["quote"] if first else None,
            "text": f"{n} of 8 MEDDPICC elements came up" + (f" ({', '.join(found)})" if found else "")}


def signal_summary(calls: list[CallFacts], signal: str, cfg: dict | None = None, max_quotes: int = 3) -> dict:
    """Counts, score, diagnosis and evidence of one signal over these calls."""
    cfg = cfg or settings()
    counts = {"strength": 0, "gap": 0, "neutral": 0}
    gaps: list[dict] = []
    strengths: list[dict] = []
    applicable_ids: list[int] = []
    for c in calls:
        v = call_verdict(c, signal, cfg)
        if not v or v["verdict"] not in APPLICABLE:
            continue
        counts[v["verdict"]] += 1
        applicable_ids.append(c.id)
        if v["verdict"] == "gap":
            gaps.append(_ev(c, "gap", v["start"], v["quote"], v.get("text")))
        elif v["verdict"] == "strength":
            strengths.append(_ev(c, "strength", v["start"], v["quote"], v.get("text")))
    n = sum(counts.values())
    nw = cfg["scoring"]["neutral_weight"]
    score = round(1 + 4 * (counts["strength"] + nw * counts["neutral"]) / n, 2) if n else None
    return {"signal": signal, "applicable_calls": n, **{f"{k}_calls": v for k, v in counts.items()},
            "score": score, "diagnosis": diagnose(counts, n, len(calls), cfg),
            "gap_evidence": gaps[-max_quotes:][::-1], "strength_evidence": strengths[-max_quotes:][::-1],
            "call_ids": applicable_ids}


def diagnose(counts: dict, applicable: int, total_calls: int, cfg: dict | None = None) -> dict:
    """Skill / will / environment (see the module docstring) with the reason in words."""
    cfg = cfg or settings()
    g, st = counts.get("gap", 0), counts.get("strength", 0)
    if applicable == 0:
        if total_calls:
            return {"kind": "environment", "why": f"the situation never came up in the rep's {total_calls} call(s), "
                                                  "so there is nothing to practise on yet"}
        return {"kind": "unknown", "why": "no calls stored for the rep"}
    if g and st:
        return {"kind": "will", "why": f"done well in {st} call(s) and missed in {g}: the rep knows how but does not "
                                       "do it consistently"}
    if g and applicable >= cfg["focus"]["diagnosis_min_calls"]:
        return {"kind": "skill", "why": f"not done well in any of {applicable} applicable call(s): the rep has not "
                                        "shown the behaviour yet"}
    if not g:
        return {"kind": "none", "why": "no gap seen"}
    return {"kind": "unknown", "why": f"only {applicable} applicable call(s): too few to tell skill from will"}


def band_level(value: float, bands: list[float]) -> int:
    return 1 + sum(1 for b in bands if value >= b)


def confidence(n: int, cfg: dict | None = None) -> str:
    c = (cfg or settings())["confidence"]
    return "high" if n >= c["high"] else "medium" if n >= c["medium"] else "low" if n >= 1 else "none"


def _round_half_up(x: float) -> int:
    return int(x + 0.5)


def assess(ctx: RepContext, crm_figures: dict, cfg: dict | None = None) -> list[dict]:
    """The six competencies for this rep.

    crm_figures: {"win_rate": {value, sample, source}, "forecast_within_10": {value, sample, source}}
    (value None when unknown)."""
    cfg = cfg or settings()
    out = []
    for cid in competency_ids(cfg):
        spec = cfg["competencies"][cid]
        signals = [signal_summary(ctx.calls, sig, cfg) for sig in spec["signals"]]
        crm = []
        for fig in spec.get("crm") or []:
            f = crm_figures.get(fig) or {}
            scale = cfg["crm_scales"][fig]
            used = f.get("value") is not None and (f.get("sample") or 0) >= scale["min_sample"]
            crm.append({"figure": fig, "value": f.get("value"), "sample": f.get("sample") or 0,
                        "source": f.get("source"), "used": used,
                        "score": band_level(f["value"], scale["bands"]) if used else None,
                        "why_unused": None if used else (
                            "no data" if f.get("value") is None else
                            f"only {f.get('sample')} (needs {scale['min_sample']})")})
        scores = [s["score"] for s in signals if s["score"] is not None] + [c["score"] for c in crm if c["used"]]
        call_ids = {i for s in signals for i in s["call_ids"]}
        n = len(call_ids) + sum(c["sample"] for c in crm if c["used"])
        if scores:
            mean = sum(scores) / len(scores)
            level = max(1, min(5, _round_half_up(mean)))
            target = min(5, level + cfg["target"]["step"])
            conf = confidence(n, cfg)
        else:
            mean = level = target = None
            conf = "none"
        explain = _explain(signals, crm, level, ctx)
        obs = [{"signal": o["signal"], "polarity": o["polarity"], "statement": o["statement"],
                "proof_count": o["proof_count"], "applicable_count": o.get("applicable_count")}
               for o in ctx.observations if o["signal"] in spec["signals"]]
        out.append({"id": cid, "label": spec["label"], "level": level if level is not None else "unknown",
                    "score": round(mean, 2) if mean is not None else None,
                    "target": target if target is not None else "unknown",
                    "gap": (target - level) if level is not None else "unknown",
                    "confidence": conf, "evidence_count": n, "weight": spec["weight"],
                    "signals": [{k: v for k, v in s.items() if k != "call_ids"} for s in signals],
                    "crm": crm, "observations": obs, "explanation": explain})
    return out


def _explain(signals: list[dict], crm: list[dict], level, ctx: RepContext) -> str:
    parts = []
    for s in signals:
        name = s["signal"].replace("_", " ")
        if s["applicable_calls"]:
            parts.append(f"{name}: strength in {s['strength_calls']} of {s['applicable_calls']} call(s), "
                         f"gap in {s['gap_calls']}")
    for c in crm:
        if c["used"]:
            parts.append(f"{c['figure'].replace('_', ' ')} {c['value']:.0%} over {c['sample']} (CRM, level {c['score']})")
    if level is None:
        need = []
        if any(not s["applicable_calls"] for s in signals) and signals:
            need.append("calls where " + ", ".join(s["signal"].replace("_", " ") for s in signals
                                                    if not s["applicable_calls"]) + " can be judged")
        for c in crm:
            if not c["used"]:
                need.append({"win_rate": "closed CRM deals owned by the rep",
                             "open_deals_qualified": "open CRM deals of the rep with calls on record",
                             "forecast_within_10": "forecast snapshots over completed periods "
                                                   "(salescoach forecast snapshot)"}.get(c["figure"], c["figure"]))
        return "Not enough evidence to score; needs " + "; ".join(need) + "." if need else "No evidence."
    return "; ".join(parts) + "."
