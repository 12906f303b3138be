"""Opinion groups, representative statements and consensus of a stored consultation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from bioconnect.dialogue import (
    NOT_CLUSTERED,
    OpinionGroups,
    consensus_statements,
    group_informed_consensus,
    opinion_groups,
    representative_statements,
    stakeholder_consensus,
    statement_stats,
    vote_matrix,
    weighted_agreement,
)
from bioconnect.errors import ConflictError
from bioconnect.services.dialogue.consultations import (
    consultation_summary,
    load_export,
    stakeholder_groups,
)
from bioconnect.services.dialogue.models import (
    ConsensusItem,
    ConsensusResult,
    ConsultationReport,
    GroupReport,
    GroupsResult,
    ParticipantGroup,
    RepresentativeStatement,
    StatementSupport,
)


@dataclass(frozen=True)
class _Computed:
    groups: OpinionGroups
    texts: dict[int, str]
    moderated_out: list[int]
    stakeholders: list[str]


def _compute(engine: Engine, name: str) -> _Computed:
    export = load_export(engine, name)
    if not export.votes:
        raise ConflictError(f"The consultation {name!r} has no votes yet.", "Collect votes first.")
    matrix = vote_matrix(
        [v.participant for v in export.votes],
        [v.statement for v in export.votes],
        [v.vote for v in export.votes],
    )
    out = [s.statement for s in export.statements if s.moderation == -1]
    groups = opinion_groups(matrix, moderated_out=out)
    known = stakeholder_groups(engine, name)
    return _Computed(
        groups=groups,
        texts={s.statement: s.text for s in export.statements},
        moderated_out=out,
        stakeholders=[known.get(p) or "" for p in matrix.participants],
    )


def consultation_groups(engine: Engine, name: str) -> GroupsResult:
    """The opinion groups of consultation ``name``, Pol.is's way (see docs/dialogue.md)."""
    c = _compute(engine, name)
    g = c.groups
    return GroupsResult(
        consultation=name,
        n_groups=g.n_groups,
        clustered=int(g.clustered.sum()),
        sizes=[int((g.group == k).sum()) for k in range(g.n_groups)],
        silhouettes={k: round(v, 6) for k, v in g.silhouettes.items()},
        participants=[
            ParticipantGroup(
                participant=pid,
                group=None if g.group[i] == NOT_CLUSTERED else int(g.group[i]),
                x=float(g.positions[i, 0]),
                y=float(g.positions[i, 1]),
                stakeholder_group=c.stakeholders[i] or None,
            )
            for i, pid in enumerate(g.matrix.participants)
        ],
    )


def _support(c: _Computed, weights: Mapping[str, float]) -> list[StatementSupport]:
    g = c.groups
    values = g.matrix.values
    gic = group_informed_consensus(values, g.group)
    per_group = {k: statement_stats(values, g.group == k).pa for k in range(g.n_groups)}
    has_stakeholders = any(c.stakeholders)
    across = stakeholder_consensus(values, c.stakeholders) if has_stakeholders else None
    weighted = (
        weighted_agreement(values, c.stakeholders, weights)["agree"] if has_stakeholders else None
    )
    labels = sorted({h for h in c.stakeholders if h})
    per_holder = {h: statement_stats(values, np.array(c.stakeholders) == h).pa for h in labels}
    rows = []
    for j, sid in enumerate(g.matrix.statements):
        if sid in c.moderated_out:
            continue
        rows.append(
            StatementSupport(
                statement=sid,
                text=c.texts.get(sid, ""),
                group_informed_consensus=float(gic[j]),
                agree_by_group={k: float(v[j]) for k, v in per_group.items()},
                stakeholder_consensus=None if across is None else float(across[j]),
                weighted_agree=None if weighted is None else float(weighted[j]),
                agree_by_stakeholder={h: float(v[j]) for h, v in per_holder.items()},
            )
        )
    return sorted(rows, key=lambda r: -r.group_informed_consensus)


def _consensus(c: _Computed, name: str, weights: Mapping[str, float]) -> ConsensusResult:
    g = c.groups
    found = consensus_statements(g.rating, g.matrix.statements, moderated_out=c.moderated_out)

    def items(direction: str) -> list[ConsensusItem]:
        return [
            ConsensusItem(text=c.texts.get(s.statement, ""), **vars(s)) for s in found[direction]
        ]

    return ConsensusResult(
        consultation=name,
        agree=items("agree"),
        disagree=items("disagree"),
        statements=_support(c, weights),
        stakeholder_weights={
            h: float(weights.get(h, 1.0)) for h in sorted({h for h in c.stakeholders if h})
        },
    )


def consultation_consensus(
    engine: Engine, name: str, *, weights: Mapping[str, float] | None = None
) -> ConsensusResult:
    """Overall consensus, group-informed consensus, and support by stakeholder group.

    ``weights`` weighs stakeholder groups (equal by default) in ``weighted_agree``.
    """
    return _consensus(_compute(engine, name), name, weights or {})


def consultation_report(
    engine: Engine, name: str, *, weights: Mapping[str, float] | None = None
) -> ConsultationReport:
    """Groups with their representative statements, and the consensus."""
    c = _compute(engine, name)
    g = c.groups
    reps = representative_statements(
        g.rating, g.group, g.matrix.statements, moderated_out=c.moderated_out
    )
    return ConsultationReport(
        summary=consultation_summary(engine, name),
        n_groups=g.n_groups,
        groups=[
            GroupReport(
                group=k,
                size=int((g.group == k).sum()),
                representative=[
                    RepresentativeStatement(group=k, text=c.texts.get(r.statement, ""), **vars(r))
                    for r in reps.get(k, [])
                ],
            )
            for k in range(g.n_groups)
        ],
        consensus=_consensus(c, name, weights or {}),
    )


def group_of_each_participant(engine: Engine, name: str) -> dict[int, int | None]:
    """Participant id → opinion group (``None`` when not clustered), for exports."""
    return {p.participant: p.group for p in consultation_groups(engine, name).participants}


def overall_support(engine: Engine, name: str, statement: int) -> tuple[int, int, float, float]:
    """Agrees, votes, Pol.is's smoothed agree share ``pa`` and its z ``pat`` for one statement."""
    c = _compute(engine, name)
    m = c.groups.matrix
    if statement not in m.statements:
        raise ConflictError(
            f"Statement {statement} has no votes in {name!r}.", "Pick a voted statement."
        )
    j = m.statements.index(statement)
    s = statement_stats(c.groups.rating[:, [j]])
    return int(s.na[0]), int(s.ns[0]), float(s.pa[0]), float(s.pat[0])
