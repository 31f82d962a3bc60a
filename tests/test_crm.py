"""CRM import: Salesforce / HubSpot / mapped CSV exports, bad rows, --strict, upserts and stage history,
the four-file data set layout, call linking; pipeline stats (also end to end on ../shared/data/crm,
checked against a plain csv-module computation)."""
from __future__ import annotations

import csv
import json
import statistics
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach.cli import app
from salescoach.crm import parse as P
from salescoach.crm.importer import ImportFailed, Mapping, detect_format, import_paths
from salescoach.crm.stats import pipeline_stats
from salescoach.store import models as m
from salescoach.store import open_store

SF = """Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Forecast Category,Opportunity Owner,Created Date,Last Activity,Next Step
006A1,Acme renewal,Acme Corp,"$1,200.50",Prospecting,3/15/2024,10,Pipeline,Ana Lopez,1/5/2024,2/1/2024,
006A2,Globex expansion,Globex,"$54,000.00",Negotiation/Review,4/30/2024,80,Commit,Ana Lopez,12/1/2023,2/20/2024,Send order form 3/1
006A3,Initech pilot,Initech,"$9,900",Closed Won,2/10/2024,100,Closed,Ben Ito,11/11/2023,2/10/2024,
006A4,Broken row,Acme Corp,"$3,000",Qualification,31/31/2024,20,Pipeline,Ben Ito,1/1/2024,,
006A5,Umbrella,Umbrella Co,"$7,500",Procurement review,5/31/2024,50,Best Case,Ben Ito,1/2/2024,,
"""

HS = """Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Create Date,Associated Company,Currency,Last Activity Date
9001,Hooli deal,contractsent,"1.200,50 €",2024-03-31 00:00,Cara Diaz,2024-01-10 09:30,Hooli,,2024-02-01
9002,Stark deal,Closed lost,2500,2024-02-15,Cara Diaz,2023-12-01,Stark Industries,USD,
9003,Wayne deal,Appointment Scheduled,,2024-06-30,Cara Diaz,2024-02-01,Wayne Enterprises,,
"""

GENERIC = """Ref;Title;Customer;Value;Phase;Expected;Seller
G-1;Alpha;Alpha AG;1.500,00;Signed;01.03.2024;Dora Ek
G-2;Beta;Beta AG;2.000,00;Talking;15.04.2024;Dora Ek
"""

MAPPING = """columns:
  id: Ref
  name: Title
  account: Customer
  amount: Value
  stage: Phase
  close_date: Expected
  owner: Seller
stages:
  Signed: won
  Talking: discovery
date_format: "%d.%m.%Y"
decimal: ","
currency: EUR
"""


def count(repo, model, *where) -> int:
    with repo.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def deal(repo, ext: str):
    with repo.session() as s:
        d = s.scalar(select(m.Deal).where(m.Deal.external_id == ext))
        c = s.get(m.CrmDeal, d.id) if d else None
        return d, c


# -- cell parsing ---------------------------------------------------------------------------------
def test_money_dates_stages():
    assert P.parse_money("$1,200.50") == (1200.5, "USD")
    assert P.parse_money("1.200,50 €") == (1200.5, "EUR")
    assert P.parse_money("EUR 1 200,50") == (1200.5, "EUR")
    assert P.parse_money("(300)") == (-300.0, None)
    assert P.parse_money("12,5") == (12.5, None)
    assert P.parse_money("1.200", decimal=",") == (1200.0, None)
    assert P.parse_money("") == (None, None)
    with pytest.raises(ValueError):
        P.parse_money("twelve")
    assert P.parse_date("3/15/2024") == date(2024, 3, 15)
    assert P.parse_date("15/3/2024") == date(2024, 3, 15)
    assert P.parse_date("01.03.2024") == date(2024, 3, 1)
    assert P.parse_date("2024-03-01T10:00:00Z") == date(2024, 3, 1)
    assert P.parse_date("05/03/2024", us=False) == date(2024, 3, 5)
    with pytest.raises(ValueError):
        P.parse_date("31/31/2024")
    assert P.canonical_stage("Closed Won") == "won" and P.canonical_stage("closedlost") == "lost"
    assert P.canonical_stage("Proposal/Price Quote") == "proposal"
    assert P.canonical_stage("Engaging") == "discovery"
    assert P.canonical_stage("Procurement review") == "open"
    assert P.canonical_stage("Closed Won - Renewal") == "won"
    assert P.canonical_forecast_category("Best Case") == "best_case"
    assert P.key("GTXPro") == P.key("GTX Pro")
    assert P.fix_sector("technolgy") == "technology"
    assert P.parse_probability("80") == 0.8 and P.parse_probability("0.25") == 0.25


def test_detect_format():
    assert detect_format(SF.splitlines()[0].split(",")) == "salesforce"
    assert detect_format(HS.splitlines()[0].split(",")) == "hubspot"
    assert detect_format(["opportunity_id", "sales_agent", "deal_stage"]) == "dataset"
    assert detect_format(["Ref", "Title"]) == "csv"


# -- import ---------------------------------------------------------------------------------------
def test_salesforce_import_bad_row_and_upsert(store_url, tmp_path):
    f = tmp_path / "sf.csv"
    f.write_text(SF, encoding="utf-8")
    repo = open_store(store_url)
    [res] = import_paths(repo, [str(f)], as_of=date(2024, 2, 25))
    assert res.format == "salesforce" and res.inserted == 4
    assert [str(e) for e in res.errors] == [f"{f}:5: Close Date: not a date: '31/31/2024'"]
    assert any("Procurement review" in n for n in res.notes)  # unknown stage imported, and said so
    d, c = deal(repo, "006A1")
    assert d.amount == 1200.5 and c.currency == "USD" and c.close_date == date(2024, 3, 15)
    assert c.probability == pytest.approx(0.1) and c.forecast_category == "pipeline"
    d, c = deal(repo, "006A2")
    assert c.stage == "negotiation" and c.forecast_category == "commit" and c.next_step == "Send order form 3/1"
    d, c = deal(repo, "006A3")
    assert d.won is True and c.stage == "won"
    d, c = deal(repo, "006A5")
    assert c.stage == "open" and c.stage_raw == "Procurement review"
    assert count(repo, m.Rep) == 2 and count(repo, m.Account) == 4

    # re-import unchanged: nothing changes; then a stage change is recorded once
    [res] = import_paths(repo, [str(f)], as_of=date(2024, 2, 25))
    assert res.inserted == 0 and res.unchanged == 4 and res.stage_changes == 0
    moved = SF.replace("006A1,Acme renewal,Acme Corp,\"$1,200.50\",Prospecting",
                       "006A1,Acme renewal,Acme Corp,\"$1,500.00\",Proposal/Price Quote")
    f.write_text(moved, encoding="utf-8")
    [res] = import_paths(repo, [str(f)], as_of=date(2024, 3, 1))
    assert res.updated == 1 and res.stage_changes == 1
    d, c = deal(repo, "006A1")
    assert d.amount == 1500.0 and c.stage == "proposal" and c.stage_changed_at == date(2024, 3, 1)
    with repo.session() as s:
        hist = s.execute(select(m.CrmStageChange.from_stage, m.CrmStageChange.to_stage, m.CrmStageChange.changed_at)
                         .where(m.CrmStageChange.deal_id == d.id).order_by(m.CrmStageChange.id)).all()
    assert [tuple(h) for h in hist] == [(None, "prospecting", date(2024, 1, 5)),
                                        ("prospecting", "proposal", date(2024, 3, 1))]
    repo.close()


def test_strict_fails_the_whole_file(store_url, tmp_path):
    f = tmp_path / "sf.csv"
    f.write_text(SF, encoding="utf-8")
    repo = open_store(store_url)
    [res] = import_paths(repo, [str(f)], strict=True)
    assert res.failed and count(repo, m.Deal) == 0
    r = CliRunner().invoke(app, ["crm", "import", str(f), "--strict", "--db", store_url])
    assert r.exit_code == 1 and "sf.csv:5" in r.stderr and count(repo, m.Deal) == 0
    r = CliRunner().invoke(app, ["crm", "import", str(f), "--db", store_url])
    assert r.exit_code == 0 and "4 new" in r.stderr and "sf.csv:5" in r.stderr
    repo.close()


def test_hubspot_and_mapped_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    h = tmp_path / "hubspot-deals.csv"
    h.write_text(HS, encoding="utf-8")
    g = tmp_path / "generic.csv"
    g.write_text(GENERIC, encoding="utf-8")
    mp = tmp_path / "map.yaml"
    mp.write_text(MAPPING, encoding="utf-8")
    repo = open_store(url)
    [res] = import_paths(repo, [str(h)])
    assert res.format == "hubspot" and res.inserted == 3 and not res.errors
    d, c = deal(repo, "9001")
    assert d.amount == 1200.5 and c.currency == "EUR" and c.stage == "proposal" and c.close_date == date(2024, 3, 31)
    assert c.created_date == date(2024, 1, 10) and c.last_activity == date(2024, 2, 1)
    d, c = deal(repo, "9002")
    assert d.won is False and c.stage == "lost"
    d, c = deal(repo, "9003")
    assert d.amount is None and c.stage == "prospecting"
    [res] = import_paths(repo, [str(g)])
    assert res.failed and "generic.csv:1: cannot tell the CRM format" in res.error
    r = CliRunner().invoke(app, ["crm", "import", str(g), str(h), "--db", url])  # the readable file still imports
    assert r.exit_code == 1 and "cannot tell the CRM format" in r.stderr and "3 unchanged" in r.stderr
    [res] = import_paths(repo, [str(g)], mapping=Mapping.load(str(mp)))
    assert res.inserted == 2 and not res.errors
    d, c = deal(repo, "G-1")
    assert d.amount == 1500.0 and c.currency == "EUR" and c.stage == "won" and c.close_date == date(2024, 3, 1)
    d, c = deal(repo, "G-2")
    assert c.stage == "discovery" and c.close_date == date(2024, 4, 15)
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  idd: Ref\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="unknown field"):
        Mapping.load(str(bad))
    repo.close()


# -- the data set layout, with its quirks -----------------------------------------------------------
def write_dataset(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sales_teams.csv").write_text(
        "sales_agent,manager,regional_office\nAnn Ames,Max Moe,East\nBob Burr,Max Moe,East\nCid Cole,Nia Noor,West\n")
    (folder / "products.csv").write_text("product,series,sales_price\nGTX Pro,GTX,4821\nMG Special,MG,55\n")
    (folder / "accounts.csv").write_text(
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "Acme,technolgy,1996,1100.04,2822,United States,\nBeta,medical,1999,251.41,495,Kenya,Acme\n")
    (folder / "sales_pipeline.csv").write_text(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "O1,Ann Ames,GTXPro,Acme,Won,2017-01-01,2017-01-11,4500\n"
        "O2,Ann Ames,MG Special,Beta,Won,2017-01-05,2017-02-04,50\n"
        "O3,Ann Ames,GTX Pro,,Lost,2017-01-07,2017-01-20,0\n"
        "O4,Ann Ames,GTXPro,Beta,Engaging,2017-02-01,,\n"
        "O5,Bob Burr,MG Special,Acme,Prospecting,,,\n"
        "O6,Bob Burr,GTX Pro,Acme,Won,2017-03-01,2017-03-21,4700\n"
        "O7,Cid Cole,MG Special,,Engaging,2017-03-01,,\n"
        "O8,Cid Cole,GTX Pro,Beta,Lost,2017-01-01,2017-06-30,0\n")


def test_dataset_folder_and_stats(store_url, tmp_path):
    write_dataset(tmp_path / "crm")
    repo = open_store(store_url)
    res = import_paths(repo, [str(tmp_path / "crm")])
    assert [r.format for r in res] == ["dataset"] * 4 and not any(r.errors for r in res)
    assert count(repo, m.CrmProduct) == 2  # "GTXPro" is "GTX Pro"
    with repo.session() as s:
        assert s.scalar(select(m.CrmAccount.sector).join(m.Account).where(m.Account.name == "Acme")) == "technology"
        assert s.scalar(select(func.count()).select_from(m.CrmRep).where(m.CrmRep.region == "East")) == 2
    st = pipeline_stats(repo, "rep")
    g = {x["group"]: x for x in st["groups"]}
    ann = g["Ann Ames"]
    assert (ann["won"], ann["lost"], ann["open"]) == (2, 1, 1)
    assert ann["win_rate"] == pytest.approx(2 / 3, abs=1e-4) and ann["won_value"] == 4550
    assert ann["avg_won_value"] == 2275 and ann["median_cycle_days"] == 20  # 10 and 30 days
    assert ann["open_value"] == 4821 and ann["open_value_estimated"] == 1
    conv = {c["stage"]: c for c in ann["stage_conversion"]}
    assert conv["prospecting"]["reached"] == 4 and conv["discovery"]["reached"] == 4
    assert conv["discovery"]["conversion"] == 0.5
    sec = {x["group"]: x for x in pipeline_stats(repo, "sector")["groups"]}
    assert set(sec) == {"technology", "medical", "(no account)"} and sec["(no account)"]["lost"] == 1
    reg = {x["group"]: x for x in pipeline_stats(repo, "region")["groups"]}
    assert reg["East"]["won"] == 3 and reg["West"]["lost"] == 1
    prod = {x["group"]: x for x in pipeline_stats(repo, "product")["groups"]}
    assert set(prod) == {"GTX Pro", "MG Special"} and prod["GTX Pro"]["won"] == 2
    # as of 2017-02-01: O2 and O6 not won yet (O6 not even engaged: left out), O8 still open
    early = {x["group"]: x for x in pipeline_stats(repo, "rep", as_of=date(2017, 2, 1))["groups"]}
    assert (early["Ann Ames"]["won"], early["Ann Ames"]["open"]) == (1, 2)
    assert "Bob Burr" in early and early["Bob Burr"]["won"] == 0
    assert early["Cid Cole"]["open"] == 1
    r = CliRunner().invoke(app, ["pipeline", "stats", "--by", "manager", "--format", "md", "--db", store_url])
    assert r.exit_code == 0 and "| Max Moe | 3 | 1 | 2 | 75% |" in r.stdout
    # re-import is a no-op for deals
    res = import_paths(repo, [str(tmp_path / "crm")])
    assert res[-1].unchanged == 8
    repo.close()


def _plain_stats(folder):
    """The reference figures, computed with the csv module only."""
    prices = {r["product"].replace(" ", "").lower(): float(r["sales_price"])
              for r in csv.DictReader(open(folder / "products.csv", newline=""))}
    rows = list(csv.DictReader(open(folder / "sales_pipeline.csv", newline="")))
    out = defaultdict(lambda: {"won": 0, "lost": 0, "open": 0, "won_value": 0.0, "cycles": [], "open_value": 0.0,
                               "deals": 0, "engaged": 0})
    for r in rows:
        g = out[r["sales_agent"]]
        g["deals"] += 1
        g["engaged"] += bool(r["engage_date"])
        if r["deal_stage"] == "Won":
            g["won"] += 1
            g["won_value"] += float(r["close_value"] or 0)
            a, b = date.fromisoformat(r["engage_date"]), date.fromisoformat(r["close_date"])
            g["cycles"].append((b - a).days)
        elif r["deal_stage"] == "Lost":
            g["lost"] += 1
        else:
            g["open"] += 1
            g["open_value"] += float(r["close_value"]) if r["close_value"] else prices[r["product"].replace(" ", "").lower()]
    return out


def test_end_to_end_shared_crm(shared_data, store_url):
    folder = shared_data / "crm"
    if not (folder / "sales_pipeline.csv").is_file():
        pytest.skip("no ../shared/data/crm")
    r = CliRunner().invoke(app, ["crm", "import", str(folder), "--db", store_url])
    assert r.exit_code == 0, r.stderr
    r = CliRunner().invoke(app, ["pipeline", "stats", "--by", "rep", "--format", "json", "--db", store_url])
    assert r.exit_code == 0, r.stderr
    got = {g["group"]: g for g in json.loads(r.stdout)["groups"]}
    want = _plain_stats(folder)
    assert set(got) == set(want)
    for rep, w in want.items():
        g = got[rep]
        assert (g["won"], g["lost"], g["open"]) == (w["won"], w["lost"], w["open"]), rep
        assert g["win_rate"] == pytest.approx(w["won"] / (w["won"] + w["lost"]), abs=1e-4)
        assert g["won_value"] == pytest.approx(w["won_value"], abs=0.01)
        assert g["avg_won_value"] == pytest.approx(w["won_value"] / w["won"], abs=0.01)
        assert g["median_cycle_days"] == statistics.median(w["cycles"])
        assert g["open_value"] == pytest.approx(w["open_value"], abs=0.01)
        # stage conversion: everyone was prospected; engaged = has an engage date; then won / engaged
        c = g["stage_conversion"]
        assert [x["stage"] for x in c] == ["prospecting", "discovery"]
        assert (c[0]["reached"], c[1]["reached"]) == (w["deals"], w["engaged"])
        assert c[1]["conversion"] == pytest.approx(w["won"] / w["engaged"], abs=1e-4)
    # the quirks: product spelling, sector spelling, deals without an account
    sec = json.loads(CliRunner().invoke(app, ["pipeline", "stats", "--by", "sector", "--db", store_url]).stdout)
    names = {g["group"] for g in sec["groups"]}
    assert "technology" in names and "technolgy" not in names
    no_acc = sum(1 for r in csv.DictReader(open(folder / "sales_pipeline.csv", newline="")) if not r["account"])
    assert next(g for g in sec["groups"] if g["group"] == "(no account)")["deals"] == no_acc
    prod = json.loads(CliRunner().invoke(app, ["pipeline", "stats", "--by", "product", "--db", store_url]).stdout)
    assert "GTXPro" not in {g["group"] for g in prod["groups"]}
    assert sum(g["deals"] for g in prod["groups"]) == 8800 or sum(g["deals"] for g in prod["groups"]) == len(
        list(csv.DictReader(open(folder / "sales_pipeline.csv", newline=""))))
