"""Ingest: transcripts -> analysed, stored calls with their findings; then consolidation.

For each transcript file (folders are expanded like `salescoach analyze` does):
1. hash the file's bytes (sha256); a call with that content already in the store is reported
   as `already stored` and not analysed again (ingest is idempotent);
2. read and analyse it with the engine (the same pipeline as `salescoach.service.analyze_paths`),
   retain its findings and encode its rows (report JSON, segment and finding rows, the findings'
   recall texts and embeddings: `store.repo.encode_call`), in a worker process when `jobs` > 1;
3. store call, segments, report, findings and their recall rows in one transaction (this process
   only inserts the encoded rows); on SQLite the keyword index takes the new recall rows in bulk, every
   `KEYWORD_BATCH` stored calls and at the end (`memory.recall.sync_keywords`; a search catches up
   first anyway, so nothing stored is ever missing from recall);
4. after the batch, consolidate the observations of the reps whose calls were added.
A bad file is reported (file and line) and the others still go in.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

from salescoach import __version__
from salescoach.analysis import Pipeline
from salescoach.batchgc import batch_gc, settle
from salescoach.errors import SalescoachError
from salescoach.memory.config import MemoryConfig, load_config
from salescoach.memory.consolidate import Change, consolidate
from salescoach.memory.recall import sync_keywords
from salescoach.memory.retain import retain
from salescoach.service import CALL_TYPES, expand_paths
from salescoach.store.repo import CallRows, Repository, encode_call
from salescoach.transcript import parse_call
from salescoach.transcript._io import decode
from salescoach.transcript.model import resolve_reps


KEYWORD_BATCH = 2000  # stored calls between two bulk updates of the SQLite keyword index


@dataclass
class IngestResult:
    path: str
    status: str  # stored | already stored | failed | skipped
    call_id: int | None = None
    error: str | None = None
    rep: str | None = None
    findings: int = 0


@dataclass
class IngestSummary:
    results: list[IngestResult] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


def _rep_names(speakers: list[str], wanted: list[str]) -> list[str]:
    """Canonical rep names for the call's selling-side speakers: the fuller of the speaker's name and
    the --rep name it matched ("Lena" in the transcript + --rep "Lena Ruiz" -> "Lena Ruiz")."""
    out = []
    for sp in speakers:
        match = next((w for w in wanted if resolve_reps([sp], [w])), None)
        name = match if match and len(match.split()) > len(sp.split()) else sp
        out.append(" ".join(name.split()))
    return out


def _started_at(meta: dict, given: datetime | None) -> datetime | None:
    if given:
        return given
    for k in ("started_at", "started", "date", "start_time"):
        v = meta.get(k)
        if isinstance(v, str):
            try:
                d = datetime.fromisoformat(v.replace("Z", "+00:00"))
                return d.replace(tzinfo=None) if d.tzinfo is None else d.astimezone(tz=None).replace(tzinfo=None)
            except ValueError:
                continue
    return None


@dataclass
class Prepared:
    """An analysed call, ready to store (built in a worker process when --jobs > 1): its rows are
    already encoded (`store.repo.encode_call`: report JSON, segment and finding rows, the findings'
    recall texts and embeddings), so the storing process only inserts them."""
    sha: str
    rows: CallRows
    rep_names: list[str]
    started_at: datetime | None

    @property
    def findings(self) -> int:
        return len(self.rows.findings)


_PIPE: Pipeline | None = None


def prepare(path: str, data: bytes, sha: str, reps: list[str], fmt: str | None, call_type: str | None,
            cfg: MemoryConfig, date: datetime | None = None) -> Prepared:
    """Read, analyse, retain and encode one transcript (no store access). Raises SalescoachError on bad input."""
    global _PIPE
    if _PIPE is None:
        _PIPE = Pipeline()
    call = parse_call(path, decode(path, data), reps=reps, fmt=fmt, call_type=call_type)
    report = _PIPE(call)
    segs = [{"speaker": g.speaker, "role": call.role(g.speaker), "start": g.start, "end": g.end, "line": g.line,
             "text": g.text} for g in call.segments]
    return Prepared(sha, encode_call(report, segs, retain(report, cfg, segs)), _rep_names(list(call.reps), reps),
                    _started_at(call.metadata, date))


def _warm_up() -> None:
    """Load the pipeline, its lexicons and the embedding table once (they are loaded lazily on first use)."""
    global _PIPE
    from salescoach import embed
    embed.dim()
    if _PIPE is None:
        _PIPE = Pipeline()
        try:
            _PIPE(parse_call("warm-up.txt", "Ann: How does that work today?\nBo: It breaks a lot, honestly.\n",
                             reps=["Ann"]))
        except Exception:
            pass


def _prepare_safe(args) -> Prepared | str:
    try:
        return prepare(*args)
    except SalescoachError as e:
        return str(e)
    except Exception as e:  # an analyzer bug must not stop the batch
        return f"{args[0]}: {type(e).__name__}: {e}"


def store_prepared(repo: Repository, path: str, p: Prepared, account: str | None, deal: str | None) -> IngestResult:
    stored = repo.store_call(sha256=p.sha, rows=p.rows, rep_names=p.rep_names, account=account, deal=deal,
                             started_at=p.started_at, engine_version=__version__)
    return IngestResult(path, "stored" if stored.created else "already stored", stored.id,
                        rep=p.rep_names[0] if p.rep_names else None, findings=p.findings if stored.created else 0)


def ingest_paths(repo: Repository, paths: Iterable[str], *, reps: list[str] | None = None, fmt: str | None = None,
                 call_type: str | None = None, account: str | None = None, deal: str | None = None,
                 date: datetime | None = None, cfg: MemoryConfig | None = None,
                 on_result: Callable[[IngestResult], None] | None = None, do_consolidate: bool = True,
                 jobs: int = 1) -> IngestSummary:
    """Ingest every transcript under `paths` (see the module docstring); one bad file never stops the others.

    `jobs` > 1 analyses that many calls at once in worker processes; storing stays in this
    process, one transaction per call, in input order.
    """
    if call_type and call_type not in CALL_TYPES:
        raise SalescoachError(f"unknown call type {call_type!r}; use one of {', '.join(CALL_TYPES)}")
    cfg = cfg or load_config()
    summary = IngestSummary()
    stored = 0
    try:
        with batch_gc():
            for res in _iter(repo, paths, reps=list(reps or []), fmt=fmt, call_type=call_type, account=account,
                             deal=deal, date=date, cfg=cfg, jobs=jobs):
                summary.results.append(res)
                if res.status == "stored":
                    stored += 1
                    if stored % KEYWORD_BATCH == 0:
                        sync_keywords(repo)
                if on_result:
                    on_result(res)
    finally:
        if stored:
            sync_keywords(repo)  # the keyword index takes the new recall rows in bulk
    if do_consolidate and summary.count("stored"):
        summary.changes = consolidate(repo, cfg, affected_reps(repo, [r.call_id for r in summary.results
                                                                       if r.status == "stored"]))
    return summary


def affected_reps(repo: Repository, call_ids: list[int]) -> list[int]:
    from sqlalchemy import select

    from salescoach.store.models import CallRep
    if not call_ids:
        return []
    out: set[int] = set()
    with repo.session() as s:
        for i in range(0, len(call_ids), 500):
            out.update(s.scalars(select(CallRep.rep_id).where(CallRep.call_id.in_(call_ids[i:i + 500]))))
    return sorted(out)


def _read(repo: Repository, paths) -> Iterator[tuple[str, IngestResult | tuple[bytes, str]]]:
    """(path, result) for files settled without analysis (skipped, unreadable, already stored), else (path, (data, sha))."""
    for path, skip in expand_paths(paths):
        if skip:
            yield path, IngestResult(path, "skipped", error=skip)
            continue
        try:
            data = Path(path).read_bytes()
        except IsADirectoryError:
            yield path, IngestResult(path, "failed", error=f"{path}: is a folder, not a transcript file")
            continue
        except OSError as e:
            yield path, IngestResult(path, "failed", error=f"{path}: cannot read the file: {e.strerror}")
            continue
        sha = hashlib.sha256(data).hexdigest()
        existing = repo.call_id_for_sha(sha)
        if existing is not None:
            yield path, IngestResult(path, "already stored", existing)
        else:
            yield path, (data, sha)


def _store(repo, path, prepared, account, deal) -> IngestResult:
    if isinstance(prepared, str):
        return IngestResult(path, "failed", error=prepared)
    try:
        return store_prepared(repo, path, prepared, account, deal)
    except Exception as e:  # a store failure: this call is rolled back, the batch goes on
        return IngestResult(path, "failed", error=f"{path}: {type(e).__name__}: {str(e).splitlines()[0]}")


def _iter(repo, paths, *, reps, fmt, call_type, account, deal, date, cfg, jobs) -> Iterator[IngestResult]:
    if jobs <= 1:
        settled = False
        for path, item in _read(repo, paths):
            if isinstance(item, IngestResult):
                yield item
            else:
                prepared = _prepare_safe((path, item[0], item[1], reps, fmt, call_type, cfg, date))
                if not settled:  # the pipeline is loaded now (batchgc)
                    settle()
                    settled = True
                yield _store(repo, path, prepared, account, deal)
        return
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    window: deque = deque()  # (path, settled result | future), in input order
    ctx = None
    if "fork" in mp.get_all_start_methods():
        ctx = mp.get_context("fork")
        _warm_up()  # forked workers inherit the loaded pipeline and compiled lexicons
        settle()  # ... frozen out of the collector's sight (batchgc)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        for path, item in _read(repo, paths):
            if isinstance(item, IngestResult):
                window.append((path, item))
            else:
                window.append((path, pool.submit(_prepare_safe, (path, item[0], item[1], reps, fmt, call_type, cfg,
                                                                 date))))
            while len(window) > jobs * 4 or (window and isinstance(window[0][1], IngestResult)):
                yield _settle(repo, window.popleft(), account, deal)
        while window:
            yield _settle(repo, window.popleft(), account, deal)


def _settle(repo, entry, account, deal) -> IngestResult:
    path, x = entry
    if isinstance(x, IngestResult):
        return x
    try:
        prepared = x.result()
    except Exception as e:  # a worker died
        prepared = f"{path}: analysis worker failed: {type(e).__name__}: {e}"
    return _store(repo, path, prepared, account, deal)
