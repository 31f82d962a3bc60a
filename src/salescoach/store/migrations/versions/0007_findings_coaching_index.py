"""A partial index over the coaching verdicts that covers what the Coaching Themes model reads.

Refreshing Coaching Themes reads every coaching verdict (call, signal, verdict, value, time), in call
order. Coaching verdicts are about one finding in six, so without an index that read scanned the whole
findings table: on a 100k-call store the largest part of the model's refresh. The index holds only
rows with kind = 'coaching' and every column the read needs (listed in the order it sorts by), so the
read walks the index alone. Storing a call adds its ~13 verdicts at the end of the index.

A separate branch on the initial schema (migrate() upgrades every head).

Revision ID: 0007_findings_coaching_index
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_findings_coaching_index'
down_revision = '0001'
branch_labels = None
depends_on = None

COLUMNS = ['call_id', 'signal', 'id', 'verdict', 'value', 'occurred_at', 'kind']
WHERE = sa.text("kind = 'coaching'")


def upgrade() -> None:
    op.create_index('ix_findings_coaching', 'findings', COLUMNS, sqlite_where=WHERE, postgresql_where=WHERE)


def downgrade() -> None:
    op.drop_index('ix_findings_coaching', table_name='findings')
