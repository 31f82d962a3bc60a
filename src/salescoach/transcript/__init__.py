"""Transcript readers: every supported format becomes one `Call`.

Formats are registered by name (`READERS`); `load_call` sniffs the format from the content
(and the file extension as a tie-breaker) unless one is forced. Add a format with
`register_reader(name, sniff, parse)`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from salescoach.errors import TranscriptError
from salescoach.transcript._io import decode
from salescoach.transcript.captions import parse_cues
from salescoach.transcript.jsonfmt import detect_json_kind, parse_json
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


def _sniff_json(path: str, text: str) -> bool:
    s = text.lstrip()
    if not s.startswith(("{", "[")):
        return False
    try:
        return detect_json_kind(json.loads(s)) is not None or path.lower().endswith(".json")
    except json.JSONDecodeError:
        return path.lower().endswith(".json")


def _sniff_srt(path: str, text: str) -> bool:
    head = [ln.strip() for ln in text.lstrip().split("\n")[:3]]
    return len(head) >= 2 and head[0].isdigit() and "-->" in head[1]


register_reader("text", lambda p, t: True, lambda p, t: (parse_text(p, t), {}))
register_reader("srt", _sniff_srt, lambda p, t: (parse_cues(p, t, "srt"), {}))
register_reader("vtt", lambda p, t: t.lstrip("\ufeff").startswith("WEBVTT") or p.lower().endswith(".vtt"),
                lambda p, t: (parse_cues(p, t, "vtt"), {}))
register_reader("json", _sniff_json, parse_json)


def detect_format(path: str, text: str) -> str:
    for name in reversed(list(READERS)):
        if READERS[name].sniff(path, text):
            return name
    raise TranscriptError(path, "unknown transcript format")


def parse_call(path: str, text: str, *, reps: list[str] | None = None, fmt: str | None = None,
               call_type: str | None = None, call_id: str | None = None) -> Call:
    """Text of a transcript -> Call. `fmt` forces a format ('vtt', 'srt', 'text', 'json')."""
    if fmt and fmt != "auto":
        if fmt not in READERS:
            raise TranscriptError(path, f"unknown transcript format {fmt!r}", hint="one of " + ", ".join(READERS))
        name = fmt
    else:
        name = detect_format(path, text)
    segs, meta = READERS[name].parse(path, text)
    if not segs:
        raise TranscriptError(path, "the transcript holds no speech")
    timed = [s for s in segs if s.start is not None]
    if timed and len(timed) != len(segs):
        raise TranscriptError(path, "some segments have times and others do not", line=segs[0].line)
    if timed:
        segs.sort(key=lambda s: s.start)  # stable: same-start segments keep file order
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
