"""Ingest manifests: one CSV row per transcript with what the file itself does not say.

    file,rep,account,deal,date,call_type
    calls/01-discovery.vtt,Lena Ruiz,Halvorsen Mechanical,006A1,2026-09-02T10:00,discovery

`file` is required (relative to the manifest's folder, or absolute); every other column is optional,
and an empty cell means "not known" (as leaving out the matching `ingest` option would). `rep` may
list several selling-side names separated by ";". `date` is YYYY-MM-DD or YYYY-MM-DDTHH:MM;
`call_type` one of discovery, demo, negotiation, other. Unknown columns are an error (a typo such as
"acount" would otherwise be silently ignored). Every row is checked before anything is stored, so a
bad manifest stores nothing; a bad transcript is reported like any other ingest failure.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from salescoach.errors import SalescoachError

COLUMNS = ("file", "rep", "account", "deal", "date", "call_type")
CALL_TYPES = ("discovery", "demo", "negotiation", "other")


@dataclass(frozen=True)
class ManifestRow:
    line: int
    path: str
    reps: tuple[str, ...]
    account: str | None
    deal: str | None
    date: datetime | None
    call_type: str | None

    @property
    def meta(self) -> tuple:
        return self.reps, self.account, self.deal, self.date, self.call_type


def read_manifest(path: str | Path) -> list[ManifestRow]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise SalescoachError(f"{p}: cannot read the manifest: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise SalescoachError(f"{p}:{line}: the manifest is not UTF-8 text; save it as UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    heads = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if not heads:
        raise SalescoachError(f"{p}: the manifest is empty; expected a header line: {','.join(COLUMNS)}")
    unknown = [h for h in heads if h not in COLUMNS]
    if unknown or "file" not in heads:
        what = f"unknown column(s) {', '.join(map(repr, unknown))}" if unknown else "no 'file' column"
        raise SalescoachError(f"{p}:1: {what}; the columns are {', '.join(COLUMNS)} (only 'file' is required)")
    reader.fieldnames = heads
    rows: list[ManifestRow] = []
    for rec in reader:
        line = reader.line_num
        if None in rec:
            raise SalescoachError(f"{p}:{line}: more cells than columns; quote values that contain commas")
        v = {k: (rec.get(k) or "").strip() for k in COLUMNS}
        if not any(v.values()):
            continue
        if not v["file"]:
            raise SalescoachError(f"{p}:{line}: the 'file' cell is empty")
        f = Path(v["file"])
        f = f if f.is_absolute() else p.parent / f
        if not f.is_file():
            raise SalescoachError(f"{p}:{line}: no such transcript file: {f}")
        when = None
        if v["date"]:
            try:
                when = datetime.fromisoformat(v["date"])
            except ValueError:
                raise SalescoachError(f"{p}:{line}: date {v['date']!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
        ctype = v["call_type"].lower() or None
        if ctype and ctype not in CALL_TYPES:
            raise SalescoachError(f"{p}:{line}: call_type {v['call_type']!r}: use one of {', '.join(CALL_TYPES)}")
        reps = tuple(r.strip() for r in v["rep"].split(";") if r.strip())
        rows.append(ManifestRow(line, str(f), reps, v["account"] or None, v["deal"] or None, when, ctype))
    if not rows:
        raise SalescoachError(f"{p}: the manifest lists no files")
    return rows


def groups(rows: list[ManifestRow]) -> list[tuple[tuple, list[str]]]:
    """Consecutive rows with the same metadata, so each group is one ingest batch (and can use --jobs)."""
    out: list[tuple[tuple, list[str]]] = []
    for r in rows:
        if out and out[-1][0] == r.meta:
            out[-1][1].append(r.path)
        else:
            out.append((r.meta, [r.path]))
    return out
