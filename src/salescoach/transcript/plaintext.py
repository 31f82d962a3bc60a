"""Plain-text transcripts: `Name: text` lines with optional time stamps.

Accepted stamps, before or after the name: `[01:02:03]`, `[02:03]`, `(02:03)`, `01:02:03`:
    [00:01:05] Lena Ruiz: Thanks for making time.
    Lena Ruiz (01:05): Thanks for making time.
A line without a speaker label continues the previous speaker's turn. Stamps give segment
starts; a segment ends where the next one starts, unless that gap is more than twice what its
words need at ~150 words/minute (then it is a silence, and the segment gets the estimate).
"""
from __future__ import annotations

import re

from salescoach.errors import TranscriptError
from salescoach.transcript._io import parse_clock
from salescoach.transcript.model import Segment

_STAMP = r"(?:\[(\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?)\]|\((\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?)\)|(\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?))"
_LINE = re.compile(
    rf"^\s*(?:{_STAMP}\s*[-–]?\s*)?"  # optional leading stamp
    r"(?P<name>[^\s:\[\](][^:\[\]()]{0,48}?)"  # speaker label
    rf"\s*(?:{_STAMP})?\s*:\s*(?P<text>.*)$"  # optional trailing stamp, colon, text
)
_STAMP_ONLY = re.compile(rf"^\s*{_STAMP}\s*(?P<text>.*)$")

SECONDS_PER_WORD = 0.4  # ~150 words per minute; bounds a segment's length when only starts are known


def _stamp(m: re.Match, first_group: int) -> float | None:
    for g in m.groups()[first_group:first_group + 3]:
        if g:
            return parse_clock(g.replace(",", "."))
    return None


def _is_label(name: str, known: set[str]) -> bool:
    name = name.strip()
    if not name or len(name.split()) > 4 or re.search(r"[.!?;,\"]", name):
        return False
    if name in known:
        return True
    # A new multi-word label must look like a name, not a clause ("so the thing is: ...")
    return len(name.split()) == 1 or name[0].isupper() or name[0].isdigit()


def parse_text(path: str, text: str) -> list[Segment]:
    segs: list[Segment] = []
    known: set[str] = set()
    any_stamp = False
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        m = _LINE.match(line)
        if m and _is_label(m.group("name"), known):
            name = m.group("name").strip()
            t = _stamp(m, 0)
            if t is None:
                t = _stamp(m, 3)
            body = m.group("text").strip()
            known.add(name)
            any_stamp |= t is not None
            segs.append(Segment(name, body, t, None, no))
            continue
        ms = _STAMP_ONLY.match(line)
        if ms and ms.group("text") and segs:  # "[00:12] more words" continues with a new time
            any_stamp = True
            segs.append(Segment(segs[-1].speaker, ms.group("text").strip(), _stamp(ms, 0), None, no))
            continue
        if not segs:
            raise TranscriptError(path, f"expected 'Name: text' but found {line[:60]!r}", line=no,
                                  hint="plain-text transcripts need a speaker label on the first line")
        segs[-1].text = (segs[-1].text + " " + line).strip()
    segs = [s for s in segs if s.text]
    if not segs:
        raise TranscriptError(path, "no speech found (only speaker labels)", line=1)
    if any_stamp:
        _fill_times(path, segs)
    return segs


def _fill_times(path: str, segs: list[Segment]) -> None:
    missing = [s for s in segs if s.start is None]
    if missing:
        raise TranscriptError(path, "this line has no time stamp while others do", line=missing[0].line,
                              hint="stamp every line or none")
    for a, b in zip(segs, segs[1:]):
        if b.start < a.start:  # type: ignore[operator]
            raise TranscriptError(path, f"time stamp goes backwards ({b.start:.0f}s after {a.start:.0f}s)",
                                  line=b.line)
    for i, s in enumerate(segs):
        est = max(1.0, len(s.text.split()) * SECONDS_PER_WORD)
        nxt = next((x.start for x in segs[i + 1:] if x.start > s.start), None)  # type: ignore[operator]
        # Up to the next stamp, unless that gap is far longer than the words need (a silence).
        s.end = round(nxt if nxt is not None and nxt - s.start <= 2 * est + 2 else s.start + est, 3)
