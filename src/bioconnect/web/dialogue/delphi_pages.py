"""The Delphi pages: the studies, a panellist's rating form with the round feedback, the
results (per item median, IQR, consensus, stability; Kendall's W) and the editor's forms
(create a study, open and close rounds, propose an item with consensus as a plan goal).

Each page renders a read model of :mod:`bioconnect.services.dialogue.delphi`; each form
writes through it, so a bad value is refused with one error and nothing is written (the
page is shown again with HTTP 400).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bioconnect.errors import InputError
from bioconnect.services.accounts import Role
from bioconnect.services.dialogue.delphi import (
    close_round,
    create_study,
    delphi_form,
    delphi_ratings,
    delphi_results,
    list_studies,
    open_round,
    record_ratings,
    results_chart,
    study_summary,
)
from bioconnect.services.dialogue.delphi_goals import propose_delphi_goal
from bioconnect.web.dialogue.delphi_forms import items_from_form, ratings_from_form, round_from_form
from bioconnect.web.rendering import render
from bioconnect.web.routing import Editor, Reader, Stakeholder, engine_of, page_router, preset_of
from bioconnect.web.routing import SubmittedForm as Form
from bioconnect.web.security import current_user

router = page_router()

Study = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9._-]+$")]
Flag = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z0-9_-]*$")]
SCALE = range(1, 10)


def has_role(request: Request, role: Role) -> bool:
    user = current_user(request)
    return user is not None and user.role >= role


def form_text(form: FormData, name: str, limit: int = 20_000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


# ------------------------------------------------------------------------------ studies


def _studies_page(
    request: Request, status: int = 200, error: InputError | None = None, typed: Any = None
) -> Response:
    return render(
        request,
        "dialogue/delphi/studies.html",
        status,
        active="dialogue",
        section="delphi",
        studies=list_studies(engine_of(request)),
        may_edit=has_role(request, Role.editor),
        error=error,
        f=typed or {"name": "", "title": "", "description": "", "items": ""},
    )


@router.get("/dialogue/delphi")
def studies_page(request: Request, user: Reader) -> Response:
    return _studies_page(request)


@router.post("/dialogue/delphi")
def studies_create(request: Request, user: Editor, form: Form) -> Response:
    """Create a study from the editor's form (one item per line)."""
    typed = {k: form_text(form, k) for k in ("name", "title", "description", "items")}
    try:
        study = create_study(
            engine_of(request),
            typed["name"].strip(),
            title=typed["title"],
            description=typed["description"],
            items=items_from_form(typed["items"]),
            actor=user.username,
        )
    except InputError as exc:
        return _studies_page(request, 400, exc, typed)
    return RedirectResponse(f"/dialogue/delphi/{study.name}/results", status_code=303)


# --------------------------------------------------------------------------------- form


def _form_page(
    request: Request, study: str, status: int = 200, error: InputError | None = None
) -> Response:
    user = current_user(request)
    panellist = user is not None and user.role >= Role.stakeholder
    if user is not None and panellist:
        form = delphi_form(engine_of(request), study, user_id=user.id)
        summary = form.study
    else:
        form, summary = None, study_summary(engine_of(request), study)
    return render(
        request,
        "dialogue/delphi/form.html",
        status,
        active="dialogue",
        section="delphi",
        study=summary,
        form=form,
        scale=SCALE,
        panellist=panellist,
        saved=request.query_params.get("saved") == "1",
        error=error,
    )


@router.get("/dialogue/delphi/{study}")
def form_page(request: Request, user: Reader, study: Study, saved: Flag = None) -> Response:
    return _form_page(request, study)


@router.post("/dialogue/delphi/{study}")
def form_submit(request: Request, user: Stakeholder, study: Study, form: Form) -> Response:
    """Record the panellist's ratings in the open round: all of them, or none."""
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    try:
        record_ratings(
            engine_of(request),
            study,
            ratings_from_form(fields),
            user_id=user.id,
            username=user.username,
            round_no=round_from_form(form_text(form, "round", 20)),
        )
    except InputError as exc:
        return _form_page(request, study, 400, exc)
    return RedirectResponse(f"/dialogue/delphi/{study}?saved=1", status_code=303)


# ------------------------------------------------------------------------------ results


def _results_page(
    request: Request,
    study: str,
    status: int = 200,
    error: InputError | None = None,
    proposed: str | None = None,
) -> Response:
    results = delphi_results(engine_of(request), study)
    may_edit = has_role(request, Role.editor)
    return render(
        request,
        "dialogue/delphi/results.html",
        status,
        active="dialogue",
        section="delphi",
        results=results,
        study=results.study,
        chart=results_chart(results).spec,
        ratings=delphi_ratings(engine_of(request), study) if may_edit else None,
        may_edit=may_edit,
        error=error,
        proposed=proposed,
    )


@router.get("/dialogue/delphi/{study}/results")
def results_page(request: Request, user: Reader, study: Study, proposed: Flag = None) -> Response:
    return _results_page(request, study, proposed=proposed)


@router.post("/dialogue/delphi/{study}/rounds")
def rounds_submit(request: Request, user: Editor, study: Study, form: Form) -> Response:
    """Open the next round (closing the open one) or close the open round."""
    action = form_text(form, "action", 10)
    try:
        if action == "open":
            open_round(engine_of(request), study, actor=user.username)
        elif action == "close":
            close_round(engine_of(request), study, actor=user.username)
        else:
            raise InputError(f"Unknown action {action!r}.", "Use the Open or Close button.")
    except InputError as exc:
        return _results_page(request, study, 400, exc)
    return RedirectResponse(f"/dialogue/delphi/{study}/results", status_code=303)


@router.post("/dialogue/delphi/{study}/goals")
def goals_submit(request: Request, user: Editor, study: Study, form: Form) -> Response:
    """Propose an item with consensus as a plan goal (into the plan's inbox)."""
    item = round_from_form(form_text(form, "item", 20))
    try:
        if item is None:
            raise InputError("No item was chosen.", "Use an item's Propose button.")
        proposal = propose_delphi_goal(
            engine_of(request), study, item, actor=user.username, region=preset_of(request)
        )
    except InputError as exc:
        return _results_page(request, study, 400, exc)
    return RedirectResponse(
        f"/dialogue/delphi/{study}/results?proposed={proposal.item_id}", status_code=303
    )
