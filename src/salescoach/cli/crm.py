"""CRM commands: `crm import`, `pipeline stats | review`, `forecast snapshot | accuracy`.

Every command takes `--db URL` like the memory-bank commands. Definitions live in the modules
under salescoach.crm (importer, stats, review, forecast).
"""
from __future__ import annotations

import json
import sys
from datetime import date
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.markup import escape

from salescoach.cli import app, err
from salescoach.errors import SalescoachError

DbOpt = Annotated[Optional[str], typer.Option("--db", help="Store URL (SQLAlchemy URL or SQLite file); default "
                                              "$SALESCOACH_DB, else ./salescoach.db.", show_default=False)]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="The day to look from (YYYY-MM-DD); default today.")]

crm_app = typer.Typer(help="CRM data: import Salesforce / HubSpot / CSV exports.", no_args_is_help=True)
pipeline_app = typer.Typer(help="Pipeline figures and deal-by-deal pipeline reviews.", no_args_is_help=True)
forecast_app = typer.Typer(help="Forecast snapshots and each rep's forecast accuracy.", no_args_is_help=True)
app.add_typer(crm_app, name="crm")
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(forecast_app, name="forecast")


class CrmFormat(str, Enum):
    auto = "auto"
    salesforce = "salesforce"
    hubspot = "hubspot"
    csv = "csv"


class By(str, Enum):
    rep = "rep"
    manager = "manager"
    region = "region"
    product = "product"
    sector = "sector"


class OutFmt(str, Enum):
    json = "json"
    md = "md"


class Period(str, Enum):
    month = "month"
    quarter = "quarter"


def _open(db: str | None):
    from salescoach.store import open_store
    try:
        return open_store(db)
    except Exception as e:
        err.print(f"[red]error:[/] cannot open the store: {escape(str(e).splitlines()[0])}", highlight=False)
        raise typer.Exit(2)


def _date(v: str | None, opt: str = "--as-of") -> date | None:
    if not v:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        err.print(f"[red]error:[/] {opt} {escape(v)}: use YYYY-MM-DD", highlight=False)
        raise typer.Exit(2)


def _json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def _fail(message: str) -> None:
    """Print `error: message` and exit 2 (bad input or an unknown name)."""
    err.print(f"[red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def _with_store(db: str | None, fn):
    """`fn(repo)` on the store at `db`, closed afterwards; a SalescoachError becomes `error: ...` and exit 2."""
    repo = _open(db)
    try:
        return fn(repo)
    except SalescoachError as e:
        _fail(str(e))
    finally:
        repo.close()


def _emit(out, format: "OutFmt", render) -> None:
    """`out` as JSON, or as Markdown through `render`."""
    if format == OutFmt.json:
        _json(out)
    else:
        sys.stdout.write(render(out))


@crm_app.command("import")
def crm_import(
    paths: Annotated[list[str], typer.Argument(help="CRM export files, or a folder (the sales_pipeline.csv + "
                                               "accounts.csv + products.csv + sales_teams.csv layout imports as one "
                                               "data set).")],
    format: Annotated[CrmFormat, typer.Option("--format", help="Export format (default: from the header row).")]
    = CrmFormat.auto,
    mapping: Annotated[Optional[str], typer.Option("--mapping", help="YAML column mapping (columns:, stages:, "
                                                   "date_format:, decimal:, currency:).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="A bad row fails its whole file (nothing of it is "
                                         "written).")] = False,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="The day the export was taken: stage changes "
                                                 "found are dated to it when the file has no date (default today).")]
    = None,
    db: DbOpt = None,
) -> None:
    """Import CRM deals: upsert by CRM id, record stage changes, link stored calls to their deals."""
    from salescoach.crm.importer import ImportFailed, Mapping, import_paths
    when = _date(as_of)
    try:
        mp = Mapping.load(mapping) if mapping else None
    except ImportFailed as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(2)
    repo = _open(db)
    try:
        results = import_paths(repo, paths, format.value, mp, strict, when)
    except (ImportFailed, OSError) as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        repo.close()
        raise typer.Exit(2)
    repo.close()
    bad = 0
    for r in results:
        for e in r.errors[:50]:
            err.print(f"[yellow]bad row[/] {escape(str(e))}", highlight=False)
        if len(r.errors) > 50:
            err.print(f"... and {len(r.errors) - 50} more bad rows in {escape(r.path)}", highlight=False)
        for n in r.notes[:10]:
            err.print(f"note: {escape(r.path)}: {escape(n)}", highlight=False)
        if r.error:
            bad += 1
            err.print(f"[red]error:[/] {escape(r.error)}", highlight=False)
        elif r.failed:
            bad += 1
            err.print(f"[red]failed[/] {escape(r.path)}: --strict and {len(r.errors)} bad row(s); nothing written",
                      highlight=False)
        else:
            err.print(f"{escape(r.path)} ({r.format}): {r.inserted} new, {r.updated} updated, {r.unchanged} unchanged, "
                      f"{r.stage_changes} stage changes, {len(r.errors)} bad rows", highlight=False)
    if bad:
        raise typer.Exit(1)


@pipeline_app.command("stats")
def pipeline_stats(
    by: Annotated[By, typer.Option("--by", help="Group deals by rep, manager, region, product or sector.")] = By.rep,
    as_of: AsOfOpt = None,
    format: Annotated[OutFmt, typer.Option("--format", "-f")] = OutFmt.json,
    db: DbOpt = None,
) -> None:
    """Won, lost, open, win rate, values, cycle time and stage conversion per group."""
    from salescoach.crm.stats import pipeline_stats as run
    repo = _open(db)
    out = run(repo, by.value, _date(as_of))
    repo.close()
    if format == OutFmt.json:
        _json(out)
        return
    sys.stdout.write(render_stats_md(out))


def _money(x) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _pct(x) -> str:
    return "—" if x is None else f"{x:.0%}"


def render_stats_md(out: dict) -> str:
    lines = [f"# Pipeline figures by {out['by']}" + (f" on {out['as_of']}" if out["as_of"] else ""), "",
             "| Group | Won | Lost | Open | Win rate | Won value | Avg won | Median cycle (d) | Open value |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for g in out["groups"] + [{"group": "**All**", **out["total"]}]:
        ov = _money(g["open_value"]) + (" *" if g["open_value_estimated"] else "")
        lines.append(f"| {g['group']} | {g['won']} | {g['lost']} | {g['open']} | {_pct(g['win_rate'])} | "
                     f"{_money(g['won_value'])} | {_money(g['avg_won_value'])} | {g['median_cycle_days'] or '—'} | {ov} |")
    lines += ["", "\\* partly valued at product list price (open deals without an amount).", ""]
    return "\n".join(lines)


@pipeline_app.command("review")
def pipeline_review(
    rep: Annotated[Optional[str], typer.Option("--rep", "-r", help="Review this rep's pipeline.")] = None,
    manager: Annotated[Optional[str], typer.Option("--manager", help="Review this manager's team.")] = None,
    as_of: AsOfOpt = None,
    quota: Annotated[Optional[float], typer.Option("--quota", help="Quota for the period (coverage = pipeline / "
                                                   "quota, target 3:1).")] = None,
    format: Annotated[OutFmt, typer.Option("--format", "-f")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """Inspect the pipeline deal by deal: coverage, stage age, top-5 risks, six questions, patterns."""
    from salescoach.crm.review import review
    if rep and manager:
        err.print("[red]error:[/] give --rep or --manager, not both")
        raise typer.Exit(2)
    repo = _open(db)
    try:
        out = review(repo, rep, manager, _date(as_of), quota)
    except SalescoachError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        repo.close()
        raise typer.Exit(2)
    repo.close()
    if format == OutFmt.json:
        _json(out)
        return
    sys.stdout.write(render_review_md(out))


def render_review_md(r: dict) -> str:
    sc = r["scope"]
    who = sc["name"] if sc["kind"] == "rep" else f"{sc['name']}'s team" if sc["kind"] == "manager" else "everyone"
    s = r["summary"]
    src = f"; quota {_money(s['quota'])} from the {s['quota_source']}" if s.get("quota_source", "--quota") != "--quota" \
        else ""
    cov = f"{s['coverage']}:1 (target {s['coverage_target']:g}:1{src})" if s["coverage"] is not None else \
        "— (pass --quota, or set quotas with salescoach quota)"
    L = [f"# Pipeline review: {who} — {r['as_of']}", "", "## Pipeline health", "",
         f"- **Total pipeline**: {_money(s['total_pipeline'])} across {s['open_deals']} open deals"
         + (f" ({s['estimated_deals']} valued at list price)" if s["estimated_deals"] else ""),
         f"- **Weighted pipeline**: {_money(s['weighted_pipeline'])}",
         f"- **Coverage**: {cov}",
         f"- **Risk**: " + ", ".join(f"{n} {k}" for k, n in sorted(s["risk"].items())) if s["risk"] else "- **Risk**: —",
         f"- **Stale deals**: {r['stale_count']}", ""]
    if r["stages"]:
        L += ["| Stage | Deals | Value | Share | Avg age (d) | Avg days in stage | Stale |", "|---|---:|---:|---:|---:|---:|---:|"]
        for b in r["stages"]:
            L.append(f"| {b['stage']} | {b['deals']} | {_money(b['value'])} | {_pct(b['share_of_value'])} | "
                     f"{b['avg_age_days'] if b['avg_age_days'] is not None else '—'} | "
                     f"{b['avg_days_in_stage'] if b['avg_days_in_stage'] is not None else '—'} | {b['stale']} |")
        fl = r["stage_distribution"]["front_loaded"]
        if fl is not None:
            L += ["", "Distribution: " + ("front-loaded (most value in prospecting / qualification)" if fl else
                                         "not front-loaded")]
        L.append("")
    L += ["## Deals under inspection (top 5 by value)", "",
          "| Deal | Account | Value | Stage | Age (d) | Risk | Main reason |", "|---|---|---:|---|---:|---|---|"]
    for d in r["top_deals"]:
        L.append(f"| {d['name'] or d['deal']} | {d['account'] or '—'} | {_money(d['value'])}"
                 f"{' *' if d['value_estimated'] else ''} | {d['stage']} | {d['age_days'] if d['age_days'] is not None else '—'} | "
                 f"{d['risk']} | {d['reasons'][0] if d['reasons'] else '—'} |")
    L.append("")
    names = {"what_changed": "What changed", "who_we_talk_to": "Who we talk to", "business_case": "Business case",
             "decision_process": "Decision process", "biggest_risk": "Biggest risk", "next_step": "Next step"}
    for d in r["top_deals"]:
        L += [f"### {d['name'] or d['deal']} ({d['deal']}) — {d['risk']}", ""]
        for k, label in names.items():
            L.append(f"- **{label}**: {d['questions'][k]['answer']}")
            for e in (d["questions"][k].get("evidence") or [])[:2]:
                if e.get("quote"):
                    t = e.get("start")
                    at = f" at {int(t // 60)}:{int(t % 60):02d}" if isinstance(t, (int, float)) else ""
                    L.append(f"  - call {e.get('call')} ({e.get('date')}){at}: \"{e['quote']}\"")
        if d["reasons"]:
            L.append("- **Warnings**: " + "; ".join(d["reasons"]))
        L.append("")
    L += ["## Patterns", ""] + [f"- {p['text']}" for p in r["patterns"]] + [""]
    wl = r["win_loss"]
    L += ["## Win / loss", "", f"{wl['won']} won, {wl['lost']} lost; controllable causes {wl['controllable']}, "
          f"uncontrollable {wl['uncontrollable']}, unknown {wl['unknown']}."]
    if wl["note"]:
        L.append(f"({wl['note']})")
    for x in wl["debriefs"][:5]:
        if x["diagnosis"] != "unknown":
            L.append(f"- {x['name'] or x['deal']}: {x['diagnosis']} — {x['why']}")
    L.append("")
    return "\n".join(L)


@forecast_app.command("snapshot")
def forecast_snapshot(
    as_of: AsOfOpt = None,
    period: Annotated[Period, typer.Option("--period", help="Forecast period containing --as-of.")] = Period.month,
    format: Annotated[OutFmt, typer.Option("--format", "-f")] = OutFmt.json,
    db: DbOpt = None,
) -> None:
    """Record each rep's commit / best case / pipeline for the period (CRM category, else evidence rules)."""
    from salescoach.crm.forecast import snapshot
    repo = _open(db)
    out = snapshot(repo, _date(as_of), period.value)
    repo.close()
    if format == OutFmt.json:
        _json(out)
        return
    L = ["| Rep | Period | Closed | Commit | Best case | Pipeline | Method |", "|---|---|---:|---:|---:|---:|---|"]
    for x in out:
        L.append(f"| {x['rep']} | {x['period']} | {_money(x['closed_value'])} | {_money(x['commit_value'])} | "
                 f"{_money(x['best_case_value'])} | {_money(x['pipeline_value'])} | {x['method']} |")
    sys.stdout.write("\n".join(L) + "\n")


@forecast_app.command("accuracy")
def forecast_accuracy(
    rep: Annotated[Optional[str], typer.Option("--rep", "-r", help="Only this rep.")] = None,
    as_of: AsOfOpt = None,
    pick: Annotated[str, typer.Option("--pick", help="first | last snapshot of each period.")] = "first",
    format: Annotated[OutFmt, typer.Option("--format", "-f")] = OutFmt.md,
    db: DbOpt = None,
) -> None:
    """Compare forecast snapshots with what closed: error, bias, accuracy within 10%, per rep and period."""
    from salescoach.crm.forecast import accuracy
    if pick not in ("first", "last"):
        err.print("[red]error:[/] --pick is first or last")
        raise typer.Exit(2)
    repo = _open(db)
    try:
        out = accuracy(repo, rep, _date(as_of), pick)
    except SalescoachError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        repo.close()
        raise typer.Exit(2)
    repo.close()
    if format == OutFmt.json:
        _json(out)
        return
    L = [f"# Forecast accuracy — {out['as_of']}", ""]
    if not out["reps"]:
        L.append("No forecast snapshots yet: run `salescoach forecast snapshot` at the start of each period.")
    for r in out["reps"]:
        L += [f"## {r['rep']}", "",
              f"Within 10%: {_pct(r['accuracy_within_10'])} of {r['completed_periods']} completed periods; "
              f"bias {_pct(r['bias'])} ({r['tendency'] or 'not enough data'}); mean abs error {_pct(r['mape'])}.", "",
              "| Period | Forecast | Actual | Error | Error % | Within 10% |", "|---|---:|---:|---:|---:|---|"]
        for p in r["periods"]:
            w = "open" if not p["complete"] else "yes" if p["within_10"] else "no"
            L.append(f"| {p['period']} | {_money(p['forecast'])} | {_money(p['actual'])} | {_money(p['error'])} | "
                     f"{_pct(p['pct_error'])} | {w} |")
        L.append("")
    sys.stdout.write("\n".join(L) + "\n")
