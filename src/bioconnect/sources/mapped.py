"""Turn a file's text cells into typed records, as a mapping says.

The output is columnar: one pandas DataFrame per entity, each row carrying the
``source_row`` it came from and the ``repairs`` made to it. Anything that cannot be
repaired raises :class:`~bioconnect.errors.InputError` naming the file, row and column.

Numbers, dates and booleans are read by :mod:`bioconnect.model.values`, as in a plan
workbook. Documented repairs (each is recorded in provenance):

* ``decimal-comma``: a number written ``4975670,75`` is read as 4975670.75.
* ``mojibake``: text double-encoded as UTF-8 (``CÃ¨dres``, ``J√∂ckel``) is decoded back
  (``Cèdres``, ``Jöckel``) for the fields the mapping lists under ``repair_mojibake``.
* ``control-character``: C0 control characters other than tab and line breaks (NUL,
  ``\\x07``, escape) and DEL are removed from text: PostgreSQL cannot store NUL, so both
  engines store the same text.
* ``exact-duplicate``: a row whose mapped fields repeat an earlier row is dropped.
* ``near-duplicate``: rows sharing a target's ``dedupe_on`` key keep the last one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioconnect.errors import InputError
from bioconnect.model.mapping import REQUIRED, Mapping, Target
from bioconnect.model.values import (
    PLAIN_NUMBER,
    Parsed,
    ValueProblem,
    parse_boolean,
    parse_date,
    parse_number,
)
from bioconnect.sources.tables import ROW, RawTable, read_table

REPAIRS = "repairs"
SOURCE_ROW = "source_row"

_MOJIBAKE_MARKS = ("Ã", "Â", "â€", "√", "Å", "Ä")


@dataclass(frozen=True)
class Repair:
    """One documented change made while reading a row."""

    row: int
    column: str
    kind: str
    detail: str


@dataclass
class MappedFile:
    """The records read from one file."""

    path: Path
    mapping: Mapping
    records: dict[str, pd.DataFrame]
    repairs: list[Repair] = field(default_factory=list)
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)


def repair_mojibake(text: str) -> str:
    """Undo one round of UTF-8 read as cp1252/latin-1 or Mac Roman.

    Text that does not look double-encoded is returned unchanged.

    Examples
    --------
    >>> repair_mojibake("Parc des CÃ¨dres")
    'Parc des Cèdres'
    >>> repair_mojibake("Bernhard J√∂ckel")
    'Bernhard Jöckel'
    >>> repair_mojibake("Tartu Ülikool")
    'Tartu Ülikool'
    """
    if not any(mark in text for mark in _MOJIBAKE_MARKS):
        return text
    for codec in ("cp1252", "latin-1", "mac_roman"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != text:
            return fixed
    return text


def _label(path: Path) -> str:
    return path.name


def _blank(series: pd.Series, nulls: list[str]) -> pd.Series:
    text = series.astype("string").str.strip()
    return text.mask(text.isin(nulls) | text.isna())


def _fail(path: Path, row: int, column: str, problem: ValueProblem, fix: str) -> InputError:
    return InputError(f"{_label(path)}, row {row}, column {column!r}: {problem}.", fix)


_NUMBER_FIX = (
    "Write numbers with digits only (a decimal comma or point is fine), or leave it blank."
)


def _parsed(
    values: pd.Series,
    rows: pd.Series,
    parse: Callable[[object], Parsed[Any]],
    path: Path,
    column: str,
    repairs: list[Repair],
    fix: str,
) -> dict[int, Any]:
    """Each present value (by index) read with ``parse``; repairs recorded, the first bad
    value raised as an InputError naming its row."""
    out: dict[int, Any] = {}
    for idx, text in values.dropna().items():
        try:
            parsed = parse(text)
        except ValueProblem as problem:
            raise _fail(path, int(rows[idx]), column, problem, fix) from None
        if parsed.repair is not None:
            repairs.append(Repair(int(rows[idx]), column, parsed.repair.kind, parsed.repair.detail))
        out[idx] = parsed.value
    return out


def _to_number(
    values: pd.Series, rows: pd.Series, path: Path, column: str, repairs: list[Repair]
) -> pd.Series:
    """Numbers as :func:`~bioconnect.model.values.parse_number` reads them.

    Plainly written numbers (nearly all) are converted at once; the others one by one."""
    plain = values.str.fullmatch(PLAIN_NUMBER).fillna(False).astype(bool)
    parsed = pd.Series(np.nan, index=values.index, dtype="float64")
    parsed[plain] = values[plain].astype("float64")
    others = values[~plain | ~np.isfinite(parsed)]
    for idx, number in _parsed(
        others, rows, parse_number, path, column, repairs, _NUMBER_FIX
    ).items():
        parsed[idx] = number
    return parsed


def _to_integer(
    values: pd.Series, rows: pd.Series, path: Path, column: str, repairs: list[Repair]
) -> pd.Series:
    numbers = _to_number(values, rows, path, column, repairs)
    fractional = numbers.notna() & (numbers != np.floor(numbers))
    if fractional.any():
        idx = fractional.idxmax()
        problem = ValueProblem(f"{values[idx]!r} is not a whole number")
        raise _fail(path, int(rows[idx]), column, problem, "Use a whole number.")
    return numbers.astype("Int64")


def _by_value(
    values: pd.Series,
    rows: pd.Series,
    parse: Callable[[object], Parsed[Any]],
    path: Path,
    column: str,
    fix: str,
) -> pd.Series:
    """``parse`` applied once per distinct value (dates and booleans repeat a lot)."""
    present = values.dropna()
    first = present.drop_duplicates()
    read = _parsed(first, rows, parse, path, column, [], fix)
    return present.map({first[idx]: value for idx, value in read.items()})


def _to_date(values: pd.Series, rows: pd.Series, path: Path, column: str) -> pd.Series:
    fix = "Write dates as YYYY-MM-DD, or leave the cell blank."
    days = _by_value(values, rows, parse_date, path, column, fix)
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out[days.index] = days.map(dt.date.isoformat).astype("string")
    return out


def _reformat_dates(
    values: pd.Series, rows: pd.Series, path: Path, column: str, fmt: str
) -> pd.Series:
    """Dates written as ``fmt`` rewritten as YYYY-MM-DD; the first that is not, an error."""
    days = pd.to_datetime(values, format=fmt, errors="coerce")
    bad = days.isna() & values.notna()
    if bad.any():
        idx = bad.idxmax()
        problem = ValueProblem(f"{values[idx]!r} is not a date written as {fmt}")
        raise _fail(
            path, int(rows[idx]), column, problem, "Fix the date, or the mapping's date_format."
        )
    return days.dt.strftime("%Y-%m-%d").astype("string").mask(values.isna())


def _to_boolean(values: pd.Series, rows: pd.Series, path: Path, column: str) -> pd.Series:
    flags = _by_value(values, rows, parse_boolean, path, column, "Use true/false.")
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[flags.index] = flags.astype("boolean")
    return out


def _repaired_mojibake(
    values: pd.Series, rows: pd.Series, column: str, repairs: list[Repair]
) -> pd.Series:
    """``values`` with double-encoded UTF-8 repaired, each repair recorded."""
    present = values.dropna()
    fixed = present.map(repair_mojibake)
    changed = fixed[fixed != present]
    for idx in changed.index:
        repairs.append(
            Repair(int(rows[idx]), column, "mojibake", f"{present[idx]!r} -> {changed[idx]!r}")
        )
    values = values.copy()
    values.loc[changed.index] = changed
    return values


_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _without_controls(
    values: pd.Series, rows: pd.Series, column: str, repairs: list[Repair]
) -> pd.Series:
    """``values`` without control characters (the ``control-character`` repair)."""
    present = values.dropna()
    if present.empty:
        return values
    text = present.astype("string")
    hit = text.str.contains(_CONTROL, regex=True)
    if not hit.any():
        return values
    fixed = text[hit].str.replace(_CONTROL, "", regex=True)
    for idx in fixed.index:
        repairs.append(
            Repair(int(rows[idx]), column, "control-character", f"{text[idx]!r} -> {fixed[idx]!r}")
        )
    values = values.copy()
    values.loc[fixed.index] = fixed
    return values


def _field_values(
    raw: pd.DataFrame,
    target: Target,
    name: str,
    mapping: Mapping,
    path: Path,
    repairs: list[Repair],
) -> pd.Series:
    spec = target.fields[name]
    rows = raw[ROW]
    if spec.value is not None:
        values = pd.Series(spec.value, index=raw.index, dtype="string")
    elif spec.column not in raw.columns:
        values = pd.Series(pd.NA, index=raw.index, dtype="string")
    else:
        values = _blank(raw[spec.column], mapping.null_values)
    column = spec.column or name
    values = _without_controls(values, rows, column, repairs)
    if spec.pattern is not None:
        values = extract_first_group(values, spec.pattern)
    if spec.recode:
        values = values.replace(spec.recode).astype("string")
    if name in mapping.repair_mojibake:
        values = _repaired_mojibake(values, rows, column, repairs)
    if spec.template is not None:
        prefix, _, suffix = spec.template.partition("{}")
        values = (prefix + values + suffix).astype("string")
    kind = target.field_type(name)
    if kind == "date" and spec.date_format is not None:
        values = _reformat_dates(values, rows, path, column, spec.date_format)
    return _typed(values, kind, name, rows, path, column, repairs)


def _typed(
    values: pd.Series,
    kind: str,
    name: str,
    rows: pd.Series,
    path: Path,
    column: str,
    repairs: list[Repair],
) -> pd.Series:
    """Text cells as the field's type; a cell that is not one raises the itemised error."""
    if kind == "geolocation":  # "lat,lon": lat takes the first number, lon the second
        part = values.str.split(",", n=1).str[1 if name == "lon" else 0].str.strip()
        return _to_number(part.astype("string"), rows, path, column, repairs)
    if kind == "number":
        return _to_number(values, rows, path, column, repairs)
    if kind == "integer":
        return _to_integer(values, rows, path, column, repairs)
    if kind == "date":
        return _to_date(values, rows, path, column)
    if kind == "boolean":
        return _to_boolean(values, rows, path, column)
    return values


def extract_first_group(values: pd.Series, pattern: str) -> pd.Series:
    r"""The first group of ``pattern`` in each value (null where it does not match).

    Applied by DuckDB's RE2 engine, which runs in time linear in the text: a pattern such
    as ``^(a+)+$``, which makes a backtracking engine run for ever on a long cell of
    ``a``s, cannot hang an import.

    >>> extract_first_group(pd.Series(["58.38,26.72", "none", None]), r"^(-?[\d.]+),").tolist()
    ['58.38', <NA>, <NA>]
    """
    import duckdb

    frame = pd.DataFrame({"i": range(len(values)), "v": values.astype(object).to_numpy()})
    con = duckdb.connect()
    try:
        con.register("cells", frame)
        found = con.execute(
            "SELECT CASE WHEN regexp_matches(v, $p) THEN regexp_extract(v, $p, 1) END "
            "FROM cells ORDER BY i",
            {"p": pattern},
        ).fetchall()
    finally:
        con.close()
    return pd.Series([f[0] for f in found], index=values.index, dtype="string")


def _dropped(frame: pd.DataFrame, dropped: pd.Series, key: list[str]) -> pd.DataFrame:
    """For each dropped row, the source row of the row that stays with the same key."""
    kept = frame.loc[~dropped, [*key, SOURCE_ROW]].rename(columns={SOURCE_ROW: "kept_row"})
    lost = frame.loc[dropped, [*key, SOURCE_ROW]]
    # NaN keys must match each other, as they do in DataFrame.duplicated
    return lost.astype(dict.fromkeys(key, object)).merge(
        kept.astype(dict.fromkeys(key, object)), on=key, how="left"
    )


def _dedupe(frame: pd.DataFrame, target: Target, path: Path, repairs: list[Repair]) -> pd.DataFrame:
    if target.one_record_per:
        frame = frame.drop_duplicates(subset=target.one_record_per, keep="first")
    fields = [c for c in frame.columns if c != SOURCE_ROW]
    exact = frame.duplicated(subset=fields, keep="first")
    if exact.any():
        pairs = _dropped(frame, exact, fields)
        repairs.extend(
            Repair(
                int(row),
                "*",
                "exact-duplicate",
                f"{target.entity} row repeats row {int(first)}; dropped",
            )
            for row, first in zip(pairs[SOURCE_ROW], pairs["kept_row"], strict=True)
        )
        frame = frame[~exact]
    if target.dedupe_on:
        near = frame.duplicated(subset=target.dedupe_on, keep="last")
        if near.any():
            pairs = _dropped(frame, near, target.dedupe_on)
            keys = pairs[target.dedupe_on].astype(str).agg("/".join, axis=1)
            column = ",".join(target.dedupe_on)
            repairs.extend(
                Repair(
                    int(row),
                    column,
                    "near-duplicate",
                    f"{target.entity} shares {key} with row {int(kept)}, which is kept",
                )
                for row, key, kept in zip(pairs[SOURCE_ROW], keys, pairs["kept_row"], strict=True)
            )
            frame = frame[~near]
    return frame


def apply_mapping(raw: RawTable, mapping: Mapping) -> MappedFile:
    """Type and split a raw table into the records of each of the mapping's targets."""
    repairs: list[Repair] = []
    records: dict[str, pd.DataFrame] = {}
    data = raw.frame
    for target in mapping.targets:
        columns = {
            name: _field_values(data, target, name, mapping, raw.path, repairs)
            for name in target.fields
        }
        frame = pd.DataFrame(columns, index=data.index)
        frame[SOURCE_ROW] = data[ROW].astype("int64")
        required = [
            f
            for f in ("project_id", "registration_code")
            if f in frame.columns and f in REQUIRED[target.entity]
        ]
        for name in required:
            blank = frame[name].isna()
            if blank.any():
                idx = blank.idxmax()
                spec = target.fields[name]
                raise InputError(
                    f"{_label(raw.path)}, row {int(data.at[idx, ROW])}, column "
                    f"{spec.column or name!r}: the value is blank but {target.entity} needs it.",
                    "Fill it in, or remove the row.",
                )
        frame = _dedupe(frame, target, raw.path, repairs)
        if target.entity in records:
            records[target.entity] = pd.concat([records[target.entity], frame], ignore_index=True)
        else:
            records[target.entity] = frame.reset_index(drop=True)
    by_row: dict[int, list[str]] = {}
    for repair in repairs:
        by_row.setdefault(repair.row, []).append(f"{repair.kind} in {repair.column}")
    for frame in records.values():
        frame[REPAIRS] = frame[SOURCE_ROW].map(
            lambda r: "; ".join(by_row[r]) if r in by_row else None
        )
    return MappedFile(
        path=raw.path,
        mapping=mapping,
        records=records,
        repairs=repairs,
        rows_read=len(data),
        notes=list(raw.notes),
    )


def read_mapped(path: Path, mapping: Mapping) -> MappedFile:
    """Read ``path`` with ``mapping``: the general import for any CSV or XLSX file."""
    raw = read_table(
        path,
        fmt=mapping.format,
        delimiter=mapping.delimiter,
        encoding=mapping.encoding,
        sheet=mapping.sheet,
        required=mapping.required_columns,
        max_line_size=mapping.max_line_size,
    )
    return apply_mapping(raw, mapping)
