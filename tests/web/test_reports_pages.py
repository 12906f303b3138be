"""The Reports page in-process: who may use it, making an edition through its form (a real
PDF of the example plan), downloading kept editions, comparing two, and every refusal
said on the page with nothing kept.

The plan is the illustrative example plan (``examples/baltic-action-plan.example.yaml``),
imported into a store of this module's own; the status report's refusal uses the
session's Baltic store, which holds the atlas but no scoreboard edition.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bioconnect.services.accounts import add_user
from bioconnect.services.plan import example_plan, import_plan
from bioconnect.services.reports import diff_editions, list_editions, make_report
from bioconnect.settings import Settings
from bioconnect.store.database import open_store
from bioconnect.web import create_app
from webkit import PASSWORD, Clients, role_clients, signed_in

EXAMPLE_PLAN = example_plan("baltic")

TITLE = "Action plan: Baltic biotech action plan (example)"


@pytest.fixture(scope="module")
def plan_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A store of this module's own holding the example plan (no CORDIS data)."""
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('reports') / 'store.sqlite'}")
    import_plan(engine, EXAMPLE_PLAN, actor="setup")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def clients(plan_store: Engine) -> Clients:
    return role_clients(plan_store)


def _make(client: Any, kind: str, fmt: str, *, token: bool = True) -> Any:
    data = {"format": fmt}
    if token:
        data["csrf_token"] = client.cookies.get("bc_csrf")
    return client.post(f"/reports/{kind}", data=data, follow_redirects=False)


def test_the_reports_page_is_for_editors_and_admins(clients: Clients) -> None:
    anonymous = clients.by_role["anonymous"].get("/reports", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Freports"
    for role in ("viewer", "stakeholder"):
        refused = clients.by_role[role].get("/reports")
        assert refused.status_code == 403
        assert f"Your role ({role}) may not do this; it needs editor" in refused.text
        assert 'href="/reports"' not in clients.by_role[role].get("/").text
    for role in ("editor", "admin"):
        page = clients.by_role[role].get("/reports")
        assert page.status_code == 200
        for kind in ("status", "plan", "evaluation"):
            assert f'action="/reports/{kind}"' in page.text
        assert 'href="/reports" aria-current="page">Reports</a>' in page.text
        assert 'href="/reports"' in clients.by_role[role].get("/").text


def test_making_a_report_needs_the_csrf_token(clients: Clients, plan_store: Engine) -> None:
    editor = clients.by_role["editor"]
    before = list_editions(plan_store)
    missing = _make(editor, "plan", "html", token=False)
    assert missing.status_code == 403 and "security token" in missing.text
    forged = editor.post("/reports/plan", data={"format": "html", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert list_editions(plan_store) == before


def test_the_plan_report_as_a_pdf_downloads_and_is_kept(
    clients: Clients, plan_store: Engine
) -> None:
    editor = clients.by_role["editor"]
    made = _make(editor, "plan", "pdf")
    assert made.status_code == 200, made.text[:500]
    assert made.headers["content-type"] == "application/pdf"
    assert made.content.startswith(b"%PDF-")
    disposition = made.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="baltic-plan-report-')
    assert disposition.endswith('.pdf"')
    number = int(made.headers["x-report-edition"])
    kept = list_editions(plan_store)[0]
    assert (kept.id, kept.kind, kept.title) == (number, "plan", TITLE)
    assert kept.created_by == clients.names["editor"]

    page = editor.get(f"/reports?made={number}")
    assert f"Edition {number} ({TITLE}) is made and kept below." in page.text
    assert f'<tr data-edition="{number}">' in page.text
    assert f'href="/reports/editions/{number}.pdf"' in page.text

    # the edition again, as a PDF: the same bytes as the first time
    again = editor.get(f"/reports/editions/{number}.pdf")
    assert again.status_code == 200 and again.headers["content-disposition"] == disposition
    assert again.content == made.content
    html = [editor.get(f"/reports/editions/{number}.html") for _ in range(2)]
    assert html[0].headers["content-type"] == "text/html; charset=utf-8"
    assert html[0].content == html[1].content and TITLE.encode() in html[0].content


def test_an_unknown_report_or_format_is_refused_with_a_message(
    clients: Clients, plan_store: Engine
) -> None:
    editor = clients.by_role["editor"]
    before = list_editions(plan_store)
    unknown = _make(editor, "budget", "pdf")
    assert unknown.status_code == 422
    assert (
        "Input should be &#39;status&#39;, &#39;plan&#39; or &#39;evaluation&#39;" in unknown.text
    )
    wrong = _make(editor, "plan", "exe")
    assert wrong.status_code == 400
    assert "Unknown report format &#39;exe&#39;." in wrong.text
    assert "Use one of html, pdf" in wrong.text
    assert editor.get("/reports/editions/1.exe").status_code == 422
    missing = editor.get("/reports/editions/2147483000.pdf")
    assert missing.status_code == 404 and "No report edition 2147483000." in missing.text
    assert list_editions(plan_store) == before


def test_a_report_without_its_sources_says_so_and_keeps_nothing(
    baltic_sqlite: Engine,
) -> None:
    editor = role_clients(baltic_sqlite).by_role["editor"]
    refused = _make(editor, "status", "html")
    assert refused.status_code == 400
    assert "Status report could not be made." in refused.text
    assert "the store holds no scoreboard edition" in refused.text
    assert "Load the European Innovation Scoreboard first" in refused.text
    assert 'value="html" checked' in refused.text  # the choice is kept
    no_plan = _make(editor, "evaluation", "pdf")
    assert no_plan.status_code == 404
    assert "Evaluation and dissemination plan could not be made." in no_plan.text
    assert "No action plan for region &#39;baltic&#39; in the store." in no_plan.text
    assert list_editions(baltic_sqlite) == []


def test_the_diff_page_shows_the_changed_key_figures(clients: Clients, plan_store: Engine) -> None:
    editor = clients.by_role["editor"]
    plan = make_report(plan_store, "plan", "html", actor="setup").edition
    evaluation = make_report(plan_store, "evaluation", "html", actor="setup").edition
    page = editor.get("/reports")
    assert 'id="diff-before"' in page.text and 'action="/reports/diff"' in page.text
    diff = editor.get(f"/reports/diff?before={plan}&after={evaluation}")
    assert diff.status_code == 200
    changes = diff_editions(plan_store, plan, evaluation).changes
    assert changes
    for change in changes:
        assert f'<tr data-change="{change.kind}">' in diff.text
        assert f'<th scope="row">{change.name}</th>' in diff.text
    same = editor.get(f"/reports/diff?before={plan}&after={plan}")
    assert "No key figure changed" in same.text
    assert editor.get(f"/reports/diff?before={plan}&after=2147483000").status_code == 404
    assert editor.get(f"/reports/diff?before={plan}").status_code == 422
    assert (
        clients.by_role["viewer"].get(f"/reports/diff?before={plan}&after={plan}").status_code
        == 403
    )


HOSTILE = '<script>alert(1)</script> & "Baltic" plan'


def test_titles_from_plan_names_are_escaped(tmp_path: Path) -> None:
    text = EXAMPLE_PLAN.read_text(encoding="utf-8")
    hostile = text.replace("name: Baltic biotech action plan (example)", f"name: '{HOSTILE}'", 1)
    assert hostile != text
    source = tmp_path / "hostile.yaml"
    source.write_text(hostile, encoding="utf-8")
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    import_plan(engine, source, actor="setup")
    number = make_report(engine, "plan", "html", actor="setup").edition
    add_user(engine, "hostile-editor", PASSWORD, "editor")
    editor = signed_in(create_app(engine, settings=Settings()), "hostile-editor")
    for address in ("/reports", f"/reports/diff?before={number}&after={number}"):
        page = editor.get(address).text
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Baltic&#34; plan" in page
    engine.dispose()
