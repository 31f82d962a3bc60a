"""Questions: detect every question sentence, from any speaker, and type it.

What counts as a question (the detector)
- A sentence that asks for information or for a yes/no answer, with or without a question mark
  (speech-to-text often drops it): direct questions ("How big is the team?"), declarative
  questions put up for confirmation ("So you're on Shopify, right", "And you're all based in
  Miami?"), requests for information in imperative form ("Walk me through how that works today",
  "Tell me more") and indirect questions ("I'd be curious how you handle returns", "Can I ask what
  made it feel like a black box").
- Not questions: backchannels in question form ("Oh really?" as a reaction), rhetorical questions,
  and statements that open with a wh-clause ("What I mean is...", "How we do it is..." -- a
  wh-word, then a subject, then is/was, with no question after it). These follow the Switchboard /
  ICSI dialogue-act conventions: qy, qw, qo, qr, qrr, qy^d, qw^d and ^g are questions; bh, qh and br
  are not.
- Method: a logistic-regression model over word unigrams and bigrams, the first and last one to
  three words, the first words after discourse fillers ("so", "okay", "um") and after each comma,
  the final punctuation, length, auxiliary-subject inversion, wh-word openings, request /
  indirect / tag frames (lexicons in frameworks/questions.json), and the turn context: who spoke
  before and who speaks next (same segment, same speaker, another speaker), with timestamps the
  pause before and after (a speaker who adds "right" / "you know" within a second of their own
  statement is asking for confirmation; a lone "what" / "huh" / "sorry" right after someone else
  asks for a repeat; the same words after another speaker are mostly backchannels), whether the
  previous sentence ended with "?", and how the next speaker starts (answers open with "yes",
  "no", "well"...). Disfluencies are removed first (cut-off words, "uh"/"um", stutters such as
  "do you do you"). tools/train_questions.py trains it on telephone talk (Switchboard), meeting
  talk (ICSI MRDA, with its real timings) and the labelled sales calls, each with and without
  punctuation and casing. There are two models: one for punctuated text and one for raw
  speech-to-text (a call whose text has no '?' and no '.'), because the same words weigh
  differently in each: in punctuated text a declarative ending in '?' ("But she got credits for
  it?") is a question, and without punctuation it usually is not. A statement about the listener
  ("so you're on Shopify today") is also read with the reply it gets ("yeah", "no", "uh-huh").
  The weights ship as JSON (models/questions.json) and inference is plain
  Python (look-ups, a sum, a sigmoid). The model is linear, so the text part of the score is
  computed once per distinct sentence text in a call and the context part is added per sentence.
- Unpunctuated text: sentences.py splits at capitals where speech-to-text kept them. When a
  longer sentence without final punctuation is judged a question, the question text reported is
  its best-scoring clause: from a clause start (after a comma, a discourse word, or a restart
  such as a cut-off or repeated word: "got it walk me through...", "it's cl- is it clear...")
  that opens with a wh-word, an auxiliary plus subject or a request frame, to the end.
- `start` is the start of the segment in which the question begins (null when untimed).

How a question is typed (rules over lexicons in frameworks/questions.json)
- form: "open" invites a free, explained answer (how / why / what-happens / tell-me /
  walk-me-through); "closed" asks for yes/no, a choice between alternatives ("A or B?"), a
  confirmation (tag and declarative questions) or one short fact (how many / how long / how
  much / when / which / who owns / "what's the budget"). In "If ..., what would that change?"
  the main clause decides; in "Can I ask what ..." the embedded question decides.
- spin (rep questions only; null for other speakers):
  situation = facts about the buyer's current state: company, tools, team, process, volumes;
  problem = difficulties, dissatisfaction, what breaks or frustrates, how long / how often, what
    was tried;
  implication = consequences of the problem: cost, impact, what happened, who else is affected,
    what happens if nothing changes, what is at stake;
  need_payoff = the value of solving it: "if you had / could ..., what would that change / mean";
  other = rapport, logistics, agenda and permission checks, confirmations, stakeholders and
    decision process, objection clarifying, next steps.
  Call phases matter: rep questions before the agenda / "let me start with..." (when one is
  found in the first 30% of the call; without one, in the first 8% of the call) are rapport (other); after the first need-payoff question
  or after the rep starts presenting ("let me share my screen"), discovery is over and questions
  without a problem / implication cue are other, except questions about the buyer's current state
  ("how do you report that today?", "how many people are on the team?": still situation). A
  negotiation call (given, or detected from its cues as the structure analyzer does) is past
  discovery from its start. Why the buyer is looking now is situation. A short follow-up ("Tell me more", "And you?",
  "Same question") keeps the type of the rep's previous problem / implication question. A check on the
  conversation itself ("any questions so far?", "did I miss anything?") is other. Where a question holds
  no SPIN cue at all and is not about the buyer's current state, a small trained model (models/spin.json,
  tools/train_spin.py) may replace the default (situation in discovery, other after it): from the question's
  words, the other lexicons it hits, its form, the previous discovery type, the phase and where in the call it
  falls; it has to lead the default by a margin (SALESCOACH_SPIN_MODEL=none turns it off).
- sandler_level (rep questions of the pain funnel, else null): 1 = surface pain (what is wrong,
  tell me more, give an example, how long has it been going on), 2 = business impact (what it
  costs the business, what happens if it continues, what was tried), 3 = personal stakes (what
  it means for you personally, what is at stake for you).
- socratic (rep questions, else null): accountability = tests follow-through: who owns, decides
  or must be in the room, what would need to be true, "could you send ... by Monday";
  forcing_function = asks for binary clarity on a priority or decision ("nice to have or need to
  have", "which one", an either/or about the problem); diagnostic = an open situation or problem
  question that makes the buyer explain how things work or where they break.
- researchable: a situation question whose answer is public or in the CRM before the call (what
  the company sells, headcount, where it is based, public or private, which platform or CRM it
  runs on, markets served).

Metrics: rep_questions = number of rep questions; questions_per_hour = rep questions per hour of
call (null when the call has no timestamps). Each question also carries `researchable` (bool).
"""
from __future__ import annotations

import itertools
import json
import math
import os
import re
from functools import lru_cache
from importlib import resources

from salescoach.analysis.doc import REP, CallDoc
from salescoach.analysis.pipeline import analyzer
from salescoach.frameworks import load
from salescoach.models import load_model

_TOK = re.compile(r"[a-z0-9_]+(?:['’\-][a-z0-9_]+)*['-]?")
_TOKC = re.compile(_TOK.pattern + "|,")  # tokens and commas
_DISFL = frozenset(["uh", "um", "umm", "uhm", "er", "erm", "eh"])


class _Phrases:
    """Word-sequence lexicon matched on a token list (faster than a regex alternation)."""

    def __init__(self, phrases: list[str]):
        self.first: dict[str, list[tuple[str, ...]]] = {}
        for p in phrases:
            t = tuple(p.lower().split())
            if t:
                self.first.setdefault(t[0], []).append(t)
        self.ends = {t for ts in self.first.values() for t in ts}
        self.max = max((len(t) for t in self.ends), default=0)
        self.last = {t[-1] for t in self.ends}

    def search(self, toks: list[str]) -> int:
        """End position of the first match, or -1."""
        first = self.first
        if first.keys().isdisjoint(toks):
            return -1
        for i, w in enumerate(toks):
            cands = first.get(w)
            if cands:
                for t in cands:
                    if tuple(toks[i:i + len(t)]) == t:
                        return i + len(t)
        return -1

    def at_end(self, toks: list[str]) -> bool:
        if toks[-1] not in self.last:
            return False
        return any(tuple(toks[-k:]) in self.ends for k in range(1, min(self.max, len(toks)) + 1))


class _Lex:
    def __init__(self, cfg: dict):
        d = cfg["detector"]
        self.fillers = frozenset(d["fillers"])
        self.wh = frozenset(d["wh"])
        self.aux = frozenset(d["aux"])
        self.subj = frozenset(d["subjects"])
        self.request = _Phrases(d["request_frames"])
        self.indirect = _Phrases(d["indirect_frames"])
        self.tags = _Phrases(d["tags"])


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    return _Lex(load("questions"))


def tokenize(text: str) -> list[str]:
    return _TOK.findall(text.lower().replace("’", "'"))


def clean_tokens(toks: list[str]) -> list[str]:
    """Speech disfluencies out: cut-off words ("w-"), "uh"/"um", and immediate repeats
    ("do you do you" -> "do you"), so "w- w- was there uh a time" reads "was there a time"."""
    out: list[str] = []
    app = out.append
    last = ""
    for t in toks:
        if t[-1] == "-" or t in _DISFL or t == last:
            continue
        if len(out) >= 3 and out[-3] == last and t == out[-2]:
            out.pop()
            last = out[-1]
            continue
        app(t)
        last = t
    return out


def _skip(toks: list[str], fillers: frozenset) -> int:
    i = 0
    while i < len(toks) - 1 and i < 4 and toks[i] in fillers:
        i += 1
    return i


_CLEFT_SUBJ = frozenset(["i", "we", "they", "he", "she", "i'm", "we're", "they're", "you're", "i've", "we've"])
_YOU_WE_THEY = frozenset(["you", "we", "they"])
_PUNCT = {"?": "end?", ".": "end.", "!": "end!", ",": "end,"}
_LEN = [(1, "1"), (2, "2"), (3, "3"), (5, "4-5"), (8, "6-8"), (13, "9-13"), (20, "14-20")]
_LENF = [""] + ["len=" + next(name for lim, name in _LEN if k <= lim) for k in range(1, 21)]  # by word count


def _gap(g: float) -> str:
    return "0" if g < 0.3 else "1" if g < 1.0 else "3" if g < 3.0 else "9"


_YOU_SUBJ = frozenset(["you", "you're", "you've", "you'll", "you'd", "y'all"])
_YD_SKIP = frozenset(["so", "and", "but", "oh", "well", "now", "then", "i", "guess", "mean", "think", "assume",
                      "or", "okay", "ok", "o_k", "right", "yeah", "like", "maybe", "probably", "still"])


def _you_declarative(toks: list[str]) -> bool:
    """The sentence opens (after discourse words and hedges) with "you" as subject and is not
    inverted or a wh-question: a candidate declarative question."""
    for k, w in enumerate(toks[:5]):
        if w in _YOU_SUBJ:
            return k + 1 < len(toks) and toks[k + 1] not in ("know", "see")  # "you know" is a filler
        if w not in _YD_SKIP and w not in _DISFL:
            return False
    return False


def context(units: list[tuple], i: int, toks: list[str] | None = None) -> list[str]:
    """Context features of unit i in a time-ordered sequence of units
    (speaker, text, start, end, segment id); start / end are None when untimed.

    - who speaks before and after (same speaker, same segment, another speaker, nobody);
    - with times: the pause since the previous unit ended and until the next one starts
      (buckets < 0.3 s, < 1 s, < 3 s, longer), per same / other speaker;
    - whether the previous unit ends with '?'; how the next speaker starts (answers open with
      "yeah", "no", "well", "we", ...);
    - for a unit of one or two words (`toks`: its clean tokens), those words joined with the
      above: a standalone "right" / "you know" right after one's own statement is a tag question,
      a standalone "what" / "huh" / "sorry" just after someone else spoke asks for a repeat,
      while the same words after another speaker are mostly backchannels;
    - for a statement about the listener ("so you're on Shopify today"), who speaks next and how
      their reply starts: put up for confirmation, it gets a "yeah" / "no" / "uh-huh"."""
    f = []
    u = units[i]
    spk, start, end, seg = u[0], u[2], u[3], u[4]
    pv = nx = ""
    nt: list[str] = []
    if i > 0:
        p = units[i - 1]
        pv = "pv_seg" if p[4] == seg and seg is not None else "pv_same" if p[0] == spk else "pv_other"
        f.append(pv)
        if p[1].rstrip().endswith("?"):
            f.append("pv_q")
        if start is not None and p[3] is not None and pv != "pv_seg":
            pv = pv + "&g" + _gap(start - p[3])
            f.append(pv)
    else:
        pv = "pv_none"
        f.append(pv)
    if i + 1 < len(units):
        n = units[i + 1]
        if n[0] == spk:
            nx = "nx_seg" if n[4] == seg and seg is not None else "nx_same"
            f.append(nx)
        else:
            nt = _TOK.findall(n[1][:40].lower())[:2]
            nx = "nx_other"
            f.append(nx)
            if nt:
                f.append("nxf=" + nt[0])
                if len(nt) > 1:
                    f.append("nxf2=" + " ".join(nt))
            if end is not None and n[2] is not None:
                f.append("nx_other&g" + _gap(n[2] - end))
    else:
        nx = "nx_none"
        f.append(nx)
    if toks is not None and len(toks) > 2 and _you_declarative(toks):
        # a statement about the listener ("so you're on Shopify", "you still need the space") put up for
        # confirmation: the other speaker's reply ("yeah", "no", "uh-huh") tells it from a statement
        f.append("yd&" + nx)
        if nx == "nx_other" and nt:
            f.append("yd&nxf=" + nt[0])
    if toks is not None and 0 < len(toks) <= 2:
        key = "sh=" + " ".join(toks)
        f.append(key + "&" + pv)
        f.append(key + "&" + nx)
        if "&" in pv:
            f.append(key + "&" + pv.split("&", 1)[0])
    return f


def features(text: str, ctx: list[str] | None = None, toks: list[str] | None = None, ngrams: bool = True) -> list[str]:
    """Binary features of one sentence / clause for the question model (plus its context features).
    `toks`: clean_tokens(tokenize(text)) when the caller has them already. Each feature is listed
    once, except word bigrams ("b=", a repeated bigram counts once). `ngrams=False` leaves out the word ("w=") and bigram ("b=") features
    (QuestionModel.logit looks those up directly)."""
    lx = _lex()
    t = text.strip()
    if toks is None:
        toks = clean_tokens(tokenize(t))
    f: list[str] = list(ctx) if ctx else []
    end = t.rstrip("\"')]” ")[-1:] if t else ""
    punct = _PUNCT.get(end, "end0")
    f.append(punct)
    if "?" in t[:-1]:
        f.append("q_in")
    n = len(toks)
    if not n:
        return f
    fillers, wh, aux = lx.fillers, lx.wh, lx.aux
    f.append(_LENF[n] if n < len(_LENF) else "len=21+")
    t0 = toks[0]
    f.append("f1=" + t0)
    if n > 1:
        f.append("f2=" + t0 + " " + toks[1])
        if n > 2:
            f.append("f3=" + t0 + " " + toks[1] + " " + toks[2])
    i = 0
    while i < n - 1 and i < 4 and toks[i] in fillers:
        i += 1
    c0 = toks[i]
    c1 = toks[i + 1] if i + 1 < n else ""
    if i:
        f.append("c1=" + c0)
        if c1:
            f.append("c2=" + c0 + " " + c1)
    f.append("l1=" + toks[-1])
    if n > 1:
        f.append("l2=" + toks[-2] + " " + toks[-1])
        if n > 2:
            f.append("l3=" + toks[-3] + " " + toks[-2] + " " + toks[-1])
    if ngrams:
        f.extend(["w=" + w for w in set(toks)])
        f.extend(["b=" + a + " " + b for a, b in zip(toks, toks[1:])])
    if c0 in aux and (c1 in lx.subj or not c1):
        f.append("inv")
        f.append(punct + "&inv")
    if c0 in wh:
        if c1 in _CLEFT_SUBJ:
            f.append("wh_subj")  # "what I mean is...", "how we do it is..." (no inversion)
            rest = toks[i + 2:]
            if "is" in rest or "was" in rest:
                f.append("cleft")
        f.append("wh")
        f.append(punct + "&wh")
        if c1 in aux or c0.endswith("'s"):
            f.append("wh_aux")
    # clauses after commas: "And the podcasts, how do you track those"
    if "," in t:
        parts = " ".join(_TOKC.findall(t.lower().replace("’", "'"))).split(",")
        k1: set[str] = set()
        kwh = kinv = False
        for part in parts[1:]:
            pt = part.split()
            if not pt:
                continue
            j = _skip(pt, fillers)
            w = pt[j]
            k1.add(w)
            kwh = kwh or w in wh
            kinv = kinv or w in aux and len(pt) > j + 1 and pt[j + 1] in lx.subj
        f.extend(["k1=" + w for w in k1])
        if kwh:
            f.append("kwh")
        if kinv:
            f.append("kinv")
    elif n > 2:
        # unpunctuated: any inversion / wh opener after a filler ("okay so what do you ...")
        for k in range(max(i + 1, 1), n - 1):
            if toks[k - 1] in fillers:
                w = toks[k]
                if w in wh:
                    f.append("mwh")
                    break
                if w in aux and toks[k + 1] in _YOU_WE_THEY:
                    f.append("minv")
                    break
    if lx.request.search(toks) >= 0:
        f.append("frame_req")
        f.append(punct + "&req")
    if lx.indirect.search(toks) >= 0:
        f.append("frame_ind")
    if n > 3 and lx.tags.at_end(toks):
        f.append("tag")
        f.append(punct + "&tag")
    if "or" in toks:
        f.append("has_or")
    f.append(punct + "&c1=" + c0)
    return f


_ZEROS = itertools.repeat(0.0)


def _ctx_family(name: str) -> str | None:
    """The family of a context feature (see context(): at most one feature per family fires,
    three for "sh"), or None for a text feature."""
    if name.startswith(("pv_", "nx_")):
        if name == "pv_q" or name.endswith("&?"):
            return name
        return name[:3] + ("&g" if "&g" in name else "")
    if name.startswith("yd&"):
        return "yd&nxf" if name.startswith("yd&nxf=") else "yd&nx"
    if name.startswith(("nxf=", "nxf2=", "sh=")):
        return name.split("=", 1)[0]
    return None


class QuestionModel:
    """Logistic regression: P(question | sentence) = sigmoid(bias + sum of feature weights)."""

    def __init__(self, data: dict):
        self.w: dict[str, float] = data["weights"]
        self.bias: float = data["bias"]
        self.uni = {k[2:]: v for k, v in self.w.items() if k.startswith("w=")}  # by word
        self.bi = {k[2:]: v for k, v in self.w.items() if k.startswith("b=")}  # by "word word"
        self.bi2 = {tuple(k.split(" ")): v for k, v in self.bi.items()}  # by (word, word)
        self.threshold: float = data.get("threshold", 0.5)
        self.logit_threshold = math.log(self.threshold / (1 - self.threshold))
        # calls whose text has no '?' and no '.' at all (raw speech-to-text) get their own threshold
        t = data.get("threshold_nopunct", self.threshold)
        self.logit_threshold_nopunct = math.log(t / (1 - t))
        # the most the context features can add (per family of mutually exclusive features): a sentence
        # whose text part stays below the threshold even with it is not a question, context unseen
        fam: dict[str, float] = {}
        for k, v in self.w.items():
            f = _ctx_family(k)
            if f and v > fam.get(f, 0.0):
                fam[f] = v
        self.ctx_max = sum(v for f, v in fam.items() if f != "sh")
        self.ctx_max_short = self.ctx_max + 3 * fam.get("sh", 0.0)

        # the text features' weights by family, keyed by their words (see `_text_sum`)
        by: dict[str, dict] = {k: {} for k in ("f1", "f2", "f3", "c1", "c2", "l1", "l2", "l3", "k1")}
        self._pc1: dict[str, dict[str, float]] = {p: {} for p in ("end?", "end.", "end!", "end,", "end0")}
        for k, v in self.w.items():
            head, eq, rest = k.partition("=")
            if not eq:
                continue
            if head in by:
                words = rest.split(" ")
                by[head][words[0] if len(words) == 1 else tuple(words)] = v
            elif head.endswith("&c1") and head[:-3] in self._pc1:
                self._pc1[head[:-3]][rest] = v
        self._by = by
        self._f1, self._f2, self._f3 = by["f1"], by["f2"], by["f3"]
        self._l1, self._l2, self._l3 = by["l1"], by["l2"], by["l3"]
        # the weights of the fixed-name text features, looked up once (0.0 when the model has none);
        # per final punctuation: (punct, punct&inv, punct&wh, punct&req, punct&tag)
        g = self.w.get
        self._fw = {k: g(k, 0.0) for k in ("q_in", "len=21+", "inv", "wh_subj", "cleft", "wh", "wh_aux", "kwh", "kinv",
                                           "mwh", "minv", "frame_req", "frame_ind", "tag", "has_or")}
        self._lenw = [g(name, 0.0) for name in _LENF]
        self._pw = {p: (g(p, 0.0), g(p + "&inv", 0.0), g(p + "&wh", 0.0), g(p + "&req", 0.0), g(p + "&tag", 0.0))
                    for p in self._pc1}

    def _text_sum(self, text: str, toks: list[str]) -> float:
        """sum(weights of features(text, None, toks, ngrams=False)), in the same order (so the same float),
        looked up by word keys instead of building the feature strings (the weights of the features
        with fixed names are read from `_fw` / `_pw`, filled from the same weights in __init__)."""
        fw = self._fw
        lx = _lex()
        t = text.strip()
        end = t.rstrip("\"')]” ")[-1:] if t else ""
        punct = _PUNCT.get(end, "end0")
        pw = self._pw[punct]
        v = [pw[0]]
        app = v.append
        if "?" in t[:-1]:
            app(fw["q_in"])
        n = len(toks)
        if not n:
            return sum(v)
        fillers, wh, aux = lx.fillers, lx.wh, lx.aux
        app(self._lenw[n] if n < len(_LENF) else fw["len=21+"])
        t0 = toks[0]
        app(self._f1.get(t0, 0.0))
        if n > 1:
            t1 = toks[1]
            app(self._f2.get((t0, t1), 0.0))
            if n > 2:
                app(self._f3.get((t0, t1, toks[2]), 0.0))
        i = 0
        while i < n - 1 and i < 4 and toks[i] in fillers:
            i += 1
        c0 = toks[i]
        c1 = toks[i + 1] if i + 1 < n else ""
        if i:
            by = self._by
            app(by["c1"].get(c0, 0.0))
            if c1:
                app(by["c2"].get((c0, c1), 0.0))
        tl = toks[-1]
        app(self._l1.get(tl, 0.0))
        if n > 1:
            app(self._l2.get((toks[-2], tl), 0.0))
            if n > 2:
                app(self._l3.get((toks[-3], toks[-2], tl), 0.0))
        if c0 in aux and (c1 in lx.subj or not c1):
            app(fw["inv"])
            app(pw[1])
        if c0 in wh:
            if c1 in _CLEFT_SUBJ:
                app(fw["wh_subj"])
                rest = toks[i + 2:]
                if "is" in rest or "was" in rest:
                    app(fw["cleft"])
            app(fw["wh"])
            app(pw[2])
            if c1 in aux or c0.endswith("'s"):
                app(fw["wh_aux"])
        if "," in t:
            parts = " ".join(_TOKC.findall(t.lower().replace("’", "'"))).split(",")
            k1: set[str] = set()
            kwh = kinv = False
            for part in parts[1:]:
                pt = part.split()
                if not pt:
                    continue
                j = _skip(pt, fillers)
                x = pt[j]
                k1.add(x)
                kwh = kwh or x in wh
                kinv = kinv or x in aux and len(pt) > j + 1 and pt[j + 1] in lx.subj
            bk1 = self._by["k1"]
            v.extend([bk1.get(x, 0.0) for x in k1])
            if kwh:
                app(fw["kwh"])
            if kinv:
                app(fw["kinv"])
        elif n > 2:
            for k in range(max(i + 1, 1), n - 1):
                if toks[k - 1] in fillers:
                    x = toks[k]
                    if x in wh:
                        app(fw["mwh"])
                        break
                    if x in aux and toks[k + 1] in _YOU_WE_THEY:
                        app(fw["minv"])
                        break
        if lx.request.search(toks) >= 0:
            app(fw["frame_req"])
            app(pw[3])
        if lx.indirect.search(toks) >= 0:
            app(fw["frame_ind"])
        if n > 3 and lx.tags.at_end(toks):
            app(fw["tag"])
            app(pw[4])
        if "or" in toks:
            app(fw["has_or"])
        app(self._pc1[punct].get(c0, 0.0))
        return sum(v)

    def logit(self, text: str, ctx: list[str] | None = None, toks: list[str] | None = None) -> float:
        """bias + the weights of the features (binary, as in training: a repeated bigram counts once)."""
        if toks is None:
            toks = clean_tokens(tokenize(text.strip()))
        if ctx:
            z = self.bias + sum(map(self.w.get, features(text, ctx, toks, ngrams=False), _ZEROS))
        else:
            z = self.bias + self._text_sum(text, toks)
        z += sum(map(self.uni.get, set(toks), _ZEROS))
        if len(toks) > 1:
            z += sum(map(self.bi2.get, set(zip(toks, toks[1:])), _ZEROS))
        return z

    def prob(self, text: str) -> float:
        z = self.logit(text)
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


@lru_cache(maxsize=1)
def _model_data() -> dict:
    path = os.environ.get("SALESCOACH_QUESTION_MODEL")  # for cross-validation by tools/train_questions.py
    if path:
        return json.loads(open(path, encoding="utf-8").read())
    try:
        return json.loads(resources.files("salescoach.models").joinpath("questions.json").read_text(encoding="utf-8"))
    except FileNotFoundError:  # no trained model shipped: fall back to the question-mark rule
        return {"bias": -3.0, "weights": {"end?": 6.0}}


@lru_cache(maxsize=2)
def model(punct: bool = True) -> QuestionModel:
    """The question model for punctuated text (`punct`) or for raw speech-to-text without '?' and '.'.
    The shipped file holds one model per regime; a file with one model serves both."""
    data = _model_data()
    if data.get("kind") == "logistic-regimes":
        data = data["punct" if punct else "nopunct"]
    return QuestionModel(data)


# ---------------------------------------------------------------- typing
_PIECES = re.compile(r"[^a-z']+")


@lru_cache(maxsize=2048)
def _pieces(s: str) -> frozenset:
    return frozenset(_PIECES.split(s))


def _phrase_key(p: str) -> tuple[str, bool]:
    """(key, is_prefix) of a lexicon phrase: the letters / apostrophes its first word starts with, and
    whether that is a word prefix ("frustrat*", or a first word that does not start with a letter:
    key "") rather than the whole first word."""
    w = p.lower().split()[0]
    key = re.match(r"[a-z']*", w).group(0)
    return key, bool(not key or len(key) < len(w) and w[len(key)] == "*")


class _Lexicon:
    """A phrase lexicon compiled to one regex, with a cheap pre-check: a phrase can only match when
    the text holds its first word (or, for "frustrat*", a word starting with it).

    `hit` answers the same question as `bool(search(s))` faster: the regex is
    `(?<![a-z'])(?:phrase|...)(?![a-z'])`, so a phrase can only match where a piece of the text (a
    maximal run of [a-z']) starts, and that piece is the phrase's first word (its key) or, for a
    prefix key, starts with it. The regex matches somewhere exactly when one of its alternatives
    does, so `hit` searches only the alternatives keyed by a word the text holds (one small regex
    per key, `by_key`), plus those with a prefix key (`prefix_rx`); a key "" (a first word that
    does not start with a letter) makes it search the whole regex."""

    def __init__(self, rx: re.Pattern, phrases: list[str], alts: list[tuple[str, str]] | None = None):
        self.rx = rx
        exact, prefix = set(), set()
        for p in phrases:
            key, is_prefix = _phrase_key(p)
            (prefix if is_prefix else exact).add(key)
        self.exact = frozenset(exact)
        self.prefix = tuple(sorted(prefix))
        self.any = "" in prefix
        # "a piece of the text starts with one of the prefixes" as one regex: the pieces are the maximal
        # runs of [a-z'] (`_pieces`), so a piece starts where the look-behind holds, and a prefix (all
        # [a-z']) at such a position lies inside that piece
        self.prefix_at = re.compile("(?<![a-z'])(?:" + "|".join(map(re.escape, self.prefix)) + ")") \
            if self.prefix and not self.any else None
        # the alternatives (lower-cased phrase, its regex) grouped by key, each group compiled like the
        # whole lexicon; used only when the groups cover exactly the keys read off `phrases`
        groups: dict[str, list[str]] = {}
        pre: list[str] = []
        for phrase, e in alts or ():
            key, is_prefix = _phrase_key(phrase)
            (pre if is_prefix else groups.setdefault(key, [])).append(e)
        wrap = "(?<![a-z'])(?:{})(?![a-z'])".format
        self.by_key = {k: re.compile(wrap("|".join(v))) for k, v in groups.items()}
        self.prefix_rx = re.compile(wrap("|".join(pre))) if pre else None
        self.split = alts is not None and set(self.by_key) == set(self.exact)

    def hit(self, s: str, ws: frozenset) -> bool:
        """bool(self.search(s)), with `ws` = _pieces(s) computed by the caller once per text."""
        if self.any or not self.split:
            return self.search(s, ws) is not None
        by_key = self.by_key
        for w in self.exact.intersection(ws):
            if by_key[w].search(s):
                return True
        return self.prefix_rx is not None and self.prefix_rx.search(s) is not None

    def search(self, s: str, ws: frozenset | None = None):
        """self.rx.search(s), skipped when no piece of `s` (`ws`: _pieces(s), if the caller has it) can start a phrase."""
        if not self.any:
            if self.exact.isdisjoint(_pieces(s) if ws is None else ws) and not (
                    self.prefix_at is not None and self.prefix_at.search(s)):
                return None
        return self.rx.search(s)

    def match(self, s: str):
        return self.rx.match(s)


def _lex_re(phrases: list[str]) -> _Lexicon | None:
    alts = []
    pairs = []
    for p in sorted({p.lower() for p in phrases}, key=len, reverse=True):
        e = re.escape(p).replace(r"\ \*\ ", r"\ (?:\S+\ ){1,3}")  # " * " = one to three words
        e = e.replace(r"\*", "[a-z'-]*").replace(r"\ ", r"\s+")  # "frustrat*" = any ending
        alts.append(e)
        pairs.append((p, e))
    if not alts:
        return None
    return _Lexicon(re.compile(r"(?<![a-z'])(?:" + "|".join(alts) + r")(?![a-z'])"), phrases, pairs)


class _Types:
    def __init__(self, cfg: dict):
        fm, sp, sa, so = cfg["form"], cfg["spin"], cfg["sandler"], cfg["socratic"]
        self.closed_wh = _lex_re(fm["closed_wh"])
        self.open_wh_exc = _lex_re(fm["open_wh_exceptions"])
        self.closed_where = frozenset(fm["closed_where"])
        self.fact_nouns = frozenset(fm["fact_nouns"])
        self.open_markers = _lex_re(fm["open_markers"])
        self.sp = {k: _lex_re(v) for k, v in sp.items() if not k.startswith("_") and k != "check_exact"}
        self.check_exact = frozenset(sp.get("check_exact", []))  # whole questions: "fair?", "that work?"
        self.sandler3 = _lex_re(sa["level3"])
        self.sandler2 = _lex_re(sa["level2"])
        self.soc = {k: _lex_re(v) for k, v in so.items() if not k.startswith("_")}
        self.research = _lex_re(cfg["researchable"]["phrases"])
        # the lexicons `_type_one` asks for by name: a SPIN name first, then a Socratic one, then an attribute
        self.by_name: dict[str, _Lexicon | None] = {"sandler3": self.sandler3, "sandler2": self.sandler2,
                                                    "research": self.research}
        self.by_name.update(self.soc)
        self.by_name.update(self.sp)


@lru_cache(maxsize=1)
def _types() -> _Types:
    return _Types(load("questions"))


def _opener(toks: list[str]) -> int:
    """Index of the word that opens the question proper (after fillers and a leading vocative)."""
    lx = _lex()
    for k, t in enumerate(toks[:8]):
        if t in lx.wh or t in lx.aux:
            return k
    return _skip(toks, lx.fillers)


_SUBORD = frozenset(["if", "when", "whenever", "once", "suppose", "say", "imagine", "assuming", "given"])


def question_form(text: str, toks: list[str] | None = None) -> str:
    """open / closed (see the module docstring). `toks`: tokenize(text), when the caller has it."""
    lx, ty = _lex(), _types()
    if toks is None:
        toks = tokenize(text)
    if not toks:
        return "closed"
    s = " ".join(toks)
    first = toks[_skip(toks, lx.fillers)]
    if first in _SUBORD and "," in text:
        # "If you had X, what would that change?": the main clause after the comma decides
        main = tokenize(text.rsplit(",", 1)[1])
        if main:
            toks, s = main, " ".join(main)
    e = lx.request.search(toks)
    if e >= 0 and toks[_opener(toks)] not in lx.aux:
        rest = toks[e:]
        return "closed" if rest and ty.closed_wh.match(" ".join(rest)) else "open"
    # a later comma clause that is a yes/no question decides: "What about X, do they get a say?"
    for part in text.split(",")[1:]:
        pt = tokenize(part)
        j = _skip(pt, lx.fillers) if pt else 0
        if len(pt) > j + 1 and pt[j] in lx.aux and pt[j + 1] in lx.subj:
            return "closed"
    k = _opener(toks)
    w = toks[k]
    if w in lx.aux:
        # "Can I ask what made it ...": the embedded wh-question decides
        if k + 3 < len(toks) and toks[k + 1] == "i" and toks[k + 2] == "ask" and toks[k + 3] in lx.wh:
            return _wh_form(toks[k + 3:], ty)
        return "closed"
    if w in lx.wh:
        return _wh_form(toks[k:], ty)
    e = lx.indirect.search(toks)
    if e >= 0:
        rest = toks[e:]
        for i, t in enumerate(rest[:3]):
            if t in lx.wh:
                return _wh_form(rest[i:], ty)
    return "closed"


def _wh_form(toks: list[str], ty: _Types) -> str:
    s = " ".join(toks)
    if ty.open_wh_exc.match(s):
        return "open"
    if ty.closed_wh.match(s):
        return "open" if toks[0] == "how" and len(toks) > 1 and toks[1] in ("much", "long") and " would " in f" {s} " else "closed"
    w = toks[0]
    if w in ("where", "where's") and any(t in ty.closed_where for t in toks):
        return "closed"
    if w in ("what", "what's", "whats", "what're", "what'd"):
        if ty.open_markers.search(s):
            return "open"
        if "cost" in toks or "costs" in toks or any(t in ty.fact_nouns for t in toks[:6]) or s.startswith(("what do you use", "what are you using")):
            return "closed"
    return "open"


def _has(rx: _Lexicon | None, s: str) -> bool:
    return bool(rx and rx.search(s))


# ---- the SPIN model: where the lexicons hold no SPIN cue, a small trained model picks the type ------------
_SPIN_CUES = ("follow_up", "check", "need_payoff_if", "need_payoff", "why_now", "implication", "other", "problem")
SPIN_TRACE: list | None = None  # training hook (tools/train_spin.py): when a list, gets (source, start, text, features)


@lru_cache(maxsize=1)
def _spin_model() -> dict | None:
    """models/spin.json (tools/train_spin.py), or None (SALESCOACH_SPIN_MODEL=none, or not shipped):
    then the lexicons' default stands (situation in discovery, other after it)."""
    return load_model("spin.json", "SALESCOACH_SPIN_MODEL")


def spin_features(s: str, rule: str, form: str, prev: str | None, closing: bool, hits: list[str], pos: int) -> list[str]:
    """Features of a rep question the lexicons leave at their default (`rule`): the question's words (`s`:
    normalised text), the lexicons it does hit (Sandler, Socratic, current state...), its form, the type
    of the rep's previous discovery question, the phase (closing: past the pitch) and where in the call it
    falls (`pos`: fifths of the call)."""
    toks = s.split()
    f = ["rule=" + rule, "form=" + form, "prev=" + str(prev), f"pos={pos}", f"closing&rule={closing}{rule}"]
    if closing:
        f.append("closing")
    f += ["lx=" + h for h in hits]
    f += ["w=" + w for w in sorted(set(toks))]
    f += sorted({"b=" + a + " " + b for a, b in zip(toks, toks[1:])})
    if toks:
        f.append("f1=" + toks[0])
    if len(toks) > 1:
        f.append("f2=" + toks[0] + " " + toks[1])
    return f


def _spin_predict(m: dict, feats: list[str], default: str | None = None) -> str:
    """Multinomial logistic regression: the class with the highest bias + sum of feature weights; the
    lexicons' `default` stands unless another class beats it by the model's margin (logit)."""
    classes = m["classes"]
    z = list(m["bias"])
    w = m["weights"]
    for x in feats:
        row = w.get(x)
        if row:
            for k, v in row.items():
                z[int(k)] += v
    best = max(range(len(z)), key=z.__getitem__)
    if default is not None and default in classes and z[best] - z[classes.index(default)] < m.get("margin", 0.0):
        return default
    return classes[best]


_OPENING_SHARE = 0.08  # without an agenda, rep questions in the first 8% of the sentences are rapport (coverage's opening too)


def _phases(doc: CallDoc) -> tuple[int, int]:
    """(first sentence index of discovery, first sentence index of the pitch), from rep cues."""
    ty = _types()
    n = len(doc.sentences)
    limit = max(30, int(n * 0.3))
    disc, pitch = None, n
    for s in doc.sentences[:limit]:
        if s.role == REP:
            low = " ".join(s.tokens)
            if _has(ty.sp["agenda"], low) or _has(ty.sp["discovery_start"], low):
                disc = s.index
                break
            if _has(ty.sp["pitch_start"], low) and s.index >= int(n * _OPENING_SHARE):
                break  # presenting already ("let me share my screen"): a later "let me start" opens no discovery
    if disc is None:  # no agenda: the opening small talk is the first few percent of the call (as in coverage)
        disc = int(n * _OPENING_SHARE)
    # the pitch starts at a presenting cue after the agenda / discovery-start turn and the buyer's reply
    t0 = doc.sentences[disc].turn if n else 0
    start = next((s.index for s in doc.sentences[disc + 1:] if s.role == REP and s.turn > t0 + 1), n)
    for s in doc.sentences[start:]:
        if s.role != REP:
            continue
        low = " ".join(s.tokens)
        if _has(ty.sp["pitch_start"], low) and not _has(ty.sp["agenda"], low):  # an agenda only previews
            pitch = s.index
            break
    return disc, pitch


def type_rep_questions(doc: CallDoc, qs: list[dict]) -> None:
    """Fill spin / sandler_level / socratic / researchable of the rep questions in `qs` (in call order)."""
    disc, pitch = _phases(doc)
    n = len(doc.sentences)
    prev_disc: str | None = None
    from salescoach.analysis.structure import negotiation_call  # structure reads the questions: import late
    negotiation = closing = negotiation_call(doc)  # a negotiation is past discovery from the start
    memo: dict[tuple, tuple] = {}  # repeated question in the same state: typed once
    found: dict[str, dict[str, bool]] = {}
    norm: dict[str, str] = {}
    for q in qs:
        if q["role"] != REP:
            continue
        text = q["text"]
        s = norm.get(text)
        if s is None:
            toks = q.get("_toks")  # tokenize(text), kept by the questions analyzer
            s = norm[text] = " ".join(tokenize(text) if toks is None else toks)
        i = q["_sent"]
        if i >= pitch:
            closing = True
        pos = 5 * i // n if n else 0
        late_fact = closing and not negotiation  # past the pitch in a discovery or demo call
        key = (s, prev_disc, i < disc, closing, q["form"], pos)  # (late_fact follows from closing in one call)
        r = memo.get(key)
        if r is None:
            r = memo[key] = _type_one(s, prev_disc, i < disc, closing, q["form"], found, pos, late_fact)
        if SPIN_TRACE is not None and r[4] is not None:
            SPIN_TRACE.append((doc.call.source, q["start"], q["text"], r[4]))
        spin = q["spin"] = r[0]
        q["sandler_level"], q["socratic"], q["researchable"] = r[1], r[2], r[3]
        if spin == "need_payoff":
            closing = True  # SPIN's last step: what follows is logistics, stakeholders, objections
        if spin in ("situation", "problem", "implication", "need_payoff"):
            prev_disc = spin


_SCENARIO = re.compile(r"\bwhat (?:happens|happened) when\b")


def _walkthrough_now(s: str, has) -> bool:
    """ "What happens to an invoice today?": how the process runs now (situation), not a consequence
    ("what happens if nothing changes?": implication)."""
    return "what happens" in s and (" if " not in f" {s} " and has("current_state") or "walk me through what happens" in s)


# After an early pitch (not in a negotiation), a fact question about the buyer's own setup is still situation:
# the writers of the labelled sets with reps who pitch early and then ask facts label those situation.
# Measured: sets 3 / 10 / 13 / 16 +0.005..0.011, set12 -0.005, the rest and the dev calls unchanged.
_ABOUT_BUYER = re.compile(r"\b(?:you guys|y'all)\b|^(?:and |so |okay |ok |and then |okay and then )?(?:do|does|are|is|did|have) "
                          r"(?:you|your \w+|they|those|these)\b|\bhow many\b.*\b(?:you|your)\b|"
                          r"\b(?:what|which) (?:\w+ )?(?:do|are) you (?:use|using|on|run|running|work with|moving to)\b")


def _about_buyer(s: str) -> bool:
    """A fact question about the buyer's own setup ("do you guys use Bluebeam?", "how many techs do you have?")."""
    return bool(_ABOUT_BUYER.search(s))


def _confirms_fact(s: str) -> bool:
    """A tag question checking a fact about the buyer ("Earl's the lead mechanic, right?")."""
    return s.endswith((" right", " correct")) and len(s.split()) > 3


def _type_one(s: str, prev_disc: str | None, before_disc: bool, closing: bool, form: str,
              memo: dict[str, dict[str, bool]], pos: int = 0, late_fact: bool = False) -> tuple:
    """(spin, sandler_level, socratic, researchable, model features or None) of one rep question (normalised
    text `s`), given the type of the rep's previous discovery question, whether discovery has started and
    whether it is over, and where in the call it is (`pos`: fifths). `memo`: text -> {lexicon name: does it
    match}, the look-ups already done (searched lazily, once). Where no SPIN cue matches, the SPIN model (if
    shipped) chooses the type; the features it saw are returned (None when the lexicons decided)."""
    lexs = _types().by_name
    feats: list[str] | None = None
    found = memo.get(s)
    if found is None:
        found = memo[s] = {}
    ws: frozenset | None = None

    def has(name: str) -> bool:
        nonlocal ws
        v = found.get(name)
        if v is None:
            rx = lexs[name]
            if rx is None:
                v = False
            else:
                if ws is None:
                    ws = _pieces(s)
                v = rx.hit(s, ws)
            found[name] = v
        return v

    if has("follow_up") and len(s.split()) <= 8 and prev_disc in ("problem", "implication"):
        spin = prev_disc
    elif before_disc or has("check") or s in _types().check_exact:
        # opening rapport; a check on the conversation itself ("any questions?", "fair?")
        spin = "other"
    elif has("need_payoff_if") and " would " in f" {s} " and not has("implication") or has("need_payoff"):
        spin = "need_payoff"
    elif has("why_now"):
        spin = "situation"
    elif _SCENARIO.search(s) and not closing and not _walkthrough_now(s, has):
        spin = "problem"  # "what happens when a change order sits for sixty days?": the seed's problem question
    elif has("implication") and not (closing and has("other")) and not _walkthrough_now(s, has):
        spin = "implication"
    elif has("other"):
        spin = "other"
    elif has("problem"):
        spin = "problem"
    else:
        # the rules' call, not the model's: a fact check past the pitch ("Earl's the lead, right?") and a question
        # about the buyer's current state ("how many people in the office?", "how's it tracking so far?")
        kept = closing and _confirms_fact(s) or has("current_state")
        spin = "situation" if kept or not closing or (late_fact and _about_buyer(s)) else "other"
        if not kept and not any(has(c) for c in _SPIN_CUES):
            m = _spin_model()
            if m is not None or SPIN_TRACE is not None:
                feats = spin_features(s, spin, form, prev_disc, closing, [k for k in lexs if has(k)], pos)
                if m is not None:
                    spin = _spin_predict(m, feats, spin)
    # Sandler pain funnel
    level = None
    if spin in ("problem", "implication") or (spin == "other" and has("sandler3") and not closing):
        if has("sandler3"):
            level = 3
        elif spin == "implication" or has("sandler2"):
            level = 2
        else:
            level = 1
    # Socratic category
    soc = None
    if has("accountability"):
        soc = "accountability"
    elif has("forcing_function") or (" or " in f" {s} " and spin in ("problem", "implication", "need_payoff")):
        soc = "forcing_function"
    elif spin in ("situation", "problem") and form == "open" or has("diagnostic") and spin in ("situation", "problem", "implication"):
        soc = "diagnostic"
    return spin, level, soc, spin == "situation" and has("research"), feats


_CLEFT_WH = frozenset(["what", "what's", "how", "where", "why"])
_DEM = frozenset(["that", "this", "it", "that's", "it's"])
_HOW_ADJ = frozenset(["long", "much", "many", "big", "often", "far", "old", "soon", "late", "early", "time", "kind",
                      "sort", "type", "else", "exactly", "about"])


def is_cleft_statement(text: str, toks: list[str] | None = None) -> bool:
    """A statement that opens with a wh-clause: "What I mean is ...", "How we do it is ...",
    "What happened is that ...". The wh-word is followed by a subject (no inversion) and the clause
    is completed by is/was (or, without a subject, by "is that / whether / like");
    an embedded question after it ("What I'd love to know is how you ...") keeps it a question."""
    lx = _lex()
    if toks is None:
        toks = clean_tokens(tokenize(text))
    i = _skip(toks, lx.fillers)
    if len(toks) < i + 4 or toks[i] not in lx.wh:
        return False
    if toks[i + 1] not in _CLEFT_SUBJ:
        # "what happened is that ...", "what's going on is that ...": a wh-clause without inversion,
        # then "is that / whether / like" (not "how long is that", "what do you think is ...")
        if toks[i] not in _CLEFT_WH or toks[i + 1] in lx.aux or toks[i + 1] in _HOW_ADJ or toks[i + 1] in _DEM:
            return False
        for k in range(i + 2, min(len(toks) - 1, i + 8)):
            if toks[k] in ("is", "was") and toks[k + 1] in ("that", "whether", "like"):
                return True
        return False
    for k in range(i + 2, min(len(toks), i + 9)):
        if toks[k] in ("is", "was"):
            rest = toks[k + 1:]
            return not (rest and (rest[0] in lx.wh or rest[0] in ("whether", "if")))
    return False


def opens_with_request(toks: list[str]) -> bool:
    """The sentence opens (after discourse fillers) with a request frame: "walk me through ...",
    "tell me about ...", "so help me understand ..." -- an information request in imperative form."""
    lx = _lex()
    if not toks:
        return False
    j = _skip(toks, lx.fillers)
    return any(tuple(toks[j:j + len(t)]) == t for t in lx.request.first.get(toks[j], ()))


_REQ_MARGIN = 1.0  # logit bonus of a sentence that opens with a request frame (see the module docstring)
_REQ_SURE = 30.0  # ... of three words or more ("walk me through how you ...", "tell me more"): always a question


def _request_bonus(toks: list[str]) -> float:
    """Logit bonus for a request frame at the start: information requests in imperative form are questions
    by definition, whatever the model makes of the rest; "let me know if ..." is left to the model."""
    if not opens_with_request(toks):
        return 0.0
    j = _skip(toks, _lex().fillers)
    if len(toks) - j >= 3 and toks[j:j + 3] != ["let", "me", "know"]:
        return _REQ_SURE
    return _REQ_MARGIN


_CLAUSE_MIN = 8  # words: shorter unpunctuated sentences are judged whole
_CLAUSE_MARGIN = 0.0  # a sentence this close to the threshold (logit) gets its clauses scored (0: chosen on held-out folds)
_CLAUSE_AFTER = frozenset(["it", "cool", "perfect", "great", "nice", "sense", "good", "fair", "totally", "interesting",
                           "noted", "gotcha", "wow", "ha", "sure"])
_WORD_SPAN = re.compile(r"[A-Za-z][A-Za-z'’]*")


def question_clause(text: str, m: "QuestionModel", ctx: list[str], whole: float) -> tuple[str, float]:
    """In a long unpunctuated sentence, the best question clause: from a question opener (wh-word,
    auxiliary + subject, request frame) to the end. Returns (text, logit); the whole text when
    no clause scores higher than the whole."""
    if text.rstrip()[-1:] in ".?!" or text.count(" ") + 1 < _CLAUSE_MIN:
        return text, whole
    lx = _lex()
    best, best_z = text, whole
    prev, tries = "", 0
    for mt in _WORD_SPAN.finditer(text):
        w = mt.group(0).lower().replace("’", "'")
        before, prev = prev, w
        if mt.start() == 0:
            continue
        # a clause starts after a comma or a discourse word ("okay so what ...", "got it, how ...")
        j = mt.start() - 1
        while j > 0 and text[j] == " ":
            j -= 1
        # ... or after a restart: a cut-off or repeated word ("it's cl- is is it clear what ...")
        if not (text[j] == "," or before in lx.fillers or before in _CLAUSE_AFTER
                or text[j] == "-" and j < mt.start() - 1 or before == w):
            continue
        if w in lx.wh or w in lx.aux or w in lx.request.first:
            if w in lx.aux:
                nxt = text[mt.end():].split(None, 1)
                if not nxt or nxt[0].lower().strip(",") not in lx.subj:
                    continue
            cand = text[mt.start():]
            if cand.count(" ") + 1 < 3 or tries >= 6:
                break
            z = m.logit(cand, ctx)
            tries += 1
            if z > best_z:
                best, best_z = cand, z
    return best, best_z


def detect(text: str, ctx: list[str] | None = None, toks: list[str] | None = None) -> str | None:
    """The question text found in one sentence (the sentence or its question clause), or None.
    `toks`: clean_tokens(tokenize(text)) when the caller has them."""
    if toks is None:
        toks = clean_tokens(tokenize(text))
    if is_cleft_statement(text, toks):
        return None
    m = model("?" in text or "." in text)
    ctx = ctx or []
    z = m.logit(text, ctx, toks) + _request_bonus(toks)
    if z >= m.logit_threshold - _CLAUSE_MARGIN:
        text, z = question_clause(text, m, ctx, z)
    if z >= m.logit_threshold:
        return text
    return None


class _Scored:
    """Per-text work of one call, done once for repeated texts ("yeah", "okay", "right")."""

    __slots__ = ("raw", "toks", "part", "hopeful", "clause", "form")

    def __init__(self, raw: list[str], toks: list[str], part: float | None, hopeful: bool):
        self.raw = raw  # tokenize(text): question_form and the SPIN typing read the sentence's words too
        self.toks = toks
        self.hopeful = hopeful  # could reach the threshold with the most favourable context
        self.part = part  # text part of the logit (bias included); None for a cleft statement
        self.clause: tuple[str, float] | None = None  # (question text, its text logit), found lazily
        self.form: dict[str, tuple[str, list[str]]] = {}  # question text -> (its form, tokenize(question text))


@analyzer("questions")
def questions(doc: CallDoc) -> None:
    """Every sentence is scored: logit = bias + weights of its text features + weights of its
    context features (the model is linear, so the text part is computed once per distinct text)."""
    out = []
    segs = doc.call.segments
    punct = any("?" in s.text or "." in s.text for s in doc.sentences)
    m = model(punct)
    w = m.w
    thr = m.logit_threshold if punct else m.logit_threshold_nopunct
    low = thr - _CLAUSE_MARGIN
    cache: dict[str, _Scored] = {}
    units = [(s.speaker, s.text, segs[s.seg].start, segs[s.seg].end, s.seg) for s in doc.sentences]
    cmax, cmax_short = m.ctx_max, m.ctx_max_short
    for s in doc.sentences:
        text = s.text
        e = cache.get(text)
        if e is None:
            raw = tokenize(text)
            toks = clean_tokens(raw)
            part = None if is_cleft_statement(text, toks) else \
                m.logit(text, None, toks) + _request_bonus(toks)
            e = cache[text] = _Scored(raw, toks, part, part is not None and
                                      part + (cmax_short if len(toks) <= 2 else cmax) >= low)
        if not e.hopeful:
            continue
        z = e.part + sum(map(w.get, context(units, s.index, e.toks), _ZEROS))
        if z < low:
            continue
        if e.clause is None:
            e.clause = question_clause(s.text, m, [], e.part)
        qtext, zt = e.clause
        if z - e.part + zt < thr:
            continue
        ft = e.form.get(qtext)
        if ft is None:  # the question is the whole sentence (its words are known) or a clause of it
            qt = e.raw if qtext == text else tokenize(qtext)
            ft = e.form[qtext] = (question_form(qtext, qt), qt)
        out.append({"start": s.start, "speaker": s.speaker, "role": s.role, "text": qtext,
                    "form": ft[0], "spin": None, "sandler_level": None, "socratic": None,
                    "researchable": False, "_sent": s.index, "_toks": ft[1]})
    type_rep_questions(doc, out)
    for q in out:
        del q["_sent"], q["_toks"]
    doc.report["questions"] = out
    mt = doc.report["metrics"]
    mt["rep_questions"] = sum(q["role"] == REP for q in out)
    dur = doc.call.duration_s
    mt["questions_per_hour"] = round(mt["rep_questions"] / (dur / 3600), 1) if dur else None
