"""Importing a plan from a file (or a :class:`Plan`) into the store, and exporting it."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.plan import (
    Initiative,
    Plan,
    PlanConfig,
    load_plan_config,
    plan_from_yaml,
    plan_to_yaml,
    read_plan,
    write_plan,
)
from bioconnect.services.accounts import audit
from bioconnect.services.plan.records import (
    _KINDS,
    PLANS,
    _changed_fields,
    _changes,
    _config,
    _detail,
    _Kind,
    _load,
    _meta_json,
    _one_plan,
    _plan_from,
    _same,
    _short,
    _with_version,
)
from bioconnect.store import schema
from bioconnect.store.database import transaction


@dataclass(frozen=True)
class ImportReport:
    """What an import changed: counts of added, changed and removed records."""

    region: str
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    reordered: bool = False
    metadata_changed: bool = False
    #: The documented repairs made while reading the file (a decimal comma read as a point),
    #: one line each with its sheet, row and column.
    repairs: tuple[str, ...] = ()

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
        repaired = f"; {len(self.repairs)} value(s) repaired" if self.repairs else ""
        if self.unchanged:
            return f"{self.region}: unchanged{repaired}"
        total = [sum(d.values()) for d in (self.added, self.changed, self.removed)]
        return f"{self.region}: {total[0]} added, {total[1]} changed, {total[2]} removed{repaired}"


def _checked(source: Path | Plan, config: PlanConfig, repairs: list[str]) -> Plan:
    """Read and check a plan: every problem in one InputError; repairs made are added."""
    if isinstance(source, Plan):
        # The same checks as reading a file: pillars, dates in order, no dependency loops.
        return plan_from_yaml(plan_to_yaml(source), config=config, source=f"Plan {source.name!r}")
    return read_plan(source, config, repairs=repairs)


def import_plan(
    engine: Engine,
    source: Path | Plan,
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
        A ``.yaml``/``.yml``/``.xlsx`` file as a :class:`~pathlib.Path` (text is refused, never
        opened), or a plan.
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
    repairs: list[str] = []
    if not isinstance(source, Path | Plan):
        raise InputError(
            f"{source!r} is neither a plan file's path nor a plan.",
            "Pass the file as a pathlib.Path (or the Plan itself).",
        )
    plan = _checked(source, config, repairs)
    label = source.name if isinstance(source, Path) else f"plan {source.name!r}"
    added: dict[str, int] = {}
    changed: dict[str, int] = {}
    removed: dict[str, int] = {}
    reordered = False
    region = plan.region
    with transaction(engine) as conn:
        plan_id, metadata_changed = _import_head(conn, plan, preset, actor)
        for kind in _KINDS.values():
            a, c, r, moved = _import_kind(
                conn, kind, plan_id, region, getattr(plan, kind.attr), actor, replace
            )
            added[kind.name], changed[kind.name], removed[kind.name] = a, c, r
            reordered = reordered or moved
        report = ImportReport(
            region, added, changed, removed, reordered, metadata_changed, tuple(repairs)
        )
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
                    **({"repairs": repairs} if repairs else {}),
                ),
            )
    return report


def _import_head(conn: Connection, plan: Plan, preset: str, actor: str) -> tuple[int, bool]:
    """Add or update the plan's own row; returns its id and whether its fields changed."""
    region = plan.region
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
        return int(plan_id), True
    old_meta = json.loads(head.record)
    new_meta = json.loads(meta)
    fields = {k: _short(v) for k, v in new_meta.items() if old_meta.get(k) != v}
    if head.preset != preset:
        fields["preset"] = preset
    if not fields:
        return int(head.id), False
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
    audit(conn, actor, "update", "plan", region, _detail(region, version=version, fields=fields))
    return int(head.id), True


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


def export_plan(engine: Engine, path: Path, *, region: str | None = None) -> Path:
    """Write the stored plan to ``path``, as YAML or XLSX by its suffix; returns the path.

    Importing the file again gives the same plan and changes nothing in the store.
    """
    with engine.connect() as conn:
        head = _one_plan(conn, region)
        plan = _plan_from(conn, head)
    return write_plan(plan, path, _config(head))


#: The example plans of a source checkout (``examples/`` is not in the wheel).
EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
#: The largest plan file a person may upload through the web app.
UPLOAD_LIMIT = 5 * 1024 * 1024
PLAN_SUFFIXES = (".yaml", ".yml", ".xlsx")


def example_plan(region: str) -> Path:
    """The example plan of the region preset ``region`` in a source checkout,
    ``examples/<region>-action-plan.example.yaml`` (a region may have none)."""
    return EXAMPLES / f"{region}-action-plan.example.yaml"


def example_plan_available(region: str) -> bool:
    """Whether this installation has the example plan of ``region`` (a source checkout has
    the shipped presets')."""
    return example_plan(region).is_file()


def import_example_plan(engine: Engine, *, actor: str, region: str) -> ImportReport:
    """Import the example plan for ``region``; :class:`NotFoundError` where it is absent."""
    if not example_plan_available(region):
        raise NotFoundError(
            f"No example plan for {region!r} is available on this server.",
            "Upload a plan file instead.",
        )
    return import_plan(engine, example_plan(region), actor=actor, preset=region)


def import_uploaded_plan(
    engine: Engine, filename: str, content: bytes, *, actor: str, region: str
) -> ImportReport:
    """Import a plan file someone uploaded (its name and bytes) into ``region``'s plan.

    The file must be YAML or XLSX, at most :data:`UPLOAD_LIMIT` bytes, and its plan must be
    for ``region``; otherwise one :class:`InputError` says what to change, and nothing is
    stored.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in PLAN_SUFFIXES:
        raise InputError(
            f"{filename!r} is not a YAML or XLSX file.", "Upload a .yaml, .yml or .xlsx plan file."
        )
    if len(content) > UPLOAD_LIMIT:
        raise InputError("The file is larger than 5 MB.", "Upload a smaller plan file.")
    with tempfile.TemporaryDirectory(prefix="bioconnect-plan-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        plan = read_plan(path, load_plan_config(region))
    if plan.region != region:
        raise InputError(
            f"The file's plan is for region {plan.region!r}; this site serves {region!r}.",
            f"Set region: {region} in the file, or import it with the CLI.",
        )
    return import_plan(engine, plan, actor=actor, preset=region)
