"""CRM import: Salesforce opportunity reports, HubSpot deal exports, generic CSV (+ YAML mapping), and
the four-file data set layout (`sales_pipeline.csv`, `accounts.csv`, `products.csv`, `sales_teams.csv`).

What an import does, per file, in ONE transaction:
- every row is read into a canonical record (crm/parse.py says how cells are read); a row that
  cannot be read (no id, bad date or amount) is reported as `file:line: reason` and skipped, the
  others import. With `strict=True` any bad row fails the whole file and nothing of it is written.
- deals are upserted by their CRM id (`deals.external_id`): new ids are inserted, known ids updated.
  Fields the file does not carry are left as they were (a HubSpot export without probabilities does
  not wipe probabilities).
- stage history (`crm_stage_history`): a new deal records how it got where it is from the dates the
  row carries (engaged on `engage_date`, closed on `close_date`, else the current stage from its
  stage-change / created date); a known deal whose stage changed records the change, dated by the
  row's stage-change date, else the close date for a closed deal, else the import's `as_of` (the day
  the export was taken; default today). Re-importing the same file changes nothing.
- owners become reps, account names accounts, product names are matched to the product list
  ignoring case and spacing ("GTXPro" = "GTX Pro").
- afterwards calls already in the store that have no deal are linked to one (see `link_calls`).

Bulk paths: parsed rows are written with executemany (SQLAlchemy "insertmanyvalues"), never one ORM
object per row, so a million opportunities import in minutes, not hours.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from sqlalchemy import bindparam, insert, select, update

from salescoach.crm import parse as P
from salescoach.errors import SalescoachError
from salescoach.store import models as m
from salescoach.store.models import utcnow
from salescoach.store.repo import Repository

FIELDS = ("id", "name", "account", "amount", "currency", "stage", "close_date", "probability", "forecast_category",
          "owner", "created_date", "engage_date", "last_activity", "next_step", "next_step_date", "product",
          "loss_reason", "stage_changed_at", "contact")

# Header aliases (matched by parse.key: case, spaces and punctuation ignored) of Salesforce opportunity
# reports, HubSpot deal exports and the data set's sales_pipeline.csv.
ALIASES: dict[str, list[str]] = {
    "id": ["Opportunity ID", "Id", "Opportunity Id 18", "Record ID", "Deal ID", "hs_object_id", "opportunity_id"],
    "name": ["Opportunity Name", "Name", "Deal Name", "dealname"],
    "account": ["Account Name", "Account", "Associated Company", "Company name", "Company", "account"],
    "amount": ["Amount", "Opportunity Amount", "Amount (company currency)", "Deal amount", "close_value",
               "Total Contract Value"],
    "currency": ["Opportunity Currency", "Currency", "Amount Currency", "Currency Code", "deal_currency_code"],
    "stage": ["Stage", "Opportunity Stage", "Stage Name", "Deal Stage", "dealstage", "deal_stage"],
    "close_date": ["Close Date", "Expected Close Date", "closedate", "close_date"],
    "probability": ["Probability (%)", "Probability", "Deal probability", "hs_deal_stage_probability"],
    "forecast_category": ["Forecast Category", "Forecast Category Name", "hs_manual_forecast_category"],
    "owner": ["Opportunity Owner", "Owner", "Owner Name", "Deal owner", "hubspot_owner_id", "sales_agent"],
    "created_date": ["Created Date", "Create Date", "createdate"],
    "engage_date": ["Engage Date", "engage_date"],
    "last_activity": ["Last Activity", "Last Activity Date", "notes_last_updated"],
    "next_step": ["Next Step", "hs_next_step"],
    "next_step_date": ["Next Step Date", "Next activity date", "notes_next_activity_date"],
    "product": ["Product", "Product Name", "Primary Product", "product"],
    "loss_reason": ["Loss Reason", "Closed Lost Reason", "Reason Lost", "closed_lost_reason"],
    "stage_changed_at": ["Last Stage Change Date", "Stage Change Date", "Date entered current stage"],
    "contact": ["Primary Contact", "Contact Name", "Contact", "Associated Contact"],
}
FORMATS = ("auto", "salesforce", "hubspot", "csv", "dataset")
DATASET_FILES = ("sales_teams.csv", "products.csv", "accounts.csv", "sales_pipeline.csv")


class ImportFailed(SalescoachError):
    pass


@dataclass
class RowError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class FileResult:
    path: str
    format: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stage_changes: int = 0
    errors: list[RowError] = field(default_factory=list)
    failed: bool = False  # --strict and a bad row, or an unreadable file: nothing of this file was written
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # why the whole file could not be read (unknown format, no id column, ...)

    def as_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "rows": self.rows, "inserted": self.inserted,
                "updated": self.updated, "unchanged": self.unchanged, "stage_changes": self.stage_changes,
                "failed": self.failed, "error": self.error, "errors": [str(e) for e in self.errors],
                "notes": self.notes}


@dataclass
class Mapping:
    """A column mapping (YAML): `columns` field -> header, `stages` label -> canonical stage,
    `date_format` (strptime), `decimal` ("." or ","), `currency` (default ISO code), `dayfirst`."""
    columns: dict[str, str] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    decimal: str | None = None
    currency: str | None = None
    dayfirst: bool | None = None

    @classmethod
    def load(cls, path: str) -> "Mapping":
        import yaml
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except OSError as e:
            raise ImportFailed(f"{path}: cannot read the mapping: {e.strerror}") from None
        except yaml.YAMLError as e:
            line = getattr(getattr(e, "problem_mark", None), "line", None)
            raise ImportFailed(f"{path}:{(line or 0) + 1}: invalid YAML: {getattr(e, 'problem', e)}") from None
        if not isinstance(data, dict):
            raise ImportFailed(f"{path}: a mapping file is a YAML mapping with `columns:`")
        cols = data.get("columns") or {}
        bad = [k for k in cols if k not in FIELDS]
        if bad:
            raise ImportFailed(f"{path}: unknown field(s) {', '.join(map(str, bad))} under columns; known: "
                               f"{', '.join(FIELDS)}")
        stages = {str(k): str(v) for k, v in (data.get("stages") or {}).items()}
        known = set(P.load("crm")["stages"])
        wrong = [v for v in stages.values() if v not in known]
        if wrong:
            raise ImportFailed(f"{path}: stages must map to one of {', '.join(sorted(known))}; got {wrong[0]}")
        return cls(columns={k: str(v) for k, v in cols.items()}, stages=stages, date_format=data.get("date_format"),
                   decimal=data.get("decimal"), currency=data.get("currency"), dayfirst=data.get("dayfirst"))


# -- reading ------------------------------------------------------------------------------------
def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _reader(text: str) -> csv.DictReader:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)


def detect_format(headers: Iterable[str]) -> str:
    """salesforce | hubspot | dataset | csv (unknown: needs a mapping) from a file's header row."""
    keys = {P.key(h) for h in headers}
    if {"opportunityid", "dealstage", "salesagent"} <= keys:
        return "dataset"
    if keys & {"dealstage", "dealname", "dealowner", "recordid", "hsobjectid"}:
        return "hubspot"
    if keys & {"opportunityname", "opportunityid", "opportunityowner", "forecastcategory"} or \
            {"stage", "closedate"} <= keys:
        return "salesforce"
    return "csv"


def _columns(headers: list[str], mapping: Mapping | None) -> dict[str, str]:
    """field -> header actually present."""
    by_key = {P.key(h): h for h in headers if h}
    out = {}
    for f, aliases in ALIASES.items():
        for a in aliases:
            if P.key(a) in by_key:
                out[f] = by_key[P.key(a)]
                break
    if mapping:
        for f, h in mapping.columns.items():
            if h in headers:
                out[f] = h
            elif P.key(h) in by_key:
                out[f] = by_key[P.key(h)]
            else:
                raise ImportFailed(f"mapping names column {h!r} for {f}, but the file has no such column")
    return out


def _record(row: dict, cols: dict[str, str], fmt: str, mapping: Mapping | None) -> dict:
    """One canonical record from a CSV row; raises ValueError (the reason) on a bad cell."""
    get = lambda f: P.clean(row.get(cols[f])) if f in cols else None  # noqa: E731
    rid = get("id")
    if rid is None:
        raise ValueError(f"no CRM id ({cols.get('id', 'id column missing')} is empty)")
    us = not (mapping and mapping.dayfirst)  # slash dates read month/day/year unless the mapping says dayfirst
    dfmt = mapping.date_format if mapping else None
    dec = mapping.decimal if mapping else None
    rec: dict = {"id": rid}
    for f in ("name", "account", "owner", "next_step", "product", "loss_reason", "contact"):
        if f in cols:
            rec[f] = get(f)
    if "amount" in cols:
        try:
            rec["amount"], cur = P.parse_money(row.get(cols["amount"]), dec)
        except ValueError as e:
            raise ValueError(f"{cols['amount']}: {e}") from None
        c = get("currency") or cur or (mapping.currency if mapping else None)
        if c:
            rec["currency"] = c.upper()[:3]
    for f in ("close_date", "created_date", "engage_date", "last_activity", "next_step_date", "stage_changed_at"):
        if f in cols:
            try:
                rec[f] = P.parse_date(row.get(cols[f]), dfmt, us=us)
            except ValueError as e:
                raise ValueError(f"{cols[f]}: {e}") from None
    if "probability" in cols:
        try:
            rec["probability"] = P.parse_probability(row.get(cols["probability"]))
        except ValueError as e:
            raise ValueError(f"{cols['probability']}: {e}") from None
    if "forecast_category" in cols:
        rec["forecast_category"] = P.canonical_forecast_category(get("forecast_category"))
    if "stage" in cols:
        raw = get("stage")
        if raw is None:
            raise ValueError(f"{cols['stage']}: empty stage")
        rec["stage_raw"] = raw
        rec["stage"] = P.canonical_stage(raw, mapping.stages if mapping else None)
    return rec


def open_records(path: Path, fmt: str = "auto", mapping: Mapping | None = None):
    """(format, rows, unknown stages) of one opportunity/deal file; `rows` yields (line, record) or a
    RowError, one per data row, streaming (a million rows never sit in memory as records)."""
    text = _read_text(path)
    rd = _reader(text)
    headers = [h for h in (rd.fieldnames or []) if h is not None]
    if not headers:
        raise ImportFailed(f"{path}: empty file (no header row)")
    if fmt == "auto":
        fmt = detect_format(headers)
        if fmt == "csv" and mapping is None:
            raise ImportFailed(f"{path}:1: cannot tell the CRM format from the header ({', '.join(headers[:6])}"
                               f"{'...' if len(headers) > 6 else ''}); pass --format or --mapping FILE.yaml")
    cols = _columns(headers, mapping)
    for need in ("id", "stage"):
        if need not in cols:
            raise ImportFailed(f"{path}:1: no {need} column found (looked for {', '.join(ALIASES[need][:4])}...)"
                               "; give one in --mapping")
    unknown: dict[str, int] = {}

    def rows():
        line = 1
        for row in rd:
            start, line = line + 1, rd.line_num  # line_num: where the row ends (quoted cells may span lines)
            if None in row:  # more cells than headers
                yield RowError(str(path), start, f"{len(row[None])} more cell(s) than the header has")
                continue
            if not any((v or "").strip() for v in row.values()):
                continue
            try:
                rec = _record(row, cols, fmt, mapping)
            except ValueError as e:
                yield RowError(str(path), start, str(e))
                continue
            if rec.get("stage") == "open":
                unknown[rec["stage_raw"]] = unknown.get(rec["stage_raw"], 0) + 1
            yield start, rec
    return fmt, rows(), unknown


def _unknown_notes(unknown: dict[str, int]) -> list[str]:
    return [f"unknown stage {k!r} ({n} row(s)) imported as an open deal of unknown stage; map it under "
            f"`stages:` in a mapping file" for k, n in sorted(unknown.items())]


def read_records(path: Path, fmt: str = "auto", mapping: Mapping | None = None
                 ) -> tuple[str, list[tuple[int, dict]], list[RowError], list[str]]:
    """(format, [(line, record)], errors, notes) of one opportunity/deal file (all in memory)."""
    fmt, rows, unknown = open_records(path, fmt, mapping)
    out, errors = [], []
    for item in rows:
        (errors if isinstance(item, RowError) else out).append(item)
    return fmt, out, errors, _unknown_notes(unknown)


# -- writing ------------------------------------------------------------------------------------
def _chunks(seq: list, n: int = 5000):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


class _Names:
    """Get-or-create of named rows (accounts, reps, managers, products) with one SELECT and bulk INSERTs."""

    def __init__(self, s, model, col: str = "name"):
        self.s, self.model, self.col = s, model, col
        self.ids: dict[str, int] = {}
        self.by_key: dict[str, int] = {}
        for i, n in s.execute(select(model.id, getattr(model, col))):
            self.ids[n] = i
            self.by_key.setdefault(P.key(n), i)

    def find(self, name: str | None) -> int | None:
        if not name:
            return None
        return self.ids.get(name) or self.by_key.get(P.key(name))

    def ensure(self, names: Iterable[str | None]) -> None:
        new = []
        seen = set()
        for n in names:
            if n and self.find(n) is None and P.key(n) not in seen:
                seen.add(P.key(n))
                new.append(" ".join(n.split()))
        for chunk in _chunks(new):
            res = self.s.execute(insert(self.model).returning(self.model.id, getattr(self.model, self.col),
                                                              sort_by_parameter_order=True),
                                 [{self.col: n} for n in chunk])
            for i, n in res:
                self.ids[n] = i
                self.by_key.setdefault(P.key(n), i)


_DEAL_COLS = ("name", "account_id", "stage", "won", "amount", "closed_at")
_CRM_COLS = ("source", "owner_id", "product_id", "stage", "stage_raw", "currency", "probability", "forecast_category",
             "next_step", "next_step_date", "created_date", "engage_date", "close_date", "last_activity",
             "stage_changed_at", "loss_reason")


def _initial_history(rec: dict, as_of: date) -> list[tuple[str, date | None]]:
    """How a deal first seen got to its stage, from the dates the row carries."""
    st = rec["stage"]
    out: list[tuple[str, date | None]] = []
    eng = rec.get("engage_date")
    order = P.stage_info(st)["order"]
    if eng and (order > 3 or st in ("won", "lost")):
        out.append(("discovery", eng))
    if st in ("won", "lost"):
        out.append((st, rec.get("close_date") or rec.get("stage_changed_at") or as_of))
    elif not (out and out[-1][0] == st):
        when = rec.get("stage_changed_at") or (eng if st == "discovery" else None) or rec.get("created_date")
        out.append((st, when))
    return out


BATCH = 20000  # rows per write batch (all batches of a file share one transaction)


def upsert_records(s, records: list[tuple[int, dict]], source: str, path: str, as_of: date,
                   result: FileResult, ctx: dict | None = None) -> None:
    """Upsert canonical records in the open session `s` (the caller owns the transaction)."""
    latest: dict[str, dict] = {}
    for _, rec in records:  # a CRM id listed twice: the last row wins
        if rec["id"] in latest and len(result.notes) < 20:
            result.notes.append(f"CRM id {rec['id']} appears more than once; the last row wins")
        latest[rec["id"]] = rec
    recs = list(latest.values())
    ctx = {} if ctx is None else ctx
    accounts = ctx.get("accounts") or ctx.setdefault("accounts", _Names(s, m.Account))
    accounts.ensure(r.get("account") for r in recs)
    reps = ctx.get("reps") or ctx.setdefault("reps", _Names(s, m.Rep))
    reps.ensure(r.get("owner") for r in recs)
    products = ctx.get("products") or ctx.setdefault("products", _Names(s, m.CrmProduct))
    products.ensure(r.get("product") for r in recs)
    _ensure_contacts(s, [(accounts.find(r.get("account")), r["contact"]) for r in recs if r.get("contact")])

    existing: dict[str, dict] = {}
    D, C = m.Deal.__table__, m.CrmDeal.__table__
    ids = list(latest)
    for chunk in _chunks(ids, 2000):
        q = select(D.c.id, D.c.external_id, D.c.name, D.c.account_id, D.c.amount, D.c.closed_at, D.c.won,
                   *[C.c[c] for c in _CRM_COLS], C.c.deal_id.label("has_crm")) \
            .select_from(D.outerjoin(C, C.c.deal_id == D.c.id)).where(D.c.external_id.in_(chunk))
        for row in s.execute(q).mappings():
            existing[row["external_id"]] = dict(row)

    now = utcnow()
    new_deals, upd_deals, new_crm, upd_crm, history = [], [], [], [], []
    for rec in recs:
        st = rec["stage"]
        deal = {"name": rec.get("name"), "account_id": accounts.find(rec.get("account")), "stage": st,
                "won": True if st == "won" else False if st == "lost" else None, "amount": rec.get("amount"),
                "closed_at": None}
        if st in ("won", "lost") and rec.get("close_date"):
            c = rec["close_date"]
            deal["closed_at"] = datetime(c.year, c.month, c.day)
        crm = {"source": source, "owner_id": reps.find(rec.get("owner")), "product_id": products.find(rec.get("product")),
               "stage": st, "stage_raw": rec.get("stage_raw")}
        for f in ("currency", "probability", "forecast_category", "next_step", "next_step_date", "created_date",
                  "engage_date", "close_date", "last_activity", "stage_changed_at", "loss_reason"):
            crm[f] = rec.get(f)
        old = existing.get(rec["id"])
        if old is None:
            new_deals.append({"external_id": rec["id"], **deal})
            new_crm.append((rec["id"], crm))
            prev = None
            for stg, when in _initial_history(rec, as_of):
                history.append((rec["id"], {"from_stage": prev, "to_stage": stg, "stage_raw": rec.get("stage_raw")
                                            if stg == st else None, "changed_at": when, "source": path}))
                prev = stg
            continue
        # fields absent from this file keep their stored values
        for f in ("name", "amount"):
            if f not in rec:
                deal[f] = old[f]
        if "account" not in rec:
            deal["account_id"] = old["account_id"]
        if "owner" not in rec:
            crm["owner_id"] = old["owner_id"]
        if "product" not in rec:
            crm["product_id"] = old["product_id"]
        for f in ("currency", "probability", "forecast_category", "next_step", "next_step_date", "created_date",
                  "engage_date", "close_date", "last_activity", "stage_changed_at", "loss_reason"):
            if f not in rec:
                crm[f] = old[f]
        stage_changed = old["has_crm"] is None or old["stage"] != st or (old["stage_raw"] or "") != (rec.get("stage_raw") or "")
        if stage_changed and old["has_crm"] is not None:
            when = rec.get("stage_changed_at") or (rec.get("close_date") if st in ("won", "lost") else None) or as_of
            crm["stage_changed_at"] = rec.get("stage_changed_at") or when
            history.append((rec["id"], {"from_stage": old["stage"], "to_stage": st, "stage_raw": rec.get("stage_raw"),
                                        "changed_at": when, "source": path}))
            result.stage_changes += 1
        elif old["has_crm"] is None:
            for stg, when in _initial_history(rec, as_of):
                history.append((rec["id"], {"from_stage": None, "to_stage": stg, "stage_raw": rec.get("stage_raw"),
                                            "changed_at": when, "source": path}))
        same = old["has_crm"] is not None and all(old.get(k) == v for k, v in deal.items() if k in old) and \
            all(old.get(k) == v for k, v in crm.items())
        if same:
            result.unchanged += 1
            continue
        result.updated += 1
        upd_deals.append({"b_id": old["id"], **deal})
        if old["has_crm"] is None:
            new_crm.append((rec["id"], crm))
        else:
            upd_crm.append({"b_id": old["id"], **crm, "updated_at": now})
    result.inserted += len(new_deals)
    id_of = {k: v["id"] for k, v in existing.items()}
    if new_deals:
        cols = ("external_id", *_DEAL_COLS)
        bulk_insert(s, "deals", cols, [tuple(d[c] for c in cols) for d in new_deals])
        for chunk in _chunks([d["external_id"] for d in new_deals], 2000):
            for i, ext in s.connection().execute(select(D.c.id, D.c.external_id).where(D.c.external_id.in_(chunk))):
                id_of[ext] = i
    if upd_deals:
        stmt = update(D).where(D.c.id == bindparam("b_id")).values({c: bindparam(c) for c in _DEAL_COLS})
        for chunk in _chunks(upd_deals):
            s.connection().execute(stmt, chunk)
    if new_crm:
        bulk_insert(s, "crm_deals", ("deal_id", *_CRM_COLS, "updated_at"),
                    [(id_of[ext], *[crm[c] for c in _CRM_COLS], now) for ext, crm in new_crm])
    if upd_crm:
        stmt = update(C).where(C.c.deal_id == bindparam("b_id")).values(
            {c: bindparam(c) for c in (*_CRM_COLS, "updated_at")})
        for chunk in _chunks(upd_crm):
            s.connection().execute(stmt, chunk)
    if history:
        bulk_insert(s, "crm_stage_history", ("deal_id", "from_stage", "to_stage", "stage_raw", "changed_at", "source",
                                             "recorded_at"),
                    [(id_of[ext], h["from_stage"], h["to_stage"], h["stage_raw"], h["changed_at"], h["source"], now)
                     for ext, h in history])


def _ensure_contacts(s, pairs: list[tuple[int | None, str]]) -> None:
    """CRM contacts (name + account): the people a call's buyers are matched to (see link_calls)."""
    want = {(a, " ".join(n.split())) for a, n in pairs if a}
    if not want:
        return
    accs = list({a for a, _ in want})
    have: set = set()
    for i in range(0, len(accs), 500):
        have |= set(s.execute(select(m.Contact.account_id, m.Contact.name)
                              .where(m.Contact.account_id.in_(accs[i:i + 500]))).all())
    new = [{"account_id": a, "name": n} for a, n in sorted(want) if (a, n) not in have]
    for chunk in _chunks(new):
        s.execute(insert(m.Contact.__table__), chunk)


def _sqlite_value(v):
    """A value as SQLAlchemy stores it in SQLite (dates ISO, datetimes with microseconds)."""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


def bulk_insert(s, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows on the session's own connection (same transaction) by the fastest path the
    database has: PostgreSQL COPY, SQLite executemany on the driver; other databases Core executemany."""
    if not rows:
        return
    conn = s.connection()
    raw = conn.connection.driver_connection
    name = conn.dialect.name
    if name == "postgresql" and hasattr(raw, "cursor"):
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
    elif name == "sqlite":
        cur = raw.cursor()
        try:
            cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                            [tuple(_sqlite_value(v) for v in r) for r in rows])
        finally:
            cur.close()
    else:
        t = m.Base.metadata.tables[table]
        for chunk in _chunks(rows):
            conn.execute(insert(t), [dict(zip(cols, r)) for r in chunk])


# -- data set companion files (sales_teams, products, accounts) -----------------------------------
def _import_teams(s, rows: list[tuple[int, dict]], path: str, res: FileResult) -> None:
    reps = _Names(s, m.Rep)
    mgrs = _Names(s, m.Manager)
    good = []
    for line, r in rows:
        agent, mgr = P.clean(r.get("sales_agent")), P.clean(r.get("manager"))
        if not agent:
            res.errors.append(RowError(path, line, "no sales_agent"))
            continue
        good.append((agent, mgr, P.clean(r.get("regional_office"))))
    reps.ensure(a for a, _, _ in good)
    mgrs.ensure(g for _, g, _ in good)
    teams = _Names(s, m.Team)
    team_names = {(g, reg): f"{g} ({reg})" if reg else g for _, g, reg in good if g}
    teams.ensure(team_names.values())
    for (g, reg), tn in team_names.items():
        s.execute(update(m.Team.__table__).where(m.Team.__table__.c.id == teams.find(tn))
                  .values(manager_id=mgrs.find(g)))
    have = {r for (r,) in s.execute(select(m.CrmRep.rep_id))}
    for agent, g, reg in good:
        rid = reps.find(agent)
        vals = {"manager_id": mgrs.find(g), "region": reg}
        if rid in have:
            s.execute(update(m.CrmRep.__table__).where(m.CrmRep.__table__.c.rep_id == rid).values(**vals))
            res.updated += 1
        else:
            s.execute(insert(m.CrmRep.__table__).values(rep_id=rid, **vals))
            have.add(rid)
            res.inserted += 1
        if g:
            s.execute(update(m.Rep.__table__).where(m.Rep.__table__.c.id == rid)
                      .values(team_id=teams.find(team_names[(g, reg)])))


def _import_products(s, rows: list[tuple[int, dict]], path: str, res: FileResult) -> None:
    prods = _Names(s, m.CrmProduct)
    for line, r in rows:
        name = P.clean(r.get("product"))
        if not name:
            res.errors.append(RowError(path, line, "no product name"))
            continue
        try:
            price, _ = P.parse_money(r.get("sales_price") or r.get("list_price") or r.get("price"))
        except ValueError as e:
            res.errors.append(RowError(path, line, f"sales_price: {e}"))
            continue
        pid = prods.find(name)
        vals = {"series": P.clean(r.get("series")), "list_price": price}
        if pid is None:
            prods.ensure([name])
            pid = prods.find(name)
            res.inserted += 1
        else:
            res.updated += 1
        # a product first met in the pipeline under a variant spelling takes the catalogue's name
        s.execute(update(m.CrmProduct.__table__).where(m.CrmProduct.__table__.c.id == pid).values(name=name, **vals))


def _import_accounts(s, rows: list[tuple[int, dict]], path: str, res: FileResult) -> None:
    accs = _Names(s, m.Account)
    good = []
    for line, r in rows:
        name = P.clean(r.get("account"))
        if not name:
            res.errors.append(RowError(path, line, "no account name"))
            continue
        try:
            rev = P.parse_money(r.get("revenue"))[0]
            emp = P.clean(r.get("employees"))
            emp = int(float(emp)) if emp else None
            year = P.clean(r.get("year_established"))
            year = int(year) if year else None
        except ValueError as e:
            res.errors.append(RowError(path, line, str(e)))
            continue
        good.append((name, {"sector": P.fix_sector(r.get("sector")), "year_established": year, "revenue": rev,
                            "employees": emp, "location": P.clean(r.get("office_location")),
                            "parent": P.clean(r.get("subsidiary_of"))}))
    accs.ensure(n for n, _ in good)
    have = {a for (a,) in s.execute(select(m.CrmAccount.account_id))}
    ins, upd = [], {}
    for name, vals in good:
        aid = accs.find(name)
        if aid in have:
            upd[aid] = {"b_id": aid, **vals}
        else:
            ins.append({"account_id": aid, **vals})
            have.add(aid)
    T = m.CrmAccount.__table__
    for chunk in _chunks(ins):
        s.execute(insert(T), chunk)
    if upd:
        stmt = update(T).where(T.c.account_id == bindparam("b_id")).values(
            {c: bindparam(c) for c in ("sector", "year_established", "revenue", "employees", "location", "parent")})
        for chunk in _chunks(list(upd.values())):
            s.connection().execute(stmt, chunk)
    res.inserted += len(ins)
    res.updated += len(upd)


def _plain_rows(path: Path) -> list[tuple[int, dict]]:
    rd = _reader(_read_text(path))
    out, line = [], 1
    for row in rd:
        start, line = line + 1, rd.line_num
        if any((v or "").strip() for v in row.values() if isinstance(v, str)):
            out.append((start, row))
    return out


# -- entry points -------------------------------------------------------------------------------
def import_file(repo: Repository, path: Path, fmt: str = "auto", mapping: Mapping | None = None,
                strict: bool = False, as_of: date | None = None) -> FileResult:
    """Import one CRM file in one transaction (see the module doc)."""
    as_of = as_of or date.today()
    name = path.name.casefold()
    companion = {"sales_teams.csv": _import_teams, "products.csv": _import_products, "accounts.csv": _import_accounts}
    if fmt in ("auto", "dataset") and name in companion:
        res = FileResult(str(path), "dataset")
        rows = _plain_rows(path)
        res.rows = len(rows)
        try:
            with repo.session() as s:
                companion[name](s, rows, str(path), res)
                if strict and res.errors:
                    raise ImportFailed("strict")
        except ImportFailed:
            res.failed, res.inserted, res.updated = True, 0, 0
        return res
    rfmt, rows, unknown = open_records(path, "auto" if fmt == "dataset" else fmt, mapping)
    res = FileResult(str(path), rfmt)

    class _Bad(Exception):
        pass
    batch: list = []
    ctx: dict = {}
    try:
        with repo.session() as s:
            for item in rows:
                if isinstance(item, RowError):
                    res.errors.append(item)
                    continue
                res.rows += 1
                if strict and res.errors:
                    continue  # keep reading to report every bad row; nothing more is written
                batch.append(item)
                if len(batch) >= BATCH:
                    upsert_records(s, batch, rfmt, str(path), as_of, res, ctx)
                    batch = []
            if strict and res.errors:
                raise _Bad()
            if batch:
                upsert_records(s, batch, rfmt, str(path), as_of, res, ctx)
            link_calls(s)
    except _Bad:
        res.failed = True
        res.inserted = res.updated = res.unchanged = res.stage_changes = 0
    res.rows += len(res.errors)
    res.notes = _unknown_notes(unknown) + res.notes
    return res


def expand(paths: list[str]) -> list[tuple[Path, str | None]]:
    """Files to import, in order: a data set folder yields its four files (teams, products, accounts,
    pipeline: the pipeline last so products and reps exist); other folders their *.csv files."""
    out: list[tuple[Path, str | None]] = []
    for p in map(Path, paths):
        if p.is_dir():
            if (p / "sales_pipeline.csv").is_file():
                out += [(p / f, "dataset") for f in DATASET_FILES if (p / f).is_file()]
            else:
                out += [(f, None) for f in sorted(p.glob("*.csv"))]
        elif p.is_file():
            out.append((p, None))
        else:
            raise ImportFailed(f"{p}: no such file or folder")
    return out


def import_paths(repo: Repository, paths: list[str], fmt: str = "auto", mapping: Mapping | None = None,
                 strict: bool = False, as_of: date | None = None) -> list[FileResult]:
    results = []
    from salescoach.batchgc import no_gc
    for path, kind in expand(paths):
        try:
            with no_gc():
                results.append(import_file(repo, path, kind or fmt if fmt == "auto" else fmt, mapping, strict, as_of))
        except ImportFailed as e:  # this file cannot be read at all; the others still import
            results.append(FileResult(str(path), fmt, failed=True, error=str(e)))
    return results


# -- calls <-> deals ------------------------------------------------------------------------------
def link_calls(s) -> int:
    """Give calls without a deal the deal they belong to. A call belongs to a deal of its account (the
    call's account, else the account of a CRM contact — `contact` column — who spoke on it as a buyer;
    names match ignoring case and spacing) — of the deals owned by one of the
    call's reps when there are such — preferring the deal open on the call's date (created/engaged on or
    before it, not closed before it), then the most recently closed one. Returns how many were linked."""
    calls = s.execute(select(m.Call.id, m.Call.account_id, m.Call.started_at, m.Call.ingested_at)
                      .where(m.Call.deal_id.is_(None))).all()
    if not calls:
        return 0
    linked = 0
    contacts = s.execute(select(m.Contact.account_id, m.Contact.name).where(m.Contact.account_id.is_not(None))).all()
    for cid, acc, started, ingested in calls:
        accs = {acc} if acc else set()
        names = [n for (n,) in s.execute(select(m.Contact.name).join(m.CallContact, m.CallContact.contact_id ==
                                                                     m.Contact.id).where(m.CallContact.call_id == cid))]
        if not accs and names:  # participants: buyers on the call who are CRM contacts of an account
            keys = {P.key(n) for n in names}
            accs = {a for a, n in contacts if P.key(n) in keys}
        if not accs:
            continue
        reps = {r for (r,) in s.execute(select(m.CallRep.rep_id).where(m.CallRep.call_id == cid))}
        rows = s.execute(select(m.Deal.id, m.CrmDeal.owner_id, m.CrmDeal.created_date, m.CrmDeal.engage_date,
                                m.CrmDeal.close_date, m.CrmDeal.stage)
                         .join(m.CrmDeal, m.CrmDeal.deal_id == m.Deal.id).where(m.Deal.account_id.in_(accs))).all()
        if not rows:
            continue
        owned = [r for r in rows if r.owner_id in reps]
        rows = owned or rows
        when = (started or ingested).date()

        def score(r):
            begin = r.created_date or r.engage_date
            open_then = (begin is None or begin <= when) and (r.close_date is None or r.close_date >= when
                                                              or P.is_open(r.stage))
            return (open_then, r.close_date or date.max, r.id)
        best = max(rows, key=score)
        s.execute(update(m.Call.__table__).where(m.Call.__table__.c.id == cid).values(deal_id=best.id))
        if not acc:
            s.execute(update(m.Call.__table__).where(m.Call.__table__.c.id == cid)
                      .values(account_id=s.scalar(select(m.Deal.account_id).where(m.Deal.id == best.id))))
        linked += 1
    return linked
