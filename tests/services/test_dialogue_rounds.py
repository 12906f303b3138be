"""Delphi studies and surveys in the store, on both engines: rounds, feedback, consensus,
stability, Kendall's W, survey aggregates, goals through the plan's inbox, and bad input
(one clear error, nothing written)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.dialogue.delphi import (
    close_round,
    create_study,
    delphi_form,
    delphi_ratings,
    delphi_results,
    open_round,
    record_ratings,
    study_summary,
)
from bioconnect.services.dialogue.round_models import QuestionIn
from bioconnect.services.dialogue.surveys import (
    create_survey,
    record_answers,
    set_survey_status,
    survey_answers,
    survey_form,
    survey_results,
)
from storekit import table_snapshot

# Hand-computed case: five panellists (ids 1-5) rate two items in two rounds.
ROUND_1 = {1: [7, 8, 8, 9, 6], 2: [1, 9, 1, 9, 5]}
ROUND_2 = {1: [8, 8, 8, 9, 7], 2: [3, 9, 1, 7, 5]}
# R's irr::anxiety: 20 subjects (rows) by 3 raters, as in tests/dialogue/test_delphi.py.
ANXIETY = np.array(
    [
        [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
        [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
        [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2],
    ]
).T
ITEMS = ["A shared pilot plant for Baltic biotech SMEs", "A joint Baltic biobank"]


def _rate(engine: Engine, name: str, by_item: dict[int, list[int]]) -> None:
    for user in range(1, 6):
        ratings = {item: values[user - 1] for item, values in by_item.items()}
        record_ratings(engine, name, ratings, user_id=user, username=f"panellist-{user}")


@pytest.fixture
def study(engine: Engine) -> Engine:
    create_study(engine, "goals-2027", title="Goals for 2027", items=ITEMS, actor="eddie")
    open_round(engine, "goals-2027", actor="eddie")
    _rate(engine, "goals-2027", ROUND_1)
    open_round(engine, "goals-2027", actor="eddie")  # closes round 1
    _rate(engine, "goals-2027", ROUND_2)
    return engine


def test_rounds_feedback_consensus_stability_and_w_by_hand(study: Engine) -> None:
    summary = study_summary(study, "goals-2027")
    assert (summary.status, summary.rounds, summary.open_round, summary.panellists) == (
        "open",
        2,
        2,
        5,
    )
    results = delphi_results(study, "goals-2027")
    r1, r2 = results.rounds
    assert r1.status == "closed" and r2.status == "open"
    one, two = r1.items
    # item 1, round 1: 6 7 8 8 9 -> median 8, Q1 7, Q3 8, IQR 1: consensus by the IQR
    assert (one.median, one.q1, one.q3, one.iqr, one.consensus) == (8, 7, 8, 1, True)
    assert one.stability is None  # nothing to compare round 1 with
    # item 2, round 1: 1 1 5 9 9 -> IQR 8, 40 % high and 40 % low: no consensus
    assert (two.median, two.iqr, two.share_high, two.share_low) == (5, 8, 0.4, 0.4)
    assert not two.consensus
    # round 2: item 1 moves by <= 1 for everyone (stable); item 2 for 3 of 5
    assert (r2.items[0].iqr, r2.items[0].stability, r2.items[0].stable) == (0, 1.0, True)
    assert (r2.items[1].stability, r2.items[1].stable) == (0.6, False)
    assert results.consensus_items == [1]
    # Kendall's W, round 1: rank sums 8.5 and 6.5 (panellist 4 ties), S = 2, n = 2, m = 5:
    # W = 12·2 / (25·6) = 0.16; tie-corrected 24 / (150 − 5·6) = 0.2; χ² = 5·1·0.2 = 1
    w = r1.concordance
    assert w is not None
    assert (w.w_uncorrected, w.w, w.chi2, w.df, w.raters) == pytest.approx((0.16, 0.2, 1, 1, 5))


def test_round_two_form_shows_the_feedback_and_own_previous_answer(study: Engine) -> None:
    form = delphi_form(study, "goals-2027", user_id=1)
    assert (form.round, form.previous_round) == (2, 1)
    first = form.items[0]
    assert (first.rating, first.previous) == (8, 7)
    assert first.feedback is not None
    assert (first.feedback.median, first.feedback.iqr, first.feedback.n) == (8, 1, 5)
    newcomer = delphi_form(study, "goals-2027", user_id=99)
    assert [(i.rating, i.previous) for i in newcomer.items] == [(None, None), (None, None)]


def test_the_last_rating_counts(study: Engine) -> None:
    record_ratings(study, "goals-2027", {2: 4}, user_id=1, username="panellist-1")
    record_ratings(study, "goals-2027", {2: 6}, user_id=1, username="panellist-1")
    mine = [r for r in delphi_ratings(study, "goals-2027") if r.username == "panellist-1"]
    assert [(r.round, r.item, r.rating) for r in mine] == [
        (1, 1, 7),
        (1, 2, 1),
        (2, 1, 8),
        (2, 2, 6),
    ]


def test_kendall_w_through_the_store_on_irr_anxiety(engine: Engine) -> None:
    """R's irr::anxiety (20 subjects, 3 raters) stored as 20 items rated by 3 panellists."""
    create_study(
        engine, "anxiety", title="irr::anxiety", items=[f"subject {i}" for i in range(1, 21)],
        actor="eddie",
    )  # fmt: skip
    open_round(engine, "anxiety", actor="eddie")
    for rater in range(3):
        ratings = {i + 1: int(ANXIETY[i, rater]) for i in range(20)}
        record_ratings(engine, "anxiety", ratings, user_id=rater + 1, username=f"rater-{rater}")
    w = delphi_results(engine, "anxiety").rounds[0].concordance
    assert w is not None
    assert (round(w.w_uncorrected, 4), round(w.w, 4), round(w.chi2, 2), w.df) == (
        0.5019,
        0.5397,
        30.76,
        19,
    )


def test_kendall_w_is_missing_when_every_panellist_ties_every_item(engine: Engine) -> None:
    create_study(engine, "ties", title="Ties", items=["a", "b"], actor="eddie")
    open_round(engine, "ties", actor="eddie")
    for user in (1, 2):
        record_ratings(engine, "ties", {1: 5, 2: 5}, user_id=user, username=f"p{user}")
    first = delphi_results(engine, "ties").rounds[0]
    assert first.concordance is None
    assert first.concordance_problem is not None and "W is undefined" in first.concordance_problem
    assert [i.consensus for i in first.items] == [True, True]  # IQR 0


@pytest.mark.parametrize(
    ("ratings", "round_no", "message"),
    [
        ({1: 0}, None, "ratings are whole numbers 1 to 9"),
        ({1: 10}, None, "ratings are whole numbers 1 to 9"),
        ({1: 7, 2: 12}, None, "The rating of item 2 is 12"),
        ({1: True}, None, "ratings are whole numbers 1 to 9"),
        ({3: 5}, None, "has no item 3"),
        ({1: 5}, 1, "Round 1 of 'goals-2027' is closed"),
        ({1: 5}, 7, "has no round 7"),
        ({}, None, "No rating was given"),
    ],
)
def test_bad_ratings_are_one_clear_error_and_change_nothing(
    study: Engine, ratings: dict[int, int], round_no: int | None, message: str
) -> None:
    before = table_snapshot(study)
    with pytest.raises(InputError, match=message):
        record_ratings(study, "goals-2027", ratings, user_id=1, username="p", round_no=round_no)
    assert table_snapshot(study) == before


def test_a_closed_study_takes_no_ratings_and_unknown_studies_are_not_found(study: Engine) -> None:
    close_round(study, "goals-2027", actor="eddie")
    before = table_snapshot(study)
    with pytest.raises(InputError, match="No round of 'goals-2027' is open"):
        record_ratings(study, "goals-2027", {1: 5}, user_id=1, username="p")
    with pytest.raises(InputError, match="No round of 'goals-2027' is open"):
        close_round(study, "goals-2027", actor="eddie")
    with pytest.raises(NotFoundError):
        record_ratings(study, "no-such-study", {1: 5}, user_id=1, username="p")
    assert table_snapshot(study) == before
    # with no round open the form shows the last round's feedback and takes nothing
    form = delphi_form(study, "goals-2027", user_id=1)
    assert (form.round, form.previous_round, form.items[0].previous) == (None, 2, 8)


def test_bad_studies_are_refused_whole(engine: Engine) -> None:
    before = table_snapshot(engine)
    with pytest.raises(InputError, match="10,000 characters; at most 1,000"):
        create_study(engine, "long", title="Long", items=["ok", "x" * 10_000], actor="eddie")
    with pytest.raises(InputError, match="name 'Bad Name' is not allowed"):
        create_study(engine, "Bad Name", title="Bad", items=["ok"], actor="eddie")
    with pytest.raises(InputError, match="needs 1 to 60 items"):
        create_study(engine, "empty", title="Empty", items=[], actor="eddie")
    assert table_snapshot(engine) == before
    create_study(engine, "twice", title="Twice", items=["<b>bold</b> & co"], actor="eddie")
    with pytest.raises(InputError, match="exists already"):
        create_study(engine, "twice", title="Twice", items=["b"], actor="eddie")
    # markup is kept as typed (the pages render it as text)
    assert study_summary(engine, "twice").items[0].text == "<b>bold</b> & co"


def test_a_delphi_item_with_consensus_becomes_a_proposed_goal(study: Engine) -> None:
    from bioconnect.services import plan as sp
    from bioconnect.services.dialogue.delphi_goals import accept_delphi_goal, propose_delphi_goal
    from storekit import ROOT

    sp.import_plan(study, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="alice")
    before = table_snapshot(study)
    with pytest.raises(InputError, match="Item 2 of 'goals-2027' has no consensus in round 2"):
        propose_delphi_goal(study, "goals-2027", 2, actor="eddie")
    with pytest.raises(NotFoundError, match="has no item 9"):
        propose_delphi_goal(study, "goals-2027", 9, actor="eddie")
    assert table_snapshot(study) == before
    proposal = propose_delphi_goal(study, "goals-2027", 1, actor="eddie")
    assert (proposal.round, proposal.title) == (2, ITEMS[0])
    assert "Round 2 of 2: 5 panellists; median 8, IQR 0 (8–8); 100% rated 7–9" in proposal.evidence
    assert "Stability against round 1: 100% moved ≤ 1." in proposal.evidence
    assert propose_delphi_goal(study, "goals-2027", 1, actor="eddie") == proposal
    inbox = {i.id: i for i in sp.load_plan(study).action_items}
    assert inbox[proposal.item_id].text.startswith("Goal from Delphi study goals-2027, item 1: ")
    goal = accept_delphi_goal(study, proposal.item_id, "G-delphi-1", actor="eddie")
    plan = sp.load_plan(study)
    assert next(g for g in plan.goals if g.id == "G-delphi-1") == goal
    assert goal.description.startswith("From Delphi study goals-2027, item 1 (inbox item")
    assert proposal.evidence in goal.description
    assert proposal.item_id not in {i.id for i in plan.action_items}


# ----------------------------------------------------------------------------- surveys

QUESTIONS = [
    QuestionIn(kind="single", text="Your country?", options=["EE", "LV", "LT"]),
    QuestionIn(kind="multiple", text="Which services?", options=["labs", "funding", "training"]),
    QuestionIn(kind="likert", text="The cluster helps my organisation."),
    QuestionIn(kind="ranking", text="Rank the priorities.", options=["a", "b", "c"]),
    QuestionIn(kind="text", text="Anything else?"),
]


@pytest.fixture
def survey(engine: Engine) -> Engine:
    create_survey(engine, "needs", title="Needs survey", questions=QUESTIONS, actor="eddie")
    set_survey_status(engine, "needs", "open", actor="eddie")
    return engine


def test_survey_answers_and_results(survey: Engine) -> None:
    ballots = [["a", "c", "b"]] * 5 + [["b", "a", "c"]] * 4 + [["c", "b", "a"]] * 2
    for user, ranking in enumerate(ballots, 1):
        answers: dict[int, object] = {
            1: ["EE", "LV", "LT"][user % 3],
            2: ["labs", "funding"] if user % 2 else ["training"],
            3: [5, 4, 4, 2, 3, 5][user % 6],
            4: ranking,
        }
        if user == 1:
            answers[5] = "<script>alert(1)</script> more labs"
        record_answers(survey, "needs", answers, user_id=user, username=f"r{user}")
    results = survey_results(survey, "needs")
    assert results.survey.respondents == 11
    single, multiple, likert, ranking, text = results.questions
    assert single.counts == {"EE": 3, "LV": 4, "LT": 4}
    assert multiple.counts == {"labs": 6, "funding": 6, "training": 5}
    assert likert.likert is not None and sum(likert.likert.counts) == 11
    assert ranking.schulze == ["a", "c", "b"]  # Schulze's own 5/4/2 example
    assert ranking.borda == {"a": 14.0, "b": 10.0, "c": 9.0}
    assert (text.respondents, text.counts, text.likert) == (1, None, None)
    form = survey_form(survey, "needs", user_id=1)
    assert form.answers[5] == "<script>alert(1)</script> more labs"
    assert len(survey_answers(survey, "needs")) == 4 * 11 + 1


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({1: "SE"}, "names one it lacks"),
        ({1: ["EE", "LV"]}, "needs one option"),
        ({2: []}, "needs one or more options"),
        ({3: 6}, "it takes 1 to 5"),
        ({3: "4"}, "it takes 1 to 5"),
        ({4: ["a", "a"]}, "repeats an option"),
        ({5: "x" * 10_000}, "10,000 characters; at most 2,000"),
        ({5: "   "}, "is empty"),
        ({9: "x"}, "has no question 9"),
        ({1: "EE", 3: 0}, "it takes 1 to 5"),
    ],
)
def test_bad_survey_answers_are_one_clear_error_and_change_nothing(
    survey: Engine, answers: dict[int, object], message: str
) -> None:
    record_answers(survey, "needs", {1: "EE"}, user_id=1, username="r1")
    before = table_snapshot(survey)
    with pytest.raises(InputError, match=message):
        record_answers(survey, "needs", answers, user_id=1, username="r1")
    assert table_snapshot(survey) == before


def test_closed_survey_takes_no_answers_and_bad_surveys_are_refused(survey: Engine) -> None:
    set_survey_status(survey, "needs", "closed", actor="eddie")
    before = table_snapshot(survey)
    with pytest.raises(InputError, match="'needs' is closed; it takes no answers"):
        record_answers(survey, "needs", {1: "EE"}, user_id=1, username="r1")
    with pytest.raises(InputError, match="has 1 options; it needs 2 to 20"):
        create_survey(
            survey, "bad", title="Bad", actor="eddie",
            questions=[QuestionIn(kind="single", text="One?", options=["only"])],
        )  # fmt: skip
    with pytest.raises(InputError, match="takes no options"):
        create_survey(
            survey, "bad", title="Bad", actor="eddie",
            questions=[QuestionIn(kind="text", text="Why?", options=["a", "b"])],
        )  # fmt: skip
    with pytest.raises(InputError, match="Unknown status"):
        set_survey_status(survey, "needs", "archived", actor="eddie")
    assert table_snapshot(survey) == before


def test_simultaneous_first_ratings_of_one_panellist_leave_one_row_each(study: Engine) -> None:
    """Eight submissions of the same newcomer at once: all stored, one row per item."""
    from concurrent.futures import ThreadPoolExecutor

    def rate(value: int) -> None:
        record_ratings(study, "goals-2027", {1: value, 2: value}, user_id=77, username="p77")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(rate, range(1, 9)))
    mine = [r for r in delphi_ratings(study, "goals-2027") if r.username == "p77"]
    assert sorted((r.round, r.item) for r in mine) == [(2, 1), (2, 2)]
    assert {r.rating for r in mine} <= set(range(1, 9))
