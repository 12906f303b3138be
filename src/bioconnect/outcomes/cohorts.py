"""Cohort tables: entities with an entry, an exit or censoring, an exit kind and attributes.

A cohort table is a :class:`pandas.DataFrame` with one row per entity and the columns
``entity, entry, exit, exit_kind, end, duration, event`` followed by its attributes.
``entry`` and ``exit`` are both years (numbers) or both dates; ``end`` is the time the
entity was last followed (its exit, else the end of the data, where it is censored);
``duration`` is ``end - entry`` in years and ``event`` is true when the exit was observed.
Those two columns feed :func:`~bioconnect.outcomes.survival.kaplan_meier` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from bioconnect.errors import InputError

__all__ = [
    "COHORT_COLUMNS",
    "EXIT_KINDS",
    "cohort_table",
    "entries_per_year",
    "newcomer_cohort",
]

#: The columns every cohort table starts with.
COHORT_COLUMNS = ["entity", "entry", "exit", "exit_kind", "end", "duration", "event"]

#: The exit kinds a cohort may hold. Only ``closed`` and ``inactive`` are failures in a
#: survival analysis of the ecosystem; ``acquired`` and ``moved_abroad`` compete with them.
EXIT_KINDS = ("closed", "acquired", "moved_abroad", "inactive")

_DAYS_PER_YEAR = 365.25


def _where(row: int, column: str, source: str) -> str:
    return f"{source + ', ' if source else ''}row {row}, column {column!r}"


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _times(values: pd.Series, column: str, where: Callable[[int, str], str]) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = parsed.isna() & values.notna() & (values.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{where(row, column)}: {values.iloc[row]!r} is not a date",
            "write dates as YYYY-MM-DD, or give years as numbers",
        )
    return parsed


def _years_between(start: pd.Series, stop: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(start):
        return ((stop - start).dt.days / _DAYS_PER_YEAR).to_numpy(dtype=float)
    return (stop - start).to_numpy(dtype=float)


def _check_kinds(
    kinds: pd.Series,
    has_exit: np.ndarray,
    allowed: Collection[str],
    where: Callable[[int, str], str],
) -> None:
    unknown = has_exit & ~kinds.isin(list(allowed)).to_numpy()
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise InputError(
            f"{where(row, 'exit_kind')}: unknown exit kind {kinds.iloc[row]!r}",
            f"use one of {', '.join(allowed)}",
        )


def cohort_table(
    entities: Sequence[str] | pd.Series,
    entry: Sequence[object] | pd.Series,
    exit: Sequence[object] | pd.Series,
    exit_kind: Sequence[object] | pd.Series,
    *,
    end_of_data: float | str | pd.Timestamp,
    attributes: pd.DataFrame | None = None,
    exit_kinds: Collection[str] = EXIT_KINDS,
    source: str = "",
    rows: Sequence[int] | None = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Check and assemble a cohort table, censoring at the end of the data.

    Parameters
    ----------
    entities:
        One identifier per entity.
    entry, exit:
        When each entity entered and (if it did) exited: numbers (years) or ISO dates;
        a missing exit means it was still present at ``end_of_data``.
    exit_kind:
        For each exit, one of ``exit_kinds``; ignored where there is no exit.
    end_of_data:
        The last time the data follow anyone; exits after it are errors.
    attributes:
        Optional columns (country, group, ...) in the same row order.
    exit_kinds:
        The allowed exit kinds.
    source:
        A file name for error messages.
    rows:
        The file's row number of each entity, for error messages (default: 1, 2, ...).
    columns:
        The file's names of ``entry``, ``exit`` and ``exit_kind``, for error messages.

    Returns
    -------
    pandas.DataFrame
        :data:`COHORT_COLUMNS` then the attributes.

    Raises
    ------
    InputError
        For an entry after the end of the data, an exit before its entry or after the end,
        or an unknown exit kind; the message names the row (1-based) and the column.

    Examples
    --------
    >>> t = cohort_table(["a", "b", "c"], [2015, 2016, 2018], [2019, None, 2019],
    ...     ["closed", None, "acquired"], end_of_data=2020)
    >>> t[["entity", "end", "duration", "event"]].to_dict("list")
    {'entity': ['a', 'b', 'c'], 'end': [2019.0, 2020.0, 2019.0], 'duration': [4.0, 4.0, 1.0], 'event': [True, False, True]}

    References
    ----------
    Klein, J. P. & Moeschberger, M. L. (2003). *Survival Analysis*, 2nd ed., §1.2 and
    §3.2 (right censoring).
    """

    names = dict(columns or {})

    def where(position: int, column: str) -> str:
        row = position + 1 if rows is None else rows[position]
        return _where(row, names.get(column, column), source)

    frame = pd.DataFrame(
        {"entity": list(entities), "entry": list(entry), "exit": list(exit)},
    ).astype({"entry": object, "exit": object})
    frame["exit"] = frame["exit"].where(frame["exit"].notna(), None)
    numeric = all(isinstance(v, int | float | np.number) for v in frame["entry"])
    if numeric:
        frame = frame.astype({"entry": float})
        frame["exit"] = pd.to_numeric(frame["exit"], errors="raise").astype(float)
        last: object = float(end_of_data)
        end = pd.Series(last, index=frame.index)
    else:
        frame["entry"] = _times(frame["entry"], "entry", where)
        frame["exit"] = _times(frame["exit"], "exit", where)
        last = pd.Timestamp(end_of_data)
        end = pd.Series(last, index=frame.index)
    if frame["entry"].isna().any():
        row = int(np.flatnonzero(frame["entry"].isna().to_numpy())[0])
        raise InputError(f"{where(row, 'entry')}: the entry is empty", "give every entity an entry")
    late = (frame["entry"] > end).to_numpy()
    if late.any():
        row = int(np.flatnonzero(late)[0])
        raise InputError(
            f"{where(row, 'entry')}: {_show(frame['entry'].iloc[row])} is after the end of the data ({_show(last)})",
            "check the date; entries in the future are not allowed",
        )
    has_exit = frame["exit"].notna().to_numpy()
    for mask, problem, fix in (
        (
            (frame["exit"] < frame["entry"]).to_numpy(),
            "is before the entry",
            "an exit comes after its entry",
        ),
        (
            (frame["exit"] > end).to_numpy(),
            f"is after the end of the data ({_show(last)})",
            "exits in the future are not allowed",
        ),
    ):
        if (mask & has_exit).any():
            row = int(np.flatnonzero(mask & has_exit)[0])
            raise InputError(
                f"{where(row, 'exit')}: {_show(frame['exit'].iloc[row])} {problem}", fix
            )
    kinds = pd.Series(list(exit_kind), index=frame.index, dtype=object)
    _check_kinds(kinds, has_exit, exit_kinds, where)
    frame["exit_kind"] = kinds.where(has_exit, None)
    frame["end"] = frame["exit"].where(has_exit, end)
    frame["duration"] = _years_between(frame["entry"], frame["end"])
    frame["event"] = has_exit
    out = frame[COHORT_COLUMNS]
    if attributes is not None:
        out = pd.concat([out, attributes.reset_index(drop=True)], axis=1)
    return out


def newcomer_cohort(
    participations: pd.DataFrame,
    *,
    gap_years: int = 3,
    end_year: int,
    not_newcomers: Collection[str] = (),
) -> pd.DataFrame:
    """Newcomers to EU research: entry at the first project, exit after ``gap_years``
    years without starting one.

    An organisation enters in the start year of its first project; it stays active while
    it starts new ones. When ``gap_years`` calendar years follow a project start without
    another, it exits in the last of them (``last start + gap_years``), of kind
    ``inactive``; when that year is after ``end_year`` it is censored there. A later
    return is not a new entry: the first spell is what survives or not.

    Parameters
    ----------
    participations:
        Columns ``entity`` and ``start_year``, one row per participation (repeats allowed).
    gap_years:
        Years without a new project after which an organisation counts as exited (≥ 1).
    end_year:
        The last year the data cover.
    not_newcomers:
        Entities that took part before (e.g. in FP7): left out.

    Returns
    -------
    pandas.DataFrame
        A cohort table (:data:`COHORT_COLUMNS`, years as numbers) with ``projects``, the
        number of distinct start years in the first spell.

    Examples
    --------
    >>> p = pd.DataFrame({"entity": ["a", "a", "a", "b", "c"],
    ...     "start_year": [2014, 2016, 2021, 2019, 2015]})
    >>> newcomer_cohort(p, gap_years=3, end_year=2020, not_newcomers={"c"})[
    ...     ["entity", "entry", "exit", "duration", "event"]].to_dict("list")
    {'entity': ['a', 'b'], 'entry': [2014.0, 2019.0], 'exit': [2019.0, nan], 'duration': [5.0, 1.0], 'event': [True, False]}

    References
    ----------
    European Commission (2022). *Horizon Europe Key Impact Pathways*, indicator
    "newcomers" (organisations participating for the first time); Dunne, T., Roberts,
    M. J. & Samuelson, L. (1988). Patterns of firm entry and exit in U.S. manufacturing
    industries. *RAND Journal of Economics* 19(4), 495–515 (exit from activity records).
    """
    if gap_years < 1:
        raise InputError(
            f"gap of {gap_years} years", "an exit needs at least one year without a project"
        )
    p = participations.loc[
        ~participations["entity"].isin(list(not_newcomers)), ["entity", "start_year"]
    ]
    p = (
        p.dropna()
        .astype({"start_year": int})
        .drop_duplicates()
        .sort_values(["entity", "start_year"])
    )
    p = p[p["start_year"] <= end_year]
    nxt = p.groupby("entity")["start_year"].shift(-1)
    # a spell ends at the first start followed by more than gap_years without another
    ends = nxt.isna() | (nxt - p["start_year"] > gap_years)
    p = p.assign(spell=ends.groupby(p["entity"]).cumsum() - ends.astype(int))
    first = p[p["spell"] == 0].groupby("entity")["start_year"].agg(["min", "max", "count"])
    exit_year = first["max"] + gap_years
    observed = exit_year <= end_year
    table = cohort_table(
        first.index.astype(str),
        first["min"].astype(float),
        exit_year.where(observed).astype(float),
        ["inactive" if seen else None for seen in observed],
        end_of_data=float(end_year),
    )
    return table.assign(projects=first["count"].to_numpy())


def entries_per_year(cohort: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """How many entities entered each year, optionally by attributes.

    Parameters
    ----------
    cohort:
        A cohort table.
    by:
        Attribute columns to break the counts down by.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, year, entries``, sorted.

    Examples
    --------
    >>> t = cohort_table(["a", "b", "c"], [2015, 2015, 2017], [None] * 3, [None] * 3,
    ...     end_of_data=2020)
    >>> entries_per_year(t).to_dict("list")
    {'year': [2015, 2017], 'entries': [2, 1]}

    References
    ----------
    Eurostat-OECD (2007). *Manual on Business Demography Statistics*, §2 (births).
    """
    entry = cohort["entry"]
    year = entry.dt.year if pd.api.types.is_datetime64_any_dtype(entry) else entry.astype(int)
    keys = [*by, "year"]
    counts = cohort.assign(year=year).groupby(keys, dropna=False).size().rename("entries")
    return counts.reset_index().sort_values(keys, ignore_index=True)
