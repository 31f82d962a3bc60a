"""Reading bytes into text with errors that name the file and line."""
from __future__ import annotations

import codecs
import re

from salescoach.errors import TranscriptError

_CTRL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def decode(path: str, data: bytes) -> str:
    """Bytes -> str. UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is an error."""
    if not data.strip():
        raise TranscriptError(path, "the file is empty", hint="export the transcript again")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise TranscriptError(path, f"broken UTF-16 text ({e.reason})") from None
    else:
        if b"\x00" in data[:4096]:
            raise TranscriptError(path, "this looks like a binary file, not a transcript",
                                  line=data[:4096].count(b"\n", 0, data.index(b"\x00")) + 1,
                                  hint="give a .vtt, .srt, .txt or .json transcript")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise TranscriptError(
                path, f"not UTF-8 text: byte 0x{data[e.start]:02x} cannot be decoded", line=line,
                hint="re-save the file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8 FILE`)") from None
    m = _CTRL.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise TranscriptError(path, f"control character {m.group()!r} in text: this looks like a binary file",
                              line=line, hint="give a .vtt, .srt, .txt or .json transcript")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_TS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def parse_clock(s: str) -> float | None:
    """'01:02:03.456', '02:03,5', '2:03' -> seconds; None when it is not a clock time."""
    m = _TS.match(s.strip())
    if not m:
        return None
    h, mi, se, frac = m.groups()
    if int(se) >= 60 or (h is not None and int(mi) >= 60):
        return None
    val = int(h or 0) * 3600 + int(mi) * 60 + int(se)
    if frac:
        val += int(frac) / (10 ** len(frac))
    return float(val)
