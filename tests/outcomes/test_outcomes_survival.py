"""Kaplan–Meier, log-rank and cohort tables: hand-computed cases, properties, and lifelines
as the oracle on its own published datasets."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bioconnect.outcomes as outcomes
from bioconnect.errors import InputError
from bioconnect.outcomes import (
    cohort_table,
    entries_per_year,
    kaplan_meier,
    logrank_test,
    newcomer_cohort,
    survival_at,
)

PUBLIC = {
    "AT_RISK_SHARE",
    "QUANTILES",
    "Forecast",
    "Progress",
    "forecast_counts",
    "forecast_trend",
    "kpi_progress",
    "COHORT_COLUMNS",
    "EXIT_KINDS",
    "LogRankResult",
    "SurvivalCurve",
    "cohort_table",
    "entries_per_year",
    "kaplan_meier",
    "logrank_test",
    "median_survival",
    "newcomer_cohort",
    "survival_at",
    "CoxResult",
    "cox_ph",
    "CumulativeIncidence",
    "EXIT_REASONS",
    "FAILURE_KINDS",
    "cumulative_incidence",
    "exit_kind",
    "incidence_at",
    "startup_cohort",
}


def _lifelines_logrank(durations: Any, groups: Any, events: Any) -> Any:
    """lifelines' multivariate log-rank test, the oracle. Under pandas 3 lifelines 0.30
    calls ``sum`` positionally, which pandas warns about; the warning is theirs."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Starting with pandas version 4.0")
        from lifelines.statistics import multivariate_logrank_test

        return multivariate_logrank_test(durations, groups, events)


def test_all_lists_the_public_names_with_their_docs() -> None:
    assert set(outcomes.__all__) == PUBLIC
    for name in outcomes.__all__:
        item = getattr(outcomes, name)
        if callable(item) and not isinstance(item, type):
            for section in ("Parameters", "Returns", "Examples", "References"):
                assert section in (item.__doc__ or ""), f"{name} lacks {section}"


def test_kaplan_meier_by_hand() -> None:
    # 5 at risk; exit at 1 (4/5), at 2 one exit one censored (3/4), at 3 one of 2 exits
    curve = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    assert curve.at_risk.tolist() == [5, 5, 4, 2, 1]
    assert curve.events.tolist() == [0, 1, 1, 1, 0]
    assert curve.censored.tolist() == [0, 0, 1, 0, 1]
    assert curve.survival == pytest.approx([1, 0.8, 0.6, 0.3, 0.3])
    # Greenwood: sum of d / (n (n - d))
    assert curve.greenwood[2] == pytest.approx(1 / 20 + 1 / 12)
    # the median is the first time S(t) <= 0.5, S = 0.5 included
    assert kaplan_meier([1, 2], [1, 1]).median == 1
    half = 1.959963984540054 * 0.6 * np.sqrt(1 / 20 + 1 / 12)
    linear = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0], ci="linear")
    assert linear.ci_lower[2] == pytest.approx(0.6 - half)
    assert linear.ci_upper[2] == pytest.approx(min(1.0, 0.6 + half))


def test_survival_at_fixed_horizons() -> None:
    curve = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    assert survival_at(curve, [0, 1, 1.5, 3, 4]).tolist() == pytest.approx([1, 0.8, 0.8, 0.3, 0.3])
    assert np.isnan(survival_at(curve, [4.5])[0])


def test_leukemia_6mp_arm_gives_the_published_values() -> None:
    """Freireich et al. (1963), 6-MP arm, as tabulated by Kleinbaum & Klein."""
    from lifelines import KaplanMeierFitter
    from lifelines.datasets import load_leukemia

    data = load_leukemia()
    arm = data[data["Rx"] == 0]
    curve = kaplan_meier(arm["t"], arm["status"])
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}
    got = survival_at(curve, list(published))
    assert got.round(4).tolist() == list(published.values())
    assert curve.median == 23
    oracle = KaplanMeierFitter().fit(arm["t"], arm["status"])
    assert curve.timeline.tolist() == oracle.survival_function_.index.tolist()
    assert curve.survival == pytest.approx(oracle.survival_function_["KM_estimate"].to_numpy())
    band = oracle.confidence_interval_.to_numpy()
    assert curve.ci_lower == pytest.approx(band[:, 0])
    assert curve.ci_upper == pytest.approx(band[:, 1])


def test_waltons_logrank_gives_the_published_statistic() -> None:
    from lifelines.datasets import load_waltons

    w = load_waltons()
    result = logrank_test(w["T"], w["E"], w["group"])
    assert round(result.chi2, 2) == 122.25
    assert result.df == 1
    oracle = _lifelines_logrank(w["T"], w["group"], w["E"])
    assert result.chi2 == pytest.approx(oracle.test_statistic)
    assert result.p == pytest.approx(oracle.p_value)
    assert result.observed.sum() == w["E"].sum()


def test_logrank_with_three_groups_against_lifelines() -> None:
    from lifelines.datasets import load_leukemia

    d = load_leukemia()
    groups = d["Rx"].astype(str) + "-" + (d["logWBC"] > 2.5).astype(str)
    assert groups.nunique() == 4
    result = logrank_test(d["t"], d["status"], groups)
    oracle = _lifelines_logrank(d["t"], groups, d["status"])
    assert result.df == 3
    assert result.chi2 == pytest.approx(oracle.test_statistic)


durations = st.lists(
    st.tuples(st.integers(0, 30), st.booleans(), st.sampled_from("abc")), min_size=2, max_size=60
)


@settings(max_examples=60, deadline=None)
@given(durations)
def test_kaplan_meier_matches_lifelines_on_any_sample(rows: list[tuple[int, bool, str]]) -> None:
    from lifelines import KaplanMeierFitter

    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows])
    curve = kaplan_meier(t, e)
    oracle = KaplanMeierFitter().fit(t, e)
    assert curve.survival == pytest.approx(oracle.survival_function_["KM_estimate"].to_numpy())
    assert np.all(np.diff(curve.survival) <= 1e-12)
    assert np.all(curve.ci_lower <= curve.survival + 1e-12)
    assert np.all(curve.survival <= curve.ci_upper + 1e-12)
    exactly_half = np.any(np.isclose(curve.survival, 0.5, rtol=0, atol=1e-9))
    if not np.any((t == 0) & e) and not exactly_half:
        # with exits at time 0 lifelines reports an infinite median even when S(0) <= 0.5,
        # and where S is exactly 1/2 its product of exponentials can land just above it;
        # ours is then the first time S(t) <= 0.5, as the definition says
        assert curve.median == pytest.approx(oracle.median_survival_time_)


@settings(max_examples=60, deadline=None)
@given(durations)
def test_logrank_matches_lifelines_on_any_sample(rows: list[tuple[int, bool, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["t", "e", "g"])
    if frame["g"].nunique() < 2 or not frame["e"].any():
        return
    result = logrank_test(frame["t"], frame["e"], frame["g"])
    oracle = _lifelines_logrank(frame["t"], frame["g"], frame["e"])
    assert result.chi2 == pytest.approx(oracle.test_statistic, rel=1e-6, abs=1e-9)
    assert result.observed.sum() == pytest.approx(result.expected.sum())


def test_bad_durations_are_refused() -> None:
    with pytest.raises(InputError, match="position 1"):
        kaplan_meier([1, -2], [1, 1])
    with pytest.raises(InputError, match="two groups"):
        logrank_test([1, 2], [1, 1], ["a", "a"])


def test_cohort_table_with_dates_censors_at_the_end() -> None:
    t = cohort_table(
        ["a", "b"],
        ["2018-01-01", "2019-07-01"],
        ["2020-01-01", None],
        ["acquired", None],
        end_of_data="2021-07-01",
        attributes=pd.DataFrame({"country": ["EE", "LV"]}),
    )
    assert t.columns.tolist() == [*outcomes.COHORT_COLUMNS, "country"]
    assert t["event"].tolist() == [True, False]
    assert t["duration"].round(3).tolist() == [round(730 / 365.25, 3), round(731 / 365.25, 3)]
    assert t["exit_kind"].tolist() == ["acquired", None]


@pytest.mark.parametrize(
    ("entry", "exit", "kind", "message"),
    [
        (["2019-01-01"], ["2018-01-01"], ["closed"], "row 1, column 'exit'.*before the entry"),
        (["2019-01-01"], ["2031-01-01"], ["closed"], "row 1, column 'exit'.*after the end"),
        (["2030-01-01"], [None], [None], "row 1, column 'entry'.*after the end"),
        (["2019-01-01"], ["2020-01-01"], ["bankrupt"], "row 1, column 'exit_kind'.*'bankrupt'"),
        (["2019-13-01"], [None], [None], "row 1, column 'entry'.*not a date"),
    ],
)
def test_cohort_table_refuses_bad_rows(
    entry: list[str], exit: list[str | None], kind: list[str | None], message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        cohort_table(["x"], entry, exit, kind, end_of_data="2026-01-01", source="list.csv")
    assert "list.csv" in str(caught.value)


def test_newcomer_spells_by_hand() -> None:
    p = pd.DataFrame(
        {
            "entity": ["a", "a", "a", "b", "b", "c", "d"],
            "start_year": [2014, 2017, 2022, 2015, 2018, 2016, 2020],
        }
    )
    t = newcomer_cohort(p, gap_years=3, end_year=2021, not_newcomers={"c"}).set_index("entity")
    # a: 2014, 2017 (3 years apart: same spell), then nothing by 2020 -> exits 2020
    assert (t.loc["a", "entry"], t.loc["a", "exit"], t.loc["a", "event"]) == (2014, 2020, True)
    assert t.loc["a", "projects"] == 2
    # b: last start 2018, 2021 is within the data -> exits 2021
    assert (t.loc["b", "exit"], t.loc["b", "duration"]) == (2021, 6)
    # d: last start 2020, would exit 2023 -> censored at 2021
    assert not t.loc["d", "event"] and t.loc["d", "duration"] == 1
    assert "c" not in t.index
    assert entries_per_year(t.reset_index())["entries"].sum() == 3
