"""Discovery Playbook inputs per call: `call_reports.playbook_questions` holds the call's rated business
questions (wording, time, SPIN / Sandler / Gap labels, what the buyer's answer revealed, the answer
quote), worked out once when the call is stored (in the analysis workers), so that refreshing the
playbook reads one small JSON value per call instead of re-reading every report and segment.
Nullable: calls stored before this migration get theirs at the next playbook refresh.

A separate branch on the initial schema (migrate() upgrades every head).

Revision ID: 0005_playbook_questions
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005_playbook_questions'
down_revision = '0001'
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table('call_reports') as batch:
        batch.add_column(sa.Column('playbook_questions', JSONType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('call_reports') as batch:
        batch.drop_column('playbook_questions')
