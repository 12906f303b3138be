"""Survey questions: single and multiple choice, Likert items, rankings (Borda, Schulze)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bioconnect.errors import InputError

__all__ = [
    "LikertSummary",
    "borda",
    "choice_counts",
    "likert_summary",
    "schulze",
]


def choice_counts(answers: Sequence[Sequence[str]], options: Sequence[str]) -> dict[str, int]:
    """Respondents choosing each option (single choice: one option per answer).

    Parameters
    ----------
    answers:
        Each respondent's chosen options (one for single choice, any for multiple choice).
    options:
        The question's options, in display order.

    Returns
    -------
    dict
        Option → number of respondents who chose it, in option order.

    Examples
    --------
    >>> choice_counts([["a"], ["b", "c"], ["a", "c"]], ["a", "b", "c"])
    {'a': 2, 'b': 1, 'c': 2}

    References
    ----------
    Dillman, D. A., Smyth, J. D. & Christian, L. M. (2014). *Internet, Phone, Mail, and
    Mixed-Mode Surveys*, 4th ed. Wiley.
    """
    counts = dict.fromkeys(options, 0)
    for i, chosen in enumerate(answers):
        picked = set(chosen)
        unknown = picked - counts.keys()
        if unknown:
            raise InputError(
                f"Answer {i + 1} chooses {sorted(unknown)}, not an option.",
                f"Use one of {list(options)}.",
            )
        for option in picked:
            counts[option] += 1
    return counts


@dataclass(frozen=True)
class LikertSummary:
    """Counts per level, median, and the shares at the top and bottom two levels."""

    counts: tuple[int, ...]
    median: float
    top_two: float
    bottom_two: float


def likert_summary(answers: Sequence[int], levels: int = 5) -> LikertSummary:
    """Summarise a Likert item answered on ``1 .. levels``.

    Parameters
    ----------
    answers:
        Answers, each in ``1 .. levels``.
    levels:
        Number of levels (5 or 7 usually).

    Returns
    -------
    LikertSummary

    Examples
    --------
    >>> s = likert_summary([5, 4, 4, 2, 3, 5])
    >>> s.counts, s.median, round(s.top_two, 4), round(s.bottom_two, 4)
    ((0, 1, 1, 2, 2), 4.0, 0.6667, 0.1667)

    References
    ----------
    Likert, R. (1932). A technique for the measurement of attitudes. *Archives of
    Psychology* 140, 1–55.
    """
    x = np.asarray(answers, dtype=np.int64)
    if x.size == 0 or x.min() < 1 or x.max() > levels:
        raise InputError(f"Likert answers must lie in 1..{levels}.", "Check the answers' scale.")
    counts = np.bincount(x, minlength=levels + 1)[1:]
    return LikertSummary(
        counts=tuple(int(c) for c in counts),
        median=float(np.median(x)),
        top_two=float(np.mean(x >= levels - 1)),
        bottom_two=float(np.mean(x <= 2)),
    )


def _check_rankings(rankings: Sequence[Sequence[str]], options: Sequence[str]) -> None:
    known = set(options)
    for i, ranking in enumerate(rankings):
        if len(set(ranking)) != len(ranking) or not set(ranking) <= known:
            raise InputError(
                f"Ranking {i + 1} repeats an option or names one that does not exist.",
                f"Rank each of {list(options)} at most once.",
            )


def borda(rankings: Sequence[Sequence[str]], options: Sequence[str]) -> dict[str, float]:
    """Borda count: an option ranked ``r``-th (from 1) of ``n`` gets ``n − r`` points.

    Options a respondent left unranked share the remaining points equally (the average of
    the points of the places left).

    Parameters
    ----------
    rankings:
        Each respondent's options, best first (possibly partial).
    options:
        All options.

    Returns
    -------
    dict
        Option → points, highest first (ties in option order).

    Examples
    --------
    >>> borda([["a", "b", "c"], ["b", "a", "c"], ["b", "c"]], ["a", "b", "c"])
    {'b': 5.0, 'a': 3.0, 'c': 1.0}

    References
    ----------
    de Borda, J.-C. (1781). Mémoire sur les élections au scrutin. *Histoire de l'Académie
    Royale des Sciences*, Paris.
    """
    _check_rankings(rankings, options)
    n = len(options)
    points = dict.fromkeys(options, 0.0)
    for ranking in rankings:
        for place, option in enumerate(ranking):
            points[option] += n - 1 - place
        rest = [o for o in options if o not in ranking]
        if rest:
            share = sum(range(len(rest))) / len(rest)
            for option in rest:
                points[option] += share
    order = sorted(options, key=lambda o: (-points[o], list(options).index(o)))
    return {o: points[o] for o in order}


def schulze(rankings: Sequence[Sequence[str]], options: Sequence[str]) -> list[str]:
    """Schulze method: options ordered by strongest beatpath (widest path).

    ``d[a, b]`` counts respondents preferring ``a`` to ``b`` (a ranked option beats an
    unranked one); the strength of the strongest path from ``a`` to ``b`` is computed by the
    Floyd–Warshall widest-path recurrence, and ``a`` precedes ``b`` when ``p[a, b] > p[b, a]``.

    Parameters
    ----------
    rankings:
        Each respondent's options, best first (possibly partial).
    options:
        All options.

    Returns
    -------
    list
        Options from winner down; ties keep option order.

    Examples
    --------
    >>> ballots = [["a", "c", "b"]] * 5 + [["b", "a", "c"]] * 4 + [["c", "b", "a"]] * 2
    >>> schulze(ballots, ["a", "b", "c"])
    ['a', 'c', 'b']

    References
    ----------
    Schulze, M. (2011). A new monotonic, clone-independent, reversal symmetric, and
    Condorcet-consistent single-winner election method. *Social Choice and Welfare* 36,
    267–303.
    """
    _check_rankings(rankings, options)
    index = {o: i for i, o in enumerate(options)}
    n = len(options)
    d = np.zeros((n, n), dtype=np.int64)
    for ranking in rankings:
        place = np.full(n, len(ranking))
        for r, option in enumerate(ranking):
            place[index[option]] = r
        d += place[:, None] < place[None, :]
    p = np.where(d > d.T, d, 0)
    for k in range(n):
        p = np.maximum(p, np.minimum(p[:, k][:, None], p[k, :][None, :]))
        np.fill_diagonal(p, 0)
    wins = (p > p.T).sum(axis=1)
    return sorted(options, key=lambda o: (-int(wins[index[o]]), index[o]))
