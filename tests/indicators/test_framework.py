"""Framework validation: the bad inputs of issue 12, each with file, row and column."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import bioconnect.indicators as indicators
from bioconnect.errors import InputError
from bioconnect.indicators import Framework, validate_framework
from indicators.conftest import tiny_data, tiny_meta


def _check(data: pd.DataFrame, meta: pd.DataFrame) -> Framework:
    return validate_framework(data, meta, data_source="d.csv", meta_source="m.csv")


def test_public_surface() -> None:
    assert indicators.__all__ == sorted(
        indicators.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n)
    )
    assert {
        "validate_framework",
        "run_pipeline",
        "parse_pipeline",
        "treat",
        "normalise",
        "aggregate",
        "sensitivity_analysis",
        "effective_weights",
    } <= set(indicators.__all__)


def test_tiny_framework() -> None:
    fw = _check(tiny_data(), tiny_meta())
    assert fw.indicators == ["x", "y", "z"]
    assert fw.n_levels == 3 and fw.children("Index") == ["P", "Q"]
    assert fw.denominators.columns.tolist() == ["pop"]
    assert fw.data.loc["B"].tolist() == [5.0, 2.0, 2.0]


def test_asem_framework(asem: Framework) -> None:
    assert len(asem.indicators) == 49 and asem.data.shape == (51, 49)
    assert asem.codes_at(3) == ["Conn", "Sust"] and asem.codes_at(4) == ["Index"]
    assert list(asem.groups.columns) == ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    assert int(asem.data.isna().sum().sum()) == 63  # the README's count of missing indicator cells
    assert int((asem.meta["Direction"] == -1).sum()) == 14


def _meta_with(row: int, column: str, value: object) -> pd.DataFrame:
    meta = tiny_meta().astype(object)
    meta.loc[row, column] = value
    return meta


@pytest.mark.parametrize(
    ("meta", "where", "what"),
    [
        (
            _meta_with(3, "Parent", "Q"),
            "m.csv, row 5, column Level",
            "its parent 'Q' is at level 2",
        ),
        (
            _meta_with(0, "Parent", "Nowhere"),
            "m.csv, row 2, column Parent",
            "'Nowhere' (parent of 'x') is not an aggregate",
        ),
        (_meta_with(1, "Weight", -1), "m.csv, row 3, column Weight", "-1 is negative"),
        (_meta_with(1, "Direction", 2), "m.csv, row 3, column Direction", "2 is not 1 or -1"),
        (
            _meta_with(1, "Direction", "up"),
            "m.csv, row 3, column Direction",
            "'up' is not a number",
        ),
        (
            _meta_with(2, "Denominator", "area"),
            "m.csv, row 4, column Denominator",
            "'area' is not a column of d.csv",
        ),
    ],
)
def test_bad_meta(meta: pd.DataFrame, where: str, what: str) -> None:
    with pytest.raises(InputError) as exc:
        _check(tiny_data(), meta)
    assert where in str(exc.value) and what in str(exc.value)


def test_cycle_of_parents() -> None:
    meta = tiny_meta().astype(object)
    meta.loc[5, "Parent"] = "P"  # Index -> P -> Index
    meta.loc[5, "Level"] = 3
    with pytest.raises(InputError, match=r"m.csv, row \d, column Parent: the parents form a cycle"):
        _check(tiny_data(), meta)


def test_indicator_missing_from_data() -> None:
    data = tiny_data().drop(columns=["y"])
    with pytest.raises(
        InputError,
        match=re.escape("m.csv, row 3, column iCode: indicator 'y' is not a column of d.csv"),
    ):
        _check(data, tiny_meta())


def test_non_numeric_value() -> None:
    data = tiny_data().astype(object)
    data.loc[1, "x"] = "n/a"
    with pytest.raises(
        InputError, match=re.escape("d.csv, row 3, column x: 'n/a' is not a number")
    ):
        _check(data, tiny_meta())


def test_zero_denominator() -> None:
    data = tiny_data()
    data.loc[2, "pop"] = 0
    with pytest.raises(
        InputError, match=re.escape("d.csv, row 4, column pop: the denominator is zero for 'C'")
    ):
        _check(data, tiny_meta())


def test_duplicate_unit() -> None:
    data = tiny_data()
    data.loc[2, "uCode"] = "A"
    with pytest.raises(
        InputError, match=re.escape("d.csv, row 4, column uCode: 'A' appears twice")
    ):
        _check(data, tiny_meta())


def test_empty_cells_are_missing_values() -> None:
    data = tiny_data().astype(object)
    data.loc[0, "x"] = ""
    fw = _check(data, tiny_meta())
    assert pd.isna(fw.data.loc["A", "x"])
