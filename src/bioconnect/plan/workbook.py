"""Plans as XLSX workbooks: one sheet per kind of record.

The sheets and their columns are listed in :data:`XLSX_COLUMNS` and in ``docs/plan.md``;
lists are written one item per line within a cell. Reading reports every problem with its
sheet, row and column; the cells are read by :mod:`bioconnect.plan.workbook_cells`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bioconnect.errors import InputError
from bioconnect.model.exports import write_with, xml_text
from bioconnect.plan.config import PlanConfig
from bioconnect.plan.model import ActionItem, Goal, Initiative, Kpi, Milestone, Plan
from bioconnect.plan.structure import raise_problems, structure_problems
from bioconnect.plan.workbook_cells import (
    ACTION_CELLS,
    GOAL_CELLS,
    MILESTONE_CELLS,
    PLAN_FIELDS,
    SCORE_PREFIX,
    Reader,
    Sheet,
    cell_text,
    initiative_column,
    kpi_column,
    plain_column,
    read_cells,
    read_initiative_row,
    read_kpi_row,
    read_plan_sheet,
    validate_row,
    where_row,
)

__all__ = ["XLSX_COLUMNS", "read_xlsx", "write_xlsx"]

#: Columns of each sheet. Required columns must be present (in any order); the others may be
#: left out. Initiatives also take one ``score_<criterion>`` column per criterion.
XLSX_COLUMNS: dict[str, dict[str, bool]] = {
    "Plan": {"field": True, "value": True},
    "Goals": {"id": True, "title": True, "description": False},
    "Initiatives": {
        "id": True,
        "title": True,
        "description": False,
        "pillar": True,
        "goals": False,
        "lead": False,
        "lead_org_id": False,
        "partners": False,
        "partner_org_ids": False,
        "countries": False,
        "target_groups": False,
        "start": False,
        "end": False,
        "budget": False,
        "funding_sources": False,
        "status": False,
        "risks": False,
        "depends_on": False,
        "gender_dimension": False,
        "cross_border": False,
        "kpis": False,
        "version": False,
    },
    "Milestones": {"initiative": True, "title": True, "date": True},
    "KPIs": {
        "id": True,
        "name": True,
        "definition": False,
        "unit": False,
        "direction": False,
        "baseline_value": False,
        "baseline_date": False,
        "target_value": False,
        "target_date": False,
        "source": False,
        "frequency": False,
        "owner": False,
        "initiatives": False,
        "goals": False,
    },
    "ActionItems": {"id": True, "text": True, "proposed_by": False, "merged_into": False},
}


_REQUIRED_SHEETS = ("Plan", "Initiatives")


def _number_out(value: float | int | None) -> float | int | str | None:
    """A number Excel shows as a number, or its exact text when 16 digits would round it."""
    if value is None:
        return None
    if float(f"{value:.16g}") == value:
        return value
    return repr(value)


def _lines(values: Iterable[str]) -> str | None:
    joined = "\n".join(values)
    return joined or None


def _initiative_row(item: Initiative, criteria: list[str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "pillar": item.pillar,
        "goals": _lines(item.goals),
        "lead": item.lead.name if item.lead else None,
        "lead_org_id": item.lead.org_id if item.lead else None,
        "partners": _lines(p.name for p in item.partners),
        "partner_org_ids": (
            "\n".join(p.org_id or "" for p in item.partners)
            if any(p.org_id for p in item.partners)
            else None
        ),
        "countries": _lines(item.countries),
        "target_groups": _lines(item.target_groups),
        "start": item.start,
        "end": item.end,
        "budget": _number_out(item.budget),
        "funding_sources": _lines(item.funding_sources),
        "status": item.status,
        "risks": _lines(item.risks),
        "depends_on": _lines(item.depends_on),
        "gender_dimension": item.gender_dimension,
        "cross_border": item.cross_border,
        "kpis": _lines(item.kpis),
        "version": item.version,
        **{f"{SCORE_PREFIX}{c}": item.scores.get(c) for c in criteria},
    }


def _kpi_row(kpi: Kpi) -> dict[str, Any]:
    return {
        "id": kpi.id,
        "name": kpi.name,
        "definition": kpi.definition,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "baseline_value": _number_out(kpi.baseline.value) if kpi.baseline else None,
        "baseline_date": kpi.baseline.date if kpi.baseline else None,
        "target_value": _number_out(kpi.target.value) if kpi.target else None,
        "target_date": kpi.target.date if kpi.target else None,
        "source": kpi.source,
        "frequency": kpi.frequency,
        "owner": kpi.owner,
        "initiatives": _lines(kpi.initiatives),
        "goals": _lines(kpi.goals),
    }


def write_xlsx(plan: Plan, path: str | Path, config: PlanConfig | None = None) -> Path:
    """Write the plan as an XLSX workbook, one sheet per kind of record.

    Parameters
    ----------
    plan:
        The plan.
    path:
        Where to write.
    config:
        When given, one score column per configured criterion (in its order) is written even
        if no initiative has a score yet; criteria only found in the plan follow.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> from bioconnect.plan import Goal
    >>> plan = Plan(name="Demo", region="baltic", goals=[Goal(id="G1", title="Grow")])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_xlsx(plan, Path(folder) / "plan.xlsx")
    ...     print(load_workbook(path).sheetnames)
    ...     print(read_xlsx(path) == plan)
    ['Plan', 'Goals', 'Initiatives', 'Milestones', 'KPIs', 'ActionItems']
    True
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    criteria = list(config.criterion_ids) if config is not None else []
    for item in plan.initiatives:
        criteria += [c for c in item.scores if c not in criteria]
    rows: dict[str, list[dict[str, Any]]] = {
        "Plan": [{"field": f, "value": getattr(plan, f)} for f in PLAN_FIELDS],
        "Goals": [g.model_dump() for g in plan.goals],
        "Initiatives": [_initiative_row(i, criteria) for i in plan.initiatives],
        "Milestones": [
            {"initiative": i.id, "title": m.title, "date": m.date}
            for i in plan.initiatives
            for m in i.milestones
        ],
        "KPIs": [_kpi_row(k) for k in plan.kpis],
        "ActionItems": [a.model_dump() for a in plan.action_items],
    }
    book = Workbook()
    book.remove(book.active)
    for sheet, records in rows.items():
        ws = book.create_sheet(sheet)
        columns = list(XLSX_COLUMNS[sheet])
        if sheet == "Initiatives":
            columns += [f"{SCORE_PREFIX}{c}" for c in criteria]
        ws.append(columns)
        for r, record in enumerate(records, start=2):
            for c, column in enumerate(columns, start=1):
                value = record.get(column)
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    value = xml_text(value)  # a control character would make openpyxl raise
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, even when it starts with "="
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
        for c, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(c)].width = max(12, min(40, len(column) + 4))
    return write_with(path, book.save)


def _load_sheets(path: Path, problems: list[str]) -> dict[str, Sheet]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise InputError(f"Plan file {path} does not exist.", "Check the path.") from exc
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(
            f"Plan file {path} is not a readable XLSX workbook ({exc}).",
            "Save it from Excel or LibreOffice as .xlsx.",
        ) from exc
    sheets: dict[str, Sheet] = {}
    try:
        for name in XLSX_COLUMNS:
            if name not in book.sheetnames:
                if name in _REQUIRED_SHEETS:
                    problems.append(f"sheet {name} is missing")
                continue
            it = book[name].iter_rows(values_only=True)
            first = next(it, None)
            header = [cell_text(h).strip() if h is not None else "" for h in (first or ())]
            while header and header[-1] == "":
                header.pop()
            rows = []
            for number, values in enumerate(it, start=2):
                if all(v is None or (isinstance(v, str) and v == "") for v in values):
                    continue
                record = {}
                for column, value in zip(header, values, strict=False):
                    if column:
                        record[column] = value
                extra = [v for v in values[len(header) :] if v not in (None, "")]
                if extra:
                    problems.append(f"{name} row {number}: values beyond the last named column")
                rows.append((number, record))
            sheets[name] = Sheet(name, header, rows)
    finally:
        book.close()
    return sheets


def _check_header(sheet: Sheet, problems: list[str], criteria: set[str] | None) -> None:
    known = XLSX_COLUMNS[sheet.name]
    missing = [c for c, required in known.items() if required and c not in sheet.header]
    for column in missing:
        problems.append(f"{sheet.name}: column {column} is missing")
    seen: set[str] = set()
    for column in sheet.header:
        if column in seen:
            problems.append(f"{sheet.name}: column {column} appears twice")
        seen.add(column)
        if column in known:
            continue
        if sheet.name == "Initiatives" and column.startswith(SCORE_PREFIX):
            crit = column[len(SCORE_PREFIX) :]
            if criteria is not None and crit not in criteria:
                problems.append(
                    f"Initiatives: column {column} scores unknown criterion {crit!r} "
                    f"(criteria: {', '.join(sorted(criteria))})"
                )
            continue
        problems.append(f"{sheet.name}: unknown column {column!r}")


def read_xlsx(
    path: str | Path, config: PlanConfig | None = None, *, repairs: list[str] | None = None
) -> Plan:
    """Read a plan from an XLSX workbook written by :func:`write_xlsx` or by hand.

    Parameters
    ----------
    path:
        The workbook.
    config:
        The region's plan configuration; when given, initiatives must use its pillars and
        score columns its criteria.
    repairs:
        When given, a line is added to it for each documented repair made while reading
        (``Initiatives row 2 (I1), column budget: decimal-comma (12,5 read as 12.5)``); the
        cells are read by :mod:`bioconnect.model.values`, as mapped imports read theirs.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        Listing every problem found, each as ``<sheet> row <n>, column <c>: <what>``.
    """
    path = Path(path)
    problems: list[str] = []
    sheets = _load_sheets(path, problems)
    criteria = set(config.criterion_ids) if config is not None else None
    for sheet in sheets.values():
        _check_header(sheet, problems, criteria)
    if problems:
        raise_problems(f"Plan file {path}", problems)
    reader = _Records(sheets, problems)
    meta = read_plan_sheet(sheets.get("Plan"), problems)
    reader.read_milestones()
    goals = reader.records("Goals", Goal, _simple(GOAL_CELLS), plain_column)
    initiatives = reader.records(
        "Initiatives", Initiative, reader.read_initiative, initiative_column
    )
    kpis = reader.records("KPIs", Kpi, read_kpi_row, kpi_column)
    actions = reader.records("ActionItems", ActionItem, _simple(ACTION_CELLS), plain_column)
    reader.check_milestone_owners()
    for rid, column, message in structure_problems(initiatives, config):
        where = where_row("Initiatives", reader.row_of[("Initiatives", rid)], rid)
        problems.append(f"{where}, column {column}: {message}")
    if problems:
        raise_problems(f"Plan file {path}", problems)
    if repairs is not None:
        repairs.extend(line for sheet in sheets.values() for line in sheet.repairs)
    return Plan.model_validate(
        {
            **meta,
            "goals": goals,
            "initiatives": initiatives,
            "kpis": kpis,
            "action_items": actions,
        }
    )


_RowReader = Callable[[Sheet, int, dict[str, Any], list[str]], dict[str, Any] | None]


def _simple(readers: dict[str, Reader]) -> _RowReader:
    """A row reader that only converts the cells."""
    return lambda sheet, number, record, problems: read_cells(
        sheet, number, record, readers, problems
    )


class _Records:
    """Reads the record sheets of one workbook, collecting problems and the row of each id."""

    def __init__(self, sheets: dict[str, Sheet], problems: list[str]) -> None:
        self.sheets = sheets
        self.problems = problems
        self.row_of: dict[tuple[str, str], int] = {}
        self.milestones: dict[str, list[Milestone]] = {}

    def records(
        self,
        name: str,
        model: type[BaseModel],
        read: _RowReader,
        column_of: Callable[[tuple[int | str, ...]], str],
    ) -> list[Any]:
        """The valid records of sheet ``name``; each bad row adds its problems."""
        sheet = self.sheets.get(name)
        out = []
        for number, record in sheet.rows if sheet else []:
            rid = record.get("id")
            if isinstance(rid, str) and rid:
                key = (name, rid)
                if key in self.row_of:
                    self.problems.append(
                        f"{name} row {number}, column id: {rid!r} is also used in row "
                        f"{self.row_of[key]}"
                    )
                    continue
                self.row_of[key] = number
            data = read(sheet, number, record, self.problems) if sheet else None
            if data is None:
                continue
            where = where_row(name, number, data.get("id"))
            obj = validate_row(model, data, where, column_of, self.problems)
            if obj is not None:
                out.append(obj)
        return out

    def read_milestones(self) -> None:
        """The Milestones sheet, grouped by the initiative they belong to."""
        sheet = self.sheets.get("Milestones")
        for number, record in sheet.rows if sheet else []:
            assert sheet is not None
            data = read_cells(sheet, number, record, MILESTONE_CELLS, self.problems)
            owner = data.pop("initiative", "")
            where = f"Milestones row {number}"
            ms = validate_row(Milestone, data, where, plain_column, self.problems)
            if ms is not None:
                self.milestones.setdefault(owner, []).append(ms)
                self.row_of.setdefault(("Milestones", owner), number)

    def read_initiative(
        self, sheet: Sheet, number: int, record: dict[str, Any], problems: list[str]
    ) -> dict[str, Any] | None:
        """An Initiatives row, with the milestones read for it."""
        data = read_initiative_row(sheet, number, record, problems)
        if data is not None and data.get("id") in self.milestones:
            data["milestones"] = self.milestones[data["id"]]
        return data

    def check_milestone_owners(self) -> None:
        """A problem for each milestone whose initiative is not in the Initiatives sheet."""
        known = {i for (kind, i) in self.row_of if kind == "Initiatives"}
        for owner in sorted(set(self.milestones) - known):
            self.problems.append(
                f"Milestones row {self.row_of[('Milestones', owner)]}, column initiative: "
                f"no initiative {owner!r} in the Initiatives sheet"
            )
