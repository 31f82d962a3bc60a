"""WebVTT (Zoom, Teams) and SRT captions.

A hand-written parser rather than webvtt-py: we need exact millisecond times (webvtt-py's
`start_in_seconds` rounds to whole seconds), an error for a malformed timing line instead of a
silently dropped cue, and the source line of every cue for error messages and evidence.

Speakers are taken from, in order: a Teams voice tag `<v Name>`, a Zoom-style `Name: text`
prefix, an SRT `[Name]` prefix. A cue without any is attributed to the previous cue's speaker
(captions often split one person's sentence over several cues), or to "Unknown" at the start.
"""
from __future__ import annotations

import html
import re

from salescoach.errors import TranscriptError
from salescoach.transcript._io import parse_clock
from salescoach.transcript.model import Segment

_ARROW = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_PREFIX = re.compile(r"^\s*(?:\[([^\]\n]{1,60})\]|([A-Za-z][\w .'&@()/-]{0,48}?))\s*:\s+(?=\S)")
_BRACKET = re.compile(r"^\s*\[([^\]\n]{1,60})\]\s*(?=\S)")


def split_speaker(text: str) -> tuple[str | None, str]:
    """'Name: words' -> ('Name', 'words'); no recognisable speaker label -> (None, text)."""
    m = _PREFIX.match(text)
    if m:
        name = (m.group(1) or m.group(2)).strip()
        if len(name.split()) <= 5 and not re.search(r"\b(?:https?|www)\b", name):
            return name, text[m.end():].strip()
    m = _BRACKET.match(text)
    if m and not re.fullmatch(r"[\d:.,\s]+", m.group(1)):
        return m.group(1).strip(), text[m.end():].strip()
    return None, text


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub("", text))).strip()


def _cue_segments(lines: list[str], start: float, end: float, line_no: int, cue_id: str | None,
                  last_speaker: str | None) -> list[Segment]:
    """One cue's text lines -> segments (a cue may hold several voices)."""
    out: list[Segment] = []
    for raw in lines:
        voices = list(_VOICE.finditer(raw))
        if voices:
            for i, m in enumerate(voices):
                chunk = raw[m.end(): voices[i + 1].start() if i + 1 < len(voices) else len(raw)]
                txt = _clean(chunk)
                if txt:
                    out.append(Segment(m.group(1).strip(), txt, start, end, line_no, cue_id))
            continue
        txt = _clean(raw)
        if not txt:
            continue
        spk, body = split_speaker(txt)
        if spk is None and txt.startswith("- "):  # SRT dialogue dash: new unnamed speaker
            spk, body = "Unknown", txt[2:]
        if spk is not None:
            out.append(Segment(spk, body, start, end, line_no, cue_id))
        elif out:
            out[-1].text += " " + txt
        else:
            out.append(Segment(last_speaker or "Unknown", txt, start, end, line_no, cue_id))
    if len(out) > 1:  # several voices in one cue: share its time in proportion to words
        words = [max(1, len(s.text.split())) for s in out]
        total, t = sum(words), start
        for s, w in zip(out, words):
            s.start, s.end = t, t + (end - start) * w / total
            t = s.end
    return out


def parse_cues(path: str, text: str, fmt: str) -> list[Segment]:
    """Parse WebVTT ('vtt') or SRT ('srt') text into segments."""
    lines = text.split("\n")
    i, n = 0, len(lines)
    if fmt == "vtt":
        if not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
            raise TranscriptError(path, "a WebVTT file must start with 'WEBVTT'", line=1)
        i = 1
        while i < n and lines[i].strip():  # header block
            i += 1
    segs: list[Segment] = []
    last_speaker: str | None = None
    while i < n:
        while i < n and not lines[i].strip():
            i += 1
        if i >= n:
            break
        block_start = i
        block: list[str] = []
        while i < n and lines[i].strip():
            block.append(lines[i])
            i += 1
        head = block[0].strip()
        if fmt == "vtt" and (head.startswith("NOTE") or head in ("STYLE", "REGION")):
            continue
        t_idx = next((k for k, ln in enumerate(block[:3]) if "-->" in ln), None)
        if t_idx is None:
            raise TranscriptError(path, f"expected a cue timing line like '00:00:01.000 --> 00:00:04.000', "
                                        f"found {head[:60]!r}", line=block_start + 1)
        cue_id = block[t_idx - 1].strip() if t_idx > 0 else None
        m = _ARROW.match(block[t_idx])
        line_no = block_start + t_idx + 1
        start = parse_clock(m.group(1)) if m else None
        end = parse_clock(m.group(2)) if m else None
        if start is None or end is None:
            raise TranscriptError(path, f"broken cue timing {block[t_idx].strip()[:60]!r}", line=line_no,
                                  hint="times look like 00:01:02.500 (WebVTT) or 00:01:02,500 (SRT)")
        if end < start:
            raise TranscriptError(path, f"cue ends before it starts ({block[t_idx].strip()})", line=line_no)
        for seg in _cue_segments(block[t_idx + 1:], start, end, line_no, cue_id, last_speaker):
            segs.append(seg)
            last_speaker = seg.speaker
    return segs
