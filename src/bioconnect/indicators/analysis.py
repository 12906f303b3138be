"""Analysis of a built index: correlations, Cronbach's alpha, PCA weights, remove-one impacts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.indicators.aggregate import aggregate
from bioconnect.indicators.framework import Framework
from bioconnect.indicators.pipeline import rank_scores

__all__ = ["correlations", "cronbach_alpha", "pca_weights", "remove_one"]


def correlations(
    scores: pd.DataFrame, framework: Framework, *, within: bool = True, method: str = "pearson"
) -> pd.DataFrame:
    """Correlation of each code with its parent (``within``) or with every aggregate above it.

    Parameters
    ----------
    scores:
        Normalised indicators and aggregate scores (one column per code).
    framework:
        The tree.
    within:
        ``True``: each code against its own parent. ``False``: each code against every
        aggregate of every higher level.
    method:
        ``pearson`` or ``spearman``.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``against``, ``r``.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.indicators import validate_framework, aggregate
    >>> d = pd.DataFrame({"uCode": list("ABC"), "x": [1, 2, 3], "y": [3, 2, 1.5]})
    >>> m = pd.DataFrame({"iCode": ["x", "y", "I"], "Level": [1, 1, 2], "Parent": ["I", "I", None],
    ...     "Weight": 1, "Direction": 1, "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> fw = validate_framework(d, m)
    >>> correlations(aggregate(fw.data, fw), fw)["r"].round(3).tolist()
    [0.866, -0.756]

    References
    ----------
    OECD/JRC (2008), *Handbook*, step 4 (multivariate analysis); COINr ``get_corr()``.
    """
    rows = []
    meta = framework.meta
    for code in meta.index:
        parent = meta.at[code, "Parent"]
        if parent is None:
            continue
        level = int(meta.at[code, "Level"])
        targets = (
            [parent] if within else [a for a in meta.index if int(meta.at[a, "Level"]) > level]
        )
        for target in targets:
            r = scores[code].corr(scores[target], method=method)
            rows.append({"code": code, "against": target, "r": float(r)})
    return pd.DataFrame(rows)


def cronbach_alpha(x: pd.DataFrame) -> float:
    """Cronbach's alpha of a set of columns: ``k/(k-1) (1 - sum var_i / var(sum))``.

    Parameters
    ----------
    x:
        One column per indicator; rows with a missing value are left out.

    Returns
    -------
    float

    Examples
    --------
    >>> import pandas as pd
    >>> round(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 4, 5], "c": [1, 3, 2, 4]})), 4)
    0.9512

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16(3), 297–334. COINr ``get_cronbach()``.
    """
    x = x.dropna()
    k = x.shape[1]
    if k < 2:
        raise InputError(
            "analysis: Cronbach's alpha needs two or more columns.", "Give a group of indicators."
        )
    return float(k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1)))


def pca_weights(x: pd.DataFrame) -> pd.Series:
    """Weights from the first principal component of the standardised columns.

    The weight of a column is its squared loading on the first component (loadings have
    unit norm, so the weights sum to 1).

    Parameters
    ----------
    x:
        One column per indicator; rows with a missing value are left out.

    Returns
    -------
    pandas.Series

    Examples
    --------
    >>> import pandas as pd
    >>> w = pca_weights(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 8.5], "c": [4, 1, 3, 2]}))
    >>> round(float(w.sum()), 6), bool(w["c"] < w["a"])
    (1.0, True)

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.7 (weights from PCA); COINr ``get_PCA()``.
    """
    x = x.dropna()
    z = ((x - x.mean()) / x.std(ddof=1)).to_numpy(float)
    _, vectors = np.linalg.eigh(np.cov(z, rowvar=False))
    first = vectors[:, -1]
    return pd.Series(first**2 / np.sum(first**2), index=x.columns)


def remove_one(
    normalised: pd.DataFrame, framework: Framework, f_ag: str = "a_amean", *, level: int = 1
) -> pd.DataFrame:
    """How the top aggregate's ranks move when each code of ``level`` is left out in turn.

    Parameters
    ----------
    normalised:
        Normalised indicator values.
    framework:
        The tree.
    f_ag:
        The aggregation method.
    level:
        Which level's codes to remove (1 = indicators).

    Returns
    -------
    pandas.DataFrame
        ``removed`` and ``mean_abs_rank_change`` of the top aggregate.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.indicators import validate_framework
    >>> d = pd.DataFrame({"uCode": list("ABC"), "x": [1, 2, 3], "y": [3, 2, 1.5], "z": [1, 2, 3]})
    >>> m = pd.DataFrame({"iCode": ["x", "y", "z", "I"], "Level": [1, 1, 1, 2],
    ...     "Parent": ["I", "I", "I", None], "Weight": 1, "Direction": 1,
    ...     "Type": ["Indicator"] * 3 + ["Aggregate"]})
    >>> fw = validate_framework(d, m)
    >>> remove_one(fw.data, fw)["mean_abs_rank_change"].round(3).tolist()
    [0.333, 0.0, 0.333]

    References
    ----------
    Saisana, Saltelli & Tarantola (2005); COINr ``remove_elements()``.
    """
    top = framework.codes_at(framework.n_levels)[-1]
    base_weights = framework.meta["Weight"].astype(float)
    nominal = rank_scores(aggregate(normalised, framework, f_ag)[[top]])[top].astype(float)
    rows = []
    for code in framework.codes_at(level):
        w = base_weights.copy()
        w[code] = 0.0
        ranks = rank_scores(aggregate(normalised, framework, f_ag, weights=w)[[top]])[top].astype(
            float
        )
        rows.append(
            {"removed": code, "mean_abs_rank_change": float((ranks - nominal).abs().mean())}
        )
    return pd.DataFrame(rows)
