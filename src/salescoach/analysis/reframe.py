"""The reframe model: which sentence of the rep's answer to an objection offers a new way to see it.

AECR's last step, reframe, is the hardest to catch with cue phrases: reps reframe in their own words ("ours are
hardwired behind the dash, not plugged in", "if you set it against the sixty thousand in exposure, it pays for
itself", "the nice thing is almost none of the setup touches your scientists"). The cue rules found about two in
three of the reframes the labelled calls mark. Where they find none, this small logistic model scores each
statement of the response (not a question, not a sentence the rules take for acknowledging, empathizing or
clarifying, not a short one) on its words, the other AECR cue flags the rules give it, its length, whether it names a number and where in the response it falls. The
response reframes when its best sentence scores at least `threshold`; that sentence is the evidence.
The rules' gates hold for the model too: a response that argues or offers a discount, or that neither
acknowledges nor clarifies, does not reframe.

Trained by tools/train_reframe.py on the objections of the labelled calls (the dev calls and
bench/labelled_calls, all sets but set11), each response sentence labelled with its objection's gold reframe.
Held out one set at a time (tools/train_reframe.py --cv: 239 objections of 13 sets, set11 never trained on),
the cue rules judge reframe right 0.749 of the time,
the rules with the model 0.895 (the model alone 0.849; alone but gated 0.887).
SALESCOACH_REFRAME_MODEL names another model file, or "none" to keep the cue rules.
"""
from __future__ import annotations

import re
from functools import lru_cache

from salescoach.models import load_model, logistic as probability

MODEL_ENV = "SALESCOACH_REFRAME_MODEL"
FLAGS = ("acknowledge", "empathize", "clarify", "reframe", "argue", "concede")

_WORD = re.compile(r"[a-z']+")
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|hundred|"
                     r"thousand|percent)\b")


@lru_cache(maxsize=1)
def model() -> dict | None:
    """The shipped model ({weights, bias, threshold}), or None when absent or turned off."""
    return load_model("reframe.json", MODEL_ENV)


MIN_WORDS = 6


def candidate(text: str, flags: tuple) -> bool:
    """Only a statement of some substance can reframe: not a question or a clarifying sentence, not a sentence
    the rules take for acknowledging or empathizing (those are the other steps), not "Okay, thanks."."""
    return (not text.rstrip().endswith("?") and not any(flags[:3]) and len(text.split()) >= MIN_WORDS)


def features(text: str, flags: tuple, position: int, sentences: int) -> dict[str, float]:
    """Features of one response sentence: its words, the rules' AECR flags (acknowledge, empathize, clarify,
    reframe, argue, concede), length, a number, and its place among the response's `sentences`."""
    low = text.lower()
    words = _WORD.findall(low)
    f: dict[str, float] = {"w:" + w: 1.0 for w in set(words)}
    for name, on in zip(FLAGS, flags):
        if on:
            f["flag:" + name] = 1.0
    f["length"] = min(len(words), 40) / 20
    if _NUMBER.search(low):
        f["number"] = 1.0
    f["place"] = position / max(1, sentences - 1)
    if position == 0:
        f["first"] = 1.0
    return f


def best(m: dict, sentences: list[tuple[str, tuple]]) -> tuple[int | None, float]:
    """The response sentence most likely to reframe (index into `sentences`, or None) and its probability.
    `sentences` are (text, AECR flags) in order."""
    top, top_p = None, 0.0
    for k, (text, flags) in enumerate(sentences):
        if not candidate(text, flags):
            continue
        p = probability(m, features(text, flags, k, len(sentences)))
        if p > top_p:
            top, top_p = k, p
    return top, top_p
