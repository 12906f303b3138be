"""Delphi studies and surveys in a real browser (Chromium through Playwright).

A stakeholder rates round 1 of a study with the keyboard and the mouse; an editor closes
it and opens round 2 on the results page; the stakeholder then sees, under each item, the
group's round-1 median and IQR and their own round-1 answer (the figures equal the API's),
and rates again. A survey with every kind of question is answered, and its results show
the counts, the Likert distribution and the Borda and Schulze rankings (equal to the
API's). axe finds no violations on any page.

The items, the questions and the other panellists' ratings and answers are illustrative
(no real Delphi panel or survey exists for the region); they are made by the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    BLOCKING,
    DOCS_IMG,
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
from bioconnect.services.dialogue.delphi import create_study, open_round, record_ratings
from bioconnect.services.dialogue.round_models import QuestionIn
from bioconnect.services.dialogue.surveys import create_survey, record_answers, set_survey_status
from bioconnect.services.plan import example_plan, import_plan
from bioconnect.store.database import open_store

pytestmark = pytest.mark.browser

STUDY = "goals-2027"
ITEMS = [  # illustrative candidate goals
    "A shared pilot plant open to Baltic biotech SMEs",
    "A joint Baltic biobank with common consent rules",
    "One cross-border biotech investor network",
]
# illustrative ratings of four other panellists (ids 9001-9004), per item and round
OTHERS_ROUND_1 = {1: [8, 7, 9, 8], 2: [2, 9, 5, 3], 3: [6, 7, 7, 8]}
OTHERS_ROUND_2 = {1: [8, 8, 9, 8], 2: [3, 7, 5, 3], 3: [7, 7, 7, 8]}
MARKUP = "<script>alert('x')</script> <b>more</b> shared labs"


def _shot(page: Any, name: str, focus: str | None = None) -> None:
    """Save the viewport as an artefact, and as docs/img/dialogue-delphi-<name>.png with UPDATE_DOCS=1."""
    path = screenshot(page, f"dialogue-delphi-{name}", docs=False, focus=focus)
    if os.environ.get("UPDATE_DOCS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"dialogue-delphi-{name}.png")


def _axe(page: Any, watcher: Watcher, name: str) -> None:
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    NOTES.append(
        f"axe dialogue {name}: " + (describe(violations) if violations else "no violations")
    )
    assert not blocking, f"axe on {name}:\n{describe(blocking)}"
    assert not violations, f"axe on {name}:\n{describe(violations)}"
    watcher.assert_clean()


def _api(page: Any, path: str) -> Any:
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
    return response.json()


def _others_rate(engine: Any, by_item: dict[int, list[int]]) -> None:
    for k in range(4):
        ratings = {item: values[k] for item, values in by_item.items()}
        record_ratings(engine, STUDY, ratings, user_id=9001 + k, username=f"panellist-{k + 1}")


def _submit(page: Any, button: str) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveServer]:
    """A store of this test's own with a study in round 1 and an open survey."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    for role in ("editor", "stakeholder", "viewer"):
        add_user(engine, f"delphi-{role}", PASSWORD, role)
    import_plan(engine, example_plan("baltic"), actor="browser-test")
    create_study(
        engine,
        STUDY,
        title="Shared goals for 2027",
        description="Illustrative candidate goals: how important is each for the region?",
        items=ITEMS,
        actor="delphi-editor",
    )
    open_round(engine, STUDY, actor="delphi-editor")
    _others_rate(engine, OTHERS_ROUND_1)
    questions = [
        QuestionIn(kind="single", text="Where is your organisation?", options=["EE", "LV", "LT"]),
        QuestionIn(
            kind="multiple",
            text="Which services do you use?",
            options=["labs", "funding", "training"],
        ),
        QuestionIn(kind="likert", text="Finding a partner lab across the border is easy."),
        QuestionIn(
            kind="ranking",
            text="Rank the priorities.",
            options=["pilot plant", "biobank", "investors"],
        ),
        QuestionIn(kind="text", text="What else should the cluster do?"),
    ]
    create_survey(
        engine, "needs", title="Stakeholder needs (illustrative)", questions=questions,
        actor="delphi-editor",
    )  # fmt: skip
    set_survey_status(engine, "needs", "open", actor="delphi-editor")
    for k, (country, likert, ranking) in enumerate(
        [
            ("EE", 2, ["biobank", "pilot plant", "investors"]),
            ("LV", 4, ["pilot plant", "investors", "biobank"]),
            ("LT", 2, ["pilot plant", "biobank", "investors"]),
        ]
    ):
        answers: dict[int, object] = {1: country, 2: ["labs"], 3: likert, 4: ranking}
        record_answers(engine, "needs", answers, user_id=9101 + k, username=f"respondent-{k + 1}")
    with serve(engine) as server:
        yield server
    engine.dispose()


def test_a_stakeholder_rates_two_rounds_and_sees_the_feedback(
    browser: Any, site: LiveServer
) -> None:
    context, page, watcher = new_page(browser, site)
    sign_in(context, "delphi-stakeholder")
    page.goto(f"/dialogue/delphi/{STUDY}")
    assert page.get_by_test_id("round-status").inner_text().startswith("Round 1 is open.")
    assert page.locator(".feedback").count() == 0  # round 1: no feedback yet
    # item 1 with the keyboard: focus the 1 of its scale, arrow right seven times -> 8
    page.locator("#r-1-1").focus()
    page.keyboard.press("Space")
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    assert page.locator("#r-1-8").is_checked()
    page.locator('fieldset[data-item="2"]').get_by_label("3", exact=True).check()
    page.locator('fieldset[data-item="3"]').get_by_label("7", exact=True).check()
    _axe(page, watcher, "Delphi form, round 1")
    _submit(page, "Save my ratings for round 1")
    assert page.get_by_test_id("saved").count() == 1
    assert page.locator("#r-1-8").is_checked()  # the form shows the answers given

    # the editor closes round 1 and opens round 2 on the results page
    editor_context, editor, editor_watcher = new_page(browser, site)
    sign_in(editor_context, "delphi-editor")
    editor.goto(f"/dialogue/delphi/{STUDY}/results")
    _submit(editor, "Close round 1 and open round 2")
    assert "open" in editor.get_by_test_id("study-status").inner_text()
    editor_watcher.assert_clean()
    editor_context.close()

    # round 2: under each item the group's round-1 median and IQR, and my round-1 answer
    page.goto(f"/dialogue/delphi/{STUDY}")
    assert page.get_by_test_id("round-status").inner_text().startswith("Round 2 is open.")
    results = _api(page, f"/api/v1/dialogue/delphi/{STUDY}/results")
    round_1 = {it["item"]: it for it in results["rounds"][0]["items"]}
    mine = {1: 8, 2: 3, 3: 7}
    for item in (1, 2, 3):
        feedback = page.get_by_test_id(f"feedback-{item}")
        assert float(feedback.get_by_test_id("median").inner_text()) == round_1[item]["median"]
        assert float(feedback.get_by_test_id("iqr").inner_text()) == round_1[item]["iqr"]
        assert feedback.get_by_test_id("previous").inner_text() == str(mine[item])
    # item 1 in round 1: 8 7 9 8 and mine 8 -> median 8, IQR 0 (consensus)
    assert (round_1[1]["median"], round_1[1]["iqr"], round_1[1]["consensus"]) == (8, 0, True)
    assert not page.locator('input[type="radio"]:checked').count()  # nothing rated in round 2
    _shot(page, "form", focus='fieldset[data-item="2"]')
    _axe(page, watcher, "Delphi form, round 2 with feedback")
    for item, value in ((1, "8"), (2, "5"), (3, "7")):
        page.locator(f'fieldset[data-item="{item}"]').get_by_label(value, exact=True).check()
    _submit(page, "Save my ratings for round 2")
    _others_rate(site.engine, OTHERS_ROUND_2)

    # the results: per round, per item median, IQR, consensus, stability; Kendall's W
    page.goto(f"/dialogue/delphi/{STUDY}/results")
    page.locator('#delphi-chart[data-state="ready"] svg').wait_for(timeout=60_000)
    results = _api(page, f"/api/v1/dialogue/delphi/{STUDY}/results")
    round_2 = results["rounds"][1]
    rows = page.get_by_test_id("round-2-table").locator("tbody tr")
    assert rows.count() == 3
    for row, it in zip(rows.all(), round_2["items"], strict=True):
        assert float(row.get_by_test_id("median").inner_text()) == it["median"]
        assert row.get_by_test_id("consensus").inner_text() == ("yes" if it["consensus"] else "no")
    # stability: item 1 moves by <= 1 for all five (stable); item 2 for 3 of 5
    assert [it["stability"] for it in round_2["items"]] == [1.0, 0.6, 1.0]
    assert rows.nth(1).get_by_test_id("stability").inner_text() == "60% (not stable)"
    for number in (1, 2):
        w = results["rounds"][number - 1]["concordance"]
        assert w["raters"] == 5 and w["subjects"] == 3
        shown = page.get_by_test_id(f"kendall-{number}").inner_text()
        assert f"{w['w']:.3f} corrected for ties" in shown
        assert f"χ²({w['df']}) = {w['chi2']:.2f}" in shown
    _shot(page, "results", focus="#delphi-chart")
    _axe(page, watcher, "Delphi results")
    context.close()

    # the editor proposes item 1 (consensus in round 2) as a plan goal; item 2 has none
    editor_context, editor, editor_watcher = new_page(browser, site)
    sign_in(editor_context, "delphi-editor")
    editor.goto("/dialogue/delphi")
    assert editor.locator('tr[data-study="goals-2027"]').count() == 1
    _axe(editor, editor_watcher, "Delphi studies (editor)")
    editor.goto(f"/dialogue/delphi/{STUDY}/results")
    assert editor.get_by_role("button", name="Propose item 2 as a plan goal").count() == 0
    _axe(editor, editor_watcher, "Delphi results (editor)")
    _submit(editor, "Propose item 1 as a plan goal")
    proposed = editor.get_by_test_id("proposed")
    item_id = proposed.inner_text().split("inbox item ")[1].split(" ")[0]
    editor.get_by_role("link", name="the plan's inbox").click()
    editor.wait_for_url("**/plan/inbox*")
    entry = editor.locator(f"#item-{item_id}").inner_text()
    assert f"Goal from Delphi study {STUDY}, item 1: {ITEMS[0]}" in entry
    assert "Round 2 of 2: 5 panellists; median 8, IQR 0 (8–8)" in entry
    editor_watcher.assert_clean()
    editor_context.close()


def test_a_survey_is_answered_and_its_results_shown(browser: Any, site: LiveServer) -> None:
    context, page, watcher = new_page(browser, site)
    sign_in(context, "delphi-stakeholder")
    page.goto("/dialogue/surveys/needs")
    form = page.get_by_test_id("survey-form")
    form.get_by_label("LV", exact=True).check()
    form.get_by_label("labs", exact=True).check()
    form.get_by_label("funding", exact=True).check()
    page.locator('fieldset[data-question="3"]').get_by_label("4", exact=True).check()
    page.get_by_label("Place of “pilot plant”").select_option("1")
    page.get_by_label("Place of “investors”").select_option("2")
    page.get_by_label("Your answer to question 5").fill(MARKUP)
    _shot(page, "survey", focus='fieldset[data-question="4"]')
    _axe(page, watcher, "survey form")
    # two options in the same place: refused with one error, nothing stored
    page.get_by_label("Place of “biobank”").select_option("1")
    assert _submit(page, "Save my answers").status == 400
    assert (
        "the places must be different whole numbers" in page.get_by_test_id("problem").inner_text()
    )
    assert _api(page, "/api/v1/dialogue/surveys/needs")["respondents"] == 3
    # the browser logs the page's HTTP 400 as a console error: expected here, and only that
    assert ["400 (Bad Request)" in e for e in watcher.console_errors] == [True]
    watcher.console_errors.clear()
    _axe(page, watcher, "survey form with an error")
    form = page.get_by_test_id("survey-form")
    form.get_by_label("LV", exact=True).check()
    form.get_by_label("labs", exact=True).check()
    form.get_by_label("funding", exact=True).check()
    page.locator('fieldset[data-question="3"]').get_by_label("4", exact=True).check()
    page.get_by_label("Place of “pilot plant”").select_option("1")
    page.get_by_label("Place of “investors”").select_option("2")
    page.get_by_label("Your answer to question 5").fill(MARKUP)
    _submit(page, "Save my answers")
    assert page.get_by_test_id("saved").count() == 1
    assert page.get_by_label("Your answer to question 5").input_value() == MARKUP

    page.goto("/dialogue/surveys/needs/results")
    results = _api(page, "/api/v1/dialogue/surveys/needs/results")
    single, multiple, likert, ranking, text = results["questions"]
    assert single["counts"] == {"EE": 1, "LV": 2, "LT": 1}
    assert multiple["counts"] == {"labs": 4, "funding": 1, "training": 0}
    assert likert["likert"]["counts"] == [0, 2, 0, 2, 0]
    # Borda (2, 1, 0 points; my partial ballot leaves biobank the 0 of the last place):
    # pilot plant 1+2+2+2, biobank 2+0+1+0, investors 0+1+0+1. Schulze: the pilot plant
    # beats both; biobank and investors tie 2:2 and keep the option order.
    assert ranking["borda"] == {"pilot plant": 7.0, "biobank": 3.0, "investors": 2.0}
    assert ranking["schulze"] == ["pilot plant", "biobank", "investors"]
    assert text["respondents"] == 1 and MARKUP not in str(results)
    shown = page.get_by_test_id("counts-1").locator("tbody tr").all_inner_texts()
    assert [s.split("\t") for s in shown] == [[o, str(n)] for o, n in single["counts"].items()]
    borda = page.get_by_test_id("ranking-4").locator("tbody tr").all_inner_texts()
    assert [s.split("\t")[0] for s in borda] == list(ranking["borda"])
    assert ", ".join(ranking["schulze"]) in page.get_by_test_id("schulze-4").inner_text()
    for q in (1, 2, 3, 4):
        page.locator(f'#q-{q}-chart[data-state="ready"] svg').wait_for(timeout=60_000)
    _shot(page, "survey-results", focus="#q-4-chart")
    _axe(page, watcher, "survey results")
    context.close()

    # editors see the open answers, as text
    editor_context, editor, editor_watcher = new_page(browser, site)
    sign_in(editor_context, "delphi-editor")
    editor.goto("/dialogue/surveys")
    assert editor.locator('tr[data-survey="needs"]').count() == 1
    _axe(editor, editor_watcher, "surveys (editor)")
    editor.goto("/dialogue/surveys/needs/results")
    assert MARKUP in editor.get_by_test_id("answers").inner_text()
    assert editor.locator("main b").count() == 0
    _axe(editor, editor_watcher, "survey results (editor)")
    editor_context.close()
