"""A bad input stops an ingest with one clear error and leaves the store as it was.

A store is filled once per backend from a small real preset; every bad file below is
then offered as a user's extra source, and the store must compare equal, table by
table, before and after. Each bad file is derived in ``tmp_path`` from real rows.
Sources are read in order and the extra source comes last, so the failing ingests
carry no preset sources of their own (reading them again would only cost time); a
failure after every source was read is covered by the failure while writing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

import bioconnect.store.database as database_module
from bioconnect.errors import InputError
from bioconnect.model.mapping import Mapping, load_mapping
from bioconnect.model.preset import load_preset
from bioconnect.services.ingest import ingest
from bioconnect.store import schema
from bioconnect.store.database import open_store
from storekit import BACKENDS, make_store_url, preset_with, table_snapshot

HE = "cordis/horizon-europe"
#: Official samples, the project subset (decimal commas) and the 2017 organisation names.
GOOD = ("horizon-official-samples", "horizon-projects", "h2020-organisation-names")


def _mapping(source: str) -> Mapping:
    preset = load_preset("baltic")
    (found,) = [s for s in preset.sources if s.name == source]
    return load_mapping(preset.mapping_path(found))


def _rows(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def _write(path: Path, rows: list[list[str]], delimiter: str, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


def _runs(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        runs = conn.execute(select(func.count()).select_from(schema.IngestRun.__table__))
        audit = conn.execute(select(func.count()).select_from(schema.AuditEntry.__table__))
        return int(runs.scalar_one()), int(audit.scalar_one())


class Filled(NamedTuple):
    engine: Engine
    snapshot: dict[str, tuple[int, int]]


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> Iterator[Filled]:
    """A store holding the GOOD preset and its snapshot, once per backend.

    Every test here must leave it exactly as it was.
    """
    for url in make_store_url(request.param, tmp_path_factory.mktemp("store")):
        engine = open_store(url)
        ingest(engine, preset_with(*GOOD), data_dir)
        snapshot = table_snapshot(engine)
        assert snapshot["project"][0] > 1000
        assert snapshot["participation"][0] == 100
        yield Filled(engine, snapshot)
        engine.dispose()


# --- the bad inputs ----------------------------------------------------------------------


def _project_rows(data_dir: Path) -> list[list[str]]:
    return _rows(data_dir / HE / "project_subset.csv", ";")[:21]


def wrong_separator(data_dir: Path, tmp: Path) -> tuple[Path, Mapping]:
    """The project subset, ';'-separated, under a mapping that says ','."""
    path = _write(tmp / "project_subset.csv", _project_rows(data_dir), ";")
    return path, _mapping("horizon-projects").model_copy(update={"delimiter": ","})


def missing_column(data_dir: Path, tmp: Path) -> tuple[Path, Mapping]:
    rows = _project_rows(data_dir)
    cost = rows[0].index("totalCost")
    path = _write(tmp / "project_subset.csv", [r[:cost] + r[cost + 1 :] for r in rows], ";")
    return path, _mapping("horizon-projects")


def bad_encoding(data_dir: Path, tmp: Path) -> tuple[Path, Mapping]:
    """Two Finnish rows, then Estonian rows with Ü, saved as cp1252."""
    header, *rows = _rows(data_dir / HE / "organization_subset.csv", ";")
    finnish = [r for r in rows if r[6] == "FI" and ";".join(r).isascii()][:2]
    estonian = [r for r in rows if r[1] == "TALLINNA TEHNIKAÜLIKOOL"][:5]
    path = _write(tmp / "baltic.csv", [header, *finnish, *estonian], ";", encoding="cp1252")
    return path, _mapping("horizon-participations")


def non_numeric(data_dir: Path, tmp: Path) -> tuple[Path, Mapping]:
    """The third record's acronym, PIPELINE, moved into its totalCost."""
    rows = _project_rows(data_dir)
    rows[2][rows[0].index("totalCost")] = rows[2][rows[0].index("acronym")]
    return _write(tmp / "project_subset.csv", rows, ";"), _mapping("horizon-projects")


def missing_sheet(data_dir: Path, tmp: Path) -> tuple[Path, Mapping]:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "projects"
    for row in _project_rows(data_dir):
        sheet.append(row)
    path = tmp / "project_subset.xlsx"
    workbook.save(path)
    return path, _mapping("horizon-projects").model_copy(update={"sheet": "project"})


def missing_file(data_dir: Path, tmp: Path) -> tuple[Path, Mapping]:
    return tmp / "stakeholders.csv", _mapping("horizon-participations")


BAD_INPUTS: dict[str, tuple[Callable[[Path, Path], tuple[Path, Mapping]], str]] = {
    "wrong separator": (
        wrong_separator,
        r"^project_subset\.csv: the header has no ',' separators but has 13 ';'\. "
        r"Set `delimiter: ';'`",
    ),
    "missing column": (
        missing_column,
        r"^project_subset\.csv: required column 'totalCost' is missing; the file has: id, ",
    ),
    "bad encoding": (
        bad_encoding,
        r"^baltic\.csv, line 4: the bytes are not valid UTF-8 .* Set `encoding:` in the mapping",
    ),
    "non-numeric number": (
        non_numeric,
        r"^project_subset\.csv, row 3, column 'totalCost': 'PIPELINE' is not a number\.",
    ),
    "missing sheet": (
        missing_sheet,
        r"^project_subset\.xlsx: there is no sheet 'project'; the sheets are projects\. "
        r"Set `sheet:`",
    ),
    "missing file": (missing_file, r"^File .*/stakeholders\.csv does not exist\."),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_names_the_problem_and_leaves_the_store_unchanged(
    case: str, store: Filled, data_dir: Path, tmp_path: Path
) -> None:
    make, message = BAD_INPUTS[case]
    path, mapping = make(data_dir, tmp_path)
    runs = _runs(store.engine)
    with pytest.raises(InputError, match=message) as info:
        ingest(store.engine, preset_with(), data_dir, extra_sources=[("user-file", path, mapping)])
    assert "\n" not in str(info.value)
    assert table_snapshot(store.engine) == store.snapshot
    assert _runs(store.engine) == runs


# --- repairs in provenance ---------------------------------------------------------------


def test_decimal_comma_repairs_point_at_their_file_and_row(store: Filled, data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / HE / "project_subset.csv", sep=";", dtype=str)
    comma_rows = {i + 2 for i in raw.index[raw["totalCost"].str.contains(",")]}
    repair, source_file = schema.Repair.__table__, schema.SourceFile.__table__
    with store.engine.connect() as conn:
        (file_id, repairs, notes) = conn.execute(
            select(source_file.c.id, source_file.c.repairs, source_file.c.notes).where(
                source_file.c.path == f"{HE}/project_subset.csv"
            )
        ).one()
        rows = conn.execute(
            select(repair.c.source_row, repair.c.column, repair.c.kind, repair.c.detail).where(
                repair.c.source_file_id == file_id
            )
        ).all()
    assert {r.source_row for r in rows} == comma_rows
    assert {(r.column, r.kind) for r in rows} == {("totalCost", "decimal-comma")}
    assert repairs == len(rows) == 496
    assert notes is None  # the mapping names its separator
    assert "4975670,75 read as 4975670.75" in {r.detail for r in rows if r.source_row == 2}


def test_stored_total_cost_is_the_repaired_value(store: Filled) -> None:
    project, source_file = schema.Project.__table__, schema.SourceFile.__table__
    with store.engine.connect() as conn:
        row = conn.execute(
            select(
                project.c.total_cost, project.c.source_row, project.c.repairs, source_file.c.path
            )
            .join(source_file, project.c.source_file_id == source_file.c.id)
            .where(project.c.id == "101147312")
        ).one()
    assert row.total_cost == 4975670.75
    assert (row.path, row.source_row) == (f"{HE}/project_subset.csv", 2)
    assert row.repairs == "decimal-comma in totalCost"


def test_separator_detection_is_noted_in_provenance(store: Filled) -> None:
    source_file = schema.SourceFile.__table__
    with store.engine.connect() as conn:
        rows = conn.execute(select(source_file.c.path, source_file.c.notes)).all()
    notes = {row.path: row.notes for row in rows}
    samples = "cordis/horizon-europe-official-samples"
    assert notes[f"{samples}/organization.csv"] == "separator ',' detected from the header"
    assert notes[f"{samples}/project.csv"] == "separator ',' detected from the header"


def test_a_failure_while_writing_leaves_the_store_unchanged(
    store: Filled, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old rows are deleted and some new ones written before the write fails."""
    real_insert = database_module.bulk_insert
    written: list[str] = []

    def failing_insert(conn: object, name: str, frame: pd.DataFrame) -> int:
        if name == "participation":
            raise RuntimeError("the disk is full")
        written.append(name)
        return real_insert(conn, name, frame)

    monkeypatch.setattr(database_module, "bulk_insert", failing_insert)
    runs = _runs(store.engine)
    with pytest.raises(RuntimeError, match="the disk is full"):
        ingest(store.engine, preset_with(*GOOD), data_dir)
    assert "project" in written and "source_file" in written
    assert table_snapshot(store.engine) == store.snapshot
    assert _runs(store.engine) == runs


# --- the official samples alone ----------------------------------------------------------


def test_the_official_samples_alone_ingest(engine: Engine, data_dir: Path) -> None:
    """The official-schema samples load, also without an organisation-name source."""
    report = ingest(engine, preset_with("horizon-official-samples"), data_dir)
    assert report.counts["project"] == 100
    assert report.counts["participation"] == 100
    assert report.counts["source_file"] == 6
