"""CRM: products with list prices, rep manager/region, account attributes, deal CRM fields (owner, product,
canonical + raw stage, probability, forecast category, next step, dates, last activity), deal stage history,
forecast snapshots (+ their deals).

A separate branch on the initial schema (migrate() upgrades every head).

Revision ID: 0003_crm
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_crm'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crm_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('series', sa.String(length=100), nullable=True),
    sa.Column('list_price', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('crm_reps',
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['manager_id'], ['managers.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rep_id')
    )
    op.create_index('ix_crm_reps_manager_id', 'crm_reps', ['manager_id'], unique=False)
    op.create_table('crm_accounts',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=100), nullable=True),
    sa.Column('year_established', sa.Integer(), nullable=True),
    sa.Column('revenue', sa.Float(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('parent', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id')
    )
    op.create_table('crm_deals',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('stage_raw', sa.String(length=100), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('probability', sa.Float(), nullable=True),
    sa.Column('forecast_category', sa.String(length=20), nullable=True),
    sa.Column('next_step', sa.Text(), nullable=True),
    sa.Column('next_step_date', sa.Date(), nullable=True),
    sa.Column('created_date', sa.Date(), nullable=True),
    sa.Column('engage_date', sa.Date(), nullable=True),
    sa.Column('close_date', sa.Date(), nullable=True),
    sa.Column('last_activity', sa.Date(), nullable=True),
    sa.Column('stage_changed_at', sa.Date(), nullable=True),
    sa.Column('loss_reason', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['reps.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['crm_products.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('deal_id')
    )
    op.create_index('ix_crm_deals_owner_stage', 'crm_deals', ['owner_id', 'stage'], unique=False)
    op.create_table('crm_stage_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=30), nullable=True),
    sa.Column('to_stage', sa.String(length=30), nullable=False),
    sa.Column('stage_raw', sa.String(length=100), nullable=True),
    sa.Column('changed_at', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_crm_stage_history_deal_id', 'crm_stage_history', ['deal_id'], unique=False)
    op.create_table('forecast_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('commit_value', sa.Float(), nullable=False),
    sa.Column('best_case_value', sa.Float(), nullable=False),
    sa.Column('pipeline_value', sa.Float(), nullable=False),
    sa.Column('closed_value', sa.Float(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rep_id', 'as_of', 'period', name='uq_forecast_snapshot')
    )
    op.create_index('ix_forecast_snapshots_rep_id', 'forecast_snapshots', ['rep_id'], unique=False)
    op.create_table('forecast_snapshot_deals',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Float(), nullable=True),
    sa.Column('close_date', sa.Date(), nullable=True),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['snapshot_id'], ['forecast_snapshots.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('snapshot_id', 'deal_id')
    )


def downgrade() -> None:
    op.drop_table('forecast_snapshot_deals')
    op.drop_index('ix_forecast_snapshots_rep_id', table_name='forecast_snapshots')
    op.drop_table('forecast_snapshots')
    op.drop_index('ix_crm_stage_history_deal_id', table_name='crm_stage_history')
    op.drop_table('crm_stage_history')
    op.drop_index('ix_crm_deals_owner_stage', table_name='crm_deals')
    op.drop_table('crm_deals')
    op.drop_table('crm_accounts')
    op.drop_index('ix_crm_reps_manager_id', table_name='crm_reps')
    op.drop_table('crm_reps')
    op.drop_table('crm_products')
