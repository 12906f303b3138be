"""Outcomes in a real browser: the newcomer cohorts of EE, LV, LT and FI with their
survival curves (on the session's Baltic store, from the real CORDIS files), and a plan
KPI that gets observations by CSV upload and by form, with its status and seeded forecast.

The observations are real: Estonia's H2020 projects with partners from two or more
countries per start year 2015–2020, counted with pandas from ``h2020.csv.gz``. They are
recorded against the example plan's ``cross_border_projects`` KPI. The example plan is
illustrative (``examples/baltic-action-plan.example.yaml``), so the test first gives the
KPI, through the plan's own KPI form, the measured 2015 count as its baseline; its target
(110 projects in 2027) stays an illustrative one, not a measured or derived figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browserkit import (
    BLOCKING,
    NOTES,
    PASSWORD,
    LiveServer,
    Watcher,
    describe,
    new_page,
    run_axe,
    screenshot,
    serve,
    sign_in,
)

from bioconnect.services.accounts import add_user
from bioconnect.services.plan import example_plan, import_plan
from bioconnect.store.database import open_store

pytestmark = pytest.mark.browser

COUNTRIES = ("EE", "LV", "LT", "FI")
KPI = "cross_border_projects"
UNIT = "projects per year"
SOURCE = "CORDIS h2020.csv.gz: EE projects with partners from 2+ countries"
TARGET = 110  # illustrative, as the example plan's targets are


def _api(page: Any, path: str) -> Any:
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
    return response.json()


def _axe(page: Any, watcher: Watcher, name: str, allow: tuple[str, ...] = ()) -> None:
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    NOTES.append(
        f"axe outcomes {name}: " + (describe(violations) if violations else "no violations")
    )
    assert not blocking, f"axe on {name}:\n{describe(blocking)}"
    assert not violations, f"axe on {name}:\n{describe(violations)}"
    watcher.assert_clean(allow=allow)


def _chart_ready(page: Any, chart: str) -> None:
    page.locator(f'{chart}[data-state="ready"] svg').first.wait_for(timeout=60_000)


def _cells(page: Any, selector: str) -> list[list[str]]:
    rows: list[list[str]] = page.locator(f"{selector} tbody tr").evaluate_all(
        "(rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent.trim()))"
    )
    return rows


# --------------------------------------------------------------------------- cohorts


@pytest.mark.parametrize("baltic_store", ["sqlite"], indirect=True)
def test_newcomer_cohorts_and_their_survival_curves(browser_page: tuple[Any, Watcher]) -> None:
    page, watcher = browser_page
    response = page.goto("/outcomes")
    assert response is not None and response.status == 200
    report = _api(page, "/api/v1/outcomes/cohorts?countries=EE,LV,LT,FI&end_year=2020")
    assert report["end_year"] == 2020 and set(report["curves"]) == set(COUNTRIES)

    # the entries table: every (year, country) count is the API's
    header = page.locator("[data-testid=entries-table] thead th").all_inner_texts()
    groups = header[1:-1]
    assert set(groups) == set(COUNTRIES)
    expected = {(e["year"], e["group"]): e["entries"] for e in report["entries"]}
    shown = {}
    for row in _cells(page, "[data-testid=entries-table]"):
        for group, cell in zip(groups, row[1:-1], strict=True):
            shown[(int(row[0]), group)] = int(cell)
        assert int(row[-1]) == sum(int(c) for c in row[1:-1])
    assert {k: v for k, v in shown.items() if v} == expected

    # the survival table: newcomers, exits and S(3), S(5) per country are the API's
    for row in _cells(page, "[data-testid=survival-table]"):
        curve = report["curves"][row[0]]
        assert (int(row[1]), int(row[2])) == (curve["n"], curve["events"])
        for cell, horizon in zip(row[4:6], ("3", "5"), strict=True):
            assert cell == f"{curve['at_horizons'][horizon]:.3f}"
    lr = report["logrank"]
    assert f"χ² = {lr['chi2']:.2f}" in page.get_by_test_id("logrank").inner_text()

    # both charts draw; the survival chart has a band (area) and a step line per country
    _chart_ready(page, "#cohort-entries")
    _chart_ready(page, "#cohort-survival")
    survival = page.locator("#cohort-survival svg")
    assert survival.locator("g.mark-area path").count() == len(COUNTRIES)
    assert survival.locator("g.mark-line path").count() == len(COUNTRIES)
    drawn = page.evaluate(
        """() => JSON.parse(document.getElementById('cohort-survival-spec').textContent)
              .data.values.filter((d) => d.group === 'EE')
              .map((d) => [d.time, d.survival, d.lower, d.upper])"""
    )
    ee = report["curves"]["EE"]
    assert [row[0] for row in drawn] == ee["timeline"]
    assert [row[1] for row in drawn] == pytest.approx(ee["survival"], abs=1e-6)
    assert [row[2] for row in drawn] == pytest.approx(ee["ci_lower"], abs=1e-6)
    assert all(lo <= s <= hi for _, s, lo, hi in drawn)
    screenshot(page, "outcomes-cohorts", focus="#cohort-survival")
    _axe(page, watcher, "/outcomes")

    # another breakdown through the form
    page.get_by_label("By", exact=True).select_option("stakeholder_group")
    for code in ("LT", "FI"):
        page.get_by_label(code, exact=True).uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    report = _api(page, "/api/v1/outcomes/cohorts?countries=EE,LV&by=stakeholder_group")
    rows = _cells(page, "[data-testid=survival-table]")
    assert {r[0]: int(r[1]) for r in rows} == {g: c["n"] for g, c in report["curves"].items()}
    _chart_ready(page, "#cohort-survival")
    watcher.assert_clean()


# ------------------------------------------------------------------------------ KPIs


@pytest.fixture(scope="module")
def cross_border(data_dir: Path) -> dict[int, int]:
    h2020 = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    ee = h2020[(h2020["country"] == "EE") & (pd.to_numeric(h2020["nunique"]) > 1)]
    per_year = ee.groupby("start_year")["rcn"].nunique()
    return {int(y): int(n) for y, n in per_year.items() if 2015 <= int(y) <= 2020}


@pytest.fixture
def plan_site(tmp_path: Path) -> Iterator[LiveServer]:
    """A store of this test's own holding the example plan, with an editor and a viewer."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    add_user(engine, "outcomes-editor", PASSWORD, "editor")
    add_user(engine, "outcomes-viewer", PASSWORD, "viewer")
    import_plan(engine, example_plan("baltic"), actor="browser-test")
    with serve(engine) as server:
        yield server
    engine.dispose()


def _submit(page: Any, button: str) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value


def _write_csv(path: Path, rows: list[tuple[str, str, object, str]]) -> Path:
    frame = pd.DataFrame(rows, columns=["kpi", "date", "value", "unit"]).assign(source=SOURCE)
    frame.to_csv(path, index=False)
    return path


def _upload(page: Any, path: Path) -> Any:
    page.get_by_label("Observations file (.csv, up to 2 MB)").set_input_files(str(path))
    return _submit(page, "Upload and import")


def _observations(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _api(page, f"/api/v1/outcomes/kpis/{KPI}/observations")
    return found


def test_a_kpi_gets_observations_by_csv_and_form_with_status_and_seeded_forecast(
    browser: Any, plan_site: LiveServer, cross_border: dict[int, int], tmp_path: Path
) -> None:
    context, page, watcher = new_page(browser, plan_site)
    sign_in(context, "outcomes-editor")
    assert cross_border == {2015: 76, 2016: 60, 2017: 45, 2018: 68, 2019: 99, 2020: 99}
    # the KPI's baseline: the measured 2015 count (the example's is made up), and a target
    page.goto(f"/plan/kpis/{KPI}")
    page.get_by_label("Baseline value", exact=True).fill(str(cross_border[2015]))
    page.get_by_label("Baseline date", exact=True).fill("2015-12-31")
    page.get_by_label("Target value", exact=True).fill(str(TARGET))
    page.get_by_label("Target date", exact=True).fill("2027-12-31")
    _submit(page, "Save")
    assert page.get_by_test_id("saved").count() == 1

    page.goto("/outcomes/kpis")
    assert page.get_by_test_id(f"latest-{KPI}").inner_text().strip() == "–"

    # a CSV with one bad row (a KPI the plan lacks) is refused whole, with the row named
    bad = [(KPI, f"{y}-12-31", n, UNIT) for y, n in cross_border.items() if y < 2020]
    bad.append(("no_such_kpi", "2019-12-31", 3, UNIT))
    navigation = _upload(page, _write_csv(tmp_path / "bad.csv", bad))
    assert navigation.status == 400
    problem = page.get_by_test_id("problem").inner_text()
    assert "bad.csv, row 7, column 'kpi': no KPI 'no_such_kpi' in the plan" in problem
    assert _observations(page) == []

    # the good rows, 2015-2019, by CSV
    good = _write_csv(tmp_path / "cross-border.csv", bad[:-1])
    assert _upload(page, good).status == 200
    assert "5 rows read, 5 added" in page.get_by_test_id("imported").inner_text()
    assert [o["value"] for o in _observations(page)] == [
        float(n) for y, n in cross_border.items() if y < 2020
    ]
    page.locator(f'tr[data-kpi="{KPI}"] a').click()
    page.wait_for_url(f"**/outcomes/kpis/{KPI}")

    # 2020 by the form: first in the wrong unit (refused, nothing written), then right
    page.get_by_label("Value", exact=True).fill(str(cross_border[2020]))
    page.get_by_label("Date", exact=True).fill("2020-12-31")
    page.get_by_label("Unit", exact=True).fill("projects")
    page.get_by_label("Source", exact=True).fill(SOURCE)
    assert _submit(page, "Record").status == 400
    assert page.get_by_test_id("problem").inner_text() == (
        "the form, column 'unit': 'projects' is not the unit of KPI 'cross_border_projects'. "
        "Give the value in 'projects per year'."
    )
    assert page.get_by_label("Value", exact=True).input_value() == "99"  # kept as typed
    assert len(_observations(page)) == 5
    page.get_by_label("Unit", exact=True).fill(UNIT)
    _submit(page, "Record")
    assert "recorded=2020-12-31" in page.url
    stored = _observations(page)
    assert [o["value"] for o in stored] == [float(n) for n in cross_border.values()]
    assert stored[-1]["origin"] == "form" and stored[-1]["recorded_by"] == "outcomes-editor"

    # the status and the forecast on the page are the API's
    status = _api(page, f"/api/v1/outcomes/kpis/{KPI}")
    assert status["latest"]["value"] == 99.0
    # (99 - 76) / (110 - 76) of the way, 5 of 12 years passed: on track
    assert status["progress"] == pytest.approx(23 / 34)
    assert status["status"] == "on_track"
    badge = page.get_by_test_id("kpi-status").locator(".kpi-status")
    assert badge.get_attribute("data-status") == status["status"]
    seeded = f"/outcomes/kpis/{KPI}?seed=7"
    page.goto(seeded)
    forecast = _api(page, f"/api/v1/outcomes/kpis/{KPI}/forecast?seed=7")
    shown = page.get_by_test_id("probability")
    assert float(shown.get_attribute("data-value")) == forecast["probability"]
    assert f"= {forecast['probability']:.3f}" in shown.inner_text()
    assert "seed 7" in page.get_by_test_id("forecast-method").inner_text()
    _chart_ready(page, "#kpi-fan")
    # reproducible: the same seed again gives the same probability and fan
    again = _api(page, f"/api/v1/outcomes/kpis/{KPI}/forecast?seed=7")
    assert again == forecast
    page.reload()
    assert (
        float(page.get_by_test_id("probability").get_attribute("data-value"))
        == forecast["probability"]
    )
    other = _api(page, f"/api/v1/outcomes/kpis/{KPI}/forecast?seed=8")
    assert (
        other["quantiles"] != forecast["quantiles"]
        or other["probability"] != forecast["probability"]
    )
    page.get_by_label("Seed", exact=True).fill("8")
    _submit(page, "Forecast")
    assert (
        float(page.get_by_test_id("probability").get_attribute("data-value"))
        == other["probability"]
    )
    page.goto(seeded)
    _chart_ready(page, "#kpi-fan")
    screenshot(page, "outcomes-kpi", focus="#kpi-fan")
    # the two refused submissions answered 400, as they should
    refused = ("/outcomes/kpis/import", f"/outcomes/kpis/{KPI}/observations")
    _axe(page, watcher, f"/outcomes/kpis/{KPI}", allow=refused)

    page.goto("/outcomes/kpis")
    assert page.get_by_test_id(f"latest-{KPI}").inner_text().startswith("99")
    page.locator('.sparkline[data-state="ready"] svg').first.wait_for(timeout=60_000)
    screenshot(page, "outcomes-kpis")
    _axe(page, watcher, "/outcomes/kpis", allow=refused)
    context.close()


def test_a_viewer_sees_the_kpis_but_no_forms(browser: Any, plan_site: LiveServer) -> None:
    context, page, watcher = new_page(browser, plan_site)
    sign_in(context, "outcomes-viewer")
    page.goto("/outcomes/kpis")
    assert page.get_by_test_id("upload-form").count() == 0
    page.goto(f"/outcomes/kpis/{KPI}")
    assert page.get_by_test_id("observation-form").count() == 0
    assert (
        "a forecast needs at least 3 observations"
        in page.get_by_test_id("no-forecast").inner_text()
    )
    _axe(page, watcher, f"/outcomes/kpis/{KPI} (viewer)")
    context.close()
