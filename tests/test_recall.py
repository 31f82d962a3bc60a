"""Recall: hybrid keyword + semantic search with provenance, filters, and an index kept in sync (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import insert, select, text, update
from typer.testing import CliRunner

from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach import embed
from salescoach.cli import app
from salescoach.memory import delete_call
from salescoach.memory.recall import VectorIndex, recall, rrf, sync
from salescoach.store import models as m
from salescoach.store import open_store

# (rep, date, [(kind, type, text, start, quote)])
CALLS = [
    ("Ada Park", datetime(2026, 3, 2, 10), [
        ("discovery", "budget", "budget came up", 312.0, "We don't have the budget for this until next year."),
        ("discovery", "problem", "the problem came up", 95.0,
         "Two people spend every Monday reconciling invoices by hand in spreadsheets."),
        ("coaching", "talk_ratio", "rep talk share 71% (gap above 55%)", None, None),
    ]),
    ("Ada Park", datetime(2026, 5, 20, 15), [
        ("discovery", "stakeholders", "who else is affected came up", 640.0,
         "Our CFO and the head of operations would both have to approve a purchase like this."),
        ("discovery", "objection", "competition objection", 1210.0,
         "We're also talking to another vendor that is quite a bit cheaper."),
    ]),
    ("Ben Okafor", datetime(2026, 4, 11, 9), [
        ("discovery", "impact", "the impact came up", 400.0,
         "Last quarter the dispatch delays cost us two of our largest customers."),
        ("discovery", "budget", "budget came up", 880.0, "Money is tight, our spending is frozen until the audit."),
    ]),
]


def store_calls(repo) -> list[int]:
    ids = []
    for n, (rep, when, items) in enumerate(CALLS):
        findings = []
        for kind, typ, txt, start, quote in items:
            f = {"kind": kind, "type": typ, "text": txt, "start": start, "quote": quote, "speaker": "Buyer"}
            if kind == "coaching":
                f.update(signal=typ, verdict="gap", value=0.71)
            findings.append(f)
        report = {"call": {"id": f"call{n}", "source": f"calls/call{n}.vtt", "type": "discovery", "format": "vtt",
                           "duration_s": 1800.0}, "speakers": [{"name": "Buyer", "role": "buyer"}]}
        st = repo.store_call(sha256=f"{n:064d}", report=report, segments=[], findings=findings, rep_names=[rep],
                             started_at=when)
        ids.append(st.id)
    return ids


def quotes(hits) -> list[str]:
    return [h.get("quote") or "" for h in hits]


def test_keyword_hit_with_provenance(store_url):
    repo = open_store(store_url)
    ids = store_calls(repo)
    hits = recall(repo, "reconciling invoices", limit=3)
    top = hits[0]
    assert "reconciling invoices" in top["quote"]
    assert top["ranks"].get("keyword") == 1
    assert top["kind"] == "finding" and top["type"] == "discovery:problem"
    assert top["call"]["id"] == ids[0] and top["call"]["source"] == "calls/call0.vtt"
    assert top["start"] == 95.0 and top["rep"] == "Ada Park" and top["when"].startswith("2026-03-02")
    repo.close()


def test_paraphrase_found_semantically(store_url):
    repo = open_store(store_url)
    store_calls(repo)
    hits = recall(repo, "they cannot afford it right now", limit=3)
    assert any("budget" in q or "Money is tight" in q for q in quotes(hits[:2])), quotes(hits)
    assert all("semantic" in h["ranks"] for h in hits[:2])
    hits = recall(repo, "who has to sign off on the deal", limit=2)
    assert "CFO" in hits[0]["quote"], quotes(hits)
    repo.close()


def test_filters_rep_and_since(store_url):
    repo = open_store(store_url)
    store_calls(repo)
    hits = recall(repo, "budget", rep="Ben Okafor", limit=10)
    assert hits and {h["rep"] for h in hits} == {"Ben Okafor"}
    hits = recall(repo, "budget next year customers cheaper vendor", since=datetime(2026, 4, 1), limit=20)
    assert hits and all(h["when"] >= "2026-04-01" for h in hits)
    assert not any("until next year" in q for q in quotes(hits))
    assert recall(repo, "budget", rep="Nobody Known") == []
    repo.close()


def test_deleted_call_disappears(store_url):
    repo = open_store(store_url)
    ids = store_calls(repo)
    assert any("reconciling" in q for q in quotes(recall(repo, "reconciling invoices spreadsheets")))
    delete_call(repo, ids[0])
    hits = recall(repo, "reconciling invoices spreadsheets", limit=20)
    assert all(h["call"] is None or h["call"]["id"] != ids[0] for h in hits)
    with repo.session() as s:
        assert s.scalar(select(m.RecallItem.id).where(m.RecallItem.call_id == ids[0])) is None
        if repo.dialect == "sqlite":  # the keyword index lost the rows too
            n = s.execute(text("SELECT count(*) FROM recall_fts WHERE recall_fts MATCH 'reconciling'")).scalar()
            assert n == 0
    repo.close()


def test_notes_and_observations_are_searchable(store_url):
    repo = open_store(store_url)
    store_calls(repo)
    from salescoach.memory import add_note
    add_note(repo, "Ada Park", "Ada rambles through long product monologues; practise pausing after questions.")
    hits = recall(repo, "long monologues", rep="Ada Park", limit=3)
    assert hits[0]["kind"] == "note" and hits[0]["rep"] == "Ada Park"
    with repo.session() as s:
        rep = repo.find_rep(s, "Ben Okafor")
        o = m.Observation(key=f"rep:{rep.id}:next_steps:gap", scope="rep", rep_id=rep.id, signal="next_steps",
                          polarity="gap", statement="Ben Okafor ends calls without a dated next step",
                          proof_count=3, applicable_count=3, share=1.0, calls=[1, 2, 3],
                          evidence=[{"call": 3, "start": 1700.0, "quote": "Let's stay in touch."}],
                          first_seen=datetime(2026, 4, 1), last_seen=datetime(2026, 4, 11))
        s.add(o)
    hits = recall(repo, "no dated next step", kinds=["observation"])
    assert hits and hits[0]["type"] == "observation:rep:next_steps:gap" and hits[0]["quote"] == "Let's stay in touch."
    with repo.session() as s:  # the statement changes: the index follows
        s.execute(update(m.Observation).values(statement="Ben Okafor rarely books a follow-up meeting"))
    hits = recall(repo, "follow-up meeting", kinds=["observation"])
    assert hits and "follow-up" in hits[0]["text"]
    with repo.session() as s:  # retired: gone from recall
        s.execute(update(m.Observation).values(status="retired"))
    assert recall(repo, "follow-up meeting", kinds=["observation"]) == []
    repo.close()


def test_sync_catches_up_unhooked_writes_and_model_change(tmp_path):
    repo = open_store(f"sqlite:///{tmp_path / 's.db'}")
    ids = store_calls(repo)
    with repo.session() as s:  # a finding written around the repository (no recall hook)
        s.execute(insert(m.Finding.__table__), [{"call_id": ids[2], "rep_id": None, "kind": "discovery",
                                                 "type": "pain", "text": "pain came up", "quote":
                                                 "Our technicians drive across town twice a day for nothing.",
                                                 "occurred_at": datetime(2026, 4, 11)}])
        s.execute(update(m.RecallMeta).where(m.RecallMeta.key == "embed_model").values(value="old-model"))
    hits = recall(repo, "technicians drive across town")
    assert "technicians" in hits[0]["quote"]
    with repo.session() as s:
        assert s.scalar(select(m.RecallMeta.value).where(m.RecallMeta.key == "embed_model")) == embed.model_id()
    assert sync(repo) == {"findings": 0, "notes": 0, "observations": 0, "reembedded": 0, "keywords": 0}
    repo.close()


def _fts_consistent(repo) -> tuple[int, int]:
    """(rows in the keyword index, recall rows), after checking that the index is sound and holds exactly
    the recall rows up to its watermark."""
    with repo.session() as s:
        s.execute(text("INSERT INTO recall_fts(recall_fts) VALUES ('integrity-check')"))
        upto = int(s.scalar(text("SELECT value FROM recall_meta WHERE key = 'fts_upto'")))
        indexed = set(s.scalars(text("SELECT id FROM recall_fts_docsize")))
        rows = list(s.scalars(text("SELECT id FROM recall_items")))
    assert indexed == {i for i in rows if i <= upto}
    return len(indexed), len(rows)


def test_keyword_index_takes_new_rows_in_bulk(tmp_path):
    """SQLite: recall rows reach the FTS5 index in bulk (migration 0006). Rows deleted or changed before
    they were indexed leave nothing stale behind, indexed ones are removed or updated at once, and a
    search first catches up, so it finds a call stored a moment ago."""
    from salescoach.memory import add_note
    from salescoach.memory.recall import sync_keywords
    repo = open_store(f"sqlite:///{tmp_path / 's.db'}")
    ids = store_calls(repo)
    indexed, rows = _fts_consistent(repo)
    assert indexed == 0 and rows > 0  # stored, not indexed yet
    delete_call(repo, ids[0])  # its rows go before they were ever indexed
    assert sync_keywords(repo) == _fts_consistent(repo)[1]
    assert _fts_consistent(repo)[0] == _fts_consistent(repo)[1]
    assert sync_keywords(repo) == 0  # nothing new
    with repo.session() as s:  # an indexed row changes: the index follows at once
        s.execute(update(m.RecallItem).where(m.RecallItem.call_id == ids[2]).values(text="zebra crossing"))
        assert s.execute(text("SELECT count(*) FROM recall_fts WHERE recall_fts MATCH 'zebra'")).scalar() > 0
    _fts_consistent(repo)
    add_note(repo, "Ada Park", "Ada should ask about the quarterly audit before demoing.")
    with repo.session() as s:  # a pending row changes before it is indexed
        s.execute(update(m.RecallItem).where(m.RecallItem.kind == "note").values(text="Ada asks about the audit"))
    hits = recall(repo, "quarterly audit", kinds=["note"])  # the search catches up first
    assert hits and hits[0]["kind"] == "note"
    assert _fts_consistent(repo)[0] == _fts_consistent(repo)[1]
    delete_call(repo, ids[2])  # indexed rows leave the index with their call
    assert _fts_consistent(repo)[0] == _fts_consistent(repo)[1]
    with repo.session() as s:
        assert s.execute(text("SELECT count(*) FROM recall_fts WHERE recall_fts MATCH 'zebra'")).scalar() == 0
    repo.close()


def test_keyword_index_migration_down_and_up(tmp_path):
    """Migration 0006 on a store that has data: down to the per-row trigger (pending rows get indexed), rows
    stored meanwhile are indexed by the trigger, and up again the watermark covers them all."""
    from alembic import command
    from alembic.config import Config

    from salescoach.store import migrate, migrations_path
    url = f"sqlite:///{tmp_path / 's.db'}"
    repo = open_store(url)
    store_calls(repo)  # pending: not indexed yet
    cfg = Config()
    cfg.set_main_option("script_location", migrations_path())
    with repo.engine.begin() as c:
        cfg.attributes["connection"] = c
        command.downgrade(cfg, "0006_recall_bulk_keywords@0002_recall")
    with repo.session() as s:  # the old trigger indexes a row as it is written
        s.execute(insert(m.RecallItem.__table__), [{"kind": "document", "title": "Pricing", "text": "walrus tiers",
                                                    "chunk": 0}])
        assert s.execute(text("SELECT count(*) FROM recall_fts WHERE recall_fts MATCH 'walrus'")).scalar() == 1
        assert s.execute(text("SELECT count(*) FROM recall_fts_docsize")).scalar() == \
            s.execute(text("SELECT count(*) FROM recall_items")).scalar()
    migrate(repo.engine)
    indexed, rows = _fts_consistent(repo)
    assert indexed == rows
    assert recall(repo, "walrus tiers", kinds=["document"])[0]["kind"] == "document"
    assert any("reconciling" in q for q in quotes(recall(repo, "reconciling invoices")))
    repo.close()


def test_ingest_leaves_the_keyword_index_complete(tmp_path):
    from pathlib import Path

    from salescoach.memory.ingest import ingest_paths
    calls = Path(__file__).resolve().parent.parent / "examples" / "calls"
    repo = open_store(f"sqlite:///{tmp_path / 's.db'}")
    res = ingest_paths(repo, [str(p) for p in sorted(calls.iterdir())[:3]], reps=["Lena Ruiz"],
                       do_consolidate=False)
    assert res.count("stored") == 3
    indexed, rows = _fts_consistent(repo)
    assert indexed == rows > 0
    repo.close()


def test_rrf():
    fused = rrf({"keyword": [1, 2, 3], "semantic": [3, 4]}, k=60)
    assert fused[0][0] == 3 and fused[0][2] == {"keyword": 3, "semantic": 1}
    assert fused[0][1] == pytest.approx(1 / 63 + 1 / 61)
    assert [i for i, _, _ in fused[1:]] == [1, 4, 2]  # 2 and 4 tie (rank 2 each): the newer first


def test_ivf_index_finds_near_duplicates():
    rng = np.random.default_rng(3)
    d, n = 32, 6000
    vi = VectorIndex(d)
    vi.IVF_MIN = 1000
    mat = rng.standard_normal((n, d)).astype(np.float32)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    vi.ids, vi.mat = np.arange(1, n + 1), mat.copy()
    vi.rep = np.where(np.arange(n) % 2 == 0, 7, 8).astype(np.int64)
    vi.time = np.arange(n, dtype=np.int64)
    vi.kind = np.zeros(n, np.int8)
    for j in (0, 123, 4567):
        q = mat[j] + 0.05 * rng.standard_normal(d).astype(np.float32)
        q /= np.linalg.norm(q)
        assert vi.search(q, 5)[0][0] == j + 1
        assert vi.ivf is not None
        got = vi.search(q, 5, rep=int(vi.rep[vi.ids == j + 1][0]))
        assert got[0][0] == j + 1
        assert all(i - 1 >= j for i, _ in vi.search(q, 5, since=j))


def test_cli_recall(store_url):
    repo = open_store(store_url)
    ids = store_calls(repo)
    repo.close()
    runner = CliRunner()
    r = runner.invoke(app, ["recall", "cheaper vendor", "--db", store_url, "--format", "json", "--limit", "2"])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)
    assert len(hits) <= 2 and "cheaper" in hits[0]["quote"] and hits[0]["call"]["id"] == ids[1]
    r = runner.invoke(app, ["recall", "cheaper vendor", "--db", store_url, "--rep", "Ada", "--since", "2026-05-01"])
    assert r.exit_code == 0 and "cheaper" in r.stdout and "call " in r.stdout
    r = runner.invoke(app, ["recall", "x", "--db", store_url, "--since", "last week"])
    assert r.exit_code == 2 and "--since" in r.output


def test_vector_file_copy_is_reused_and_checked(tmp_path):
    from salescoach.memory import recall as R
    db = tmp_path / "s.db"
    repo = open_store(f"sqlite:///{db}")
    store_calls(repo)
    recall(repo, "budget")
    path = R.cache_path(repo)
    assert path == f"{db}.recall.npz" and (tmp_path / "s.db.recall.npz").exists()
    R._CACHE.clear()  # a new process: the vectors come from the file copy
    vi = R.vector_index(repo)
    assert len(vi) == 7 and vi.uuid
    assert "CFO" in recall(repo, "who has to sign off on the deal", limit=1)[0]["quote"]
    repo.close()
    for f in tmp_path.glob("s.db*"):
        if not f.name.endswith(".npz"):
            f.unlink()
    R._CACHE.clear()
    repo = open_store(f"sqlite:///{db}")  # a new store at the same path: the old copy must not be used
    recall(repo, "anything")
    assert len(R.vector_index(repo)) == 0
    repo.close()
