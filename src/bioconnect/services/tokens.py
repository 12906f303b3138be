"""Personal API tokens: how a script or a notebook calls the API without a browser.

A token is a random secret shown once, when it is made; the store keeps only its
SHA-256 (as for sessions), so a copy of the database cannot be replayed. Each token has
a scope (``read``: safe methods only; ``write``: everything its owner's role allows), an
expiry, and can be revoked. It acts with its owner's role *now* (a demoted or disabled
owner's tokens lose that power at once), never more. Creating and revoking are audited.

>>> looks_like_token("bct_" + "x" * 43)
True
>>> looks_like_token("a session cookie")
False
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, Engine, select, update

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.accounts import Role, User, _digest
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import transaction

TOKENS = schema.table(schema.ApiToken)
USERS = schema.table(schema.UserAccount)

PREFIX = "bct_"
SCOPES = ("read", "write")
DEFAULT_DAYS = 90
MAX_DAYS = 365
NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,80}$")
_SHAPE = re.compile(r"^bct_[A-Za-z0-9_-]{20,100}$")

Scope = Literal["read", "write"]


class TokenRejected(Exception):
    """A bearer token that is unknown, expired, revoked, or whose owner is disabled."""


class TokenOut(ReadModel):
    """A token as its owner sees it: never the secret, only its first characters."""

    id: int
    name: str
    scope: str
    created_at: str
    expires_at: str
    revoked_at: str | None
    state: Literal["active", "expired", "revoked"]


class NewToken(ReadModel):
    """A token just made: the secret is in ``token``, shown this once and never again."""

    token: str
    details: TokenOut


def looks_like_token(text: str) -> bool:
    """Whether ``text`` has the shape of a token (checked before any look-up)."""
    return bool(_SHAPE.match(text))


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _state(revoked_at: str | None, expires_at: str, now: str) -> str:
    if revoked_at is not None:
        return "revoked"
    return "expired" if expires_at <= now else "active"


def _owner_id(conn: Connection, username: str) -> int:
    row = conn.execute(
        select(USERS.c.id).where(USERS.c.username == username.strip().lower())
    ).first()
    if row is None:
        raise NotFoundError(
            f"No user called {username!r}.", "List the users with `bioconnect users list`."
        )
    return int(row.id)


def _check(name: str, scope: str, days: int) -> tuple[str, str]:
    label = name.strip()
    if not NAME.match(label):
        raise InputError(
            f"The token name {name[:100]!r} is not allowed.",
            "Give 1–80 characters without control characters, e.g. 'notebook'.",
        )
    chosen = scope.strip().lower()
    if chosen not in SCOPES:
        raise InputError(f"Unknown token scope {scope[:40]!r}.", "Use read or write.")
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"A token cannot last {days} days.", f"Choose from 1 to {MAX_DAYS} days.")
    return label, chosen


def create_token(
    engine: Engine,
    username: str,
    name: str,
    scope: str = "read",
    *,
    days: int = DEFAULT_DAYS,
    actor: str | None = None,
) -> NewToken:
    """Make a token for ``username``; the secret is returned once and stored only hashed."""
    label, chosen = _check(name, scope, days)
    secret = PREFIX + secrets.token_urlsafe(32)
    created = _now()
    with transaction(engine) as conn:
        owner = _owner_id(conn, username)
        token_id = conn.execute(
            TOKENS.insert()
            .values(
                user_id=owner,
                name=label,
                token_hash=_digest(secret),
                scope=chosen,
                created_at=_iso(created),
                expires_at=_iso(created + timedelta(days=days)),
                revoked_at=None,
            )
            .returning(TOKENS.c.id)
        ).scalar_one()
        audit(
            conn,
            actor or username.strip().lower(),
            "create",
            "api-token",
            str(token_id),
            f"owner={username.strip().lower()} scope={chosen} days={days}",
        )
    details = TokenOut(
        id=int(token_id),
        name=label,
        scope=chosen,
        created_at=_iso(created),
        expires_at=_iso(created + timedelta(days=days)),
        revoked_at=None,
        state="active",
    )
    return NewToken(token=secret, details=details)


def list_tokens(engine: Engine, username: str) -> list[TokenOut]:
    """A user's tokens, newest first (without secrets)."""
    now = _iso(_now())
    with engine.connect() as conn:
        owner = _owner_id(conn, username)
        rows = conn.execute(
            select(TOKENS).where(TOKENS.c.user_id == owner).order_by(TOKENS.c.id.desc())
        ).all()
    return [
        TokenOut(
            id=int(r.id),
            name=r.name,
            scope=r.scope,
            created_at=r.created_at,
            expires_at=r.expires_at,
            revoked_at=r.revoked_at,
            state=_state(r.revoked_at, r.expires_at, now),  # type: ignore[arg-type]
        )
        for r in rows
    ]


def revoke_token(
    engine: Engine, username: str, token_id: int, *, actor: str | None = None
) -> TokenOut:
    """Revoke one of ``username``'s tokens (idempotent); someone else's is not found."""
    with transaction(engine) as conn:
        owner = _owner_id(conn, username)
        row = conn.execute(
            select(TOKENS.c.id, TOKENS.c.revoked_at).where(
                TOKENS.c.id == token_id, TOKENS.c.user_id == owner
            )
        ).first()
        if row is None:
            raise NotFoundError(
                f"{username.strip().lower()} has no token number {token_id}.",
                "List the tokens with `bioconnect tokens list USER` or at /account/tokens.",
            )
        if row.revoked_at is None:
            conn.execute(
                update(TOKENS).where(TOKENS.c.id == token_id).values(revoked_at=_iso(_now()))
            )
            audit(
                conn,
                actor or username.strip().lower(),
                "revoke",
                "api-token",
                str(token_id),
                f"owner={username.strip().lower()}",
            )
    return next(t for t in list_tokens(engine, username) if t.id == token_id)


def token_user(engine: Engine, secret: str) -> tuple[User, Scope]:
    """The owner a bearer token acts for (with the owner's current role) and its scope.

    Raises
    ------
    TokenRejected
        When the token is malformed, unknown, expired or revoked, or its owner is disabled.
    """
    if not looks_like_token(secret):
        raise TokenRejected("malformed")
    with engine.connect() as conn:
        row = conn.execute(
            select(
                USERS.c.id,
                USERS.c.username,
                USERS.c.display_name,
                USERS.c.role,
                TOKENS.c.scope,
            )
            .select_from(TOKENS.join(USERS, USERS.c.id == TOKENS.c.user_id))
            .where(
                TOKENS.c.token_hash == _digest(secret),
                TOKENS.c.revoked_at.is_(None),
                TOKENS.c.expires_at > _iso(_now()),
                USERS.c.active.is_(True),
            )
        ).first()
    if row is None:
        raise TokenRejected("unknown, expired or revoked")
    scope: Scope = "write" if row.scope == "write" else "read"
    return User(int(row.id), row.username, row.display_name, Role[row.role]), scope
