"""Reading CSV and xlsx files as text cells: separators, encodings, columns and sheets.

Small files are derived in ``tmp_path`` from real rows (re-separated, re-encoded, a
column dropped); the real files are then read as stored.
"""

from __future__ import annotations

import csv
import gzip
import itertools
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bioconnect.errors import InputError
from bioconnect.sources.tables import DELIMITERS, ROW, read_table, sniff_delimiter

SAMPLES = "cordis/horizon-europe-official-samples"
BALTIC = ("EE", "LV", "LT")


def _rows(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def _write(path: Path, rows: list[list[str]], delimiter: str, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture(scope="module")
def topics(data_dir: Path) -> list[list[str]]:
    """The header and first five rows of the official topics sample."""
    return _rows(data_dir / SAMPLES / "topics.csv")[:6]


@pytest.fixture(scope="module")
def baltic_rows(data_dir: Path) -> list[list[str]]:
    """The header, three Finnish rows, then every Estonian, Latvian or Lithuanian row of the
    Horizon Europe participations that has non-ASCII letters and fits in cp1252 (Ü, ö)."""
    header, *rows = _rows(data_dir / "cordis/horizon-europe/organization_subset.csv", ";")
    country = header.index("country")
    finnish = [r for r in rows if r[country] == "FI" and ";".join(r).isascii()][:3]
    baltic = []
    for row in rows:
        text = ";".join(row)
        if row[country] in BALTIC and not text.isascii():
            try:
                text.encode("cp1252")
            except UnicodeEncodeError:
                continue
            baltic.append(row)
    assert len(baltic) >= 10
    return [header, *finnish, *baltic]


# --- separators -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("projectID;name;shortName;SME;activityType;city;country", ";"),
        ("projectID,projectAcronym,organisationID,vatNumber,name", ","),
        ('"euCode";"isoCode";"name";"language"', ";"),
        ("rcn\tprogramme_part", "\t"),
        ("idOrganization|country|name|address|last_update", "|"),
    ],
)
def test_sniff_delimiter_on_real_headers(header: str, expected: str) -> None:
    assert sniff_delimiter(header) == expected


_NAME = st.text(
    alphabet=st.characters(categories=["L", "N"], include_characters="_ -."), min_size=1
)


@given(names=st.lists(_NAME, min_size=2, max_size=30), delimiter=st.sampled_from(DELIMITERS))
def test_sniff_delimiter_finds_the_joining_separator(names: list[str], delimiter: str) -> None:
    assert sniff_delimiter(delimiter.join(names)) == delimiter


@given(
    names=st.lists(_NAME, min_size=3, max_size=10),
    pair=st.sampled_from(list(itertools.permutations(DELIMITERS, 2))),
)
def test_sniff_delimiter_prefers_the_separator_that_splits_more(
    names: list[str], pair: tuple[str, str]
) -> None:
    """A header joined by one separator, with one name holding another, splits on the first."""
    used, inside = pair
    names = [f"{names[0]}{inside}x", *names[1:]]
    assert sniff_delimiter(used.join(names)) == used


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_read_csv_detects_each_separator(
    delimiter: str, topics: list[list[str]], tmp_path: Path
) -> None:
    path = _write(tmp_path / "topics.csv", topics, delimiter)
    table = read_table(path, required=["projectID", "topic"])
    assert table.columns == topics[0]
    assert table.frame[table.columns].values.tolist() == topics[1:]
    assert table.frame[ROW].tolist() == [2, 3, 4, 5, 6]
    assert table.notes == [f"separator {delimiter!r} detected from the header"]


def test_a_given_separator_is_used_without_a_note(topics: list[list[str]], tmp_path: Path) -> None:
    path = _write(tmp_path / "topics.csv", topics, ";")
    table = read_table(path, delimiter=";")
    assert table.columns == topics[0]
    assert table.notes == []


@pytest.mark.parametrize(("declared", "real"), [(";", ","), (",", ";"), ("\t", ";")])
def test_wrong_declared_separator_names_file_and_suggests_the_right_one(
    declared: str, real: str, topics: list[list[str]], tmp_path: Path
) -> None:
    path = _write(tmp_path / "topics.csv", topics, real)
    with pytest.raises(InputError) as info:
        read_table(path, delimiter=declared)
    message = str(info.value)
    assert message.startswith("topics.csv: the header has no")
    assert f"Set `delimiter: {real!r}`" in message


@pytest.mark.parametrize(
    ("relative", "delimiter"),
    [
        ("cordis/horizon-europe/organization_subset.csv", ","),
        ("cordis/horizon-europe/project_subset.csv", "\t"),
        (f"{SAMPLES}/organization.csv", ";"),
        ("cordis/fp7/organization.csv", ";"),
    ],
)
def test_wrong_separator_on_real_files(relative: str, delimiter: str, data_dir: Path) -> None:
    path = data_dir / relative
    with path.open(encoding="utf-8") as fh:
        header = fh.readline()
    right = csv.Sniffer().sniff(header, delimiters=",;").delimiter
    with pytest.raises(InputError) as info:
        read_table(path, delimiter=delimiter)
    assert str(info.value).startswith(f"{path.name}: the header has no {delimiter!r}")
    assert f"`delimiter: {right!r}`" in str(info.value)


@pytest.mark.parametrize(
    ("relative", "delimiter"),
    [
        (f"{SAMPLES}/organization.csv", ","),
        (f"{SAMPLES}/project.csv", ","),
        ("cordis/horizon-europe/topics.csv", ";"),
        ("cordis/fp7/organization.csv", ","),
        ("cordis/fp7/cordisref-countries.csv", ";"),
        ("cordis/fp7/cordisref-FP7programmes.csv", ";"),
        ("cordis/h2020/organizations_2017.csv", ","),
        ("cordis/h2020/programme_parts.csv.gz", ","),
    ],
)
def test_real_files_read_as_the_csv_module_reads_them(
    relative: str, delimiter: str, data_dir: Path
) -> None:
    """Columns (BOM and quotes removed), row count and cells agree with Python's csv module."""
    path = data_dir / relative
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh, delimiter=delimiter))
    table = read_table(path)
    assert table.notes == [f"separator {delimiter!r} detected from the header"]
    assert table.columns == header
    assert len(table.frame) == len(rows)
    assert table.frame[ROW].iloc[-1] == len(rows) + 1
    cells = table.frame[table.columns].fillna("")
    for i in (0, len(rows) // 2, len(rows) - 1):
        assert cells.iloc[i].tolist() == rows[i]


def test_gzipped_csv_from_real_rows(data_dir: Path, tmp_path: Path) -> None:
    with gzip.open(data_dir / "cordis/h2020/h2020.csv.gz", "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(40)]
    path = tmp_path / "h2020.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(lines)
    table = read_table(path, required=["rcn", "pic", "contribution"])
    assert len(table.frame) == 39
    assert table.frame.at[0, "pic"] == "998616262"
    # the 'NA' of line 34 stays text here; typing happens in the mapping
    assert table.frame.loc[table.frame[ROW] == 34, "contribution"].item() == "NA"


# --- columns ----------------------------------------------------------------------------


def test_missing_required_column_names_file_and_column(
    topics: list[list[str]], tmp_path: Path
) -> None:
    without_topic = [[r[0], r[2]] for r in topics]
    path = _write(tmp_path / "topics.csv", without_topic, ",")
    with pytest.raises(InputError) as info:
        read_table(path, required=["projectID", "topic", "title"])
    message = str(info.value)
    assert message.startswith("topics.csv: required column 'topic' is missing")
    assert "the file has: projectID, title" in message


def test_every_missing_column_is_listed(topics: list[list[str]], tmp_path: Path) -> None:
    path = _write(tmp_path / "topics.csv", [[r[0]] for r in topics], ",")
    with pytest.raises(InputError, match=r"'topic' is missing \(also title\)"):
        read_table(path, required=["projectID", "topic", "title"])


def test_missing_required_column_in_a_real_file(data_dir: Path) -> None:
    """The Horizon Europe subset has no organisationID (the official schema has)."""
    with pytest.raises(InputError) as info:
        read_table(
            data_dir / "cordis/horizon-europe/organization_subset.csv",
            required=["projectID", "organisationID"],
        )
    assert str(info.value).startswith(
        "organization_subset.csv: required column 'organisationID' is missing"
    )


# --- encodings --------------------------------------------------------------------------


def test_invalid_utf8_names_file_and_line_and_suggests_encoding(
    baltic_rows: list[list[str]], tmp_path: Path
) -> None:
    path = _write(tmp_path / "stakeholders.csv", baltic_rows, ";", encoding="cp1252")
    first_bad = next(
        i for i, line in enumerate(path.read_bytes().split(b"\n"), start=1) if not line.isascii()
    )
    assert first_bad == 5  # header, three Finnish rows, then the first Baltic row
    with pytest.raises(InputError) as info:
        read_table(path, required=["name"])
    message = str(info.value)
    assert message.startswith(f"stakeholders.csv, line {first_bad}: the bytes are not valid UTF-8")
    assert "Set `encoding:`" in message
    assert "cp1252" in message


def test_a_declared_encoding_reads_the_names(baltic_rows: list[list[str]], tmp_path: Path) -> None:
    path = _write(tmp_path / "stakeholders.csv", baltic_rows, ";", encoding="cp1252")
    table = read_table(path, encoding="cp1252", required=["name", "country"])
    assert table.frame[table.columns].fillna("").values.tolist() == baltic_rows[1:]
    assert "TALLINNA TEHNIKAÜLIKOOL" in set(table.frame["name"])
    assert "Eesti Meretööstuse Liit" in set(table.frame["name"])


def test_a_wrong_declared_encoding_is_an_input_error(data_dir: Path) -> None:
    """The project sample is UTF-8 with multi-byte letters (Colón); ascii cannot decode it."""
    with pytest.raises(InputError, match=r"project\.csv: cannot decode the file as ascii"):
        read_table(data_dir / SAMPLES / "project.csv", encoding="ascii")


# --- files and sheets -------------------------------------------------------------------


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"File .*organization\.csv does not exist"):
        read_table(tmp_path / "organization.csv")


def test_a_csv_saved_as_xlsx_is_an_input_error(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "topics.xlsx"
    path.write_bytes((data_dir / SAMPLES / "topics.csv").read_bytes())
    with pytest.raises(InputError, match=r"topics\.xlsx: not a readable xlsx workbook"):
        read_table(path)


@pytest.fixture
def workbook_path(topics: list[list[str]], data_dir: Path, tmp_path: Path) -> Path:
    """A workbook whose first sheet holds legal bases and whose second holds topics, with a
    blank spreadsheet row between the second and third topic."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = "legalBasis"
    for row in _rows(data_dir / SAMPLES / "legalBasis.csv")[:6]:
        first.append(row)
    second = workbook.create_sheet("topics")
    for row in topics[:3]:
        second.append(row)
    second.append([])
    for row in topics[3:]:
        second.append(row)
    path = tmp_path / "cordis.xlsx"
    workbook.save(path)
    return path


def test_xlsx_sheet_holding_the_columns_is_chosen_and_noted(
    workbook_path: Path, topics: list[list[str]]
) -> None:
    table = read_table(workbook_path, required=["projectID", "topic"])
    assert table.notes == ["sheet 'topics' chosen among legalBasis, topics"]
    assert table.columns == topics[0]
    assert table.frame[table.columns].values.tolist() == topics[1:]
    # spreadsheet row numbers: the blank row 4 is skipped, not renumbered
    assert table.frame[ROW].tolist() == [2, 3, 5, 6, 7]


def test_xlsx_first_matching_sheet_wins(workbook_path: Path) -> None:
    table = read_table(workbook_path, required=["projectID", "title"])
    assert table.notes == ["sheet 'legalBasis' chosen among legalBasis, topics"]
    assert "legalBasis" in table.columns


def test_xlsx_named_sheet_is_read_without_a_note(workbook_path: Path) -> None:
    table = read_table(workbook_path, sheet="topics")
    assert table.notes == []
    assert table.columns == ["projectID", "topic", "title"]


def test_xlsx_missing_sheet_lists_the_sheets(workbook_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(workbook_path, sheet="project")
    message = str(info.value)
    assert message.startswith("cordis.xlsx: there is no sheet 'project'")
    assert "the sheets are legalBasis, topics" in message


def test_xlsx_without_a_sheet_holding_the_columns(workbook_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(workbook_path, required=["projectID", "organisationID"])
    assert str(info.value).startswith(
        "cordis.xlsx: required column 'organisationID' is missing from sheet 'legalBasis'; "
        "the sheets are legalBasis, topics."
    )


def test_xlsx_named_sheet_missing_a_column(workbook_path: Path) -> None:
    with pytest.raises(InputError, match=r"cordis\.xlsx: required column 'topic' is missing"):
        read_table(workbook_path, sheet="legalBasis", required=["projectID", "topic"])


@pytest.fixture(scope="module")
def eis(data_dir: Path) -> Path:
    return data_dir / "eis/2025/EIS_web_download.xlsx"


def test_real_workbook_with_four_sheets_picks_structural(eis: Path) -> None:
    table = read_table(eis, required=["iso2", "indicator_code", "period", "value"])
    assert table.notes == [
        "sheet 'structural' chosen among EIS, global_competitors, structural, structural_global"
    ]
    oracle = pd.read_excel(eis, sheet_name="structural", dtype=object)
    assert table.columns == list(oracle.columns)
    assert len(table.frame) == len(oracle)
    first = table.frame.iloc[0]
    assert (first["iso2"], first["indicator"], first["period"], first["value"]) == (
        "AL",
        "GDP per capita",
        "2022-2024 average",
        "35.7",
    )


def test_real_workbook_missing_sheet_lists_its_sheets(eis: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(eis, sheet="Sheet1")
    assert str(info.value).startswith(
        "EIS_web_download.xlsx: there is no sheet 'Sheet1'; the sheets are "
        "EIS, global_competitors, structural, structural_global."
    )


def test_errors_are_one_line(topics: list[list[str]], tmp_path: Path) -> None:
    """The CLI prints an error as one line: what is wrong, then how to fix it."""
    path = _write(tmp_path / "topics.csv", topics, ";")
    with pytest.raises(InputError) as info:
        read_table(path, delimiter=",")
    assert "\n" not in str(info.value)
    assert info.value.problem and info.value.fix
    assert str(info.value).count("topics.csv") == 1
