"""Objections: buyer push-back, its category, and how the rep handled it (AECR).

What counts as an objection
- Words from the buying side that resist the purchase or the seller's proposal: a stated
  obstacle ("we don't have budget for this"), a counter-argument ("we already pay for a tool that
  does that"), doubt about the seller or the source ("how do I know that's real", "I got burned
  before"), hesitation ("let me think about it", "I'm not sure we need it"), a personal choice
  or refusal ("not for us", "no thanks"), hardship ("money is tight for me") and haggling over the
  price ("that's too much, would you take $80?").
- Not objections: plain questions about the product or the price ("what does it cost?"),
  agreement and small talk, and a buyer describing their own problem during discovery
  ("the numbers never agree", "nobody trusts the report"): those are pain, not resistance.
- Only speakers on the buying side raise objections (role "buyer"). When no rep is known in the
  call (every role "unknown") any speaker may raise one and the other speakers' turns are taken
  as the response; expect lower precision then, since the seller's own push-back also counts.

How it is detected (lexicons in frameworks/objections.json plus a small trained model)
- Each buyer sentence is matched against per-category cue patterns. "Strong" cues are enough on
  their own ("we don't have budget for this", "that's Robert's call, not mine"). A category's
  topic words ("price", "next quarter", "vendor", "sign-off") count together with a stance word
  (negation, hedge or difficulty: "not", "can't", "hard", "too much", "skeptical"), except while
  the buyer is answering the rep's discovery question: then such talk is usually pain ("we
  can't tell which channel works"), and it needs a preface. "Weak" cue words need a preface or a
  topic marker. Prefaces announce push-back ("can I be honest?", "full transparency", "here's my
  thing"); topic markers open a new one ("the other thing is...", "and then timing").
  Agreement and no-problem phrases ("sounds good", "not a problem") cancel weak and topic cues.
- A counter-price is push-back: a buyer amount below the last amount the seller named (and at
  least 30% of it): "would $280 get it done?" after "I'd go to $350".
- The trained model (models/objections.json, a logistic regression trained by
  tools/train_objections.py on PersuasionForGood resistance, the labelled calls, examples and
  hand-written bargaining chats and sentences, and a hand-written corpus of
  B2B sales-call buyer sentences: objections of every category against pain, facts and small talk) scores every buyer sentence from its words and
  word pairs, word classes (hedge, contrast, negative evaluation, refusal, decider, other vendor,
  amount, time: frameworks/objections.json `model_word_classes`), the lexicon cues above, and the
  turn's context (did the seller just make an offer, name a price, ask something). Rules OR model:
  a sentence the rules missed is push-back when the model's probability reaches `threshold`
  (`prefaced_threshold` right after a preface); while the buyer answers the rep's discovery question
  only at the higher `answering_threshold` (an answer is usually pain or a fact, "we have about 50k set
  aside", but "honestly budget's the issue, we don't have any this year" pushes back even as an answer);
  a rule hit is dropped only when the model is very sure it is not push-back (`veto_below`).
  A model-only hit takes the model's category (a second, multinomial regression among the six and
  "other" over the same features plus the objection's sentence embedding, salescoach.embed), not
  that of its topic words. A rule hit keeps its cue category when one of its sentences has a strong
  cue, a price proposal or a counter-price (haggling is budget); otherwise (weak or topic cues only)
  its category is the model's log-probability plus `category_blend` times the cue weight.
  Push-back inference is a dictionary lookup per feature; the category model adds one embedding of
  the objection's text per objection (a few per call). The model format also allows embedding
  weights for push-back itself (`embedding.weights`, with a cheap gate `embedding.max_score`), but
  the shipped model has none: they did not improve held-out detection (tools/train_objections.py).
- In a timed call, every sentence about to be raised gets a second look (analysis/objection_check.py,
  a small model trained on the sentences these rules raise): pain told with money, a question about
  the product or acceptance that only sounds like push-back is not raised, and the next sentence of
  the turn gets its chance.
- One objection is one episode: it opens at the first push-back sentence and stays open while the
  rep answers (up to `max_rep_turns` rep turns or `max_gap_s` seconds). Buyer replies that push
  back again inside the episode ("they said that too", "that's still ten over") are follow-ups of
  the same objection (listed under `follow_ups`), not new ones. A new buyer TURN that pushes back
  is a new objection, even inside an open episode, when
    - it answers a seller turn that made an offer (a concession, counter-price or proposal:
      frameworks `offer`) or a short seller reply (at most `short_reply_max_words` words, the
      shape of chat haggling), or the model is very sure (`new_objection_above`; not when the
      buyer answers the rep's question), unless the
      turn only restates the open objection ("I still want a better number": frameworks
      `restate`; or a sentence of the objection said again word for word); so each round of
      haggling is its own objection, while a sales-call buyer's follow-ups to the rep's longer
      answer stay one;
    - it makes a new price proposal ("how about $220?") or a counter-price;
    - it raises a concern of another category that is announced (preface or topic marker),
      comes from another buyer, or is raised unprompted (not in answer to the rep's clarifying
      question).
  Extra push-back sentences in the same turn belong to the same objection.
- `text` is the buyer's words of that one turn, from the segment where the push-back starts to the
  segment of its last push-back sentence; `start` is the start of that first segment (null when
  the transcript is untimed).

Category (the cue weights summed over the objection's sentences; ties go to the trigger sentence)
- budget: price, cost, no money or line item, can't justify the spend, haggling, hardship.
- timing: not now, wait until a later date, too busy, push to next year, can't start before X.
- competition: talking to or using another vendor, a rival's quote, "why add another vendor".
- authority: the speaker can't decide or sign; someone else's call or sign-off is needed.
- need: doesn't need it, already has something that works, would rather build it in-house.
- trust: burned before, skeptical, doubts the claims or the source ("how do I know").
- other: push-back with no category cue (hesitation, refusal, personal choice).

How the response is judged (AECR, from the rep's turns after the objection)
- The response is the rep's first `response_rep_turns` substantive turns after the objection
  (backchannels such as "please" or "mm-hmm" skipped), up to the next objection. It is
  `response_text` (null when the rep never answered), starting at `response_start`.
- acknowledge: the first or second response turn (a quick question may come first) validates the concern without arguing ("that's a fair
  point", "I appreciate you telling me", "I hear you", "of course, that makes sense"). A bare "Sure." or
  "Sure, of course." with neither empathy nor a clarifying question after it is a brush-off on the way
  back to the pitch, not an acknowledgement.
- empathize: the first or second response turn shows understanding of why the buyer feels it, often by
  normalising it ("that's really common", "nobody loves adding a line to the budget", "I'd be
  skeptical too after that", "you know your customers better than I do").
- clarify: the rep asks a question in the response to find the real objection behind the stated
  one ("is it the total, or where the money comes from?", "what's drawing you to them?").
  Check-ins ("does that make sense?") and rhetorical questions do not count, nor a question asked after
  the rep argued back ("oh, you'd be surprised... how many agents will you have next year?").
- reframe: the rep offers a new way to see it based on what was learned: how other teams do it,
  ROI or cost-of-inaction math, a phased or different start, what to test any vendor on. A
  reframe needs an acknowledgement or a clarifying question first: a counter-claim thrown
  straight back ("that's not the same thing", "everybody says that") is arguing, not reframing.
  Where no reframe cue matches, a small model (analysis/reframe.py) finds the reframe said in the rep's
  own words and quotes its best sentence; the same gates hold (no reframe when the rep argued or
  discounted, or neither acknowledged nor clarified).
- `detected_by` says what raised the objection: "cue" (a lexicon cue, a counter-price or a price proposal)
  or "model" (the sentence model alone, no cue fired: the less certain kind; deal prep counts it half).
- `handling_evidence` gives, for each step found, the start and quote of the rep sentence behind
  it. Two extra flags for coaching: `rep_argued` (the rep contradicted the buyer: "no, that's not
  the same thing", "I'd push back on that") and `rep_discounted` (the rep answered with a price
  concession or free extras, or by splitting or deferring the payment). Once the rep has argued back,
  a later "okay, fair" concedes; it is not counted as acknowledging or empathizing.
"""
from __future__ import annotations

import bisect
import math
import re
from re import _constants as _C, _parser
from dataclasses import dataclass, field
from functools import lru_cache

from salescoach.analysis import objection_check, reframe
from salescoach.analysis.doc import BUYER, REP, UNKNOWN, CallDoc, Sentence, Turn
from salescoach.analysis.pipeline import analyzer
from salescoach.frameworks import load
from salescoach.models import load_model

CATEGORIES = ("budget", "timing", "competition", "authority", "need", "trust")
_NUM_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
              "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred")
NUM = (r"(?:\$\s?\d[\d,]*(?:\.\d+)?\s?k?\b|\d[\d,]*(?:\.\d+)?(?:\s?(?:k|grand|bucks|dollars|usd|thousand))?\b|"
       r"(?:" + _NUM_WORDS + r")(?:[- ](?:" + _NUM_WORDS + r"|thousand))*(?:\s?(?:k|grand|bucks|dollars|thousand))?\b)")


def _leading(p: str, head: str) -> bool:
    """Does `p` start with `head` (\\b or ^) guarding the whole pattern (no top-level alternation)?"""
    if not p.startswith(head):
        return False
    depth, i = 0, len(head)
    while i < len(p):
        ch = p[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = p.index("]", i + 2) + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
        i += 1
    return True


_WORDCH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789'")


_STOP = frozenset("""a an the i we you it they he she this that these those is are was were be to of in on at
for and or but so if my our your their its it's that's i'm we're i'd we'd i'll we'll can could would will do does
did have has had not no just really also what how there there's here""".split())


def _first_words(items, states=None, two=False):
    """The possible first words (runs of [a-z0-9']) of a parsed pattern, or None if unknown.
    With `two`, a first word that is a common function word ("the", "i", "we") is followed by
    the second word ("the price"). `states` are (prefix, ended) pairs; used recursively."""
    states = {("", False)} if states is None else states
    for op, av in items:
        if all(done for _, done in states):
            return states
        if op is _C.LITERAL:
            ch = chr(av)
            new = set()
            for p, d in states:
                if d:
                    new.add((p, d))
                elif ch in _WORDCH:
                    new.add((p + ch, False))
                elif ch == "$" and not p:
                    new.add(("#num", True))  # an amount: keyed by the number pseudo-word
                elif not p or p.endswith(" "):
                    return None  # a symbol where a word should start: not indexable
                elif two and ch == " " and " " not in p and p in _STOP:
                    new.add((p + " ", False))
                else:
                    new.add((p, True))
            states = new
        elif op is _C.IN:
            chars = []
            digit = False
            for o, x in av:
                if o is _C.LITERAL:
                    chars.append(chr(x))
                elif o is _C.RANGE and x[1] - x[0] < 12:
                    chars.extend(chr(c) for c in range(x[0], x[1] + 1))
                elif o is _C.CATEGORY and x is _C.CATEGORY_DIGIT:
                    digit = True
                    chars.extend("0123456789")
                elif o is _C.CATEGORY and x is _C.CATEGORY_SPACE:
                    chars.append(" ")
                else:
                    return None
            new = set()
            for p, d in states:
                if d:
                    new.add((p, d))
                    continue
                if digit and not p:
                    new.add(("#num", True))
                    continue
                for ch in chars:
                    if ch in _WORDCH:
                        new.add((p + ch, False))
                    elif not p or p.endswith(" "):
                        return None
                    else:
                        new.add((p, True))
            states = new
        elif op is _C.SUBPATTERN:
            states = _first_words(av[-1], states, two)
        elif op is _C.BRANCH:
            new = set()
            for br in av[1]:
                r = _first_words(br, states, two)
                if r is None:
                    return None
                new |= r
            states = new
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            once = _first_words(av[2], states, two)
            if once is None:
                return None
            if av[1] != 1 and not all(d for _, d in once):
                return None  # a repeat that may keep extending the word: not indexable
            states = states | once if av[0] == 0 else once
        elif op is _C.AT:
            # a word boundary after a word ends it (unless it is a function word awaiting its pair)
            states = {(p, True) if (not d and p and not p.endswith(" ") and not (two and p in _STOP)) else (p, d)
                      for p, d in states}
        else:
            return None
        if states is None or len(states) > 600:
            return None
    return states


def _key_words(pattern: str) -> set[str] | None:
    """Words (or "function-word word" pairs) one of which starts every match of `pattern`."""
    parsed = _parser.parse(pattern)
    for two in (True, False):
        st = _first_words(parsed, None, two)
        if st and all(p and not p.endswith(" ") for p, _ in st):
            return {p for p, _ in st}
    return None


_WORD_AT: dict[str, re.Pattern] = {}
_PAIR_HEADS: set[str] = set()  # first words of the word-pair keys of every pattern list compiled so far


def _word_end(w: str) -> str:
    """The end of word `w` as `_Text.at` reads it (a look-ahead)."""
    return "(?![a-z0-9'])" if "'" in w else "(?![a-z0-9])"


def _word_head(w: str) -> str:
    """A regex for the space before word `w` (or before an amount, for "#num"), consuming only the
    space: its matches are `_Text.at(w)`."""
    return r" (?=[$0-9])" if w == "#num" else " (?=" + re.escape(w) + _word_end(w) + ")"


def _key_regex(w: str, body: str) -> re.Pattern:
    """The regex of key `w` over a sentence's spaced text. A single word: its `_word_head` then
    `body` (which consumes nothing), scanned over the sentence: each match consumes only the space,
    so every occurrence is tried (a C loop, cheaper than finding the word's positions first). A
    word pair ("the price"): the space then `body`, tried at each `_Text.at` position (str.find
    finds the pair faster than a scan)."""
    return re.compile((_word_head(w) if " " not in w else " ") + body)


def _word_at(w: str) -> re.Pattern:
    """" w" followed by the end of the word: not a letter or digit, nor an apostrophe when `w` has one
    ("money" is found in "money's", "that's" not in "that's'")."""
    rx = _WORD_AT.get(w)
    if rx is None:
        rx = re.compile(" " + re.escape(w) + _word_end(w))
        if len(_WORD_AT) < 50_000:
            _WORD_AT[w] = rx
    return rx


class _Text:
    """One sentence prepared for matching: lower-cased text, its spaced form and its words."""

    __slots__ = ("t", "sp", "toks", "words", "_at")

    def __init__(self, t: str):
        self.t = t
        self.sp = sp = _spaced(t)
        self.toks = toks = _TOKEN.findall(sp)
        words = set(toks)
        if _NUMSTART.search(sp):
            words.add("#num")
        words.update([f"{a} {b}" for a, b in zip(toks, toks[1:]) if a in _PAIR_HEADS])
        if "'" in sp:  # "money's" also starts a pattern keyed "money"
            words.update(_STEM.findall(sp))
        self.words = words
        self._at: dict[str, list[int]] = {}

    def at(self, w: str) -> list[int]:
        """Positions of the space before each occurrence of word `w`."""
        out = self._at.get(w)
        if out is not None:
            return out
        rx = _WORD_AT.get(w)
        if rx is None and " " not in w:
            rx = _word_at(w)
        if rx is not None:
            out = self._at[w] = [m.start() for m in rx.finditer(self.sp)]
        else:  # a word pair ("the price"): occurrences may overlap
            out = []
            sp, key, n = self.sp, " " + w, len(w) + 1
            i = sp.find(key)
            while i != -1:
                j = i + n
                if j >= len(sp) or sp[j] not in _WORDCH or (sp[j] == "'" and "'" not in w):
                    out.append(i)
                i = sp.find(key, i + 1)
            self._at[w] = out
        return out


def _required(items) -> list[str] | None:
    """Literal strings one of which occurs in every match of a parsed pattern (None when unknown)."""
    cands: list[list[str]] = []
    run = ""
    for op, av in items:
        if op is _C.LITERAL:
            run += chr(av)
            continue
        if run:
            cands.append([run])
            run = ""
        r = None
        if op is _C.SUBPATTERN:
            if av[1] or av[2]:
                return None  # inline flags (case-insensitive...): not a plain literal
            r = _required(av[-1])
        elif op is _C.BRANCH:
            r = []
            for br in av[1]:
                b = _required(br)
                if b is None:
                    r = None
                    break
                r.extend(b)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT) and av[0] >= 1:
            r = _required(av[2])
        if r:
            cands.append(r)
    if run:
        cands.append([run])
    return max(cands, key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _gate(patterns: list[str]) -> tuple[str, ...] | None:
    """Literal strings one of which every match of any of `patterns` contains (None: no such test)."""
    out: list[str] = []
    for p in patterns:
        try:
            parsed = _parser.parse(p)
        except Exception:  # noqa: BLE001 - an unusual pattern: no gate
            return None
        if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
            return None
        r = _required(parsed)
        if not r:
            return None
        out.extend(r)
    return tuple(dict.fromkeys(out))


def _partition(patterns: list[str]) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Split cue patterns ({NUM} filled in) into those anchored at the start (leading '^' removed),
    free ones searched anywhere, and word-led ones (leading '\\b' removed) indexed by each word
    they can start with."""
    anchored: list[str] = []
    free: list[str] = []
    by_word: dict[str, list[str]] = {}
    for p in (x.replace("{NUM}", NUM) for x in patterns):
        if _leading(p, "^"):
            anchored.append(p[1:])
            continue
        keys = _key_words(p[2:]) if _leading(p, "\\b") else None
        if keys is None:
            free.append(p)
            continue
        for k in keys:
            by_word.setdefault(k, []).append(p[2:])
            if " " in k:
                _PAIR_HEADS.add(k.split(" ", 1)[0])
    return anchored, free, by_word


class _Rx:
    """A list of patterns compiled for speed.

    Python's regex engine tries every alternative at every character, which is slow for a few
    hundred cue patterns. Patterns that start at a word (a leading \\b) are indexed by their
    possible first words and tried only where such a word starts (one regex per word, compiled
    the first time a sentence holds the word, see `_key_regex`); the rest (anchored at the
    start, or starting with a number or symbol) are searched as they are, free ones only when
    the sentence holds a string every match of theirs contains (`_gate`)."""

    __slots__ = ("bodies", "rx", "keys", "start", "free", "free_gate")

    def __init__(self, patterns: list[str]):
        a, f, by_word = _partition(patterns)
        self.bodies = {k: "(?:" + "|".join(f"(?:{p})" for p in ps) + ")" for k, ps in by_word.items()}
        self.rx: dict[str, re.Pattern] = {}  # key word -> its regex (`_key_regex`), compiled on first use
        self.keys = frozenset(by_word)
        self.start = re.compile("|".join(f"(?:{p})" for p in a)) if a else None
        self.free = re.compile("|".join(f"(?:{p})" for p in f)) if f else None
        self.free_gate = _gate(f) if f else None  # one of these strings is in every free match

    def count(self, x: "_Text", limit: int = 1) -> int:
        n = 0
        if self.start is not None and self.start.match(x.t):
            n += 1
            if n >= limit:
                return n
        if self.keys:
            sp, rxs = x.sp, self.rx
            for w in self.keys.intersection(x.words):
                rx = rxs.get(w)
                if rx is None:
                    rx = rxs[w] = _key_regex(w, "(?=" + self.bodies[w] + ")" if " " not in w else self.bodies[w])
                if " " not in w:
                    for _ in rx.finditer(sp):
                        n += 1
                        if n >= limit:
                            return n
                    continue
                for pos in x.at(w):
                    if rx.match(sp, pos):
                        n += 1
                        if n >= limit:
                            return n
        if self.free is not None and (self.free_gate is None or any(g in x.t for g in self.free_gate)):
            for _ in self.free.finditer(x.t):
                n += 1
                if n >= limit:
                    return n
        return n

    def search(self, x: "_Text | str") -> bool:
        return self.count(x if isinstance(x, _Text) else _Text(x), 1) > 0


_OPENERS = re.compile(r"""([(\["/])(?=[a-z0-9$'])""")
# words after a space (findall returns the group; consuming the space finds the same words as a
# look-behind, which the regex engine would test at every character)
_TOKEN = re.compile(r" ([a-z0-9']+)")
_STEM = re.compile(r" ([a-z0-9]+)(?=')")
_NUMSTART = re.compile(r" (?=[$0-9])")
_WORD_AT["#num"] = _NUMSTART  # where an amount starts (`_word_head`)


def _spaced(t: str) -> str:
    """" " + t with a space after opening brackets and quotes (so "(budget" reads "( budget")."""
    if "(" in t or '"' in t or "[" in t or "/" in t:
        t = _OPENERS.sub(r"\1 ", t)
    return " " + t


class _Multi:
    """Many named pattern lists matched in one pass over a sentence's words (see `_Rx`)."""

    def __init__(self, kinds: dict[str, list[str]]):
        by_word: dict[str, dict[str, list[str]]] = {}
        self.other: list[tuple[str, re.Pattern | None, re.Pattern | None]] = []
        for kind, patterns in kinds.items():
            a, f, words = _partition(patterns)
            for k, bodies in words.items():
                by_word.setdefault(k, {}).setdefault(kind, []).extend(bodies)
            if a or f:
                self.other.append((kind, re.compile("|".join(f"(?:{p})" for p in a)) if a else None,
                                   re.compile("|".join(f"(?:{p})" for p in f)) if f else None))
        # one regex per key word: an optional look-ahead group per kind, so a single match call
        # tells every kind that matches at that word
        # (a leading look-ahead over every kind's patterns makes the regex fail where none matches, so
        # `counts` only sees the occurrences of the word that match something: most occurrences of a key
        # word match no pattern, and each cost a match object and a loop turn)
        self.names = {f"k{i}": kind for i, kind in enumerate(kinds)}
        self.gname = gname = {kind: g for g, kind in self.names.items()}
        self.bodies = {k: "(?=" + "|".join(f"(?:{p})" for ps in d.values() for p in ps) + ")"
                       + "".join(f"(?:(?=(?P<{gname[kind]}>" + "|".join(f"(?:{p})" for p in ps) + "))|)"
                                 for kind, ps in d.items()) for k, d in by_word.items()}
        self.kinds = {k: tuple(d) for k, d in by_word.items()}
        # key word -> (its regex (`_key_regex`), (group number, kind) per kind), made on first use
        self.rx: dict[str, tuple[re.Pattern, tuple[tuple[int, str], ...]]] = {}
        self.keys = frozenset(by_word)
        # one cheap test for all the anchored and free patterns (most sentences match none of them)
        starts = [st.pattern for _, st, _ in self.other if st is not None]
        frees = [fr.pattern for _, _, fr in self.other if fr is not None]
        self.any_start = re.compile("|".join(f"(?:{p})" for p in starts)) if starts else None
        self.any_free = re.compile("|".join(f"(?:{p})" for p in frees)) if frees else None
        self.free_gate = _gate(frees) if frees else None  # one of these strings is in every free match

    def counts(self, x: "_Text") -> dict[str, int]:
        """kind -> number of matches (word positions), at most 2 per kind."""
        out: dict[str, int] = {}
        seen: dict[str, set] = {}
        sp, rxs = x.sp, self.rx
        for w in self.keys.intersection(x.words):
            e = rxs.get(w)
            if e is None:
                rx = _key_regex(w, self.bodies[w])
                e = rxs[w] = (rx, tuple((rx.groupindex[self.gname[kind]], kind) for kind in self.kinds[w]))
            rx, gs = e
            if " " not in w:
                found = rx.finditer(sp)  # every " w" (the look-ahead consumes only the space)
            else:  # a word pair: its positions, then the regex at each
                found = (rx.match(sp, pos) for pos in x.at(w))
            for m in found:
                if m is None or m.lastindex is None:
                    continue  # no kind matched at this word (None: at this word pair)
                pos = m.start()
                for g, kind in gs:
                    if m.start(g) != -1:
                        at = seen.get(kind)
                        if at is None:
                            seen[kind] = {pos}
                            out[kind] = 1
                        else:
                            at.add(pos)
                            out[kind] = min(len(at), 2)
        t = x.t
        if not ((self.any_start is not None and self.any_start.match(t))
                or (self.any_free is not None and (self.free_gate is None or any(g in t for g in self.free_gate))
                    and self.any_free.search(t))):
            return out
        for kind, st, fr in self.other:
            n = out.get(kind, 0)
            if n >= 2:
                continue
            if st is not None and st.match(x.t):
                n += 1
            if fr is not None and n < 2:
                for _ in fr.finditer(x.t):
                    n += 1
                    if n >= 2:
                        break
            if n:
                out[kind] = n
        return out


def _compile(patterns: list[str]) -> _Rx | None:
    return _Rx(patterns) if patterns else None


class _Lex:
    def __init__(self, cfg: dict):
        self.threshold = cfg.get("threshold", 2)
        self.category_blend = float(cfg.get("category_blend", 0.0))
        kinds: dict[str, list[str]] = {}
        for name, d in cfg["categories"].items():
            for part in ("strong", "weak", "topic"):
                if d.get(part):
                    kinds[f"{part}:{name}"] = d[part]
        for kind, key in (("stance", "stance"), ("preface", "preface"), ("new_topic", "new_topic"),
                          ("also", "also_marker"), ("veto", "veto"), ("arg", "argument_cues"),
                          ("counter", "counter_offer")):
            if cfg.get(key):
                kinds[kind] = cfg[key]
        self.matcher = _Multi(kinds)
        self.proposal_check = _compile(cfg.get("proposal_check", []))
        self.decision_question = _compile(cfg.get("decision_question", []))
        ep = cfg["episode"]
        self.max_rep_turns = ep["max_rep_turns"]
        self.resp_turns = ep["response_rep_turns"]
        self.max_gap = ep["max_gap_s"]
        self.bc_max = ep["backchannel_max_words"]
        self.short_reply = ep.get("short_reply_max_words", 20)
        a = cfg["aecr"]
        self.ack = _compile(a["acknowledge"])
        self.emp = _compile(a["empathize"])
        self.clar = _compile(a["clarify"])
        self.clar_x = _compile(a["clarify_exclude"])
        self.reframe = _compile(a["reframe"])
        self.argue = _compile(a["argue"])
        self.concede = _compile(a["concede"])
        self.offer = _compile(cfg.get("offer", []))
        self.restate = _compile(cfg.get("restate", []))
        self.reframe_gate = a.get("new_perspective_requires_ack_or_clarify", True)
        # the seven AECR lists above matched in one pass over a sentence's words, for `_text_flags`, which
        # asks all of them about every sentence of the rep's response (one `_Rx` pass per list before)
        self.aecr = _Multi({"ack": a["acknowledge"], "emp": a["empathize"], "clar_x": a["clarify_exclude"],
                            "clar": a["clarify"], "reframe": a["reframe"], "argue": a["argue"],
                            "concede": a["concede"]})
        self.backchannels = frozenset(cfg["backchannels"])


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    return _Lex(load("objections"))


_CONTRACT = {w.replace("'", ""): w for w in (
    "don't", "can't", "won't", "isn't", "doesn't", "didn't", "wouldn't", "couldn't", "shouldn't", "haven't",
    "hasn't", "aren't", "wasn't", "weren't", "i'm", "i've", "i'll", "you're", "that's", "there's", "what's",
    "we've", "we're", "they're", "let's", "here's", "it'll", "we'll", "i'd", "we'd", "you'd")}
_CONTRACT.pop("well"), _CONTRACT.pop("were"), _CONTRACT.pop("wed"), _CONTRACT.pop("id")
_CONTRACT_RE = re.compile(r"\b(?:" + "|".join(_CONTRACT) + r")\b")


@lru_cache(maxsize=2048)
def _prep(text: str) -> "_Text":
    """A sentence normalised and prepared for matching, cached by its exact text (several rules read
    the same sentence; a call repeats many short ones)."""
    return _Text(_norm(text))


def _norm(text: str) -> str:
    """Lower case, straight quotes, single spaces, and apostrophes restored ("dont" -> "don't")."""
    t = " ".join(text.lower().replace("’", "'").replace("‘", "'").split())
    if "'" not in t:  # speech-to-text without apostrophes
        t = _CONTRACT_RE.sub(lambda m: _CONTRACT[m.group(0)], t)
    return t


@dataclass(slots=True)
class _Cues:
    """Objection cues found in one sentence."""

    strong: dict = field(default_factory=dict)  # category -> weight
    weak: set = field(default_factory=set)
    topic: set = field(default_factory=set)  # categories whose topic words occur
    stance: bool = False  # negation, hedge or difficulty words
    preface: bool = False
    new_topic: bool = False
    also: bool = False
    arg: bool = False
    counter: bool = False
    veto: bool = False

    @property
    def hit(self) -> bool:
        return bool(self.strong) or bool(self.weak)

    def weights(self) -> dict:
        w = dict(self.strong)
        for c in self.weak | self.topic:
            w[c] = w.get(c, 0) + 1
        return w


def sentence_cues(text: str, lx: _Lex | None = None) -> _Cues:
    """The objection cues of one sentence (cached: calls repeat many short sentences)."""
    return _cues(text) if lx is None or lx is _lex() else _cues_uncached(text, lx)


@lru_cache(maxsize=8192)
def _cues(text: str) -> _Cues:
    return _cues_uncached(text, _lex())


def _cues_uncached(text: str, lx: _Lex) -> _Cues:
    x = _prep(text) if lx is _lex() else _Text(_norm(text))
    k = lx.matcher.counts(x)
    c = _Cues()
    c.preface = "preface" in k
    if not k:
        return c
    c.veto = "veto" in k
    for kind, n in k.items():
        part, _, name = kind.partition(":")
        if part == "strong":
            c.strong[name] = 2 * n
        elif part == "weak" and not c.veto:
            c.weak.add(name)
        elif part == "topic" and not c.veto:
            c.topic.add(name)
    c.stance = "stance" in k
    c.new_topic = "new_topic" in k
    c.also = "also" in k
    c.arg = "arg" in k
    c.counter = "counter" in k
    return c


def _score(c: _Cues, prefaced: bool, answering: bool = False) -> float:
    """Strong cues count 2. Weak cue words count 1 and need a preface or a topic marker.
    A category topic word with a stance word (negation, hedge, difficulty) counts 2, or 1 when
    the buyer is answering the rep's discovery question (then it is usually pain, not push-back)."""
    combo = bool(c.topic - {"other"}) and c.stance
    if c.preface and not (c.strong or combo):
        return 0.0  # "can I be honest?" announces an objection, it is not one
    s = 2.0 if c.strong else 0.0
    if not c.strong and combo:
        s = 1.0 if answering else 2.0
    elif c.weak - {"other"}:
        s += 1.0 if (prefaced or c.new_topic) else 0.0
    elif c.weak and c.arg and prefaced:
        s += 1.0
    if prefaced:
        s += 1.0 if (c.strong or (combo and not answering)) else 0.0
    if c.new_topic and (c.strong or combo):
        s += 1.0
    if not answering and (prefaced or c.new_topic) and s < 2 and (c.topic - {"other"} or c.stance):
        s = 2.0  # announced push-back: "can I be honest? ... we got a proposal from X"
    return s


def _category(weights: dict, first: dict) -> str:
    best, bw = "other", 0
    for cat in CATEGORIES:
        w = weights.get(cat, 0)
        if w > bw or (w == bw and w > 0 and first.get(cat, 0) > first.get(best, 0)):
            best, bw = cat, w
    return best


def _turn_info(doc: CallDoc, lx: _Lex) -> tuple[list[bool], list[bool], list[int]]:
    """Per turn, computed once per call: backchannel? tiny ("wow. yeah.")? word count."""
    info = doc.__dict__.get("_objection_turn_info")
    if info is None:
        bc, tiny, nw = [], [], []
        ss = doc.sentences
        for t in doc.turns:
            n = sum(len(ss[i].tokens) for i in t.sentences)
            bc.append(n <= lx.bc_max and _is_backchannel([w for i in t.sentences for w in ss[i].tokens], lx))
            tiny.append(len(t.sentences) <= 2 and n <= 3)
            nw.append(n)
        info = doc.__dict__["_objection_turn_info"] = (bc, tiny, nw)
    return info


def _is_backchannel(s_tokens: list[str], lx: _Lex) -> bool:
    return 0 < len(s_tokens) <= lx.bc_max and all(t in lx.backchannels for t in s_tokens)


@dataclass
class _Obj:
    turn: int
    sents: list[int]  # the objection's sentences (indices into doc.sentences)
    seg_from: int
    seg_to: int
    category: str
    speaker: str
    start: float | None
    follow_ups: list[int] = field(default_factory=list)
    by_model: bool = False  # raised by the sentence model alone: no rule cue fired


def _side(doc: CallDoc) -> tuple[set[str], bool]:
    """Roles that raise objections, and whether the call has a known rep."""
    has_rep = any(t.role == REP for t in doc.turns)
    return ({BUYER} if has_rep else {UNKNOWN}), has_rep


def _responder(turn: Turn, obj_speaker: str, has_rep: bool) -> bool:
    return turn.role == REP if has_rep else turn.speaker != obj_speaker


def _turn_questions(doc: CallDoc) -> dict[int, list[str]]:
    """Question texts per turn, from the questions analyzer (it also finds questions in speech-to-text
    without punctuation), else from this module's own question cues."""
    out: dict[int, list[str]] = {}
    qs = doc.report.get("questions")
    if qs is None:
        lx = _lex()
        for t in doc.turns:
            if t.role == BUYER:
                continue
            for i in t.sentences:
                if _asks(doc.sentences[i].text, lx):
                    out.setdefault(t.index, []).append(doc.sentences[i].text)
        return out
    by_speaker: dict[str, list[Turn]] = {}
    for t in doc.turns:
        by_speaker.setdefault(t.speaker, []).append(t)
    starts = {k: [t.start if t.start is not None else -1.0 for t in v] for k, v in by_speaker.items()}
    for q in qs:
        text = q.get("text") or ""
        cands = by_speaker.get(q.get("speaker"), [])
        st = q.get("start")
        hit = None
        if st is not None and cands:
            # the first turn of that speaker that starts at or before the question and has not ended
            k = bisect.bisect_right(starts[q.get("speaker")], st) - 1
            lo = k
            while lo > 0 and cands[lo - 1].start is not None and (cands[lo - 1].end is None or st <= cands[lo - 1].end):
                lo -= 1
            for t in cands[max(lo, 0):k + 1]:
                if t.start is not None and t.start <= st and (t.end is None or st <= t.end):
                    hit = t
                    break
        if hit is None:
            nq = _norm_q(text)
            hit = next((t for t in cands if nq and nq in _norm_q(t.text(doc))), None)
        if hit is not None:
            out.setdefault(hit.index, []).append(text)
    return out


def _asked_before(doc: CallDoc, turn: Turn, raisers: set[str], lx: _Lex, tq: dict[int, list[str]]) -> list[str]:
    """The questions (checks such as "does that make sense?" left out) of the other side's last substantive
    turn before this buyer turn; [] when it asked none ("wow. yeah." keeps an earlier question open)."""
    bc, tiny, _ = _turn_info(doc, lx)
    for prev in reversed(doc.turns[max(0, turn.index - 5):turn.index]):
        if prev.role in raisers:
            continue
        if not prev.sentences or bc[prev.index] or tiny[prev.index]:
            continue
        return [q for q in tq.get(prev.index, []) if not _is_check(q, lx)]
    return []


def _answer_kind(doc: CallDoc, turn: Turn, raisers: set[str], lx: _Lex, tq: dict[int, list[str]]) -> tuple[bool, bool]:
    """(answering, process_answer) for a buyer turn. answering: it answers a discovery question the other
    side just asked (a question that invites a reaction to the offer, "what do you think?", is not one).
    process_answer: that question asked how the decision gets made (frameworks `decision_question`: "who
    else is involved?"), so "anything over fifty K goes to our CFO" describes the process asked about."""
    asks = _asked_before(doc, turn, raisers, lx, tq)
    answering = bool(asks) and not _proposal_check(asks[-1])
    dq = lx.decision_question
    return answering, answering and dq is not None and any(dq.search(_norm_q(q)) for q in asks)


@lru_cache(maxsize=4096)
def _proposal_check(q: str) -> bool:
    return bool(_lex().proposal_check.search(_prep(q)))


def _is_check(q: str, lx: _Lex) -> bool:
    """A check-in such as "does that make sense?" or "right?"."""
    return _is_check_cached(q) if lx is _lex() else lx.clar_x.search(_Text(_norm(q)))


@lru_cache(maxsize=8192)
def _is_check_cached(q: str) -> bool:
    return _lex().clar_x.search(_prep(q))


# --- the trained sentence model (tools/train_objections.py; weights in models/objections.json) ---------

_QWORDS = frozenset("what why how who which where when is are was were do does did would could can will "
                    "have has should shall may might isn't aren't don't doesn't didn't won't wouldn't".split())
_NUMTOK = re.compile(r"^\$?\d")
MODEL_PATH_ENV = "SALESCOACH_OBJECTIONS_MODEL"
AECR_TRACE: list | None = None  # training hook: when a list, judge() appends (doc, [(sentence, AECR flags)], rule steps)
TRACE: list | None = None  # training hook: when a list, detect() appends (doc, sentence, features, context, rule hit)


def _clear_model() -> None:
    """Forget the loaded model (after changing SALESCOACH_OBJECTIONS_MODEL)."""
    _model.cache_clear()
    _EMB.clear()
    _text_score.cache_clear()
    _sparse_score.cache_clear()
    _weight_tables.cache_clear()
    _quiet.cache_clear()
    _model_category.cache_clear()


@lru_cache(maxsize=1)
def _model() -> dict | None:
    """The shipped model ({weights, bias, threshold}), or None when absent or disabled ("none")."""
    m = load_model("objections.json", MODEL_PATH_ENV)
    if m is None:
        return None
    t = min(max(m["threshold"], 1e-6), 1 - 1e-6)
    m["cut"] = math.log(t / (1 - t))  # compare raw scores with the threshold in logit space
    v = m.get("veto_below", 0.0)
    m["veto_cut"] = math.log(v / (1 - v)) if v > 0 else -math.inf
    pt = min(max(m.get("prefaced_threshold", t), 1e-6), 1 - 1e-6)
    m["preface_cut"] = math.log(pt / (1 - pt))  # after "can I be honest?" a lower bar
    at = min(max(m.get("answering_threshold", 1.0), 1e-6), 1 - 1e-6)
    m["answer_cut"] = math.log(at / (1 - at))  # while answering a discovery question: a higher bar
    m["ctx_max"] = sum(max(v, 0.0) for k, v in m["weights"].items() if k.startswith("ctx:"))
    n = m.get("new_objection_above", 1.0)
    m["new_cut"] = math.log(n / (1 - n)) if n < 1 else math.inf
    e = m.get("embedding")
    if e:  # dense weights over the sentence embedding: a (1 + classes) x dim matrix, push-back row first
        import numpy as np
        cw = list(e.get("category_weights") or [])
        m["emb_detect"] = bool(e.get("weights"))
        rows = [e["weights"] if m["emb_detect"] else [0.0] * len(cw[0] if cw else [])] + cw
        m["emb_matrix"] = np.asarray(rows, dtype=np.float32)
        m["emb_max"] = float(e.get("max_score", 0.0))
    return m


_EMB: dict[str, tuple[float, ...]] = {}  # sentence text -> embedding scores (push-back, then per category)
_EMB_MAX = 50_000


def _emb_prime(texts) -> None:
    """Embed, in one batch, the sentences not scored yet, and keep their embedding scores
    (the push-back score and the per-category scores): one matrix product per call."""
    m = _model()
    if m is None or "emb_matrix" not in m:
        return
    todo = list(dict.fromkeys(t for t in texts if t not in _EMB))
    if not todo:
        return
    from salescoach.embed import embed
    sc = embed(todo) @ m["emb_matrix"].T
    if len(_EMB) + len(todo) > _EMB_MAX:
        _EMB.clear()
    for t, row in zip(todo, sc.tolist()):
        _EMB[t] = tuple(row)


def _emb_scores(text: str) -> tuple[float, ...]:
    """The embedding part of the model's scores for one text (push-back first, then per category);
    () when the model has no embedding weights."""
    out = _EMB.get(text)
    if out is None:
        m = _model()
        if m is None or "emb_matrix" not in m:
            return ()
        _emb_prime([text])
        out = _EMB[text]
    return out


@lru_cache(maxsize=16384)
def text_features(text: str) -> tuple[str, ...]:
    """Features of one buyer sentence on its own: words and word pairs (numbers folded to #num),
    the lexicon's cue kinds, question form, negation and length."""
    toks, f = _feature_parts(text)
    f.update(["w:" + w for w in toks])
    f.update(["b:" + a + "_" + b for a, b in zip(toks, toks[1:])])
    if toks:
        f.add("first:" + toks[0])
    return tuple(sorted(f))


def _feature_parts(text: str) -> tuple[list[str], set[str]]:
    """The tokens of `text_features` and its features other than words, word pairs and first word."""
    c = sentence_cues(text)
    x = _prep(text)  # cached by sentence_cues
    t = x.t  # _norm(text)
    # tokens never hold "$" here, so a number is a token starting with a digit (_NUMTOK)
    toks = ["#num" if w[0] in _DIGITS else w for w in
            (_TOKEN.findall(_spaced(t.replace("$", " $"))) if "$" in t else x.toks)]
    f = set()
    if "$" in t:
        f.add("money")
    if t.rstrip().endswith("?") or (toks and toks[0] in _QWORDS):
        f.add("question")
    if any(w in _NEG or w.endswith("n't") for w in toks):
        f.add("negation")
    n = len(toks)
    f.add("len:short" if n <= 3 else "len:mid" if n <= 10 else "len:long")
    for cat in c.strong:
        f.add("strong:" + cat)
    if c.strong:
        f.add("strong")
    for cat in c.weak:
        f.add("weak:" + cat)
    for cat in c.topic:
        f.add("topic:" + cat)
        if c.stance:
            f.add("topic+stance:" + cat)
    for k in ("stance", "preface", "new_topic", "also", "arg", "counter", "veto"):
        if getattr(c, k):
            f.add("cue:" + k)
    words, phrases, _ = _word_classes()
    word_keys, phrase_heads = _class_keys()
    present = set()
    tokset = set(toks)
    for w in tokset.intersection(word_keys):
        present.update(words[w])
    heads = tokset.intersection(phrase_heads)
    if heads:
        sp = " " + " ".join(toks) + " "
        for w in heads:  # phrases indexed by their first word
            for ph, names in phrases[w]:
                if ph in sp:
                    present.update(names)
    if present:
        f.update(["cls:" + x for x in present])
        by_first = _class_pairs()
        f.update([f"pair:{a}+{b}" for a in present for b in by_first.get(a, ()) if b in present])
    if "negation" in f:
        f.update("neg+" + x for x in present)
    return toks, f


@lru_cache(maxsize=1)
def _class_keys() -> tuple[frozenset, frozenset]:
    """The words and the phrase first words of model_word_classes, as sets (fast to intersect)."""
    words, phrases, _ = _word_classes()
    return frozenset(words), frozenset(phrases)


@lru_cache(maxsize=1)
def _class_pairs() -> dict[str, tuple[str, ...]]:
    """model_word_classes `pairs` by their first class."""
    out: dict[str, list[str]] = {}
    for a, b in _word_classes()[2]:
        out.setdefault(a, []).append(b)
    return {a: tuple(bs) for a, bs in out.items()}


_DIGITS = frozenset("0123456789")


@lru_cache(maxsize=1)
def _word_classes() -> tuple[dict, dict, list]:
    """frameworks/objections.json model_word_classes: word -> class names, first word -> phrases, class pairs."""
    cfg = load("objections").get("model_word_classes", {})
    words: dict[str, set] = {}
    phrases: dict[str, list] = {}  # first word -> [(" phrase ", (class,))]
    for name, items in cfg.items():
        if name.startswith("_") or name == "pairs":
            continue
        for it in items:
            it = it.lower()
            if " " in it:
                phrases.setdefault(it.split(" ", 1)[0], []).append((" " + it + " ", (name,)))
            else:
                words.setdefault(it, set()).add(name)
    return {k: tuple(v) for k, v in words.items()}, phrases, [tuple(x) for x in cfg.get("pairs", [])]


@lru_cache(maxsize=4096)
def _model_category(text: str) -> str:
    """The model's category (one of the six or "other") for a push-back sentence found by the model alone."""
    r = _category_scores(text)
    if r is None:
        return "other"
    classes, lp = r
    return classes[max(range(len(lp)), key=lp.__getitem__)]


def _category_scores(text: str) -> tuple[list[str], list[float]] | None:
    """The category model's classes and their log-probabilities for a text (None without a category model)."""
    cm = (_model() or {}).get("categories") or {}
    if not cm.get("classes"):
        return None
    sc = list(cm["bias"])
    w = cm["weights"]
    for f in text_features(text):
        v = w.get(f)
        if v is not None:
            sc = [a + b for a, b in zip(sc, v)]
    e = _emb_scores(text)[1:]
    if len(e) == len(sc):
        sc = [a + b for a, b in zip(sc, e)]
    top = max(sc)
    z = top + math.log(sum(math.exp(x - top) for x in sc))
    return cm["classes"], [x - z for x in sc]


def _blend_category(text: str, weights: dict, alpha: float) -> str | None:
    """frameworks `category_blend`: argmax of the model's log-probability plus alpha times the cue weight."""
    r = _category_scores(text)
    if r is None:
        return None
    classes, lp = r
    best = max(range(len(classes)), key=lambda k: lp[k] + alpha * weights.get(classes[k], 0))
    return classes[best]


def model_score(m: dict, feats, ctx=()) -> float:
    """Raw (logit) score of the model for one sentence's features plus its context features."""
    w = m["weights"]
    s = m["bias"]
    for x in feats:
        s += w.get(x, 0.0)
    for x in ctx:
        s += w.get(x, 0.0)
    return s


@lru_cache(maxsize=16384)
def _quiet(text: str) -> bool:
    """A sentence that cannot start or extend an objection whatever its context: no lexicon cue, no
    money amount, and a model score below every threshold even with the most favourable context."""
    c = _cues(text)
    if c.strong or c.weak or c.topic or c.preface or _amounts(text):
        return False
    m = _model()
    if m is None:
        return True
    return _text_score(text) + m["ctx_max"] < min(m["cut"], m["preface_cut"], m["answer_cut"])


def _needs_embedding(text: str) -> bool:
    """The cheap gate before embedding a buyer sentence: could it reach any threshold with the most
    favourable context and the largest embedding score seen in training (`embedding.max_score`)?
    Sentences that cannot (plain backchannels, small talk the word features already rule out) are
    never embedded; their embedding score counts as that maximum, an upper bound, in `_quiet`."""
    m = _model()
    if m is None or not m.get("emb_detect"):
        return False
    if _cues(text).veto:
        return False
    return _sparse_score(text) + m["ctx_max"] + m["emb_max"] >= min(m["cut"], m["preface_cut"], m["answer_cut"])


@lru_cache(maxsize=16384)
def _sparse_score(text: str) -> float:
    """The model's score from the sentence's word and cue features alone (no embedding, no context):
    `model_score(m, text_features(text))`, adding the weights in the same (sorted) order, without
    spelling out the word and word-pair features the model has no weight for."""
    m = _model()
    words, pairs, firsts, other = _weight_tables()
    toks, extra = _feature_parts(text)
    got = {}
    for w in toks:
        e = words.get(w)
        if e is not None:
            got[e[0]] = e[1]
    for ab in zip(toks, toks[1:]):
        e = pairs.get(ab)
        if e is not None:
            got[e[0]] = e[1]
    if toks:
        e = firsts.get(toks[0])
        if e is not None:
            got[e[0]] = e[1]
    for x in extra:
        v = other.get(x)
        if v is not None:
            got[x] = v
    s = m["bias"]
    for x in sorted(got):
        s += got[x]
    return s


@lru_cache(maxsize=1)
def _weight_tables() -> tuple[dict, dict, dict, dict]:
    """The model's weights split by feature kind: word -> ("w:word", weight), (a, b) -> ("b:a_b", weight),
    first word -> ("first:word", weight), and every other feature -> weight."""
    words, pairs, firsts, other = {}, {}, {}, {}
    for k, v in _model()["weights"].items():
        if k.startswith("w:"):
            words[k[2:]] = (k, v)
        elif k.startswith("b:") and "_" in k:
            pairs[tuple(k[2:].split("_", 1))] = (k, v)
        elif k.startswith("first:"):
            firsts[k[6:]] = (k, v)
        else:
            other[k] = v
    return words, pairs, firsts, other


@lru_cache(maxsize=16384)
def _text_score(text: str) -> float:
    """The shipped model's score of a sentence without its context features (cached): the word and
    cue features plus, when the model has embedding weights, the embedding part (gated sentences
    that cannot reach a threshold get the training maximum, `embedding.max_score`, as a bound)."""
    m = _model()
    s = _sparse_score(text)
    if m.get("emb_detect"):
        e = _emb_scores(text) if _needs_embedding(text) else ()
        s += e[0] if e else m["emb_max"]
    return s


def _turn_context(doc: CallDoc, turn: Turn, raisers: set[str], lx: "_Lex", tq: dict, answering: bool) -> tuple:
    """Context features of a buyer turn: what the other side's last substantive turn did
    (and, as the last item, the money amount it named, or None)."""
    ctx = ["ctx:answering"] if answering else []
    prev = None
    bc, _, nws = _turn_info(doc, lx)
    for t in reversed(doc.turns[max(0, turn.index - 4):turn.index]):
        if t.role in raisers or bc[t.index]:
            continue
        prev = t
        break
    if prev is None:
        ctx.append("ctx:opening")
        return tuple(ctx), None
    price = _seller_price(doc, prev)
    if price:
        ctx.append("ctx:price")
    if _offer_turn(doc, prev, lx):
        ctx.append("ctx:offer")
    if nws[prev.index] <= lx.short_reply:
        ctx.append("ctx:short")
    if any(not _is_check(q, lx) for q in tq.get(prev.index, [])):
        ctx.append("ctx:asked")
    return tuple(ctx), price


_AMOUNT = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s?(k\b)?|\b(\d[\d,]*(?:\.\d+)?)\s?(k|grand|bucks|dollars)\b|"
                     r"\b(?:for|at|to|do|pay|offer|take|past|than|over|under|around|about|is|of) (\d[\d,]*(?:\.\d+)?)\b"
                     r"(?!\s?(?:%|percent|miles|years?|months?|weeks?|days?|hours?|minutes?|inches|feet|people|am|pm))")


@lru_cache(maxsize=8192)
def _amounts(text: str) -> tuple[float, ...]:
    """Money amounts in a sentence: "$250", "250 bucks", "2k", "for 250" (a bare number after a price word)."""
    out = []
    for m in _AMOUNT.finditer(text.lower()):
        num = m.group(1) or m.group(3) or m.group(5)
        try:
            v = float(num.replace(",", ""))
        except ValueError:
            continue
        if (m.group(2) or m.group(4) or "") in ("k", "grand"):
            v *= 1000
        out.append(v)
    return tuple(out)


def _seller_price(doc: CallDoc, turn: Turn) -> float | None:
    """The last money amount the seller named in this turn ('$' or 'bucks'/'dollars'), if any."""
    price = None
    for i in turn.sentences:
        t = doc.sentences[i].text
        if "$" in t or "dollar" in t or "buck" in t:
            a = _amounts(t)
            if a:
                price = a[-1]
    return price


def _lower_offer(text: str, price: float | None) -> bool:
    """A buyer amount below the seller's last price (but not absurdly below): a counter-offer."""
    if not price:
        return False
    return any(0.3 * price <= a < price for a in _amounts(text))


def _offer_turn(doc: CallDoc, turn: Turn, lx: "_Lex") -> bool:
    """Did this seller turn make an offer: a concession, a counter-price or a proposal to the buyer
    ("I could do $270", "meet me at $250", "would you be willing to donate $1?")?"""
    return any(_offer_sentence(doc.sentences[i].text) for i in turn.sentences)


@lru_cache(maxsize=8192)
def _restates(text: str) -> bool:
    return bool(_lex().restate.search(_prep(text)))


def _repeats(cur: "_Obj", turn: Turn, sents: list[Sentence]) -> bool:
    """The buyer says a sentence of the open objection again, word for word ("We pay net ninety." -
    "We normally do thirty." - "We pay net ninety."): holding the line, not a new round."""
    said = {_prep(sents[i].text).t for i in cur.sents}
    return any(_prep(sents[i].text).t in said for i in turn.sentences)


@lru_cache(maxsize=8192)
def _offer_sentence(text: str) -> bool:
    lx = _lex()
    x = _prep(text)
    return bool(lx.concede.search(x) or (lx.offer is not None and lx.offer.search(x)))


def detect(doc: CallDoc) -> list[_Obj]:
    lx = _lex()
    raisers, has_rep = _side(doc)
    sents = doc.sentences
    out: list[_Obj] = []
    cur: _Obj | None = None  # the open episode
    cur_rep_turns = 0
    cur_last_t: float | None = None
    rep_asked = False  # the rep's last turn in the open episode asked a question
    tq = _turn_questions(doc)
    tinfo = _turn_info(doc, lx)
    m = _model()
    m_new = m["new_cut"] if m is not None else math.inf
    preface_at: dict[str, int] = {}  # speaker -> index of the turn with their last preface
    if m is not None and m.get("emb_detect"):  # embed the buying side's gated sentences in one batch
        _emb_prime([sents[i].text for t in doc.turns if t.role in raisers for i in t.sentences
                    if _needs_embedding(sents[i].text)])
    for turn in doc.turns:
        if turn.role not in raisers:
            if cur is not None and _responder(turn, cur.speaker, has_rep):
                if not tinfo[0][turn.index]:
                    rep_asked = any(not _is_check(q, lx) for q in tq.get(turn.index, []))
                    cur_rep_turns += 1
                    if cur_rep_turns >= lx.max_rep_turns:
                        cur = None
            continue
        # close the episode on a long gap
        if cur is not None and turn.start is not None and cur_last_t is not None and turn.start - cur_last_t > lx.max_gap:
            cur = None
        if TRACE is None and all(_quiet(sents[i].text) for i in turn.sentences):
            continue  # no cue, no amount and a model score that no context could lift: nothing can fire
        prefaced = turn.index - preface_at.get(turn.speaker, -99) <= 2  # "can I be honest?" - "please" - objection
        answering, process_answer = _answer_kind(doc, turn, raisers, lx, tq)
        cues = [(i, sentence_cues(sents[i].text, lx)) for i in turn.sentences]
        ctx, price = _turn_context(doc, turn, raisers, lx, tq, answering)
        after_offer = "ctx:offer" in ctx or "ctx:short" in ctx  # a haggling round: a new objection
        restates = cur is not None and (
            (lx.restate is not None and any(_restates(sents[i].text) for i in turn.sentences))
            or _repeats(cur, turn, sents))
        trigger = None
        trigger_by_model = False
        vetoed: set[int] = set()  # sentences of this turn the objection check turned down
        pushback_in_turn = False
        for k, (i, c) in enumerate(cues):
            if c.preface:
                prefaced = True
            sc = _score(c, prefaced, answering)
            cand = sc >= lx.threshold and (c.strong or c.weak or c.topic)
            # describing the decision process the rep asked about is an answer, not push-back
            process_only = (process_answer and not c.stance and not prefaced and set(c.strong) <= {"authority"}
                            and set(c.weak) <= {"authority", "other"})  # "not my call, and my VP said no" still is
            if process_only:
                cand = False
            lower = price is not None and _lower_offer(sents[i].text, price)  # "would $280 get it done?"
            cand = rule_hit = cand or lower
            by_model = False
            if TRACE is not None:
                TRACE.append((doc, i, text_features(sents[i].text), ctx, bool(cand)))
            ms_i = -99.0
            if m is not None and (cand or not c.veto) and not process_only:
                ms = ms_i = _text_score(sents[i].text) + sum(m["weights"].get(x, 0.0) for x in ctx)
                if cand:
                    cand = ms >= m["veto_cut"]  # the model overrules a rule hit only when it is very sure
                elif not answering:
                    cand = ms >= (m["preface_cut"] if prefaced and not c.preface else m["cut"])
                else:  # answers to discovery questions are mostly pain: only a sentence the model is very
                    # sure of on its own words counts ("honestly budget's the issue, we have none this year")
                    cand = _text_score(sents[i].text) >= max(m["answer_cut"], m["cut"])
            by_model = cand and not rule_hit
            if cand or c.strong or (c.weak and (c.arg or c.counter)) or (c.topic and c.stance):
                pushback_in_turn = True
            if cur is not None and not c.veto and (c.strong or c.weak - {"other"} or (c.weak and c.arg)):
                if i not in cur.follow_ups and i not in cur.sents:
                    cur.follow_ups.append(i)
            if not cand:
                continue
            w = c.weights()
            if lower:
                w["budget"] = w.get("budget", 0) + 2
            if cur is not None:
                cat_here = _category(w, w)
                # each round of haggling is its own objection: a buyer price proposal, or push-back
                # answering the seller's offer (a concession, counter-price or proposal), unless the
                # buyer only restates the open objection ("that's still ten over")
                new_round = c.counter or lower or (not restates and (
                    after_offer or (ms_i >= m_new and not rep_asked and not answering)))
                # a concern in another category is new when it is announced, comes from another
                # buyer, or is raised unprompted (not an answer to the rep's clarifying question)
                unprompted = bool(c.strong) and not rep_asked
                other_voice = turn.speaker != cur.speaker and bool(c.strong)
                signalled = ((c.new_topic or c.also or prefaced or other_voice or unprompted)
                             and cat_here != cur.category and cat_here != "other")
                if not (new_round or signalled):
                    continue
            if not objection_check.keeps(doc, i, sents[i].text, c, ctx, len(turn.sentences)):
                vetoed.add(k)
                continue  # the second look says this only sounds like push-back
            trigger = k
            trigger_by_model = by_model
            if cur is not None and i in cur.follow_ups:
                cur.follow_ups.remove(i)
            break
        if trigger is None:
            if any(c.preface for _, c in cues):
                preface_at[turn.speaker] = turn.index
            if turn.start is not None and cur is not None and pushback_in_turn:
                cur_last_t = turn.start
            continue
        # build the objection from the trigger sentence
        ti, tc = cues[trigger]
        lowers = {k for k, (i, _) in enumerate(cues) if price is not None and _lower_offer(sents[i].text, price)}
        hit_idx = [k for k, (_, c) in enumerate(cues)
                   if ((c.hit and not c.veto) or c.strong or k in lowers) and k not in vetoed]
        first_k = trigger
        for k in reversed(range(0, trigger)):
            if k in hit_idx and sents[cues[k][0]].seg >= sents[ti].seg - 1:
                first_k = k
            else:
                break
        last_k = trigger
        for k in range(trigger + 1, len(cues)):
            ck = cues[k][1]
            if ck.counter or (ck.preface and not ck.strong):
                break
            if sents[cues[k][0]].seg > sents[cues[last_k][0]].seg + 2:
                break
            if k in hit_idx:
                last_k = k
        members = [cues[k][0] for k in range(first_k, last_k + 1)]
        weights: dict = {}
        for k in range(first_k, last_k + 1):
            for cat, v in cues[k][1].weights().items():
                weights[cat] = weights.get(cat, 0) + v
            if k in lowers:  # a counter-price is haggling: budget
                weights["budget"] = weights.get("budget", 0) + 2
        tw = tc.weights()
        if trigger in lowers:
            tw["budget"] = tw.get("budget", 0) + 2
        cat = _category(weights, tw)
        if m is not None and (trigger_by_model or not weights) and not tc.strong and not tc.weak:
            # found by the model alone: the model's category (topic words alone mislead: "I'd need to...")
            cat = _model_category(" ".join(sents[i].text for i in members))
        elif m is not None and lx.category_blend > 0 and not any(cues[k][1].strong or cues[k][1].counter or k in lowers
                                                                for k in range(first_k, last_k + 1)):
            # weak or topic cues only: the model's category log-probability plus the cue weights
            cat = _blend_category(" ".join(sents[i].text for i in members), weights, lx.category_blend) or cat
        seg_from, seg_to = sents[members[0]].seg, sents[members[-1]].seg
        obj = _Obj(turn=turn.index, sents=members, seg_from=seg_from, seg_to=seg_to, category=cat,
                   speaker=turn.speaker, start=doc.seg_start(seg_from), by_model=trigger_by_model)
        if cur is not None:
            cur.follow_ups = [i for i in cur.follow_ups if i not in members]
        out.append(obj)
        cur, cur_rep_turns, cur_last_t, rep_asked = obj, 0, turn.start, False
        preface_at.pop(turn.speaker, None)
    return out


def _asks(text: str, lx: _Lex) -> bool:
    return _asks_cached(text) if lx is _lex() else _asks_uncached(text, lx)


@lru_cache(maxsize=8192)
def _asks_cached(text: str) -> bool:
    return _asks_uncached(text, _lex())


def _asks_uncached(text: str, lx: _Lex) -> bool:
    t = _prep(text) if lx is _lex() else _Text(_norm(text))
    return (text.rstrip().endswith("?") or lx.clar.search(t)) and not lx.clar_x.search(t)


def _rep_sentence_flags(doc: CallDoc, sent: Sentence, lx: _Lex, qtexts: set[str]) -> tuple[bool, ...]:
    memo = doc.__dict__.setdefault("_objection_rep_flags", {})
    out = memo.get(sent.index)
    if out is None:
        ack, emp, excluded, q, ref, arg, con, nq = (_text_flags(sent.text) if lx is _lex()
                                                   else _text_flags_uncached(sent.text, lx))
        if not q and not excluded and qtexts:
            q = nq in qtexts
            if not q:  # a reported question inside this sentence: check those starting with one of its words
                index = doc.__dict__.get("_objection_q_index")
                if index is None:
                    index = {}
                    for x in qtexts:
                        if x:
                            index.setdefault(x.split(" ", 1)[0], []).append(x)
                    doc.__dict__["_objection_q_index"] = index
                q = any(x in nq for w in set(nq.split()) for x in index.get(w, ()) if len(x) < len(nq))
        out = memo[sent.index] = (ack, emp, q and not excluded, ref, arg, con)
    return out


@lru_cache(maxsize=8192)
def _text_flags(text: str) -> tuple:
    return _text_flags_uncached(text, _lex())


def _text_flags_uncached(text: str, lx: _Lex) -> tuple:
    """(acknowledge, empathize, clarify-excluded, question, reframe, argue, concede, normalised text) of
    one rep sentence: which AECR lists match it (`_Lex.aecr`, one pass for the seven)."""
    k = lx.aecr.counts(_prep(text) if lx is _lex() else _Text(_norm(text)))
    is_q = text.rstrip().endswith("?") or "clar" in k
    return "ack" in k, "emp" in k, "clar_x" in k, is_q, "reframe" in k, "argue" in k, "concede" in k, _norm_q(text)


@lru_cache(maxsize=16384)
def _norm_q(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")).split())


_NEG = frozenset({"not", "no", "never", "nope", "nah"})


def _pushes_back(doc: CallDoc, turn: Turn, lx: _Lex) -> bool:
    """A buyer reply that keeps arguing (negation or an objection cue), not one that lets it go."""
    for i in turn.sentences:
        s = doc.sentences[i]
        if any(w in _NEG or w.endswith("n't") for w in s.tokens):
            return True
        c = sentence_cues(s.text, lx)
        if c.strong or (c.weak and c.arg):
            return True
    return False


_BARE_ACK = re.compile(r"^\W*(?:(?:yeah|yes|oh|okay|ok|sure|of course|totally|right|absolutely|got it|gotcha|noted)\W*){1,3}$",
                       re.IGNORECASE)


def judge(doc: CallDoc, objs: list[_Obj]) -> list[dict]:
    lx = _lex()
    _, has_rep = _side(doc)
    sents = doc.sentences
    segs = doc.call.segments
    qtexts = {_norm_q(q["text"]) for q in doc.report.get("questions") or []
              if q.get("role") != BUYER and not _is_check(q["text"], lx)}
    bc = _turn_info(doc, lx)[0]
    out = []
    for n, o in enumerate(objs):
        stop_turn = objs[n + 1].turn if n + 1 < len(objs) else len(doc.turns)
        resp: list[Turn] = []
        asked = False  # did the first response turn ask something?
        between: list[Turn] = []  # buying-side turns after the first response turn
        for t in doc.turns[o.turn + 1:stop_turn]:
            if not _responder(t, o.speaker, has_rep):
                if resp:
                    between.append(t)
                continue
            if bc[t.index]:
                continue
            if resp and not (asked or any(_pushes_back(doc, b, lx) for b in between)):
                break  # the buyer let it go: the rep's next turn is a new topic, not the response
            resp.append(t)
            if len(resp) == 1:
                asked = any(_rep_sentence_flags(doc, sents[i], lx, qtexts)[2] for i in t.sentences)
            if len(resp) >= lx.resp_turns:
                break
        steps = {"acknowledge": None, "empathize": None, "clarify": None, "reframe": None}
        argued = discounted = False
        said: list[tuple[str, tuple]] = []  # (text, AECR flags) of every response sentence, for the reframe model
        for ti, t in enumerate(resp):
            for i in t.sentences:
                s = sents[i]
                flags = _rep_sentence_flags(doc, s, lx, qtexts)
                said.append((s.text, flags))
                ack, emp, clar, ref, arg, con = flags
                ev = {"start": s.start, "quote": s.text}
                if ti <= 1 and ack and not arg and not argued and steps["acknowledge"] is None:
                    steps["acknowledge"] = ev  # "okay, fair" after arguing back concedes; it validates nothing
                if ti <= 1 and emp and not arg and not argued and steps["empathize"] is None:
                    steps["empathize"] = ev
                argued |= arg
                discounted |= con
                if clar and not arg and not argued and steps["clarify"] is None:
                    steps["clarify"] = ev
                if ref and not arg and not con and steps["reframe"] is None:
                    steps["reframe"] = ev
        a = steps["acknowledge"]
        if a is not None and steps["empathize"] is None and steps["clarify"] is None and _BARE_ACK.match(a["quote"]):
            steps["acknowledge"] = None  # "Sure." and on to the pitch: a brush-off, not an acknowledgement
        if lx.reframe_gate and steps["reframe"] is not None and steps["acknowledge"] is None and steps["clarify"] is None:
            steps["reframe"] = None
        if AECR_TRACE is not None:
            AECR_TRACE.append((doc, said, dict(steps)))
        rm = reframe.model()
        gated = argued or discounted or (steps["acknowledge"] is None and steps["clarify"] is None)
        if rm is not None and steps["reframe"] is None and not gated:
            k, p = reframe.best(rm, said)  # the reframe model finds the reframes no cue phrase names
            if k is not None and p >= rm["threshold"]:
                s = sents[[i for t in resp for i in t.sentences][k]]
                steps["reframe"] = {"start": s.start, "quote": s.text}
        text = " ".join(segs[k].text.strip() for k in range(o.seg_from, o.seg_to + 1)
                        if segs[k].speaker == o.speaker)
        out.append({
            "start": o.start,
            "speaker": o.speaker,
            "role": doc.role(o.speaker),
            "text": text,
            "category": o.category,
            "handling": {k: v is not None for k, v in steps.items()},
            "response_text": " ".join(t.text(doc).strip() for t in resp) or None,
            "response_start": resp[0].start if resp else None,
            "handling_evidence": {k: v for k, v in steps.items() if v is not None},
            "rep_argued": argued,
            "rep_discounted": discounted,
            "follow_ups": [{"start": sents[i].start, "speaker": sents[i].speaker, "quote": sents[i].text}
                           for i in o.follow_ups],
            "detected_by": "model" if o.by_model else "cue",
        })
    return out


@analyzer("objections")
def objections(doc: CallDoc) -> None:
    doc.report["objections"] = judge(doc, detect(doc))
