"""The memory bank's store: SQLAlchemy 2 models, Alembic migrations, one repository layer.

    from salescoach.store import open_store
    store = open_store()                       # ./salescoach.db, or $SALESCOACH_DB
    store = open_store("postgresql+psycopg://user@host/db")

Where the store lives: the `url` given (`--db URL` on the command line), else the environment
variable `SALESCOACH_DB`, else the SQLite file `./salescoach.db`. Any SQLAlchemy URL works; a
bare file path is taken as a SQLite file, and `postgresql://` URLs use psycopg 3.

Opening a store brings its schema up to date: the Alembic migrations shipped in
`salescoach/store/migrations/versions/` run inside the process (no alembic.ini needed).
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

DEFAULT_URL = "sqlite:///salescoach.db"
ENV_VAR = "SALESCOACH_DB"


def resolve_url(url: str | None = None) -> str:
    """--db URL > $SALESCOACH_DB > sqlite:///salescoach.db; a plain path means a SQLite file."""
    url = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        url = "sqlite:///" + str(Path(url))
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")  # cascades (calls -> findings) need it
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    url = resolve_url(url)
    u = make_url(url)
    kw: dict = {}
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kw["connect_args"] = {"timeout": 30}
    engine = create_engine(url, **kw)
    if u.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrations_path() -> str:
    return str(resources.files(__package__).joinpath("migrations"))


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the schema to `revision` with the packaged Alembic migrations (no-op when current).

    "heads" applies every branch: capabilities (memory, recall, CRM) may each add their own
    migration branch on top of the initial schema."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", migrations_path())
    script = ScriptDirectory.from_config(cfg)
    with engine.begin() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        if revision in ("head", "heads") and current == set(script.get_heads()):
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def open_store(url: str | None = None, *, upgrade: bool = True):
    """A `Repository` on the store at `url` (see `resolve_url`), its schema migrated to head."""
    from salescoach.store.repo import Repository

    engine = make_engine(url)
    if upgrade:
        migrate(engine)
    return Repository(engine)
