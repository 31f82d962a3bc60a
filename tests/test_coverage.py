"""Coverage analyzer: the six discovery must-knows and MEDDPICC, with evidence.

Fixtures are small dialogues written for these tests (not from any data set).
"""
import re

import pytest

from salescoach.analysis.coverage import ALL_KEYS, DISCOVERY_KEYS, MEDDPICC_KEYS, _first_words, norm
from salescoach.analysis.pipeline import Pipeline
from salescoach.transcript import parse_call

from test_structure import DISCOVERY, UNTIMED


def analyse(text, reps, strip=False):
    if strip:
        text = re.sub(r"[?.]", "", text)
    return Pipeline()(parse_call("fixture.txt", text, reps=reps))


def found(r, key):
    group = "discovery_coverage" if key in DISCOVERY_KEYS else "meddpicc"
    return r[group][key]


@pytest.mark.parametrize("strip", [False, True])
@pytest.mark.parametrize("key,time", [
    ("problem", 125.0),            # approvals get stuck for weeks
    ("root_cause", 154.0),         # routing lives in a spreadsheet
    ("impact", 194.0),             # late fees, missed discounts
    ("stakeholders", 255.0),       # COO, clinic managers
    ("why_now", 304.0),            # four more clinics by June, audit
    ("cost_of_inaction", 365.0),   # hire two more clerks
    ("metrics", 220.0),            # sixty hours a week
    ("economic_buyer", 505.0),     # CFO signs
    ("decision_criteria", 455.0),  # has to sync with NetSuite
    ("decision_process", 505.0),
    ("paper_process", 505.0),      # legal, vendor questionnaire
    ("pain", 365.0),               # lands on me
    ("champion", 1320.0),          # happy to set that up with her
    ("competition", 543.0),        # a call with another vendor
])
def test_each_key_found_with_evidence(key, time, strip):
    r = analyse(DISCOVERY, ["Dana Park"], strip=strip)
    assert time in found(r, key)
    ev = r["coverage_evidence"][key]
    assert any(e["start"] == time and e["quote"] and e["speaker"] for e in ev)


def test_nothing_found_in_small_talk_only_call():
    text = ("[00:00:02] Ana Ruiz: Hi Lou, how was the weekend?\n[00:00:06] Lou Kent: Great, we went hiking.\n"
            "[00:00:12] Ana Ruiz: Nice, where did you go?\n[00:00:15] Lou Kent: Up the coast, lovely weather.\n"
            "[00:00:22] Ana Ruiz: Sounds lovely. Talk soon.\n")
    r = analyse(text, ["Ana Ruiz"])
    assert all(found(r, k) == [] for k in ALL_KEYS)
    assert set(r["discovery_coverage"]) == set(DISCOVERY_KEYS) and set(r["meddpicc"]) == set(MEDDPICC_KEYS)


def test_negative_answers_do_not_count():
    text = ("[00:00:02] Ana Ruiz: Hi Lou, thanks for joining.\n[00:00:06] Lou Kent: Sure.\n"
            "[00:00:10] Ana Ruiz: Is that fair?\n[00:00:12] Lou Kent: Yes.\n"
            "[00:01:00] Ana Ruiz: Are you looking at any other vendors for this?\n"
            "[00:01:05] Lou Kent: No, not really, just you for now.\n"
            "[00:01:30] Ana Ruiz: Who else is involved?\n[00:01:33] Lou Kent: Nobody.\n")
    r = analyse(text, ["Ana Ruiz"])
    assert found(r, "competition") == [] and found(r, "stakeholders") == []


def test_rep_summary_confirmed_by_buyer_counts():
    text = ("[00:00:02] Ana Ruiz: Hi Lou.\n[00:00:05] Lou Kent: Hi.\n[00:00:08] Ana Ruiz: Let us begin.\n"
            "[00:00:10] Lou Kent: Sure.\n[00:00:20] Ana Ruiz: Okay.\n[00:00:25] Lou Kent: Okay.\n"
            "[00:01:00] Ana Ruiz: So the real reason is that the two systems don't talk to each other.\n"
            "[00:01:05] Lou Kent: Exactly.\n")
    r = analyse(text, ["Ana Ruiz"])
    assert 60.0 in found(r, "root_cause")


def test_untimed_keeps_lists_empty_and_evidence_in_extras():
    r = analyse(UNTIMED, ["Sam Lee"])
    assert all(found(r, k) == [] for k in ALL_KEYS)
    ev = r["coverage_evidence"]
    for k in ("problem", "root_cause", "impact", "stakeholders"):
        assert ev[k] and ev[k][0]["start"] is None and isinstance(ev[k][0]["segment"], int)
        assert r["coverage_found"][k] is True


def test_norm_and_first_words():
    assert norm("It's 40% of $5K, Mm-hmm?") == "it's 40 percent of dollars 5k mm hmm"
    assert _first_words("(?:doesn't|don't) work") == [("doesn't", False), ("don't", False)]
    assert _first_words(r"frustrat\w*") == [("frustrat", True)]
    assert _first_words("(?:the )?decision") is None


def test_stated_problem_is_meddpicc_pain():
    from salescoach.analysis import Pipeline
    from salescoach.transcript import parse_call
    text = ("Rita Sales: Where does the approval process break down today?\n"
            "Ben Buyer: Invoices sit in a shared folder for weeks, so we pay suppliers late.\n"
            "Rita Sales: Got it.\n")
    r = Pipeline(["conversation", "questions", "objections", "structure", "coverage"])(
        parse_call("t.txt", text, reps=["Rita Sales"]))
    assert r["coverage_found"]["problem"] and r["coverage_found"]["pain"]
    assert any("(the problem)" in e["how"] for e in r["coverage_evidence"]["pain"])
