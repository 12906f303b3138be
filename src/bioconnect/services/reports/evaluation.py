"""The evaluation and dissemination plan: each KPI with its definition, source, baseline,
target, frequency and owner; where it stands and its forecast against the target; and the
evaluation questions per pillar as a logical framework."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bioconnect.model.preset import Preset
from bioconnect.reports.document import Figure, ReportDocument, Table
from bioconnect.services.progress import Progress
from bioconnect.services.reports.figures import chart
from bioconnect.services.reports.plan import COMPUTED, PLAN, StoredPlan, stored_plan


def _measure(m: Any) -> str:
    return f"{m.value:g} ({m.date})" if m is not None else "not set"


def _kpi_tables(stored: StoredPlan, statuses: list[Any]) -> tuple[Table, Table]:
    kpis = stored.plan.kpis
    definitions = Table.of(
        "The KPIs: definition, source, baseline, target, frequency and owner",
        ["Id", "KPI", "Definition", "Source", "Baseline", "Target", "Frequency", "Owner"],
        [
            [
                k.id,
                f"{k.name} ({k.unit})" if k.unit else k.name,
                k.definition or "–",
                k.source or "–",
                _measure(k.baseline),
                _measure(k.target),
                k.frequency or "–",
                k.owner or "–",
            ]
            for k in kpis
        ],
        sources=PLAN,
        method="as stored in the plan.",
        empty_reason="the plan has no KPIs yet; add them in the plan editor.",
    )
    status = Table.of(
        "Where each KPI stands",
        ["Id", "Latest", "Progress to target", "Expected by now", "Status"],
        [
            [
                s.kpi,
                f"{s.latest.value:g} ({s.latest.date})" if s.latest else "no observation",
                s.progress,
                s.expected,
                s.status,
            ]
            for s in statuses
        ],
        sources=COMPUTED,
        method="progress is the share of the way from baseline to target; expected is the "
        "share of the time from baseline to target date that has passed (bioconnect's KPI "
        "status rule, docs/outcomes.md).",
        empty_reason="the plan has no KPIs yet.",
    )
    return definitions, status


def _forecasts(engine: Engine, stored: StoredPlan) -> tuple[Table, list[Figure]]:
    from bioconnect.services.outcomes import kpi_view

    rows, figures = [], []
    for k in stored.plan.kpis:
        view = kpi_view(engine, k.id, region=stored.plan.region)
        f = view.forecast
        why = f.assumptions if f is not None else (view.forecast_problem or "–")
        rows.append([k.id, f"{f.probability:.0%}" if f else "–", f.method if f else "–", why])
        if f is not None and view.fan_spec is not None:
            figures.append(
                chart(
                    view.fan_spec,
                    f"Forecast of {k.name} against its target",
                    sources=COMPUTED,
                    method=f"{f.method}: {f.n_paths:,} simulated paths (seed {f.seed}); the fan "
                    "shows the 10th–90th and 25th–75th percentiles.",
                )
            )
    table = Table.of(
        "Forecasts: the chance of meeting each target",
        ["Id", "P(target met)", "Method", "Assumptions, or why there is no forecast"],
        rows,
        sources=COMPUTED,
        method="Monte Carlo forecasts from the baseline and the observations (docs/outcomes.md).",
        empty_reason="the plan has no KPIs yet.",
    )
    return table, figures


def _logframe(stored: StoredPlan) -> list[dict[str, Any]]:
    plan, config = stored.plan, stored.config
    goals = {g.id: g for g in plan.goals}
    kpis = {k.id: k for k in plan.kpis}
    frames = []
    for pillar in config.pillars:
        items = [i for i in plan.initiatives if i.pillar == pillar.id]
        if not items:
            continue
        linked_goals = sorted({g for i in items for g in i.goals if g in goals})
        linked_kpis = sorted({k for i in items for k in i.kpis if k in kpis})
        frames.append(
            {
                "label": pillar.label,
                "table": Table.of(
                    f"Logical framework of the pillar {pillar.label}",
                    ["Level", "Description", "Indicators", "Sources of verification"],
                    [
                        [
                            "Goals (impact)",
                            "; ".join(goals[g].title for g in linked_goals) or "–",
                            "",
                            "",
                        ],
                        [
                            "Initiatives (outputs)",
                            "; ".join(f"{i.id} {i.title}" for i in items),
                            "; ".join(kpis[k].name for k in linked_kpis) or "none linked",
                            "; ".join(
                                sorted({kpis[k].source for k in linked_kpis if kpis[k].source})
                            )
                            or "–",
                        ],
                        [
                            "Assumptions and risks",
                            "; ".join(sorted({r for i in items for r in i.risks})) or "none stated",
                            "",
                            "",
                        ],
                    ],
                    sources=PLAN,
                    method="the plan's links from initiatives to goals and KPIs.",
                ),
            }
        )
    return frames


def evaluation_document(
    engine: Engine, preset: Preset, created: str, version: int, progress: Progress
) -> ReportDocument:
    """The evaluation and dissemination plan of ``preset``'s stored plan."""
    from bioconnect.services.outcomes import kpi_statuses

    progress.start(5, "evaluation plan")
    stored = stored_plan(engine, preset, "evaluation plan")
    progress.step("KPI status")
    statuses = kpi_statuses(engine, region=stored.plan.region)
    definitions, status = _kpi_tables(stored, statuses)
    progress.step("forecasts")
    forecasts, fans = _forecasts(engine, stored)
    progress.step("logical framework")
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s.status] = counts.get(s.status, 0) + 1
    figures = {f"KPIs {k}": str(v) for k, v in sorted(counts.items())}
    figures["KPIs"] = str(len(stored.plan.kpis))
    return ReportDocument(
        kind="evaluation",
        title=f"Evaluation and dissemination plan: {stored.plan.name}",
        subtitle=f"{preset.label}: {len(stored.plan.kpis)} KPIs, their status and forecasts, "
        "and the evaluation questions per pillar.",
        created=created,
        parameters={"preset": preset.name},
        data_version=version,
        content={
            "preset": preset,
            "plan": stored.plan,
            "definitions": definitions,
            "status": status,
            "by_status": counts,
            "forecasts": forecasts,
            "fans": fans,
            "logframe": _logframe(stored),
            "questions": [q.format(pillar="pillar's") for q in stored.config.evaluation_questions],
        },
        sources=tuple(stored.sources.values()),
        key_figures=figures,
        example=stored.plan.example,
    )
