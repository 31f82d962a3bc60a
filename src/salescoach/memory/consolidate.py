"""Observations: stable facts promoted from counted coaching findings, never from one call.

Rep observation (rep, signal, polarity): the rep's calls where the signal applies (verdict other
than not_applicable; optionally only the `window_calls` most recent) are counted; the
observation holds when
  - at least `min_calls` (default 2) of them have that polarity, and
  - those make up at least `min_share` (default 60%) of them.
A single call therefore never makes an observation, and a one-off slip (one call against the
rep's habit) neither creates an opposite observation nor, while the habit still holds in >= 60%
of calls, removes the habit's.

Floor observation (signal, polarity): at least `floor_min_reps` (default 2) reps hold the same
rep observation. Its calls and evidence are the union of theirs.

Observations are keyed (scope, rep, signal, polarity) and updated in place: re-running
consolidation changes nothing when nothing changed; a changed support set updates the row
(history: `updated`); an observation whose rule stops holding is retired (history: `retired`,
with the counts that retired it) and comes back as `revived` if the evidence returns. Each
observation lists its supporting calls, evidence quotes (most recent first), proof_count (the
number of supporting calls), applicable_count, share, first_seen / last_seen (the supporting
calls' times) and links to the supporting findings (table observation_evidence).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, distinct, func, insert, select

from salescoach.batchgc import no_gc
from salescoach.memory.config import MemoryConfig
from salescoach.memory.signals import NA, POLARITIES
from salescoach.store import models as m
from salescoach.store.models import utcnow
from salescoach.store.repo import Repository, Sql


@dataclass
class Change:
    key: str
    change: str  # created | updated | retired | revived


def _fmt_vals(cfg: MemoryConfig) -> dict:
    vals = dict(cfg.thresholds)
    for k, v in cfg.thresholds.items():
        if isinstance(v, (int, float)) and 0 < v < 1:
            vals[k + "_pct"] = f"{round(100 * v)}%"
    return vals


def _statement(cfg: MemoryConfig, signal: str, polarity: str) -> str:
    tpl = (cfg.statements.get(signal) or {}).get(polarity) or f"shows a recurring {polarity} on {signal}"
    try:
        return tpl.format(**_fmt_vals(cfg))
    except (KeyError, IndexError, ValueError):
        return tpl


class _Writes:
    """The evidence links and history rows of one consolidation step, written in bulk (`flush`) in the
    order `_apply` decided them: one ORM flush for the new and changed observations (their ids), then
    plain executemany for the links and one insert for the history rows."""

    def __init__(self):
        self.actions: list[tuple] = []  # (observation, link finding ids | None, replace links?, history dict)

    def add(self, obs, fids, replace: bool, history: dict) -> None:
        self.actions.append((obs, fids, replace, history))

    def flush(self, s) -> None:
        if not self.actions:
            return
        s.flush()
        conn = s.connection()
        replaced = [o.id for o, _, replace, _ in self.actions if replace]
        for i in range(0, len(replaced), 500):
            conn.execute(delete(m.ObservationEvidence.__table__)
                         .where(m.ObservationEvidence.observation_id.in_(replaced[i:i + 500])))
        links = [(o.id, f) for o, fids, _, _ in self.actions if fids for f in sorted(set(fids))]
        Sql(conn).many("INSERT INTO observation_evidence (observation_id, finding_id) VALUES (?, ?)", links)
        conn.execute(insert(m.ObservationHistory.__table__), [dict(h, observation_id=o.id)
                                                               for o, _, _, h in self.actions])
        self.actions = []


def _history(obs, now, change: str, reason) -> dict:
    return {"at": now, "change": change, "proof_count": obs.proof_count, "applicable_count": obs.applicable_count,
            "share": obs.share, "calls": obs.calls, "reason": reason}


def _apply(s, cfg: MemoryConfig, existing: dict[str, m.Observation], key: str, want: dict | None,
           changes: list[Change], now, writes: _Writes) -> None:
    """Create / update / retire / revive the observation `key` so it matches `want` (None = rule not met).

    The observation row is changed in the session; its evidence links and history row go to `writes`.
    `want["finding_ids"]` may be a function (the links are then only read when they are written)."""
    obs = existing.get(key)
    if want is None:
        if obs is not None and obs.status == "active":
            obs.status, obs.retired_at, obs.updated_at = "retired", now, now
            writes.add(obs, None, False, _history(obs, now, "retired", getattr(obs, "_retire_reason", None)
                                                  or "the rule no longer holds"))
            changes.append(Change(key, "retired"))
        return
    want = dict(want)
    fids = want.pop("finding_ids")
    reason = want.pop("_reason", None)
    if obs is None:
        obs = m.Observation(key=key, status="active", created_at=now, updated_at=now, **want)
        s.add(obs)
        change = "created"
    else:
        same = (obs.status == "active" and obs.calls == want["calls"] and obs.applicable_count == want["applicable_count"]
                and obs.statement == want["statement"] and obs.evidence == want["evidence"])
        if same:
            return
        change = "revived" if obs.status == "retired" else "updated"
        for k, v in want.items():
            setattr(obs, k, v)
        obs.status, obs.retired_at, obs.updated_at = "active", None, now
    if callable(fids):
        fids = fids()
    writes.add(obs, fids, change != "created", _history(obs, now, change, reason))
    changes.append(Change(key, change))


def _evidence(s, support: list, max_ev: int) -> list[dict]:
    """The evidence of an observation: the first `max_ev` of its supporting verdicts, most recent first,
    that have a quote. The verdict rows come from the coaching-verdict index (migration 0007), without
    time and quote; these are read here, for the few verdicts that are needed."""
    ev: list[dict] = []
    if max_ev <= 0:
        return ev
    F = m.Finding
    recent = support[::-1]
    step = max(2 * max_ev, 8)
    for i in range(0, len(recent), step):
        part = recent[i:i + step]
        got = {fid: (start, quote) for fid, start, quote in s.execute(
            select(F.id, F.start, F.quote).where(F.id.in_([r.finding_id for r in part])))}
        for r in part:
            start, quote = got.get(r.finding_id, (None, None))
            if quote:
                ev.append({"call": r.call_id, "start": start, "quote": quote})
                if len(ev) == max_ev:
                    return ev
    return ev


def _rep_observations(s, rows: list, cfg: MemoryConfig, rep_name: str) -> tuple[dict[str, dict], dict[str, str]]:
    """rows: (finding_id, call_id, signal, verdict, occurred_at) for one rep -> wanted observations."""
    by_signal: dict[str, list] = defaultdict(list)
    for r in rows:
        if r.verdict != NA:
            by_signal[r.signal].append(r)
    window = int(cfg.o("window_calls") or 0)
    min_calls, min_share, max_ev = cfg.o("min_calls"), cfg.o("min_share"), int(cfg.o("max_evidence"))
    wanted: dict[str, dict] = {}
    reasons: dict[str, str] = {}
    for signal, items in by_signal.items():
        # one verdict per call (a call listed twice would otherwise count twice)
        per_call = {}
        for r in sorted(items, key=lambda r: (r.occurred_at, r.call_id, r.finding_id)):
            per_call.setdefault(r.call_id, r)
        applicable = sorted(per_call.values(), key=lambda r: (r.occurred_at, r.call_id))
        if window > 0:
            applicable = applicable[-window:]
        n = len(applicable)
        for pol in POLARITIES:
            support = [r for r in applicable if r.verdict == pol]
            k = len(support)
            share = k / n if n else 0.0
            key = f"{signal}:{pol}"
            reasons[key] = f"{k} of {n} applicable calls ({round(100 * share)}%)"
            if k >= min_calls and share >= min_share:
                ev = _evidence(s, support, max_ev)
                wanted[key] = {
                    "scope": "rep", "signal": signal, "polarity": pol,
                    "statement": f"{rep_name} {_statement(cfg, signal, pol)} ({k} of {n} calls where it applies)",
                    "proof_count": k, "applicable_count": n, "share": round(share, 4), "rep_count": None,
                    "calls": [r.call_id for r in support], "evidence": ev,
                    "first_seen": support[0].occurred_at, "last_seen": support[-1].occurred_at,
                    "finding_ids": [r.finding_id for r in support], "_reason": reasons[key]}
    return wanted, reasons


def consolidate(repo: Repository, cfg: MemoryConfig, rep_ids: list[int] | None = None, *,
                refresh_models: bool = True) -> list[Change]:
    """Bring observations in line with the findings: the given reps (default: all), then the floor.

    Then (`refresh_models`) the mental models get a new version when their inputs changed
    (`salescoach.memory.mental_models`; a failure there only warns). Runs with the cyclic garbage
    collector paused (`salescoach.batchgc.no_gc`): it builds many small objects from every stored verdict."""
    with no_gc():
        return _consolidate(repo, cfg, rep_ids, refresh_models)


def _consolidate(repo: Repository, cfg: MemoryConfig, rep_ids: list[int] | None, refresh_models: bool) -> list[Change]:
    changes: list[Change] = []
    now = utcnow()
    writes = _Writes()
    with repo.session() as s:
        if rep_ids is None:
            rep_ids = list(s.scalars(select(m.Rep.id)))
        names = dict(s.execute(select(m.Rep.id, m.Rep.name)).all())
        for rid in sorted(set(rep_ids)):
            if rid not in names:
                continue
            rows = s.execute(  # all columns in the coaching-verdict index: the table itself is not read
                select(m.Finding.id.label("finding_id"), m.Finding.call_id, m.Finding.signal, m.Finding.verdict,
                       m.Finding.occurred_at)
                .join(m.CallRep, m.CallRep.call_id == m.Finding.call_id)
                .where(m.CallRep.rep_id == rid, m.Finding.kind == "coaching")).all()
            wanted, reasons = _rep_observations(s, rows, cfg, names[rid])
            existing = {o.key: o for o in s.scalars(select(m.Observation).where(m.Observation.rep_id == rid,
                                                                                 m.Observation.scope == "rep"))}
            keyed = {f"rep:{rid}:{k}": dict(v, rep_id=rid) for k, v in wanted.items()}
            for key, o in existing.items():
                if key not in keyed:
                    o._retire_reason = "now " + reasons.get(key.split(":", 2)[2], "no applicable calls")
            for key in sorted(set(keyed) | set(existing)):
                _apply(s, cfg, existing, key, keyed.get(key), changes, now, writes)
        writes.flush(s)
        s.flush()
        _floor(s, cfg, changes, now, names, writes)
        writes.flush(s)
    if refresh_models:
        from salescoach.memory.mental_models import refresh_after_consolidation
        refresh_after_consolidation(repo, cfg)
    return changes


def _floor(s, cfg: MemoryConfig, changes: list[Change], now, names: dict[int, str], writes: _Writes) -> None:
    active = s.scalars(select(m.Observation).where(m.Observation.scope == "rep", m.Observation.status == "active")).all()
    groups: dict[tuple[str, str], list[m.Observation]] = defaultdict(list)
    for o in active:
        groups[(o.signal, o.polarity)].append(o)

    def links(obs: list[m.Observation]):  # the rep observations' evidence links, read only when written
        def read() -> list[int]:
            ids = [o.id for o in obs]
            E = m.ObservationEvidence
            return [f for i in range(0, len(ids), 500)
                    for f in s.scalars(select(E.finding_id).where(E.observation_id.in_(ids[i:i + 500])))]
        return read

    reps_with_calls = s.scalar(select(func.count(distinct(m.CallRep.rep_id)))) or 1
    existing = {o.key: o for o in s.scalars(select(m.Observation).where(m.Observation.scope == "floor"))}
    wanted: dict[str, dict] = {}
    need = cfg.o("floor_min_reps")
    for (signal, pol), obs in groups.items():
        if len(obs) < need:
            continue
        obs.sort(key=lambda o: names.get(o.rep_id, ""))
        calls = sorted({c for o in obs for c in o.calls})
        ev = sorted((e for o in obs for e in o.evidence[:2]), key=lambda e: -e["call"])[: int(cfg.o("max_evidence"))]
        who = ", ".join(names.get(o.rep_id, "?") for o in obs)
        wanted[f"floor:{signal}:{pol}"] = {
            "scope": "floor", "rep_id": None, "signal": signal, "polarity": pol,
            "statement": f"{len(obs)} of {reps_with_calls} reps: {_statement(cfg, signal, pol)} ({who})",
            "proof_count": len(calls), "applicable_count": sum(o.applicable_count for o in obs),
            "share": round(len(obs) / reps_with_calls, 4), "rep_count": len(obs), "calls": calls, "evidence": ev,
            "first_seen": min(o.first_seen for o in obs), "last_seen": max(o.last_seen for o in obs),
            "finding_ids": links(obs), "_reason": f"{len(obs)} reps"}
    for key, o in existing.items():
        if key not in wanted:
            o._retire_reason = f"fewer than {need} reps hold it now"
    for key in sorted(set(wanted) | set(existing)):
        _apply(s, cfg, existing, key, wanted.get(key), changes, now, writes)
