"""Coaching-plan commands: `plan` (coaching.plan) and `quota set | import | list` (coaching.quotas).

Every command takes `--db URL` like the CRM commands; bad input prints `error: ...` and exits 2.
"""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer
from rich.markup import escape

from salescoach.cli import app, err
from salescoach.cli.crm import AsOfOpt, DbOpt, OutFmt, _date, _emit, _json, _with_store

quota_app = typer.Typer(help="Rep quotas (for quota attainment and pipeline coverage in the coaching plan).",
                        no_args_is_help=True)
app.add_typer(quota_app, name="quota")


@app.command("plan")
def plan_cmd(
    rep: Annotated[str, typer.Option("--rep", "-r", help="The rep to plan for.")],
    format: Annotated[OutFmt, typer.Option("--format", "-f", help="md (the plan document) or json.")] = OutFmt.md,
    as_of: AsOfOpt = None,
    save: Annotated[bool, typer.Option("--save", help="Store this plan as the rep's active plan (the previous one is "
                                       "superseded); later runs show its milestones' follow-up.")] = False,
    db: DbOpt = None,
) -> None:
    """A rep's coaching plan: performance, six-skill assessment, up to three focus areas, follow-up."""
    from salescoach.coaching.plan import build_plan, render_md, save_plan
    when = _date(as_of)

    def run(repo):
        plan = build_plan(repo, rep, when)
        if save:
            plan["saved_id"] = save_plan(repo, plan)
        return plan
    plan = _with_store(db, run)
    _emit(plan, format, render_md)
    if save:
        err.print(f"saved as plan #{plan['saved_id']} (active from {plan['as_of']})")


@quota_app.command("set")
def quota_set(
    rep: Annotated[str, typer.Option("--rep", "-r", help="The rep.")],
    period: Annotated[str, typer.Option("--period", help="2026 (year), 2026Q4 (quarter) or 2026-11 (month).")],
    amount: Annotated[str, typer.Option("--amount", help="The quota amount (positive number).")],
    db: DbOpt = None,
) -> None:
    """Set (or replace) one rep's quota for one period."""
    from salescoach.coaching.quotas import set_quota
    q = _with_store(db, lambda repo: set_quota(repo, rep, period, amount))
    err.print(f"{escape(q['rep'])} {q['period']} ({q['start']}..{q['end']}): {q['amount']:,.0f}", highlight=False)


@quota_app.command("import")
def quota_import(
    file: Annotated[str, typer.Argument(help="CSV with the columns rep, period, amount.")],
    db: DbOpt = None,
) -> None:
    """Import quotas from a CSV; any bad row rejects the whole file (the error names file and line)."""
    from salescoach.coaching.quotas import import_csv
    n = _with_store(db, lambda repo: import_csv(repo, file))
    err.print(f"{escape(file)}: {n} quota(s) imported", highlight=False)


@quota_app.command("list")
def quota_list(
    rep: Annotated[Optional[str], typer.Option("--rep", "-r", help="Only this rep.")] = None,
    format: Annotated[OutFmt, typer.Option("--format", "-f")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """List quotas by rep and period."""
    from salescoach.coaching.quotas import list_quotas
    rows = _with_store(db, lambda repo: list_quotas(repo, rep))
    if format == OutFmt.json:
        _json(rows)
        return
    if not rows:
        sys.stdout.write("No quotas yet: salescoach quota set --rep NAME --period 2026Q4 --amount N\n")
        return
    L = ["| Rep | Period | From | To | Amount | Source |", "|---|---|---|---|---:|---|"]
    L += [f"| {r['rep']} | {r['period']} | {r['start']} | {r['end']} | {r['amount']:,.0f} | {r['source'] or '—'} |"
          for r in rows]
    sys.stdout.write("\n".join(L) + "\n")
