"""recall index: one row per searchable item (finding, observation, manager note, knowledge-document
chunk) with its text and embedding; keyword index per dialect (SQLite FTS5 table kept in sync by
triggers, with filter tags for rep and kind; PostgreSQL GIN expression index on to_tsvector('english', title || text)). Deleting a finding, observation, note
or document deletes its recall rows (ON DELETE CASCADE), and with them their keyword entries.

Revision ID: 0002_recall
Revises: 0001
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0002_recall'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'recall_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=True),
        sa.Column('observation_id', sa.Integer(), nullable=True),
        sa.Column('note_id', sa.Integer(), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('chunk', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('rep_id', sa.Integer(), nullable=True),
        sa.Column('occurred_at', sa.DateTime(), nullable=True),
        sa.Column('title', sa.Text(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('digest', sa.String(length=40), nullable=True),
        sa.Column('emb', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['observation_id'], ['observations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['note_id'], ['manager_notes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_recall_items_finding_id', 'recall_items', ['finding_id'], unique=True)
    op.create_index('ix_recall_items_observation_id', 'recall_items', ['observation_id'], unique=True)
    op.create_index('ix_recall_items_note_id', 'recall_items', ['note_id'], unique=True)
    op.create_index('ix_recall_items_document_id', 'recall_items', ['document_id'])
    op.create_index('ix_recall_items_rep_time', 'recall_items', ['rep_id', 'occurred_at'])
    op.create_table(
        'recall_meta',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        # third column `tags`: filter tokens "xrep<rep id or 0> xkind<kind>" so that a --rep / kind
        # filter narrows the full-text match itself (bm25 gives the column weight 0)
        tags = "'xrep' || coalesce({t}.rep_id, 0) || ' xkind' || {t}.kind"
        op.execute("CREATE VIRTUAL TABLE recall_fts USING fts5(title, text, tags, content='recall_items', "
                   "content_rowid='id', tokenize='porter unicode61')")
        op.execute("CREATE TRIGGER recall_items_ai AFTER INSERT ON recall_items BEGIN "
                   "INSERT INTO recall_fts(rowid, title, text, tags) VALUES (new.id, new.title, new.text, "
                   f"{tags.format(t='new')}); END")
        op.execute("CREATE TRIGGER recall_items_ad AFTER DELETE ON recall_items BEGIN "
                   "INSERT INTO recall_fts(recall_fts, rowid, title, text, tags) VALUES ('delete', old.id, old.title, "
                   f"old.text, {tags.format(t='old')}); END")
        op.execute("CREATE TRIGGER recall_items_au AFTER UPDATE OF title, text, rep_id, kind ON recall_items BEGIN "
                   "INSERT INTO recall_fts(recall_fts, rowid, title, text, tags) VALUES ('delete', old.id, old.title, "
                   f"old.text, {tags.format(t='old')}); INSERT INTO recall_fts(rowid, title, text, tags) VALUES "
                   f"(new.id, new.title, new.text, {tags.format(t='new')}); END")
    elif bind.dialect.name == 'postgresql':
        # an expression index (no extra column): queries use the very same expression
        op.execute("CREATE INDEX ix_recall_items_fts ON recall_items USING gin "
                   "(to_tsvector('english', coalesce(title, '') || ' ' || text))")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for t in ('recall_items_ai', 'recall_items_ad', 'recall_items_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {t}")
        op.execute("DROP TABLE IF EXISTS recall_fts")
    op.drop_table('recall_meta')
    op.drop_index('ix_recall_items_rep_time', table_name='recall_items')
    op.drop_index('ix_recall_items_document_id', table_name='recall_items')
    op.drop_index('ix_recall_items_note_id', table_name='recall_items')
    op.drop_index('ix_recall_items_observation_id', table_name='recall_items')
    op.drop_index('ix_recall_items_finding_id', table_name='recall_items')
    op.drop_table('recall_items')
