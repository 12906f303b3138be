"""A smoke test of the browser pages over the PostgreSQL store."""

from __future__ import annotations

from typing import Any

import pytest
from browserkit import Watcher

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize(
        "baltic_store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]


def test_postgres_smoke(browser_page: tuple[Any, Watcher]) -> None:
    """The same app over the PostgreSQL store: the dashboard and the network draw."""
    page, watcher = browser_page
    page.goto("/")
    summary = page.request.get("/api/v1/atlas/summary").json()
    assert page.get_by_test_id("orgs-EE").inner_text().strip() == (
        f"{summary['countries']['EE']['organisations']:,}"
    )
    page.goto("/network?programme=H2020")
    graph = page.locator('#network-graph[data-state="ready"]')
    graph.wait_for(state="attached", timeout=60_000)
    # the page shows the preset's focus unless asked for all research; the API, all research
    api = page.request.get("/api/v1/network?programme=H2020&research=focus").json()
    assert int(graph.get_attribute("data-node-count") or -1) == api["attributes"]["n_nodes"]
    watcher.assert_clean()
