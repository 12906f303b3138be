"""How plan records are stored: one row per record holding its JSON, with a version.

The shared pieces of :mod:`bioconnect.services.plan`: the kinds of record and their tables,
finding a region's plan, reading it back, validating a record, and the conflict a stale
edit raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, Table, select

from bioconnect.errors import BioconnectError, InputError, NotFoundError
from bioconnect.plan import (
    ActionItem,
    FieldChange,
    Goal,
    Initiative,
    Kpi,
    Plan,
    PlanConfig,
    diff_plans,
    load_plan_config,
)
from bioconnect.store import schema

RecordKind = Literal["goal", "initiative", "kpi", "action_item"]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)

PLANS = schema.table(schema.PlanHead)

_METADATA = ("name", "region", "example", "description")


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


def load_plan(engine: Engine, *, region: str | None = None) -> Plan:
    """The stored plan, records in their stored order."""
    with engine.connect() as conn:
        return _plan_from(conn, _one_plan(conn, region))
