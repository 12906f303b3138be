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


class Voter(_Frozen):
    """Who votes: an invited participant (by link) or a signed-in stakeholder."""

    consultation: str | None
    participant: int
    label: str
    via: str
    actor: str
    xid: str
    profile: dict[str, str | None] = {}


class Invitation(_Frozen):
    """An invitation link (never its token): who it is for and whether it still works."""

    id: int
    consultation: str
    participant: int
    label: str
    stakeholder_group: str | None
    country: str | None
    org_id: str | None
    created_at: str
    created_by: str
    expires_at: str | None
    state: str


class InvitationCreated(_Frozen):
    """A new invitation and its token: shown once, stored only hashed."""

    invitation: Invitation
    token: str
    path: str


class ShownStatement(_Frozen):
    """A statement as a participant sees it."""

    statement: int
    text: str


class VotingView(_Frozen):
    """What the voting page shows a participant: the next statement and the progress."""

    consultation: str
    title: str
    description: str
    status: str
    participant: int
    next: ShownStatement | None
    voted: int
    shown: int
    pending_own: int


class MyVote(_Frozen):
    """A participant's vote on one statement (the last one counts)."""

    statement: int
    text: str
    vote: int
    voted_ms: int | None


class PendingStatement(_Frozen):
    """A statement waiting in the moderation queue."""

    statement: int
    text: str
    author: int | None
    created_ms: int | None


class ParticipationRow(_Frozen):
    """Participants who voted and votes cast, in one week, by one stakeholder group or country."""

    week: str
    by: str
    value: str
    participants: int
    votes: int


class Participation(_Frozen):
    """Participation over time by stakeholder group and by country (``unknown`` when not known)."""

    consultation: str
    by_stakeholder_group: list[ParticipationRow]
    by_country: list[ParticipationRow]
    totals_by_stakeholder_group: dict[str, int]
    totals_by_country: dict[str, int]
