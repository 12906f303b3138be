"""The read models of Delphi studies and surveys (the API uses them as response models)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bioconnect.services.readmodel import ReadModel
from bioconnect.services.text_rules import NonBlankText, TrimmedLine

#: The question kinds a survey may hold.
QuestionKind = Literal["single", "multiple", "likert", "ranking", "text"]
#: An answer as stored: an option, a Likert level, options (multiple choice, ranking), text.
Answer = int | str | list[str]
#: A study's or a survey's state.
Status = Literal["draft", "open", "closed"]

# ------------------------------------------------------------------------------ Delphi


class DelphiItemOut(ReadModel):
    """One rating question of a study."""

    item: int
    text: str


class DelphiStudySummary(ReadModel):
    """A study: its items, its rounds, the open round (if any) and how many rated."""

    name: str
    title: str
    description: str
    status: Status = Field(
        description="draft: no round yet; open: a round takes ratings; closed: none does."
    )
    rounds: int
    open_round: int | None
    panellists: int
    items: list[DelphiItemOut]


class DelphiFeedback(ReadModel):
    """The group's answers to one item in one round (what panellists see next round)."""

    item: int
    round: int
    n: int
    median: float
    q1: float
    q3: float
    iqr: float
    share_high: float = Field(description="Share rating 7–9.")
    share_low: float = Field(description="Share rating 1–3.")
    consensus: bool = Field(description="IQR ≤ 1, or ≥ 70 % rating 7–9 with < 15 % rating 1–3.")


class DelphiFormItem(ReadModel):
    """One item of a panellist's form: their answers and the last round's feedback."""

    item: int
    text: str
    rating: int | None = Field(description="Your rating in the open round (if given).")
    previous: int | None = Field(description="Your rating in the round before.")
    feedback: DelphiFeedback | None = Field(description="The group's answers, round before.")


class DelphiForm(ReadModel):
    """A panellist's form for the open round (``round`` is null when none is open)."""

    study: DelphiStudySummary
    round: int | None
    previous_round: int | None
    items: list[DelphiFormItem]


class ConcordanceOut(ReadModel):
    """Kendall's W over the items, among the panellists who rated every item."""

    w: float = Field(description="Tie-corrected W.")
    w_uncorrected: float
    chi2: float = Field(description="m(n − 1)W, with the tie-corrected W.")
    df: int
    p_value: float
    subjects: int = Field(description="Items (n).")
    raters: int = Field(description="Panellists who rated every item (m).")


class DelphiItemResult(DelphiFeedback):
    """An item in a round: the feedback, consensus and stability against the round before."""

    text: str
    stability: float | None = Field(
        description="Share of panellists (rating both rounds) who moved by at most one point."
    )
    stable: bool | None = Field(description="Stability ≥ 0.85.")


class DelphiRoundResult(ReadModel):
    """One round's results."""

    round: int
    status: Literal["open", "closed"]
    panellists: int
    items: list[DelphiItemResult]
    concordance: ConcordanceOut | None
    concordance_problem: str | None = Field(description="Why W is missing, when it is.")


class DelphiResults(ReadModel):
    """Every round's results; ``consensus_items`` reached consensus in their latest round."""

    study: DelphiStudySummary
    rounds: list[DelphiRoundResult]
    consensus_items: list[int]


class DelphiRatingOut(ReadModel):
    """One panellist's rating (editors and admins only)."""

    round: int
    item: int
    username: str
    rating: int
    rated_at: str


class DelphiGoalProposal(ReadModel):
    """A Delphi item with consensus proposed as a plan goal, waiting in the plan's inbox."""

    item_id: str
    study: str
    item: int
    round: int
    title: str
    evidence: str


# ------------------------------------------------------------------------------ surveys


#: The kinds of question answered with options, which need 2 to 20 of them; the others take none.
CHOICE_KINDS = ("single", "multiple", "ranking")
#: What an option may be: one trimmed line, up to 200 characters (answers repeat it).
Option = Annotated[TrimmedLine, Field(max_length=200)]


class QuestionIn(BaseModel):
    """A question to create (``options`` for choices and rankings; ``levels`` for Likert)."""

    model_config = ConfigDict(
        extra="forbid",  # a request body: unknown fields refused
        # what the survey service checks, said in the schema (it answers 400 otherwise)
        json_schema_extra={
            "oneOf": [
                {
                    "properties": {
                        "kind": {"enum": list(CHOICE_KINDS)},
                        "options": {"minItems": 2},
                    },
                    "required": ["options"],
                },
                {
                    "properties": {
                        "kind": {"not": {"enum": list(CHOICE_KINDS)}},
                        "options": {"maxItems": 0},
                    }
                },
            ]
        },
    )

    kind: QuestionKind
    text: NonBlankText = Field(max_length=1000)
    options: list[Option] = Field(
        default_factory=list, max_length=20, json_schema_extra={"uniqueItems": True}
    )
    levels: int | None = Field(default=None, ge=3, le=11)


class SurveyQuestionOut(ReadModel):
    question: int
    kind: QuestionKind
    text: str
    options: list[str]
    levels: int | None


class SurveySummary(ReadModel):
    """A survey with its questions and how many answered."""

    name: str
    title: str
    description: str
    status: Status
    respondents: int
    questions: list[SurveyQuestionOut]


class SurveyForm(ReadModel):
    """A respondent's form: the survey and their own answers so far."""

    survey: SurveySummary
    answers: dict[int, Answer]


class LikertOut(ReadModel):
    counts: list[int] = Field(description="Answers per level, 1 first.")
    median: float
    top_two: float
    bottom_two: float


class QuestionResult(ReadModel):
    """Aggregates of one question (open text: only how many answered)."""

    question: int
    kind: QuestionKind
    text: str
    respondents: int
    counts: dict[str, int] | None = None
    likert: LikertOut | None = None
    borda: dict[str, float] | None = Field(default=None, description="Points, highest first.")
    schulze: list[str] | None = Field(default=None, description="Winner first.")


class SurveyResults(ReadModel):
    survey: SurveySummary
    questions: list[QuestionResult]


class SurveyAnswerOut(ReadModel):
    """One respondent's answer (editors and admins only)."""

    question: int
    username: str
    answer: Answer
    answered_at: str
