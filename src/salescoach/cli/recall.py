"""Recall and bank commands: `salescoach recall QUERY`, `salescoach bank import FILE...`, `salescoach bank list`."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.markup import escape

from salescoach.cli import app, err
from salescoach.cli.memory import DbOpt, _clock, _open
from salescoach.errors import SalescoachError

bank_app = typer.Typer(help="Agent bank templates and knowledge files: import, list.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")


class RecallFormat(str, Enum):
    md = "md"
    json = "json"


@app.command()
def recall(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    rep: Annotated[Optional[str], typer.Option("--rep", "-r", help="Only items about this rep (their findings, "
                                               "observations and notes).")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only items from this date on (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="How many hits.")] = 10,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", help="Only these kinds (repeatable): finding, "
                                                      "observation, note, document.")] = None,
    format: Annotated[RecallFormat, typer.Option("--format", "-f")] = RecallFormat.md,
    db: DbOpt = None,
) -> None:
    """Search the memory bank: findings, observations, notes and knowledge documents (keyword + semantic)."""
    from salescoach.memory.recall import KINDS, recall as run

    if not query.strip():
        err.print("[red]error:[/] the query is empty")
        raise typer.Exit(2)
    when = None
    if since:
        try:
            when = datetime.fromisoformat(since)
        except ValueError:
            err.print(f"[red]error:[/] --since {escape(since)}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", highlight=False)
            raise typer.Exit(2)
    bad = [k for k in kind or [] if k not in KINDS]
    if bad:
        err.print(f"[red]error:[/] --kind {escape(bad[0])}: use one of {', '.join(KINDS)}", highlight=False)
        raise typer.Exit(2)
    repo = _open(db)
    try:
        hits = run(repo, query, rep=rep, since=when, limit=limit, kinds=kind or None)
    finally:
        repo.close()
    if format == RecallFormat.json:
        sys.stdout.write(json.dumps(hits, indent=2, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(render_hits_md(query, hits))


def render_hits_md(query: str, hits: list[dict]) -> str:
    out = [f"# Recall: {query}", ""]
    if not hits:
        return "\n".join(out + ["No match.", ""])
    for n, h in enumerate(hits, 1):
        where = []
        if h.get("call") and h["call"].get("id") is not None:
            c = h["call"]
            where.append(f"call {c['id']}" + (f" ({c['source']})" if c.get("source") else ""))
        if h.get("start") is not None:
            where.append(f"at {_clock(h['start'])}")
        if h.get("rep"):
            where.append(f"rep {h['rep']}")
        if h["kind"] == "document":
            where.append(f"{h.get('document')}: {h.get('section')}")
        if h.get("when"):
            where.append(h["when"][:10])
        ranks = ", ".join(f"{k} #{v}" for k, v in h["ranks"].items())
        out.append(f"{n}. **{h['type'] or h['kind']}**: {h['text'] if h['kind'] != 'document' else h['title']}")
        out.append(f"   - {'; '.join(where)} ({ranks})")
        if h.get("quote"):
            out.append(f"   - \"{h['quote']}\"")
        elif h["kind"] in ("document", "note"):
            body = " ".join(h["text"].split())
            out.append(f"   - {body[:240]}{'…' if len(body) > 240 else ''}")
    out.append("")
    return "\n".join(out)


@bank_app.command("import")
def bank_import(
    files: Annotated[list[str], typer.Argument(help="A bank template (.json) and/or knowledge files (.md).")],
    bank: Annotated[Optional[str], typer.Option("--bank", help="Bank for knowledge files given without a "
                                                "template (default: the template's, else 'default').")] = None,
    db: DbOpt = None,
) -> None:
    """Import an agent bank template (missions, mental-model definitions) and knowledge files for recall."""
    from salescoach.memory.bank import import_files

    repo = _open(db)
    try:
        results = import_files(repo, files, bank)
    except SalescoachError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(2)
    finally:
        repo.close()
    for r in results:
        mm = ", ".join(r.mental_models) or "none"
        print(f"bank {r.bank} {'created' if r.created else 'updated'}; mental models: {mm}")
        for d in r.documents:
            extra = f", {d['chunks']} chunks" if d["chunks"] is not None else ""
            print(f"  {d['name']}: {d['status']} (document {d['id']}{extra})")


@bank_app.command("list")
def bank_list(
    format: Annotated[RecallFormat, typer.Option("--format", "-f")] = RecallFormat.md,
    db: DbOpt = None,
) -> None:
    """List imported banks with their missions, mental models and documents."""
    from salescoach.memory.bank import banks

    repo = _open(db)
    rows = banks(repo)
    repo.close()
    if format == RecallFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    for b in rows:
        print(f"# {b['name']}\n\n- retain: {b['retain_mission']}\n- observations: {b['observations_mission']}")
        for x in b["mental_models"]:
            print(f"- mental model {x['id']} ({x['name']}): {x['source_query']}")
        for d in b["documents"]:
            print(f"- document {d['id']}: {d['name']} ({d['title']})")
        print()
