"""Normalise: bring indicators onto a common scale, with the direction of each applied first.

Every method takes the values already multiplied by the indicator's direction (1 or -1),
as COINr does, so that higher is always better afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from bioconnect.errors import InputError

__all__ = [
    "NORMALISE_METHODS",
    "min_ranks",
    "n_borda",
    "n_dist2max",
    "n_dist2ref",
    "n_dist2targ",
    "n_fracmax",
    "n_goalposts",
    "n_minmax",
    "n_prank",
    "n_rank",
    "n_zscore",
    "normalise",
]


def n_minmax(x: np.ndarray, l_u: tuple[float, float] = (0.0, 100.0)) -> np.ndarray:
    """Min-max: ``(x - min) / (max - min) * (u - l) + l``.

    Parameters
    ----------
    x:
        Values (missing ones stay missing).
    l_u:
        Lower and upper bound of the result.

    Returns
    -------
    numpy.ndarray
        Values in ``[l, u]``; all ``nan`` when the range is zero.

    Examples
    --------
    >>> import numpy as np
    >>> n_minmax(np.array([2.0, 4.0, 6.0])).tolist()
    [0.0, 50.0, 100.0]

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.5 (min-max); COINr ``n_minmax()``.
    """
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = (x - lo) / (hi - lo) * (l_u[1] - l_u[0]) + l_u[0]
    return np.asarray(np.where(hi == lo, np.nan, y))


def n_zscore(x: np.ndarray, m_sd: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Z-score: ``(x - mean) / sd * s + m`` with the sample standard deviation (n - 1).

    Parameters
    ----------
    x:
        Values.
    m_sd:
        Mean and standard deviation of the result.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_zscore(np.array([1.0, 2.0, 3.0]), (10, 2)).tolist()
    [8.0, 10.0, 12.0]

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.5 (standardisation); COINr ``n_zscore()``.
    """
    if m_sd[1] <= 0:
        raise InputError(
            "normalise: the standard deviation in m_sd must be positive.", "Use e.g. [0, 1]."
        )
    return np.asarray(
        (x - np.nanmean(x, axis=0)) / np.nanstd(x, ddof=1, axis=0) * m_sd[1] + m_sd[0]
    )


def min_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks from 1 for the smallest value, ties taking the lowest rank (no missing values).

    Parameters
    ----------
    x:
        Values, none missing.

    Returns
    -------
    numpy.ndarray
        Float ranks.

    Examples
    --------
    >>> import numpy as np
    >>> min_ranks(np.array([5.0, 1.0, 5.0, 2.0])).tolist()
    [3.0, 1.0, 3.0, 2.0]

    References
    ----------
    R's ``rank(x, ties.method = "min")``.
    """
    return np.searchsorted(np.sort(x), x, side="left").astype(float) + 1


def n_rank(x: np.ndarray) -> np.ndarray:
    """Ranks, highest value highest rank, ties take the lowest (``min``) rank.

    Parameters
    ----------
    x:
        Values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_rank(np.array([5.0, 1.0, 5.0, np.nan])).tolist()
    [2.0, 1.0, 2.0, nan]

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.5 (ranking); COINr ``n_rank()``.
    """
    out = np.full(np.shape(x), np.nan)
    ok = ~np.isnan(x)
    out[ok] = min_ranks(x[ok])
    return out


def n_prank(x: np.ndarray) -> np.ndarray:
    """Percentile ranks: ``(rank - 1) / (n - 1)`` with ``min`` ties, in [0, 1].

    Parameters
    ----------
    x:
        Values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_prank(np.array([3.0, 1.0, 2.0])).tolist()
    [1.0, 0.0, 0.5]

    References
    ----------
    COINr ``n_prank()``.
    """
    return (n_rank(x) - 1) / (np.count_nonzero(~np.isnan(x)) - 1)


def n_borda(x: np.ndarray) -> np.ndarray:
    """Borda scores: ``rank - 1`` (the number of units a unit beats).

    Parameters
    ----------
    x:
        Values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_borda(np.array([3.0, 1.0, 2.0])).tolist()
    [2.0, 0.0, 1.0]

    References
    ----------
    Borda, J.-C. de (1781). Mémoire sur les élections au scrutin. COINr ``n_borda()``.
    """
    return n_rank(x) - 1


def n_dist2targ(x: np.ndarray, targ: float, cap_max: bool = False) -> np.ndarray:
    """Distance to a target: ``1 - (targ - x) / (targ - min)``; capped at 1 if asked.

    Parameters
    ----------
    x:
        Values (times the direction).
    targ:
        The target (times the direction).
    cap_max:
        Give 1 to values beyond the target.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_dist2targ(np.array([0.0, 5.0, 12.0]), 10.0, cap_max=True).tolist()
    [0.0, 0.5, 1.0]

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.5 (distance to a reference); COINr ``n_dist2targ()``.
    """
    if targ is None or np.isnan(targ):
        raise InputError("normalise: n_dist2targ needs a target.", "Fill iMeta's Target column.")
    y = 1 - (targ - x) / (targ - np.nanmin(x))
    return np.minimum(y, 1.0) if cap_max else np.asarray(y)


def n_dist2ref(x: np.ndarray, ref: float, cap_max: bool = False) -> np.ndarray:
    """Distance to a reference unit's value: :func:`n_dist2targ` with ``targ = x[ref]``.

    Parameters
    ----------
    x:
        Values.
    ref:
        The reference unit's value.
    cap_max:
        Give 1 to values beyond the reference.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_dist2ref(np.array([0.0, 4.0, 8.0]), 4.0).tolist()
    [0.0, 1.0, 2.0]

    References
    ----------
    COINr ``n_dist2ref()``.
    """
    return n_dist2targ(x, ref, cap_max)


def n_dist2max(x: np.ndarray) -> np.ndarray:
    """Distance to the best: ``1 - (max - x) / (max - min)``.

    Parameters
    ----------
    x:
        Values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_dist2max(np.array([1.0, 2.0, 5.0])).tolist()
    [0.0, 0.25, 1.0]

    References
    ----------
    COINr ``n_dist2max()``.
    """
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.asarray(1 - (hi - x) / (hi - lo))


def n_fracmax(x: np.ndarray) -> np.ndarray:
    """Fraction of the maximum: ``x / max``.

    Parameters
    ----------
    x:
        Values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_fracmax(np.array([1.0, 4.0])).tolist()
    [0.25, 1.0]

    References
    ----------
    COINr ``n_fracmax()``.
    """
    return np.asarray(x / np.nanmax(x))


def n_goalposts(
    x: np.ndarray, gposts: tuple[float, float, float], direction: int = 1, trunc2posts: bool = True
) -> np.ndarray:
    """Goalposts: ``(x - l) / (u - l)``, truncated to [0, 1], times the scale ``a``.

    Parameters
    ----------
    x:
        Values times the direction.
    gposts:
        ``(l, u, a)`` on the indicator's own scale: lower and upper goalpost and scale.
    direction:
        The indicator's direction; -1 flips the goalposts as ``x`` was flipped.
    trunc2posts:
        Truncate values outside the goalposts.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> n_goalposts(np.array([0.0, 5.0, 20.0]), (0, 10, 100)).tolist()
    [0.0, 50.0, 100.0]
    >>> n_goalposts(-np.array([0.0, 5.0, 20.0]), (0, 10, 100), direction=-1).tolist()
    [100.0, 50.0, 0.0]

    References
    ----------
    UNDP Human Development Report technical notes (goalposts); COINr ``n_goalposts()``.
    """
    lo, hi, scale = (float(v) for v in gposts)
    y = (x + hi) / (hi - lo) if direction == -1 else (x - lo) / (hi - lo)
    if trunc2posts:
        y = np.clip(y, 0.0, 1.0)
    return np.asarray(y * scale)


_PARAMS: dict[str, tuple[str, ...]] = {
    "n_minmax": ("l_u",),
    "n_zscore": ("m_sd",),
    "n_rank": (),
    "n_prank": (),
    "n_borda": (),
    "n_dist2targ": ("cap_max",),
    "n_dist2ref": ("iref", "cap_max"),
    "n_dist2max": (),
    "n_fracmax": (),
    "n_goalposts": ("gposts", "trunc2posts"),
}

_WHOLE: dict[str, Callable[[np.ndarray, tuple[float, ...]], np.ndarray]] = {
    "n_minmax": lambda x, p: n_minmax(x, (p[0], p[1])),
    "n_zscore": lambda x, p: n_zscore(x, (p[0], p[1])),
}
_DEFAULTS = {"n_minmax": (0.0, 100.0), "n_zscore": (0.0, 1.0)}

#: COINr's names of the normalisation methods and the parameters each takes.
NORMALISE_METHODS = tuple(_PARAMS)


def _floats(value: object, n: int, name: str) -> tuple[float, ...]:
    try:
        out = tuple(float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        out = ()
    if len(out) != n:
        raise InputError(
            f"normalise: {name} {value!r} is not {n} numbers.",
            f"Give {name} as a list of {n} numbers.",
        )
    return out


def _column_method(
    f_n: str, params: dict[str, object], data: pd.DataFrame
) -> Callable[[np.ndarray, str, int, float], np.ndarray]:
    unknown = set(params) - set(_PARAMS[f_n])
    if unknown:
        raise InputError(
            f"normalise: {f_n} has no parameter {sorted(unknown)[0]!r}.",
            f"Its parameters: {', '.join(_PARAMS[f_n]) or 'none'}.",
        )
    simple: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "n_rank": n_rank,
        "n_prank": n_prank,
        "n_borda": n_borda,
        "n_dist2max": n_dist2max,
        "n_fracmax": n_fracmax,
    }
    if f_n in simple:
        return lambda x, code, d, t: simple[f_n](x)
    if f_n == "n_minmax":
        lo, hi = _floats(params.get("l_u", (0.0, 100.0)), 2, "l_u")
        return lambda x, code, d, t: n_minmax(x, (lo, hi))
    if f_n == "n_zscore":
        m, sd = _floats(params.get("m_sd", (0.0, 1.0)), 2, "m_sd")
        return lambda x, code, d, t: n_zscore(x, (m, sd))
    cap = bool(params.get("cap_max", False))
    if f_n == "n_dist2targ":
        return lambda x, code, d, t: n_dist2targ(x, t * d, cap)
    if f_n == "n_dist2ref":
        ref = str(params.get("iref", ""))
        if ref not in data.index:
            raise InputError(
                f"normalise: iref {ref!r} is not a unit.", "Give the uCode of the reference unit."
            )
        pos = int(np.flatnonzero(data.index == ref)[0])
        return lambda x, code, d, t: n_dist2ref(x, float(x[pos]), cap)
    if "gposts" not in params:
        raise InputError(
            "normalise: n_goalposts needs gposts: [l, u, a].",
            "Add f_n_para: {gposts: [0, 100, 100]}.",
        )
    gl, gu, ga = _floats(params["gposts"], 3, "gposts")
    trunc = bool(params.get("trunc2posts", True))
    return lambda x, code, d, t: n_goalposts(x, (gl, gu, ga), d, trunc)


def normalise(
    data: pd.DataFrame,
    directions: pd.Series,
    f_n: str = "n_minmax",
    params: dict[str, object] | None = None,
    *,
    targets: pd.Series | None = None,
) -> pd.DataFrame:
    """Normalise every indicator with one method, after multiplying by its direction.

    Parameters
    ----------
    data:
        Indicator values, one row per unit.
    directions:
        1 or -1 per indicator.
    f_n:
        One of :data:`NORMALISE_METHODS` (COINr's names).
    params:
        The method's parameters under COINr's names (``l_u``, ``m_sd``, ``iref`` as a uCode,
        ``cap_max``, ``gposts``, ``trunc2posts``).
    targets:
        Per-indicator targets for ``n_dist2targ`` (iMeta's ``Target``, on the raw scale).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10.0, 0.0, 5.0]})
    >>> normalise(x, pd.Series({"a": 1, "b": -1}))["b"].tolist()
    [0.0, 100.0, 50.0]

    References
    ----------
    OECD/JRC (2008), *Handbook*, section 1.5; COINr ``Normalise()``.
    """
    if f_n not in _PARAMS:
        raise InputError(
            f"normalise: f_n {f_n!r} is not a method.", f"Use one of {', '.join(_PARAMS)}."
        )
    method = _column_method(f_n, dict(params or {}), data)
    codes = list(data.columns)
    sign_of = dict(zip(directions.index, directions.to_numpy(float), strict=True))
    signs = np.array([sign_of[code] for code in codes])  # a code without direction: KeyError
    goal_of = {}
    if targets is not None:
        goal_of = dict(zip(targets.index, targets.to_numpy(float), strict=True))
    goals = np.array([goal_of.get(code, np.nan) for code in codes], dtype=float)
    values = data.to_numpy(float) * signs
    if f_n in _WHOLE:  # column-wise formulas: one call on the matrix, same arithmetic
        out = _WHOLE[f_n](
            values,
            _floats(dict(params or {}).get(_PARAMS[f_n][0], _DEFAULTS[f_n]), 2, _PARAMS[f_n][0]),
        )
        return pd.DataFrame(out, index=data.index, columns=data.columns)
    out = np.empty(values.shape)
    for j, code in enumerate(codes):
        out[:, j] = method(values[:, j], code, int(signs[j]), float(goals[j]))
    return pd.DataFrame(out, index=data.index, columns=data.columns)
