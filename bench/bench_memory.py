"""Memory-bank throughput: ingest (analyse + retain + store) and consolidate on N generated calls.

    python bench/bench_memory.py [--calls 1000] [--words 1500] [--reps 20] [--jobs 1] [--db URL]

Calls come from bench/gencalls.py (WebVTT, a rep and two buyers; `--words` sets the length:
~1,500 words is a 10-minute call, 7,000 a 45-minute one), spread over `--reps` reps. Timed on
one core, in one process:
- ingest: hash, read, analyse, retain findings, store call + segments + report + findings, one
  transaction per call (consolidation excluded);
- consolidate: all reps' observations and the floor, from scratch, then the mental models (both
  times are also given apart);
- re-ingest: the same files again (all "already stored": the idempotency check only).
Wall-clock rates depend on what else the machine runs; the CPU time per call is the steadier
figure: of this process (analysis + store with --jobs 1; with more jobs storing, reading and
hashing the files, and the one-off loading of the pipeline that the workers inherit), of the
workers (analysis, retain, encoding the rows) and of all processes together (what limits the
rate when there are fewer cores than processes).
The store is a fresh SQLite file in a temporary folder unless `--db` names another (use an
empty database: the figures assume it starts empty).
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gencalls import make_call  # noqa: E402

from salescoach.memory.config import load_config  # noqa: E402
from salescoach.memory.consolidate import consolidate  # noqa: E402
from salescoach.memory.mental_models import refresh_after_consolidation  # noqa: E402
from salescoach.memory.ingest import ingest_paths  # noqa: E402
from salescoach.store import open_store  # noqa: E402

FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lea", "Max", "Nia", "Omar",
         "Pia", "Quinn", "Rosa", "Sol", "Tess"]
LAST = ["Park", "Reyes", "Stone", "Novak", "Ito", "Haddad", "Moss", "Lund", "Brandt", "Okafor"]


def rep_name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"


def _children_cpu() -> float:
    """CPU seconds of this process's ended child processes (the --jobs analysis workers)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--words", type=int, default=1500)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--db", default=None, help="store URL (default: a fresh SQLite file)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--jobs", type=int, default=1, help="analysis worker processes (storing stays in one process)")
    a = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="salescoach-bench-"))
    try:
        folders: dict[str, Path] = {}
        minutes = 45.0 * a.words / 7000
        for i in range(a.calls):
            rep = rep_name(i % a.reps)
            folder = folders.setdefault(rep, tmp / "calls" / rep.replace(" ", "_"))
            folder.mkdir(parents=True, exist_ok=True)
            text = make_call(a.seed + i, words_target=a.words, minutes=minutes).replace("Jordan Avery", rep)
            (folder / f"c{i:06d}.vtt").write_text(text, encoding="utf-8")
        url = a.db or f"sqlite:///{tmp / 'bench.db'}"
        repo = open_store(url)
        cfg = load_config()

        t0, c0, w0 = time.perf_counter(), time.process_time(), _children_cpu()
        # one batch, like `salescoach ingest calls/ --rep A --rep B ...` (each call names its own rep)
        s = ingest_paths(repo, [str(tmp / "calls")], reps=list(folders), call_type="discovery", cfg=cfg,
                         do_consolidate=False, jobs=a.jobs)
        stored, failed = s.count("stored"), s.count("failed")
        for r in [r for r in s.results if r.status == "failed"][:5]:
            print(f"failed: {r.error}", file=sys.stderr)
        t_ingest, c_ingest = time.perf_counter() - t0, time.process_time() - c0
        w_ingest = _children_cpu() - w0  # the analysis workers (ended with the batch's process pool)

        t0, c0 = time.perf_counter(), time.process_time()
        changes = consolidate(repo, cfg, refresh_models=False)
        t_obs = time.perf_counter() - t0
        refresh_after_consolidation(repo, cfg)  # what consolidate() runs last (mental models)
        t_cons, c_cons = time.perf_counter() - t0, time.process_time() - c0

        t0 = time.perf_counter()
        again = ingest_paths(repo, [str(tmp / "calls")], reps=list(folders), cfg=cfg).count("already stored")
        t_again = time.perf_counter() - t0
        repo.close()

        out = {"calls": a.calls, "words_per_call": a.words, "reps": a.reps, "jobs": a.jobs, "store": url.split(":")[0],
               "stored": stored, "failed": failed, "ingest_s": round(t_ingest, 2),
               "ingest_calls_per_s": round(stored / t_ingest, 1),
               "ingest_cpu_ms_per_call_this_process": round(1000 * c_ingest / max(stored, 1), 1),
               "ingest_cpu_ms_per_call_workers": round(1000 * w_ingest / max(stored, 1), 1),
               "ingest_cpu_ms_per_call_all_processes": round(1000 * (c_ingest + w_ingest) / max(stored, 1), 1),
               "consolidate_s": round(t_cons, 2), "consolidate_cpu_s": round(c_cons, 2),
               "consolidate_observations_s": round(t_obs, 2), "consolidate_mental_models_s": round(t_cons - t_obs, 2),
               "observation_changes": len(changes),
               "ingest_plus_consolidate_calls_per_s": round(stored / (t_ingest + t_cons), 1),
               "reingest_already_stored": again, "reingest_calls_per_s": round(again / t_again, 1)}
        print(json.dumps(out, indent=2))
        return 0 if failed == 0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
