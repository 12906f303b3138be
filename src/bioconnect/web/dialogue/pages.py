"""The consultation pages a participant uses: joining by invitation link, voting one
statement at a time (agree, disagree, pass), submitting a statement, and seeing and
deleting their own votes.

A participant is either invited (the link's token, kept in the ``bc_invite`` cookie, so no
account is needed; every request checks it again, so a revoked link stops at once) or a
signed-in stakeholder. The coordinators' pages are in :mod:`~bioconnect.web.dialogue.manage`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bioconnect.errors import InputError
from bioconnect.services.accounts import Role
from bioconnect.services.dialogue import (
    MAX_STATEMENT_CHARS,
    Voter,
    account_voter,
    cast_vote,
    delete_my_vote,
    invited_voter,
    my_votes,
    submit_statement,
    voting_view,
)
from bioconnect.services.dialogue.invitations import MAX_DAYS
from bioconnect.web.rendering import render
from bioconnect.web.routing import SubmittedForm as Form
from bioconnect.web.routing import engine_of, page_router
from bioconnect.web.security import Forbidden, SignInRequired, current_user

router = page_router()

INVITE_COOKIE = "bc_invite"
Name = Annotated[
    str, Path(max_length=100, pattern=r"^[a-z0-9._-]+$", description="The consultation's name.")
]
Token = Annotated[str, Path(max_length=200)]
StatementId = Annotated[int, Path(ge=0, le=2_000_000_000)]
VOTES = {"1": 1, "-1": -1, "0": 0}
VOTE_LABELS = {1: "agree", -1: "disagree", 0: "pass"}


def field(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def form_int(form: FormData, key: str, label: str) -> int:
    text = field(form, key)
    if not text.lstrip("-").isdigit() or len(text) > 11:
        raise InputError(f"The {label} {text[:40]!r} is not a whole number.", f"Send the {label}.")
    return int(text)


async def voter_of(request: Request, name: Name) -> Voter:
    """Who votes: the invitation in the cookie (for this consultation) or a stakeholder.

    Anonymous visitors without an invitation are sent to sign in; a signed-in viewer is
    refused (voting needs the stakeholder role or an invitation).
    """
    token = request.cookies.get(INVITE_COOKIE)
    user = current_user(request)
    invited: Voter | None = None
    problem: InputError | None = None
    if token:
        try:
            invited = invited_voter(engine_of(request), token)
        except InputError as exc:
            problem = exc
    if invited is not None and invited.consultation == name:
        return invited
    if user is not None and user.role >= Role.stakeholder:
        return account_voter(user.id, user.username)
    if problem is not None:
        raise problem
    if invited is not None:
        return invited  # for another consultation: the services say so
    if user is None:
        raise SignInRequired()
    raise Forbidden(Role.stakeholder, user)


VoterDep = Annotated[Voter, Depends(voter_of)]


@router.get("/dialogue/join/{token}")
def join(request: Request, token: Token) -> Response:
    """Open an invitation link: the token goes into the participant's cookie."""
    voter = invited_voter(engine_of(request), token)
    response = RedirectResponse(f"/dialogue/{voter.consultation}/vote", status_code=303)
    response.set_cookie(
        INVITE_COOKIE,
        token,
        max_age=MAX_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        path="/dialogue",
    )
    return response


def _vote_page(
    request: Request,
    name: str,
    voter: Voter,
    *,
    status: int = 200,
    error: InputError | None = None,
    typed: str = "",
    note: str = "",
) -> Response:
    view = voting_view(engine_of(request), name, voter)
    return render(
        request,
        "dialogue/vote.html",
        status,
        active="dialogue",
        view=view,
        voter=voter,
        error=error,
        typed=typed,
        note=note,
        max_chars=MAX_STATEMENT_CHARS,
    )


@router.get("/dialogue/{name}/vote")
def vote_page(request: Request, name: Name, voter: VoterDep) -> Response:
    """One statement at a time, with agree, disagree and pass, and the progress."""
    notes = {
        "statement": "Thank you: your statement will be shown once a coordinator has read it.",
    }
    return _vote_page(
        request, name, voter, note=notes.get(request.query_params.get("done", ""), "")
    )


@router.post("/dialogue/{name}/vote")
def vote(request: Request, name: Name, voter: VoterDep, form: Form) -> Response:
    """Record a vote from the page's buttons, then show the next statement."""
    statement = form_int(form, "statement", "statement id")
    value = field(form, "vote")
    if value not in VOTES:
        raise InputError(
            f"The vote {value[:40]!r} is not -1, 0 or 1.",
            "Press agree (1), disagree (-1) or pass (0).",
        )
    cast_vote(engine_of(request), name, voter, statement, VOTES[value])
    return RedirectResponse(f"/dialogue/{name}/vote", status_code=303)


@router.post("/dialogue/{name}/statements")
def submit(request: Request, name: Name, voter: VoterDep, form: Form) -> Response:
    """A participant's statement; it waits for moderation. A bad one shows the form again."""
    value = form.get("text")
    text = value if isinstance(value, str) else ""
    try:
        submit_statement(engine_of(request), name, voter, text)
    except InputError as exc:
        return _vote_page(request, name, voter, status=400, error=exc, typed=text[:20_000])
    return RedirectResponse(f"/dialogue/{name}/vote?done=statement", status_code=303)


@router.get("/dialogue/{name}/my-votes")
def my_votes_page(request: Request, name: Name, voter: VoterDep) -> Response:
    """The participant's own votes, each with a button to delete it."""
    votes = my_votes(engine_of(request), name, voter)
    view = voting_view(engine_of(request), name, voter)
    return render(
        request,
        "dialogue/my_votes.html",
        active="dialogue",
        view=view,
        votes=votes,
        labels=VOTE_LABELS,
        deleted=request.query_params.get("deleted", "")[:12],
    )


@router.post("/dialogue/{name}/my-votes/{statement}/delete")
def delete_vote(request: Request, name: Name, statement: StatementId, voter: VoterDep) -> Response:
    delete_my_vote(engine_of(request), name, voter, statement)
    return RedirectResponse(f"/dialogue/{name}/my-votes?deleted={statement}", status_code=303)
