"""Read a CSV or XLSX file into a table of text cells, whatever its separator or sheet.

Every cell stays text here; typing happens in :mod:`bioconnect.sources.mapped`, where a
bad value can be reported with its file, row and column. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from bioconnect.errors import InputError

ROW = "_row"
DELIMITERS = (";", ",", "\t", "|")
MAX_LINE_SIZE = 2_097_152
"""DuckDB's default longest row, in bytes; a mapping's ``max_line_size`` raises it."""


@dataclass
class RawTable:
    """The text cells of one file, with the row number of each record in ``_row``."""

    path: Path
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW]


def _open_text(path: Path) -> io.BufferedReader | gzip.GzipFile:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def _first_line(path: Path, encoding: str) -> str:
    with _open_text(path) as fh:
        head = fh.readline(1 << 20)
    return head.decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r\n")


def sniff_delimiter(header: str) -> str:
    """The separator that splits a header line into the most fields.

    Examples
    --------
    >>> sniff_delimiter("projectID;name;country")
    ';'
    """
    return max(DELIMITERS, key=lambda d: (header.count(d), -DELIMITERS.index(d)))


def _first_bad_line(path: Path, encoding: str) -> tuple[int, str] | None:
    with _open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                return number, str(exc)
    return None


def read_csv(
    path: Path,
    *,
    delimiter: str | None,
    encoding: str,
    required: list[str],
    max_line_size: int | None = None,
) -> RawTable:
    """Read a (possibly gzipped) CSV file as text cells.

    Raises :class:`InputError` naming the file (and line) when the separator is wrong,
    the bytes do not decode, a row is longer than ``max_line_size`` bytes, a row has
    more or fewer fields than the header, or a quote is never closed.
    """
    limit = max_line_size or MAX_LINE_SIZE
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise InputError(
            f"{path.name}: unknown encoding {encoding!r}.",
            "Set `encoding:` in the mapping to a Python codec name such as utf-8, cp1252 or latin-1.",
        ) from exc
    header = _first_line(path, encoding)
    detected = sniff_delimiter(header)
    notes: list[str] = []
    if delimiter is None:
        delimiter = detected
        notes.append(f"separator {delimiter!r} detected from the header")
    else:
        names = [h.strip().strip('"') for h in header.split(delimiter)]
        if len(names) == 1 and detected != delimiter and header.count(detected) > 0:
            raise InputError(
                f"{path.name}: the header has no {delimiter!r} separators but has "
                f"{header.count(detected)} {detected!r}.",
                f"Set `delimiter: {detected!r}` in the mapping (or leave it out to detect it).",
            )
    codec = encoding.lower().replace("_", "-")
    if codec in {"utf-8", "utf8"}:
        source: str | Path = path
    else:
        # DuckDB reads UTF-8; other encodings are decoded here first.
        try:
            with _open_text(path) as fh:
                text = fh.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                f"{path.name}: cannot decode the file as {encoding} ({exc}).",
                "Set `encoding:` in the mapping to the file's real encoding.",
            ) from exc
        source = text

    try:
        if isinstance(source, Path):
            frame = _duckdb_read(source, delimiter, limit)
        else:
            frame = pd.read_csv(
                io.StringIO(source), sep=delimiter, dtype=str, keep_default_na=False, quotechar='"'
            )
    except (duckdb.Error, pd.errors.ParserError) as exc:
        bad = _first_bad_line(path, "utf-8") if isinstance(source, Path) else None
        if bad is not None:
            raise InputError(
                f"{path.name}, line {bad[0]}: the bytes are not valid UTF-8 ({bad[1]}).",
                "Set `encoding:` in the mapping to the file's encoding (for example cp1252 or latin-1), "
                "or save the file as UTF-8.",
            ) from exc
        if isinstance(source, Path):
            with _open_text(source) as fh:
                found = _diagnose_rows(
                    path, (b.decode("utf-8", errors="replace") for b in fh), delimiter, limit
                )
        else:
            found = _diagnose_rows(path, io.StringIO(source), delimiter, None)
        if found is not None:
            raise found from exc
        message = str(exc).splitlines()[0]
        raise InputError(
            f"{path.name}: the rows do not parse with separator {delimiter!r} ({message}).",
            "Check the separator and the quoting; every row needs as many fields as the header.",
        ) from exc
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame[ROW] = range(2, len(frame) + 2)
    _check_columns(path, frame, required, delimiter)
    return RawTable(path=path, frame=frame, notes=notes)


def _diagnose_rows(
    path: Path, lines: Iterable[str], delimiter: str, limit: int | None
) -> InputError | None:
    """The first row DuckDB would refuse, found by a pass of the csv module (error path only).

    Lines are counted as a person counts them: the header is line 1. Checks, in file
    order: a quote never closed, a row longer than ``limit`` bytes, a row with more or
    fewer fields than the header.
    """
    state = {"line": 0, "bytes": 0, "end": 0, "odd": 0, "opened": 0}

    def counted() -> Iterator[str]:
        for line in lines:
            state["line"] += 1
            state["bytes"] += len(line.encode("utf-8"))
            state["end"] = len(line) - len(line.rstrip("\r\n"))
            if line.count('"') % 2:
                state["odd"] ^= 1
                if state["odd"]:
                    state["opened"] = state["line"]
            yield line

    reader = csv.reader(counted(), delimiter=delimiter, quotechar='"', strict=True)
    header: int | None = None
    start, before = 1, 0
    old_limit = csv.field_size_limit(2**31 - 1)
    try:
        for row in reader:
            first, size, last = start, state["bytes"] - before - state["end"], state["line"]
            start, before = last + 1, state["bytes"]
            where = f"line {first}" + (
                f" (a quoted field runs on to line {last})" if last > first else ""
            )
            if limit is not None and size > limit:
                return InputError(
                    f"{path.name}: {where} is {size:,} bytes long; the reader takes lines up to "
                    f"{limit:,} bytes.",
                    "Split or shorten the long field, or set `max_line_size:` in the mapping "
                    f"to at least {size:,}.",
                )
            if not row:
                continue
            if header is None:
                header = len(row)
            elif len(row) != header:
                return InputError(
                    f"{path.name}: {where} has {len(row)} fields where the header has {header}.",
                    f"Make every row have {header} fields separated by {delimiter!r}; a field "
                    "holding the separator must be in double quotes.",
                )
    except csv.Error as exc:
        if state["odd"] and "end of data" in str(exc):
            return InputError(
                f"{path.name}: a quote opened on line {state['opened']} is never closed.",
                'Close the quote, or double a quote inside a quoted field ("").',
            )
        return InputError(
            f"{path.name}, line {reader.line_num}: the quoting is broken ({exc}).",
            'Put fields holding quotes in double quotes and double the quotes inside ("").',
        )
    finally:
        csv.field_size_limit(old_limit)
    return None


def _duckdb_read(path: Path, delimiter: str, max_line_size: int = MAX_LINE_SIZE) -> pd.DataFrame:
    """All cells as text, in file order (DuckDB keeps insertion order for a plain scan)."""
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        options = (
            f"delim={_sql_literal(delimiter)}, header=true, all_varchar=true, quote='\"', "
            f"escape='\"', strict_mode=true, sample_size=-1, max_line_size={int(max_line_size)}"
        )
        return con.sql(f"SELECT * FROM read_csv({_sql_literal(str(path))}, {options})").df()
    finally:
        con.close()


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check_columns(path: Path, frame: pd.DataFrame, required: list[str], delimiter: str) -> None:
    present = set(frame.columns)
    missing = [c for c in dict.fromkeys(required) if c not in present]
    if missing:
        shown = ", ".join(c for c in frame.columns if c != ROW)
        raise InputError(
            f"{path.name}: required column {missing[0]!r} is missing"
            + (f" (also {', '.join(missing[1:])})" if len(missing) > 1 else "")
            + f"; the file has: {shown[:300]}.",
            "Rename the column in the file, or point the mapping at the column that holds it.",
        )


def read_xlsx(path: Path, *, sheet: str | None, required: list[str]) -> RawTable:
    """Read one sheet of an xlsx workbook as text cells.

    When ``sheet`` is not given and the workbook has several, the first sheet whose
    header holds every required column is read, and the choice is noted.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(
            f"{path.name}: not a readable xlsx workbook ({exc}).",
            "Open and re-save it as .xlsx, or export it as CSV.",
        ) from exc
    try:
        notes: list[str] = []
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise InputError(
                    f"{path.name}: there is no sheet {sheet!r}; the sheets are "
                    f"{', '.join(workbook.sheetnames)}.",
                    "Set `sheet:` in the mapping to one of them.",
                )
            chosen = sheet
        else:
            chosen = ""
            for name in workbook.sheetnames:
                header = _xlsx_header(workbook[name])
                if all(c in header for c in required):
                    chosen = name
                    break
            if not chosen:
                needed = list(dict.fromkeys(required))
                best = max(
                    workbook.sheetnames,
                    key=lambda n: sum(c in _xlsx_header(workbook[n]) for c in needed),
                )
                missing = [c for c in needed if c not in _xlsx_header(workbook[best])]
                raise InputError(
                    f"{path.name}: required column {missing[0]!r} is missing from sheet {best!r}"
                    + (f" (also {', '.join(missing[1:])})" if len(missing) > 1 else "")
                    + f"; the sheets are {', '.join(workbook.sheetnames)}.",
                    "Rename the column, or set `sheet:` and the column names in the mapping.",
                )
            if len(workbook.sheetnames) > 1:
                notes.append(f"sheet {chosen!r} chosen among {', '.join(workbook.sheetnames)}")
        rows = workbook[chosen].iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise InputError(f"{path.name}: sheet {chosen!r} is empty.", "Fill in a header row.")
        header = [
            str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header_row)
        ]
        records = [[_cell_text(v) for v in row] for row in rows]
    finally:
        workbook.close()
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame[ROW] = range(2, len(frame) + 2)
    blank = frame.drop(columns=[ROW]).isna().all(axis=1)
    frame = frame[~blank].reset_index(drop=True)
    _check_columns(path, frame, required, ",")
    return RawTable(path=path, frame=frame, notes=notes)


def _xlsx_header(worksheet: object) -> list[str]:
    for row in worksheet.iter_rows(max_row=1, values_only=True):  # type: ignore[attr-defined]
        return [str(v).strip() for v in row if v is not None]
    return []


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _flatten(value: object, prefix: str, out: dict[str, str | None]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}{key}.", out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(item, f"{prefix}{i}.", out)
    else:
        out[prefix[:-1]] = None if value is None else str(value)


def read_json(path: Path, *, encoding: str, required: list[str]) -> RawTable:
    """Read a JSON array of objects as text cells, one column per dotted path (``a.0.b``).

    ``_row`` is the 1-based position of the object in the array.
    """
    try:
        with _open_text(path) as fh:
            data = json.loads(fh.read().decode(encoding))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name}: not valid JSON ({exc}).", "Check the file.") from exc
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # {"companies": [...]}: the one array inside
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InputError(f"{path.name}: expected a JSON array of objects.", "Check the file.")
    rows = []
    for item in data:
        flat: dict[str, str | None] = {}
        _flatten(item, "", flat)
        rows.append(flat)
    frame = pd.DataFrame(rows, dtype=object)
    frame = frame.astype("string") if len(frame.columns) else frame
    frame[ROW] = range(1, len(frame) + 1)
    _check_columns(path, frame, required, ".")
    return RawTable(path=path, frame=frame, notes=["JSON array flattened to dotted paths"])


def read_table(
    path: Path,
    *,
    fmt: str | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
    required: list[str] | None = None,
    max_line_size: int | None = None,
) -> RawTable:
    """Read a CSV (plain or gzipped) or an xlsx file as text cells."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"File {path} does not exist.", "Check the path, or run `bioconnect fetch`."
        )
    suffixes = [s.lower() for s in path.suffixes]
    kind = fmt or ("xlsx" if ".xlsx" in suffixes else "json" if ".json" in suffixes else "csv")
    if kind == "json":
        return read_json(path, encoding=encoding, required=required or [])
    if kind == "xlsx":
        return read_xlsx(path, sheet=sheet, required=required or [])
    return read_csv(
        path,
        delimiter=delimiter,
        encoding=encoding,
        required=required or [],
        max_line_size=max_line_size,
    )
