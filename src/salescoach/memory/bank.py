"""Bank import: an agent bank template (JSON) and knowledge files (Markdown) into the store.

The template (the seed agent's format)::

    {"bank": {"name": "sales-coaching",              # optional; default: the file's stem
              "retain_mission": "...",                # required, text
              "observations_mission": "..."},         # required, text
     "mental_models": [{"id": "discovery-playbook",  # required, lower-case slug
                        "name": "Discovery Playbook",# required, text
                        "source_query": "...",       # required, text
                        "trigger": {...}}],          # optional, any JSON (e.g. refresh after consolidation)
     "knowledge_files": ["discovery-coach.md"]}      # optional: Markdown files beside the template

Importing stores (or updates, matched by name / id) the bank, its missions, the template itself and
each mental-model definition (`mental_models` rows: id, name, source_query, trigger, bank); the
models' versions are left alone. A knowledge file is stored as a document of the bank (matched by
its content hash: importing it twice stores it once) and split into chunks at its Markdown headings
(`#`..`######`; text before the first heading is its own chunk; each chunk is titled with its
heading path "Doc title > Section > Subsection"; a chunk longer than `MAX_CHUNK_WORDS` words is cut
at paragraph breaks), which `salescoach recall` searches.

Errors (`BankError`) name the file and the field: bad JSON (with line and column), a missing or
mistyped key, a duplicate mental-model id, an unreadable knowledge file.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from salescoach.errors import SalescoachError
from salescoach.memory.recall import index_document
from salescoach.store import models as m
from salescoach.store.models import utcnow

MAX_CHUNK_WORDS = 400
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
MD_SUFFIXES = (".md", ".markdown", ".txt")


class BankError(SalescoachError):
    pass


@dataclass
class Template:
    name: str
    retain_mission: str
    observations_mission: str
    mental_models: list[dict]
    knowledge_files: list[Path]
    raw: dict


@dataclass
class ImportResult:
    bank: str
    bank_id: int
    created: bool
    mental_models: list[str] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)  # {name, id, chunks, status: stored | already stored}


def _text(obj: dict, key: str, where: str, path: str, required: bool = True) -> str | None:
    if key not in obj:
        if required:
            raise BankError(f"{path}: {where}: missing key {key!r}")
        return None
    v = obj[key]
    if not isinstance(v, str) or not v.strip():
        raise BankError(f"{path}: {where}.{key}: expected non-empty text, got {type(v).__name__}")
    return v.strip()


def parse_template(path: str | Path) -> Template:
    """Read and check a bank template; raises BankError naming the file and the field."""
    path = Path(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as e:
        raise BankError(f"{path}: cannot read the file: {e}")
    try:
        data = json.loads(raw_text)
    except json.JSONDecodeError as e:
        raise BankError(f"{path}: not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}")
    if not isinstance(data, dict):
        raise BankError(f"{path}: expected a JSON object with keys 'bank' and 'mental_models'")
    bank = data.get("bank")
    if bank is None:
        raise BankError(f"{path}: missing key 'bank'")
    if not isinstance(bank, dict):
        raise BankError(f"{path}: bank: expected an object, got {type(bank).__name__}")
    retain = _text(bank, "retain_mission", "bank", str(path))
    obs = _text(bank, "observations_mission", "bank", str(path))
    name = _text(bank, "name", "bank", str(path), required=False) or path.stem
    mms = data.get("mental_models")
    if mms is None:
        raise BankError(f"{path}: missing key 'mental_models'")
    if not isinstance(mms, list):
        raise BankError(f"{path}: mental_models: expected a list, got {type(mms).__name__}")
    models, seen = [], set()
    for i, mm in enumerate(mms):
        where = f"mental_models[{i}]"
        if not isinstance(mm, dict):
            raise BankError(f"{path}: {where}: expected an object, got {type(mm).__name__}")
        mid = _text(mm, "id", where, str(path))
        if not _SLUG.match(mid):
            raise BankError(f"{path}: {where}.id: {mid!r} is not a lower-case slug (letters, digits, '-', '_', '.')")
        if mid in seen:
            raise BankError(f"{path}: {where}.id: duplicate id {mid!r}")
        seen.add(mid)
        models.append({"id": mid, "name": _text(mm, "name", where, str(path)),
                       "source_query": _text(mm, "source_query", where, str(path)), "trigger": mm.get("trigger")})
    files = data.get("knowledge_files") or []
    if not isinstance(files, list):
        raise BankError(f"{path}: knowledge_files: expected a list of file names")
    kfs = []
    for i, f in enumerate(files):
        name_ = f.get("file") if isinstance(f, dict) else f
        if not isinstance(name_, str) or not name_.strip():
            raise BankError(f"{path}: knowledge_files[{i}]: expected a file name")
        kfs.append((path.parent / name_).resolve())
    return Template(name, retain, obs, models, kfs, data)


def chunk_markdown(text: str, doc_title: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(document title, [(heading path, body)]): split at headings (see the module docstring).

    The title is the first level-1 heading, else `doc_title`. Fenced code blocks are not scanned for
    headings. Empty sections are dropped."""
    lines = text.replace("\r\n", "\n").split("\n")
    title = doc_title or ""
    for ln in lines:
        mt = _HEADING.match(ln)
        if mt and len(mt.group(1)) == 1:
            title = mt.group(2).strip()
            break
    stack: list[tuple[int, str]] = []
    chunks: list[tuple[str, str]] = []
    body: list[str] = []
    fenced = False

    def flush():
        b = "\n".join(body).strip()
        body.clear()
        if not b:
            return
        path = [h for _, h in stack]
        if not path or path[0] != title:
            path = ([title] if title else []) + path
        head = " > ".join(path) or title
        for part in _split_long(b):
            chunks.append((head, part))

    for ln in lines:
        if ln.strip().startswith("```"):
            fenced = not fenced
        mt = None if fenced else _HEADING.match(ln)
        if mt:
            flush()
            level = len(mt.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, mt.group(2).strip()))
        else:
            body.append(ln)
    flush()
    return title, chunks


def _split_long(body: str) -> list[str]:
    if len(body.split()) <= MAX_CHUNK_WORDS:
        return [body]
    out, cur, n = [], [], 0
    for para in re.split(r"\n\s*\n", body):
        w = len(para.split())
        if cur and n + w > MAX_CHUNK_WORDS:
            out.append("\n\n".join(cur))
            cur, n = [], 0
        cur.append(para)
        n += w
    if cur:
        out.append("\n\n".join(cur))
    return out


def _read_md(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(f"{path}: no such knowledge file")
    except UnicodeDecodeError:
        raise BankError(f"{path}: knowledge file is not UTF-8 text")
    except OSError as e:
        raise BankError(f"{path}: cannot read the knowledge file: {e.strerror}")


def import_files(repo, files: list[str], bank_name: str | None = None) -> list[ImportResult]:
    """Import templates (*.json) and knowledge files (Markdown), all checked before anything is written.

    Knowledge files given on their own join the bank of the template given with them, else
    `bank_name`, else the bank named "default". One transaction for the whole import."""
    templates: list[Template] = []
    loose: list[Path] = []
    for f in files:
        p = Path(f)
        if p.suffix.lower() == ".json":
            templates.append(parse_template(p))
        elif p.suffix.lower() in MD_SUFFIXES:
            loose.append(p)
        else:
            raise BankError(f"{p}: not a bank template (.json) or knowledge file (.md, .markdown, .txt)")
    plan: list[tuple[Template | None, str, list[tuple[Path, str]]]] = []
    for t in templates:
        plan.append((t, t.name, [(k, _read_md(k)) for k in t.knowledge_files]))
    if loose:
        target = bank_name or (templates[0].name if len(templates) == 1 else "default")
        plan.append((None, target, [(k, _read_md(k)) for k in loose]))
    results: list[ImportResult] = []
    now = utcnow()
    with repo.session() as s:
        for t, name, docs in plan:
            bank = s.scalars(select(m.Bank).where(m.Bank.name == name)).first()
            created = bank is None
            if bank is None:
                bank = m.Bank(name=name, imported_at=now)
                s.add(bank)
            if t is not None:
                bank.retain_mission, bank.observations_mission, bank.template = (t.retain_mission,
                                                                                 t.observations_mission, t.raw)
                bank.imported_at = now
            s.flush()
            res = ImportResult(name, bank.id, created)
            if t is not None:
                for mm in t.mental_models:
                    row = s.get(m.MentalModel, mm["id"])
                    if row is None:
                        row = m.MentalModel(id=mm["id"])
                        s.add(row)
                    row.name, row.source_query, row.trigger, row.bank_id = (mm["name"], mm["source_query"],
                                                                            mm["trigger"], bank.id)
                    res.mental_models.append(mm["id"])
            for path, body in docs:
                sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
                doc = s.scalars(select(m.Document).where(m.Document.sha256 == sha)).first()
                if doc is not None:
                    res.documents.append({"name": path.name, "id": doc.id, "chunks": None, "status": "already stored"})
                    continue
                title, chunks = chunk_markdown(body, path.stem)
                doc = m.Document(bank_id=bank.id, name=path.name, sha256=sha, title=title, text=body, created_at=now)
                s.add(doc)
                s.flush()
                n = index_document(s, doc.id, chunks, now)
                res.documents.append({"name": path.name, "id": doc.id, "chunks": n, "status": "stored"})
            results.append(res)
    return results


def banks(repo) -> list[dict]:
    """Stored banks with their missions, mental-model definitions and documents."""
    with repo.session() as s:
        out = []
        for b in s.scalars(select(m.Bank).order_by(m.Bank.id)):
            mms = s.scalars(select(m.MentalModel).where(m.MentalModel.bank_id == b.id).order_by(m.MentalModel.id))
            docs = s.scalars(select(m.Document).where(m.Document.bank_id == b.id).order_by(m.Document.id))
            out.append({"name": b.name, "retain_mission": b.retain_mission, "observations_mission": b.observations_mission,
                        "mental_models": [{"id": x.id, "name": x.name, "source_query": x.source_query,
                                           "trigger": x.trigger} for x in mms],
                        "documents": [{"id": d.id, "name": d.name, "title": d.title} for d in docs]})
        return out
