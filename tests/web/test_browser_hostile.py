"""Names that try to break out of the page, and Baltic diacritics, render as plain text.

They reach the store the way a user's would: a stakeholder list (CSV) imported with the
mapping next to this file, into a store of its own, a copy of the session's ingested Baltic
store (which stays as it is).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from browserkit import HERE, LiveServer, new_page, screenshot, serve
from sqlalchemy import Engine

from bioconnect.services.user_sources import import_user_source
from bioconnect.store.database import open_store
from storekit import copy_sqlite

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
VILNIUS = "Vilniaus universitetas – Gyvybės mokslų centras"
OSI = "Latvijas Organiskās sintēzes institūts"

ROWS = [
    (SCRIPT, "EE", "Tallinn", "industry", "health"),
    (IMAGE, "LV", "Rīga", "industry", "health"),
    (VILNIUS, "LT", "Vilnius", "academia", "health"),
    (OSI, "LV", "Rīga", "academia", "health"),
]


@pytest.fixture(scope="module")
def hostile_server(
    tmp_path_factory: pytest.TempPathFactory, baltic_sqlite: Engine
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("hostile")
    members = folder / "members.csv"
    with members.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Organisation", "Country", "City", "Group", "Domain"])
        writer.writerows(ROWS)
    engine = open_store(copy_sqlite(baltic_sqlite, folder / "store.sqlite"))
    import_user_source(engine, members, HERE / "hostile-names.yaml", actor="browser-test")
    with serve(engine) as server:
        yield server
    engine.dispose()


@pytest.fixture
def hostile_page(browser: Any, hostile_server: LiveServer) -> Iterator[tuple[Any, Any]]:
    context, page, watcher = new_page(browser, hostile_server)
    yield page, watcher
    context.close()


def _no_injected_markup(page: Any) -> None:
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("img[onerror]").count() == 0
    scripts = page.locator("script").evaluate_all("(all) => all.map((s) => s.textContent)")
    assert not [s for s in scripts if "alert(1)" in s]


@pytest.mark.parametrize("name", [SCRIPT, IMAGE, VILNIUS], ids=["script", "img", "vilnius"])
def test_name_is_text_on_search_and_organisation_pages(
    name: str, hostile_page: tuple[Any, Any]
) -> None:
    page, watcher = hostile_page
    # the query itself is echoed back into the search fields
    page.goto(f"/search?q={quote(name)}")
    assert page.locator("#q").input_value() == name
    assert page.locator("#quick-q").input_value() == name
    link = page.get_by_test_id("org-results").get_by_role("link", name=name, exact=True)
    assert link.count() == 1
    _no_injected_markup(page)
    if name == SCRIPT:
        screenshot(page, "search-hostile", docs=False)

    with page.expect_navigation():
        link.click()
    assert page.get_by_test_id("org-name").inner_text() == name
    assert page.title().startswith(name)
    org_id = page.url.rsplit("/", 1)[1]
    detail = page.request.get(f"/api/v1/organisations/{org_id}").json()
    assert detail["organisation"]["name"] == name
    _no_injected_markup(page)
    page.wait_for_timeout(300)  # time for an injected handler to have fired
    watcher.assert_clean()


def test_typed_search_shows_names_literally(hostile_page: tuple[Any, Any]) -> None:
    """HTMX swaps the results in: the swapped HTML is escaped too."""
    page, watcher = hostile_page
    page.goto("/search")
    page.locator("#q").press_sequentially("alert(1)")
    results = page.get_by_test_id("org-results")
    results.get_by_role("link", name=SCRIPT, exact=True).wait_for()
    assert results.get_by_role("link", name=IMAGE, exact=True).count() == 1
    _no_injected_markup(page)
    page.wait_for_timeout(300)
    watcher.assert_clean()


def test_diacritic_name_variant_is_kept(hostile_page: tuple[Any, Any]) -> None:
    """The Latvian name joins the CORDIS record of the same institute, as a name variant."""
    page, watcher = hostile_page
    found = page.request.get("/api/v1/organisations?q=LATVIJAS ORGANISKAS&limit=5").json()
    assert found["items"], found
    org_id = found["items"][0]["id"]
    page.goto(f"/organisations/{quote(org_id)}")
    names = page.locator("section[aria-labelledby='ids-h'] ul").inner_text()
    assert OSI in names
    watcher.assert_clean()
