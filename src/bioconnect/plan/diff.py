"""What changed between two versions of a plan, down to the field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from bioconnect.plan.model import Plan

__all__ = ["FieldChange", "PlanDiff", "RecordChange", "diff_plans"]

RecordKind = Literal["goal", "initiative", "kpi", "action_item"]
_KINDS: list[tuple[RecordKind, str]] = [
    ("goal", "goals"),
    ("initiative", "initiatives"),
    ("kpi", "kpis"),
    ("action_item", "action_items"),
]
_METADATA = ["name", "region", "example", "description"]


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value (as plain Python: dicts, lists, dates)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RecordChange:
    """A goal, initiative, KPI or action item that was added, removed or changed.

    ``fields`` lists the changed fields (for ``changed``), or every field with a value (for
    ``added`` and ``removed``, with ``old``/``new`` None on the missing side).
    """

    kind: RecordKind
    id: str
    change: Literal["added", "removed", "changed"]
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class PlanDiff:
    """All the differences between two plans, in a fixed order."""

    metadata: tuple[FieldChange, ...]
    records: tuple[RecordChange, ...]

    @property
    def empty(self) -> bool:
        """Whether the two plans are the same (ignoring the ignored fields)."""
        return not self.metadata and not self.records

    def of(
        self, kind: RecordKind, change: Literal["added", "removed", "changed"] | None = None
    ) -> list[RecordChange]:
        """Record changes of one kind, optionally only added, removed or changed ones."""
        return [r for r in self.records if r.kind == kind and change in (None, r.change)]

    def summary(self) -> str:
        """One line per record change, such as ``~ initiative I03: budget, status``.

        ``+`` added, ``-`` removed, ``~`` changed; metadata changes come first.
        """
        lines = [f"~ plan: {c.field}" for c in self.metadata]
        sign = {"added": "+", "removed": "-", "changed": "~"}
        for r in self.records:
            detail = ": " + ", ".join(f.field for f in r.fields) if r.change == "changed" else ""
            lines.append(f"{sign[r.change]} {r.kind} {r.id}{detail}")
        return "\n".join(lines)


def _fields(old: dict[str, Any], new: dict[str, Any], ignore: set[str]) -> list[FieldChange]:
    out = []
    for key in list(old) + [k for k in new if k not in old]:
        if key in ignore:
            continue
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "scores" and isinstance(a, dict) and isinstance(b, dict):
            for crit in sorted(set(a) | set(b)):
                if a.get(crit) != b.get(crit):
                    out.append(FieldChange(f"scores.{crit}", a.get(crit), b.get(crit)))
        else:
            out.append(FieldChange(key, a, b))
    return out


def _dump(record: BaseModel) -> dict[str, Any]:
    return record.model_dump(mode="python")


def diff_plans(old: Plan, new: Plan, *, ignore: Iterable[str] = ("version",)) -> PlanDiff:
    """Compare two plans record by record (matched by id) and field by field.

    Parameters
    ----------
    old, new:
        The two plans.
    ignore:
        Fields not to compare (default: ``version``, which changes on every save).

    Returns
    -------
    PlanDiff
        Metadata changes, then goal, initiative, KPI and action-item changes; within each
        kind removed and changed records in the old plan's order, then added ones in the new
        plan's order. Score changes are reported per criterion (``scores.impact``).

    Examples
    --------
    >>> from bioconnect.plan import Goal, Plan
    >>> a = Plan(name="p", region="baltic", goals=[Goal(id="G1", title="Grow")])
    >>> b = Plan(name="p", region="baltic", goals=[Goal(id="G1", title="Grow faster"),
    ...                                            Goal(id="G2", title="Train")])
    >>> print(diff_plans(a, b).summary())
    ~ goal G1: title
    + goal G2
    """
    skip = set(ignore)
    metadata = tuple(
        FieldChange(f, getattr(old, f), getattr(new, f))
        for f in _METADATA
        if f not in skip and getattr(old, f) != getattr(new, f)
    )
    records: list[RecordChange] = []
    for kind, attr in _KINDS:
        before: Sequence[Any] = getattr(old, attr)
        after: Sequence[Any] = getattr(new, attr)
        new_by_id = {r.id: r for r in after}
        old_ids = {r.id for r in before}
        for record in before:
            if record.id not in new_by_id:
                dumped = _dump(record)
                fields = tuple(FieldChange(k, v, None) for k, v in dumped.items() if k not in skip)
                records.append(RecordChange(kind, record.id, "removed", fields))
                continue
            changed = _fields(_dump(record), _dump(new_by_id[record.id]), skip)
            if changed:
                records.append(RecordChange(kind, record.id, "changed", tuple(changed)))
        for record in after:
            if record.id not in old_ids:
                dumped = _dump(record)
                fields = tuple(FieldChange(k, None, v) for k, v in dumped.items() if k not in skip)
                records.append(RecordChange(kind, record.id, "added", fields))
    return PlanDiff(metadata=metadata, records=tuple(records))
