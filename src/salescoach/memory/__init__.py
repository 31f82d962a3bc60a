"""The memory bank: retain findings from call reports, promote stable observations, keep notes.

- `memory.signals`: the coaching-signal vocabulary and each call's verdicts.
- `memory.retain`: call report -> findings (discovery, coaching, quality) with provenance.
- `memory.consolidate`: findings -> observations (rep and floor), updated in place, with history.
- `memory.ingest`: transcripts -> stored calls + findings, then consolidation.
- `memory.config`: thresholds and promotion rules (documented defaults, overridable).
"""
from __future__ import annotations

import re

from sqlalchemy import select

from salescoach.memory.config import MemoryConfig, load_config
from salescoach.memory.consolidate import consolidate
from salescoach.memory.signals import SIGNALS
from salescoach.store import models as m
from salescoach.store.repo import Repository

__all__ = ["MemoryConfig", "load_config", "consolidate", "SIGNALS", "observations", "link_note", "add_note",
           "rederive_findings",
           "delete_call"]


def _iso(d):
    return d.isoformat(timespec="seconds") if d else None


def observations(repo: Repository, rep: str | None = None, *, include_retired: bool = False,
                 history: bool = False) -> list[dict]:
    """Observations as the documented JSON shape: {scope, rep, signal, polarity, statement,
    proof_count, calls, evidence [{call, start, quote}], first_seen, last_seen} (+ id, status,
    share, applicable_count, rep_count, and with `history` the list of changes).

    With `rep`, the rep's own observations plus the floor observations that include the rep.
    """
    with repo.session() as s:
        q = select(m.Observation, m.Rep.name).outerjoin(m.Rep, m.Rep.id == m.Observation.rep_id)
        if not include_retired:
            q = q.where(m.Observation.status == "active")
        rid = None
        if rep:
            r = repo.find_rep(s, rep)
            if r is None:
                return []
            rid = r.id
        rows = s.execute(q.order_by(m.Observation.scope.desc(), m.Rep.name, m.Observation.signal,
                                    m.Observation.polarity)).all()
        rep_calls: dict[int, set] = {}
        out = []
        hist: dict[int, list] = {}
        if history and rows:
            for h in s.scalars(select(m.ObservationHistory).order_by(m.ObservationHistory.id)):
                hist.setdefault(h.observation_id, []).append(
                    {"at": _iso(h.at), "change": h.change, "proof_count": h.proof_count,
                     "applicable_count": h.applicable_count, "share": h.share, "calls": h.calls, "reason": h.reason})
        for o, name in rows:
            if rid is not None:
                if o.scope == "rep" and o.rep_id != rid:
                    continue
                if o.scope == "floor":
                    if rid not in rep_calls:
                        rep_calls[rid] = set(s.scalars(select(m.CallRep.call_id).where(m.CallRep.rep_id == rid)))
                    if not rep_calls[rid] & set(o.calls):
                        continue
            d = {"scope": o.scope, "rep": name, "signal": o.signal, "polarity": o.polarity, "statement": o.statement,
                 "proof_count": o.proof_count, "calls": list(o.calls), "evidence": list(o.evidence),
                 "first_seen": _iso(o.first_seen), "last_seen": _iso(o.last_seen), "id": o.id, "status": o.status,
                 "share": o.share, "applicable_count": o.applicable_count}
            if o.scope == "floor":
                d["rep_count"] = o.rep_count
            if history:
                d["history"] = hist.get(o.id, [])
            out.append(d)
        return out


def link_note(text: str, cfg: MemoryConfig) -> dict[str, str]:
    """The signals a note speaks of: signal -> the keyword that matched (keyword map in signals.json).

    A keyword matches at a word start, case-insensitively ("rambl" matches "rambling"); the signal's
    own name with spaces ("next steps") always counts.
    """
    low = " ".join(text.lower().split())
    found: dict[str, str] = {}
    for sig in SIGNALS:
        words = [sig.replace("_", " "), sig] + list(cfg.note_keywords.get(sig) or [])
        for w in words:
            if re.search(r"(?<![\w-])" + re.escape(w.lower()), low):
                found[sig] = w
                break
    return found


def add_note(repo: Repository, rep: str, text: str, cfg: MemoryConfig | None = None,
             author: str | None = None) -> tuple[int, dict[str, str]]:
    links = link_note(text, cfg or load_config())
    return repo.add_note(rep, text, links, author=author), links


def delete_call(repo: Repository, call_id: int, cfg: MemoryConfig | None = None):
    """Delete a call (cascading to its segments, report and findings) and re-consolidate its reps.

    Returns the consolidation changes, or None when there is no such call."""
    reps = repo.delete_call(call_id)
    if reps is None:
        return None
    return consolidate(repo, cfg or load_config(), reps)


def rederive_findings(repo: Repository, cfg: MemoryConfig | None = None) -> int:
    """Recompute every stored call's findings from its stored report (e.g. after changing thresholds)."""
    from salescoach.memory.retain import retain
    cfg = cfg or load_config()
    n = 0
    for cid in repo.call_ids():
        report = repo.report(cid)
        if report is None:
            continue
        repo.replace_findings(cid, retain(report, cfg, repo.segments(cid)))
        n += 1
    return n
