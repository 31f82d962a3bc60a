"""Coaching signals: a fixed vocabulary, and each call's verdict on each of them.

Every call gives every signal one verdict: `strength`, `gap`, `neutral` (the signal applies but
the call is in between) or `not_applicable` (nothing to judge: e.g. a discovery-only signal on a
demo, or objection handling on a call without objections). Each verdict carries the measured
value, a one-line explanation and evidence (start time + quote from the call). Thresholds are
in `memory.config` (defaults documented there).

Definitions (rep questions = questions asked by a speaker on the selling side; "discovery
call" = the report's call.type is "discovery"):

- upfront_contract: the call opens with an upfront contract -> strength; none on a discovery or
  demo call -> gap; none on other calls -> not applicable.
- early_pitch (discovery calls): first pitch before `early_pitch_fraction` of the call -> gap;
  at or after it -> strength; no pitch at all -> neutral.
- implication_questions: >= implication_strength in any call -> strength; fewer than
  implication_gap_below on a discovery call -> gap; in between on a discovery call -> neutral.
- need_payoff_questions: >= need_payoff_strength_min in any call -> strength; none on a
  discovery call -> gap.
- situation_overload: >= situation_overload_count situation questions making up >=
  situation_overload_share of the rep's business questions (situation, problem, implication,
  need-payoff) -> gap (any call); on a discovery call with at
  least situation_ok_min_questions business questions of which at most situation_ok_max are situation
  questions -> strength; a call without rep questions -> not applicable.
- question_count (discovery calls): business questions (rep questions typed situation, problem,
  implication or need-payoff) >= question_count_strength -> strength, < question_count_gap_below
  -> gap.
- talk_ratio: rep talk share <= talk_share_strength -> strength; > talk_share_gap -> gap.
- monologues: longest rep monologue <= monologue_strength_s -> strength; > monologue_gap_s -> gap.
- objection_handling: the rep's responses to the call's objections average >= aecr_strength_steps
  of the four AECR steps -> strength, <= aecr_gap_steps -> gap; no objections -> not applicable.
- next_steps: a committed next step with a date -> strength; otherwise gap (calls of type
  "other" with no next-step talk at all: not applicable).
- multithreading (discovery calls): stakeholders (discovery coverage) and the decision process
  (MEDDPICC) both explored -> strength; neither -> gap; one -> neutral.
- pain_funnel: a rep question at Sandler level >= pain_funnel_strength_level -> strength (any
  call); on a discovery call whose deepest rep question is at level <= pain_funnel_gap_max_level
  (or has no level) -> gap.
- discovery_coverage (discovery calls): >= coverage_strength_min of the six must-knows ->
  strength; <= coverage_gap_max -> gap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from salescoach.memory.config import MemoryConfig

SIGNALS = ("upfront_contract", "early_pitch", "implication_questions", "need_payoff_questions",
           "situation_overload", "question_count", "talk_ratio", "monologues", "objection_handling",
           "next_steps", "multithreading", "pain_funnel", "discovery_coverage")
STRENGTH, GAP, NEUTRAL, NA = "strength", "gap", "neutral", "not_applicable"
VERDICTS = (STRENGTH, GAP, NEUTRAL, NA)
POLARITIES = (STRENGTH, GAP)
SIX = ("problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction")
AECR = ("acknowledge", "empathize", "clarify", "reframe")
BUSINESS_SPIN = ("situation", "problem", "implication", "need_payoff")

QuoteAt = Callable[[float | None, str | None], "tuple[str | None, str | None]"]


@dataclass
class Verdict:
    signal: str
    verdict: str
    value: float | None = None
    detail: str = ""
    evidence: list[dict] = field(default_factory=list)  # [{start, quote, speaker}]

    def as_dict(self) -> dict:
        return {"signal": self.signal, "verdict": self.verdict, "value": self.value, "detail": self.detail,
                "evidence": self.evidence}


def _ev(start, quote, speaker=None) -> list[dict]:
    return [{"start": start, "quote": quote, "speaker": speaker}] if quote else []


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


class _Ctx:
    def __init__(self, report: dict, quote_at: QuoteAt | None):
        self.r = report
        self.call = report.get("call") or {}
        self.type = self.call.get("type")
        self.discovery = self.type == "discovery"
        self.metrics = report.get("metrics") or {}
        self.rep_qs = [q for q in report.get("questions") or [] if q.get("role") == "rep"]
        self._quote_at = quote_at
        self.moments = report.get("moments") or []

    def quote(self, start, role: str | None = None):
        if self._quote_at is None or start is None:
            return None, None
        return self._quote_at(start, role)

    def covered(self, key: str) -> bool:
        """Was this coverage item found? `coverage_found` when the report has it (untimed calls have
        no coverage times), else whether its time list is non-empty."""
        found = self.r.get("coverage_found")
        if isinstance(found, dict) and key in found:
            return bool(found[key])
        group = "meddpicc" if key in ("metrics", "economic_buyer", "decision_criteria", "decision_process",
                                      "paper_process", "pain", "champion", "competition") else "discovery_coverage"
        return bool((self.r.get(group) or {}).get(key))

    def cov_evidence(self, key: str) -> list[dict]:
        """First evidence for a coverage item: its earliest time and quote (works for untimed calls)."""
        times = (self.r.get("discovery_coverage") or {}).get(key) or (self.r.get("meddpicc") or {}).get(key) or []
        if times:
            q, spk = self.cov_quote(key, min(times))
            return _ev(min(times), q, spk)
        for e in (self.r.get("coverage_evidence") or {}).get(key) or []:
            if isinstance(e, dict) and e.get("quote"):
                return _ev(e.get("start"), e["quote"], e.get("speaker"))
        return []

    def cov_quote(self, key: str, start):
        """Quote for a coverage time: the report's own `coverage_evidence` when present, else the transcript."""
        for e in (self.r.get("coverage_evidence") or {}).get(key) or []:
            if isinstance(e, dict) and e.get("start") == start and e.get("quote"):
                return e["quote"], e.get("speaker")
        return self.quote(start)

    def moment(self, skill: str, kind: str) -> list[dict]:
        """Evidence from the report's own moment for this skill (where the debrief points)."""
        for m in self.moments:
            if m.get("skill") == skill and m.get("kind") == kind and m.get("evidence"):
                return _ev(m.get("start"), m["evidence"], m.get("speaker"))
        return []

    def story(self) -> list[dict]:
        """The longest buyer story: where the pain was told and could have been explored further."""
        st = self.metrics.get("longest_buyer_story") or {}
        return _ev(st.get("start"), st.get("quote"), st.get("speaker"))

    def q_ev(self, qs: list[dict], limit: int = 3) -> list[dict]:
        return [{"start": q.get("start"), "quote": q.get("text"), "speaker": q.get("speaker")} for q in qs[:limit]
                if q.get("text")]


def _upfront_contract(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    uc = c.r.get("upfront_contract") or {}
    if uc.get("present"):
        q, spk = uc.get("quote"), None
        if not q:
            q, spk = c.quote(uc.get("start"), "rep")
        return Verdict("upfront_contract", STRENGTH, 1.0, "opened with an upfront contract",
                       _ev(uc.get("start"), q, spk) or c.moment("upfront_contract", "strength"))
    if c.type in ("discovery", "demo"):
        # where the contract was missing: the first business question (the call went straight in)
        first = [q for q in c.rep_qs if q.get("spin") not in (None, "other")] or c.rep_qs
        return Verdict("upfront_contract", GAP, 0.0, f"no upfront contract on a {c.type} call",
                       c.moment("upfront_contract", "opportunity") or c.q_ev(first, 1))
    return Verdict("upfront_contract", NA, None, "no upfront contract expected on this call type")


def _early_pitch(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    if not c.discovery:
        return Verdict("early_pitch", NA, None, "pitch timing is judged on discovery calls only")
    t, dur = c.r.get("first_pitch_s"), c.call.get("duration_s")
    if t is None:
        return Verdict("early_pitch", NEUTRAL, None, "no pitch detected")
    if not dur:
        return Verdict("early_pitch", NA, None, "call duration unknown")
    frac = t / dur
    fp = c.r.get("first_pitch") or {}
    q, spk = fp.get("quote"), fp.get("speaker")
    if not q:
        q, spk = c.quote(t, "rep")
    ev = _ev(t, q, spk)
    lim = cfg.t("early_pitch_fraction")
    if frac < lim:
        return Verdict("early_pitch", GAP, round(frac, 3), f"first pitch at {_pct(frac)} of the call (before {_pct(lim)})",
                       ev or c.moment("early_pitch", "opportunity"))
    return Verdict("early_pitch", STRENGTH, round(frac, 3), f"first pitch at {_pct(frac)} of the call",
                   ev or c.moment("early_pitch", "strength"))


def _by_spin(c: _Ctx, kind: str) -> list[dict]:
    return [q for q in c.rep_qs if q.get("spin") == kind]


def _implication(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    imp = _by_spin(c, "implication")
    n = len(imp)
    if n >= cfg.t("implication_strength"):
        return Verdict("implication_questions", STRENGTH, n, f"{n} implication question(s)", c.q_ev(imp))
    if not c.discovery:
        return Verdict("implication_questions", NA, n, "fewer implication questions than a strength; gaps are "
                       "judged on discovery calls only")
    if n < cfg.t("implication_gap_below"):
        ev = (c.moment("implication_questions", "opportunity") or c.q_ev(_by_spin(c, "problem"), 1) or c.q_ev(imp)
              or c.story())
        return Verdict("implication_questions", GAP, n, f"only {n} implication question(s) on a discovery call", ev)
    return Verdict("implication_questions", NEUTRAL, n, f"{n} implication question(s)", c.q_ev(imp))


def _need_payoff(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    np_ = _by_spin(c, "need_payoff")
    n = len(np_)
    if n >= cfg.t("need_payoff_strength_min"):
        return Verdict("need_payoff_questions", STRENGTH, n, f"{n} need-payoff question(s)", c.q_ev(np_))
    if c.discovery:
        return Verdict("need_payoff_questions", GAP, 0, "no need-payoff question on a discovery call",
                       c.q_ev(_by_spin(c, "problem"), 1) or c.story())
    return Verdict("need_payoff_questions", NA, 0, "need-payoff gaps are judged on discovery calls only")


def _situation(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    total = len(c.rep_qs)
    if not total:
        return Verdict("situation_overload", NA, None, "the rep asked no questions")
    sit = _by_spin(c, "situation")
    deeper = [q for q in c.rep_qs if q.get("spin") in ("problem", "implication", "need_payoff")]
    n = len(sit)
    share = n / (n + len(deeper)) if n + len(deeper) else 0.0  # of the business questions: rapport and logistics do not dilute it
    if n >= cfg.t("situation_overload_count") and share >= cfg.t("situation_overload_share"):
        res = [q for q in sit if q.get("researchable")]
        return Verdict("situation_overload", GAP, n, f"{n} situation questions ({_pct(share)} of the rep's business questions"
                       + (f", {len(res)} researchable)" if res else ")"), c.q_ev(res + [q for q in sit if q not in res]))
    if c.discovery and n + len(deeper) >= cfg.t("situation_ok_min_questions") and n <= cfg.t("situation_ok_max"):
        return Verdict("situation_overload", STRENGTH, n, f"only {n} situation question(s) among {n + len(deeper)} "
                       "business questions", c.q_ev(deeper, 1))
    return Verdict("situation_overload", NEUTRAL, n, f"{n} situation question(s) of {total}", c.q_ev(sit, 1))


def _question_count(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    if not c.discovery:
        return Verdict("question_count", NA, None, "question count is judged on discovery calls only")
    biz = [q for q in c.rep_qs if q.get("spin") in BUSINESS_SPIN]
    n = len(biz)
    ev = c.q_ev(biz, 2)
    if n >= cfg.t("question_count_strength"):
        return Verdict("question_count", STRENGTH, n, f"{n} business questions", ev)
    if n < cfg.t("question_count_gap_below"):
        ev = ev or c.story()
        return Verdict("question_count", GAP, n, f"only {n} business question(s) on a discovery call", ev)
    return Verdict("question_count", NEUTRAL, n, f"{n} business questions", ev)


def _talk_ratio(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    share = c.metrics.get("rep_talk_share")
    if share is None:
        return Verdict("talk_ratio", NA, None, "rep talk share unknown")
    mono = c.metrics.get("longest_rep_monologue") or {}
    story = c.metrics.get("longest_buyer_story") or {}
    if share <= cfg.t("talk_share_strength"):
        return Verdict("talk_ratio", STRENGTH, share, f"rep talk share {_pct(share)}",
                       _ev(story.get("start"), story.get("quote"), story.get("speaker")) or c.moment("talk_ratio", "strength"))
    if share > cfg.t("talk_share_gap"):
        return Verdict("talk_ratio", GAP, share, f"rep talk share {_pct(share)}",
                       _ev(mono.get("start"), mono.get("quote"), mono.get("speaker")) or c.moment("talk_ratio", "opportunity"))
    return Verdict("talk_ratio", NEUTRAL, share, f"rep talk share {_pct(share)}")


def _monologues(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    ml = c.metrics.get("longest_rep_monologue_s")
    if ml is None:
        return Verdict("monologues", NA, None, "monologue length unknown (untimed transcript)")
    mono = c.metrics.get("longest_rep_monologue") or {}
    ev = _ev(mono.get("start"), mono.get("quote"), mono.get("speaker"))
    if ml > cfg.t("monologue_gap_s"):
        return Verdict("monologues", GAP, ml, f"longest rep monologue {ml:.0f} s", ev)
    if ml <= cfg.t("monologue_strength_s"):
        return Verdict("monologues", STRENGTH, ml, f"longest rep monologue {ml:.0f} s", ev)
    return Verdict("monologues", NEUTRAL, ml, f"longest rep monologue {ml:.0f} s", ev)


def _objections(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    objs = c.r.get("objections") or []
    if not objs:
        return Verdict("objection_handling", NA, None, "no objections in this call")
    steps = [sum(bool((o.get("handling") or {}).get(k)) for k in AECR) for o in objs]
    avg = sum(steps) / len(steps)
    ev = [{"start": o.get("start"), "quote": o.get("text"), "speaker": o.get("speaker"),
           "response": o.get("response_text"), "steps": s} for o, s in zip(objs, steps) if o.get("text")][:3]
    detail = f"{len(objs)} objection(s), {avg:.1f} of 4 AECR steps on average"
    if avg >= cfg.t("aecr_strength_steps"):
        return Verdict("objection_handling", STRENGTH, round(avg, 2), detail, ev)
    if avg <= cfg.t("aecr_gap_steps"):
        return Verdict("objection_handling", GAP, round(avg, 2), detail, ev)
    return Verdict("objection_handling", NEUTRAL, round(avg, 2), detail, ev)


def _next_steps(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    ns = c.r.get("next_step") or {}
    ev = _ev(ns.get("start"), ns.get("text"))
    if ns.get("committed") and ns.get("has_date"):
        return Verdict("next_steps", STRENGTH, 1.0, "committed next step with a date", ev)
    if c.type == "other" and not ns.get("text"):
        return Verdict("next_steps", NA, None, "no next step expected on this call type")
    detail = "next step without a date" if ns.get("committed") else "no committed next step"
    return Verdict("next_steps", GAP, 0.0, detail, ev or c.moment("next_steps", "opportunity"))


def _multithreading(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    if not c.discovery:
        return Verdict("multithreading", NA, None, "judged on discovery calls only")
    who, proc = c.covered("stakeholders"), c.covered("decision_process")
    ev = []
    for key, present in (("stakeholders", who), ("decision_process", proc)):
        if present:
            ev += c.cov_evidence(key)
    if who and proc:
        return Verdict("multithreading", STRENGTH, 2, "stakeholders and decision process explored", ev)
    if not who and not proc:
        return Verdict("multithreading", GAP, 0, "neither stakeholders nor decision process explored",
                       c.moment("multithreading", "opportunity"))
    return Verdict("multithreading", NEUTRAL, 1, "stakeholders explored" if who else "decision process explored", ev)


def _pain_funnel(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    levels = [q for q in c.rep_qs if q.get("sandler_level")]
    deepest = max((q["sandler_level"] for q in levels), default=0)
    deep = [q for q in levels if q["sandler_level"] >= cfg.t("pain_funnel_strength_level")]
    if deep:
        return Verdict("pain_funnel", STRENGTH, deepest, f"reached Sandler level {deepest}", c.q_ev(deep))
    if not c.discovery:
        return Verdict("pain_funnel", NA, deepest or None, "depth gaps are judged on discovery calls only")
    if deepest <= cfg.t("pain_funnel_gap_max_level"):
        return Verdict("pain_funnel", GAP, deepest, f"deepest pain question at level {deepest}",
                       c.q_ev([q for q in levels if q["sandler_level"] == deepest], 1) or c.q_ev(_by_spin(c, "problem"), 1)
                       or c.story())
    return Verdict("pain_funnel", NEUTRAL, deepest, f"deepest pain question at level {deepest}",
                   c.q_ev([q for q in levels if q["sandler_level"] == deepest], 1))


def _coverage(c: _Ctx, cfg: MemoryConfig) -> Verdict:
    if not c.discovery:
        return Verdict("discovery_coverage", NA, None, "judged on discovery calls only")
    covered = [k for k in SIX if c.covered(k)]
    n = len(covered)
    ev = []
    for k in covered[:3]:
        ev += [dict(e, item=k) for e in c.cov_evidence(k)]
    missing = [k for k in SIX if k not in covered]
    if n >= cfg.t("coverage_strength_min"):
        return Verdict("discovery_coverage", STRENGTH, n, f"{n} of 6 must-knows covered", ev)
    if n <= cfg.t("coverage_gap_max"):
        return Verdict("discovery_coverage", GAP, n, f"{n} of 6 must-knows covered; missing: {', '.join(missing)}",
                       ev or c.moment("discovery_coverage", "opportunity"))
    return Verdict("discovery_coverage", NEUTRAL, n, f"{n} of 6 must-knows covered", ev)


_JUDGES = {"upfront_contract": _upfront_contract, "early_pitch": _early_pitch, "implication_questions": _implication,
           "need_payoff_questions": _need_payoff, "situation_overload": _situation, "question_count": _question_count,
           "talk_ratio": _talk_ratio, "monologues": _monologues, "objection_handling": _objections,
           "next_steps": _next_steps, "multithreading": _multithreading, "pain_funnel": _pain_funnel,
           "discovery_coverage": _coverage}
assert tuple(_JUDGES) == SIGNALS


def judge(report: dict, cfg: MemoryConfig, quote_at: QuoteAt | None = None) -> list[Verdict]:
    """Every signal's verdict for one call report (in SIGNALS order).

    `quote_at(start, role)` -> (text, speaker) of the segment starting at `start` (optional): used
    to quote the places the report points to by time only (coverage, stakeholders, ...).
    """
    if not (report.get("call") or {}).get("reps"):
        return [Verdict(s, NA, None, "no rep identified in this call") for s in SIGNALS]
    c = _Ctx(report, quote_at)
    out = [_JUDGES[s](c, cfg) for s in SIGNALS]
    for v in out:  # a verdict that counts always quotes the call: at worst the buyer's longest story
        if v.verdict in POLARITIES and not v.evidence:
            v.evidence = c.story() or c.q_ev(c.rep_qs, 1)
    return out
