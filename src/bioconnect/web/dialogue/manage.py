"""The consultation pages coordinators use: the list, the results (opinion map, groups'
representative statements, consensus overall, across opinion groups and across
stakeholder groups, participation over time), and the management page (lifecycle,
statements, moderation queue, invitation links).

Readers see aggregates only. The opinion map places each participant, so only editors and
admins see it; they also manage consultations and propose consensus statements as plan
goals (which then wait in the plan's inbox for an editor to accept).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response

from bioconnect.errors import InputError
from bioconnect.services.accounts import Role
from bioconnect.services.dialogue import (
    MAX_STATEMENT_CHARS,
    InvitationCreated,
    add_statement,
    consultation_results,
    consultation_summary,
    create_consultation,
    create_invitation,
    list_consultations,
    list_invitations,
    moderate,
    moderation_queue,
    propose_goal,
    revoke_invitation,
    set_status,
)
from bioconnect.services.dialogue.consultations import STATUSES
from bioconnect.services.dialogue.invitations import DEFAULT_DAYS, MAX_DAYS
from bioconnect.web.dialogue.pages import Form, Name, StatementId, field, form_int
from bioconnect.web.rendering import filter_choices, render
from bioconnect.web.routing import Editor, Reader, engine_of, page_router, preset_of
from bioconnect.web.security import current_user

router = page_router()

InvitationId = Annotated[int, Path(ge=1, le=2_000_000_000)]


def _may_edit(request: Request) -> bool:
    user = current_user(request)
    return user is not None and user.role >= Role.editor


@router.get("/dialogue")
def consultations_page(request: Request, user: Reader) -> Response:
    return render(
        request,
        "dialogue/list.html",
        active="dialogue",
        consultations=list_consultations(engine_of(request)),
        may_edit=_may_edit(request),
        typed={},
    )


@router.post("/dialogue")
def create(request: Request, user: Editor, form: Form) -> Response:
    """Create a draft consultation; a bad name or title shows the form again."""
    typed = {k: field(form, k)[:6000] for k in ("name", "title", "description")}
    try:
        create_consultation(
            engine_of(request),
            typed["name"],
            typed["title"],
            description=typed["description"],
            actor=user.username,
        )
    except InputError as exc:
        return render(
            request,
            "dialogue/list.html",
            400,
            active="dialogue",
            consultations=list_consultations(engine_of(request)),
            may_edit=True,
            typed=typed,
            error=exc,
        )
    return RedirectResponse(f"/dialogue/{typed['name']}/manage", status_code=303)


@router.get("/dialogue/{name}")
def results_page(request: Request, name: Name, user: Reader) -> Response:
    """What the consultation says: groups, consensus, participation (aggregates)."""
    may_edit = _may_edit(request)
    return render(
        request,
        "dialogue/results.html",
        active="dialogue",
        may_edit=may_edit,
        **vars(consultation_results(engine_of(request), name, individual=may_edit)),
    )


def _manage(
    request: Request,
    name: str,
    *,
    status: int = 200,
    error: InputError | None = None,
    created: InvitationCreated | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    engine = engine_of(request)
    link = str(request.base_url).rstrip("/") + created.path if created else None
    return render(
        request,
        "dialogue/manage.html",
        status,
        active="dialogue",
        summary=consultation_summary(engine, name),
        queue=moderation_queue(engine, name),
        invitations=list_invitations(engine, name),
        statuses=STATUSES,
        created=created,
        link=link,
        error=error,
        typed=typed or {},
        default_days=DEFAULT_DAYS,
        max_days=MAX_DAYS,
        max_chars=MAX_STATEMENT_CHARS,
        **filter_choices(request),
    )


@router.get("/dialogue/{name}/manage")
def manage_page(request: Request, name: Name, user: Editor) -> Response:
    return _manage(request, name)


@router.post("/dialogue/{name}/status")
def change_status(request: Request, name: Name, user: Editor, form: Form) -> Response:
    set_status(engine_of(request), name, field(form, "status"), actor=user.username)
    return RedirectResponse(f"/dialogue/{name}/manage", status_code=303)


@router.post("/dialogue/{name}/manage/statements")
def editor_statement(request: Request, name: Name, user: Editor, form: Form) -> Response:
    """An editor's statement, shown at once; a bad one shows the form again with it."""
    text = field(form, "text")
    try:
        add_statement(engine_of(request), name, text, actor=user.username, author=None, shown=True)
    except InputError as exc:
        return _manage(request, name, status=400, error=exc, typed={"text": text[:20_000]})
    return RedirectResponse(f"/dialogue/{name}/manage#statements-h", status_code=303)


@router.post("/dialogue/{name}/moderation/{statement}")
def moderation(
    request: Request, name: Name, statement: StatementId, user: Editor, form: Form
) -> Response:
    moderate(engine_of(request), name, statement, field(form, "decision"), actor=user.username)
    return RedirectResponse(f"/dialogue/{name}/manage#moderation-h", status_code=303)


@router.post("/dialogue/{name}/invitations")
def invite(request: Request, name: Name, user: Editor, form: Form) -> Response:
    """Make an invitation link; the page shows it once."""
    typed = {k: field(form, k)[:300] for k in ("label", "org_id", "stakeholder_group", "country")}
    try:
        days = form_int(form, "days", "number of days") if field(form, "days") else DEFAULT_DAYS
        created = create_invitation(
            engine_of(request),
            name,
            actor=user.username,
            label=typed["label"],
            org_id=typed["org_id"] or None,
            stakeholder_group=typed["stakeholder_group"] or None,
            country=typed["country"] or None,
            days=days,
            preset=preset_of(request),
        )
    except InputError as exc:
        return _manage(request, name, status=400, error=exc, typed=typed)
    return _manage(request, name, created=created)


@router.post("/dialogue/{name}/invitations/{invitation}/revoke")
def revoke(request: Request, name: Name, invitation: InvitationId, user: Editor) -> Response:
    revoke_invitation(engine_of(request), name, invitation, actor=user.username)
    return RedirectResponse(f"/dialogue/{name}/manage#invitations-h", status_code=303)


@router.post("/dialogue/{name}/goals")
def propose(request: Request, name: Name, user: Editor, form: Form) -> Response:
    """Propose a consensus statement as a plan goal: it goes to the plan's inbox."""
    statement = form_int(form, "statement", "statement id")
    made = propose_goal(
        engine_of(request), name, statement, actor=user.username, region=preset_of(request)
    )
    return RedirectResponse(f"/plan/inbox#item-{made.item_id}", status_code=303)
