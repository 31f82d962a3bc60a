"""Conversation metrics: who talked, for how long, in what rhythm.

Definitions (times in seconds):
- talk_s: the union of a speaker's segment intervals (overlapping segments of one speaker are
  counted once). Without timestamps talk_s is null.
- talk_share: a speaker's share of the words spoken. Caption cue times are display windows
  (they include in-cue pauses and exporter padding), so words track who held the floor more
  closely than cue times; talk_time_share is the same share measured on talk_s, when timed.
  rep_talk_share sums the rep-side speakers' talk_share.
- backchannel: a segment of at most `backchannel_max_words` words, all from the backchannel list
  ("mm-hmm", "yeah", "right"...). It takes no floor.
- monologue / story: a run of one speaker's segments that only the other side's backchannels
  interrupt; its length runs from the first segment's start to the last one's end.
  longest_rep_monologue_s is the longest such run by a rep, longest_buyer_story_s by a buyer.
- interactivity: speaker switches (backchannels excluded) per minute of call.
- patience_s: mean pause between the end of a buyer's turn and the start of the rep's reply
  (overlaps count as 0).
- words_per_minute: a speaker's words over their talk time.
- rep_questions / questions_per_hour: filled in by the questions analyzer.
"""
from __future__ import annotations

from salescoach.analysis.doc import BUYER, REP, CallDoc, clip
from salescoach.analysis.pipeline import analyzer
from salescoach.frameworks import load


def _union(intervals: list[tuple[float, float]]) -> float:
    total, cs, ce = 0.0, None, None
    for s, e in sorted(intervals):
        if cs is None or s > ce:
            if cs is not None:
                total += ce - cs
            cs, ce = s, e
        elif e > ce:
            ce = e
    return total + (ce - cs if cs is not None else 0.0)


def is_backchannel(tokens: list[str], cfg: dict | None = None) -> bool:
    cfg = cfg or load("conversation")
    vocab = _vocab(cfg)
    return 0 < len(tokens) <= cfg["backchannel_max_words"] and all(t in vocab for t in tokens)


_VOCAB: dict[int, frozenset] = {}


def _vocab(cfg: dict) -> frozenset:
    key = id(cfg)
    if key not in _VOCAB:
        _VOCAB[key] = frozenset(t for w in cfg["backchannel_tokens"] for t in w.lower().replace("-", " ").split()) | \
            frozenset(w.lower() for w in cfg["backchannel_tokens"])
    return _VOCAB[key]


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def _runs(doc: CallDoc, seg_tokens: list[list[str]], bc: list[bool]) -> list[dict]:
    """Monologue runs: [{speaker, role, first, last}] over segment indices."""
    segs = doc.call.segments
    runs: list[dict] = []
    for i, s in enumerate(segs):
        if bc[i] and runs and runs[-1]["speaker"] != s.speaker:
            continue  # the other side's backchannel: the run goes on
        if runs and runs[-1]["speaker"] == s.speaker:
            runs[-1]["last"] = i
        else:
            runs.append({"speaker": s.speaker, "role": doc.role(s.speaker), "first": i, "last": i})
    return runs


@analyzer("conversation")
def conversation(doc: CallDoc) -> None:
    call, segs = doc.call, doc.call.segments
    cfg = load("conversation")
    seg_tokens: list[list[str]] = [[] for _ in segs]
    for sent in doc.sentences:
        seg_tokens[sent.seg].extend(sent.tokens)
    bc = [is_backchannel(t, cfg) for t in seg_tokens]
    timed = call.timed
    duration = call.duration_s

    words: dict[str, int] = {}
    intervals: dict[str, list[tuple[float, float]]] = {}
    for i, s in enumerate(segs):
        words[s.speaker] = words.get(s.speaker, 0) + len(seg_tokens[i])
        if timed:
            intervals.setdefault(s.speaker, []).append((s.start, s.end if s.end is not None else s.start))
    talk = {sp: _union(iv) for sp, iv in intervals.items()} if timed else {}
    total_talk = sum(talk.values())
    total_words = sum(words.values()) or 1

    speakers = []
    for sp in call.speakers:
        t = talk.get(sp)
        speakers.append({
            "name": sp, "role": doc.role(sp), "talk_s": _r(t), "words": words[sp],
            "talk_share": _r(words[sp] / total_words, 4),
            "talk_time_share": _r(t / total_talk, 4) if t is not None and total_talk else None,
            "words_per_minute": _r(words[sp] / (t / 60), 1) if t else None,
        })
    rep_share = None
    if call.reps:
        # from the word counts, not the rounded shares (six shares of 0.1667 sum to 1.0002)
        rep_share = sum(words[x["name"]] for x in speakers if x["role"] == REP) / total_words

    # Monologues and stories
    runs = _runs(doc, seg_tokens, bc)
    longest: dict[str, tuple[float, dict] | None] = {REP: None, BUYER: None}
    if timed:
        for r in runs:
            if r["role"] not in longest:
                continue
            a, b = segs[r["first"]], segs[r["last"]]
            length = (b.end if b.end is not None else b.start) - a.start
            if longest[r["role"]] is None or length > longest[r["role"]][0]:
                longest[r["role"]] = (length, r)

    def evidence(item):
        if item is None:
            return None
        length, r = item
        a = segs[r["first"]]
        return {"start": a.start, "end": _r(a.start + length), "speaker": a.speaker, "duration_s": _r(length, 1),
                "quote": clip(a.text, 160)}

    # Interactivity: switches between non-backchannel segments
    switches, prev = 0, None
    for i, s in enumerate(segs):
        if bc[i]:
            continue
        if prev is not None and s.speaker != prev:
            switches += 1
        prev = s.speaker
    interactivity = switches / (duration / 60) if timed and duration else None

    # Patience: pause between a buyer's turn end and the rep's next turn start
    pauses = []
    if timed and call.reps:
        for a, b in zip(doc.turns, doc.turns[1:]):
            if a.role == BUYER and b.role == REP and a.end is not None and b.start is not None:
                if not bc[a.segs[-1]] or len(a.segs) > 1:
                    pauses.append(max(0.0, b.start - a.end))
    rep_talk = sum(talk.get(sp, 0.0) for sp in call.reps)
    rep_words = sum(words.get(sp, 0) for sp in call.reps)

    doc.report["call"] = {
        "id": call.id, "source": call.source, "format": call.format,
        "duration_s": _r(duration), "reps": list(call.reps), "type": call.call_type,
        "type_source": "given" if call.call_type else None, "timed": timed,
    }
    doc.report["speakers"] = speakers
    rm, bs = longest[REP], longest[BUYER]
    doc.report["metrics"] = {
        "rep_talk_share": _r(rep_share, 4),
        "rep_talk_time_share": _r(rep_talk / total_talk, 4) if call.reps and total_talk else None,
        "longest_rep_monologue_s": _r(rm[0], 1) if rm else None,
        "longest_buyer_story_s": _r(bs[0], 1) if bs else None,
        "interactivity": _r(interactivity, 2),
        "patience_s": _r(sum(pauses) / len(pauses), 2) if pauses else None,
        "rep_words_per_minute": _r(rep_words / (rep_talk / 60), 1) if rep_talk else None,
        "rep_questions": None,
        "questions_per_hour": None,
        "longest_rep_monologue": evidence(rm),
        "longest_buyer_story": evidence(bs),
    }
