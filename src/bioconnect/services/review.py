"""The entity-resolution review queue: pairs the matcher was unsure of, and decisions on them.

A decision is stored with who made it and when, written to the audit log, and applied at
once: the registry is rebuilt from the stored records (no files are read again). The
rebuild is computed before anything is written (:func:`compute_registry`), so the write
transaction, which other writers wait for, holds only the decision and the new registry
(:func:`decide`). A decision is kept across re-ingests, so a pair once decided is never
asked again.

The queue also holds pairs linking a row of a user's startup list (key ``list:...``) to an
atlas organisation (:mod:`bioconnect.registry.link`); accepting one links the row, and
merges nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Row, bindparam, select

from bioconnect.errors import InputError, NotFoundError, StoreBusy
from bioconnect.model.preset import Preset
from bioconnect.registry.canonical import build_registry
from bioconnect.registry.resolve import LIST_PREFIX, Thresholds, resolve
from bioconnect.services.ingest import REGISTRY_WRITES, last_run
from bioconnect.services.places import locate
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import (
    GroupChanges,
    StoredRows,
    bulk_insert,
    empty_tables,
    group_changes,
    replace_groups,
    serialise_on,
    stored_rows,
    transaction,
)

C = schema.table(schema.MatchCandidate)
MD = schema.table(schema.MatchDecision)
STATUSES = ("pending", "auto", "accepted", "rejected", "below")
#: How often a decision is rebuilt when the registry's inputs keep changing meanwhile.
ATTEMPTS = 3

#: Tables rebuilt when a decision changes how records cluster.
REGISTRY_TABLES = (
    "field_provenance",
    "organisation_name",
    "organisation_identifier",
    "record_link",
    "match_candidate",
    "organisation",
)
#: The registry's tables a decision writes group by group (an organisation's rows, a
#: record's link), with the column that names a group: a decision changes a few
#: organisations, and only their rows are written. The candidate pairs are written whole.
GROUPED = {
    "organisation": "id",
    "organisation_name": "org_id",
    "organisation_identifier": "org_id",
    "field_provenance": "org_id",
    "record_link": "record_key",
}


class RecordSource(ReadModel):
    """A file and row that state a record."""

    source: str
    file: str
    row: int


class RecordCard(ReadModel):
    """What a reviewer needs to decide about one side of a pair: where the record is,
    its identifiers, the files and rows that state it, and the organisation it is in now."""

    record_key: str
    name: str | None
    country: str | None
    city: str | None
    pic: str | None
    vat: str | None
    url: str | None
    org_id: str | None
    sources: list[RecordSource]


class Candidate(ReadModel):
    """A pair of records that may be the same organisation, as the matcher scored it."""

    id: int
    left_key: str
    right_key: str
    probability: float
    status: str
    left_name: str | None
    right_name: str | None
    evidence: str | None
    left: RecordCard | None = None
    right: RecordCard | None = None


class DecisionOutcome(ReadModel):
    """A decision once applied: the organisation the left record now belongs to, and how
    many pairs are left to review."""

    left_key: str
    right_key: str
    same: bool
    org_id: str | None
    pending: int


def list_candidates(engine: Engine, status: str = "pending", limit: int = 50) -> list[Candidate]:
    """Candidate pairs with the given status, most probable first."""
    if status not in STATUSES:
        raise InputError(f"Unknown status {status!r}.", f"Use one of: {', '.join(STATUSES)}.")
    with engine.connect() as conn:
        rows = conn.execute(
            select(C)
            .where(C.c.status == status)
            .order_by(C.c.probability.desc(), C.c.id)
            .limit(limit)
        ).all()
        cards = _record_cards(conn, {k for r in rows for k in (r.left_key, r.right_key)})
    return [
        Candidate.model_validate(
            {**r._mapping, "left": cards.get(r.left_key), "right": cards.get(r.right_key)}
        )
        for r in rows
    ]


def _record_cards(conn: Connection, keys: set[str]) -> dict[str, RecordCard]:
    """One card per record key: the first stating row's fields, every stating file and row."""
    if not keys:
        return {}
    SR, SF, RL = (
        schema.table(t) for t in (schema.SourceRecord, schema.SourceFile, schema.RecordLink)
    )
    rows = conn.execute(
        select(SR, SF.c.source, SF.c.path, RL.c.org_id)
        .join(SF, SF.c.id == SR.c.source_file_id)
        .outerjoin(RL, RL.c.record_key == SR.c.record_key)
        .where(SR.c.record_key.in_(sorted(keys)))
        .order_by(SR.c.record_key, SR.c.source_file_id, SR.c.source_row)
    ).all()
    cards: dict[str, dict[str, object]] = {}
    for r in rows:
        card = cards.setdefault(
            r.record_key,
            {
                "sources": [],
                **{f: getattr(r, f) for f in RecordCard.model_fields if f != "sources"},
            },
        )
        for field in ("name", "country", "city", "pic", "vat", "url"):
            card[field] = card[field] or getattr(r, field)
        sources = card["sources"]
        assert isinstance(sources, list)
        sources.append({"source": r.source, "file": r.path, "row": r.source_row})
    return {key: RecordCard.model_validate(card) for key, card in cards.items()}


class _InputsChanged(Exception):
    """The registry's inputs changed between computing a rebuild and writing it."""


def _inputs_stamp(conn: Connection) -> tuple[object, ...]:
    """The registry's inputs in brief: while it is unchanged, so are they, and so is the
    registry built from them.

    The newest ingest run (an ingest rewrites the records, participations, domains and the
    registry), every decision with who made it and when, and the candidate pairs' scores (a
    startup list adds pairs). Every writer of these inputs takes :data:`REGISTRY_WRITES`
    first, so this read inside a transaction that took it is the latest.
    """
    run = schema.table(schema.IngestRun)
    newest = conn.execute(select(run.c.id).order_by(run.c.id.desc()).limit(1)).scalar()
    decisions = conn.execute(
        select(MD.c.id, MD.c.left_key, MD.c.right_key, MD.c.same, MD.c.decided_by)
        .add_columns(MD.c.decided_at)
        .order_by(MD.c.left_key, MD.c.right_key)
    ).all()
    pairs = conn.execute(
        select(C.c.left_key, C.c.right_key, C.c.probability, C.c.left_name, C.c.right_name)
        .add_columns(C.c.evidence)
        .order_by(C.c.left_key, C.c.right_key)
    ).all()
    return (newest, tuple(map(tuple, decisions)), tuple(map(tuple, pairs)))


@dataclass(frozen=True)
class Rebuilt:
    """A registry computed from the stored records and decisions, not yet written.

    ``stamp`` is :func:`_inputs_stamp` as read before the inputs: the rebuild may be
    written only while it is still the same.
    """

    stamp: tuple[object, ...]
    tables: dict[str, pd.DataFrame]
    changes: list[GroupChanges]
    relinked: list[dict[str, str | None]]
    pending: int


@dataclass(frozen=True)
class _Inputs:
    stamp: tuple[object, ...]
    preset: Preset
    data_dir: Path | None
    records: pd.DataFrame
    pairs: pd.DataFrame
    decisions: pd.DataFrame
    participations: pd.DataFrame
    domains: pd.DataFrame
    registry: dict[str, StoredRows]


def _read_inputs(engine: Engine) -> _Inputs:
    """What a rebuild reads, on a connection closed before the rebuild starts (so it holds
    no snapshot or table lock meanwhile)."""
    with engine.connect() as conn:
        stamp = _inputs_stamp(conn)
        preset, data_dir = last_run(conn)
        records = pd.read_sql(select(schema.table(schema.SourceRecord)), conn)
        priority = pd.read_sql(select(schema.SourceFile.id, schema.SourceFile.source), conn)
        pairs = pd.read_sql(
            select(
                C.c.left_key,
                C.c.right_key,
                C.c.probability,
                C.c.left_name,
                C.c.right_name,
                C.c.evidence,
            ).order_by(C.c.probability.desc(), C.c.left_key, C.c.right_key),
            conn,
        )
        decisions = pd.read_sql(select(MD.c.left_key, MD.c.right_key, MD.c.same), conn)
        participations = pd.read_sql(
            select(schema.Participation.project_id, schema.Participation.record_key), conn
        )
        domains = pd.read_sql(
            select(schema.ProjectDomain.project_id, schema.ProjectDomain.domain), conn
        )
        registry = {name: stored_rows(conn, name) for name in GROUPED}
    order = {s.name: i for i, s in enumerate(preset.sources + preset.official_sources)}
    priority["priority"] = priority["source"].map(order).fillna(len(order)).astype(int)
    records = records.merge(
        priority[["id", "priority"]].rename(columns={"id": "source_file_id"}), on="source_file_id"
    )
    return _Inputs(
        stamp, preset, data_dir, records, pairs, decisions, participations, domains, registry
    )


def compute_registry(engine: Engine, decision: tuple[str, str, bool] | None = None) -> Rebuilt:
    """Re-cluster the stored records with the current decisions, and ``decision`` (left key,
    right key, same) as if it were stored. Only reads the store."""
    inputs = _read_inputs(engine)
    decisions = inputs.decisions
    if decision is not None:
        earlier = (decisions["left_key"] == decision[0]) & (decisions["right_key"] == decision[1])
        decisions = pd.concat(
            [decisions[~earlier], pd.DataFrame([decision], columns=decisions.columns)],
            ignore_index=True,
        )
    records = inputs.records
    distinct = records.sort_values(["priority", "source_file_id", "source_row"]).drop_duplicates(
        "record_key"
    )
    links, candidates = resolve(
        distinct[["record_key", "pic"]], inputs.pairs, decisions, Thresholds()
    )
    participations = inputs.participations
    participations["org_id"] = participations["record_key"].map(
        links.set_index("record_key")["org_id"]
    )
    registry = build_registry(
        records, links, inputs.preset.group_for_activity(), participations, inputs.domains
    )
    orgs, provenance = locate(registry.organisations, registry.provenance, inputs.data_dir)
    tables = {
        "organisation": orgs,
        "match_candidate": candidates,
        "record_link": links,
        "organisation_identifier": registry.identifiers,
        "organisation_name": registry.names,
        "field_provenance": provenance,
    }
    changes = [
        group_changes(inputs.registry[name], key, tables[name]) for name, key in GROUPED.items()
    ]
    stored = inputs.registry["record_link"]
    at = stored.columns.index
    was = {row[at("record_key")]: row[at("org_id")] for row in stored.rows}
    now = dict(zip(links["record_key"], links["org_id"], strict=True))
    relinked = [
        {"key": key, "org": now.get(key)}
        for key in sorted(was.keys() | now.keys())
        if was.get(key) != now.get(key)
    ]
    pending = int((candidates["status"] == "pending").sum())
    return Rebuilt(inputs.stamp, tables, changes, relinked, pending)


def write_registry(conn: Connection, rebuilt: Rebuilt) -> None:
    """Write ``rebuilt`` over the registry it was computed from, in the caller's transaction:
    the organisations and record links that changed, the candidate pairs whole, and the
    organisation of each participation whose record changed organisation."""
    for changes in rebuilt.changes:
        replace_groups(conn, changes)
    empty_tables(conn, ["match_candidate"])
    bulk_insert(conn, "match_candidate", rebuilt.tables["match_candidate"])
    if rebuilt.relinked:
        part = schema.table(schema.Participation)
        conn.execute(
            part.update()
            .where(part.c.record_key == bindparam("key"))
            .values(org_id=bindparam("org")),
            rebuilt.relinked,
        )


def _record_decision(
    conn: Connection, pair: Row[Any], same: bool, actor: str, note: str | None
) -> None:
    left, right = pair.left_key, pair.right_key
    conn.execute(MD.delete().where(MD.c.left_key == left, MD.c.right_key == right))
    conn.execute(
        MD.insert().values(
            left_key=left,
            right_key=right,
            same=same,
            decided_by=actor,
            note=note,
            decided_at=schema.utcnow(),
        )
    )
    audit(
        conn,
        actor,
        "review.accept" if same else "review.reject",
        "match_candidate",
        f"{left}|{right}",
        json.dumps({"probability": pair.probability, "note": note}),
    )


def decide(
    engine: Engine, candidate_id: int, same: bool, *, actor: str, note: str | None = None
) -> DecisionOutcome:
    """Record a reviewer's decision on a candidate pair and apply it.

    Deciding the same pair again replaces the earlier decision (the audit log keeps both).

    The registry is rebuilt (seconds on a region's store) before the store is written to,
    from what it holds then; the write then only records the decision and swaps the new
    registry in, so other writers do not wait for the rebuild. Should the inputs have
    changed meanwhile (another decision, an ingest), the rebuild is done again, up to
    :data:`ATTEMPTS` times.
    """
    with engine.connect() as conn:
        pair = conn.execute(select(C).where(C.c.id == candidate_id)).first()
    if pair is None:
        raise NotFoundError(
            f"No candidate pair with id {candidate_id}.",
            "List them with `bioconnect review list`.",
        )
    left, right = pair.left_key, pair.right_key
    # a list row (a startup) is linked, not merged: it belongs to the right's organisation
    linked = right if left.startswith(LIST_PREFIX) and same else left
    for _ in range(ATTEMPTS):
        rebuilt = compute_registry(engine, (left, right, same))
        try:
            with transaction(engine) as conn:
                serialise_on(conn, REGISTRY_WRITES)
                if _inputs_stamp(conn) != rebuilt.stamp:
                    raise _InputsChanged
                _record_decision(conn, pair, same, actor, note)
                write_registry(conn, rebuilt)
                org = conn.execute(
                    select(schema.RecordLink.org_id).where(schema.RecordLink.record_key == linked)
                ).scalar()
        except _InputsChanged:
            continue
        return DecisionOutcome(
            left_key=left, right_key=right, same=same, org_id=org, pending=rebuilt.pending
        )
    raise StoreBusy(
        f"The registry changed {ATTEMPTS} times while the decision on {left} and {right} "
        "was being applied (other decisions or an ingest).",
        "Nothing was saved. Try again in a moment.",
    )
