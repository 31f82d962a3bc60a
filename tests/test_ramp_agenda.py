"""Ramp plan (30/60/90 milestones checked against calls, deals and forecast; team velocity) and the
weekly 1:1 agenda (metrics, calls to review, deals, topic from the saved plan, action items and their
follow-up), on small stores built here."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from memory_calls import BUYERS, make_call
from salescoach.cli import app
from salescoach.cli import coaching_programme as _cp  # noqa: F401  (registers ramp / agenda / programme)
from salescoach.coaching import ramp as R
from salescoach.coaching.agenda import agenda, render_md as agenda_md
from salescoach.crm.importer import import_paths
from salescoach.errors import SalescoachError
from salescoach.memory.ingest import ingest_paths
from salescoach.store import models as m
from salescoach.store import open_store

HEAD = ("Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Forecast Category,"
        "Opportunity Owner,Created Date,Last Activity,Next Step,Next Step Date,Last Stage Change Date,Loss Reason\n")
CRM = HEAD + """D1,First,Acme,"$10,000",Negotiation/Review,3/15/2024,,,Nina Cole,1/5/2024,2/1/2024,,,2/7/2024,
D2,Second,Globex,"$5,000",Prospecting,6/30/2024,,,Nina Cole,2/6/2024,,,,,
D3,Other,Initech,"$7,000",Closed Won,1/20/2024,,,Lena Ruiz,12/1/2023,,,,,
"""
# (key, rep, plan, date, deal)
CALLS = [("c1", "Nina Cole", {"next_steps": "strength", "implication_questions": "strength"}, datetime(2024, 1, 10, 10),
          None),
         ("n0", "Nina Cole", {"next_steps": "gap", "talk_ratio": "gap"}, datetime(2024, 2, 6, 10), "D1"),
         ("n1", "Nina Cole", {"next_steps": "gap", "talk_ratio": "gap"}, datetime(2024, 2, 8, 10), None),
         ("n2", "Nina Cole", {"next_steps": "strength"}, datetime(2024, 2, 13, 10), None),
         ("l1", "Lena Ruiz", {"next_steps": "strength"}, datetime(2023, 11, 20, 10), None),
         ("l2", "Lena Ruiz", {"next_steps": "strength"}, datetime(2024, 2, 1, 10), None)]


def _ingest(repo, folder, key, rep, plan, when, deal, seed):
    p = folder / f"{key}.vtt"
    p.write_text(make_call(rep, BUYERS[seed % len(BUYERS)], plan, seed), encoding="utf-8")
    res = ingest_paths(repo, [str(p)], reps=[rep], call_type="discovery", date=when, deal=deal)
    assert res.results[0].status == "stored", res.results[0].error


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("ramp")
    url = f"sqlite:///{d / 'ramp.db'}"
    repo = open_store(url)
    for i, (key, rep, plan, when, deal) in enumerate(CALLS):
        _ingest(repo, d, key, rep, plan, when, deal, i)
    (d / "crm.csv").write_text(CRM, encoding="utf-8")
    import_paths(repo, [str(d / "crm.csv")], as_of=date(2024, 2, 10))
    with repo.session() as s:
        s.add(m.Rep(name="Omar New"))  # hired, no calls and no deals yet
    # a saved coaching plan (the A1 contract): its first focus area is the agenda's topic
    with repo.session() as s:
        rid = repo.find_rep(s, "Nina Cole").id
        s.add(m.CoachingPlan(rep_id=rid, set_on=date(2024, 2, 1), status="active", content={
            "rep": "Nina Cole", "as_of": "2024-02-01",
            "focus_areas": [{"skill": "closing", "signal": "next_steps", "current_behavior": {},
                             "target_behavior": "End every call with a dated next step the buyer accepts.",
                             "actions": ["role-play the close"],
                             "milestone": {"text": "next step on 3 calls", "signal": "next_steps", "metric": "strength",
                                           "threshold": 3, "min_calls": 3}, "target_date": "2024-03-31"}]}))
    yield url, d
    repo.close()


def _by_id(out: dict) -> dict:
    items = {}
    for ph in out["phases"]:
        for i in ph["milestones"] + ([ph["gate"]] if ph["gate"] else []):
            items[i["id"]] = i
    return items


# -- ramp ------------------------------------------------------------------------------------------

def test_ramp_checks_milestones_against_calls_and_deals(store):
    url, _ = store
    repo = open_store(url)
    out = R.ramp(repo, "Nina Cole", start=date(2024, 1, 2), as_of=date(2024, 3, 1), with_team=False)
    with repo.session() as s:
        assert s.get(m.RepProfile, repo.find_rep(s, "Nina Cole").id).start_date == date(2024, 1, 2)
    it = _by_id(out)
    # 2 discovery calls with a committed, dated next step (c1, n2); the bar is 3
    assert it["discovery_next_steps"]["status"] == R.NOT_YET and it["discovery_next_steps"]["count"] == 2
    assert {e["key"] for e in it["discovery_next_steps"]["evidence"]} == {"c1", "n2"}
    assert all(e["quote"] for e in it["discovery_next_steps"]["evidence"])
    gate = it["gate_60"]
    assert gate["status"] == R.MET and gate["met_on"] == "2024-01-10" and gate["days"] == 8
    assert [e["part"] for e in gate["evidence"]] == ["business pain", "stakeholders", "next step"]
    assert all(e["key"] == "c1" and e["quote"] for e in gate["evidence"])
    assert it["first_deal"]["status"] == R.MET and it["first_deal"]["evidence"][0]["deal"] == "D1"
    assert it["forecast_accuracy"]["status"] == R.UNKNOWN and "snapshot" in it["forecast_accuracy"]["finding"]
    assert it["pipeline_target"]["status"] == R.UNKNOWN and "quota" in it["pipeline_target"]["finding"]
    # things no data can show are listed, never met
    tracked = [i for i in it.values() if i["check"] == "not_tracked"]
    assert tracked and all(i["status"] == R.NOT_TRACKED for i in tracked)
    assert it["gate_30"]["status"] == R.NOT_TRACKED
    # the same rep earlier: only one such call yet, and the 60-day mark not reached, so not overdue
    early = _by_id(R.ramp(repo, "Nina Cole", as_of=date(2024, 2, 10), with_team=False))
    assert early["discovery_next_steps"]["count"] == 1 and not early["discovery_next_steps"]["overdue"]
    md = R.render_md(out)
    assert "Run a full discovery call" in md and "[x]" in md and "not tracked" in md
    repo.close()


def test_ramp_needs_a_start_date(store):
    url, _ = store
    repo = open_store(url)
    with pytest.raises(SalescoachError, match="--start"):
        R.ramp(repo, "Lena Ruiz", as_of=date(2024, 3, 1))
    with pytest.raises(SalescoachError, match="no rep named"):
        R.ramp(repo, "Nobody Here", start=date(2024, 1, 1))
    repo.close()
    r = CliRunner().invoke(app, ["ramp", "--rep", "Lena Ruiz", "--db", url, "--as-of", "2024-03-01"])
    assert r.exit_code == 2 and "--start" in r.output
    r = CliRunner().invoke(app, ["ramp", "--rep", "Lena Ruiz", "--start", "2024-13-01", "--db", url])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output


def test_new_rep_without_calls_or_deals(store, tmp_path):
    url, _ = store
    repo = open_store(url)
    it = _by_id(R.ramp(repo, "Omar New", start=date(2024, 2, 1), as_of=date(2024, 2, 20), with_team=False))
    for k in ("discovery_next_steps", "gate_60"):
        assert it[k]["status"] == R.UNKNOWN and "no calls stored" in it[k]["finding"]
    # the CRM is imported and Omar owns nothing: that is "not yet", not "unknown"
    assert it["qualified_pipeline"]["status"] == R.NOT_YET and "owns no CRM deal" in it["qualified_pipeline"]["finding"]
    assert it["first_deal"]["status"] == R.NOT_YET
    assert not any(i["status"] == R.MET for i in it.values())
    repo.close()
    # a store without any CRM import: deal milestones are unknown
    bare = open_store(f"sqlite:///{tmp_path / 'bare.db'}")
    _ingest(bare, tmp_path, "x1", "Zoe Park", {"next_steps": "strength"}, datetime(2024, 2, 5, 9), None, 3)
    it = _by_id(R.ramp(bare, "Zoe Park", start=date(2024, 2, 1), as_of=date(2024, 2, 20), with_team=False))
    assert it["first_deal"]["status"] == R.UNKNOWN and "crm import" in it["first_deal"]["finding"]
    assert it["discovery_next_steps"]["status"] == R.NOT_YET and it["discovery_next_steps"]["count"] == 1
    bare.close()


def test_team_ramp_velocity(store):
    url, _ = store
    repo = open_store(url)
    R.set_start(repo, "Nina Cole", date(2024, 1, 2))
    R.set_start(repo, "Lena Ruiz", date(2023, 11, 1))
    team = R.team_velocity(repo, date(2024, 3, 1))
    fd = next(x for x in team["milestones"] if x["id"] == "first_deal")
    days = {x["rep"]: x for x in fd["reps"]}
    # Lena won D3 on its close date 2024-01-20 (80 days in); Nina had D1 in negotiation on 2024-02-07 (36 days)
    assert days["Lena Ruiz"]["days"] == 80 and days["Nina Cole"]["days"] == 36
    assert fd["median_days"] == 58
    assert days["Nina Cole"]["position"] == "ahead" and days["Lena Ruiz"]["position"] == "behind"
    assert team["milestones"][0]["gate"]  # gates listed first
    out = CliRunner().invoke(app, ["ramp", "--rep", "Nina Cole", "--as-of", "2024-03-01", "--db", url])
    assert out.exit_code == 0, out.output
    assert "Team ramp velocity" in out.output and "36 d (ahead)" in out.output
    repo.close()


def _data(objections, floor):
    x = object.__new__(R._Data)
    x.objections, x.floor_top, x.calls = objections, [{"category": c, "count": 1} for c in floor], [1]
    return x


def test_top_objections_rule():
    spec = {"top_k": 5, "min_categories": 3, "aecr_steps": 3}

    def o(cat, steps, day=1):
        return {"call": day, "date": date(2024, 2, day), "start": 10.0, "quote": f"{cat}?", "category": cat,
                "steps": steps}
    floor = ["budget", "timing", "need", "trust"]
    met = R.check_top_objections(_data([o("budget", 3), o("timing", 4), o("need", 3, 5)], floor), spec)
    assert met["status"] == R.MET and met["met_on"] == "2024-02-05"
    # the latest budget objection got one step: not yet, even though an earlier one was handled
    short = R.check_top_objections(_data([o("budget", 3), o("timing", 4), o("need", 3), o("budget", 1, 9)], floor),
                                   spec)
    assert short["status"] == R.NOT_YET and short["short"] == ["budget"]
    assert R.check_top_objections(_data([o("price-x", 4)], floor), spec)["status"] == R.UNKNOWN
    assert R.check_top_objections(_data([], []), spec)["status"] == R.UNKNOWN


# -- agenda ------------------------------------------------------------------------------------------

def test_agenda_metrics_reviews_deals_and_saving(store):
    url, _ = store
    repo = open_store(url)
    a = agenda(repo, "Nina Cole", date(2024, 2, 14))  # a Wednesday: the week of Monday 2024-02-12
    assert a["week_start"] == "2024-02-12" and a["last_week"]["week"] == ["2024-02-05", "2024-02-11"]
    lw = a["last_week"]
    assert lw["calls"] == 2 and lw["discovery_calls"] == 2
    assert lw["next_steps_secured"] == 0 and lw["next_steps_applicable"] == 2
    assert lw["mean_rep_talk_share"] > 0.55  # both calls were planted with the rep talking too much
    assert lw["deals"]["created"] == ["D2"] and lw["deals"]["pipeline_value_change"] == 5000.0
    t = a["coaching_topic"]
    assert t["source"] == "active coaching plan" and t["signal"] == "next_steps"
    picks = a["calls_to_review"]["calls"]
    assert picks[0]["verdict"] == "gap" and picks[0]["key"] == "n1"  # ties on value: the most recent gap
    # Nina's only good close (c1) is older than the 4-week window: a teammate's call in the window is offered
    assert picks[1]["verdict"] == "strength" and picks[1]["key"] == "l2" and picks[1]["teammate"]
    assert picks[1]["rep"] == "Lena Ruiz" and picks[1]["quote"] and picks[1]["start"] is not None
    deals = a["deals_to_discuss"]["deals"]
    assert [d["deal"] for d in deals] == sorted([d["deal"] for d in deals], key=lambda x: -next(
        d["score"] for d in deals if d["deal"] == x))
    assert {d["deal"] for d in deals} == {"D1", "D2"} and all(d["question"] for d in deals)
    kinds = {i["check"]["kind"] for i in a["action_items"]}
    assert "signal_strength" in kinds and "deal_next_step" in kinds
    assert a["last_week_action_items"]["status"] == "unknown"
    agenda(repo, "Nina Cole", date(2024, 2, 12))  # regenerating replaces the week's row
    with repo.session() as s:
        assert s.scalar(select(func.count()).select_from(m.CoachingAgenda)
                        .where(m.CoachingAgenda.week_start == date(2024, 2, 12))) == 1
    # next week: last week's items are checked on that week's data
    b = agenda(repo, "Nina Cole", date(2024, 2, 19))
    items = {i["id"]: i for i in b["last_week_action_items"]["items"]}
    picks = b["calls_to_review"]["calls"]
    assert [(c["key"], c.get("teammate", False)) for c in picks] == [("n1", False), ("n2", False)]
    sig = items["signal:next_steps"]
    assert sig["status"] == "met" and sig["evidence"][0]["key"] == "n2" and sig["evidence"][0]["quote"]
    assert items["deal_next_step:D2"]["status"] == "not met"
    md = agenda_md(b)
    assert "## 6. Last week's action items" in md and "**met**" in md and "**not met**" in md
    repo.close()


def test_agenda_week_without_calls(store):
    url, _ = store
    repo = open_store(url)
    a = agenda(repo, "Nina Cole", date(2024, 1, 22))
    assert a["last_week"]["calls"] == 0 and a["last_week"]["mean_rep_talk_share"] is None
    assert any(i["check"]["kind"] == "calls" for i in a["action_items"])
    assert "unknown (no timed call last week)" in agenda_md(a)
    b = agenda(repo, "Nina Cole", date(2024, 1, 29))
    calls_item = next(i for i in b["last_week_action_items"]["items"] if i["id"] == "calls")
    assert calls_item["status"] == "not met"
    # next_steps applies on no call that week: the item cannot be judged
    sig = next(i for i in b["last_week_action_items"]["items"] if i["id"] == "signal:next_steps")
    assert sig["status"] == "unknown"
    repo.close()


def test_agenda_rep_without_deals_and_cli(store):
    url, _ = store
    repo = open_store(url)
    a = agenda(repo, "Omar New", date(2024, 2, 19), save=False)
    assert a["last_week"]["deals"] is None and a["last_week"]["deals_status"] == "unknown"
    assert a["deals_to_discuss"]["deals"] == []
    with repo.session() as s:
        rid = repo.find_rep(s, "Omar New").id
        assert s.scalar(select(func.count()).select_from(m.CoachingAgenda).where(m.CoachingAgenda.rep_id == rid)) == 0
    repo.close()
    r = CliRunner().invoke(app, ["agenda", "--rep", "Nina Cole", "--week", "2024-02-19", "--format", "json",
                                 "--db", url])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["week_start"] == "2024-02-19"
    r = CliRunner().invoke(app, ["agenda", "--rep", "Nina Colee", "--db", url])
    assert r.exit_code == 2 and "Nina Cole" in r.output
    r = CliRunner().invoke(app, ["agenda", "--rep", "Nina Cole", "--week", "19/02/2024", "--db", url])
    assert r.exit_code == 2
