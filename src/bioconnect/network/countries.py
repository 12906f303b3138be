"""Countries in a collaboration network: tie ends at home and abroad, and network position.

Measures at the level of countries, from participations directly (no organisation graph):
in a project with ``n`` distinct participants, each participant has ``n - 1`` tie ends,
one to every other participant. A country's tie ends are those of its participants; a
tie end is cross-border when the other participant is of another country.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from bioconnect.errors import InputError

__all__ = ["country_ties"]


def country_ties(participations: pd.DataFrame) -> pd.DataFrame:
    """Tie ends, cross-border share and eigenvector centrality of every country.

    Parameters
    ----------
    participations:
        Columns ``project_id, org_id, country``; a participant is a distinct
        ``(project_id, org_id)`` pair (repeated rows, such as one organisation in two roles,
        count once; its first row's country is kept). Rows without a country are dropped.

    Returns
    -------
    pandas.DataFrame
        Index ``country`` (sorted), columns ``tie_ends`` (``sum_p n_cp (n_p - 1)``),
        ``cross_border_ends`` (``sum_p n_cp (n_p - n_cp)``), ``cross_border_share`` (their
        ratio; ``nan`` for a country without ties) and ``eigenvector``: the leading
        eigenvector of the country x country matrix ``W_cd = sum_p n_cp n_dp`` (``c != d``,
        the number of cross-border participant pairs), scaled so that the largest is 1.
        ``n_cp`` is the number of participants of country ``c`` in project ``p`` and ``n_p``
        the project's participants.

    Examples
    --------
    >>> p = pd.DataFrame({"project_id": ["P1", "P1", "P1", "P2", "P2"],
    ...     "org_id": ["a", "b", "c", "a", "d"], "country": ["EE", "EE", "LV", "EE", "FI"]})
    >>> ties = country_ties(p)
    >>> ties["tie_ends"].to_dict(), ties["cross_border_share"].to_dict()
    ({'EE': 5, 'FI': 1, 'LV': 2}, {'EE': 0.6, 'FI': 1.0, 'LV': 1.0})

    References
    ----------
    Glänzel, W. (2001). National characteristics in international scientific
    co-authorship relations. *Scientometrics* 51(1), 69–115 (shares of international
    links). Bonacich, P. (1972). Factoring and weighting approaches to status scores and
    clique identification. *Journal of Mathematical Sociology* 2(1), 113–120.
    """
    for column in ("project_id", "org_id", "country"):
        if column not in participations.columns:
            raise InputError(
                f"participations: column {column} is missing.", "Give project_id, org_id, country."
            )
    rows = participations.dropna(subset=["project_id", "org_id", "country"])
    rows = rows.drop_duplicates(["project_id", "org_id"], keep="first")
    projects, _ = pd.factorize(rows["project_id"].astype(str))
    countries, names = pd.factorize(rows["country"].astype(str), sort=True)
    counts = sp.csr_matrix(
        (np.ones(len(rows)), (projects, countries)),
        shape=(int(projects.max(initial=-1)) + 1, len(names)),
    )
    n_p = np.asarray(counts.sum(axis=1)).ravel()
    co = (counts.T @ counts).toarray()  # W with the diagonal sum_p n_cp^2
    per_country = counts.multiply(n_p[:, None]).sum(axis=0)
    tie_ends = np.asarray(per_country).ravel() - np.asarray(counts.sum(axis=0)).ravel()
    cross = co.sum(axis=1) - np.diag(co)
    np.fill_diagonal(co, 0.0)
    eigen = np.zeros(len(names))
    if co.any():
        _, vectors = np.linalg.eigh(co)
        vector = np.abs(vectors[:, -1])
        vector[vector < 1e-12 * vector.max()] = 0.0
        eigen = vector / vector.max()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(tie_ends > 0, cross / np.where(tie_ends > 0, tie_ends, 1), np.nan)
    return pd.DataFrame(
        {
            "tie_ends": np.rint(tie_ends).astype(np.int64),
            "cross_border_ends": np.rint(cross).astype(np.int64),
            "cross_border_share": share,
            "eigenvector": eigen,
        },
        index=pd.Index([str(n) for n in names], name="country"),
    )
