"""`ingest --manifest`: per-file rep, account, deal, date and call type from a CSV; bad manifests store nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from salescoach.cli import app
from salescoach.store import models as m
from salescoach.store import open_store

EX = Path(__file__).resolve().parent.parent / "examples"


def _copy(tmp_path: Path, names: list[str]) -> Path:
    (tmp_path / "calls").mkdir()
    for n in names:
        shutil.copy(EX / "calls" / n, tmp_path / "calls" / n)
    return tmp_path


def test_manifest_sets_metadata_per_file(tmp_path):
    _copy(tmp_path, ["01-lena-halvorsen-discovery.vtt", "05-sam-pinecrest-discovery.vtt"])
    man = tmp_path / "m.csv"
    man.write_text("file,rep,account,deal,date,call_type\n"
                   "calls/01-lena-halvorsen-discovery.vtt,Lena Ruiz,Halvorsen Mechanical,D1,2026-10-06T10:00,\n"
                   "calls/05-sam-pinecrest-discovery.vtt,Sam Cho,Pinecrest Pest Control,D2,2026-10-08,demo\n")
    db = tmp_path / "s.db"
    r = CliRunner().invoke(app, ["ingest", "--manifest", str(man), "--db", str(db)])
    assert r.exit_code == 0, r.output
    repo = open_store(str(db))
    with repo.session() as s:
        rows = s.execute(select(m.Call.call_key, m.Rep.name, m.Account.name, m.Deal.external_id, m.Call.started_at,
                                m.Call.call_type).join(m.Rep, m.Rep.id == m.Call.rep_id)
                         .join(m.Account, m.Account.id == m.Call.account_id)
                         .join(m.Deal, m.Deal.id == m.Call.deal_id).order_by(m.Call.id)).all()
    assert [(k, rep, acc, d, str(t.date()), ty) for k, rep, acc, d, t, ty in rows] == [
        ("01-lena-halvorsen-discovery", "Lena Ruiz", "Halvorsen Mechanical", "D1", "2026-10-06", "discovery"),
        ("05-sam-pinecrest-discovery", "Sam Cho", "Pinecrest Pest Control", "D2", "2026-10-08", "demo")]


def test_bad_manifest_names_the_line_and_stores_nothing(tmp_path):
    _copy(tmp_path, ["01-lena-halvorsen-discovery.vtt"])
    db = tmp_path / "s.db"
    cases = {
        "file,rep,acount\ncalls/01-lena-halvorsen-discovery.vtt,Lena Ruiz,X\n": ":1: unknown column(s) 'acount'",
        "file,rep,date\ncalls/01-lena-halvorsen-discovery.vtt,Lena Ruiz,2026-10-06\ncalls/nope.vtt,Lena Ruiz,\n":
            ":3: no such transcript file",
        "file,rep,date\ncalls/01-lena-halvorsen-discovery.vtt,Lena Ruiz,06/10/2026\n": ":2: date '06/10/2026'",
        "file,call_type\ncalls/01-lena-halvorsen-discovery.vtt,pitch\n": ":2: call_type 'pitch'",
        "": "the manifest is empty",
    }
    for text, msg in cases.items():
        man = tmp_path / "m.csv"
        man.write_text(text)
        r = CliRunner().invoke(app, ["ingest", "--manifest", str(man), "--db", str(db)])
        assert r.exit_code == 2, (text, r.output)
        assert msg in " ".join(r.output.split()), (msg, r.output)
        assert str(man) in " ".join(r.output.split())
    repo = open_store(str(db))
    with repo.session() as s:
        assert s.scalar(select(m.Call.id)) is None
