"""JSON transcripts: Gong-style exports and speech-to-text utterance JSON.

Recognised shapes (times in ms are converted to seconds):
- Gong: {"callTranscripts": [{"callId", "transcript": [{"speakerId", "sentences": [{"start", "end", "text"}]}]}]}
  (ms). Speaker names and sides come from an optional "parties" list [{"speakerId", "name",
  "affiliation": "Internal" | "External"}] at top level or per call: Internal parties are reps.
- AssemblyAI: {"utterances": [{"speaker", "start", "end", "text"}]} (ms).
- Deepgram: {"results": {"utterances": [{"speaker", "start", "end", "transcript"}]}} (s).
- Whisper / WhisperX: {"segments": [{"start", "end", "text", "speaker"?}]} (s).
- salescoach's own: {"segments": [{"speaker", "start", "end", "text"}], "reps": [...], "call_type": ...}.
"""
from __future__ import annotations

import json
from typing import Any

from salescoach.errors import TranscriptError
from salescoach.transcript.model import Segment


def _num(path: str, v: Any, what: str, scale: float) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TranscriptError(path, f"{what} must be a number, got {v!r}")
    if v < 0:
        raise TranscriptError(path, f"{what} is negative ({v})")
    return round(v / scale, 3)


def _items(path: str, obj: Any, key: str) -> list[dict]:
    v = obj.get(key)
    if not isinstance(v, list):
        raise TranscriptError(path, f"'{key}' must be a list")
    for k, item in enumerate(v):
        if not isinstance(item, dict):
            raise TranscriptError(path, f"'{key}[{k}]' must be an object, got {type(item).__name__}")
    return v


def _speaker_name(v: Any) -> str:
    if v is None or v == "":
        return "Unknown"
    if isinstance(v, int):
        return f"Speaker {v}"
    s = str(v).strip()
    return f"Speaker {s}" if len(s) <= 2 and s.isalnum() else s


def detect_json_kind(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    if "callTranscripts" in obj:
        return "gong"
    if "utterances" in obj:
        return "assemblyai"
    if isinstance(obj.get("results"), dict) and "utterances" in obj["results"]:
        return "deepgram"
    if "segments" in obj:
        return "segments"
    return None


def parse_json(path: str, text: str) -> tuple[list[Segment], dict]:
    """-> (segments, metadata). metadata may hold 'reps', 'call_type', 'call_id'."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise TranscriptError(path, f"invalid JSON: {e.msg}", line=e.lineno) from None
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
        parties = {str(p.get("speakerId")): p for p in (call.get("parties") or obj.get("parties") or [])
                   if isinstance(p, dict)}
        meta["call_id"] = call.get("callId")
        meta["reps"] = [p.get("name") or _speaker_name(sid) for sid, p in parties.items()
                        if str(p.get("affiliation", "")).lower() == "internal"]
        for k, block in enumerate(_items(path, call, "transcript")):
            sid = str(block.get("speakerId", ""))
            name = (parties.get(sid) or {}).get("name") or _speaker_name(sid)
            for j, s in enumerate(_items(path, block, "sentences")):
                where = f"callTranscripts[0].transcript[{k}].sentences[{j}]"
                segs.append(Segment(name, str(s.get("text", "")).strip(), _num(path, s.get("start"), where + ".start", 1000),
                                    _num(path, s.get("end"), where + ".end", 1000)))
    elif kind == "assemblyai":
        for k, u in enumerate(_items(path, obj, "utterances")):
            segs.append(Segment(_speaker_name(u.get("speaker")), str(u.get("text", "")).strip(),
                                _num(path, u.get("start"), f"utterances[{k}].start", 1000),
                                _num(path, u.get("end"), f"utterances[{k}].end", 1000)))
    elif kind == "deepgram":
        for k, u in enumerate(_items(path, obj["results"], "utterances")):
            segs.append(Segment(_speaker_name(u.get("speaker")), str(u.get("transcript", u.get("text", ""))).strip(),
                                _num(path, u.get("start"), f"results.utterances[{k}].start", 1),
                                _num(path, u.get("end"), f"results.utterances[{k}].end", 1)))
    elif kind == "segments":
        for k, u in enumerate(_items(path, obj, "segments")):
            segs.append(Segment(_speaker_name(u.get("speaker")), str(u.get("text", "")).strip(),
                                _num(path, u.get("start"), f"segments[{k}].start", 1),
                                _num(path, u.get("end"), f"segments[{k}].end", 1), cue=u.get("id") and str(u["id"])))
        if isinstance(obj.get("reps"), list):
            meta["reps"] = [str(r) for r in obj["reps"]]
        if obj.get("call_type"):
            meta["call_type"] = str(obj["call_type"])
    else:
        raise TranscriptError(path, "unknown JSON transcript shape",
                              hint="expected Gong 'callTranscripts', AssemblyAI 'utterances', Deepgram "
                                   "'results.utterances' or Whisper 'segments'")
    for k, s in enumerate(segs):
        if s.start is not None and s.end is not None and s.end < s.start:
            raise TranscriptError(path, f"utterance {k} ends before it starts ({s.start}s -> {s.end}s)")
    segs = [s for s in segs if s.text]
    if not segs:
        raise TranscriptError(path, "the transcript holds no speech")
    return segs, meta
