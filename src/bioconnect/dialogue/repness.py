"""Representative statements of each opinion group, as Pol.is selects them.

For group ``g`` and statement ``c`` (``na`` agrees, ``nd`` disagrees, ``ns`` votes with
passes, from the group's members; ``_r`` the same pooled over all other groups):

* ``pa = (na + 1) / (ns + 2)``, ``pd`` likewise (Laplace, a Beta(1, 1) prior);
* ``pat = 2·sqrt(ns + 1)·((na + 1)/(ns + 1) − 1/2)``, one-proportion z-test;
* ``ra = pa / ((na_r + 1)/(ns_r + 2))``, how much more the group agrees than the rest;
* ``rat``: two-proportion z-test with one added to every count.

A statement represents the group when both tests pass at 90 % (``z > 1.2816``) for agree
or both for disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Z_90",
    "RepStatement",
    "StatementStats",
    "representative_statements",
    "statement_stats",
    "two_proportion_z",
]

#: One-sided 90 % critical value of the standard normal.
Z_90 = 1.2816
TOP = 5


@dataclass(frozen=True)
class StatementStats:
    """Per-statement vote counts and Pol.is's smoothed probabilities and tests.

    Every attribute is an array over statements.
    """

    na: np.ndarray
    nd: np.ndarray
    ns: np.ndarray

    @property
    def pa(self) -> np.ndarray:
        """Probability of agreeing, ``(na + 1) / (ns + 2)``."""
        return (self.na + 1.0) / (self.ns + 2.0)

    @property
    def pd(self) -> np.ndarray:
        """Probability of disagreeing, ``(nd + 1) / (ns + 2)``."""
        return (self.nd + 1.0) / (self.ns + 2.0)

    @property
    def pat(self) -> np.ndarray:
        """One-proportion z of agreeing: ``2·sqrt(ns + 1)·((na + 1)/(ns + 1) − 0.5)``."""
        return 2.0 * np.sqrt(self.ns + 1.0) * ((self.na + 1.0) / (self.ns + 1.0) - 0.5)

    @property
    def pdt(self) -> np.ndarray:
        """One-proportion z of disagreeing."""
        return 2.0 * np.sqrt(self.ns + 1.0) * ((self.nd + 1.0) / (self.ns + 1.0) - 0.5)


def statement_stats(values: np.ndarray, rows: np.ndarray | None = None) -> StatementStats:
    """Agree, disagree and vote counts per statement over some participants.

    Parameters
    ----------
    values:
        Vote values (``1`` agree, ``-1`` disagree, ``0`` pass, ``NaN`` none).
    rows:
        Row indices (or a boolean mask) of the participants to count; all when ``None``.

    Returns
    -------
    StatementStats

    Examples
    --------
    >>> v = np.array([[1.0, -1.0], [1.0, np.nan], [0.0, -1.0]])
    >>> s = statement_stats(v)
    >>> s.na.tolist(), s.nd.tolist(), s.ns.tolist(), s.pa.tolist()
    ([2, 0], [0, 2], [3, 2], [0.6, 0.25])

    References
    ----------
    Pol.is ``repness.clj`` (``comment-stats``); ``polis/METHOD.md`` §6.
    """
    sub = values if rows is None else values[rows]
    return StatementStats(
        na=(sub == 1).sum(axis=0),
        nd=(sub == -1).sum(axis=0),
        ns=(~np.isnan(sub)).sum(axis=0),
    )


def two_proportion_z(
    success: np.ndarray, rest_success: np.ndarray, n: np.ndarray, rest_n: np.ndarray
) -> np.ndarray:
    """Two-proportion z-test with one added to each count (0 when the pooled rate is 1).

    ``p1 = (s1 + 1)/(n1 + 1)``, ``p2 = (s2 + 1)/(n2 + 1)``,
    ``p = (s1 + s2 + 2)/(n1 + n2 + 2)``, ``z = (p1 − p2)/sqrt(p(1 − p)(1/(n1 + 1) + 1/(n2 + 1)))``.

    Parameters
    ----------
    success, rest_success:
        Successes in the group and in the rest.
    n, rest_n:
        Trials in the group and in the rest.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> z = two_proportion_z(np.array([8]), np.array([2]), np.array([10]), np.array([10]))
    >>> round(float(z[0]), 4)
    2.569

    References
    ----------
    Pol.is ``stats.clj`` (``two-prop-test``); ``polis/METHOD.md`` §6.
    """
    s1, s2 = np.asarray(success, float) + 1.0, np.asarray(rest_success, float) + 1.0
    n1, n2 = np.asarray(n, float) + 1.0, np.asarray(rest_n, float) + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    diff = s1 / n1 - s2 / n2
    return np.divide(diff, spread, out=np.zeros_like(diff), where=spread > 0)


@dataclass(frozen=True)
class RepStatement:
    """A statement that represents an opinion group.

    Attributes
    ----------
    statement:
        Statement id.
    repful_for:
        ``"agree"`` or ``"disagree"``: what the group does more than the rest.
    n_success, n_trials:
        Agrees (or disagrees) and votes within the group.
    p_success, p_test:
        ``pa`` and ``pat`` (or ``pd`` and ``pdt``).
    repness, repness_test:
        ``ra`` and ``rat`` (or ``rd`` and ``rdt``).
    best_agree:
        Whether Pol.is's "best agree" rule put it first.
    """

    statement: int
    repful_for: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False

    @property
    def metric(self) -> float:
        """Pol.is's sort key: ``repness · repness_test · p_success · p_test``."""
        return self.repness * self.repness_test * self.p_success * self.p_test


@dataclass(frozen=True)
class _GroupStats:
    own: StatementStats
    ra: np.ndarray
    rd: np.ndarray
    rat: np.ndarray
    rdt: np.ndarray

    def finalise(self, j: int, statement: int, best_agree: bool = False) -> RepStatement:
        agree = bool(self.rat[j] > self.rdt[j])
        o = self.own
        return RepStatement(
            statement=statement,
            repful_for="agree" if agree else "disagree",
            n_success=int((o.na if agree else o.nd)[j]),
            n_trials=int(o.ns[j]),
            p_success=float((o.pa if agree else o.pd)[j]),
            p_test=float((o.pat if agree else o.pdt)[j]),
            repness=float((self.ra if agree else self.rd)[j]),
            repness_test=float((self.rat if agree else self.rdt)[j]),
            best_agree=best_agree,
        )


def _group_stats(values: np.ndarray, group: np.ndarray, g: int) -> _GroupStats:
    own = statement_stats(values, group == g)
    rest = statement_stats(values, (group >= 0) & (group != g))
    return _GroupStats(
        own=own,
        ra=own.pa / ((1.0 + rest.na) / (2.0 + rest.ns)),
        rd=own.pd / ((1.0 + rest.nd) / (2.0 + rest.ns)),
        rat=two_proportion_z(own.na, rest.na, own.ns, rest.ns),
        rdt=two_proportion_z(own.nd, rest.nd, own.ns, rest.ns),
    )


def _beats_best_agree(st: _GroupStats, j: int, best: int | None) -> bool:
    o = st.own
    if o.na[j] == 0 and o.nd[j] == 0:
        return False
    if best is not None and st.ra[best] > 1.0:
        return bool(
            st.ra[j] * st.rat[j] * o.pa[j] * o.pat[j]
            > st.ra[best] * st.rat[best] * o.pa[best] * o.pat[best]
        )
    if best is not None:
        return bool(o.pa[j] * o.pat[j] > o.pa[best] * o.pat[best])
    return bool(o.pat[j] > Z_90 or (st.ra[j] > 1.0 and o.pa[j] > 0.5))


def _select(st: _GroupStats, statements: list[int], keep: list[int]) -> list[RepStatement]:
    o = st.own
    sufficient: list[int] = []
    best: int | None = None
    best_agree: int | None = None
    for j in keep:
        if (st.rat[j] > Z_90 and o.pat[j] > Z_90) or (st.rdt[j] > Z_90 and o.pdt[j] > Z_90):
            sufficient.append(j)
        if not sufficient and (
            best is None or max(st.rat[j], st.rdt[j]) > max(st.rat[best], st.rdt[best])
        ):
            best = j
        if _beats_best_agree(st, j, best_agree):
            best_agree = j
    head = [st.finalise(best_agree, statements[best_agree], True)] if best_agree is not None else []
    if not sufficient:
        return head or ([st.finalise(best, statements[best])] if best is not None else [])
    ranked = sorted(
        (st.finalise(j, statements[j]) for j in sufficient if j != best_agree),
        key=lambda r: -r.metric,
    )
    top = (head + ranked)[:TOP]
    return [r for r in top if r.repful_for == "agree"] + [
        r for r in top if r.repful_for == "disagree"
    ]


def representative_statements(
    values: np.ndarray,
    group: np.ndarray,
    statements: Iterable[int],
    *,
    moderated_out: Iterable[int] = (),
) -> dict[int, list[RepStatement]]:
    """Up to five representative statements for each opinion group.

    Statements passing both 90 % tests are sorted by ``ra·rat·pa·pat`` (or the disagree
    counterparts), Pol.is's "best agree" statement is put first, the top five kept and
    agrees listed before disagrees. A group with no passing statement gets its best one.

    Parameters
    ----------
    values:
        Vote values of all participants (moderated-out columns zeroed).
    group:
        Group of each participant, ``-1`` when not clustered.
    statements:
        Statement ids, one per column.
    moderated_out:
        Statement ids that may not represent a group.

    Returns
    -------
    dict
        Group number → its representative statements.

    Examples
    --------
    >>> v = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]])
    >>> reps = representative_statements(v, np.array([0, 0, 0, 1, 1, 1]), [7, 8])
    >>> [(r.statement, r.repful_for) for r in reps[0]], [(r.statement, r.repful_for) for r in reps[1]]
    ([(7, 'agree')], [(8, 'disagree'), (7, 'disagree')])

    References
    ----------
    Pol.is ``repness.clj`` (``conv-repness``, ``select-rep-comments``);
    ``polis/METHOD.md`` §6. Small, C. et al. (2021), *Recerca* 26(2).
    """
    ids = [int(t) for t in statements]
    out_ids = set(moderated_out)
    keep = [j for j, t in enumerate(ids) if t not in out_ids]
    found = sorted(int(g) for g in np.unique(group) if g >= 0)
    return {g: _select(_group_stats(values, group, g), ids, keep) for g in found}
