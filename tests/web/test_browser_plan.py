"""The action plan in a real browser: import, edit through the forms, lint, conflicts, axe.

Each test serves a store of its own (an empty SQLite store, no CORDIS data needed), so the
session's shared store stays as it is and the tests do not depend on one another.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    BLOCKING,
    NOTES,
    PASSWORD,
    ROOT,
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
from bioconnect.services.plan import import_plan, load_plan
from bioconnect.store.database import open_store

pytestmark = pytest.mark.browser

EXAMPLE = ROOT / "examples" / "baltic-action-plan.example.yaml"
USERS = {"editor": "editor", "second": "editor", "viewer": "viewer"}
CHARTS = ("#plan-gantt", "#plan-matrix", "#plan-priority")


def _site(folder: Path, *, imported: bool) -> Iterator[LiveServer]:
    engine = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    for name, role in USERS.items():
        add_user(engine, f"plan-{name}", PASSWORD, role)
    if imported:
        import_plan(engine, EXAMPLE, actor="browser-test")
    with serve(engine) as server:
        yield server
    engine.dispose()


@pytest.fixture
def empty_site(tmp_path: Path) -> Iterator[LiveServer]:
    """A store of this test's own, with users but no plan."""
    yield from _site(tmp_path, imported=False)


@pytest.fixture
def plan_site(tmp_path: Path) -> Iterator[LiveServer]:
    """A store of this test's own holding the example plan."""
    yield from _site(tmp_path, imported=True)


@pytest.fixture(scope="module")
def shared_plan_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The example plan for tests that only read."""
    yield from _site(tmp_path_factory.mktemp("plan-read"), imported=True)


def _open(browser: Any, server: LiveServer, user: str) -> tuple[Any, Any, Watcher]:
    context, page, watcher = new_page(browser, server)
    sign_in(context, f"plan-{user}")
    return context, page, watcher


def _charts_ready(page: Any) -> None:
    for chart in CHARTS:
        page.locator(f'{chart}[data-state="ready"] svg').first.wait_for(timeout=60_000)


def _finding(page: Any, rule: str, subject: str) -> Any:
    return page.get_by_test_id("lint-panel").locator(
        f'li[data-rule="{rule}"][data-subject="{subject}"]'
    )


def _submit(page: Any, button: str) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value


def test_editor_adds_an_initiative_and_a_kpi_and_lint_follows(
    browser: Any, empty_site: LiveServer
) -> None:
    context, page, watcher = _open(browser, empty_site, "editor")
    # no plan yet: the page says how to import one, and the editor imports the example
    page.goto("/plan")
    assert "bioconnect plan import examples/" in page.locator("pre").inner_text()
    _submit(page, "Import the example plan")
    assert page.url.endswith("/plan")
    findings = page.get_by_test_id("lint-panel").locator("li.finding")
    assert findings.count() == 4  # the example's deliberate gaps
    _charts_ready(page)

    # a new initiative through the form, without a KPI
    page.goto("/plan/initiatives/new")
    page.get_by_label("Id", exact=True).fill("X01")
    page.get_by_label("Title", exact=True).fill("Baltic biobank data hackathon")
    page.get_by_label("Description", exact=True).fill("Two days of work on shared biobank data.")
    page.get_by_label("Pillar", exact=True).select_option("research")
    page.get_by_label("Status", exact=True).select_option("planned")
    page.get_by_label("G3 Stronger cross-border research").check()
    page.get_by_label("Lead organisation", exact=True).fill("University of Tartu")
    page.get_by_label("Partners", exact=True).fill("Riga Stradiņš University\nVilnius University")
    for country in ("EE", "LV", "LT"):
        page.get_by_label(country, exact=True).check()
    page.get_by_label("Start", exact=True).fill("2026-03-01")
    page.get_by_label("End", exact=True).fill("2026-11-30")
    page.get_by_label("Budget (EUR)", exact=True).fill("150000")
    page.get_by_label("Gender dimension", exact=True).fill(
        "Mixed teams; sex-disaggregated data sets."
    )
    page.locator("input[name=cross_border]").check()
    for select in page.locator("select[name^=score_]").all():
        select.select_option("3")
    _submit(page, "Create initiative")
    assert "/plan/initiatives/X01" in page.url
    assert "version 1" in page.get_by_test_id("saved").inner_text()

    page.goto("/plan")
    assert _finding(page, "initiative-no-kpi", "X01").count() == 1
    assert findings.count() == 5
    assert page.locator('[data-testid=initiatives-table] tr[data-id="X01"]').count() == 1

    # a KPI with a dated baseline and target
    page.goto("/plan/kpis/new")
    page.get_by_label("Id", exact=True).fill("hackathon_teams")
    page.get_by_label("Name", exact=True).fill("Cross-border hackathon teams")
    page.get_by_label("Unit", exact=True).fill("teams")
    page.get_by_label("Baseline value", exact=True).fill("0")
    page.get_by_label("Baseline date", exact=True).fill("2025-12-31")
    page.get_by_label("Target value", exact=True).fill("12")
    page.get_by_label("Target date", exact=True).fill("2026-12-31")
    _submit(page, "Create KPI")
    assert "/plan/kpis/hackathon_teams" in page.url

    # linked from the initiative's form
    page.goto("/plan/initiatives/X01")
    page.get_by_label("Cross-border hackathon teams").check()
    _submit(page, "Save")
    assert "version 2" in page.get_by_test_id("saved").inner_text()
    history = page.get_by_test_id("history")
    assert "plan-editor" in history.inner_text()
    assert "kpis" in history.inner_text()

    page.goto("/plan")
    assert _finding(page, "initiative-no-kpi", "X01").count() == 0
    assert _finding(page, "initiative-no-kpi", "T06").count() == 1
    assert findings.count() == 4
    _charts_ready(page)
    screenshot(page, "plan")
    page.goto("/plan?view=kanban")
    kanban = page.get_by_test_id("kanban")
    assert kanban.locator("#col-planned").count() == 1
    assert kanban.get_by_role("link", name="X01 Baltic biobank data hackathon").count() == 1
    watcher.assert_clean()
    context.close()


def test_two_editors_save_the_same_initiative(browser: Any, plan_site: LiveServer) -> None:
    first, page_a, watcher_a = _open(browser, plan_site, "editor")
    second, page_b, watcher_b = _open(browser, plan_site, "second")
    original = load_plan(plan_site.engine).initiative("R02")
    page_a.goto("/plan/initiatives/R02")
    page_b.goto("/plan/initiatives/R02")

    page_a.get_by_label("Title", exact=True).fill(original.title + " (revised)")
    page_a.get_by_label("Budget (EUR)", exact=True).fill("1234567")
    assert _submit(page_a, "Save").status == 200
    assert "version 2" in page_a.get_by_test_id("saved").inner_text()

    page_b.get_by_label("Budget (EUR)", exact=True).fill("7654321")
    response = _submit(page_b, "Save")
    assert response.status == 409
    conflict = page_b.get_by_test_id("conflict")
    assert "changed by someone else" in conflict.inner_text()
    budget = conflict.locator('tr[data-field="budget"]')
    assert budget.locator("td.theirs").inner_text() == "1234567.0"
    assert budget.locator("td.yours").inner_text() == "7654321.0"
    title = conflict.locator('tr[data-field="title"]')
    assert title.locator("td.theirs").inner_text() == original.title + " (revised)"
    assert title.locator("td.yours").inner_text() == original.title
    # the second editor's values are kept in the form, to be reconciled
    assert page_b.get_by_label("Budget (EUR)", exact=True).input_value() == "7654321"
    screenshot(page_b, "plan-conflict", focus="[data-testid=conflict]")

    # no lost update: the first editor's change is what is stored
    stored = page_b.request.get("/api/v1/plan/initiatives/R02").json()
    assert stored["version"] == 2
    assert stored["record"]["budget"] == 1234567.0
    assert stored["record"]["title"] == original.title + " (revised)"
    assert load_plan(plan_site.engine).initiative("R02").budget == 1234567.0
    watcher_a.assert_clean()
    watcher_b.assert_clean(allow=("the server responded with a status of 409",))
    first.close()
    second.close()


def test_stakeholder_proposes_and_editor_merges(browser: Any, plan_site: LiveServer) -> None:
    add_user(plan_site.engine, "plan-stakeholder", PASSWORD, "stakeholder")
    context, page, watcher = _open(browser, plan_site, "stakeholder")
    page.goto("/plan/inbox")
    page.get_by_label("Your idea", exact=True).fill("A shared cleanroom booking system")
    _submit(page, "Propose")
    item = page.get_by_test_id("inbox").locator("li", has_text="shared cleanroom")
    assert "plan-stakeholder" in item.inner_text()
    assert item.get_by_role("button", name="Merge").count() == 0  # stakeholders cannot merge
    context.close()

    context, page, watcher = _open(browser, plan_site, "editor")
    page.goto("/plan/inbox")
    item = page.get_by_test_id("inbox").locator("li", has_text="shared cleanroom")
    item.get_by_role("combobox").select_option("I02")
    with page.expect_navigation():
        item.get_by_role("button", name="Merge").click()
    item = page.get_by_test_id("inbox").locator("li", has_text="shared cleanroom")
    assert "Merged into I02" in item.inner_text()
    watcher.assert_clean()
    context.close()


PAGES = {
    "overview": ("viewer", "/plan"),
    "initiative": ("editor", "/plan/initiatives/R01"),
    "new-initiative": ("editor", "/plan/initiatives/new"),
    "kpi": ("editor", "/plan/kpis/startups_per_year"),
    "inbox": ("editor", "/plan/inbox"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violations(browser: Any, shared_plan_site: LiveServer, name: str) -> None:
    role, address = PAGES[name]
    context, page, watcher = _open(browser, shared_plan_site, role)
    page.goto(address)
    if address == "/plan":
        _charts_ready(page)
    screenshot(page, f"a11y-plan-{name}", docs=False)
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    NOTES.append(
        f"axe plan {name} ({address}): "
        + (f"not blocking:\n{describe(others)}" if others else "no violations")
    )
    assert not blocking, f"axe on {address}:\n{describe(blocking)}"
    watcher.assert_clean()
    context.close()
