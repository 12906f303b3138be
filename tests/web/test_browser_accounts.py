"""Signing in and out through the forms, roles, and refused writes, in a real browser."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from browserkit import (
    BLOCKING,
    PASSWORD,
    Watcher,
    describe,
    run_axe,
    screenshot,
    sign_in,
    sign_in_with_form,
    sign_out_with_button,
)

from bioconnect.services.accounts import list_users

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True),
]

# Chromium logs a failed document load as a console error; these pages are meant to fail.
REFUSED = "the server responded with a status of 403"


def _session_cookie(page: Any) -> dict[str, Any] | None:
    return next((c for c in page.context.cookies() if c["name"] == "bc_session"), None)


def test_viewer_signs_in_is_refused_and_signs_out(
    browser_page: tuple[Any, Watcher], accounts: dict[str, str]
) -> None:
    page, watcher = browser_page
    sign_in_with_form(page, accounts["viewer"])
    assert urlsplit(page.url).path == "/"
    assert f"{accounts['viewer']} (viewer)" in page.locator("header").inner_text()
    cookie = _session_cookie(page)
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "bc_session" not in page.evaluate("() => document.cookie")
    assert "bc_csrf" not in page.evaluate("() => document.cookie")

    for path in ("/review", "/admin/users"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"
        assert "viewer" in page.get_by_test_id("problem").inner_text()
    screenshot(page, "forbidden")

    page.goto("/")
    sign_out_with_button(page)
    assert _session_cookie(page) is None
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert page.request.get("/api/v1/me").json() == {"username": None, "role": None}
    page.goto("/review")
    assert "/login?next=%2Freview" in page.url
    watcher.assert_clean(allow=(REFUSED,))


def test_editor_opens_review(browser_page: tuple[Any, Watcher], accounts: dict[str, str]) -> None:
    page, watcher = browser_page
    sign_in_with_form(page, accounts["editor"])
    response = page.goto("/review")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Entity-resolution review"
    assert page.get_by_role("link", name="Review").get_attribute("aria-current") == "page"
    screenshot(page, "review")
    watcher.assert_clean()


def test_admin_adds_a_user_through_the_form(
    browser_page: tuple[Any, Watcher], accounts: dict[str, str]
) -> None:
    page, watcher = browser_page
    sign_in_with_form(page, accounts["admin"])
    page.goto("/admin/users")
    newcomer = f"web-new-{uuid.uuid4().hex[:8]}"
    page.get_by_label("User name").fill(newcomer)
    page.get_by_label("Display name").fill("Kristiina Mänd")
    page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    page.get_by_label("Role", exact=True).select_option("stakeholder")
    with page.expect_navigation():
        page.get_by_role("button", name="Add user").click()
    assert page.url.endswith("/admin/users")
    row = page.locator("tbody tr", has_text=newcomer)
    assert row.count() == 1
    assert "Kristiina Mänd" in row.inner_text()
    assert row.locator("select").input_value() == "stakeholder"
    screenshot(page, "users")

    # the admin signs out and the new account can sign in
    sign_out_with_button(page)
    assert page.get_by_role("link", name="Sign in").is_visible()
    sign_in_with_form(page, newcomer)
    assert "Kristiina Mänd (stakeholder)" in page.locator("header").inner_text()
    watcher.assert_clean()


def test_stakeholder_cannot_add_users(
    browser_page: tuple[Any, Watcher], accounts: dict[str, str], live_server: Any
) -> None:
    page, watcher = browser_page
    sign_in(page.context, accounts["stakeholder"])
    page.goto("/search")
    intruder = f"web-intruder-{uuid.uuid4().hex[:8]}"
    statuses = page.evaluate(
        """async (name) => {
            const token = document.body.dataset.csrf;
            const form = new URLSearchParams({csrf_token: token, username: name,
                                              password: "x".repeat(12), role: "admin"});
            const page = await fetch("/admin/users", {method: "POST", body: form});
            const api = await fetch("/api/v1/users", {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
                body: JSON.stringify({username: name, password: "x".repeat(12), role: "admin"}),
            });
            return [page.status, (await page.text()).includes("Not allowed"), api.status];
        }""",
        intruder,
    )
    assert statuses == [403, True, 403]
    assert intruder not in {u.username for u in list_users(live_server.engine)}
    watcher.assert_clean(allow=(REFUSED,))


def test_post_without_csrf_token_is_refused(
    browser_page: tuple[Any, Watcher], accounts: dict[str, str], live_server: Any
) -> None:
    page, watcher = browser_page
    sign_in(page.context, accounts["admin"])
    page.goto("/admin/users")
    intruder = f"web-nocsrf-{uuid.uuid4().hex[:8]}"
    # a forged form: the page's own form, minus its hidden token
    page.locator("form[action='/admin/users'] input[name='csrf_token']").evaluate(
        "(input) => input.remove()"
    )
    page.get_by_label("User name").fill(intruder)
    page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Add user").click()
    assert navigation.value.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"
    assert "security token" in page.get_by_test_id("problem").inner_text()

    # the same with fetch: no header, then a wrong one
    statuses = page.evaluate(
        """async (name) => {
            const form = new URLSearchParams({username: name, password: "x".repeat(12),
                                              role: "viewer"});
            const bare = await fetch("/admin/users", {method: "POST", body: form});
            const wrong = await fetch("/api/v1/users", {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRF-Token": "forged"},
                body: JSON.stringify({username: name, password: "x".repeat(12)}),
            });
            return [bare.status, wrong.status];
        }""",
        intruder,
    )
    assert statuses == [403, 403]
    assert intruder not in {u.username for u in list_users(live_server.engine)}
    watcher.assert_clean(allow=(REFUSED,))


def test_a_user_makes_a_token_sees_it_once_uses_it_and_revokes_it(
    browser_page: tuple[Any, Watcher], accounts: dict[str, str]
) -> None:
    page, watcher = browser_page
    sign_in(page.context, accounts["viewer"])
    page.goto("/")
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/account/tokens")
    page.get_by_label("Name (what uses it)").fill("notebook")
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Make token").click()
    shown = page.locator("#new-token-value")
    secret = shown.input_value()
    assert secret.startswith("bct_")
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    screenshot(page, "api-token", docs=False)
    answer = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.json()["username"] == accounts["viewer"]
    page.goto("/account/tokens")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke token notebook").first.click()
    page.wait_for_url("**/account/tokens")
    assert "revoked" in page.locator("table").inner_text()
    refused = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401
    watcher.assert_clean()
