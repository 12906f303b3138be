"""Surveys in the store: single and multiple choice, Likert, ranking and open-text questions.

An editor creates a survey (a draft), opens it and closes it. A signed-in stakeholder
answers the open survey; their last answer to a question counts. The results are the
aggregates of :mod:`bioconnect.dialogue.survey`: counts per option, the Likert
distribution, and rankings by Borda count and by the Schulze method. Open-text answers
are counted there; only editors read them (with every other individual answer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select

from bioconnect.charts.delphi import choice_chart, likert_chart, ranking_chart
from bioconnect.dialogue import borda, choice_counts, likert_summary, schulze
from bioconnect.errors import ConflictError, InputError, NotFoundError
from bioconnect.services.accounts import audit
from bioconnect.services.dialogue.delphi import (
    MAX_DESCRIPTION,
    MAX_TEXT,
    MAX_TITLE,
    check_name,
    check_text,
    retry_on_conflict,
)
from bioconnect.services.dialogue.round_models import (
    CHOICE_KINDS,
    Answer,
    LikertOut,
    QuestionIn,
    QuestionResult,
    Status,
    SurveyAnswerOut,
    SurveyForm,
    SurveyQuestionOut,
    SurveyResults,
    SurveySummary,
)
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import dialogue_rounds_tables as tables
from bioconnect.store import schema
from bioconnect.store.database import transaction

SURVEY = schema.table(tables.Survey)
QUESTION = schema.table(tables.SurveyQuestion)
ANSWER = schema.table(tables.SurveyAnswer)
STATUSES: tuple[Status, ...] = ("draft", "open", "closed")
#: Longest open-text answer and option, in characters; most questions and options.
MAX_ANSWER, MAX_OPTION, MAX_QUESTIONS, MAX_OPTIONS = 2000, 200, 40, 20
LIKERT_LEVELS = 5


def _survey_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(SURVEY.c.id).where(SURVEY.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(f"No survey named {name!r}.", "See the list at /dialogue/surveys.")
    return int(found)


def _checked_question(number: int, q: QuestionIn) -> SurveyQuestionOut:
    text = check_text(q.text, f"text of question {number}", MAX_TEXT)
    options = [check_text(o, f"option of question {number}", MAX_OPTION) for o in q.options]
    if q.kind in CHOICE_KINDS and not 2 <= len(options) <= MAX_OPTIONS:
        raise InputError(
            f"Question {number} ({q.kind}) has {len(options)} options; it needs 2 to {MAX_OPTIONS}.",
            "Give one option per line.",
        )
    if len(set(options)) != len(options):
        raise InputError(f"Question {number} repeats an option.", "Give each option once.")
    if q.kind not in CHOICE_KINDS and options:
        raise InputError(
            f"Question {number} ({q.kind}) takes no options.", "Leave its options empty."
        )
    levels = (q.levels or LIKERT_LEVELS) if q.kind == "likert" else None
    return SurveyQuestionOut(
        question=number, kind=q.kind, text=text, options=options, levels=levels
    )


def create_survey(
    engine: Engine,
    name: str,
    *,
    title: str,
    questions: Sequence[QuestionIn],
    actor: str,
    description: str = "",
) -> SurveySummary:
    """Store a new survey (a draft) with its questions, numbered from 1."""
    check_name(name, "survey")
    title = check_text(title, "title", MAX_TITLE)
    description = check_text(description, "description", MAX_DESCRIPTION, required=False)
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise InputError(
            f"A survey needs 1 to {MAX_QUESTIONS} questions; {len(questions)} were given.",
            "Write at least one question.",
        )
    checked = [_checked_question(i, q) for i, q in enumerate(questions, 1)]
    with transaction(engine) as conn:
        if conn.execute(select(SURVEY.c.id).where(SURVEY.c.name == name)).scalar() is not None:
            raise ConflictError(f"A survey named {name!r} exists already.", "Pick another name.")
        inserted = conn.execute(
            SURVEY.insert().values(
                name=name,
                title=title,
                description=description,
                status="draft",
                created_at=schema.utcnow(),
                created_by=actor,
            )
        ).inserted_primary_key
        assert inserted is not None
        conn.execute(
            QUESTION.insert(),
            [
                {
                    "survey_id": inserted[0],
                    "question": q.question,
                    "kind": q.kind,
                    "text": q.text,
                    "options": json.dumps(q.options),
                    "levels": q.levels,
                }
                for q in checked
            ],
        )
        audit(conn, actor, "create", "survey", name, f'{{"questions": {len(checked)}}}')
    return survey_summary(engine, name)


def _questions(conn: Connection, sid: int) -> list[SurveyQuestionOut]:
    rows = conn.execute(
        select(QUESTION).where(QUESTION.c.survey_id == sid).order_by(QUESTION.c.question)
    )
    return [
        SurveyQuestionOut(
            question=r.question,
            kind=r.kind,
            text=r.text,
            options=json.loads(r.options),
            levels=r.levels,
        )
        for r in rows
    ]


def _summary(conn: Connection, name: str) -> SurveySummary:
    sid = _survey_id(conn, name)
    head = conn.execute(select(SURVEY).where(SURVEY.c.id == sid)).one()
    respondents = conn.execute(
        select(ANSWER.c.user_id).where(ANSWER.c.survey_id == sid).distinct()
    ).all()
    return SurveySummary(
        name=head.name,
        title=head.title,
        description=head.description,
        status=head.status,
        respondents=len(respondents),
        questions=_questions(conn, sid),
    )


def survey_summary(engine: Engine, name: str) -> SurveySummary:
    """A survey's status, questions and number of respondents."""
    with engine.connect() as conn:
        return _summary(conn, name)


def list_surveys(engine: Engine) -> list[SurveySummary]:
    """Every survey, by name."""
    with engine.connect() as conn:
        names = conn.execute(select(SURVEY.c.name).order_by(SURVEY.c.name)).scalars().all()
        return [_summary(conn, n) for n in names]


def set_survey_status(engine: Engine, name: str, status: str, *, actor: str) -> SurveySummary:
    """Move a survey to ``draft``, ``open`` or ``closed`` (audited)."""
    if status not in STATUSES:
        raise InputError(f"Unknown status {status!r}.", f"Use one of: {', '.join(STATUSES)}.")
    with transaction(engine) as conn:
        sid = _survey_id(conn, name)
        conn.execute(SURVEY.update().where(SURVEY.c.id == sid).values(status=status))
        audit(conn, actor, "status", "survey", name, f'{{"status": "{status}"}}')
    return survey_summary(engine, name)


def _options(q: SurveyQuestionOut, answer: object, *, many: bool) -> list[str]:
    picked = answer if isinstance(answer, list) else None
    if picked is None or not picked or (not many and len(picked) != 1):
        raise ConflictError(
            f"Question {q.question} needs {'one or more options' if many else 'one option'}.",
            f"Choose from: {', '.join(q.options)}.",
        )
    if len(set(picked)) != len(picked) or not set(picked) <= set(q.options):
        raise ConflictError(
            f"The answer to question {q.question} repeats an option or names one it lacks.",
            f"Choose from: {', '.join(q.options)}.",
        )
    return [str(p) for p in picked]


def check_answer(q: SurveyQuestionOut, answer: object) -> Answer:
    """The answer as stored, or one InputError saying what is wrong with it."""
    if q.kind == "single":
        return _options(q, [answer] if isinstance(answer, str) else answer, many=False)[0]
    if q.kind in ("multiple", "ranking"):
        return _options(q, answer, many=True)
    if q.kind == "likert":
        levels = q.levels or LIKERT_LEVELS
        if isinstance(answer, bool) or not isinstance(answer, int) or not 1 <= answer <= levels:
            raise ConflictError(
                f"The answer to question {q.question} is {answer!r}; it takes 1 to {levels}.",
                f"Choose a level from 1 to {levels}.",
            )
        return answer
    if not isinstance(answer, str):
        raise ConflictError(f"Question {q.question} takes text.", "Write your answer as text.")
    return check_text(answer, f"answer to question {q.question}", MAX_ANSWER)


def record_answers(
    engine: Engine, name: str, answers: Mapping[int, object], *, user_id: int, username: str
) -> SurveyForm:
    """Record a respondent's answers to an open survey, all or none; the last one counts."""
    if not answers:
        raise InputError("No answer was given.", "Answer at least one question.")

    def write() -> None:
        with transaction(engine) as conn:
            sid = _survey_id(conn, name)
            status = conn.execute(select(SURVEY.c.status).where(SURVEY.c.id == sid)).scalar()
            if status != "open":
                raise ConflictError(
                    f"The survey {name!r} is {status}; it takes no answers.", "Wait until it opens."
                )
            questions = {q.question: q for q in _questions(conn, sid)}
            unknown = sorted(set(answers) - set(questions))
            if unknown:
                raise ConflictError(
                    f"{name!r} has no question {unknown[0]}.",
                    f"Answer the questions 1 to {max(questions)}.",
                )
            checked = {n: check_answer(questions[n], a) for n, a in answers.items()}
            now = schema.utcnow()
            for number, answer in sorted(checked.items()):
                stored = json.dumps(answer, ensure_ascii=False)
                where = (
                    (ANSWER.c.survey_id == sid)
                    & (ANSWER.c.question == number)
                    & (ANSWER.c.user_id == user_id)
                )
                done = conn.execute(
                    ANSWER.update().where(where).values(answer=stored, answered_at=now)
                )
                if done.rowcount == 0:
                    conn.execute(
                        ANSWER.insert().values(
                            survey_id=sid,
                            question=number,
                            user_id=user_id,
                            username=username,
                            answer=stored,
                            answered_at=now,
                        )
                    )
            audit(conn, username, "answer", "survey", name, f'{{"questions": {len(checked)}}}')

    retry_on_conflict(write)
    return survey_form(engine, name, user_id=user_id)


def survey_form(engine: Engine, name: str, *, user_id: int) -> SurveyForm:
    """The survey and the respondent's own answers so far."""
    with engine.connect() as conn:
        summary = _summary(conn, name)
        rows = conn.execute(
            select(ANSWER.c.question, ANSWER.c.answer).where(
                ANSWER.c.survey_id == _survey_id(conn, name), ANSWER.c.user_id == user_id
            )
        ).all()
    return SurveyForm(survey=summary, answers={r.question: json.loads(r.answer) for r in rows})


def _question_result(q: SurveyQuestionOut, given: list[Answer]) -> QuestionResult:
    result = QuestionResult(question=q.question, kind=q.kind, text=q.text, respondents=len(given))
    if not given or q.kind == "text":
        return result
    if q.kind in ("single", "multiple"):
        picked = [[a] if isinstance(a, str) else list(a) for a in given if not isinstance(a, int)]
        return result.model_copy(update={"counts": choice_counts(picked, q.options)})
    if q.kind == "likert":
        s = likert_summary([int(a) for a in given if isinstance(a, int)], q.levels or LIKERT_LEVELS)
        likert = LikertOut(
            counts=list(s.counts), median=s.median, top_two=s.top_two, bottom_two=s.bottom_two
        )
        return result.model_copy(update={"likert": likert})
    rankings = [list(a) for a in given if isinstance(a, list)]
    return result.model_copy(
        update={"borda": borda(rankings, q.options), "schulze": schulze(rankings, q.options)}
    )


def survey_results(engine: Engine, name: str) -> SurveyResults:
    """Aggregates per question: counts, the Likert distribution, Borda and Schulze rankings."""
    with engine.connect() as conn:
        summary = _summary(conn, name)
        rows = conn.execute(
            select(ANSWER.c.question, ANSWER.c.answer).where(
                ANSWER.c.survey_id == _survey_id(conn, name)
            )
        ).all()
    given: dict[int, list[Answer]] = {}
    for r in rows:
        given.setdefault(r.question, []).append(json.loads(r.answer))
    return SurveyResults(
        survey=summary,
        questions=[_question_result(q, given.get(q.question, [])) for q in summary.questions],
    )


class SurveyCharts(ReadModel):
    """Per question number, the Vega-Lite spec of its answers (empty for open text)."""

    by_question: dict[int, dict[str, Any]]


def results_charts(results: SurveyResults) -> SurveyCharts:
    """Per question, the Vega-Lite spec of its aggregate (empty for open text, no answers)."""
    charts: dict[int, dict[str, Any]] = {}
    for q in results.questions:
        if q.counts is not None:
            charts[q.question] = choice_chart(q.counts, q.text)
        elif q.likert is not None:
            charts[q.question] = likert_chart(q.likert.counts, q.text)
        elif q.borda is not None:
            charts[q.question] = ranking_chart(q.borda, q.text)
        else:
            charts[q.question] = {}
    return SurveyCharts(by_question=charts)


def survey_answers(engine: Engine, name: str) -> list[SurveyAnswerOut]:
    """Every individual answer, by question and user name (editors and admins)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(ANSWER)
            .where(ANSWER.c.survey_id == _survey_id(conn, name))
            .order_by(ANSWER.c.question, ANSWER.c.username)
        ).all()
    return [
        SurveyAnswerOut(
            question=r.question,
            username=r.username,
            answer=json.loads(r.answer),
            answered_at=r.answered_at,
        )
        for r in rows
    ]
