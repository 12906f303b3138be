"""Who is asking, what they may do, and protection of every write.

- The signed-in user comes from the ``bc_session`` cookie (HttpOnly, SameSite=Lax).
- Every visitor gets a ``bc_csrf`` cookie; every unsafe request (POST, PUT, PATCH,
  DELETE) must echo it in the ``csrf_token`` form field or the ``X-CSRF-Token`` header
  (double-submit). Routers depend on :func:`csrf_protect`, so no write can forget it.
- :func:`require` guards a route with a minimum :class:`Role`. Reading is open to
  anonymous visitors when ``BIOCONNECT_PUBLIC_READ`` is true.
- Scripts use a personal API token (:mod:`bioconnect.services.tokens`), sent only as
  ``Authorization: Bearer <token>`` and only to ``/api/v1`` routes (never taken from a
  cookie or the query string). It acts with its owner's current role; a bearer request
  carries no cookie's ambient authority, so it needs no CSRF token, unless it also
  carries a session cookie (then it is treated as a browser's and the CSRF check
  applies). A read-scope token may use safe methods only.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from starlette.requests import cookie_parser

from bioconnect.services.accounts import Role, User, session_user
from bioconnect.services.tokens import TokenRejected, token_user

API_PREFIX = "/api/v1"
SESSION_COOKIE = "bc_session"
CSRF_COOKIE = "bc_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "child-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SignInRequired(Exception):
    """The route needs a signed-in user and there is none."""


class Forbidden(Exception):
    """The signed-in user's role is not enough for the route."""

    def __init__(self, needed: Role, user: User) -> None:
        super().__init__(f"{user.username} ({user.role.name}) needs {needed.name}")
        self.needed = needed
        self.user = user


class CsrfFailed(Exception):
    """An unsafe request without the matching CSRF token."""


class TokenRefused(Exception):
    """A bearer token that is malformed, unknown, expired or revoked (answered with 401)."""


class ReadOnlyToken(Exception):
    """A read-scope token used for an unsafe method (answered with 403)."""


def bearer_token(request: Request) -> str | None:
    """The token of an API request's ``Authorization: Bearer`` header, or None.

    Only the header counts, and only on API routes: pages never take a token.
    """
    if not request.url.path.startswith(API_PREFIX + "/"):
        return None
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def current_user(request: Request) -> User | None:
    """The user a request acts for, looked up once per request.

    A bearer token on an API route decides alone (a session cookie beside it is ignored);
    otherwise the session cookie does.

    Raises
    ------
    TokenRefused
        When the request sends a bearer token that is not valid now.
    """
    if not hasattr(request.state, "user"):
        token = bearer_token(request)
        if token is None:
            request.state.user = session_user(
                request.app.state.engine, request.cookies.get(SESSION_COOKIE)
            )
        else:
            try:
                owner, scope = token_user(request.app.state.engine, token)
            except TokenRejected:
                raise TokenRefused() from None
            request.state.token_scope = scope
            request.state.user = owner
    user: User | None = request.state.user
    return user


def csrf_token(request: Request) -> str:
    """This visitor's CSRF token (new visitors get one; the middleware sets the cookie)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) > 100:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request whose token does not match the visitor's cookie.

    A bearer request without a session cookie needs no CSRF token (no ambient authority);
    its token must be valid and have write scope.
    """
    if request.method not in UNSAFE:
        return
    bearer = bearer_token(request)
    if bearer is None or SESSION_COOKIE in request.cookies:
        await _check_csrf(request)
    if bearer is not None:
        current_user(request)
        if request.state.token_scope != "write":
            raise ReadOnlyToken()


async def _check_csrf(request: Request) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfFailed()


def require(role: Role | None) -> Callable[[Request], Coroutine[Any, Any, User | None]]:
    """A dependency that lets the request through only for ``role`` or above.

    ``None`` means reading: anyone when public reading is on, else any signed-in user.
    """

    async def check(request: Request) -> User | None:
        user = current_user(request)
        if role is None:
            if user is None and not request.app.state.settings.public_read:
                raise SignInRequired()
            return user
        if user is None:
            raise SignInRequired()
        if user.role < role:
            raise Forbidden(role, user)
        return user

    return check


def set_session_cookie(response: Any, token: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=max_age,
        path="/",
    )


def set_csrf_cookie(response: Any, token: str, *, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


def csrf_cookie_header(token: str, *, secure: bool) -> bytes:
    """The ``Set-Cookie`` value :func:`set_csrf_cookie` writes, for ASGI middleware.

    Written directly (``SimpleCookie`` took 7 microseconds a request): the token is ours,
    URL-safe base64, so it needs no quoting; anything else is refused.

    Example
    -------
    >>> csrf_cookie_header("abc-_1", secure=True)
    b'bc_csrf=abc-_1; HttpOnly; Path=/; SameSite=strict; Secure'
    """
    if not _URL_SAFE.fullmatch(token):
        raise ValueError("a CSRF token is URL-safe base64")
    value = f"{CSRF_COOKIE}={token}; HttpOnly; Path=/; SameSite=strict"
    return (value + "; Secure" if secure else value).encode("ascii")


_URL_SAFE = re.compile(r"[A-Za-z0-9_-]{1,200}")


_REPLACED_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
_REPLACED_NAMES = frozenset(name for name, _ in _REPLACED_HEADERS)


class SecurityHeadersMiddleware:
    """Security headers on every answer, and a ``bc_csrf`` cookie for visitors without one.

    A plain ASGI middleware (no ``BaseHTTPMiddleware``, which costs a task and a memory
    stream per request). A visitor without the cookie gets a new token in
    ``request.state.new_csrf`` before the route runs (:func:`csrf_token` hands it to
    forms) and the same token in the cookie. The Content-Security-Policy is added unless
    the route set its own; the other headers replace whatever the route set.
    """

    def __init__(self, app: Any, *, cookie_secure: bool) -> None:
        self.app = app
        self.cookie_secure = cookie_secure
        self.policy = CONTENT_SECURITY_POLICY.encode("latin-1")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        new_token: str | None = None
        if not _has_csrf_cookie(scope):
            new_token = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["new_csrf"] = new_token

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in _REPLACED_NAMES
                ]
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", self.policy))
                headers.extend(_REPLACED_HEADERS)
                if new_token is not None:
                    token = scope["state"].get("new_csrf", new_token)
                    headers.append(
                        (b"set-cookie", csrf_cookie_header(token, secure=self.cookie_secure))
                    )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _has_csrf_cookie(scope: dict[str, Any]) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            # as Request.cookies reads them: the first Cookie header
            return bool(cookie_parser(value.decode("latin-1")).get(CSRF_COOKIE))
    return False
