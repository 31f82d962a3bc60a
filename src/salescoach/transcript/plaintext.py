"""Plain-text transcripts: `Name: text` lines with optional time stamps.

Accepted lines (stamps optional; `[hh:mm:ss]`, `[mm:ss]`, `(mm:ss)` or a bare `hh:mm:ss` / `mm:ss`,
with optional fractions, before or after the name)::

    Lena Ruiz: Thanks for making time.
    [00:01:05] Lena Ruiz: Thanks for making time.
    (01:05) Lena Ruiz: Thanks for making time.
    1:02:03 - Lena Ruiz: Thanks for making time.
    Lena Ruiz (01:05): Thanks for making time.
    Lena Ruiz [00:01:05]: Thanks for making time.
    Lena Ruiz  01:05          <- a name and a stamp alone (Otter style): the text follows on
    Thanks for making time.      the next lines
    [00:01:05]                <- a stamp alone: the time of the next speaker line
    [Lena Ruiz] 00:01:05      <- Zoom's text export; the text follows on the next lines
    Lena Ruiz (Acme): Thanks for making time.   <- "(Acme)" is dropped from the name

- A line without a speaker label continues the current speaker's turn. In a stamped file a line
  that starts with a stamp (`[00:12] more words`) continues the same speaker from that time.
- `Word: text` (or `Word：text`) is a speaker label only when the word(s) look like a speaker (see
  `salescoach.transcript._labels`): "Note: the demo is Tuesday", "Here is the plan: ..." and
  "https://..." inside a turn stay text. The colon must be followed by a space or the line end,
  or a letter, so "10:30 works" and URLs never start a turn ("Lena:Hi" is fine).
- Lines before the first speaker label (a title, a date) are skipped; a file with no speaker
  label at all is an error.
- Either every speaker line has a stamp or none does: a mix is an error naming the first
  unstamped line, and so is a stamp earlier than the one before it. Without stamps all times
  are null. With stamps a segment ends where the next one starts, unless that gap is more than
  twice what its words need at ~150 words/minute (then it is a silence and the segment gets the
  estimate).
"""
from __future__ import annotations

import re
from collections import Counter

from salescoach.errors import TranscriptError
from salescoach.transcript._io import parse_clock
from salescoach.transcript._labels import is_sound_note, is_speaker_label
from salescoach.transcript.model import Segment

_CLOCK = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_STAMP = rf"(?:\[\s*({_CLOCK})\s*\]|\(\s*({_CLOCK})\s*\)|({_CLOCK}))"
_NAME = r"(?P<name>[^\W\d][\w .'’&@/-]{0,49}?)"
_AFFIL = r"(?:\s*\([^\W\d][^()\n]{0,40}\))?"  # "Lena Ruiz (Acme):" -- the part in brackets is dropped
_COLON = r"[:：](?=\s|$|[^\W\d])"  # not "10:30", not "https://"
_LINE = re.compile(
    rf"^(?:{_STAMP}\s*[-–—|]?\s*)?"  # optional leading stamp
    + _NAME + _AFFIL
    + rf"\s*(?:{_STAMP})?\s*{_COLON}\s*(?P<text>.*)$"  # optional trailing stamp, colon, text
)
_HEADER = re.compile(rf"^{_NAME}{_AFFIL}\s+{_STAMP}$")  # Otter: "Lena Ruiz  0:05"
_BRACKETED = re.compile(  # Zoom: "[Lena Ruiz] 10:02:15"; also "[Lena Ruiz]: text", "[00:01] [Lena] text"
    rf"^(?:{_STAMP}\s*[-–—|]?\s*)?\[(?P<name>[^\W\d][^\[\]\n]{{0,49}})\]\s*(?:{_COLON})?\s*(?P<text>.*)$")
_STAMP_ONLY = re.compile(rf"^{_STAMP}(?:\s*[-–—|]?\s+(?P<text>.*))?$")
_STAMP_ALONE = re.compile(rf"^{_STAMP}$")
_BROKEN_LEAD = re.compile(  # "[00:0x:05] Lena: hi" -- a stamp that cannot be read, before a speaker label
    r"^[\[(]?\d{1,2}[:.][^\s\])]*[\])]?\s*[-–—|]?\s*[^\W\d][\w .'’&@/-]{0,49}?\s*:(?=\s|$)")
_URLISH = re.compile(r"\b(?:https?|www|ftp|mailto)\b", re.I)

SECONDS_PER_WORD = 0.4  # ~150 words per minute; bounds a segment's length when only starts are known
_MAX_PREAMBLE = 20  # non-empty lines allowed before the first speaker label


BROKEN = -1.0  # a stamp-shaped token that is not a clock time ("[00:75]")


def _stamp(groups: tuple, first: int) -> float | None:
    for g in groups[first:first + 3]:
        if g:
            t = parse_clock(g)
            return BROKEN if t is None else t
    return None


def _candidate(line: str) -> tuple[str, float | None, str] | None:
    """A line shaped like a speaker line -> (name, stamp, text); None otherwise."""
    m = _LINE.match(line)
    if m:
        name = m.group("name").strip()
        if _URLISH.search(name):
            return None
        g = m.groups()
        t = _stamp(g, 0)
        return name, (t if t is not None else _stamp(g, 4)), m.group("text").strip()
    m = _HEADER.match(line)
    if m and not _URLISH.search(m.group("name")):
        t = _stamp(m.groups(), 1)
        if t is not None:
            return m.group("name").strip(), t, ""
    m = _BRACKETED.match(line)
    if m and not is_sound_note("[" + m.group("name") + "]"):
        t = _stamp(m.groups(), 0)
        body = m.group("text").strip()
        ms = _STAMP_ALONE.match(body)
        if ms and t is None:
            t, body = _stamp(ms.groups(), 0), ""
        return m.group("name").strip(), t, body
    return None


def parse_text(path: str, text: str) -> list[Segment]:
    lines = [ln.strip() for ln in text.split("\n")]
    cands = [_candidate(ln) if ln else None for ln in lines]
    counts = Counter(c[0] for c in cands if c)
    # A file is stamped when most of its speaker-shaped lines carry a stamp.
    shaped = [c for c in cands if c and is_speaker_label(c[0], counts[c[0]], True)]
    alone = sum(1 for ln, c in zip(lines, cands) if ln and not c and _STAMP_ALONE.match(ln))
    stamped = bool(shaped) and 2 * (sum(c[1] is not None for c in shaped) + alone) > len(shaped)

    segs: list[Segment] = []
    pending: float | None = None  # a stamp alone on its line, for the next speaker line
    preamble = 0
    for no, (line, cand) in enumerate(zip(lines, cands), 1):
        if not line:
            continue
        if cand and is_speaker_label(cand[0], counts[cand[0]], first=not segs):
            name, t, body = cand
            if t == BROKEN:
                raise TranscriptError(path, "broken time stamp (minutes and seconds must be below 60)", line=no)
            if t is None:
                t, pending = pending, None
            segs.append(Segment(name, body, t, None, no))
            continue
        if stamped and not cand and _BROKEN_LEAD.match(line):
            raise TranscriptError(path, f"broken time stamp in {line[:40]!r}", line=no,
                                  hint="stamps look like [00:01:05], (01:05) or 1:01:05")
        ms = _STAMP_ONLY.match(line) if stamped else None
        if ms:
            t = _stamp(ms.groups(), 0)
            body = (ms.group("text") or "").strip()
            if t == BROKEN:
                t = None
            if t is not None and not body:
                pending = t
                continue
            if t is not None and segs and (segs[-1].start is None or t >= segs[-1].start):
                segs.append(Segment(segs[-1].speaker, body, t, None, no))
                continue
        if not segs:
            preamble += 1
            if preamble >= _MAX_PREAMBLE:
                break
            continue
        segs[-1].text = (segs[-1].text + " " + line).strip()
    if not segs:
        raise TranscriptError(path, "no speaker labels found: expected lines like 'Name: text'", line=1,
                              hint="plain-text transcripts need 'Name: text' lines; use --transcript-format "
                                   "to force another format")
    segs = [s for s in segs if s.text]
    if not segs:
        raise TranscriptError(path, "no speech found (only speaker labels)", line=1)
    if any(s.start is not None for s in segs):
        _fill_times(path, segs)
    return segs


def _fill_times(path: str, segs: list[Segment]) -> None:
    missing = [s for s in segs if s.start is None]
    if missing:
        raise TranscriptError(path, "this line has no time stamp while others do", line=missing[0].line,
                              hint="stamp every speaker line or none")
    for a, b in zip(segs, segs[1:]):
        if b.start < a.start:  # type: ignore[operator]
            raise TranscriptError(path, f"time stamp goes backwards ({_fmt(b.start)} after {_fmt(a.start)})",
                                  line=b.line)
    nxt: float | None = None  # the next strictly later start
    later: float | None = None  # the start of the segment after this one
    for s in reversed(segs):
        if later is not None and later > s.start:  # type: ignore[operator]
            nxt = later
        est = max(1.0, len(s.text.split()) * SECONDS_PER_WORD)
        # Up to the next stamp, unless that gap is far longer than the words need (a silence).
        s.end = round(nxt if nxt is not None and nxt - s.start <= 2 * est + 2 else s.start + est, 3)  # type: ignore[operator]
        later = s.start


def _fmt(t: float | None) -> str:
    t = t or 0.0
    return f"{int(t // 3600)}:{int(t % 3600 // 60):02d}:{t % 60:02.0f}"
