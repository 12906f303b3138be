"""Personal API tokens on the web: bearer headers on the API, scopes, 401s, the tokens page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from bioconnect.services.accounts import add_user
from bioconnect.services.tokens import create_token, list_tokens
from bioconnect.settings import Settings
from bioconnect.store import schema
from bioconnect.web import create_app
from webkit import PASSWORD, csrf_headers, signed_in


@pytest.fixture
def app(engine: Engine) -> object:
    add_user(engine, "ada", PASSWORD, "admin")
    add_user(engine, "vic", PASSWORD, "viewer")
    return create_app(engine, settings=Settings(public_read=False))


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _script(app: object) -> TestClient:
    """A client that keeps no cookies, as a script with a token would be."""
    client = TestClient(app)  # type: ignore[arg-type]
    client.cookies.clear()
    return client


def test_a_read_token_reads_and_cannot_write(engine: Engine, app: object) -> None:
    made = create_token(engine, "ada", "reader", "read")
    client = _script(app)
    me = client.get("/api/v1/me", headers=_bearer(made.token))
    assert me.json() == {"username": "ada", "role": "admin"}
    assert client.get("/api/v1/users", headers=_bearer(made.token)).status_code == 200
    client.cookies.clear()
    refused = client.delete(f"/api/v1/tokens/{made.details.id}", headers=_bearer(made.token))
    assert refused.status_code == 403
    assert "read scope" in refused.json()["detail"]["problem"]
    assert list_tokens(engine, "ada")[0].state == "active"


def test_a_write_token_writes_without_csrf_and_a_revoked_one_gets_401(
    engine: Engine, app: object
) -> None:
    made = create_token(engine, "ada", "writer", "write")
    client = _script(app)
    revoked = client.delete(f"/api/v1/tokens/{made.details.id}", headers=_bearer(made.token))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    client.cookies.clear()
    after = client.get("/api/v1/me", headers=_bearer(made.token))
    assert after.status_code == 401
    assert after.headers["www-authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in after.headers["www-authenticate"]


def test_an_expired_or_unknown_token_gets_401_even_where_reading_is_public(
    engine: Engine,
) -> None:
    add_user(engine, "old", PASSWORD, "editor")
    made = create_token(engine, "old", "expiring", "read", days=1)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    with engine.begin() as conn:
        conn.execute(update(schema.ApiToken.__table__).values(expires_at=past))
    client = _script(create_app(engine, settings=Settings(public_read=True)))
    for secret in (made.token, "bct_" + "x" * 43, "nonsense"):
        response = client.get("/api/v1/me", headers=_bearer(secret))
        assert response.status_code == 401, secret
        assert "www-authenticate" in response.headers
    anonymous = client.get("/api/v1/users")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="bioconnect"'


def test_a_token_acts_with_its_owners_role_never_more(engine: Engine, app: object) -> None:
    made = create_token(engine, "vic", "viewer script", "write")
    client = _script(app)
    assert client.get("/api/v1/me", headers=_bearer(made.token)).json()["role"] == "viewer"
    client.cookies.clear()
    assert client.get("/api/v1/users", headers=_bearer(made.token)).status_code == 403
    client.cookies.clear()
    answer = client.post("/api/v1/users", headers=_bearer(made.token), json={})
    assert answer.status_code == 403


def test_a_token_is_taken_only_from_the_authorization_header(engine: Engine, app: object) -> None:
    made = create_token(engine, "ada", "elsewhere", "write")
    client = _script(app)
    for query in ("access_token", "token", "bearer"):
        response = client.get(f"/api/v1/users?{query}={made.token}")
        assert response.status_code == 401, query
    for cookie in ("bc_session", "Authorization", "access_token"):
        client.cookies.clear()
        client.cookies.set(cookie, made.token)
        assert client.get("/api/v1/users").status_code == 401, cookie
        client.cookies.clear()
        client.cookies.set(cookie, f"Bearer {made.token}")
        assert client.get("/api/v1/users").status_code == 401, cookie
    client.cookies.clear()
    basic = client.get("/api/v1/users", headers={"Authorization": f"Basic {made.token}"})
    assert basic.status_code == 401


def test_pages_never_take_a_token(engine: Engine, app: object) -> None:
    made = create_token(engine, "ada", "pages", "write")
    client = _script(app)
    page = client.get("/admin/users", headers=_bearer(made.token), follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    client.cookies.clear()
    form = client.post(
        "/admin/users",
        headers=_bearer(made.token),
        data={"username": "mallory", "password": "x" * 12, "role": "admin"},
        follow_redirects=False,
    )
    assert form.status_code == 403  # no CSRF token, and no session either


def test_a_bearer_request_with_a_session_cookie_still_needs_the_csrf_token(
    engine: Engine, app: object
) -> None:
    made = create_token(engine, "ada", "mixed", "write")
    browser = signed_in(app, "ada")
    url = f"/api/v1/tokens/{made.details.id}"
    refused = browser.delete(url, headers=_bearer(made.token))
    assert refused.status_code == 403
    assert "security token" in refused.text
    assert list_tokens(engine, "ada")[0].state == "active"
    # a session cookie with no CSRF token and no bearer is refused as before
    assert browser.delete(url).status_code == 403
    allowed = browser.delete(url, headers={**_bearer(made.token), **csrf_headers(browser)})
    assert allowed.status_code == 200


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it(engine: Engine, app: object) -> None:
    browser = signed_in(app, "vic")
    page = browser.get("/account/tokens")
    assert page.status_code == 200 and "no tokens yet" in page.text
    made = browser.post(
        "/account/tokens",
        data={"name": "<b>nb</b>", "scope": "write", "days": "7", **_csrf_field(browser)},
    )
    assert made.status_code == 201
    assert made.headers["cache-control"] == "no-store"
    secret = re.search(r'value="(bct_[A-Za-z0-9_-]+)"', made.text)
    assert secret is not None
    assert "&lt;b&gt;nb&lt;/b&gt;" in made.text and "<b>nb</b>" not in made.text
    again = browser.get("/account/tokens")
    assert secret.group(1) not in again.text
    assert "&lt;b&gt;nb&lt;/b&gt;" in again.text
    me = _script(app).get("/api/v1/me", headers=_bearer(secret.group(1)))
    assert me.json()["username"] == "vic"
    token_id = list_tokens(engine, "vic")[0].id
    forged = browser.post(f"/account/tokens/{token_id}/revoke", follow_redirects=False)
    assert forged.status_code == 403
    revoked = browser.post(
        f"/account/tokens/{token_id}/revoke", data=_csrf_field(browser), follow_redirects=False
    )
    assert revoked.status_code == 303
    assert list_tokens(engine, "vic")[0].state == "revoked"
    bad = browser.post(
        "/account/tokens", data={"name": "x", "scope": "admin", **_csrf_field(browser)}
    )
    assert bad.status_code == 400 and "Use read or write" in bad.text


def test_another_users_token_cannot_be_revoked(engine: Engine, app: object) -> None:
    made = create_token(engine, "ada", "admin's", "read")
    browser = signed_in(app, "vic")
    answer = browser.delete(f"/api/v1/tokens/{made.details.id}", headers=csrf_headers(browser))
    assert answer.status_code == 404
    assert list_tokens(engine, "ada")[0].state == "active"


def _csrf_field(client: TestClient) -> dict[str, str]:
    return {"csrf_token": client.cookies.get("bc_csrf") or ""}
