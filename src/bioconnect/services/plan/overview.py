"""What the plan's overview page shows, in one read: findings, balance, priorities, charts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine

from bioconnect.charts.specs import gantt_chart, matrix_chart, priority_chart
from bioconnect.errors import BioconnectError
from bioconnect.plan import Finding, Plan, PlanConfig
from bioconnect.services.plan.assess import balance_plan, budget_split, lint_plan, rank_plan


@dataclass(frozen=True)
class PlanOverview:
    """The overview of a stored plan, as the page and a report show it.

    ``matrix`` maps (pillar, country) to that cell of the budget split; ``ranks`` is empty
    with ``rank_problem`` set when the plan cannot be ranked yet (e.g. no scores).
    """

    findings: list[Finding]
    counts: dict[str, int]
    totals: dict[str, Any]
    by_pillar: list[dict[str, Any]]
    pillar_labels: dict[str, str]
    initiatives: list[dict[str, Any]]
    pillars: list[str]
    countries: list[str]
    matrix: dict[tuple[str, str], dict[str, Any]]
    ranks: list[dict[str, Any]]
    rank_problem: BioconnectError | None
    gantt_spec: dict[str, Any]
    matrix_spec: dict[str, Any]
    priority_spec: dict[str, Any] | None


def plan_overview(engine: Engine, plan: Plan, config: PlanConfig, *, region: str) -> PlanOverview:
    """Lint findings, portfolio balance, the pillar × country split, priorities and charts."""
    findings = lint_plan(engine, region=region)
    balance = balance_plan(engine, region=region)
    pillars = [p.id for p in config.pillars]
    pillars += sorted({i.pillar for i in plan.initiatives} - set(pillars))
    cells = [asdict(cell) for cell in budget_split(engine, region=region)]
    ranks: list[dict[str, Any]] = []
    rank_problem = None
    try:
        ranks = json.loads(rank_plan(engine, region=region).to_json(orient="records"))
    except BioconnectError as exc:
        rank_problem = exc
    items = [i.model_dump(mode="json") for i in plan.initiatives]
    return PlanOverview(
        findings=findings,
        counts={s: sum(f.severity == s for f in findings) for s in ("error", "warning")},
        totals=balance.totals,
        by_pillar=json.loads(balance.by_pillar.to_json(orient="records")),
        pillar_labels={p.id: p.label for p in config.pillars},
        initiatives=items,
        pillars=pillars,
        countries=sorted({c["country"] for c in cells}),
        matrix={(c["pillar"], c["country"]): c for c in cells},
        ranks=ranks,
        rank_problem=rank_problem,
        gantt_spec=gantt_chart(
            sorted(items, key=lambda i: (i["start"] or "9999", i["id"])), "Timeline"
        ),
        matrix_spec=matrix_chart(cells, pillars, "Pillars by country"),
        priority_spec=priority_chart(ranks, "Priorities") if ranks else None,
    )
