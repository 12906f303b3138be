"""Base clusters, then opinion groups, as Pol.is forms them.

Clustered participants' 2-D positions are first gathered into up to 100 *base clusters*
by k-means; the base-cluster centres are then grouped by weighted k-means (weight = members)
for every ``k`` from 2 to ``max_k``, and the ``k`` with the best silhouette wins. A
participant's opinion group is the group of its base cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Clustering",
    "group_clusterings",
    "kmeans",
    "max_group_count",
    "silhouette",
]

#: Pol.is's number of base clusters.
BASE_K = 100
#: Largest number of opinion groups Pol.is considers.
MAX_K = 5


@dataclass(frozen=True)
class Clustering:
    """A k-means result.

    Attributes
    ----------
    labels:
        Cluster index of each point, ``0 .. len(centers) - 1`` (empty clusters dropped).
    centers:
        Array of shape ``(n_clusters, dim)``.
    """

    labels: np.ndarray
    centers: np.ndarray


def _first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]].copy()


def _assign(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    # ||x - c||^2 up to the ||x||^2 term, which does not change the nearest centre.
    d2 = (centers**2).sum(axis=1)[None, :] - 2.0 * (points @ centers.T)
    return np.argmin(d2, axis=1)


def kmeans(
    points: np.ndarray,
    k: int,
    *,
    weights: np.ndarray | None = None,
    max_iter: int = 20,
    tol: float = 0.01,
) -> Clustering:
    """Weighted k-means started from the first ``k`` distinct points, as in Pol.is.

    Each step assigns every point to its nearest centre, drops empty clusters, and moves
    each centre to the weighted mean of its points. It stops after ``max_iter`` steps or
    when every centre (in sorted order) moved less than ``tol``.

    Parameters
    ----------
    points:
        Array of shape ``(n, dim)``.
    k:
        Number of clusters wanted (fewer when there are fewer distinct points).
    weights:
        Weight of each point (default 1).
    max_iter:
        Pol.is uses 100 for base clusters and 20 for groups.
    tol:
        Convergence threshold on centre movement.

    Returns
    -------
    Clustering
        Labels and centres.

    Examples
    --------
    >>> pts = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]])
    >>> result = kmeans(pts, 2)
    >>> result.labels.tolist(), result.centers.tolist()
    ([0, 0, 1, 1], [[0.0, 0.5], [5.0, 5.5]])

    References
    ----------
    Lloyd, S. (1982). Least squares quantization in PCM. *IEEE Transactions on Information
    Theory* 28(2), 129–137. Pol.is ``clusters.clj`` (``kmeans``); ``polis/METHOD.md`` §5.
    """
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    centers = _first_distinct(points, k)
    labels = _assign(points, centers)
    for _ in range(max_iter + 1):
        labels = _assign(points, centers)
        used = np.unique(labels)
        labels = np.searchsorted(used, labels)
        totals = np.bincount(labels, weights=w, minlength=len(used))
        moved = (
            np.column_stack(
                [
                    np.bincount(labels, weights=w * points[:, d], minlength=len(used))
                    for d in range(points.shape[1])
                ]
            )
            / totals[:, None]
        )
        done = len(used) == len(centers) and bool(
            np.all(np.linalg.norm(_sorted(moved) - _sorted(centers), axis=1) < tol)
        )
        centers = moved
        if done:
            break
    return Clustering(labels=labels, centers=centers)


def _sorted(centers: np.ndarray) -> np.ndarray:
    return centers[np.lexsort(centers.T[::-1])]


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette over points, a point alone in its cluster scoring 0.

    ``s_i = (b_i − a_i) / max(a_i, b_i)`` with ``a_i`` the mean distance to the other
    members of its cluster and ``b_i`` the smallest mean distance to another cluster.

    Parameters
    ----------
    distances:
        Square distance matrix.
    labels:
        Cluster of each point.

    Returns
    -------
    float
        In ``[-1, 1]``.

    Examples
    --------
    >>> pts = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> round(silhouette(np.abs(pts - pts.T), np.array([0, 0, 1, 1])), 4)
    0.8997
    >>> silhouette(np.abs(pts - pts.T), np.array([0, 1, 1, 1])) < 0.9
    True

    References
    ----------
    Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
    validation of cluster analysis. *J. Comput. Appl. Math.* 20, 53–65.
    """
    clusters = np.unique(labels)
    onehot = (labels[:, None] == clusters[None, :]).astype(float)
    sizes = onehot.sum(axis=0)
    sums = distances @ onehot
    own = np.searchsorted(clusters, labels)
    n = len(labels)
    own_size = sizes[own] - 1
    a = np.divide(sums[np.arange(n), own], own_size, out=np.zeros(n), where=own_size > 0)
    means = sums / sizes[None, :]
    means[np.arange(n), own] = np.inf
    b = means.min(axis=1)
    denom = np.maximum(a, b)
    s = np.divide(b - a, denom, out=np.zeros(n), where=denom > 0)
    s[own_size == 0] = 0.0
    return float(s.mean())


def max_group_count(n_base_clusters: int, max_k: int = MAX_K) -> int:
    """Largest ``k`` Pol.is tries: ``min(max_k, 2 + n_base_clusters // 12)``.

    Parameters
    ----------
    n_base_clusters:
        Number of base clusters.
    max_k:
        Upper bound (Pol.is uses 5).

    Returns
    -------
    int

    Examples
    --------
    >>> max_group_count(100), max_group_count(20)
    (5, 3)

    References
    ----------
    Pol.is ``conversation.clj`` (``max-k-fn``); ``polis/METHOD.md`` §5.
    """
    return min(max_k, 2 + n_base_clusters // 12)


def group_clusterings(
    base: Clustering, *, max_k: int = MAX_K, max_iter: int = 20
) -> tuple[dict[int, Clustering], dict[int, float]]:
    """Group the base clusters by weighted k-means for each ``k`` from 2 to ``max_k``.

    Parameters
    ----------
    base:
        The base clustering; each centre is weighted by its number of members.
    max_k:
        Upper bound on the number of groups (lowered by :func:`max_group_count`).
    max_iter:
        Iterations of the group k-means (Pol.is's effective value is 20).

    Returns
    -------
    tuple
        The clustering of the base centres for each ``k`` tried, and its silhouette on
        the distances between base-cluster centres (unweighted).

    Examples
    --------
    >>> pts = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [5.0, 7.0]])
    >>> base = Clustering(labels=np.arange(5), centers=pts)
    >>> found, scores = group_clusterings(base)
    >>> found[2].labels.tolist(), max(scores, key=scores.get)
    ([0, 0, 1, 1, 1], 2)

    References
    ----------
    Pol.is ``conversation.clj`` (``:group-clusterings``, silhouettes);
    ``polis/METHOD.md`` §5.
    """
    centers = base.centers
    weights = np.bincount(base.labels, minlength=len(centers)).astype(float)
    distances = np.linalg.norm(centers[:, None, :] - centers[None, :, :], axis=2)
    found: dict[int, Clustering] = {}
    scores: dict[int, float] = {}
    distinct = len(np.unique(centers, axis=0))
    for k in range(2, min(max_group_count(len(centers), max_k), distinct) + 1):
        result = kmeans(centers, k, weights=weights, max_iter=max_iter)
        found[k] = result
        scores[k] = silhouette(distances, result.labels) if len(result.centers) > 1 else -1.0
    return found, scores
