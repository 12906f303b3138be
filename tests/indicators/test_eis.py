"""EIS performance groups and profiles on the EIS 2025 web download (pure functions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioconnect.indicators import (
    GROUPS,
    best_practice_matrix,
    cooperation_areas,
    group_changes,
    group_probabilities,
    performance_group,
    performance_groups,
    strengths_weaknesses,
)
from storekit import DATA

EIS = DATA / "eis" / "2025" / "EIS_web_download.xlsx"


@pytest.fixture(scope="module")
def eis() -> pd.DataFrame:
    frame = pd.read_excel(EIS, sheet_name="EIS")
    return frame.rename(columns={"iso2": "unit", "performance group": "label"}).assign(
        country=lambda f: f["unit"]
    )


def test_thresholds() -> None:
    assert [performance_group(s) for s in (125.01, 125.0, 100.0, 99.99, 70.0, 69.99)] == [
        "Leader",
        "Strong",
        "Strong",
        "Moderate",
        "Moderate",
        "Emerging",
    ]


def test_groups_equal_the_files_labels_for_every_country_and_year(eis: pd.DataFrame) -> None:
    groups = performance_groups(eis)
    labels = eis[(eis["indicator_code"] == "SII") & (eis["country"] != "EU27_2020")]
    merged = groups.merge(labels[["country", "year", "label"]], on=["country", "year"])
    assert len(merged) == len(labels) == 39 * 8
    assert (merged["group"] == merged["label"]).all()
    # the share, computed independently with pandas
    sii = eis[eis["indicator_code"] == "SII"].set_index(["country", "year"])["value"]
    ee = sii[("EE", 2025)] / sii[("EU27_2020", 2025)] * 100
    assert groups.set_index(["country", "year"]).at[("EE", 2025), "sii_share"] == pytest.approx(ee)


def test_group_changes(eis: pd.DataFrame) -> None:
    changes = group_changes(performance_groups(eis))
    ee = changes[changes["country"] == "EE"]
    assert ee.values.tolist() == [["EE", 2021, "Moderate", "Strong"]]
    assert set(changes["country"]) == {"BE", "EE", "EL", "HR", "IE", "LU", "NO", "UK"}


def test_group_probabilities(eis: pd.DataFrame) -> None:
    indicators = sorted(c for c in eis["indicator_code"].unique() if c.count(".") == 2)
    assert len(indicators) == 32
    p = group_probabilities(eis, indicators, runs=400, seed=5).set_index(["country", "year"])
    assert np.allclose(p[list(GROUPS)].sum(axis=1), 1.0)
    again = group_probabilities(eis, indicators, runs=400, seed=5).set_index(["country", "year"])
    assert p.equals(again)
    # Latvia is far below 70%: always Emerging; Estonia (104.8%) sits near the 100% line
    assert p.at[("LV", 2025), "Emerging"] > 0.95
    assert 0.05 < p.at[("EE", 2025), "Moderate"] < 0.95 and p.at[("EE", 2025), "Strong"] > 0.3
    # with no weight spread and nothing left out, every label is certain and equals the group
    exact = group_probabilities(eis, indicators, runs=3, concentration=1e9, leave_one_out=False)
    groups = performance_groups(eis).set_index(["country", "year"])["group"]
    for (country, year), row in exact.set_index(["country", "year"]).iterrows():
        assert row[groups[(country, year)]] == 1.0


def test_profiles(eis: pd.DataFrame) -> None:
    dims = sorted(c for c in eis["indicator_code"].unique() if c.count(".") == 1)
    assert len(dims) == 12
    table = eis[eis["year"] == 2025].pivot_table(
        index="country", columns="indicator_code", values="value"
    )
    matrix = best_practice_matrix(eis, ["EE", "LV", "LT"], "FI", 2025, dims)
    assert np.allclose(matrix.loc["LV"], table.loc["LV", dims] / table.loc["FI", dims] * 100)
    sw = strengths_weaknesses(eis, "LV", 2025, dims, peers=["BG", "RO"])
    assert sw["vs_eu"].is_monotonic_decreasing
    assert sw.at["1.1", "vs_peers"] == pytest.approx(
        table.at["LV", "1.1"] / table.loc[["BG", "RO"], "1.1"].mean() * 100
    )
    areas = cooperation_areas(eis, ["EE", "LV", "LT", "FI"], 2025, dims)
    rel = table.loc[["EE", "LV", "LT", "FI"], dims] / table.loc["EU27_2020", dims] * 100
    expected = {
        (d, a, b)
        for d in dims
        for a in rel.index
        for b in rel.index
        if rel.at[a, d] >= 100 and rel.at[b, d] < 70
    }
    assert (
        set(map(tuple, areas[["dimension", "strong_country", "weak_country"]].values.tolist()))
        == expected
    )
    assert ("1.2", "FI", "LV") in expected
