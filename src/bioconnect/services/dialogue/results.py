"""Everything the results page shows, in one read model: the summary, the report (opinion
groups, representative statements, consensus), support across stakeholder groups,
participation over time, and the charts' Vega-Lite specifications.

The opinion map places each participant, so it is filled only when ``individual`` is true
(the page asks for it for editors and admins).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bioconnect.charts.dialogue import opinion_map_chart, participation_chart
from bioconnect.services.dialogue.analysis import consultation_groups, consultation_report
from bioconnect.services.dialogue.consultations import consultation_summary
from bioconnect.services.dialogue.models import (
    ConsultationReport,
    ConsultationSummary,
    Participation,
    StatementSupport,
    _Frozen,
)
from bioconnect.services.dialogue.moderation import participation

#: Rows of the stakeholder-consensus table.
TOP = 10


class ResultsView(_Frozen):
    """The results page of a consultation."""

    summary: ConsultationSummary
    report: ConsultationReport | None
    stakeholders: list[str]
    by_stakeholder: list[StatementSupport]
    participation: Participation
    participation_spec: dict[str, Any]
    map_spec: dict[str, Any] | None


def consultation_results(engine: Engine, name: str, *, individual: bool) -> ResultsView:
    """The results of consultation ``name``; the opinion map only when ``individual``."""
    summary = consultation_summary(engine, name)
    taking = participation(engine, name)
    spec = participation_chart(
        [r.model_dump() for r in taking.by_stakeholder_group],
        "Participants voting per week",
        "by stakeholder group",
    )
    if summary.votes == 0:
        return ResultsView(
            summary=summary,
            report=None,
            stakeholders=[],
            by_stakeholder=[],
            participation=taking,
            participation_spec=spec,
            map_spec=None,
        )
    report = consultation_report(engine, name)
    map_spec = None
    if individual:
        groups = consultation_groups(engine, name)
        map_spec = opinion_map_chart(
            [p.model_dump() for p in groups.participants],
            f"Opinion map: {summary.title}",
            f"{groups.clustered} participants in {groups.n_groups} groups; grey: not grouped",
        )
    ranked = sorted(
        (s for s in report.consensus.statements if s.stakeholder_consensus is not None),
        key=lambda s: -(s.stakeholder_consensus or 0.0),
    )
    return ResultsView(
        summary=summary,
        report=report,
        stakeholders=sorted(report.consensus.stakeholder_weights),
        by_stakeholder=ranked[:TOP],
        participation=taking,
        participation_spec=spec,
        map_spec=map_spec,
    )
