"""Principal components of the vote matrix and Pol.is's sparsity-aware projection.

Pol.is fills each missing vote with its statement's mean, centres the columns, takes the
first two principal components, and then places each participant from the votes they
actually cast only, scaled outward by ``sqrt(n_statements / n_votes)`` so that people who
voted on few statements are not pulled to the centre.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Components",
    "moderate",
    "principal_components",
    "project_participants",
    "project_statements",
]


@dataclass(frozen=True)
class Components:
    """The centre and the leading principal components of a vote matrix.

    Attributes
    ----------
    center:
        Column means of the imputed matrix, one per statement.
    components:
        Array of shape ``(n_components, n_statements)``, orthonormal rows.
    """

    center: np.ndarray
    components: np.ndarray


def moderate(values: np.ndarray, columns: Iterable[int]) -> np.ndarray:
    """The matrix with moderated-out statements' columns set to ``0`` for everyone.

    Pol.is keeps such columns in the matrix (they still count as voted in the projection's
    scaling) but makes them carry no opinion.

    Parameters
    ----------
    values:
        The vote values (``NaN`` = not voted).
    columns:
        Column indices of the moderated-out statements.

    Returns
    -------
    numpy.ndarray
        A copy with those columns zeroed.

    Examples
    --------
    >>> moderate(np.array([[1.0, np.nan], [np.nan, -1.0]]), [1]).tolist()
    [[1.0, 0.0], [nan, 0.0]]

    References
    ----------
    Pol.is ``named_matrix.clj`` (``zero-out-columns``); ``polis/METHOD.md`` §1.
    """
    out = np.array(values, dtype=float, copy=True)
    out[:, list(columns)] = 0.0
    return out


def principal_components(values: np.ndarray, n_components: int = 2) -> Components:
    """PCA of the vote matrix with each missing vote replaced by its column's mean.

    Parameters
    ----------
    values:
        Vote values, ``NaN`` for not voted. A column with no vote has mean ``0``.
    n_components:
        Number of components (Pol.is uses 2).

    Returns
    -------
    Components
        ``center`` and ``components``. Each component's sign is fixed so that its
        largest-magnitude loading is positive.

    Examples
    --------
    >>> v = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, np.nan]])
    >>> pcs = principal_components(v, 1)
    >>> pcs.center.tolist()
    [0.3333333333333333, 0.0]
    >>> np.round(pcs.components, 3).tolist()
    [[0.763, 0.646]]

    References
    ----------
    Pearson, K. (1901). On lines and planes of closest fit to systems of points in space.
    *Philosophical Magazine* 2(11), 559–572. Pol.is ``pca.clj`` (power iteration);
    ``polis/METHOD.md`` §3.
    """
    voted = ~np.isnan(values)
    counts = voted.sum(axis=0)
    sums = np.where(voted, values, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(values.shape[1]), where=counts > 0)
    imputed = np.where(voted, values, means)
    center = imputed.mean(axis=0)
    centred = imputed - center
    k = min(n_components, *centred.shape)
    # The leading eigenvectors of X'X, which Pol.is's power iteration converges to,
    # computed exactly and without a random start.
    _, vectors = np.linalg.eigh(centred.T @ centred)
    comps = vectors[:, ::-1][:, :k].T.copy()
    for row in comps:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1.0
    if k < n_components:
        comps = np.vstack([comps, np.zeros((n_components - k, values.shape[1]))])
    return Components(center=center, components=comps)


def project_participants(values: np.ndarray, pcs: Components) -> np.ndarray:
    """Place each participant from their own votes only (Pol.is's sparsity-aware projection).

    ``p_i = sqrt(n / max(|V_i|, 1)) * Σ_{j ∈ V_i} (x_ij − center_j) · pc_j`` with ``V_i`` the
    statements participant ``i`` voted on (passes included) and ``n`` all statements.

    Parameters
    ----------
    values:
        Vote values as given to :func:`principal_components` (``NaN`` = not voted).
    pcs:
        The components.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_participants, n_components)``.

    Examples
    --------
    >>> pcs = Components(center=np.array([0.5, 0.0]), components=np.array([[1.0, 0.0]]))
    >>> project_participants(np.array([[1.0, np.nan], [-1.0, 1.0]]), pcs).tolist()
    [[0.7071067811865476], [-1.5]]

    References
    ----------
    Pol.is ``pca.clj`` (``sparsity-aware-project-ptpt``); ``polis/METHOD.md`` §4.
    """
    voted = ~np.isnan(values)
    centred = np.where(voted, values - pcs.center, 0.0)
    n_votes = np.maximum(voted.sum(axis=1), 1)
    scale = np.sqrt(values.shape[1] / n_votes)
    return (centred @ pcs.components.T) * scale[:, None]


def project_statements(pcs: Components) -> np.ndarray:
    """Place each statement as a participant who agreed with it alone.

    ``q_j = sqrt(n) * (1 − center_j) · pc_j`` (agree is ``+1`` here; Pol.is writes ``−1``
    internally, which mirrors both the statements and the participants).

    Parameters
    ----------
    pcs:
        The components.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_statements, n_components)``; its row norms are Pol.is's "extremity".

    Examples
    --------
    >>> pcs = Components(center=np.array([0.5, 0.0]), components=np.array([[1.0, 0.0]]))
    >>> project_statements(pcs).tolist()
    [[0.7071067811865476], [0.0]]

    References
    ----------
    Pol.is ``pca.clj`` (``pca-project-cmnts``); ``polis/METHOD.md`` §4.
    """
    n = pcs.center.shape[0]
    return (np.sqrt(n) * (1.0 - pcs.center))[:, None] * pcs.components.T
