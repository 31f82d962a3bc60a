"""Memory-bank commands: ingest, observations, note, calls list/delete, consolidate.

Every command takes `--db URL` (any SQLAlchemy URL or a SQLite file path; default
$SALESCOACH_DB, else ./salescoach.db) and, where thresholds matter, `--config FILE` (TOML/JSON,
see salescoach.memory.config).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from salescoach.cli import RepOpt, TranscriptFormat, TypeOpt, _check_type, app, err
from salescoach.errors import SalescoachError

DbOpt = Annotated[Optional[str], typer.Option("--db", help="Store URL (SQLAlchemy URL or SQLite file); default "
                                              "$SALESCOACH_DB, else ./salescoach.db.", show_default=False)]
ConfigOpt = Annotated[Optional[str], typer.Option("--config", help="Thresholds / observation rules (TOML or JSON); "
                                                  "default $SALESCOACH_CONFIG, else ./salescoach.toml if present.")]

calls_app = typer.Typer(help="Stored calls: list or delete.", no_args_is_help=True)
app.add_typer(calls_app, name="calls")


class ObsFormat(str, Enum):
    json = "json"
    md = "md"


def _open(db: str | None):
    from salescoach.store import open_store
    try:
        return open_store(db)
    except Exception as e:  # bad URL, unreachable server, unwritable file
        err.print(f"[red]error:[/] cannot open the store: {escape(str(e).splitlines()[0])}", highlight=False)
        raise typer.Exit(2)


def _config(path: str | None):
    from salescoach.memory.config import load_config
    try:
        return load_config(path)
    except SalescoachError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Transcript files or folders.")] = None,
    rep: RepOpt = None,
    manifest: Annotated[Optional[str], typer.Option("--manifest", help="CSV with one row per transcript: file, rep, "
                                                    "account, deal, date, call_type (see salescoach.memory.manifest); "
                                                    "its cells override the options.")] = None,
    deal: Annotated[Optional[str], typer.Option("--deal", help="Deal id the calls belong to.")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Account (customer) name.")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="When the calls took place (YYYY-MM-DD[THH:MM]); "
                                                "default: from the file, else the time of ingest.")] = None,
    transcript_format: Annotated[TranscriptFormat, typer.Option("--transcript-format")] = TranscriptFormat.auto,
    call_type: TypeOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per stored call even in big batches "
                                          "(default: only up to 20 files).")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Analyse this many calls at once (worker "
                                      "processes); storing stays one transaction per call.")] = 1,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Analyse calls and store them with their findings; then update the observations."""
    from salescoach.memory.ingest import ingest_paths
    from salescoach.service import expand_paths

    _check_type(call_type)
    when = None
    if date:
        try:
            when = datetime.fromisoformat(date)
        except ValueError:
            err.print(f"[red]error:[/] --date {escape(date)!s}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            raise typer.Exit(2)
    batches: list[tuple[tuple, list[str]]] = []
    if manifest:
        from salescoach.memory.manifest import groups, read_manifest
        try:
            rows = read_manifest(manifest)
        except SalescoachError as e:
            err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
            raise typer.Exit(2)
        batches = [((list(r) or list(rep or []), a or account, d or deal, w or when, t or call_type), ps)
                   for (r, a, d, w, t), ps in groups(rows)]
    if paths:
        batches.append(((list(rep or []), account, deal, when, call_type), list(paths)))
    if not batches:
        err.print("[red]error:[/] name transcript files or folders, or a --manifest CSV")
        raise typer.Exit(2)
    cfg = _config(config)
    repo = _open(db)
    fmt = None if transcript_format == TranscriptFormat.auto else transcript_format.value
    total = sum(1 for _, ps in batches for _ in expand_paths(ps))
    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                  disable=not err.is_terminal or total < 2, transient=True) as bar:
        task = bar.add_task("calls", total=total)

        def show(res) -> None:
            bar.advance(task)
            if res.status == "failed":
                err.print(f"[red]error:[/] {escape(res.error or res.path)}", highlight=False)
            elif res.status == "skipped":
                err.print(f"[yellow]skipped[/] {escape(res.path)}: {escape(res.error or '')}", highlight=False)
            elif not (verbose or total <= 20):
                return
            elif res.status == "already stored":
                err.print(f"{escape(res.path)}: already stored (call {res.call_id})", highlight=False)
            else:
                who = f", rep {escape(res.rep)}" if res.rep else ", no rep identified (pass --rep NAME)"
                err.print(f"{escape(res.path)}: stored as call {res.call_id} ({res.findings} findings{who})",
                          highlight=False)

        try:
            summary = None
            for (b_reps, b_account, b_deal, b_when, b_type), b_paths in batches:
                part = ingest_paths(repo, b_paths, reps=b_reps, fmt=fmt, call_type=b_type, account=b_account,
                                    deal=b_deal, date=b_when, cfg=cfg, on_result=show, jobs=jobs,
                                    do_consolidate=len(batches) == 1)
                if summary is None:
                    summary = part
                else:
                    summary.results += part.results
            if len(batches) > 1 and summary.count("stored"):
                from salescoach.memory.consolidate import consolidate
                from salescoach.memory.ingest import affected_reps
                summary.changes = consolidate(repo, cfg, affected_reps(
                    repo, [r.call_id for r in summary.results if r.status == "stored"]))
        except SalescoachError as e:
            err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
            raise typer.Exit(2)
    changes = {}
    for c in summary.changes:
        changes[c.change] = changes.get(c.change, 0) + 1
    ch = ", ".join(f"{n} {k}" for k, n in sorted(changes.items())) or "no change"
    failed = summary.count("failed")
    err.print(f"{summary.count('stored')} stored, {summary.count('already stored')} already stored, {failed} failed; "
              f"observations: {ch}")
    repo.close()
    if failed:
        raise typer.Exit(1)


@app.command()
def observations(
    rep: Annotated[Optional[str], typer.Option("--rep", "-r", help="Only this rep's observations (and the floor "
                                               "observations that include the rep).")] = None,
    format: Annotated[ObsFormat, typer.Option("--format", "-f")] = ObsFormat.md,
    all_: Annotated[bool, typer.Option("--all", help="Include retired observations.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Include each observation's history of changes.")] = False,
    db: DbOpt = None,
) -> None:
    """Print the memory bank's observations: recurring strengths and gaps backed by counted evidence."""
    from salescoach.memory import observations as list_obs
    repo = _open(db)
    obs = list_obs(repo, rep, include_retired=all_, history=history)
    repo.close()
    if format == ObsFormat.json:
        sys.stdout.write(json.dumps(obs, indent=2, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(render_observations_md(obs, rep))


def _clock(t) -> str:
    if t is None:
        return "--:--"
    t = int(round(t))
    return f"{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60:02d}:{t % 60:02d}"


def render_observations_md(obs: list[dict], rep: str | None = None) -> str:
    title = f"# Observations: {rep}" if rep else "# Observations"
    if not obs:
        return title + "\n\nNo observation yet: a habit needs the same verdict in at least two calls.\n"
    out = [title, ""]
    for scope, head in (("floor", "Across the floor"), ("rep", "Reps")):
        items = [o for o in obs if o["scope"] == scope]
        if not items:
            continue
        out += [f"## {head}", ""]
        for o in items:
            tag = "strength" if o["polarity"] == "strength" else "gap"
            retired = " (retired)" if o.get("status") == "retired" else ""
            out.append(f"- **{tag}**{retired}: {o['statement']}. Calls {', '.join(map(str, o['calls']))}; "
                       f"seen {(o['first_seen'] or '')[:10]} to {(o['last_seen'] or '')[:10]}.")
            for e in o["evidence"][:2]:
                out.append(f"  - call {e['call']} at {_clock(e['start'])}: \"{e['quote']}\"")
        out.append("")
    return "\n".join(out)


@app.command()
def note(
    text: Annotated[str, typer.Argument(help="The note, in your own words.")],
    rep: Annotated[str, typer.Option("--rep", "-r", help="The rep the note is about.")],
    author: Annotated[Optional[str], typer.Option("--author", help="Who wrote it.")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Retain a manager's note about a rep, linked to the coaching signals it speaks of."""
    from salescoach.memory import add_note
    if not text.strip():
        err.print("[red]error:[/] the note is empty")
        raise typer.Exit(2)
    cfg = _config(config)
    repo = _open(db)
    nid, links = add_note(repo, rep, text.strip(), cfg, author=author)
    repo.close()
    sig = ", ".join(sorted(links)) or "none (no signal keyword found)"
    print(f"note {nid} stored for {rep}; linked signals: {sig}")


@calls_app.command("list")
def calls_list(
    rep: Annotated[Optional[str], typer.Option("--rep", "-r", help="Only this rep's calls.")] = None,
    format: Annotated[ObsFormat, typer.Option("--format", "-f")] = ObsFormat.md,
    db: DbOpt = None,
) -> None:
    """List stored calls."""
    repo = _open(db)
    rows = repo.list_calls(rep)
    repo.close()
    if format == ObsFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    for r in rows:
        print(f"{r['id']:>6}  {(r['rep'] or '-'):<20} {(r['type'] or '-'):<12} {r['findings']:>4} findings  {r['source']}")


@calls_app.command("delete")
def calls_delete(
    call_ids: Annotated[list[int], typer.Argument(help="Call id(s) as shown by `salescoach calls list`.")],
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Delete calls with their findings, and re-consolidate the observations they supported."""
    from salescoach.memory import delete_call
    cfg = _config(config)
    repo = _open(db)
    missing = 0
    for cid in call_ids:
        changes = delete_call(repo, cid, cfg)
        if changes is None:
            err.print(f"[red]error:[/] no call {cid}")
            missing += 1
            continue
        summary = ", ".join(f"{c.key} {c.change}" for c in changes) or "no observation changed"
        print(f"call {cid} deleted; {summary}")
    repo.close()
    if missing:
        raise typer.Exit(1)


@app.command()
def consolidate(
    db: DbOpt = None,
    config: ConfigOpt = None,
    rederive: Annotated[bool, typer.Option("--rederive", help="Recompute every call's signal verdicts from its "
                                           "stored report first (after changing thresholds).")] = False,
) -> None:
    """Recompute observations from the stored findings (all reps and the floor)."""
    from salescoach.memory import consolidate as run, rederive_findings
    cfg = _config(config)
    repo = _open(db)
    if rederive:
        n = rederive_findings(repo, cfg)
        err.print(f"re-derived the findings of {n} call(s)")
    changes = run(repo, cfg)
    repo.close()
    print(", ".join(f"{c.key} {c.change}" for c in changes) or "no observation changed")
