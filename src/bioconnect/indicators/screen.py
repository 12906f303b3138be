"""Screen units by data availability."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioconnect.errors import InputError

__all__ = ["data_availability", "screen_units"]


def _availability(values: np.ndarray) -> tuple[np.ndarray, ...]:
    missing = np.isnan(values).sum(axis=1)
    zero = (values == 0).sum(axis=1)
    n = values.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return missing, zero, 1 - missing / n, 1 - zero / (n - missing)


def data_availability(data: pd.DataFrame) -> pd.DataFrame:
    """Share of indicators each unit has a value for, and share of non-zero values.

    Parameters
    ----------
    data:
        Indicator values, one row per unit.

    Returns
    -------
    pandas.DataFrame
        ``n_missing``, ``n_zero``, ``dat_avail`` (1 - missing/indicators) and ``non_zero``
        (1 - zeros/present), one row per unit.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1.0, None], "b": [0.0, 2.0]}, index=["A", "B"])
    >>> data_availability(x)["dat_avail"].tolist()
    [1.0, 0.5]

    References
    ----------
    COINr ``get_data_avail()``.
    """
    missing, zero, dat_avail, non_zero = _availability(data.to_numpy(float))
    return pd.DataFrame(
        {
            "n_missing": missing,
            "n_zero": zero,
            "dat_avail": dat_avail,
            "non_zero": non_zero,
        },
        index=data.index,
    )


def screen_units(
    data: pd.DataFrame,
    *,
    unit_screen: str = "byNA",
    dat_thresh: float = 2 / 3,
    nonzero_thresh: float = 0.05,
    force: dict[str, bool] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Drop units whose data availability (or share of non-zeros) is below a threshold.

    Parameters
    ----------
    data:
        Indicator values, one row per unit.
    unit_screen:
        ``byNA`` (availability below ``dat_thresh``), ``byzeros`` (non-zero share below
        ``nonzero_thresh``) or ``byNAandzeros`` (either).
    dat_thresh, nonzero_thresh:
        Thresholds in [0, 1].
    force:
        Unit code -> ``True`` to keep or ``False`` to drop, whatever the rule says.

    Returns
    -------
    tuple
        The kept rows and the list of removed unit codes.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1.0, None, 3.0], "b": [2.0, None, 1.0]}, index=["A", "B", "C"])
    >>> kept, removed = screen_units(x, dat_thresh=0.9)
    >>> list(kept.index), removed
    (['A', 'C'], ['B'])

    References
    ----------
    COINr ``Screen()``.
    """
    if not (0 <= dat_thresh <= 1 and 0 <= nonzero_thresh <= 1):
        raise InputError(
            "screen: dat_thresh and nonzero_thresh must be in [0, 1].", "Use for example 0.9."
        )
    _, _, dat_avail, non_zero = _availability(data.to_numpy(float))
    low_data = dat_avail < dat_thresh
    low_nonzero = non_zero < nonzero_thresh
    rules = {"byNA": low_data, "byzeros": low_nonzero, "byNAandzeros": low_data | low_nonzero}
    if unit_screen not in rules:
        raise InputError(
            f"screen: unit_screen {unit_screen!r} is not a rule.", f"Use one of {', '.join(rules)}."
        )
    keep = ~rules[unit_screen]
    for code, include in (force or {}).items():
        if code not in data.index:
            raise InputError(
                f"screen: forced unit {code!r} is not in the data.", "Use a uCode of iData."
            )
        keep[data.index.get_loc(code)] = bool(include)
    if keep.all():
        return data, []
    return data[keep], list(data.index[~keep])
