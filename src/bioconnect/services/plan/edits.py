"""Saving and deleting single records with optimistic locking.

An edit names the version it started from (``expected_version``); when the stored version
has moved on, the edit is refused with a :class:`~bioconnect.services.plan.PlanConflict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from bioconnect.errors import NotFoundError
from bioconnect.plan import Goal, Initiative, Kpi
from bioconnect.services.accounts import audit
from bioconnect.services.plan.records import (
    RecordKind,
    SavedRecord,
    _changed_fields,
    _changes,
    _conflict,
    _detail,
    _kind,
    _load,
    _one_plan,
    _same,
    _stored,
    _validated,
    _with_version,
)
from bioconnect.store import schema
from bioconnect.store.database import transaction


def record_version(
    engine: Engine, kind: RecordKind, record_id: str, *, region: str | None = None
) -> int:
    """The stored version of one goal, initiative, KPI or action item.

    Raises
    ------
    NotFoundError
        When the plan has no such record.
    """
    chosen = _kind(kind)
    with engine.connect() as conn:
        head = _one_plan(conn, region)
        row = _stored(conn, chosen, head.id, record_id)
    if row is None:
        raise NotFoundError(
            f"The plan has no {kind.replace('_', ' ')} {record_id!r}.",
            "List the plan's records with `bioconnect plan export` or GET /api/v1/plan.",
        )
    return int(row.version)


def save_record(
    engine: Engine,
    kind: RecordKind,
    record: Mapping[str, Any] | BaseModel,
    *,
    expected_version: int | None,
    actor: str,
    region: str | None = None,
) -> SavedRecord:
    """Create or update one goal, initiative, KPI or action item, with optimistic locking.

    Parameters
    ----------
    engine:
        The store.
    kind:
        ``goal``, ``initiative``, ``kpi`` or ``action_item``.
    record:
        The record (its model, or a dict of its fields); validated by its model.
    expected_version:
        ``None`` to create a new record; otherwise the version the edit started from, which
        must still be the stored one.
    actor:
        Who saves (for the audit log).
    region:
        Which plan (default: the store's only one).

    Returns
    -------
    SavedRecord
        The stored record and its version (bumped by one when something changed). Saving a
        record equal to the stored one changes nothing, so a repeated save is harmless.

    Raises
    ------
    PlanConflict
        When the stored version is not ``expected_version`` (or the record exists although
        ``expected_version`` is None, or was deleted meanwhile).
    InputError
        When the record is not valid.
    """
    spec = _kind(kind)
    new = _validated(spec, record)
    rid: str = new.id  # type: ignore[attr-defined]
    t = spec.table
    try:
        with transaction(engine) as conn:
            head = _one_plan(conn, region)
            row = _stored(conn, spec, head.id, rid)
            if expected_version is None:
                if row is not None:
                    old = _load(spec, row.record)
                    if _same(old, new):
                        return SavedRecord(spec.name, rid, row.version, old, False)
                    raise _conflict(spec, rid, row, None, new)
                new = _with_version(new, 1)
                position = conn.execute(
                    select(func.coalesce(func.max(t.c.position), -1)).where(t.c.plan_id == head.id)
                ).scalar_one()
                conn.execute(
                    t.insert().values(
                        plan_id=head.id,
                        record_id=rid,
                        position=int(position) + 1,
                        version=1,
                        record=new.model_dump_json(),
                        updated_at=schema.utcnow(),
                        updated_by=actor,
                        **spec.columns(new),
                    )
                )
                fields = {
                    k: v
                    for k, v in _changed_fields(_changes(spec, None, new)).items()
                    if v not in (None, "", [], {}, False)
                }
                audit(
                    conn,
                    actor,
                    "add",
                    spec.entity,
                    rid,
                    _detail(head.region, version=1, fields=fields),
                )
                return SavedRecord(spec.name, rid, 1, new, True)
            if row is None or row.version != expected_version:
                raise _conflict(spec, rid, row, expected_version, new)
            old = _load(spec, row.record)
            if _same(old, new):
                return SavedRecord(spec.name, rid, row.version, old, False)
            version = expected_version + 1
            new = _with_version(new, version)
            done = conn.execute(
                t.update()
                .where(t.c.id == row.id, t.c.version == expected_version)
                .values(
                    record=new.model_dump_json(),
                    version=version,
                    updated_at=schema.utcnow(),
                    updated_by=actor,
                    **spec.columns(new),
                )
            )
            if done.rowcount != 1:
                raise _conflict(spec, rid, _stored(conn, spec, head.id, rid), expected_version, new)
            fields = _changed_fields(_changes(spec, old, new))
            audit(
                conn,
                actor,
                "update",
                spec.entity,
                rid,
                _detail(head.region, version=version, fields=fields),
            )
            return SavedRecord(spec.name, rid, version, new, True)
    except IntegrityError:
        # Someone else created the same id between our read and our insert.
        with engine.connect() as conn:
            head = _one_plan(conn, region)
            stored = _stored(conn, spec, head.id, rid)
        raise _conflict(spec, rid, stored, expected_version, new) from None


def save_goal(
    engine: Engine,
    goal: Mapping[str, Any] | Goal,
    *,
    expected_version: int | None,
    actor: str,
    region: str | None = None,
) -> SavedRecord:
    """:func:`save_record` for a goal."""
    return save_record(
        engine, "goal", goal, expected_version=expected_version, actor=actor, region=region
    )


def save_initiative(
    engine: Engine,
    initiative: Mapping[str, Any] | Initiative,
    *,
    expected_version: int | None,
    actor: str,
    region: str | None = None,
) -> SavedRecord:
    """:func:`save_record` for an initiative (its ``version`` field follows the stored one)."""
    return save_record(
        engine,
        "initiative",
        initiative,
        expected_version=expected_version,
        actor=actor,
        region=region,
    )


def save_kpi(
    engine: Engine,
    kpi: Mapping[str, Any] | Kpi,
    *,
    expected_version: int | None,
    actor: str,
    region: str | None = None,
) -> SavedRecord:
    """:func:`save_record` for a KPI."""
    return save_record(
        engine, "kpi", kpi, expected_version=expected_version, actor=actor, region=region
    )


def delete_record(
    engine: Engine,
    kind: RecordKind,
    record_id: str,
    *,
    expected_version: int,
    actor: str,
    region: str | None = None,
) -> bool:
    """Delete a record if its stored version is still ``expected_version``.

    Returns whether a record was deleted: deleting one that is already gone does nothing.

    Raises
    ------
    PlanConflict
        When the record was changed since ``expected_version``.
    """
    spec = _kind(kind)
    t = spec.table
    with transaction(engine) as conn:
        head = _one_plan(conn, region)
        row = _stored(conn, spec, head.id, record_id)
        if row is None:
            return False
        if row.version != expected_version:
            raise _conflict(spec, record_id, row, expected_version, None)
        done = conn.execute(t.delete().where(t.c.id == row.id, t.c.version == expected_version))
        if done.rowcount != 1:
            raise _conflict(
                spec, record_id, _stored(conn, spec, head.id, record_id), expected_version, None
            )
        audit(
            conn,
            actor,
            "delete",
            spec.entity,
            record_id,
            _detail(head.region, version=expected_version),
        )
    return True
