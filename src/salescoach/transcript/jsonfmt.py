"""JSON transcripts: Gong-style exports and speech-to-text utterance JSON.

Recognised shapes (the first key that matches wins):
- Gong: {"callTranscripts": [{"callId", "transcript": [{"speakerId", "sentences": [{"start", "end", "text"}]}]}]}
  with times in milliseconds. Speaker names and sides come from an optional "parties" list
  [{"speakerId", "name", "affiliation": "Internal" | "External"}] at top level or inside the call:
  Internal parties are reps. One call per file (split multi-call exports).
- AssemblyAI: {"utterances": [{"speaker", "start", "end", "text"}]} (milliseconds).
- Deepgram: {"results": {"utterances": [{"speaker", "start", "end", "transcript"}]}} (seconds); without
  utterances, results.channels[0].alternatives[0] "paragraphs" (speaker + sentences) or else its
  "words" ({"word" / "punctuated_word", "start", "end", "speaker"}, one segment per run of a speaker).
- Whisper / WhisperX: {"segments": [{"start", "end", "text", "speaker"?}]} (seconds).
- salescoach's own: {"segments": [{"speaker", "start", "end", "text"}], "reps": [...], "call_type": ...}
  (seconds; start/end may be null for an untimed transcript; call_type one of discovery, demo,
  negotiation, other).

Speaker ids that are numbers or short codes become "Speaker 0", "Speaker A"; a missing speaker is
"Unknown". Utterances with empty text are dropped. Times must be non-negative finite numbers and
an utterance may not end before it starts; errors name the JSON path of the bad value, and JSON
syntax errors name the line.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from salescoach.errors import TranscriptError
from salescoach.transcript.model import Segment


_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CALL_TYPES = ("discovery", "demo", "negotiation", "other")


def _num(path: str, v: Any, what: str, scale: float) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TranscriptError(path, f"{what} must be a number, got {str(v)[:40]!r}")
    if v < 0:
        raise TranscriptError(path, f"{what} is negative ({v})")
    try:
        t = round(v / scale, 3)
    except OverflowError:
        t = math.inf
    if not math.isfinite(t) or t > 1e7:  # ~115 days
        raise TranscriptError(path, f"{what} is not a usable time ({str(v)[:40]})")
    return t


def _text(path: str, v: Any, what: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, (str, int, float)) or isinstance(v, bool):
        raise TranscriptError(path, f"{what} must be text, got {type(v).__name__}")
    return _CTRL.sub(" ", str(v)).strip()


def _items(path: str, obj: Any, key: str, where: str = "") -> list[dict]:
    v = obj.get(key)
    if not isinstance(v, list):
        raise TranscriptError(path, f"'{where}{key}' must be a list")
    for k, item in enumerate(v):
        if not isinstance(item, dict):
            raise TranscriptError(path, f"'{where}{key}[{k}]' must be an object, got {type(item).__name__}")
    return v


def _speaker_name(v: Any) -> str:
    if v is None or v == "" or isinstance(v, (dict, list)):
        return "Unknown"
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int):
        return f"Speaker {v}"
    s = _CTRL.sub(" ", str(v)).strip()
    if not s:
        return "Unknown"
    return f"Speaker {s}" if len(s) <= 2 and s.isalnum() else s


def loads(path: str, text: str) -> Any:
    """json.loads with a TranscriptError (naming the line) for anything that is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise TranscriptError(path, f"invalid JSON: {e.msg}", line=e.lineno) from None
    except (ValueError, RecursionError) as e:  # 5000-digit numbers, 100k nested brackets
        raise TranscriptError(path, f"unreadable JSON: {str(e)[:80]}") from None


def json_kind_of_text(text: str) -> str | None | bool:
    """The transcript shape of JSON text ('gong', ...), None for JSON of another shape, False when
    the text is not JSON at all. Never raises (for sorting files in a folder)."""
    try:
        return detect_json_kind(json.loads(text))
    except (ValueError, RecursionError):
        return False


def detect_json_kind(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    if "callTranscripts" in obj:
        return "gong"
    if "utterances" in obj:
        return "assemblyai"
    if isinstance(obj.get("results"), dict) and "utterances" in obj["results"]:
        return "deepgram"
    if isinstance(obj.get("results"), dict) and "channels" in obj["results"]:
        return "deepgram-channels"
    if "segments" in obj:
        return "segments"
    return None


def _deepgram_channels(path: str, results: dict) -> list[Segment]:
    """Deepgram without `utterances`: paragraphs (diarized, smart-formatted) or else words
    grouped into one segment per run of the same speaker."""
    chans = _items(path, results, "channels", "results.")
    if not chans:
        raise TranscriptError(path, "'results.channels' is empty")
    where = "results.channels[0].alternatives"
    alts = _items(path, chans[0], "alternatives", "results.channels[0].")
    if not alts:
        raise TranscriptError(path, f"'{where}' is empty")
    alt = alts[0]
    segs: list[Segment] = []
    paras = alt.get("paragraphs")
    if isinstance(paras, dict) and isinstance(paras.get("paragraphs"), list):
        for k, p in enumerate(_items(path, paras, "paragraphs", where + "[0].paragraphs.")):
            name = _speaker_name(p.get("speaker"))
            w = f"{where}[0].paragraphs.paragraphs[{k}]."
            for j, snt in enumerate(_items(path, p, "sentences", w)):
                segs.append(Segment(name, _text(path, snt.get("text"), f"{w}sentences[{j}].text"),
                                    _num(path, snt.get("start"), f"{w}sentences[{j}].start", 1),
                                    _num(path, snt.get("end"), f"{w}sentences[{j}].end", 1)))
        return segs
    for k, wd in enumerate(_items(path, alt, "words", where + "[0].")):
        w = f"{where}[0].words[{k}]"
        name = _speaker_name(wd.get("speaker"))
        txt = _text(path, wd.get("punctuated_word") if wd.get("punctuated_word") is not None else wd.get("word"),
                    w + ".word")
        start, end = _num(path, wd.get("start"), w + ".start", 1), _num(path, wd.get("end"), w + ".end", 1)
        if segs and segs[-1].speaker == name:
            segs[-1].text = (segs[-1].text + " " + txt).strip()
            if end is not None and (segs[-1].end is None or end > segs[-1].end):
                segs[-1].end = end
        else:
            segs.append(Segment(name, txt, start, end))
    return segs


def parse_json(path: str, text: str) -> tuple[list[Segment], dict]:
    """-> (segments, metadata). metadata may hold 'reps', 'call_type', 'call_id'."""
    obj = loads(path, text)
    kind = detect_json_kind(obj)
    meta: dict = {}
    segs: list[Segment] = []
    if kind == "gong":
        calls = _items(path, obj, "callTranscripts")
        if not calls:
            raise TranscriptError(path, "'callTranscripts' is empty")
        if len(calls) > 1:
            raise TranscriptError(path, f"this Gong export holds {len(calls)} calls; split it into one file per call")
        call = calls[0]
        raw_parties = call.get("parties") or obj.get("parties") or []
        parties = {str(p.get("speakerId")): p for p in (raw_parties if isinstance(raw_parties, list) else [])
                   if isinstance(p, dict)}
        if call.get("callId") is not None and isinstance(call.get("callId"), (str, int)):
            meta["call_id"] = str(call["callId"])

        def party_name(sid: str) -> str:
            name = (parties.get(sid) or {}).get("name")
            return _speaker_name(name) if isinstance(name, str) and name.strip() else _speaker_name(sid or None)

        meta["reps"] = [party_name(sid) for sid, p in parties.items()
                        if str(p.get("affiliation", "")).lower() == "internal"]
        for k, block in enumerate(_items(path, call, "transcript", "callTranscripts[0].")):
            sid = block.get("speakerId")
            name = party_name("" if sid is None else str(sid))
            where = f"callTranscripts[0].transcript[{k}]."
            for j, s in enumerate(_items(path, block, "sentences", where)):
                w = f"{where}sentences[{j}]"
                segs.append(Segment(name, _text(path, s.get("text"), w + ".text"),
                                    _num(path, s.get("start"), w + ".start", 1000),
                                    _num(path, s.get("end"), w + ".end", 1000)))
    elif kind == "assemblyai":
        for k, u in enumerate(_items(path, obj, "utterances")):
            segs.append(Segment(_speaker_name(u.get("speaker")), _text(path, u.get("text"), f"utterances[{k}].text"),
                                _num(path, u.get("start"), f"utterances[{k}].start", 1000),
                                _num(path, u.get("end"), f"utterances[{k}].end", 1000)))
    elif kind == "deepgram":
        for k, u in enumerate(_items(path, obj["results"], "utterances", "results.")):
            txt = u.get("transcript") if u.get("transcript") is not None else u.get("text")
            segs.append(Segment(_speaker_name(u.get("speaker")), _text(path, txt, f"results.utterances[{k}].transcript"),
                                _num(path, u.get("start"), f"results.utterances[{k}].start", 1),
                                _num(path, u.get("end"), f"results.utterances[{k}].end", 1)))
    elif kind == "deepgram-channels":
        segs = _deepgram_channels(path, obj["results"])
    elif kind == "segments":
        for k, u in enumerate(_items(path, obj, "segments")):
            cue = u.get("id")
            segs.append(Segment(_speaker_name(u.get("speaker")), _text(path, u.get("text"), f"segments[{k}].text"),
                                _num(path, u.get("start"), f"segments[{k}].start", 1),
                                _num(path, u.get("end"), f"segments[{k}].end", 1),
                                cue=str(cue) if isinstance(cue, (str, int)) and not isinstance(cue, bool) else None))
        if isinstance(obj.get("reps"), list):
            meta["reps"] = [r.strip() for r in obj["reps"] if isinstance(r, str) and r.strip()]
        ct = obj.get("call_type")
        if ct is not None:
            if ct not in CALL_TYPES:
                raise TranscriptError(path, f"call_type must be one of {', '.join(CALL_TYPES)}, "
                                            f"got {str(ct)[:40]!r}")
            meta["call_type"] = ct
    else:
        raise TranscriptError(path, "unknown JSON transcript shape",
                              hint="expected Gong 'callTranscripts', AssemblyAI 'utterances', Deepgram "
                                   "'results.utterances' / 'results.channels' or Whisper 'segments'")
    for k, s in enumerate(segs):
        if s.start is not None and s.end is not None and s.end < s.start:
            raise TranscriptError(path, f"utterance {k} ends before it starts ({s.start}s -> {s.end}s)")
        if s.start is None and s.end is not None:
            s.end = None  # an end without a start says nothing
    segs = [s for s in segs if s.text]
    if not segs:
        raise TranscriptError(path, "the transcript holds no speech")
    return segs, meta
