"""The plan's assessments as read models: lint findings, priorities and the balance.

The API sends these, the CLI prints them and the pages read them, so each shape is
described once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Engine

from bioconnect.services.plan.assess import (
    RANK_SAMPLES,
    RANK_SEED,
    balance_plan,
    lint_plan,
    rank_plan,
)
from bioconnect.services.readmodel import ReadModel


class FindingOut(ReadModel):
    rule: str
    severity: Literal["error", "warning", "info"]
    subject: str
    message: str
    fix: str


class RankRow(ReadModel):
    initiative: str
    title: str
    pillar: str
    score: float
    rank: int
    median_rank: int
    rank_low: int = Field(description="Rank at the 5th percentile of the draws.")
    rank_high: int = Field(description="Rank at the 95th percentile of the draws.")
    top_share: float = Field(description="Share of draws that rank it in the top quarter.")


class PillarBalance(ReadModel):
    pillar: str
    label: str
    initiatives: int
    cross_border: int
    budget: float
    budget_share: float


class CountryBalance(ReadModel):
    country: str
    initiatives: int
    budget: float = Field(description="Each initiative's budget split equally among its countries.")
    budget_share: float


class YearBalance(ReadModel):
    year: int
    active: int
    starting: int
    ending: int
    milestones: int
    budget: float


class BalanceOut(ReadModel):
    by_pillar: list[PillarBalance]
    by_country: list[CountryBalance]
    by_year: list[YearBalance]
    totals: dict[str, float | int | None]


def _records(frame: Any) -> list[dict[str, Any]]:
    # through JSON, so numpy scalars and NaN become plain numbers and nulls
    return list(json.loads(frame.to_json(orient="records")))


def plan_findings(engine: Engine, *, region: str | None = None) -> list[FindingOut]:
    """The stored plan's lint findings, errors first, each with a fix."""
    return [
        FindingOut(
            rule=f.rule, severity=f.severity, subject=f.subject, message=f.message, fix=f.fix
        )
        for f in lint_plan(engine, region=region)
    ]


def plan_ranks(
    engine: Engine,
    weights: Mapping[str, float] | None = None,
    samples: int = RANK_SAMPLES,
    seed: int = RANK_SEED,
    *,
    region: str | None = None,
) -> list[RankRow]:
    """Initiatives by priority with rank intervals (:func:`rank_plan` as read models)."""
    frame = rank_plan(engine, weights, samples, seed, region=region)
    return [RankRow.model_validate(row) for row in _records(frame)]


def plan_balance(engine: Engine, *, region: str | None = None) -> BalanceOut:
    """The portfolio balance by pillar, country and year, with totals against the envelope."""
    balance = balance_plan(engine, region=region)
    return BalanceOut(
        by_pillar=[PillarBalance.model_validate(r) for r in _records(balance.by_pillar)],
        by_country=[CountryBalance.model_validate(r) for r in _records(balance.by_country)],
        by_year=[YearBalance.model_validate(r) for r in _records(balance.by_year)],
        totals=balance.totals,
    )
