"""Coaching deliverables at floor scale: a plan and a 1:1 agenda for every rep, a prep brief for every deal.

    python bench/bench_coaching.py [--reps 50] [--calls 5000] [--deals 2000] [--keep DIR]

Builds the floor with bench/gen_team.py (generated transcripts, Salesforce opportunities, contacts with
buying roles, yearly quotas), stores it (ingest with call type, account, deal and date per call; CRM,
contact and quota import; one consolidation), then times each deliverable over every rep or deal, in
one process, on the SQLite store. Set-up time is reported separately from the deliverables.
With `--keep DIR` the generated floor and its store stay in DIR and are reused by the next run.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_team import generate  # noqa: E402

from salescoach.store import open_store  # noqa: E402

AS_OF = date(2026, 11, 20)


def build(folder: Path, a) -> tuple[str, dict]:
    from salescoach.coaching.quotas import import_csv as import_quotas
    from salescoach.crm.contacts import import_file as import_contacts
    from salescoach.crm.importer import import_paths
    from salescoach.memory.config import load_config
    from salescoach.memory.consolidate import consolidate
    from salescoach.memory.ingest import ingest_paths

    db = folder / "floor.db"
    url = f"sqlite:///{db}"
    if db.exists():
        return url, {}
    t0 = time.perf_counter()
    generate(folder, a.reps, a.calls, a.deals, a.seed, today=AS_OF)
    times = {"generate": time.perf_counter() - t0}
    repo = open_store(url)
    t0 = time.perf_counter()
    import_paths(repo, [str(folder / "crm" / "opportunities.csv")], as_of=AS_OF)
    import_contacts(repo, folder / "crm" / "contacts.csv")
    import_quotas(repo, str(folder / "crm" / "quotas.csv"))
    times["crm import"] = time.perf_counter() - t0
    with open(folder / "calls" / "index.csv") as f:
        rows = list(csv.DictReader(f))
    t0 = time.perf_counter()
    cfg = load_config()
    for i, r in enumerate(rows):
        kind = r["file"].rsplit("-", 1)[1].removesuffix(".txt")
        ingest_paths(repo, [str(folder / "calls" / r["file"])], reps=[r["rep"]], account=r["account"], deal=r["deal"],
                     call_type=kind, date=datetime.fromisoformat(r["date"] + "T10:00"), cfg=cfg, do_consolidate=False)
        if (i + 1) % 500 == 0:
            print(f"  ingested {i + 1}/{len(rows)} calls ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    times["ingest"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    consolidate(repo, cfg)
    times["consolidate"] = time.perf_counter() - t0
    repo.close()
    return url, times


def timed(label: str, items: list, fn) -> dict:
    per: list[float] = []
    failed = 0
    t0 = time.perf_counter()
    for it in items:
        t = time.perf_counter()
        try:
            fn(it)
        except Exception as e:  # a deliverable that fails on generated data is a bug: count and show it
            failed += 1
            if failed <= 3:
                print(f"  {label} {it!r}: {type(e).__name__}: {e}", file=sys.stderr)
        per.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    per.sort()
    return {"what": label, "n": len(items), "total_s": round(total, 1),
            "median_ms": round(1000 * statistics.median(per), 1) if per else None,
            "p95_ms": round(1000 * per[int(0.95 * (len(per) - 1))], 1) if per else None, "failed": failed}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--deals", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--keep", default=None, help="folder to keep (and reuse) the generated floor and store in")
    a = ap.parse_args()
    folder = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="salescoach-coaching-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return run(folder, a)
    finally:
        if not a.keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, a) -> int:
    url, setup = build(folder, a)
    print(f"floor: {a.reps} reps, {a.calls} calls, {a.deals} deals in {folder}")
    for k, v in setup.items():
        print(f"  set-up {k}: {v:.1f} s")

    from salescoach.coaches import network
    from salescoach.coaching.agenda import agenda
    from salescoach.coaching.plan import build_plan
    from salescoach.prep import build_prep
    from salescoach.store import models as m

    repo = open_store(url)
    with repo.session() as s:
        reps = sorted(s.scalars(m.Rep.__table__.select().with_only_columns(m.Rep.name)))
        deals = sorted(s.scalars(m.Deal.__table__.select().with_only_columns(m.Deal.external_id)))
        accounts = sorted(s.scalars(m.Account.__table__.select().with_only_columns(m.Account.name)))
    results = [
        timed("plan (every rep)", reps, lambda r: build_plan(repo, r, as_of=AS_OF)),
        timed("agenda (every rep)", reps, lambda r: agenda(repo, r, week=AS_OF)),
        timed("prep (every deal)", deals, lambda d: build_prep(repo, deal=d)),
        timed("coaches (every account)", accounts, lambda acc: network(repo, acc, as_of=AS_OF)),
    ]
    print(f"{'deliverable':<26} {'n':>6} {'total s':>8} {'median ms':>10} {'p95 ms':>8} {'failed':>6}")
    for r in results:
        print(f"{r['what']:<26} {r['n']:>6} {r['total_s']:>8} {r['median_ms']:>10} {r['p95_ms']:>8} {r['failed']:>6}")
    everything = sum(r["total_s"] for r in results[:3])
    print(f"plan + agenda for every rep and prep for every deal: {everything:.1f} s")
    return 1 if any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
