"""Coaching programme: cadence calendar (iCalendar, parsed back), workshop topics ranked by shared gaps,
coaching impact per skill area with sample sizes, on a small store built here."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from memory_calls import BUYERS, make_call
from salescoach.cli import app
from salescoach.cli import coaching_programme as _cp  # noqa: F401  (registers the commands)
from salescoach.coaching.programme import COMPARED, TOO_FEW, UNKNOWN, occurrences, programme, render_md, to_ics
from salescoach.crm.importer import import_paths
from salescoach.memory.ingest import ingest_paths
from salescoach.memory.interventions import log_intervention
from salescoach.store import open_store

HEAD = ("Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Forecast Category,"
        "Opportunity Owner,Created Date,Last Activity,Next Step,Next Step Date,Last Stage Change Date,Loss Reason\n")


def _crm() -> str:
    rows = []
    # Ben: 5 deals closed before 2024-03-12 (1 won), 5 after (4 won)
    for i, (day, stage) in enumerate([(1, "Closed Won")] + [(d, "Closed Lost") for d in (2, 4, 5, 6)]):
        rows.append(f"B{i},Before {i},Acc{i},\"$1,000\",{stage},3/{day}/2024,,,Ben Okafor,1/1/2024,,,,,")
    for i, (day, stage) in enumerate([(d, "Closed Won") for d in (18, 19, 20, 21)] + [(22, "Closed Lost")]):
        rows.append(f"A{i},After {i},Acc{i + 10},\"$1,000\",{stage},3/{day}/2024,,,Ben Okafor,1/1/2024,,,,,")
    return HEAD + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("prog")
    url = f"sqlite:///{d / 'prog.db'}"
    repo = open_store(url)
    plans = []
    # Ava: 4 calls around her talk-ratio session on 2024-03-06 (2 before, 2 after)
    for i, day in enumerate((4, 5, 7, 8)):
        plans.append(("Ava Stone", {"implication_questions": "gap", "talk_ratio": "gap", "next_steps": "strength"},
                      datetime(2024, 3, day, 10)))
    # Ben: 5 calls without a dated next step, a session on 2024-03-12, then 5 with one
    for i, day in enumerate((4, 5, 6, 7, 8)):
        plans.append(("Ben Okafor", {"implication_questions": "gap", "next_steps": "gap"}, datetime(2024, 3, day, 11)))
    for i, day in enumerate((18, 19, 20, 21, 22)):
        plans.append(("Ben Okafor", {"implication_questions": "gap", "next_steps": "strength"},
                      datetime(2024, 3, day, 11)))
    for i, (rep, plan, when) in enumerate(plans):
        p = d / f"call{i}.vtt"
        p.write_text(make_call(rep, BUYERS[i % len(BUYERS)], plan, i), encoding="utf-8")
        ingest_paths(repo, [str(p)], reps=[rep], call_type="discovery", date=when)
    (d / "crm.csv").write_text(_crm(), encoding="utf-8")
    import_paths(repo, [str(d / "crm.csv")], as_of=date(2024, 3, 25))
    log_intervention(repo, "Ava Stone", "talk_ratio", "2024-03-06", "practised pausing after questions", refresh=False)
    log_intervention(repo, "Ben Okafor", "next_steps", "2024-03-12", "role-played closing for a date", refresh=False)
    repo.close()
    yield url, d


def test_programme_calendar_topics_and_ics(store, tmp_path):
    url, _ = store
    repo = open_store(url)
    p = programme(repo, date(2024, 3, 13), 13, as_of=date(2024, 3, 26))
    assert p["start"] == "2024-03-11" and p["reps"] == ["Ava Stone", "Ben Okafor"]
    c = p["event_counts"]
    assert c["one_on_one"] == 26 and c["call_review"] == 26 and c["huddle"] == 39
    # 2024-03-11 .. 2024-06-09: workshops on the 2nd Wednesday (03-13, 04-10, 05-08), pipeline reviews on the
    # 1st Wednesday (04-03, 05-01, 06-05) per rep; quarterly: performance review in the quarter's 1st month
    # (04-09) per rep, certification in its 2nd (05-09), peer coaching in its 3rd (06-06; 03-07 is too early)
    assert c["skill_workshop"] == 3 and c["pipeline_review"] == 2 * 3 and c["performance_review"] == 2
    assert c["certification"] == 1 and c["peer_coaching"] == 1
    starts = {e["kind"]: e["start"] for e in reversed(p["events"])}
    assert starts["peer_coaching"] == "2024-06-06T15:00:00" and starts["certification"] == "2024-05-09T13:00:00"
    # agendas generated for the weeks that have started (03-11, 03-18, 03-25) and saved
    assert p["agendas_generated"] == 6
    # topics: implication questions is a gap both reps hold
    top = p["workshop_topics"][0]
    assert top["signal"] == "implication_questions" and top["reps"] == ["Ava Stone", "Ben Okafor"]
    assert top["skill_area"] == "discovery_qualification" and top["rep_count"] == 2
    ws = [e for e in p["events"] if e["kind"] == "skill_workshop"]
    assert ws[0]["topic_signal"] == "implication_questions" and "Ava Stone, Ben Okafor" in ws[0]["description"]
    one = [e for e in p["events"] if e["kind"] == "one_on_one" and e["rep"] == "Ben Okafor"]
    assert one[0]["description"].startswith("# 1:1 agenda: Ben Okafor — week of 2024-03-11")
    assert "salescoach agenda --rep \"Ben Okafor\" --week 2024-04-01" in one[3]["description"]  # a later week
    # the iCalendar export parses back with the same events, durations and agendas
    cal = Calendar.from_ical(to_ics(p))
    evs = list(cal.walk("VEVENT"))
    assert len(evs) == len(p["events"])
    assert len({str(e["UID"]) for e in evs}) == len(evs)
    first = next(e for e in evs if str(e["SUMMARY"]) == "1:1 coaching: Ben Okafor")
    assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(minutes=60)
    assert "# 1:1 agenda: Ben Okafor" in str(first["DESCRIPTION"])
    huddle = next(e for e in evs if str(e["SUMMARY"]) == "Team huddle")
    assert huddle.decoded("DTEND") - huddle.decoded("DTSTART") == timedelta(minutes=15)
    assert "# Coaching programme" in render_md(p)
    repo.close()


def test_coaching_impact_with_sample_sizes(store):
    url, _ = store
    repo = open_store(url)
    imp = programme(repo, date(2024, 3, 25), 1, as_of=date(2024, 3, 26), save=False)["impact"]
    ivs = {iv["rep"]: iv for iv in imp["interventions"]}
    ben = ivs["Ben Okafor"]
    assert ben["strength_rate"]["status"] == COMPARED
    assert ben["strength_rate"]["before"] == {"n": 5, "k": 0, "rate": 0.0}
    assert ben["strength_rate"]["after"] == {"n": 5, "k": 5, "rate": 1.0} and ben["strength_rate"]["change"] == 1.0
    assert ben["win_rate"]["status"] == COMPARED
    assert ben["win_rate"]["before"]["rate"] == 0.2 and ben["win_rate"]["after"]["rate"] == 0.8
    assert ben["conversion"]["status"] == UNKNOWN  # no dated stage moves out of an open stage
    ava = ivs["Ava Stone"]
    assert ava["strength_rate"]["status"] == TOO_FEW
    assert ava["strength_rate"]["before"]["n"] == 2 and ava["strength_rate"]["after"]["n"] == 2
    assert ava["win_rate"]["status"] == UNKNOWN and ava["metric"]["outcome"] == "not yet measurable"
    areas = {a["skill_area"]: a for a in imp["areas"]}
    assert areas["negotiation_closing"]["interventions"] == 1
    assert areas["negotiation_closing"]["strength_rate"]["status"] == COMPARED
    assert areas["demo_presentation"]["strength_rate"]["status"] == TOO_FEW
    assert areas["executive_presence"]["status"] == UNKNOWN and areas["prospecting_outreach"]["status"] == UNKNOWN
    repo.close()


def test_occurrences_rule():
    spec = {"id": "x", "every": "month", "week_of_month": 2, "weekdays": [2]}
    assert occurrences(spec, date(2024, 3, 11), date(2024, 5, 1)) == [date(2024, 3, 13), date(2024, 4, 10)]
    q = {"id": "q", "every": "quarter", "months": 1, "week_of_month": 1, "weekdays": [0]}
    assert occurrences(q, date(2024, 1, 1), date(2025, 1, 1)) == [date(2024, 1, 1), date(2024, 4, 1),
                                                                 date(2024, 7, 1), date(2024, 10, 7)]


def test_empty_store_and_cli(tmp_path, store):
    empty = open_store(f"sqlite:///{tmp_path / 'e.db'}")
    p = programme(empty, date(2024, 3, 11), 4, as_of=date(2024, 3, 11))
    assert p["reps"] == [] and p["workshop_topics"] == []
    ws = next(e for e in p["events"] if e["kind"] == "skill_workshop")
    assert ws["topic"] is None and ws["description"].startswith("Topic unknown")
    assert all(a["status"] == UNKNOWN for a in p["impact"]["areas"])
    empty.close()
    url, _ = store
    ics = tmp_path / "p.ics"
    r = CliRunner().invoke(app, ["programme", "--start", "2024-03-11", "--weeks", "2", "--rep", "Ben Okafor",
                                 "--as-of", "2024-03-12", "--ics", str(ics), "--format", "json", "--db", url])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["reps"] == ["Ben Okafor"]
    assert len(list(Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))) == len(out["events"])
    r = CliRunner().invoke(app, ["programme", "--weeks", "0", "--db", url])
    assert r.exit_code == 2 and "--weeks" in r.output
    r = CliRunner().invoke(app, ["programme", "--rep", "Nobody", "--db", url])
    assert r.exit_code == 2 and "no rep named" in r.output
