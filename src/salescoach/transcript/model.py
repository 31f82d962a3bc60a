"""The one internal model every reader produces: a `Call` of time-ordered `Segment`s."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

REP, BUYER, UNKNOWN = "rep", "buyer", "unknown"


@dataclass(slots=True)
class Segment:
    """One stretch of speech by one speaker (a caption cue, a transcript line, an utterance)."""

    speaker: str
    text: str
    start: float | None = None  # seconds from call start; None when the source has no times
    end: float | None = None
    line: int | None = None  # 1-based line in the source file where the segment begins
    cue: str | None = None  # the source's own id for the cue / utterance, when it has one


@dataclass
class Call:
    """A whole call: ordered segments plus who is on the selling side."""

    id: str
    source: str
    segments: list[Segment]
    format: str
    reps: list[str] = field(default_factory=list)  # speaker names on the selling side
    call_type: str | None = None  # given by the user or the file; None = detect
    metadata: dict = field(default_factory=dict)

    @property
    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.segments:
            seen.setdefault(s.speaker, None)
        return list(seen)

    @property
    def timed(self) -> bool:
        return bool(self.segments) and all(s.start is not None for s in self.segments)

    @property
    def duration_s(self) -> float | None:
        if not self.timed:
            return None
        ends = [s.end if s.end is not None else s.start for s in self.segments]
        return round(max(ends) - min(0.0, min(s.start for s in self.segments)), 3)  # type: ignore[arg-type]

    def role(self, speaker: str) -> str:
        """rep / buyer / unknown. Without any known rep in the call every speaker is unknown."""
        if speaker in self.reps:
            return REP
        if not self.reps or speaker.lower() in {"unknown", "speaker", ""}:
            return UNKNOWN
        return BUYER


def _norm_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def resolve_reps(speakers: list[str], wanted: list[str]) -> list[str]:
    """Speakers of the call that the user's `--rep` names refer to.

    A name matches a speaker when they are equal ignoring case and spacing; when the transcript
    only uses the first name of a listed rep ("Lena" for "Lena Ruiz"); or when a first name
    alone is listed ("--rep Lena") and exactly one speaker of the call has that first name.
    Names that match no speaker are ignored: `--rep` lists the whole selling team.
    """
    wanted_n = {_norm_name(w) for w in wanted if w and w.strip()}
    firsts = {w.split(" ")[0] for w in wanted_n if " " in w}
    norm = {sp: _norm_name(sp) for sp in speakers}
    by_first: dict[str, list[str]] = {}
    for sp, n in norm.items():
        if " " in n:
            by_first.setdefault(n.split(" ")[0], []).append(sp)
    out = []
    for sp, n in norm.items():
        if n in wanted_n or (" " not in n and n in firsts):
            out.append(sp)
        elif " " in n and n.split(" ")[0] in wanted_n and len(by_first[n.split(" ")[0]]) == 1:
            out.append(sp)
    return out
