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
    values = data.to_numpy(float, copy=True)
    position = {code: i for i, code in enumerate(data.columns)}
    if not denominators.index.equals(data.index):
        denominators = denominators.reindex(data.index)
    columns = denominators.to_numpy(float)
    by = {str(c): columns[:, i] for i, c in enumerate(denominators.columns)}
    for code, denom in denom_by.items():
        values[:, position[code]] = values[:, position[code]] / by[denom]
    return pd.DataFrame(values, index=data.index, columns=data.columns)
