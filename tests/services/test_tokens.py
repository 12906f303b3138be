"""Personal API tokens: stored hashed, scoped, expiring, revocable, audited, shown once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.accounts import Role, add_user, audit_entries, set_role
from bioconnect.services.tokens import (
    TokenRejected,
    create_token,
    list_tokens,
    revoke_token,
    token_user,
)
from bioconnect.store import schema

PASSWORD = "a long enough password"


def test_a_token_is_shown_once_and_stored_only_as_its_sha256(engine: Engine) -> None:
    add_user(engine, "alice", PASSWORD, "editor")
    made = create_token(engine, "alice", "notebook", "write", days=30)
    assert made.token.startswith("bct_") and len(made.token) > 40
    with engine.connect() as conn:
        row = conn.execute(select(schema.ApiToken.__table__)).one()
    assert row.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert made.token not in str(tuple(row))
    listed = list_tokens(engine, "alice")
    assert [t.id for t in listed] == [made.details.id]
    assert made.token not in listed[0].model_dump_json()
    assert listed[0].state == "active" and listed[0].scope == "write"
    user, scope = token_user(engine, made.token)
    assert (user.username, user.role, scope) == ("alice", Role.editor, "write")


def test_a_token_acts_with_its_owners_role_now(engine: Engine) -> None:
    add_user(engine, "bob", PASSWORD, "admin")
    made = create_token(engine, "bob", "script", "write")
    set_role(engine, "bob", "viewer")
    user, _ = token_user(engine, made.token)
    assert user.role == Role.viewer
    with engine.begin() as conn:
        conn.execute(update(schema.UserAccount.__table__).values(active=False))
    with pytest.raises(TokenRejected):
        token_user(engine, made.token)


def test_revoked_expired_unknown_and_malformed_tokens_are_rejected(engine: Engine) -> None:
    add_user(engine, "carol", PASSWORD, "viewer")
    revoked = create_token(engine, "carol", "old", "read")
    expired = create_token(engine, "carol", "short", "read", days=1)
    revoke_token(engine, "carol", revoked.details.id)
    revoke_token(engine, "carol", revoked.details.id)  # idempotent
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")
    with engine.begin() as conn:
        table = schema.ApiToken.__table__
        conn.execute(update(table).where(table.c.id == expired.details.id).values(expires_at=past))
    for secret in (revoked.token, expired.token, "bct_" + "A" * 43, "not a token", ""):
        with pytest.raises(TokenRejected):
            token_user(engine, secret)
    states = {t.name: t.state for t in list_tokens(engine, "carol")}
    assert states == {"old": "revoked", "short": "expired"}


def test_only_the_owner_can_revoke_a_token(engine: Engine) -> None:
    add_user(engine, "dan", PASSWORD, "viewer")
    add_user(engine, "erin", PASSWORD, "viewer")
    made = create_token(engine, "dan", "mine")
    with pytest.raises(NotFoundError):
        revoke_token(engine, "erin", made.details.id)
    assert token_user(engine, made.token)[0].username == "dan"


@pytest.mark.parametrize(
    ("name", "scope", "days"),
    [
        ("", "read", 30),
        ("x" * 81, "read", 30),
        ("a\x00b", "read", 30),
        ("ok", "admin", 30),
        ("ok", "read", 0),
        ("ok", "read", 366),
    ],
)
def test_bad_token_requests_are_refused_and_nothing_is_written(
    engine: Engine, name: str, scope: str, days: int
) -> None:
    add_user(engine, "frank", PASSWORD, "viewer")
    with pytest.raises(InputError) as caught:
        create_token(engine, "frank", name, scope, days=days)
    assert caught.value.fix
    assert list_tokens(engine, "frank") == []
    with pytest.raises(NotFoundError):
        create_token(engine, "nobody", "ok")


def test_making_and_revoking_tokens_is_audited(engine: Engine) -> None:
    add_user(engine, "gina", PASSWORD, "viewer")
    made = create_token(engine, "gina", "ci", "read", actor="root")
    revoke_token(engine, "gina", made.details.id, actor="gina")
    entries = [(e.actor, e.action, e.entity, e.entity_id) for e in audit_entries(engine)]
    assert ("root", "create", "api-token", str(made.details.id)) in entries
    assert ("gina", "revoke", "api-token", str(made.details.id)) in entries
    assert all(made.token not in (e.detail or "") for e in audit_entries(engine))
