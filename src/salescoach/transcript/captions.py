"""WebVTT (Zoom, Teams) and SRT captions.

Accepted shapes::

    WEBVTT                                   1
                                             00:00:01,000 --> 00:00:04,200
    c1                                       Lena Ruiz: Thanks for making time.
    00:00:01.000 --> 00:00:04.200
    <v Lena Ruiz>Thanks for making time.</v> 2
                                             00:00:04,500 --> 00:00:06,000
    NOTE comments, STYLE and REGION blocks   [Maya] Happy to.
    are skipped.

- Times: `hh:mm:ss.ttt` or `mm:ss.ttt`; a comma or a dot before the milliseconds, in both formats.
  A cue ending before it starts, or a timing line that cannot be read, is an error naming the line.
- A cue id (the line before the timing line) is kept as the segment's `cue`.
- Speakers, in order of preference: Teams voice tags `<v Name>` / `<v.class Name>` (several voices
  in one cue are fine; lines of a cue without their own tag continue the open voice); a
  `Name: text` prefix (Zoom; also in SRT and on any line of a cue); an SRT `[Name] text` prefix;
  `>>` or a `- ` dialogue dash (a new, unnamed speaker). Whether `Word:` is a name is decided by
  `salescoach.transcript._labels` ("Note: ..." is text, not a speaker).
  A cue without any speaker mark continues the previous cue's speaker ("Unknown" at the start).
- When one cue holds several speakers, its time is shared among them in proportion to their words.
- Formatting tags (`<i>`, `<c.yellow>`, `<00:00:01.000>` karaoke stamps, `{\\an8}`) and HTML
  entities are removed; lines that are only a sound note (`[laughter]`, `(MUSIC)`) are dropped.
- Cues missing the blank line between them are still split at their timing lines.

A hand-written parser rather than webvtt-py: we need exact millisecond times, an error for a
malformed timing line instead of a silently dropped cue, and the source line of every cue.
"""
from __future__ import annotations

import html
import re
from collections import Counter

from salescoach.errors import TranscriptError
from salescoach.transcript._io import parse_clock
from salescoach.transcript._labels import is_sound_note, is_speaker_label
from salescoach.transcript.model import Segment

_ARROW = re.compile(r"^\s*(\S+?)\s*-->\s*(\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<\d[\d:.]*>|\{\\[^{}]*\}")
_PREFIX = re.compile(r"^\s*(?:\[([^\[\]\n]{1,50})\]|([^\W\d][\w .'’&@/-]{0,49}?))\s*:(?=\s|$)")
_BRACKET = re.compile(r"^\s*\[([^\[\]\n]{1,50})\]\s*(?=\S)")
_URLISH = re.compile(r"\b(?:https?|www|ftp|mailto)\b", re.I)


def _candidate(text: str) -> tuple[str | None, str]:
    """'Name: words' / '[Name] words' -> ('Name', 'words') by shape alone; else (None, text)."""
    m = _PREFIX.match(text)
    if m:
        name = (m.group(1) or m.group(2)).strip()
        if name and not _URLISH.search(name):
            return name, text[m.end():].strip()
    m = _BRACKET.match(text)
    if m and not re.fullmatch(r"[\d:.,\s]+", m.group(1)) and not is_sound_note("[" + m.group(1) + "]"):
        return m.group(1).strip(), text[m.end():].strip()
    return None, text


def split_speaker(text: str, counts: Counter | None = None, first: bool = False) -> tuple[str | None, str]:
    """'Name: words' -> ('Name', 'words'); no speaker label -> (None, text).

    `counts` (how often each candidate label is used in the file) lets a repeated label such
    as 'me011' count as a speaker; see `_labels.is_speaker_label`."""
    name, body = _candidate(text)
    if name is not None and is_speaker_label(name, counts[name] if counts else 1, first):
        return name, body
    return None, text


def _clean(text: str) -> str:
    if "<" in text or "{" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


class _Cue:
    __slots__ = ("start", "end", "line", "id", "lines")

    def __init__(self, start: float, end: float, line: int, cue_id: str | None, lines: list[str]):
        self.start, self.end, self.line, self.id, self.lines = start, end, line, cue_id, lines


def _cue_segments(cue: _Cue, last_speaker: str | None, counts: Counter) -> list[Segment]:
    """One cue's text lines -> segments (a cue may hold several voices)."""
    start, end, line_no, cue_id = cue.start, cue.end, cue.line, cue.id
    if len(cue.lines) == 1:  # fast path: the common Teams cue "<v Name>text</v>"
        raw = cue.lines[0]
        m = _VOICE.match(raw)
        if m and raw.find("<v", 2) < 0:
            txt = _clean(raw[m.end():])
            name = " ".join(html.unescape(m.group(1) or "").split()) or "Unknown"
            return [Segment(name, txt, start, end, line_no, cue_id)] if txt and not is_sound_note(txt) else []
    out: list[Segment] = []
    voice: str | None = None  # an open <v Name> span continues over the cue's later lines

    def add(spk: str | None, txt: str) -> None:
        if not txt:
            return
        if out and spk in (None, out[-1].speaker):
            out[-1].text += " " + txt
            return
        if spk is None:
            spk = last_speaker or "Unknown"
        out.append(Segment(spk, txt, start, end, line_no, cue_id))

    for raw in cue.lines:
        voices = list(_VOICE.finditer(raw))
        if voices:
            if voices[0].start():
                add(voice, _clean(raw[:voices[0].start()]))
            for i, m in enumerate(voices):
                voice = " ".join(html.unescape(m.group(1) or "").split()) or "Unknown"
                chunk = raw[m.end(): voices[i + 1].start() if i + 1 < len(voices) else len(raw)]
                txt = _clean(chunk)
                if txt and not is_sound_note(txt):
                    out.append(Segment(voice, txt, start, end, line_no, cue_id))
            continue
        txt = _clean(raw)
        if not txt or is_sound_note(txt):
            continue
        if voice is not None:
            add(voice, txt)
            continue
        new_turn = False
        if txt.startswith(">>"):
            txt, new_turn = txt.lstrip(">").strip(), True
        elif txt.startswith(("- ", "– ")):  # dialogue dash: another speaker
            txt, new_turn = txt[2:].strip(), True
        spk, body = split_speaker(txt, counts, first=last_speaker is None and not out)
        if spk is None and new_turn:
            spk = "Unknown"
        add(spk, body)
    if len(out) > 1:  # several voices in one cue: share its time in proportion to words
        words = [max(1, len(s.text.split())) for s in out]
        total, t = sum(words), start
        for s, w in zip(out, words):
            s.start, s.end = round(t, 3), round(t + (end - start) * w / total, 3)
            t += (end - start) * w / total
        out[-1].end = end
    return out


def _read_cues(path: str, text: str, fmt: str) -> list[_Cue]:
    lines = text.split("\n")
    i, n = 0, len(lines)
    if fmt == "vtt":
        if not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
            hint = ("this looks like SRT: use --transcript-format srt or rename the file to .srt"
                    if "-->" in text[:2000] and "," in text[:2000] else None)
            raise TranscriptError(path, "a WebVTT file must start with 'WEBVTT'", line=1, hint=hint)
        i = 1
        while i < n and lines[i].strip() and "-->" not in lines[i]:  # header block
            i += 1
        if i < n and "-->" in lines[i]:  # no blank line after the header: the header line was a cue id
            i -= 1 if i > 1 else 0
    cues: list[_Cue] = []
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
        if fmt == "vtt" and (head in ("NOTE", "STYLE", "REGION") or head.startswith(("NOTE ", "NOTE\t"))) \
                and "-->" not in head:
            continue
        t_idx = 0 if "-->" in block[0] else 1 if len(block) > 1 and "-->" in block[1] else None
        if t_idx is None:
            raise TranscriptError(path, f"expected a cue timing line like '00:00:01.000 --> 00:00:04.000', "
                                        f"found {head[:60]!r}", line=block_start + 1)
        cue_id = block[0].strip() if t_idx == 1 else None
        k = t_idx
        while k < len(block):  # one block may hold several cues when blank lines are missing
            line_no = block_start + k + 1
            timing = block[k]
            m = _ARROW.match(timing)
            start = parse_clock(m.group(1)) if m else None
            end = parse_clock(m.group(2)) if m else None
            if start is None or end is None:
                raise TranscriptError(path, f"broken cue timing {timing.strip()[:60]!r}", line=line_no,
                                      hint="times look like 00:01:02.500 (WebVTT) or 00:01:02,500 (SRT)")
            if end < start:
                raise TranscriptError(path, f"cue ends before it starts ({timing.strip()[:60]})", line=line_no)
            j = k + 1
            while j < len(block) and "-->" not in block[j]:
                j += 1
            payload = block[k + 1:j]
            next_id = None
            if j < len(block) and payload:  # the line before the next timing line is its cue id
                cand = payload[-1].strip()
                if (cand.isdigit() if fmt == "srt" else (" " not in cand and "<" not in cand and ":" not in cand)):
                    next_id = cand
                    payload = payload[:-1]
            cues.append(_Cue(start, end, line_no, cue_id, payload))
            cue_id, k = next_id, j
    return cues


def parse_cues(path: str, text: str, fmt: str) -> list[Segment]:
    """Parse WebVTT ('vtt') or SRT ('srt') text into segments."""
    cues = _read_cues(path, text, fmt)
    counts: Counter = Counter()
    for cue in cues:
        for raw in cue.lines:
            if "<v" not in raw and ":" in raw or "[" in raw:
                name, _ = _candidate(_clean(raw).lstrip(">-– ").strip())
                if name is not None:
                    counts[name] += 1
    segs: list[Segment] = []
    last_speaker: str | None = None
    for cue in cues:
        for seg in _cue_segments(cue, last_speaker, counts):
            segs.append(seg)
            last_speaker = seg.speaker
    return segs
