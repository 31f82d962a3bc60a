"""Rep quotas: `salescoach quota set | import | list`.

A quota is an amount for one period of one rep. Periods are written `2026` (the year),
`2026Q4` (a quarter) or `2026-11` (a month); `parse_period` turns them into first and last day.
Setting a quota for a (rep, period) that already has one replaces its amount.

`import_csv(repo, path)` reads a CSV with the columns rep, period, amount (header required,
any order, case-insensitive; extra columns are ignored). The file is all or nothing: any bad row
(unknown rep, bad period, amount that is not a positive number, the same rep and period twice)
raises one `SalescoachError` that names the file and line of every bad row, and nothing is written.
"""
from __future__ import annotations

import calendar
import csv
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from salescoach.coaching.context import find_rep_or_fail
from salescoach.errors import SalescoachError
from salescoach.store import models as m
from salescoach.store.repo import Repository

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
COLUMNS = ("rep", "period", "amount")


def parse_period(text: str) -> tuple[str, date, date]:
    """(canonical period, first day, last day) of `2026`, `2026Q4` (or `2026-Q4`) or `2026-11`."""
    t = (text or "").strip()
    if mt := _YEAR.match(t):
        y = int(mt[1])
        return str(y), date(y, 1, 1), date(y, 12, 31)
    if mt := _QUARTER.match(t):
        y, q = int(mt[1]), int(mt[2])
        sm, em = 3 * q - 2, 3 * q
        return f"{y}Q{q}", date(y, sm, 1), date(y, em, calendar.monthrange(y, em)[1])
    if (mt := _MONTH.match(t)) and 1 <= int(mt[2]) <= 12:
        y, mo = int(mt[1]), int(mt[2])
        return f"{y}-{mo:02d}", date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
    raise SalescoachError(f"period {text!r}: use a year (2026), a quarter (2026Q4) or a month (2026-11)")


def parse_amount(text) -> float:
    try:
        v = float(str(text).replace(",", "").replace("$", "").strip())
    except ValueError:
        raise SalescoachError(f"amount {text!r}: use a positive number such as 250000") from None
    if not v > 0 or v != v or v == float("inf"):
        raise SalescoachError(f"amount {text!r}: use a positive number such as 250000")
    return v


def _upsert(s, rep_id: int, period: str, start: date, end: date, amount: float, source: str) -> None:
    q = s.scalar(select(m.Quota).where(m.Quota.rep_id == rep_id, m.Quota.period == period))
    if q is None:
        s.add(m.Quota(rep_id=rep_id, period=period, period_start=start, period_end=end, amount=amount, source=source))
    else:
        q.amount, q.period_start, q.period_end, q.source = amount, start, end, source


def set_quota(repo: Repository, rep: str, period: str, amount) -> dict:
    """Set (or replace) one quota; returns it as {rep, period, start, end, amount}."""
    per, start, end = parse_period(period)
    amt = parse_amount(amount)
    with repo.session() as s:
        r = find_rep_or_fail(repo, s, rep)
        _upsert(s, r.id, per, start, end, amt, "cli")
        name = r.name
    return {"rep": name, "period": per, "start": start.isoformat(), "end": end.isoformat(), "amount": amt}


def import_csv(repo: Repository, path: str | Path) -> int:
    """Import every row of a quota CSV in one transaction (see the module docstring). Returns the row count."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise SalescoachError(f"{p}: cannot read the quota file: {e.strerror}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(c.strip() for c in rows[0]):
        raise SalescoachError(f"{p}: the file is empty; expected a header row with the columns rep, period, amount")
    head = [c.strip().lower() for c in rows[0]]
    missing = [c for c in COLUMNS if c not in head]
    if missing:
        raise SalescoachError(f"{p}:1: missing column(s) {', '.join(missing)}; the header must name rep, period, "
                              f"amount (found: {', '.join(h for h in head if h) or 'nothing'})")
    idx = {c: head.index(c) for c in COLUMNS}
    errors: list[str] = []
    good: list[tuple[int, str, date, date, float, int]] = []
    seen: dict[tuple[int, str], int] = {}
    with repo.session() as s:
        for line, row in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            vals = {c: (row[i].strip() if i < len(row) else "") for c, i in idx.items()}
            try:
                if not vals["rep"]:
                    raise SalescoachError("the rep is empty")
                r = repo.find_rep(s, vals["rep"])
                if r is None:
                    find_rep_or_fail(repo, s, vals["rep"])  # raises with the close names
                per, start, end = parse_period(vals["period"])
                amt = parse_amount(vals["amount"])
            except SalescoachError as e:
                errors.append(f"{p}:{line}: {e}")
                continue
            if (r.id, per) in seen:
                errors.append(f"{p}:{line}: {r.name} {per} is already on line {seen[(r.id, per)]}")
                continue
            seen[(r.id, per)] = line
            good.append((r.id, per, start, end, amt, line))
        if errors:
            more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
            raise SalescoachError(f"{len(errors)} bad row(s), nothing imported; fix them and import the file again:\n"
                                  + "\n".join(errors[:20]) + more)
        if not good:
            raise SalescoachError(f"{p}: no quota rows under the header; add rows of rep, period, amount")
        for rid, per, start, end, amt, line in good:
            _upsert(s, rid, per, start, end, amt, f"{p.name}:{line}")
    return len(good)


def list_quotas(repo: Repository, rep: str | None = None) -> list[dict]:
    """Every quota (of one rep), by rep then period start."""
    with repo.session() as s:
        q = select(m.Quota, m.Rep.name).join(m.Rep, m.Rep.id == m.Quota.rep_id)
        if rep:
            q = q.where(m.Quota.rep_id == find_rep_or_fail(repo, s, rep).id)
        return [{"rep": name, "period": x.period, "start": x.period_start.isoformat(), "end": x.period_end.isoformat(),
                 "amount": x.amount, "source": x.source}
                for x, name in s.execute(q.order_by(m.Rep.name, m.Quota.period_start, m.Quota.period))]
