"""Coaching-programme commands: `ramp` (coaching.ramp), `agenda` (coaching.agenda) and `programme`
(coaching.programme). Every command takes `--db URL`; bad input prints `error: ...` and exits 2.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from salescoach.cli import app, err
from salescoach.cli.crm import AsOfOpt, DbOpt, OutFmt, _date, _emit, _fail, _with_store


@app.command("ramp")
def ramp_cmd(
    rep: Annotated[str, typer.Option("--rep", "-r", help="The new rep.")],
    start: Annotated[Optional[str], typer.Option("--start", help="The rep's start date (YYYY-MM-DD); stored for the "
                                                 "team comparison. Default: the stored one.")] = None,
    as_of: AsOfOpt = None,
    format: Annotated[OutFmt, typer.Option("--format", "-f", help="md or json.")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """30/60/90-day ramp plan checked against the rep's calls, deals and forecast; team ramp velocity."""
    from salescoach.coaching.ramp import ramp, render_md
    first = _date(start, "--start")
    when = _date(as_of)
    _emit(_with_store(db, lambda repo: ramp(repo, rep, first, when)), format, render_md)


@app.command("agenda")
def agenda_cmd(
    rep: Annotated[str, typer.Option("--rep", "-r", help="The rep.")],
    week: Annotated[Optional[str], typer.Option("--week", help="Any day of the week (YYYY-MM-DD); the agenda is for "
                                                "that Monday-to-Sunday week. Default: this week.")] = None,
    format: Annotated[OutFmt, typer.Option("--format", "-f", help="md or json.")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """The weekly 1:1 agenda from the data (saved, so next week's agenda checks its action items)."""
    from salescoach.coaching.agenda import agenda, render_md
    day = _date(week, "--week")
    _emit(_with_store(db, lambda repo: agenda(repo, rep, day)), format, render_md)


@app.command("programme")
def programme_cmd(
    start: Annotated[Optional[str], typer.Option("--start", help="First week of the calendar (any day of it, "
                                                 "YYYY-MM-DD). Default: this week.")] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="How many weeks the calendar covers.")] = 13,
    rep: Annotated[Optional[list[str]], typer.Option("--rep", "-r", help="Only these reps (repeatable). Default: "
                                                     "every rep with calls or CRM deals.")] = None,
    ics: Annotated[Optional[str], typer.Option("--ics", help="Write the calendar (iCalendar) to this file.")] = None,
    as_of: AsOfOpt = None,
    format: Annotated[OutFmt, typer.Option("--format", "-f", help="md or json.")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """The coaching cadence as a calendar with generated agendas, workshop topics and coaching impact."""
    from salescoach.coaching.programme import programme, render_md, to_ics
    first = _date(start, "--start")
    when = _date(as_of)
    out = _with_store(db, lambda repo: programme(repo, first, weeks, rep or None, when))
    if ics:
        try:
            Path(ics).write_bytes(to_ics(out))
        except OSError as e:
            _fail(f"{ics}: cannot write the calendar: {e.strerror}")
        err.print(f"wrote {len(out['events'])} events to {escape(ics)}", highlight=False)
    _emit(out, format, render_md)
