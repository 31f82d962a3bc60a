"""The objection check: a second look at each would-be objection in a timed call."""
import pytest

from salescoach.analysis import Pipeline, objection_check as K
from salescoach.analysis.objections import sentence_cues
from salescoach.transcript import parse_call

REP, BUYER = "Rita Vance", "Omar Hale"
OPENING = [(REP, "Thanks for making the time today, Omar."), (BUYER, "Sure, happy to."),
           (REP, "What made you take this call?"), (BUYER, "We keep losing loads to temperature problems."),
           (REP, "Got it. Let me show you how the alerts work. The driver gets a warning in the cab when the "
                 "reefer drifts.")]
CLOSING = [(REP, "Good question. Let me walk you through it."), (BUYER, "Okay."),
           (REP, "So the next step would be a trial on five trucks. Does Tuesday work?"), (BUYER, "Tuesday works.")]


def vtt(lines, timed=True):
    if not timed:
        return "".join(f"{who}: {text}\n" for who, text in lines)
    out, t = ["WEBVTT", ""], 0.0
    for n, (who, text) in enumerate(lines, 1):
        d = max(3.0, len(text.split()) / 2.5)
        out += [str(n), f"00:{int(t // 60):02d}:{t % 60:06.3f} --> 00:{int((t + d) // 60):02d}:{(t + d) % 60:06.3f}",
                f"<v {who}>{text}</v>", ""]
        t += d + 1
    return "\n".join(out)


def objections(buyer_line, monkeypatch, check=True, timed=True):
    if check:
        monkeypatch.delenv(K.MODEL_ENV, raising=False)
    else:
        monkeypatch.setenv(K.MODEL_ENV, "none")
    K.model.cache_clear()
    try:
        text = vtt(OPENING + [(BUYER, buyer_line)] + CLOSING, timed)
        call = parse_call("t.vtt" if timed else "t.txt", text, reps=[REP])
        return [o["text"] for o in Pipeline()(call)["objections"]]
    finally:
        K.model.cache_clear()


@pytest.mark.parametrize("line", [
    "And what happens when the trucks are out of cell range? There's a stretch of highway where you get nothing.",
    "That's fair. The storm piece is honestly the bigger one for us right now.",
    "Our last vendor made that really hard, so that helps.",
])
def test_talk_that_only_sounds_like_push_back_is_not_raised(line, monkeypatch):
    assert objections(line, monkeypatch, check=False), "the rules alone raise it (else this test proves nothing)"
    assert objections(line, monkeypatch) == []


@pytest.mark.parametrize("line", [
    "Honestly, the price is more than we budgeted for this year.",
    "We're already talking to FleetTrack about the same thing.",
])
def test_plain_objections_pass_the_check(line, monkeypatch):
    assert len(objections(line, monkeypatch)) == 1


def test_the_check_leaves_untimed_transcripts_alone(monkeypatch):
    line = "That's fair. The storm piece is honestly the bigger one for us right now."
    assert objections(line, monkeypatch, timed=False) == objections(line, monkeypatch, check=False, timed=False)
    assert objections(line, monkeypatch, timed=False)


def test_features_name_the_cues_the_context_and_the_place():
    text = "What happens when there's no signal? We lose forty minutes."
    f = K.features(text, sentence_cues(text), ("ctx:asked",), 0.9, 3)
    assert f["w:signal"] == 1.0 and f["ctx:asked"] == 1.0 and f["fifth:4"] == 1.0
    assert f["number"] == 1.0 and "asks" not in f  # the sentence ends as a statement
    assert K.features("Can it do that?", sentence_cues("Can it do that?"), (), 0.0, 1)["asks"] == 1.0


def test_the_shipped_check_is_a_logistic_model():
    m = K.model()
    assert m is not None and 0 < m["threshold"] < 1 and m["weights"]
    assert K.probability(m, {}) == pytest.approx(1 / (1 + 2.718281828 ** -m["bias"]), rel=1e-6)
