"""Transcript readers: every supported format becomes one `Call`.

Formats (auto-detected from the content, with the file extension as a tie-breaker; force one
with `fmt=` / `--transcript-format`):

- `vtt`  -- WebVTT from Teams (`<v Name>` voice tags) or Zoom (`Name: text` in cues): see `captions`.
- `srt`  -- SubRip captions, with or without `Name:` / `[Name]` speaker prefixes: see `captions`.
- `text` -- `Name: text` lines with optional `[hh:mm:ss]` / `(mm:ss)` stamps: see `plaintext`.
- `json` -- Gong exports, AssemblyAI, Deepgram, Whisper/WhisperX and salescoach's own segment
  JSON: see `jsonfmt`.

Files must be UTF-8 (BOM optional) or UTF-16/32 with a BOM (see `_io`). Whatever the format, the
result is a `Call` whose segments are sorted by start time (file order when untimed) and have
non-empty text. Anything unreadable raises `TranscriptError` naming the file and, where it
means something, the line. Reps come from `reps=` (`--rep`, matched case-insensitively and by
first name, see `model.resolve_reps`) plus any the file names itself (Gong Internal parties, the
"reps" list of salescoach JSON). A timed segment without an end time gets one from its words
(~150 words/minute, not past the next segment's start).

Add a format with `register_reader(name, sniff, parse)`.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from salescoach.errors import TranscriptError
from salescoach.transcript._io import decode
from salescoach.transcript.captions import parse_cues
from salescoach.transcript.jsonfmt import parse_json
from salescoach.transcript.model import BUYER, REP, UNKNOWN, Call, Segment, resolve_reps
from salescoach.transcript.plaintext import parse_text

__all__ = ["Call", "Segment", "load_call", "parse_call", "READERS", "register_reader", "REP", "BUYER", "UNKNOWN",
           "TRANSCRIPT_SUFFIXES"]

Parse = Callable[[str, str], "tuple[list[Segment], dict]"]
Sniff = Callable[[str, str], bool]


@dataclass
class Reader:
    name: str
    sniff: Sniff  # (path, text) -> is this mine?
    parse: Parse  # (path, text) -> (segments, metadata)


READERS: dict[str, Reader] = {}
TRANSCRIPT_SUFFIXES = {".vtt", ".srt", ".txt", ".json"}


def register_reader(name: str, sniff: Sniff, parse: Parse) -> None:
    """Register a transcript format. Later registrations are sniffed first."""
    READERS[name] = Reader(name, sniff, parse)


_JSON_KEYS = re.compile(r'"(?:callTranscripts|utterances|segments|results)"\s*:')


_SRT_TIMING = re.compile(r"^\d[\d:.,]*\s*-->")


def _ext(path: str) -> str:
    return Path(path).suffix.lower()


def _sniff_json(path: str, text: str) -> bool:
    s = text.lstrip()
    if not s.startswith(("{", "[")):
        return False
    return _ext(path) == ".json" or bool(_JSON_KEYS.search(s[:20000]))


def _sniff_srt(path: str, text: str) -> bool:
    if _ext(path) == ".srt":
        return True
    head = [ln.strip() for ln in text.lstrip().split("\n", 3)[:2]]
    return bool(_SRT_TIMING.match(head[0]) or (len(head) == 2 and head[0].isdigit() and "-->" in head[1]))


def _sniff_vtt(path: str, text: str) -> bool:
    return text.lstrip("\ufeff").startswith("WEBVTT") or _ext(path) == ".vtt"


register_reader("text", lambda p, t: True, lambda p, t: (parse_text(p, t), {}))
register_reader("srt", _sniff_srt, lambda p, t: (parse_cues(p, t, "srt"), {}))
register_reader("vtt", _sniff_vtt, lambda p, t: (parse_cues(p, t, "vtt"), {}))
register_reader("json", _sniff_json, parse_json)


def detect_format(path: str, text: str) -> str:
    for name in reversed(list(READERS)):
        if READERS[name].sniff(path, text):
            return name
    raise TranscriptError(path, "unknown transcript format")


SECONDS_PER_WORD = 0.4  # ~150 words per minute


def _fill_missing_ends(segs: list[Segment]) -> None:
    """A timed segment without an end lasts as long as its words need at ~150 words/minute
    (at least 1 s), but not past the next later start. `segs` are sorted by start."""
    nxt: float | None = None  # the next strictly later start
    later: float | None = None  # the start of the segment after this one
    for s in reversed(segs):
        if later is not None and later > s.start:  # type: ignore[operator]
            nxt = later
        if s.end is None:
            end = s.start + max(1.0, len(s.text.split()) * SECONDS_PER_WORD)  # type: ignore[operator]
            s.end = round(min(end, nxt) if nxt is not None else end, 3)
        later = s.start


def parse_call(path: str, text: str, *, reps: list[str] | None = None, fmt: str | None = None,
               call_type: str | None = None, call_id: str | None = None) -> Call:
    """Text of a transcript -> Call. `fmt` forces a format ('vtt', 'srt', 'text', 'json')."""
    if "\r" in text or text.startswith("\ufeff"):
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if fmt and fmt != "auto":
        if fmt not in READERS:
            raise TranscriptError(path, f"unknown transcript format {fmt!r}", hint="one of " + ", ".join(READERS))
        name = fmt
    else:
        name = detect_format(path, text)
    segs, meta = READERS[name].parse(path, text)
    segs = [s for s in segs if s.text.strip()]
    if not segs:
        raise TranscriptError(path, "the transcript holds no speech")
    untimed = [s for s in segs if s.start is None]
    if untimed and len(untimed) != len(segs):
        raise TranscriptError(path, "some segments have times and others do not", line=untimed[0].line)
    for s in segs:
        s.speaker = s.speaker.strip() or "Unknown"
    if not untimed:
        segs.sort(key=lambda s: s.start)  # stable: same-start segments keep file order
        _fill_missing_ends(segs)
    speakers = list(dict.fromkeys(s.speaker for s in segs))
    wanted = list(reps or []) + list(meta.get("reps") or [])
    cid = call_id or meta.get("call_id") or Path(path).stem
    return Call(id=str(cid), source=path, segments=segs, format=name, reps=resolve_reps(speakers, wanted),
                call_type=call_type or meta.get("call_type"), metadata=meta)


def load_call(path: str | Path, *, reps: list[str] | None = None, fmt: str | None = None,
              call_type: str | None = None) -> Call:
    """Read a transcript file into a Call. Raises TranscriptError naming the file (and line)."""
    p = str(path)
    try:
        data = Path(p).read_bytes()
    except IsADirectoryError:
        raise TranscriptError(p, "is a folder, not a transcript file") from None
    except OSError as e:
        raise TranscriptError(p, f"cannot read the file: {e.strerror}") from None
    call = parse_call(p, decode(p, data), reps=reps, fmt=fmt, call_type=call_type)
    call.metadata["sha256"] = hashlib.sha256(data).hexdigest()
    return call
