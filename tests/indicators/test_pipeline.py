"""The pipeline file: COINr's names, defaults, skipped steps and bad steps."""

from __future__ import annotations

import pandas as pd
import pytest

from bioconnect.errors import InputError
from bioconnect.indicators import parse_pipeline, rank_scores, run_pipeline, validate_framework
from indicators.conftest import tiny_data, tiny_meta


def test_parameters_under_coinr_names() -> None:
    p = parse_pipeline(
        {"steps": [{"normalise": {"f_n": "n_minmax", "f_n_para": {"l_u": [1, 100]}}}]}
    )
    assert p.step("normalise").args == {"f_n": "n_minmax", "l_u": [1, 100]}
    p = parse_pipeline({"steps": [{"normalise": {"f_n": "n_dist2ref", "f_n_para": ["B"]}}]})
    assert p.step("normalise").args["iref"] == "B"
    assert parse_pipeline({"steps": [{"impute": {"f_i": "i_median"}}]}).step("treat") is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"steps": [{"winsorise": {}}]}, "step 1 'winsorise' is not a step"),
        (
            {"steps": [{"impute": {}}, {"normalise": {"f_n": "n_logit"}}]},
            "step 2 (normalise): f_n 'n_logit' is not a method",
        ),
        (
            {"steps": [{"aggregate": {"f_ag": "a_max"}}]},
            "step 1 (aggregate): f_ag 'a_max' is not a method",
        ),
        (
            {"steps": [{"aggregate": {"f_ag": ["a_amean", "a_max"]}}]},
            "f_ag 'a_max' is not a method",
        ),
        ({"steps": [{"impute": {"f_i": "i_knn"}}]}, "step 1 (impute): f_i 'i_knn' is not a method"),
        (
            {"steps": [{"treat": {"winmax": 5, "f1": "winsorise"}}]},
            "step 1 (treat): has no argument 'f1'",
        ),
        ({"steps": [{"treat": {}}, {"treat": {}}]}, "step 2 (treat): is given twice"),
        ({"steps": [{"treat": {}, "normalise": {}}]}, "step 1 is not one"),
        ({"step": []}, "has no list of steps"),
    ],
)
def test_bad_pipelines(spec: object, message: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_pipeline(spec, "p.yaml")
    assert str(exc.value).startswith("p.yaml") and message in str(exc.value)


def test_tiny_pipeline_by_hand() -> None:
    fw = validate_framework(tiny_data(), tiny_meta())
    p = parse_pipeline(
        {
            "steps": [
                {"denominate": {}},
                {"normalise": {"f_n": "n_minmax", "l_u": [0, 1]}},
                {"aggregate": {}},
            ]
        }
    )
    r = run_pipeline(fw, p)
    # z / pop = 2, 1, 2 -> 1, 0, 1; x -> 0, .5, 1; y reversed -> 0, .5, 1
    assert r.normalised["z"].tolist() == [1.0, 0.0, 1.0]
    assert r.scores["P"].tolist() == [0.0, 0.5, 1.0]
    assert r.scores["Index"].tolist() == [0.5, 0.25, 1.0]
    assert r.ranks["Index"].tolist() == [2, 3, 1]


@pytest.mark.parametrize("para", [[10, 2], [[10, 2]], {"m_sd": [10, 2]}])
def test_f_n_para_as_coinr_users_write_it(para: object) -> None:
    # list(c(10, 2)) positionally, or list(m_sd = c(10, 2)) by name: both are m_sd
    p = parse_pipeline({"steps": [{"normalise": {"f_n": "n_zscore", "f_n_para": para}}]})
    assert p.step("normalise").args == {"f_n": "n_zscore", "m_sd": [10, 2]}


def test_aggregate_step_takes_dat_thresh() -> None:
    # B lacks y, so P has half its children for B; dat_thresh 0.6 leaves B's P empty
    fw = validate_framework(tiny_data().assign(y=[4.0, None, 0.0]), tiny_meta())
    steps = [{"normalise": {"f_n": "n_minmax", "l_u": [0, 1]}}]
    p = parse_pipeline({"steps": [*steps, {"aggregate": {"dat_thresh": 0.6}}]})
    r = run_pipeline(fw, p)
    assert pd.isna(r.scores.loc["B", "P"]) and r.scores.loc["A", "P"] == 0.0
    assert r.ranks["Index"].isna().tolist() == [False, True, False]


def test_unknown_group_names_the_step() -> None:
    fw = validate_framework(tiny_data(), tiny_meta())
    p = parse_pipeline({"steps": [{"impute": {"f_i": "i_mean_grp", "use_group": "Region"}}]})
    with pytest.raises(InputError, match="use_group 'Region' is not a Group column"):
        run_pipeline(fw, p)


def test_ranks_ties_take_the_lowest() -> None:
    ranks = rank_scores(pd.DataFrame({"i": [2.0, 9.0, 9.0, float("nan"), 1.0]}))
    assert ranks["i"].tolist() == [3, 1, 1, pd.NA, 4]
