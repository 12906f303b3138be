"""Hostile names render inert on every page that can show an organisation's name.

The names (tests/hostilekit.py: HTML, template syntax, formulas, control and
bidirectional characters, a zero-width joiner, a 10,000-character name, terminal markup,
Baltic diacritics; test input, not data) reach the store the way a user's would: a list imported with
``import_user_source`` into a copy of the session's Baltic store (``hostile_store``).

Pages visited, in Chromium: the dashboard; the search page (by URL and typed, HTMX) for
each name; each hostile organisation's page; the page of the project they take part in;
the map with a click on each hostile point (popup and side panel); the network explorer
with each name found through its search box (hits and side panel); an unknown id's error
page; and, signed in as an editor, the review queue and the plan's overview and initiative
pages (lead, partners, history and the lead's atlas lookup). On each: no dialog, no
injected element or handler, no console error, the name as literal text, ``{{7*7}}`` not
evaluated, no bidirectional control in the DOM, and no page wider than the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from browserkit import PASSWORD, LiveServer, Watcher, new_page, screenshot, serve, sign_in
from sqlalchemy import Engine

from hostilekit import (
    BIDI,
    FORMULA,
    IMAGE,
    INITIATIVE,
    LONG,
    OSI,
    OVERRIDE,
    OWN,
    PARTNERS,
    PROJECT,
    ROWS,
    SCRIPT,
    SCRIPT_BIO,
    SCRIPT_BIOTECH,
    Row,
    org_ids,
)

pytestmark = pytest.mark.browser

ROW = {r.name: r for r in ROWS}
# a short label of each name, for the parametrised tests' ids
IDS = [
    "script",
    "img",
    "template",
    "formula",
    "plus",
    "minus",
    "at",
    "tab",
    "return",
    "controls",
    "override",
    "isolate",
    "joiner",
    "long",
    "markup",
    "script-bio",
    "script-biotech",
    "vilnius",
]
assert len(IDS) == len(OWN)

# What a page holds: text, form values, attributes, inline handlers and scripts, width.
INSPECT = """() => {
    const all = Array.from(document.querySelectorAll("*"));
    const values = Array.from(document.querySelectorAll("input, textarea, select"), (f) => f.value);
    const attributes = all.flatMap((el) => Array.from(el.attributes, (a) => a.value));
    const handlers = all.flatMap((el) =>
        Array.from(el.attributes).filter((a) => a.name.startsWith("on"))
            .map((a) => `${el.tagName.toLowerCase()}[${a.name}]`));
    const inline = Array.from(document.scripts)
        .filter((s) => !s.src && (!s.type || /(java|ecma)script|module/.test(s.type)))
        .map((s) => s.textContent);
    return {
        text: document.body.innerText,
        everything: [document.title, document.documentElement.textContent, ...values, ...attributes],
        handlers,
        inline,
        images: document.querySelectorAll("img[src='x'], img[onerror]").length,
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
    };
}"""

#: How far a page may be wider than the window (px): "a bit", never a 10,000-character line.
SLACK = 16


def assert_inert(
    page: Any, watcher: Watcher, *shown: str, allow: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The page shows ``shown`` as text and nothing hostile took effect (console errors
    containing one of ``allow`` aside)."""
    page.wait_for_timeout(200)  # time for an injected handler to have fired
    seen: dict[str, Any] = page.evaluate(INSPECT)
    assert seen["images"] == 0
    assert not seen["handlers"], seen["handlers"]
    assert not seen["inline"], seen["inline"][:1]
    bidi = [
        (m.group(), t[max(0, m.start() - 40) : m.end() + 40])
        for t in seen["everything"]
        for m in BIDI.finditer(t)
    ]
    assert not bidi, bidi[:3]  # the control and the text around it
    assert "49 Biotech" not in seen["text"]
    for name in shown:
        assert name in seen["text"], f"{name[:60]!r} is not on {page.url}"
    assert seen["scrollWidth"] <= seen["clientWidth"] + SLACK, (
        f"{page.url} is {seen['scrollWidth']} px wide in a {seen['clientWidth']} px window"
    )
    watcher.assert_clean(allow=allow)
    return seen


@pytest.fixture(scope="module")
def hostile_server(hostile_store: Engine) -> Iterator[LiveServer]:
    with serve(hostile_store) as server:
        yield server


@pytest.fixture(scope="module")
def ids(hostile_store: Engine) -> dict[str, str]:
    """Each hostile row's organisation id, by the name as the list writes it."""
    stored = org_ids(hostile_store)
    return {r.name: stored[r.stored] for r in OWN}


def _session(browser: Any, server: LiveServer) -> Iterator[tuple[Any, Watcher]]:
    context, page, watcher = new_page(browser, server)
    yield page, watcher
    context.close()


@pytest.fixture(scope="module")
def visitor_page(browser: Any, hostile_server: LiveServer) -> Iterator[tuple[Any, Watcher]]:
    """One anonymous page (reading is public) reused by the module's tests."""
    yield from _session(browser, hostile_server)


@pytest.fixture(scope="module")
def editor_page(
    browser: Any, hostile_server: LiveServer, hostile_store: Engine
) -> Iterator[tuple[Any, Watcher]]:
    """One page signed in as an editor, reused by the module's tests."""
    from bioconnect.services.accounts import add_user

    add_user(hostile_store, "hostile-editor", PASSWORD, "editor")
    for page, watcher in _session(browser, hostile_server):
        sign_in(page.context, "hostile-editor")
        yield page, watcher


@pytest.fixture
def visitor(visitor_page: tuple[Any, Watcher]) -> tuple[Any, Watcher]:
    return _fresh(visitor_page)


@pytest.fixture
def editor(editor_page: tuple[Any, Watcher]) -> tuple[Any, Watcher]:
    return _fresh(editor_page)


def _fresh(session: tuple[Any, Watcher]) -> tuple[Any, Watcher]:
    """The reused page, with what it reported in earlier tests forgotten."""
    page, watcher = session
    page.goto("about:blank")
    for found in (watcher.console_errors, watcher.page_errors, watcher.dialogs):
        found.clear()
    return page, watcher


def _search_text(row: Row) -> str:
    """What a person would type to find the row: its longest part without bidirectional
    controls, at most 40 characters."""
    return max(BIDI.split(row.stored), key=len)[:40]


def test_dashboard(visitor: tuple[Any, Watcher]) -> None:
    page, watcher = visitor
    page.goto("/")
    page.locator("#atlas-chart svg, #atlas-chart canvas").first.wait_for(state="visible")
    assert_inert(page, watcher)


@pytest.mark.parametrize("name", [r.name for r in OWN], ids=IDS)
def test_search_and_organisation_pages(
    name: str, ids: dict[str, str], visitor: tuple[Any, Watcher]
) -> None:
    page, watcher = visitor
    row = ROW[name]
    query = _search_text(row)
    page.goto(f"/search?q={quote(query)}")
    # the query itself is echoed back into the search fields
    assert page.locator("#q").input_value() == query
    assert page.locator("#quick-q").input_value() == query
    link = page.get_by_test_id("org-results").locator(f"a[href='/organisations/{ids[name]}']")
    assert link.inner_text() == row.shown
    assert_inert(page, watcher, row.shown)

    with page.expect_navigation():
        link.click()
    assert page.get_by_test_id("org-name").inner_text() == row.shown
    assert page.title() == f"{row.shown} · bioconnect"
    detail = page.request.get(f"/api/v1/organisations/{ids[name]}").json()
    assert detail["organisation"]["name"] == row.stored  # the API gives the name as stored
    # the other hostile organisations are its strongest partners (two shared projects)
    partners = page.locator("section[aria-labelledby='partners-h'] a").evaluate_all(
        "(all) => all.map((a) => [a.getAttribute('href'), a.textContent])"
    )
    shown = {f"/organisations/{ids[r.name]}": r.shown for r in OWN if r.name != name}
    hostile = {h: t for h, t in partners if h in shown}
    assert hostile == shown
    page.locator("#ego-network canvas").first.wait_for(state="attached")
    assert_inert(page, watcher, row.shown)
    if name == LONG:
        screenshot(page, "organisation-long-name", docs=False)


def test_typed_search_shows_names_literally(visitor: tuple[Any, Watcher]) -> None:
    """HTMX swaps the results in: the swapped HTML is escaped too."""
    page, watcher = visitor
    page.goto("/search")
    page.locator("#q").press_sequentially("alert(1)")
    results = page.get_by_test_id("org-results")
    results.get_by_role("link", name=SCRIPT, exact=True).wait_for()
    assert results.get_by_role("link", name=IMAGE, exact=True).count() == 1
    assert_inert(page, watcher, SCRIPT, IMAGE, SCRIPT_BIO)


def test_project_page_lists_every_hostile_participant(
    ids: dict[str, str], visitor: tuple[Any, Watcher]
) -> None:
    page, watcher = visitor
    page.goto(f"/projects/{PROJECT}")
    table = page.locator("table").last
    for row in OWN:
        assert table.locator(f"a[href='/organisations/{ids[row.name]}']").inner_text() == row.shown
    assert_inert(page, watcher, *(r.shown for r in OWN))
    screenshot(page, "project-hostile", docs=False)


def test_diacritic_name_variant_is_kept(visitor: tuple[Any, Watcher]) -> None:
    """The Latvian name joins the CORDIS record of the same institute, as a name variant."""
    page, watcher = visitor
    found = page.request.get("/api/v1/organisations?q=LATVIJAS ORGANISKAS&limit=5").json()
    assert found["items"], found
    page.goto(f"/organisations/{quote(found['items'][0]['id'])}")
    names = page.locator("section[aria-labelledby='ids-h'] ul").inner_text()
    assert OSI in names
    assert_inert(page, watcher, OSI)


MAPPED = [r for r in OWN if r.location]
# Centre the map on a point close up, and give the point's position in the map's box.
ZOOM_TO = """async ([lon, lat]) => {
    const map = window.bioconnectMap.map;
    const idle = new Promise((resolve) => map.once("idle", resolve));
    map.jumpTo({ center: [lon, lat], zoom: 8 });
    await idle;
    const p = map.project([lon, lat]);
    return [p.x, p.y];
}"""


def test_map_popups_show_names_as_text(ids: dict[str, str], visitor: tuple[Any, Watcher]) -> None:
    """A click on each hostile point opens its popup and fills the side panel."""
    page, watcher = visitor
    page.goto("/map")
    page.locator('#map[data-state="ready"]').wait_for(state="attached")
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    for row in MAPPED:
        close = page.locator(".maplibregl-popup-close-button")
        if close.count():
            close.click()
        lat, lon = (float(v) for v in row.location.split(","))
        x, y = page.evaluate(ZOOM_TO, [lon, lat])
        page.mouse.click(box["x"] + x, box["y"] + y)
        heading = page.locator("#map-details h3")
        heading.wait_for()
        assert heading.inner_text() == row.shown
        popup = page.locator(".maplibregl-popup h3")
        assert popup.inner_text() == row.shown
        link = page.locator("#map-details a").get_attribute("href")
        assert link == f"/organisations/{ids[row.name]}"
        assert_inert(page, watcher, row.shown)
    screenshot(page, "map-hostile", docs=False, focus="#map")


def test_network_search_and_panel_show_names_as_text(visitor: tuple[Any, Watcher]) -> None:
    """Each name is found through the explorer's search box and opened in its side panel."""
    page, watcher = visitor
    page.goto("/network?domain=health")
    page.locator('#network-graph[data-state="ready"]').wait_for(state="attached", timeout=60_000)
    for row in OWN:
        page.locator("#net-search-q").fill(_search_text(row))
        page.locator("#net-search-q").press("Enter")
        hit = page.locator("#net-search-hits button").first
        hit.wait_for()
        assert hit.inner_text().startswith(row.shown)
        hit.click()
        assert page.locator("#network-details h3").inner_text() == row.shown
        assert_inert(page, watcher, row.shown)
    screenshot(page, "network-hostile", docs=False)


def test_unknown_id_error_page_echoes_text(visitor: tuple[Any, Watcher]) -> None:
    page, watcher = visitor
    response = page.goto(f"/organisations/{quote(IMAGE, safe='')}")
    assert response is not None and response.status == 404
    assert IMAGE in page.get_by_test_id("problem").inner_text()
    assert_inert(page, watcher, IMAGE, allow=("404",))


def test_review_queue_as_an_editor(editor: tuple[Any, Watcher]) -> None:
    """The matcher queued two near-twin script names; the editor sees both as text."""
    page, watcher = editor
    page.goto("/review")
    pair = page.locator(".review-list > li").filter(has_text=SCRIPT_BIOTECH)
    assert pair.count() == 1
    assert sorted(pair.locator("strong").all_inner_texts()) == [SCRIPT_BIO, SCRIPT_BIOTECH]
    assert_inert(page, watcher, SCRIPT_BIO, SCRIPT_BIOTECH)


def test_plan_pages_as_an_editor(ids: dict[str, str], editor: tuple[Any, Watcher]) -> None:
    """The plan's initiative is led by the script name, with hostile partners."""
    page, watcher = editor
    page.goto("/plan")
    lead = page.locator(f"[data-testid='initiatives-table'] tr[data-id='{INITIATIVE}'] td").nth(3)
    assert lead.inner_text() == SCRIPT
    assert_inert(page, watcher, SCRIPT)

    page.goto(f"/plan/initiatives/{INITIATIVE}")
    assert page.locator("#f-lead").input_value() == SCRIPT
    assert page.locator("#f-lead-id").input_value() == ids[SCRIPT]
    partners = page.locator("#f-partners").input_value()
    for name in PARTNERS:
        assert f"{ROW[name].shown} | {ids[name]}" in partners
    assert_inert(page, watcher)
    # the lead's lookup suggests atlas names (plan.js fills a datalist from the API)
    lead_input = page.locator("#f-lead")
    for typed, name in (("alert(1)", SCRIPT), ("HYPERLINK", FORMULA), ("evil.exe", OVERRIDE)):
        lead_input.fill(typed)
        page.wait_for_function(SUGGESTED, arg=typed)
        values = page.locator("#org-suggestions option").evaluate_all(
            "(all) => all.map((o) => o.value)"
        )
        assert ROW[name].shown in values, values
        assert_inert(page, watcher)


# Whether the lead's datalist suggests a name holding what was typed.
SUGGESTED = """(typed) => Array.from(document.querySelectorAll("#org-suggestions option"))
    .some((o) => o.value.includes(typed))"""
