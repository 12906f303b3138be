"""axe-core on every page: no "serious" or "critical" violation; lesser ones are reported.

axe is the vendored copy (static/vendor/axe.min.js), loaded from the app's own origin so
the Content Security Policy stays as strict as in production.
"""

from __future__ import annotations

from typing import Any

import pytest
from browserkit import BLOCKING, NOTES, Watcher, describe, run_axe, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True),
]


def _first(page: Any, path: str) -> str:
    items = page.request.get(path).json()["items"]
    assert items, path
    return str(items[0]["id"])


# page name -> (role signed in or None, address, what shows the page is ready)
PAGES: dict[str, tuple[str | None, str, str]] = {
    "dashboard": (None, "/", "#atlas-chart svg, #atlas-chart canvas"),
    "map": (None, "/map", '#map[data-state="ready"]'),
    "network": (None, "/network?programme=H2020", '#network-graph[data-state="ready"]'),
    "organisation": (None, "/organisations/{org}", '#ego-network[data-state="ready"]'),
    "project": (None, "/projects/{project}", "h1"),
    "search": (None, "/search?q=Tartu", "[data-testid=org-results] a"),
    "login": (None, "/login", "form"),
    "review": ("editor", "/review", "h1"),
    "reports": ("editor", "/reports", "h1"),
    "users": ("admin", "/admin/users", "h1"),
    "tokens": ("viewer", "/account/tokens", "h1"),
    "error": (None, "/organisations/no-such-organisation", "[data-testid=problem]"),
}


# pages no other test takes a picture of
SHOT_HERE = {"project", "login"}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violations(
    name: str, browser_page: tuple[Any, Watcher], accounts: dict[str, str]
) -> None:
    page, watcher = browser_page
    role, address, ready = PAGES[name]
    if role:
        sign_in(page.context, accounts[role])
    if "{org}" in address:
        address = address.format(org=_first(page, "/api/v1/organisations?q=Tartu&limit=1"))
    if "{project}" in address:
        address = address.format(project=_first(page, "/api/v1/projects?limit=1"))
    page.goto(address)
    page.locator(ready).first.wait_for(state="attached", timeout=60_000)
    if name in SHOT_HERE:
        screenshot(page, name)
    else:
        screenshot(page, f"a11y-{name}", docs=False)
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    if others:
        NOTES.append(f"axe {name} ({address}), not blocking:\n{describe(others)}")
    else:
        NOTES.append(f"axe {name} ({address}): no violations")
    assert not blocking, f"axe on {address}:\n{describe(blocking)}"
    watcher.assert_clean(
        allow=("the server responded with a status of 404",) if name == "error" else ()
    )
