"""The store: migrations, idempotent and transactional ingest, cascading delete, notes, CLI.

Every test runs on a SQLite file and on a real PostgreSQL server started by the tests
(see pg_fixture.py; skipped without PostgreSQL binaries unless CI is set).
"""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from memory_calls import BUYERS, make_call
from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach.cli import app
from salescoach.memory import add_note, delete_call, observations
from salescoach.memory.ingest import ingest_paths
from salescoach.store import models as m
from salescoach.store import open_store, resolve_url

TABLES = {"managers", "teams", "reps", "accounts", "deals", "contacts", "calls", "call_reps", "call_contacts",
          "segments", "call_reports", "findings", "observations", "observation_evidence", "observation_history",
          "mental_models", "mental_model_versions", "coaching_interventions", "manager_notes", "note_signals",
          "banks", "documents", "alembic_version"}

GOOD = {"upfront_contract": "strength", "next_steps": "strength", "talk_ratio": "strength", "monologues": "strength",
        "implication_questions": "gap"}


def write_calls(folder, rep: str, plans: list[dict], start: int = 0):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, plan in enumerate(plans):
        p = folder / f"{rep.split()[0].lower()}{start + i:02d}.vtt"
        p.write_text(make_call(rep, BUYERS[(start + i) % len(BUYERS)], plan, seed=start + i), encoding="utf-8")
        paths.append(str(p))
    return paths


def count(repo, model) -> int:
    with repo.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_resolve_url(monkeypatch):
    monkeypatch.delenv("SALESCOACH_DB", raising=False)
    assert resolve_url() == "sqlite:///salescoach.db"
    assert resolve_url("x/y.db") == "sqlite:///x/y.db"
    assert resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv("SALESCOACH_DB", "sqlite:////tmp/elsewhere.db")
    assert resolve_url() == "sqlite:////tmp/elsewhere.db"
    assert resolve_url("sqlite:///given.db") == "sqlite:///given.db"


def test_migrations_create_every_table(store_url):
    repo = open_store(store_url)
    names = set(inspect(repo.engine).get_table_names())
    assert TABLES <= names
    repo.close()
    repo = open_store(store_url)  # already at every head: a no-op
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from salescoach.store import migrations_path
    cfg = Config()
    cfg.set_main_option("script_location", migrations_path())
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    with repo.engine.connect() as c:
        assert {r[0] for r in c.exec_driver_sql("select version_num from alembic_version")} == heads
    repo.close()


def test_ingest_is_idempotent(store_url, tmp_path):
    repo = open_store(store_url)
    paths = write_calls(tmp_path / "calls", "Ben Okafor", [GOOD, GOOD])
    s1 = ingest_paths(repo, paths, reps=["Ben Okafor"], call_type="discovery")
    assert [r.status for r in s1.results] == ["stored", "stored"]
    copy = tmp_path / "copy.vtt"
    shutil.copy(paths[0], copy)  # same content under another name
    s2 = ingest_paths(repo, paths + [str(copy)], reps=["Ben Okafor"], call_type="discovery")
    assert [r.status for r in s2.results] == ["already stored"] * 3
    assert s2.results[2].call_id == s1.results[0].call_id
    assert count(repo, m.Call) == 2
    assert not s2.changes
    repo.close()


def test_call_is_stored_whole(store_url, tmp_path):
    repo = open_store(store_url)
    [path] = write_calls(tmp_path, "Ben Okafor", [GOOD])
    res = ingest_paths(repo, [path], reps=["Ben"], call_type="discovery", account="Acme Health", deal="D-42")
    cid = res.results[0].call_id
    assert res.results[0].rep == "Ben Okafor"  # the --rep first name resolved to the speaker
    with repo.session() as s:
        call = s.get(m.Call, cid)
        assert len(call.sha256) == 64 and call.call_type == "discovery" and call.duration_s > 0
        assert s.get(m.Account, call.account_id).name == "Acme Health"
        assert s.get(m.Deal, call.deal_id).external_id == "D-42"
        assert s.scalar(select(func.count()).select_from(m.Segment).where(m.Segment.call_id == cid)) > 10
        assert s.get(m.CallReport, cid).report["call"]["type"] == "discovery"
        kinds = set(s.scalars(select(m.Finding.kind).where(m.Finding.call_id == cid)))
        assert kinds == {"coaching", "quality"} or kinds == {"coaching", "quality", "discovery"}
        coaching = s.scalars(select(m.Finding).where(m.Finding.call_id == cid, m.Finding.kind == "coaching")).all()
        assert len(coaching) == 13
        for f in coaching:  # provenance: every judged verdict quotes the call
            if f.verdict in ("strength", "gap"):
                assert f.quote, f.signal
        contacts = s.scalars(select(m.Contact.name)).all()
        assert contacts == [BUYERS[0]]
    repo.close()


def test_failure_leaves_nothing_half_written(store_url, tmp_path, monkeypatch):
    import salescoach.memory.ingest as ing

    repo = open_store(store_url)
    paths = write_calls(tmp_path, "Ben Okafor", [GOOD, GOOD])
    real = ing.retain

    def broken(report, cfg, segments=None):
        out = real(report, cfg, segments)
        if report["call"]["id"].endswith("00"):
            out.append({"kind": None, "type": "x", "text": "violates NOT NULL"})  # fails after call + segments
        return out

    monkeypatch.setattr(ing, "retain", broken)
    res = ingest_paths(repo, paths, reps=["Ben Okafor"], call_type="discovery")
    assert [r.status for r in res.results] == ["failed", "stored"]
    assert paths[0] in res.results[0].error
    assert count(repo, m.Call) == 1
    with repo.session() as s:  # nothing of the failed call anywhere
        kept = s.scalar(select(m.Call.id))
        for model in (m.Segment, m.CallReport, m.Finding, m.CallRep):
            assert set(s.scalars(select(model.call_id))) == {kept}
    monkeypatch.setattr(ing, "retain", real)
    again = ingest_paths(repo, paths, reps=["Ben Okafor"], call_type="discovery")
    assert [r.status for r in again.results] == ["stored", "already stored"]
    repo.close()


def test_bad_file_is_reported_and_others_go_in(store_url, tmp_path):
    paths = write_calls(tmp_path, "Ben Okafor", [GOOD])
    bad = tmp_path / "broken.vtt"
    bad.write_text("WEBVTT\n\nc1\n00:00:05.000 --> garbage\n<v Ben Okafor>Hello there</v>\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", str(bad), *paths, "--rep", "Ben Okafor", "--call-type", "discovery",
                                 "--db", store_url])
    assert r.exit_code == 1
    assert "broken.vtt" in r.output and "1 stored" in r.output and "1 failed" in r.output
    repo = open_store(store_url)
    assert count(repo, m.Call) == 1
    repo.close()


def test_delete_cascades_and_reconsolidates(store_url, tmp_path):
    repo = open_store(store_url)
    paths = write_calls(tmp_path, "Ben Okafor", [GOOD, GOOD, GOOD])
    res = ingest_paths(repo, paths, reps=["Ben Okafor"], call_type="discovery")
    ids = [r.call_id for r in res.results]
    obs = {(o["signal"], o["polarity"]): o for o in observations(repo)}
    assert obs[("next_steps", "strength")]["proof_count"] == 3
    changes = delete_call(repo, ids[0])
    assert changes and any(c.change == "updated" for c in changes)
    with repo.session() as s:
        for model in (m.Finding, m.Segment, m.CallReport, m.CallRep):
            assert ids[0] not in set(s.scalars(select(model.call_id)))
        assert s.get(m.Call, ids[0]) is None
    obs = {(o["signal"], o["polarity"]): o for o in observations(repo)}
    assert obs[("next_steps", "strength")]["proof_count"] == 2
    assert ids[0] not in obs[("next_steps", "strength")]["calls"]
    delete_call(repo, ids[1])  # one call left: no observation may stand on it
    assert observations(repo) == []
    retired = observations(repo, include_retired=True, history=True)
    assert retired and all(o["status"] == "retired" for o in retired)
    assert [h["change"] for h in retired[0]["history"]][-1] == "retired"
    assert delete_call(repo, 999999) is None
    repo.close()


def test_cli_calls_delete(store_url, tmp_path):
    paths = write_calls(tmp_path, "Ben Okafor", [GOOD, GOOD])
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", *paths, "--rep", "Ben Okafor", "--call-type", "discovery",
                               "--db", store_url]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["calls", "list", "--format", "json", "--db", store_url]).stdout)
    assert len(listed) == 2 and listed[0]["rep"] == "Ben Okafor"
    r = runner.invoke(app, ["calls", "delete", str(listed[0]["id"]), "--db", store_url])
    assert r.exit_code == 0 and "deleted" in r.stdout and "retired" in r.stdout
    assert runner.invoke(app, ["calls", "delete", "424242", "--db", store_url]).exit_code == 1


def test_note_links_signals(store_url):
    repo = open_store(store_url)
    nid, links = add_note(repo, "Ben Okafor", "Ben rambled through a long monologue and never booked the next step. "
                          "Good listening though.")
    assert set(links) == {"monologues", "next_steps", "talk_ratio"}
    with repo.session() as s:
        assert {x.signal for x in s.get(m.ManagerNote, nid).signals} == set(links)
    assert repo.notes("ben okafor")[0]["signals"] == sorted(links)
    repo.close()
    r = CliRunner().invoke(app, ["note", "--rep", "Ben Okafor", "Work on objection handling", "--db", store_url])
    assert r.exit_code == 0 and "objection_handling" in r.stdout


def test_env_var_selects_store(tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("SALESCOACH_DB", f"sqlite:///{db}")
    r = CliRunner().invoke(app, ["observations", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    assert db.exists()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_unreachable_store_is_a_clear_error(kind, tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'afile' / 'x.db'}" if kind == "sqlite" else "postgresql://nobody@127.0.0.1:1/none"
    r = CliRunner().invoke(app, ["observations", "--db", url])
    assert r.exit_code == 2 and "cannot open the store" in r.output


def test_parallel_ingest_matches_serial(tmp_path):
    paths = write_calls(tmp_path / "calls", "Ben Okafor", [GOOD, dict(GOOD, talk_ratio="gap"), GOOD, GOOD])
    bad = tmp_path / "calls" / "zz-empty.vtt"
    bad.write_text("", encoding="utf-8")
    out = {}
    for jobs in (1, 2):
        repo = open_store(f"sqlite:///{tmp_path / f'j{jobs}.db'}")
        res = ingest_paths(repo, [str(tmp_path / "calls")], reps=["Ben Okafor"], call_type="discovery", jobs=jobs)
        out[jobs] = ([(r.path, r.status, r.findings) for r in res.results],
                     sorted((o["signal"], o["polarity"], o["proof_count"]) for o in observations(repo)))
        repo.close()
    assert out[1] == out[2]
    assert [s for _, s, _ in out[2][0]] == ["stored"] * 4 + ["failed"]


def test_models_match_migrations(store_url):
    """A model change without a migration fails here (alembic autogenerate finds no difference)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    # Not expressible as models (created by migration 0002_recall): the SQLite FTS5 table with its shadow
    # tables, and the PostgreSQL full-text expression index.
    def modelled(name, type_, parent):
        return not ((type_ == "table" and (name or "").startswith("recall_fts"))
                    or (type_ == "index" and name == "ix_recall_items_fts"))

    repo = open_store(store_url)
    with repo.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True, "include_name": modelled}),
                                m.Base.metadata)
    repo.close()
    assert diff == []
