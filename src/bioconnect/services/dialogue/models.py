"""The read models the dialogue services return (and the API will use as response models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ConsultationSummary(_Frozen):
    """A stored consultation and its size."""

    name: str
    title: str
    status: str
    source: str | None
    statements: int
    participants: int
    votes: int
    vote_events: int


class ParticipantGroup(_Frozen):
    """A participant's opinion group (``None`` when not clustered) and map position."""

    participant: int
    group: int | None
    x: float
    y: float
    stakeholder_group: str | None = None


class GroupsResult(_Frozen):
    """The opinion groups of a consultation."""

    consultation: str
    n_groups: int
    clustered: int
    sizes: list[int]
    silhouettes: dict[int, float]
    participants: list[ParticipantGroup]


class RepresentativeStatement(_Frozen):
    """A statement that represents one opinion group (Pol.is's figures)."""

    group: int
    statement: int
    text: str
    repful_for: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool


class ConsensusItem(_Frozen):
    """A statement most participants agree (or disagree) with."""

    statement: int
    text: str
    direction: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


class StatementSupport(_Frozen):
    """One statement's support across opinion groups and across stakeholder groups."""

    statement: int
    text: str
    group_informed_consensus: float
    agree_by_group: dict[int, float]
    stakeholder_consensus: float | None
    weighted_agree: float | None
    agree_by_stakeholder: dict[str, float]


class ConsensusResult(_Frozen):
    """Overall consensus, and every statement's group-informed and stakeholder support."""

    consultation: str
    agree: list[ConsensusItem]
    disagree: list[ConsensusItem]
    statements: list[StatementSupport]
    stakeholder_weights: dict[str, float]


class GroupReport(_Frozen):
    """One opinion group: its size and representative statements."""

    group: int
    size: int
    representative: list[RepresentativeStatement]


class ConsultationReport(_Frozen):
    """Everything a coordinator reads about a consultation."""

    summary: ConsultationSummary
    n_groups: int
    groups: list[GroupReport]
    consensus: ConsensusResult


class GoalProposal(_Frozen):
    """A consensus statement proposed as a plan goal, waiting in the plan's inbox."""

    item_id: str
    consultation: str
    statement: int
    title: str
    evidence: str
