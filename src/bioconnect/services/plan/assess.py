"""Reading the stored plan for review: lint findings, priorities and portfolio balance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bioconnect.plan import (
    Finding,
    Plan,
    PlanConfig,
    PortfolioBalance,
    lint,
    portfolio_balance,
    rank_stability,
)
from bioconnect.plan.portfolio import BudgetCell, pillar_country_split
from bioconnect.services.plan.records import _config, _one_plan, _plan_from

#: Monte Carlo weight draws for the rank intervals, wherever a ranking is shown or served.
RANK_SAMPLES = 2000
#: The random seed of those draws (the same seed gives the same ranks).
RANK_SEED = 0

if TYPE_CHECKING:
    import pandas as pd


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
    samples: int = RANK_SAMPLES,
    seed: int = RANK_SEED,
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


def budget_split(engine: Engine, *, region: str | None = None) -> list[BudgetCell]:
    """The stored plan's initiatives and budget by pillar and country.

    See :func:`bioconnect.plan.portfolio.pillar_country_split`.
    """
    plan, _ = _plan_and_config(engine, region)
    return pillar_country_split(plan)
