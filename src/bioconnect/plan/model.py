"""The shapes of an action plan: goals, initiatives, KPIs and inbox ideas.

The models validate each record on its own (types, ranges, allowed values, unique ids).
Whether the records fit together — references resolve, dependencies do not loop, dates are
in order — is checked by :func:`bioconnect.plan.lint.lint`, so that a plan being edited can
be half-finished and still be saved and reviewed.

Text fields refuse control characters other than newline and tab, and list items and ids are
single lines, so that a plan survives the trip through YAML and XLSX unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

__all__ = [
    "ActionItem",
    "Goal",
    "Initiative",
    "Kpi",
    "Measurement",
    "Milestone",
    "OrgRef",
    "Plan",
    "Status",
]

_TEXT = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]*$"
_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]+$"

#: Identifier of a goal, initiative, KPI, action item, pillar or organisation.
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$", max_length=100)]
#: Free text: any characters except control characters (other than newline and tab), the
#: Unicode line and paragraph separators and the non-characters U+FFFE and U+FFFF, which
#: YAML or XLSX would not keep as they are.
Text = Annotated[str, StringConstraints(pattern=_TEXT)]
#: Free text that is not empty.
NonEmptyText = Annotated[
    str, StringConstraints(min_length=1, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")
]
#: One non-empty line of text (list items, names, titles).
Line = Annotated[str, StringConstraints(min_length=1, pattern=_LINE)]
#: A criterion key: lower-case letters, digits and underscores.
CriterionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


def _whole(value: object) -> object:
    """``5.0`` is the whole number 5, as JSON Schema's ``integer`` says; ``5.5`` is not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: Whole numbers (the records are strict: ``"5"`` is refused, ``5.0`` is 5).
_AS_WHOLE = BeforeValidator(_whole)
#: A score on the 1–5 scale.
Score = Annotated[int, Field(ge=1, le=5), _AS_WHOLE]
#: A finite number of euros, zero or more.
Euros = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def _iso_date(value: object) -> object:
    """Accept ``"2025-01-31"`` for a date (quoted dates in YAML, text cells); nothing looser."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


#: A calendar date, given as a date or as ISO text ``YYYY-MM-DD``.
Day = Annotated[dt.date, BeforeValidator(_iso_date)]
#: Lifecycle of an initiative.
Status = Literal["idea", "planned", "active", "done", "dropped"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class OrgRef(_Record):
    """An organisation named in the plan, optionally linked to the atlas.

    Parameters
    ----------
    name:
        The organisation's name as people write it.
    org_id:
        Its id in the atlas, once someone has linked it; ``None`` until then.
    """

    name: Line
    org_id: Id | None = None


class Measurement(_Record):
    """A value observed (baseline) or aimed for (target) on a date."""

    value: Annotated[float, Field(allow_inf_nan=False)]
    date: Day


class Milestone(_Record):
    """A dated step of an initiative."""

    title: Line
    date: Day


class Goal(_Record):
    """What the plan wants to achieve; initiatives contribute to goals."""

    id: Id
    title: Line
    description: Text = ""


class Initiative(_Record):
    """One thing the plan will do.

    ``scores`` rates the initiative on the preset's prioritisation criteria, 1 (worst value of
    the quantity) to 5 (highest value of the quantity); for criteria where lower is better,
    such as ``cost``, 5 means *expensive* and the prioritisation inverts it.
    """

    id: Id
    title: Line
    description: Text = ""
    pillar: Id
    goals: list[Id] = Field(default_factory=list)
    lead: OrgRef | None = None
    partners: list[OrgRef] = Field(default_factory=list)
    countries: list[Line] = Field(default_factory=list)
    target_groups: list[Line] = Field(default_factory=list)
    start: Day | None = None
    end: Day | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    budget: Euros | None = None
    funding_sources: list[Line] = Field(default_factory=list)
    status: Status = "idea"
    risks: list[Line] = Field(default_factory=list)
    depends_on: list[Id] = Field(default_factory=list)
    gender_dimension: NonEmptyText | None = None
    cross_border: bool = False
    kpis: list[Id] = Field(default_factory=list)
    # a key that is not a criterion key is refused, which pydantic's schema leaves unsaid
    scores: dict[CriterionKey, Score] = Field(
        default_factory=dict, json_schema_extra={"additionalProperties": False}
    )
    version: Annotated[int, Field(ge=1), _AS_WHOLE] = 1


class Kpi(_Record):
    """A key performance indicator with its baseline and target."""

    id: Id
    name: Line
    definition: Text = ""
    unit: Text = ""
    direction: Literal["increase", "decrease"] = "increase"
    baseline: Measurement | None = None
    target: Measurement | None = None
    source: Text = ""
    frequency: Text = ""
    owner: Line | None = None
    initiatives: list[Id] = Field(default_factory=list)
    goals: list[Id] = Field(default_factory=list)

    @property
    def measurable(self) -> bool:
        """Whether the KPI has both a baseline and a target."""
        return self.baseline is not None and self.target is not None


class ActionItem(_Record):
    """An idea in the inbox, possibly merged into an initiative."""

    id: Id
    text: NonEmptyText
    proposed_by: Line | None = None
    merged_into: Id | None = None


class Plan(_Record):
    """A whole action plan.

    Ids are unique within each kind of record; everything else about how the records fit
    together is reported by :func:`~bioconnect.plan.lint.lint`.

    Examples
    --------
    >>> plan = Plan(name="Demo", region="baltic", goals=[Goal(id="G1", title="Grow")],
    ...     initiatives=[Initiative(id="I1", title="Seed fund", pillar="funding", goals=["G1"])])
    >>> [i.id for i in plan.initiatives]
    ['I1']
    """

    name: Line
    region: Id
    example: bool = False
    description: Text = ""
    goals: list[Goal] = Field(default_factory=list)
    initiatives: list[Initiative] = Field(default_factory=list)
    kpis: list[Kpi] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Plan:
        for kind, records in (
            ("goal", self.goals),
            ("initiative", self.initiatives),
            ("KPI", self.kpis),
            ("action item", self.action_items),
        ):
            counts = Counter(r.id for r in records)
            dupes = sorted(i for i, n in counts.items() if n > 1)
            if dupes:
                raise ValueError(f"duplicate {kind} id(s): {', '.join(dupes)}")
        return self

    def initiative(self, initiative_id: str) -> Initiative:
        """The initiative with this id (``KeyError`` when there is none)."""
        for item in self.initiatives:
            if item.id == initiative_id:
                return item
        raise KeyError(initiative_id)
