"""The action plan as a living, stored object: import, edit, lint, rank, version and audit.

Each goal, initiative, KPI and action item is one row holding the JSON of its
:mod:`bioconnect.plan` record, validated by the record's model on every write, and a
``version`` that every change bumps. An edit names the version it started from
(``expected_version``); when the stored version has moved on, the edit is refused with a
:class:`PlanConflict` that carries both records and their differences field by field, so
that nobody silently overwrites someone else's change.

Every write runs in one transaction together with its audit-log entries (who, what, which
record, and a short JSON of the changed fields). Writes that change nothing write nothing,
so importing the same file twice, or saving an unchanged record, leaves no trace.

The store holds one plan per region. Functions that read or edit a plan take ``region``;
when it is left out and the store holds exactly one plan, that plan is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, Table, func, or_, select
from sqlalchemy.exc import IntegrityError

from bioconnect.errors import BioconnectError, InputError, NotFoundError
from bioconnect.plan import (
    ActionItem,
    FieldChange,
    Finding,
    Goal,
    Initiative,
    Kpi,
    Plan,
    PlanConfig,
    PlanDiff,
    PortfolioBalance,
    diff_plans,
    lint,
    load_plan_config,
    plan_from_yaml,
    plan_to_yaml,
    portfolio_balance,
    rank_stability,
    read_plan,
    write_plan,
)
from bioconnect.services.accounts import AUDIT, audit
from bioconnect.store import schema
from bioconnect.store.database import transaction

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ImportReport",
    "PlanConflict",
    "RecordKind",
    "SavedRecord",
    "Snapshot",
    "balance_plan",
    "delete_record",
    "diff_versions",
    "export_plan",
    "import_plan",
    "lint_plan",
    "list_snapshots",
    "load_plan",
    "merge_action_item",
    "plan_history",
    "plan_version",
    "propose_action_item",
    "rank_plan",
    "record_version",
    "save_goal",
    "save_initiative",
    "save_kpi",
    "save_record",
    "snapshot_plan",
]

RecordKind = Literal["goal", "initiative", "kpi", "action_item"]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
#: The version name that means "the plan as stored now" in :func:`diff_versions`.
CURRENT = "current"

PLANS = schema.table(schema.PlanHead)
SNAPSHOTS = schema.table(schema.PlanSnapshot)
_METADATA = ("name", "region", "example", "description")
_SNAPSHOT_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")


@dataclass(frozen=True)
class _Kind:
    """How one kind of record is stored."""

    name: RecordKind
    model: type[BaseModel]
    table: Table
    attr: str  # the Plan field holding the records

    @property
    def entity(self) -> str:
        return f"plan.{self.name}"

    def columns(self, record: BaseModel) -> dict[str, Any]:
        """The query columns that repeat record fields."""
        if isinstance(record, Initiative):
            return {"pillar": record.pillar, "status": record.status}
        if isinstance(record, ActionItem):
            return {"merged_into": record.merged_into}
        return {}


_KINDS: dict[RecordKind, _Kind] = {
    "goal": _Kind("goal", Goal, schema.table(schema.PlanGoal), "goals"),
    "initiative": _Kind(
        "initiative", Initiative, schema.table(schema.PlanInitiative), "initiatives"
    ),
    "kpi": _Kind("kpi", Kpi, schema.table(schema.PlanKpi), "kpis"),
    "action_item": _Kind(
        "action_item", ActionItem, schema.table(schema.PlanActionItem), "action_items"
    ),
}
_ENTITIES = ("plan", "plan.snapshot", *(k.entity for k in _KINDS.values()))


class PlanConflict(BioconnectError):
    """An edit started from a version of a record that is no longer the stored one.

    Attributes
    ----------
    kind, record_id:
        Which record.
    theirs_version:
        The stored version (``None`` when the record was deleted meanwhile).
    yours_version:
        The version the edit started from (``None`` for an edit that meant to create it).
    theirs, yours:
        The stored record and the submitted one, as JSON-ready dicts (``None`` when absent).
    changes:
        Field by field, how the submitted record differs from the stored one (``old`` is
        theirs, ``new`` is yours); from :func:`bioconnect.plan.diff_plans`.
    """

    def __init__(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        theirs_version: int | None,
        yours_version: int | None,
        theirs: dict[str, Any] | None,
        yours: dict[str, Any] | None,
        changes: tuple[FieldChange, ...],
    ) -> None:
        self.kind = kind
        self.record_id = record_id
        self.theirs_version = theirs_version
        self.yours_version = yours_version
        self.theirs = theirs
        self.yours = yours
        self.changes = changes
        label = kind.replace("_", " ")
        if theirs_version is None:
            problem = f"The {label} {record_id} was deleted after version {yours_version} was read."
            fix = "Create it again if it is still needed."
        elif yours_version is None:
            problem = f"A {label} {record_id} already exists (version {theirs_version})."
            fix = f"Edit it from version {theirs_version}, or choose another id."
        else:
            problem = (
                f"The {label} {record_id} was changed by someone else: the stored version is "
                f"{theirs_version}, your edit started from version {yours_version}."
            )
            fix = f"Reload it, apply your changes to version {theirs_version} and save again."
        super().__init__(problem, fix)

    def as_dict(self) -> dict[str, Any]:
        """Everything a UI needs to show the conflict, as JSON-ready values."""
        return {
            "kind": self.kind,
            "id": self.record_id,
            "theirs_version": self.theirs_version,
            "yours_version": self.yours_version,
            "theirs": self.theirs,
            "yours": self.yours,
            "changes": [
                {"field": c.field, "theirs": _plain(c.old), "yours": _plain(c.new)}
                for c in self.changes
            ],
            "message": str(self),
        }


@dataclass(frozen=True)
class SavedRecord:
    """A record as stored after a save: its kind, id, version and the record itself."""

    kind: RecordKind
    id: str
    version: int
    record: Any
    changed: bool


@dataclass(frozen=True)
class ImportReport:
    """What an import changed: counts of added, changed and removed records."""

    region: str
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    reordered: bool = False
    metadata_changed: bool = False

    @property
    def unchanged(self) -> bool:
        """Whether the import left the store as it was."""
        return not (
            any(self.added.values())
            or any(self.changed.values())
            or any(self.removed.values())
            or self.reordered
            or self.metadata_changed
        )

    def summary(self) -> str:
        """One line, such as ``baltic: 42 added, 0 changed, 0 removed``."""
        if self.unchanged:
            return f"{self.region}: unchanged"
        total = [sum(d.values()) for d in (self.added, self.changed, self.removed)]
        return f"{self.region}: {total[0]} added, {total[1]} changed, {total[2]} removed"


@dataclass(frozen=True)
class Snapshot:
    """A named version of a plan."""

    name: str
    created_at: str
    created_by: str
    region: str


# ------------------------------------------------------------------------------ helpers


def _plain(value: Any) -> Any:
    """A value as JSON-ready data (dates as ISO text)."""
    return json.loads(json.dumps(value, default=str))


def _short(value: Any, limit: int = 60) -> Any:
    text = json.dumps(value, default=str, ensure_ascii=False)
    if len(text) <= limit:
        return _plain(value)
    return text[: limit - 1] + "…"


def _detail(region: str, **items: Any) -> str:
    """The audit detail: a short JSON object."""
    return json.dumps({"plan": region, **items}, default=str, ensure_ascii=False)


def _kind(kind: str) -> _Kind:
    try:
        return _KINDS[kind]  # type: ignore[index]
    except KeyError:
        raise InputError(
            f"Unknown kind of plan record {kind!r}.", f"Use one of: {', '.join(RECORD_KINDS)}."
        ) from None


def _validated(kind: _Kind, record: Mapping[str, Any] | BaseModel) -> BaseModel:
    """The record checked by its model; one InputError naming every bad field."""
    if isinstance(record, BaseModel):
        if not isinstance(record, kind.model):
            raise InputError(
                f"A {type(record).__name__} is not a {kind.name.replace('_', ' ')}.",
                f"Pass a {kind.model.__name__} or a dict of its fields.",
            )
        data: Any = record.model_dump(mode="python")
    else:
        data = dict(record)
    try:
        return kind.model.model_validate(data)
    except ValidationError as exc:
        rid = data.get("id") if isinstance(data, dict) else None
        problems = "\n".join(
            f"  - {'.'.join(map(str, e['loc'])) or '(record)'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(
            f"The {kind.name.replace('_', ' ')} {rid or ''} has {exc.error_count()} problem(s):"
            f"\n{problems}\n",
            "Correct the fields; docs/plan.md lists them.",
        ) from None


def _with_version(record: BaseModel, version: int) -> BaseModel:
    if isinstance(record, Initiative):
        return record.model_copy(update={"version": version})
    return record


def _same(a: BaseModel, b: BaseModel) -> bool:
    """Whether two records are equal, ignoring the initiative's version."""
    return a.model_dump(exclude={"version"}) == b.model_dump(exclude={"version"})


def _changes(kind: _Kind, old: BaseModel | None, new: BaseModel | None) -> tuple[FieldChange, ...]:
    """Field-level differences between two records of one kind (via diff_plans)."""
    before = Plan.model_validate(
        {"name": "-", "region": "x", kind.attr: [old] if old is not None else []}
    )
    after = Plan.model_validate(
        {"name": "-", "region": "x", kind.attr: [new] if new is not None else []}
    )
    records = diff_plans(before, after).records
    return records[0].fields if records else ()


def _changed_fields(changes: Sequence[FieldChange]) -> dict[str, Any]:
    return {c.field: _short(c.new) for c in changes}


def _load(kind: _Kind, text: str) -> BaseModel:
    return kind.model.model_validate_json(text)


def _one_plan(conn: Connection, region: str | None) -> Any:
    """The plan row for ``region``, or the store's only plan when ``region`` is None."""
    if region is not None:
        row = conn.execute(select(PLANS).where(PLANS.c.region == region)).first()
        if row is None:
            known = conn.execute(select(PLANS.c.region).order_by(PLANS.c.region)).scalars().all()
            raise NotFoundError(
                f"No action plan for region {region!r} in the store.",
                f"Use one of: {', '.join(known)}."
                if known
                else "Import one with `bioconnect plan import FILE`.",
            )
        return row
    rows = conn.execute(select(PLANS).order_by(PLANS.c.region)).all()
    if not rows:
        raise NotFoundError(
            "There is no action plan in the store.",
            "Import one with `bioconnect plan import FILE`.",
        )
    if len(rows) > 1:
        raise InputError(
            f"The store holds plans for {len(rows)} regions: {', '.join(r.region for r in rows)}.",
            "Name one with --region.",
        )
    return rows[0]


def _plan_from(conn: Connection, head: Any) -> Plan:
    meta = json.loads(head.record)
    records: dict[str, list[BaseModel]] = {}
    for kind in _KINDS.values():
        t = kind.table
        rows = conn.execute(
            select(t.c.record).where(t.c.plan_id == head.id).order_by(t.c.position, t.c.id)
        ).scalars()
        records[kind.attr] = [_load(kind, text) for text in rows]
    return Plan.model_validate({**meta, **records})


def _meta_json(plan: Plan) -> str:
    return json.dumps(
        plan.model_dump(mode="json", include=set(_METADATA)), ensure_ascii=False, sort_keys=True
    )


def _config(head: Any) -> PlanConfig:
    return load_plan_config(head.preset)


# ------------------------------------------------------------------------- import/export


def _checked(source: str | Path | Plan, config: PlanConfig) -> Plan:
    """Read and check a plan: every problem in one InputError."""
    if isinstance(source, Plan):
        # The same checks as reading a file: pillars, dates in order, no dependency loops.
        return plan_from_yaml(plan_to_yaml(source), config=config, source=f"Plan {source.name!r}")
    return read_plan(source, config)


def import_plan(
    engine: Engine,
    source: str | Path | Plan,
    *,
    actor: str,
    replace: bool = True,
    preset: str = "baltic",
) -> ImportReport:
    """Store a plan read from a YAML or XLSX file (or given as a :class:`Plan`).

    The whole plan is checked first (see :func:`bioconnect.plan.read_plan`); a bad file
    raises one :class:`InputError` listing every problem, and the store is left unchanged.
    Records are matched by id: new ones are added, changed ones updated (their version
    bumped), and with ``replace`` records missing from the file are removed. Re-importing the
    same plan changes nothing and writes no audit entries.

    Parameters
    ----------
    engine:
        The store.
    source:
        A ``.yaml``/``.yml``/``.xlsx`` path, or a plan.
    actor:
        Who imports (for the audit log).
    replace:
        Whether records missing from ``source`` are removed (default); otherwise they are kept.
    preset:
        The plan configuration (pillars, criteria) to check the plan against and to lint and
        rank it with later: a packaged preset name or a ``plan.yaml`` path.

    Returns
    -------
    ImportReport
        How many records of each kind were added, changed and removed.
    """
    config = load_plan_config(preset)
    plan = _checked(source, config)
    label = source.name if isinstance(source, Path) else str(source)
    if isinstance(source, Plan):
        label = f"plan {source.name!r}"
    added: dict[str, int] = {}
    changed: dict[str, int] = {}
    removed: dict[str, int] = {}
    reordered = False
    metadata_changed = False
    region = plan.region
    with transaction(engine) as conn:
        head = conn.execute(select(PLANS).where(PLANS.c.region == region)).first()
        meta = _meta_json(plan)
        if head is None:
            plan_id = conn.execute(
                PLANS.insert().values(
                    region=region,
                    preset=preset,
                    record=meta,
                    version=1,
                    updated_at=schema.utcnow(),
                    updated_by=actor,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            audit(conn, actor, "add", "plan", region, _detail(region, name=plan.name, version=1))
            metadata_changed = True
        else:
            plan_id = head.id
            old_meta = json.loads(head.record)
            new_meta = json.loads(meta)
            fields = {k: _short(v) for k, v in new_meta.items() if old_meta.get(k) != v}
            if head.preset != preset:
                fields["preset"] = preset
            if fields:
                version = head.version + 1
                conn.execute(
                    PLANS.update()
                    .where(PLANS.c.id == head.id)
                    .values(
                        record=meta,
                        preset=preset,
                        version=version,
                        updated_at=schema.utcnow(),
                        updated_by=actor,
                    )
                )
                audit(
                    conn,
                    actor,
                    "update",
                    "plan",
                    region,
                    _detail(region, version=version, fields=fields),
                )
                metadata_changed = True
        for kind in _KINDS.values():
            a, c, r, moved = _import_kind(
                conn, kind, plan_id, region, getattr(plan, kind.attr), actor, replace
            )
            added[kind.name], changed[kind.name], removed[kind.name] = a, c, r
            reordered = reordered or moved
        report = ImportReport(region, added, changed, removed, reordered, metadata_changed)
        if not report.unchanged:
            audit(
                conn,
                actor,
                "import",
                "plan",
                region,
                _detail(
                    region,
                    source=label,
                    added=sum(added.values()),
                    changed=sum(changed.values()),
                    removed=sum(removed.values()),
                    reordered=reordered,
                ),
            )
    return report


def _import_kind(
    conn: Connection,
    kind: _Kind,
    plan_id: int,
    region: str,
    records: Sequence[BaseModel],
    actor: str,
    replace: bool,
) -> tuple[int, int, int, bool]:
    t = kind.table
    stored = {
        row.record_id: row
        for row in conn.execute(
            select(t.c.id, t.c.record_id, t.c.position, t.c.version, t.c.record).where(
                t.c.plan_id == plan_id
            )
        )
    }
    added = changed = removed = 0
    reordered = False
    next_position = max((row.position for row in stored.values()), default=-1) + 1
    now = schema.utcnow()
    for position, record in enumerate(records):
        rid: str = record.id  # type: ignore[attr-defined]
        row = stored.get(rid)
        if row is None:
            version = record.version if isinstance(record, Initiative) else 1
            conn.execute(
                t.insert().values(
                    plan_id=plan_id,
                    record_id=rid,
                    position=position if replace else next_position,
                    version=version,
                    record=record.model_dump_json(),
                    updated_at=now,
                    updated_by=actor,
                    **kind.columns(record),
                )
            )
            next_position += 1
            audit(conn, actor, "add", kind.entity, rid, _detail(region, version=version))
            added += 1
            continue
        old = _load(kind, row.record)
        if not _same(old, record):
            version = row.version + 1
            new = _with_version(record, version)
            conn.execute(
                t.update()
                .where(t.c.id == row.id)
                .values(
                    record=new.model_dump_json(),
                    version=version,
                    position=position if replace else row.position,
                    updated_at=now,
                    updated_by=actor,
                    **kind.columns(new),
                )
            )
            fields = _changed_fields(_changes(kind, old, new))
            audit(
                conn,
                actor,
                "update",
                kind.entity,
                rid,
                _detail(region, version=version, fields=fields),
            )
            changed += 1
        elif replace and row.position != position:
            conn.execute(t.update().where(t.c.id == row.id).values(position=position))
            reordered = True
    if replace:
        keep = {r.id for r in records}  # type: ignore[attr-defined]
        for rid, row in stored.items():
            if rid not in keep:
                conn.execute(t.delete().where(t.c.id == row.id))
                audit(conn, actor, "delete", kind.entity, rid, _detail(region, version=row.version))
                removed += 1
    return added, changed, removed, reordered


def load_plan(engine: Engine, *, region: str | None = None) -> Plan:
    """The stored plan, records in their stored order."""
    with engine.connect() as conn:
        return _plan_from(conn, _one_plan(conn, region))


def export_plan(engine: Engine, path: str | Path, *, region: str | None = None) -> Path:
    """Write the stored plan to ``path``, as YAML or XLSX by its suffix; returns the path.

    Importing the file again gives the same plan and changes nothing in the store.
    """
    with engine.connect() as conn:
        head = _one_plan(conn, region)
        plan = _plan_from(conn, head)
    return write_plan(plan, path, _config(head))


# ------------------------------------------------------------------------ lint and rank


def _plan_and_config(engine: Engine, region: str | None) -> tuple[Plan, PlanConfig]:
    with engine.connect() as conn:
        head = _one_plan(conn, region)
        return _plan_from(conn, head), _config(head)


def lint_plan(engine: Engine, *, region: str | None = None) -> list[Finding]:
    """Lint findings for the stored plan (see :func:`bioconnect.plan.lint`)."""
    plan, config = _plan_and_config(engine, region)
    return lint(plan, config)


def rank_plan(
    engine: Engine,
    weights: Mapping[str, float] | None = None,
    samples: int = 2000,
    seed: int = 0,
    *,
    region: str | None = None,
) -> pd.DataFrame:
    """Initiatives by priority, with Monte Carlo rank intervals over uncertain weights.

    See :func:`bioconnect.plan.rank_stability`; ``weights`` default to the configuration's.
    """
    plan, config = _plan_and_config(engine, region)
    return rank_stability(plan, config, weights, samples=samples, seed=seed)


def balance_plan(engine: Engine, *, region: str | None = None) -> PortfolioBalance:
    """The stored plan's portfolio balance, with the configuration stored with the plan."""
    plan, config = _plan_and_config(engine, region)
    return portfolio_balance(plan, config)


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


# --------------------------------------------------------------------------------- edits


def _stored(conn: Connection, kind: _Kind, plan_id: int, record_id: str) -> Any:
    t = kind.table
    return conn.execute(select(t).where(t.c.plan_id == plan_id, t.c.record_id == record_id)).first()


def _conflict(
    kind: _Kind, record_id: str, row: Any, expected: int | None, yours: BaseModel | None
) -> PlanConflict:
    theirs = _load(kind, row.record) if row is not None else None
    return PlanConflict(
        kind.name,
        record_id,
        theirs_version=row.version if row is not None else None,
        yours_version=expected,
        theirs=theirs.model_dump(mode="json") if theirs is not None else None,
        yours=yours.model_dump(mode="json") if yours is not None else None,
        changes=_changes(kind, theirs, yours),
    )


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


def _next_item_id(ids: Sequence[str]) -> str:
    numbers = [m for m in (re.fullmatch(r"A(\d+)", i) for i in ids) if m]
    width = max([2, *(len(m.group(1)) for m in numbers)])
    n = max((int(m.group(1)) for m in numbers), default=0) + 1
    return f"A{n:0{width}d}"


def propose_action_item(
    engine: Engine,
    text: str,
    *,
    actor: str,
    proposed_by: str | None = None,
    region: str | None = None,
) -> ActionItem:
    """Put an idea in the plan's inbox (any stakeholder may); returns the stored item.

    The item gets the next free id ``A01``, ``A02``, …; ``proposed_by`` defaults to the
    actor. Proposing the same text again while the first is still unmerged returns the
    first instead of adding a copy.
    """
    spec = _KINDS["action_item"]
    t = spec.table
    who = proposed_by or actor
    for _ in range(3):
        try:
            with transaction(engine) as conn:
                head = _one_plan(conn, region)
                rows = conn.execute(
                    select(t.c.record_id, t.c.record, t.c.position).where(t.c.plan_id == head.id)
                ).all()
                for row in rows:
                    item = ActionItem.model_validate_json(row.record)
                    if item.text == text and item.proposed_by == who and item.merged_into is None:
                        return item
                new = _validated(
                    spec,
                    {
                        "id": _next_item_id([r.record_id for r in rows]),
                        "text": text,
                        "proposed_by": who,
                    },
                )
                assert isinstance(new, ActionItem)
                conn.execute(
                    t.insert().values(
                        plan_id=head.id,
                        record_id=new.id,
                        position=max((r.position for r in rows), default=-1) + 1,
                        version=1,
                        record=new.model_dump_json(),
                        updated_at=schema.utcnow(),
                        updated_by=actor,
                        merged_into=None,
                    )
                )
                audit(
                    conn,
                    actor,
                    "propose",
                    spec.entity,
                    new.id,
                    _detail(head.region, version=1, text=_short(text)),
                )
                return new
        except IntegrityError:
            continue  # another proposal took the id; try the next one
    raise BioconnectError("Could not store the proposal: the inbox is busy.", "Try again.")


def merge_action_item(
    engine: Engine,
    item_id: str,
    initiative_id: str,
    *,
    actor: str,
    region: str | None = None,
) -> ActionItem:
    """Merge an inbox item into an initiative (editors do), keeping the link on the item.

    Merging into the initiative it is already merged into changes nothing.
    """
    spec = _KINDS["action_item"]
    t = spec.table
    with transaction(engine) as conn:
        head = _one_plan(conn, region)
        row = _stored(conn, spec, head.id, item_id)
        if row is None:
            raise NotFoundError(
                f"No action item {item_id!r} in the {head.region} plan.", "Check the id."
            )
        if _stored(conn, _KINDS["initiative"], head.id, initiative_id) is None:
            raise NotFoundError(
                f"No initiative {initiative_id!r} in the {head.region} plan.",
                "Merge into an existing initiative, or create it first.",
            )
        old = ActionItem.model_validate_json(row.record)
        if old.merged_into == initiative_id:
            return old
        new = old.model_copy(update={"merged_into": initiative_id})
        conn.execute(
            t.update()
            .where(t.c.id == row.id)
            .values(
                record=new.model_dump_json(),
                version=row.version + 1,
                merged_into=initiative_id,
                updated_at=schema.utcnow(),
                updated_by=actor,
            )
        )
        audit(
            conn,
            actor,
            "merge",
            spec.entity,
            item_id,
            _detail(head.region, version=row.version + 1, merged_into=initiative_id),
        )
    return new


# ------------------------------------------------------------------ versions and history


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
