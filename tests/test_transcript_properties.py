"""Property tests: no input crashes the transcript readers.

For any bytes, any text and any mutation of a valid VTT / SRT / text / JSON transcript, reading
either returns a well-formed Call (segments time-ordered, non-empty text and speaker, finite
times with end >= start) or raises TranscriptError -- never any other exception.

Run harder locally with e.g. `HYPOTHESIS_EXAMPLES=5000 pytest tests/test_transcript_properties.py`.
"""
from __future__ import annotations

import atexit
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescoach.errors import TranscriptError
from salescoach.transcript import Call, load_call, parse_call

N = int(os.environ.get("HYPOTHESIS_EXAMPLES", "60"))
CFG = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_TMP = Path(tempfile.mkdtemp(prefix="salescoach-props-"))
atexit.register(shutil.rmtree, _TMP, True)
EXTS = [".vtt", ".srt", ".txt", ".json", ".dat"]
FMTS = [None, "vtt", "srt", "text", "json"]


def check_call(call: Call) -> None:
    assert isinstance(call, Call) and call.segments
    starts = [s.start for s in call.segments]
    assert all(t is None for t in starts) or all(t is not None for t in starts)
    for s in call.segments:
        assert isinstance(s.text, str) and s.text.strip() == s.text and s.text
        assert isinstance(s.speaker, str) and s.speaker.strip()
        for t in (s.start, s.end):
            assert t is None or (isinstance(t, float | int) and math.isfinite(t) and t >= 0)
        if s.start is not None and s.end is not None:
            assert s.end >= s.start - 1e-9
    if call.timed:
        assert starts == sorted(starts)
    assert set(call.reps) <= set(call.speakers)
    for sp in call.speakers:
        assert call.role(sp) in ("rep", "buyer", "unknown")


def read_bytes(name: str, data: bytes, fmt: str | None = None) -> None:
    p = _TMP / name
    p.write_bytes(data)
    try:
        call = load_call(p, reps=["Lena Ruiz", "sam"], fmt=fmt)
    except TranscriptError as e:
        assert str(p) in str(e)
        return
    check_call(call)


def read_text(name: str, text: str, fmt: str | None = None) -> None:
    try:
        call = parse_call(name, text, reps=["Lena Ruiz"], fmt=fmt)
    except TranscriptError as e:
        assert name in str(e)
        return
    check_call(call)


# ---------------------------------------------------------------------------- valid seeds

VTT = """WEBVTT

NOTE a note

c1
00:00:01.000 --> 00:00:04.000
<v Lena Ruiz>Hi Maya, thanks for joining.</v>

c2
00:00:04.500 --> 00:00:07.500
<v.loud Maya Okafor>Happy to.</v><v Lena Ruiz>Great</v>

3
00:08.000 --> 00:12.000
Lena Ruiz: Zoom style, see https://x.io
Note: continues

4
00:00:12.000 --> 00:00:13.000
and more &amp; <i>tags</i>
"""

SRT = """1
00:00:01,000 --> 00:00:02,500
Lena: Hello there.

2
00:00:02,600 --> 00:00:04,000
[Maya] Hi!
- Another voice

3
00:00:04,000 --> 00:00:05,000
[laughter]
"""

TEXT = """Title line
[00:00:05] Lena Ruiz: Thanks for making time.
Note: the demo is Tuesday.
[00:00:09] Maya (00:09): Sure thing.
[00:12] more from Maya
1:02:03 Lena Ruiz: Much later.
"""

PLAIN = """Lena: Hi there.
Maya: Hello! 10:30 works: see https://x.io
continuation line
Derek Smith: Yes.
"""

JSONS = [
    json.dumps({"callTranscripts": [{"callId": "1", "parties": [{"speakerId": "1", "name": "Lena Ruiz",
                                                                 "affiliation": "Internal"}],
                                     "transcript": [{"speakerId": "1", "sentences": [
                                         {"start": 100, "end": 900, "text": "Hi."}]},
                                         {"speakerId": "2", "sentences": [{"start": 950, "end": 1200,
                                                                           "text": "Hello"}]}]}]}, indent=1),
    json.dumps({"utterances": [{"speaker": "A", "start": 0, "end": 1500, "text": "Hello"},
                               {"speaker": "B", "start": 1600, "end": 2000, "text": "Hi"}]}, indent=1),
    json.dumps({"results": {"utterances": [{"speaker": 0, "start": 0.5, "end": 1.2, "transcript": "hey"}]}}),
    json.dumps({"segments": [{"id": 0, "start": 0.0, "end": 2.5, "text": " Hi.", "speaker": "SPEAKER_00"}]}),
    json.dumps({"segments": [{"speaker": "Lena", "text": "Hi"}], "reps": ["Lena"], "call_type": "demo"}),
]

SEEDS = [("a.vtt", VTT), ("b.srt", SRT), ("c.txt", TEXT), ("d.txt", PLAIN)] + [
    (f"j{i}.json", j) for i, j in enumerate(JSONS)]


def test_seeds_are_valid():
    for name, text in SEEDS:
        check_call(parse_call(name, text))


# ---------------------------------------------------------------------------- mutations

PIECES = ["\n", "\n\n", ":", " --> ", "-->", "00:00:01.000", "00:0x:01,000", "99:99", "<v ", "<v>", "</v>", ">",
          "[", "]", "(", ")", "{", "}", '"', ",", "WEBVTT", "NOTE", "1", "-1", "1e999", "NaN", "null", "[]", "{}",
          "Note: ", "Lena Ruiz: ", "[00:01] ", "(0:05) ", "\ufeff", "\r\n", "\t", "&amp;", "&#0;", ">> ", "- ",
          "https://", "\u2028", "é", "\x00", "\x07"]


@st.composite
def mutated(draw):
    name, text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "dup_line", "drop_line", "swap_lines"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.one_of(st.sampled_from(PIECES), st.text(max_size=8))) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 12)):]
        elif op == "replace":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos + 1:]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if op == "dup_line":
                lines.insert(i, lines[j])
            elif op == "drop_line":
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return name, text


@CFG
@given(mutated(), st.sampled_from(FMTS))
def test_mutated_transcripts_never_crash(sample, fmt):
    name, text = sample
    read_text(name, text, fmt)


@CFG
@given(mutated(), st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "cp1252"]))
def test_mutated_transcripts_as_bytes_never_crash(sample, enc):
    name, text = sample
    read_bytes(name, text.encode(enc, errors="replace"))


@CFG
@given(st.binary(max_size=400), st.sampled_from(EXTS), st.sampled_from(FMTS))
def test_arbitrary_bytes_never_crash(data, ext, fmt):
    read_bytes("x" + ext, data, fmt)


@CFG
@given(st.text(max_size=300), st.sampled_from(EXTS), st.sampled_from(FMTS))
def test_arbitrary_text_never_crashes(text, ext, fmt):
    read_text("x" + ext, text, fmt)


LINE = st.lists(st.sampled_from(["Lena", "Maya Okafor", "Note", "A", "[00:01]", "(0:05)", "1:02:03", "12:00",
                                 ":", " ", "-", "hello", "https://x.io", "[laughs]", "the plan", ">>"]),
                max_size=7).map(" ".join)


@CFG
@given(st.lists(LINE, min_size=1, max_size=12), st.sampled_from([".txt", ".srt", ".vtt"]))
def test_line_soup_never_crashes(lines, ext):
    read_text("soup" + ext, "\n".join(lines))
    read_text("soup" + ext, "WEBVTT\n\n00:01.000 --> 00:02.000\n" + "\n".join(lines))


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=True) | st.text(max_size=6),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
        st.sampled_from(["speaker", "speakerId", "start", "end", "text", "transcript", "sentences", "name",
                         "affiliation", "id", "word", "punctuated_word", "x"]), kids, max_size=5),
    max_leaves=12)
UTTER = st.fixed_dictionaries({}, optional={
    "word": JSON_VALUE, "speaker": JSON_VALUE, "speakerId": JSON_VALUE, "start": JSON_VALUE, "end": JSON_VALUE, "text": JSON_VALUE,
    "transcript": JSON_VALUE, "sentences": st.lists(JSON_VALUE, max_size=3), "id": JSON_VALUE})


@CFG
@given(st.sampled_from(["utterances", "segments", "callTranscripts", "results", "channels", "paragraphs"]),
       st.lists(UTTER, max_size=4), JSON_VALUE)
def test_json_shapes_never_crash(key, items, extra):
    if key == "callTranscripts":
        doc = {key: [{"callId": extra, "transcript": items, "parties": items}]}
    elif key == "results":
        doc = {key: {"utterances": items}}
    elif key == "channels":
        doc = {"results": {"channels": [{"alternatives": [{"words": items}]}, extra]}}
    elif key == "paragraphs":
        doc = {"results": {"channels": [{"alternatives": [{"paragraphs": {"paragraphs": items}}]}]}}
    else:
        doc = {key: items, "reps": extra, "call_type": extra}
    read_text("j.json", json.dumps(doc))
