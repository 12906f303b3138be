"""Delphi feedback, consensus rules, stability and Kendall's W."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from bioconnect.dialogue.delphi import consensus_reached, item_feedback, kendall_w, stability
from bioconnect.errors import InputError

# R's irr::anxiety (Gamer, Lemon, Fellows & Singh, package irr): 20 subjects rated by 3
# raters on a 1-6 scale. Values as printed in the example of DescTools::KendallW, which
# reproduces the data set ("This function was previously published as kendall() in the irr
# package"): https://rdocumentation.org/packages/DescTools/versions/0.99.19/topics/KendallW
ANXIETY = np.array(
    [
        [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
        [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
        [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2],
    ]
).T


def test_kendall_w_on_irr_anxiety() -> None:
    plain = kendall_w(ANXIETY)
    assert round(plain.w, 4) == 0.5019  # irr::kendall(anxiety)
    tied = kendall_w(ANXIETY, correct_ties=True)
    assert round(tied.w, 4) == 0.5397  # irr::kendall(anxiety, TRUE)
    assert tied.df == 19 and tied.subjects == 20 and tied.raters == 3
    assert round(tied.chi2, 2) == 30.76
    # The tie-corrected chi-square equals Friedman's statistic (subjects as treatments).
    assert tied.chi2 == pytest.approx(stats.friedmanchisquare(*ANXIETY).statistic)
    assert tied.p_value == pytest.approx(stats.chi2.sf(30.76, 19), rel=1e-3)


def test_kendall_w_hand_cases() -> None:
    same = np.array([[1, 1, 1], [2, 2, 2], [3, 3, 3]])
    assert kendall_w(same).w == pytest.approx(1.0)
    opposite = np.array([[1, 3], [2, 2], [3, 1]])
    assert kendall_w(opposite).w == pytest.approx(0.0)
    with pytest.raises(InputError):
        kendall_w(np.array([[1], [2]]))


@given(st.lists(st.permutations([1, 2, 3, 4, 5]), min_size=2, max_size=6))
def test_kendall_w_is_within_zero_and_one_for_rankings(rankings) -> None:
    result = kendall_w(np.array(rankings).T)
    assert -1e-12 <= result.w <= 1 + 1e-12


def test_feedback_and_consensus_rules() -> None:
    f = item_feedback(np.array([7, 8, 8, 9, 6, 2]))
    # sorted 2 6 7 8 8 9: median 7.5, q1 = 6.25, q3 = 8 (type 7)
    assert (f.median, f.q1, f.q3) == (7.5, 6.25, 8.0)
    assert f.share_high == pytest.approx(4 / 6) and f.share_low == pytest.approx(1 / 6)
    assert not consensus_reached(f)  # IQR 1.75; 67 % high
    ten = item_feedback(np.array([7, 9, 7, 8, 9, 7, 2, 9, 7, 4]))
    assert ten.iqr > 1 and consensus_reached(ten)  # 80 % high, 10 % low
    low_share_fails = item_feedback(np.array([7, 9, 7, 8, 9, 7, 2, 9, 1, 4]))
    assert not consensus_reached(low_share_fails)  # 70 % high but 20 % low
    assert consensus_reached(item_feedback(np.array([4, 5, 5, 5, 6])))  # IQR 0


def test_stability_counts_moves_of_at_most_one() -> None:
    assert stability(np.array([5, 7, 2, 9]), np.array([6, 7, 5, np.nan])) == pytest.approx(2 / 3)
    with pytest.raises(InputError):
        stability(np.array([np.nan]), np.array([1.0]))
