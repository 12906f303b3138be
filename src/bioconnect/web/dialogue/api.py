"""Consultations' REST API under ``/api/v1/dialogue``.

Readers (viewers and above) see consultations and aggregates only: the report (opinion
groups' sizes and representative statements) and the consensus. Stakeholders vote on open
consultations. Editors and admins see individual participants (their groups and map
positions) and propose consensus statements as plan goals.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Body, Path, Request
from pydantic import BaseModel, Field

from bioconnect.services.dialogue import (
    ConsensusResult,
    ConsultationReport,
    ConsultationSummary,
    GoalProposal,
    GroupsResult,
    Participation,
    consultation_consensus,
    consultation_groups,
    consultation_report,
    consultation_summary,
    list_consultations,
    participation,
    propose_goal,
    record_account_vote,
)
from bioconnect.web.routing import Editor, Reader, RequestBody, Stakeholder, api_router, engine_of

router = api_router(prefix="/dialogue", tags=["dialogue"])

Name = Annotated[
    str, Path(max_length=100, pattern=r"^[a-z0-9._-]+$", description="The consultation's name.")
]


class VoteIn(RequestBody):
    statement: int = Field(ge=0, le=2_000_000_000, description="The statement's id.")
    vote: Literal[-1, 0, 1] = Field(description="1 agree, -1 disagree, 0 pass.")


class VoteOut(BaseModel):
    consultation: str
    participant: int = Field(description="The participant id the signed-in user votes as.")
    statement: int
    vote: int


class GoalIn(RequestBody):
    statement: int = Field(ge=0, le=2_000_000_000, description="A statement with consensus.")


@router.get("/consultations", response_model=list[ConsultationSummary])
def consultations(request: Request, user: Reader) -> list[ConsultationSummary]:
    """Every consultation, with its status and size."""
    return list_consultations(engine_of(request))


@router.get("/consultations/{name}", response_model=ConsultationSummary)
def consultation(request: Request, name: Name, user: Reader) -> ConsultationSummary:
    """One consultation's status and size."""
    return consultation_summary(engine_of(request), name)


@router.get("/consultations/{name}/report", response_model=ConsultationReport)
def report(request: Request, name: Name, user: Reader) -> ConsultationReport:
    """Opinion groups (sizes, representative statements) and consensus: aggregates only."""
    return consultation_report(engine_of(request), name)


@router.get("/consultations/{name}/consensus", response_model=ConsensusResult)
def consensus(request: Request, name: Name, user: Reader) -> ConsensusResult:
    """Consensus overall, across opinion groups and across stakeholder groups."""
    return consultation_consensus(engine_of(request), name)


@router.get("/consultations/{name}/participation", response_model=Participation)
def participation_over_time(request: Request, name: Name, user: Reader) -> Participation:
    """Participants voting and votes per week, by stakeholder group and by country."""
    return participation(engine_of(request), name)


@router.get("/consultations/{name}/groups", response_model=GroupsResult)
def groups(request: Request, name: Name, user: Editor) -> GroupsResult:
    """Each participant's opinion group and map position (editors and admins)."""
    return consultation_groups(engine_of(request), name)


@router.post("/consultations/{name}/votes", response_model=VoteOut)
def vote(
    request: Request, name: Name, user: Stakeholder, body: Annotated[VoteIn, Body()]
) -> VoteOut:
    """Vote on a statement of an open consultation; your last vote counts."""
    participant = record_account_vote(
        engine_of(request),
        name,
        user_id=user.id,
        username=user.username,
        statement=body.statement,
        vote=body.vote,
    )
    return VoteOut(
        consultation=name, participant=participant, statement=body.statement, vote=body.vote
    )


@router.post("/consultations/{name}/goals", response_model=GoalProposal)
def propose(
    request: Request, name: Name, user: Editor, body: Annotated[GoalIn, Body()]
) -> GoalProposal:
    """Propose a consensus statement as a plan goal, in the plan's inbox with its evidence."""
    region = str(request.app.state.preset.name)
    return propose_goal(
        engine_of(request), name, body.statement, actor=user.username, region=region
    )
