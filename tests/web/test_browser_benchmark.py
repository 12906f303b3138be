"""The Benchmark pages in a real browser, on the Baltic store with the EIS 2025 imported.

The best-practice matrix of EE/LV/LT against FI is drawn as a heat map (an SVG inside the
Vega element), its table equals the API's figures, Estonia's and Latvia's group
probabilities are shown, and axe finds no violations of serious or critical impact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    BLOCKING,
    NOTES,
    ROOT,
    LiveServer,
    Watcher,
    describe,
    new_page,
    run_axe,
    serve,
)
from browserkit import screenshot as take_screenshot
from sqlalchemy import Engine

from bioconnect.store.database import open_store

pytestmark = pytest.mark.browser

CHARTS = ("#bench-sii", "#bench-odds", "#bench-profile", "#bench-best-practice")


@pytest.fixture(scope="module")
def bench_site(baltic_eis: Engine) -> Iterator[LiveServer]:
    with serve(baltic_eis) as server:
        yield server


@pytest.fixture
def bench_page(browser: Any, bench_site: LiveServer) -> Iterator[tuple[Any, Watcher]]:
    context, page, watcher = new_page(browser, bench_site)
    yield page, watcher
    context.close()


def _api(page: Any, path: str) -> Any:
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
    return response.json()


def _ready(page: Any, chart: str) -> None:
    page.locator(f'{chart}[data-state="ready"] svg').first.wait_for(timeout=60_000)


def _axe(page: Any, name: str) -> None:
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    NOTES.append(
        f"axe benchmark {name}: "
        + (f"not blocking:\n{describe(others)}" if others else "no violations")
    )
    assert not blocking, f"axe on {name}:\n{describe(blocking)}"


def test_best_practice_matrix_and_group_odds(bench_page: tuple[Any, Watcher]) -> None:
    page, watcher = bench_page
    response = page.goto("/benchmark")
    assert response is not None and response.status == 200
    for chart in CHARTS:
        _ready(page, chart)
    overview = _api(page, "/api/v1/benchmark/overview")

    # the heat map: one rectangle per country and dimension, drawn in SVG
    heat = page.locator("#bench-best-practice svg")
    assert heat.locator("path[aria-roledescription='rect'], g.mark-rect path").count() >= 36
    matrix = overview["best_practice"]["matrix"]
    assert set(matrix) == {"EE", "LV", "LT"} and overview["reference"] == "FI"
    cells = page.get_by_test_id("best-practice-table").locator("td[data-country]")
    assert cells.count() == 36
    for i in range(cells.count()):
        cell = cells.nth(i)
        value = matrix[cell.get_attribute("data-country")][cell.get_attribute("data-dimension")]
        assert cell.inner_text().strip() == f"{value:.0f}"

    # Estonia's and Latvia's group probabilities, as the API gives them
    odds = {o["country"]: o for o in overview["odds"]}
    for country in ("EE", "LV"):
        row = page.get_by_test_id("odds-table").locator(f'tr[data-country="{country}"]')
        assert row.locator("td").first.inner_text().strip() == odds[country]["group"]
        for group, p in odds[country]["probabilities"].items():
            shown = row.locator(f'td[data-group="{group}"]').inner_text().strip()
            assert shown == f"{p:.3f}"
    assert odds["LV"]["group"] == "Emerging" and odds["EE"]["group"] == "Strong"

    take_screenshot(page, "benchmark", focus="#bench-best-practice")
    _axe(page, "/benchmark")
    watcher.assert_clean()


def test_biotech_index_with_rank_intervals(bench_page: tuple[Any, Watcher]) -> None:
    page, watcher = bench_page
    page.goto("/benchmark/biotech")
    _ready(page, "#bench-biotech")
    index = _api(page, "/api/v1/benchmark/biotech")
    rows = page.get_by_test_id("biotech-table").locator("tbody tr")
    assert rows.count() == len(index["units"]) == 27
    for row in index["rows"]:
        shown = page.get_by_test_id(f"score-{row['unit']}").inner_text().strip()
        assert shown == f"{row['score']:.2f}"
    assert page.locator("#bench-biotech svg").locator("text", has_text="EE Estonia").count() == 1
    take_screenshot(page, "benchmark-biotech")
    _axe(page, "/benchmark/biotech")
    watcher.assert_clean()


def test_without_an_edition_the_page_says_how(browser: Any, tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with serve(engine) as server:
        context, page, watcher = new_page(browser, server)
        page.goto("/benchmark")
        assert "bioconnect benchmark import" in page.locator("pre").inner_text()
        _axe(page, "/benchmark without an edition")
        watcher.assert_clean()
        context.close()
    engine.dispose()


def test_index_builder_uploads_builds_and_tests_the_ranks(
    bench_page: tuple[Any, Watcher], data_dir: Path
) -> None:
    from bioconnect.services.indicators import build_index

    page, watcher = bench_page
    asem = data_dir / "coinr-asem"
    pipeline = ROOT / "examples" / "coinr-asem" / "pipeline.yaml"
    page.goto("/benchmark/builder")
    page.get_by_label("iData", exact=False).set_input_files(str(asem / "ASEM_iData.csv"))
    page.get_by_label("iMeta", exact=False).set_input_files(str(asem / "ASEM_iMeta.csv"))
    page.get_by_label("Pipeline", exact=False).set_input_files(str(pipeline))
    page.get_by_label("Builds", exact=False).fill("128")
    with page.expect_navigation():
        page.get_by_role("button", name="Build the index").click()
    _ready(page, "#builder-ranks")
    built = build_index(asem / "ASEM_iData.csv", asem / "ASEM_iMeta.csv", pipeline)
    for unit in ("CHE", "NLD", "DNK", "EST", "LVA", "LTU", "FIN"):
        shown = page.get_by_test_id(f"builder-score-{unit}").inner_text().strip()
        assert shown == f"{built.scores[unit]['Index']:.3f}"
    assert page.get_by_test_id("builder-score-CHE").inner_text().strip() == "68.384"
    assert page.get_by_test_id("sobol-table").locator("tbody tr").count() == 4
    take_screenshot(page, "benchmark-builder", focus="#result-h")
    _axe(page, "/benchmark/builder")
    watcher.assert_clean()
