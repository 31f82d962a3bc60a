"""Alembic environment for salescoach's store.

Run programmatically by `salescoach.store.migrate()` (the store upgrades itself when opened), which
passes an open connection in `config.attributes["connection"]`. Also works from the command
line with `alembic -x url=sqlite:///salescoach.db upgrade head` when given a config.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from salescoach.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
