"""Call structure: call type, upfront contract, first pitch, pitch-before-discovery, next step, time split.

Cue patterns live in `frameworks/structure.json` (teams can extend them). All matching runs on normalised
segment text (lower case, no punctuation), so it works the same on speech-to-text without punctuation.
"Position" in the call is the share of the call's duration before a segment starts; for untimed
transcripts it is the share of words spoken before it. The selling side is the `--rep` speakers (without
them, a guess: see `coverage.selling_side`).

- call.type: kept when given (`--call-type` or the file's metadata; `type_source` "given"). Otherwise
  detected (`type_source` "detected") from cue counts over the whole call, cues in the rep's opening
  agenda counting `agenda_weight` times: negotiation when negotiation cues (proposal, terms, order form,
  signature, redlines...) reach `negotiation_min` and outnumber demo cues; else demo when demo cues
  (share my screen, sandbox, this view, one click...) in the rep's words reach `demo_min`; else discovery when the rep asks
  at least `discovery_min_rep_questions` questions and the buyer reveals at least `discovery_min_must_knows` of the
  six must-knows (see the coverage analyzer); else other (e.g. a cold pitch). `type_scores` shows the counts.
- upfront_contract: the rep frames the call near its start: agenda (what we'll do), time (how long we
  have), permission (does that work / anything to add / ask me anything) and outcomes (by the end we
  decide together whether there's a next step; a "no" is fine). Searched in the rep's segments that
  start within the opening window (20% of the call, at least 3 and at most 7 minutes; untimed: 20% of
  the segments, at least 12). Elements are grouped when they fall within `upfront_cluster_s` seconds and
  `upfront_cluster_segments` segments of the group's first one; the contract is present when the best
  group holds at least two elements, one of them agenda or outcomes (a bare "does 30 minutes still work?"
  is a time check, not a contract). `start` is the group's first segment; `elements` gives each
  element's evidence {start, quote} or null.
- first_pitch_s: start of the first rep segment that presents the offering: a capability statement
  ("we connect to...", "it deduplicates...", "this view shows...", "you get...") of at least `min_words`
  words. After a transition into presenting ("let me show you", "would it be okay if I shared how
  we...", "let me share my screen", "quick recap of the proposal", "here's how we'd fix that"), the
  pitch is the next rep statement (not a question) of at least `min_words` words within three rep
  segments and 90 s (the transition segment itself counts when it holds a capability cue, or when at least
  `min_words` words follow the transition in it); naming and defining the offering ("Acme is a fleet safety
  platform", "Acme does two things": `named_definition`, after a capitalised name that is not a pronoun) is a
  transition too; a statement that plays back what the buyer said (`recap`:
  "to recap where we got to last time") is skipped; or, without a transition, when it holds at least two capability cues
  in `fallback_min_words` words and does not answer a buyer's question (answering a quick product
  question is not a pitch). Segments of the upfront contract never count (announcing a later demo is
  not a pitch). null when the rep never presents. `first_pitch` = {start, quote, segment}.
- pitch_before_discovery (discovery calls only): flagged when the first pitch starts before half of
  the call (the seed rule of thumb: pitching before minute 15 of 30 is rushing) or before the core
  must-knows (problem, impact: see the coverage analyzer) came out. `reason` says which; `evidence`
  is the pitch. Not flagged for other call types or calls without a pitch.
- next_step: searched from 40% of the call on. A proposal is a segment with a proposal cue ("let's set
  up...", "could we do...", "does Thursday work...", "next step"; an open "how about / what if we..." only
  with a meeting word, a day or time, or an owned action: in a negotiation it often proposes terms) or a
  meeting word (session, call, invite...) together with a specific day, date or clock time, or an action
  asked for by a date ("can you send the signed form back by Thursday?"). It is agreed when the other side accepts
  ("works", "sounds good", "I'll grab it") in its next few segments before declining or hedging ("maybe later",
  "let me think", "possibly, I'd have to ask him", "you can try"). committed = an agreed proposal with a specific day/date/time (in the proposal or
  the acceptance); the first such one is reported. An agreed proposal without a date is committed with
  has_date false, unless it is itself a vague close ("I'll send some info, then maybe we reconnect"). Otherwise the last proposal or vague close ("let's
  stay in touch", "I'll send some info", "think it over") is reported with committed false (a
  dated proposal that was not agreed is preferred, so has_date can be true when committed is not).
  has_date: a specific day, date or time (weekday, "the 14th", "March 3", "10 a.m.", "tomorrow",
  "today", "end of day"; "next week" and "soon" are not specific). has_owner: someone is named for an
  action in the proposal or the few segments around it ("I'll send the invite", "Jordan, could you
  export...", "you send Mark the invite"); a vague close without a proposal has no owner even when it
  says "I'll send some info" (nothing is owned that moves the deal to a next meeting or decision).
- time_split (discovery calls with times; else null): the call cut into opening (start to the end of
  the upfront contract, or to the rep's first business question when there is none), discovery (to
  the first pitch), pitch (to the next-step proposal) and next steps (to the end), each with seconds,
  share, the ideal share of the 2/18/6/4-minute shape and the deviation (actual - ideal share).
  A missing pitch or next step gives that phase zero seconds.
"""
from __future__ import annotations

import re
from functools import lru_cache

from salescoach.analysis import coverage as cov
from salescoach.analysis.doc import REP, CallDoc
from salescoach.analysis.pipeline import analyzer
from salescoach.frameworks import load

ELEMENTS = ["agenda", "time", "permission", "outcomes"]
PHASES = ["opening", "discovery", "pitch", "next_steps"]
_NAMED_ANY = re.compile(r"(?<![\w.'’])[A-Z][a-z]{2,}[A-Za-z]* (?:also |then |just |now |automatically )?[a-z]{2,}s\b(?!['’])")
_Q_START = re.compile(r"^ ?(?:so |and |but |okay |ok |um |uh )*(?:who|what|when|where|why|how|which|is|are|do|does|did|can|could|would|will|should|have|has)\b")


@lru_cache(maxsize=8)
def _compiled(cfg_id: int) -> dict:
    cfg = load("structure")
    num, when = cfg["number"], cfg["when"]

    def alt(pats: list[str]) -> re.Pattern:
        return cov.alternation([p.replace("{WHEN}", when) for p in pats], num)

    uc, p, ns, ct = cfg["upfront_contract"], cfg["pitch"], cfg["next_step"], cfg["call_type"]
    return {
        "cfg": cfg,
        "uc": {e: alt(uc[e]) for e in ELEMENTS},
        "transition": alt(p["transition"]), "capability": alt(p["capability"]), "recap": alt(p.get("recap", [])),
        "named": re.compile(r"(?<![\w.])(?:[A-Z][a-z]+[A-Za-z]*|[A-Z]{2,})(?: [A-Z][a-z]+)? (?:also |then |just |automatically )?(?:"
                            + "|".join(re.escape(v) for v in p.get("named_subject_verbs", [])) + r")\b"),
        "named_def": re.compile(r"(?<![\w.'’])(?!(?:It|This|That|There|Here|What|Which|Who|He|She|They|We|You|Our|Your|Their|His|Her|Its|Mine|Yours|And|But|So|Now|Then|Well|Okay|Yes|Yeah|No)\b)"
                                r"[A-Z][a-z]+[A-Za-z]*(?: [A-Z][a-z]+)? (?:" + "|".join(p.get("named_definition", [])) + r")")
        if p.get("named_definition") else None,
        # "This is Tidewell." / "This is Shiftwell, it's ...": the rep names the product on screen (a greeting
        # "hi, this is Dana" is not; nor "this is Dana from ...")
        "named_this": re.compile(r"(?<![\w])(?<!(?:hi|Hi|HI), )(?<!(?:hi|Hi|HI) )(?<!(?:hey|Hey), )(?<!(?:hey|Hey) )"
                                 r"(?<!(?:hello|Hello), )(?<!(?:hello|Hello) )[Tt]his is "
                                 r"(?!(?:It|This|That|There|Here|What|Our|Your|My|The|A|An|Just|Really|Exactly)\b)"
                                 r"[A-Z][a-z]+[A-Za-z]*(?=[.!]|, it|, it's| it's|\s*$)"),
        "proposal": alt(ns["proposal"]), "proposal_open": alt(ns.get("proposal_open", [])),
        "meeting": alt(ns["meeting"]), "accept": alt(ns["accept"]),
        "reject": alt(ns["reject"]), "vague": alt(ns["vague"]), "owner": alt(ns["owner"]), "when": alt([when]),
        "negotiation": alt(ct["negotiation"]), "demo": alt(ct["demo"]), "other": alt(ct.get("other", [])),
    }


class _Ctx:
    """Per-call facts shared by the detectors."""

    def __init__(self, doc: CallDoc):
        self.doc = doc
        self.C = _compiled(id(load("structure")))
        self.cfg = self.C["cfg"]
        self.segs = doc.call.segments
        self.n = len(self.segs)
        self.norms = cov.seg_norms(doc)
        self.roles = cov.selling_side(doc)
        self.timed = doc.call.timed
        self.dur = doc.call.duration_s if self.timed else None
        words = [len(t.split()) for t in self.norms]
        total = sum(words) or 1
        acc, self.word_pos = 0, []
        for w in words:
            self.word_pos.append(acc / total)
            acc += w
        self.words = words

    def pos(self, i: int) -> float:
        if self.timed and self.dur:
            return max(0.0, self.segs[i].start or 0.0) / self.dur
        return self.word_pos[i] if i < self.n else 1.0

    def is_rep(self, i: int) -> bool:
        return self.roles.get(i) == REP

    def cap_hits(self, i: int) -> int:
        """Capability cues in segment i (normalised patterns + 'Name verbs' on the raw text)."""
        return len(self.C["capability"].findall(self.norms[i])) + len(self.C["named"].findall(self.segs[i].text))

    def named_any(self, i: int) -> bool:
        """A capitalised subject followed by a present-tense verb ("Shiftly gives..."): after a transition only."""
        return bool(_NAMED_ANY.search(self.segs[i].text))

    def quote(self, i: int, rx: re.Pattern | None = None) -> str:
        return cov._quote(self.doc, i, rx)

    def ev(self, i: int | None, rx: re.Pattern | None = None) -> dict | None:
        if i is None:
            return None
        return {"start": self.segs[i].start, "quote": self.quote(i, rx), "segment": i}

    def first_at(self, share: float) -> int:
        for i in range(self.n):
            if self.pos(i) >= share:
                return i
        return self.n


# ---------------------------------------------------------------- upfront contract
def _in_opening(x: _Ctx, i: int) -> bool:
    w = x.cfg["opening_window"]
    if x.timed and x.dur:
        limit = min(max(w["share"] * x.dur, w["min_s"]), w["max_s"])
        return (x.segs[i].start or 0.0) <= limit
    return i < max(w["min_segments"], int(w["share"] * x.n))


def upfront_contract(x: _Ctx) -> dict:
    hits: list[tuple[int, str]] = []
    for i in range(x.n):
        if not _in_opening(x, i):
            break
        if not x.is_rep(i):
            continue
        for e in ELEMENTS:
            if x.C["uc"][e].search(x.norms[i]):
                hits.append((i, e))
    cs, cn = x.cfg["upfront_cluster_s"], x.cfg["upfront_cluster_segments"]
    best: dict[str, int] = {}
    for a, (i, _) in enumerate(hits):
        group: dict[str, int] = {}
        for j, e in hits[a:]:
            if j - i > cn:
                break
            if x.timed and (x.segs[j].start or 0) - (x.segs[i].start or 0) > cs:
                break
            group.setdefault(e, j)
        if len(group) > len(best):
            best = group
    required = set(x.cfg["upfront_required"])
    present = len(best) >= x.cfg["upfront_min_elements"] and bool(required & set(best))
    first = min(best.values()) if best else None
    last = max(best.values()) if best else None
    return {
        "present": present,
        "start": x.segs[first].start if present and first is not None else None,
        "segment": first if present else None,
        "end_segment": last if present else None,
        "elements": {e: (x.ev(best[e], x.C["uc"][e]) if e in best else None) for e in ELEMENTS},
    }


# ---------------------------------------------------------------- first pitch
def _answers_buyer_question(x: _Ctx, i: int) -> bool:
    j = i - 1
    while j >= 0 and x.is_rep(j):
        j -= 1
    if j < 0 or i - j > 1:
        return False
    raw = x.segs[j].text.strip()
    return raw.endswith("?") or bool(_Q_START.match(x.norms[j]))


def first_pitch(x: _Ctx, after: int) -> int | None:
    p = x.cfg["pitch"]
    tr = x.C["transition"]
    for i in range(after, x.n):
        if not x.is_rep(i):
            continue
        t = x.norms[i]
        m = tr.search(t)
        d = None if m or x.C["named_def"] is None else x.C["named_def"].search(x.segs[i].text)
        if not m and d is None:
            d = x.C["named_this"].search(x.segs[i].text)
        if m or d:
            # the transition segment itself presents when it goes on long enough ("so the proposal you have is
            # eleven sites, metering, the platform...") or holds a capability cue (a recap is skipped below);
            # naming and defining the offering ("Acme is a fleet safety platform") opens the pitch like a transition
            goes_on = len((t[m.end():] if m else x.segs[i].text[d.end():]).split()) >= p["min_words"]
            reps_seen = 0
            for j in range(i, x.n):
                if not x.is_rep(j):
                    continue
                reps_seen += 1
                if reps_seen > p["lookahead_rep_segments"]:
                    break
                if x.timed and (x.segs[j].start or 0) - (x.segs[i].start or 0) > p["lookahead_s"]:
                    break
                if x.C["recap"].search(x.norms[j]):
                    continue  # playing back what the buyer said is not presenting yet
                if x.words[j] >= p["min_words"] and not x.segs[j].text.rstrip().endswith("?") \
                        and not _Q_START.match(x.norms[j]) and (j > i or goes_on or x.cap_hits(j) >= p["capability_min_hits"]
                                                                or x.named_any(j)):
                    return j
        hits = x.cap_hits(i)
        if hits and not _answers_buyer_question(x, i):
            run = [i]
            while len(run) < 4 and run[-1] + 1 < x.n and x.segs[run[-1] + 1].speaker == x.segs[i].speaker:
                run.append(run[-1] + 1)
            if sum(x.words[j] for j in run) >= p["fallback_min_words"] and \
                    hits + sum(x.cap_hits(j) for j in run[1:]) >= p["fallback_min_hits"]:
                return i
    return None


# ---------------------------------------------------------------- next step
def next_step(x: _Ctx) -> dict:
    C, ns = x.C, x.cfg["next_step"]
    start = x.first_at(1.0 - ns["region_share"])
    look = ns["accept_lookahead_segments"]
    candidates = []
    for i in range(start, x.n):
        t = x.norms[i]
        # (the date/time cue is only needed when a meeting word is there: searched last)
        if C["proposal"].search(t) or (C["meeting"].search(t) and C["when"].search(t)) or (
                C["proposal_open"].search(t) and (C["meeting"].search(t) or C["when"].search(t) or C["owner"].search(t))):
            candidates.append(i)
    chosen, committed, acc_seg = None, False, None
    undated: tuple[int, int] | None = None  # the last proposal the other side accepted without a date
    for i in candidates:
        side = x.is_rep(i)
        decided = None
        for j in range(i + 1, min(x.n, i + 1 + look)):
            if x.is_rep(j) == side:
                continue
            t = x.norms[j]
            if C["reject"].search(t) and not C["accept"].match(t):
                decided = False
                break
            if C["accept"].search(t):
                decided, acc_seg = True, j
                break
        dated = bool(C["when"].search(x.norms[i])) or (decided is True and bool(C["when"].search(x.norms[acc_seg])))
        if decided and dated:
            chosen, committed = i, True
            break
        if decided and not C["vague"].search(x.norms[i]):  # "I'll send some info, maybe we reconnect": vague
            undated = (i, acc_seg)
    if chosen is None and undated is not None:  # agreed, but no date set: committed, has_date false
        (chosen, acc_seg), committed = undated, True
    if chosen is None:
        vague = [i for i in range(start, x.n) if C["vague"].search(x.norms[i])]
        dated = [i for i in candidates if C["when"].search(x.norms[i])]
        pool = sorted(set(candidates[-1:] + vague[-1:]))
        chosen = dated[-1] if dated else (pool[-1] if pool else None)
        acc_seg = None
    if chosen is None:
        return {"committed": False, "start": None, "has_date": False, "has_owner": False, "text": None, "segment": None}
    first = chosen
    if committed and acc_seg is not None and not C["when"].search(x.norms[chosen]):
        side = x.is_rep(chosen)
        for j in range(chosen + 1, acc_seg):
            if x.is_rep(j) == side and C["when"].search(x.norms[j]):
                chosen = j
                break
    text = " ".join(x.segs[j].text.strip() for j in range(first, (acc_seg if committed and acc_seg else chosen + 1))
                    if x.is_rep(j) == x.is_rep(first) and j >= first)
    lo = max(0, first - 1)
    hi = min(x.n, (acc_seg if acc_seg is not None else chosen) + 4) if committed else chosen + 1
    window = range(lo, hi) if committed else range(chosen, chosen + 1)
    has_date = any(C["when"].search(x.norms[j]) for j in (range(chosen, (acc_seg or chosen) + 1)))
    # a vague close ("I'll send some info, let's touch base") names no owner for a next step
    is_proposal = chosen in candidates or first in candidates
    has_owner = is_proposal and any(C["owner"].search(x.norms[j]) for j in window)
    return {"committed": committed, "start": x.segs[chosen].start, "has_date": has_date, "has_owner": has_owner,
            "text": text or x.segs[chosen].text.strip(), "segment": chosen,
            "accepted": None if acc_seg is None else x.ev(acc_seg)}


# ---------------------------------------------------------------- call type
def _cue_scores(x: _Ctx, uc: dict) -> dict:
    """Negotiation cues over the call and the rep's demo cues (x agenda_weight inside the upfront contract `uc`,
    the doc's own from `_ctx_uc`); counted once per doc, a copy is returned."""
    cached = x.doc.__dict__.get("_sc_cue_scores")
    if cached is None:
        ct = x.cfg["call_type"]
        agenda = set()
        if uc["present"]:
            agenda = set(range(uc["segment"], uc["end_segment"] + 1))
        cached = {"negotiation": 0, "demo": 0}
        for i, t in enumerate(x.norms):
            w = ct["agenda_weight"] if i in agenda else 1
            cached["negotiation"] += w * len(x.C["negotiation"].findall(t))
            if x.is_rep(i):  # the rep drives a demo; buyers' words ("not a demo") do not make one
                cached["demo"] += w * len(x.C["demo"].findall(t))
        x.doc.__dict__["_sc_cue_scores"] = cached
    return dict(cached)


def _is_negotiation(x: _Ctx, scores: dict) -> bool:
    ct = x.cfg["call_type"]
    dense = scores["negotiation"] * 1000 >= ct.get("negotiation_min_per_1000_words", 0) * sum(x.words)
    return scores["negotiation"] >= ct["negotiation_min"] and dense and scores["negotiation"] >= scores["demo"]


def negotiation_call(doc: CallDoc) -> bool:
    """Is this a negotiation call: given (--call-type), else detected from its cues exactly as the structure
    analyzer's call type does (it does not depend on the questions). For analyzers that run before structure."""
    if doc.call.call_type:
        return doc.call.call_type == "negotiation"
    if not doc.call.segments:
        return False
    x, uc = _ctx_uc(doc)
    return _is_negotiation(x, _cue_scores(x, uc))


def _ctx_uc(doc: CallDoc) -> tuple[_Ctx, dict]:
    """The call's _Ctx and its upfront contract, worked out once per doc (the questions analyzer may ask
    first). Only plain dicts are kept on the doc, so no reference cycle keeps a finished call alive."""
    x = _Ctx(doc)
    uc = doc.__dict__.get("_sc_structure_uc")
    if uc is None:
        uc = doc.__dict__["_sc_structure_uc"] = upfront_contract(x)
    return x, uc


def call_type(x: _Ctx, uc: dict) -> tuple[str, dict]:
    ct = x.cfg["call_type"]
    scores = _cue_scores(x, uc)
    qs = x.doc.report.get("questions")
    if isinstance(qs, list) and qs:
        rep_names = {x.segs[i].speaker for i in range(x.n) if x.is_rep(i)}  # the guessed side too
        rep_q = sum(1 for q in qs if isinstance(q, dict) and q.get("speaker") in rep_names)
    else:
        rep_q = sum(1 for i, s in enumerate(x.segs) if x.is_rep(i) and "?" in s.text)
    scores["rep_questions"] = rep_q
    if _is_negotiation(x, scores):
        return "negotiation", scores
    if scores["demo"] >= ct["demo_min"]:
        return "demo", scores
    if any(x.is_rep(i) and _in_opening(x, i) and x.C["other"].search(x.norms[i]) for i in range(x.n)):
        scores["check_in"] = True
        return "other", scores
    ev = cov.detect(x.doc, skip_before=uc["segment"] if uc["present"] else None)
    scores["must_knows"] = sum(1 for k in cov.DISCOVERY_KEYS if ev.get(k))
    if rep_q >= ct["discovery_min_rep_questions"] and scores["must_knows"] >= ct.get("discovery_min_must_knows", 0):
        return "discovery", scores
    return "other", scores


# ---------------------------------------------------------------- time split
def _discovery_start(x: _Ctx, uc: dict) -> int:
    if uc["present"]:
        return min(x.n - 1, uc["end_segment"] + 1)
    qs = x.doc.report.get("questions") or []
    floor = x.first_at(0.05)
    starts = [q.get("start") for q in qs if isinstance(q, dict) and q.get("role") == REP
              and q.get("spin") in ("situation", "problem", "implication", "need_payoff")]
    if not starts:
        starts = [q.get("start") for q in qs if isinstance(q, dict) and q.get("role") == REP]
    for s in starts:
        if s is None:
            continue
        for i in range(floor, x.n):
            if x.segs[i].start is not None and x.segs[i].start >= s:
                return i
    return floor if floor < x.n else 0


def time_split(x: _Ctx, uc: dict, pitch_i: int | None, ns: dict) -> dict | None:
    if not (x.timed and x.dur):
        return None
    ideal = x.cfg["time_split"]["ideal_minutes"]
    tot_ideal = sum(ideal.values())
    end = x.dur
    d0 = x.segs[_discovery_start(x, uc)].start or 0.0
    p0 = x.segs[pitch_i].start if pitch_i is not None else None
    n0 = ns["start"] if ns.get("start") is not None else None
    if n0 is not None and p0 is not None and n0 < p0:
        n0 = None
    bounds = [0.0, d0, p0 if p0 is not None else (n0 if n0 is not None else end), n0 if n0 is not None else end, end]
    for k in range(1, len(bounds)):
        bounds[k] = min(end, max(bounds[k], bounds[k - 1]))
    phases = {}
    for k, name in enumerate(PHASES):
        sec = bounds[k + 1] - bounds[k]
        share = sec / end if end else 0.0
        ish = ideal[name] / tot_ideal
        phases[name] = {"start": round(bounds[k], 3), "end": round(bounds[k + 1], 3), "seconds": round(sec, 3),
                        "share": round(share, 4), "ideal_share": round(ish, 4), "deviation": round(share - ish, 4)}
    return {"phases": phases, "ideal_minutes": dict(ideal),
            "off_shape": round(sum(abs(p["deviation"]) for p in phases.values()) / 2, 4)}


# ---------------------------------------------------------------- the analyzer
@analyzer("structure")
def structure(doc: CallDoc) -> None:
    call_rep = doc.report.setdefault("call", {})
    if not doc.call.segments:
        call_rep["type"] = call_rep.get("type") or doc.call.call_type or "other"
        doc.report.update({"upfront_contract": {"present": False, "start": None}, "first_pitch_s": None,
                           "first_pitch": None, "next_step": {"committed": False, "start": None, "has_date": False,
                                                              "has_owner": False, "text": None},
                           "pitch_before_discovery": {"flag": False, "reason": "empty call", "evidence": None},
                           "time_split": None})
        return
    x, uc = _ctx_uc(doc)
    doc.report["upfront_contract"] = uc

    given = call_rep.get("type_source") == "given" and call_rep.get("type") or doc.call.call_type
    detected, scores = call_type(x, uc)
    if given:
        call_rep["type"], call_rep["type_source"] = given, "given"
    else:
        call_rep["type"], call_rep["type_source"] = detected, "detected"
    call_rep["type_detected"] = detected
    call_rep["type_scores"] = scores
    ctype = call_rep["type"]

    after = uc["end_segment"] + 1 if uc["present"] else 0
    pi = first_pitch(x, after)
    doc.report["first_pitch_s"] = x.segs[pi].start if pi is not None else None
    doc.report["first_pitch"] = x.ev(pi, x.C["capability"])

    ev = cov.detect(doc, skip_before=uc["segment"] if uc["present"] else None)
    pcfg = x.cfg["pitch_before_discovery"]
    if ctype != "discovery":
        pbd = {"flag": False, "reason": f"not a discovery call ({ctype})", "evidence": None}
    elif pi is None:
        pbd = {"flag": False, "reason": "no pitch found", "evidence": None}
    else:
        early = x.pos(pi) < pcfg["early_share"]
        missing = [k for k in pcfg["must_knows_before_pitch"] if not any(e["segment"] < pi for e in ev.get(k, []))]
        reasons = []
        if early:
            reasons.append(f"pitch starts {round(100 * x.pos(pi))}% into the call (before half)")
        if missing:
            reasons.append("pitch before the buyer's " + " and ".join(m.replace("_", " ") for m in missing)
                           + " came out")
        pbd = {"flag": bool(reasons), "reason": "; ".join(reasons) or "pitch came after the core discovery",
               "evidence": doc.report["first_pitch"], "missing_before_pitch": missing}
    doc.report["pitch_before_discovery"] = pbd

    ns = next_step(x)
    doc.report["next_step"] = ns
    doc.report["time_split"] = time_split(x, uc, pi, ns) if ctype == "discovery" else None
