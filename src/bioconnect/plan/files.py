"""Read and write plans as YAML and XLSX, exactly: writing then reading gives an equal plan.

YAML holds the plan as nested records (fields at their default value are left out). XLSX
holds one sheet per kind of record, with the columns listed in :data:`XLSX_COLUMNS` and in
``docs/plan.md``; lists are written one item per line within a cell.

Reading checks the whole file before failing, and raises one
:class:`~bioconnect.errors.InputError` that lists every problem with its sheet, row and
column (XLSX) or its path in the document (YAML). Besides types and allowed values, reading
refuses what cannot make a plan: unknown pillars (when a configuration is given), initiatives
that end before they start, and dependency loops. Weaker problems are left to
:func:`~bioconnect.plan.lint.lint`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import BaseModel, ValidationError

from bioconnect.errors import InputError
from bioconnect.plan.config import PlanConfig
from bioconnect.plan.lint import dependency_cycles
from bioconnect.plan.model import ActionItem, Goal, Initiative, Kpi, Milestone, Plan

__all__ = [
    "XLSX_COLUMNS",
    "plan_from_yaml",
    "plan_to_yaml",
    "read_plan",
    "read_xlsx",
    "read_yaml",
    "write_plan",
    "write_xlsx",
    "write_yaml",
]

_FIX = "Correct the file and read it again; docs/plan.md lists the fields and columns."

# --------------------------------------------------------------------------------- YAML


def plan_to_yaml(plan: Plan) -> str:
    """The plan as YAML text, leaving out fields at their default value.

    Examples
    --------
    >>> from bioconnect.plan import Goal, Plan
    >>> print(plan_to_yaml(Plan(name="Demo", region="baltic", goals=[Goal(id="G1", title="Grow")])))
    name: Demo
    region: baltic
    goals:
    - id: G1
      title: Grow
    <BLANKLINE>
    """
    data = plan.model_dump(mode="python", exclude_defaults=True)
    for key in ("name", "region"):
        data.setdefault(key, getattr(plan, key))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


class _PlanLoader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text, so the model can report a bad one."""


_PlanLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def _yaml_where(raw: Any, loc: Sequence[int | str]) -> str:
    """``initiatives[3] (I04).budget`` for a pydantic error location."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            try:
                node = node[step]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f" ({node['id']})"
            except (IndexError, KeyError, TypeError):
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "the document"


def _describe(error: Any) -> str:
    msg = str(error["msg"])
    if error["type"] in ("missing", "extra_forbidden"):
        return msg.lower()
    shown = repr(error.get("input"))
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{msg} (got {shown})"


def plan_from_yaml(
    text: str, *, config: PlanConfig | None = None, source: str = "Plan YAML"
) -> Plan:
    """Parse and check a plan from YAML text.

    Parameters
    ----------
    text:
        The YAML document.
    config:
        The region's plan configuration; when given, initiatives must use its pillars.
    source:
        How to name the document in error messages (a file name).

    Raises
    ------
    InputError
        Listing every problem, each with its place in the document.
    """
    try:
        raw = yaml.load(text, Loader=_PlanLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        raise InputError(f"{source} is not valid YAML: {exc}.", "Fix the YAML syntax.") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{source} does not hold a mapping of plan fields.", _FIX)
    problems: list[str] = []
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(raw)
        valid = list(enumerate(plan.initiatives))
    except ValidationError as exc:
        problems = [f"{_yaml_where(raw, e['loc'])}: {_describe(e)}" for e in exc.errors()]
        valid = _valid_initiatives(raw.get("initiatives"))
    index: dict[str, str] = {}
    for n, record in valid:
        index.setdefault(record.id, f"initiatives[{n}] ({record.id})")
    problems += [
        f"{index[rid]}.{column}: {message}"
        for rid, column, message in _structure_problems([r for _, r in valid], config)
    ]
    if problems or plan is None:
        _raise(source, problems)
    return plan


def _valid_initiatives(raw: Any) -> list[tuple[int, Initiative]]:
    """The initiatives of a YAML document that are valid on their own, with their index."""
    out = []
    for n, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            out.append((n, Initiative.model_validate(item)))
        except ValidationError:
            continue
    return out


def read_yaml(path: str | Path, config: PlanConfig | None = None) -> Plan:
    """Read a plan from a YAML file (see :func:`plan_from_yaml`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"Plan file {path} does not exist.", "Check the path.") from exc
    return plan_from_yaml(text, config=config, source=f"Plan file {path}")


def write_yaml(plan: Plan, path: str | Path) -> Path:
    """Write the plan as YAML; returns the path."""
    path = Path(path)
    path.write_text(plan_to_yaml(plan), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- checks


def _structure_problems(
    initiatives: Sequence[Initiative], config: PlanConfig | None
) -> list[tuple[str, str, str]]:
    """(initiative id, column, message) for what cannot be imported.

    Checked on every initiative that is valid on its own, so that these problems are listed
    together with the others.
    """
    out = []
    pillars = set(config.pillar_ids) if config is not None else None
    for item in initiatives:
        if pillars is not None and item.pillar not in pillars:
            out.append(
                (
                    item.id,
                    "pillar",
                    f"unknown pillar {item.pillar!r} (use one of: {', '.join(sorted(pillars))})",
                )
            )
        if item.start is not None and item.end is not None and item.end < item.start:
            out.append((item.id, "end", f"end {item.end} is before start {item.start}"))
    for cycle in dependency_cycles({i.id: i.depends_on for i in initiatives}):
        loop = " → ".join([*cycle, cycle[0]])
        out.append((cycle[0], "depends_on", f"dependency loop {loop}"))
    return out


def _raise(source: str, problems: list[str]) -> NoReturn:
    listed = "\n".join(f"  - {p}" for p in problems)
    raise InputError(f"{source} has {len(problems)} problem(s):\n{listed}\n", _FIX)


# --------------------------------------------------------------------------------- XLSX

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
_PLAN_FIELDS = ("name", "region", "example", "description")
_SCORE_PREFIX = "score_"
_ID_SPLIT = re.compile(r"[\s,;]+")


class _CellError(ValueError):
    pass


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
        **{f"{_SCORE_PREFIX}{c}": item.scores.get(c) for c in criteria},
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
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    criteria = list(config.criterion_ids) if config is not None else []
    for item in plan.initiatives:
        criteria += [c for c in item.scores if c not in criteria]
    rows: dict[str, list[dict[str, Any]]] = {
        "Plan": [{"field": f, "value": getattr(plan, f)} for f in _PLAN_FIELDS],
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
            columns += [f"{_SCORE_PREFIX}{c}" for c in criteria]
        ws.append(columns)
        for r, record in enumerate(records, start=2):
            for c, column in enumerate(columns, start=1):
                value = record.get(column)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, even when it starts with "="
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
        for c, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(c)].width = max(12, min(40, len(column) + 4))
    path = Path(path)
    book.save(path)
    return path


# -- reading cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _CellError(f"{value!r} is not text")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise _CellError(f"{value!r} is not text")


def _opt_text(value: Any) -> str | None:
    text = _text(value)
    return text or None


def _id_list(value: Any) -> list[str]:
    return [p for p in _ID_SPLIT.split(_text(value)) if p]


def _line_list(value: Any) -> list[str]:
    return [p for p in _text(value).split("\n") if p]


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise _CellError(f"{value} has a time of day; give a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _CellError(f"{value!r} is not a date (use YYYY-MM-DD)")


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _CellError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            raise _CellError(f"{value!r} is not a number") from None
    else:
        raise _CellError(f"{value!r} is not a number")
    if not math.isfinite(result):
        raise _CellError(f"{value!r} is not a finite number")
    return result


def _integer(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise _CellError(f"{value!r} is not a whole number")
    return int(number)


def _boolean(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "y", "1", "x"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "n", "0"):
        return False
    raise _CellError(f"{value!r} is not yes/no (use TRUE or FALSE)")


_Reader = Callable[[Any], Any]
_GOAL_CELLS: dict[str, _Reader] = {"id": _text, "title": _text, "description": _text}
_INITIATIVE_CELLS: dict[str, _Reader] = {
    "id": _text,
    "title": _text,
    "description": _text,
    "pillar": _text,
    "goals": _id_list,
    "lead": _opt_text,
    "lead_org_id": _opt_text,
    "partners": _line_list,
    "partner_org_ids": _text,
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
_KPI_CELLS: dict[str, _Reader] = {
    "id": _text,
    "name": _text,
    "definition": _text,
    "unit": _text,
    "direction": _opt_text,
    "baseline_value": _number,
    "baseline_date": _date,
    "target_value": _number,
    "target_date": _date,
    "source": _text,
    "frequency": _text,
    "owner": _opt_text,
    "initiatives": _id_list,
    "goals": _id_list,
}
_ACTION_CELLS: dict[str, _Reader] = {
    "id": _text,
    "text": _text,
    "proposed_by": _opt_text,
    "merged_into": _opt_text,
}
_MILESTONE_CELLS: dict[str, _Reader] = {"initiative": _text, "title": _text, "date": _date}


class _Sheet:
    """The rows of one sheet as {column: value}, with their Excel row numbers."""

    def __init__(self, name: str, header: list[str], rows: list[tuple[int, dict[str, Any]]]):
        self.name = name
        self.header = header
        self.rows = rows


def _load_sheets(path: Path, problems: list[str]) -> dict[str, _Sheet]:
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
    sheets: dict[str, _Sheet] = {}
    try:
        for name in XLSX_COLUMNS:
            if name not in book.sheetnames:
                if name in _REQUIRED_SHEETS:
                    problems.append(f"sheet {name} is missing")
                continue
            it = book[name].iter_rows(values_only=True)
            first = next(it, None)
            header = [_text(h).strip() if h is not None else "" for h in (first or ())]
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
            sheets[name] = _Sheet(name, header, rows)
    finally:
        book.close()
    return sheets


def _check_header(sheet: _Sheet, problems: list[str], criteria: set[str] | None) -> None:
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
        if sheet.name == "Initiatives" and column.startswith(_SCORE_PREFIX):
            crit = column[len(_SCORE_PREFIX) :]
            if criteria is not None and crit not in criteria:
                problems.append(
                    f"Initiatives: column {column} scores unknown criterion {crit!r} "
                    f"(criteria: {', '.join(sorted(criteria))})"
                )
            continue
        problems.append(f"{sheet.name}: unknown column {column!r}")


_FAILED = "__failed__"


def _cells(
    sheet: _Sheet,
    number: int,
    record: dict[str, Any],
    readers: dict[str, _Reader],
    problems: list[str],
) -> dict[str, Any]:
    """Convert a row's cells; columns that fail are reported and listed under ``_FAILED``."""
    out: dict[str, Any] = {_FAILED: set()}
    for column, reader in readers.items():
        if column not in record:
            continue
        try:
            out[column] = reader(record[column])
        except _CellError as exc:
            where = _where_row(sheet.name, number, record.get("id"))
            problems.append(f"{where}, column {column}: {exc}")
            out[_FAILED].add(column)
    return out


def _validate(
    model: type[BaseModel],
    data: dict[str, Any],
    where: str,
    column_of: Callable[[tuple[int | str, ...]], str],
    problems: list[str],
) -> Any:
    failed: set[str] = data.pop(_FAILED, set())
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            column = column_of(tuple(e["loc"]))
            if column in failed or (e["type"] == "missing" and failed):
                continue  # already reported as a bad cell
            problems.append(f"{where}, column {column}: {_describe(e)}")
        return None
    return None if failed else obj


def _plain_column(loc: tuple[int | str, ...]) -> str:
    return str(loc[0]) if loc else "(row)"


def _initiative_column(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return "(row)"
    if loc[0] == "scores" and len(loc) > 1:
        return f"{_SCORE_PREFIX}{loc[1]}"
    if loc[0] == "lead" and len(loc) > 1 and loc[1] == "org_id":
        return "lead_org_id"
    if loc[0] == "partners" and len(loc) > 2 and loc[2] == "org_id":
        return "partner_org_ids"
    return str(loc[0])


def _kpi_column(loc: tuple[int | str, ...]) -> str:
    if loc and loc[0] in ("baseline", "target") and len(loc) > 1:
        return f"{loc[0]}_{loc[1]}"
    return _plain_column(loc)


def _read_plan_sheet(sheet: _Sheet | None, problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sheet is None:
        return out
    for number, record in sheet.rows:
        field = _text(record.get("field")).strip()
        value = record.get("value")
        where = f"Plan row {number}, column value"
        if field not in _PLAN_FIELDS:
            problems.append(
                f"Plan row {number}, column field: unknown field {field!r} "
                f"(use {', '.join(_PLAN_FIELDS)})"
            )
        elif field in out:
            problems.append(f"Plan row {number}, column field: {field} is given twice")
        else:
            try:
                out[field] = _boolean(value) if field == "example" else _text(value)
            except _CellError as exc:
                problems.append(f"{where}: {exc}")
    for field in ("name", "region"):
        if not out.get(field):
            problems.append(f"Plan: field {field} is missing or empty")
    return out


def _read_initiative(
    sheet: _Sheet, number: int, record: dict[str, Any], problems: list[str]
) -> dict[str, Any] | None:
    data = _cells(sheet, number, record, _INITIATIVE_CELLS, problems)
    scores: dict[str, Any] = {}
    for column, value in record.items():
        if column.startswith(_SCORE_PREFIX):
            try:
                score = _integer(value)
            except _CellError as exc:
                where = _where_row("Initiatives", number, record.get("id"))
                problems.append(f"{where}, column {column}: {exc}")
                data[_FAILED].add(column)
                continue
            if score is not None:
                scores[column[len(_SCORE_PREFIX) :]] = score
    data["scores"] = scores
    lead, lead_id = data.pop("lead", None), data.pop("lead_org_id", None)
    if lead is not None:
        data["lead"] = {"name": lead, "org_id": lead_id}
    elif lead_id is not None:
        problems.append(
            f"{_where_row('Initiatives', number, record.get('id'))}, column lead: "
            "lead_org_id is set but lead is empty"
        )
        data[_FAILED].add("lead")
    names = data.pop("partners", [])
    ids_text = data.pop("partner_org_ids", "")
    ids = ids_text.split("\n") if ids_text else [""] * len(names)
    if len(ids) != len(names):
        problems.append(
            f"{_where_row('Initiatives', number, record.get('id'))}, column partner_org_ids: {len(ids)} line(s) for "
            f"{len(names)} partner(s); give one line per partner (empty when unknown)"
        )
        data[_FAILED].add("partners")
    else:
        data["partners"] = [
            {"name": n, "org_id": i or None} for n, i in zip(names, ids, strict=True)
        ]
    for key in ("status", "version"):
        if data.get(key) is None:
            data.pop(key, None)
    return data


def _read_kpi(
    sheet: _Sheet, number: int, record: dict[str, Any], problems: list[str]
) -> dict[str, Any] | None:
    data = _cells(sheet, number, record, _KPI_CELLS, problems)
    for part in ("baseline", "target"):
        value, date = data.pop(f"{part}_value", None), data.pop(f"{part}_date", None)
        if (value is None) != (date is None):
            empty = f"{part}_date" if date is None else f"{part}_value"
            problems.append(
                f"{_where_row('KPIs', number, record.get('id'))}, column {empty}: "
                f"give both {part}_value and {part}_date, or neither"
            )
            data[_FAILED].add(part)
        elif value is not None:
            data[part] = {"value": value, "date": date}
    if data.get("direction") is None:
        data.pop("direction", None)
    return data


def _where_row(sheet: str, number: int, rid: Any) -> str:
    return f"{sheet} row {number}" + (f" ({rid})" if isinstance(rid, str) and rid else "")


def read_xlsx(path: str | Path, config: PlanConfig | None = None) -> Plan:
    """Read a plan from an XLSX workbook written by :func:`write_xlsx` or by hand.

    Parameters
    ----------
    path:
        The workbook.
    config:
        The region's plan configuration; when given, initiatives must use its pillars and
        score columns its criteria.

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
        _raise(f"Plan file {path}", problems)

    meta = _read_plan_sheet(sheets.get("Plan"), problems)
    row_of: dict[tuple[str, str], int] = {}

    def records(
        name: str,
        model: type[BaseModel],
        read: Callable[[_Sheet, int, dict[str, Any], list[str]], dict[str, Any] | None],
        column_of: Callable[[tuple[int | str, ...]], str],
    ) -> list[Any]:
        sheet = sheets.get(name)
        out = []
        for number, record in sheet.rows if sheet else []:
            rid = record.get("id")
            if isinstance(rid, str) and rid:
                key = (name, rid)
                if key in row_of:
                    problems.append(
                        f"{name} row {number}, column id: {rid!r} is also used in row {row_of[key]}"
                    )
                    continue
                row_of[key] = number
            data = read(sheet, number, record, problems) if sheet else None
            if data is None:
                continue
            where = _where_row(name, number, data.get("id"))
            obj = _validate(model, data, where, column_of, problems)
            if obj is not None:
                out.append(obj)
        return out

    def simple(readers: dict[str, _Reader]) -> Callable[..., dict[str, Any] | None]:
        return lambda sheet, number, record, problems: _cells(
            sheet, number, record, readers, problems
        )

    milestones: dict[str, list[Milestone]] = {}
    ms_sheet = sheets.get("Milestones")
    for number, record in ms_sheet.rows if ms_sheet else []:
        assert ms_sheet is not None
        data = _cells(ms_sheet, number, record, _MILESTONE_CELLS, problems)
        owner = data.pop("initiative", "")
        where = f"Milestones row {number}"
        ms = _validate(Milestone, data, where, _plain_column, problems)
        if ms is not None:
            milestones.setdefault(owner, []).append(ms)
            row_of.setdefault(("Milestones", owner), number)

    def read_initiative(
        sheet: _Sheet, number: int, record: dict[str, Any], problems: list[str]
    ) -> dict[str, Any] | None:
        data = _read_initiative(sheet, number, record, problems)
        if data is not None and data.get("id") in milestones:
            data["milestones"] = milestones[data["id"]]
        return data

    goals = records("Goals", Goal, simple(_GOAL_CELLS), _plain_column)
    initiatives = records("Initiatives", Initiative, read_initiative, _initiative_column)
    kpis = records("KPIs", Kpi, _read_kpi, _kpi_column)
    actions = records("ActionItems", ActionItem, simple(_ACTION_CELLS), _plain_column)
    for owner in sorted(set(milestones) - {i for (kind, i) in row_of if kind == "Initiatives"}):
        problems.append(
            f"Milestones row {row_of[('Milestones', owner)]}, column initiative: no initiative "
            f"{owner!r} in the Initiatives sheet"
        )
    for rid, column, message in _structure_problems(initiatives, config):
        where = _where_row("Initiatives", row_of[("Initiatives", rid)], rid)
        problems.append(f"{where}, column {column}: {message}")
    if problems:
        _raise(f"Plan file {path}", problems)
    return Plan.model_validate(
        {
            **meta,
            "goals": goals,
            "initiatives": initiatives,
            "kpis": kpis,
            "action_items": actions,
        }
    )


# ------------------------------------------------------------------------------ either


def read_plan(path: str | Path, config: PlanConfig | None = None) -> Plan:
    """Read a plan from ``.yaml``/``.yml`` or ``.xlsx``, chosen by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(path, config)
    if suffix == ".xlsx":
        return read_xlsx(path, config)
    raise InputError(
        f"Cannot tell the format of plan file {path} from its suffix {suffix!r}.",
        "Name it .yaml, .yml or .xlsx.",
    )


def write_plan(plan: Plan, path: str | Path, config: PlanConfig | None = None) -> Path:
    """Write a plan as ``.yaml``/``.yml`` or ``.xlsx``, chosen by the path's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return write_yaml(plan, path)
    if suffix == ".xlsx":
        return write_xlsx(plan, path, config)
    raise InputError(
        f"Cannot tell which format to write {path} in from its suffix {suffix!r}.",
        "Name it .yaml, .yml or .xlsx.",
    )
