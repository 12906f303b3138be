"""Reading the cells and rows of a plan workbook into record fields.

Each reader turns one cell value (as openpyxl gives it: text, number, date or nothing) into a
field value, or raises :class:`CellError` saying what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from bioconnect.model.values import (
    Parsed,
    ValueProblem,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_number,
)
from bioconnect.plan.structure import describe_error

PLAN_FIELDS = ("name", "region", "example", "description")
SCORE_PREFIX = "score_"
_ID_SPLIT = re.compile(r"[\s,;]+")


class CellError(ValueProblem):
    """A cell that cannot be read as its column's field."""


class Sheet:
    """The rows of one sheet as {column: value}, with their Excel row numbers."""

    def __init__(self, name: str, header: list[str], rows: list[tuple[int, dict[str, Any]]]):
        self.name = name
        self.header = header
        self.rows = rows
        #: The documented repairs made while reading the sheet, one line each.
        self.repairs: list[str] = []


def cell_text(value: Any) -> str:
    """A cell as text: numbers and dates as they read, nothing as ``""``.

    Examples
    --------
    >>> cell_text(None), cell_text(12), cell_text(dt.date(2025, 1, 31))
    ('', '12', '2025-01-31')
    >>> cell_text(True)
    Traceback (most recent call last):
    ...
    bioconnect.plan.workbook_cells.CellError: True is not text
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not text")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise CellError(f"{value!r} is not text")


def _opt_text(value: Any) -> str | None:
    text = cell_text(value)
    return text or None


def _id_list(value: Any) -> list[str]:
    """Ids separated by lines, commas, semicolons or spaces.

    >>> _id_list("G1, G2;G3 G4")
    ['G1', 'G2', 'G3', 'G4']
    """
    return [p for p in _ID_SPLIT.split(cell_text(value)) if p]


def _line_list(value: Any) -> list[str]:
    return [p for p in cell_text(value).split("\n") if p]


#: Numbers, whole numbers and dates are read as everywhere (:mod:`bioconnect.model.values`).
_number = parse_number
_integer = parse_integer
_date = parse_date


def _boolean(value: Any) -> Parsed[bool]:
    """A yes/no cell (:func:`~bioconnect.model.values.parse_boolean`); blank means no.

    >>> _boolean("yes").value, _boolean(None).value
    (True, False)
    """
    parsed = parse_boolean(value)
    return parsed if parsed.value is not None else Parsed(False)


def _value(sheet: Sheet, where: str, column: str, result: Any) -> Any:
    """A reader's result as the field value; a repair made to it is noted on the sheet."""
    if not isinstance(result, Parsed):
        return result
    if result.repair is not None:
        sheet.repairs.append(
            f"{where}, column {column}: {result.repair.kind} ({result.repair.detail})"
        )
    return result.value


Reader = Callable[[Any], Any]
GOAL_CELLS: dict[str, Reader] = {"id": cell_text, "title": cell_text, "description": cell_text}
_INITIATIVE_CELLS: dict[str, Reader] = {
    "id": cell_text,
    "title": cell_text,
    "description": cell_text,
    "pillar": cell_text,
    "goals": _id_list,
    "lead": _opt_text,
    "lead_org_id": _opt_text,
    "partners": _line_list,
    "partner_org_ids": cell_text,
    "countries": _line_list,
    "target_groups": _line_list,
    "start": _date,
    "end": _date,
    "budget": _number,
    "funding_sources": _line_list,
    "status": _opt_text,
    "risks": _line_list,
    "depends_on": _id_list,
    "gender_dimension": _opt_text,
    "cross_border": _boolean,
    "kpis": _id_list,
    "version": _integer,
}
_KPI_CELLS: dict[str, Reader] = {
    "id": cell_text,
    "name": cell_text,
    "definition": cell_text,
    "unit": cell_text,
    "direction": _opt_text,
    "baseline_value": _number,
    "baseline_date": _date,
    "target_value": _number,
    "target_date": _date,
    "source": cell_text,
    "frequency": cell_text,
    "owner": _opt_text,
    "initiatives": _id_list,
    "goals": _id_list,
}
ACTION_CELLS: dict[str, Reader] = {
    "id": cell_text,
    "text": cell_text,
    "proposed_by": _opt_text,
    "merged_into": _opt_text,
}
MILESTONE_CELLS: dict[str, Reader] = {"initiative": cell_text, "title": cell_text, "date": _date}


FAILED = "__failed__"


def read_cells(
    sheet: Sheet,
    number: int,
    record: dict[str, Any],
    readers: dict[str, Reader],
    problems: list[str],
) -> dict[str, Any]:
    """Convert a row's cells; columns that fail are reported and listed under ``FAILED``."""
    out: dict[str, Any] = {FAILED: set()}
    for column, reader in readers.items():
        if column not in record:
            continue
        where = where_row(sheet.name, number, record.get("id"))
        try:
            out[column] = _value(sheet, where, column, reader(record[column]))
        except ValueProblem as exc:
            problems.append(f"{where}, column {column}: {exc}")
            out[FAILED].add(column)
    return out


def validate_row(
    model: type[BaseModel],
    data: dict[str, Any],
    where: str,
    column_of: Callable[[tuple[int | str, ...]], str],
    problems: list[str],
) -> Any:
    failed: set[str] = data.pop(FAILED, set())
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            column = column_of(tuple(e["loc"]))
            if column in failed or (e["type"] == "missing" and failed):
                continue  # already reported as a bad cell
            problems.append(f"{where}, column {column}: {describe_error(e)}")
        return None
    return None if failed else obj


def plain_column(loc: tuple[int | str, ...]) -> str:
    return str(loc[0]) if loc else "(row)"


def initiative_column(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return "(row)"
    if loc[0] == "scores" and len(loc) > 1:
        return f"{SCORE_PREFIX}{loc[1]}"
    if loc[0] == "lead" and len(loc) > 1 and loc[1] == "org_id":
        return "lead_org_id"
    if loc[0] == "partners" and len(loc) > 2 and loc[2] == "org_id":
        return "partner_org_ids"
    return str(loc[0])


def kpi_column(loc: tuple[int | str, ...]) -> str:
    if loc and loc[0] in ("baseline", "target") and len(loc) > 1:
        return f"{loc[0]}_{loc[1]}"
    return plain_column(loc)


def read_plan_sheet(sheet: Sheet | None, problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sheet is None:
        return out
    for number, record in sheet.rows:
        field = cell_text(record.get("field")).strip()
        value = record.get("value")
        where = f"Plan row {number}, column value"
        if field not in PLAN_FIELDS:
            problems.append(
                f"Plan row {number}, column field: unknown field {field!r} "
                f"(use {', '.join(PLAN_FIELDS)})"
            )
        elif field in out:
            problems.append(f"Plan row {number}, column field: {field} is given twice")
        else:
            try:
                read = _boolean(value) if field == "example" else cell_text(value)
                out[field] = _value(sheet, f"Plan row {number}", "value", read)
            except ValueProblem as exc:
                problems.append(f"{where}: {exc}")
    for field in ("name", "region"):
        if not out.get(field):
            problems.append(f"Plan: field {field} is missing or empty")
    return out


def read_initiative_row(
    sheet: Sheet, number: int, record: dict[str, Any], problems: list[str]
) -> dict[str, Any] | None:
    data = read_cells(sheet, number, record, _INITIATIVE_CELLS, problems)
    scores: dict[str, Any] = {}
    for column, value in record.items():
        if column.startswith(SCORE_PREFIX):
            where = where_row("Initiatives", number, record.get("id"))
            try:
                score = _value(sheet, where, column, _integer(value))
            except ValueProblem as exc:
                problems.append(f"{where}, column {column}: {exc}")
                data[FAILED].add(column)
                continue
            if score is not None:
                scores[column[len(SCORE_PREFIX) :]] = score
    data["scores"] = scores
    lead, lead_id = data.pop("lead", None), data.pop("lead_org_id", None)
    if lead is not None:
        data["lead"] = {"name": lead, "org_id": lead_id}
    elif lead_id is not None:
        problems.append(
            f"{where_row('Initiatives', number, record.get('id'))}, column lead: "
            "lead_org_id is set but lead is empty"
        )
        data[FAILED].add("lead")
    names = data.pop("partners", [])
    ids_text = data.pop("partner_org_ids", "")
    ids = ids_text.split("\n") if ids_text else [""] * len(names)
    if len(ids) != len(names):
        problems.append(
            f"{where_row('Initiatives', number, record.get('id'))}, column partner_org_ids: {len(ids)} line(s) for "
            f"{len(names)} partner(s); give one line per partner (empty when unknown)"
        )
        data[FAILED].add("partners")
    else:
        data["partners"] = [
            {"name": n, "org_id": i or None} for n, i in zip(names, ids, strict=True)
        ]
    for key in ("status", "version"):
        if data.get(key) is None:
            data.pop(key, None)
    return data


def read_kpi_row(
    sheet: Sheet, number: int, record: dict[str, Any], problems: list[str]
) -> dict[str, Any] | None:
    data = read_cells(sheet, number, record, _KPI_CELLS, problems)
    for part in ("baseline", "target"):
        value, date = data.pop(f"{part}_value", None), data.pop(f"{part}_date", None)
        if (value is None) != (date is None):
            empty = f"{part}_date" if date is None else f"{part}_value"
            problems.append(
                f"{where_row('KPIs', number, record.get('id'))}, column {empty}: "
                f"give both {part}_value and {part}_date, or neither"
            )
            data[FAILED].add(part)
        elif value is not None:
            data[part] = {"value": value, "date": date}
    if data.get("direction") is None:
        data.pop("direction", None)
    return data


def where_row(sheet: str, number: int, rid: Any) -> str:
    return f"{sheet} row {number}" + (f" ({rid})" if isinstance(rid, str) and rid else "")
