"""Conversation metrics on small hand-written calls."""
import pytest

from salescoach import analyze_call
from salescoach.analysis import Pipeline
from salescoach.transcript import parse_call

VTT = """WEBVTT

00:00:00.000 --> 00:00:10.000
<v Ana Rep>one two three four five six seven eight nine ten

00:00:05.000 --> 00:00:12.000
<v Ana Rep>eleven twelve thirteen fourteen

00:00:12.500 --> 00:00:13.000
<v Bo Buyer>mm-hmm

00:00:13.000 --> 00:00:40.000
<v Ana Rep>fifteen sixteen seventeen eighteen nineteen twenty

00:00:42.000 --> 00:01:02.000
<v Bo Buyer>a b c d e f g h i j

00:01:04.000 --> 00:01:10.000
<v Ana Rep>so what happened next?
"""


def conv(text, reps=("Ana Rep",), path="t.vtt"):
    return Pipeline(["conversation"])(parse_call(path, text, reps=list(reps)))


def test_talk_time_counts_overlap_once():
    r = conv(VTT)
    ana = next(s for s in r["speakers"] if s["name"] == "Ana Rep")
    # [0,12] union + [13,40] + [64,70] = 12 + 27 + 6
    assert ana["talk_s"] == pytest.approx(45.0)
    bo = next(s for s in r["speakers"] if s["name"] == "Bo Buyer")
    assert bo["talk_s"] == pytest.approx(20.5)
    assert ana["role"] == "rep" and bo["role"] == "buyer"


def test_talk_share_is_word_share_and_rep_share_sums_reps():
    r = conv(VTT)
    words = {s["name"]: s["words"] for s in r["speakers"]}
    total = sum(words.values())
    assert r["metrics"]["rep_talk_share"] == pytest.approx(words["Ana Rep"] / total, abs=1e-4)
    assert r["metrics"]["rep_talk_time_share"] == pytest.approx(45.0 / 65.5, abs=1e-4)


def test_rep_share_is_taken_from_words_not_from_rounded_shares():
    """Six rep-side speakers with a sixth of the words each: their rounded shares (0.1667) sum past 1;
    the rep share is still the rep side's words over all words."""
    names = [f"Rep {c}" for c in "ABCDEF"]
    text = "".join(f"[00:00:{2 * k:02d}] {n}: Hello there.\n" for k, n in enumerate(names))
    r = conv(text, reps=names, path="t.txt")
    assert sum(s["talk_share"] for s in r["speakers"]) > 1.0
    assert r["metrics"]["rep_talk_share"] == 1.0


def test_backchannel_does_not_end_monologue():
    r = conv(VTT)
    # 0 -> 40 s, the buyer's "mm-hmm" at 12.5 s does not break it
    assert r["metrics"]["longest_rep_monologue_s"] == pytest.approx(40.0)
    assert r["metrics"]["longest_rep_monologue"]["start"] == 0.0
    assert r["metrics"]["longest_buyer_story_s"] == pytest.approx(20.0)


def test_real_reply_ends_monologue():
    text = VTT.replace("<v Bo Buyer>mm-hmm", "<v Bo Buyer>no that is not how we do it")
    r = conv(text)
    assert r["metrics"]["longest_rep_monologue_s"] == pytest.approx(27.0)


def test_interactivity_and_patience():
    r = conv(VTT)
    # switches (backchannel excluded): Ana -> Bo (42 s) -> Ana (64 s) = 2 over 70 s
    assert r["metrics"]["interactivity"] == pytest.approx(2 / (70 / 60), abs=0.01)
    # buyer turn ends at 62, rep replies at 64
    assert r["metrics"]["patience_s"] == pytest.approx(2.0)


def test_untimed_call_reports_null_times_and_word_shares():
    r = conv("Ana Rep: hello there how are you\nBo Buyer: fine thanks\n", path="t.txt")
    assert r["call"]["duration_s"] is None
    assert all(s["talk_s"] is None for s in r["speakers"])
    assert r["metrics"]["rep_talk_share"] == pytest.approx(5 / 7, abs=1e-4)
    assert r["metrics"]["longest_rep_monologue_s"] is None
    assert r["metrics"]["interactivity"] is None


def test_no_rep_known_gives_unknown_roles_and_no_rep_share():
    r = conv(VTT, reps=())
    assert {s["role"] for s in r["speakers"]} == {"unknown"}
    assert r["metrics"]["rep_talk_share"] is None


def test_full_pipeline_runs_on_tiny_call():
    r = analyze_call(parse_call("t.vtt", VTT, reps=["Ana Rep"]))
    assert r["metrics"]["rep_questions"] >= 1
