"""KPI observations: by form or CSV, their status against baseline and target, history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine, select

from bioconnect.errors import ConflictError, InputError
from bioconnect.model.values import ValueProblem, parse_date, parse_number
from bioconnect.outcomes import kpi_progress
from bioconnect.plan import Kpi
from bioconnect.services.accounts import audit
from bioconnect.services.plan import load_plan
from bioconnect.services.text_rules import NonBlankText
from bioconnect.store import schema
from bioconnect.store.schema import table

OBSERVATIONS = table(schema.KpiObservation)
PLANS = table(schema.PlanHead)
#: The columns of an observations CSV; ``source`` may be left out.
CSV_COLUMNS = ("kpi", "date", "value", "unit", "source")
_REQUIRED = ("kpi", "date", "value", "unit")
#: The largest observations file a web form takes (bytes).
UPLOAD_LIMIT = 2 * 1024 * 1024
#: The longest source a form takes (characters).
SOURCE_LIMIT = 500


class Observation(BaseModel):
    """One measured value of a KPI."""

    model_config = ConfigDict(frozen=True)

    kpi: str
    date: dt.date
    value: float
    unit: str
    source: str
    origin: str
    recorded_by: str
    recorded_at: str


class ObservationCreate(BaseModel):
    """One observation to record (the API's request body; the form has the same fields)."""

    model_config = ConfigDict(extra="forbid")  # a request body: unknown fields refused

    value: float = Field(allow_inf_nan=False, description="The measured value.")
    date: dt.date = Field(description="When it was measured (not in the future).")
    unit: str = Field(max_length=200, description="The KPI's unit, as the plan gives it.")
    source: NonBlankText = Field(max_length=SOURCE_LIMIT, description="Where the value comes from.")


class ObservationImport(BaseModel):
    """What an import did: rows read, added, changed and already present."""

    model_config = ConfigDict(frozen=True)

    file: str
    rows: int
    added: int
    changed: int
    unchanged: int


class Measure(BaseModel):
    """A value on a date (a baseline or a target)."""

    model_config = ConfigDict(frozen=True)

    value: float
    date: dt.date


class KpiStatus(BaseModel):
    """A KPI with its history and where it stands (the rule: ``bioconnect.outcomes.kpi_progress``)."""

    model_config = ConfigDict(frozen=True)

    kpi: str
    name: str
    unit: str
    direction: str
    baseline: Measure | None
    target: Measure | None
    latest: Observation | None
    history: list[Observation]
    progress: float | None
    expected: float | None
    status: str


def _kpis(engine: Engine, region: str | None) -> tuple[int, dict[str, Kpi]]:
    plan = load_plan(engine, region=region)
    with engine.connect() as conn:
        plan_id = conn.execute(select(PLANS.c.id).where(PLANS.c.region == plan.region)).scalar_one()
    return plan_id, {k.id: k for k in plan.kpis}


def _check_row(
    kpis: Mapping[str, Kpi],
    cells: Mapping[str, object],
    where: str,
    today: dt.date,
    mismatch: type[InputError] = InputError,
) -> tuple[str, dt.date, float, str]:
    """The KPI id, date, value and unit of one observation, or an error naming the cell
    (``mismatch`` for a date after ``today`` or a unit other than the KPI's)."""
    kpi_id = str(cells.get("kpi") or "").strip()
    if kpi_id not in kpis:
        known = ", ".join(sorted(kpis)) or "none"
        raise InputError(
            f"{where}, column 'kpi': no KPI {kpi_id!r} in the plan", f"use one of: {known}"
        )
    try:
        day, value = parse_date(cells.get("date")).value, parse_number(cells.get("value")).value
    except ValueProblem as problem:
        column = "date" if "date" in str(problem) else "value"
        fix = (
            "write the date as YYYY-MM-DD" if column == "date" else "give a number, e.g. 17 or 12.5"
        )
        raise InputError(f"{where}, column {column!r}: {problem}", fix) from None
    if day is None or value is None:
        column = "date" if day is None else "value"
        raise InputError(
            f"{where}, column {column!r}: the cell is empty",
            "every observation needs a date and a value",
        )
    if day > today:
        raise mismatch(
            f"{where}, column 'date': {day} is in the future", "record what has been measured"
        )
    unit, expected = str(cells.get("unit") or "").strip(), kpis[kpi_id].unit.strip()
    if expected and unit.casefold() != expected.casefold():
        raise mismatch(
            f"{where}, column 'unit': {unit!r} is not the unit of KPI {kpi_id!r}",
            f"give the value in {expected!r}",
        )
    return kpi_id, day, value, expected or unit


def _write(
    conn: Connection,
    plan_id: int,
    row: tuple[str, dt.date, float, str],
    source: str,
    origin: str,
    actor: str,
) -> str:
    kpi_id, day, value, unit = row
    key = (
        (OBSERVATIONS.c.plan_id == plan_id)
        & (OBSERVATIONS.c.kpi_id == kpi_id)
        & (OBSERVATIONS.c.observed_on == day.isoformat())
        & (OBSERVATIONS.c.source == source)
    )
    old = conn.execute(select(OBSERVATIONS.c.id, OBSERVATIONS.c.value).where(key)).first()
    if old is not None and old.value == value:
        return "unchanged"
    values = {
        "value": value,
        "unit": unit,
        "origin": origin,
        "recorded_by": actor,
        "recorded_at": schema.utcnow(),
    }
    if old is None:
        conn.execute(
            OBSERVATIONS.insert().values(
                plan_id=plan_id, kpi_id=kpi_id, observed_on=day.isoformat(), source=source, **values
            )
        )
    else:
        conn.execute(OBSERVATIONS.update().where(OBSERVATIONS.c.id == old.id).values(**values))
    detail = json.dumps(
        {"date": day.isoformat(), "value": value, "source": source, "origin": origin}
    )
    action = "add" if old is None else "update"
    audit(conn, actor, action, "kpi_observation", kpi_id, detail)
    return "added" if old is None else "changed"


def record_observation(
    engine: Engine,
    kpi: str,
    value: object,
    date: object,
    *,
    unit: str,
    source: str,
    actor: str,
    region: str | None = None,
    today: dt.date | None = None,
    origin: str = "form",
) -> Observation:
    """Record one observation (as a form does): checked, written with its audit entry.

    The source is required: with the KPI and the date it identifies the observation, so a
    second value from the same source on the same date replaces the first. ``origin``
    says how it came in (``form``, ``api``).
    """
    plan_id, kpis = _kpis(engine, region)
    cells = {"kpi": kpi, "date": date, "value": value, "unit": unit}
    # typed values (the API) are well formed; a date after today or another unit than the
    # KPI's does not fit the plan or the day: 409
    typed = not isinstance(value, str) and isinstance(date, dt.date)
    row = _check_row(
        kpis, cells, "the form", today or dt.date.today(), ConflictError if typed else InputError
    )
    cited = source.strip()
    if not cited:
        raise InputError(
            "the form, column 'source': the cell is empty",
            "say where the value comes from (a register, a survey, a report)",
        )
    if len(cited) > SOURCE_LIMIT:
        raise InputError(
            f"the form, column 'source': longer than {SOURCE_LIMIT} characters",
            "shorten the source; put details in the plan's KPI definition",
        )
    with engine.begin() as conn:
        _write(conn, plan_id, row, cited, origin, actor)
    return next(
        o
        for o in observations(engine, kpi, region=region)
        if o.date == row[1] and o.source == cited
    )


def _parse_csv(name: str, text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"{name}, row 1: the header lacks column {missing[0]!r}",
            f"the columns are {', '.join(CSV_COLUMNS)} (source optional)",
        )
    return [{k.strip().lower(): (v or "") for k, v in r.items() if k} for r in reader]


def _decode(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text", "save the file as CSV UTF-8") from None


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist", "check the path") from None
    return _parse_csv(path.name, _decode(path.name, content))


def import_observations(
    engine: Engine,
    path: Path,
    *,
    actor: str,
    region: str | None = None,
    today: dt.date | None = None,
) -> ObservationImport:
    """Import observations from a CSV (``kpi,date,value,unit[,source]``), all or nothing.

    Every row is checked before anything is written; the first bad cell raises one
    :class:`InputError` naming file, row (the header is row 1) and column. Re-importing a
    file changes nothing; a row whose value changed updates it (kpi, date and source are
    the key), each change with its audit entry.
    """
    plan_id, kpis = _kpis(engine, region)
    return _import_rows(engine, plan_id, kpis, path.name, _read_csv(path), actor, today)


def import_uploaded_observations(
    engine: Engine,
    filename: str,
    content: bytes,
    *,
    actor: str,
    region: str | None = None,
    today: dt.date | None = None,
) -> ObservationImport:
    """Import an uploaded observations CSV (a web form's file), as :func:`import_observations`.

    ``content`` longer than :data:`UPLOAD_LIMIT` bytes is refused before it is read.
    """
    name = Path(filename or "upload.csv").name
    if not name.lower().endswith(".csv"):
        raise InputError(f"{name} is not a .csv file", "upload the observations as CSV (UTF-8)")
    if len(content) > UPLOAD_LIMIT:
        raise InputError(
            f"{name} is larger than {UPLOAD_LIMIT // 1024 // 1024} MB",
            "split it into smaller files",
        )
    if not content.strip():
        raise InputError(f"{name} is empty", f"the columns are {', '.join(CSV_COLUMNS)}")
    plan_id, kpis = _kpis(engine, region)
    rows = _parse_csv(name, _decode(name, content))
    return _import_rows(engine, plan_id, kpis, name, rows, actor, today)


def _import_rows(
    engine: Engine,
    plan_id: int,
    kpis: Mapping[str, Kpi],
    name: str,
    rows: list[dict[str, str]],
    actor: str,
    today: dt.date | None,
) -> ObservationImport:
    day = today or dt.date.today()
    checked = [
        (
            _check_row(kpis, cells, f"{name}, row {n}", day),
            cells.get("source", "").strip() or name,
        )
        for n, cells in enumerate(rows, start=2)
    ]
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    with engine.begin() as conn:
        for row, source in checked:
            counts[_write(conn, plan_id, row, source, f"csv:{name}", actor)] += 1
    return ObservationImport(file=name, rows=len(rows), **counts)


def observations(
    engine: Engine, kpi: str | None = None, *, region: str | None = None
) -> list[Observation]:
    """The stored observations, by KPI and date."""
    plan_id, _ = _kpis(engine, region)
    query = select(OBSERVATIONS).where(OBSERVATIONS.c.plan_id == plan_id)
    if kpi is not None:
        query = query.where(OBSERVATIONS.c.kpi_id == kpi)
    with engine.connect() as conn:
        rows = conn.execute(
            query.order_by(OBSERVATIONS.c.kpi_id, OBSERVATIONS.c.observed_on, OBSERVATIONS.c.source)
        ).all()
    return [
        Observation(
            kpi=r.kpi_id,
            date=dt.date.fromisoformat(r.observed_on),
            value=r.value,
            unit=r.unit,
            source=r.source,
            origin=r.origin,
            recorded_by=r.recorded_by,
            recorded_at=r.recorded_at,
        )
        for r in rows
    ]


def _measure(m: object) -> Measure | None:
    return None if m is None else Measure(value=m.value, date=m.date)  # type: ignore[attr-defined]


def kpi_statuses(engine: Engine, *, region: str | None = None) -> list[KpiStatus]:
    """Every KPI of the plan with its history, latest observation and status."""
    _, kpis = _kpis(engine, region)
    history = observations(engine, region=region)
    out = []
    for kpi in kpis.values():
        mine = [o for o in history if o.kpi == kpi.id]
        latest = max(mine, key=lambda o: (o.date, o.recorded_at)) if mine else None
        progress = expected = None
        status = "no_target" if not kpi.measurable else "no_data"
        if kpi.baseline is not None and kpi.target is not None:
            got = kpi_progress(
                (kpi.baseline.value, kpi.baseline.date),
                (kpi.target.value, kpi.target.date),
                None if latest is None else (latest.value, latest.date),
            )
            progress, expected, status = got.progress, got.expected, got.status
        out.append(
            KpiStatus(
                kpi=kpi.id,
                name=kpi.name,
                unit=kpi.unit,
                direction=kpi.direction,
                baseline=_measure(kpi.baseline),
                target=_measure(kpi.target),
                latest=latest,
                history=mine,
                progress=progress,
                expected=expected,
                status=status,
            )
        )
    return out
