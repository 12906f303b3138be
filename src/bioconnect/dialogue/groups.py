"""Opinion groups of a consultation, end to end: matrix → PCA → projection → clusters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bioconnect.dialogue.clusters import BASE_K, MAX_K, Clustering, group_clusterings, kmeans
from bioconnect.dialogue.matrix import MIN_VOTES, VoteMatrix, clustered_participants
from bioconnect.dialogue.projection import (
    Components,
    moderate,
    principal_components,
    project_participants,
)

__all__ = ["NOT_CLUSTERED", "OpinionGroups", "opinion_groups"]

#: Starts of the base k-means over which the number of groups is smoothed.
RESTARTS = 10

#: The group of a participant who is not clustered.
NOT_CLUSTERED = -1


@dataclass(frozen=True)
class OpinionGroups:
    """Pol.is-style opinion groups.

    Attributes
    ----------
    matrix:
        The vote matrix they were computed from.
    rating:
        The values used for the geometry (moderated-out columns zeroed).
    clustered:
        Boolean mask of the participants who were clustered.
    positions:
        2-D position of every participant (clustered or not).
    base:
        Base cluster of each participant, ``-1`` when not clustered.
    group:
        Opinion group of each participant, ``0 .. n_groups - 1``, or ``-1``.
    silhouettes:
        Silhouette of each number of groups tried.
    components:
        The PCA centre and components.
    """

    matrix: VoteMatrix
    rating: np.ndarray
    clustered: np.ndarray
    positions: np.ndarray
    base: np.ndarray
    group: np.ndarray
    silhouettes: dict[int, float]
    components: Components

    @property
    def n_groups(self) -> int:
        """Number of opinion groups."""
        return int(self.group.max()) + 1 if (self.group >= 0).any() else 0

    def members(self, g: int) -> np.ndarray:
        """Row indices of the members of group ``g``."""
        return np.flatnonzero(self.group == g)


def _relabel_by_size(group: np.ndarray) -> np.ndarray:
    """Number groups by size, largest first (ties by first member), for stable output."""
    found = [g for g in np.unique(group) if g >= 0]
    order = sorted(found, key=lambda g: (-int((group == g).sum()), int(np.argmax(group == g))))
    out = np.full_like(group, NOT_CLUSTERED)
    for new, old in enumerate(order):
        out[group == old] = new
    return out


def _smoothed_grouping(
    positions: np.ndarray, rows: np.ndarray, *, base_k: int, max_k: int, restarts: int
) -> tuple[np.ndarray, Clustering, Clustering, dict[int, float]]:
    """Base then group clusters from several starts; ``k`` by mean silhouette over them."""
    rng = np.random.default_rng(0)
    runs = []
    for attempt in range(max(restarts, 1)):
        order = rows if attempt == 0 else rng.permutation(rows)
        base = kmeans(positions[order], base_k, max_iter=100)
        runs.append((order, base, *group_clusterings(base, max_k=max_k)))
    ks = sorted(set.intersection(*(set(run[3]) for run in runs)))
    if not ks:
        order, base, _, _ = runs[0]
        single = Clustering(
            labels=np.zeros(len(base.centers), dtype=np.int64), centers=base.centers[:1]
        )
        return order, base, single, {}
    mean = {k: float(np.mean([run[3][k] for run in runs])) for k in ks}
    best_k = max(ks, key=lambda k: (mean[k], -k))
    order, base, chosen, _ = runs[0]
    return order, base, chosen[best_k], mean


def opinion_groups(
    matrix: VoteMatrix,
    *,
    moderated_out: Iterable[int] = (),
    min_votes: int = MIN_VOTES,
    base_k: int = BASE_K,
    max_k: int = MAX_K,
    restarts: int = RESTARTS,
) -> OpinionGroups:
    """Compute opinion groups as Pol.is does, from one snapshot of the votes.

    Parameters
    ----------
    matrix:
        The final votes.
    moderated_out:
        Statement ids moderated out: their columns carry no opinion (set to 0).
    min_votes:
        Votes a participant needs to be clustered (capped at the number of statements).
    base_k:
        Number of base clusters (100 in Pol.is).
    max_k:
        Largest number of groups considered (5 in Pol.is).
    restarts:
        Orders of the clustered participants the base k-means starts from (the first is
        participant order, the others seeded permutations). The number of groups is the
        one with the best silhouette averaged over them, which stands in for Pol.is's
        smoothing of the number of groups over its update history; the groups are those
        of the first start (participant order, as Pol.is starts from the first distinct
        positions) at that number.

    Returns
    -------
    OpinionGroups
        Groups numbered by size, largest first.

    Examples
    --------
    >>> from bioconnect.dialogue.matrix import vote_matrix
    >>> votes = [(p, s, (1 if (p < 4) == (s % 2 == 0) else -1)) for p in range(8) for s in range(8)]
    >>> m = vote_matrix(*zip(*votes))
    >>> result = opinion_groups(m)
    >>> result.n_groups, result.group.tolist()
    (2, [0, 0, 0, 0, 1, 1, 1, 1])

    References
    ----------
    Small, C. et al. (2021). Polis: Scaling deliberation by mapping high dimensional
    opinion spaces. *Recerca* 26(2). Pol.is ``conversation.clj``; ``polis/METHOD.md`` §1–5.
    """
    index = {tid: j for j, tid in enumerate(matrix.statements)}
    rating = moderate(matrix.values, [index[t] for t in moderated_out if t in index])
    clustered = clustered_participants(matrix, min_votes=min_votes)
    pcs = principal_components(rating, 2)
    positions = project_participants(rating, pcs)
    base = np.full(len(matrix.participants), NOT_CLUSTERED, dtype=np.int64)
    group = base.copy()
    silhouettes: dict[int, float] = {}
    rows = np.flatnonzero(clustered)
    if len(rows):
        order, base_clusters, grouped, silhouettes = _smoothed_grouping(
            positions, rows, base_k=base_k, max_k=max_k, restarts=restarts
        )
        base[order] = base_clusters.labels
        group[order] = grouped.labels[base_clusters.labels]
        group = _relabel_by_size(group)
    return OpinionGroups(
        matrix=matrix,
        rating=rating,
        clustered=clustered,
        positions=positions,
        base=base,
        group=group,
        silhouettes=silhouettes,
        components=pcs,
    )
