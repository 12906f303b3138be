"""The pages in a real browser on the real Baltic store: dashboard, map, network, search.

Figures on the pages are checked against the REST API for the same question, and every
page must load without console errors, uncaught exceptions or CSP violations.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from browserkit import NOTES, LiveServer, Watcher, screenshot

from bioconnect.web.limits import CostLimiter

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True),
]

COUNTRIES = {"EE", "LV", "LT", "FI"}


def _api(page: Any, path: str) -> Any:
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
    return response.json()


def test_dashboard_cards_and_chart(browser_page: tuple[Any, Watcher]) -> None:
    page, watcher = browser_page
    response = page.goto("/")
    assert response is not None and response.status == 200
    cards = page.locator(".card[data-country]")
    assert {cards.nth(i).get_attribute("data-country") for i in range(cards.count())} == COUNTRIES
    summary = _api(page, "/api/v1/atlas/summary")
    for code in COUNTRIES:
        expected = f"{summary['countries'][code]['organisations']:,}"
        assert page.get_by_test_id(f"orgs-{code}").inner_text().strip() == expected
    page.locator("#atlas-chart svg, #atlas-chart canvas").first.wait_for(state="visible")
    screenshot(page, "dashboard")
    watcher.assert_clean()


def _region_rows(page: Any) -> list[list[str]]:
    return page.locator("#map-table tbody tr").evaluate_all(
        "(rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent.trim()))"
    )


def _show(page: Any, pattern: str) -> list[dict[str, Any]]:
    """Press "Show"; return the regions the page fetched, once it has drawn them."""
    with page.expect_response(re.compile(pattern)) as answer:
        page.get_by_role("button", name="Show").click()
    features: list[dict[str, Any]] = answer.value.json()["features"]
    page.wait_for_function(
        """(n) => {
            const map = document.querySelector('#map');
            return map.dataset.state === 'ready' && Number(map.dataset.featureCount) === n;
        }""",
        arg=len(features),
    )
    return features


def test_map_country_filter(browser_page: tuple[Any, Watcher]) -> None:
    page, watcher = browser_page
    # all research: the figures below count every organisation placed (the focus is
    # the page's default, see test_browser_scope.py)
    page.goto("/map?research=all")
    page.locator('#map[data-state="ready"]').wait_for(state="attached")
    countries = page.locator("#map").get_attribute("data-feature-count")
    assert countries == str(len(COUNTRIES))
    assert {row[2] for row in _region_rows(page)} == COUNTRIES
    screenshot(page, "map-countries", docs=False, focus="#map")

    # NUTS 3: regions placed from geocoded cities, dots for the organisations, a classed legend
    page.get_by_role("combobox", name="Regions").select_option("3")
    small = _show(page, r"/api/v1/atlas/map\?.*level=3")
    assert len(small) >= 35 and all(len(f["properties"]["nuts_id"]) == 5 for f in small)
    assert sum(f["properties"]["organisations"] for f in small) > 700
    assert int(page.locator("#map").get_attribute("data-point-count")) > 700
    legend = page.locator("#map-legend").inner_text()
    assert (
        "quantile classes" in legend and "GeoNames" in page.locator("#map-attribution").inner_text()
    )
    screenshot(page, "map", focus="#map")

    page.get_by_role("combobox", name="Regions").select_option("2")
    regions = _show(page, r"/api/v1/atlas/map\?.*level=2")
    rows_before = _region_rows(page)
    assert len(rows_before) == len(regions) > len(COUNTRIES)
    assert {row[2] for row in rows_before} == COUNTRIES

    boxes = page.locator('#map-filters input[name="countries"]')
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.set_checked(box.get_attribute("value") == "EE")
    estonia = _show(page, r"/api/v1/atlas/map\?countries=EE&.*level=2")
    assert 0 < len(estonia) < len(regions)
    assert {f["properties"]["country"] for f in estonia} == {"EE"}
    assert {f["properties"]["nuts_id"] for f in estonia} == {
        f["properties"]["nuts_id"] for f in regions if f["properties"]["country"] == "EE"
    }
    rows_after = _region_rows(page)
    assert rows_after != rows_before
    assert [row[2] for row in rows_after] == ["EE"] * len(estonia)
    screenshot(page, "map-estonia", docs=False, focus="#map")
    watcher.assert_clean()


def test_network_explorer_h2020(browser_page: tuple[Any, Watcher]) -> None:
    page, watcher = browser_page
    page.goto("/network?programme=H2020")
    graph = page.locator('#network-graph[data-state="ready"]')
    graph.wait_for(state="attached", timeout=60_000)
    # the page shows the preset's focus unless asked for all research; the API, all research
    api = _api(page, "/api/v1/network?programme=H2020&research=focus")
    nodes = int(graph.get_attribute("data-node-count") or -1)
    edges = int(graph.get_attribute("data-edge-count") or -1)
    assert nodes == api["attributes"]["n_nodes"] > 0
    assert edges == len(api["edges"]) > 0
    order, size = page.evaluate(
        "() => [window.bioconnectNetwork.graph.order, window.bioconnectNetwork.graph.size]"
    )
    assert (order, size) == (nodes, edges)
    NOTES.append(
        f"network /network?programme=H2020: {nodes} nodes, {edges} edges, "
        f"drawn in {graph.get_attribute('data-render-ms')} ms"
    )
    screenshot(page, "network", focus="#network-graph")
    watcher.assert_clean()


def test_network_explorer_says_to_sign_in_when_the_anonymous_budget_is_spent(
    browser_page: tuple[Any, Watcher], live_server: LiveServer
) -> None:
    page, watcher = browser_page
    app = live_server.app
    kept = app.state.cost_limiter
    now = [0.0]
    spent = CostLimiter(per_client=1, total=60, clock=lambda: now[0])
    ticket = spent.admit("127.0.0.1")
    now[0] = 2.0  # a request of 2 s: this address is 1 s in debt, for 61 s
    spent.charge(ticket)
    app.state.cost_limiter = spent
    try:
        page.goto("/network?programme=H2020&start_year=2016")
        graph = page.locator('#network-graph[data-state="error"]')
        graph.wait_for(state="attached", timeout=60_000)
    finally:
        app.state.cost_limiter = kept
    status = page.locator("#network-status").inner_text()
    assert status.startswith("The network could not be shown: This request needs work")
    assert status.endswith("Sign in (any account) to go on now, or try again in 61 seconds.")
    watcher.assert_clean(allow=("status of 429",))


def test_search_then_organisation(browser_page: tuple[Any, Watcher]) -> None:
    page, watcher = browser_page
    page.goto("/search")
    # typed, not submitted: HTMX fetches the results as the visitor types
    page.get_by_label("Organisation or project", exact=False).press_sequentially("Tartu Ülikool")
    first = page.get_by_test_id("org-results").locator("a").first
    first.wait_for()
    assert "/search?q=Tartu" in page.url
    assert first.inner_text().strip().upper() == "TARTU ULIKOOL"  # accents folded
    page.get_by_label("Country").select_option("EE")
    page.locator("#org-results-h", has_text="in EE").wait_for()
    page.wait_for_url("**country=EE**")
    first = page.get_by_test_id("org-results").locator("a").first
    screenshot(page, "search")
    name = first.inner_text().strip()
    with page.expect_navigation():
        first.click()
    assert re.search(r"/organisations/[^/]+$", page.url)
    assert page.get_by_test_id("org-name").inner_text().strip() == name
    org_id = page.url.rsplit("/", 1)[1]
    detail = _api(page, f"/api/v1/organisations/{org_id}")
    pics = [i["value"] for i in detail["identifiers"] if i["scheme"].lower() == "pic"]
    assert pics, detail["identifiers"]
    identifiers = page.locator("section[aria-labelledby='ids-h'] dl").inner_text()
    assert all(pic in identifiers for pic in pics)
    page.locator('#ego-network[data-state="ready"]').wait_for(state="attached")
    assert page.locator("#ego-network canvas").count() > 0
    screenshot(page, "organisation")
    watcher.assert_clean()


def test_watcher_sees_csp_violations_and_dialogs(browser_page: tuple[Any, Watcher]) -> None:
    """The checks above would notice: an inline script is refused and reported, alerts too."""
    page, watcher = browser_page
    page.goto("/login")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        }"""
    )
    for _ in range(40):  # console events arrive asynchronously
        if watcher.csp_violations:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("() => window.inlineRan") is None
    page.evaluate("() => alert('hello')")
    assert any("script-src" in v for v in watcher.csp_violations), watcher.console_errors
    assert watcher.dialogs == ["alert: hello"]
    with pytest.raises(AssertionError):
        watcher.assert_clean()
