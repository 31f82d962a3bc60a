"""Reading bytes into text with errors that name the file and line.

Accepted encodings: UTF-8 (with or without a byte-order mark), UTF-16 and UTF-32 with a BOM, and
UTF-16 without a BOM when the text is plainly ASCII-range (every other byte zero). Anything else --
cp1252 / latin-1 bytes, binary files, control characters -- is an error naming the first bad line.
Windows (CRLF) and old Mac (CR) line endings become plain newlines.
"""
from __future__ import annotations

import codecs
import re

from salescoach.errors import TranscriptError

_CTRL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_HINT = "give a .vtt, .srt, .txt or .json transcript"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a BOM: ASCII-range text has a zero in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    head = data[:2048]
    for enc, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def decode(path: str, data: bytes) -> str:
    """Bytes -> str with '\\n' line ends; raises TranscriptError for anything that is not text."""
    if not data.strip():
        raise TranscriptError(path, "the file is empty", hint="export the transcript again")
    text: str | None = None
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise TranscriptError(path, f"broken {enc.upper()} text ({e.reason})") from None
            break
    if text is None and b"\x00" in data[:4096]:
        text = _utf16_without_bom(data)
        if text is None:
            raise TranscriptError(path, "this looks like a binary file, not a transcript",
                                  line=data.count(b"\n", 0, data.index(b"\x00")) + 1, hint=_BINARY_HINT)
    if text is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise TranscriptError(
                path, f"not UTF-8 text: byte 0x{data[e.start]:02x} cannot be decoded", line=line,
                hint="re-save the file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8 FILE`)") from None
    text = text.lstrip("\ufeff")
    m = _CTRL.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise TranscriptError(path, f"control character {m.group()!r} in text: this looks like a binary file",
                              line=line, hint=_BINARY_HINT)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TranscriptError(path, "the file is empty", hint="export the transcript again")
    return text


_TS = re.compile(r"^(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,9}))?$")


def parse_clock(s: str) -> float | None:
    """'01:02:03.456', '02:03,5', '2:03', '1:02:03' -> seconds; None when it is not a clock time.

    Minutes and seconds must be below 60 (minutes only when hours are given)."""
    if len(s) == 12 and s[2] == ":" and s[5] == ":" and s[8] in ".," and s.isascii():
        # fast path for the usual 'HH:MM:SS.mmm' (same result as the general path below)
        h, mi, se, frac = s[0:2], s[3:5], s[6:8], s[9:12]
        if (h + mi + se + frac).isdigit():
            if int(se) >= 60 or int(mi) >= 60:
                return None
            val = int(h) * 3600 + int(mi) * 60 + int(se)
            val += int(frac) / 1000
            return round(float(val), 3)
    m = _TS.match(s.strip())
    if not m:
        return None
    h, mi, se, frac = m.groups()
    if int(se) >= 60 or (h is not None and int(mi) >= 60):
        return None
    val = int(h or 0) * 3600 + int(mi) * 60 + int(se)
    if frac:
        val += int(frac) / (10 ** len(frac))
    return round(float(val), 3)
