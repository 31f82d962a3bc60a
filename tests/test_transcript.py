"""Transcript readers: every format on small hand-written fixtures, and bad input -> TranscriptError."""
from __future__ import annotations

import codecs
import json

import pytest

from salescoach.errors import TranscriptError
from salescoach.transcript import BUYER, REP, UNKNOWN, load_call, parse_call
from salescoach.transcript._io import parse_clock
from salescoach.transcript.model import resolve_reps


def seg_tuples(call):
    return [(s.speaker, s.text, s.start, s.end) for s in call.segments]


def load(tmp_path, name, data, **kw):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return load_call(p, **kw)


def error_of(tmp_path, name, data, **kw) -> TranscriptError:
    with pytest.raises(TranscriptError) as ei:
        load(tmp_path, name, data, **kw)
    e = ei.value
    assert name in str(e)  # every error names the file
    return e


# --------------------------------------------------------------------------- WebVTT (Teams)

TEAMS = """WEBVTT
Kind: captions

NOTE This call was recorded.
It has two speakers.

STYLE
::cue { color: white }

c1
00:00:01.000 --> 00:00:04.000
<v Lena Ruiz>Hi Maya, thanks for joining.</v>

c2
00:00:04.500 --> 00:00:07.500 align:start position:10%
<v.loud Maya Okafor>Happy to &amp; glad we could.</v>

c3
00:00:08.000 --> 00:00:12.000
<v Lena Ruiz>So tell me,</v>
<v Maya Okafor>Sure</v>

c4
00:13.000 --> 00:15.000
<v Lena Ruiz>what does <i>reporting</i> look like
Note: asking for Derek too</v>
"""


def test_teams_vtt_voices_notes_styles_ids():
    call = parse_call("teams.vtt", TEAMS, reps=["lena ruiz"])
    assert call.format == "vtt"
    assert [s.cue for s in call.segments] == ["c1", "c2", "c3", "c3", "c4"]
    assert call.segments[0].text == "Hi Maya, thanks for joining."
    assert call.segments[0].start == 1.0 and call.segments[0].end == 4.0
    assert call.segments[1].speaker == "Maya Okafor"  # <v.class Name>
    assert call.segments[1].text == "Happy to & glad we could."
    # two voices in one cue share its time in proportion to their words (3 and 1)
    a, b = call.segments[2], call.segments[3]
    assert (a.speaker, b.speaker) == ("Lena Ruiz", "Maya Okafor")
    assert a.start == 8.0 and a.end == pytest.approx(11.0) and b.start == pytest.approx(11.0) and b.end == 12.0
    # mm:ss.ttt times, tags removed, an untagged line continues the open voice (not a speaker "Note")
    last = call.segments[4]
    assert last.start == 13.0 and last.speaker == "Lena Ruiz"
    assert last.text == "what does reporting look like Note: asking for Derek too"
    assert call.speakers == ["Lena Ruiz", "Maya Okafor"]
    assert call.reps == ["Lena Ruiz"]
    assert call.role("Lena Ruiz") == REP and call.role("Maya Okafor") == BUYER
    assert call.segments[0].line == 11  # the timing line


def test_vtt_without_blank_lines_between_cues_and_after_header():
    text = "WEBVTT\n1\n00:00:01.000 --> 00:00:02.000\n<v A>one</v>\n2\n00:00:02.000 --> 00:00:03.000\n<v B>two</v>\n"
    call = parse_call("x.vtt", text)
    assert seg_tuples(call) == [("A", "one", 1.0, 2.0), ("B", "two", 2.0, 3.0)]
    assert [s.cue for s in call.segments] == ["1", "2"]


def test_vtt_empty_cues_and_sound_notes_are_dropped():
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>hello</v>\n\n00:00:02.000 --> 00:00:03.000\n\n"
            "00:00:03.000 --> 00:00:04.000\n[laughter]\n\n00:00:04.000 --> 00:00:05.000\n<v B></v>\n\n"
            "00:00:05.000 --> 00:00:06.000\n<v B>bye</v>\n")
    assert seg_tuples(parse_call("x.vtt", text)) == [("A", "hello", 1.0, 2.0), ("B", "bye", 5.0, 6.0)]


def test_vtt_segments_sorted_by_start():
    text = ("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\n<v A>later</v>\n\n"
            "00:00:01.000 --> 00:00:02.000\n<v B>earlier</v>\n")
    assert [s.text for s in parse_call("x.vtt", text).segments] == ["earlier", "later"]


# --------------------------------------------------------------------------- WebVTT (Zoom)

ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:03.000
Lena Ruiz: Hi Maya.

2
00:00:03.000 --> 00:00:06.000
Maya Okafor: Hi! The plan: we look at reporting.

3
00:00:06.000 --> 00:00:08.000
and then pricing, see https://acme.example/pricing

4
00:00:08.000 --> 00:00:10.000
Note: I'll send it over.
Lena Ruiz: Great.
"""


def test_zoom_vtt_name_prefixes():
    call = parse_call("zoom.vtt", ZOOM, reps=["Lena Ruiz"])
    assert [(s.speaker, s.text) for s in call.segments] == [
        ("Lena Ruiz", "Hi Maya."),
        ("Maya Okafor", "Hi! The plan: we look at reporting."),
        ("Maya Okafor", "and then pricing, see https://acme.example/pricing"),  # no speaker: previous one
        ("Maya Okafor", "Note: I'll send it over."),  # "Note" is not a speaker
        ("Lena Ruiz", "Great."),  # a speaker named on a continuation line of the cue
    ]
    assert call.segments[3].start == 8.0 and call.segments[4].end == 10.0
    assert call.segments[3].end == call.segments[4].start
    assert call.reps == ["Lena Ruiz"]


# --------------------------------------------------------------------------- SRT

def test_srt_comma_ms_and_name_prefixes():
    text = ("1\n00:00:01,250 --> 00:00:03,500\nLena: Hi there.\n\n2\n00:00:03,600 --> 00:00:05,000\n"
            "[Maya] Hello.\nStill me.\n\n3\n00:00:05,000 --> 00:00:06,000\n<i>[laughs]</i> right\n")
    call = parse_call("call.srt", text, reps=["Lena Ruiz"])
    assert call.format == "srt"
    assert seg_tuples(call) == [("Lena", "Hi there.", 1.25, 3.5), ("Maya", "Hello. Still me.", 3.6, 5.0),
                                ("Maya", "[laughs] right", 5.0, 6.0)]
    assert call.reps == ["Lena"]  # first-name-only label matches --rep "Lena Ruiz"
    assert call.role("Maya") == BUYER


def test_srt_without_speakers():
    text = "1\n00:00:01,000 --> 00:00:02,000\nhello there\n\n2\n00:00:02,000 --> 00:00:03,000\n- yes\n"
    call = parse_call("nospk.srt", text)
    assert [(s.speaker, s.text) for s in call.segments] == [("Unknown", "hello there"), ("Unknown", "yes")]
    assert call.role("Unknown") == UNKNOWN


def test_srt_detected_without_extension_and_with_bom(tmp_path):
    data = codecs.BOM_UTF8 + b"1\r\n00:00:01,000 --> 00:00:02,000\r\nLena: hi\r\n"
    call = load(tmp_path, "captions.txt", data)
    assert call.format == "srt" and seg_tuples(call) == [("Lena", "hi", 1.0, 2.0)]


# --------------------------------------------------------------------------- plain text

def test_text_untimed_with_continuations_notes_urls_and_clock_words():
    text = ("Acme discovery call, 3 March\n\n"
            "Lena Ruiz: Thanks for making time.   \n"
            "Note: the demo is Tuesday.\n"
            "Details at https://acme.example/demo\n"
            "10:30 works for everyone?\n"
            "Maya Okafor: It does. Here is the plan: we bring Derek.\n"
            "Derek: Hi all.\n")
    call = parse_call("notes.txt", text, reps=["LENA RUIZ"])
    assert call.format == "text" and not call.timed and call.duration_s is None
    assert [(s.speaker, s.text, s.start, s.end) for s in call.segments] == [
        ("Lena Ruiz", "Thanks for making time. Note: the demo is Tuesday. Details at https://acme.example/demo "
                      "10:30 works for everyone?", None, None),
        ("Maya Okafor", "It does. Here is the plan: we bring Derek.", None, None),
        ("Derek", "Hi all.", None, None),
    ]
    assert call.segments[0].line == 3
    assert call.role("Derek") == BUYER and call.role("Lena Ruiz") == REP


@pytest.mark.parametrize("lines", [
    ["[00:00:05] Lena: Hi.", "[00:00:09] Maya: Hello there.", "[01:02:03] Lena: Much later."],
    ["[00:05] Lena: Hi.", "[00:09] Maya: Hello there.", "[1:02:03] Lena: Much later."],
    ["(00:05) Lena: Hi.", "(00:09) Maya: Hello there.", "(1:02:03) Lena: Much later."],
    ["00:00:05 Lena: Hi.", "0:09 - Maya: Hello there.", "1:02:03 Lena: Much later."],
    ["Lena (00:05): Hi.", "Maya [00:00:09]: Hello there.", "Lena 1:02:03: Much later."],
])
def test_text_stamp_styles(lines):
    call = parse_call("t.txt", "\r\n".join(lines) + "\r\n")
    assert [(s.speaker, s.text, s.start) for s in call.segments] == [
        ("Lena", "Hi.", 5.0), ("Maya", "Hello there.", 9.0), ("Lena", "Much later.", 3723.0)]
    # a segment ends at the next start, unless the gap is a silence (then its words' estimate)
    assert call.segments[0].end == 9.0
    assert call.segments[1].end == pytest.approx(10.0)
    assert call.timed


def test_text_otter_headers_and_lone_stamps():
    otter = "Lena Ruiz  0:05\nThanks for making time.\nSecond line.\n\nMaya Okafor  0:09\nSure.\n"
    assert seg_tuples(parse_call("o.txt", otter)) == [
        ("Lena Ruiz", "Thanks for making time. Second line.", 5.0, 9.0), ("Maya Okafor", "Sure.", 9.0, 10.0)]
    lone = "[00:00:05]\nLena: hi\n[00:00:09]\nMaya: hello\n"
    assert seg_tuples(parse_call("l.txt", lone)) == [("Lena", "hi", 5.0, 9.0), ("Maya", "hello", 9.0, 10.0)]


def test_text_stamp_only_line_continues_speaker_with_new_time():
    text = "[00:01] Lena: Hi.\n[00:04] and one more thing\n[00:06] Maya: Yes?\n"
    assert seg_tuples(parse_call("c.txt", text)) == [
        ("Lena", "Hi.", 1.0, 4.0), ("Lena", "and one more thing", 4.0, 6.0), ("Maya", "Yes?", 6.0, 7.0)]


def test_text_speaker_ids_and_short_labels():
    text = ("A: okay so\nB: yeah\nA: uh-huh: right\nSPEAKER_00: hi\nme011: testing\nme011: again\n"
            "Speaker A: hello\nSpeaker 1: hi\nDr. Ann de la Cruz: yes\nJ. Smith: ok\n")
    call = parse_call("ids.txt", text)
    assert [s.speaker for s in call.segments] == ["A", "B", "A", "SPEAKER_00", "me011", "me011", "Speaker A",
                                                  "Speaker 1", "Dr. Ann de la Cruz", "J. Smith"]
    assert call.segments[2].text == "uh-huh: right"


# --------------------------------------------------------------------------- JSON

def test_gong_json_parties_reps_and_call_id():
    doc = {"requestId": "r1", "callTranscripts": [{
        "callId": "7782", "parties": [
            {"speakerId": "111", "name": "Lena Ruiz", "affiliation": "Internal"},
            {"speakerId": "222", "name": "Maya Okafor", "affiliation": "External"}],
        "transcript": [
            {"speakerId": "111", "sentences": [{"start": 1200, "end": 3400, "text": "Hi Maya."},
                                                {"start": 3400, "end": 5000, "text": "How are you?"}]},
            {"speakerId": "222", "sentences": [{"start": 5200, "end": 6000, "text": "Good!"}]},
            {"speakerId": "333", "sentences": [{"start": 500, "end": 900, "text": "Recording started."}]}]}]}
    call = parse_call("gong.json", json.dumps(doc))
    assert call.format == "json" and call.id == "7782"
    assert seg_tuples(call) == [("333", "Recording started.", 0.5, 0.9), ("Lena Ruiz", "Hi Maya.", 1.2, 3.4),
                                ("Lena Ruiz", "How are you?", 3.4, 5.0), ("Maya Okafor", "Good!", 5.2, 6.0)]
    assert call.reps == ["Lena Ruiz"]  # from the Internal party, no --rep needed
    assert call.role("Maya Okafor") == BUYER


def test_assemblyai_deepgram_whisper_shapes():
    aai = {"id": "x", "utterances": [{"speaker": "A", "start": 0, "end": 1500, "text": "Hello"},
                                     {"speaker": "B", "start": 1600, "end": 2000, "text": " Hi "}]}
    assert seg_tuples(parse_call("a.json", json.dumps(aai))) == [("Speaker A", "Hello", 0.0, 1.5),
                                                                  ("Speaker B", "Hi", 1.6, 2.0)]
    dg = {"metadata": {}, "results": {"utterances": [
        {"speaker": 0, "start": 0.5, "end": 1.25, "transcript": "hello there"},
        {"speaker": 1, "start": 1.5, "end": 2.0, "transcript": ""}]}}
    assert seg_tuples(parse_call("d.json", json.dumps(dg))) == [("Speaker 0", "hello there", 0.5, 1.25)]
    whisper = {"text": "...", "segments": [{"id": 0, "start": 0.0, "end": 2.5, "text": " Hi."},
                                           {"id": 1, "start": 2.5, "end": 4.0, "text": " Bye."}]}
    call = parse_call("w.json", json.dumps(whisper))
    assert seg_tuples(call) == [("Unknown", "Hi.", 0.0, 2.5), ("Unknown", "Bye.", 2.5, 4.0)]
    assert [s.cue for s in call.segments] == ["0", "1"]
    whisperx = {"segments": [{"start": 0.0, "end": 1.0, "text": "Hi", "speaker": "SPEAKER_00"}]}
    assert parse_call("wx.json", json.dumps(whisperx)).speakers == ["SPEAKER_00"]


def test_own_json_reps_call_type_and_untimed():
    doc = {"segments": [{"speaker": "Lena", "text": "Hi"}, {"speaker": "Maya", "text": "Hello"}],
           "reps": ["Lena"], "call_type": "demo"}
    call = parse_call("own.json", json.dumps(doc))
    assert call.reps == ["Lena"] and call.call_type == "demo" and not call.timed
    assert parse_call("own.json", json.dumps(doc), call_type="negotiation").call_type == "negotiation"
    assert parse_call("own.json", json.dumps(doc), reps=["Maya"]).reps == ["Lena", "Maya"]


# --------------------------------------------------------------------------- reps, ids, talk-time inputs

def test_resolve_reps_case_and_first_names():
    speakers = ["Lena", "LENA RUIZ", "Maya Okafor", "Sam"]
    assert resolve_reps(speakers, ["lena ruiz", "  Sam   Cho "]) == ["Lena", "LENA RUIZ", "Sam"]
    assert resolve_reps(speakers, []) == []
    assert resolve_reps(speakers, ["Nobody"]) == []
    # a first name alone matches the one speaker with that first name, never two
    assert resolve_reps(["Lena Ruiz", "Maya Okafor"], ["lena"]) == ["Lena Ruiz"]
    assert resolve_reps(["Lena Ruiz", "Lena Park"], ["Lena"]) == []


def test_roles_without_reps_are_unknown():
    call = parse_call("x.txt", "Lena: hi\nMaya: hello\n")
    assert call.reps == [] and {call.role(s) for s in call.speakers} == {UNKNOWN}


def test_call_id_and_source_and_duration(tmp_path):
    call = load(tmp_path, "acme-discovery.vtt", TEAMS)
    assert call.id == "acme-discovery" and call.source == str(tmp_path / "acme-discovery.vtt")
    assert call.duration_s == 15.0
    assert len(call.metadata["sha256"]) == 64


def test_parse_clock():
    assert parse_clock("01:02:03.456") == 3723.456
    assert parse_clock("02:03,5") == 123.5
    assert parse_clock("1:02:03") == 3723.0
    assert parse_clock("00:61.000") is None and parse_clock("00:0x:01.000") is None
    assert parse_clock("1:60:00") is None


# --------------------------------------------------------------------------- encodings

def test_utf16_with_bom_and_crlf_is_read(tmp_path):
    text = "Lena: Hi — naïve café\r\nMaya: Olá\r\n"
    for enc in ("utf-16", "utf-16-be", "utf-32"):
        data = text.encode(enc)
        if enc == "utf-16-be":
            data = codecs.BOM_UTF16_BE + data
        call = load(tmp_path, "u.txt", data)
        assert seg_tuples(call) == [("Lena", "Hi — naïve café", None, None), ("Maya", "Olá", None, None)]


def test_utf16_without_bom_is_read(tmp_path):
    call = load(tmp_path, "u.txt", "Lena: Hi\nMaya: Hello\n".encode("utf-16-le"))
    assert call.speakers == ["Lena", "Maya"]


def test_utf8_bom_and_trailing_whitespace(tmp_path):
    call = load(tmp_path, "b.vtt", codecs.BOM_UTF8 + TEAMS.replace("\n", "  \r\n").encode())
    assert call.segments[0].text == "Hi Maya, thanks for joining."


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("data", [b"", b"   \n\t\n", codecs.BOM_UTF8 + b"\n\n"])
def test_empty_files(tmp_path, data):
    e = error_of(tmp_path, "empty.txt", data)
    assert "empty" in e.message


def test_binary_file(tmp_path):
    e = error_of(tmp_path, "x.vtt", b"WEBVTT\n\n\x89PNG\x00\x00\x01\x02\xff")
    assert "binary" in e.message and e.line == 3


def test_control_characters(tmp_path):
    e = error_of(tmp_path, "x.txt", b"Lena: hi\nMaya: \x07ding\n")
    assert e.line == 2


@pytest.mark.parametrize("enc", ["cp1252", "latin-1"])
def test_wrong_encoding_names_line(tmp_path, enc):
    data = "Lena: Hi\nMaya: Caf\u00e9 au lait \u00bd price\n".encode(enc)
    e = error_of(tmp_path, "c.txt", data)
    assert "UTF-8" in e.message and e.line == 2 and "iconv" in (e.hint or "")
    assert ":2:" in str(e)


def test_broken_timestamp(tmp_path):
    e = error_of(tmp_path, "b.vtt", "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v A>ok</v>\n\n"
                                    "2\n00:0x:01.000 --> 00:00:04.000\n<v A>bad</v>\n")
    assert e.line == 8 and "timing" in e.message


def test_cue_end_before_start(tmp_path):
    e = error_of(tmp_path, "b.srt", "1\n00:00:05,000 --> 00:00:04,000\nhi\n")
    assert e.line == 2 and "before" in e.message


def test_block_without_timing_line(tmp_path):
    e = error_of(tmp_path, "b.srt", "1\n00:00:01,000 --> 00:00:02,000\nhi\n\nstray words here\n")
    assert e.line == 5


def test_vtt_without_header(tmp_path):
    e = error_of(tmp_path, "n.vtt", "1\n00:00:01,000 --> 00:00:02,000\nLena: hi\n")
    assert e.line == 1 and "WEBVTT" in e.message and "srt" in (e.hint or "")


def test_json_syntax_error_names_line(tmp_path):
    e = error_of(tmp_path, "bad.json", '{\n  "utterances": [\n    {"speaker": "A",}\n  ]\n}\n')
    assert e.line == 3 and "JSON" in e.message


@pytest.mark.parametrize("doc,needle", [
    ({"questions": [], "rep": "Lena"}, "unknown JSON"),
    ([1, 2, 3], "unknown JSON"),
    ({"utterances": {"a": 1}}, "must be a list"),
    ({"utterances": ["x"]}, "must be an object"),
    ({"utterances": [{"speaker": "A", "start": "0", "end": 1, "text": "x"}]}, "must be a number"),
    ({"utterances": [{"speaker": "A", "start": -5, "end": 1, "text": "x"}]}, "negative"),
    ({"utterances": [{"speaker": "A", "start": 500, "end": 100, "text": "x"}]}, "ends before"),
    ({"utterances": [{"speaker": "A", "start": 0, "end": 1, "text": {"t": 1}}]}, "must be text"),
    ({"segments": [{"text": ""}]}, "no speech"),
    ({"segments": [{"text": "hi", "start": 0, "end": 1}, {"text": "x"}]}, "some segments have times"),
    ({"segments": [{"text": "hi"}], "call_type": "pitch"}, "call_type"),
    ({"callTranscripts": []}, "empty"),
    ({"callTranscripts": [{"transcript": []}, {"transcript": []}]}, "split it"),
])
def test_json_bad_shapes(tmp_path, doc, needle):
    e = error_of(tmp_path, "t.json", json.dumps(doc))
    assert needle in e.message


def test_json_nan_and_deep_nesting(tmp_path):
    error_of(tmp_path, "n.json", '{"segments": [{"text": "hi", "start": NaN, "end": 1}]}')
    error_of(tmp_path, "d.json", "[" * 100_000 + "]" * 100_000)
    error_of(tmp_path, "big.json", '{"segments": [{"text": "hi", "start": ' + "9" * 5000 + "}]}")


def test_text_without_speaker_labels(tmp_path):
    e = error_of(tmp_path, "prose.txt", "This is just a memo about the call.\nNothing more to say.\n")
    assert "speaker" in e.message and e.line == 1


def test_text_only_labels(tmp_path):
    error_of(tmp_path, "labels.txt", "Lena:\nMaya:\n")


def test_text_backwards_stamps(tmp_path):
    e = error_of(tmp_path, "back.txt", "[00:10] Lena: hi\n[00:20] Maya: hello\n[00:15] Lena: what\n")
    assert e.line == 3 and "backwards" in e.message


def test_text_mixed_stamped_and_unstamped(tmp_path):
    e = error_of(tmp_path, "mixed.txt", "[00:01] Lena: hi\nMaya: hello\n[00:05] Lena: bye\n")
    assert e.line == 2
    e = error_of(tmp_path, "mixed2.txt", "Lena: hi\nMaya: hello\n[00:05] Lena: bye\n")
    assert e.line == 1


def test_missing_and_folder_paths(tmp_path):
    with pytest.raises(TranscriptError, match="cannot read"):
        load_call(tmp_path / "nope.vtt")
    with pytest.raises(TranscriptError, match="folder"):
        load_call(tmp_path)


def test_forced_format(tmp_path):
    p = tmp_path / "call.vtt"
    p.write_text("Lena: hi\nMaya: hello\n")
    with pytest.raises(TranscriptError, match="WEBVTT"):
        load_call(p)
    assert load_call(p, fmt="text").speakers == ["Lena", "Maya"]
    with pytest.raises(TranscriptError, match="unknown transcript format"):
        load_call(p, fmt="docx")


def test_long_vtt_parses(tmp_path):
    """A 45-minute, ~7k-word call parses into every cue (speed is measured by `make bench`)."""
    cues = []
    for i in range(500):
        t = i * 5.0
        spk = "Lena Ruiz" if i % 2 else "Maya Okafor"
        cues.append(f"c{i}\n{parse_ts(t)} --> {parse_ts(t + 4.5)}\n<v {spk}>" + "word " * 14 + "</v>\n")
    call = parse_call("long.vtt", "WEBVTT\n\n" + "\n".join(cues))
    assert len(call.segments) == 500 and sum(len(s.text.split()) for s in call.segments) == 7000


def parse_ts(x: float) -> str:
    return f"{int(x // 3600):02d}:{int(x % 3600 // 60):02d}:{x % 60:06.3f}"


def test_text_zoom_bracket_names_affiliations_and_unicode():
    zoom = "[Lena Ruiz] 10:02:15\nHi Maya.\n[Maya Okafor] 10:02:19\nHello.\n"
    assert seg_tuples(parse_call("z.txt", zoom)) == [("Lena Ruiz", "Hi Maya.", 36135.0, 36139.0),
                                                     ("Maya Okafor", "Hello.", 36139.0, 36140.0)]
    text = ("Lena Ruiz (Acme): Hi.\n[Maya]: Hello.\n[laughter] yes\nLena:No space after the colon.\n"
            "李雷：你好\nمحمد علي: مرحبا\n")
    call = parse_call("u.txt", text, reps=["Lena Ruiz"])
    assert [(s.speaker, s.text) for s in call.segments] == [
        ("Lena Ruiz", "Hi."), ("Maya", "Hello. [laughter] yes"), ("Lena", "No space after the colon."),
        ("李雷", "你好"), ("محمد علي", "مرحبا")]
    assert call.reps == ["Lena Ruiz", "Lena"]


def test_missing_end_times_are_estimated():
    doc = {"segments": [{"speaker": "A", "start": 0.0, "text": "one two three four five"},
                        {"speaker": "B", "start": 1.0, "end": 3.0, "text": "x"},
                        {"speaker": "A", "start": 10.0, "text": "bye"}]}
    call = parse_call("e.json", json.dumps(doc))
    assert [s.end for s in call.segments] == [1.0, 3.0, 11.0]


def test_metadata_header_lines_are_not_speakers():
    text = "Title: Acme discovery\nDate: 3 March\nCompany: Acme\nAttendees: Lena, Maya\n\nLena: Hi.\nMaya: Hello.\n"
    assert parse_call("h.txt", text).speakers == ["Lena", "Maya"]


@pytest.mark.parametrize("bad", ["[00:75] Maya: hello", "[00:0x:05] Maya: hello", "0:0x:09 - Maya: hello"])
def test_text_broken_stamp(tmp_path, bad):
    e = error_of(tmp_path, "s.txt", f"[00:01] Lena: hi\n{bad}\n[00:12] Lena: bye\n")
    assert e.line == 2 and "stamp" in e.message


def test_sniffing():
    assert parse_call("x.txt", "00:00:01,000 --> 00:00:02,000\nLena: hi\n").format == "srt"  # SRT without ids
    assert parse_call("x.txt", "Lena: step A --> step B\nMaya: ok\n").format == "text"
    assert parse_call("x.txt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>hi</v>\n").format == "vtt"
    assert parse_call("x.txt", '{"segments": [{"text": "hi"}]}').format == "json"
    assert parse_call("x.txt", "[00:01] Lena: hi\n").format == "text"


def test_deepgram_paragraphs_and_words():
    para = {"results": {"channels": [{"alternatives": [{"transcript": "...", "paragraphs": {"paragraphs": [
        {"speaker": 0, "sentences": [{"text": "Hi there.", "start": 0.2, "end": 1.0},
                                     {"text": "How are you?", "start": 1.1, "end": 2.0}]},
        {"speaker": 1, "sentences": [{"text": "Good.", "start": 2.5, "end": 3.0}]}]}}]}]}}
    assert seg_tuples(parse_call("p.json", json.dumps(para))) == [
        ("Speaker 0", "Hi there.", 0.2, 1.0), ("Speaker 0", "How are you?", 1.1, 2.0), ("Speaker 1", "Good.", 2.5, 3.0)]
    words = {"results": {"channels": [{"alternatives": [{"words": [
        {"word": "hi", "punctuated_word": "Hi", "start": 0.0, "end": 0.3, "speaker": 0},
        {"word": "there", "start": 0.3, "end": 0.6, "speaker": 0},
        {"word": "hello", "start": 0.9, "end": 1.4, "speaker": 1}]}]}]}}
    assert seg_tuples(parse_call("w.json", json.dumps(words))) == [
        ("Speaker 0", "Hi there", 0.0, 0.6), ("Speaker 1", "hello", 0.9, 1.4)]
