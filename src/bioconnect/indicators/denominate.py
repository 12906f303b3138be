"""Denominate: divide indicators by a size measure (GDP, population, area ...)."""

from __future__ import annotations

import pandas as pd

__all__ = ["denominate"]


def denominate(
    data: pd.DataFrame, denominators: pd.DataFrame, denom_by: dict[str, str]
) -> pd.DataFrame:
    """Divide each indicator named in ``denom_by`` by its denominator column.

    Parameters
    ----------
    data:
        Indicator values, one row per unit.
    denominators:
        Denominator values, same index as ``data``.
    denom_by:
        Indicator code -> denominator column (iMeta's ``Denominator``). Indicators not named
        stay as they are.

    Returns
    -------
    pandas.DataFrame
        ``x / d`` for the named indicators; a missing denominator gives a missing value.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"pat": [10.0, 30.0], "lpi": [3.0, 4.0]}, index=["A", "B"])
    >>> d = pd.DataFrame({"pop": [2.0, 3.0]}, index=["A", "B"])
    >>> denominate(x, d, {"pat": "pop"})["pat"].tolist()
    [5.0, 10.0]

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
    Guide*, section 1.4 (scaling by size). COINr ``Denominate()``.
    """
    out = data.copy()
    for code, denom in denom_by.items():
        out[code] = data[code] / denominators[denom]
    return out
