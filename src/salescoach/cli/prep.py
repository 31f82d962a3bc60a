"""Issue 5 command `prep`: a meeting / deal prep brief (salescoach.prep)."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from salescoach.cli import app, err
from salescoach.cli.crm import DbOpt, OutFmt, _emit, _with_store


class Meeting(str, Enum):
    discovery = "discovery"
    demo = "demo"
    negotiation = "negotiation"
    executive = "executive"


@app.command("prep")
def prep(
    deal: Annotated[Optional[str], typer.Option("--deal", help="The deal's CRM id (or the store's deal id).")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="An account name: prep from all its calls "
                                                   "and deals.")] = None,
    meeting: Annotated[Optional[Meeting], typer.Option("--meeting", help="Meeting type (default: from the deal's "
                                                       "CRM stage, else the step after the latest call).")] = None,
    icp: Annotated[Optional[str], typer.Option("--icp", help="Ideal-customer profile (JSON or YAML) replacing "
                                               "the default in frameworks/prep.json.")] = None,
    format: Annotated[OutFmt, typer.Option("--format", help="Output format.")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """Prepare a meeting: objective, ask, likely objections (AECR), belief stack, ecosystem, fit, questions."""
    from salescoach.prep import build_prep, render_prep
    if bool(deal) == bool(account):
        err.print("[red]error:[/] give exactly one of --deal ID or --account NAME", highlight=False)
        raise typer.Exit(2)
    out = _with_store(db, lambda repo: build_prep(repo, deal=deal, account=account,
                                                  meeting=meeting.value if meeting else None, icp=icp))
    _emit(out, format, render_prep)
