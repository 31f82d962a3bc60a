"""Coverage: which discovery must-knows and MEDDPICC elements the call brought to light.

Definitions (cue patterns live in `frameworks/coverage.json`, so teams can extend them):

Discovery must-knows (what the rep needs to leave a discovery call knowing):
- problem: what is broken, slow or painful, in the buyer's words.
- root_cause: why it is broken (the mechanism behind the symptom: "because...", "only captures the first
  touch", "nothing ties the two together").
- impact: what the problem costs, in money, time, risk or people.
- stakeholders: who else feels it or takes part (roles, bosses, teams, the board).
- why_now: the trigger or deadline that makes it a priority now.
- cost_of_inaction: what happens if nothing changes.

MEDDPICC: metrics (the buyer's numbers: targets, rates, amounts), economic_buyer (who signs or owns the
budget), decision_criteria (what a solution must show or do), decision_process (the steps and people of
the decision), paper_process (procurement, legal, security review, contract and billing terms), pain
(the problem felt: every problem the buyer states, plus personal stakes and frustration), champion (a buyer offering to carry the case inside),
competition (other vendors, the buyer's own tools or an in-house build weighed against us).

An element counts as brought to light in a segment when
1. a buyer says it (a `says` cue matches a buyer segment), or
2. the buyer answers a rep question about it (an `asks` cue matches a rep segment; the first buyer turn
   after it, within the next two turns, answers it unless the answer is a non-answer such as "no",
   "not sure", "nobody"; the first one or two segments of that turn are evidence), or
3. the rep sums it up and the buyer confirms it ("Exactly.", "Right.", "Basically.") in the next turn
   (not used for champion and competition, which only the buyer can supply).
The opening small talk (segments before the upfront contract or, without one, the first 8% of the call)
is not searched.

Output: `discovery_coverage` and `meddpicc` map each key to the sorted start times (seconds) of the
evidence segments, empty when not found. Untimed transcripts have no times, so those lists stay empty
there; `coverage_evidence` {key: [{start, quote, speaker, segment, how}]} carries the evidence for every
call (with the segment index, so untimed evidence stays traceable), and `coverage_found` {key: bool}
says whether each element was found.

Without any known rep (`--rep` not given) the selling side is guessed: see `selling_side`.
"""
from __future__ import annotations

import re
from functools import lru_cache

from salescoach.analysis.doc import BUYER, REP, CallDoc
from salescoach.analysis.pipeline import analyzer
from salescoach.frameworks import load

DISCOVERY_KEYS = ["problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction"]
MEDDPICC_KEYS = ["metrics", "economic_buyer", "decision_criteria", "decision_process", "paper_process", "pain",
                 "champion", "competition"]
ALL_KEYS = DISCOVERY_KEYS + MEDDPICC_KEYS
BUYER_ONLY = {"champion", "competition"}

_PUNCT = re.compile(r"[^a-z0-9' ]+")
_SPACE = re.compile(r"\s+")


_TABLE = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "' ")}
_TABLE.update({ord("%"): " percent ", ord("$"): " dollars ", 0x2019: "'", 0x2018: "'", 0x2014: " ", 0x2013: " ",
               0x201c: " ", 0x201d: " ", 0x2026: " ", 0xa0: " "})


def norm(text: str) -> str:
    """Lower case, punctuation out (apostrophes kept), '%' -> ' percent', '$' -> ' dollars '."""
    return " ".join(text.lower().translate(_TABLE).split())


def alternation(patterns: list[str], number: str = "") -> re.Pattern:
    """One regex for a list of cue patterns, matched at word starts of ' ' + normalised text (the leading
    space anchors every match at a word start and lets the regex engine jump from space to space)."""
    body = "|".join(f"(?:{p.replace('{NUM}', number)})" for p in patterns) or "(?!x)x"
    return re.compile(rf" (?:{body})(?![a-z0-9])")


_LIT = re.compile(r"[a-z0-9']+")
_GROUP_REF = re.compile(r"\\[1-9]|\(\?P")  # back-references / named groups: such patterns are not joined into a gate


_NUM_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
              "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
              "million billion half dozen a").split()


def _lit_alt(a: str, rest: str) -> tuple[str, bool] | None:
    """First word of one literal-led alternative `a` (followed by `rest`) as (word, is_prefix)."""
    m = _LIT.match(a)
    if not m:
        return None
    word, after = m.group(0), a[m.end():] or rest
    if after.startswith(" ?"):
        return word, True
    if after == "" or after[0] == " " or after.startswith("(?![a-z"):
        return word, False
    if after[0] == "?":  # last letter optional
        return (word[:-1], True) if len(word) > 1 else None
    return word, True


def _split_top(inner: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur]


def _first_words(p: str) -> list[tuple[str, bool]] | None:
    """Possible first words of a pattern as (word, is_prefix); None when they cannot be read off simply."""
    if p.startswith("\\b"):
        p = p[2:]
    if p.startswith("{NUM}"):
        return [(w, False) for w in _NUM_WORDS] + [(d, True) for d in "0123456789"]
    if p.startswith("(?:"):
        depth, j = 0, 0
        for j, ch in enumerate(p):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
        inner, rest = p[3:j], p[j + 1:]
        if rest[:1] in ("?", "*", "{"):
            return None  # the group is optional
        out = []
        for a in _split_top(inner):
            fw = _first_words(a) if a.startswith("(") else ([_lit_alt(a, rest)] if _lit_alt(a, rest) else None)
            if fw is None:
                return None
            if rest and rest[0] != " " and not rest.startswith("(?![a-z"):
                fw = [(w, True) for w, _ in fw]  # the group runs on into the same word
            out += fw
        return out
    fw = _lit_alt(p, "")
    return [fw] if fw else None


class Cues:
    """Compiled cue patterns with a token prefilter: the regex only runs on segments holding one of the
    words a pattern can start with (patterns whose first word cannot be read off always run)."""

    __slots__ = ("_rx", "_src", "exact", "prefix", "always", "_hit", "_miss")

    def __init__(self, patterns: list[str], number: str = ""):
        self._rx: re.Pattern | None = None  # compiled on first use
        self._src = (list(patterns), number)
        self.exact: set[str] = set()
        prefix: set[str] = set()
        self.always = not patterns
        for p in patterns:
            fw = _first_words(p)
            if fw is None:
                self.always = True
                break
            for w, is_prefix in fw:
                (prefix if is_prefix else self.exact).add(w)
        self.prefix = tuple(sorted(prefix))
        self._hit: set[str] = set(self.exact)  # words known to start a pattern (memo across calls)
        self._miss: set[str] = set()

    @property
    def rx(self) -> re.Pattern:
        if self._rx is None:
            self._rx = alternation(*self._src)
        return self._rx

    def could(self, toks: frozenset) -> bool:
        if self.always or not self._hit.isdisjoint(toks):
            return True
        if not self.prefix:
            return False
        new = toks.difference(self._miss)
        if not new:
            return False
        found = False
        for t in new:
            if t.startswith(self.prefix):
                self._hit.add(t)
                found = True
            elif len(self._miss) < 200_000:
                self._miss.add(t)
        return found

    def search(self, text: str, toks: frozenset | None = None):
        if toks is not None and not self.could(toks):
            return None
        return self.rx.search(text)


class Dispatcher:
    """Finds which labelled pattern lists match a text, fast: each pattern is tried only at the words it can
    start with (read off the pattern; a word-prefix table is memoised), patterns whose first word cannot
    be read off run as one regex per label. Patterns compile on first use. Texts are ' ' + normalised text."""

    def __init__(self, labelled: dict[str, list[str]], number: str = ""):
        self.by_word: dict[str, list[tuple[str, int]]] = {}
        self.by_prefix: list[tuple[str, str, int]] = []
        self.always: dict[str, re.Pattern] = {}
        self._src: list[str] = []
        self._rx: list[re.Pattern | None] = []
        self._memo: dict[str, list[tuple[str, re.Pattern]]] = {}
        self._group_rx: dict[tuple[int, ...], re.Pattern] = {}
        loose: dict[str, list[str]] = {}
        for label, pats in labelled.items():
            for p in pats:
                fw = _first_words(p)
                if fw is None:
                    loose.setdefault(label, []).append(p)
                    continue
                idx = len(self._src)
                self._src.append(rf"(?:{p.replace('{NUM}', number)})(?![a-z0-9])")
                self._rx.append(None)
                for w, is_prefix in fw:
                    if is_prefix:
                        self.by_prefix.append((w, label, idx))
                    else:
                        self.by_word.setdefault(w, []).append((label, idx))
        for label, pats in loose.items():
            self.always[label] = alternation(pats, number)

    def _cands(self, tok: str) -> tuple[re.Pattern | None, list[tuple[str, re.Pattern]]]:
        """(gate, [(label, regex)]) to try where `tok` starts: all patterns of one label that can start
        with this word are joined into one alternation, so each label costs one match call; with more
        than one label, the gate (every label's patterns joined) is tried first and the labels only
        where it matches."""
        by_label: dict[str, list[int]] = {}
        for label, idx in self.by_word.get(tok, ()):
            by_label.setdefault(label, []).append(idx)
        for w, label, idx in self.by_prefix:
            if tok.startswith(w):
                by_label.setdefault(label, []).append(idx)
        c = []
        for label, idxs in by_label.items():
            key = tuple(sorted(set(idxs)))
            rx = self._group_rx.get(key)
            if rx is None:
                rx = self._group_rx[key] = re.compile("|".join(self._src[i] for i in key))
            c.append((label, rx))
        # with several labels, one gate regex (all their patterns joined) first says whether any can match
        gate = None
        if len(c) > 1 and not any(_GROUP_REF.search(rx.pattern) for _, rx in c):
            try:
                gate = re.compile("|".join(f"(?:{rx.pattern})" for _, rx in c))
            except re.error:  # e.g. inline flags that cannot be joined: try the labels one by one
                gate = None
        entry = (gate, c)
        if len(self._memo) < 200_000:
            self._memo[tok] = entry
        return entry

    def labels(self, text: str) -> set[str]:
        found: set[str] = set()
        for label, rx in self.always.items():
            if rx.search(text):
                found.add(label)
        memo = self._memo
        pos = 1
        for tok in text[1:].split(" "):
            entry = memo.get(tok)
            if entry is None:
                entry = self._cands(tok)
            gate, c = entry
            if c and (gate is None or gate.match(text, pos)):
                for label, rx in c:
                    if label not in found and rx.match(text, pos):
                        found.add(label)
            pos += len(tok) + 1
        return found


def seg_tokens(doc: CallDoc) -> list[frozenset]:
    """Token set of every segment's normalised text (computed once per doc)."""
    cached = getattr(doc, "_sc_toks", None)
    if cached is None:
        cached = [frozenset(t.split()) for t in seg_norms(doc)]
        doc._sc_toks = cached  # type: ignore[attr-defined]
    return cached


def seg_norms(doc: CallDoc) -> list[str]:
    """' ' + normalised text of every segment (computed once per doc; see `alternation`)."""
    cached = getattr(doc, "_sc_norms", None)
    if cached is None:
        cached = [" " + norm(s.text) for s in doc.call.segments]
        doc._sc_norms = cached  # type: ignore[attr-defined]
    return cached


_SELLER = re.compile(r"\b(?:let me (?:show|share|walk)|we (?:connect|integrate|help|work with)|our (?:platform|product|customers|pricing)|"
                     r"next step|does that (?:still )?work|i'll send|what i'd like to do|agenda|who else|walk me through|tell me (?:more|about))\b")


def selling_side(doc: CallDoc) -> dict[int, str]:
    """Role per segment: rep / buyer. Uses the call's reps; without any, the speaker with the most
    seller cues (agenda, "let me show you", "walk me through"...) is taken as the rep (ties: the first
    speaker), every other named speaker as a buyer."""
    cached = getattr(doc, "_sc_roles", None)
    if cached is not None:
        return cached
    segs = doc.call.segments
    if any(doc.role(s.speaker) == REP for s in segs):
        roles = {i: doc.role(s.speaker) for i, s in enumerate(segs)}
    else:
        score: dict[str, int] = {}
        norms = seg_norms(doc)
        for i, s in enumerate(segs):
            score.setdefault(s.speaker, 0)
            score[s.speaker] += len(_SELLER.findall(norms[i]))
        rep = max(score, key=lambda k: score[k]) if score else None
        roles = {i: (REP if s.speaker == rep else BUYER) for i, s in enumerate(segs)}
    doc._sc_roles = roles  # type: ignore[attr-defined]
    return roles


@lru_cache(maxsize=8)
def _compiled(cfg_id: int):
    cfg = load("coverage")
    num = cfg["number"]
    keys = {}
    for k in ALL_KEYS:
        c = cfg["keys"].get(k, {})
        keys[k] = {
            "says": Cues(c.get("says", []), num) if c.get("says") else None,
            "asks": Cues(c.get("asks", []), num) if c.get("asks") else None,
            "pairs": [[Cues([p], num) for p in pair] for pair in c.get("pairs", [])],
            # the Dispatcher labels of each pair's parts ("key#pair#part"), spelled out once
            "pair_labels": [tuple(f"{k}#{pi}#{qi}" for qi in range(len(pair)))
                            for pi, pair in enumerate(c.get("pairs", []))],
        }
    labelled: dict[str, list[str]] = {}
    for k in ALL_KEYS:
        c = cfg["keys"].get(k, {})
        labelled[k] = list(c.get("says", []))
        for pi, pair in enumerate(c.get("pairs", [])):
            for qi, p in enumerate(pair):
                labelled[f"{k}#{pi}#{qi}"] = [p]
    keys["_says"] = Dispatcher(labelled, num)
    keys["_asks"] = Dispatcher({k: list(cfg["keys"].get(k, {}).get("asks", [])) for k in ALL_KEYS}, num)
    return keys, re.compile(cfg["no_answer"]), re.compile(cfg["confirm"]), int(cfg.get("answer_min_words", 4))


def _quote(doc: CallDoc, seg: int, rx) -> str:
    """The sentence of segment `seg` that carries the cue (else the segment text)."""
    text = doc.call.segments[seg].text.strip()
    if rx is not None:
        rx = getattr(rx, "rx", rx)
        by_seg = getattr(doc, "_sc_seg_sents", None)
        if by_seg is None:
            by_seg = {}
            for s in doc.sentences:
                by_seg.setdefault(s.seg, []).append(s)
            doc._sc_seg_sents = by_seg  # type: ignore[attr-defined]
        sents = by_seg.get(seg, [])
        if len(sents) > 1:
            sn = getattr(doc, "_sc_sent_norms", None)
            if sn is None:
                sn = doc._sc_sent_norms = {}  # type: ignore[attr-defined]
            for s in sents:
                t = sn.get(s.index)
                if t is None:
                    t = sn[s.index] = " " + norm(s.text)
                if rx.search(t):
                    return s.text.strip()
    return text


def _skip_before(doc: CallDoc) -> int:
    """Index of the first segment searched: the upfront contract's start, else 8% into the call."""
    segs = doc.call.segments
    uc = doc.report.get("upfront_contract") or {}
    idx = uc.get("segment")
    if isinstance(idx, int) and 0 <= idx < len(segs):
        return idx
    return int(len(segs) * 0.08)


def detect(doc: CallDoc, skip_before: int | None = None) -> dict[str, list[dict]]:
    """{key: [evidence {segment, start, speaker, quote, how}]} (cached on the doc)."""
    cached = getattr(doc, "_sc_coverage", None)
    if cached is not None:
        return cached
    keys, no_answer, confirm, min_words = _compiled(id(load("coverage")))
    says, asks = keys["_says"], keys["_asks"]
    segs = doc.call.segments
    norms = seg_norms(doc)
    roles = selling_side(doc)
    first = _skip_before(doc) if skip_before is None else skip_before
    found: dict[str, dict[int, dict]] = {k: {} for k in ALL_KEYS}

    def add(k: str, i: int, how: str, rx: re.Pattern | None) -> None:
        if i not in found[k]:
            found[k][i] = {"segment": i, "start": segs[i].start, "speaker": segs[i].speaker,
                           "quote": _quote(doc, i, rx), "how": how}

    # turns over segment indices (consecutive segments of one speaker)
    turns: list[list[int]] = []
    for i, s in enumerate(segs):
        if turns and segs[turns[-1][-1]].speaker == s.speaker:
            turns[-1].append(i)
        else:
            turns.append([i])
    turn_of = {i: ti for ti, t in enumerate(turns) for i in t}

    for i in range(first, len(segs)):
        t = norms[i]
        if t == " ":  # no words
            continue
        if roles.get(i) != REP:
            labels = says.labels(t)
            if labels:
                for k in ALL_KEYS:
                    c = keys[k]
                    if k in labels:
                        add(k, i, "buyer said", c["says"])
                    else:
                        for pair, names in zip(c["pairs"], c["pair_labels"]):
                            if labels.issuperset(names):
                                add(k, i, "buyer said", pair[0])
                                break
            continue
        # rep segment: a question about a key -> the buyer's answer; a summary -> the buyer's confirmation
        ti = turn_of[i]
        nxt = None
        for tj in range(ti + 1, min(ti + 3, len(turns))):
            if roles.get(turns[tj][0]) != REP:
                nxt = turns[tj]
                break
            if turns[tj] and len(norms[turns[tj][0]].split()) > 3:  # the rep went on talking
                break
        if nxt is None:
            continue
        # only the rep's last segment before the buyer speaks can be the question being answered
        if i != turns[ti][-1]:
            continue
        ans = norms[nxt[0]].lstrip()
        asked = asks.labels(t)
        confirmed = bool(confirm.match(ans))
        said = says.labels(t) if confirmed else set()
        for k in ALL_KEYS:
            if k in asked:
                if not no_answer.match(ans) and len(ans.split()) >= min_words:
                    for j in nxt[:2]:
                        if len(norms[j].split()) >= min_words:
                            add(k, j, "answer to rep question", None)
                elif len(nxt) > 1 and not no_answer.match(ans) and len(norms[nxt[1]].split()) >= min_words:
                    add(k, nxt[1], "answer to rep question", None)
            elif k in said and k not in BUYER_ONLY:
                add(k, i, "rep summary confirmed by buyer", keys[k]["says"])

    # MEDDPICC's pain is the problem the buyer feels: every problem the buyer states is pain evidence too
    for i, e in found["problem"].items():
        if i not in found["pain"] and e["how"] != "rep summary confirmed by buyer":
            found["pain"][i] = dict(e, how=e["how"] + " (the problem)")
    out = {k: sorted(v.values(), key=lambda e: e["segment"]) for k, v in found.items()}
    doc._sc_coverage = out  # type: ignore[attr-defined]
    return out


def _times(ev: list[dict]) -> list[float]:
    return sorted({round(e["start"], 3) for e in ev if e["start"] is not None})


@analyzer("coverage")
def coverage(doc: CallDoc) -> None:
    ev = detect(doc)
    doc.report["discovery_coverage"] = {k: _times(ev[k]) for k in DISCOVERY_KEYS}
    doc.report["meddpicc"] = {k: _times(ev[k]) for k in MEDDPICC_KEYS}
    doc.report["coverage_found"] = {k: bool(ev[k]) for k in ALL_KEYS}
    doc.report["coverage_evidence"] = {
        k: [{"start": e["start"], "quote": e["quote"], "speaker": e["speaker"], "segment": e["segment"], "how": e["how"]}
            for e in ev[k]] for k in ALL_KEYS}
