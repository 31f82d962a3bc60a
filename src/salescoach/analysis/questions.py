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
  indirect / tag frames (lexicons in frameworks/questions.json), and the turn context (is the
  next sentence by another speaker, and how does it start: answers open with "yes", "no",
  "well"...). Disfluencies are removed first (cut-off words, "uh"/"um", stutters such as "do you
  do you"). tools/train_questions.py trains it on telephone talk (Switchboard), meeting talk (ICSI
  MRDA) and the labelled sales calls, each with and without punctuation and casing; the weights
  ship as JSON (models/questions.json) and inference is plain Python (look-ups, a sum, a sigmoid).
- Unpunctuated text: sentences.py splits at capitals where speech-to-text kept them. A longer
  sentence without final punctuation is also scored from each clause start (after a comma or a
  discourse word: "got it walk me through...") that opens with a wh-word, an auxiliary plus
  subject or a request frame; the best-scoring clause becomes the question text.
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
  found in the first 30% of the call) are rapport (other); after the first need-payoff question
  or after the rep starts presenting ("let me share my screen"), discovery is over and questions
  without a problem / implication cue are other. A short follow-up ("Tell me more", "And you?",
  "Same question") keeps the type of the rep's previous problem / implication question.
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


def context(units: list[tuple[str, str]], i: int) -> list[str]:
    """Context features of unit i in a sequence of (speaker, text) units: who speaks before and after,
    whether the previous unit ends with '?', and how the next speaker starts (answers open with
    "yeah", "no", "well", "we", ...)."""
    f = []
    spk = units[i][0]
    if i > 0:
        pspk, ptext = units[i - 1]
        f.append("pv_same" if pspk == spk else "pv_other")
        if ptext.rstrip().endswith("?"):
            f.append("pv_q")
    if i + 1 < len(units):
        nspk, ntext = units[i + 1]
        if nspk == spk:
            f.append("nx_same")
        else:
            nt = _TOK.findall(ntext[:40].lower())[:2]
            f.append("nx_other")
            if nt:
                f.append("nxf=" + nt[0])
                if len(nt) > 1:
                    f.append("nxf2=" + " ".join(nt))
    else:
        f.append("nx_none")
    return f


def features(text: str, ctx: list[str] | None = None, toks: list[str] | None = None) -> list[str]:
    """Binary features of one sentence / clause for the question model (plus its context features).
    `toks`: clean_tokens(tokenize(text)) when the caller has them already."""
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
        for part in parts[1:]:
            pt = part.split()
            if not pt:
                continue
            j = _skip(pt, fillers)
            w = pt[j]
            f.append("k1=" + w)
            if w in wh:
                f.append("kwh")
            if w in aux and len(pt) > j + 1 and pt[j + 1] in lx.subj:
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


class QuestionModel:
    """Logistic regression: P(question | sentence) = sigmoid(bias + sum of feature weights)."""

    def __init__(self, data: dict):
        self.w: dict[str, float] = data["weights"]
        self.bias: float = data["bias"]
        self.threshold: float = data.get("threshold", 0.5)
        self.logit_threshold = math.log(self.threshold / (1 - self.threshold))

    def logit(self, text: str, ctx: list[str] | None = None, toks: list[str] | None = None) -> float:
        return self.bias + sum(map(self.w.get, features(text, ctx, toks), _ZEROS))

    def prob(self, text: str) -> float:
        z = self.logit(text)
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


@lru_cache(maxsize=1)
def model() -> QuestionModel:
    path = os.environ.get("SALESCOACH_QUESTION_MODEL")  # for cross-validation by tools/train_questions.py
    if path:
        data = json.loads(open(path, encoding="utf-8").read())
    else:
        try:
            data = json.loads(resources.files("salescoach.models").joinpath("questions.json").read_text(encoding="utf-8"))
        except FileNotFoundError:  # no trained model shipped: fall back to the question-mark rule
            data = {"bias": -3.0, "weights": {"end?": 6.0}}
    return QuestionModel(data)


# ---------------------------------------------------------------- typing
def _lex_re(phrases: list[str]) -> re.Pattern | None:
    alts = []
    for p in sorted({p.lower() for p in phrases}, key=len, reverse=True):
        e = re.escape(p).replace(r"\ \*\ ", r"\ (?:\S+\ ){1,3}")  # " * " = one to three words
        e = e.replace(r"\*", "[a-z'-]*").replace(r"\ ", r"\s+")  # "frustrat*" = any ending
        alts.append(e)
    if not alts:
        return None
    return re.compile(r"(?<![a-z'])(?:" + "|".join(alts) + r")(?![a-z'])")


class _Types:
    def __init__(self, cfg: dict):
        fm, sp, sa, so = cfg["form"], cfg["spin"], cfg["sandler"], cfg["socratic"]
        self.closed_wh = _lex_re(fm["closed_wh"])
        self.open_wh_exc = _lex_re(fm["open_wh_exceptions"])
        self.closed_where = frozenset(fm["closed_where"])
        self.fact_nouns = frozenset(fm["fact_nouns"])
        self.open_markers = _lex_re(fm["open_markers"])
        self.sp = {k: _lex_re(v) for k, v in sp.items() if not k.startswith("_")}
        self.sandler3 = _lex_re(sa["level3"])
        self.sandler2 = _lex_re(sa["level2"])
        self.soc = {k: _lex_re(v) for k, v in so.items() if not k.startswith("_")}
        self.research = _lex_re(cfg["researchable"]["phrases"])


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


def question_form(text: str) -> str:
    """open / closed (see the module docstring)."""
    lx, ty = _lex(), _types()
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


def _has(rx: re.Pattern | None, s: str) -> bool:
    return bool(rx and rx.search(s))


def _phases(doc: CallDoc) -> tuple[int, int]:
    """(first sentence index of discovery, first sentence index of the pitch), from rep cues."""
    ty = _types()
    n = len(doc.sentences)
    limit = max(30, int(n * 0.3))
    disc, pitch = 0, n
    for s in doc.sentences[:limit]:
        if s.role == REP:
            low = " ".join(s.tokens)
            if _has(ty.sp["agenda"], low) or _has(ty.sp["discovery_start"], low):
                disc = s.index
                break
    # the pitch starts at a presenting cue after the agenda / discovery-start turn and the buyer's reply
    t0 = doc.sentences[disc].turn if n else 0
    start = next((s.index for s in doc.sentences[disc + 1:] if s.role == REP and s.turn > t0 + 1), n)
    for s in doc.sentences[start:]:
        low = " ".join(s.tokens)
        if s.role == REP and _has(ty.sp["pitch_start"], low) and not _has(ty.sp["agenda"], low):  # an agenda only previews
            pitch = s.index
            break
    return disc, pitch


def type_rep_questions(doc: CallDoc, qs: list[dict]) -> None:
    """Fill spin / sandler_level / socratic / researchable of the rep questions in `qs` (in call order)."""
    ty = _types()
    sp = ty.sp
    disc, pitch = _phases(doc)
    prev_disc: str | None = None
    closing = False
    for q in qs:
        if q["role"] != REP:
            continue
        s = " ".join(tokenize(q["text"]))
        i = q["_sent"]
        if i >= pitch:
            closing = True
        n_tok = len(s.split())
        if _has(sp["follow_up"], s) and n_tok <= 8 and prev_disc in ("problem", "implication"):
            spin = prev_disc
        elif i < disc:
            spin = "other"
        elif _has(sp["need_payoff_if"], s) and " would " in f" {s} " and not _has(sp["implication"], s) or \
                _has(sp["need_payoff"], s):
            spin = "need_payoff"
        elif _has(sp["implication"], s) and not (closing and _has(sp["other"], s)):
            spin = "implication"
        elif _has(sp["other"], s):
            spin = "other"
        elif _has(sp["problem"], s) and not closing:
            spin = "problem"
        else:
            spin = "other" if closing else "situation"
        if spin == "need_payoff":
            closing = True  # SPIN's last step: what follows is logistics, stakeholders, objections
        if spin in ("situation", "problem", "implication", "need_payoff"):
            prev_disc = spin
        q["spin"] = spin
        # Sandler pain funnel
        if spin in ("problem", "implication") or (spin == "other" and _has(ty.sandler3, s) and not closing):
            if _has(ty.sandler3, s):
                q["sandler_level"] = 3
            elif spin == "implication" or _has(ty.sandler2, s):
                q["sandler_level"] = 2
            else:
                q["sandler_level"] = 1
        # Socratic category
        soc = None
        if _has(ty.soc["accountability"], s):
            soc = "accountability"
        elif _has(ty.soc["forcing_function"], s) or (" or " in f" {s} " and spin in ("problem", "implication", "need_payoff")):
            soc = "forcing_function"
        elif spin in ("situation", "problem") and q["form"] == "open" or _has(ty.soc["diagnostic"], s) and spin in ("situation", "problem", "implication"):
            soc = "diagnostic"
        q["socratic"] = soc
        q["researchable"] = spin == "situation" and _has(ty.research, s)


def is_cleft_statement(text: str, toks: list[str] | None = None) -> bool:
    """A statement that opens with a wh-clause: "What I mean is ...", "How we do it is ...".
    The wh-word is followed by a subject (no inversion) and the clause is completed by is/was;
    an embedded question after it ("What I'd love to know is how you ...") keeps it a question."""
    lx = _lex()
    if toks is None:
        toks = clean_tokens(tokenize(text))
    i = _skip(toks, lx.fillers)
    if len(toks) < i + 4 or toks[i] not in lx.wh or toks[i + 1] not in _CLEFT_SUBJ:
        return False
    for k in range(i + 2, min(len(toks), i + 9)):
        if toks[k] in ("is", "was"):
            rest = toks[k + 1:]
            return not (rest and (rest[0] in lx.wh or rest[0] in ("whether", "if")))
    return False


_CLAUSE_MIN = 8  # words: shorter unpunctuated sentences are judged whole
_CLAUSE_MARGIN = 1.0  # a sentence this close to the threshold (logit) gets its clauses scored
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
        if not (text[j] == "," or before in lx.fillers or before in _CLAUSE_AFTER):
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


def detect(text: str, ctx: list[str] | None = None) -> str | None:
    """The question text found in one sentence (the sentence or its question clause), or None."""
    toks = clean_tokens(tokenize(text))
    if is_cleft_statement(text, toks):
        return None
    m = model()
    ctx = ctx or []
    z = m.logit(text, ctx, toks)
    if z >= m.logit_threshold - _CLAUSE_MARGIN:
        text, z = question_clause(text, m, ctx, z)
    if z >= m.logit_threshold:
        return text
    return None


@analyzer("questions")
def questions(doc: CallDoc) -> None:
    out = []
    units = [(s.speaker, s.text) for s in doc.sentences]
    for s in doc.sentences:
        text = detect(s.text, context(units, s.index))
        if text is not None:
            out.append({"start": s.start, "speaker": s.speaker, "role": s.role, "text": text,
                        "form": question_form(text), "spin": None, "sandler_level": None, "socratic": None,
                        "researchable": False, "_sent": s.index})
    type_rep_questions(doc, out)
    for q in out:
        del q["_sent"]
    doc.report["questions"] = out
    mt = doc.report["metrics"]
    mt["rep_questions"] = sum(q["role"] == REP for q in out)
    dur = doc.call.duration_s
    mt["questions_per_hour"] = round(mt["rep_questions"] / (dur / 3600), 1) if dur else None
