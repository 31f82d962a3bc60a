"""The labelled calls shipped in bench/labelled_calls are well formed, and every one analyses into a report
that follows the published schema (their scores are measured by `make eval`, not asserted here)."""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from salescoach.service import analyze_paths

ROOT = Path(__file__).resolve().parent.parent / "bench" / "labelled_calls"
GOLDS = sorted(ROOT.glob("set*/*.gold.json"))
KEYS = {"call_id", "rep", "call_type", "questions", "objections", "upfront_contract", "first_pitch_cue", "next_step",
        "discovery_coverage", "meddpicc", "notes"}
CUE = re.compile(r"<v ([^>]+)>(.*?)</v>")


def cues(vtt: Path) -> list[tuple[str, str]]:
    return [m.groups() for m in CUE.finditer(vtt.read_text(encoding="utf-8"))]


def test_the_sets_hold_six_calls_each():
    sets = sorted(d.name for d in ROOT.glob("set*") if d.is_dir())
    assert len(sets) >= 52 and all(len(list((ROOT / s).glob("*.gold.json"))) == 6 for s in sets)


@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.stem)
def test_gold_points_at_real_cues(gold):
    g = json.loads(gold.read_text(encoding="utf-8"))
    assert KEYS <= set(g)
    cs = cues(gold.with_name(gold.name.replace(".gold.json", ".vtt")))
    assert g["rep"] in {s for s, _ in cs}
    for item in g["questions"] + g["objections"]:
        assert 1 <= item["cue"] <= len(cs) and item["text"] in cs[item["cue"] - 1][1]
    for group in ("discovery_coverage", "meddpicc"):
        assert all(1 <= c <= len(cs) for v in g[group].values() for c in v)


def test_every_call_analyses_to_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(resources.files("salescoach.report").joinpath("call-report.schema.json").read_text())
    reps = sorted({json.loads(g.read_text())["rep"] for g in GOLDS})
    vtts = [str(g.with_name(g.name.replace(".gold.json", ".vtt"))) for g in GOLDS]
    n = 0
    for res in analyze_paths(vtts, reps=reps):
        assert res.ok, res.error
        jsonschema.validate(res.report, schema)
        n += 1
    assert n == len(GOLDS)
