"""The store's tables.

Two kinds of data live here. Bulk open data (projects, participations, source records,
provenance) is written and read column-wise through SQLAlchemy Core on these tables.
Things people create and edit (review decisions, the audit log) are ORM classes.
Every bulk row keeps the file (``source_file_id``) and row (``source_row``) it came from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SourceFile(Base):
    """One file read by an ingest, and the download it came from."""

    __tablename__ = "source_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    download_url: Mapped[str | None] = mapped_column(Text)
    downloaded_at: Mapped[str | None] = mapped_column(String(40))
    rows_read: Mapped[int] = mapped_column(Integer)
    repairs: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(Text)


class Repair(Base):
    """A documented change made while reading a row (see ``bioconnect.sources.mapped``)."""

    __tablename__ = "repair"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), index=True)
    source_row: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)


class Project(Base):
    __tablename__ = "project"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    programme: Mapped[str | None] = mapped_column(String(20), index=True)
    grant_id: Mapped[str | None] = mapped_column(String(20))
    rcn: Mapped[str | None] = mapped_column(String(20))
    acronym: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[str | None] = mapped_column(String(10))
    end_date: Mapped[str | None] = mapped_column(String(10))
    start_year: Mapped[int | None] = mapped_column(Integer)
    total_cost: Mapped[float | None] = mapped_column(Float)
    ec_max_contribution: Mapped[float | None] = mapped_column(Float)
    legal_basis: Mapped[str | None] = mapped_column(String(60))
    topic: Mapped[str | None] = mapped_column(Text)
    funding_scheme: Mapped[str | None] = mapped_column(String(60))
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"))
    source_row: Mapped[int] = mapped_column(Integer)
    repairs: Mapped[str | None] = mapped_column(Text)


def _project_detail(name: str, value_columns: dict[str, int | None]) -> type[Base]:
    """A table of (project, value...) rows, such as programme parts or fields of science."""
    attrs: dict[str, object] = {
        "__tablename__": name,
        "id": mapped_column(Integer, primary_key=True),
        "project_id": mapped_column(String(40), index=True),
        "source_file_id": mapped_column(ForeignKey("source_file.id")),
        "source_row": mapped_column(Integer),
        "__annotations__": {
            "id": Mapped[int],
            "project_id": Mapped[str],
            "source_file_id": Mapped[int],
            "source_row": Mapped[int],
        },
    }
    for column, length in value_columns.items():
        attrs[column] = mapped_column(String(length) if length else Text, nullable=True)
        attrs["__annotations__"][column] = Mapped[str | None]  # type: ignore[index]
    return type(name.title().replace("_", ""), (Base,), attrs)


ProjectPart = _project_detail("project_part", {"part": 60, "title": None})
ProjectField = _project_detail("project_field", {"code": 120, "path": None, "title": None})
ProjectTopic = _project_detail("project_topic", {"topic": 120, "title": None})
ProjectLink = _project_detail("project_link", {"url": None, "type": 60})


class ProjectDomain(Base):
    """A project's domain, derived by the preset's rules; ``rule`` says which one matched."""

    __tablename__ = "project_domain"
    project_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40), primary_key=True)
    rule: Mapped[str] = mapped_column(Text)


class SourceRecord(Base):
    """What one row of one file says about an organisation, before resolution."""

    __tablename__ = "source_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = mapped_column(String(80), index=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"))
    source_row: Mapped[int] = mapped_column(Integer)
    pic: Mapped[str | None] = mapped_column(String(20), index=True)
    vat: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(Text)
    activity_type: Mapped[str | None] = mapped_column(String(10))
    sme: Mapped[bool | None] = mapped_column(Boolean)
    country: Mapped[str | None] = mapped_column(String(4))
    city: Mapped[str | None] = mapped_column(Text)
    street: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(40))
    nuts_code: Mapped[str | None] = mapped_column(String(10))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    url: Mapped[str | None] = mapped_column(Text)
    stakeholder_group: Mapped[str | None] = mapped_column(String(40))
    domain: Mapped[str | None] = mapped_column(String(40))
    repairs: Mapped[str | None] = mapped_column(Text)


class Participation(Base):
    """An organisation's part in a project, as one source row states it."""

    __tablename__ = "participation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40), index=True)
    programme: Mapped[str | None] = mapped_column(String(20))
    record_key: Mapped[str] = mapped_column(String(80), index=True)
    org_id: Mapped[str | None] = mapped_column(String(40), index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    activity_type: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(4), index=True)
    ec_contribution: Mapped[float | None] = mapped_column(Float)
    order_no: Mapped[int | None] = mapped_column(Integer)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"))
    source_row: Mapped[int] = mapped_column(Integer)
    repairs: Mapped[str | None] = mapped_column(Text)
    # an organisation's partners: its projects' other participants, read from the index
    # alone (PostgreSQL hash-joined the whole table without it: 80 ms for CNRS, 21 with)
    __table_args__ = (Index("ix_participation_project_org", "project_id", "org_id"),)


class Organisation(Base):
    """A canonical organisation: the resolved union of its source records."""

    __tablename__ = "organisation"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    pic: Mapped[str | None] = mapped_column(String(20), index=True)
    vat: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(Text)
    activity_type: Mapped[str | None] = mapped_column(String(10))
    stakeholder_group: Mapped[str | None] = mapped_column(String(40), index=True)
    sme: Mapped[bool | None] = mapped_column(Boolean)
    country: Mapped[str | None] = mapped_column(String(4), index=True)
    city: Mapped[str | None] = mapped_column(Text)
    street: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(40))
    nuts_code: Mapped[str | None] = mapped_column(String(10))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    url: Mapped[str | None] = mapped_column(Text)
    domains: Mapped[str | None] = mapped_column(Text)
    n_projects: Mapped[int] = mapped_column(Integer, default=0)
    # every name and short name of its records, case and accents folded, for search
    # (bioconnect.registry.names.search_text)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")


class OrganisationName(Base):
    __tablename__ = "organisation_name"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(Text)
    n_records: Mapped[int] = mapped_column(Integer)


class OrganisationIdentifier(Base):
    __tablename__ = "organisation_identifier"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(80), index=True)


class FieldProvenance(Base):
    """Where a canonical organisation's field value came from: file, row and download.

    ``method`` is empty for a value the source states, and names how a value was derived
    from the source's row otherwise: ``geonames-city`` (coordinates of the row's city) or
    ``nuts-polygon`` (the NUTS region the coordinates fall in).
    """

    __tablename__ = "field_provenance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    field: Mapped[str] = mapped_column(String(40))
    source_record_id: Mapped[int] = mapped_column(Integer)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"))
    source_row: Mapped[int] = mapped_column(Integer)
    method: Mapped[str | None] = mapped_column(String(40))


class RecordLink(Base):
    """Which canonical organisation a source record was resolved to, and how."""

    __tablename__ = "record_link"
    record_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    method: Mapped[str] = mapped_column(String(40))
    probability: Mapped[float | None] = mapped_column(Float)


class MatchCandidate(Base):
    """A pair of records that may be the same organisation, scored by the matcher.

    ``status`` is ``auto`` (merged: at or above the upper threshold), ``pending``
    (in the review queue), or the reviewer's ``accepted``/``rejected``.
    """

    __tablename__ = "match_candidate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    left_key: Mapped[str] = mapped_column(String(80), index=True)
    right_key: Mapped[str] = mapped_column(String(80), index=True)
    probability: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), index=True)
    left_name: Mapped[str | None] = mapped_column(Text)
    right_name: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("left_key", "right_key"),)


class MatchDecision(Base):
    """A reviewer's decision on a candidate pair. Kept across re-ingests."""

    __tablename__ = "match_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    left_key: Mapped[str] = mapped_column(String(80))
    right_key: Mapped[str] = mapped_column(String(80))
    same: Mapped[bool] = mapped_column(Boolean)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("left_key", "right_key"),)


class AuditEntry(Base):
    """Who changed what, when. Written in the same transaction as the change."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(Text)


class DataVersion(Base):
    """One row: a number that grows with every committed change that readers can see.

    Ingests, review decisions, plan edits and account changes raise it (see
    :mod:`bioconnect.store.changes`); sign-ins and sign-outs do not. Read caches keep an
    answer for as long as the number stays the same.
    """

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[str] = mapped_column(String(40), default=utcnow)


class UserSource(Base):
    """A user's own file (a stakeholder list) and its mapping, loaded with every ingest."""

    __tablename__ = "user_source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    path: Mapped[str] = mapped_column(Text)
    mapping_yaml: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[str] = mapped_column(String(40), default=utcnow)


class IngestRun(Base):
    """One completed ingest: which preset, when, and what it loaded (JSON)."""

    __tablename__ = "ingest_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    preset: Mapped[str] = mapped_column(String(80))
    preset_config: Mapped[str | None] = mapped_column(Text)
    data_dir: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    summary: Mapped[str | None] = mapped_column(Text)


class AnalysisResult(Base):
    """A cached analysis result with the parameters that produced it."""

    __tablename__ = "analysis_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    params_hash: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(Text)
    ingest_run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    payload: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_analysis_result_lookup", "kind", "params_hash"),)


class UserAccount(Base):
    """A person who signs in to the web app. ``role`` is admin, editor, stakeholder or viewer."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)


class UserSession(Base):
    """A signed-in browser. Only a SHA-256 of the cookie's token is stored."""

    __tablename__ = "user_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    expires_at: Mapped[str] = mapped_column(String(40))


class LoginAttempt(Base):
    """A failed sign-in, counted to rate-limit guessing (per client address and per user)."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(80), index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[str] = mapped_column(String(40), default=utcnow, index=True)


class ApiToken(Base):
    """A personal API token: a script's bearer credential, acting with its owner's role.

    Only a SHA-256 of the token is stored. ``scope`` is ``read`` or ``write``; a token
    stops working at ``expires_at`` or once ``revoked_at`` is set.
    """

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    expires_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40))


#: Tables an ingest rewrites as a whole. Everything else (decisions, audit) is kept.
BULK_TABLES = (
    "repair",
    "project_part",
    "project_field",
    "project_topic",
    "project_link",
    "project_domain",
    "participation",
    "source_record",
    "field_provenance",
    "organisation_name",
    "organisation_identifier",
    "record_link",
    "match_candidate",
    "organisation",
    "project",
    "analysis_result",
    "source_file",
)


def table(model: type[Base]) -> Table:
    """The Core table behind an ORM class (typed, for bulk statements)."""
    return cast(Table, model.__table__)


class PlanHead(Base):
    """One action plan per region: its metadata, and the plan configuration it is read with.

    ``record`` is the JSON of the plan's own fields (``name``, ``region``, ``example``,
    ``description``); goals, initiatives, KPIs and action items have tables of their own.
    ``version`` counts changes to these fields (optimistic locking).
    """

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(100), unique=True)
    preset: Mapped[str] = mapped_column(Text)
    record: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))


class PlanGoal(Base):
    """A goal of a plan. ``record`` is the JSON of a ``bioconnect.plan.Goal``."""

    __tablename__ = "plan_goal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    record_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    record: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("plan_id", "record_id"),)


class PlanInitiative(Base):
    """An initiative of a plan. ``record`` is the JSON of a ``bioconnect.plan.Initiative``.

    ``pillar`` and ``status`` repeat the record's fields for queries; ``version`` is also
    the record's own ``version`` field.
    """

    __tablename__ = "plan_initiative"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    record_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    pillar: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    record: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("plan_id", "record_id"),)


class PlanKpi(Base):
    """A KPI of a plan. ``record`` is the JSON of a ``bioconnect.plan.Kpi``."""

    __tablename__ = "plan_kpi"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    record_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    record: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("plan_id", "record_id"),)


class PlanActionItem(Base):
    """An idea in a plan's inbox. ``record`` is the JSON of a ``bioconnect.plan.ActionItem``.

    ``merged_into`` repeats the record's link to the initiative it was merged into.
    """

    __tablename__ = "plan_action_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    record_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    merged_into: Mapped[str | None] = mapped_column(String(100), index=True)
    record: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("plan_id", "record_id"),)


class PlanSnapshot(Base):
    """A named version of a whole plan, kept as the plan's YAML."""

    __tablename__ = "plan_snapshot"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    plan_yaml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("plan_id", "name"),)


class BenchmarkEdition(Base):
    """One imported edition of a scoreboard (the EIS 2025 web download, say), with its file."""

    __tablename__ = "benchmark_edition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    layout: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sheets: Mapped[str] = mapped_column(Text)
    rows_read: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[str] = mapped_column(String(40), default=utcnow)


class BenchmarkValue(Base):
    """One score of an edition: a unit's value of an indicator in a year, and where it came from.

    ``period`` holds the year (``2025``) or the published period (``2022-2024 average``) of
    structural indicators; ``group_label`` is the performance group the file itself states.
    """

    __tablename__ = "benchmark_value"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("benchmark_edition.id"), index=True)
    sheet: Mapped[str] = mapped_column(String(100))
    source_row: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(40))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    unit_type: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)
    indicator_code: Mapped[str] = mapped_column(String(40))
    indicator: Mapped[str | None] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    group_label: Mapped[str | None] = mapped_column(String(40))
    __table_args__ = (
        Index("ix_benchmark_value_edition_sheet_code", "edition_id", "sheet", "indicator_code"),
    )


class KpiObservation(Base):
    """A measured value of a plan's KPI: on a date, from a source, recorded by someone.

    ``kpi_id`` is the KPI's record id in its plan; ``unit`` repeats the KPI's unit at the
    time of recording. ``origin`` says how it came in: ``form``, ``api``, ``csv:<file name>``
    or ``store`` (computed from the store).
    """

    __tablename__ = "kpi_observation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    kpi_id: Mapped[str] = mapped_column(String(100), index=True)
    observed_on: Mapped[str] = mapped_column(String(10))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("plan_id", "kpi_id", "observed_on", "source"),)
