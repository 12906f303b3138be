"""EIS editions in the store, on SQLite and PostgreSQL: import, groups, mapping, bad input."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.benchmark import (
    benchmark_best_practice,
    benchmark_cooperation,
    benchmark_groups,
    benchmark_profile,
    edition_values,
    import_edition,
    list_editions,
    structural_denominators,
)
from bioconnect.store import schema
from storekit import DATA, table_snapshot

EIS = DATA / "eis" / "2025" / "EIS_web_download.xlsx"


def _values(engine: Engine) -> set[tuple[object, ...]]:
    v = schema.BenchmarkValue
    with engine.connect() as conn:
        return set(
            conn.execute(
                select(v.sheet, v.source_row, v.unit, v.period, v.indicator_code, v.value)
            ).all()
        )


def test_official_edition(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="No stored edition"):
        benchmark_groups(engine)
    summary = import_edition(engine, EIS)
    assert summary.name == "EIS 2025" and summary.layout == "official"
    assert summary.sheets == ["EIS", "structural", "global_competitors", "structural_global"]
    assert summary.rows == 13960 + 1116 + 1728 + 218
    assert summary.countries == 40 and summary.years == list(range(2018, 2026))
    first = _values(engine)

    groups = benchmark_groups(engine, runs=300, seed=2)
    labelled = [(c, y) for c, ys in groups.file_labels.items() for y in ys]
    assert len(labelled) == 39 * 8
    assert all(groups.groups[c][y].group == groups.file_labels[c][y] for c, y in labelled)
    for country in ("EE", "LV"):
        p = groups.groups[country][2025].probabilities
        assert set(p) == {"Emerging", "Moderate", "Strong", "Leader"} and sum(
            p.values()
        ) == pytest.approx(1)
    assert (
        groups.groups["LV"][2025].group == "Emerging"
        and groups.groups["EE"][2025].group == "Strong"
    )
    assert any(c.country == "EE" and c.year == 2021 for c in groups.changes)

    matrix = benchmark_best_practice(engine, ["EE", "LV", "LT"], "FI")
    assert (
        matrix.year == 2025
        and len(matrix.dimensions) == 12
        and set(matrix.matrix) == {"EE", "LV", "LT"}
    )
    assert benchmark_cooperation(engine, ["EE", "LV", "LT", "FI"])[0].strong_country in {"FI", "EE"}
    assert len(benchmark_profile(engine, "EE")) == 12
    denominators = structural_denominators(engine)
    structural = pd.read_excel(EIS, sheet_name="structural")
    gdp = structural[structural["indicator_code"] == "5.1.1"].set_index("iso2")["value"]
    assert denominators["5.1.1"].dropna().to_dict() == gdp.to_dict()
    assert {"5.6.1", "5.2.1"} <= set(denominators.columns)

    # re-importing the same file changes nothing
    import_edition(engine, EIS)
    assert _values(engine) == first and len(list_editions(engine)) == 1

    # a workbook without the structural sheet: one error, the store unchanged
    broken = tmp_path / "EIS_no_structural.xlsx"
    shutil.copy(EIS, broken)
    wb = load_workbook(broken)
    del wb["structural"]
    wb.save(broken)
    before = table_snapshot(engine)
    with pytest.raises(
        InputError, match=re.escape("EIS_no_structural.xlsx: sheet 'structural' is missing")
    ):
        import_edition(engine, broken, edition="EIS broken")
    assert table_snapshot(engine) == before


def test_another_layout_through_a_mapping(engine: Engine, tmp_path: Path) -> None:
    # the EIS sheet of the real file, as a CSV in another layout (other column names and order)
    frame = pd.read_excel(EIS, sheet_name="EIS")
    other = frame.rename(
        columns={"iso2": "geo", "year": "time", "indicator_code": "code", "value": "score"}
    )
    path = tmp_path / "eis_long.csv"
    other[["time", "geo", "code", "score", "indicator"]].to_csv(path, index=False)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  unit: geo\n  indicator_code: code\n  year: time\n  value: score\n  indicator: indicator\n",
        encoding="utf-8",
    )
    summary = import_edition(engine, path, mapping=mapping, edition="EIS 2025 long")
    assert summary.layout == "mapped:mapping.yaml" and summary.rows == 13960
    groups = benchmark_groups(engine, "EIS 2025 long", runs=50)
    assert (
        groups.groups["FI"][2025].group == "Leader"
        and groups.groups["LV"][2018].group == "Emerging"
    )
    labels = frame[(frame["indicator_code"] == "SII") & (frame["iso2"] != "EU27_2020")]
    assert all(groups.groups[r.iso2][r.year].group == r._8 for r in labels.itertuples())
    assert (
        edition_values(engine, "EIS 2025 long")["value"].notna().sum()
        == frame["value"].notna().sum()
    )

    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  unit: geo\n  year: time\n  value: score\n", encoding="utf-8")
    before = table_snapshot(engine)
    with pytest.raises(InputError, match=re.escape("bad.yaml: columns.indicator_code is missing")):
        import_edition(engine, path, mapping=bad)
    other["score"] = other["score"].astype(object)
    other.loc[5, "score"] = "n.a."
    other[["time", "geo", "code", "score"]].to_csv(path, index=False)
    mapping.write_text(
        "columns:\n  unit: geo\n  indicator_code: code\n  year: time\n  value: score\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InputError,
        match=re.escape("eis_long.csv, sheet -, row 7, column score: 'n.a.' is not a number"),
    ):
        import_edition(engine, path, mapping=mapping, edition="EIS 2025 long")
    assert table_snapshot(engine) == before
