"""CLI error behaviour: one bad file in a batch is reported (file and line) and the others still run."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).with_name("salescoach")
CMD = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from salescoach.cli import main; main()"]

GOOD_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Lena Ruiz>Hi Maya, how does reporting work for your team today?</v>

2
00:00:04.500 --> 00:00:09.000
<v Maya Okafor>Slowly. Every Friday we spend hours pulling numbers by hand.</v>
"""
BAD_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Lena Ruiz>Hi Maya.</v>

2
00:0x:05.000 --> 00:00:07.000
<v Maya Okafor>Hello.</v>
"""
GOOD_TXT = "Lena Ruiz: What made you take this call?\nMaya Okafor: Our reports take too long to build.\n"


def run(args, cwd):
    p = subprocess.run(CMD + args, cwd=cwd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, " ".join(p.stderr.split())  # rich may wrap long lines


def reports(stdout):
    return [json.loads(ln) for ln in stdout.splitlines() if ln.strip()]


@pytest.fixture
def batch(tmp_path):
    (tmp_path / "a-good.vtt").write_text(GOOD_VTT)
    (tmp_path / "b-bad.vtt").write_text(BAD_VTT)
    (tmp_path / "c-good.txt").write_text(GOOD_TXT)
    (tmp_path / "d-cp1252.txt").write_bytes("Lena Ruiz: Hi\nMaya: Caf\u00e9\n".encode("cp1252"))
    return tmp_path


def test_batch_with_bad_files_reports_good_ones_and_fails(batch):
    rc, out, err = run(["analyze", "a-good.vtt", "b-bad.vtt", "c-good.txt", "d-cp1252.txt",
                        "--format", "jsonl", "--rep", "Lena Ruiz"], batch)
    assert rc != 0
    got = reports(out)
    assert sorted(r["call"]["source"] for r in got) == ["a-good.vtt", "c-good.txt"]
    assert all(r["call"]["reps"] == ["Lena Ruiz"] for r in got)
    assert "b-bad.vtt:8:" in err  # file and line of the broken timing
    assert "d-cp1252.txt:2:" in err and "UTF-8" in err
    assert re.search(r"2 of 4 transcript\(s\) failed", err)


def test_all_good_exits_zero(batch):
    rc, out, err = run(["analyze", "a-good.vtt", "c-good.txt", "--format", "jsonl"], batch)
    assert rc == 0, err
    assert len(reports(out)) == 2


def test_folder_skips_non_transcript_json(batch):
    (batch / "b-bad.vtt").unlink()
    (batch / "d-cp1252.txt").unlink()
    (batch / "labels.json").write_text(json.dumps({"questions": [{"cue": "c1", "text": "x"}], "rep": "Lena Ruiz"}))
    (batch / "sub").mkdir()
    (batch / "sub" / "e.json").write_text(json.dumps(
        {"segments": [{"speaker": "Lena Ruiz", "start": 0.0, "end": 2.0, "text": "Shall we start?"},
                      {"speaker": "Maya", "start": 2.5, "end": 4.0, "text": "Yes, let's."}]}))
    rc, out, err = run(["analyze", ".", "--format", "jsonl", "--rep", "Lena Ruiz"], batch)
    assert rc == 0, err
    assert sorted(Path(r["call"]["source"]).name for r in reports(out)) == ["a-good.vtt", "c-good.txt", "e.json"]
    assert "labels.json" in err and "skipped" in err


def test_transcript_format_forces_the_reader(tmp_path):
    (tmp_path / "call.vtt").write_text(GOOD_TXT)  # plain text with a misleading extension
    rc, out, err = run(["analyze", "call.vtt", "--format", "jsonl"], tmp_path)
    assert rc != 0 and "call.vtt:1:" in err and "WEBVTT" in err
    rc, out, err = run(["analyze", "call.vtt", "--format", "jsonl", "--transcript-format", "text"], tmp_path)
    assert rc == 0, err
    assert reports(out)[0]["call"]["source"] == "call.vtt"


def test_unknown_call_type_and_transcript_format_rejected(batch):
    rc, out, err = run(["analyze", "a-good.vtt", "--call-type", "pitch"], batch)
    assert rc != 0 and "pitch" in err and out == ""
    rc, out, err = run(["analyze", "a-good.vtt", "--transcript-format", "docx"], batch)
    assert rc != 0 and out == ""


def test_missing_file_and_debrief_error(batch):
    rc, out, err = run(["analyze", "nope.vtt", "a-good.vtt", "--format", "jsonl"], batch)
    assert rc != 0 and "nope.vtt" in err and len(reports(out)) == 1
    rc, out, err = run(["debrief", "b-bad.vtt"], batch)
    assert rc != 0 and "b-bad.vtt:8:" in err


def test_folder_with_pathological_json_does_not_crash(batch):
    (batch / "b-bad.vtt").unlink()
    (batch / "d-cp1252.txt").unlink()
    (batch / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    rc, out, err = run(["analyze", ".", "--format", "jsonl"], batch)
    assert "Traceback" not in err and len(reports(out)) == 2
