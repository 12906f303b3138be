"""Competing risks (Aalen–Johansen) and the startup cohort's pure parts: hand cases, then
lifelines' AalenJohansenFitter as the oracle on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioconnect.errors import InputError
from bioconnect.outcomes import (
    cumulative_incidence,
    exit_kind,
    incidence_at,
    kaplan_meier,
    startup_cohort,
)


def test_hand_computed_incidences_add_up_to_one_minus_all_cause_survival() -> None:
    t = [1, 2, 2, 3, 4, 5]
    kinds = ["closed", "acquired", None, "closed", None, "acquired"]
    closed = cumulative_incidence(t, kinds, "closed")
    acquired = cumulative_incidence(t, kinds, "acquired")
    # t=1: 1/6 closes. t=2: S=5/6, 1 of 5 acquired -> 1/6. t=3: S=2/3, 1 of 3 closes -> 2/9.
    # t=5: S=2/3 x 2/3 = 4/9, 1 of 1 acquired -> 4/9.
    assert closed.incidence.tolist() == pytest.approx([0, 1 / 6, 1 / 6, 1 / 6 + 2 / 9, 7 / 18])
    assert acquired.incidence.tolist() == pytest.approx([0, 0, 1 / 6, 1 / 6, 1 / 6 + 4 / 9])
    events = np.array([k is not None for k in kinds])
    km = kaplan_meier(np.asarray(t, dtype=float), events)
    assert closed.incidence[-1] + acquired.incidence[-1] == pytest.approx(1 - km.survival[-1])
    assert incidence_at(closed, [0.5, 3, 10]).tolist() == pytest.approx([0, 7 / 18, 7 / 18])


def test_equals_lifelines_aalen_johansen_with_its_variance() -> None:
    from lifelines import AalenJohansenFitter

    rng = np.random.default_rng(3)
    t = rng.exponential(5, 300).round(6)
    codes = rng.choice([0, 1, 2], 300, p=[0.4, 0.35, 0.25])
    kinds = [{1: "closed", 2: "acquired"}.get(int(c)) for c in codes]
    ours = cumulative_incidence(t, kinds, "closed")
    fitter = AalenJohansenFitter(calculate_variance=True).fit(t, codes, event_of_interest=1)
    times = fitter.cumulative_density_.index.to_numpy()
    idx = np.searchsorted(times, ours.timeline, side="right") - 1
    theirs = fitter.cumulative_density_.iloc[:, 0].to_numpy()[idx]
    assert np.abs(theirs - ours.incidence).max() < 1e-12
    assert np.abs(fitter.variance_.to_numpy()[idx] - ours.variance).max() < 1e-12


def test_bad_durations_are_refused() -> None:
    with pytest.raises(InputError, match="negative"):
        cumulative_incidence([1, -1], ["closed", None], "closed")
    with pytest.raises(InputError, match="differ in length"):
        cumulative_incidence([1, 2], ["closed"], "closed")


def test_closing_reasons_and_their_checks() -> None:
    assert [exit_kind(r) for r in ("Closed", "moved-abroad", "ACQUIRED", "bankrupt")] == [
        "closed",
        "moved_abroad",
        "acquired",
        None,
    ]
    rows = pd.DataFrame(
        {
            "key": ["a", "b"],
            "source_row": [2, 3],
            "founded": ["2018-01-01", "2019-01-01"],
            "closed": [None, None],
            "exit_reason": [None, "acquired"],
        }
    )
    with pytest.raises(
        InputError,
        match=r"^list\.csv, row 3, column 'Closed': the closing reason is 'acquired' but the "
        "closing date is empty",
    ):
        startup_cohort(
            rows, end_of_data="2024-12-31", source="list.csv", columns={"closed": "Closed"}
        )
    rows.loc[1, "exit_reason"] = None
    rows.loc[0, "founded"] = None
    with pytest.raises(InputError, match=r"row 2, column 'founded': the founding date is empty"):
        startup_cohort(rows, end_of_data="2024-12-31", source="list.csv")


def test_cox_on_the_rossi_data_gives_the_published_coefficients() -> None:
    from lifelines.datasets import load_rossi

    from bioconnect.outcomes import cox_ph

    # Fox (2002), table of coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio)
    published = {
        "fin": (-0.3794, 0.1914),
        "age": (-0.0574, 0.0220),
        "race": (0.3139, 0.3080),
        "wexp": (-0.1498, 0.2122),
        "mar": (-0.4337, 0.3819),
        "paro": (-0.0849, 0.1958),
        "prio": (0.0915, 0.0286),
    }
    fit = cox_ph(load_rossi(), "week", "arrest", list(published))
    for name, (coef, se) in published.items():
        assert round(fit.table.at[name, "coef"], 4) == coef
        assert round(fit.table.at[name, "se"], 4) == se
        assert fit.table.at[name, "hazard_ratio"] == pytest.approx(
            np.exp(fit.table.at[name, "coef"])
        )
    assert (fit.n, fit.events) == (432, 114)


def test_cox_text_covariates_are_indicators_against_the_commonest_value() -> None:
    from bioconnect.outcomes import cox_ph

    frame = pd.DataFrame(
        {
            "t": [1, 2, 3, 4, 5, 6, 7, 8],
            "e": [1, 1, 0, 1, 1, 0, 1, 0],
            "group": ["a", "a", "a", "a", "b", "b", "c", "c"],
        }
    )
    fit = cox_ph(frame, "t", "e", ["group"], penalizer=0.01)
    assert list(fit.table.index) == ["group=b", "group=c"]
    with pytest.raises(InputError, match="there is no column 'sme'"):
        cox_ph(frame, "t", "e", ["sme"])
