"""initial schema: organisation, accounts/deals/contacts, calls, segments, call reports, findings,
observations (+ evidence, history), mental models (+ versions), coaching interventions, manager notes,
banks and documents.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:40:05.134007
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('banks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('retain_mission', sa.Text(), nullable=True),
    sa.Column('observations_mission', sa.Text(), nullable=True),
    sa.Column('template', JSONType, nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('managers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'name', name='uq_contacts_account_name')
    )
    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('stage', sa.String(length=100), nullable=True),
    sa.Column('won', sa.Boolean(), nullable=True),
    sa.Column('amount', sa.Float(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    op.create_table('mental_models',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source_query', sa.Text(), nullable=True),
    sa.Column('trigger', JSONType, nullable=True),
    sa.Column('bank_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['manager_id'], ['managers.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('mental_model_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('content', JSONType, nullable=False),
    sa.Column('markdown', sa.Text(), nullable=True),
    sa.Column('based_on', JSONType, nullable=False),
    sa.Column('input_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['mental_models.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('model_id', 'version', name='uq_mmv_model_version')
    )
    op.create_table('reps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('call_key', sa.String(length=300), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=True),
    sa.Column('call_type', sa.String(length=20), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('ingested_at', sa.DateTime(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_rep_id'), ['rep_id'], unique=False)

    op.create_table('coaching_interventions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('signal', sa.String(length=40), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coaching_interventions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_interventions_rep_id'), ['rep_id'], unique=False)

    op.create_table('manager_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('manager_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manager_notes_rep_id'), ['rep_id'], unique=False)

    op.create_table('observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('signal', sa.String(length=40), nullable=False),
    sa.Column('polarity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('proof_count', sa.Integer(), nullable=False),
    sa.Column('applicable_count', sa.Integer(), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('rep_count', sa.Integer(), nullable=True),
    sa.Column('calls', JSONType, nullable=False),
    sa.Column('evidence', JSONType, nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=True),
    sa.Column('last_seen', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observations_rep_id'), ['rep_id'], unique=False)

    op.create_table('call_contacts',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'contact_id')
    )
    op.create_table('call_reports',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('engine_version', sa.String(length=40), nullable=True),
    sa.Column('report', JSONType, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id')
    )
    op.create_table('call_reps',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'rep_id')
    )
    with op.batch_alter_table('call_reps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_reps_rep_id'), ['rep_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('signal', sa.String(length=40), nullable=True),
    sa.Column('verdict', sa.String(length=20), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('start', sa.Float(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('speaker', sa.String(length=200), nullable=True),
    sa.Column('data', JSONType, nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_findings_rep_kind_signal', ['rep_id', 'kind', 'signal'], unique=False)

    op.create_table('note_signals',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('signal', sa.String(length=40), nullable=False),
    sa.Column('matched', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['note_id'], ['manager_notes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'signal')
    )
    op.create_table('observation_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('change', sa.String(length=20), nullable=False),
    sa.Column('proof_count', sa.Integer(), nullable=False),
    sa.Column('applicable_count', sa.Integer(), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('calls', JSONType, nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['observation_id'], ['observations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('observation_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_history_observation_id'), ['observation_id'], unique=False)

    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('idx', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('start', sa.Float(), nullable=True),
    sa.Column('end', sa.Float(), nullable=True),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_call_id'), ['call_id'], unique=False)

    op.create_table('observation_evidence',
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['observation_id'], ['observations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('observation_id', 'finding_id')
    )
    with op.batch_alter_table('observation_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_evidence_finding_id'), ['finding_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('observation_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_evidence_finding_id'))

    op.drop_table('observation_evidence')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segments_call_id'))

    op.drop_table('segments')
    with op.batch_alter_table('observation_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_history_observation_id'))

    op.drop_table('observation_history')
    op.drop_table('note_signals')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_rep_kind_signal')
        batch_op.drop_index(batch_op.f('ix_findings_call_id'))

    op.drop_table('findings')
    with op.batch_alter_table('call_reps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_reps_rep_id'))

    op.drop_table('call_reps')
    op.drop_table('call_reports')
    op.drop_table('call_contacts')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observations_rep_id'))

    op.drop_table('observations')
    with op.batch_alter_table('manager_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manager_notes_rep_id'))

    op.drop_table('manager_notes')
    with op.batch_alter_table('coaching_interventions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_interventions_rep_id'))

    op.drop_table('coaching_interventions')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_rep_id'))

    op.drop_table('calls')
    op.drop_table('reps')
    op.drop_table('mental_model_versions')
    op.drop_table('teams')
    op.drop_table('mental_models')
    op.drop_table('documents')
    op.drop_table('deals')
    op.drop_table('contacts')
    op.drop_table('managers')
    op.drop_table('banks')
    op.drop_table('accounts')
