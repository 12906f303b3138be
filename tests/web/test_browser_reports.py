"""The Reports page in a real browser: an editor makes the action plan as HTML through the
form (its progress shown while it renders), gets the file, and sees the edition listed; a
report the store cannot feed is refused in place with its problem; axe finds nothing.

The store is this module's own with the illustrative example plan (no CORDIS data: the
action plan needs none), served by a uvicorn of its own; the browser is the session's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    NOTES,
    PASSWORD,
    LiveServer,
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

EXAMPLE_PLAN = example_plan("baltic")

pytestmark = pytest.mark.browser

TITLE = "Action plan: Baltic biotech action plan (example)"


@pytest.fixture(scope="module")
def reports_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('reports') / 'store.sqlite'}")
    add_user(engine, "reports-editor", PASSWORD, "editor")
    import_plan(engine, EXAMPLE_PLAN, actor="browser-test")
    with serve(engine) as server:
        yield server
    engine.dispose()


def _axe(page: Any, name: str) -> None:
    violations = run_axe(page)
    NOTES.append(f"axe {name}: " + (describe(violations) if violations else "no violations"))
    assert not violations, f"axe on {name}:\n{describe(violations)}"


def test_an_editor_makes_the_plan_report_and_sees_the_edition(
    browser: Any, reports_site: LiveServer, tmp_path: Path
) -> None:
    context, page, watcher = new_page(browser, reports_site)
    sign_in(context, "reports-editor")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports")
    assert page.get_by_test_id("no-editions").count() == 1

    form = page.get_by_test_id("make-plan")
    form.get_by_label("HTML").check()
    with page.expect_download() as download:
        form.get_by_role("button", name="Make the action plan").click()
        # while it renders: the form is busy and its status line shows the progress bar
        page.locator('[data-testid=make-plan][aria-busy="true"]').wait_for()
        assert form.get_by_role("progressbar", name="Making the action plan").is_visible()
        assert "Making the action plan…" in form.get_by_role("status").inner_text()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("baltic-plan-report-") and saved.suffix == ".html"
    assert TITLE in saved.read_text(encoding="utf-8")

    # the page lists the new edition, and says so
    made = page.get_by_test_id("made")
    made.wait_for()
    assert made.inner_text() == f"Edition 1 ({TITLE}) is made and kept below."
    row = page.locator('[data-testid=editions] tr[data-edition="1"]')
    assert TITLE in row.inner_text() and "reports-editor" in row.inner_text()
    assert row.get_by_role("link", name="Edition 1 as PDF").get_attribute("href") == (
        "/reports/editions/1.pdf"
    )
    assert page.get_by_test_id("make-plan").get_attribute("aria-busy") != "true"

    # a report the store cannot feed (no atlas data) is refused in place, nothing kept
    page.get_by_role("button", name="Make the status report").click()
    problem = page.get_by_test_id("problem")
    problem.wait_for()
    assert "Status report could not be made." in problem.inner_text()
    assert "no atlas data" in problem.inner_text()
    assert page.locator("[data-testid=editions] tbody tr").count() == 1
    screenshot(page, "reports")
    _axe(page, "/reports")

    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    assert page.get_by_test_id("no-changes").count() == 1
    _axe(page, "/reports/diff")
    watcher.assert_clean(allow=("status of 400",))
    context.close()
