"""Recall latency at scale: p50 / p95 of `salescoach.memory.recall.recall()` over N generated findings.

    python bench/bench_recall.py [--sizes 100000,1000000] [--queries 60] [--db URL] [--time-box 900]

Findings are generated straight into a fresh SQLite store (no transcript analysis): calls spread
over 20 reps and two years, ~40 findings per call, texts and quotes built from phrase banks like
real findings (buyer pains, budget and timing objections, coaching verdicts, quality numbers),
recombined at random so that the keyword index sees a realistic spread of terms. The recall
index is then built by `recall.sync()` (embedding every item: its rate is reported too). For each
size the queries (a fixed mix: keyword-like and paraphrased, a third filtered by rep, a sixth by
date) are timed end to end in one process, as a long-running service would serve them: catch-up
check, keyword search, semantic search, fusion and reading the hits back with their provenance.
The first query after a size is reached loads the vectors and builds the IVF index: that one-off
cost is reported separately (`cold_load_s`), not in the percentiles; `load_from_file_copy_s` is
what a new process (a CLI call) pays instead once the file copy of the vectors exists.
With --db naming an existing bench store, generation carries on from what it holds.
Generation stops at --time-box seconds; the figures then say which size was actually reached.
Wall-clock latencies depend on what else the machine runs; `cpu_p95_ms` (CPU time of this
process per query; numpy may use a second core) is the steadier figure on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from salescoach.memory import recall as R
from salescoach.store import models as m
from salescoach.store import open_store

THINGS = ["scheduling", "dispatch", "invoicing", "reporting", "onboarding", "forecasting", "routing", "approvals",
          "renewals", "inventory", "payroll", "billing", "support tickets", "field visits", "quotes", "contracts"]
TEAMS = ["finance", "ops", "sales", "field", "support", "procurement", "IT", "customer success"]
GOALS = ["Q3 board meeting", "annual plan", "expansion into Texas", "renewal season", "audit", "new CRM rollout"]
PEOPLE = ["CFO", "VP of operations", "head of IT", "procurement lead", "COO", "regional manager", "owner"]
QUOTES = [
    "Honestly {thing} is a mess right now, we do most of it in spreadsheets.",
    "We lose about {n} hours a week on {thing}, and it gets worse as we grow.",
    "The {team} team is frustrated because they never know which numbers are right.",
    "Our {person} wants this sorted before the {goal}.", "We don't have budget for this until next year.",
    "We're also looking at another vendor that is quite a bit cheaper.", "I'm not sure now is the right time.",
    "I'd need to run this by our {person} before we commit to anything.",
    "We tried something like this two years ago and it flopped.",
    "Nobody owns {thing} end to end, so problems bounce between teams.",
    "Last quarter the {thing} delays cost us {n} customers.",
    "If {thing} keeps slipping we will miss the {goal}.",
    "The {person} signs off on anything above {n} thousand.",
    "We export everything on Monday and reconcile {thing} by hand.",
    "Our current tool for {thing} crashes whenever the {team} team runs month-end.",
]
DISC = ["problem", "root_cause", "impact", "stakeholders", "why_now", "cost_of_inaction", "budget", "objection",
        "pain", "decision_process", "economic_buyer", "competition", "metrics"]
SIGNALS = ["talk_ratio", "monologues", "early_pitch", "implication_questions", "need_payoff_questions",
           "situation_overload", "question_count", "objection_handling", "next_steps", "multithreading",
           "pain_funnel", "discovery_coverage", "upfront_contract"]
COACH = {
    "talk_ratio": "rep talk share {n}%", "monologues": "longest rep monologue {n} s",
    "early_pitch": "first pitch at {n}% of the call", "implication_questions": "{k} implication questions",
    "need_payoff_questions": "{k} need-payoff questions", "situation_overload": "{k} situation questions in a row",
    "question_count": "{k} business questions", "objection_handling": "objection responses average {k} AECR steps",
    "next_steps": "next step without a date", "multithreading": "stakeholders explored, decision process not",
    "pain_funnel": "deepest pain-funnel level {k}", "discovery_coverage": "{k} of 6 discovery must-knows covered",
    "upfront_contract": "no agenda or time agreed at the start",
}
QUERIES = [
    "budget next year", "no money until the audit", "they cannot afford it right now", "cheaper competitor",
    "another vendor is less expensive", "spreadsheets reconciled by hand", "manual data entry every week",
    "CFO has to approve", "who signs off on the purchase", "rep talks too much", "long monologue",
    "pitched too early", "no next step booked", "implication questions", "asked about the cost of the problem",
    "dispatch delays lost customers", "scheduling is a mess", "board meeting deadline", "timing objection",
    "not the right time", "decision process unclear", "nobody owns the process", "tool crashes at month end",
    "hours lost every week", "renewal season pressure", "pain funnel depth", "upfront contract missing",
    "objection handling AECR", "head of IT involved", "expansion into Texas",
]


def gen_batch(rnd: random.Random, call_ids: list[int], rep_of: dict[int, int], when_of: dict[int, datetime],
              per_call: int) -> list[dict]:
    rows = []
    for cid in call_ids:
        for j in range(per_call):
            fill = {"thing": rnd.choice(THINGS), "team": rnd.choice(TEAMS), "goal": rnd.choice(GOALS),
                    "person": rnd.choice(PEOPLE), "n": rnd.randint(2, 90), "k": rnd.randint(0, 6)}
            r = rnd.random()
            if r < 0.45:
                typ = rnd.choice(DISC)
                row = {"kind": "discovery", "type": typ, "signal": None, "verdict": None, "value": None,
                       "text": f"{typ.replace('_', ' ')} came up", "quote": rnd.choice(QUOTES).format(**fill)}
            elif r < 0.8:
                sig = rnd.choice(SIGNALS)
                row = {"kind": "coaching", "type": sig, "signal": sig,
                       "verdict": rnd.choice(["strength", "gap", "neutral"]), "value": float(fill["n"]),
                       "text": COACH[sig].format(**fill), "quote": rnd.choice(QUOTES).format(**fill)}
            else:
                row = {"kind": "quality", "type": "rep_talk_share", "signal": None, "verdict": None,
                       "value": fill["n"] / 100, "text": f"rep talk share {fill['n']}%", "quote": None}
            row.update(call_id=cid, rep_id=rep_of[cid], start=float(rnd.randint(0, 2700)), speaker="Buyer",
                       data=None, occurred_at=when_of[cid])
            rows.append(row)
    return rows


def grow(repo, target: int, state: dict, rnd: random.Random, per_call: int = 40, deadline: float = 1e18) -> int:
    """Add calls + findings until the store holds `target` findings (or the deadline passes)."""
    while state["findings"] < target and time.time() < deadline:
        n_calls = min(500, (target - state["findings"] + per_call - 1) // per_call)
        with repo.session() as s:
            calls = []
            for _ in range(n_calls):
                state["calls"] += 1
                k = state["calls"]
                when = datetime(2025, 1, 1) + timedelta(minutes=rnd.randint(0, 2 * 365 * 24 * 60))
                calls.append({"sha256": f"{k:064x}", "source": f"gen/call{k}.vtt", "call_key": f"call{k}",
                              "format": "vtt", "call_type": "discovery", "started_at": when, "duration_s": 1800.0,
                              "ingested_at": when, "rep_id": state["reps"][k % len(state["reps"])],
                              "account_id": None, "deal_id": None})
            s.execute(insert(m.Call.__table__), calls)
            first = state["calls"] - n_calls + 1
            ids = list(range(first, state["calls"] + 1))
            rep_of = {c: state["reps"][c % len(state["reps"])] for c in ids}
            when_of = {c: calls[c - first]["started_at"] for c in ids}
            rows = gen_batch(rnd, ids, rep_of, when_of, per_call)
            s.execute(insert(m.Finding.__table__), rows)
            state["findings"] += len(rows)
    return state["findings"]


def pct(xs, p):
    return float(np.percentile(np.array(xs) * 1000, p))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--db", default=None)
    ap.add_argument("--time-box", type=float, default=900, help="seconds for generating + indexing, all sizes")
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="salescoach-recall-bench-"))
    rnd = random.Random(a.seed)
    deadline = time.time() + a.time_box
    results = []
    try:
        url = a.db or f"sqlite:///{tmp / 'recall.db'}"
        repo = open_store(url)
        with repo.session() as s:
            reps = [repo.rep(s, f"Rep {i:02d}").id for i in range(20)]
        with repo.session() as s:  # an existing --db: carry on from what it holds
            from sqlalchemy import func, select
            state = {"calls": s.scalar(select(func.max(m.Call.id))) or 0,
                     "findings": s.scalar(select(func.count()).select_from(m.Finding)) or 0, "reps": reps}
        gen_s = index_s = 0.0
        indexed = 0
        for size in sizes:
            t0 = time.perf_counter()
            grow(repo, size, state, rnd, deadline=deadline)
            gen_s += time.perf_counter() - t0
            t0 = time.perf_counter()
            done = R.sync(repo)
            index_s += time.perf_counter() - t0
            indexed += done["findings"]
            t0 = time.perf_counter()
            R.recall(repo, "warm up the index", limit=10)
            cold = time.perf_counter() - t0
            qs = []
            for i in range(a.queries):
                q = QUERIES[i % len(QUERIES)]
                kw: dict = {}
                if i % 3 == 1:
                    kw["rep"] = f"Rep {i % 20:02d}"
                if i % 6 == 2:
                    kw["since"] = datetime(2026, 6, 1)
                qs.append((q, kw))
            lat, cpu, kw_lat, sem_lat, nhits = [], [], [], [], []
            for q, kw in qs:
                t0, c0 = time.perf_counter(), time.process_time()
                hits = R.recall(repo, q, limit=10, **kw)
                lat.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                nhits.append(len(hits))
            vi = R.vector_index(repo)
            path = R.cache_path(repo)
            if path:  # a new process: vectors from the file copy
                R._CACHE.clear()
                t0 = time.perf_counter()
                vi = R.vector_index(repo)
                from_file = round(time.perf_counter() - t0, 2)
            else:
                from_file = None
            with repo.session() as s:  # the two halves on their own (unfiltered)
                for q, _ in qs:
                    t0 = time.perf_counter()
                    R.keyword_search(s, R.query_words(q), R.DEPTH)
                    kw_lat.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    vi.search(R.embed.embed([q])[0], R.DEPTH)
                    sem_lat.append(time.perf_counter() - t0)
            res = {"findings": state["findings"], "recall_items": len(vi), "calls": state["calls"],
                   "queries": len(qs), "p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1),
                   "max_ms": round(max(lat) * 1000, 1), "cpu_p50_ms": round(pct(cpu, 50), 1),
                   "cpu_p95_ms": round(pct(cpu, 95), 1), "keyword_p95_ms": round(pct(kw_lat, 95), 1),
                   "semantic_p95_ms": round(pct(sem_lat, 95), 1), "mean_hits": round(float(np.mean(nhits)), 1),
                   "cold_load_s": round(cold, 1), "load_from_file_copy_s": from_file, "ivf": vi.ivf is not None,
                   "vector_memory_mb": round(vi.mat.nbytes / 1e6), "target_p95_ms": 50,
                   "met": pct(lat, 95) < 50}
            results.append(res)
            print(json.dumps(res), file=sys.stderr)
            if time.time() > deadline:
                break
        import os
        out = {"store": url.split(":")[0], "load_average_1m": round(os.getloadavg()[0], 1), "embedding": R.embed.model_id(), "generate_s": round(gen_s, 1),
               "index_s": round(index_s, 1), "index_items_per_s": round(indexed / index_s) if index_s else None,
               "sizes": results}
        if results and results[-1]["findings"] < sizes[-1]:
            out["note"] = f"time box reached at {results[-1]['findings']} findings"
        print(json.dumps(out, indent=2))
        repo.close()
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # (an explicit --db is left in place)


if __name__ == "__main__":
    raise SystemExit(main())
