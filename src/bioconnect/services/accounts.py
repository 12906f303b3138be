"""Accounts, roles and sign-in sessions for the web app.

Passwords are hashed with argon2id. A session is a random token held in an HttpOnly
cookie; the store keeps only its SHA-256, so a copy of the database cannot be replayed
as a cookie. Failed sign-ins are counted per client address and per user name, and a
burst of them is refused for a while (see :data:`LOGIN_LIMIT`). Every write is audited.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from bioconnect.errors import BioconnectError, ConflictError, InputError, NotFoundError
from bioconnect.services.readmodel import ReadModel
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import serialise_on, transaction

USERS = schema.table(schema.UserAccount)
SESSIONS = schema.table(schema.UserSession)
ATTEMPTS = schema.table(schema.LoginAttempt)
AUDIT = schema.table(schema.AuditEntry)

#: At most this many failed sign-ins per client address in the window.
LOGIN_LIMIT = 5
#: At most this many failed sign-ins per account in the window, from clients that have not
#: signed in to it within KNOWN_CLIENT_AGE (guessing from many addresses); its owner,
#: signing in from a known client, is never locked out by strangers.
ACCOUNT_LIMIT = 50
KNOWN_CLIENT_AGE = timedelta(days=30)
LOGIN_WINDOW = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class Role(IntEnum):
    """Roles, each allowed everything the ones below it are."""

    viewer = 1
    stakeholder = 2
    editor = 3
    admin = 4

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.strip().lower()]
        except KeyError:
            raise InputError(
                f"Unknown role {text!r}.", f"Use one of: {', '.join(r.name for r in cls)}."
            ) from None


class RateLimited(BioconnectError):
    """Too many failed sign-ins; try again in ``retry_after`` seconds."""

    def __init__(self, problem: str, fix: str, *, retry_after: int) -> None:
        super().__init__(problem, fix)
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str | None
    role: Role

    @property
    def label(self) -> str:
        return self.display_name or self.username


class UserOut(ReadModel):
    """An account as administrators see it (never its password hash)."""

    username: str
    display_name: str | None
    role: str
    active: bool
    created_at: str


class AuditEntryOut(ReadModel):
    """One audit-log entry: who changed what, when."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str | None
    detail: str | None


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_new_user(username: str, password: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise InputError(
            f"The user name {username!r} is not allowed.",
            "Use 2–80 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.",
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"The password is too short ({len(password)} characters).",
            f"Use at least {MIN_PASSWORD_LENGTH} characters.",
        )
    return name


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str | Role = Role.viewer,
    *,
    display_name: str | None = None,
    actor: str = "system",
) -> User:
    """Create an account. The user name must be new."""
    name = _check_new_user(username, password)
    chosen = role if isinstance(role, Role) else Role.parse(role)
    hashed = _hasher().hash(password)
    with transaction(engine) as conn:
        exists = conn.execute(select(USERS.c.id).where(USERS.c.username == name)).scalar()
        if exists is not None:
            raise ConflictError(
                f"The user {name!r} already exists.",
                "Choose another name, or change this user's role with `bioconnect users set-role`.",
            )
        inserted = conn.execute(
            USERS.insert().values(
                username=name,
                display_name=display_name,
                password_hash=hashed,
                role=chosen.name,
                active=True,
                created_at=schema.utcnow(),
            )
        ).inserted_primary_key
        assert inserted is not None
        user_id = inserted[0]
        audit(conn, actor, "add", "user", name, f"role={chosen.name}")
    return User(int(user_id), name, display_name, chosen)


def list_users(engine: Engine) -> list[UserOut]:
    """Every account (without password hashes), by user name."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                USERS.c.username,
                USERS.c.display_name,
                USERS.c.role,
                USERS.c.active,
                USERS.c.created_at,
            ).order_by(USERS.c.username)
        )
        return [UserOut.model_validate(row._mapping) for row in rows]


def set_role(engine: Engine, username: str, role: str | Role, *, actor: str = "system") -> User:
    """Change a user's role; the change is audited."""
    chosen = role if isinstance(role, Role) else Role.parse(role)
    name = username.strip().lower()
    with transaction(engine) as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == name)).first()
        if row is None:
            raise NotFoundError(
                f"No user called {username!r}.", "List the users with `bioconnect users list`."
            )
        if row.role != chosen.name:
            conn.execute(update(USERS).where(USERS.c.id == row.id).values(role=chosen.name))
            audit(conn, actor, "set-role", "user", name, f"{row.role} -> {chosen.name}")
    return User(int(row.id), name, row.display_name, chosen)


def _counted(conn: Any, where: Any, since: str) -> tuple[int, str | None]:
    """How many sign-in attempts match ``where`` since ``since``, and the oldest one's time."""
    row = conn.execute(
        select(func.count(), func.min(ATTEMPTS.c.at)).where(where, ATTEMPTS.c.at >= since)
    ).one()
    return int(row[0] or 0), row[1]


def _known_client(conn: Any, name: str, client: str, now: datetime) -> bool:
    """Whether ``name`` signed in from ``client`` within :data:`KNOWN_CLIENT_AGE`."""
    return (
        conn.execute(
            select(AUDIT.c.id)
            .where(
                AUDIT.c.action == "sign-in",
                AUDIT.c.actor == name,
                AUDIT.c.detail == f"client={client}",
                AUDIT.c.at >= _iso(now - KNOWN_CLIENT_AGE),
            )
            .limit(1)
        ).first()
        is not None
    )


def _reserve_attempt(conn: Any, name: str, client: str, now: datetime) -> int:
    """Count this attempt before its password is checked; refuse it if over a limit.

    The attempt is written first, and concurrent attempts for the same client or account
    wait for each other (:func:`serialise_on`), so the counts are exact: of 30 attempts
    at once, at most :data:`LOGIN_LIMIT` are checked. A refused attempt is rolled back
    and does not count.
    """
    for key in sorted((f"sign-in:client:{client}", f"sign-in:user:{name}")):
        serialise_on(conn, key)
    attempt = conn.execute(
        ATTEMPTS.insert()
        .values(client=client, username=name, at=_iso(now))
        .returning(ATTEMPTS.c.id)
    ).scalar_one()
    since = _iso(now - LOGIN_WINDOW)
    by_client, oldest = _counted(conn, ATTEMPTS.c.client == client, since)
    if by_client > LOGIN_LIMIT:
        raise _refusal(oldest, now)
    by_user, oldest = _counted(conn, ATTEMPTS.c.username == name, since)
    if by_user > ACCOUNT_LIMIT and not _known_client(conn, name, client, now):
        raise _refusal(oldest, now)
    return int(attempt)


def _refusal(oldest: str | None, now: datetime) -> RateLimited:
    frees = datetime.fromisoformat(oldest) + LOGIN_WINDOW if oldest else now + LOGIN_WINDOW
    seconds = max(1, int((frees - now).total_seconds()) + 1)
    minutes = max(1, -(-seconds // 60))
    return RateLimited(
        "Too many failed sign-ins from this address, or for this account.",
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        retry_after=seconds,
    )


def sign_in(engine: Engine, username: str, password: str, *, client: str) -> tuple[User, str]:
    """Check a password and open a session: returns the user and the cookie token.

    Attempts are counted before the password is checked (:func:`_reserve_attempt`);
    a successful one is then taken back, a failed one stays counted for
    :data:`LOGIN_WINDOW`. No write transaction is open while the password is hashed.

    Raises
    ------
    RateLimited
        With ``retry_after`` seconds: after :data:`LOGIN_LIMIT` failures from this
        client (address), or :data:`ACCOUNT_LIMIT` failures for this account from
        anywhere unless this client signed in to it before. Strangers failing for an
        account from elsewhere do not lock its owner out.
    InputError
        When the name or password is wrong (the message does not say which).
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    name = username.strip().lower()[:80]
    client = client[:80]
    with transaction(engine) as conn:
        attempt = _reserve_attempt(conn, name, client, _now())
    with engine.connect() as conn:
        row = conn.execute(
            select(USERS).where(USERS.c.username == name, USERS.c.active.is_(True))
        ).first()
    hasher = _hasher()
    ok = False
    if row is not None:
        try:
            ok = hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time as a real check, so timing does not reveal user names.
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(_DUMMY_HASH.get(hasher), password)
    if not ok or row is None:
        raise InputError("The user name or password is wrong.", "Check both and try again.")
    token = secrets.token_urlsafe(32)
    with transaction(engine) as conn:
        conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.id == attempt))
        conn.execute(
            SESSIONS.insert().values(
                token_hash=_digest(token),
                user_id=row.id,
                created_at=_iso(_now()),
                expires_at=_iso(_now() + SESSION_LIFETIME),
            )
        )
        conn.execute(
            delete(SESSIONS).where(
                SESSIONS.c.user_id == row.id, SESSIONS.c.expires_at < _iso(_now())
            )
        )
        audit(conn, name, "sign-in", "session", None, f"client={client}")
    return User(int(row.id), name, row.display_name, Role[row.role]), token


class _DummyHash:
    """A hash of a random password, made once, for timing-safe checks of unknown users."""

    def __init__(self) -> None:
        self._value: str | None = None

    def get(self, hasher: Any) -> str:
        if self._value is None:
            self._value = hasher.hash(secrets.token_urlsafe(16))
        return self._value


_DUMMY_HASH = _DummyHash()


def session_user(engine: Engine, token: str | None) -> User | None:
    """The user a session cookie belongs to, or None when it is absent, unknown or expired."""
    if not token or len(token) > 200:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(USERS.c.id, USERS.c.username, USERS.c.display_name, USERS.c.role)
            .select_from(SESSIONS.join(USERS, USERS.c.id == SESSIONS.c.user_id))
            .where(
                SESSIONS.c.token_hash == _digest(token),
                SESSIONS.c.expires_at > _iso(_now()),
                USERS.c.active.is_(True),
            )
        ).first()
    if row is None:
        return None
    return User(int(row.id), row.username, row.display_name, Role[row.role])


def sign_out(engine: Engine, token: str | None) -> None:
    """End a session (idempotent)."""
    if not token:
        return
    with transaction(engine) as conn:
        row = conn.execute(
            select(USERS.c.username)
            .select_from(SESSIONS.join(USERS, USERS.c.id == SESSIONS.c.user_id))
            .where(SESSIONS.c.token_hash == _digest(token))
        ).first()
        if row is not None:
            conn.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == _digest(token)))
            audit(conn, row.username, "sign-out", "session", None, "")


def audit_entries(engine: Engine, *, limit: int = 100, offset: int = 0) -> list[AuditEntryOut]:
    """The newest audit-log entries first."""
    with engine.connect() as conn:
        rows = conn.execute(select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit).offset(offset))
        return [AuditEntryOut.model_validate(row._mapping) for row in rows]
