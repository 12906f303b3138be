"""Startup lists as cohorts: founding is the entry, closing the exit, its reason the kind.

A startup that closed has failed; one that was acquired or moved abroad has left the
region's count of independent startups without failing. Those kinds compete with closure
(:mod:`bioconnect.outcomes.competing`), and a survival curve of closure censors them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.outcomes.cohorts import cohort_table

__all__ = ["EXIT_REASONS", "FAILURE_KINDS", "exit_kind", "startup_cohort"]

#: The closing reasons a list may give, and the exit kind each one is.
EXIT_REASONS = {"closed": "closed", "acquired": "acquired", "moved abroad": "moved_abroad"}
#: The exit kinds that are failures in a survival analysis of startups.
FAILURE_KINDS = ("closed",)

_ATTRIBUTES = ("country", "sector", "founders_gender", "funding")


def exit_kind(reason: object) -> str | None:
    """The exit kind of a closing reason, read without regard to case, ``_`` or ``-``.

    Parameters
    ----------
    reason:
        A closing reason as a list writes it (``Moved abroad``).

    Returns
    -------
    str or None
        The exit kind, or ``None`` for a reason not in :data:`EXIT_REASONS`.

    Examples
    --------
    >>> exit_kind("Moved_abroad"), exit_kind(" acquired "), exit_kind("merged")
    ('moved_abroad', 'acquired', None)

    References
    ----------
    Eurostat-OECD (2007). *Manual on Business Demography Statistics* (an enterprise death
    is a closure; a merger or take-over is not a death).
    """
    text = " ".join(str(reason).lower().replace("_", " ").replace("-", " ").split())
    return EXIT_REASONS.get(text)


def _cross_border(countries: pd.Series, home: pd.Series) -> pd.Series:
    """Whether a startup works in a country other than its home country."""
    out: list[bool | None] = []
    for listed, own in zip(countries, home, strict=True):
        if listed is None or listed is pd.NA or (isinstance(listed, float) and np.isnan(listed)):
            out.append(None)
            continue
        codes = {c.strip().upper() for c in str(listed).replace(";", ",").split(",") if c.strip()}
        out.append(bool(codes - {str(own).upper()}))
    return pd.Series(out, index=countries.index, dtype=object)


def _fail(source: str, row: int, column: str, problem: str, fix: str) -> InputError:
    return InputError(f"{source}, row {row}, column {column!r}: {problem}", fix)


def _kinds(startups: pd.DataFrame, source: str, columns: Mapping[str, str]) -> list[str | None]:
    """Each row's exit kind, checking that a closing date and a reason come together."""
    kinds: list[str | None] = []
    for row, closed, reason in startups[["source_row", "closed", "exit_reason"]].itertuples(
        index=False
    ):
        has_date, has_reason = pd.notna(closed), pd.notna(reason)
        if has_reason and exit_kind(reason) is None:
            raise _fail(
                source,
                int(row),
                columns.get("exit_reason", "exit_reason"),
                f"unknown closing reason {reason!r}",
                f"use one of: {', '.join(EXIT_REASONS)}",
            )
        if has_date and not has_reason:
            raise _fail(
                source,
                int(row),
                columns.get("exit_reason", "exit_reason"),
                f"the company closed on {closed} but no reason is given",
                f"write one of: {', '.join(EXIT_REASONS)}",
            )
        if has_reason and not has_date:
            raise _fail(
                source,
                int(row),
                columns.get("closed", "closed"),
                f"the closing reason is {reason!r} but the closing date is empty",
                "give the date it closed, or clear the reason",
            )
        kinds.append(exit_kind(reason) if has_reason else None)
    return kinds


def startup_cohort(
    startups: pd.DataFrame,
    *,
    end_of_data: str | pd.Timestamp,
    source: str = "",
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A cohort table of a startup list: entry at founding, exit at closing, censored at
    ``end_of_data``.

    Parameters
    ----------
    startups:
        ``key, source_row, founded, closed, exit_reason`` (dates as ISO text), and
        optionally ``country, countries, sector, founders_gender, funding``.
    end_of_data:
        The date the list is complete to (usually the day it is imported); dates after
        it are errors.
    source:
        The file name, for error messages.
    columns:
        The file's column of each field, for error messages (``founded`` → "Founded").

    Returns
    -------
    pandas.DataFrame
        :data:`~bioconnect.outcomes.cohorts.COHORT_COLUMNS` (``entity`` is the key), then
        ``country, sector, founders_gender, funding`` and ``cross_border`` (works in a
        country other than its own; ``None`` when the list does not say).

    Raises
    ------
    InputError
        Naming the file, row and column: an empty founding date, a founding or closing
        date after ``end_of_data``, a closing before founding, an unknown closing reason,
        or a closing date without a reason (or the reverse).

    Examples
    --------
    >>> rows = pd.DataFrame({"key": ["a", "b", "c"], "source_row": [2, 3, 4],
    ...     "founded": ["2018-01-01", "2019-01-01", "2020-01-01"],
    ...     "closed": [None, "2021-01-01", "2022-07-02"],
    ...     "exit_reason": [None, "closed", "Acquired"], "country": ["EE", "EE", "LV"],
    ...     "countries": ["EE;FI", None, "LV"]})
    >>> t = startup_cohort(rows, end_of_data="2024-12-31")
    >>> t[["entity", "exit_kind", "event", "cross_border"]].to_dict("list")
    {'entity': ['a', 'b', 'c'], 'exit_kind': [None, 'closed', 'acquired'], 'event': [False, True, True], 'cross_border': [True, None, False]}

    References
    ----------
    Eurostat-OECD (2007). *Manual on Business Demography Statistics* (deaths and the
    survival of enterprises); Fine, J. P. & Gray, R. J. (1999). A proportional hazards
    model for the subdistribution of a competing risk. *JASA* 94(446), 496–509 (why an
    acquisition is not a failure).
    """
    names = {k: k for k in ("founded", "closed", "exit_reason")} | dict(columns or {})
    blank = startups["founded"].isna()
    if blank.any():
        row = int(startups.loc[blank, "source_row"].iloc[0])
        raise _fail(
            source, row, names["founded"], "the founding date is empty", "every startup needs one"
        )
    kinds = _kinds(startups, source, names)
    attrs = pd.DataFrame(
        {c: startups[c] if c in startups.columns else None for c in _ATTRIBUTES},
        index=startups.index,
    ).astype(object)
    countries = (
        startups["countries"]
        if "countries" in startups.columns
        else pd.Series(None, index=startups.index)
    )
    home = startups["country"] if "country" in startups.columns else countries
    attrs["cross_border"] = _cross_border(countries, home)
    return cohort_table(
        startups["key"].astype(str).tolist(),
        startups["founded"].astype(str).tolist(),
        [None if pd.isna(c) else str(c) for c in startups["closed"]],
        kinds,
        end_of_data=end_of_data,
        attributes=attrs.where(attrs.notna(), None),
        source=source,
        rows=startups["source_row"].astype(int).tolist(),
        columns={
            "entry": names["founded"],
            "exit": names["closed"],
            "exit_kind": names["exit_reason"],
        },
    )
