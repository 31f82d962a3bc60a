"""Pipeline review (warnings, risk, six questions from CRM fields and stored call evidence, patterns,
win/loss) and forecast snapshots / accuracy over snapshot histories built here."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach.cli import app
from salescoach.crm.evidence import DealEvidence
from salescoach.crm.forecast import accuracy, categorise, period_of, snapshot
from salescoach.crm.importer import import_paths
from salescoach.crm.review import review
from salescoach.crm.stats import DealRow
from salescoach.store import models as m
from salescoach.store import open_store

HEAD = ("Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Forecast Category,"
        "Opportunity Owner,Created Date,Last Activity,Next Step,Next Step Date,Last Stage Change Date,Loss Reason\n")
PIPE = HEAD + """006B1,Big One,Acme,"$100,000",Proposal/Price Quote,2/15/2024,,,Ana Lopez,11/1/2023,1/10/2024,,,12/1/2023,
006B2,Healthy,Globex,"$50,000",Negotiation/Review,3/20/2024,,,Ana Lopez,12/1/2023,2/28/2024,Signature call,3/5/2024,2/20/2024,
006B3,Small,Initech,"$1,000",Prospecting,6/30/2024,,,Ana Lopez,2/20/2024,,,,,
006B4,Gone,Hooli,"$20,000",Closed Lost,1/31/2024,,,Ana Lopez,10/1/2023,,,,,Lost to competitor (price)
006B5,Unqualified,Stark,"$30,000",Closed Lost,2/10/2024,,,Ana Lopez,10/1/2023,,,,,
"""


def put_call(repo, key: str, rep: str, when: datetime, buyers: dict[str, int], elements: dict[str, tuple[float, str]],
             account: str | None = None, deal: str | None = None, next_step: dict | None = None,
             objections: list | None = None, lines: list[tuple[str, str, float, str]] | None = None) -> int:
    """Store a call with a hand-written report (no analysis: the review reads reports and segments)."""
    total = 400 + sum(buyers.values())
    report = {"call": {"id": key, "source": key + ".vtt", "format": "vtt", "type": "discovery", "duration_s": 900.0,
                       "reps": [rep]},
              "speakers": [{"name": rep, "role": "rep", "talk_s": 300.0, "words": 400, "talk_share": 400 / total}] +
                          [{"name": b, "role": "buyer", "talk_s": 100.0, "words": w, "talk_share": w / total}
                           for b, w in buyers.items()],
              "meddpicc": {k: [t] for k, (t, _) in elements.items()},
              "coverage_evidence": {k: [{"start": t, "quote": q, "speaker": next(iter(buyers), rep)}]
                                    for k, (t, q) in elements.items()},
              "next_step": next_step or {"committed": False, "start": None, "has_date": False, "has_owner": False,
                                         "text": None},
              "objections": objections or []}
    segs = [{"speaker": sp, "role": role, "start": t, "end": t + 5, "line": i + 1, "text": text}
            for i, (sp, role, t, text) in enumerate(lines or [(rep, "rep", 1.0, "Thanks for the time today.")])]
    sha = hashlib.sha256(key.encode()).hexdigest()
    return repo.store_call(sha256=sha, report=report, segments=segs, findings=[], rep_names=[rep], account=account,
                           deal=deal, started_at=when).id


ALL_MEDDPICC = {"metrics": (100.0, "We lose about 40 hours a month."), "economic_buyer": (200.0, "Our CFO Dana signs."),
                "decision_criteria": (250.0, "It has to plug into our ERP."),
                "decision_process": (300.0, "Legal review, then Dana approves."),
                "paper_process": (320.0, "Procurement needs two weeks."), "pain": (90.0, "Month end is chaos."),
                "champion": (400.0, "I will push this internally."), "impact": (110.0, "We missed two closes.")}


def setup_store(url, tmp_path):
    repo = open_store(url)
    # a call on Globex before the CRM import: the import links it to the Globex deal by account + rep
    healthy_call = put_call(repo, "globex-1", "Ana Lopez", datetime(2024, 2, 27, 10), {"Dana Diaz": 300, "Eli Ek": 150},
                            ALL_MEDDPICC, account="Globex",
                            next_step={"committed": True, "start": 800.0, "has_date": True, "has_owner": True,
                                       "text": "I'll send the order form Monday and we meet on the 5th."},
                            lines=[("Ana Lopez", "rep", 10.0, "What does the price per seat need to be?"),
                                   ("Dana Diaz", "buyer", 20.0, "Under budget, ideally.")])
    f = tmp_path / "pipe.csv"
    f.write_text(PIPE, encoding="utf-8")
    import_paths(repo, [str(f)], as_of=date(2024, 2, 28))
    with repo.session() as s:
        assert s.get(m.Call, healthy_call).deal_id == s.scalar(select(m.Deal.id).where(m.Deal.external_id == "006B2"))
    put_call(repo, "acme-1", "Ana Lopez", datetime(2024, 1, 10, 9), {"Wile Coyote": 200},
             {"pain": (50.0, "Deliveries keep failing."), "competition": (70.0, "We are also looking at Roadrunner Inc.")},
             deal="006B1", objections=[{"start": 70.0, "speaker": "Wile Coyote", "text": "Roadrunner Inc is cheaper.",
                                        "category": "competition"}],
             lines=[("Ana Lopez", "rep", 5.0, "How do deliveries work today?"),
                    ("Wile Coyote", "buyer", 50.0, "Deliveries keep failing.")])
    put_call(repo, "stark-1", "Ana Lopez", datetime(2024, 1, 5, 9), {"Tony": 100}, {"metrics": (10.0, "Ten percent.")},
             deal="006B5")
    return repo


def test_review_deals_warnings_questions(store_url, tmp_path):
    repo = setup_store(store_url, tmp_path)
    r = review(repo, rep="Ana Lopez", as_of=date(2024, 3, 1), quota=60000)
    repo.close()
    s = r["summary"]
    assert s["open_deals"] == 3 and s["total_pipeline"] == 151000
    assert s["weighted_pipeline"] == pytest.approx(100000 * 0.6 + 50000 * 0.8 + 1000 * 0.1)
    assert s["coverage"] == pytest.approx(151000 / 60000, abs=0.01) and s["coverage_ok"] is False
    top = {d["deal"]: d for d in r["top_deals"]}
    assert list(top) == ["006B1", "006B2", "006B3"]  # by value
    big = top["006B1"]
    codes = {w["code"] for w in big["warnings"]}
    assert {"close_date_passed", "no_recent_activity", "stalled_in_stage", "no_economic_buyer", "single_threaded",
            "pricing_never_discussed", "competitor_present", "meddpicc_gaps", "no_next_step"} <= codes
    assert "buyer_gone_quiet" in codes  # last buyer on a call 51 days ago
    assert big["risk"] == "red" and big["days_in_stage"] == 91 and big["age_days"] == 121
    comp = next(w for w in big["warnings"] if w["code"] == "competitor_present")
    assert comp["evidence"][0]["quote"] and comp["evidence"][0]["start"] == 70.0
    q = big["questions"]
    assert q["who_we_talk_to"]["threading"] == "single-threaded" and q["who_we_talk_to"]["contacts"] == ["Wile Coyote"]
    assert q["business_case"]["found"] == ["pain"] and "impact" in q["business_case"]["missing"]
    assert q["decision_process"]["answer"].startswith("unknown")
    assert q["next_step"]["answer"] == "unknown" and q["biggest_risk"]["code"] == "close_date_passed"
    assert big["meddpicc"]["economic_buyer"] == "missing" and big["meddpicc"]["pain"] == "found"

    ok = top["006B2"]
    assert ok["risk"] == "green", ok["warnings"]
    q = ok["questions"]
    assert q["who_we_talk_to"]["threading"] == "multi-threaded"
    assert q["decision_process"]["found"] == ["economic_buyer", "decision_criteria", "decision_process", "paper_process"]
    ev = {e["element"]: e for e in q["decision_process"]["evidence"]}
    assert ev["economic_buyer"]["quote"] == "Our CFO Dana signs." and ev["economic_buyer"]["start"] == 200.0
    assert q["next_step"]["source"] == "crm" and q["next_step"]["date"] == "2024-03-05"
    assert "stage proposal" not in q["what_changed"]["answer"] and "call" in q["what_changed"]["answer"]

    small = top["006B3"]
    assert small["questions"]["who_we_talk_to"]["answer"] == "unknown"
    assert {w["code"] for w in small["warnings"]} >= {"no_call_evidence", "no_next_step"}

    assert r["stage_distribution"]["front_loaded"] is False  # 1,000 of 151,000 in prospecting
    assert {b["stage"]: b["stale"] for b in r["stages"]} == {"prospecting": 0, "proposal": 1, "negotiation": 0}
    pats = {p["pattern"] for p in r["patterns"]}
    assert "coverage_below_target" in pats and "close_dates_passed" in pats
    wl = r["win_loss"]
    diag = {d["deal"]: d for d in wl["debriefs"]}
    assert diag["006B4"]["diagnosis"] == "competition" and diag["006B4"]["controllable"] is False
    assert diag["006B5"]["diagnosis"] == "qualification" and diag["006B5"]["controllable"] is True
    assert (wl["controllable"], wl["uncontrollable"]) == (1, 1)


def test_review_cli_md_and_manager(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    repo = setup_store(url, tmp_path)
    repo.close()
    runner = CliRunner()
    r = runner.invoke(app, ["pipeline", "review", "--rep", "ana lopez", "--as-of", "2024-03-01", "--quota", "60000",
                            "--db", url])
    assert r.exit_code == 0, r.stderr
    assert "# Pipeline review: Ana Lopez — 2024-03-01" in r.stdout and "2.52:1 (target 3:1)" in r.stdout
    assert "Our CFO Dana signs." in r.stdout and "| Big One | Acme |" in r.stdout
    r = runner.invoke(app, ["pipeline", "review", "--rep", "Nobody", "--db", url])
    assert r.exit_code == 2 and "no rep named" in r.stderr
    r = runner.invoke(app, ["pipeline", "review", "--as-of", "2024-03-01", "--format", "json", "--db", url])
    out = json.loads(r.stdout)
    assert out["scope"]["kind"] == "all" and "by_rep" in out["funnel"]


# -- forecast -------------------------------------------------------------------------------------
FHEAD = "Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Forecast Category,Opportunity Owner\n"


def _rows(rows: list[tuple]) -> str:
    return FHEAD + "".join(",".join(map(str, r)) + "\n" for r in rows)


def test_forecast_snapshot_history_and_accuracy(store_url, tmp_path):
    repo = open_store(store_url)
    v1 = [("F1", "f1", "A", 10000, "Negotiation", "3/20/2024", "Commit", "Fay Fox"),
          ("F2", "f2", "B", 5000, "Proposal", "3/25/2024", "Best Case", "Fay Fox"),
          ("F3", "f3", "C", 2000, "Qualification", "3/28/2024", "Pipeline", "Fay Fox"),
          ("G1", "g1", "D", 8000, "Negotiation", "4/15/2024", "Commit", "Fay Fox"),
          ("G2", "g2", "E", 4000, "Negotiation", "4/20/2024", "Commit", "Fay Fox"),
          ("H1", "h1", "F", 5000, "Negotiation", "3/15/2024", "Commit", "Gus Gray"),
          ("H2", "h2", "G", 3000, "Negotiation", "4/10/2024", "Commit", "Gus Gray")]
    f = tmp_path / "fc.csv"

    def load(rows, as_of):
        f.write_text(_rows(rows), encoding="utf-8")
        import_paths(repo, [str(f)], as_of=as_of)
    load(v1, date(2024, 3, 1))
    snaps = {s["rep"]: s for s in snapshot(repo, date(2024, 3, 1))}
    assert snaps["Fay Fox"]["commit_value"] == 10000 and snaps["Fay Fox"]["best_case_value"] == 15000
    assert snaps["Fay Fox"]["pipeline_value"] == 17000 and snaps["Fay Fox"]["method"] == "crm"
    assert snaps["Gus Gray"]["commit_value"] == 5000
    r = CliRunner().invoke(app, ["forecast", "snapshot", "--as-of", "2024-03-01", "--format", "md", "--db", store_url])
    assert r.exit_code == 0 and "| Fay Fox | 2024-03 | 0 | 10,000 | 15,000 | 17,000 | crm |" in r.stdout
    # March closes: F1 won, F2 lost, F3 won; H1 won
    v2 = [r for r in v1]
    v2[0] = ("F1", "f1", "A", 10000, "Closed Won", "3/20/2024", "Closed", "Fay Fox")
    v2[1] = ("F2", "f2", "B", 5000, "Closed Lost", "3/25/2024", "Omitted", "Fay Fox")
    v2[2] = ("F3", "f3", "C", 2000, "Closed Won", "3/28/2024", "Closed", "Fay Fox")
    v2[5] = ("H1", "h1", "F", 5000, "Closed Won", "3/15/2024", "Closed", "Gus Gray")
    load(v2, date(2024, 4, 1))
    snapshot(repo, date(2024, 4, 1))
    snapshot(repo, date(2024, 4, 1))  # the same snapshot again replaces, never duplicates
    v3 = list(v2)
    v3[3] = ("G1", "g1", "D", 8000, "Closed Won", "4/15/2024", "Closed", "Fay Fox")
    v3[4] = ("G2", "g2", "E", 4000, "Closed Lost", "4/20/2024", "Omitted", "Fay Fox")
    v3[6] = ("H2", "h2", "G", "\"3,100\"", "Closed Won", "4/10/2024", "Closed", "Gus Gray")
    load(v3, date(2024, 5, 1))
    acc = {r["rep"]: r for r in accuracy(repo, as_of=date(2024, 5, 1))["reps"]}
    fay, gus = acc["Fay Fox"], acc["Gus Gray"]
    assert [p["period"] for p in fay["periods"]] == ["2024-03", "2024-04"]
    mar, apr = fay["periods"]
    assert (mar["forecast"], mar["actual"], mar["error"]) == (10000, 12000, -2000) and mar["within_10"] is False
    assert (apr["forecast"], apr["actual"], apr["pct_error"]) == (12000, 8000, 0.5)
    assert fay["accuracy_within_10"] == 0 and fay["tendency"] == "over-forecaster"
    assert fay["bias"] == pytest.approx((-2000 / 12000 + 0.5) / 2, abs=1e-4)
    assert gus["accuracy_within_10"] == 1.0 and gus["tendency"] == "balanced"
    assert gus["periods"][1]["pct_error"] == pytest.approx(-100 / 3100, abs=1e-4)
    # a period that has not ended is shown but not scored
    early = {r["rep"]: r for r in accuracy(repo, as_of=date(2024, 4, 20))["reps"]}
    assert early["Fay Fox"]["completed_periods"] == 1 and early["Fay Fox"]["periods"][1]["complete"] is False
    with repo.session() as s:
        assert s.scalar(select(m.ForecastSnapshot.id).where(m.ForecastSnapshot.as_of == date(2024, 4, 1))
                        .where(m.ForecastSnapshot.rep_id == s.scalar(select(m.Rep.id).where(m.Rep.name == "Gus Gray"))))
        assert len(s.scalars(select(m.ForecastSnapshot)).all()) == 4
    repo.close()
    r = CliRunner().invoke(app, ["forecast", "accuracy", "--rep", "Fay Fox", "--as-of", "2024-05-01", "--db", store_url])
    assert r.exit_code == 0 and "over-forecaster" in r.stdout and "| 2024-04 | 12,000 | 8,000 | 4,000 | 50% | no |" in r.stdout


def _row(**kw) -> DealRow:
    base = dict(id=1, external_id="X", name=None, account_id=None, account=None, owner_id=1, owner="A", manager=None,
                region=None, product=None, list_price=None, sector=None, stage="discovery", stage_raw=None, amount=100.0,
                currency=None, probability=None, forecast_category=None, next_step=None, next_step_date=None,
                created_date=None, engage_date=None, close_date=date(2024, 3, 30), last_activity=None,
                stage_changed_at=None, loss_reason=None)
    base.update(kw)
    return DealRow(**base)


def test_evidence_rules_for_commit():
    ev = DealEvidence(calls=[{"id": 1, "key": "c", "date": "2024-03-01"}])
    ev.elements = {"economic_buyer": {}, "decision_process": {}}
    ev.next_step = {"committed": True, "has_date": True, "has_owner": True, "call": 1, "date": "2024-03-01",
                    "text": "Tuesday", "start": 1.0}
    assert categorise(_row(), "discovery", ev, date(2024, 3, 2))[0] == "commit"
    ev.next_step["has_date"] = False
    cat, basis = categorise(_row(), "discovery", ev, date(2024, 3, 2))
    assert cat == "best_case" and "dated next step" in basis
    assert categorise(_row(next_step="Demo", next_step_date=date(2024, 3, 5)), "discovery", ev, date(2024, 3, 2))[0] \
        == "commit"
    assert categorise(_row(), "discovery", DealEvidence(), date(2024, 3, 2))[0] == "pipeline"
    assert categorise(_row(), "negotiation", DealEvidence(), date(2024, 3, 2))[0] == "best_case"
    assert categorise(_row(forecast_category="pipeline"), "negotiation", ev, date(2024, 3, 2))[0] == "pipeline"
    assert period_of(date(2024, 2, 10), "quarter") == ("2024Q1", date(2024, 1, 1), date(2024, 3, 31))


def test_calls_link_by_participants(tmp_path):
    """A call stored with no account or deal links to the deal whose CRM contact spoke on it as a buyer."""
    repo = open_store(f"sqlite:///{tmp_path / 's.db'}")
    cid = put_call(repo, "mystery", "Ana Lopez", datetime(2024, 2, 1), {"Pat  Buyer": 200}, {})
    other = put_call(repo, "stranger", "Ana Lopez", datetime(2024, 2, 1), {"Nobody Known": 200}, {})
    f = tmp_path / "c.csv"
    f.write_text("Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Opportunity Owner,Primary Contact\n"
                 "006C1,Init,Initech,100,Prospecting,6/30/2024,Ana Lopez,Pat Buyer\n"
                 "006C2,Other,Umbrella,100,Prospecting,6/30/2024,Ana Lopez,Sam Other\n", encoding="utf-8")
    import_paths(repo, [str(f)])
    with repo.session() as s:
        d1 = s.scalar(select(m.Deal.id).where(m.Deal.external_id == "006C1"))
        assert s.get(m.Call, cid).deal_id == d1
        assert s.get(m.Call, other).deal_id is None
    repo.close()


def test_review_coverage_uses_stored_quota(tmp_path):
    from salescoach.coaching.quotas import set_quota
    repo = setup_store(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    assert review(repo, rep="Ana Lopez", as_of=date(2024, 2, 28))["summary"]["coverage"] is None
    set_quota(repo, "Ana Lopez", "2024", 600000)
    set_quota(repo, "Ana Lopez", "2024Q1", 75500)  # the shortest period containing the day wins
    s = review(repo, rep="Ana Lopez", as_of=date(2024, 2, 28))["summary"]
    assert s["quota"] == 75500 and s["quota_source"] == "stored quota 2024Q1"
    assert s["coverage"] == pytest.approx(151000 / 75500, abs=0.01)
    assert review(repo, rep="Ana Lopez", as_of=date(2024, 2, 28), quota=60000)["summary"]["quota_source"] == "--quota"
