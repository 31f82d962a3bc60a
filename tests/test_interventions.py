"""Coaching interventions: `coach log` validation, and Coaching Themes' before/after judgement
(a planted improvement is "measurably helped"; noise and thin data are not), recurring gaps and
rare strengths. On SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import json
import math
import random
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach.cli import app
from salescoach.errors import SalescoachError
from salescoach.memory import consolidate
from salescoach.memory.config import load_config
from salescoach.memory.interventions import list_interventions, log_intervention
from salescoach.memory.mental_models import refresh
from salescoach.memory.mental_models.themes import HELPED, NO_CHANGE, NOT_YET, WORSE, judge_change, settings
from salescoach.memory.retain import retain
from salescoach.store import open_store
from test_memory import fake_report

CFG = load_config()
DAY0 = datetime(2026, 1, 1, 10, 0)


def add_call(repo, rep: str, when: datetime, plan: dict, *, talk: float | None = None, n: int = 0) -> int:
    report = fake_report(plan)
    report["call"]["id"] = f"{rep}-{when.isoformat()}-{n}"
    if talk is not None:
        report["metrics"]["rep_talk_share"] = talk
    sha = hashlib.sha256(json.dumps(report, sort_keys=True).encode()).hexdigest()
    return repo.store_call(sha256=sha, report=report, segments=[], findings=retain(report, CFG), rep_names=[rep],
                           started_at=when).id


def themes(repo) -> dict:
    return refresh(repo, "coaching-themes", CFG)[0]["content"]


def by_id(content: dict, iid: int) -> dict:
    return next(iv for iv in content["interventions"] if iv["id"] == iid)


def test_planted_improvement_is_measurably_helped_noise_is_not(store_url):
    repo = open_store(store_url)
    rnd = random.Random(7)
    coached = DAY0 + timedelta(days=10)
    for i in range(6):  # Eve talks ~70% before the coaching, ~35% after
        add_call(repo, "Eve Park", DAY0 + timedelta(days=i), {}, talk=0.68 + 0.01 * i)
        add_call(repo, "Eve Park", coached + timedelta(days=2 + i), {}, talk=0.33 + 0.01 * i)
    for i in range(6):  # Finn: the same distribution before and after
        add_call(repo, "Finn Roe", DAY0 + timedelta(days=i), {}, talk=round(rnd.uniform(0.45, 0.65), 3))
        add_call(repo, "Finn Roe", coached + timedelta(days=2 + i), {}, talk=round(rnd.uniform(0.45, 0.65), 3))
    add_call(repo, "Eve Park", coached.replace(hour=16), {}, talk=0.9)  # the coaching day itself: left out
    consolidate(repo, CFG)
    eve = log_intervention(repo, "eve park", "talk_ratio", "2026-01-11", "role-played pausing after questions", CFG)
    finn = log_intervention(repo, "Finn Roe", "talk-ratio", "2026-01-11", "same session", CFG)
    c = themes(repo)
    e, f = by_id(c, eve["id"]), by_id(c, finn["id"])
    assert e["outcome"] == HELPED and eve["result"]["outcome"] == HELPED
    assert (e["before"]["n"], e["after"]["n"]) == (6, 6) and len(e["before_calls"]) == 6
    assert e["test"].startswith("Mann-Whitney") and math.isclose(e["p"], round(2 / math.comb(12, 6), 6))
    assert e["direction"] == "down" and e["better"] == "lower" and e["change"] < -0.3
    assert f["outcome"] == NO_CHANGE and f["p"] >= 0.05 and (f["before"]["n"], f["after"]["n"]) == (6, 6)
    md = refresh(repo, "coaching-themes", CFG)[0]["markdown"]
    assert "**Eve Park, talk_ratio, 2026-01-11**: measurably helped." in md
    assert "before mean" in md and "over 6 call(s)" in md and "p = 0.00216" in md
    assert "**Finn Roe, talk_ratio, 2026-01-11**: no measurable change." in md
    repo.close()


def test_share_metric_thin_data_and_wrong_direction(tmp_path):
    repo = open_store(f"sqlite:///{tmp_path / 's.db'}")
    d = DAY0 + timedelta(days=20)
    for i in range(6):  # next_steps: never a dated step before, always after -> Fisher exact
        add_call(repo, "Gia Moss", DAY0 + timedelta(days=i), {"next_steps": "gap"})
        add_call(repo, "Gia Moss", d + timedelta(days=1 + i), {"next_steps": "strength"})
    for i in range(3):  # too few calls on each side
        add_call(repo, "Hal Ng", DAY0 + timedelta(days=i), {"talk_ratio": "gap"})
        add_call(repo, "Hal Ng", d + timedelta(days=1 + i), {"talk_ratio": "strength"})
    for i in range(6):  # implication questions drop from 3 a call to none: worse
        add_call(repo, "Ida Berg", DAY0 + timedelta(days=i), {"implication_questions": "strength"})
        add_call(repo, "Ida Berg", d + timedelta(days=1 + i), {"implication_questions": "gap"})
    g = log_intervention(repo, "Gia Moss", "next_steps", d.date().isoformat(), "book the next meeting live", CFG)
    h = log_intervention(repo, "Hal Ng", "talk_ratio", d.date().isoformat(), "talk less", CFG)
    i_ = log_intervention(repo, "Ida Berg", "implication_questions", d.date().isoformat(), "price the problem", CFG)
    c = themes(repo)
    gi = by_id(c, g["id"])
    assert gi["outcome"] == HELPED and gi["test"].startswith("Fisher")
    assert (gi["before"]["k"], gi["before"]["n"], gi["after"]["k"], gi["after"]["n"]) == (0, 6, 6, 6)
    assert math.isclose(gi["p"], round(2 / 924, 6))
    hi = by_id(c, h["id"])
    assert hi["outcome"] == NOT_YET and "3 call(s) before and 3 after" in hi["why"]
    assert by_id(c, i_["id"])["outcome"] == WORSE
    # a second intervention on the same rep and signal closes the first one's "after" window
    later = log_intervention(repo, "Gia Moss", "next_steps", (d + timedelta(days=4)).date().isoformat(), "again", CFG)
    c = themes(repo)
    assert by_id(c, g["id"])["after"]["n"] == 3 and by_id(c, later["id"])["before"]["n"] == 3
    assert [x["rep"] for x in list_interventions(repo, "Gia Moss")] == ["Gia Moss", "Gia Moss"]
    repo.close()


def test_judge_change_rule():
    spec = {"kind": "value", "better": "higher"}
    cfg = settings()
    assert judge_change([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], spec, cfg)["outcome"] == HELPED
    assert judge_change([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], spec, cfg)["outcome"] == WORSE
    assert judge_change([1, 2, 3, 4], [6, 7, 8, 9, 10], spec, cfg)["outcome"] == NOT_YET  # 4 < 5 before
    assert judge_change([1, 5, 2, 6, 3], [2, 6, 1, 5, 3.5], spec, cfg)["outcome"] == NO_CHANGE


def test_recurring_gaps_and_rare_strengths(tmp_path):
    repo = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    for r, rep in enumerate(("Jo Amis", "Kai Bell", "Lou Cruz")):
        for i in range(3):
            plan = {"next_steps": "gap" if rep != "Lou Cruz" else "strength"}
            if rep == "Lou Cruz" and i == 0:
                plan["pain_funnel"] = "strength"
            add_call(repo, rep, DAY0 + timedelta(days=3 * r + i), plan)
    consolidate(repo, CFG)
    c = themes(repo)
    gaps = {g["signal"]: g for g in c["recurring_gaps"]}
    ns = gaps["next_steps"]
    assert ns["reps"] == ["Jo Amis", "Kai Bell"] and ns["rep_count"] == 2 and ns["reps_applicable"] == 3
    assert ns["recurs_across_reps"] and (ns["gap_calls"], ns["applicable_calls"]) == (6, 9)
    assert c["recurring_gaps"][0]["rep_count"] >= 2
    rare = {r["signal"]: r for r in c["rare_strengths"]}
    pf = rare["pain_funnel"]
    assert (pf["strength_calls"], pf["applicable_calls"]) == (1, 9)
    assert pf["shown_by"] == [{"rep": "Lou Cruz", "calls": 1, "observation": False}]
    md = refresh(repo, "coaching-themes", CFG)[0]["markdown"]
    assert "**next_steps** (across reps): 2 of 3 reps (67%)" in md and "Lou Cruz (1 call(s))" in md
    repo.close()


def test_coach_log_validation(tmp_path):
    db = f"sqlite:///{tmp_path / 'v.db'}"
    run = CliRunner().invoke
    r = run(app, ["coach", "log", "--rep", "Mo Diaz", "--signal", "talk_ratio", "--date", "2026-01-05",
                  "--note", "x", "--db", db])
    assert r.exit_code == 2 and "no reps yet" in r.output
    repo = open_store(db)
    add_call(repo, "Mo Diaz", DAY0, {})
    repo.close()
    base = ["coach", "log", "--rep", "Mo Diaz", "--signal", "talk_ratio", "--date", "2026-01-05", "--note", "x",
            "--db", db]

    def with_(opt, value):
        args = list(base)
        args[args.index(opt) + 1] = value
        return run(app, args)
    r = with_("--signal", "talk_ration")
    assert r.exit_code == 2 and "unknown signal 'talk_ration'" in r.output and "did you mean 'talk_ratio'" in r.output
    r = with_("--rep", "Mo Dias")
    assert r.exit_code == 2 and "no rep named 'Mo Dias'" in r.output and "Mo Diaz" in r.output
    r = with_("--date", "05/01/2026")
    assert r.exit_code == 2 and "invalid date" in r.output
    r = with_("--note", "   ")
    assert r.exit_code == 2 and "note is empty" in r.output
    r = run(app, base)
    assert r.exit_code == 0, r.output
    assert "intervention 1 logged: Mo Diaz, talk_ratio, 2026-01-05" in r.stdout and "not yet measurable" in r.stdout
    r = run(app, ["coach", "list", "--format", "json", "--db", db])
    assert json.loads(r.stdout) == [{"id": 1, "rep": "Mo Diaz", "signal": "talk_ratio", "date": "2026-01-05",
                                     "note": "x"}]
    r = run(app, ["model", "coaching-themes", "--format", "json", "--db", db])
    data = json.loads(r.stdout)
    assert data["version"] == 1 and data["based_on"]["intervention_ids"] == [1]  # logging refreshed it
    with pytest.raises(SalescoachError, match="use one of"):
        log_intervention(open_store(db), "Mo Diaz", "charisma", "2026-01-05", "x")
