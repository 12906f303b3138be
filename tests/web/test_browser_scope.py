"""The scope switches in a real browser (the dashboard's, and the Research switch of the
map and the network explorer): the preset's focus first, then all research, each page
stating its scope and passing axe."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from browserkit import BLOCKING, NOTES, Watcher, describe, run_axe, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True),
]


def _axe(page: Any, where: str) -> None:
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    NOTES.append(f"axe {where}: " + (describe(others) if others else "no violations"))
    assert not blocking, f"axe on {where}:\n{describe(blocking)}"


def test_the_scope_switch_goes_from_the_focus_to_all_research(
    browser_page: tuple[Any, Watcher],
) -> None:
    page, watcher = browser_page
    page.goto("/")
    page.locator("#atlas-chart svg, #atlas-chart canvas").first.wait_for(state="visible")
    label = page.get_by_test_id("scope-label")
    assert "biotech domains, H2020 + Horizon Europe subset" in label.inner_text()
    focus_ee = page.get_by_test_id("orgs-EE").inner_text()
    switch = page.get_by_role("navigation", name="Scope of the figures")
    assert switch.get_by_role("link", name="Biotech domains").get_attribute("aria-current") == (
        "page"
    )
    screenshot(page, "dashboard-focus")
    _axe(page, "dashboard (focus)")

    switch.get_by_role("link", name="All research").click()
    page.wait_for_url("**/?scope=all")
    page.locator("#atlas-chart svg, #atlas-chart canvas").first.wait_for(state="visible")
    assert "all research, H2020 + Horizon Europe subset" in label.inner_text()
    assert switch.get_by_role("link", name="All research").get_attribute("aria-current") == "page"
    all_ee = page.get_by_test_id("orgs-EE").inner_text()
    assert int(all_ee.replace(",", "")) > int(focus_ee.replace(",", ""))
    _axe(page, "dashboard (all research)")

    switch.get_by_role("link", name="Biotech domains").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.get_by_test_id("orgs-EE").inner_text() == focus_ee
    watcher.assert_clean()


def _switch_research(page: Any, pattern: str, value: str) -> Any:
    """Choose ``value`` in the Research switch; return the API answer it asked for."""
    with page.expect_response(lambda r: re.search(pattern, r.url) is not None) as answer:
        page.get_by_role("combobox", name="Research").select_option(value)
    return answer.value


@pytest.mark.parametrize(
    ("path", "api", "ready"),
    [
        ("/map", r"/api/v1/atlas/map\?", '#map[data-state="ready"]'),
        ("/network", r"/api/v1/network\?", '#network-graph[data-state="ready"]'),
    ],
)
def test_the_map_and_network_show_the_focus_then_all_research(
    browser_page: tuple[Any, Watcher], path: str, api: str, ready: str
) -> None:
    page, watcher = browser_page
    with page.expect_response(lambda r: re.search(api, r.url) is not None) as first:
        page.goto(path)
    assert parse_qs(urlparse(first.value.url).query)["research"] == ["focus"]
    page.locator(ready).wait_for(state="attached", timeout=60_000)
    switch = page.get_by_role("combobox", name="Research")
    assert switch.input_value() == "focus"
    focus = page.get_by_test_id("scope-statement-focus")
    everything = page.get_by_test_id("scope-statement-all")
    assert focus.is_visible() and not everything.is_visible()
    assert "biotech domains, H2020 + Horizon Europe subset" in focus.inner_text()
    assert "upper bound" in focus.inner_text()
    assert "Horizon Europe participations come from a subset" in focus.inner_text()
    name = path.strip("/")
    screenshot(page, f"{name}-focus", docs=False)
    _axe(page, f"{name} (focus)")

    answer = _switch_research(page, api, "all")
    assert parse_qs(urlparse(answer.url).query)["research"] == ["all"]
    page.wait_for_url(re.compile(r"research=all"))
    page.locator(ready).wait_for(state="attached", timeout=60_000)
    assert everything.is_visible() and not focus.is_visible()
    assert "all research, H2020 + Horizon Europe subset" in everything.inner_text()
    assert "upper bound" not in everything.inner_text()
    _axe(page, f"{name} (all research)")

    # the URL keeps the choice: a reload shows all research again
    with page.expect_response(lambda r: re.search(api, r.url) is not None) as again:
        page.reload()
    assert parse_qs(urlparse(again.value.url).query)["research"] == ["all"]
    assert page.get_by_role("combobox", name="Research").input_value() == "all"
    assert page.get_by_test_id("scope-statement-all").is_visible()
    watcher.assert_clean()
