"""Delphi studies' and surveys' REST API under ``/api/v1/dialogue/delphi`` and
``/api/v1/dialogue/surveys``.

Readers (viewers and above) see studies, surveys and their aggregates only. Stakeholders
rate the open round and answer open surveys (the last answer counts) and read their own
form. Editors and admins create studies and surveys, open and close rounds and surveys,
read every individual answer, and propose Delphi items with consensus as plan goals.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Body, Path, Request
from pydantic import Field

from bioconnect.services.dialogue.delphi import (
    close_round,
    create_study,
    delphi_form,
    delphi_ratings,
    delphi_results,
    list_studies,
    open_round,
    record_ratings,
    study_summary,
)
from bioconnect.services.dialogue.delphi_goals import propose_delphi_goal
from bioconnect.services.dialogue.round_models import (
    DelphiForm,
    DelphiGoalProposal,
    DelphiRatingOut,
    DelphiResults,
    DelphiStudySummary,
    Option,
    QuestionIn,
    SurveyAnswerOut,
    SurveyForm,
    SurveyResults,
    SurveySummary,
)
from bioconnect.services.dialogue.surveys import (
    create_survey,
    list_surveys,
    record_answers,
    set_survey_status,
    survey_answers,
    survey_form,
    survey_results,
    survey_summary,
)
from bioconnect.services.text_rules import NonBlankText
from bioconnect.web.routing import (
    Editor,
    Reader,
    RequestBody,
    Stakeholder,
    api_router,
    engine_of,
    preset_of,
)

router = api_router(prefix="/dialogue", tags=["dialogue"])

_NAME = r"^[a-z0-9._-]+$"
Study = Annotated[str, Path(max_length=100, pattern=_NAME, description="The study's name.")]
SurveyName = Annotated[str, Path(max_length=100, pattern=_NAME, description="The survey's name.")]


class StudyIn(RequestBody):
    name: str = Field(
        max_length=100, pattern=_NAME, description="Lower-case letters, digits, . - _"
    )
    title: NonBlankText = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    items: list[Annotated[NonBlankText, Field(max_length=1000)]] = Field(
        min_length=1, max_length=60, description="The items to rate 1–9."
    )


class RoundIn(RequestBody):
    action: Literal["open", "close"] = Field(
        description="open: open the next round (closing the open one); close: close it."
    )


class RatingIn(RequestBody):
    item: int = Field(ge=1, le=1000)
    rating: int = Field(ge=1, le=9, description="1 = not important … 9 = very important.")


class RatingsIn(RequestBody):
    round: int | None = Field(
        default=None, ge=1, le=1000, description="The open round (checked when given)."
    )
    ratings: list[RatingIn] = Field(min_length=1, max_length=60)


class DelphiGoalIn(RequestBody):
    item: int = Field(ge=1, le=1000, description="An item with consensus in its latest round.")


class SurveyIn(RequestBody):
    name: str = Field(max_length=100, pattern=_NAME)
    title: NonBlankText = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    questions: list[QuestionIn] = Field(min_length=1, max_length=40)


class SurveyStatusIn(RequestBody):
    status: Literal["draft", "open", "closed"]


class AnswerIn(RequestBody):
    question: int = Field(ge=1, le=1000)
    answer: int | Annotated[NonBlankText, Field(max_length=2000)] | list[Option] = Field(
        description="An option (single choice), options (multiple choice; ranking, best "
        "first), a level (Likert) or text (open question)."
    )


class AnswersIn(RequestBody):
    answers: list[AnswerIn] = Field(min_length=1, max_length=40)


# ------------------------------------------------------------------------------ Delphi


@router.get("/delphi", response_model=list[DelphiStudySummary])
def studies(request: Request, user: Reader) -> list[DelphiStudySummary]:
    """Every Delphi study, with its items and rounds."""
    return list_studies(engine_of(request))


@router.post("/delphi", response_model=DelphiStudySummary, status_code=201)
def new_study(
    request: Request, user: Editor, body: Annotated[StudyIn, Body()]
) -> DelphiStudySummary:
    """Create a study with its items (no round is open yet)."""
    return create_study(
        engine_of(request),
        body.name,
        title=body.title,
        description=body.description,
        items=body.items,
        actor=user.username,
    )


@router.get("/delphi/{study}", response_model=DelphiStudySummary)
def study(request: Request, study: Study, user: Reader) -> DelphiStudySummary:
    """A study's items, rounds and status."""
    return study_summary(engine_of(request), study)


@router.post("/delphi/{study}/rounds", response_model=DelphiStudySummary)
def rounds(
    request: Request, study: Study, user: Editor, body: Annotated[RoundIn, Body()]
) -> DelphiStudySummary:
    """Open the next round, or close the open one."""
    act = open_round if body.action == "open" else close_round
    return act(engine_of(request), study, actor=user.username)


@router.get("/delphi/{study}/form", response_model=DelphiForm)
def form(request: Request, study: Study, user: Stakeholder) -> DelphiForm:
    """Your form: each item with your answers and the last round's feedback."""
    return delphi_form(engine_of(request), study, user_id=user.id)


@router.post("/delphi/{study}/ratings", response_model=DelphiForm)
def rate(
    request: Request, study: Study, user: Stakeholder, body: Annotated[RatingsIn, Body()]
) -> DelphiForm:
    """Rate items in the open round (all or none are recorded); your last rating counts."""
    return record_ratings(
        engine_of(request),
        study,
        {r.item: r.rating for r in body.ratings},
        user_id=user.id,
        username=user.username,
        round_no=body.round,
    )


@router.get("/delphi/{study}/results", response_model=DelphiResults)
def results(request: Request, study: Study, user: Reader) -> DelphiResults:
    """Per round and item: median, IQR, consensus, stability; Kendall's W (aggregates)."""
    return delphi_results(engine_of(request), study)


@router.get("/delphi/{study}/ratings", response_model=list[DelphiRatingOut])
def ratings(request: Request, study: Study, user: Editor) -> list[DelphiRatingOut]:
    """Every panellist's ratings (editors and admins)."""
    return delphi_ratings(engine_of(request), study)


@router.post("/delphi/{study}/goals", response_model=DelphiGoalProposal)
def propose(
    request: Request, study: Study, user: Editor, body: Annotated[DelphiGoalIn, Body()]
) -> DelphiGoalProposal:
    """Propose an item with consensus as a plan goal, in the plan's inbox with its evidence."""
    return propose_delphi_goal(
        engine_of(request), study, body.item, actor=user.username, region=preset_of(request)
    )


# ----------------------------------------------------------------------------- surveys


@router.get("/surveys", response_model=list[SurveySummary])
def surveys(request: Request, user: Reader) -> list[SurveySummary]:
    """Every survey, with its questions."""
    return list_surveys(engine_of(request))


@router.post("/surveys", response_model=SurveySummary, status_code=201)
def new_survey(request: Request, user: Editor, body: Annotated[SurveyIn, Body()]) -> SurveySummary:
    """Create a survey (a draft) with its questions."""
    return create_survey(
        engine_of(request),
        body.name,
        title=body.title,
        description=body.description,
        questions=body.questions,
        actor=user.username,
    )


@router.get("/surveys/{survey}", response_model=SurveySummary)
def survey(request: Request, survey: SurveyName, user: Reader) -> SurveySummary:
    """A survey's status and questions."""
    return survey_summary(engine_of(request), survey)


@router.post("/surveys/{survey}/status", response_model=SurveySummary)
def status(
    request: Request, survey: SurveyName, user: Editor, body: Annotated[SurveyStatusIn, Body()]
) -> SurveySummary:
    """Open, close or return a survey to draft."""
    return set_survey_status(engine_of(request), survey, body.status, actor=user.username)


@router.get("/surveys/{survey}/form", response_model=SurveyForm)
def survey_own_form(request: Request, survey: SurveyName, user: Stakeholder) -> SurveyForm:
    """The survey and your own answers so far."""
    return survey_form(engine_of(request), survey, user_id=user.id)


@router.post("/surveys/{survey}/answers", response_model=SurveyForm)
def answer(
    request: Request, survey: SurveyName, user: Stakeholder, body: Annotated[AnswersIn, Body()]
) -> SurveyForm:
    """Answer questions of an open survey (all or none are recorded); your last answer counts."""
    return record_answers(
        engine_of(request),
        survey,
        {a.question: a.answer for a in body.answers},
        user_id=user.id,
        username=user.username,
    )


@router.get("/surveys/{survey}/results", response_model=SurveyResults)
def survey_aggregates(request: Request, survey: SurveyName, user: Reader) -> SurveyResults:
    """Counts, Likert distributions, Borda and Schulze rankings (aggregates only)."""
    return survey_results(engine_of(request), survey)


@router.get("/surveys/{survey}/answers", response_model=list[SurveyAnswerOut])
def answers(request: Request, survey: SurveyName, user: Editor) -> list[SurveyAnswerOut]:
    """Every individual answer, open text included (editors and admins)."""
    return survey_answers(engine_of(request), survey)
