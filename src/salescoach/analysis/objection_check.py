"""The objection check: a second look at each would-be objection before it is reported.

The objection rules (and the sentence model that backs them) find push-back well: on the labelled calls
written for this project they miss about one gold objection in twenty. They also fire on buyer talk that
only sounds like push-back: pain told with money in it ("we lost forty-two thousand dollars of product"),
a question about how the product works ("what happens when there's no signal?"), acceptance ("then I can
sign that"), a past vendor's story. The check is a small logistic regression trained on exactly that
population: the sentences the rules would raise, labelled by whether the labelled calls call them an
objection (tools/train_objection_check.py). It sees what the rules cannot weigh together: the sentence's
words, which cues fired, whether the buyer is answering the rep's question, what the rep's last turn did,
where in the call it falls and how long the buyer's turn is.

It is trained on timed call transcripts, and only acts on them. On untimed chats its labelled data would
be persuasion and bargaining chats: trained on those too, it gained less than half as much on the calls
(held out, one fold per set: F1 0.817 -> 0.827 instead of 0.863) and it cost the chats more than that.

It only removes: a sentence the rules did not raise is never added here. Below `threshold` the sentence is
not raised, and the next sentence of the turn gets its chance.

SALESCOACH_OBJECTION_CHECK names another model file, or "none" to turn the check off.
"""
from __future__ import annotations

import re
from functools import lru_cache

from salescoach.models import load_model, logistic as probability

MODEL_ENV = "SALESCOACH_OBJECTION_CHECK"
TRACE: list | None = None  # training hook: when a list, every checked sentence appends (doc, sentence, features)

_WORD = re.compile(r"[a-z']+")
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                     r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|percent)\b")


@lru_cache(maxsize=1)
def model() -> dict | None:
    """The shipped check ({weights, bias, threshold}), or None when absent or turned off."""
    return load_model("objection_check.json", MODEL_ENV)


def features(text: str, cues, ctx: tuple, position: float, turn_sentences: int) -> dict[str, float]:
    """The check's features of one would-be objection sentence.

    `cues` are the sentence's objection cues, `ctx` the turn context features of the objections analyzer
    (answering the rep's question, the rep's last turn asked / named a price / made an offer / was short),
    `position` the sentence's place in the call (0 = first sentence, 1 = last), `turn_sentences` how many
    sentences the buyer's turn has."""
    low = text.lower()
    f: dict[str, float] = {"w:" + w: 1.0 for w in set(_WORD.findall(low))}
    for k in cues.strong:
        f["strong:" + k] = 1.0
    for k in cues.weak:
        f["weak:" + k] = 1.0
    for k in cues.topic:
        f["topic:" + k] = 1.0
    if not cues.strong:
        f["no_strong"] = 1.0
    for name in ("stance", "arg", "counter"):
        if getattr(cues, name):
            f[name] = 1.0
    if cues.new_topic or cues.also or cues.preface:  # announced: "the other thing is...", "second, ...", "to be honest"
        f["announced"] = 1.0
    for k in ctx:
        f[k] = 1.0
    if text.rstrip().endswith("?"):
        f["asks"] = 1.0
    if _NUMBER.search(low):
        f["number"] = 1.0
    f["length"] = min(len(low.split()), 60) / 20
    f["fifth:%d" % min(4, int(position * 5))] = 1.0
    f["turn_sentences"] = min(turn_sentences, 8) / 4
    return f


def _timed(doc) -> bool:
    """A timed transcript (captions, speech-to-text JSON): the kind of call the check was trained on."""
    segs = doc.call.segments
    return bool(segs) and segs[0].start is not None


def keeps(doc, sentence: int, text: str, cues, ctx: tuple, turn_sentences: int) -> bool:
    """Whether the check lets this would-be objection sentence through (always, without a model)."""
    m = model()
    if (m is None and TRACE is None) or not _timed(doc):
        return True
    n = len(doc.sentences)
    f = features(text, cues, ctx, sentence / (n - 1) if n > 1 else 0.0, turn_sentences)
    if TRACE is not None:
        TRACE.append((doc, sentence, f))
    return m is None or probability(m, f) >= m["threshold"]
