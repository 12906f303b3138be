"""The action plan report: goals with their evidence, initiatives by pillar with owners,
budgets, timelines, KPIs and priorities, and the lint findings that remain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bioconnect.errors import ConflictError
from bioconnect.model.preset import Preset
from bioconnect.reports.document import ReportDocument, Source, Table
from bioconnect.services.plan import Plan, PlanConfig, load_plan, load_plan_config
from bioconnect.services.progress import Progress
from bioconnect.services.reports import provenance
from bioconnect.services.reports.figures import chart

PLAN = ("plan",)
COMPUTED = ("plan", "bioconnect")


@dataclass(frozen=True)
class StoredPlan:
    """The preset's stored plan with its configuration, checked to be reportable."""

    plan: Plan
    config: PlanConfig
    sources: dict[str, Source]


def stored_plan(engine: Engine, preset: Preset, report: str) -> StoredPlan:
    """The plan of the preset's region; an empty plan is refused with the way to fill it."""
    plan = load_plan(engine, region=preset.name)
    if not plan.initiatives:
        raise ConflictError(
            f"The action plan {plan.name!r} has no initiatives, so the {report} would be empty.",
            "Add initiatives in the plan editor, or import a plan file: "
            "`bioconnect plan import FILE`.",
        )
    sources = {
        "plan": provenance.plan_source(plan.name, plan.region, plan.example),
        "bioconnect": provenance.method_source(),
    }
    return StoredPlan(plan, load_plan_config(preset.name), sources)


def _names(refs: list[Any]) -> str:
    return ", ".join(r.name for r in refs)


def _pillar_tables(stored: StoredPlan, ranks: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    labels = {p.id: p.label for p in stored.config.pillars}
    pillars = [p.id for p in stored.config.pillars]
    pillars += sorted({i.pillar for i in stored.plan.initiatives} - set(pillars))
    shown = []
    for pillar in pillars:
        items = [i for i in stored.plan.initiatives if i.pillar == pillar]
        rows = []
        for i in items:
            rank = ranks.get(i.id)
            rows.append(
                [
                    i.id,
                    i.title,
                    i.lead.name if i.lead else "–",
                    i.budget,
                    f"{i.start or '?'} – {i.end or '?'}",
                    ", ".join(i.kpis) or "–",
                    i.status,
                    f"{rank['median_rank']} ({rank['rank_low']}–{rank['rank_high']})"
                    if rank
                    else "–",
                ]
            )
        shown.append(
            {
                "pillar": pillar,
                "label": labels.get(pillar, pillar),
                "table": Table.of(
                    f"Initiatives of the pillar {labels.get(pillar, pillar)}",
                    [
                        "Id",
                        "Initiative",
                        "Lead",
                        "Budget (EUR)",
                        "Timeline",
                        "KPIs",
                        "Status",
                        "Priority: median rank (interval)",
                    ],
                    rows,
                    sources=COMPUTED,
                    method="as stored in the plan; priorities from the Monte Carlo ranking of "
                    "the criteria scores (median rank and its 5th–95th percentile interval).",
                    empty_reason="no initiative in this pillar yet.",
                ),
            }
        )
    return shown


def _plan_content(engine: Engine, stored: StoredPlan, progress: Progress) -> dict[str, Any]:
    """Goals, initiatives by pillar, the charts and the lint findings."""
    from bioconnect.services.plan import plan_overview

    plan = stored.plan
    progress.step("ranking and linting the plan")
    overview = plan_overview(engine, plan, stored.config, region=plan.region)
    ranks = {r["initiative"]: r for r in overview.ranks}
    progress.step("laying out the initiatives")
    return {
        "plan": plan,
        "overview": overview,
        "goals": Table.of(
            "Goals and the evidence behind them",
            ["Id", "Goal", "Evidence and description"],
            [[g.id, g.title, g.description or "–"] for g in plan.goals],
            sources=PLAN,
            method="as stored; goals accepted from a consultation or a Delphi study quote "
            "their support there in their description.",
            empty_reason="the plan has no goals yet.",
        ),
        "pillars": _pillar_tables(stored, ranks),
        "timeline": chart(
            overview.gantt_spec,
            "Timeline of the initiatives",
            sources=PLAN,
            method="each initiative from its start to its end date.",
        ),
        "split": chart(
            overview.matrix_spec,
            "Budget by pillar and country",
            sources=PLAN,
            method="each initiative's budget split equally over its countries.",
        ),
        "priorities": chart(
            overview.priority_spec,
            "Priorities with rank intervals",
            sources=COMPUTED,
            method="Monte Carlo ranking over the criteria weights' uncertainty.",
            empty_reason=str(overview.rank_problem.problem)
            if overview.rank_problem
            else "the initiatives have no criteria scores yet.",
        ),
        "findings": Table.of(
            "What the plan still lacks (lint findings)",
            ["Severity", "Rule", "Subject", "Finding", "How to fix it"],
            [[f.severity, f.rule, f.subject, f.message, f.fix] for f in overview.findings],
            sources=COMPUTED,
            method="bioconnect's plan lint rules (docs/plan.md).",
            empty_reason="lint finds nothing: every rule holds.",
        ),
    }


def plan_document(
    engine: Engine, preset: Preset, kind: str, created: str, version: int, progress: Progress
) -> ReportDocument:
    """The action plan report, or the evaluation plan (``kind``), of ``preset``'s plan."""
    if kind == "evaluation":
        from bioconnect.services.reports.evaluation import evaluation_document

        return evaluation_document(engine, preset, created, version, progress)
    progress.start(4, "action plan")
    stored = stored_plan(engine, preset, "action plan")
    content = _plan_content(engine, stored, progress)
    plan = stored.plan
    budget = sum(i.budget or 0 for i in plan.initiatives)
    figures = {
        "initiatives": str(len(plan.initiatives)),
        "goals": str(len(plan.goals)),
        "KPIs": str(len(plan.kpis)),
        "budget (EUR)": f"{budget:,.0f}",
        "lint errors": str(content["overview"].counts["error"]),
        "lint warnings": str(content["overview"].counts["warning"]),
    }
    return ReportDocument(
        kind="plan",
        title=f"Action plan: {plan.name}",
        subtitle=f"{preset.label}: goals, {len(plan.initiatives)} initiatives in "
        f"{len({i.pillar for i in plan.initiatives})} pillars, KPIs and priorities.",
        created=created,
        parameters={"preset": preset.name},
        data_version=version,
        content={**content, "preset": preset},
        sources=tuple(stored.sources.values()),
        key_figures=figures,
        example=plan.example,
    )
