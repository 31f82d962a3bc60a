"""Retain: one call report -> typed findings, each with provenance (call, start, quote).

Three kinds (the seed bank's retain mission: discovery findings, coaching feedback, call-quality
patterns):

- `discovery`: what the buyer revealed, one finding per place in the call. Types: the six
  discovery must-knows (problem, root_cause, impact, stakeholders, why_now, cost_of_inaction),
  the MEDDPICC elements (metrics, economic_buyer, decision_criteria, decision_process,
  paper_process, pain, champion, competition), `budget` (where the report names budget talk,
  including budget objections) and `objection` (every buyer objection, with its category). At
  most `MAX_PER_TYPE` places per type and call. The quote is the segment at that time (or the
  report's own evidence quote when it has one, e.g. an extra `coverage_evidence`).
- `coaching`: one finding per coaching signal (see `memory.signals`): `signal`, `verdict`, the
  measured `value`, the explanation as `text`, the first evidence as start/quote and all of it
  in `data.evidence`.
- `quality`: call-quality measurements (`value`): rep talk share, longest rep monologue, longest
  buyer story, interactivity, patience, questions asked, questions per hour, business questions
  by SPIN type, deepest pain-funnel level, first pitch (fraction of the call).
"""
from __future__ import annotations

from salescoach.analysis.doc import clip
from salescoach.memory.config import MemoryConfig
from salescoach.memory.signals import SIX, judge

MEDDPICC = ("metrics", "economic_buyer", "decision_criteria", "decision_process", "paper_process", "pain",
            "champion", "competition")
MAX_PER_TYPE = 5
LABELS = {"problem": "the problem", "root_cause": "the root cause", "impact": "the impact",
          "stakeholders": "who else is affected", "why_now": "why now", "cost_of_inaction": "the cost of doing nothing",
          "metrics": "success metrics", "economic_buyer": "the economic buyer", "decision_criteria": "decision criteria",
          "decision_process": "the decision process", "paper_process": "the paper process", "pain": "pain",
          "champion": "a champion", "competition": "the competition", "budget": "budget"}


class SegmentIndex:
    """Quote lookup by segment start time: (text, speaker) of the first segment starting at t."""

    def __init__(self, segments):  # iterable of objects/dicts with start, speaker, role, text
        self.by_start: dict[float, list[tuple[str, str, str]]] = {}
        for s in segments:
            g = s.get if isinstance(s, dict) else (lambda k, _s=s: getattr(_s, k, None))
            st = g("start")
            if st is None:
                continue
            self.by_start.setdefault(round(float(st), 3), []).append((g("role") or "", g("text") or "", g("speaker") or ""))

    def __call__(self, start, role=None):
        if start is None:
            return None, None
        for r, text, spk in self.by_start.get(round(float(start), 3), ()):
            if role is None or r == role:
                return clip(text, 300), spk
        return None, None


def _discovery(report: dict, quote_at) -> list[dict]:
    out: list[dict] = []
    extra = report.get("coverage_evidence") if isinstance(report.get("coverage_evidence"), dict) else {}

    def add(typ: str, times, source: str):
        given = {round(float(e["start"]), 3): e for e in (extra.get(typ) or [])
                 if isinstance(e, dict) and e.get("start") is not None and e.get("quote")}
        for t in sorted(set(times or []))[:MAX_PER_TYPE]:
            e = given.get(round(float(t), 3))
            quote, spk = (e["quote"], e.get("speaker")) if e else quote_at(t)
            out.append({"kind": "discovery", "type": typ, "text": f"{LABELS.get(typ, typ)} came up ({source})",
                        "start": t, "quote": quote, "speaker": spk, "data": {"source": source}})
        if not times:  # untimed calls: the report's evidence carries the quotes (start is null)
            for e in [e for e in extra.get(typ) or [] if isinstance(e, dict) and e.get("quote")
                      and e.get("start") is None][:MAX_PER_TYPE]:
                out.append({"kind": "discovery", "type": typ, "text": f"{LABELS.get(typ, typ)} came up ({source})",
                            "start": None, "quote": e["quote"], "speaker": e.get("speaker"),
                            "data": {"source": source}})

    cov = report.get("discovery_coverage") or {}
    for k in SIX:
        add(k, cov.get(k), "discovery must-knows")
    med = report.get("meddpicc") or {}
    for k in MEDDPICC:
        add(k, med.get(k), "MEDDPICC")
    budget_times = list((report.get("budget") or {}).get("times") or []) if isinstance(report.get("budget"), dict) else []
    for o in report.get("objections") or []:
        cat = o.get("category")
        out.append({"kind": "discovery", "type": "objection", "text": f"{cat or 'other'} objection",
                    "start": o.get("start"), "quote": o.get("text"), "speaker": o.get("speaker"),
                    "data": {"category": cat, "handling": o.get("handling"), "response": o.get("response_text")}})
        if cat == "budget" and o.get("start") is not None:
            budget_times.append(o["start"])
    if budget_times:
        add("budget", budget_times, "budget talk")
    return out


def _quality(report: dict) -> list[dict]:
    m = report.get("metrics") or {}
    qs = [q for q in report.get("questions") or [] if q.get("role") == "rep"]
    out: list[dict] = []

    def add(typ, value, text, ev: dict | None = None):
        if value is None:
            return
        ev = ev or {}
        out.append({"kind": "quality", "type": typ, "value": float(value), "text": text, "start": ev.get("start"),
                    "quote": ev.get("quote"), "speaker": ev.get("speaker"), "data": None})

    share = m.get("rep_talk_share")
    add("rep_talk_share", share, f"rep talk share {round(100 * share)}%" if share is not None else "")
    ml = m.get("longest_rep_monologue_s")
    add("longest_rep_monologue_s", ml, f"longest rep monologue {ml:.0f} s" if ml is not None else "",
        m.get("longest_rep_monologue"))
    bs = m.get("longest_buyer_story_s")
    add("longest_buyer_story_s", bs, f"longest buyer story {bs:.0f} s" if bs is not None else "", m.get("longest_buyer_story"))
    add("interactivity", m.get("interactivity"), f"{m.get('interactivity')} speaker switches per minute")
    add("patience_s", m.get("patience_s"), f"{m.get('patience_s')} s pause before the rep answers")
    add("rep_questions", m.get("rep_questions", len(qs)), f"{m.get('rep_questions', len(qs))} rep questions")
    add("questions_per_hour", m.get("questions_per_hour"), f"{m.get('questions_per_hour')} rep questions per hour")
    for k in ("situation", "problem", "implication", "need_payoff"):
        n = sum(1 for q in qs if q.get("spin") == k)
        add(f"{k}_questions", n, f"{n} {k.replace('_', '-')} question(s)")
    levels = [q.get("sandler_level") or 0 for q in qs]
    add("pain_funnel_depth", max(levels, default=0), f"deepest pain-funnel level {max(levels, default=0)}")
    fp, dur = report.get("first_pitch_s"), (report.get("call") or {}).get("duration_s")
    if fp is not None and dur:
        add("first_pitch_fraction", round(fp / dur, 3), f"first pitch at {round(100 * fp / dur)}% of the call",
            {"start": fp})
    return out


def retain(report: dict, cfg: MemoryConfig, segments=None) -> list[dict]:
    """All findings of one call report (dicts: kind, type, signal, verdict, value, text, start, quote, speaker, data)."""
    quote_at = SegmentIndex(segments or [])
    findings = _discovery(report, quote_at)
    for v in judge(report, cfg, quote_at):
        ev0 = v.evidence[0] if v.evidence else {}
        findings.append({"kind": "coaching", "type": v.signal, "signal": v.signal, "verdict": v.verdict,
                         "value": None if v.value is None else float(v.value), "text": v.detail,
                         "start": ev0.get("start"), "quote": ev0.get("quote"), "speaker": ev0.get("speaker"),
                         "data": {"evidence": v.evidence}})
    findings += _quality(report)
    return findings
