"""The memory bank: signal verdicts, retain, observation promotion / retirement, planted habits."""
from __future__ import annotations

import hashlib
import json
import random

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from memory_calls import BUYERS, TEAM, make_call, team_plans
from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach.cli import app
from salescoach.errors import SalescoachError
from salescoach.memory import consolidate, link_note, observations
from salescoach.memory.config import load_config
from salescoach.memory.ingest import ingest_paths
from salescoach.memory.retain import retain
from salescoach.memory.signals import SIGNALS, judge
from salescoach.store import models as m
from salescoach.store import open_store

DUR = 1800.0


def q(spin, text=None, level=None, start=100.0):
    return {"start": start, "speaker": "Rep", "role": "rep", "text": text or f"a {spin} question?", "form": "open",
            "spin": spin, "sandler_level": level, "socratic": None}


def fake_report(plan: dict[str, str], call_type: str = "discovery", call_id: str = "c") -> dict:
    """A call report whose verdicts follow `plan` (signal -> strength | gap; others in between)."""
    g = plan.get
    n_sit = {"gap": 6, "strength": 1}.get(g("situation_overload"), 2)
    n_imp = {"strength": 3, "gap": 0}.get(g("implication_questions"), 2 if call_type == "discovery" else 0)
    n_np = {"strength": 1, "gap": 0}.get(g("need_payoff_questions"), 0 if call_type != "discovery" else 1)
    lvl = {"strength": 3, "gap": 1}.get(g("pain_funnel"), 2)
    n_prob = {"strength": 10, "gap": 1}.get(g("question_count"), 4)
    if g("question_count") == "gap":
        n_sit, n_imp, n_np = min(n_sit, 1), min(n_imp, 1), min(n_np, 1)
    qs = ([q("situation", f"How many people are on the team {i}?", start=60.0 + i) for i in range(n_sit)]
          + [q("problem", f"Where does it break down {i}?", level=1, start=200.0 + i) for i in range(n_prob)]
          + [q("implication", f"What does that cost you {i}?", level=2, start=300.0 + i) for i in range(n_imp)]
          + [q("need_payoff", "What would fixing it unlock?", start=400.0) for _ in range(n_np)])
    if lvl == 3:
        qs.append(q("implication", "What is at stake for you personally?", level=3, start=500.0))
    elif lvl == 1:
        for x in qs:
            x["sandler_level"] = min(x["sandler_level"] or 0, 1) or None
    share = {"strength": 0.35, "gap": 0.7}.get(g("talk_ratio"), 0.5)
    mono = {"strength": 40.0, "gap": 150.0}.get(g("monologues"), 75.0)
    steps = {"strength": 4, "gap": 0}.get(g("objection_handling"))
    objections = [] if steps is None else [{
        "start": 900.0, "speaker": "Buyer", "text": "It is too expensive for us.", "category": "budget",
        "handling": {k: i < steps for i, k in enumerate(("acknowledge", "empathize", "clarify", "reframe"))},
        "response_text": "I hear you."}]
    cov_n = {"strength": 6, "gap": 2}.get(g("discovery_coverage"), 4)
    six = ["problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction"]
    mt = g("multithreading")
    cov = {k: ([250.0 + i] if i < cov_n else []) for i, k in enumerate(six)}
    cov["stakeholders"] = [260.0] if mt == "strength" or (mt is None and cov_n > 3) else []
    if mt == "gap":
        cov["stakeholders"] = []
    med = {k: [] for k in ("metrics", "economic_buyer", "decision_criteria", "decision_process", "paper_process",
                           "pain", "champion", "competition")}
    med["decision_process"] = [270.0] if mt == "strength" else []
    med["pain"] = [210.0]
    pitch = {"strength": 0.7 * DUR, "gap": 0.2 * DUR}.get(g("early_pitch"))
    ns = g("next_steps")
    return {
        "call": {"id": call_id, "source": f"{call_id}.vtt", "duration_s": DUR, "reps": ["Rep"], "type": call_type},
        "speakers": [{"name": "Rep", "role": "rep", "talk_s": share * DUR, "words": 100, "talk_share": share},
                     {"name": "Buyer", "role": "buyer", "talk_s": (1 - share) * DUR, "words": 100,
                      "talk_share": 1 - share}],
        "metrics": {"rep_talk_share": share, "longest_rep_monologue_s": mono, "longest_buyer_story_s": 80.0,
                    "interactivity": 3.0, "patience_s": 1.0, "rep_questions": len(qs), "questions_per_hour": 30.0,
                    "longest_rep_monologue": {"start": 600.0, "quote": "Let me walk you through the platform."},
                    "longest_buyer_story": {"start": 220.0, "quote": "We lose ten hours a week on this."}},
        "questions": qs, "objections": objections,
        "upfront_contract": {"present": g("upfront_contract") == "strength", "start": 30.0,
                             "quote": "Here is the plan for our thirty minutes."},
        "first_pitch_s": pitch, "first_pitch": {"quote": "Let me show you our dashboard."} if pitch else None,
        "next_step": {"committed": ns != "gap", "start": 1700.0, "has_date": ns != "gap",
                      "has_owner": True, "text": "Let's meet Tuesday at ten." if ns != "gap" else "Let's stay in touch."},
        "discovery_coverage": cov, "meddpicc": med, "moments": [],
    }


CFG = load_config()


# -- signals --------------------------------------------------------------------------------

@pytest.mark.parametrize("signal", SIGNALS)
@pytest.mark.parametrize("polarity", ["strength", "gap"])
def test_each_signal_follows_its_definition(signal, polarity):
    def quote_at(t, role=None):  # stands in for the stored transcript
        return f"what was said at {t}", "Buyer"
    v = {x.signal: x for x in judge(fake_report({signal: polarity}), CFG, quote_at)}[signal]
    assert v.verdict == polarity, (v.detail, v.value)
    assert v.evidence and all(e["quote"] for e in v.evidence), signal


def test_thresholds_at_the_boundaries():
    def verdict(signal, **metrics):
        r = fake_report({})
        r["metrics"].update(metrics)
        return {x.signal: x.verdict for x in judge(r, CFG)}[signal]
    assert verdict("talk_ratio", rep_talk_share=0.45) == "strength"
    assert verdict("talk_ratio", rep_talk_share=0.55) == "neutral"
    assert verdict("talk_ratio", rep_talk_share=0.551) == "gap"
    assert verdict("monologues", longest_rep_monologue_s=60.0) == "strength"
    assert verdict("monologues", longest_rep_monologue_s=90.0) == "neutral"
    assert verdict("monologues", longest_rep_monologue_s=90.5) == "gap"


def test_discovery_only_signals_do_not_apply_elsewhere():
    v = {x.signal: x.verdict for x in judge(fake_report({"early_pitch": "gap", "multithreading": "gap",
                                                         "implication_questions": "gap"}, call_type="demo"), CFG)}
    assert v["early_pitch"] == v["multithreading"] == v["implication_questions"] == "not_applicable"
    assert v["discovery_coverage"] == v["question_count"] == "not_applicable"
    assert v["objection_handling"] == "not_applicable"  # no objections in the call
    no_rep = fake_report({})
    no_rep["call"]["reps"] = []
    assert {x.verdict for x in judge(no_rep, CFG)} == {"not_applicable"}


def test_config_file_overrides_thresholds(tmp_path):
    f = tmp_path / "salescoach.toml"
    f.write_text("[thresholds]\ntalk_share_strength = 0.30\n[observations]\nmin_share = 0.75\n")
    cfg = load_config(f)
    assert cfg.t("talk_share_strength") == 0.30 and cfg.o("min_share") == 0.75 and cfg.o("min_calls") == 2
    v = {x.signal: x.verdict for x in judge(fake_report({"talk_ratio": "strength"}), cfg)}
    assert v["talk_ratio"] == "neutral"  # 35% is no longer a strength
    j = tmp_path / "c.json"
    j.write_text(json.dumps({"thresholds": {"talk_shar_strength": 0.3}}))
    with pytest.raises(SalescoachError, match="unknown thresholds"):
        load_config(j)


def test_retain_yields_typed_findings_with_provenance():
    fs = retain(fake_report({"objection_handling": "gap", "discovery_coverage": "strength"}), CFG,
                [{"start": 250.0, "role": "buyer", "speaker": "Buyer", "text": "Our reporting is broken."}])
    kinds = {f["kind"] for f in fs}
    assert kinds == {"discovery", "coaching", "quality"}
    disc = {f["type"]: f for f in fs if f["kind"] == "discovery"}
    assert disc["problem"]["quote"] == "Our reporting is broken." and disc["problem"]["start"] == 250.0
    assert disc["objection"]["data"]["category"] == "budget" and "budget" in disc
    coaching = [f for f in fs if f["kind"] == "coaching"]
    assert [f["signal"] for f in coaching] == list(SIGNALS)
    qual = {f["type"]: f["value"] for f in fs if f["kind"] == "quality"}
    assert qual["rep_talk_share"] == 0.5 and qual["implication_questions"] == 2


def test_note_keywords():
    assert set(link_note("Too much talking, and the pitch came at minute five.", CFG)) == {"talk_ratio", "early_pitch"}
    assert link_note("Great energy today.", CFG) == {}


# -- consolidation ----------------------------------------------------------------------------

def store_report(repo, report: dict, rep: str, n: int) -> int:
    report = json.loads(json.dumps(report))
    report["call"]["id"] = f"{rep}-{n}"
    sha = hashlib.sha256(json.dumps(report, sort_keys=True).encode()).hexdigest()
    return repo.store_call(sha256=sha, report=report, segments=[], findings=retain(report, CFG), rep_names=[rep]).id


def obs_set(repo, rep=None) -> set[tuple]:
    return {(o["rep"], o["signal"], o["polarity"]) for o in observations(repo, rep)}


def test_one_call_never_makes_an_observation(store_url):
    repo = open_store(store_url)
    store_report(repo, fake_report({"talk_ratio": "gap", "next_steps": "strength"}), "Dana Ruiz", 0)
    consolidate(repo, CFG)
    assert observations(repo) == []
    repo.close()


def test_promotion_needs_two_calls_and_sixty_percent(store_url):
    repo = open_store(store_url)
    for i, p in enumerate(["gap", "gap", "strength", "strength"]):  # 2 of 4 = 50%: nothing
        store_report(repo, fake_report({"talk_ratio": p}), "Dana Ruiz", i)
    consolidate(repo, CFG)
    assert not {o for o in obs_set(repo) if o[1] == "talk_ratio"}
    store_report(repo, fake_report({"talk_ratio": "gap"}), "Dana Ruiz", 9)  # 3 of 5 = 60%
    consolidate(repo, CFG)
    [o] = [o for o in observations(repo) if o["signal"] == "talk_ratio"]
    assert (o["scope"], o["rep"], o["polarity"], o["proof_count"]) == ("rep", "Dana Ruiz", "gap", 3)
    assert len(o["calls"]) == 3 and o["evidence"][0]["quote"] and o["first_seen"] <= o["last_seen"]
    assert set(o) >= {"scope", "rep", "signal", "polarity", "statement", "proof_count", "calls", "evidence",
                      "first_seen", "last_seen"}
    repo.close()


def test_update_in_place_retire_and_revive(store_url):
    repo = open_store(store_url)
    for i in range(3):
        store_report(repo, fake_report({"next_steps": "strength"}), "Eli Brandt", i)
    consolidate(repo, CFG)
    assert ("Eli Brandt", "next_steps", "strength") in obs_set(repo)
    assert consolidate(repo, CFG) == []  # nothing changed: nothing written
    for i in range(3, 6):  # later evidence: 3 of 6 = 50% -> retired
        store_report(repo, fake_report({"next_steps": "gap"}), "Eli Brandt", i)
        consolidate(repo, CFG)
    assert not {o for o in obs_set(repo) if o[1] == "next_steps"}
    for i in range(6, 9):  # 3 strength of 9 vs 6 gap of 9 = 67% -> the gap is now the habit
        store_report(repo, fake_report({"next_steps": "gap"}), "Eli Brandt", i)
    consolidate(repo, CFG)
    assert ("Eli Brandt", "next_steps", "gap") in obs_set(repo)
    with repo.session() as s:
        keys = s.scalars(select(m.Observation.key)).all()
        assert len(keys) == len(set(keys))  # never duplicated
    hist = {o["polarity"]: [h["change"] for h in o["history"]]
            for o in observations(repo, include_retired=True, history=True) if o["signal"] == "next_steps"}
    assert hist["strength"][0] == "created" and hist["strength"][-1] == "retired"
    assert hist["gap"] == ["created"]
    for i in range(9, 20):  # the rep turns it around: the gap retires, the strength comes back
        store_report(repo, fake_report({"next_steps": "strength"}), "Eli Brandt", i)
    consolidate(repo, CFG)
    hist = {o["polarity"]: [h["change"] for h in o["history"]]
            for o in observations(repo, include_retired=True, history=True) if o["signal"] == "next_steps"}
    assert hist["strength"][-1] == "revived" and hist["gap"][-1] == "retired"
    repo.close()


def test_floor_needs_two_reps(store_url):
    repo = open_store(store_url)
    for rep in ("Fay Lund", "Gus Moreau"):
        for i in range(2):
            store_report(repo, fake_report({"monologues": "gap"}), rep, i)
    for i in range(2):
        store_report(repo, fake_report({"upfront_contract": "strength", "monologues": "gap"}), "Fay Lund", 10 + i)
    consolidate(repo, CFG)
    floor = {(o["signal"], o["polarity"]): o for o in observations(repo) if o["scope"] == "floor"}
    assert ("monologues", "gap") in floor and floor[("monologues", "gap")]["rep"] is None
    assert floor[("monologues", "gap")]["proof_count"] == 6
    assert ("upfront_contract", "strength") not in floor
    repo.close()


# -- planted habits ---------------------------------------------------------------------------

def plant(rnd: random.Random, reps: list[str], calls: int):
    """Every rep: 4 habits (same polarity in every call) and 2 slips (one call each, against the baseline).

    The truth is read off each call's verdicts: habits = (rep, signal, polarity) in every one of the
    rep's calls; one-offs = a polarity that appears in exactly one of the rep's calls."""
    plans, designed = {}, set()
    shared = rnd.choice(SIGNALS), rnd.choice(["strength", "gap"])  # one habit the whole floor has
    for rep in reps:
        sigs = list(SIGNALS)
        rnd.shuffle(sigs)
        hab = {shared[0]: shared[1]}
        for s in sigs:  # up to 4 habits that can hold together (some signals share inputs)
            if len(hab) < 4 and s not in hab:
                trial = {**hab, s: rnd.choice(["strength", "gap"])}
                got = {v.signal: v.verdict for v in judge(fake_report(trial), CFG)}
                if all(got[h] == p for h, p in trial.items()):
                    hab = trial
        base = {v.signal: v.verdict for v in judge(fake_report(hab), CFG)}
        free = [s for s in sigs if s not in hab]
        rows = [dict(hab) for _ in range(calls)]
        k = 0
        for s in free:  # a slip must not break the call's habits (some signals share inputs)
            if k == 2:
                break
            trial = {**hab, s: "gap" if base[s] == "strength" else "strength"}
            got = {v.signal: v.verdict for v in judge(fake_report(trial), CFG)}
            if all(got[h] == p for h, p in hab.items()):
                rows[k] = trial
                k += 1
        designed |= {(rep, s, p) for s, p in hab.items()}
        plans[rep] = rows
    habits, one_offs = set(), set()
    for rep, rows in plans.items():
        seen: dict[tuple, int] = {}
        for plan in rows:
            for v in judge(fake_report(plan), CFG):
                if v.verdict in ("strength", "gap"):
                    seen[(rep, v.signal, v.verdict)] = seen.get((rep, v.signal, v.verdict), 0) + 1
        habits |= {k for k, n in seen.items() if n == len(rows)}
        one_offs |= {k for k, n in seen.items() if n == 1}
    assert designed <= habits and len(one_offs) >= len(reps)
    return plans, habits, one_offs, shared


@pytest.mark.parametrize("seed", range(4))
def test_planted_habits_in_reports(store_url, seed):
    rnd = random.Random(seed)
    reps = ["Hana Ito", "Ivan Petrov", "Jade Moss"]
    plans, habits, slips, shared = plant(rnd, reps, calls=5)
    repo = open_store(store_url)
    for rep, rows in plans.items():
        for i, plan in enumerate(rows):
            store_report(repo, fake_report(plan), rep, i)
    consolidate(repo, CFG)
    got = obs_set(repo)
    assert habits <= got, habits - got
    assert not (slips & got), slips & got
    assert (None, *shared) in got  # shared by all three reps -> a floor observation
    before = len(observations(repo, include_retired=True))
    assert consolidate(repo, CFG) == [] and len(observations(repo, include_retired=True)) == before
    repo.close()


def test_planted_habits_end_to_end(store_url, tmp_path):
    """Generated transcripts through the whole engine: ingest, retain, consolidate."""
    plans = team_plans(calls_per_rep=4)
    repo = open_store(store_url)
    habits, slips = set(), set()
    for r, (rep, rows) in enumerate(plans.items()):
        folder = tmp_path / rep.split()[0]
        folder.mkdir()
        for i, plan in enumerate(rows):
            (folder / f"call{i}.vtt").write_text(make_call(rep, BUYERS[i], plan, seed=10 * r + i), encoding="utf-8")
        res = ingest_paths(repo, [str(folder)], reps=[rep], call_type="discovery")
        assert [x.status for x in res.results] == ["stored"] * len(rows)
        habits |= {(rep, s, p) for s, p in TEAM[rep]["habits"].items()}
        slips |= {(rep, s, p) for slip in TEAM[rep]["slips"] for s, p in slip.items()}
    got = obs_set(repo)
    assert habits <= got, habits - got
    assert not (slips & got), slips & got
    floor = {(s, p) for rep, s, p in got if rep is None}
    assert ("upfront_contract", "strength") in floor and ("talk_ratio", "strength") in floor
    r = CliRunner().invoke(app, ["observations", "--rep", "Ava Stone", "--format", "json", "--db", store_url])
    data = json.loads(r.stdout)
    assert {(o["signal"], o["polarity"]) for o in data if o["scope"] == "rep"} >= {("talk_ratio", "gap"),
                                                                                  ("monologues", "gap")}
    assert all(e["quote"] for o in data for e in o["evidence"])
    md = CliRunner().invoke(app, ["observations", "--db", store_url]).stdout
    assert "Ava Stone" in md and "Across the floor" in md
    with repo.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Call)) == 12
    repo.close()


def test_dev_calls_expected_observations(shared_data, tmp_path):
    """../shared/data/calls: the labelled example team. Forbidden observations must never appear;
    required ones depend on the analyzers' detection (reported, xfail while they are missing)."""
    d = shared_data / "calls"
    roster = json.loads((d / "roster.json").read_text())
    expected = json.loads((d / "expected_observations.json").read_text())
    repo = open_store(f"sqlite:///{tmp_path / 'dev.db'}")
    for cid, info in sorted(roster.items()):
        res = ingest_paths(repo, [str(d / f"{cid}.vtt")], reps=[info["rep"]], call_type=info["call_type"])
        assert res.results[0].status == "stored", res.results[0].error
    got = obs_set(repo)
    repo.close()
    required = {tuple(x) for x in expected["required"]}
    forbidden = {tuple(x) for x in expected["forbidden"]}
    assert not (forbidden & got), forbidden & got
    missing = required - got
    print(f"dev calls: {len(required) - len(missing)}/{len(required)} required observations, "
          f"{len(forbidden & got)} forbidden; missing: {sorted(missing)}")
    if missing:
        pytest.xfail(f"required observations not yet found (analyzer detection): {sorted(missing)}")


def test_rederive_after_changing_thresholds(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    repo = open_store(db)
    for i in range(3):
        store_report(repo, fake_report({"talk_ratio": "strength"}), "Kim Lee", i)
    consolidate(repo, CFG)
    assert ("Kim Lee", "talk_ratio", "strength") in obs_set(repo)
    repo.close()
    cfg = tmp_path / "strict.toml"
    cfg.write_text("[thresholds]\ntalk_share_strength = 0.30\n")
    r = CliRunner().invoke(app, ["consolidate", "--rederive", "--config", str(cfg), "--db", db])
    assert r.exit_code == 0 and "rep:1:talk_ratio:strength retired" in r.stdout
    repo = open_store(db)
    assert ("Kim Lee", "talk_ratio", "strength") not in obs_set(repo)
    repo.close()


def test_untimed_call_coverage_verdicts_use_coverage_found():
    """Untimed calls have no coverage times: the verdicts must read coverage_found / coverage_evidence."""
    six = ["problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction"]
    ev = {k: [{"start": None, "quote": f"buyer says {k}", "speaker": "Bo", "segment": i}] for i, k in enumerate(six)}
    ev["decision_process"] = [{"start": None, "quote": "legal then the CFO", "speaker": "Bo", "segment": 9}]
    report = {
        "call": {"id": "u", "reps": ["Ann"], "type": "discovery", "duration_s": None},
        "speakers": [], "metrics": {}, "questions": [], "objections": [], "moments": [],
        "upfront_contract": {"present": False, "start": None}, "first_pitch_s": None,
        "next_step": {"committed": False, "start": None, "has_date": False, "has_owner": False, "text": None},
        "discovery_coverage": {k: [] for k in six}, "meddpicc": {"decision_process": []},
        "coverage_found": {**{k: True for k in six}, "decision_process": True}, "coverage_evidence": ev,
    }
    v = {x.signal: x for x in judge(report, load_config())}
    assert v["discovery_coverage"].verdict == "strength"
    assert v["multithreading"].verdict == "strength"
    assert any(e["quote"] == "legal then the CFO" for e in v["multithreading"].evidence)


def test_situation_overload_is_a_share_of_the_business_questions():
    """Rapport, logistics and checks ("other") do not dilute the share: five situation questions among seven
    business questions overload the call however many scheduling questions come with them."""
    r = fake_report({})
    r["questions"] = ([q("situation", f"How many trucks run route {i}?", start=60.0 + i) for i in range(5)]
                      + [q("problem", "Where does it break down?", start=200.0),
                         q("implication", "What does that cost you?", start=210.0)]
                      + [q("other", f"Does Tuesday at {i} work?", start=900.0 + i) for i in range(8)])
    r["metrics"]["rep_questions"] = len(r["questions"])
    v = {x.signal: x for x in judge(r, CFG)}["situation_overload"]
    assert v.verdict == "gap" and "of the rep's business questions" in v.detail
