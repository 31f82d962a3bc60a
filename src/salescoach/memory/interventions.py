"""Coaching interventions: a manager logs that a rep was coached on one signal on a given day.

`salescoach coach log --rep NAME --signal SIGNAL --date YYYY-MM-DD --note TEXT` stores one row in
`coaching_interventions` and refreshes the Coaching Themes model, whose intervention section then
compares the signal's metric on the rep's calls before and after that day (definitions in
`salescoach.memory.mental_models.themes`). Validation: the signal must be one of the fixed
coaching signals, the rep must already be in the store (a rep appears with their first ingested
call), the date must be a calendar date (YYYY-MM-DD, optionally with a time) and the note must
not be empty.
"""
from __future__ import annotations

import difflib
from datetime import datetime

from sqlalchemy import select

from salescoach.errors import SalescoachError
from salescoach.memory.signals import SIGNALS
from salescoach.store import models as m
from salescoach.store.models import utcnow
from salescoach.store.repo import Repository


def parse_signal(signal: str) -> str:
    s = (signal or "").strip().lower().replace("-", "_").replace(" ", "_")
    if s in SIGNALS:
        return s
    close = difflib.get_close_matches(s, SIGNALS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise SalescoachError(f"unknown signal {signal!r}; {hint}use one of: {', '.join(SIGNALS)}")


def parse_date(text: str) -> datetime:
    try:
        d = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise SalescoachError(f"invalid date {text!r}; use YYYY-MM-DD (e.g. 2026-03-14)") from None
    return d.replace(tzinfo=None) if d.tzinfo is None else d.astimezone(tz=None).replace(tzinfo=None)


def log_intervention(repo: Repository, rep: str, signal: str, date: str | datetime, note: str,
                     cfg=None, refresh: bool = True) -> dict:
    """Validate and store one intervention; returns it as a dict (with the refreshed model version)."""
    sig = parse_signal(signal)
    when = date if isinstance(date, datetime) else parse_date(date)
    note = (note or "").strip()
    if not note:
        raise SalescoachError("the note is empty: say what the coaching was (e.g. 'role-played pausing after "
                              "questions')")
    with repo.session() as s:
        r = repo.find_rep(s, rep)
        if r is None:
            names = list(s.scalars(select(m.Rep.name).order_by(m.Rep.name)))
            close = difflib.get_close_matches(rep, names, n=1, cutoff=0.6)
            hint = (f"did you mean {close[0]!r}? " if close else "") + (
                f"known reps: {', '.join(names[:20])}" + (" ..." if len(names) > 20 else "") if names
                else "the store has no reps yet: ingest their calls first")
            raise SalescoachError(f"no rep named {rep!r} in the store; {hint}")
        row = m.CoachingIntervention(rep_id=r.id, signal=sig, date=when, note=note, created_at=utcnow())
        s.add(row)
        s.flush()
        out = {"id": row.id, "rep": r.name, "signal": sig, "date": when.date().isoformat(), "note": note}
    if refresh:
        from salescoach.memory.mental_models import refresh as refresh_model
        v, _ = refresh_model(repo, "coaching-themes", cfg)
        out["coaching_themes_version"] = v["version"]
        out["result"] = next((iv for iv in v["content"]["interventions"] if iv["id"] == out["id"]), None)
    return out


def list_interventions(repo: Repository, rep: str | None = None) -> list[dict]:
    with repo.session() as s:
        q = (select(m.CoachingIntervention, m.Rep.name).join(m.Rep, m.Rep.id == m.CoachingIntervention.rep_id)
             .order_by(m.CoachingIntervention.date, m.CoachingIntervention.id))
        if rep:
            r = repo.find_rep(s, rep)
            if r is None:
                return []
            q = q.where(m.CoachingIntervention.rep_id == r.id)
        return [{"id": iv.id, "rep": name, "signal": iv.signal, "date": iv.date.date().isoformat(), "note": iv.note}
                for iv, name in s.execute(q).all()]
