"""Criterion weights from pairwise comparisons: the Analytic Hierarchy Process (AHP).

A stakeholder group compares criteria in pairs on Saaty's 1–9 scale ("impact is 3 times as
important as cost"). The weights are the principal eigenvector of the comparison matrix;
the consistency ratio says how far the judgements contradict each other.

Groups are combined in one of two documented ways:

* :func:`combine_judgements` — the element-wise weighted *geometric* mean of the groups'
  matrices (aggregation of individual judgements, AIJ), which keeps the result reciprocal;
  then :func:`ahp_weights` on the combined matrix. Use it when groups fill in matrices.
* :func:`combine_weights` — the weighted *arithmetic* mean of the groups' normalised weight
  vectors (aggregation of individual priorities, AIP). Use it when groups give weights
  directly, or when their matrices differ in consistency.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, New York.
Aczél, J. & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. *Journal of
Mathematical Psychology* 27(1), 93–102.
Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
Analytic Hierarchy Process. *European Journal of Operational Research* 108(1), 165–169.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bioconnect.errors import InputError

__all__ = [
    "CONSISTENCY_THRESHOLD",
    "RANDOM_INDEX",
    "AhpResult",
    "ahp_weights",
    "combine_judgements",
    "combine_weights",
    "pairwise_from_judgements",
    "pairwise_from_weights",
]

#: Saaty's random consistency index RI(n): the mean consistency index of random reciprocal
#: matrices of order n (Saaty 1980, table for n = 1..15).
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}

#: Saaty's rule of thumb: judgements with a consistency ratio above this should be revised.
CONSISTENCY_THRESHOLD = 0.10


@dataclass(frozen=True)
class AhpResult:
    """Weights derived from one pairwise comparison matrix.

    Attributes
    ----------
    weights:
        Criterion → weight, summing to 1, in matrix order.
    lambda_max:
        The principal eigenvalue (``n`` for a perfectly consistent matrix).
    consistency_index:
        ``CI = (lambda_max - n) / (n - 1)``; 0 for ``n <= 2``.
    consistency_ratio:
        ``CR = CI / RI(n)``; 0 for ``n <= 2``.
    """

    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        """Whether ``CR <= 0.10`` (Saaty's threshold)."""
        return self.consistency_ratio <= CONSISTENCY_THRESHOLD


def _check_matrix(matrix: np.ndarray, criteria: Sequence[str], tol: float) -> None:
    n = len(criteria)
    if matrix.ndim != 2 or matrix.shape != (n, n):
        raise InputError(
            f"The comparison matrix is {matrix.shape}, not {n}×{n} for {n} criteria.",
            "Give one row and one column per criterion.",
        )
    if len(set(criteria)) != n:
        raise InputError("Criterion names repeat.", "Name each criterion once.")
    if not np.all(np.isfinite(matrix)) or np.any(matrix <= 0):
        raise InputError(
            "The comparison matrix has a zero, negative or missing entry.",
            "Use positive judgements on Saaty's 1–9 scale (1/9 to 9).",
        )
    if not np.allclose(np.diag(matrix), 1.0, rtol=0, atol=tol):
        raise InputError("The comparison matrix's diagonal is not all 1.", "Set a_ii = 1.")
    if not np.allclose(matrix * matrix.T, 1.0, rtol=tol, atol=0):
        i, j = np.argwhere(~np.isclose(matrix * matrix.T, 1.0, rtol=tol, atol=0))[0]
        raise InputError(
            f"The comparison matrix is not reciprocal: a[{criteria[i]}][{criteria[j]}] = "
            f"{matrix[i, j]:g} but a[{criteria[j]}][{criteria[i]}] = {matrix[j, i]:g}.",
            "Set a_ji = 1 / a_ij.",
        )


def ahp_weights(
    matrix: np.ndarray | Sequence[Sequence[float]],
    criteria: Sequence[str] | None = None,
    *,
    tol: float = 1e-6,
) -> AhpResult:
    """Weights, principal eigenvalue and consistency of a pairwise comparison matrix.

    Parameters
    ----------
    matrix:
        Square, positive, reciprocal matrix: ``a[i][j]`` says how many times criterion ``i``
        matters more than criterion ``j`` (so ``a[j][i] = 1 / a[i][j]`` and ``a[i][i] = 1``).
    criteria:
        Names of the rows; default ``c0, c1, ...``.
    tol:
        Tolerance for the reciprocity and diagonal checks.

    Returns
    -------
    AhpResult
        Weights from the principal right eigenvector, normalised to sum to 1, with
        ``lambda_max``, the consistency index and the consistency ratio (Saaty's random index).

    Examples
    --------
    >>> r = ahp_weights([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]], ["impact", "cost", "time"])
    >>> {k: round(v, 3) for k, v in r.weights.items()}
    {'impact': 0.637, 'cost': 0.258, 'time': 0.105}
    >>> round(r.consistency_ratio, 3), r.consistent
    (0.033, True)

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    """
    a = np.asarray(matrix, dtype=float)
    names = list(criteria) if criteria is not None else [f"c{i}" for i in range(len(a))]
    _check_matrix(a, names, tol)
    n = len(names)
    if n > max(RANDOM_INDEX):
        raise InputError(
            f"AHP with {n} criteria is beyond Saaty's random index table (15).",
            "Group the criteria into at most 15.",
        )
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    vec = np.abs(vectors[:, k].real)
    weights = vec / vec.sum()
    if n <= 2:
        ci = cr = 0.0
    else:
        ci = max((lam - n) / (n - 1), 0.0)
        cr = ci / RANDOM_INDEX[n]
    return AhpResult(
        weights={c: float(w) for c, w in zip(names, weights, strict=True)},
        lambda_max=lam,
        consistency_index=float(ci),
        consistency_ratio=float(cr),
    )


def pairwise_from_weights(weights: Sequence[float]) -> np.ndarray:
    """The perfectly consistent comparison matrix ``a_ij = w_i / w_j`` of a weight vector.

    Examples
    --------
    >>> pairwise_from_weights([0.5, 0.25, 0.25]).tolist()
    [[1.0, 2.0, 2.0], [0.5, 1.0, 1.0], [0.5, 1.0, 1.0]]
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise InputError("Weights must be a list of positive numbers.", "Remove zero weights.")
    return w[:, None] / w[None, :]


def pairwise_from_judgements(
    criteria: Sequence[str], judgements: Mapping[tuple[str, str], float]
) -> np.ndarray:
    """Build a reciprocal comparison matrix from judgements on pairs of criteria.

    Parameters
    ----------
    criteria:
        The criteria in matrix order.
    judgements:
        ``(i, j) → a_ij`` for each unordered pair, given once in either order; pairs not
        given count as equally important (1).

    Examples
    --------
    >>> pairwise_from_judgements(["impact", "cost"], {("cost", "impact"): 0.5}).tolist()
    [[1.0, 2.0], [0.5, 1.0]]
    """
    pos = {c: i for i, c in enumerate(criteria)}
    a = np.ones((len(criteria), len(criteria)))
    problems = []
    seen: set[frozenset[str]] = set()
    for (ci, cj), value in judgements.items():
        if ci not in pos or cj not in pos or ci == cj:
            problems.append(f"pair ({ci}, {cj}) is not two known, different criteria")
            continue
        if not np.isfinite(value) or value <= 0:
            problems.append(f"pair ({ci}, {cj}) has judgement {value!r}, not a positive number")
            continue
        key = frozenset((ci, cj))
        if key in seen:
            problems.append(f"pair ({ci}, {cj}) is given twice")
            continue
        seen.add(key)
        a[pos[ci], pos[cj]] = value
        a[pos[cj], pos[ci]] = 1.0 / value
    if problems:
        raise InputError(
            "Pairwise judgements are unusable: " + "; ".join(problems) + ".",
            f"Compare pairs of: {', '.join(criteria)}, with positive numbers.",
        )
    return a


def combine_judgements(
    matrices: Mapping[str, np.ndarray | Sequence[Sequence[float]]],
    group_weights: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Combine stakeholder groups' comparison matrices by the weighted geometric mean.

    ``a_ij = prod_g a_ij(g) ** (v_g / sum v)``. The result stays reciprocal, which an
    arithmetic mean would not (Aczél & Saaty 1983).

    Parameters
    ----------
    matrices:
        Group → its comparison matrix (all the same size, same criterion order).
    group_weights:
        Group → importance (default: all equal).

    Examples
    --------
    >>> combine_judgements({"a": [[1, 4], [1/4, 1]], "b": [[1, 1], [1, 1]]}).tolist()
    [[1.0, 2.0], [0.5, 1.0]]
    """
    groups = sorted(matrices)
    if not groups:
        raise InputError("No comparison matrices to combine.", "Give at least one group.")
    v = _group_vector(groups, group_weights)
    stack = np.stack([np.asarray(matrices[g], dtype=float) for g in groups])
    if np.any(stack <= 0) or not np.all(np.isfinite(stack)):
        raise InputError(
            "A comparison matrix has a zero, negative or missing entry.",
            "Use positive judgements.",
        )
    return np.exp(np.tensordot(v, np.log(stack), axes=1))


def combine_weights(
    weights: Mapping[str, Mapping[str, float]],
    group_weights: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Combine stakeholder groups' criterion weights by the weighted arithmetic mean.

    Each group's weights are normalised to sum to 1 first, so groups count by their
    importance, not by the scale they wrote their weights on.

    Parameters
    ----------
    weights:
        Group → (criterion → weight). Every group must weigh the same criteria.
    group_weights:
        Group → importance (default: all equal).

    Returns
    -------
    dict
        Criterion → weight, summing to 1, in the first group's criterion order.

    Examples
    --------
    >>> combine_weights({"academia": {"impact": 3, "cost": 1},
    ...                  "industry": {"impact": 1, "cost": 1}})
    {'impact': 0.625, 'cost': 0.375}
    """
    groups = sorted(weights)
    if not groups:
        raise InputError("No group weights to combine.", "Give at least one group.")
    criteria = list(weights[groups[0]])
    for g in groups:
        if set(weights[g]) != set(criteria):
            raise InputError(
                f"Group {g!r} weighs different criteria from group {groups[0]!r}.",
                "Give every group a weight for the same criteria.",
            )
    v = _group_vector(groups, group_weights)
    rows = np.array([[weights[g][c] for c in criteria] for g in groups], dtype=float)
    if np.any(rows < 0) or not np.all(np.isfinite(rows)) or np.any(rows.sum(axis=1) <= 0):
        raise InputError(
            "A group's weights are negative, missing or all zero.", "Give each group weights ≥ 0."
        )
    combined = v @ (rows / rows.sum(axis=1, keepdims=True))
    return {c: float(w) for c, w in zip(criteria, combined, strict=True)}


def _group_vector(groups: Sequence[str], group_weights: Mapping[str, float] | None) -> np.ndarray:
    if group_weights is None:
        return np.full(len(groups), 1.0 / len(groups))
    missing = sorted(set(groups) - set(group_weights))
    if missing:
        raise InputError(
            f"No importance given for group(s): {', '.join(missing)}.",
            "Give every group an importance, or none at all for equal weights.",
        )
    v = np.array([group_weights[g] for g in groups], dtype=float)
    if np.any(v < 0) or not np.all(np.isfinite(v)) or v.sum() <= 0:
        raise InputError("Group importances must be ≥ 0 and not all zero.", "Fix the numbers.")
    return v / v.sum()
