"""`CallDoc`: the one object that flows through the analyzers (like spaCy's Doc).

It holds the call, its sentences and turns (pre-computed once), and `report`, the call report
being built. Each analyzer reads what earlier ones wrote and adds its own keys.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from salescoach.transcript.model import BUYER, REP, UNKNOWN, Call

_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(slots=True)
class Sentence:
    index: int  # position in doc.sentences
    seg: int  # index of the segment it comes from (call.segments)
    turn: int  # index of its turn (doc.turns)
    speaker: str
    role: str  # rep / buyer / unknown
    text: str
    start: float | None  # start of its segment (the evidence time)
    tokens: list[str] = field(default_factory=list)  # lower-cased word tokens

    @property
    def words(self) -> int:
        return len(self.tokens)


@dataclass(slots=True)
class Turn:
    """Consecutive segments of one speaker."""

    index: int
    speaker: str
    role: str
    segs: list[int]
    sentences: list[int]
    start: float | None
    end: float | None

    def text(self, doc: "CallDoc") -> str:
        return " ".join(doc.call.segments[i].text for i in self.segs)


@dataclass
class CallDoc:
    call: Call
    sentences: list[Sentence]
    turns: list[Turn]
    report: dict = field(default_factory=dict)

    def role(self, speaker: str) -> str:
        return self.call.role(speaker)

    def seg_start(self, i: int) -> float | None:
        return self.call.segments[i].start

    def next_turns(self, turn: int, role: str | None = None, limit: int = 3) -> list[Turn]:
        """The next `limit` turns after `turn` (optionally only of one role)."""
        out = []
        for t in self.turns[turn + 1:]:
            if role is None or t.role == role:
                out.append(t)
                if len(out) >= limit:
                    break
        return out


def clip(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


__all__ = ["CallDoc", "Sentence", "Turn", "tokens", "clip", "REP", "BUYER", "UNKNOWN"]
