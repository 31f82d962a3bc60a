"""End to end: the installed `salescoach` command on the bundled example team (examples/)."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from salescoach.report import schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TOOL = str(Path(sys.executable).parent / "salescoach")
REPS = ["--rep", "Lena Ruiz", "--rep", "Sam Cho", "--rep", "Priya Natarajan"]
ROSTER = json.loads((EXAMPLES / "roster.json").read_text())


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def reports():
    p = run("analyze", str(EXAMPLES / "calls"), *REPS, "--format", "jsonl")
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return {Path(r["call"]["source"]).name: r for r in out}


def test_every_example_is_reported_and_valid(reports):
    assert set(reports) == {c["file"] for c in ROSTER["calls"]}
    for r in reports.values():
        jsonschema.validate(r, schema())


def test_roles_come_from_rep_names_and_file_metadata(reports):
    for c in ROSTER["calls"]:
        r = reports[c["file"]]
        assert r["call"]["reps"] == [c["rep"]]
        roles = {s["name"]: s["role"] for s in r["speakers"]}
        assert roles[c["rep"]] == "rep"
        assert all(role == "buyer" for name, role in roles.items() if name != c["rep"])


def _agreement(pairs):
    pairs = list(pairs)
    return sum(a == b for a, b in pairs) / len(pairs)


def test_structure_agrees_with_what_the_examples_were_written_to_show(reports):
    """The examples were written by hand with known intent (roster.json); the analyzers never saw them."""
    calls = ROSTER["calls"]
    assert _agreement((c["call_type"], reports[c["file"]]["call"]["type"]) for c in calls) >= 0.9
    assert _agreement((c["next_step"]["committed"], reports[c["file"]]["next_step"]["committed"]) for c in calls) >= 0.8
    clear = [c for c in calls if c["upfront_contract"] in ("full", "none")]
    assert _agreement((c["upfront_contract"] == "full", reports[c["file"]]["upfront_contract"]["present"])
                      for c in clear) >= 0.8


def test_written_objections_are_found(reports):
    def words(s):
        return set("".join(ch.lower() if ch.isalnum() or ch == "'" else " " for ch in s).split())
    found = total = 0
    for c in ROSTER["calls"]:
        got = [words(o["text"]) for o in reports[c["file"]]["objections"]]
        for o in c.get("objections", []):
            total += 1
            w = words(o["quote"])
            found += any(len(w & g) / len(w | g) >= 0.3 or (g and g <= w) or w <= g for g in got)
    assert total and found / total >= 0.8


def test_out_folder_gets_a_report_and_a_debrief_per_call(tmp_path):
    p = run("analyze", str(EXAMPLES / "calls"), *REPS, "--format", "md", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    for c in ROSTER["calls"]:
        stem = Path(c["file"]).stem
        rep = json.loads((tmp_path / f"{stem}.report.json").read_text())
        md = (tmp_path / f"{stem}.debrief.md").read_text()
        assert rep["call"]["reps"] == [c["rep"]]
        assert c["rep"] in md and "## The one thing to work on" in md
    assert "# Scorecard:" in p.stdout


def test_debrief_command(tmp_path):
    f = EXAMPLES / "calls" / "08-priya-tidewater-discovery.vtt"
    p = run("debrief", str(f), "--rep", "Priya Natarajan")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("# Call debrief: Priya Natarajan")
    p = run("debrief", str(f))
    assert p.returncode == 2 and "--rep" in p.stderr


def test_json_format_prints_one_object_for_one_file():
    f = EXAMPLES / "calls" / "05-sam-pinecrest-discovery.vtt"
    p = run("analyze", str(f), "--rep", "Sam Cho")
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert isinstance(obj, dict) and obj["call"]["source"] == str(f)


def test_table_format_lists_every_call():
    p = run("analyze", str(EXAMPLES / "calls"), *REPS, "--format", "table")
    assert p.returncode == 0, p.stderr
    for c in ROSTER["calls"]:
        stem = Path(c["file"]).stem
        assert stem in p.stdout or c["file"].endswith(".json")  # the Gong file is named by its call id
    assert "Priya Natarajan" in p.stdout and "discovery" in p.stdout
