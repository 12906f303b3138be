"""One reading of numbers, dates and booleans: hand-computed cases, properties, and the same
"12,5" read the same way in a stakeholder list and in a plan workbook."""

from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bioconnect.errors import InputError
from bioconnect.model import values
from bioconnect.model.mapping import Mapping
from bioconnect.model.values import (
    Parsed,
    ValueProblem,
    ValueRepair,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_number,
)
from bioconnect.plan import read_plan, read_xlsx
from bioconnect.sources.mapped import Repair, apply_mapping
from bioconnect.sources.tables import ROW, RawTable


def test_docstring_examples() -> None:
    result = doctest.testmod(values, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --- hand-computed cases -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "repair"),
    [
        ("12", 12.0, None),
        (" -12.5 ", -12.5, None),
        ("1e3", 1000.0, None),
        (".5", 0.5, None),
        ("12,5", 12.5, ValueRepair("decimal-comma", "12,5 read as 12.5")),
        ("-0,25", -0.25, ValueRepair("decimal-comma", "-0,25 read as -0.25")),
        (
            "1.234.567,89",
            1234567.89,
            ValueRepair("decimal-comma", "1.234.567,89 read as 1234567.89"),
        ),
        (7, 7.0, None),
        (2.5, 2.5, None),
    ],
)
def test_numbers(text: object, number: float, repair: ValueRepair | None) -> None:
    assert parse_number(text) == Parsed(number, repair)


@pytest.mark.parametrize(
    "text", ["lots", "1,234,567", "12.34,5", "1_000", "inf", "nan", "1e999", "١٢", True, [1]]
)
def test_not_numbers(text: object) -> None:
    with pytest.raises(ValueProblem, match=r"is not a (finite )?number"):
        parse_number(text)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blanks_are_unknown(blank: object) -> None:
    for parse in (parse_number, parse_integer, parse_date, parse_boolean):
        assert parse(blank) == Parsed(None)


def test_whole_numbers() -> None:
    assert parse_integer("3").value == 3
    assert parse_integer("3,0") == Parsed(3, ValueRepair("decimal-comma", "3,0 read as 3.0"))
    with pytest.raises(ValueProblem, match=r"'3\.5' is not a whole number"):
        parse_integer("3.5")


def test_dates() -> None:
    day = dt.date(2025, 1, 31)
    for given_ in ("2025-01-31", " 2025-01-31 ", "2025-01-31T00:00:00", "2025-01-31 00:00"):
        assert parse_date(given_) == Parsed(day)
    assert parse_date(day).value == day
    assert parse_date(dt.datetime(2025, 1, 31)).value == day
    for bad in ("31/01/2025", "2025-02-30", "20250131", "2025-W05-5", "2025-01-31x", 20250131):
        with pytest.raises(ValueProblem, match="is not a date"):
            parse_date(bad)
    for timed in ("2025-01-31T10:00:00", dt.datetime(2025, 1, 31, 10)):
        with pytest.raises(ValueProblem, match="has a time of day"):
            parse_date(timed)


def test_booleans() -> None:
    for yes in ("true", "TRUE", "t", "Yes", "y", "1", "1.0", "x", True, 1, 1.0):
        assert parse_boolean(yes).value is True
    for no in ("false", "F", "no", "N", "0", "0.0", False, 0):
        assert parse_boolean(no).value is False
    for bad in ("maybe", 2, "si"):
        with pytest.raises(ValueProblem, match="is not true or false"):
            parse_boolean(bad)


# --- properties ----------------------------------------------------------------------------


@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.from_regex(r"[0-9]{1,6}", fullmatch=True),
    negative=st.booleans(),
    grouped=st.booleans(),
)
def test_a_decimal_comma_reads_as_the_decimal_point(
    whole: int, fraction: str, negative: bool, grouped: bool
) -> None:
    sign = "-" if negative else ""
    digits = f"{whole:,}".replace(",", ".") if grouped else str(whole)
    comma = parse_number(f"{sign}{digits},{fraction}")
    point = parse_number(f"{sign}{whole}.{fraction}")
    assert comma.value == point.value == float(f"{sign}{whole}.{fraction}")
    assert point.repair is None
    assert comma.repair == ValueRepair(
        "decimal-comma", f"{sign}{digits},{fraction} read as {sign}{whole}.{fraction}"
    )


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_reads_back_from_its_text(number: float) -> None:
    assert parse_number(repr(number)) == Parsed(number)
    assert parse_number(number) == Parsed(number)


@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.booleans(), st.none()))
def test_any_value_gives_a_number_a_blank_or_a_value_problem(value: object) -> None:
    try:
        parsed = parse_number(value)
    except ValueProblem as problem:
        assert " is not a " in str(problem)
    else:
        assert parsed.value is None or isinstance(parsed.value, float)


@given(st.dates())
def test_a_date_reads_back_from_its_iso_text(day: dt.date) -> None:
    assert parse_date(day.isoformat()).value == day


# --- the same "12,5" in a stakeholder list and in a plan workbook -------------------------

STAKEHOLDERS = Mapping.model_validate(
    {
        "name": "stakeholders",
        "targets": [
            {
                "entity": "organisation",
                "fields": {"name": "Name", "country": "Country", "lat": "Latitude", "sme": "SME"},
            }
        ],
    }
)


def test_decimal_comma_is_read_and_recorded_alike_in_a_stakeholder_list_and_a_plan(
    tmp_path: Path,
) -> None:
    frame = pd.DataFrame(
        {
            "Name": ["Tartu Ülikool"],
            "Country": ["EE"],
            "Latitude": ["12,5"],
            "SME": ["no"],
            ROW: [2],
        },
        dtype=object,
    )
    mapped = apply_mapping(RawTable(path=Path("stakeholders.csv"), frame=frame), STAKEHOLDERS)
    assert mapped.records["organisation"]["lat"].item() == 12.5
    assert mapped.repairs == [Repair(2, "Latitude", "decimal-comma", "12,5 read as 12.5")]

    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("Plan")
    for row in (["field", "value"], ["name", "Demo"], ["region", "baltic"], ["example", "no"]):
        sheet.append(row)
    sheet = book.create_sheet("Initiatives")
    sheet.append(["id", "title", "pillar", "budget", "cross_border"])
    sheet.append(["I1", "Hub", "research", "12,5", "no"])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    repairs: list[str] = []
    plan = read_xlsx(path, repairs=repairs)
    assert plan.initiatives[0].budget == 12.5
    assert plan.initiatives[0].cross_border is False
    assert repairs == ["Initiatives row 2 (I1), column budget: decimal-comma (12,5 read as 12.5)"]
    assert read_plan(path) == plan  # the repair is made whether or not it is asked for


def test_a_value_that_is_not_a_number_is_refused_alike(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"Name": ["A"], "Country": ["EE"], "Latitude": ["12.5.1"], "SME": [""], ROW: [2]},
        dtype=object,
    )
    with pytest.raises(InputError, match=r"row 2, column 'Latitude': '12.5.1' is not a number"):
        apply_mapping(RawTable(path=Path("stakeholders.csv"), frame=frame), STAKEHOLDERS)
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("Plan")
    for row in (["field", "value"], ["name", "Demo"], ["region", "baltic"]):
        sheet.append(row)
    sheet = book.create_sheet("Initiatives")
    sheet.append(["id", "title", "pillar", "budget"])
    sheet.append(["I1", "Hub", "research", "12.5.1"])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    with pytest.raises(InputError, match=r"row 2 \(I1\), column budget: '12.5.1' is not a number"):
        read_xlsx(path)
