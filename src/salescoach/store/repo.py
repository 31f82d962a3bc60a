"""The repository layer: every read and write of the store goes through `Repository`.

Callers never build SQL themselves; the CLI and the memory bank call these methods. Each
public write is one transaction (a failure leaves nothing half-written).
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from salescoach.store import models as m
from salescoach.store.models import utcnow


@dataclass
class StoredCall:
    id: int
    created: bool  # False: the same content was already stored


class Repository:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._Session = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with self._Session() as s, s.begin():
            yield s

    # -- people and customers -------------------------------------------------------------
    @staticmethod
    def _get_or_create(s: Session, model, where: dict, **extra):
        obj = s.scalars(select(model).filter_by(**where)).first()
        if obj is None:
            obj = model(**where, **extra)
            s.add(obj)
            s.flush()
        return obj

    def rep(self, s: Session, name: str) -> m.Rep:
        return self._get_or_create(s, m.Rep, {"name": name.strip()})

    def find_rep(self, s: Session, name: str) -> m.Rep | None:
        """A rep by name, ignoring case and spacing (and a bare first name when it is unambiguous)."""
        want = " ".join(name.split()).casefold()
        reps = s.scalars(select(m.Rep)).all()
        exact = [r for r in reps if " ".join(r.name.split()).casefold() == want]
        if exact:
            return exact[0]
        first = [r for r in reps if " ".join(r.name.split()).casefold().split(" ")[0] == want]
        return first[0] if len(first) == 1 else None

    def account(self, s: Session, name: str) -> m.Account:
        return self._get_or_create(s, m.Account, {"name": name.strip()})

    def deal(self, s: Session, external_id: str, account: m.Account | None = None) -> m.Deal:
        d = self._get_or_create(s, m.Deal, {"external_id": external_id.strip()})
        if account is not None and d.account_id is None:
            d.account_id = account.id
        return d

    def contact(self, s: Session, name: str, account: m.Account | None) -> m.Contact:
        return self._get_or_create(s, m.Contact, {"name": name.strip(), "account_id": account.id if account else None})

    # -- calls ----------------------------------------------------------------------------
    def call_id_for_sha(self, sha256: str) -> int | None:
        with self._Session() as s:
            return s.scalar(select(m.Call.id).where(m.Call.sha256 == sha256))

    def store_call(self, *, sha256: str, report: dict, segments: list[dict], findings: list[dict], rep_names: list[str],
                   account: str | None = None, deal: str | None = None, started_at: datetime | None = None,
                   engine_version: str | None = None) -> StoredCall:
        """Store one analysed call with its segments, report and findings, in one transaction.

        Idempotent: when a call with the same content hash exists (also when another process
        stored it a moment ago), nothing is written and that call's id is returned.
        """
        existing = self.call_id_for_sha(sha256)
        if existing is not None:
            return StoredCall(existing, False)
        info = report.get("call") or {}
        try:
            with self.session() as s:
                reps = [self.rep(s, n) for n in dict.fromkeys(rep_names)]
                acc = self.account(s, account) if account else None
                dl = self.deal(s, deal, acc) if deal else None
                if dl is not None and acc is None and dl.account_id is not None:
                    acc = s.get(m.Account, dl.account_id)
                call = m.Call(sha256=sha256, source=str(info.get("source") or ""), call_key=str(info.get("id") or ""),
                              format=info.get("format"), call_type=info.get("type"), started_at=started_at,
                              duration_s=info.get("duration_s"), ingested_at=utcnow(),
                              rep_id=reps[0].id if reps else None, account_id=acc.id if acc else None,
                              deal_id=dl.id if dl else None)
                s.add(call)
                s.flush()
                when = call.occurred_at
                if reps:
                    s.execute(insert(m.CallRep.__table__), [{"call_id": call.id, "rep_id": r.id} for r in reps])
                buyers = [sp["name"] for sp in report.get("speakers") or [] if sp.get("role") == "buyer"]
                contacts = {self.contact(s, b, acc).id for b in buyers}
                if contacts:
                    s.execute(insert(m.CallContact.__table__), [{"call_id": call.id, "contact_id": c} for c in contacts])
                rows = [{"call_id": call.id, "idx": i, "speaker": g["speaker"], "role": g["role"], "start": g.get("start"),
                         "end": g.get("end"), "line": g.get("line"), "text": g["text"]} for i, g in enumerate(segments)]
                if rows:  # Core inserts (executemany): no ORM bookkeeping for bulk rows
                    s.execute(insert(m.Segment.__table__), rows)
                s.add(m.CallReport(call_id=call.id, engine_version=engine_version, report=report))
                if findings:
                    base = {"signal": None, "verdict": None, "value": None, "start": None, "quote": None,
                            "speaker": None, "data": None}
                    s.execute(insert(m.Finding.__table__), [{**base, **f, "call_id": call.id,
                                                   "rep_id": reps[0].id if reps else None, "occurred_at": when}
                                                  for f in findings])
                    _index_call(s, call.id)  # recall index, in the same transaction
                return StoredCall(call.id, True)
        except IntegrityError:
            again = self.call_id_for_sha(sha256)
            if again is not None:  # a concurrent ingest stored the same content first
                return StoredCall(again, False)
            raise

    def replace_findings(self, call_id: int, findings: list[dict]) -> None:
        """Swap one call's findings for a new set (one transaction)."""
        with self.session() as s:
            call = s.get(m.Call, call_id)
            if call is None:
                return
            fids = select(m.Finding.id).where(m.Finding.call_id == call_id)
            s.execute(delete(m.ObservationEvidence).where(m.ObservationEvidence.finding_id.in_(fids)))
            s.execute(delete(m.Finding).where(m.Finding.call_id == call_id))
            if findings:
                base = {"signal": None, "verdict": None, "value": None, "start": None, "quote": None, "speaker": None,
                        "data": None}
                s.execute(insert(m.Finding), [{**base, **f, "call_id": call_id, "rep_id": call.rep_id,
                                               "occurred_at": call.occurred_at} for f in findings])
                _index_call(s, call_id)  # the old findings' recall rows went with them (ON DELETE CASCADE)

    def delete_call(self, call_id: int) -> list[int] | None:
        """Delete a call with its segments, report and findings. Returns the ids of its reps (None: no such call)."""
        with self.session() as s:
            if s.get(m.Call, call_id) is None:
                return None
            reps = list(s.scalars(select(m.CallRep.rep_id).where(m.CallRep.call_id == call_id)))
            # Children first: correct even where the database does not enforce ON DELETE CASCADE.
            fids = select(m.Finding.id).where(m.Finding.call_id == call_id)
            s.execute(delete(m.ObservationEvidence).where(m.ObservationEvidence.finding_id.in_(fids)))
            for model in (m.Finding, m.Segment, m.CallReport, m.CallRep, m.CallContact):
                s.execute(delete(model).where(model.call_id == call_id))
            s.execute(delete(m.Call).where(m.Call.id == call_id))
            return reps

    def list_calls(self, rep: str | None = None) -> list[dict]:
        with self._Session() as s:
            q = (select(m.Call, m.Rep.name).outerjoin(m.Rep, m.Rep.id == m.Call.rep_id).order_by(m.Call.id))
            if rep:
                r = self.find_rep(s, rep)
                if r is None:
                    return []
                q = q.where(m.Call.id.in_(select(m.CallRep.call_id).where(m.CallRep.rep_id == r.id)))
            counts = dict(s.execute(select(m.Finding.call_id, func.count()).group_by(m.Finding.call_id)).all())
            return [{"id": c.id, "rep": name, "type": c.call_type, "source": c.source, "sha256": c.sha256,
                     "duration_s": c.duration_s, "started_at": _iso(c.started_at), "ingested_at": _iso(c.ingested_at),
                     "findings": counts.get(c.id, 0)} for c, name in s.execute(q).all()]

    def segments(self, call_id: int) -> list[dict]:
        with self._Session() as s:
            return [{"speaker": g.speaker, "role": g.role, "start": g.start, "end": g.end, "line": g.line,
                     "text": g.text}
                    for g in s.scalars(select(m.Segment).where(m.Segment.call_id == call_id).order_by(m.Segment.idx))]

    def call_ids(self) -> list[int]:
        with self._Session() as s:
            return list(s.scalars(select(m.Call.id).order_by(m.Call.id)))

    def report(self, call_id: int) -> dict | None:
        with self._Session() as s:
            r = s.get(m.CallReport, call_id)
            return r.report if r else None

    def rep_ids(self) -> list[int]:
        with self._Session() as s:
            return list(s.scalars(select(m.Rep.id).order_by(m.Rep.id)))

    # -- notes ----------------------------------------------------------------------------
    def add_note(self, rep_name: str, text: str, links: dict[str, str], author: str | None = None) -> int:
        with self.session() as s:
            rep = self.find_rep(s, rep_name) or self.rep(s, rep_name)
            note = m.ManagerNote(rep_id=rep.id, text=text, author=author, created_at=utcnow())
            note.signals = [m.NoteSignal(signal=k, matched=v) for k, v in links.items()]
            s.add(note)
            s.flush()
            from salescoach.memory.recall import index_note
            index_note(s, note.id)  # recall index, in the same transaction
            return note.id

    def notes(self, rep: str | None = None) -> list[dict]:
        with self._Session() as s:
            q = select(m.ManagerNote, m.Rep.name).join(m.Rep, m.Rep.id == m.ManagerNote.rep_id).order_by(m.ManagerNote.id)
            if rep:
                r = self.find_rep(s, rep)
                if r is None:
                    return []
                q = q.where(m.ManagerNote.rep_id == r.id)
            return [{"id": n.id, "rep": name, "text": n.text, "created_at": _iso(n.created_at),
                     "signals": sorted(x.signal for x in n.signals)} for n, name in s.execute(q).all()]


def _index_call(s: Session, call_id: int) -> None:
    """Add a call's new findings to the recall index (salescoach.memory.recall)."""
    from salescoach.memory.recall import index_call
    index_call(s, call_id)


def _iso(d: datetime | None) -> str | None:
    return d.isoformat(timespec="seconds") if d else None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

