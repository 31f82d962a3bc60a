"""Recall: hybrid search over the memory bank (findings, observations, manager notes, knowledge documents).

What is searchable: one `recall_items` row per finding (except coaching verdicts "not applicable"
and bare call-quality numbers), observation, note and knowledge-document
chunk (see `store.models.RecallItem`), holding
- the text keyword search sees: for a finding its kind, type, signal and verdict in words, its
  explanation and its quote; for an observation its statement and evidence quotes; for a note
  its text and linked signals; for a document chunk its heading path and body;
- its embedding (`salescoach.embed`, stored as float16), made from the same text.

How a query is answered (`recall()`):
1. keyword list: SQLite FTS5 with bm25 (title weighted 2, text 1; porter stemming), or PostgreSQL
   full text (a GIN expression index on `to_tsvector('english', title || text)`, `ts_rank`). The
   query's words (minus a few stop words) must all match; when that finds fewer than `limit`
   items, any-word matches are added after them. Only the most recent `KEYWORD_WINDOW` matches of a query are ranked
   (bounded work: a very common word does not make a query scan a million rows);
2. semantic list: cosine similarity between the query's embedding and every item's (held in
   memory per process, see `VectorIndex`); items below `MIN_COSINE` are not candidates;
3. the two lists are fused by reciprocal rank fusion: score = sum over lists of 1 / (K_RRF + rank),
   rank starting at 1, K_RRF = 60 (Cormack, Clarke & Buettcher 2009: a constant that keeps the
   top few ranks of either list from dominating); ties keep the newer item first;
4. filters apply to both lists: `rep` (items about that rep: their findings, observations and
   notes; floor observations and documents have no rep and drop out), `since` (items whose time,
   i.e. the call's time, last seen, note or import time, is on or after it), `kinds`.
Each hit carries its provenance: kind, call (id, source, start time), quote, rep, type and the
ranks it got in each list.

Speed: the keyword half does bounded work (see 1.); the semantic half keeps every vector in memory
(float32, 1 KB per item at 256 dimensions) and switches from exact search to an IVF index above
`VectorIndex.IVF_MIN` items. For a SQLite store the vectors (and the IVF) are also kept in a file
beside the database ("<db>.recall.npz", checked against the store's index id and embedding
model), so that a new process reads one file instead of every row.

Keeping the index in sync: the repository writes a call's findings' recall rows in the same transaction
as the call (the rows are made before the call is stored, `finding_recall_rows`, the same rows
`index_call` makes for stored findings), and a note's when it is added (`index_note`); deleting a call,
finding, observation, note or document deletes its recall rows by ON DELETE CASCADE (and the keyword
entries with them). On SQLite, new recall rows reach the keyword index in bulk (`sync_keywords`, run by
ingest and by `sync()`). `sync()` runs before every search and catches up whatever was written
without the hooks: findings written since the last sync that have no recall row (a watermark in
`recall_meta`; the first sync after the upgrade indexes every existing finding), notes likewise, observations
whose statement changed or that were retired, every vector when the embedding model changed, and the
keyword index.
"""
from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

import numpy as np
from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from salescoach import embed
from salescoach.store import models as m

K_RRF = 60
MIN_COSINE = 0.25
DEPTH = 50  # candidates taken from each list (at least 5 x limit)
KINDS = ("finding", "observation", "note", "document")
STOP = frozenset("a an and are as at be but by did do does for from had has have how i in is it its me my of on or "
                 "our so that the their them then there they this to was we were what when where which who why "
                 "with you your".split())
_WORD = re.compile(r"[a-z0-9]+")


# -- item texts ---------------------------------------------------------------------------------
def _words(s: str | None) -> str:
    return (s or "").replace("_", " ")


def finding_texts(kind: str, type: str, signal: str | None, verdict: str | None, text: str | None,
                  quote: str | None) -> tuple[str, str]:
    """(title, text) of a finding's recall row: kind, type, signal and verdict in words; explanation and quote."""
    label = " ".join(x for x in (kind, _words(type), _words(signal) if signal != type else "", _words(verdict)) if x)
    body = " ".join(x for x in (text or "", f"\"{quote}\"" if quote else "") if x)
    return label, body


def finding_item(f) -> dict:
    """The recall row for a finding (a row / object with the Finding columns)."""
    label, body = finding_texts(f.kind, f.type, f.signal, f.verdict, f.text, f.quote)
    return {"kind": "finding", "finding_id": f.id, "call_id": f.call_id, "rep_id": f.rep_id,
            "occurred_at": f.occurred_at, "title": label, "text": body}


def is_indexed(kind: str, verdict: str | None) -> bool:
    """Whether a finding gets a recall row (the Python twin of `_INDEXED` below)."""
    return kind != "quality" and verdict != "not_applicable"


def finding_recall_rows(findings: list[dict]) -> list[tuple[int, str, str, str, bytes]]:
    """Recall rows for findings not stored yet (dicts as `memory.retain` makes them): one
    (index in `findings`, title, text, digest, float16 embedding bytes) per indexed finding, in order.

    The same title, text, digest and vector `index_call` would store for them once they have ids
    (the store fills in finding id, call, rep and time); built in the analysis worker at ingest."""
    items = []
    for i, f in enumerate(findings):
        if is_indexed(f["kind"], f.get("verdict")):
            title, body = finding_texts(f["kind"], f["type"], f.get("signal"), f.get("verdict"), f.get("text"),
                                        f.get("quote"))
            items.append((i, title, body))
    if not items:
        return []
    vecs = embed.embed([body for _, _, body in items]).astype(np.float16)
    return [(i, title, body, _digest({"title": title, "text": body}), vecs[k].tobytes())
            for k, (i, title, body) in enumerate(items)]


def observation_item(o) -> dict:
    quotes = " ".join(f"\"{e.get('quote')}\"" for e in (o.evidence or [])[:3] if isinstance(e, dict) and e.get("quote"))
    body = f"{o.statement}. {quotes}".strip()
    return {"kind": "observation", "observation_id": o.id, "call_id": None, "rep_id": o.rep_id,
            "occurred_at": o.last_seen or o.updated_at, "title": f"observation {o.scope} {_words(o.signal)} {o.polarity}",
            "text": body}


def note_item(n, signals: Iterable[str] = ()) -> dict:
    sig = " ".join(_words(x) for x in signals)
    return {"kind": "note", "note_id": n.id, "call_id": None, "rep_id": n.rep_id, "occurred_at": n.created_at,
            "title": f"manager note {sig}".strip(), "text": n.text}


def _digest(item: dict) -> str:
    return hashlib.sha1(f"{item['title']}\n{item['text']}".encode("utf-8")).hexdigest()


def _with_vectors(items: list[dict]) -> list[dict]:
    if not items:
        return items
    vecs = embed.embed([f"{it['title']}. {it['text']}" if it["kind"] == "document" else it["text"]
                        for it in items]).astype(np.float16)
    base = {"finding_id": None, "observation_id": None, "note_id": None, "document_id": None, "chunk": 0,
            "call_id": None, "rep_id": None, "occurred_at": None}
    return [{**base, **it, "digest": _digest(it), "emb": vecs[i].tobytes()} for i, it in enumerate(items)]


def insert_items(s: Session, items: list[dict]) -> int:
    rows = _with_vectors(items)
    for i in range(0, len(rows), 2000):
        s.execute(insert(m.RecallItem.__table__), rows[i:i + 2000])
    return len(rows)


# -- hooks called by the repository (inside its transactions) --------------------------------------
# not indexed: coaching verdicts "not applicable" (they say nothing about the call) and the bare
# call-quality numbers ("rep talk share 45%": the coaching verdicts state the same in words)
_INDEXED = and_(m.Finding.kind != "quality",
                or_(m.Finding.verdict.is_(None), m.Finding.verdict != "not_applicable"))
_FCOLS = (m.Finding.id, m.Finding.call_id, m.Finding.rep_id, m.Finding.kind, m.Finding.type, m.Finding.signal,
          m.Finding.verdict, m.Finding.text, m.Finding.quote, m.Finding.occurred_at)


def index_call(s: Session, call_id: int) -> int:
    """Index one call's findings (that are not indexed yet)."""
    indexed = select(m.RecallItem.id).where(m.RecallItem.finding_id == m.Finding.id).exists()
    rows = s.execute(select(*_FCOLS).where(m.Finding.call_id == call_id, ~indexed, _INDEXED)).all()
    return insert_items(s, [finding_item(r) for r in rows])


def index_note(s: Session, note_id: int) -> int:
    n = s.get(m.ManagerNote, note_id)
    if n is None:
        return 0
    s.execute(delete(m.RecallItem).where(m.RecallItem.note_id == note_id))
    sig = list(s.scalars(select(m.NoteSignal.signal).where(m.NoteSignal.note_id == note_id)))
    return insert_items(s, [note_item(n, sig)])


def index_document(s: Session, document_id: int, chunks: list[tuple[str, str]], when: datetime | None) -> int:
    """Index a knowledge document as (heading path, body) chunks, replacing earlier ones."""
    s.execute(delete(m.RecallItem).where(m.RecallItem.document_id == document_id))
    return insert_items(s, [{"kind": "document", "document_id": document_id, "chunk": i, "occurred_at": when,
                             "title": h, "text": b} for i, (h, b) in enumerate(chunks)])


# -- catch-up -------------------------------------------------------------------------------------
def _meta(s: Session, key: str) -> str | None:
    return s.scalar(select(m.RecallMeta.value).where(m.RecallMeta.key == key))


def _set_meta(s: Session, key: str, value: str) -> None:
    if s.get(m.RecallMeta, key) is None:
        s.add(m.RecallMeta(key=key, value=value))
    else:
        s.execute(update(m.RecallMeta).where(m.RecallMeta.key == key).values(value=value))


_FTS_TAGS = "'xrep' || coalesce(rep_id, 0) || ' xkind' || kind"  # the filter tokens (migration 0002_recall)
_FTS_UPTO = "SELECT CAST(value AS INTEGER) FROM recall_meta WHERE key = 'fts_upto'"


def sync_keywords(repo) -> int:
    """SQLite: add the recall rows written since the last time to the keyword index (FTS5), in one
    statement; returns how many. PostgreSQL's index is kept by the database itself (0).

    Why in bulk (migration 0006): FTS5 writes an index segment at every commit, so indexing each call's
    rows in the call's own transaction cost more than storing the call. `recall_meta` key `fts_upto` is
    the highest indexed `recall_items.id`; ingest calls this every `memory.ingest.KEYWORD_BATCH` stored
    calls and at the end, and `sync()` (before every search) calls it too, so a search never misses a stored row."""
    if repo.dialect != "sqlite":
        return 0
    with repo.session() as s:
        upto, hi = s.execute(text(f"SELECT ({_FTS_UPTO}), (SELECT max(id) FROM recall_items)")).one()
    if upto is not None and (hi or 0) <= upto:
        return 0
    with repo.session() as s:
        # the first statement writes, so this transaction holds the write lock before it reads: no other
        # writer can add rows between the indexing and the new watermark
        s.execute(text("UPDATE recall_meta SET value = value WHERE key = 'fts_upto'"))
        upto = s.scalar(text(_FTS_UPTO))
        hi = s.scalar(text("SELECT max(id) FROM recall_items")) or 0
        if upto is None:  # no watermark (it should always be there): rebuild the index from recall_items
            s.execute(text("INSERT INTO recall_fts(recall_fts) VALUES ('rebuild')"))
            s.execute(delete(m.RecallMeta).where(m.RecallMeta.key == "fts_upto"))
            s.add(m.RecallMeta(key="fts_upto", value=str(hi)))
            return s.scalar(text("SELECT count(*) FROM recall_items")) or 0
        if hi <= upto:
            return 0
        n = s.execute(text(f"INSERT INTO recall_fts(rowid, title, text, tags) SELECT id, title, text, {_FTS_TAGS} "
                           "FROM recall_items WHERE id > :lo AND id <= :hi"), {"lo": upto, "hi": hi}).rowcount
        s.execute(text("UPDATE recall_meta SET value = :v WHERE key = 'fts_upto'"), {"v": str(hi)})
    return n


def sync(repo, batch: int = 20000) -> dict:
    """Bring the recall index up to date with the store (see the module docstring). Returns counts.

    When nothing changed this is a handful of indexed look-ups in one transaction."""
    out = {"findings": 0, "notes": 0, "observations": 0, "reembedded": 0}
    with repo.session() as s:
        meta = dict(s.execute(select(m.RecallMeta.key, m.RecallMeta.value)).all())
        if meta.get("index_uuid") is None:  # identifies this store's index (the vector file copy checks it)
            import uuid
            _set_meta(s, "index_uuid", uuid.uuid4().hex)
        if meta.get("embed_model") != embed.model_id():
            out["reembedded"] = _reembed(s, batch)
            _set_meta(s, "embed_model", embed.model_id())
            _CACHE.pop(_cache_key(repo), None)
        # findings: scan the ids written since the last sync (the hooks indexed most of them already)
        hi = s.scalar(select(func.max(m.Finding.id))) or 0
        lo = int(meta.get("findings_synced_upto") or 0)
        if lo > hi:  # the newest findings were deleted
            _set_meta(s, "findings_synced_upto", str(hi))
        indexed = select(m.RecallItem.id).where(m.RecallItem.note_id == m.ManagerNote.id).exists()
        for nid in s.scalars(select(m.ManagerNote.id).where(~indexed)):
            out["notes"] += index_note(s, nid)
        out["observations"] = _sync_observations(s)
    while lo < hi:
        up = min(lo + batch, hi)
        with repo.session() as s:
            indexed = select(m.RecallItem.id).where(m.RecallItem.finding_id == m.Finding.id).exists()
            rows = s.execute(select(*_FCOLS).where(m.Finding.id > lo, m.Finding.id <= up, _INDEXED, ~indexed)
                             .order_by(m.Finding.id)).all()
            out["findings"] += insert_items(s, [finding_item(r) for r in rows])
            _set_meta(s, "findings_synced_upto", str(up))
        lo = up
    out["keywords"] = sync_keywords(repo)
    return out


def _sync_observations(s: Session) -> int:
    have = dict(s.execute(select(m.RecallItem.observation_id, m.RecallItem.digest)
                          .where(m.RecallItem.observation_id > 0)).all())  # > 0: an index range, not a scan
    want = {}
    for o in s.scalars(select(m.Observation).where(m.Observation.status == "active")):
        it = observation_item(o)
        want[o.id] = it
    gone = [oid for oid in have if oid not in want]
    changed = [it for oid, it in want.items() if have.get(oid) != _digest(it)]
    stale = gone + [it["observation_id"] for it in changed if it["observation_id"] in have]
    for i in range(0, len(stale), 500):
        s.execute(delete(m.RecallItem).where(m.RecallItem.observation_id.in_(stale[i:i + 500])))
    insert_items(s, changed)
    return len(changed) + len(gone)


def _reembed(s: Session, batch: int) -> int:
    n, last = 0, 0
    while True:
        rows = s.execute(select(m.RecallItem.id, m.RecallItem.kind, m.RecallItem.title, m.RecallItem.text)
                         .where(m.RecallItem.id > last).order_by(m.RecallItem.id).limit(batch)).all()
        if not rows:
            return n
        vecs = embed.embed([f"{r.title}. {r.text}" if r.kind == "document" else r.text for r in rows])
        vecs = vecs.astype(np.float16)
        for i, r in enumerate(rows):
            s.execute(update(m.RecallItem).where(m.RecallItem.id == r.id).values(emb=vecs[i].tobytes()))
        n += len(rows)
        last = rows[-1].id


# -- the semantic index ----------------------------------------------------------------------------
_NO_TIME = np.iinfo(np.int64).min


class VectorIndex:
    """Every item's embedding in memory (float32, one row per recall item), loaded incrementally.

    Search is exact (brute force) up to `IVF_MIN` items; above, an inverted-file index (k-means
    coarse quantiser with ~sqrt(N) lists, trained on a sample; a query scans the `nprobe` nearest
    lists exactly, at most `ROW_BUDGET` rows) answers queries; a filter (rep, date, kind) is applied
    to the scanned rows, with more lists scanned when it is selective, and when under 2% of the
    rows pass it those rows are scanned exactly instead. Rows added after the IVF was built sit in a tail that
    is always scanned exactly; the IVF is rebuilt when the tail passes 20% of it.
    Deleted items are dropped when their hits are read back from the store.
    """
    IVF_MIN = 60_000
    NPROBE = 32

    def __init__(self, d: int):
        self.d = d
        self.ids = np.empty(0, np.int64)
        self.mat = np.empty((0, d), np.float32)
        self.rep = np.empty(0, np.int64)
        self.time = np.empty(0, np.int64)
        self.kind = np.empty(0, np.int8)
        self.max_id = 0
        self.ivf = None  # (centroids, order, offsets, n_covered)
        self.lock = threading.Lock()
        self.dirty = False  # changed since it was last saved to its file
        self.uuid: str | None = None  # the store's index_uuid (recall_meta)

    def __len__(self) -> int:
        return len(self.ids)

    def load(self, s: Session, chunk: int = 100_000) -> int:
        """Read rows newer than the last loaded one."""
        added = 0
        while True:
            rows = s.execute(select(m.RecallItem.id, m.RecallItem.rep_id, m.RecallItem.occurred_at,
                                    m.RecallItem.kind, m.RecallItem.emb)
                             .where(m.RecallItem.id > self.max_id).order_by(m.RecallItem.id).limit(chunk)).all()
            if not rows:
                return added
            ok = [r for r in rows if r.emb is not None and len(r.emb) == 2 * self.d]
            if ok:
                ids = np.fromiter((r.id for r in ok), np.int64, len(ok))
                mat = np.frombuffer(b"".join(r.emb for r in ok), np.float16).reshape(len(ok), self.d).astype(np.float32)
                rep = np.fromiter((-1 if r.rep_id is None else r.rep_id for r in ok), np.int64, len(ok))
                tim = np.fromiter((_NO_TIME if r.occurred_at is None else int(r.occurred_at.timestamp()) for r in ok),
                                  np.int64, len(ok))
                knd = np.fromiter((KINDS.index(r.kind) if r.kind in KINDS else -1 for r in ok), np.int8, len(ok))
                self.ids = np.concatenate([self.ids, ids])
                self.mat = np.concatenate([self.mat, mat]) if len(self.mat) else mat
                self.rep = np.concatenate([self.rep, rep])
                self.time = np.concatenate([self.time, tim])
                self.kind = np.concatenate([self.kind, knd])
                added += len(ok)
                self.dirty = True
            self.max_id = rows[-1].id

    # IVF
    def build_ivf(self, seed: int = 0, iters: int = 8) -> None:
        n = len(self.ids)
        nlist = max(16, int(np.sqrt(n)))
        rng = np.random.default_rng(seed)
        sample = self.mat[rng.choice(n, size=min(n, nlist * 40), replace=False)]
        cent = sample[rng.choice(len(sample), size=nlist, replace=False)].copy()
        for _ in range(iters):
            a = _nearest(sample, cent)
            sums = np.zeros_like(cent)
            np.add.at(sums, a, sample)
            cnt = np.bincount(a, minlength=nlist)
            keep = cnt > 0
            cent[keep] = sums[keep] / cnt[keep, None]
            nrm = np.linalg.norm(cent, axis=1, keepdims=True)
            nrm[nrm == 0] = 1
            cent /= nrm
        assign = np.concatenate([_nearest(self.mat[i:i + 50_000], cent) for i in range(0, n, 50_000)])
        cnt = np.bincount(assign, minlength=len(cent))
        if (cnt == 0).any():  # empty lists (e.g. centroids that collapsed onto duplicates) are dropped
            keep = cnt > 0
            cent = cent[keep]
            assign = (np.cumsum(keep) - 1)[assign]
            nlist = len(cent)
        order = np.argsort(assign, kind="stable")
        offsets = np.searchsorted(assign[order], np.arange(nlist + 1))
        # keep the matrix in list order so that a list is one contiguous slice
        self.ids, self.mat, self.rep = self.ids[order], np.ascontiguousarray(self.mat[order]), self.rep[order]
        self.time, self.kind = self.time[order], self.kind[order]
        self.ivf = (cent, offsets, n)
        self.dirty = True

    def search(self, q: np.ndarray, k: int, rep: int | None = None, since: int | None = None,
               kinds: tuple[int, ...] | None = None) -> list[tuple[int, float]]:
        """The k most similar item ids (with cosine) passing the filters."""
        n = len(self.ids)
        if n == 0:
            return []
        with self.lock:
            if self.ivf is None and n >= self.IVF_MIN:
                self.build_ivf()
            elif self.ivf is not None and n - self.ivf[2] > 0.2 * self.ivf[2]:
                self.build_ivf()
        filtered = rep is not None or since is not None or kinds is not None
        if not filtered:
            if self.ivf is not None:
                cand, sims = self._ivf_scan(q, self.NPROBE)
            else:
                cand, sims = None, _mv(self.mat, q)
            return self._top(cand, sims, k)
        mask = np.ones(n, bool)
        if rep is not None:
            mask &= self.rep == rep
        if since is not None:
            mask &= self.time >= since
        if kinds is not None:
            mask &= np.isin(self.kind, kinds)
        # the IVF (more lists when the filter is selective) with the filter applied to what it scans,
        # or, when few rows pass (or the store is small), exactly those rows
        share = float(mask.mean())
        if self.ivf is not None and share > 0.02:
            widen = min(4.0, 0.25 / share) if share < 0.25 else 1.0  # enough rows survive the filter
            cand, sims = self._ivf_scan(q, int(self.NPROBE * widen), int(self.ROW_BUDGET * widen))
            keep = mask[cand]
            return self._top(cand[keep], sims[keep], k)
        cand = np.flatnonzero(mask)
        return self._top(cand, _mv(self.mat[cand], q), k)

    def _top(self, cand, sims, k) -> list[tuple[int, float]]:
        if len(sims) == 0:
            return []
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        pos = top if cand is None else cand[top]
        return [(int(self.ids[p]), float(sims[t])) for p, t in zip(pos, top)]

    def _ivf_scan(self, q: np.ndarray, nprobe: int, budget: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, cosines) of the rows in the `nprobe` lists nearest to q, plus the unindexed tail.

        At most `budget` rows (default `ROW_BUDGET`) of the lists are scored: lists are taken nearest
        first, and of a list larger than what is left, its newest rows. (Near-duplicate items, e.g. a
        measurement repeated in every call, gather in a few huge lists; the budget keeps a query that
        lands there from scanning them whole.)"""
        cent, offsets, covered = self.ivf
        budget = budget or self.ROW_BUDGET
        nprobe = min(nprobe, len(cent))
        score = _mv(cent, q)
        lists = np.argpartition(-score, nprobe - 1)[:nprobe]
        lists = lists[np.argsort(-score[lists])]
        spans = []
        for c in lists:
            a, b = int(offsets[c]), int(offsets[c + 1])
            if b - a > budget:
                a = b - budget
            if b > a:
                spans.append((a, b))
                budget -= b - a
            if budget <= 0:
                break
        if covered < len(self.ids):
            spans.append((covered, len(self.ids)))
        if not spans:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        cand = np.concatenate([np.arange(a, b) for a, b in spans])
        sims = np.concatenate([_mv(self.mat[a:b], q) for a, b in spans])  # slices: no copy of the rows
        return cand, sims

    ROW_BUDGET = 20_000

    # a file copy, so that a new process (each CLI call) need not read every vector back
    def save(self, path: str) -> None:
        import os
        if not self.uuid:
            return
        tmp = f"{path}.tmp.npz"
        arrays = {"ids": self.ids, "mat": self.mat.astype(np.float16), "rep": self.rep, "time": self.time,
                  "kind": self.kind, "max_id": np.array([self.max_id]),
                  "model": np.frombuffer(embed.model_id().encode(), np.uint8),
                  "uuid": np.frombuffer(self.uuid.encode(), np.uint8)}
        if self.ivf is not None:
            arrays.update(cent=self.ivf[0], offsets=self.ivf[1], covered=np.array([self.ivf[2]]))
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
        self.dirty = False

    @classmethod
    def from_file(cls, path: str, d: int, uuid: str | None) -> "VectorIndex | None":
        try:
            z = np.load(path, allow_pickle=False)
            if (bytes(z["model"]).decode() != embed.model_id() or z["mat"].shape[1] != d or not uuid
                    or bytes(z["uuid"]).decode() != uuid):
                return None
            vi = cls(d)
            vi.uuid = uuid
            vi.ids, vi.mat, vi.rep = z["ids"], z["mat"].astype(np.float32), z["rep"]
            vi.time, vi.kind, vi.max_id = z["time"], z["kind"], int(z["max_id"][0])
            if "cent" in z:
                vi.ivf = (z["cent"], z["offsets"], int(z["covered"][0]))
            return vi
        except (OSError, KeyError, ValueError):
            return None


def _mv(mat: np.ndarray, q: np.ndarray) -> np.ndarray:
    """mat @ q without BLAS: einsum's single-threaded loop is steady (~1 ms per 20k x 256), where a
    threaded BLAS call on a busy machine can stall for tens of milliseconds."""
    return np.einsum("ij,j->i", mat, q)


def _nearest(x: np.ndarray, cent: np.ndarray) -> np.ndarray:
    return np.argmax(x @ cent.T, axis=1)


_CACHE: dict[str, VectorIndex] = {}


def _cache_key(repo) -> str:
    return repo.engine.url.render_as_string(hide_password=False)


SAVE_MIN_NEW = 2000  # save the file copy when at least this many vectors were added since it was read


def cache_path(repo) -> str | None:
    """Where the vectors of a SQLite store are kept between processes: "<db file>.recall.npz"."""
    u = repo.engine.url
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return f"{u.database}.recall.npz"


def vector_index(repo) -> VectorIndex:
    """The process's vector index for this store, brought up to date (read from the file copy first)."""
    key = _cache_key(repo)
    vi = _CACHE.get(key)
    path = cache_path(repo)
    with repo.session() as s:
        top = s.scalar(select(func.max(m.RecallItem.id))) or 0
        uid = _meta(s, "index_uuid")
        if vi is not None and (vi.d != embed.dim() or vi.max_id > top or vi.uuid != uid):
            vi = None  # another model, or the store was emptied / replaced
        if vi is None:
            vi = VectorIndex.from_file(path, embed.dim(), uid) if path else None
            if vi is None or vi.max_id > top:
                vi = VectorIndex(embed.dim())
                vi.uuid = uid
            _CACHE[key] = vi
        added = vi.load(s)
    if path and vi.dirty and (added >= SAVE_MIN_NEW or len(vi) < SAVE_MIN_NEW * 10):
        try:
            vi.save(path)
        except OSError:
            pass
    return vi


# -- keyword search ----------------------------------------------------------------------------
def query_words(q: str) -> list[str]:
    ws = list(dict.fromkeys(_WORD.findall(q.lower())))
    kept = [w for w in ws if w not in STOP]
    return kept or ws


def _filters_sql(rep: int | None, since: datetime | None, kinds: list[str] | None, params: dict) -> str:
    sql = ""
    if rep is not None:
        sql += " AND r.rep_id = :rep"
        params["rep"] = rep
    if since is not None:
        sql += " AND r.occurred_at >= :since"
        params["since"] = since
    if kinds:
        names = []
        for i, k in enumerate(kinds):
            params[f"k{i}"] = k
            names.append(f":k{i}")
        sql += f" AND r.kind IN ({', '.join(names)})"
    return sql


KEYWORD_WINDOW = 1000  # matches scored per keyword query (the most recent ones), see keyword_search
# the expression of the PostgreSQL GIN index (migration 0002_recall): queries must use it verbatim
_PG_TSV = "to_tsvector('english', coalesce(r.title, '') || ' ' || r.text)"


def keyword_search(s: Session, words: list[str], depth: int, rep=None, since=None, kinds=None,
                   window: int = KEYWORD_WINDOW, enough: int | None = None) -> list[tuple[int, float]]:
    """Keyword candidates (id, score), best first: all words first, then any word when all words gave fewer
    than `enough` (default `depth`) items (see the module docstring).

    Bounded work: of the items matching, only the `window` most recent (highest ids) are ranked, so
    a query with a very common word costs the same at 1M items as at 10k. On SQLite the rep and
    kind filters are part of the full-text match (tag tokens), the date filter is applied to the
    matches in id order."""
    if not words:
        return []
    dialect = s.get_bind().dialect.name
    out: list[tuple[int, float]] = []
    for op in ("AND", "OR") if len(words) > 1 else ("AND",):
        params: dict = {"n": depth, "w": window}
        if dialect == "sqlite":
            q = f" {op} ".join(f'"{w}"' for w in words)
            tags = []
            if rep is not None:
                tags.append(f'tags:"xrep{int(rep)}"')
            if kinds:
                tags.append("(" + " OR ".join(f'tags:"xkind{k}"' for k in kinds) + ")")
            params["q"] = f"({q})" + "".join(f" AND {t}" for t in tags)
            join, where = "", ""
            if since is not None:
                join = " JOIN recall_items r ON r.id = recall_fts.rowid"
                where = " AND r.occurred_at >= :since"
                params["since"] = since
            sql = ("SELECT id, score FROM (SELECT recall_fts.rowid AS id, bm25(recall_fts, 2.0, 1.0, 0.0) AS score "
                   f"FROM recall_fts{join} WHERE recall_fts MATCH :q{where} ORDER BY recall_fts.rowid DESC "
                   "LIMIT :w) ORDER BY score, id DESC LIMIT :n")
            rows = [(i, -sc) for i, sc in s.execute(text(sql), params).all()]
        elif dialect == "postgresql":
            where = _filters_sql(rep, since, kinds, params)
            params["q"] = (" & " if op == "AND" else " | ").join(words)
            sql = (f"SELECT id, ts_rank({_PG_TSV}, q) AS score FROM (SELECT r.id, r.title, r.text FROM recall_items r, "
                   f"to_tsquery('english', :q) q0 WHERE {_PG_TSV} @@ q0{where} ORDER BY r.id DESC LIMIT :w) r, "
                   "to_tsquery('english', :q) q ORDER BY score DESC, id DESC LIMIT :n")
            rows = [(i, float(sc)) for i, sc in s.execute(text(sql), params).all()]
        else:  # any other database: substring match, newest first
            where = _filters_sql(rep, since, kinds, params)
            params.update({f"w{i}": f"%{w}%" for i, w in enumerate(words)})
            conds = f" {op} ".join(f"lower(r.text) LIKE :w{i}" for i in range(len(words)))
            sql = f"SELECT r.id, 1.0 FROM recall_items r WHERE ({conds}){where} ORDER BY r.id DESC LIMIT :n"
            rows = [(i, float(sc)) for i, sc in s.execute(text(sql), params).all()]
        seen = {i for i, _ in out}
        out += [(i, sc) for i, sc in rows if i not in seen]
        if len(out) >= (enough or depth):
            break
    return out[:depth]


# -- fusion and hits ---------------------------------------------------------------------------
@dataclass
class Hit:
    id: int
    score: float
    kind: str
    title: str
    text: str
    rep: str | None = None
    call: dict | None = None
    start: float | None = None
    quote: str | None = None
    type: str | None = None
    when: str | None = None
    ranks: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"id": self.id, "score": round(self.score, 5), "kind": self.kind, "type": self.type,
                "title": self.title, "text": self.text, "rep": self.rep, "call": self.call, "start": self.start,
                "quote": self.quote, "when": self.when, "ranks": self.ranks, **self.extra}


def rrf(lists: dict[str, list[int]], k: int = K_RRF) -> list[tuple[int, float, dict]]:
    """Reciprocal rank fusion: (id, score, {list name: rank}) best first; rank 1 is the top."""
    score: dict[int, float] = {}
    ranks: dict[int, dict] = {}
    for name, ids in lists.items():
        for r, i in enumerate(ids, 1):
            score[i] = score.get(i, 0.0) + 1.0 / (k + r)
            ranks.setdefault(i, {})[name] = r
    return [(i, sc, ranks[i]) for i, sc in sorted(score.items(), key=lambda x: (-x[1], -x[0]))]


def _iso(d):
    return d.isoformat(timespec="seconds") if d else None


def _hydrate(s: Session, ids: list[int]) -> dict[int, Hit]:
    """The hits for these recall ids with their provenance (ids no longer in the store are absent)."""
    if not ids:
        return {}
    R = m.RecallItem
    rows = s.execute(select(R.id, R.kind, R.finding_id, R.observation_id, R.note_id, R.document_id, R.chunk,
                            R.title, R.text, R.occurred_at, m.Rep.name.label("rep"))
                     .outerjoin(m.Rep, m.Rep.id == R.rep_id).where(R.id.in_(ids))).all()
    out: dict[int, Hit] = {}
    fids = [r.finding_id for r in rows if r.finding_id]
    F = m.Finding
    finds = {f.id: f for f in s.execute(select(F.id, F.call_id, F.kind, F.type, F.verdict, F.text, F.start, F.quote,
                                                F.speaker).where(F.id.in_(fids)))} if fids else {}
    cids = {f.call_id for f in finds.values()}
    C = m.Call
    calls = {c.id: c for c in s.execute(select(C.id, C.source, C.call_key, C.call_type)
                                        .where(C.id.in_(cids)))} if cids else {}
    oids = [r.observation_id for r in rows if r.observation_id]
    obs = {o.id: o for o in s.scalars(select(m.Observation).where(m.Observation.id.in_(oids)))} if oids else {}
    dids = {r.document_id for r in rows if r.document_id}
    docs = {}
    if dids:
        docs = {d.id: d for d in s.execute(select(m.Document.id, m.Document.name, m.Bank.name.label("bank"))
                                           .outerjoin(m.Bank, m.Bank.id == m.Document.bank_id)
                                           .where(m.Document.id.in_(dids)))}
    for r in rows:
        h = Hit(id=r.id, score=0.0, kind=r.kind, title=r.title or "", text=r.text, rep=r.rep, when=_iso(r.occurred_at))
        if r.finding_id:
            f = finds.get(r.finding_id)
            if f is None:
                continue
            c = calls.get(f.call_id)
            h.type = f"{f.kind}:{f.type}" + (f":{f.verdict}" if f.verdict else "")
            h.text, h.start, h.quote = f.text, f.start, f.quote
            h.call = {"id": f.call_id, "source": c.source if c else None, "key": c.call_key if c else None,
                      "type": c.call_type if c else None}
            h.extra = {"finding": f.id, "speaker": f.speaker}
        elif r.observation_id:
            o = obs.get(r.observation_id)
            if o is None:
                continue
            ev = (o.evidence or [{}])[0] if o.evidence else {}
            h.type = f"observation:{o.scope}:{o.signal}:{o.polarity}"
            h.text = o.statement
            h.start, h.quote = ev.get("start"), ev.get("quote")
            h.call = {"id": ev.get("call")} if ev.get("call") is not None else None
            h.extra = {"observation": o.id, "proof_count": o.proof_count, "calls": list(o.calls or [])}
        elif r.note_id:
            h.type = "note"
            h.extra = {"note": r.note_id}
        elif r.document_id:
            d = docs.get(r.document_id)
            h.type = "document"
            h.extra = {"document": d.name if d else None, "bank": d.bank if d else None, "section": r.title,
                       "chunk": r.chunk}
        out[r.id] = h
    return out


def recall(repo, query: str, *, rep: str | None = None, since: datetime | None = None, limit: int = 10,
           kinds: list[str] | None = None, do_sync: bool = True) -> list[dict]:
    """The `limit` best items for `query` (see the module docstring), as dicts with provenance.

    An unknown `rep` gives no hits."""
    if do_sync:
        sync(repo)
    depth = max(DEPTH, 5 * limit)
    with repo.session() as s:
        rep_id = None
        if rep:
            r = repo.find_rep(s, rep)
            if r is None:
                return []
            rep_id = r.id
        kw = keyword_search(s, query_words(query), depth, rep_id, since, kinds, enough=limit)
    vi = vector_index(repo)
    qv = embed.embed([query])[0]
    sem: list[tuple[int, float]] = []
    if np.any(qv):
        sem = vi.search(qv, depth, rep=rep_id, since=None if since is None else int(since.timestamp()),
                        kinds=tuple(KINDS.index(k) for k in kinds) if kinds else None)
        sem = [(i, c) for i, c in sem if c >= MIN_COSINE]
        path = cache_path(repo)
        if path and vi.dirty and vi.ivf is not None:  # the IVF was just built: keep it for the next process
            try:
                vi.save(path)
            except OSError:
                pass
    fused = rrf({"keyword": [i for i, _ in kw], "semantic": [i for i, _ in sem]})
    cos = dict(sem)
    out: list[dict] = []
    with repo.session() as s:
        # read back a few more than needed: rows deleted since the vectors were loaded are skipped
        want = fused[: limit * 2 + 10]
        hits = _hydrate(s, [i for i, _, _ in want])
    for i, sc, ranks in want:
        h = hits.get(i)
        if h is None:
            continue
        h.score, h.ranks = sc, ranks
        if i in cos:
            h.extra["cosine"] = round(cos[i], 3)
        out.append(h.as_dict())
        if len(out) >= limit:
            break
    return out
