"""Survey tallies: choice counts, Likert summaries, Borda and Schulze rankings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bioconnect.dialogue.survey import borda, choice_counts, likert_summary, schulze
from bioconnect.errors import InputError


def test_choice_counts_single_and_multiple() -> None:
    assert choice_counts([["x"], ["y"], ["x"]], ["x", "y"]) == {"x": 2, "y": 1}
    assert choice_counts([["x", "y"], ["y"]], ["x", "y", "z"]) == {"x": 1, "y": 2, "z": 0}
    with pytest.raises(InputError, match="not an option"):
        choice_counts([["w"]], ["x"])


def test_likert_summary_by_hand() -> None:
    s = likert_summary([1, 2, 2, 3, 7], levels=7)
    assert s.counts == (1, 2, 1, 0, 0, 0, 1) and s.median == 2.0
    assert s.top_two == pytest.approx(1 / 5) and s.bottom_two == pytest.approx(3 / 5)
    with pytest.raises(InputError):
        likert_summary([0, 3])


def test_borda_by_hand() -> None:
    # 3 options: first 2 points, second 1, last 0.
    assert borda([["a", "b", "c"], ["c", "b", "a"], ["b", "a", "c"]], ["a", "b", "c"]) == {
        "b": 4.0,
        "a": 3.0,
        "c": 2.0,
    }


def test_schulze_wikipedia_example() -> None:
    # The 45-voter example of Schulze (2011), section 3.1 (also on Wikipedia's "Schulze
    # method" page): the order is E > A > C > B > D.
    ballots = (
        [list("ACBED")] * 5
        + [list("ADECB")] * 5
        + [list("BEDAC")] * 8
        + [list("CABED")] * 3
        + [list("CAEBD")] * 7
        + [list("CBADE")] * 2
        + [list("DCEBA")] * 7
        + [list("EBADC")] * 8
    )
    assert schulze(ballots, list("ABCDE")) == list("EACBD")


def test_schulze_picks_a_condorcet_winner() -> None:
    assert schulze([["b", "a", "c"], ["b", "c", "a"], ["a", "b", "c"]], ["a", "b", "c"])[0] == "b"
    with pytest.raises(InputError, match="repeats"):
        schulze([["a", "a"]], ["a", "b"])


@given(st.lists(st.permutations(["a", "b", "c", "d"]), min_size=1, max_size=8))
def test_borda_points_sum_to_the_total(rankings) -> None:
    assert sum(borda(rankings, ["a", "b", "c", "d"]).values()) == pytest.approx(6 * len(rankings))
