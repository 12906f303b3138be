"""Typed records from text cells, with the documented repairs and clear errors.

Hand-made cases come first: a few real rows written to ``tmp_path`` (re-encoded, a cell
moved or blanked). Then property tests, then the real files, checked against pandas.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bioconnect.errors import InputError
from bioconnect.model.mapping import Mapping, load_mapping
from bioconnect.model.preset import load_preset
from bioconnect.sources.mapped import (
    REPAIRS,
    SOURCE_ROW,
    MappedFile,
    Repair,
    apply_mapping,
    read_mapped,
    repair_mojibake,
)
from bioconnect.sources.tables import ROW, RawTable

HE = "cordis/horizon-europe"


def _mapping(source: str) -> Mapping:
    preset = load_preset("baltic")
    (found,) = [s for s in preset.sources if s.name == source]
    return load_mapping(preset.mapping_path(found))


@pytest.fixture(scope="module")
def projects_mapping() -> Mapping:
    return _mapping("horizon-projects")


@pytest.fixture(scope="module")
def participations_mapping() -> Mapping:
    return _mapping("horizon-participations")


@pytest.fixture(scope="module")
def fp7_mapping() -> Mapping:
    return _mapping("fp7-organisation-names")


def _rows(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def _write(path: Path, rows: list[list[str]], delimiter: str, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture(scope="module")
def project_rows(data_dir: Path) -> list[list[str]]:
    """The header and first six rows of the Horizon Europe project subset."""
    return _rows(data_dir / HE / "project_subset.csv", ";")[:7]


@pytest.fixture(scope="module")
def participation_rows(data_dir: Path) -> list[list[str]]:
    return _rows(data_dir / HE / "organization_subset.csv", ";")


# --- decimal commas ----------------------------------------------------------------------


def test_decimal_comma_is_repaired_and_recorded(
    project_rows: list[list[str]], projects_mapping: Mapping, tmp_path: Path
) -> None:
    path = _write(tmp_path / "project_subset.csv", project_rows, ";")
    result = read_mapped(path, projects_mapping)
    projects = result.records["project"]
    first = projects.iloc[0]
    assert (first["project_id"], first["acronym"]) == ("101147312", "SAGELI")
    assert first["total_cost"] == 4975670.75
    assert first[REPAIRS] == "decimal-comma in totalCost"
    cost = project_rows[0].index("totalCost")
    with_comma = [i for i, r in enumerate(project_rows[1:], start=2) if "," in r[cost]]
    assert with_comma == [2, 5, 6, 7]  # rows 3 and 4 cost "0"
    assert result.repairs[0] == Repair(
        2, "totalCost", "decimal-comma", "4975670,75 read as 4975670.75"
    )
    assert [(r.row, r.column, r.kind) for r in result.repairs] == [
        (row, "totalCost", "decimal-comma") for row in with_comma
    ]
    assert projects["total_cost"].tolist() == [
        float(r[cost].replace(",", ".")) for r in project_rows[1:]
    ]
    assert projects.loc[projects[SOURCE_ROW] == 3, REPAIRS].isna().all()


#: The project id and cost of the project subset, nothing else (fast to apply many times).
COST_ONLY = Mapping.model_validate(
    {
        "name": "cost-only",
        "targets": [
            {"entity": "project", "fields": {"project_id": "id", "total_cost": "totalCost"}}
        ],
    }
)


def _one_cost(text: str) -> RawTable:
    """The first real project, 101147312, with ``text`` as its totalCost."""
    frame = pd.DataFrame({"id": ["101147312"], "totalCost": [text], ROW: [2]}, dtype=object)
    return RawTable(path=Path("project_subset.csv"), frame=frame)


@settings(deadline=None)  # pandas per example; a loaded machine must not fail it
@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.from_regex(r"[0-9]{1,4}", fullmatch=True),
    negative=st.booleans(),
    grouped=st.booleans(),
)
def test_decimal_comma_round_trips(
    whole: int, fraction: str, negative: bool, grouped: bool
) -> None:
    sign = "-" if negative else ""
    digits = f"{whole:,}".replace(",", ".") if grouped else str(whole)
    text = f"{sign}{digits},{fraction}"
    result = apply_mapping(_one_cost(text), COST_ONLY)
    assert result.records["project"]["total_cost"].item() == float(f"{sign}{whole}.{fraction}")
    assert result.repairs == [
        Repair(2, "totalCost", "decimal-comma", f"{text} read as {sign}{whole}.{fraction}")
    ]


@settings(deadline=None)  # pandas per example; a loaded machine must not fail it
@given(value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_decimal_point_is_read_as_is_without_a_repair(value: float) -> None:
    result = apply_mapping(_one_cost(repr(value)), COST_ONLY)
    assert result.records["project"]["total_cost"].item() == value
    assert result.repairs == []


@settings(deadline=None)  # pandas per example; a loaded machine must not fail it
@given(
    text=st.one_of(
        st.text(max_size=12),
        # a decimal comma written with digits of any script (\\d is Unicode-aware)
        st.from_regex(r"-?\d{1,6},\d{1,3}", fullmatch=True),
    )
)
@example(text="４９７５６７０,７５")  # the first project's 4975670,75 in full-width digits
def test_any_cell_gives_a_number_or_an_input_error(text: str) -> None:
    """Whatever a number cell holds, the result is a number, a null, or an InputError
    naming the file, row and column, never another exception."""
    try:
        result = apply_mapping(_one_cost(text), COST_ONLY)
    except InputError as error:
        assert str(error).startswith("project_subset.csv, row 2, column 'totalCost': ")
    else:
        assert result.records["project"]["total_cost"].dtype == "float64"


# --- numbers that are not numbers, and blanks --------------------------------------------


def test_non_numeric_number_names_file_row_and_column(
    project_rows: list[list[str]], projects_mapping: Mapping, tmp_path: Path
) -> None:
    """The third record's acronym, PIPELINE, moved into its totalCost."""
    rows = [list(r) for r in project_rows]
    header = rows[0]
    rows[2][header.index("totalCost")] = rows[2][header.index("acronym")]
    path = _write(tmp_path / "project_subset.csv", rows, ";")
    with pytest.raises(InputError) as info:
        read_mapped(path, projects_mapping)
    message = str(info.value)
    assert message.startswith(
        "project_subset.csv, row 3, column 'totalCost': 'PIPELINE' is not a number."
    )
    assert "decimal comma" in message


def test_bad_date_names_file_row_and_column(
    project_rows: list[list[str]], projects_mapping: Mapping, tmp_path: Path
) -> None:
    """The fifth record's startDate replaced by its grant DOI."""
    rows = [list(r) for r in project_rows]
    header = rows[0]
    doi = rows[5][header.index("grantDoi")]
    rows[5][header.index("startDate")] = doi
    path = _write(tmp_path / "project_subset.csv", rows, ";")
    with pytest.raises(InputError) as info:
        read_mapped(path, projects_mapping)
    assert str(info.value).startswith(
        f"project_subset.csv, row 6, column 'startDate': {doi!r} is not a date (YYYY-MM-DD)."
    )


def test_blank_project_id_names_file_row_and_column(
    project_rows: list[list[str]], projects_mapping: Mapping, tmp_path: Path
) -> None:
    rows = [list(r) for r in project_rows]
    rows[4][0] = ""
    path = _write(tmp_path / "project_subset.csv", rows, ";")
    with pytest.raises(
        InputError, match=r"project_subset\.csv, row 5, column 'id': the value is blank"
    ):
        read_mapped(path, projects_mapping)


@pytest.fixture(scope="module")
def h2020_head(data_dir: Path) -> list[list[str]]:
    """The header and first 1,000 rows of h2020.csv.gz, as stored."""
    with gzip.open(data_dir / "cordis/h2020/h2020.csv.gz", "rt", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        return [next(reader) for _ in range(1001)]


def test_blank_numbers_are_null_not_errors(h2020_head: list[list[str]], tmp_path: Path) -> None:
    """'NA' (as stored) and an empty cell (the first 'NA' emptied) both read as null."""
    rows = [list(r) for r in h2020_head]
    column = rows[0].index("contribution")
    na_rows = [i for i, r in enumerate(rows) if r[column] == "NA"]
    assert na_rows[0] == 33  # line 34 of the file
    rows[na_rows[0]][column] = ""
    path = tmp_path / "h2020.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)

    result = read_mapped(path, _mapping("h2020-participations"))
    participations = result.records["participation"]
    assert result.repairs == []
    oracle = pd.read_csv(path, dtype=str, keep_default_na=False)
    blank = oracle["contribution"].isin(["", "NA"])
    assert len(participations) == len(oracle) == 1000
    assert participations["ec_contribution"].isna().tolist() == blank.tolist()
    assert participations.loc[participations[SOURCE_ROW] == 34, "ec_contribution"].isna().all()
    expected = pd.to_numeric(oracle.loc[~blank, "contribution"]).sum()
    assert participations["ec_contribution"].sum() == pytest.approx(expected)


# --- encodings ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baltic_participations(participation_rows: list[list[str]]) -> list[list[str]]:
    """Header, two Finnish rows, then the Baltic rows that have Ü/ö and fit in cp1252."""
    header, *rows = participation_rows
    country = header.index("country")
    finnish = [r for r in rows if r[country] == "FI" and ";".join(r).isascii()][:2]
    baltic = []
    for row in rows:
        text = ";".join(row)
        if row[country] in ("EE", "LV", "LT") and not text.isascii():
            try:
                text.encode("cp1252")
            except UnicodeEncodeError:
                continue
            baltic.append(row)
    return [header, *finnish, *baltic]


def test_cp1252_file_is_an_error_until_the_mapping_names_the_encoding(
    baltic_participations: list[list[str]], participations_mapping: Mapping, tmp_path: Path
) -> None:
    path = _write(tmp_path / "baltic.csv", baltic_participations, ";", encoding="cp1252")
    with pytest.raises(InputError) as info:
        read_mapped(path, participations_mapping)
    assert str(info.value).startswith("baltic.csv, line 4: the bytes are not valid UTF-8")
    assert "Set `encoding:` in the mapping" in str(info.value)

    cp1252 = participations_mapping.model_copy(update={"encoding": "cp1252"})
    result = read_mapped(path, cp1252)
    names = result.records["participation"]["name"].tolist()
    header = baltic_participations[0]
    expected = pd.DataFrame(baltic_participations[1:], columns=header)
    # a name repeated under the same project, PIC and role keeps its last version
    assert set(names) == set(expected["name"])
    assert "TALLINNA TEHNIKAÜLIKOOL" in names
    assert "Eesti Meretööstuse Liit" in names
    assert "European Fund Management Consulting OÜ" in names


# --- mojibake ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Parc des CÃ¨dres", "Parc des Cèdres"),
        ("Bernhard J√∂ckel", "Bernhard Jöckel"),
        ("TALLINNA TEHNIKAÃœLIKOOL", "TALLINNA TEHNIKAÜLIKOOL"),
        ("TALLINNA TEHNIKAÜLIKOOL", "TALLINNA TEHNIKAÜLIKOOL"),
        ("Åbo Akademi", "Åbo Akademi"),
        ("WAGENINGEN UNIVERSITY", "WAGENINGEN UNIVERSITY"),
    ],
)
def test_repair_mojibake_cases(text: str, expected: str) -> None:
    assert repair_mojibake(text) == expected


_LATIN = st.characters(min_codepoint=0xC0, max_codepoint=0xFF)


@given(
    text=st.lists(st.one_of(_LATIN, st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
    .map("".join)
    .filter(lambda s: not s.isascii())
)
def test_repair_mojibake_undoes_one_round_of_cp1252(text: str) -> None:
    garbled = text.encode("utf-8").decode("cp1252", errors="replace")
    # cp1252 leaves five bytes undefined, so Á Í Ï Ð Ý cannot be garbled this way
    assume("\ufffd" not in garbled)
    assert repair_mojibake(garbled) == text


def test_mojibake_repair_in_hand_made_rows(
    data_dir: Path, fp7_mapping: Mapping, tmp_path: Path
) -> None:
    """The first FP7 row (CÃ¨dres in the address) and the next ASCII-only row."""
    rows = _rows(data_dir / "cordis/fp7/organization.csv", ",")
    clean = next(r for r in rows[2:] if ",".join(r).isascii())
    path = _write(tmp_path / "organization.csv", [rows[0], rows[1], clean], ",")
    result = read_mapped(path, fp7_mapping)
    assert result.repairs == [
        Repair(2, "address", "mojibake", "'Parc des CÃ¨dres' -> 'Parc des Cèdres'")
    ]
    first, second = result.records["organisation"].to_dict("records")
    assert (first["pic"], first["street"]) == ("911618223", "Parc des Cèdres")
    assert first[REPAIRS] == "mojibake in address"
    assert pd.isna(second[REPAIRS])


@pytest.fixture(scope="module")
def fp7(data_dir: Path, fp7_mapping: Mapping) -> MappedFile:
    return read_mapped(data_dir / "cordis/fp7/organization.csv", fp7_mapping)


def test_mojibake_in_the_real_fp7_file(fp7: MappedFile, data_dir: Path) -> None:
    organisations = fp7.records["organisation"]
    raw = pd.read_csv(data_dir / "cordis/fp7/organization.csv", dtype=str, keep_default_na=False)
    assert len(organisations) == len(raw) == 30399
    row = organisations.loc[organisations["pic"] == "911618223"].iloc[0]
    assert (row["name"], row["street"]) == ("ASSOCIATION EISBM", "Parc des Cèdres")
    assert (
        Repair(
            int(row[SOURCE_ROW]), "address", "mojibake", "'Parc des CÃ¨dres' -> 'Parc des Cèdres'"
        )
        in fp7.repairs
    )
    assert {r.kind for r in fp7.repairs} == {"mojibake"}
    assert {r.column for r in fp7.repairs} == {"name", "address"}
    # every repaired name is the stored name decoded once more
    by_row = organisations.set_index(SOURCE_ROW)
    raw_names = raw.set_index(pd.RangeIndex(2, len(raw) + 2))["name"]
    name_rows = [r.row for r in fp7.repairs if r.column == "name"]
    assert len(name_rows) > 100
    for source_row in name_rows:
        stored = raw_names[source_row]
        assert by_row.at[source_row, "name"] != stored
        assert by_row.at[source_row, "name"].encode("utf-8") in {
            stored.encode(codec, errors="replace") for codec in ("cp1252", "latin-1", "mac_roman")
        }


# --- duplicates --------------------------------------------------------------------------


def test_duplicates_in_hand_made_rows(
    participation_rows: list[list[str]], participations_mapping: Mapping, tmp_path: Path
) -> None:
    """Real rows: 651 and 11743 differ only in `order` (3.0 vs 3), an exact duplicate once
    typed; 27 and 12348 are two versions of one participation (a near duplicate)."""
    picked = [participation_rows[n - 1] for n in (651, 11743, 27, 12348)]
    path = _write(tmp_path / "organization_subset.csv", [participation_rows[0], *picked], ";")
    result = read_mapped(path, participations_mapping)
    assert [(r.row, r.column, r.kind) for r in result.repairs] == [
        (3, "*", "exact-duplicate"),
        (4, "project_id,pic,role", "near-duplicate"),
    ]
    assert result.repairs[0].detail == "participation row repeats row 2; dropped"
    assert result.repairs[1].detail == (
        "participation shares 101147312/912743326/participant with row 5, which is kept"
    )
    kept = result.records["participation"]
    assert kept[SOURCE_ROW].tolist() == [2, 5]
    assert kept["order_no"].tolist() == [3, int(float(picked[3][9]))]


@pytest.fixture(scope="module")
def participations(data_dir: Path, participations_mapping: Mapping) -> MappedFile:
    return read_mapped(data_dir / HE / "organization_subset.csv", participations_mapping)


@pytest.fixture(scope="module")
def duplicate_oracle(data_dir: Path) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The file typed with pandas, its exact duplicates, and the near duplicates left."""
    raw = pd.read_csv(
        data_dir / HE / "organization_subset.csv", sep=";", dtype=str, keep_default_na=False
    )
    raw.index = pd.RangeIndex(2, len(raw) + 2)
    typed = raw.drop(columns=["contactForm"])
    typed["pic"] = raw["contactForm"].str.extract(r"contact-form/project/(\d+)/", expand=False)
    for column in ("order", "ecContribution"):
        typed[column] = pd.to_numeric(typed[column].mask(typed[column] == ""))
    exact = typed.duplicated(keep="first")
    near = typed[~exact].duplicated(["projectID", "pic", "role"], keep="last")
    return raw, exact, near


def test_real_duplicates_counted_as_pandas_counts_them(
    participations: MappedFile, duplicate_oracle: tuple[pd.DataFrame, pd.Series, pd.Series]
) -> None:
    raw, exact, near = duplicate_oracle
    assert len(raw) == participations.rows_read == 13581
    assert raw.duplicated().sum() == 0  # no two lines are byte-identical
    assert (int(exact.sum()), int(near.sum())) == (602, 456)
    kinds = pd.Series([r.kind for r in participations.repairs]).value_counts().to_dict()
    assert kinds == {"exact-duplicate": 602, "near-duplicate": 456}
    assert len(participations.records["participation"]) == 13581 - 602 - 456 == 12523


def test_every_dropped_row_is_a_recorded_repair(
    participations: MappedFile, duplicate_oracle: tuple[pd.DataFrame, pd.Series, pd.Series]
) -> None:
    raw, exact, near = duplicate_oracle
    kept = set(participations.records["participation"][SOURCE_ROW])
    by_kind: dict[str, set[int]] = {}
    for repair in participations.repairs:
        by_kind.setdefault(repair.kind, set()).add(repair.row)
    assert by_kind["exact-duplicate"] == set(exact.index[exact])
    assert by_kind["near-duplicate"] == set(near.index[near])
    assert kept | by_kind["exact-duplicate"] | by_kind["near-duplicate"] == set(raw.index)
    assert not kept & (by_kind["exact-duplicate"] | by_kind["near-duplicate"])
    assert len(participations.repairs) == 602 + 456  # one repair per dropped row


def test_near_duplicates_keep_the_last_version(participations: MappedFile) -> None:
    frame = participations.records["participation"]
    assert not frame.duplicated(["project_id", "pic", "role"]).any()
    row_27 = next(r for r in participations.repairs if r.row == 27)
    assert row_27.detail.endswith("with row 12348, which is kept")
    assert 12348 in set(frame[SOURCE_ROW])


# --- columns, separators and sheets through a mapping -----------------------------------


def test_missing_required_column_names_file_and_column(
    project_rows: list[list[str]], projects_mapping: Mapping, tmp_path: Path
) -> None:
    cost = project_rows[0].index("totalCost")
    rows = [r[:cost] + r[cost + 1 :] for r in project_rows]
    path = _write(tmp_path / "project_subset.csv", rows, ";")
    with pytest.raises(InputError) as info:
        read_mapped(path, projects_mapping)
    assert str(info.value).startswith(
        "project_subset.csv: required column 'totalCost' is missing; the file has: id, acronym,"
    )


def test_wrong_separator_in_the_mapping_names_file_and_right_separator(
    data_dir: Path, projects_mapping: Mapping
) -> None:
    """The mapping says ';' but the official project sample is comma-separated."""
    with pytest.raises(InputError) as info:
        read_mapped(
            data_dir / "cordis/horizon-europe-official-samples/project.csv", projects_mapping
        )
    assert str(info.value).startswith(
        "project.csv: the header has no ';' separators but has 18 ','"
    )
    assert "Set `delimiter: ','`" in str(info.value)


@pytest.fixture
def project_workbook(project_rows: list[list[str]], data_dir: Path, tmp_path: Path) -> Path:
    """The six project rows in the second sheet; the first holds real topic rows."""
    workbook = Workbook()
    topics = workbook.active
    assert topics is not None
    topics.title = "topics"
    for row in _rows(data_dir / HE / "topics.csv", ";")[:7]:
        topics.append(row)
    projects = workbook.create_sheet("projects")
    for row in project_rows:
        projects.append(row)
    path = tmp_path / "project_subset.xlsx"
    workbook.save(path)
    return path


def test_xlsx_with_an_extra_sheet_reads_like_the_csv(
    project_workbook: Path, project_rows: list[list[str]], projects_mapping: Mapping, tmp_path: Path
) -> None:
    as_csv = read_mapped(
        _write(tmp_path / "project_subset.csv", project_rows, ";"), projects_mapping
    )
    as_xlsx = read_mapped(project_workbook, projects_mapping)
    assert as_xlsx.notes == ["sheet 'projects' chosen among topics, projects"]
    assert as_xlsx.repairs == as_csv.repairs
    pd.testing.assert_frame_equal(as_xlsx.records["project"], as_csv.records["project"])


def test_xlsx_missing_required_column_names_file_and_column(
    project_rows: list[list[str]], projects_mapping: Mapping, tmp_path: Path
) -> None:
    """A one-sheet workbook without totalCost: named as in the CSV case, not among all
    the mapped columns."""
    cost = project_rows[0].index("totalCost")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in project_rows:
        sheet.append(row[:cost] + row[cost + 1 :])
    path = tmp_path / "project_subset.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as info:
        read_mapped(path, projects_mapping)
    message = str(info.value)
    assert message.startswith("project_subset.xlsx: ")
    assert "'totalCost' is missing" in message


def test_xlsx_missing_sheet_in_the_mapping_lists_the_sheets(
    project_workbook: Path, projects_mapping: Mapping
) -> None:
    with pytest.raises(InputError) as info:
        read_mapped(project_workbook, projects_mapping.model_copy(update={"sheet": "project"}))
    assert str(info.value).startswith(
        "project_subset.xlsx: there is no sheet 'project'; the sheets are topics, projects."
    )
    assert "Set `sheet:` in the mapping" in str(info.value)


# --- the real project subset ------------------------------------------------------------


def test_real_project_subset_decimal_commas(data_dir: Path, projects_mapping: Mapping) -> None:
    result = read_mapped(data_dir / HE / "project_subset.csv", projects_mapping)
    projects = result.records["project"]
    raw = pd.read_csv(data_dir / HE / "project_subset.csv", sep=";", dtype=str)
    assert len(projects) == len(raw) == 1118
    commas = raw["totalCost"].str.contains(",")
    assert [r.row for r in result.repairs] == [i + 2 for i in raw.index[commas]]
    assert {(r.column, r.kind) for r in result.repairs} == {("totalCost", "decimal-comma")}
    expected = pd.to_numeric(raw["totalCost"].str.replace(",", ".", regex=False))
    assert projects["total_cost"].tolist() == expected.tolist()
    first = projects.iloc[0]
    assert (first["project_id"], first["total_cost"]) == ("101147312", 4975670.75)


def test_recode_replaces_whole_values_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_text(
        "project,pic,country,role\nP1,1,EE,COORDINATOR\nP1,2,LV,PARTICIPANT\nP1,3,LT,partner\n",
        encoding="utf-8",
    )
    mapping = Mapping.model_validate(
        {
            "name": "roles",
            "targets": [
                {
                    "entity": "participation",
                    "fields": {
                        "project_id": "project",
                        "pic": "pic",
                        "country": "country",
                        "role": {
                            "column": "role",
                            "recode": {"COORDINATOR": "coordinator", "PARTICIPANT": "participant"},
                        },
                    },
                }
            ],
        }
    )
    frame = read_mapped(path, mapping).records["participation"]
    assert frame["role"].tolist() == ["coordinator", "participant", "partner"]


def test_the_dashboard_mapping_reads_its_quirks(data_dir: Path) -> None:
    """The Horizon Dashboard export: "-" and "." are blanks, "NA" is Namibia, dates are
    dd/mm/yyyy, roles are upper case; checked against pandas."""
    preset = load_preset("baltic")
    source = next(s for s in preset.sources if s.name == "horizon-dashboard")
    path = data_dir / source.path
    result = read_mapped(path, load_mapping(preset.mapping_path(source)))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    kept = raw.drop_duplicates(["project_id", "pic", "partner_role"], keep="last")
    frame = result.records["participation"]
    assert len(frame) == len(kept) == 2553
    assert (frame["country"] == "NA").sum() == (kept["country_code"] == "NA").sum() == 6
    assert frame["vat"].isna().sum() == kept["legal_entity_vat"].isin(["-", "."]).sum()
    assert frame["nuts_code"].isna().sum() == (kept["nuts_3_code"] == "-").sum()
    assert set(frame["role"]) == {"coordinator", "participant"}
    projects = result.records["project"]
    assert len(projects) == raw["project_id"].nunique() == 131
    first = projects.set_index("project_id").loc["101039118"]
    assert (first["start_date"], first["end_date"]) == ("2022-01-01", "2024-12-31")
