"""CRM benchmark: import N generated opportunities (the four-file data set layout), re-import them with
10% of the stages moved, then pipeline stats and pipeline reviews over them. Prints wall times.

    .venv/bin/python bench/bench_crm.py                 # 1,000,000 opportunities, SQLite file in a temp dir
    .venv/bin/python bench/bench_crm.py --n 100000
    .venv/bin/python bench/bench_crm.py --pg            # a throwaway PostgreSQL server (tests/pg_fixture.py)
    .venv/bin/python bench/bench_crm.py --db postgresql://user@host/db

The data is synthetic (seeded): 200 reps under 20 managers in 4 regions, 5,000 accounts (some deals
without one), 7 products (some spelled "GTXPro"), stages Won / Lost / Engaging / Prospecting.
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = [("GTX Basic", "GTX", 550), ("GTX Pro", "GTX", 4821), ("MG Special", "MG", 55), ("MG Advanced", "MG", 3393),
            ("GTX Plus Pro", "GTX", 5482), ("GTX Plus Basic", "GTX", 1096), ("GTK 500", "GTK", 26768)]
SECTORS = ["technolgy", "medical", "retail", "software", "finance", "marketing", "services", "entertainment"]


def generate(folder: Path, n: int, seed: int = 7, moved: float = 0.0) -> None:
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    regions = ["Central", "East", "West", "North"]
    managers = [f"Manager {i:02d}" for i in range(20)]
    reps = [f"Rep {i:03d}" for i in range(200)]
    with open(folder / "sales_teams.csv", "w") as f:
        f.write("sales_agent,manager,regional_office\n")
        for i, r in enumerate(reps):
            f.write(f"{r},{managers[i % 20]},{regions[i % 20 % 4]}\n")
    with open(folder / "products.csv", "w") as f:
        f.write("product,series,sales_price\n" + "".join(f"{p},{s},{v}\n" for p, s, v in PRODUCTS))
    accounts = [f"Account {i:04d}" for i in range(5000)]
    with open(folder / "accounts.csv", "w") as f:
        f.write("account,sector,year_established,revenue,employees,office_location,subsidiary_of\n")
        for a in accounts:
            f.write(f"{a},{rnd.choice(SECTORS)},{rnd.randint(1970, 2015)},{rnd.uniform(10, 5000):.2f},"
                    f"{rnd.randint(10, 20000)},United States,\n")
    start = date(2016, 1, 1)
    mv = random.Random(seed + 1)
    with open(folder / "sales_pipeline.csv", "w") as f:
        f.write("opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n")
        for i in range(n):
            p, _, price = PRODUCTS[rnd.randrange(7)]
            pname = "GTXPro" if p == "GTX Pro" and rnd.random() < 0.5 else p
            acc = "" if rnd.random() < 0.16 else accounts[rnd.randrange(5000)]
            x = rnd.random()
            stage = "Won" if x < 0.48 else "Lost" if x < 0.76 else "Engaging" if x < 0.94 else "Prospecting"
            if moved and stage in ("Engaging", "Prospecting") and mv.random() < moved:
                stage = "Won" if stage == "Engaging" else "Engaging"
            eng = start + timedelta(days=rnd.randrange(720))
            close = eng + timedelta(days=rnd.randint(1, 140))
            rep = reps[rnd.randrange(200)]
            val = int(price * rnd.uniform(0.8, 1.1))  # drawn for every row, so --moved keeps the other rows equal
            if stage == "Prospecting":
                f.write(f"P{i:08d},{rep},{pname},{acc},Prospecting,,,\n")
            elif stage == "Engaging":
                f.write(f"P{i:08d},{rep},{pname},{acc},Engaging,{eng},,\n")
            else:
                f.write(f"P{i:08d},{rep},{pname},{acc},{stage},{eng},{close},{val if stage == 'Won' else 0}\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--db", default=None)
    ap.add_argument("--pg", action="store_true", help="start a throwaway PostgreSQL server")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from salescoach.crm.importer import import_paths
    from salescoach.crm.review import review
    from salescoach.crm.stats import pipeline_stats
    from salescoach.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="bench-crm-"))
    srv = None
    url = args.db or f"sqlite:///{tmp / 'crm.db'}"
    if args.pg:
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_fixture import PgServer, find_pg_bin
        srv = PgServer(find_pg_bin())
        srv.start()
        url = srv.url()
    try:
        t = time.perf_counter()
        generate(tmp / "v1", args.n)
        generate(tmp / "v2", args.n, moved=0.10)
        print(f"generated {args.n:,} opportunities x2 in {time.perf_counter() - t:.1f} s", flush=True)
        repo = open_store(url)
        print(f"store: {repo.dialect}")

        def timed(label, fn):
            t0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            print(f"{label}: {dt:.1f} s wall, {dc:.1f} s CPU (this process; the database server's own CPU is "
                  f"not counted)" if srv or url.startswith("postgres") else f"{label}: {dt:.1f} s wall, {dc:.1f} s CPU",
                  flush=True)
            return out, dt
        res, dt = timed("import (new)", lambda: import_paths(repo, [str(tmp / "v1")], as_of=date(2018, 1, 1)))
        deals = res[-1]
        print(f"  {deals.inserted:,} inserted, {len(deals.errors)} bad rows; {args.n / dt:,.0f} rows/s wall", flush=True)
        res, dt = timed("re-import (10% of open deals moved)",
                        lambda: import_paths(repo, [str(tmp / "v2")], as_of=date(2018, 2, 1)))
        print(f"  {res[-1].updated:,} updated, {res[-1].unchanged:,} unchanged, {res[-1].stage_changes:,} stage changes")
        st, _ = timed("pipeline stats --by manager", lambda: pipeline_stats(repo, "manager"))
        print(f"  {len(st['groups'])} groups, {st['total']['deals']:,} deals")
        r, _ = timed("pipeline review --rep 'Rep 007'", lambda: review(repo, rep="Rep 007", as_of=date(2018, 2, 1),
                                                                       quota=500000))
        print(f"  {r['summary']['open_deals']:,} open deals")
        r, _ = timed("pipeline review --manager 'Manager 03'", lambda: review(repo, manager="Manager 03",
                                                                              as_of=date(2018, 2, 1)))
        print(f"  {r['summary']['open_deals']:,} open deals")
        r, _ = timed("pipeline review (everyone)", lambda: review(repo, as_of=date(2018, 2, 1)))
        print(f"  {r['summary']['open_deals']:,} open deals")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        repo.close()
    finally:
        if srv:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
