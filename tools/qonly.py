#!/usr/bin/env python3
"""`analyze` with only the conversation + questions analyzers (what the question scorer needs).

Used by train_questions.py --cv so held-out question figures do not depend on the other analyzers:
    python3 score.py swda DIR --cmd "python tools/qonly.py"
"""
import json
import os
import sys
from pathlib import Path

# SALESCOACH_SRC: a frozen copy of src/ (train_questions.py --cv takes one, so edits during a run do not leak in)
sys.path.insert(0, os.environ.get("SALESCOACH_SRC") or str(Path(__file__).resolve().parents[1] / "src"))
from salescoach.analysis import Pipeline  # noqa: E402
from salescoach.service import analyze_paths  # noqa: E402


def main(argv: list[str]) -> None:
    assert argv[0] == "analyze"
    files, reps, i = [], [], 1
    while i < len(argv):
        if argv[i] == "--rep":
            reps.append(argv[i + 1]); i += 2
        elif argv[i] == "--format":
            i += 2
        else:
            files.append(argv[i]); i += 1
    pipe = Pipeline(["conversation", "questions"])
    for res in analyze_paths(files, reps=reps, pipeline=pipe):
        if res.report is not None:
            res.report.setdefault("call", {})["source"] = res.path
            print(json.dumps(res.report))


if __name__ == "__main__":
    main(sys.argv[1:])
