"""Named versions of a plan (snapshots), differences between versions, and history."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, or_, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.plan import Plan, PlanDiff, diff_plans, plan_from_yaml, plan_to_yaml, read_plan
from bioconnect.services.accounts import AUDIT, audit
from bioconnect.services.plan.records import _ENTITIES, _config, _detail, _one_plan, _plan_from
from bioconnect.store import schema
from bioconnect.store.database import transaction

#: The version name that means "the plan as stored now" in :func:`diff_versions`.
CURRENT = "current"

SNAPSHOTS = schema.table(schema.PlanSnapshot)

_SNAPSHOT_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")


@dataclass(frozen=True)
class Snapshot:
    """A named version of a plan."""

    name: str
    created_at: str
    created_by: str
    region: str


def snapshot_plan(engine: Engine, name: str, *, actor: str, region: str | None = None) -> Snapshot:
    """Keep the whole plan as it is now under ``name`` (its YAML).

    Taking the same snapshot again (same name, same plan) changes nothing; reusing a name
    for a different plan is refused.
    """
    if not _SNAPSHOT_NAME.match(name) or name.strip() != name or name == CURRENT:
        raise InputError(
            f"{name!r} cannot name a snapshot.",
            f"Use one line of up to 200 characters, without leading or trailing spaces, "
            f"other than {CURRENT!r}.",
        )
    with transaction(engine) as conn:
        head = _one_plan(conn, region)
        text = plan_to_yaml(_plan_from(conn, head))
        row = conn.execute(
            select(SNAPSHOTS).where(SNAPSHOTS.c.plan_id == head.id, SNAPSHOTS.c.name == name)
        ).first()
        if row is not None:
            if row.plan_yaml == text:
                return Snapshot(row.name, row.created_at, row.created_by, head.region)
            raise InputError(
                f"A snapshot called {name!r} already exists (taken {row.created_at} by "
                f"{row.created_by}) and the plan has changed since.",
                "Choose another name.",
            )
        at = schema.utcnow()
        conn.execute(
            SNAPSHOTS.insert().values(
                plan_id=head.id, name=name, plan_yaml=text, created_at=at, created_by=actor
            )
        )
        audit(conn, actor, "snapshot", "plan.snapshot", name, _detail(head.region))
    return Snapshot(name, at, actor, head.region)


def list_snapshots(engine: Engine, *, region: str | None = None) -> list[Snapshot]:
    """The plan's named versions, oldest first."""
    with engine.connect() as conn:
        head = _one_plan(conn, region)
        rows = conn.execute(
            select(SNAPSHOTS.c.name, SNAPSHOTS.c.created_at, SNAPSHOTS.c.created_by)
            .where(SNAPSHOTS.c.plan_id == head.id)
            .order_by(SNAPSHOTS.c.id)
        ).all()
    return [Snapshot(r.name, r.created_at, r.created_by, head.region) for r in rows]


def plan_version(engine: Engine, ref: str | Path | Plan, *, region: str | None = None) -> Plan:
    """A version of the plan: ``"current"``, a snapshot's name, or a plan file's path.

    A snapshot name wins over a file of the same name.
    """
    if isinstance(ref, Plan):
        return ref
    with engine.connect() as conn:
        try:
            head = _one_plan(conn, region)
        except NotFoundError:
            head = None
            if not isinstance(ref, Path) and ref == CURRENT:
                raise
        if head is not None:
            if not isinstance(ref, Path) and ref == CURRENT:
                return _plan_from(conn, head)
            if not isinstance(ref, Path):
                text = conn.execute(
                    select(SNAPSHOTS.c.plan_yaml).where(
                        SNAPSHOTS.c.plan_id == head.id, SNAPSHOTS.c.name == ref
                    )
                ).scalar()
                if text is not None:
                    return plan_from_yaml(text, source=f"Snapshot {ref!r}")
        path = Path(ref)
        if path.is_file():
            return read_plan(path, _config(head) if head is not None else None)
        names = (
            [s.name for s in list_snapshots(engine, region=head.region)] if head is not None else []
        )
        raise NotFoundError(
            f"{str(ref)!r} is neither a snapshot nor a plan file.",
            f"Use {CURRENT!r}, a snapshot name ({', '.join(names) or 'none taken yet'}) "
            "or the path of a .yaml or .xlsx plan file.",
        )


def diff_versions(
    engine: Engine,
    a: str | Path | Plan,
    b: str | Path | Plan,
    *,
    region: str | None = None,
) -> PlanDiff:
    """What changed from version ``a`` to version ``b``, record by record and field by field.

    ``a`` and ``b`` are ``"current"``, snapshot names or plan files (see :func:`plan_version`).
    """
    return diff_plans(
        plan_version(engine, a, region=region), plan_version(engine, b, region=region)
    )


def plan_history(
    engine: Engine,
    entity_id: str | None = None,
    *,
    region: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Changes to plans from the audit log, newest first.

    Parameters
    ----------
    entity_id:
        Only the changes of this record (an initiative, goal, KPI or action item id, a
        snapshot name, or the region for the plan's own fields).
    region:
        Only this region's plan.
    limit:
        At most this many entries.

    Returns
    -------
    list of dict
        ``at``, ``actor``, ``action``, ``entity`` (``plan``, ``plan.initiative``, …),
        ``entity_id`` and ``detail`` (the changed fields, as a dict).
    """
    query = (
        select(AUDIT)
        .where(or_(AUDIT.c.entity == "plan", AUDIT.c.entity.like("plan.%")))
        .order_by(AUDIT.c.id.desc())
    )
    if entity_id is not None:
        query = query.where(AUDIT.c.entity_id == entity_id)
    if region is None:
        query = query.limit(limit)
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            entry = dict(row._mapping)
            try:
                entry["detail"] = json.loads(entry["detail"] or "{}")
            except ValueError:
                entry["detail"] = {"text": entry["detail"]}
            if region is not None and entry["detail"].get("plan") != region:
                continue
            if entry["entity"] not in _ENTITIES:
                continue
            out.append(entry)
            if len(out) >= limit:
                break
    return out
