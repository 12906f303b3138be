"""The accounts pages: users and roles (administrators), sign-in and sign-out, and each
user's personal API tokens."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from bioconnect.errors import InputError
from bioconnect.services.accounts import (
    SESSION_LIFETIME,
    Role,
    add_user,
    list_users,
    set_role,
    sign_in,
    sign_out,
)
from bioconnect.services.tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    create_token,
    list_tokens,
    revoke_token,
)
from bioconnect.web.rendering import render
from bioconnect.web.routing import Admin, Viewer, engine_of, page_router
from bioconnect.web.security import SESSION_COOKIE, set_csrf_cookie, set_session_cookie

router = page_router()


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/admin/users")
def users_page(request: Request, user: Admin) -> Response:
    return render(
        request,
        "users.html",
        active="users",
        users=list_users(engine_of(request)),
        roles=[r.name for r in Role],
    )


@router.post("/admin/users")
def users_add(
    request: Request,
    user: Admin,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        add_user(
            engine_of(request),
            username,
            password,
            role,
            display_name=display_name or None,
            actor=user.username,
        )
    except InputError as exc:
        return render(
            request,
            "users.html",
            400,
            active="users",
            users=list_users(engine_of(request)),
            roles=[r.name for r in Role],
            error=exc,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/role")
def users_set_role(
    request: Request,
    user: Admin,
    username: Annotated[str, Path(max_length=80)],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    set_role(engine_of(request), username, role, actor=user.username)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/login")
def login_page(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    return render(request, "login.html", active="login", next=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    client = request.client.host if request.client else "unknown"
    try:
        _user, token = sign_in(engine_of(request), username, password, client=client)
    except InputError as exc:
        return render(request, "login.html", 401, active="login", next=_safe_next(next), error=exc)
    response = RedirectResponse(_safe_next(next), status_code=303)
    secure = request.app.state.settings.cookie_secure
    set_session_cookie(
        response, token, secure=secure, max_age=int(SESSION_LIFETIME.total_seconds())
    )
    # A new CSRF token with the new session, so a token seen before sign-in is useless.
    set_csrf_cookie(response, secrets.token_urlsafe(32), secure=secure)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(engine_of(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _tokens_page(request: Request, user: Viewer, status: int = 200, **context: object) -> Response:
    return render(
        request,
        "tokens.html",
        status,
        active="tokens",
        tokens=list_tokens(engine_of(request), user.username),
        default_days=DEFAULT_DAYS,
        max_days=MAX_DAYS,
        **context,
    )


@router.get("/account/tokens")
def tokens_page(request: Request, user: Viewer) -> Response:
    return _tokens_page(request, user)


@router.post("/account/tokens")
def tokens_create(
    request: Request,
    user: Viewer,
    name: Annotated[str, Form(max_length=200)],
    scope: Annotated[str, Form(max_length=20)] = "read",
    days: Annotated[int, Form(ge=1, le=MAX_DAYS)] = DEFAULT_DAYS,
) -> Response:
    try:
        made = create_token(engine_of(request), user.username, name, scope, days=days)
    except InputError as exc:
        return _tokens_page(request, user, 400, error=exc)
    # The secret is in this one answer only; it must not be cached anywhere.
    response = _tokens_page(request, user, 201, new_token=made)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/tokens/{token_id}/revoke")
def tokens_revoke(
    request: Request, user: Viewer, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Response:
    revoke_token(engine_of(request), user.username, token_id, actor=user.username)
    return RedirectResponse("/account/tokens", status_code=303)
