"""Rep coaching plan (coaching.plan / coaching.skills / coaching.quotas) on stores built here:
struggling rep, top performer, new rep, calls without CRM deals, a rep with CRM deals and quotas,
skill vs will, the milestone follow-up after new calls, and the quota commands."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from memory_calls import make_call
from salescoach.cli import app
from salescoach.coaching import plan as P
from salescoach.coaching.quotas import import_csv, list_quotas, parse_period, set_quota
from salescoach.crm.forecast import accuracy, snapshot
from salescoach.crm.importer import import_paths
from salescoach.errors import SalescoachError
from salescoach.memory.config import load_config
from salescoach.memory.consolidate import consolidate
from salescoach.memory.ingest import ingest_paths
from salescoach.memory.signals import SIGNALS
from salescoach.store import models as m
from salescoach.store import open_store

ALL_GAPS = {"upfront_contract": "gap", "next_steps": "gap", "talk_ratio": "gap", "monologues": "gap",
            "implication_questions": "gap"}
GOOD = {"upfront_contract": "strength", "next_steps": "strength", "talk_ratio": "strength", "monologues": "strength",
        "implication_questions": "strength"}
BUYERS = ["Maya Jensen", "Tom Reyes", "Iris Novak", "Omar Haddad", "Lia Berg", "Noor Amin"]
AS_OF = date(2026, 11, 20)

HEAD = ("Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Forecast Category,"
        "Opportunity Owner,Created Date,Last Activity,Next Step,Next Step Date,Last Stage Change Date,Loss Reason\n")
CRM = HEAD + """P1,Won Big,Acme,"$100,000",Closed Won,3/1/2026,,,Cara Crm,1/1/2026,,,,3/1/2026,
P2,Won Mid,Globex,"$50,000",Closed Won,5/1/2026,,,Cara Crm,2/1/2026,,,,5/1/2026,
P3,Won Q4,Initech,"$40,000",Closed Won,11/10/2026,,,Cara Crm,10/1/2026,,,,11/10/2026,
P4,Lost A,Hooli,"$30,000",Closed Lost,4/1/2026,,,Cara Crm,1/15/2026,,,,4/1/2026,Price
P5,Lost B,Stark,"$20,000",Closed Lost,6/1/2026,,,Cara Crm,2/15/2026,,,,6/1/2026,Timing
P6,Lost C,Wayne,"$25,000",Closed Lost,7/1/2026,,,Cara Crm,3/15/2026,,,,7/1/2026,Timing
P7,Open Big,Umbrella,"$200,000",Proposal/Price Quote,12/15/2026,,,Cara Crm,9/1/2026,11/15/2026,,,10/1/2026,
"""


def _ingest(repo, tmp, rep, plans, start_day, month=10, seed0=0):
    paths = []
    for i, plan in enumerate(plans):
        f = tmp / f"{rep.split()[0].lower()}-{month}-{start_day + i}.vtt"
        f.write_text(make_call(rep, BUYERS[(seed0 + i) % len(BUYERS)], plan, seed=seed0 + 17 * i + start_day),
                     encoding="utf-8")
        paths.append(str(f))
    for i, p in enumerate(paths):  # one date per call: calls are dated in order
        s = ingest_paths(repo, [p], reps=[rep], date=datetime(2026, month, start_day + i, 10))
        assert s.count("stored") == 1, [r.status for r in s.results]


def _top_call(repo, key: str, rep: str, when: datetime) -> None:
    """A discovery call whose every coaching signal is a strength (hand-written findings), with MEDDPICC found."""
    report = {"call": {"id": key, "source": key + ".vtt", "format": "vtt", "type": "discovery", "duration_s": 1800.0,
                       "reps": [rep]},
              "speakers": [{"name": rep, "role": "rep"}, {"name": "Dana Diaz", "role": "buyer"}]}
    findings = [{"kind": "coaching", "type": sig, "signal": sig, "verdict": "strength", "value": 1.0,
                 "text": f"{sig} done well", "start": 60.0 + i, "quote": f"Top move for {sig.replace('_', ' ')}.",
                 "data": {"evidence": []}} for i, sig in enumerate(SIGNALS)]
    for i, el in enumerate(("metrics", "economic_buyer", "decision_criteria", "decision_process", "pain", "champion")):
        findings.append({"kind": "discovery", "type": el, "text": f"{el} came up", "start": 300.0 + i,
                         "quote": f"Buyer on {el}.", "speaker": "Dana Diaz"})
    sha = hashlib.sha256(key.encode()).hexdigest()
    repo.store_call(sha256=sha, report=report, segments=[], findings=findings, rep_names=[rep], started_at=when)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plan")
    repo = open_store(str(tmp / "plan.db"))
    _ingest(repo, tmp, "Sid Struggle", [ALL_GAPS] * 3, 1)
    for i in range(3):
        _top_call(repo, f"tess-{i}", "Tess Top", datetime(2026, 10, 5 + i, 10))
    consolidate(repo, load_config())
    # calls and CRM deals for Cara (and a quota); the CRM import also links her
    _ingest(repo, tmp, "Cara Crm", [{**GOOD, "next_steps": "gap"}, GOOD, GOOD], 8, seed0=3)
    f = tmp / "crm.csv"
    f.write_text(CRM, encoding="utf-8")
    import_paths(repo, [str(f)], as_of=AS_OF)
    set_quota(repo, "Cara Crm", "2026", 400000)
    set_quota(repo, "Cara Crm", "2026Q4", "100,000")
    with repo.session() as s:
        repo.rep(s, "Nia New")
    yield repo, tmp
    repo.close()


def _skill(plan, cid):
    return next(a for a in plan["skills"] if a["id"] == cid)


def _sig(plan, cid, sig):
    return next(s for s in _skill(plan, cid)["signals"] if s["signal"] == sig)


def test_struggling_rep_gets_three_focus_areas_and_an_intensive_cadence(store):
    repo, _ = store
    plan = P.build_plan(repo, "Sid Struggle", AS_OF)
    assert plan["kind"] == "intensive"
    closing = _skill(plan, "closing")
    assert (closing["level"], closing["target"], closing["gap"], closing["confidence"]) == (1, 2, 1, "medium")
    ns = _sig(plan, "closing", "next_steps")
    assert (ns["gap_calls"], ns["strength_calls"], ns["diagnosis"]["kind"]) == (3, 0, "skill")
    assert _skill(plan, "executive_presence")["level"] == 1
    # no objection was ever raised: unknown level, environment diagnosis
    oh = _skill(plan, "objection_handling")
    assert oh["level"] == "unknown" and oh["confidence"] == "none"
    assert _sig(plan, "objection_handling", "objection_handling")["diagnosis"]["kind"] == "environment"
    areas = plan["focus_areas"]
    assert len(areas) == 3
    # leverage (5 - level) x weight x confidence: discovery 4x1.0x0.7 = closing 2.8 (tie: competency order),
    # executive presence 4x0.7x0.7; qualification rigor (level 2) comes fourth and is left out
    assert [(a["skill"], a["signal"], a["leverage"]) for a in areas] == [
        ("discovery_quality", "implication_questions", 2.8), ("closing", "next_steps", 2.8),
        ("executive_presence", "upfront_contract", 1.96)]
    assert _skill(plan, "qualification_rigor")["level"] == 2
    first = areas[1]
    assert first["signal"] == "next_steps"
    assert first["milestone"] == {"text": first["milestone"]["text"], "signal": "next_steps",
                                  "metric": "strength_calls", "threshold": 2, "min_calls": 3}
    assert first["target_date"] == "2027-01-01"
    ev = first["current_behavior"]["evidence"]
    assert ev and all(e["call"].startswith("sid-") and e["quote"] for e in ev)
    assert "stay in touch" in " ".join(e["quote"] for e in ev)
    # shadowing names the rep with next steps as a stable strength, and the calls to review are named
    assert first["shadow"]["rep"] == "Tess Top"
    assert any(a.startswith("Call review") and first["review_calls"][0] in a for a in first["actions"])
    assert plan["cadence"]["weekly_1on1"].startswith("Short daily check-ins")
    # calls but no CRM deals: performance unknown, skills from the calls
    assert all(plan["performance"][k]["value"] == "unknown" for k in ("win_rate", "quota_attainment",
                                                                     "pipeline_coverage", "cycle_days"))
    assert any("no CRM deals" in n for n in plan["notes"])
    md = P.render_md(plan)
    assert "## Focus Areas" in md and md.count("### Focus ") == 3 and "unknown" in md


def test_top_performer_focuses_on_advanced_skills_and_peer_coaching(store):
    repo, _ = store
    plan = P.build_plan(repo, "Tess Top", AS_OF)
    assert plan["kind"] == "advanced"
    for cid in ("discovery_quality", "qualification_rigor", "objection_handling", "executive_presence", "closing"):
        assert _skill(plan, cid)["level"] == 5, cid
        assert _skill(plan, cid)["gap"] == 0
    assert _skill(plan, "forecast_accuracy")["level"] == "unknown"
    (area,) = plan["focus_areas"]
    assert area["kind"] == "advanced" and area["skill"] == "executive_presence" and area["signal"] == "economic_buyer"
    assert area["milestone"]["threshold"] == 3 and "commercial insight" in area["target_behavior"]
    peer = [a for a in area["actions"] if a.startswith("Peer coaching")]
    assert peer and "Sid Struggle" in peer[0] and "tess-" in peer[0]


def test_new_rep_without_history_is_all_unknown_with_a_ramp_suggestion(store):
    repo, _ = store
    plan = P.build_plan(repo, "Nia New", AS_OF)
    assert plan["kind"] == "ramp" and plan["focus_areas"] == []
    assert all(a["level"] == "unknown" and a["confidence"] == "none" for a in plan["skills"])
    assert all(plan["performance"][k]["value"] == "unknown" for k in ("win_rate", "avg_deal_size", "quota_attainment"))
    assert any("recorded calls" in d for d in plan["data_needed"])
    assert any("salescoach ramp --rep" in n for n in plan["notes"])
    assert plan["cadence"] == P.S.settings()["cadence"]["ramp"]
    md = P.render_md(plan)
    assert "## Data Needed" in md and "No focus area" in md


def test_crm_performance_figures_and_quota(store):
    repo, _ = store
    plan = P.build_plan(repo, "Cara Crm", AS_OF)
    p = plan["performance"]
    assert p["win_rate"]["value"] == 0.5 and p["win_rate"]["sample"] == 6
    assert p["avg_deal_size"]["value"] == pytest.approx(190000 / 3, abs=0.01)
    assert p["cycle_days"]["value"] == 59 and p["cycle_days"]["sample"] == 3
    qa = p["quota_attainment"]
    assert qa["value"] == 0.475 and qa["periods"] == ["2026"] and qa["sample"] == 3
    cov = p["pipeline_coverage"]
    assert cov["period"] == "2026Q4" and cov["remaining_quota"] == 60000 and cov["value"] == pytest.approx(3.33)
    # closing combines next steps (strength in 2 of 3 calls -> 3.67) with the CRM win rate (50% -> 5)
    closing = _skill(plan, "closing")
    crm = closing["crm"][0]
    assert crm["used"] and crm["score"] == 5 and crm["sample"] == 6
    assert closing["score"] == pytest.approx((1 + 4 * 2 / 3 + 5) / 2, abs=0.01) and closing["level"] == 4
    assert _sig(plan, "closing", "next_steps")["diagnosis"]["kind"] == "will"
    assert _skill(plan, "forecast_accuracy")["level"] == "unknown"  # no forecast snapshots yet
    # forecast accuracy from snapshots taken at the start of three months, checked once they are complete
    for d in (date(2026, 3, 1), date(2026, 5, 1), date(2026, 7, 1)):
        snapshot(repo, d, "month")
    acc = accuracy(repo, "Cara Crm", AS_OF)["reps"][0]
    fa = _skill(P.build_plan(repo, "Cara Crm", AS_OF), "forecast_accuracy")
    assert acc["completed_periods"] >= 2 and fa["crm"][0]["sample"] == acc["completed_periods"]
    assert fa["crm"][0]["used"] and fa["evidence_count"] == acc["completed_periods"]
    assert fa["crm"][0]["value"] == acc["accuracy_within_10"]
    assert fa["level"] == P.S.band_level(acc["accuracy_within_10"], [0.2, 0.4, 0.6, 0.8])
    assert fa["confidence"] == P.S.confidence(acc["completed_periods"])
    # the same figures, a month earlier: Q4's won deal is not in yet
    early = P.build_plan(repo, "Cara Crm", date(2026, 10, 20))["performance"]
    assert early["quota_attainment"]["value"] == 0.375
    assert early["pipeline_coverage"]["remaining_quota"] == 100000


def test_will_diagnosis_and_milestone_follow_up_after_new_calls(store):
    repo, tmp = store
    rep = "Wes Will"
    _ingest(repo, tmp, rep, [{**ALL_GAPS, "next_steps": "strength"}, ALL_GAPS, ALL_GAPS], 1, seed0=5)
    plan = P.build_plan(repo, rep, date(2026, 10, 10))
    area = next(a for a in plan["focus_areas"] if a["signal"] == "next_steps")
    assert area["current_behavior"]["diagnosis"] == "will"
    assert any("own good example" in a for a in area["actions"])
    assert plan["follow_up"] is None
    pid = P.save_plan(repo, plan)
    saved = P.active_plan(repo, rep)
    assert saved["id"] == pid and saved["set_on"] == "2026-10-10" and saved["focus_areas"] == plan["focus_areas"]
    # nothing since the plan was set: unknown
    fu = P.build_plan(repo, rep, date(2026, 10, 20))["follow_up"]
    item = next(x for x in fu["milestones"] if x["signal"] == "next_steps")
    assert fu["plan_id"] == pid and item["status"] == "unknown" and item["calls"] == []
    # one call with a vague close: not yet
    _ingest(repo, tmp, rep, [ALL_GAPS], 1, month=11, seed0=9)
    item = next(x for x in P.build_plan(repo, rep, AS_OF)["follow_up"]["milestones"] if x["signal"] == "next_steps")
    assert item["status"] == "not yet" and [c["verdict"] for c in item["calls"]] == ["gap"]
    # two dated next steps in the following calls: met (2 of the first 3)
    _ingest(repo, tmp, rep, [{**ALL_GAPS, "next_steps": "strength"}] * 2, 2, month=11, seed0=11)
    item = next(x for x in P.build_plan(repo, rep, AS_OF)["follow_up"]["milestones"] if x["signal"] == "next_steps")
    assert item["status"] == "met" and [c["verdict"] for c in item["calls"]] == ["gap", "strength", "strength"]
    assert all(c["date"] > "2026-10-10" for c in item["calls"])
    # saving a new plan supersedes the old one
    pid2 = P.save_plan(repo, P.build_plan(repo, rep, AS_OF))
    with repo.session() as s:
        assert s.get(m.CoachingPlan, pid).status == "superseded"
        assert s.get(m.CoachingPlan, pid2).status == "active"
    assert P.active_plan(repo, rep)["id"] == pid2


def test_parse_period():
    assert parse_period("2026Q4") == ("2026Q4", date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("2026-2") == ("2026-02", date(2026, 2, 1), date(2026, 2, 28))
    assert parse_period("2026") == ("2026", date(2026, 1, 1), date(2026, 12, 31))
    for bad in ("2026Q5", "2026-13", "Q4", ""):
        with pytest.raises(SalescoachError, match="period"):
            parse_period(bad)


def test_quota_import_is_atomic_and_names_bad_lines(store):
    repo, tmp = store
    good = tmp / "q.csv"
    good.write_text("Rep,Period,Amount,Note\nSid Struggle,2026Q4,120000,x\nTess Top,2026-11,\"50,000\",\n",
                    encoding="utf-8")
    assert import_csv(repo, good) == 2
    assert {(q["period"], q["amount"]) for q in list_quotas(repo, "Tess Top")} == {("2026-11", 50000.0)}
    bad = tmp / "qbad.csv"
    bad.write_text("rep,period,amount\nSid Struggle,2027,1000\nNobody Here,2026,5\nTess Top,2026Q9,7\n"
                   "Tess Top,2026,-3\n", encoding="utf-8")
    with pytest.raises(SalescoachError) as e:
        import_csv(repo, bad)
    msg = str(e.value)
    assert f"{bad}:3" in msg and "Nobody Here" in msg and f"{bad}:4" in msg and f"{bad}:5" in msg
    assert f"{bad}:2" not in msg
    assert not any(q["period"] == "2027" for q in list_quotas(repo, "Sid Struggle"))  # nothing written
    cols = tmp / "qcols.csv"
    cols.write_text("rep,quarter,amount\nSid Struggle,2026Q1,5\n", encoding="utf-8")
    with pytest.raises(SalescoachError, match=r"qcols.csv:1: missing column\(s\) period"):
        import_csv(repo, cols)
    empty = tmp / "qempty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SalescoachError, match="empty"):
        import_csv(repo, empty)


def test_cli_plan_and_quota(store):
    repo, tmp = store
    db = str(tmp / "plan.db")
    r = CliRunner().invoke(app, ["plan", "--rep", "sid struggle", "--format", "json", "--as-of", "2026-11-20",
                                 "--db", db])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["rep"] == "Sid Struggle" and len(out["focus_areas"]) == 3
    r = CliRunner().invoke(app, ["plan", "--rep", "Sid Struggle", "--as-of", "2026-11-20", "--save", "--db", db])
    assert r.exit_code == 0 and "# Coaching Plan: Sid Struggle" in r.stdout
    r = CliRunner().invoke(app, ["plan", "--rep", "Sid Struggle", "--as-of", "2026-11-25", "--db", db])
    assert "## Follow-up" in r.stdout and "**unknown**" in r.stdout
    r = CliRunner().invoke(app, ["plan", "--rep", "Sid Strugle", "--db", db])
    assert r.exit_code == 2 and "Sid Struggle" in r.stderr
    r = CliRunner().invoke(app, ["plan", "--rep", "Sid Struggle", "--as-of", "20-11-2026", "--db", db])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.stderr
    r = CliRunner().invoke(app, ["quota", "set", "--rep", "Sid Struggle", "--period", "2026-13", "--amount", "5",
                                 "--db", db])
    assert r.exit_code == 2 and "2026-13" in r.stderr
    r = CliRunner().invoke(app, ["quota", "set", "--rep", "Sid Struggle", "--period", "2026", "--amount", "900000",
                                 "--db", db])
    assert r.exit_code == 0
    r = CliRunner().invoke(app, ["quota", "list", "--rep", "Sid Struggle", "--format", "json", "--db", db])
    assert {"period": "2026", "amount": 900000.0} in [{k: q[k] for k in ("period", "amount")}
                                                      for q in json.loads(r.stdout)]
    r = CliRunner().invoke(app, ["quota", "import", str(tmp / "missing.csv"), "--db", db])
    assert r.exit_code == 2 and "missing.csv" in r.stderr


def test_current_quota_takes_the_shortest_period_containing_the_day():
    """One rule for which quota applies on a day (review coverage, plan coverage, ramp gate): with a
    yearly and a quarterly quota, the quarter; outside the quarter, the year; none outside both."""
    from datetime import date as d

    from salescoach.crm.stats import current_quota
    from salescoach.coaching.quotas import parse_period
    qs = []
    for period, amount in (("2026", 400_000.0), ("2026Q4", 120_000.0), ("2026-11", 50_000.0)):
        label, start, end = parse_period(period)
        qs.append({"period": label, "start": start, "end": end, "amount": amount})
    assert current_quota(qs, d(2026, 11, 20))["amount"] == 50_000.0
    assert current_quota(qs, d(2026, 12, 1))["amount"] == 120_000.0
    assert current_quota(qs[::-1], d(2026, 3, 1))["amount"] == 400_000.0
    assert current_quota(qs, d(2027, 1, 1)) is None


def test_a_recurring_gap_is_a_focus_candidate_above_the_level_cut():
    """A gap in every call where a signal applied (two or more) is a habit to coach even when the rest of the
    competency scores well; a gap that sometimes turns into a strength is not."""
    beh = {"situation_overload": {}, "talk_ratio": {}, "implication_questions": {}}
    comp = {"signals": [
        {"signal": "implication_questions", "score": 5.0, "gap_calls": 0, "strength_calls": 2, "applicable_calls": 2},
        {"signal": "situation_overload", "score": 2.0, "gap_calls": 2, "strength_calls": 0, "applicable_calls": 4},
        {"signal": "talk_ratio", "score": 2.5, "gap_calls": 2, "strength_calls": 1, "applicable_calls": 4}]}
    assert P._recurring_gap(comp, {"behaviours": beh}, 2)["signal"] == "situation_overload"
    assert P._recurring_gap(comp, {"behaviours": beh}, 3) is None
    assert P._recurring_gap(comp, {"behaviours": beh}, 0) is None  # recurring_gap_min_calls 0: the rule is off
