#!/usr/bin/env python3
"""Train the reframe model (salescoach.analysis.reframe) and export src/salescoach/models/reframe.json.

Each labelled call (the dev calls and bench/labelled_calls/set*, all but the held-out sets 11 and 17-20) is analysed with
the reframe model off. The objections the analyzer reports are matched to the gold objections the way the
scorer matches them (score.py `match`: within 15 s, text similarity >= 0.25). Every statement of the rep's
response to a matched objection becomes a training row, recorded through the objections analyzer's AECR_TRACE
hook so training and run time see the same sentences and flags. A row is labelled with its objection's gold
reframe. The labels say only whether the response reframed, not which sentence did, so the model learns which
sentences make annotators call a response a reframe.

  .venv/bin/python tools/train_reframe.py          # train, write the shipped model
  .venv/bin/python tools/train_reframe.py --cv     # one fold per set: reframe accuracy, model vs cue rules

REFRAME_HELD_OUT (comma-separated set names, default eval_objections.HELD_OUT) keeps sets out of training; --cv scores them too.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import eval_objections as E  # noqa: E402
import sparse_logistic  # noqa: E402
from score import match  # noqa: E402  (eval_objections put the shared scorer on the path)

OUT = ROOT / "src" / "salescoach" / "models" / "reframe.json"
C = 1.0
THRESHOLD = float(os.environ.get("REFRAME_THRESHOLD", "0.8"))
MIN_COUNT = 2  # a word feature must occur in at least this many training rows
HELD_OUT = tuple(s for s in os.environ.get("REFRAME_HELD_OUT", ",".join(E.HELD_OUT)).split(",") if s)


def items() -> list[dict]:
    return [dict(it, group="dev") for it in E.load_calls()] + E.load_written(exclude=())


def objections_of(its: list[dict]) -> list[dict]:
    """Matched objections: {group, gold reframe, rule reframe, sentences [(text, flags)]}, reframe model off."""
    from salescoach.analysis import objections as O
    from salescoach.analysis import reframe as R
    os.environ[R.MODEL_ENV] = "none"
    R.model.cache_clear()
    out = []
    try:
        for it in its:
            O.AECR_TRACE = []
            try:
                found = E.analyze(it["path"], it["text"], it["reps"])
                trace = O.AECR_TRACE
            finally:
                O.AECR_TRACE = None
            if len(trace) != len(found):
                raise SystemExit(f"{it['name']}: {len(trace)} traced responses but {len(found)} objections")
            at = {id(f): k for k, f in enumerate(found)}
            for g, f in match(it["gold"], found, min_sim=0.25):
                _, said, steps = trace[at[id(f)]]
                out.append({"group": it["group"], "gold": bool(g["handling"]["reframe"]),
                            "rule": steps["reframe"] is not None, "said": said,
                            "gate": steps["acknowledge"] is None and steps["clarify"] is None})
    finally:
        os.environ.pop(R.MODEL_ENV, None)
        R.model.cache_clear()
    return out


def rows_of(objs: list[dict]) -> list[tuple[dict, bool]]:
    from salescoach.analysis import reframe as R
    return [(R.features(text, flags, k, len(o["said"])), o["gold"]) for o in objs
            for k, (text, flags) in enumerate(o["said"]) if R.candidate(text, flags)]


def fit(objs: list[dict], c: float = C) -> dict:
    rows = rows_of(objs)
    weights, bias = sparse_logistic.fit([f for f, _ in rows], [y for _, y in rows], c, MIN_COUNT)
    return {"kind": "reframe", "weights": weights, "bias": bias,
            "threshold": THRESHOLD, "trained_on": sorted({o["group"] for o in objs}), "objections": len(objs),
            "rows": len(rows), "C": c}


def cross_validate(objs: list[dict], c: float) -> None:
    from salescoach.analysis import reframe as R
    by = defaultdict(list)
    for o in objs:
        by[o["group"]].append(o)
    trainable = [o for o in objs if o["group"] not in HELD_OUT]
    tot = defaultdict(int)
    for g in sorted(by, key=lambda s: (s in HELD_OUT, len(s), s)):
        m = fit([o for o in trainable if o["group"] != g], c)
        model = sum((R.best(m, o["said"])[1] >= m["threshold"]) == o["gold"] for o in by[g])
        gated = sum((R.best(m, o["said"])[1] >= m["threshold"] and not o["gate"]
                     and not any(f[4] or f[5] for _, f in o["said"])) == o["gold"] for o in by[g])
        tot["gated"] += gated
        either = sum(((R.best(m, o["said"])[1] >= m["threshold"] and not o["gate"]
                       and not any(f[4] or f[5] for _, f in o["said"])) or o["rule"]) == o["gold"] for o in by[g])
        tot["either"] += either
        rules = sum(o["rule"] == o["gold"] for o in by[g])
        n = len(by[g])
        tot["model"] += model; tot["rules"] += rules; tot["n"] += n
        print(f"{g:6s} ({'held out' if g in HELD_OUT else 'fold'}) {n:3d} objections: reframe right, cue rules "
              f"{rules / n:.3f}, model {model / n:.3f}, model with the rules' gates {gated / n:.3f}, "
              f"or the rules {either / n:.3f}")
    print(f"all: cue rules {tot['rules'] / tot['n']:.3f}, model {tot['model'] / tot['n']:.3f}, gated "
          f"{tot['gated'] / tot['n']:.3f}, gated or rules {tot['either'] / tot['n']:.3f} ({tot['n']} objections)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true", help="one fold per set; do not write the model")
    ap.add_argument("--C", type=float, default=C)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    objs = objections_of(items())
    if a.cv:
        cross_validate(objs, a.C)
        return
    model = fit([o for o in objs if o["group"] not in HELD_OUT], a.C)
    Path(a.out).write_text(json.dumps(model, indent=0) + "\n")
    print(f"wrote {a.out}: {model['rows']} sentences of {model['objections']} objections, "
          f"{len(model['weights'])} weights, trained on {', '.join(model['trained_on'])}")


if __name__ == "__main__":
    main()
