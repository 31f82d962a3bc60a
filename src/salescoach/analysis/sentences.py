"""Sentence splitting for conversational transcripts.

A segment is split after '.', '!' or '?' (one or more) followed by white space, except after
common abbreviations and initials. Unpunctuated speech-to-text stays one sentence per segment;
the question analyzer looks inside those for question clauses.
"""
from __future__ import annotations

import re

_ABBREV = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "jr", "sr", "approx",
           "no", "u.s", "a.m", "p.m", "dept", "est", "corp"}
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def split_sentences(text: str) -> list[str]:
    parts = _SPLIT.split(text.strip())
    out: list[str] = []
    for p in parts:
        if not p:
            continue
        if out:
            prev = out[-1]
            last = prev.rstrip(".!?\"')]").split(" ")[-1].lower()
            if prev.endswith(".") and (last in _ABBREV or (len(last) == 1 and last.isalpha())):
                out[-1] = prev + " " + p
                continue
        out.append(p)
    return out
