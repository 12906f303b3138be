"""The participant × statement vote matrix and who counts as clustered.

Votes use the sign of Pol.is's CSV export: agree ``1``, disagree ``-1``, pass ``0``;
a statement a participant has not seen (or not voted on) is missing (``NaN``). A vote log
may hold several votes of one participant on one statement; the last one counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bioconnect.errors import InputError

__all__ = [
    "AGREE",
    "DISAGREE",
    "PASS",
    "VoteMatrix",
    "clustered_participants",
    "vote_matrix",
]

AGREE = 1
DISAGREE = -1
PASS = 0

#: Fewest votes (or every statement, when there are fewer) for a participant to be clustered.
MIN_VOTES = 7
#: Pol.is tops the clustered set up to this many participants with the most votes.
GREEDY_N = 15


@dataclass(frozen=True)
class VoteMatrix:
    """Final votes, one row per participant and one column per statement.

    Attributes
    ----------
    participants:
        Participant ids, in row order (ascending).
    statements:
        Statement ids, in column order (ascending).
    values:
        ``float`` array of shape ``(len(participants), len(statements))``: ``1`` agree,
        ``-1`` disagree, ``0`` pass, ``NaN`` not voted.
    """

    participants: tuple[int, ...]
    statements: tuple[int, ...]
    values: np.ndarray

    @property
    def voted(self) -> np.ndarray:
        """Boolean mask of the cells holding a vote."""
        return ~np.isnan(self.values)

    def vote_counts(self) -> np.ndarray:
        """Number of votes (passes included) of each participant."""
        return self.voted.sum(axis=1)

    def rows(self, ids: Sequence[int]) -> np.ndarray:
        """Row indices of the given participant ids."""
        index = {pid: i for i, pid in enumerate(self.participants)}
        return np.array([index[pid] for pid in ids], dtype=np.int64)


def vote_matrix(
    participant: Sequence[int] | np.ndarray,
    statement: Sequence[int] | np.ndarray,
    vote: Sequence[float] | np.ndarray,
) -> VoteMatrix:
    """Build the vote matrix from a vote log in time order (the last vote counts).

    Parameters
    ----------
    participant, statement, vote:
        Parallel sequences, one entry per vote event, oldest first. Votes must be in
        ``{-1, 0, 1}``.

    Returns
    -------
    VoteMatrix
        Participants and statements that occur in the log, in ascending id order.

    Examples
    --------
    >>> m = vote_matrix([1, 1, 2, 1], [10, 11, 10, 10], [1, 0, -1, -1])
    >>> m.participants, m.statements
    ((1, 2), (10, 11))
    >>> m.values.tolist()
    [[-1.0, 0.0], [-1.0, nan]]

    References
    ----------
    Small, C., Bjorkegren, M., Erkkilä, T., Shaw, L. & Megill, C. (2021). Polis: Scaling
    deliberation by mapping high dimensional opinion spaces. *Recerca* 26(2).
    """
    pids = np.asarray(participant, dtype=np.int64)
    tids = np.asarray(statement, dtype=np.int64)
    votes = np.asarray(vote, dtype=float)
    if not (len(pids) == len(tids) == len(votes)):
        raise InputError("participant, statement and vote differ in length.", "Pass one per vote.")
    bad = ~np.isin(votes, (AGREE, DISAGREE, PASS))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Vote {votes[at]!r} at position {at} is not -1, 0 or 1.",
            "Use 1 for agree, -1 for disagree and 0 for pass.",
        )
    people, rows = np.unique(pids, return_inverse=True)
    items, cols = np.unique(tids, return_inverse=True)
    values = np.full((len(people), len(items)), np.nan)
    values[rows, cols] = votes  # numpy assigns in order: the last write wins
    return VoteMatrix(
        participants=tuple(int(p) for p in people),
        statements=tuple(int(t) for t in items),
        values=values,
    )


def clustered_participants(
    matrix: VoteMatrix, *, min_votes: int = MIN_VOTES, greedy_n: int = GREEDY_N
) -> np.ndarray:
    """Which participants are clustered ("in the conversation").

    A participant is in with at least ``min(min_votes, n_statements)`` votes, passes
    included. When fewer than ``greedy_n`` are in, the participants with the most votes are
    added until there are ``greedy_n`` (ties by participant id).

    Parameters
    ----------
    matrix:
        The vote matrix.
    min_votes:
        Pol.is uses 7.
    greedy_n:
        Pol.is uses 15.

    Returns
    -------
    numpy.ndarray
        Boolean mask over ``matrix.participants``.

    Examples
    --------
    >>> m = vote_matrix([1, 1, 2], [10, 11, 10], [1, 0, -1])
    >>> clustered_participants(m, greedy_n=0).tolist()
    [True, False]
    >>> clustered_participants(m, greedy_n=2).tolist()
    [True, True]

    References
    ----------
    Pol.is, ``math/src/polismath/math/conversation.clj`` (``:in-conv``), as described in
    ``polis/METHOD.md`` §2.
    """
    counts = matrix.vote_counts()
    needed = min(min_votes, len(matrix.statements))
    inside = counts >= needed
    missing = greedy_n - int(inside.sum())
    if missing > 0:
        outside = np.flatnonzero(~inside)
        ranked = outside[np.argsort(-counts[outside], kind="stable")]
        inside[ranked[:missing]] = True
    return inside
