"""The accounts API: who is signed in, the users and their roles, the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Body, Path, Request
from pydantic import BaseModel, Field

from bioconnect.services.accounts import (
    AuditEntryOut,
    UserOut,
    add_user,
    audit_entries,
    list_users,
    set_role,
)
from bioconnect.services.tokens import TokenOut, list_tokens, revoke_token
from bioconnect.web.routing import (
    Admin,
    Limit,
    Offset,
    Reader,
    RequestBody,
    Viewer,
    api_router,
    engine_of,
)

router = api_router()


class NewUser(RequestBody):
    username: str = Field(
        max_length=80,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$",
        description="Letters, digits, '.', '_' or '-', starting with a letter or digit "
        "(kept in lower case).",
    )
    password: str = Field(min_length=10, max_length=200)
    role: Literal["admin", "editor", "stakeholder", "viewer"] = "viewer"
    display_name: str | None = Field(default=None, max_length=200)


class RoleChange(RequestBody):
    role: Literal["admin", "editor", "stakeholder", "viewer"]


class Me(BaseModel):
    username: str | None
    role: str | None


@router.get("/me", response_model=Me, tags=["accounts"])
def me(request: Request, user: Reader) -> Me:
    """Who is signed in (nulls for an anonymous visitor)."""
    return Me(username=user.username if user else None, role=user.role.name if user else None)


@router.get("/users", response_model=list[UserOut], tags=["accounts"])
def get_users(request: Request, user: Admin) -> list[UserOut]:
    """Every account (administrators)."""
    return list_users(engine_of(request))


@router.post("/users", response_model=UserOut, status_code=201, tags=["accounts"])
def post_user(request: Request, user: Admin, new: Annotated[NewUser, Body()]) -> UserOut:
    """Create an account (administrators)."""
    add_user(
        engine_of(request),
        new.username,
        new.password,
        new.role,
        display_name=new.display_name,
        actor=user.username,
    )
    return next(u for u in list_users(engine_of(request)) if u.username == new.username.lower())


@router.put("/users/{username}/role", response_model=UserOut, tags=["accounts"])
def put_role(
    request: Request, user: Admin, username: str, change: Annotated[RoleChange, Body()]
) -> UserOut:
    """Change a user's role (administrators)."""
    set_role(engine_of(request), username, change.role, actor=user.username)
    return next(u for u in list_users(engine_of(request)) if u.username == username.lower())


@router.get("/audit", response_model=list[AuditEntryOut], tags=["accounts"])
def get_audit(
    request: Request, user: Admin, limit: Limit = 100, offset: Offset = 0
) -> list[AuditEntryOut]:
    """The audit log, newest first (administrators)."""
    return audit_entries(engine_of(request), limit=limit, offset=offset)


@router.get("/tokens", response_model=list[TokenOut], tags=["accounts"])
def get_tokens(request: Request, user: Viewer) -> list[TokenOut]:
    """Your personal API tokens, newest first (never their secrets).

    Tokens are made at /account/tokens or with `bioconnect tokens create`, not through
    the API, so a leaked token cannot make itself a longer-lived successor.
    """
    return list_tokens(engine_of(request), user.username)


@router.delete("/tokens/{token_id}", response_model=TokenOut, tags=["accounts"])
def delete_token(
    request: Request, user: Viewer, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> TokenOut:
    """Revoke one of your tokens (audited; revoking twice is harmless)."""
    return revoke_token(engine_of(request), user.username, token_id, actor=user.username)
