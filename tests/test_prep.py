"""Meeting / deal prep (`salescoach prep`): belief ratings, likely objections with AECR, the ecosystem map,
ideal-customer fit, Socratic questions, unknowns, a deal with no calls, bad input.

The store is built here: three plain-text calls ingested through the real pipeline (two on the Acme deal
D1, one on Globex with a budget objection handled with all four AECR steps) and a tiny CRM export
(D1 in proposal with a close date and no amount; D2 at Initech in negotiation with no call).
"""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from salescoach.cli import app
from salescoach.errors import SalescoachError
from salescoach.frameworks import load
from salescoach.memory.ingest import ingest_paths
from salescoach.prep import build_prep, render_prep
from salescoach.prep.beliefs import belief_stack
from salescoach.prep.ecosystem import language_check
from salescoach.prep.facts import CallData, Facts
from salescoach.store import open_store

ACME_DISCOVERY = """\
[00:00:05] Ana Lopez: Hi Maya, hi Tom, thanks for making time today. I have us for thirty minutes. My plan is to ask about how lead routing works today and where it hurts, and at the end we decide together if a next step makes sense. Does that work?
[00:00:20] Maya Chen: Yes, that works for us.
[00:00:25] Tom Reyes: Sounds good.
[00:01:00] Ana Lopez: How do leads get to your reps today?
[00:01:10] Maya Chen: Everything lands in Salesforce, and then Tom exports it to an Excel spreadsheet every morning and assigns leads by hand.
[00:01:40] Ana Lopez: What happens when that goes wrong?
[00:01:50] Tom Reyes: Leads sit for two days before anyone calls them, and the reps complain in Slack that the good ones went to someone else.
[00:02:30] Ana Lopez: Why do they sit that long?
[00:02:40] Maya Chen: Because the spreadsheet only gets updated once a day, and nobody owns the routing rules.
[00:03:10] Ana Lopez: What does that cost you?
[00:03:20] Maya Chen: We lost about forty thousand dollars of pipeline last quarter because hot leads went cold. We handle around three thousand leads a month.
[00:04:00] Ana Lopez: And as the company grows, what happens to this?
[00:04:10] Maya Chen: It gets worse. As we grow into new regions and add product lines, every new rep makes the spreadsheet harder to manage.
[00:04:50] Ana Lopez: Who else cares about fixing this?
[00:05:00] Maya Chen: Our CFO, Dana Park, asked about lead response times at the last board meeting. She signs off on anything over twenty thousand.
[00:05:40] Maya Chen: Honestly we want to automate the lead assignment so the reps stop fighting over territories.
[00:06:10] Ana Lopez: Why is this a priority now?
[00:06:20] Maya Chen: We open the Denver office in March, and the routing has to work before the new team starts.
[00:07:00] Ana Lopez: Let me show you how our routing engine works with HubSpot and Salesforce.
[00:07:30] Tom Reyes: Honestly the timing is bad, we are slammed with the quarter end and I don't see us starting anything before January.
[00:07:45] Ana Lopez: That's fair, quarter end is brutal.
[00:08:10] Ana Lopez: Next step: I'll send a summary today, and we meet again on Tuesday at ten with Dana to review the numbers. Does that work?
[00:08:20] Maya Chen: Yes, Tuesday at ten works.
"""
ACME_DEMO = """\
[00:00:05] Ana Lopez: Thanks for joining the demo today, Maya. Let me share my screen and show you the routing rules.
[00:00:30] Maya Chen: Sure.
[00:01:00] Ana Lopez: Here is how a new lead gets assigned in under a minute, based on territory and product.
[00:02:00] Maya Chen: To be honest, we are also looking at LeanData, and they were cheaper.
[00:02:20] Ana Lopez: Our pricing is based on seats.
[00:03:00] Maya Chen: It has to plug into Salesforce without custom code, that's our main requirement.
[00:03:30] Ana Lopez: It does. I will send the integration guide tomorrow.
[00:03:40] Maya Chen: Okay.
"""
GLOBEX = """\
[00:00:05] Ben Ortiz: Hi Priya, thanks for the time. I have us until half past, my plan is to understand your process and then decide together whether to keep talking. Okay?
[00:00:15] Priya Shah: Okay, sounds good.
[00:01:00] Ben Ortiz: Where does it hurt most today?
[00:01:10] Priya Shah: Our support tickets in Zendesk pile up because nobody sees them until the morning.
[00:02:00] Priya Shah: Honestly, this is way too expensive for us. We don't have the budget for another tool this year.
[00:02:10] Ben Ortiz: That's a fair concern, and I appreciate you saying it. If I were in your shoes with a frozen budget, I would be careful too. Can I ask what you're comparing the price against, is it the total or the timing of the spend? So what I'm hearing is the cost of the backlog matters more than the license itself.
[00:02:50] Priya Shah: Yeah, the backlog costs us more than that, honestly.
[00:03:30] Ben Ortiz: I'll send a one-page business case on Friday and we meet Monday at nine to go through it with your manager.
[00:03:40] Priya Shah: Monday at nine works.
"""
PIPE = ("Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Forecast Category,"
        "Opportunity Owner,Created Date,Last Activity,Next Step,Next Step Date,Last Stage Change Date,Loss Reason\n"
        "D1,Acme routing,Acme,,Proposal/Price Quote,12/15/2026,,,Ana Lopez,9/1/2026,10/8/2026,,,10/1/2026,\n"
        "D2,Initech renewal,Initech,\"$25,000\",Negotiation/Review,1/31/2027,,,Ana Lopez,8/1/2026,10/1/2026,"
        "Send order form,11/20/2026,10/1/2026,\n")
ACCOUNTS = ("account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
            "Acme,technolgy,1996,900,5000,United States,\nInitech,software,2001,10,120,United States,\n")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from salescoach.crm.importer import import_paths
    d = tmp_path_factory.mktemp("prep")
    (d / "pipe.csv").write_text(PIPE, encoding="utf-8")
    (d / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    for name, text in (("acme1", ACME_DISCOVERY), ("acme2", ACME_DEMO), ("globex1", GLOBEX)):
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    db = str(d / "s.db")
    repo = open_store(db)
    res = import_paths(repo, [str(d / "pipe.csv"), str(d / "accounts.csv")], as_of=date(2026, 10, 10))
    assert not any(r.errors or r.failed for r in res)
    for name, deal, acc, rep, typ, when in (("acme1", "D1", "Acme", "Ana Lopez", "discovery", datetime(2026, 10, 1)),
                                            ("acme2", "D1", "Acme", "Ana Lopez", "demo", datetime(2026, 10, 8)),
                                            ("globex1", None, "Globex", "Ben Ortiz", "discovery",
                                             datetime(2026, 9, 1))):
        s = ingest_paths(repo, [str(d / f"{name}.txt")], reps=[rep], account=acc, deal=deal, call_type=typ,
                         date=when, do_consolidate=False)
        assert s.count("stored") == 1
    yield repo, db, d
    repo.close()


@pytest.fixture(scope="module")
def d1(store):
    return build_prep(store[0], deal="D1")


def test_belief_stack_and_weakest_link(d1):
    st = {b["id"]: b for b in d1["belief_stack"]["beliefs"]}
    assert [b["id"] for b in d1["belief_stack"]["beliefs"]] == ["ceiling", "cost_growing", "solution_exists",
                                                                 "understands", "roi", "timing"]
    # problem + root cause quoted by the buyer; the stated problem is also MEDDPICC pain -> 3 of 3 -> Proven
    assert st["ceiling"]["rating"] == "Proven" and st["ceiling"]["missing"] == []
    assert st["cost_growing"]["rating"] == "Proven"
    # decision criteria + competition on the demo call, and the demo itself
    assert st["solution_exists"]["rating"] == "Proven" and "demo_held" in st["solution_exists"]["covered"]
    # metrics + economic buyer, but no money talk and no CRM amount: 2 of the 3 needed
    assert st["roi"]["rating"] == "Mostly Proven"
    assert set(st["roi"]["missing"]) == {"budget_talk", "crm_amount"} and st["roi"]["proof_to_bring"]
    eb = next(e for e in st["roi"]["evidence"] if e["source"] == "economic_buyer")
    assert "signs off" in eb["quote"] and eb["start"] == 300.0 and eb["key"] == "acme1"
    # why now (buyer) + CRM close date + CRM stage proposal -> Proven
    assert st["timing"]["rating"] == "Proven"
    assert {"crm": "crm_deals.close_date", "value": "2026-12-15"} in [
        {k: e[k] for k in ("crm", "value")} for e in st["timing"]["evidence"] if "crm" in e]
    assert d1["belief_stack"]["weakest_link"]["id"] == "roi"
    assert "The return justifies the investment" in d1["objective"]["text"]
    assert d1["need_to_hear"][0]["belief"] == "roi"


def test_belief_rule_on_hand_built_evidence():
    call = CallData(1, "k", date(2026, 1, 1), "discovery", {}, [])

    def facts(elements):
        f = Facts("deal", 1, "X", {"stage": "discovery", "close_date": None, "amount": None}, [], None, [], [call])
        f.elements = {k: [{"call": 1, "key": "k", "start": 1.0, "quote": f"{k} said", "speaker": "B"}]
                      for k in elements}
        return f
    st = belief_stack(facts(["problem"]))
    r = {b["id"]: b["rating"] for b in st["beliefs"]}
    assert r["ceiling"] == "Mostly Proven" and r["cost_growing"] == "Needs Proof"
    assert st["weakest_link"]["id"] == "cost_growing"  # the earliest of the lowest
    r = {b["id"]: b["rating"] for b in belief_stack(facts(["problem", "pain", "impact", "cost_of_inaction",
                                                              "decision_criteria"]))["beliefs"]}
    assert (r["ceiling"], r["cost_growing"], r["solution_exists"]) == ("Proven", "Proven", "Mostly Proven")


def test_crm_fields_alone_never_prove_a_belief(tmp_path, monkeypatch):
    # a user-added belief resting only on CRM fields: both covered, still only Mostly Proven
    (tmp_path / "prep.json").write_text(json.dumps({"beliefs": [
        {"id": "crm_only", "statement": "The paperwork is moving", "sources": ["timeline", "crm_stage"],
         "proven_min": 2, "proof": ["a signed mutual plan"]}]}))
    monkeypatch.setenv("SALESCOACH_FRAMEWORKS", str(tmp_path))
    load.cache_clear()
    try:
        f = Facts("deal", 1, "X", {"stage": "negotiation", "close_date": "2027-01-31", "amount": 5.0}, [], None, [],
                  [CallData(1, "k", date(2026, 1, 1), "discovery", {}, [])])
        st = {b["id"]: b for b in belief_stack(f)["beliefs"]}
    finally:
        monkeypatch.delenv("SALESCOACH_FRAMEWORKS")
        load.cache_clear()
    assert st["crm_only"]["covered"] == ["timeline", "crm_stage"] and st["crm_only"]["rating"] == "Mostly Proven"


def test_every_line_template_has_a_slot_free_fallback():
    from salescoach.prep.text import fill, rip_hits
    fw = load("prep")
    lists = [v for k, v in fw["belief_messages"].items() if k != "_doc"]
    lists += [steps[s] for cat, steps in fw["aecr"].items() if cat != "_doc" for s in steps]
    lists += [v["default"] for k, v in fw["asks"].items() if k != "_doc"]
    for lst in lists:
        assert fill(lst, {}) is not None, lst  # never an empty line when the account tells us nothing
    every = [t for lst in lists for t in lst] + [t for c in fw["tool_categories"].values() if isinstance(c, dict)
                                                 for t in c["framing"]] + fw["guardrail"]["templates"]
    every += [t for s in ("diagnostic", "forcing_function", "accountability") for v in fw["questions"][s].values()
              for t in v]
    assert every and not [t for t in every if rip_hits(t)]


def test_objections_ranked_with_aecr_and_floor_handling(d1):
    ob = d1["objections"]
    assert d1["meeting"]["type"] == "executive" and d1["meeting"]["source"] == "CRM stage proposal"
    cats = [o["category"] for o in ob["objections"]]
    # both Acme objections first (raised on this deal), then the floor's budget objection (Globex)
    assert cats == ["competition", "timing", "budget"]
    tim = ob["objections"][1]
    assert tim["account_evidence"][0]["speaker"] == "Tom Reyes" and tim["account_evidence"][0]["start"] == 450.0
    assert "quarter end" in tim["aecr"]["clarify"]  # the account's own words
    assert "Denver office" in tim["aecr"]["reframe"]  # its why-now
    assert tim["best_handling"]["status"] == "unknown"  # Ana hit only 2 of the 4 steps
    bud = ob["objections"][2]
    assert bud["account_evidence"] == [] and bud["floor"]["count"] == 1
    bh = bud["best_handling"]
    assert bh["status"] == "found" and bh["key"] == "globex1" and bh["rep"] == "Ben Ortiz"
    assert set(bh["steps"]) == {"acknowledge", "empathize", "clarify", "reframe"} and bh["start"] == 130.0
    for o in ob["objections"]:
        assert all(o["aecr"][k] for k in ("acknowledge", "empathize", "clarify", "reframe"))


def test_ecosystem_tools_framing_guardrail(d1):
    eco = d1["ecosystem"]
    tools = {t["tool"]: t for t in eco["tools"]}
    assert {"Salesforce", "Excel", "spreadsheets", "Slack", "HubSpot"} <= set(tools)
    assert "Zendesk" not in tools  # Globex's tool, not Acme's
    assert tools["Salesforce"]["status"] == "confirmed" and tools["Salesforce"]["buyer_quote"]["start"] == 70.0
    assert tools["HubSpot"]["status"] == "unconfirmed"  # only our rep named it
    assert tools["Slack"]["category"] == "comms" and tools["Slack"]["buyer_quote"]["speaker"] == "Tom Reyes"
    assert eco["categories"] == ["comms", "crm", "spreadsheets"]
    framed = {f["tool"]: f["line"] for f in eco["framing"]}
    assert "HubSpot" not in framed and "Salesforce" in framed["Salesforce"]
    g = eco["guardrail"]
    assert g["status"] == "found" and g["mentions"][0]["start"] == 340.0
    assert g["used"]["start"] == 340.0 and "The more of the lead assignment you hand to automation" in g["reframe"]
    assert eco["language_check"]["ok"] and eco["language_check"]["checked"] >= 15


def test_rip_and_replace_check(store, tmp_path, monkeypatch):
    lc = language_check(["You already have Excel; we make it sharper.", "We will replace your CRM.",
                         "Time to rip and replace the old stack."])
    assert not lc["ok"] and [h["line"][:7] for h in lc["hits"]] == ["We will", "Time to"]
    # a user template that sells a replacement is caught in the brief itself
    (tmp_path / "prep.json").write_text(json.dumps({
        "tools": {"legacy": [{"name": "Excel (legacy)", "patterns": ["Excel"], "case_sensitive": True}]},
        "tool_categories": {"legacy": {"label": "Legacy", "framing": ["We get rid of {tool} for you."]}}}))
    monkeypatch.setenv("SALESCOACH_FRAMEWORKS", str(tmp_path))
    load.cache_clear()
    try:
        lc = build_prep(store[0], deal="D1")["ecosystem"]["language_check"]
    finally:
        monkeypatch.delenv("SALESCOACH_FRAMEWORKS")
        load.cache_clear()
    assert not lc["ok"] and lc["hits"][0]["words"] == ["get rid of"]


def test_icp_fit_default_and_override(store, d1, tmp_path):
    fit = d1["icp"]
    sc = {a["axis"]: a["score"] for a in fit["axes"]}
    assert sc == {"multi_axis_complexity": "strong", "volume": "strong", "adjacent_tools": "strong",
                  "pain_scales": "strong", "executive_visibility": "strong"}
    assert fit["score"] == 1.0 and fit["band"] == "top_fit" and fit["unvalidated"] == []
    mac = next(a for a in fit["axes"] if a["axis"] == "multi_axis_complexity")
    assert {e["group"] for e in mac["evidence"]} == {"products", "territories"}
    y = tmp_path / "icp.yaml"
    y.write_text("name: enterprise\naxes:\n  volume:\n    strong: {employees: 10000}\n    partial: {employees: 6000}\n"
                 "  adjacent_tools:\n    strong_min: 4\n", encoding="utf-8")
    fit = build_prep(store[0], deal="D1", icp=str(y))["icp"]
    sc = {a["axis"]: a["score"] for a in fit["axes"]}
    # 5000 employees is below 6000, but the buyer's "three thousand leads a month" keeps volume partial
    assert sc["volume"] == "partial" and sc["adjacent_tools"] == "partial"
    assert fit["profile"] == "enterprise" and fit["score"] == 0.8 and fit["band"] == "top_fit"


@pytest.mark.parametrize("text,suffix,msg", [
    (None, ".json", "no such file"),
    ("", ".json", "empty"),
    ("{\"axes\": {\"revenue_growth\": {}}}", ".json", "unknown axis 'revenue_growth'"),
    ("{\"axes\": {\"volume\": {\"weight\": \"high\"}}}", ".json", "axes.volume.weight"),
    ("{\"axes\": [1, 2]", ".json", "invalid JSON"),
    ("axes:\n  volume: [1\n", ".yaml", "invalid YAML"),
    ("- just\n- a list\n", ".yml", "expected a mapping"),
])
def test_bad_icp_file(store, tmp_path, text, suffix, msg):
    p = tmp_path / f"icp{suffix}"
    if text is not None:
        p.write_text(text, encoding="utf-8")
    with pytest.raises(SalescoachError, match=msg):
        build_prep(store[0], deal="D1", icp=str(p))


def test_questions_aim_at_gaps_in_buyer_words(d1):
    q = d1["questions"]
    assert q["status"] == "open" and q["gaps"][0] == "roi"
    assert "champion" in q["gaps"] and "metrics" not in q["gaps"]
    for s in ("diagnostic", "forcing_function", "accountability"):
        assert 1 <= len(q[s]) <= 4
    diag = {x["gap"]: x["question"] for x in q["diagnostic"]}
    assert "pain" not in q["gaps"]  # the buyer stated the problem, which is MEDDPICC pain
    assert "forty thousand dollars of pipeline" in diag["roi"]  # its own metric (longest sentence)
    acc = {x["gap"]: x["question"] for x in q["accountability"]}
    assert "Maya Chen" in acc["roi"]  # a buyer we spoke to
    assert [x["gap"] for x in q["accountability"]][:3] == ["roi", "paper_process", "champion"]


def test_deal_with_no_calls_gets_crm_brief(store):
    b = build_prep(store[0], deal="d2")  # CRM ids ignore case
    assert b["calls"] == [] and b["evidence_base"]["note"]
    assert b["meeting"]["type"] == "negotiation"  # from the CRM stage
    st = {x["id"]: x for x in b["belief_stack"]["beliefs"]}
    assert st["timing"]["rating"] == "Mostly Proven"  # close date + stage, but the buyer never said it
    assert st["roi"]["rating"] == "Mostly Proven" and st["roi"]["covered"] == ["crm_amount"]
    assert st["ceiling"]["status"] == "unknown" and "settle" in st["ceiling"]
    assert b["belief_stack"]["weakest_link"]["id"] == "ceiling"
    assert b["buyer_pain"]["status"] == "unknown" and b["ecosystem"]["status"] == "unknown"
    assert [o["category"] for o in b["objections"]["objections"]] == ["budget", "competition", "timing"]
    assert all(not o["account_evidence"] for o in b["objections"]["objections"])
    vol = next(a for a in b["icp"]["axes"] if a["axis"] == "volume")
    assert vol["score"] == "weak" and b["icp"]["band"] == "stretch"
    assert "multi_axis_complexity" in b["icp"]["unvalidated"]
    assert "unknown" in render_prep(b)
    assert b["ask"]["text"].startswith("A signed order form by 2027-01-31")


def test_account_brief_and_unknown_targets(store):
    b = build_prep(store[0], account="  acme ")
    assert b["target"]["kind"] == "account" and [c["key"] for c in b["calls"]] == ["acme1", "acme2"]
    assert b["meeting"]["type"] == "executive"  # its most advanced open deal is in proposal
    g = build_prep(store[0], account="Globex")  # calls but no deal: meeting follows its latest call
    assert g["meeting"]["type"] == "demo" and g["objections"]["objections"][0]["category"] == "budget"
    assert "We don't have the budget for another tool this year" in g["objections"]["objections"][0]["aecr"]["clarify"]
    with pytest.raises(SalescoachError, match="did you mean 'D1'"):
        build_prep(store[0], deal="D11")
    with pytest.raises(SalescoachError, match="did you mean 'Globex'"):
        build_prep(store[0], account="Globx")
    with pytest.raises(SalescoachError, match="unknown meeting type"):
        build_prep(store[0], deal="D1", meeting="lunch")


def test_cli(store):
    repo, db, d = store
    r = CliRunner().invoke(app, ["prep", "--deal", "D1", "--meeting", "demo", "--format", "json", "--db", db])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["meeting"] == {"type": "demo", "source": "given (--meeting)"}
    r = CliRunner().invoke(app, ["prep", "--account", "Acme", "--db", db])
    assert r.exit_code == 0 and "## Belief stack" in r.stdout and "Weakest link" in r.stdout
    r = CliRunner().invoke(app, ["prep", "--deal", "Nope", "--db", db])
    assert r.exit_code == 2 and "unknown deal 'Nope'" in r.stderr
    r = CliRunner().invoke(app, ["prep", "--db", db])
    assert r.exit_code == 2 and "exactly one" in r.stderr
    r = CliRunner().invoke(app, ["prep", "--deal", "D1", "--icp", str(d / "missing.yaml"), "--db", db])
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_floor_history_cache_follows_rederived_and_deleted_findings(tmp_path):
    """The floor's objection history is cached; re-deriving a call's findings (same row ids on SQLite) or
    deleting a call must still be seen."""
    from salescoach.memory import delete_call
    from salescoach.prep.facts import floor_objections
    repo = open_store(str(tmp_path / "c.db"))
    for name, text, when in (("acme1", ACME_DISCOVERY, datetime(2026, 10, 1)), ("globex1", GLOBEX, datetime(2026, 9, 1))):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        ingest_paths(repo, [str(tmp_path / f"{name}.txt")], reps=["Ana Lopez", "Ben Ortiz"], date=when,
                     do_consolidate=False)
    before = floor_objections(repo)["items"]
    assert len(before) >= 2
    last = max(repo.call_ids())
    redone = _findings(repo, last)
    for f in redone:  # the same number of findings (SQLite hands out the same row ids), other categories
        if f["type"] == "objection":
            f["data"] = {**(f["data"] or {}), "category": "authority"}
    repo.replace_findings(last, redone)
    after = floor_objections(repo)["items"]
    assert len(after) == len(before) and after != before
    assert sum(c == "authority" for c, _ in after) > sum(c == "authority" for c, _ in before)
    delete_call(repo, min(repo.call_ids()))  # the other call: only the re-derived call's objections remain
    n_obj = sum(f["type"] == "objection" for f in redone)
    assert [c for c, _ in floor_objections(repo)["items"]] == ["authority"] * n_obj
    repo.close()


def _findings(repo, call_id: int) -> list[dict]:
    from sqlalchemy import select

    from salescoach.store import models as m
    with repo.session() as s:
        return [{"kind": f.kind, "type": f.type, "signal": f.signal, "verdict": f.verdict, "value": f.value,
                 "text": f.text, "start": f.start, "quote": f.quote, "speaker": f.speaker, "data": f.data}
                for f in s.scalars(select(m.Finding).where(m.Finding.call_id == call_id).order_by(m.Finding.id))]


def test_an_objection_found_by_the_sentence_model_alone_counts_half_in_the_ranking():
    from salescoach.prep.objections import likely_objections

    def obj(cat, by, start):
        return {"call": 1, "key": "k", "date": "2026-11-01", "start": start, "quote": f"a {cat} worry.",
                "speaker": "Buyer", "category": cat, "handling": None, "detected_by": by}

    f = Facts(kind="deal", account_id=1, account="Acme", deal=None, deals=[], crm_account=None, contacts=[],
              calls=[], objections=[obj("budget", "cue", 10.0), obj("competition", "cue", 20.0),
                                    obj("need", "model", 30.0), obj("timing", "cue", 40.0)])
    # the floor favours need over timing and competition: by count alone need would make the top three
    floor = {"items": [("need", "negotiation")] * 5 + [("timing", "negotiation")] * 2
             + [("competition", "negotiation")] + [("trust", "negotiation")] * 32, "handled": {}}
    out = likely_objections(None, f, "negotiation", {}, floor)
    assert [o["category"] for o in out["objections"]] == ["timing", "competition", "budget"]
    f.objections[2]["detected_by"] = "cue"  # the same objection raised on a cue counts whole
    out = likely_objections(None, f, "negotiation", {}, floor)
    assert [o["category"] for o in out["objections"]] == ["need", "timing", "competition"]
    assert "sentence model" not in json.dumps(out)
    f.objections[2]["detected_by"] = "model"
    need = [o for o in likely_objections(None, f, "negotiation", {}, {**floor, "items": [("need", "demo")]})[
        "objections"] if o["category"] == "need"][0]
    assert "1 found by the sentence model alone" in need["why"][0]
