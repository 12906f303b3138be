"""Named versions of a plan (snapshots), differences between versions, and history."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, or_, select

from bioconnect.errors import ConflictError, InputError, NotFoundError
from bioconnect.plan import Plan, PlanDiff, diff_plans, plan_from_yaml, plan_to_yaml, read_plan
from bioconnect.services.accounts import AUDIT, Role, audit
from bioconnect.services.plan.records import _ENTITIES, _config, _detail, _one_plan, _plan_from
from bioconnect.services.readmodel import ReadModel
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
            raise ConflictError(
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


class UnknownVersion(NotFoundError, InputError):
    """A version that is neither ``"current"``, a snapshot's name nor an existing plan file.

    It is bad input (an :class:`InputError`) naming something that does not exist (a
    :class:`NotFoundError`).
    """


def plan_version(engine: Engine, ref: str | Path | Plan, *, region: str | None = None) -> Plan:
    """A version of the plan.

    Parameters
    ----------
    ref:
        ``"current"`` or a snapshot's name, as text (text is never opened as a file); a plan
        file as a :class:`~pathlib.Path`; or a :class:`Plan`, returned as it is.

    Raises
    ------
    UnknownVersion
        When the text names no snapshot, or the path is not a file.
    """
    if isinstance(ref, Plan):
        return ref
    if isinstance(ref, Path):
        return _file_version(engine, ref, region)
    if not isinstance(ref, str):
        raise InputError(
            f"{ref!r} is not a version of a plan.",
            "Pass 'current', a snapshot name, a plan file's Path, or a Plan.",
        )
    return _stored_version(engine, ref, region)


def _stored_version(engine: Engine, name: str, region: str | None) -> Plan:
    """The plan as stored now (``"current"``) or as a snapshot took it."""
    with engine.connect() as conn:
        head = _one_plan(conn, region)
        if name == CURRENT:
            return _plan_from(conn, head)
        text = conn.execute(
            select(SNAPSHOTS.c.plan_yaml).where(
                SNAPSHOTS.c.plan_id == head.id, SNAPSHOTS.c.name == name
            )
        ).scalar()
    if text is not None:
        return plan_from_yaml(text, source=f"Snapshot {name!r}")
    names = [s.name for s in list_snapshots(engine, region=head.region)]
    raise UnknownVersion(
        f"{name!r} is neither a snapshot nor a plan file.",
        f"Use {CURRENT!r} or a snapshot name ({', '.join(names) or 'none taken yet'}); "
        "a plan file is read only when given as a path to an existing .yaml or .xlsx file.",
    )


def _file_version(engine: Engine, path: Path, region: str | None) -> Plan:
    """A plan file, checked against the stored plan's configuration when there is one."""
    if not path.is_file():
        raise UnknownVersion(
            f"{str(path)!r} is neither a snapshot nor a plan file.",
            "Give the path of an existing .yaml or .xlsx plan file.",
        )
    with engine.connect() as conn:
        try:
            config = _config(_one_plan(conn, region))
        except NotFoundError:
            config = None
    return read_plan(path, config)


def diff_versions(
    engine: Engine,
    a: str | Path | Plan,
    b: str | Path | Plan,
    *,
    region: str | None = None,
) -> PlanDiff:
    """What changed from version ``a`` to version ``b``, record by record and field by field.

    ``a`` and ``b`` are ``"current"`` or snapshot names (text), plan files (paths) or plans;
    see :func:`plan_version`.
    """
    return diff_plans(
        plan_version(engine, a, region=region), plan_version(engine, b, region=region)
    )


#: What readers below editor see instead of the user name of whoever made a change.
HIDDEN_ACTOR = "an editor"


class HistoryEntry(ReadModel):
    """One change to a plan, from the audit log."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str | None
    # the changed fields of whichever record (and the plan's region, version...), as the
    # edit wrote them: their keys depend on the kind of record, so the map is open
    detail: dict[str, Any]


def plan_history(
    engine: Engine,
    entity_id: str | None = None,
    *,
    region: str | None = None,
    limit: int = 200,
    viewer: Role | None = None,
) -> list[HistoryEntry]:
    """Changes to plans from the audit log, newest first.

    Who made a change is personal data: the ``actor`` is shown to editors and above
    (``viewer``; the CLI, run by the store's operator, passes ``Role.admin``) and replaced by
    ``HIDDEN_ACTOR`` for anyone else, anonymous visitors included.

    Parameters
    ----------
    entity_id:
        Only the changes of this record (an initiative, goal, KPI or action item id, a
        snapshot name, or the region for the plan's own fields).
    region:
        Only this region's plan.
    limit:
        At most this many entries.
    viewer:
        The role of whoever reads the history (``None``: an anonymous visitor).

    Returns
    -------
    list of HistoryEntry
        ``id``, ``at``, ``actor``, ``action``, ``entity`` (``plan``, ``plan.initiative``, …),
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
    out: list[HistoryEntry] = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            entry = dict(row._mapping)
            try:
                detail = json.loads(entry["detail"] or "{}")
            except ValueError:
                detail = None
            # the plan's own entries are JSON objects; anything else is kept as text
            entry["detail"] = detail if isinstance(detail, dict) else {"text": entry["detail"]}
            if region is not None and entry["detail"].get("plan") != region:
                continue
            if entry["entity"] not in _ENTITIES:
                continue
            if viewer is None or viewer < Role.editor:
                entry["actor"] = HIDDEN_ACTOR
            out.append(HistoryEntry.model_validate(entry))
            if len(out) >= limit:
                break
    return out
