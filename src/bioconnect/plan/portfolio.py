"""How a plan's initiatives and money spread over pillars, countries and years."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from bioconnect.plan.config import PlanConfig
from bioconnect.plan.model import Initiative, Plan

__all__ = ["BudgetCell", "PortfolioBalance", "pillar_country_split", "portfolio_balance"]


@dataclass(frozen=True)
class PortfolioBalance:
    """A plan's balance, as four tables and a few totals.

    Attributes
    ----------
    by_pillar:
        ``pillar``, ``label``, ``initiatives``, ``cross_border``, ``budget``,
        ``budget_share``; one row per configured pillar (then any unknown pillar).
    by_country:
        ``country``, ``initiatives`` (involving the country), ``budget`` (each initiative's
        budget split equally among its countries), ``budget_share``; sorted by country.
    by_year:
        ``year``, ``active`` (initiatives running some day of the year), ``starting``,
        ``ending``, ``milestones``, ``budget`` (each budget spread over its days, pro rata).
        Only initiatives with both dates, end not before start.
    totals:
        ``initiatives``, ``budget``, ``envelope`` (None without one), ``envelope_share``,
        ``cross_border_share``, ``undated`` (initiatives left out of ``by_year``) and
        ``unbudgeted`` (initiatives without a budget).
    """

    by_pillar: pd.DataFrame
    by_country: pd.DataFrame
    by_year: pd.DataFrame
    totals: dict[str, float | int | None]


def _year_shares(item: Initiative) -> dict[int, float]:
    """Fraction of the initiative's days (inclusive) that fall in each year."""
    assert item.start is not None and item.end is not None
    days = (item.end - item.start).days + 1
    shares = {}
    for year in range(item.start.year, item.end.year + 1):
        first = max(item.start, dt.date(year, 1, 1))
        last = min(item.end, dt.date(year, 12, 31))
        shares[year] = ((last - first).days + 1) / days
    return shares


def portfolio_balance(
    plan: Plan, config: PlanConfig | None = None, *, include_dropped: bool = False
) -> PortfolioBalance:
    """Count initiatives and sum budgets by pillar, country and year.

    Parameters
    ----------
    plan:
        The plan.
    config:
        Its configuration, for pillar labels and order, and the budget envelope.
    include_dropped:
        Count dropped initiatives too (default: leave them out).

    Returns
    -------
    PortfolioBalance

    Examples
    --------
    >>> import datetime as dt
    >>> from bioconnect.plan import Initiative, Plan
    >>> plan = Plan(name="p", region="baltic", initiatives=[
    ...     Initiative(id="A", title="a", pillar="research", countries=["EE", "LV"],
    ...         budget=100.0, start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31)),
    ...     Initiative(id="B", title="b", pillar="talent", countries=["EE"], budget=50.0)])
    >>> b = portfolio_balance(plan)
    >>> b.by_country[["country", "initiatives", "budget"]].values.tolist()
    [['EE', 2, 100.0], ['LV', 1, 50.0]]
    >>> b.by_year[["year", "active", "budget"]].to_dict("list")
    {'year': [2025, 2026], 'active': [1, 1], 'budget': [50.0, 50.0]}
    """
    items = [i for i in plan.initiatives if include_dropped or i.status != "dropped"]
    total_budget = float(sum(i.budget or 0.0 for i in items))
    dated = [i for i in items if i.start and i.end and i.end >= i.start]
    envelope = config.budget_envelope.amount_eur if config and config.budget_envelope else None
    totals: dict[str, float | int | None] = {
        "initiatives": len(items),
        "budget": total_budget,
        "envelope": envelope,
        "envelope_share": total_budget / envelope if envelope else None,
        "cross_border_share": sum(i.cross_border for i in items) / len(items) if items else 0.0,
        "undated": len(items) - len(dated),
        "unbudgeted": sum(i.budget is None for i in items),
    }
    return PortfolioBalance(
        by_pillar=_by_pillar(items, config, total_budget),
        by_country=_by_country(items, total_budget),
        by_year=_by_year(dated),
        totals=totals,
    )


def _share(x: float, total: float) -> float:
    return x / total if total > 0 else 0.0


def _by_pillar(items: list[Initiative], config: PlanConfig | None, total: float) -> pd.DataFrame:
    pillar_order = list(config.pillar_ids) if config else []
    labels = {p.id: p.label for p in config.pillars} if config else {}
    for item in items:
        if item.pillar not in pillar_order:
            pillar_order.append(item.pillar)
    rows = []
    for pillar in pillar_order:
        members = [i for i in items if i.pillar == pillar]
        budget = float(sum(i.budget or 0.0 for i in members))
        rows.append(
            {
                "pillar": pillar,
                "label": labels.get(pillar, pillar),
                "initiatives": len(members),
                "cross_border": sum(i.cross_border for i in members),
                "budget": budget,
                "budget_share": _share(budget, total),
            }
        )
    return pd.DataFrame(
        rows, columns=["pillar", "label", "initiatives", "cross_border", "budget", "budget_share"]
    )


def _by_country(items: list[Initiative], total: float) -> pd.DataFrame:
    """Initiatives per country; each initiative's budget split equally among its countries."""
    count: dict[str, int] = defaultdict(int)
    budget: dict[str, float] = defaultdict(float)
    for item in items:
        countries = sorted(set(item.countries))
        for country in countries:
            count[country] += 1
            budget[country] += (item.budget or 0.0) / len(countries)
    rows = [
        {
            "country": c,
            "initiatives": count[c],
            "budget": budget[c],
            "budget_share": _share(budget[c], total),
        }
        for c in sorted(count)
    ]
    return pd.DataFrame(rows, columns=["country", "initiatives", "budget", "budget_share"])


def _by_year(dated: list[Initiative]) -> pd.DataFrame:
    """Initiatives active, starting and ending, milestones and budget, per calendar year."""
    years: dict[int, dict[str, float]] = defaultdict(
        lambda: {"active": 0, "starting": 0, "ending": 0, "milestones": 0, "budget": 0.0}
    )
    for item in dated:
        assert item.start is not None and item.end is not None
        for year, fraction in _year_shares(item).items():
            years[year]["active"] += 1
            years[year]["budget"] += (item.budget or 0.0) * fraction
        years[item.start.year]["starting"] += 1
        years[item.end.year]["ending"] += 1
        for ms in item.milestones:
            years[ms.date.year]["milestones"] += 1
    year_rows = [{"year": y, **years[y]} for y in sorted(years)]
    return pd.DataFrame(
        year_rows, columns=["year", "active", "starting", "ending", "milestones", "budget"]
    ).astype(
        {
            "year": "int64",
            "active": "int64",
            "starting": "int64",
            "ending": "int64",
            "milestones": "int64",
            "budget": "float64",
        }
    )


@dataclass(frozen=True)
class BudgetCell:
    """One pillar in one country: how many initiatives involve both, and their budget."""

    pillar: str
    country: str
    initiatives: int
    budget: float


def pillar_country_split(plan: Plan) -> list[BudgetCell]:
    """The plan's initiatives and budget by pillar and country.

    Each initiative counts once in every country it names, and its budget is split equally
    among them (as in ``by_country`` of :func:`portfolio_balance`). Dropped initiatives and
    those without countries are left out. Cells come in the order they are first met.

    Examples
    --------
    >>> from bioconnect.plan import Initiative
    >>> plan = Plan(name="Demo", region="baltic", initiatives=[
    ...     Initiative(id="I1", title="Hub", pillar="research", countries=["EE", "LV"],
    ...                budget=100.0),
    ...     Initiative(id="I2", title="Lab", pillar="research", countries=["EE"], budget=10.0)])
    >>> for cell in pillar_country_split(plan):
    ...     print(cell.pillar, cell.country, cell.initiatives, cell.budget)
    research EE 2 60.0
    research LV 1 50.0
    """
    cells: dict[tuple[str, str], BudgetCell] = {}
    for item in plan.initiatives:
        if item.status == "dropped" or not item.countries:
            continue
        share = (item.budget or 0.0) / len(item.countries)
        for country in item.countries:
            old = cells.get((item.pillar, country), BudgetCell(item.pillar, country, 0, 0.0))
            cells[(item.pillar, country)] = BudgetCell(
                item.pillar, country, old.initiatives + 1, old.budget + share
            )
    return list(cells.values())
