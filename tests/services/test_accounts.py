"""Accounts: argon2 hashes, sessions, roles, sign-in rate limits and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services import accounts
from bioconnect.services.accounts import (
    ACCOUNT_LIMIT,
    LOGIN_LIMIT,
    LOGIN_WINDOW,
    RateLimited,
    Role,
    add_user,
    list_users,
    session_user,
    set_role,
    sign_in,
    sign_out,
)
from bioconnect.store import schema

PASSWORD = "a long enough password"


def test_passwords_are_stored_as_argon2id_hashes(engine: Engine) -> None:
    add_user(engine, "Alice", PASSWORD, "editor")
    with engine.connect() as conn:
        stored = conn.execute(select(schema.UserAccount.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert list_users(engine)[0].username == "alice"


def test_sign_in_opens_a_session_that_sign_out_ends(engine: Engine) -> None:
    add_user(engine, "bob", PASSWORD, "viewer")
    user, token = sign_in(engine, "BOB", PASSWORD, client="127.0.0.1")
    assert user.role is Role.viewer
    assert session_user(engine, token) == user
    with engine.connect() as conn:
        stored = conn.execute(select(schema.UserSession.token_hash)).scalar_one()
    assert token not in stored  # only a digest is kept
    sign_out(engine, token)
    assert session_user(engine, token) is None
    sign_out(engine, token)  # idempotent


def test_wrong_passwords_and_unknown_users_get_the_same_answer(engine: Engine) -> None:
    add_user(engine, "carol", PASSWORD)
    with pytest.raises(InputError) as wrong:
        sign_in(engine, "carol", "not the password", client="c1")
    with pytest.raises(InputError) as unknown:
        sign_in(engine, "nobody", PASSWORD, client="c2")
    assert str(wrong.value) == str(unknown.value)


def test_strangers_failing_elsewhere_do_not_lock_the_owner_out(engine: Engine) -> None:
    add_user(engine, "dave", PASSWORD)
    for i in range(LOGIN_LIMIT + 2):
        with pytest.raises(InputError):
            sign_in(engine, "dave", "guess", client=f"10.0.0.{i}")
    assert sign_in(engine, "dave", PASSWORD, client="10.0.0.99")[0].username == "dave"


def test_guessing_one_account_from_many_addresses_is_slowed_but_not_its_owner(
    engine: Engine,
) -> None:
    add_user(engine, "gina", PASSWORD)
    sign_in(engine, "gina", PASSWORD, client="192.0.2.1")  # her usual address
    for i in range(ACCOUNT_LIMIT):
        with pytest.raises(InputError):
            sign_in(engine, "gina", "guess", client=f"10.1.{i // 200}.{i % 200}")
    with pytest.raises(RateLimited) as refused:
        sign_in(engine, "gina", PASSWORD, client="10.2.0.1")
    assert 1 <= refused.value.retry_after <= LOGIN_WINDOW.total_seconds() + 1
    assert sign_in(engine, "gina", PASSWORD, client="192.0.2.1")[0].username == "gina"


def test_parallel_guesses_are_counted_before_they_are_checked(engine: Engine) -> None:
    """30 wrong passwords at once for one account from one address: at most
    LOGIN_LIMIT are checked (before the fix: 19 on SQLite, 30 on PostgreSQL)."""
    from concurrent.futures import ThreadPoolExecutor

    add_user(engine, "hank", PASSWORD)

    def guess(i: int) -> str:
        try:
            sign_in(engine, "hank", f"guess {i}", client="198.51.100.7")
        except RateLimited:
            return "refused"
        except InputError:
            return "checked"
        return "signed in"

    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(guess, range(30)))
    assert outcomes.count("checked") == LOGIN_LIMIT
    assert outcomes.count("refused") == 30 - LOGIN_LIMIT
    # and the owner still signs in from elsewhere
    assert sign_in(engine, "hank", PASSWORD, client="198.51.100.8")[0].username == "hank"


def test_repeated_failures_are_rate_limited_per_client(engine: Engine) -> None:
    add_user(engine, "erin", PASSWORD)
    for i in range(LOGIN_LIMIT):
        with pytest.raises(InputError):
            sign_in(engine, f"user{i}", "guess", client="10.9.9.9")
    with pytest.raises(RateLimited) as refused:
        sign_in(engine, "erin", PASSWORD, client="10.9.9.9")
    assert 590 <= refused.value.retry_after <= 601
    assert sign_in(engine, "erin", PASSWORD, client="10.9.9.10")[0].username == "erin"


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("x", PASSWORD, "not allowed"),
        ("<script>", PASSWORD, "not allowed"),
        ("frank", "short", "too short"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(
    engine: Engine, name: str, password: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        add_user(engine, name, password)
    assert list_users(engine) == []


def test_duplicate_users_and_unknown_roles_are_refused(engine: Engine) -> None:
    add_user(engine, "gina", PASSWORD)
    with pytest.raises(InputError, match="already exists"):
        add_user(engine, "Gina", PASSWORD)
    with pytest.raises(InputError, match="Unknown role"):
        set_role(engine, "gina", "superuser")
    with pytest.raises(NotFoundError):
        set_role(engine, "nobody", "viewer")


def test_every_account_write_is_audited(engine: Engine) -> None:
    add_user(engine, "hank", PASSWORD, "viewer", actor="root")
    set_role(engine, "hank", "admin", actor="root")
    set_role(engine, "hank", "admin", actor="root")  # no change, no entry
    _, token = sign_in(engine, "hank", PASSWORD, client="127.0.0.1")
    sign_out(engine, token)
    entries = accounts.audit_entries(engine)
    assert [(e.actor, e.action) for e in reversed(entries)] == [
        ("root", "add"),
        ("root", "set-role"),
        ("hank", "sign-in"),
        ("hank", "sign-out"),
    ]
    assert entries[2].detail == "viewer -> admin"
