"""What unites participants: overall consensus, group-informed consensus, and both with
stakeholder groups weighted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bioconnect.dialogue.repness import TOP, Z_90, statement_stats
from bioconnect.errors import InputError

__all__ = [
    "ConsensusStatement",
    "consensus_statements",
    "group_informed_consensus",
    "stakeholder_consensus",
    "weighted_agreement",
]


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement most participants agree (or disagree) with.

    Attributes
    ----------
    statement:
        Statement id.
    direction:
        ``"agree"`` or ``"disagree"``.
    n_success, n_trials:
        Agrees (or disagrees) and all votes.
    p_success, p_test:
        ``pa`` and its one-proportion z (or ``pd`` and ``pdt``).
    """

    statement: int
    direction: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


def consensus_statements(
    values: np.ndarray,
    statements: Sequence[int],
    *,
    moderated_out: Iterable[int] = (),
    top: int = TOP,
) -> dict[str, list[ConsensusStatement]]:
    """Pol.is's overall consensus: every participant pooled.

    A statement is an agree consensus when ``pa > 0.5`` and ``pat > 1.2816``; the list is
    sorted by ``pa·pat`` and cut to ``top``. Disagree likewise with ``pd`` and ``pdt``.

    Parameters
    ----------
    values:
        Vote values of all participants.
    statements:
        Statement id of each column.
    moderated_out:
        Statement ids left out.
    top:
        Length of each list (5 in Pol.is).

    Returns
    -------
    dict
        ``{"agree": [...], "disagree": [...]}``.

    Examples
    --------
    >>> v = np.array([[1.0, -1.0, 1.0]] * 6 + [[1.0, 1.0, -1.0]])
    >>> c = consensus_statements(v, [10, 11, 12])
    >>> [s.statement for s in c["agree"]], [s.statement for s in c["disagree"]]
    ([10, 12], [11])
    >>> round(c["agree"][0].p_success, 4), round(c["agree"][0].p_test, 4)
    (0.8889, 2.8284)

    References
    ----------
    Pol.is ``repness.clj`` (``consensus-stats``, ``select-consensus-comments``);
    ``polis/METHOD.md`` §7.
    """
    s = statement_stats(values)
    out = set(moderated_out)
    keep = [j for j, t in enumerate(statements) if t not in out]
    result: dict[str, list[ConsensusStatement]] = {}
    for direction, n, p, z in (("agree", s.na, s.pa, s.pat), ("disagree", s.nd, s.pd, s.pdt)):
        chosen = [j for j in keep if p[j] > 0.5 and z[j] > Z_90]
        chosen.sort(key=lambda j: -(p[j] * z[j]))
        result[direction] = [
            ConsensusStatement(
                statement=int(statements[j]),
                direction=direction,
                n_success=int(n[j]),
                n_trials=int(s.ns[j]),
                p_success=float(p[j]),
                p_test=float(z[j]),
            )
            for j in chosen[:top]
        ]
    return result


def group_informed_consensus(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Group-informed consensus of each statement: ``Π_g (A_g + 1) / (S_g + 2)``.

    ``A_g`` counts agrees and ``S_g`` all votes (passes included) of group ``g``'s members.
    A statement scores high only when every group agrees; the product shrinks with the
    number of groups.

    Parameters
    ----------
    values:
        Vote values (the raw matrix: moderation does not zero anything here).
    group:
        Group of each participant, ``-1`` when not clustered (not counted).

    Returns
    -------
    numpy.ndarray
        One value per statement (``1.0`` everywhere when there are no groups).

    Examples
    --------
    >>> v = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, 1.0], [np.nan, -1.0]])
    >>> group_informed_consensus(v, np.array([0, 0, 1, 1])).round(4).tolist()
    [0.5, 0.25]

    References
    ----------
    Pol.is ``conversation.clj`` (``:group-aware-consensus``); ``polis/METHOD.md`` §7.
    Small, C. et al. (2021), *Recerca* 26(2).
    """
    result = np.ones(values.shape[1])
    for g in np.unique(group):
        if g < 0:
            continue
        s = statement_stats(values, group == g)
        result *= (s.na + 1.0) / (s.ns + 2.0)
    return result


def weighted_agreement(
    values: np.ndarray,
    stakeholder: Sequence[str],
    weights: Mapping[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """Agreement per statement with each stakeholder group weighted, not each person.

    Within stakeholder group ``h`` the smoothed shares are
    ``pa_h = (A_h + 1)/(S_h + 2)`` and ``pd_h = (D_h + 1)/(S_h + 2)``; across groups they are
    averaged with weights ``w_h`` (equal by default), so 40 researchers count no more than
    5 investors unless the coordinator says so.

    Parameters
    ----------
    values:
        Vote values.
    stakeholder:
        Stakeholder group of each participant (``""`` = unknown, left out).
    weights:
        Weight of each stakeholder group; missing groups weigh 1, zero leaves one out.

    Returns
    -------
    dict
        ``"agree"`` and ``"disagree"``: the weighted shares per statement.

    Examples
    --------
    >>> v = np.array([[1.0]] * 4 + [[-1.0]])
    >>> r = weighted_agreement(v, ["academia"] * 4 + ["investors"])
    >>> round(float(r["agree"][0]), 4), round(float(r["disagree"][0]), 4)
    (0.5833, 0.4167)

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley (weighting strata to stated shares).
    """
    labels = np.asarray(stakeholder, dtype=object)
    if len(labels) != values.shape[0]:
        raise InputError("One stakeholder group per participant is needed.", "Pass one per row.")
    w = dict(weights or {})
    if any(x < 0 for x in w.values()):
        raise InputError("A stakeholder weight is negative.", "Use weights of zero or more.")
    agree = np.zeros(values.shape[1])
    disagree = np.zeros(values.shape[1])
    total = 0.0
    for h in sorted({str(x) for x in labels if x}):
        wh = float(w.get(h, 1.0))
        s = statement_stats(values, labels == h)
        agree += wh * s.pa
        disagree += wh * s.pd
        total += wh
    if total <= 0:
        return {
            "agree": np.full(values.shape[1], np.nan),
            "disagree": np.full(values.shape[1], np.nan),
        }
    return {"agree": agree / total, "disagree": disagree / total}


def stakeholder_consensus(values: np.ndarray, stakeholder: Sequence[str]) -> np.ndarray:
    """Consensus *across* stakeholder groups: ``Π_h (A_h + 1)/(S_h + 2)``.

    The group-informed consensus with stakeholder groups in place of opinion groups: high
    only when academia, industry, investors, public bodies, intermediaries and the public
    each agree.

    Parameters
    ----------
    values:
        Vote values.
    stakeholder:
        Stakeholder group of each participant (``""`` = unknown, left out).

    Returns
    -------
    numpy.ndarray
        One value per statement.

    Examples
    --------
    >>> v = np.array([[1.0], [1.0], [-1.0]])
    >>> stakeholder_consensus(v, ["industry", "industry", "academia"]).round(4).tolist()
    [0.25]

    References
    ----------
    Pol.is group-informed consensus (``polis/METHOD.md`` §7), applied to stakeholder groups.
    """
    labels = np.asarray(stakeholder, dtype=object)
    codes = {h: i for i, h in enumerate(sorted({str(x) for x in labels if x}))}
    group = np.array([codes.get(str(x), -1) if x else -1 for x in labels], dtype=np.int64)
    return group_informed_consensus(values, group)
