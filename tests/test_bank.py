"""Bank import: agent bank templates (missions, mental-model definitions) and knowledge files searchable by recall."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from pg_fixture import pg_server, pg_url, store_url  # noqa: F401  (fixtures)
from salescoach.cli import app
from salescoach.memory.bank import BankError, banks, chunk_markdown, import_files, parse_template
from salescoach.memory.recall import recall
from salescoach.store import models as m
from salescoach.store import open_store

TEMPLATE = {
    "bank": {"name": "coaching", "retain_mission": "Keep what buyers reveal and how each call went.",
             "observations_mission": "Keep only habits that repeat; drop single-call remarks."},
    "mental_models": [
        {"id": "discovery-playbook", "name": "Discovery Playbook",
         "source_query": "Which questions reliably bring out pain and budget?", "trigger": {"refresh_after_consolidation": True}},
        {"id": "coaching-themes", "name": "Coaching Themes",
         "source_query": "Which coaching themes repeat across reps, and which interventions worked?"},
    ],
    "knowledge_files": ["playbook.md"],
}
PLAYBOOK = """# Field Playbook

A short guide written for these tests.

## Opening the call

Agree the agenda and the time available, and say out loud that "no" is an acceptable outcome.

## Objections

### Price pushback

When the buyer says the product costs too much, acknowledge it, ask what they are comparing against,
and tie the price back to the cost of the problem they described.

### Timing

If they say now is not the time, ask what would have to change for it to become the right time.

```
# not a heading: inside a code block
```
"""


def write(tmp_path, template=TEMPLATE, name="bank.json"):
    (tmp_path / "playbook.md").write_text(PLAYBOOK, encoding="utf-8")
    p = tmp_path / name
    p.write_text(template if isinstance(template, str) else json.dumps(template), encoding="utf-8")
    return p


def test_chunk_markdown_by_heading():
    title, chunks = chunk_markdown(PLAYBOOK)
    assert title == "Field Playbook"
    heads = [h for h, _ in chunks]
    assert heads == ["Field Playbook", "Field Playbook > Opening the call", "Field Playbook > Objections > Price pushback",
                     "Field Playbook > Objections > Timing"]
    assert "not a heading" in chunks[-1][1]


def test_import_template_and_knowledge(store_url, tmp_path):
    repo = open_store(store_url)
    p = write(tmp_path)
    [res] = import_files(repo, [str(p)])
    assert res.created and res.bank == "coaching" and res.mental_models == ["discovery-playbook", "coaching-themes"]
    assert res.documents[0]["status"] == "stored" and res.documents[0]["chunks"] == 4
    [b] = banks(repo)
    assert b["retain_mission"].startswith("Keep what buyers reveal")
    mm = {x["id"]: x for x in b["mental_models"]}
    assert mm["discovery-playbook"]["trigger"] == {"refresh_after_consolidation": True}
    assert mm["coaching-themes"]["source_query"].startswith("Which coaching themes")
    # keyword and paraphrase both reach the right section, with its provenance
    hits = recall(repo, "price pushback", kinds=["document"])
    assert hits[0]["section"] == "Field Playbook > Objections > Price pushback" and hits[0]["document"] == "playbook.md"
    assert hits[0]["bank"] == "coaching"
    hits = recall(repo, "the customer thinks it is too expensive", kinds=["document"], limit=2)
    assert hits[0]["section"].endswith("Price pushback")
    # importing again: same rows, updated in place
    TEMPLATE2 = json.loads(json.dumps(TEMPLATE))
    TEMPLATE2["mental_models"][1]["name"] = "Coaching Themes v2"
    [res2] = import_files(repo, [str(write(tmp_path, TEMPLATE2))])
    assert not res2.created and res2.documents[0]["status"] == "already stored"
    with repo.session() as s:
        assert s.scalar(select(func.count()).select_from(m.MentalModel)) == 2
        assert s.get(m.MentalModel, "coaching-themes").name == "Coaching Themes v2"
        assert s.scalar(select(func.count()).select_from(m.Document)) == 1
        assert s.scalar(select(func.count()).select_from(m.RecallItem).where(m.RecallItem.kind == "document")) == 4
    repo.close()


def test_loose_markdown_joins_named_bank(tmp_path):
    repo = open_store(f"sqlite:///{tmp_path / 's.db'}")
    (tmp_path / "notes.md").write_text("## Discovery\n\nAsk what it costs when the process fails.\n")
    [res] = import_files(repo, [str(tmp_path / "notes.md")], bank_name="team-notes")
    assert res.bank == "team-notes" and res.documents[0]["chunks"] == 1
    hits = recall(repo, "process fails")
    assert hits[0]["section"] == "notes > Discovery"
    repo.close()


@pytest.mark.parametrize("content,needle", [
    ('{"bank": {"retain_mission": "a", "observations_mission": "b"}, "mental_models": [', "not valid JSON: "),
    ('{"mental_models": []}', "missing key 'bank'"),
    ('{"bank": {"observations_mission": "b"}, "mental_models": []}', "bank: missing key 'retain_mission'"),
    ('{"bank": {"retain_mission": 3, "observations_mission": "b"}, "mental_models": []}', "bank.retain_mission"),
    ('{"bank": {"retain_mission": "a", "observations_mission": "b"}}', "missing key 'mental_models'"),
    ('{"bank": {"retain_mission": "a", "observations_mission": "b"}, "mental_models": {}}', "mental_models: expected a list"),
    ('{"bank": {"retain_mission": "a", "observations_mission": "b"}, "mental_models": [{"id": "x", "name": "X", '
     '"source_query": "q"}, {"id": "y", "name": "Y"}]}', "mental_models[1]: missing key 'source_query'"),
    ('{"bank": {"retain_mission": "a", "observations_mission": "b"}, "mental_models": [{"id": "Bad Id", "name": "X", '
     '"source_query": "q"}]}', "mental_models[0].id"),
    ('{"bank": {"retain_mission": "a", "observations_mission": "b"}, "mental_models": [], '
     '"knowledge_files": ["missing.md"]}', "missing.md: no such knowledge file"),
])
def test_bad_templates_name_file_and_field(tmp_path, content, needle):
    p = tmp_path / "t.json"
    p.write_text(content, encoding="utf-8")
    repo = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(BankError) as e:
        import_files(repo, [str(p)])
    assert str(p) in str(e.value) or "missing.md" in str(e.value)
    assert needle in str(e.value)
    with repo.session() as s:  # nothing written
        assert s.scalar(select(func.count()).select_from(m.Bank)) == 0
    repo.close()


def test_bad_json_reports_line(tmp_path):
    p = tmp_path / "t.json"
    p.write_text('{\n  "bank": {\n    "retain_mission": "a",,\n  }\n}\n')
    with pytest.raises(BankError, match=r"line 3"):
        parse_template(p)


def test_cli_bank_import(tmp_path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    p = write(tmp_path)
    runner = CliRunner()
    r = runner.invoke(app, ["bank", "import", str(p), "--db", db])
    assert r.exit_code == 0, r.output
    assert "bank coaching created" in r.stdout and "playbook.md: stored" in r.stdout
    r = runner.invoke(app, ["bank", "list", "--db", db, "--format", "json"])
    assert json.loads(r.stdout)[0]["mental_models"][0]["id"] == "coaching-themes"
    bad = tmp_path / "bad.json"
    bad.write_text('{"bank": {}}')
    r = runner.invoke(app, ["bank", "import", str(bad), "--db", db])
    assert r.exit_code == 2 and "bad.json" in r.output and "retain_mission" in r.output
    r = runner.invoke(app, ["bank", "import", str(tmp_path / "x.pdf"), "--db", db])
    assert r.exit_code == 2 and "x.pdf" in r.output
