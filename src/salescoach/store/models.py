"""The memory bank's tables (SQLAlchemy 2 declarative models).

The schema itself is created and upgraded by the Alembic migrations in `store/migrations/`
(run automatically when a store is opened); these classes must match them.

Entities:
- organisation: `managers`, `teams`, `reps`; customers: `accounts`, `deals`, `contacts`.
- `calls` (one row per distinct transcript: its content's sha256 is unique), `call_reps` (every
  rep on the selling side of a call), `segments` (the transcript), `call_reports` (the analysis
  JSON exactly as the engine produced it).
- `findings`: what retain extracted from one call, typed (`kind` discovery | coaching | quality),
  each with provenance (call, start, quote). Deleting a call deletes its findings.
- `observations` (stable facts promoted from counted findings) with `observation_evidence`
  (the findings that support each one) and `observation_history` (every change).
- `mental_models` / `mental_model_versions`, `coaching_interventions`, `manager_notes` /
  `note_signals`, `banks` / `documents` (agent bank templates and knowledge files).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Naive UTC (both SQLite and PostgreSQL columns are `timestamp without time zone`)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Manager(Base):
    __tablename__ = "managers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"))


class Rep(Base):
    __tablename__ = "reps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)


class Deal(Base):
    __tablename__ = "deals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    name: Mapped[str | None] = mapped_column(String(300))
    stage: Mapped[str | None] = mapped_column(String(100))
    won: Mapped[bool | None] = mapped_column(Boolean)
    amount: Mapped[float | None] = mapped_column(Float)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_contacts_account_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(300))


class Call(Base):
    __tablename__ = "calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)
    call_key: Mapped[str] = mapped_column(String(300))  # the report's call.id (file stem or the file's own id)
    format: Mapped[str | None] = mapped_column(String(20))
    call_type: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime | None] = mapped_column(DateTime)  # when the call took place, if known
    duration_s: Mapped[float | None] = mapped_column(Float)
    ingested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))

    rep: Mapped[Rep | None] = relationship()
    segments: Mapped[list["Segment"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                      order_by="Segment.idx")
    report: Mapped["CallReport | None"] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def occurred_at(self) -> datetime:
        return self.started_at or self.ingested_at


class CallRep(Base):
    __tablename__ = "call_reps"
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True, index=True)


class CallContact(Base):
    __tablename__ = "call_contacts"
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)


class Segment(Base):
    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    start: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    line: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class CallReport(Base):
    __tablename__ = "call_reports"
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    engine_version: Mapped[str | None] = mapped_column(String(40))
    report: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the call's Discovery Playbook inputs (memory.mental_models.playbook.digest), or None until worked out
    playbook_questions: Mapped[dict | None] = mapped_column(JSONType, nullable=True)


COACHING_INDEX_COLUMNS = ("call_id", "signal", "id", "verdict", "value", "occurred_at", "kind")
COACHING_ONLY = "kind = 'coaching'"


class Finding(Base):
    """One typed fact retained from one call.

    kind: discovery (what the buyer revealed: `type` = pain, impact, budget, stakeholders, ...),
    coaching (`type` = `signal` = one of the coaching signals; `verdict` = strength | gap | neutral |
    not_applicable), quality (`type` = a call-quality measurement; `value` = the number).

    `ix_findings_coaching` (migration 0007) is a partial index over the coaching verdicts alone that holds
    every column the Coaching Themes model reads, so it reads them without touching the table.
    """
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_rep_kind_signal", "rep_id", "kind", "signal"),
                      Index("ix_findings_coaching", *COACHING_INDEX_COLUMNS, sqlite_where=sql_text(COACHING_ONLY),
                            postgresql_where=sql_text(COACHING_ONLY)))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(60))
    signal: Mapped[str | None] = mapped_column(String(40))
    verdict: Mapped[str | None] = mapped_column(String(20))
    value: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[float | None] = mapped_column(Float)
    quote: Mapped[str | None] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict | None] = mapped_column(JSONType)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)  # the call's time (for ordering and --since)


class Observation(Base):
    """A stable fact: a rep's (or the floor's) recurring strength or gap on one coaching signal.

    `key` is unique ("rep:<rep_id>:<signal>:<polarity>" / "floor:<signal>:<polarity>"), so an
    observation is updated in place and never duplicated. `status` active | retired.
    """
    __tablename__ = "observations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    signal: Mapped[str] = mapped_column(String(40))
    polarity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="active")
    statement: Mapped[str] = mapped_column(Text)
    proof_count: Mapped[int] = mapped_column(Integer)
    applicable_count: Mapped[int] = mapped_column(Integer)
    share: Mapped[float] = mapped_column(Float)
    rep_count: Mapped[int | None] = mapped_column(Integer)
    calls: Mapped[list] = mapped_column(JSONType)  # supporting call ids, oldest first
    evidence: Mapped[list] = mapped_column(JSONType)  # [{call, start, quote}]
    first_seen: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)

    rep: Mapped[Rep | None] = relationship()


class ObservationEvidence(Base):
    __tablename__ = "observation_evidence"
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)


class ObservationHistory(Base):
    __tablename__ = "observation_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    change: Mapped[str] = mapped_column(String(20))  # created | updated | retired | revived
    proof_count: Mapped[int] = mapped_column(Integer)
    applicable_count: Mapped[int] = mapped_column(Integer)
    share: Mapped[float] = mapped_column(Float)
    calls: Mapped[list] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)


class MentalModel(Base):
    __tablename__ = "mental_models"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)  # e.g. discovery-playbook
    name: Mapped[str] = mapped_column(String(200))
    source_query: Mapped[str | None] = mapped_column(Text)
    trigger: Mapped[dict | None] = mapped_column(JSONType)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id", ondelete="SET NULL"))


class MentalModelVersion(Base):
    __tablename__ = "mental_model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version", name="uq_mmv_model_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[str] = mapped_column(ForeignKey("mental_models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    content: Mapped[dict] = mapped_column(JSONType)
    markdown: Mapped[str | None] = mapped_column(Text)
    based_on: Mapped[dict] = mapped_column(JSONType)  # what this version was computed from
    input_hash: Mapped[str] = mapped_column(String(64))  # refresh only when the inputs changed


class CoachingIntervention(Base):
    __tablename__ = "coaching_interventions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    signal: Mapped[str] = mapped_column(String(40))
    date: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ManagerNote(Base):
    __tablename__ = "manager_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    author: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    signals: Mapped[list["NoteSignal"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class NoteSignal(Base):
    __tablename__ = "note_signals"
    note_id: Mapped[int] = mapped_column(ForeignKey("manager_notes.id", ondelete="CASCADE"), primary_key=True)
    signal: Mapped[str] = mapped_column(String(40), primary_key=True)
    matched: Mapped[str | None] = mapped_column(String(200))  # the words that linked it


class Bank(Base):
    __tablename__ = "banks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    retain_mission: Mapped[str | None] = mapped_column(Text)
    observations_mission: Mapped[str | None] = mapped_column(Text)
    template: Mapped[dict | None] = mapped_column(JSONType)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# ==== CRM (issue 4: pipeline, deal inspection, forecast accuracy) — migration 0003_crm ================
# Extension tables keyed by the core rows (deals, accounts, reps), so the core schema stays as it is.
# Written by salescoach.crm (import, review, stats, forecast); dates are calendar dates (no time).
from datetime import date as _date  # noqa: E402

from sqlalchemy import Date  # noqa: E402


class CrmProduct(Base):
    """A product with its list price (used to value open deals whose amount is unknown)."""
    __tablename__ = "crm_products"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    series: Mapped[str | None] = mapped_column(String(100))
    list_price: Mapped[float | None] = mapped_column(Float)


class CrmRep(Base):
    """A rep's CRM attributes: manager and region (sales_teams.csv)."""
    __tablename__ = "crm_reps"
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"), index=True)
    region: Mapped[str | None] = mapped_column(String(100))


class CrmAccount(Base):
    """An account's CRM attributes (sector normalised, e.g. "technolgy" -> "technology")."""
    __tablename__ = "crm_accounts"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    sector: Mapped[str | None] = mapped_column(String(100))
    year_established: Mapped[int | None] = mapped_column(Integer)
    revenue: Mapped[float | None] = mapped_column(Float)
    employees: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(200))
    parent: Mapped[str | None] = mapped_column(String(300))


class CrmDeal(Base):
    """A deal's CRM fields. `stage` is the canonical stage (see crm/stages), `stage_raw` the CRM's label;
    `amount_estimated` is never stored: it is computed (list price) where `deals.amount` is null."""
    __tablename__ = "crm_deals"
    __table_args__ = (Index("ix_crm_deals_owner_stage", "owner_id", "stage"),)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str | None] = mapped_column(String(20))  # salesforce | hubspot | csv | dataset
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("crm_products.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(30))
    stage_raw: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str | None] = mapped_column(String(3))
    probability: Mapped[float | None] = mapped_column(Float)  # 0..1, as the CRM says
    forecast_category: Mapped[str | None] = mapped_column(String(20))  # commit | best_case | pipeline | omitted | closed
    next_step: Mapped[str | None] = mapped_column(Text)
    next_step_date: Mapped[_date | None] = mapped_column(Date)
    created_date: Mapped[_date | None] = mapped_column(Date)
    engage_date: Mapped[_date | None] = mapped_column(Date)
    close_date: Mapped[_date | None] = mapped_column(Date)
    last_activity: Mapped[_date | None] = mapped_column(Date)
    stage_changed_at: Mapped[_date | None] = mapped_column(Date)
    loss_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CrmStageChange(Base):
    """One stage change of a deal (the first import records the initial stage, from_stage null)."""
    __tablename__ = "crm_stage_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str] = mapped_column(String(30))
    stage_raw: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[_date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ForecastSnapshot(Base):
    """A rep's forecast for one period as seen on `as_of`: commit, best case (upside), pipeline."""
    __tablename__ = "forecast_snapshots"
    __table_args__ = (UniqueConstraint("rep_id", "as_of", "period", name="uq_forecast_snapshot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[_date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(10))  # 2017-03 (month) or 2017Q1 (quarter)
    period_start: Mapped[_date] = mapped_column(Date)
    period_end: Mapped[_date] = mapped_column(Date)
    commit_value: Mapped[float] = mapped_column(Float)
    best_case_value: Mapped[float] = mapped_column(Float)
    pipeline_value: Mapped[float] = mapped_column(Float)
    closed_value: Mapped[float] = mapped_column(Float)  # already won in the period on as_of
    method: Mapped[str] = mapped_column(String(20))  # crm | evidence | mixed
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ForecastSnapshotDeal(Base):
    __tablename__ = "forecast_snapshot_deals"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("forecast_snapshots.id", ondelete="CASCADE"),
                                             primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20))
    amount: Mapped[float | None] = mapped_column(Float)
    close_date: Mapped[_date | None] = mapped_column(Date)
    basis: Mapped[str | None] = mapped_column(Text)  # why this category (CRM field or the evidence rule)
# ==== end CRM ===========================================================================================


# -- recall (issue 3, recall branch: migration 0002_recall) ------------------------------------------
from sqlalchemy import LargeBinary  # noqa: E402


class RecallItem(Base):
    """One searchable item for `salescoach recall`: a finding, an observation, a manager note or one
    heading-chunk of a knowledge document (`kind` finding | observation | note | document), with the
    text that keyword search sees and its embedding (`emb`: float16 bytes, L2-normalised).

    Exactly one of finding_id / observation_id / note_id / document_id is set; deleting that row
    deletes this one (ON DELETE CASCADE). Keyword index: SQLite FTS5 table `recall_fts` (filled in bulk
    by `memory.recall.sync_keywords`, triggers remove or update indexed rows; migration 0006), PostgreSQL
    GIN expression index on to_tsvector (neither can be mapped here). The indexes on observation_id,
    note_id and document_id are partial (rows where the column is set).
    """
    __tablename__ = "recall_items"
    __table_args__ = (Index("ix_recall_items_rep_time", "rep_id", "occurred_at"),
                      *(Index(f"ix_recall_items_{c}", c, unique=u, sqlite_where=sql_text(f"{c} IS NOT NULL"),
                              postgresql_where=sql_text(f"{c} IS NOT NULL"))
                        for c, u in (("observation_id", True), ("note_id", True), ("document_id", False))),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), unique=True,
                                                   index=True)
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("manager_notes.id", ondelete="CASCADE"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    chunk: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    call_id: Mapped[int | None] = mapped_column(Integer)
    rep_id: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str | None] = mapped_column(String(40))
    emb: Mapped[bytes | None] = mapped_column(LargeBinary)


class RecallMeta(Base):
    """Key/value facts about the recall index (e.g. which embedding model made the stored vectors)."""
    __tablename__ = "recall_meta"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


# ==== Coaching deliverables (issue 5: plans, ramp, programme, prep, coach networks) — migration 0004_coaching ===
class Quota(Base):
    """A rep's quota for one period (`period` 2026-11 month, 2026Q4 quarter or 2026 year)."""
    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("rep_id", "period", name="uq_quotas_rep_period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[_date] = mapped_column(Date)
    period_end: Mapped[_date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)


class RepProfile(Base):
    """What the store knows of a rep beyond their calls: start date (for ramp) and level (new | experienced)."""
    __tablename__ = "rep_profiles"
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    start_date: Mapped[_date | None] = mapped_column(Date)
    level: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CoachingPlan(Base):
    """A saved coaching plan: its focus areas and milestones as set on `set_on` (content = the plan JSON).
    `status` active | superseded; follow-up re-checks an active plan's milestones against later calls."""
    __tablename__ = "coaching_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    set_on: Mapped[_date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    content: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CoachingAgenda(Base):
    """A generated weekly 1:1 agenda (content = the agenda JSON, including its action items)."""
    __tablename__ = "coaching_agendas"
    __table_args__ = (UniqueConstraint("rep_id", "week_start", name="uq_coaching_agendas_rep_week"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"))
    week_start: Mapped[_date] = mapped_column(Date)
    content: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ContactRole(Base):
    """A contact's buying-influence role (economic | user | technical | coach | procurement | other, or null
    when unknown), as the CRM says (`role_raw`); `is_sponsor` for a visible internal advocate; `status`
    active | left; `last_contact` the last day we heard from them (CRM activity)."""
    __tablename__ = "contact_roles"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(20))
    role_raw: Mapped[str | None] = mapped_column(String(100))
    is_sponsor: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(12))
    left_on: Mapped[_date | None] = mapped_column(Date)
    last_contact: Mapped[_date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
# ==== end coaching ======================================================================================
