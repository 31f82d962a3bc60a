"""The reframe model: the reframes of an objection response that no cue phrase names."""
import json

import pytest

from salescoach.analysis import Pipeline, reframe as R
from salescoach.transcript import parse_call

REP, BUYER = "Rita Sales", "Ben Buyer"
OBJECTION = "Honestly, that's more than our entire tooling budget, so that's going to be tough."


def handling(reply, use_model, model=None):
    """AECR handling of `reply` to a budget objection; `model` is a model file, "none", or None (shipped)."""
    use_model(R.MODEL_ENV, R.model, model)
    text = (f"{REP}: And that's the pricing for the annual plan.\n{BUYER}: {OBJECTION}\n{REP}: {reply}\n")
    objs = Pipeline(["objections"])(parse_call("t.txt", text, reps=[REP]))["objections"]
    assert len(objs) == 1
    return objs[0]


@pytest.fixture
def hardwired(tmp_path):
    """A model that calls any statement with the word 'hardwired' a reframe, and nothing else."""
    p = tmp_path / "reframe.json"
    p.write_text(json.dumps({"weights": {"w:hardwired": 20.0}, "bias": -10.0, "threshold": 0.5}))
    return p


REPLY = "I hear you, that's a fair concern. Ours are hardwired behind the dash, so nobody can unplug them."


def test_the_model_finds_a_reframe_the_rules_miss_and_quotes_it(use_model, hardwired):
    assert handling(REPLY, use_model, "none")["handling"]["reframe"] is False  # no cue phrase
    o = handling(REPLY, use_model, hardwired)
    assert o["handling"]["reframe"] is True and o["handling"]["acknowledge"] is True
    assert o["handling_evidence"]["reframe"]["quote"].startswith("Ours are hardwired")


@pytest.mark.parametrize("reply", [
    "Ours are hardwired behind the dash, so nobody can unplug them.",  # neither acknowledges nor clarifies
    "No, that's not right. Ours are hardwired behind the dash, so nobody can unplug them.",  # argues
])
def test_the_rules_gates_hold_for_the_model(reply, use_model, hardwired):
    assert handling(reply, use_model, hardwired)["handling"]["reframe"] is False


def test_only_statements_of_substance_can_reframe():
    none = (False,) * 6
    assert not R.candidate("Is it hardwired behind the dash, do you know?", none)
    assert not R.candidate("Walk me through how the budget gets set", (False, False, True, False, False, False))
    assert not R.candidate("I hear you, that's a completely fair concern.", (True, False, False, False, False, False))
    assert not R.candidate("Okay, thanks.", none)
    assert R.candidate("Ours are hardwired behind the dash.", none)


def test_the_shipped_model_with_the_rules_judges_reframe_better_than_the_rules_alone():
    """On the labelled calls it was trained on (held-out figures: tools/train_reframe.py --cv)."""
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tools"))
    import train_reframe as T
    its = [it for it in T.items() if it["group"] in ("set8", "set9", "set10", "set12")]
    if not its:
        pytest.skip("no labelled calls")
    objs = T.objections_of(its)
    m = R.model()
    rules = sum(o["rule"] == o["gold"] for o in objs)
    both = sum((o["rule"] or (not o["gate"] and not any(f[4] or f[5] for _, f in o["said"])
                              and R.best(m, o["said"])[1] >= m["threshold"])) == o["gold"] for o in objs)
    assert both >= rules + 0.1 * len(objs), (rules, both, len(objs))
