"""Aggregate: combine children into their parent, level by level, and effective weights.

Each method takes a matrix ``x`` (units x children) and one weight per child. Missing values
are skipped and the weights renormalised over the children a unit has, so a unit with
one child missing is the weighted mean of the others.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.indicators.framework import Framework

__all__ = [
    "AGGREGATE_METHODS",
    "a_amean",
    "a_copeland",
    "a_gmean",
    "a_hmean",
    "a_wmedian",
    "aggregate",
    "aggregate_columns",
    "effective_weights",
]


def _masked(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.atleast_2d(np.asarray(x, dtype=float))
    present = ~np.isnan(x)
    w = np.asarray(w, dtype=float) * present
    total = w.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present, x, 0.0), np.where(total > 0, w / total, np.nan)


def a_amean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean ``sum(w x) / sum(w)`` over the values present.

    Parameters
    ----------
    x:
        Units x children.
    w:
        One weight per child (0 or more).

    Returns
    -------
    numpy.ndarray
        One value per unit; ``nan`` where a unit has no value.

    Examples
    --------
    >>> import numpy as np
    >>> a_amean(np.array([[1.0, 3.0], [2.0, np.nan]]), np.array([1.0, 3.0])).tolist()
    [2.5, 2.0]

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.6 (linear aggregation); COINr ``a_amean()``.
    """
    v, wn = _masked(x, w)
    return np.asarray(np.sum(v * wn, axis=1))


def a_gmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean ``prod(x^w)^(1/sum w)``; values must be positive.

    Parameters
    ----------
    x:
        Units x children, all > 0.
    w:
        One weight per child.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> a_gmean(np.array([[1.0, 4.0]]), np.array([1.0, 1.0])).tolist()
    [2.0]

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.6 (geometric aggregation); COINr ``a_gmean()``.
    """
    if np.nanmin(x) <= 0:
        raise InputError(
            "aggregate: a_gmean needs positive values, and there are zeros or negatives.",
            "Normalise onto a positive range, e.g. {f_n: n_minmax, l_u: [1, 100]}.",
        )
    v, wn = _masked(np.log(x), w)
    return np.asarray(np.exp(np.sum(v * wn, axis=1)))


def a_hmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted harmonic mean ``sum(w) / sum(w / x)``; values must not be zero.

    As COINr's, only a zero stops it (``1 / x`` is undefined); negative values pass, though
    a harmonic mean of values of both signs means little, so normalise onto a positive range.

    Parameters
    ----------
    x:
        Units x children, none 0.
    w:
        One weight per child.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> a_hmean(np.array([[1.0, 3.0]]), np.array([1.0, 1.0])).tolist()
    [1.5]

    References
    ----------
    COINr ``a_hmean()``.
    """
    if np.any(np.asarray(x) == 0):
        raise InputError(
            "aggregate: a_hmean cannot divide by the zeros in its values.",
            "Normalise onto a positive range, e.g. {f_n: n_minmax, l_u: [1, 100]}.",
        )
    v, wn = _masked(1.0 / np.asarray(x, dtype=float), w)
    return np.asarray(1.0 / np.sum(v * wn, axis=1))


def a_wmedian(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted median: the smallest value whose cumulative normalised weight reaches 1/2.

    When the cumulative weight equals 1/2 exactly at a value, the median is the mean of
    that value and the next one (so equal weights give the ordinary median).

    Parameters
    ----------
    x:
        Units x children.
    w:
        One weight per child.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> a_wmedian(np.array([[1.0, 2.0, 10.0], [1.0, 2.0, 10.0]]), np.array([1.0, 1.0, 3.0])).tolist()
    [10.0, 10.0]
    >>> a_wmedian(np.array([[1.0, 2.0, 3.0, 4.0]]), np.ones(4)).tolist()
    [2.5]

    References
    ----------
    Edgeworth, F. Y. (1888). On a new method of reducing observations. COINr ``a_wmedian()``.
    """
    xs = np.atleast_2d(np.asarray(x, dtype=float))
    ws = np.broadcast_to(np.asarray(w, dtype=float), xs.shape)
    out = np.full(xs.shape[0], np.nan)
    for i, (row, wt) in enumerate(zip(xs, ws, strict=True)):
        ok = ~np.isnan(row) & (wt > 0)
        if not ok.any():
            continue
        order = np.argsort(row[ok], kind="stable")
        vals, cum = row[ok][order], np.cumsum(wt[ok][order]) / wt[ok].sum()
        k = int(np.searchsorted(cum, 0.5 - 1e-12))
        exact = np.isclose(cum[k], 0.5) and k + 1 < vals.size
        out[i] = (vals[k] + vals[k + 1]) / 2 if exact else vals[k]
    return out


def a_copeland(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland scores: pairwise wins minus losses of the weighted outranking matrix.

    ``e_jk`` is the weight of the children on which unit ``j`` beats unit ``k`` plus half the
    weight of ties (children missing for either unit are left out). ``j`` wins the pair if
    ``e_jk > e_kj``; the score is wins minus losses.

    Parameters
    ----------
    x:
        Units x children.
    w:
        One weight per child.

    Returns
    -------
    numpy.ndarray
        One integer score per unit (as float).

    Examples
    --------
    >>> import numpy as np
    >>> a_copeland(np.array([[3.0, 3.0], [2.0, 1.0], [1.0, 2.0]]), np.array([1.0, 1.0])).tolist()
    [2.0, -1.0, -1.0]

    References
    ----------
    Munda, G. & Nardo, M. (2009). Noncompensatory/nonlinear composite indicators for ranking
    countries: a defensible setting. *Applied Economics* 41(12), 1513–1523. OECD/JRC (2008),
    *Handbook*, section 1.6 (multi-criteria approaches). COINr ``a_copeland()``.
    """
    xs = np.atleast_2d(np.asarray(x, dtype=float))
    wt = np.asarray(w, dtype=float)
    a, b = xs[:, None, :], xs[None, :, :]
    both = ~np.isnan(a) & ~np.isnan(b)
    beats = np.where(both, (a > b) + 0.5 * (a == b), 0.0) @ wt
    diff = np.sign(beats - beats.T)
    return np.asarray(diff.sum(axis=1), dtype=float)


_METHODS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "a_amean": a_amean,
    "a_gmean": a_gmean,
    "a_hmean": a_hmean,
    "a_wmedian": a_wmedian,
    "a_copeland": a_copeland,
}

#: COINr's names of the aggregation methods.
AGGREGATE_METHODS = tuple(_METHODS)


def _methods_per_level(f_ag: str | list[str], levels: int) -> list[str]:
    methods = [f_ag] * (levels - 1) if isinstance(f_ag, str) else list(f_ag)
    if len(methods) != levels - 1:
        raise InputError(
            f"aggregate: f_ag lists {len(methods)} methods for {levels - 1} levels.",
            "Give one method, or one per level above the indicators.",
        )
    for name in methods:
        if name not in _METHODS:
            raise InputError(
                f"aggregate: f_ag {name!r} is not a method.", f"Use one of {', '.join(_METHODS)}."
            )
    return methods


def aggregate_columns(
    columns: dict[str, np.ndarray],
    framework: Framework,
    f_ag: str | list[str],
    weight_of: dict[str, float],
    dat_thresh: float | None = None,
) -> dict[str, np.ndarray]:
    """The arithmetic of :func:`aggregate` on plain arrays (no tables built).

    Parameters
    ----------
    columns:
        Indicator code -> values (one per unit), all the same length.
    framework:
        The tree.
    f_ag:
        As :func:`aggregate`.
    weight_of:
        Weight per code.
    dat_thresh:
        As :func:`aggregate`.

    Returns
    -------
    dict
        ``columns`` followed by each aggregate's values, level by level.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from bioconnect.indicators.framework import validate_framework
    >>> d = pd.DataFrame({"uCode": ["A", "B"], "x": [0, 100], "y": [50, 50]})
    >>> m = pd.DataFrame({"iCode": ["x", "y", "Index"], "Level": [1, 1, 2],
    ...     "Parent": ["Index", "Index", None], "Weight": 1, "Direction": 1,
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> cols = {"x": np.array([0.0, 100.0]), "y": np.array([50.0, np.nan])}
    >>> aggregate_columns(cols, validate_framework(d, m), "a_amean", {"x": 1, "y": 1})["Index"]
    array([ 25., 100.])

    References
    ----------
    COINr ``Aggregate()``.
    """
    levels = framework.n_levels
    out = dict(columns)
    for level, name in zip(range(2, levels + 1), _methods_per_level(f_ag, levels), strict=True):
        method = _METHODS[name]
        for code in framework.codes_at(level):
            kids = framework.children(code)
            x = np.column_stack([out[k] for k in kids])
            y = method(x, np.array([weight_of.get(k, np.nan) for k in kids], dtype=float))
            if dat_thresh is not None:
                y = np.where((~np.isnan(x)).mean(axis=1) < dat_thresh, np.nan, y)
            out[code] = y
    return out


def aggregate(
    normalised: pd.DataFrame,
    framework: Framework,
    f_ag: str | list[str] = "a_amean",
    *,
    weights: pd.Series | None = None,
    dat_thresh: float | None = None,
) -> pd.DataFrame:
    """Aggregate level by level up the framework's tree.

    Parameters
    ----------
    normalised:
        Normalised indicator values, one row per unit.
    framework:
        The tree (iMeta's levels and parents).
    f_ag:
        One method of :data:`AGGREGATE_METHODS` for every level, or one per level above
        the indicators.
    weights:
        Weight per code (indicator or aggregate); iMeta's ``Weight`` by default. Weights are
        renormalised within each parent.
    dat_thresh:
        COINr's data availability threshold: a unit whose share of present children in a
        group is below it gets no value for that group (``None``: no threshold).

    Returns
    -------
    pandas.DataFrame
        The indicator columns followed by each aggregate's column, level by level.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.indicators.framework import validate_framework
    >>> d = pd.DataFrame({"uCode": ["A", "B"], "x": [0, 100], "y": [50, 50]})
    >>> m = pd.DataFrame({"iCode": ["x", "y", "Index"], "Level": [1, 1, 2],
    ...     "Parent": ["Index", "Index", None], "Weight": [3, 1, 1], "Direction": [1, 1, 1],
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> fw = validate_framework(d, m)
    >>> aggregate(fw.data, fw)["Index"].tolist()
    [12.5, 87.5]

    References
    ----------
    OECD/JRC (2008), *Handbook*, step 6; COINr ``Aggregate()``.
    """
    if dat_thresh is not None and not 0 <= dat_thresh <= 1:
        raise InputError(
            f"aggregate: dat_thresh {dat_thresh} is outside [0, 1].",
            "Use e.g. 0.5, or leave it out.",
        )
    w = framework.meta["Weight"] if weights is None else weights
    weight_of = dict(zip(map(str, w.index), w.to_numpy(float), strict=True))
    values = normalised.to_numpy(float)
    columns = {str(c): values[:, i] for i, c in enumerate(normalised.columns)}
    out = aggregate_columns(columns, framework, f_ag, weight_of, dat_thresh)
    return pd.DataFrame(
        np.column_stack(list(out.values())), index=normalised.index, columns=list(out)
    )


def effective_weights(framework: Framework, weights: pd.Series | None = None) -> pd.Series:
    """The weight of each code in the top aggregate: its weight share within its parent,
    times its parent's effective weight (the top aggregate has 1).

    Parameters
    ----------
    framework:
        The tree.
    weights:
        Weight per code; iMeta's ``Weight`` by default.

    Returns
    -------
    pandas.Series
        One weight per code; the indicators' effective weights sum to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioconnect.indicators.framework import validate_framework
    >>> d = pd.DataFrame({"uCode": ["A"], "x": [1], "y": [2], "z": [3]})
    >>> m = pd.DataFrame({"iCode": ["x", "y", "z", "P", "Q", "Index"],
    ...     "Level": [1, 1, 1, 2, 2, 3], "Parent": ["P", "P", "Q", "Index", "Index", None],
    ...     "Weight": 1, "Direction": 1, "Type": ["Indicator"] * 3 + ["Aggregate"] * 3})
    >>> effective_weights(validate_framework(d, m)).round(3).to_dict()
    {'x': 0.25, 'y': 0.25, 'z': 0.5, 'P': 0.5, 'Q': 0.5, 'Index': 1.0}

    References
    ----------
    COINr ``get_eff_weights()``; Paruolo, P., Saisana, M. & Saltelli, A. (2013). Ratings and
    rankings: voodoo or science? *J. R. Stat. Soc. A* 176(3), 609–634.
    """
    w = framework.meta["Weight"] if weights is None else weights
    meta = framework.meta
    out = pd.Series(np.nan, index=meta.index)
    for level in range(framework.n_levels, 0, -1):
        for code in framework.codes_at(level):
            parent = meta.at[code, "Parent"]
            if parent is None:
                out[code] = 1.0
                continue
            siblings = framework.children(parent)
            total = float(w[siblings].sum())
            out[code] = out[parent] * (float(w[code]) / total if total > 0 else 0.0)
    return out
