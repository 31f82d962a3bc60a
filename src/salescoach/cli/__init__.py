"""The `salescoach` command line: a thin shell over salescoach.service."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from salescoach import __version__
from salescoach.errors import SalescoachError
from salescoach.service import CALL_TYPES, analyze_file, analyze_paths, expand_paths

app = typer.Typer(help="salescoach: explainable sales-call coaching, offline.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
err = Console(stderr=True, soft_wrap=True)


class OutFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    md = "md"
    table = "table"


class TranscriptFormat(str, Enum):
    auto = "auto"
    vtt = "vtt"
    srt = "srt"
    text = "text"
    json = "json"


RepOpt = Annotated[Optional[list[str]], typer.Option("--rep", "-r", help="A rep's name as it appears in the "
                                                     "transcript (repeatable: every listed name is on the selling side).")]
FmtOpt = Annotated[TranscriptFormat, typer.Option("--transcript-format", help="Force the transcript format.")]
TypeOpt = Annotated[Optional[str], typer.Option("--call-type", help="discovery | demo | negotiation | other "
                                                "(default: detected).")]


def _check_type(call_type: str | None) -> None:
    if call_type and call_type not in CALL_TYPES:
        err.print(f"[red]error:[/] unknown call type {call_type!r}; use one of {', '.join(CALL_TYPES)}")
        raise typer.Exit(2)


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help="Transcript files or folders.")],
    rep: RepOpt = None,
    format: Annotated[OutFormat, typer.Option("--format", "-f", help="json (one object; a list for several "
                                              "files), jsonl (one object per file), md (a scorecard per call) or "
                                              "table (one line per call).")] = OutFormat.json,
    transcript_format: FmtOpt = TranscriptFormat.auto,
    call_type: TypeOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also write NAME.report.json and "
                                                "NAME.debrief.md per call into this folder.")] = None,
) -> None:
    """Analyse calls and print their call reports."""
    from salescoach.report.render import render_debrief, render_scorecard

    _check_type(call_type)
    reps = rep or []
    fmt = None if transcript_format == TranscriptFormat.auto else transcript_format.value
    files = list(expand_paths(paths))
    failed = skipped = 0
    reports: list[dict] = []
    show_bar = len(files) > 1 and err.is_terminal
    if out:
        out.mkdir(parents=True, exist_ok=True)
    with Progress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, disable=not show_bar, transient=True) as bar:
        task = bar.add_task("calls", total=len(files))
        for res in analyze_paths(paths, reps=reps, fmt=fmt, call_type=call_type):
            bar.advance(task)
            if res.skipped:
                err.print(f"[yellow]skipped[/] {escape(res.path)}: {res.skipped}")
                skipped += 1
                continue
            if not res.ok:
                failed += 1
                err.print(f"[red]error:[/] {escape(str(res.error))}", highlight=False)
                continue
            r = res.report
            if format == OutFormat.jsonl:
                sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
            elif format == OutFormat.md:
                sys.stdout.write(render_scorecard(r) + "\n")
            else:
                reports.append(r)
            if out:
                stem = Path(res.path).stem
                (out / f"{stem}.report.json").write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n")
                (out / f"{stem}.debrief.md").write_text(render_debrief(r))
    if format == OutFormat.json and reports:
        data = reports[0] if len(reports) == 1 else reports
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif format == OutFormat.table and reports:
        Console(width=max(150, Console().width)).print(_summary_table(reports))
    if out:
        err.print(f"reports written to [bold]{out}[/]")
    if failed:
        err.print(f"[red]{failed} of {len(files) - skipped} transcript(s) failed[/]")
        raise typer.Exit(1)


def _summary_table(reports: list[dict]):
    from rich.table import Table

    from salescoach.analysis.moments import clock

    t = Table(title="Calls", header_style="bold",
              caption="Talk: rep share of words. Mono: longest rep monologue. Qs / Impl: rep questions / implication "
                      "questions. Obj: buyer objections (handled with 3+ AECR steps).")
    t.add_column("Call", no_wrap=True)
    for col in ("Rep", "Type", "Talk", "Mono", "Qs", "Impl", "Obj", "Contract", "Pitch", "Next step"):
        t.add_column(col)
    for r in reports:
        m, qs = r["metrics"], [q for q in r["questions"] if q["role"] == "rep"]
        objs = r["objections"]
        good = sum(sum(bool(v) for v in (o.get("handling") or {}).values()) >= 3 for o in objs)
        ns = r["next_step"]
        t.add_row(r["call"]["id"], ", ".join(r["call"]["reps"]) or "unknown", r["call"]["type"],
                  f"{round(100 * m['rep_talk_share'])}%" if m["rep_talk_share"] is not None else "unknown",
                  f"{m['longest_rep_monologue_s']:.0f} s" if m["longest_rep_monologue_s"] is not None else "unknown",
                  str(len(qs)), str(sum(q["spin"] == "implication" for q in qs)), f"{len(objs)} ({good})",
                  (clock(r["upfront_contract"]["start"]) if r["upfront_contract"]["start"] is not None else "yes")
                  if r["upfront_contract"]["present"] else "no",
                  clock(r["first_pitch_s"]) if r["first_pitch_s"] is not None else "—",
                  ("dated" if ns["has_date"] else "committed") if ns["committed"] else "no")
    return t


def escape(s: str) -> str:
    from rich.markup import escape as _e
    return _e(s)


@app.command()
def debrief(
    file: Annotated[str, typer.Argument(help="One transcript file.")],
    rep: RepOpt = None,
    transcript_format: FmtOpt = TranscriptFormat.auto,
    call_type: TypeOpt = None,
) -> None:
    """Write the rep's coaching debrief (Markdown) for one call."""
    from salescoach.report.render import render_debrief

    _check_type(call_type)
    fmt = None if transcript_format == TranscriptFormat.auto else transcript_format.value
    try:
        report = analyze_file(file, reps=rep or [], fmt=fmt, call_type=call_type)
    except SalescoachError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(1)
    if not report["call"]["reps"]:
        names = ", ".join(s["name"] for s in report["speakers"])
        err.print(f"[red]error:[/] {escape(file)}: no rep among the speakers ({escape(names)}); "
                  "pass --rep NAME with the rep's name as it appears in the transcript", highlight=False)
        raise typer.Exit(2)
    sys.stdout.write(render_debrief(report, rep[0] if rep and len(report["call"]["reps"]) == 1 else None))


@app.command()
def schema() -> None:
    """Print the call-report JSON Schema."""
    from salescoach.report import schema_text
    sys.stdout.write(schema_text())


@app.command()
def version() -> None:
    """Print the version."""
    print(__version__)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `salescoach analyze ... | head`
        sys.stderr.close()
from salescoach.cli import memory as _memory  # noqa: E402,F401  (memory-bank commands: ingest, observations, note, calls)
from salescoach.cli import models as _models  # noqa: E402,F401  (mental models and coach log)
from salescoach.cli import recall as _recall  # noqa: E402,F401  (recall and bank commands)
from salescoach.cli import crm as _crm  # noqa: E402,F401  (CRM commands: crm import, pipeline stats/review, forecast)
from salescoach.cli import coaching as _coaching  # noqa: E402,F401  (plan, ramp, agenda, programme, quota)
from salescoach.cli import prep as _prep  # noqa: E402,F401  (meeting / deal prep)
from salescoach.cli import coaches as _coaches  # noqa: E402,F401  (Miller Heiman coach network)
from salescoach.cli import coaching_programme as _coaching_programme  # noqa: E402,F401  (ramp, agenda, programme)
