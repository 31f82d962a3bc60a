"""The call-report contract (JSON Schema), the pipeline's extension point and the renderers."""
import json

import jsonschema
import pytest

from salescoach import analyze_call
from salescoach.analysis import Pipeline, analyzer
from salescoach.report import schema
from salescoach.report.render import render_debrief, render_scorecard
from salescoach.transcript import parse_call

CALL = """WEBVTT

00:00:01.000 --> 00:00:09.000
<v Rita Rep>Thanks for the time today. Here's what I was thinking for our thirty minutes: I'll ask some questions, then we decide together if a next step makes sense. Does that work?

00:00:10.000 --> 00:00:14.000
<v Ben Buyer>Sure, that works.

00:00:15.000 --> 00:00:20.000
<v Rita Rep>Walk me through how your team schedules technicians today.

00:00:21.000 --> 00:00:35.000
<v Ben Buyer>We do it in spreadsheets and it breaks every Monday, we lose about ten hours a week.

00:00:36.000 --> 00:00:42.000
<v Rita Rep>When that breaks, what does it cost the business?

00:00:43.000 --> 00:00:55.000
<v Ben Buyer>Missed visits, angry customers, probably forty thousand a quarter.

00:00:56.000 --> 00:01:02.000
<v Ben Buyer>Honestly though we don't have budget for this until next year.

00:01:03.000 --> 00:01:15.000
<v Rita Rep>That's fair, and I understand. Can I ask what's behind that: is it the amount or the timing?

00:01:16.000 --> 00:01:25.000
<v Rita Rep>Could we meet next Tuesday at 10 with your finance lead to walk through the numbers?

00:01:26.000 --> 00:01:29.000
<v Ben Buyer>Yes, Tuesday at 10 works, I'll invite her.
"""

UNTIMED = "Rita Rep: How do you schedule today?\nBen Buyer: Spreadsheets, and it is painful.\n"


@pytest.mark.parametrize("text,path,reps", [(CALL, "a.vtt", ["Rita Rep"]), (UNTIMED, "b.txt", ["Rita Rep"]),
                                            (CALL, "c.vtt", [])])
def test_report_validates_against_published_schema(text, path, reps):
    r = analyze_call(parse_call(path, text, reps=reps))
    jsonschema.validate(json.loads(json.dumps(r)), schema())
    assert r["call"]["source"] == path


def test_schema_rejects_a_broken_report():
    r = analyze_call(parse_call("a.vtt", CALL, reps=["Rita Rep"]))
    del r["metrics"]["rep_talk_share"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(r, schema())


def test_every_moment_points_at_evidence():
    r = analyze_call(parse_call("a.vtt", CALL, reps=["Rita Rep"], call_type="discovery"))
    assert r["moments"], "a discovery call with a contract, questions and an objection yields moments"
    for m in r["moments"]:
        assert m["evidence"].strip() and m["skill"] and m["kind"] in ("strength", "opportunity")
        assert m["start"] is not None


def test_user_analyzer_plugs_into_the_pipeline():
    @analyzer("test_filler_words")
    def filler(doc):
        doc.report["filler_words"] = sum(s.tokens.count("honestly") for s in doc.sentences)

    r = Pipeline(Pipeline.default_names() + ["test_filler_words"])(parse_call("a.vtt", CALL, reps=["Rita Rep"]))
    assert r["filler_words"] == 1
    with pytest.raises(KeyError, match="unknown analyzer"):
        Pipeline(["no_such_analyzer"])


def test_debrief_has_the_coaching_sections_and_quotes():
    r = analyze_call(parse_call("a.vtt", CALL, reps=["Rita Rep"], call_type="discovery"))
    md = render_debrief(r)
    for section in ("## What went well", "## The one thing to work on", "## Practice assignment", "### Conversation",
                    "### Objections", "### Coverage"):
        assert section in md
    assert "Rita Rep" in md


def test_scorecard_says_unknown_without_times():
    r = analyze_call(parse_call("b.txt", UNTIMED, reps=["Rita Rep"]))
    md = render_scorecard(r)
    assert "unknown" in md and "# Scorecard: b" in md


def test_untimed_call_coverage_comes_from_evidence_not_times():
    """Untimed calls carry no coverage times; moments must read coverage_found / coverage_evidence."""
    from salescoach.analysis import make_doc
    from salescoach.analysis.moments import moments

    call = parse_call("u.txt", UNTIMED, reps=["Rita Rep"], call_type="discovery")
    doc = Pipeline(["conversation"]).run_doc(make_doc(call))
    keys = ["problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction"]
    doc.report.update({
        "questions": [], "objections": [], "upfront_contract": {"present": False, "start": None},
        "first_pitch_s": None, "next_step": {"committed": False, "start": None, "has_date": False,
                                             "has_owner": False, "text": None},
        "discovery_coverage": {k: [] for k in keys}, "meddpicc": {"decision_process": []},
        "coverage_found": {**{k: True for k in keys}, "decision_process": True},
        "coverage_evidence": {k: [{"start": None, "quote": "Spreadsheets, and it is painful.", "speaker": "Ben Buyer",
                                   "segment": 1}] for k in keys + ["decision_process"]},
    })
    doc.report["call"]["type"] = "discovery"
    moments(doc)
    skills = {(m["skill"], m["kind"]) for m in doc.report["moments"]}
    assert ("discovery_coverage", "strength") in skills and ("multithreading", "strength") in skills
    assert ("discovery_coverage", "opportunity") not in skills
