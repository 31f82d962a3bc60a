"""Runs on the developers' labelled data when ../shared is present; skipped for users."""
import json

import jsonschema

from salescoach.report import schema
from salescoach.service import analyze_paths


def test_dev_calls_analyse_and_validate(shared_data):
    roster = json.loads((shared_data / "calls" / "roster.json").read_text())
    reps = sorted({v["rep"] for v in roster.values()})
    results = [r for r in analyze_paths([str(shared_data / "calls")], reps=reps) if not r.skipped]
    assert len(results) == len(roster)
    for res in results:
        assert res.ok, res.error
        jsonschema.validate(res.report, schema())
        name = res.report["call"]["id"]
        assert res.report["call"]["reps"] == [roster[name]["rep"]]
