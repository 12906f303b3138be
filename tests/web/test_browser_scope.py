"""The dashboard's scope switch in a real browser: the preset's focus first, then all
research, each page stating its scope and passing axe."""

from __future__ import annotations

from typing import Any

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
