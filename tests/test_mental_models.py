"""Mental models: statistics against known values, the Discovery Playbook on a hand-built store,
thin-data wording, versioning (no new version without a change), on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import json
import math

from sqlalchemy import select
from typer.testing import CliRunner

from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach.cli import app
from salescoach.memory import consolidate
from salescoach.memory.config import load_config
from salescoach.memory.mental_models import get_version, list_versions, refresh
from salescoach.memory.mental_models.playbook import _Lex, call_instances, cluster, settings
from salescoach.memory.mental_models.stats import fisher_exact, mann_whitney_u, wilson
from salescoach.memory.retain import retain
from salescoach.store import models as m
from salescoach.store import open_store

CFG = load_config()


# -- statistics (reference values computed once with scipy 1.17 / standard tables) ---------------

def test_wilson_known_values():
    lo, hi = wilson(3, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.1078, 0.6032)
    lo, hi = wilson(0, 5)
    assert lo == 0.0 and round(hi, 4) == 0.4345
    lo, hi = wilson(20, 20)
    assert round(lo, 4) == 0.8389 and hi == 1.0
    assert wilson(0, 0) is None


def test_mann_whitney_exact_matches_reference():
    r = mann_whitney_u([1.1, 2.2, 3.3, 4.4], [5.5, 6.6, 7.7, 8.8])  # complete separation, 4 v 4
    assert r.method == "exact" and r.u == 16 and math.isclose(r.p, 2 / 70)
    r = mann_whitney_u([0.2, 0.5, 0.9, 1.4, 2.0], [0.3, 1.0, 1.6, 2.5, 3.1, 3.3])
    assert r.method == "exact" and r.u == 23 and math.isclose(r.p, 0.17748917748917747, rel_tol=1e-9)


def test_mann_whitney_normal_with_ties_matches_reference():
    r = mann_whitney_u([1, 2, 2, 3, 3, 3, 4], [3, 4, 4, 5, 5, 6, 2, 2])
    assert r.method == "normal" and r.u == 42.5
    assert math.isclose(r.p, 0.09739665838072696, rel_tol=1e-9)
    assert mann_whitney_u([1, 1, 1], [1, 1]).p == 1.0
    assert mann_whitney_u([], [1.0]) is None


def test_fisher_exact_matches_reference():
    assert math.isclose(fisher_exact(8, 2, 1, 5), 0.034965034965034975, rel_tol=1e-9)
    assert math.isclose(fisher_exact(3, 7, 6, 4), 0.3698499642772088, rel_tol=1e-9)
    assert math.isclose(fisher_exact(6, 0, 0, 6), 2 / 924, rel_tol=1e-9)
    assert fisher_exact(0, 0, 0, 0) == 1.0


# -- hand-built calls -----------------------------------------------------------------------------

COST = ["What does that cost you each month?", "What does that cost you every month?",
        "What does that cost your team each month?"]
TEAM = ["How many people are on your team?", "How many people are on the team today?"]
TOOLS = "What tools do you use today?"


def build_call(turns: list[tuple], call_key: str, rep: str = "Rep One") -> tuple[dict, list[dict]]:
    """turns: (question, spin, sandler level, buyer answer or None, categories marked on the answer).

    Each question is one rep segment; its answer the next buyer segment (20 s apart)."""
    segs, qs = [], []
    cov = {k: [] for k in ("problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction")}
    med = {k: [] for k in ("metrics", "economic_buyer", "decision_criteria", "decision_process", "paper_process",
                           "pain", "champion", "competition")}
    t = 10.0
    for question, spin, level, answer, cats in turns:
        segs.append({"speaker": rep, "role": "rep", "start": t, "end": t + 4, "line": None, "text": question})
        qs.append({"start": t, "speaker": rep, "role": "rep", "text": question, "form": "open", "spin": spin,
                   "sandler_level": level, "socratic": None, "researchable": False})
        if answer is not None:
            a = t + 6.0
            segs.append({"speaker": "Buyer Bee", "role": "buyer", "start": a, "end": a + 8, "line": None,
                         "text": answer})
            for c in cats:
                {"pain": cov["problem"], "impact": cov["impact"], "budget": med["economic_buyer"]}[c].append(a)
        t += 20.0
    report = {"call": {"id": call_key, "source": f"{call_key}.vtt", "duration_s": t, "reps": [rep],
                       "type": "discovery"},
              "speakers": [{"name": rep, "role": "rep", "talk_share": 0.4},
                           {"name": "Buyer Bee", "role": "buyer", "talk_share": 0.6}],
              "metrics": {"rep_talk_share": 0.4, "longest_rep_monologue_s": 30.0},
              "questions": qs, "objections": [], "discovery_coverage": cov, "meddpicc": med,
              "next_step": {"committed": False}, "moments": []}
    return report, segs


def store(repo, report: dict, segs: list[dict], rep: str, deal: str | None = None) -> int:
    sha = hashlib.sha256(json.dumps([report, segs], sort_keys=True).encode()).hexdigest()
    return repo.store_call(sha256=sha, report=report, segments=segs, findings=retain(report, CFG, segs),
                           rep_names=[rep], deal=deal).id


def planted_store(repo) -> dict[int, int]:
    """5 calls, 2 reps. Cost question (3 wordings) in every call: impact revealed in calls 0-3, not 4.
    Team-size question (2 wordings) in every call: reveals nothing. Tools question in calls 0 and 1
    (too thin): the buyer names money in call 0. One question asked once. Deals: calls 0-2 in D1
    (won), call 3 in D2 (lost), call 4 none."""
    ids = {}
    deals = {0: "D1", 1: "D1", 2: "D1", 3: "D2"}
    for i in range(5):
        rep = "Ana Lima" if i % 2 == 0 else "Bo Chen"
        turns = [(TEAM[i % 2], "situation", None, "About twelve people across two sites.", []),
                 (COST[i % 3], "implication", 2, "Honestly it eats two days of every week for the ops lead."
                  if i < 4 else "Hard to say, we never looked.", ["impact"] if i < 4 else [])]
        if i < 2:
            turns.append((TOOLS, "situation", None, "We pay about $40k a year for the current tool." if i == 0
                           else "Mostly spreadsheets and email.", []))
        if i == 0:
            turns.append(("What keeps you up at night?", "problem", 1, "Missing the audit deadline again.", ["pain"]))
        report, segs = build_call(turns, f"c{i}", rep)
        ids[i] = store(repo, report, segs, rep, deals.get(i))
    with repo.session() as s:
        for d in s.scalars(select(m.Deal)):
            d.won, d.stage = (True, "closed_won") if d.external_id == "D1" else (False, "closed_lost")
    return ids


def test_answer_window_rules():
    """A question's answer: the buyer's next segments, up to the rep's next question (stacked
    questions: the later one gets the answer), at most 2 buyer turns, within 180 s."""
    cfg = settings()
    report, segs = build_call([("Who else is involved?", "situation", None, None, []),
                               ("And who signs off on the spend?", "situation", None, "The CFO, Dana.", ["budget"]),
                               ("Where does it break down?", "problem", 1, "Every Monday the export fails.", ["pain"])],
                              "w")
    # a long pause: the rep goes quiet; buyer speaks again 400 s later (outside the window)
    segs.append({"speaker": "Buyer Bee", "role": "buyer", "start": 500.0, "end": 510.0, "line": None,
                 "text": "Our budget is forty thousand."})
    rows = [(g["start"], g["role"], g["text"]) for g in segs]
    got = call_instances(1, 1, report, rows, cfg, _Lex(cfg))
    assert [x.text for x in got] == ["Who else is involved?", "And who signs off on the spend?",
                                     "Where does it break down?"]
    assert got[0].rated and got[0].reveals == {}  # asked again before the buyer spoke
    assert got[1].reveals == {"budget": True} and got[1].evidence["quote"] == "The CFO, Dana."
    assert got[2].reveals == {"pain": True}  # the 500 s money remark is outside the 180 s window
    # money words in the buyer's answer count as budget without any report marking
    report2, segs2 = build_call([("How do you buy tools like this?", "situation", None,
                                  "Anything over $25k needs approval from finance.", [])], "w2")
    got2 = call_instances(2, 1, report2, [(g["start"], g["role"], g["text"]) for g in segs2], cfg, _Lex(cfg))
    assert got2[0].reveals == {"budget": True}
    # untimed: counted, not rated
    report3, _ = build_call([("Where does it break down?", "problem", 1, "It fails.", ["pain"])], "w3")
    report3["questions"][0]["start"] = None
    got3 = call_instances(3, 1, report3, [], cfg, _Lex(cfg))
    assert len(got3) == 1 and not got3[0].rated


def test_cluster_groups_paraphrases_apart_from_other_questions():
    texts = [t.lower().rstrip("?") for t in COST + TEAM + [TOOLS]]
    labels = cluster(texts, [3, 2, 1, 2, 1, 1], settings()["cluster_threshold"])
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] == labels[4] != labels[0]
    assert labels[5] not in (labels[0], labels[3])


def test_playbook_patterns_rates_and_sample_sizes(store_url):
    repo = open_store(store_url)
    ids = planted_store(repo)
    v, created = refresh(repo, "discovery-playbook", CFG)
    assert created and v["version"] == 1
    c = v["content"]
    assert c["totals"]["questions"] == 5 + 5 + 2 + 1 and c["totals"]["rated"] == 13
    assert c["totals"]["one_off_groups"] == 1  # "what keeps you up at night" asked once: not listed
    pats = {p["wording"]: p for p in c["patterns"]}
    assert len(pats) == 3
    cost = next(p for p in c["patterns"] if p["count"] == 5 and "cost" in p["wording"])
    assert set(cost["examples"]) == set(COST) and cost["wordings"] == 3 and cost["calls"] == 5 and cost["reps"] == 2
    r = cost["reveals"]
    assert (r["any"]["k"], r["any"]["n"], r["impact"]["k"], r["pain"]["k"], r["budget"]["k"]) == (4, 5, 4, 0, 0)
    lo, hi = wilson(4, 5)
    assert r["any"]["rate"] == 0.8 and r["any"]["ci95"] == [round(lo, 4), round(hi, 4)] and not r["any"]["thin"]
    assert cost["framework"]["spin"] == {"label": "implication", "share": 1.0}
    assert cost["framework"]["sandler"]["label"] == 2 and cost["framework"]["gap"]["label"] == "current_state"
    # progression: calls 0-3 are in deals D1 (won) and D2 (lost); call 4 has none
    pr = cost["progression"]
    assert (pr["calls_with_deal"], pr["deals"], pr["closed_deals"], pr["win"]["k"], pr["win"]["n"]) == (4, 2, 2, 1, 2)
    assert pr["win"]["thin"] and pr["stages"] == {"closed_lost": 1, "closed_won": 1}
    team = next(p for p in c["patterns"] if p["count"] == 5 and p is not cost)
    assert team["reveals"]["any"]["k"] == 0 and team["reveals"]["any"]["n"] == 5
    assert team["framework"]["spin"]["label"] == "situation" and team["framework"]["sandler"]["label"] == "none"
    tools = pats[TOOLS]
    assert tools["count"] == 2 and tools["reveals"]["budget"]["k"] == 1 and tools["reveals"]["any"]["thin"]
    assert tools["evidence"][0]["call"] == ids[0] and "$40k" in tools["evidence"][0]["quote"]
    # ranking: rated patterns by the Wilson lower bound, thin ones last
    assert [p["rank"] for p in c["patterns"]] == [1, 2, 3]
    assert c["patterns"][0] is cost and c["patterns"][-1] is tools
    assert c["frameworks"]["spin"]["implication"]["any"]["n"] == 5
    assert v["based_on"]["call_ids"] == sorted(ids.values())
    md = v["markdown"]
    assert "4/5 = 80%" in md and "too few to judge" in md and "SPIN implication" in md
    assert "Sandler level 2" in md and "won 1 of 2 closed deals" in md
    repo.close()


def test_thin_and_empty_stores_say_so(tmp_path):
    repo = open_store(f"sqlite:///{tmp_path / 'thin.db'}")
    v, _ = refresh(repo, "discovery-playbook", CFG)
    assert "No business questions stored yet" in v["markdown"]
    report, segs = build_call([("Where does it break down?", "problem", 1, "The export fails.", ["pain"])], "t")
    store(repo, report, segs, "Cy Dale")
    v, created = refresh(repo, "discovery-playbook", CFG)
    assert created and v["version"] == 2
    md = v["markdown"]
    assert "No question has been asked twice yet" in md and "too few to judge" in md
    assert "unknown (no call linked to a deal)" in md
    assert v["content"]["baseline"]["progression"]["status"] == "unknown"
    t, _ = refresh(repo, "coaching-themes", CFG)
    assert "No rep holds a gap observation yet" in t["markdown"]
    repo.close()


def test_versions_only_when_inputs_change(store_url):
    repo = open_store(store_url)
    for i in range(3):
        report, segs = build_call([(COST[i], "implication", 2, "Two days a week.", ["impact"])], f"v{i}", "Di Ek")
        store(repo, report, segs, "Di Ek")
    consolidate(repo, CFG)  # refreshes both models
    assert [x["version"] for x in list_versions(repo, "discovery-playbook")] == [1]
    assert [x["version"] for x in list_versions(repo, "coaching-themes")] == [1]
    consolidate(repo, CFG)
    v, created = refresh(repo, "discovery-playbook", CFG)
    assert not created and v["version"] == 1
    assert len(list_versions(repo, "coaching-themes")) == 1
    report, segs = build_call([(COST[0], "implication", 2, "Two days a week.", ["impact"])], "v9", "Di Ek")
    new_id = store(repo, report, segs, "Di Ek")
    consolidate(repo, CFG)
    v2 = get_version(repo, "discovery-playbook")
    assert v2["version"] == 2 and new_id in v2["based_on"]["call_ids"] and len(v2["based_on"]["call_ids"]) == 4
    assert v2["generated_at"] and v2["input_hash"] != get_version(repo, "discovery-playbook", 1)["input_hash"]
    assert get_version(repo, "coaching-themes")["version"] == 2  # new verdicts
    repo.close()
    r = CliRunner().invoke(app, ["model", "discovery-playbook", "--version", "1", "--format", "json", "--db", store_url])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["version"] == 1 and len(data["based_on"]["call_ids"]) == 3 and data["content"]["patterns"]
    r = CliRunner().invoke(app, ["model", "discovery-playbook", "--db", store_url])
    assert r.exit_code == 0 and r.stdout.startswith("# Discovery Playbook (version 2)")
    r = CliRunner().invoke(app, ["model", "coaching-themes", "--version", "7", "--db", store_url])
    assert r.exit_code == 1 and "no version 7" in r.output
    r = CliRunner().invoke(app, ["model", "versions", "coaching-themes", "--db", store_url])
    assert r.exit_code == 0 and "version    2" in r.stdout
    r = CliRunner().invoke(app, ["model", "nonsense", "--db", store_url])
    assert r.exit_code == 2


def test_playbook_from_real_transcripts(tmp_path):
    """Generated transcripts through the whole engine: ingest consolidates, which writes both models."""
    from memory_calls import BUYERS, make_call
    from salescoach.memory.ingest import ingest_paths
    repo = open_store(f"sqlite:///{tmp_path / 'e2e.db'}")
    for i in range(4):
        (tmp_path / f"call{i}.vtt").write_text(make_call("Ava Stone", BUYERS[i], {"implication_questions": "strength"},
                                                         seed=i), encoding="utf-8")
    res = ingest_paths(repo, [str(tmp_path)], reps=["Ava Stone"], call_type="discovery")
    assert res.count("stored") == 4
    v = get_version(repo, "discovery-playbook")
    assert v is not None and v["version"] == 1 and len(v["based_on"]["call_ids"]) == 4
    c = v["content"]
    assert c["totals"]["rated"] > 0 and c["patterns"]
    top = {p["wording"]: p for p in c["patterns"]}
    assert any(p["count"] >= 4 and p["reveals"]["any"]["n"] >= 4 for p in top.values()), sorted(top)
    assert get_version(repo, "coaching-themes")["content"]["totals"]["calls"] == 4
    repo.close()


def test_stored_digests_give_the_same_playbook_as_the_reports(store_url, monkeypatch):
    """Each call's playbook inputs are stored with it (call_reports.playbook_questions); the playbook built
    from them equals the one worked out from the reports and segments; a digest made under other settings
    (or missing, as in a store from before digests) is worked out again and written back."""
    from salescoach.memory.mental_models import playbook
    repo = open_store(store_url)
    ids = planted_store(repo)
    key = playbook.digest_key(settings())
    with repo.session() as s:
        digests = dict(s.execute(select(m.CallReport.call_id, m.CallReport.playbook_questions)).all())
    assert set(digests) == set(ids.values()) and all(d["key"] == key for d in digests.values())
    assert sum(len(d["q"]) for d in digests.values()) == 13
    fast = refresh(repo, "discovery-playbook", CFG, force=True)[0]["content"]
    with repo.session() as s:  # one call's digest missing, one made under other settings
        s.execute(playbook.update(m.CallReport).where(m.CallReport.call_id == ids[0]).values(playbook_questions=None))
        s.execute(playbook.update(m.CallReport).where(m.CallReport.call_id == ids[1])
                  .values(playbook_questions={"key": "other", "q": []}))
    slow = refresh(repo, "discovery-playbook", CFG, force=True)[0]["content"]
    drop = ("generated_at", "version")
    assert {k: v for k, v in fast.items() if k not in drop} == {k: v for k, v in slow.items() if k not in drop}
    with repo.session() as s:
        again = dict(s.execute(select(m.CallReport.call_id, m.CallReport.playbook_questions)).all())
    assert again == digests  # written back
    # a changed setting that rates questions changes the key, so stored digests are not reused
    monkeypatch.setattr(playbook, "settings", lambda: dict(settings(), answer_max_turns=1))
    assert playbook.digest_key(playbook.settings()) != key
    repo.close()
