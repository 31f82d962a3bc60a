"""Moments: the strengths and coaching opportunities a debrief is written from.

Runs last and reads what the other analyzers found. Every moment names a skill (the coaching
signals of `frameworks/coaching.json`), a start time and a quote from the call. When a moment is
about something missing (no upfront contract, no dated next step), the quote is the place where
it should have happened (the first business question, the close of the call).

Rules (thresholds in frameworks/coaching.json, "thresholds"):
- upfront_contract: present -> strength; absent on a discovery or demo call -> opportunity.
- talk_ratio: rep talk share <= 45% -> strength; > 55% -> opportunity.
- monologues: longest rep monologue > 90 s -> opportunity.
- implication_questions: >= 3 -> strength; < 2 on a discovery call -> opportunity.
- need_payoff_questions: at least one -> strength.
- pain_funnel: a rep question at Sandler level 3 (personal stakes) -> strength.
- situation_overload: >= 5 situation questions making >= 40% of the rep's business questions (situation,
  problem, implication, need-payoff: rapport, logistics and checks do not dilute it) -> opportunity.
- objection_handling: per objection, >= 3 of 4 AECR steps -> strength; <= 1 -> opportunity.
- early_pitch (discovery calls): pitching before discovery is done -> opportunity; a pitch after
  the halfway mark -> strength.
- next_steps: committed with a date -> strength; otherwise -> opportunity.
- multithreading (discovery calls): stakeholders and decision process both explored -> strength;
  neither -> opportunity.
- discovery_coverage (discovery calls): >= 5 of the six must-knows -> strength; <= 3 -> opportunity.
Each moment carries `leverage` (position in "leverage_order", lower = more leverage); the debrief's
one coaching opportunity is the opportunity with the lowest leverage, earliest first.
"""
from __future__ import annotations

from salescoach.analysis.doc import BUYER, REP, CallDoc, clip
from salescoach.analysis.pipeline import analyzer
from salescoach.frameworks import load

DISCOVERY_LABELS = {"problem": "the problem", "root_cause": "its root cause", "impact": "its impact",
                    "stakeholders": "who else is affected", "why_now": "why now", "cost_of_inaction": "the cost of doing nothing"}


def clock(t: float | None) -> str:
    if t is None:
        return "--:--"
    t = int(round(t))
    return f"{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60:02d}:{t % 60:02d}"


def _pct(x: float | None) -> str:
    return "unknown" if x is None else f"{round(100 * x)}%"


class _Builder:
    def __init__(self, doc: CallDoc):
        self.doc = doc
        self.cfg = load("coaching")
        self.order = {s: i for i, s in enumerate(self.cfg["leverage_order"])}
        self.out: list[dict] = []

    def add(self, kind: str, skill: str, start, evidence: str | None, speaker: str | None = None, **fill) -> None:
        if not evidence:
            return
        sk = self.cfg["skills"][skill]
        key = "strength" if kind == "strength" else "gap"
        m = {"start": start, "kind": kind, "skill": skill, "label": sk["label"],
             "text": _fill(sk[key], fill), "evidence": evidence, "speaker": speaker,
             "leverage": self.order.get(skill, len(self.order))}
        if kind == "opportunity":
            tmpl = sk["try"] if "{pain}" not in sk["try"] or fill.get("pain") else sk.get("try_generic", sk["try"])
            m["try_instead"] = _fill(tmpl, fill)
            m["why"] = sk["why"]
            m["practice"] = sk["practice"]
        self.out.append(m)

    def quote_at(self, start, role: str | None = None, default_first: bool = False) -> tuple[str | None, str | None]:
        """The text of the first sentence at segment start `start` (optionally by a role)."""
        if start is None:  # untimed calls: callers pass quotes from the evidence instead
            return (None, None)
        for s in self.doc.sentences:
            if s.start == start and (role is None or s.role == role):
                return _seg_text(self.doc, s.seg), s.speaker
        return (None, None)


def _seg_text(doc: CallDoc, i: int, limit: int = 220) -> str:
    return clip(doc.call.segments[i].text, limit)


class _Keep(dict):
    """format_map values that leave unknown placeholders as they are ("{pain}")."""

    def __missing__(self, k):
        return "{" + k + "}"


def _fill(template: str, values: dict) -> str:
    return template.format_map(_Keep(values))


def _first_business_sentence(doc: CallDoc, questions: list[dict]):
    for q in questions:
        if q.get("role") == REP and q.get("spin") not in (None, "other"):
            return q.get("start"), q.get("text"), q.get("speaker")
    for s in doc.sentences:
        if s.role == REP and s.words >= 8:
            return s.start, _seg_text(doc, s.seg), s.speaker
    return None, None, None


def _last_rep(doc: CallDoc):
    for s in reversed(doc.sentences):
        if s.role == REP and s.words >= 4:
            return s.start, _seg_text(doc, s.seg), s.speaker
    return None, None, None


@analyzer("moments")
def moments(doc: CallDoc) -> None:
    r = doc.report
    if not doc.call.reps:  # without a known rep there is nobody to coach
        r["moments"] = []
        return
    b = _Builder(doc)
    th = b.cfg["thresholds"]
    ctype = (r.get("call") or {}).get("type")
    discovery = ctype == "discovery"
    m = r.get("metrics") or {}
    qs = [q for q in r.get("questions") or [] if q.get("role") == REP]

    # Upfront contract
    uc = r.get("upfront_contract") or {}
    if uc.get("present"):
        els = [e for e in (uc.get("elements") or {}).values() if isinstance(e, dict) and e.get("quote")]
        q, spk = b.quote_at(uc.get("start"), REP)
        b.add("strength", "upfront_contract", uc.get("start"), (els[0]["quote"] if els else None) or q, spk)
    elif ctype in ("discovery", "demo"):
        t, q, spk = _first_business_sentence(doc, qs)
        dur = r["call"].get("duration_s")
        b.add("opportunity", "upfront_contract", t, q, spk, minutes=round(dur / 60) if dur else 30)

    # Talk ratio and monologues
    share = m.get("rep_talk_share")
    mono = m.get("longest_rep_monologue") or {}
    story = m.get("longest_buyer_story") or {}
    if share is not None and share <= th["talk_share_strength"]:
        b.add("strength", "talk_ratio", story.get("start"), story.get("quote"), story.get("speaker"), share=_pct(share))
    elif share is not None and share > th["talk_share_gap"]:
        b.add("opportunity", "talk_ratio", mono.get("start"), mono.get("quote"), mono.get("speaker"), share=_pct(share))
    ml = m.get("longest_rep_monologue_s")
    if ml is not None and ml > th["monologue_gap_s"]:
        b.add("opportunity", "monologues", mono.get("start"), mono.get("quote"), mono.get("speaker"),
              duration=f"{ml:.0f} s")

    # Question depth
    by = {k: [q for q in qs if q.get("spin") == k] for k in ("situation", "problem", "implication", "need_payoff")}
    imp = by["implication"]
    if len(imp) >= th["implication_strength"]:
        b.add("strength", "implication_questions", imp[0].get("start"), imp[0].get("text"), imp[0].get("speaker"),
              count=len(imp), example=imp[0].get("text"))
    elif discovery and len(imp) < th["implication_gap_below"]:
        # Evidence: the buyer's answer to the first problem question: the pain that was not explored.
        ev = None
        for pq in by["problem"]:
            ev = _answer_after(doc, pq.get("start"))
            if ev:
                break
        if ev:
            b.add("opportunity", "implication_questions", ev[0], ev[1], ev[2], count=len(imp), pain=_phrase(ev[1]))
        elif by["problem"]:
            pq = by["problem"][0]
            b.add("opportunity", "implication_questions", pq.get("start"), pq.get("text"), pq.get("speaker"),
                  count=len(imp), pain=_pain_quote(doc, r))
    if by["need_payoff"]:
        q = by["need_payoff"][0]
        b.add("strength", "need_payoff_questions", q.get("start"), q.get("text"), q.get("speaker"), example=q.get("text"))
    deep = [q for q in qs if q.get("sandler_level") == 3]
    if deep:
        b.add("strength", "pain_funnel", deep[0].get("start"), deep[0].get("text"), deep[0].get("speaker"),
              example=deep[0].get("text"))
    sit = by["situation"]
    business = sum(len(v) for v in by.values())  # situation, problem, implication, need-payoff (not rapport or logistics)
    if business and len(sit) >= th["situation_overload_count"] and len(sit) / business >= th["situation_overload_share"]:
        res = [q for q in sit if q.get("researchable")]
        ex = res[0] if res else sit[0]
        note = f", {len(res)} of them answerable from research before the call" if res else ""
        b.add("opportunity", "situation_overload", ex.get("start"), ex.get("text"), ex.get("speaker"),
              count=len(sit), share=_pct(len(sit) / business), researchable=note, example=ex.get("text"))

    # Objections
    for o in r.get("objections") or []:
        h = o.get("handling") or {}
        steps = sum(bool(h.get(k)) for k in ("acknowledge", "empathize", "clarify", "reframe"))
        missing = ", ".join(k for k in ("acknowledge", "empathize", "clarify", "reframe") if not h.get(k)) or "none"
        cat = o.get("category") or "other"
        clarify = b.cfg["clarify"].get(cat, b.cfg["clarify"]["other"])
        resp = o.get("response_text") or "no reply before the conversation moved on"
        resp = clip(resp, 200)
        fill = dict(category=cat, objection=o.get("text"), steps=steps, missing=missing, clarify=clarify, response=resp)
        if steps >= th["aecr_strength_steps"]:
            b.add("strength", "objection_handling", o.get("start"), o.get("text"), o.get("speaker"), **fill)
        elif steps <= th["aecr_gap_steps"]:
            b.add("opportunity", "objection_handling", o.get("start"), o.get("text"), o.get("speaker"), **fill)

    # Pitch timing
    if discovery:
        fp = r.get("first_pitch") or {}
        t = r.get("first_pitch_s")
        q = fp.get("quote") or (b.quote_at(t, REP)[0] if t is not None else None)
        pbd = r.get("pitch_before_discovery")
        dur = r["call"].get("duration_s")
        early = pbd.get("flag") if isinstance(pbd, dict) else (t is not None and dur and t < dur / 2)
        if t is not None and early:
            miss = ""
            if isinstance(pbd, dict) and pbd.get("missing"):
                miss = " (not yet known: " + ", ".join(DISCOVERY_LABELS.get(k, k) for k in pbd["missing"]) + ")"
            b.add("opportunity", "early_pitch", t, q, None, time=clock(t), missing=miss, pain=_pain_quote(doc, r))
        elif t is not None:
            b.add("strength", "early_pitch", t, q, None)

    # Next step
    ns = r.get("next_step") or {}
    if ns.get("committed") and ns.get("has_date"):
        b.add("strength", "next_steps", ns.get("start"), ns.get("text"), None, quote=ns.get("text"))
    elif ctype != "other" or ns.get("text"):
        detail = " (a next step was agreed, but no date was set)" if ns.get("committed") else ""
        t, q, spk = (ns.get("start"), ns.get("text"), None) if ns.get("text") else _last_rep(doc)
        b.add("opportunity", "next_steps", t, q, spk, detail=detail)

    # Multithreading and coverage (discovery calls)
    cov = r.get("discovery_coverage") or {}
    med = r.get("meddpicc") or {}
    found = r.get("coverage_found") or {k: bool(v) for k, v in {**cov, **med}.items()}
    ev = r.get("coverage_evidence") or {}

    def first_evidence(keys):
        items = [e for k in keys for e in ev.get(k) or [] if isinstance(e, dict) and e.get("quote")]
        items.sort(key=lambda e: (e.get("segment") is None, e.get("segment") or 0))
        return (items[0].get("start"), items[0]["quote"], items[0].get("speaker")) if items else (None, None, None)

    if discovery and found:
        who, proc = bool(found.get("stakeholders")), bool(found.get("decision_process"))
        if who and proc:
            b.add("strength", "multithreading", *first_evidence(["stakeholders", "decision_process"]))
        elif not who and not proc:
            t, q, spk = _last_rep(doc)
            b.add("opportunity", "multithreading", t, q, spk)
        covered = [k for k in DISCOVERY_LABELS if found.get(k)]
        missing = [DISCOVERY_LABELS[k] for k in DISCOVERY_LABELS if not found.get(k)]
        if len(covered) >= 5:
            b.add("strength", "discovery_coverage", *first_evidence(covered), covered=len(covered))
        elif len(covered) <= 3:
            t = r.get("first_pitch_s")
            q, spk = (b.quote_at(t, REP) if t is not None else (None, None))
            if not q:
                t, q, spk = _last_rep(doc)
            b.add("opportunity", "discovery_coverage", t, q, spk, missing=_join(missing))

    b.out.sort(key=lambda x: (x["start"] is None, x["start"] or 0.0))
    r["moments"] = b.out


_FILLERS = {"um", "uh", "so", "yeah", "well", "honestly", "and", "but", "like", "i", "mean", "you", "know", "oh",
            "okay", "right", "look"}


def _phrase(quote: str | None, max_words: int = 14) -> str | None:
    """A short clause of a buyer quote to play back in a suggested line."""
    if not quote:
        return None
    first = quote.replace("…", "").split(". ")[0].strip().rstrip(".!?")
    words = first.replace(",", " ,").split()
    while words and (words[0] == "," or words[0].lower() in _FILLERS):
        words.pop(0)
    if sum(w != "," for w in words) < 6:
        return None
    text = " ".join(words[:max_words]).replace(" ,", ",").strip(",")
    return text[0].lower() + text[1:] if not text.startswith("I ") else text


def _pain_quote(doc: CallDoc, r: dict) -> str | None:
    """The buyer's most substantial stated problem (coverage evidence), as a short phrase."""
    ev = r.get("coverage_evidence") or {}
    for key in ("problem", "pain", "impact"):
        stems = load("coaching")["pain_words"]
        quotes = [e["quote"] for e in ev.get(key) or [] if isinstance(e, dict) and e.get("quote")
                  and e.get("speaker") not in doc.call.reps and any(w in e["quote"].lower() for w in stems)]
        for q in sorted(quotes, key=lambda q: -len(q.split())):
            p = _phrase(q)
            if p:
                return p
    return None


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _answer_after(doc: CallDoc, start):
    """(start, quote, speaker) of the first substantive buyer sentence after the rep question at `start`."""
    seen = False
    for s in doc.sentences:
        if not seen and s.start == start and s.role == REP:
            seen = True
            continue
        if seen and s.role == BUYER and s.words >= 6:
            return s.start, _seg_text(doc, s.seg), s.speaker
    return None
