"""Recall index: cheaper to keep up to date while calls are stored.

1. SQLite: new recall rows are added to the keyword index (FTS5 `recall_fts`) in bulk instead of by a
   trigger per row. FTS5 writes a new index segment (and merges older ones) at every commit, so a
   trigger that indexes each call's rows in the call's own transaction costs more than storing the call
   itself. `recall_meta` key `fts_upto` holds the highest `recall_items.id` that is indexed; rows above
   it are indexed by `memory.recall.sync_keywords` (at the end of every ingest batch and before every
   search). The delete and update triggers stay, for indexed rows only (`old.id <= fts_upto`): a row
   that is not indexed yet has nothing in the index to remove, and is indexed with its current values
   when its turn comes.
2. Both dialects: the indexes on `observation_id`, `note_id` and `document_id` become partial
   (`WHERE ... IS NOT NULL`). Each recall row has only one of them set (findings, by far the most, have
   none), so the full indexes stored a NULL entry per row for nothing. Look-ups by these columns
   (`=`, `IN`, `>`) and the cascading deletes use the partial indexes just the same.

Revision ID: 0006_recall_bulk_keywords
Revises: 0002_recall
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_recall_bulk_keywords'
down_revision = '0002_recall'
branch_labels = None
depends_on = None

TAGS = "'xrep' || coalesce({t}.rep_id, 0) || ' xkind' || {t}.kind"
UPTO = "(SELECT CAST(value AS INTEGER) FROM recall_meta WHERE key = 'fts_upto')"
PARTIAL = (('observation_id', True), ('note_id', True), ('document_id', False))


def _partial_indexes(partial: bool) -> None:
    for col, unique in PARTIAL:
        name = f'ix_recall_items_{col}'
        op.drop_index(name, table_name='recall_items')
        where = sa.text(f'{col} IS NOT NULL') if partial else None
        op.create_index(name, 'recall_items', [col], unique=unique, sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    _partial_indexes(True)
    if op.get_bind().dialect.name != 'sqlite':
        return
    # every row so far was indexed by the insert trigger
    op.execute("DELETE FROM recall_meta WHERE key = 'fts_upto'")
    op.execute("INSERT INTO recall_meta (key, value) SELECT 'fts_upto', CAST(coalesce(max(id), 0) AS TEXT) "
               "FROM recall_items")
    for t in ('recall_items_ai', 'recall_items_ad', 'recall_items_au'):
        op.execute(f"DROP TRIGGER IF EXISTS {t}")
    op.execute(f"CREATE TRIGGER recall_items_ad AFTER DELETE ON recall_items WHEN old.id <= {UPTO} BEGIN "
               "INSERT INTO recall_fts(recall_fts, rowid, title, text, tags) VALUES ('delete', old.id, old.title, "
               f"old.text, {TAGS.format(t='old')}); END")
    op.execute(f"CREATE TRIGGER recall_items_au AFTER UPDATE OF title, text, rep_id, kind ON recall_items "
               f"WHEN old.id <= {UPTO} BEGIN "
               "INSERT INTO recall_fts(recall_fts, rowid, title, text, tags) VALUES ('delete', old.id, old.title, "
               f"old.text, {TAGS.format(t='old')}); INSERT INTO recall_fts(rowid, title, text, tags) VALUES "
               f"(new.id, new.title, new.text, {TAGS.format(t='new')}); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # index what is pending, then go back to one trigger per row
        op.execute("INSERT INTO recall_fts(rowid, title, text, tags) SELECT id, title, text, "
                   f"{TAGS.format(t='recall_items')} FROM recall_items WHERE id > coalesce({UPTO}, 0)")
        op.execute("DELETE FROM recall_meta WHERE key = 'fts_upto'")
        for t in ('recall_items_ad', 'recall_items_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {t}")
        op.execute("CREATE TRIGGER recall_items_ai AFTER INSERT ON recall_items BEGIN "
                   "INSERT INTO recall_fts(rowid, title, text, tags) VALUES (new.id, new.title, new.text, "
                   f"{TAGS.format(t='new')}); END")
        op.execute("CREATE TRIGGER recall_items_ad AFTER DELETE ON recall_items BEGIN "
                   "INSERT INTO recall_fts(recall_fts, rowid, title, text, tags) VALUES ('delete', old.id, old.title, "
                   f"old.text, {TAGS.format(t='old')}); END")
        op.execute("CREATE TRIGGER recall_items_au AFTER UPDATE OF title, text, rep_id, kind ON recall_items BEGIN "
                   "INSERT INTO recall_fts(recall_fts, rowid, title, text, tags) VALUES ('delete', old.id, old.title, "
                   f"old.text, {TAGS.format(t='old')}); INSERT INTO recall_fts(rowid, title, text, tags) VALUES "
                   f"(new.id, new.title, new.text, {TAGS.format(t='new')}); END")
    _partial_indexes(False)
