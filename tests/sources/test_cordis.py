"""The official CORDIS schema: the real samples as a folder, a zip of ';' CSV, and xlsx.

CORDIS ships each programme as a zip of ';'-separated CSV files and as xlsx workbooks;
the stored samples are comma-separated copies of the first 100 rows of each table. The
zip and the workbooks are rebuilt here from those real rows, so all three shapes must
give the same records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from bioconnect.errors import InputError
from bioconnect.sources.cordis import TABLES, read_cordis
from bioconnect.sources.mapped import MappedFile

SAMPLES = "cordis/horizon-europe-official-samples"
ENTITY = {
    "project": "project",
    "organization": "participation",
    "euroSciVoc": "project_field",
    "topics": "project_topic",
    "legalBasis": "project_part",
    "webLink": "project_link",
}
#: Columns the official xlsx holds as numbers and dates rather than text.
NUMBER_COLUMNS = {
    "projectID",
    "id",
    "organisationID",
    "rcn",
    "order",
    "ecContribution",
    "netEcContribution",
    "totalCost",
    "ecMaxContribution",
}
DATE_COLUMNS = {"startDate", "endDate", "ecSignatureDate"}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _xlsx_cell(column: str, value: str) -> object:
    if value == "":
        return None
    if column in NUMBER_COLUMNS:
        if re.fullmatch(r"-?\d+", value):
            return int(value)
        if re.fullmatch(r"-?\d+\.\d+", value):
            return float(value)
    if column in DATE_COLUMNS and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return dt.date.fromisoformat(value)
    if column == "SME" and value in {"True", "False"}:
        return value == "True"
    return value


@pytest.fixture(scope="module")
def samples(data_dir: Path) -> Path:
    return data_dir / SAMPLES


@pytest.fixture(scope="module")
def as_zip(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples as CORDIS ships them: ';'-separated CSV files inside a zip."""
    target = tmp_path_factory.mktemp("zip") / "cordis-HORIZONprojects-csv.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            out = _semicolon_text(_rows(samples / f"{table}.csv"))
            archive.writestr(f"{table}.csv", out)
    return target


def _semicolon_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def as_xlsx(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples as xlsx workbooks; project.xlsx has another real table as its first sheet."""
    folder = tmp_path_factory.mktemp("xlsx")
    for table in TABLES:
        header, *records = _rows(samples / f"{table}.csv")
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        if table == "project":
            sheet.title = "legalBasis"
            for row in _rows(samples / "legalBasis.csv"):
                sheet.append(row)
            sheet = workbook.create_sheet("project")
        else:
            sheet.title = table
        sheet.append(header)
        for record in records:
            sheet.append([_xlsx_cell(c, v) for c, v in zip(header, record, strict=True)])
        workbook.save(folder / f"{table}.xlsx")
    return folder


@pytest.fixture(scope="module")
def from_folder(samples: Path) -> list[MappedFile]:
    return read_cordis(samples, "HORIZON")


@pytest.fixture(scope="module")
def from_zip(as_zip: Path) -> list[MappedFile]:
    return read_cordis(as_zip, "HORIZON")


@pytest.fixture(scope="module")
def from_xlsx(as_xlsx: Path) -> list[MappedFile]:
    return read_cordis(as_xlsx, "HORIZON")


def _by_table(results: list[MappedFile]) -> dict[str, MappedFile]:
    return {r.path.name.split(".")[0]: r for r in results}


def test_the_zip_really_holds_semicolon_csv(as_zip: Path) -> None:
    with zipfile.ZipFile(as_zip) as archive:
        header = archive.read("organization.csv").decode("utf-8").splitlines()[0]
    assert header.startswith("projectID;projectAcronym;organisationID;vatNumber;name;")


def test_folder_reads_every_table_with_its_rows(
    from_folder: list[MappedFile], samples: Path
) -> None:
    tables = _by_table(from_folder)
    assert list(tables) == list(TABLES)
    for table, result in tables.items():
        oracle = pd.read_csv(samples / f"{table}.csv", dtype=str)
        assert result.rows_read == len(oracle) == 100
        assert list(result.records) == [ENTITY[table]]
        assert len(result.records[ENTITY[table]]) == 100
        assert "separator ',' detected from the header" in result.notes


def test_folder_participations_cover_42_projects(from_folder: list[MappedFile]) -> None:
    participations = _by_table(from_folder)["organization"].records["participation"]
    assert participations["project_id"].nunique() == 42


def test_zip_names_each_file_inside_the_zip(from_zip: list[MappedFile], as_zip: Path) -> None:
    assert [r.path for r in from_zip] == [as_zip / f"{t}.csv" for t in TABLES]
    assert all("separator ';' detected from the header" in r.notes for r in from_zip)


def test_xlsx_extra_sheet_is_skipped_and_noted(from_xlsx: list[MappedFile]) -> None:
    project = _by_table(from_xlsx)["project"]
    assert project.notes == ["sheet 'project' chosen among legalBasis, project"]
    assert len(project.records["project"]) == 100


@pytest.mark.parametrize("shape", ["from_zip", "from_xlsx"])
def test_every_shape_gives_the_folder_records(
    shape: str, from_folder: list[MappedFile], request: pytest.FixtureRequest
) -> None:
    other = _by_table(request.getfixturevalue(shape))
    for table, expected in _by_table(from_folder).items():
        got = other[table]
        assert got.rows_read == expected.rows_read
        assert got.repairs == expected.repairs
        for entity, frame in expected.records.items():
            pd.testing.assert_frame_equal(got.records[entity], frame, obj=f"{shape} {table}")


@pytest.mark.parametrize("shape", ["from_folder", "from_zip", "from_xlsx"])
def test_ids_pics_and_contributions_match_pandas(
    shape: str, samples: Path, request: pytest.FixtureRequest
) -> None:
    tables = _by_table(request.getfixturevalue(shape))
    projects = pd.read_csv(samples / "project.csv", dtype=str)
    organisations = pd.read_csv(samples / "organization.csv", dtype=str)

    got_projects = tables["project"].records["project"]
    assert got_projects["project_id"].tolist() == projects["id"].tolist()

    got = tables["organization"].records["participation"]
    assert got["pic"].tolist() == organisations["organisationID"].tolist()
    assert got["project_id"].tolist() == organisations["projectID"].tolist()
    expected = pd.to_numeric(organisations["ecContribution"]).to_numpy()
    assert got["ec_contribution"].to_numpy() == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize("shape", ["from_folder", "from_zip", "from_xlsx"])
def test_geolocation_splits_into_lat_and_lon(
    shape: str, samples: Path, request: pytest.FixtureRequest
) -> None:
    got = _by_table(request.getfixturevalue(shape))["organization"].records["participation"]
    raw = pd.read_csv(samples / "organization.csv", dtype=str)["geolocation"]
    parts = raw.str.split(",", expand=True)
    assert got["lat"].to_numpy() == pytest.approx(parts[0].astype(float).to_numpy(), nan_ok=True)
    assert got["lon"].to_numpy() == pytest.approx(parts[1].astype(float).to_numpy(), nan_ok=True)
    # the first row, WAGENINGEN UNIVERSITY: "51.9863279,5.6679366"
    first = got.iloc[0]
    assert (first["name"], first["pic"]) == ("WAGENINGEN UNIVERSITY", "999981634")
    assert (first["lat"], first["lon"]) == (51.9863279, 5.6679366)


def test_programme_is_the_given_constant(from_folder: list[MappedFile]) -> None:
    tables = _by_table(from_folder)
    assert set(tables["project"].records["project"]["programme"]) == {"HORIZON"}
    assert set(tables["organization"].records["participation"]["programme"]) == {"HORIZON"}


def test_decimal_comma_in_total_cost_is_repaired_and_recorded(
    from_folder: list[MappedFile], samples: Path
) -> None:
    project = _by_table(from_folder)["project"]
    raw = pd.read_csv(samples / "project.csv", dtype=str)
    comma_rows = raw.index[raw["totalCost"].str.contains(",", na=False)]
    assert len(comma_rows) > 0
    repaired = [r for r in project.repairs if r.column == "totalCost"]
    assert [r.row for r in repaired] == [i + 2 for i in comma_rows]
    assert {r.kind for r in repaired} == {"decimal-comma"}
    costs = project.records["project"].set_index("source_row")["total_cost"]
    for i in comma_rows:
        assert costs[i + 2] == float(raw.at[i, "totalCost"].replace(",", "."))


def test_a_file_that_is_not_a_zip_is_an_input_error(samples: Path, tmp_path: Path) -> None:
    fake = tmp_path / "cordis-HORIZONprojects-csv.zip"
    fake.write_bytes((samples / "project.csv").read_bytes())
    with pytest.raises(InputError, match=r"cordis-HORIZONprojects-csv\.zip is not a valid zip"):
        read_cordis(fake)


def test_a_file_that_is_neither_folder_nor_zip_is_an_input_error(samples: Path) -> None:
    with pytest.raises(InputError, match=r"project\.csv is neither a folder nor a zip"):
        read_cordis(samples / "project.csv")


def test_a_folder_without_cordis_tables_is_an_input_error(data_dir: Path, tmp_path: Path) -> None:
    # the Horizon Europe subset under its own name is not one of the official tables
    (tmp_path / "project_subset.csv").write_bytes(
        (data_dir / "cordis/horizon-europe/project_subset.csv").read_bytes()
    )
    with pytest.raises(InputError, match="holds none of the CORDIS tables") as info:
        read_cordis(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_a_zip_without_cordis_tables_is_an_input_error(samples: Path, tmp_path: Path) -> None:
    target = tmp_path / "other.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("projects-2024.csv", (samples / "project.csv").read_text("utf-8"))
    with pytest.raises(InputError, match=r"other\.zip holds none of the CORDIS tables"):
        read_cordis(target)


def test_a_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_cordis(tmp_path / "cordis-HORIZONprojects-csv.zip")


SLICES = "cordis/h2020-official-slices"


def test_dated_slices_are_read_newest_first_each_as_a_file(data_dir: Path) -> None:
    """The official H2020 organization table in three dated slices (a pipeline's monthly
    copies): every slice is read, the newest first, with the official mapping."""
    results = read_cordis(data_dir / SLICES, "H2020")
    names = [r.path.name for r in results]
    assert names == sorted(names, reverse=True)
    assert names[0] == "organization-updated-to-2023-06-13.csv" and len(names) == 3
    for result in results:
        raw = pd.read_csv(result.path, dtype=str, keep_default_na=False)
        frame = result.records["participation"]
        assert result.rows_read == len(raw)
        # near duplicates (same project, PIC and role) keep the last row, as recorded
        kept = raw.drop_duplicates(["projectID", "organisationID", "role"], keep="last")
        assert len(frame) == len(kept)
        assert set(frame["programme"]) == {"H2020"}
        assert frame["lat"].notna().all() and frame["lon"].notna().all()
    total = pd.concat([r.records["participation"] for r in results])
    assert total["pic"].nunique() == 3114


def test_a_zip_of_dated_slices_reads_them_too(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "slices.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted((data_dir / SLICES).glob("*.csv"))[:2]:
            archive.write(path, f"export/{path.name}")
        archive.writestr("organization_notes.csv", "a,b\n1,2\n")  # not a slice: skipped
    results = read_cordis(target, "H2020")
    assert [r.path.name for r in results] == [
        "organization-updated-to-2023-06-05.csv",
        "organization-updated-to-2023-05-29.csv",
    ]
