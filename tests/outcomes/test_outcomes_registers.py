"""The company-register readers, on a few rows under each register's published header.

ILLUSTRATIVE ROWS, FOR PARSING ONLY. No real register file is in ../shared/data; the
rows below are written here to exercise the mappings (header, separator, date formats,
dotted JSON paths, error messages). Their names, codes and dates are placeholders and
describe no real company. No figure in the docs, pages or reports comes from them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bioconnect.errors import InputError
from bioconnect.model.preset import load_preset
from bioconnect.services.outcomes.registers import (
    is_biotech,
    read_register,
    register_cohort,
    register_layouts,
)

LV_HEADER = (
    "regcode;sepa;name;name_before_quotes;name_in_quotes;name_after_quotes;without_quotes;"
    "regtype;regtype_text;type;type_text;registered;terminated;closed;address;index;"
    "addressid;region;city;atvk;reregistration_term"
)
EE_HEADER = (
    "nimi;ariregistri_kood;ettevotja_oiguslik_vorm;ettevotja_oigusliku_vormi_alaliik;kmkr_nr;"
    "ettevotja_staatus;ettevotja_staatus_tekstina;ettevotja_esmakande_kpv;ettevotja_aadress;"
    "asukoht_ettevotja_aadressis;asukoha_ehak_kood;asukoha_ehak_tekstina;"
    "indeks_ettevotja_aadressis;ads_adr_id;ads_ads_oid;ads_normaliseeritud_taisaadress;"
    "teabesysteemi_link"
)
LT_IN_HEADER = (
    "ja_kodas|ja_pavadinimas|adresas|ja_reg_data|form_kodas|form_pavadinimas|stat_kodas|"
    "stat_pavadinimas|stat_data_nuo|formavimo_data"
)
LT_OUT_HEADER = (
    "ja_kodas|ja_pavadinimas|ja_reg_data|ja_isreg_data|form_kodas|form_pavadinimas|formavimo_data"
)


def _lv_row(code: str, name: str, registered: str, terminated: str = "", closed: str = "") -> str:
    cells = [
        code,
        "",
        name,
        "",
        name,
        "",
        name,
        "K",
        "Komercreģistrs",
        "SIA",
        "Sabiedrība ar ierobežotu atbildību",
    ]
    cells += [
        registered,
        terminated,
        closed,
        "Example street 1",
        "LV-1000",
        "1",
        "",
        "Rīga",
        "0010000",
        "",
    ]
    return ";".join(cells)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_latvian_register(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "register.csv",
        [
            LV_HEADER,
            _lv_row("40000000001", "Example A", "2016-03-01"),
            _lv_row("40000000002", "Example B", "2017-05-10", "2021-08-31", "L"),
        ],
    )
    companies = read_register(path, "lv")
    assert companies["registration_code"].tolist() == ["40000000001", "40000000002"]
    assert companies["founded"].tolist() == ["2016-03-01", "2017-05-10"]
    assert companies["closed"].isna().tolist() == [True, False]
    assert set(companies["country"]) == {"LV"}
    cohort = register_cohort(path, "lv", end_of_data="2024-12-31")
    assert cohort["event"].tolist() == [False, True]
    assert cohort["exit_kind"].tolist() == [None, "closed"]


def test_estonian_register_reads_day_first_dates(tmp_path: Path) -> None:
    row = [
        "Example OÜ",
        "10000001",
        "Osaühing",
        "",
        "EE100000001",
        "R",
        "Registrisse kantud",
        "05.02.2019",
        "Example 1",
        "",
        "0784",
        "Tallinn",
        "10111",
        "1",
        "",
        "",
        "https://example.invalid",
    ]
    path = _write(tmp_path / "lihtandmed.csv", [EE_HEADER, ";".join(row)])
    companies = read_register(path, "ee")
    assert companies.loc[0, "founded"] == "2019-02-05"
    assert companies.loc[0, "vat"] == "EE100000001"
    bad = _write(
        tmp_path / "bad.csv", [EE_HEADER, ";".join(row).replace("05.02.2019", "2019-02-05")]
    )
    with pytest.raises(InputError, match=r"bad\.csv, row 2, column 'ettevotja_esmakande_kpv'"):
        read_register(bad, "ee")


def test_lithuanian_registered_and_deregistered(tmp_path: Path) -> None:
    registered = _write(
        tmp_path / "JAR_IREGISTRUOTI.csv",
        [
            LT_IN_HEADER,
            "300000001|Example UAB|Vilnius|2018-06-01|310|Uždaroji akcinė bendrovė|0|Teisinis statusas neįregistruotas|2018-06-01|2024-01-01",
        ],
    )
    gone = _write(
        tmp_path / "JAR_ISREGISTRUOTI.csv",
        [
            LT_OUT_HEADER,
            "300000002|Example Two UAB|2015-01-15|2022-03-01|310|Uždaroji akcinė bendrovė|2024-01-01",
        ],
    )
    assert read_register(registered, "lt-registered").loc[0, "founded"] == "2018-06-01"
    out = register_cohort(gone, "lt-deregistered", end_of_data="2024-01-01")
    assert out["event"].tolist() == [True]
    assert out["duration"].round(2).tolist() == [round((2599) / 365.25, 2)]


def test_finnish_prh_json_with_dotted_paths(tmp_path: Path) -> None:
    companies = [
        {
            "businessId": {"value": "0000001-1", "registrationDate": "2017-09-01"},
            "names": [{"name": "Example Oy", "type": "1"}],
            "mainBusinessLine": {"type": "72110"},
            "companyForms": [{"type": "16"}],
        },
        {
            "businessId": {"value": "0000002-2", "registrationDate": "2012-01-20"},
            "names": [{"name": "Example Two Oy", "type": "1"}],
            "endDate": "2020-06-30",
            "mainBusinessLine": {"type": "46460"},
        },
    ]
    path = tmp_path / "all_companies.json"
    path.write_text(json.dumps(companies), encoding="utf-8")
    read = read_register(path, "fi")
    assert read["name"].tolist() == ["Example Oy", "Example Two Oy"]
    assert read["source_row"].tolist() == [1, 2]
    assert is_biotech(read["activity_code"]).tolist() == [True, False]
    biotech = register_cohort(path, "fi", end_of_data="2024-12-31", biotech_only=True)
    assert biotech["entity"].tolist() == ["0000001-1"]
    # the classes come from the preset; another list of classes picks other companies
    assert load_preset("baltic").biotech_activity_codes == ["72.11", "21.10", "21.20"]
    assert is_biotech(read["activity_code"], ["46.46"]).tolist() == [False, True]


def test_the_layouts_are_the_presets_mappings(tmp_path: Path) -> None:
    baltic = load_preset("baltic")
    assert baltic.folder is not None
    layouts = register_layouts("baltic")
    assert list(layouts) == ["ee", "fi", "lt-deregistered", "lt-registered", "lv"]
    assert layouts["lv"] == baltic.folder / "mappings" / "register-lv.yaml"
    with pytest.raises(InputError, match="use one of ee, fi, lt-deregistered, lt-registered, lv"):
        read_register(tmp_path / "x.csv", "se")
    folder = tmp_path / "none"
    shutil.copytree(baltic.folder, folder)
    for mapping in (folder / "mappings").glob("register-*.yaml"):
        mapping.unlink()
    assert register_layouts(str(folder)) == {}
    with pytest.raises(InputError, match="none: the preset ships no register mapping"):
        read_register(tmp_path / "x.csv", "lv", preset=str(folder))


def test_a_register_missing_a_column_is_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "register.csv",
        [LV_HEADER.replace("registered", "registred"), _lv_row("1", "X", "2016-03-01")],
    )
    with pytest.raises(InputError, match=r"register\.csv: required column 'registered' is missing"):
        read_register(path, "lv")


def test_an_exit_before_entry_names_the_file_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "register.csv",
        [LV_HEADER, _lv_row("1", "A", "2016-03-01"), _lv_row("2", "B", "2019-03-01", "2018-01-01")],
    )
    with pytest.raises(InputError, match=r"register\.csv, row 3, column 'exit'.*before the entry"):
        register_cohort(path, "lv", end_of_data="2024-12-31")
    with pytest.raises(
        InputError,
        match=r"r2\.csv, row 2, column 'exit': 2030-01-01 is after the end of the data \(2024-12-31\)",
    ):
        register_cohort(
            _write(tmp_path / "r2.csv", [LV_HEADER, _lv_row("1", "A", "2016-03-01", "2030-01-01")]),
            "lv",
            end_of_data="2024-12-31",
        )
