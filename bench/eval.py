#!/usr/bin/env python3
"""`make eval`: score `salescoach analyze` on the labelled dev data with ../shared/eval/score.py.

Also scores the labelled calls written for this project (bench/labelled_calls/setN) with the same scorer.

Runs every data set the scorer knows that is present under --shared, prints the figures next to
the targets of issue #2, and exits 0 (it reports; it does not gate). Skips cleanly when the shared
data is absent (users have no ../shared).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = str(ROOT / ".venv" / "bin" / "salescoach")

# (name, mode, relative path, extra args, {figure: target})  targets from issue #2
RUNS = [
    ("sales calls", "calls", "data/calls", [], {
        "question_f1": 0.97, "spin_macro_f1": 0.85, "objection_f1": 0.85, "objection_category_accuracy": 0.85,
        "aecr_accuracy": 0.9, "upfront_contract_accuracy": 0.9, "next_step_accuracy": 0.9,
        "first_pitch_accuracy": 0.9, "talk_share_max_error": -0.01}),
    ("sales calls, no punctuation", "calls", "data/calls", ["--strip-punct"], {
        "question_f1": 0.85, "spin_macro_f1": 0.8}),
    ("Switchboard", "swda", "data/swda/train", [], {"question_f1": 0.88}),
    ("Switchboard, no punctuation", "swda", "data/swda/train", ["--strip-punct"], {"question_f1": 0.75}),
    ("ICSI meetings (timed, unpunctuated)", "mrda", "data/mrda/train", [], {
        "question_f1": 0.75, "talk_time_max_rel_error": -0.01}),
]
CALL_TARGETS = RUNS[0][4]
# Labelled calls written for this project (bench/labelled_calls/README.md): scored with the same scorer.
for _set, _what in [("set1", "written blind, then tuned on"), ("set2", "written blind, measured, then tuned on"),
                    ("set3", "written blind, measured, then tuned on"), ("set4", "written blind, measured, then tuned on"),
                    ("set5", "written blind, measured, then tuned on"), ("set6", "written blind, measured, then tuned on"),
                    ("set7", "written blind, measured, then tuned on"),
                    ("set8", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set9", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set10", "written blind, measured; the models train on it"),
                    ("set11", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set12", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set13", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set14", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set15", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set16", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set17", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set18", "written blind, disfluent speech, never tuned on; the models train on it since the ninth session"),
                    ("set19", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set20", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set21", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set22", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set23", "written blind, measured, then tuned on (phrasings); the models train on it"),
                    ("set24", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set25", "written blind, disfluent speech, measured, then tuned on; the models train on it"),
                    ("set26", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set27", "written blind, indirect buyers, measured, then tuned on; the models train on it"),
                    ("set28", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set29", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set30", "written blind, disfluent speech, never tuned on; the models train on it since the ninth session"),
                    ("set31", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set32", "written blind, lower case without punctuation, never tuned on; the models train on it since the ninth session"),
                    ("set33", "written blind, never tuned on; the models train on it since the ninth session"),
                    ("set34", "written blind, objections as questions and jokes, never tuned on; the models train on it since the ninth session"),
                    ("set35", "written blind, never tuned or trained on"),
                    ("set36", "written blind, disfluent speech, never tuned or trained on"),
                    ("set37", "written blind, never tuned or trained on"),
                    ("set38", "written blind, lower case without punctuation, never tuned or trained on"),
                    ("set39", "written blind, never tuned or trained on"),
                    ("set40", "written blind, terse buyers, never tuned or trained on"),
                    ("set41", "written blind, disfluent speech, measured, then trained on"),
                    ("set42", "written blind, never tuned or trained on"),
                    ("set43", "written blind, indirect push-back, measured, then trained on"),
                    ("set44", "written blind, lower case without punctuation, never tuned or trained on"),
                    ("set45", "written blind, disfluent speech, measured, then trained on"),
                    ("set46", "written blind, disfluent talkative buyers, never tuned or trained on"),
                    ("set47", "written blind, measured, then trained on"),
                    ("set48", "written blind, disfluent speech, never tuned or trained on"),
                    ("set49", "written blind, lower case without punctuation, measured, then trained on"),
                    ("set50", "written blind, indirect push-back and sarcasm, never tuned or trained on"),
                    ("set51", "written blind, terse buyers, measured, then trained on"),
                    ("set52", "written blind, talkative buyers, negotiated next steps, never tuned or trained on")]:
    RUNS.append((f"labelled calls {_set} ({_what})", "calls", f"repo:bench/labelled_calls/{_set}", [], CALL_TARGETS))
    RUNS.append((f"labelled calls {_set}, no punctuation", "calls", f"repo:bench/labelled_calls/{_set}",
                 ["--strip-punct"], {"question_f1": 0.85, "spin_macro_f1": 0.8}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--cmd", default=TOOL)
    ap.add_argument("--json", action="store_true", help="print all figures as one JSON object")
    a = ap.parse_args()
    shared = Path(a.shared)
    scorer = shared / "eval" / "score.py"
    if not scorer.is_file():
        print(f"eval: {scorer} not found; the labelled dev data lives in ../shared (not shipped). Skipping.")
        return 0
    results = {}
    for name, mode, rel, extra, targets in RUNS:
        path = ROOT / rel[5:] if rel.startswith("repo:") else shared / rel
        if not path.exists():
            print(f"- {name}: {path} missing, skipped")
            continue
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, str(scorer), mode, str(path), "--cmd", a.cmd, "--json", *extra],
                           capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if p.returncode != 0:
            print(f"- {name}: scorer failed\n{p.stdout[-1500:]}{p.stderr[-1500:]}")
            results[name] = {"error": (p.stdout + p.stderr)[-500:]}
            continue
        fig = json.loads(p.stdout.strip().splitlines()[-1])
        results[name] = fig
        if a.json:
            continue
        print(f"\n{name}  ({mode} {rel} {' '.join(extra)}; {secs:.1f}s)")
        for k, v in fig.items():
            t = targets.get(k)
            if t is None:
                mark = ""
            elif t < 0:  # an upper bound
                mark = f"  target <= {-t:g}  {'ok' if v <= -t else 'SHORT'}"
            else:
                mark = f"  target >= {t:g}  {'ok' if v >= t else 'SHORT'}"
            print(f"  {k:32s} {v:.3f}{mark}" if isinstance(v, float) else f"  {k:32s} {v}")
    if a.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
