"""The survey pages: the surveys, a respondent's form, the results (counts, the Likert
distribution, Borda and Schulze rankings) and the editor's forms (create, open, close).

Each page renders a read model of :mod:`bioconnect.services.dialogue.surveys`; each form
writes through it, so a bad answer is refused with one error and nothing is written (the
page is shown again with HTTP 400).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from bioconnect.errors import InputError
from bioconnect.services.accounts import Role
from bioconnect.services.dialogue.surveys import (
    create_survey,
    list_surveys,
    record_answers,
    results_charts,
    set_survey_status,
    survey_answers,
    survey_form,
    survey_results,
    survey_summary,
)
from bioconnect.web.dialogue.delphi_forms import (
    QUESTION_ROWS,
    answers_from_form,
    questions_from_form,
)
from bioconnect.web.dialogue.delphi_pages import Form, form_text, has_role
from bioconnect.web.rendering import render
from bioconnect.web.routing import Editor, Reader, Stakeholder, engine_of, page_router
from bioconnect.web.security import current_user

router = page_router()

SurveyName = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9._-]+$")]
Flag = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z0-9_-]*$")]
KINDS = {
    "single": "Single choice",
    "multiple": "Multiple choice",
    "likert": "Likert (1–5)",
    "ranking": "Ranking (Borda and Schulze)",
    "text": "Open text",
}


def _surveys_page(
    request: Request, status: int = 200, error: InputError | None = None, typed: Any = None
) -> Response:
    return render(
        request,
        "dialogue/delphi/surveys.html",
        status,
        active="dialogue",
        section="surveys",
        surveys=list_surveys(engine_of(request)),
        may_edit=has_role(request, Role.editor),
        kinds=KINDS,
        rows=range(1, QUESTION_ROWS + 1),
        error=error,
        f=typed or {},
    )


@router.get("/dialogue/surveys")
def surveys_page(request: Request, user: Reader) -> Response:
    return _surveys_page(request)


@router.post("/dialogue/surveys")
def surveys_create(request: Request, user: Editor, form: Form) -> Response:
    """Create a survey (a draft) from the editor's question rows."""
    typed = {k: v[:20_000] for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        survey = create_survey(
            engine_of(request),
            typed.get("name", "").strip(),
            title=typed.get("title", ""),
            description=typed.get("description", ""),
            questions=questions_from_form(typed),
            actor=user.username,
        )
    except InputError as exc:
        return _surveys_page(request, 400, exc, typed)
    return RedirectResponse(f"/dialogue/surveys/{survey.name}/results", status_code=303)


def _form_page(
    request: Request, name: str, status: int = 200, error: InputError | None = None
) -> Response:
    user = current_user(request)
    respondent = user is not None and user.role >= Role.stakeholder
    if user is not None and respondent:
        form = survey_form(engine_of(request), name, user_id=user.id)
        survey, answers = form.survey, form.answers
    else:
        survey, answers = survey_summary(engine_of(request), name), {}
    return render(
        request,
        "dialogue/delphi/survey.html",
        status,
        active="dialogue",
        section="surveys",
        survey=survey,
        answers=answers,
        respondent=respondent,
        saved=request.query_params.get("saved") == "1",
        error=error,
    )


@router.get("/dialogue/surveys/{survey}")
def survey_page(request: Request, user: Reader, survey: SurveyName, saved: Flag = None) -> Response:
    return _form_page(request, survey)


@router.post("/dialogue/surveys/{survey}")
def survey_submit(request: Request, user: Stakeholder, survey: SurveyName, form: Form) -> Response:
    """Record the respondent's answers: all of them, or none."""
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value[:20_000])
    try:
        questions = survey_summary(engine_of(request), survey).questions
        record_answers(
            engine_of(request),
            survey,
            answers_from_form(questions, fields),
            user_id=user.id,
            username=user.username,
        )
    except InputError as exc:
        return _form_page(request, survey, 400, exc)
    return RedirectResponse(f"/dialogue/surveys/{survey}?saved=1", status_code=303)


def _results_page(
    request: Request, name: str, status: int = 200, error: InputError | None = None
) -> Response:
    results = survey_results(engine_of(request), name)
    may_edit = has_role(request, Role.editor)
    return render(
        request,
        "dialogue/delphi/survey_results.html",
        status,
        active="dialogue",
        section="surveys",
        results=results,
        survey=results.survey,
        charts=results_charts(results).by_question,
        answers=survey_answers(engine_of(request), name) if may_edit else None,
        may_edit=may_edit,
        error=error,
    )


@router.get("/dialogue/surveys/{survey}/results")
def results_page(request: Request, user: Reader, survey: SurveyName) -> Response:
    return _results_page(request, survey)


@router.post("/dialogue/surveys/{survey}/status")
def status_submit(request: Request, user: Editor, survey: SurveyName, form: Form) -> Response:
    """Open, close or return the survey to draft."""
    try:
        set_survey_status(
            engine_of(request), survey, form_text(form, "status", 10), actor=user.username
        )
    except InputError as exc:
        return _results_page(request, survey, 400, exc)
    return RedirectResponse(f"/dialogue/surveys/{survey}/results", status_code=303)
