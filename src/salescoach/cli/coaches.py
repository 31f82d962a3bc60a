"""Issue 5 commands (coaches): `salescoach coaches --account NAME` (Miller Heiman coach network) and
`salescoach contacts import FILE...` (contacts with buying-influence roles)."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from salescoach.cli import app, err
from salescoach.cli.crm import AsOfOpt, DbOpt, OutFmt, _date, _emit, _open, _with_store
from salescoach.errors import SalescoachError

contacts_app = typer.Typer(help="CRM contacts with their buying-influence roles.", no_args_is_help=True)
app.add_typer(contacts_app, name="contacts")


@contacts_app.command("import")
def contacts_import(
    paths: Annotated[list[str], typer.Argument(help="Contact exports: Salesforce contact / contact-role reports, "
                                               "HubSpot contacts, or CSV with name, account, title, email, role, "
                                               "status, left_on, last_contact.")],
    db: DbOpt = None,
) -> None:
    """Import contacts and their buying-influence roles (each file all or nothing)."""
    from salescoach.crm.contacts import import_file
    repo = _open(db)
    bad = 0
    for path in paths:
        try:
            r = import_file(repo, path)
        except SalescoachError as e:
            bad += 1
            err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
            continue
        err.print(f"{escape(r.path)} ({r.format}): {r.rows} row(s), {r.inserted} new contact(s), {r.updated} "
                  f"updated, {r.roles} role(s) set", highlight=False)
        for label, n in sorted(r.unknown_roles.items()):
            err.print(f"note: {escape(r.path)}: role {escape(repr(label))} ({n} row(s)) is not a known buying-"
                      "influence label; stored as written with role unknown (add it under `roles` in "
                      "$SALESCOACH_FRAMEWORKS/coaches.json)", highlight=False)
    repo.close()
    if bad:
        raise typer.Exit(2)


@app.command("coaches")
def coaches(
    account: Annotated[str, typer.Option("--account", "-a", help="The account (name as in the CRM or --account "
                                         "at ingest; case and spacing ignored).")],
    as_of: AsOfOpt = None,
    format: Annotated[OutFmt, typer.Option("--format", "-f")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """An account's coach network: buying-influence roles, the three coach criteria with quotes, coverage,
    warnings and next moves."""
    from salescoach.coaches import network, render_md
    when = _date(as_of)
    _emit(_with_store(db, lambda repo: network(repo, account, when)), format, render_md)
