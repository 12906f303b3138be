"""AHP weights, consistency, and combining stakeholder groups."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioconnect.errors import InputError
from bioconnect.plan import (
    ahp_weights,
    combine_judgements,
    combine_weights,
    pairwise_from_judgements,
    pairwise_from_weights,
)
from bioconnect.plan.ahp import RANDOM_INDEX


def test_two_criteria_by_hand() -> None:
    """[[1, 3], [1/3, 1]]: weights 3/4 and 1/4, lambda_max 2, CR 0."""
    r = ahp_weights([[1, 3], [1 / 3, 1]], ["a", "b"])
    assert r.weights == pytest.approx({"a": 0.75, "b": 0.25})
    assert r.lambda_max == pytest.approx(2.0)
    assert r.consistency_ratio == 0.0
    assert r.consistent


def test_inconsistent_three_by_hand() -> None:
    """a > b (9), b > c (9), but c > a (9): a cyclic judgement, far above CR 0.10.

    The matrix is circulant, so the weights are equal and lambda_max = 1 + 9 + 1/9.
    """
    m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    r = ahp_weights(m)
    assert list(r.weights.values()) == pytest.approx([1 / 3] * 3)
    lam = 1 + 9 + 1 / 9
    assert r.lambda_max == pytest.approx(lam)
    assert r.consistency_index == pytest.approx((lam - 3) / 2)
    assert r.consistency_ratio == pytest.approx((lam - 3) / 2 / 0.58)
    assert not r.consistent


def test_random_index_is_saatys() -> None:
    assert [RANDOM_INDEX[n] for n in range(3, 11)] == [
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
    ]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.01, 100.0), min_size=2, max_size=12))
def test_consistent_matrix_gives_its_weight_vector(raw: list[float]) -> None:
    w = np.array(raw) / sum(raw)
    r = ahp_weights(pairwise_from_weights(w))
    assert np.allclose(list(r.weights.values()), w, rtol=1e-7, atol=1e-10)
    assert r.lambda_max == pytest.approx(len(w), rel=1e-9)
    assert r.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert r.consistent


@pytest.mark.parametrize(
    ("matrix", "words"),
    [
        ([[1, 2], [2, 1]], "not reciprocal"),
        ([[1, -2], [-0.5, 1]], "negative"),
        ([[2, 2], [0.5, 2]], "diagonal"),
        ([[1, 2, 3], [0.5, 1, 1]], "not 3×3"),
    ],
)
def test_bad_matrices(matrix: list[list[float]], words: str) -> None:
    with pytest.raises(InputError, match=words):
        ahp_weights(matrix, ["a", "b", "c"][: len(matrix[0])])


def test_judgements_build_a_reciprocal_matrix() -> None:
    m = pairwise_from_judgements(["a", "b", "c"], {("a", "b"): 3, ("c", "a"): 0.5})
    assert m.tolist() == [[1, 3, 2], [1 / 3, 1, 1], [0.5, 1, 1]]
    with pytest.raises(InputError, match=r"\(a, zz\).*given twice"):
        pairwise_from_judgements(["a", "b"], {("a", "zz"): 2, ("a", "b"): 2, ("b", "a"): 0.5})


def test_geometric_mean_of_matrices() -> None:
    """Group a says 9, group b says 1: the geometric mean with weights 1:1 is 3."""
    m = combine_judgements({"a": [[1, 9], [1 / 9, 1]], "b": [[1, 1], [1, 1]]})
    assert m == pytest.approx(np.array([[1, 3], [1 / 3, 1]]))
    weighted = combine_judgements(
        {"a": [[1, 9], [1 / 9, 1]], "b": [[1, 1], [1, 1]]}, {"a": 3, "b": 1}
    )
    assert weighted[0, 1] == pytest.approx(9**0.75)
    assert weighted[0, 1] * weighted[1, 0] == pytest.approx(1.0)


def test_weighted_mean_of_weights() -> None:
    out = combine_weights(
        {"academia": {"x": 1, "y": 3}, "industry": {"x": 2, "y": 2}},
        {"academia": 1, "industry": 3},
    )
    # academia (0.25, 0.75) * 1/4 + industry (0.5, 0.5) * 3/4
    assert out == pytest.approx({"x": 0.4375, "y": 0.5625})
    with pytest.raises(InputError, match="different criteria"):
        combine_weights({"a": {"x": 1}, "b": {"y": 1}})
    with pytest.raises(InputError, match="No importance"):
        combine_weights({"a": {"x": 1}, "b": {"x": 1}}, {"a": 1})
