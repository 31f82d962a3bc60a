"""Mental-model and coaching-intervention commands.

    salescoach model discovery-playbook|coaching-themes [--format md|json] [--version N] [--db URL]
    salescoach model versions discovery-playbook|coaching-themes [--db URL]
    salescoach coach log --rep NAME --signal SIGNAL --date YYYY-MM-DD --note TEXT [--db URL]
    salescoach coach list [--rep NAME] [--db URL]
"""
from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.markup import escape

from salescoach.cli import app, err
from salescoach.cli.memory import ConfigOpt, DbOpt, _config, _open
from salescoach.errors import SalescoachError

coach_app = typer.Typer(help="Coaching interventions: log a coaching session on one signal, list them.",
                        no_args_is_help=True)
app.add_typer(coach_app, name="coach")


class ModelName(str, Enum):
    discovery_playbook = "discovery-playbook"
    coaching_themes = "coaching-themes"
    versions = "versions"


class ModelFormat(str, Enum):
    md = "md"
    json = "json"


@app.command()
def model(
    name: Annotated[ModelName, typer.Argument(help="discovery-playbook | coaching-themes (or `versions NAME` to "
                                              "list a model's versions).")],
    which: Annotated[Optional[str], typer.Argument(help="With `versions`: the model.", show_default=False)] = None,
    format: Annotated[ModelFormat, typer.Option("--format", "-f", help="md (default) or json.")] = ModelFormat.md,
    version: Annotated[Optional[int], typer.Option("--version", help="Print this stored version instead of the "
                                                   "current one.", min=1)] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print a mental model (Discovery Playbook or Coaching Themes): the current version, refreshed first
    when its inputs changed, or a given stored version."""
    from salescoach.memory.mental_models import get_version, list_versions, refresh
    if name == ModelName.versions:
        if which not in ("discovery-playbook", "coaching-themes"):
            err.print("[red]error:[/] name the model: `salescoach model versions discovery-playbook|coaching-themes`")
            raise typer.Exit(2)
        repo = _open(db)
        rows = list_versions(repo, which)
        repo.close()
        if format == ModelFormat.json:
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        else:
            for r in rows:
                print(f"version {r['version']:>4}  {r['generated_at']}  inputs {r['input_hash'][:12]}")
            if not rows:
                print(f"no version of {which} yet")
        return
    if which is not None:
        err.print(f"[red]error:[/] unexpected argument {escape(which)!s}")
        raise typer.Exit(2)
    cfg = _config(config)
    repo = _open(db)
    try:
        if version is None:
            v, _ = refresh(repo, name.value, cfg)
        else:
            v = get_version(repo, name.value, version)
            if v is None:
                n = len(list_versions(repo, name.value))
                err.print(f"[red]error:[/] {name.value} has no version {version} "
                          f"({'versions 1 to ' + str(n) if n else 'no versions yet'})")
                raise typer.Exit(1)
    except SalescoachError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(2)
    finally:
        repo.close()
    if format == ModelFormat.json:
        out = {k: v[k] for k in ("model", "name", "version", "generated_at", "input_hash", "based_on", "content")}
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(v["markdown"] or "")


@coach_app.command("log")
def coach_log(
    rep: Annotated[str, typer.Option("--rep", "-r", help="The rep who was coached (as stored).")],
    signal: Annotated[str, typer.Option("--signal", "-s", help="The coaching signal worked on, e.g. talk_ratio, "
                                        "next_steps, implication_questions.")],
    date: Annotated[str, typer.Option("--date", "-d", help="The day of the coaching session (YYYY-MM-DD).")],
    note: Annotated[str, typer.Option("--note", "-n", help="What the coaching was, in a few words.")],
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Log a coaching intervention; Coaching Themes then tracks the signal's metric before and after it."""
    from salescoach.memory.interventions import log_intervention
    cfg = _config(config)
    repo = _open(db)
    try:
        res = log_intervention(repo, rep, signal, date, note, cfg)
    except SalescoachError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(2)
    finally:
        repo.close()
    r = res.get("result") or {}
    print(f"intervention {res['id']} logged: {res['rep']}, {res['signal']}, {res['date']}")
    if r:
        print(f"so far: {r['outcome']} ({r['why']}); see `salescoach model coaching-themes`")


@coach_app.command("list")
def coach_list(
    rep: Annotated[Optional[str], typer.Option("--rep", "-r", help="Only this rep's interventions.")] = None,
    format: Annotated[ModelFormat, typer.Option("--format", "-f")] = ModelFormat.md,
    db: DbOpt = None,
) -> None:
    """List logged coaching interventions."""
    from salescoach.memory.interventions import list_interventions
    repo = _open(db)
    rows = list_interventions(repo, rep)
    repo.close()
    if format == ModelFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    for r in rows:
        print(f"{r['id']:>5}  {r['date']}  {r['rep']:<20} {r['signal']:<22} {r['note'] or ''}")
    if not rows:
        print("no interventions logged")
