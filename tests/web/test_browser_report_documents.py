"""The reports' HTML in a real browser: axe-core finds no serious or critical violation in
the status report, the action plan and the evaluation plan, and nothing loads from outside.
"""

from __future__ import annotations

from typing import Any

import pytest
from browserkit import BLOCKING, NOTES, VENDOR, describe
from sqlalchemy import Engine

from bioconnect.reports import render_html
from bioconnect.services import reports
from bioconnect.services.plan import import_plan
from bioconnect.store.database import open_store
from storekit import ROOT

pytestmark = pytest.mark.browser

STATED = "2026-12-06T12:00:00Z"


@pytest.fixture(scope="module")
def documents(baltic_eis: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The three reports' HTML: the status report on the Baltic store with the EIS, the
    plans on a store holding the example plan."""
    plans = open_store(f"sqlite:///{tmp_path_factory.mktemp('plans') / 'plans.sqlite'}")
    import_plan(plans, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="tests")
    made = {
        "status": render_html(reports.build_document(baltic_eis, "status", created=STATED)),
        **{
            k: render_html(reports.build_document(plans, k, created=STATED))
            for k in ("plan", "evaluation")
        },
    }
    plans.dispose()
    return made


@pytest.mark.parametrize("kind", ["status", "plan", "evaluation"])
def test_report_html_passes_axe(browser: Any, documents: dict[str, str], kind: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("data:") else None)
    page.set_content(documents[kind], wait_until="load")
    assert outside == []  # self-contained: no font, script, style or picture fetched
    page.add_script_tag(path=str(VENDOR / "axe.min.js"))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.map((n) => ({target: n.target.join(" "),
                                                      html: n.html, summary: n.failureSummary}))}))"""
    )
    context.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{kind} report:\n{describe(blocking)}"
    if violations:
        NOTES.append(f"axe on the {kind} report (minor):\n{describe(violations)}")
