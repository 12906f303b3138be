"""A region's action-plan configuration: pillars, rules, criteria, weights and KPI library.

The packaged configurations live next to the region presets, in
``bioconnect/presets/<name>/plan.yaml``; users can pass the path of their own file.
See ``docs/plan.md`` for every field.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.preset import preset_folder
from bioconnect.model.yamlfile import load_yaml_model

__all__ = [
    "BudgetEnvelope",
    "Criterion",
    "DataSource",
    "GenderRule",
    "KpiTemplate",
    "PillarConfig",
    "PlanConfig",
    "load_plan_config",
]

PRESETS_PACKAGE = "bioconnect.presets"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PillarConfig(_Strict):
    """A pillar (theme) of the plan; every initiative belongs to one."""

    id: str
    label: str
    description: str = ""


class GenderRule(_Strict):
    """Whether initiatives must describe their gender dimension, and in which pillars.

    ``pillars`` is ``"all"`` or a list of pillar ids.
    """

    required: bool = False
    pillars: Literal["all"] | list[str] = "all"

    def applies_to(self, pillar: str) -> bool:
        """Whether an initiative in ``pillar`` must have a gender dimension."""
        return self.required and (self.pillars == "all" or pillar in self.pillars)


class BudgetEnvelope(_Strict):
    """The money available for the whole plan."""

    amount_eur: float = Field(gt=0, allow_inf_nan=False)
    label: str = ""


class Criterion(_Strict):
    """A prioritisation criterion scored 1–5 per initiative.

    ``direction`` says which end is good: ``higher`` (impact) or ``lower`` (cost).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    direction: Literal["higher", "lower"] = "higher"
    description: str = ""


class DataSource(_Strict):
    """Where a KPI's figures come from."""

    name: str
    url: str = ""
    dataset: str = ""


class KpiTemplate(_Strict):
    """A KPI from the preset's library, for plans to reuse."""

    id: str
    name: str
    definition: str
    unit: str
    direction: Literal["increase", "decrease"]
    target: str = Field(default="", description="The preset's suggested target, as text.")
    target_low: float | None = None
    target_high: float | None = None
    sources: list[DataSource] = Field(min_length=1)
    frequency: str


#: The evaluation questions of a pillar by default: the OECD DAC evaluation criteria
#: (relevance, coherence, effectiveness, efficiency, impact, sustainability).
EVALUATION_QUESTIONS = (
    "Relevance: do the {pillar} initiatives answer the needs the stakeholders named?",
    "Coherence: do they fit the national smart specialisation strategies and each other?",
    "Effectiveness: did they reach their KPI targets, and why or why not?",
    "Efficiency: were their budgets spent as planned, at a reasonable cost per result?",
    "Impact: what changed in the ecosystem that would not have changed without them?",
    "Sustainability: will their results last when the funding ends?",
)


class PlanConfig(_Strict):
    """Action-plan rules and defaults for one region.

    Examples
    --------
    >>> cfg = load_plan_config("baltic")
    >>> cfg.min_initiatives, cfg.criterion_ids[:2]
    (40, ['impact', 'feasibility'])
    """

    region: str
    pillars: list[PillarConfig] = Field(min_length=1)
    min_initiatives: int = Field(default=0, ge=0)
    gender_dimension: GenderRule = GenderRule()
    budget_envelope: BudgetEnvelope | None = None
    min_cross_border_share: float = Field(default=0.0, ge=0.0, le=1.0)
    criteria: list[Criterion] = Field(min_length=1)
    default_weights: dict[str, float]
    kpi_library: list[KpiTemplate] = Field(default_factory=list)
    evaluation_questions: list[str] = Field(
        default_factory=lambda: list(EVALUATION_QUESTIONS),
        description="Questions the evaluation asks of every pillar; {pillar} is its label.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PlanConfig:
        for kind, ids in (
            ("pillar", [p.id for p in self.pillars]),
            ("criterion", self.criterion_ids),
            ("KPI", [k.id for k in self.kpi_library]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{kind} ids are not unique")
        if set(self.default_weights) != set(self.criterion_ids):
            raise ValueError("default_weights must give one weight for every criterion")
        weights = list(self.default_weights.values())
        if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("default_weights must be finite, zero or more, and not all zero")
        rule = self.gender_dimension
        if rule.pillars != "all":
            unknown = sorted(set(rule.pillars) - set(self.pillar_ids))
            if unknown:
                raise ValueError(f"gender_dimension names unknown pillars: {', '.join(unknown)}")
        return self

    @property
    def pillar_ids(self) -> list[str]:
        """Pillar ids in configuration order."""
        return [p.id for p in self.pillars]

    @property
    def criterion_ids(self) -> list[str]:
        """Criterion ids in configuration order."""
        return [c.id for c in self.criteria]


@cache
def _load_file(path: Path) -> PlanConfig:
    return load_yaml_model(path, PlanConfig, "Plan configuration", "docs/plan.md")


def load_plan_config(name_or_path: str | Path = "baltic") -> PlanConfig:
    """Load a packaged plan configuration by preset name, or a ``plan.yaml`` by path.

    Parameters
    ----------
    name_or_path:
        A packaged preset name such as ``"baltic"``, a ``plan.yaml`` path, or a folder
        holding one.

    Returns
    -------
    PlanConfig
        The validated configuration.

    Examples
    --------
    >>> [p.id for p in load_plan_config("baltic").pillars][:3]
    ['research', 'talent', 'incubation']
    """
    root = resources.files(PRESETS_PACKAGE)
    packaged = root / str(name_or_path) / "plan.yaml"
    if packaged.is_file():
        return _load_file(Path(str(packaged)))
    folder = preset_folder(str(name_or_path))
    if folder is not None and (folder / "plan.yaml").is_file():
        return _load_file(folder / "plan.yaml")
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "plan.yaml"
    if path.is_file():
        return _load_file(path.resolve())
    if not path.suffix and path.name == str(name_or_path):
        known = ", ".join(sorted(p.name for p in root.iterdir() if (p / "plan.yaml").is_file()))
        raise NotFoundError(
            f"No plan configuration for a preset called {name_or_path!r}.",
            f"Use one of: {known}, or the path to a plan.yaml file.",
        )
    raise InputError(f"Plan configuration file {path} does not exist.", "Check the path.")
