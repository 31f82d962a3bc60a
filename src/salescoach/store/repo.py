"""The repository layer: every read and write of the store goes through `Repository`.

Callers never build SQL themselves; the CLI and the memory bank call these methods. Each
public write is one transaction (a failure leaves nothing half-written).
"""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import bindparam, delete, func, insert, select
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
        with self.engine.connect() as c:
            return c.execute(_SHA_SELECT, {"sha": sha256}).scalar()

    def store_call(self, *, sha256: str, report: dict | None = None, segments: list[dict] | None = None,
                   findings: list[dict] | None = None, rep_names: list[str], account: str | None = None,
                   deal: str | None = None, started_at: datetime | None = None, engine_version: str | None = None,
                   rows: "CallRows | None" = None) -> StoredCall:
        """Store one analysed call with its segments, report, findings and their recall rows, in one transaction.

        Give either `report`, `segments` and `findings`, or `rows` (the same, encoded ahead of time by
        `encode_call`, e.g. in an analysis worker process): the stored rows are the same. The bulk rows go
        in with plain DB-API executemany inside the session's transaction (no per-row ORM or type
        processing; the values are encoded as the column types would encode them, see `encode_call`).

        Idempotent: when a call with the same content hash exists (also when another process
        stored it a moment ago), nothing is written and that call's id is returned.
        """
        if rows is None:
            existing = self.call_id_for_sha(sha256)
            if existing is not None:  # stored already: no need to encode it
                return StoredCall(existing, False)
            rows = encode_call(report or {}, segments or [], findings or [])
        info = rows.info
        try:
            with self.session() as s:
                conn = s.connection()
                sql = Sql(conn)
                existing = conn.execute(_SHA_SELECT, {"sha": sha256}).scalar()
                if existing is not None:
                    return StoredCall(existing, False)
                rep_ids = list(dict.fromkeys(self._rep_id(conn, n) for n in dict.fromkeys(rep_names)))
                rep_id = rep_ids[0] if rep_ids else None
                acc = self.account(s, account) if account else None
                dl = self.deal(s, deal, acc) if deal else None
                if dl is not None and acc is None and dl.account_id is not None:
                    acc = s.get(m.Account, dl.account_id)
                if acc is not None or dl is not None:
                    s.flush()
                acc_id = acc.id if acc else None
                now = utcnow()
                call_id = conn.execute(_CALL_INSERT, dict(
                    sha256=sha256, source=str(info.get("source") or ""), call_key=str(info.get("id") or ""),
                    format=info.get("format"), call_type=info.get("type"), started_at=started_at,
                    duration_s=info.get("duration_s"), ingested_at=now, rep_id=rep_id, account_id=acc_id,
                    deal_id=dl.id if dl else None)).inserted_primary_key[0]
                when = sql.dt(started_at or now)  # Call.occurred_at
                if rep_ids:
                    sql.many("INSERT INTO call_reps (call_id, rep_id) VALUES (?, ?)", [(call_id, r) for r in rep_ids])
                contacts = {self._contact_id(conn, b.strip(), acc_id) for b in rows.buyers}  # a set, as before
                if contacts:
                    sql.many("INSERT INTO call_contacts (call_id, contact_id) VALUES (?, ?)",
                             [(call_id, c) for c in contacts])
                if rows.segments:
                    sql.many('INSERT INTO segments (call_id, idx, speaker, role, "start", "end", line, text) '
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(call_id, *g) for g in rows.segments])
                sql.one(f"INSERT INTO call_reports (call_id, engine_version, report, created_at, playbook_questions) "
                        f"VALUES (?, ?, {sql.json}, ?, {sql.json})",
                        (call_id, engine_version, rows.report_json, sql.dt(now), rows.playbook_json))
                if rows.findings:
                    sql.many('INSERT INTO findings (call_id, rep_id, kind, type, signal, verdict, value, text, '
                             '"start", quote, speaker, data, occurred_at) '
                             f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {sql.json}, ?)",
                             [(call_id, rep_id, *f, when) for f in rows.findings])
                    if rows.recall:  # recall index, in the same transaction
                        # executemany inserts in order, so the call's newest finding ids, in id order, are
                        # those of `rows.findings` (the call is new: no other session can add findings to it)
                        fids = [r[0] for r in sql.rows("SELECT id FROM findings WHERE call_id = ? ORDER BY id",
                                                        (call_id,))][-len(rows.findings):]
                        recall = rows.recall if rows.embed_model == _embed_model() else _reembed(rows.recall)
                        sql.many("INSERT INTO recall_items (kind, finding_id, observation_id, note_id, document_id, "
                                 "chunk, call_id, rep_id, occurred_at, title, text, digest, emb) "
                                 "VALUES ('finding', ?, NULL, NULL, NULL, 0, ?, ?, ?, ?, ?, ?, ?)",
                                 [(fids[i], call_id, rep_id, when, title, body, digest, emb)
                                  for i, title, body, digest, emb in recall])
                return StoredCall(call_id, True)
        except IntegrityError:
            again = self.call_id_for_sha(sha256)
            if again is not None:  # a concurrent ingest stored the same content first
                return StoredCall(again, False)
            raise

    @staticmethod
    def _rep_id(conn, name: str) -> int:
        """`rep()` for the bulk path: the id of the rep with this (stripped) name, created when missing."""
        name = name.strip()
        rid = conn.execute(_REP_SELECT, {"name": name}).scalar()
        if rid is None:
            rid = conn.execute(_REP_INSERT, {"name": name}).inserted_primary_key[0]
        return rid

    @staticmethod
    def _contact_id(conn, name: str, account_id: int | None) -> int:
        """`contact()` for the bulk path: the first contact with this name at this account, created when missing."""
        q = _CONTACT_SELECT[account_id is None]
        cid = conn.execute(q, {"name": name, "acc": account_id}).scalar()
        if cid is None:
            cid = conn.execute(_CONTACT_INSERT, {"name": name, "account_id": account_id}).inserted_primary_key[0]
        return cid

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


_SHA_SELECT = select(m.Call.id).where(m.Call.sha256 == bindparam("sha"))
_CALL_INSERT = insert(m.Call.__table__)
_REP_SELECT = select(m.Rep.id).where(m.Rep.name == bindparam("name"))
_REP_INSERT = insert(m.Rep.__table__)
_CONTACT_SELECT = {  # keyed by "no account" (the ORM's filter_by(account_id=None) is IS NULL)
    null: select(m.Contact.id).where(
        m.Contact.name == bindparam("name"),
        m.Contact.account_id.is_(None) if null else m.Contact.account_id == bindparam("acc"))
    .order_by(m.Contact.id).limit(1) for null in (False, True)}
_CONTACT_INSERT = insert(m.Contact.__table__)


@dataclass
class CallRows:
    """One analysed call encoded as store rows ahead of time (`encode_call`), so that the process that
    stores it only inserts. Built in the analysis worker processes at ingest (`memory.ingest.prepare`).

    - report_json: the report as the JSON column stores it (`json.dumps`, the store's serializer);
    - info: the report's `call` block (source, id, format, type, duration_s); buyers: buyer speaker names;
    - segments: (idx, speaker, role, start, end, line, text) per segment;
    - findings: (kind, type, signal, verdict, value, text, start, quote, speaker, data as JSON) per finding;
    - recall: the recall rows of the indexed findings, (finding index, title, text, digest, vector bytes)
      (`memory.recall.finding_recall_rows`), made with the embedding model `embed_model`;
    - playbook_json: the call's Discovery Playbook inputs as JSON (`memory.mental_models.playbook.digest`).
    """
    report_json: str
    info: dict
    buyers: list[str]
    segments: list[tuple]
    findings: list[tuple]
    recall: list[tuple]
    embed_model: str
    playbook_json: str = "null"


_FINDING_COLS = ("kind", "type", "signal", "verdict", "value", "text", "start", "quote", "speaker")


def encode_call(report: dict, segments: list[dict], findings: list[dict]) -> CallRows:
    """A call's rows for `Repository.store_call` (see `CallRows`). JSON columns get `json.dumps` of the
    value (None -> 'null'), exactly what SQLAlchemy's JSON type binds with the default serializer."""
    from salescoach.memory.mental_models.playbook import digest
    from salescoach.memory.recall import finding_recall_rows
    dumps = json.dumps
    playbook = digest(report, [(g.get("start"), g.get("role"), g.get("text")) for g in segments])
    return CallRows(
        report_json=dumps(report), info=dict(report.get("call") or {}),
        buyers=[sp["name"] for sp in report.get("speakers") or [] if sp.get("role") == "buyer"],
        segments=[(i, g["speaker"], g["role"], g.get("start"), g.get("end"), g.get("line"), g["text"])
                  for i, g in enumerate(segments)],
        findings=[tuple(f.get(c) for c in _FINDING_COLS) + (dumps(f.get("data")),) for f in findings],
        recall=finding_recall_rows(findings), embed_model=_embed_model(), playbook_json=dumps(playbook))


def _embed_model() -> str:
    from salescoach import embed
    return embed.model_id()


def _reembed(recall: list[tuple]) -> list[tuple]:
    """Recall rows encoded under another embedding model: their vectors made again with this process's."""
    import numpy as np

    from salescoach import embed
    vecs = embed.embed([body for _, _, body, _, _ in recall]).astype(np.float16)
    return [(i, t, b, d, vecs[k].tobytes()) for k, (i, t, b, d, _) in enumerate(recall)]


class Sql:
    """Plain DB-API statements on the session's connection (inside its transaction), written with `?`
    placeholders and adapted to the driver's parameter style; values are bound as given."""

    def __init__(self, conn):
        self.conn = conn
        d = conn.dialect
        self.fmt = d.paramstyle in ("format", "pyformat")
        self.json = "CAST(? AS JSONB)" if d.name == "postgresql" else "?"
        self._dt = m.Call.__table__.c.ingested_at.type._cached_bind_processor(d)

    def _q(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.fmt else sql

    def dt(self, v):
        """A datetime as the DateTime column binds it (SQLite: its ISO text; else unchanged)."""
        return self._dt(v) if self._dt and v is not None else v

    def many(self, sql: str, params: list[tuple]) -> None:
        if params:
            self.conn.exec_driver_sql(self._q(sql), params)

    def one(self, sql: str, params: tuple) -> None:
        self.conn.exec_driver_sql(self._q(sql), params)

    def rows(self, sql: str, params: tuple) -> list:
        return self.conn.exec_driver_sql(self._q(sql), params).all()


def _index_call(s: Session, call_id: int) -> None:
    """Add a call's new findings to the recall index (salescoach.memory.recall)."""
    from salescoach.memory.recall import index_call
    index_call(s, call_id)


def _iso(d: datetime | None) -> str | None:
    return d.isoformat(timespec="seconds") if d else None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

