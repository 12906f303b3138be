"""The engine against figures COINr itself printed for the ASEM example.

Every expected number below is copied from an output block of COINr's vignettes (pkgdown
articles of COINr 1.1.x, github.com/bluefoxr/COINr, ``articles/*.md``), produced by R on
``COINr::ASEM_iData`` / ``ASEM_iMeta``; each test names the vignette. The vignettes round
(``signif(3)``, 2 decimals, 7 significant digits), so each assertion uses that rounding.
The z-score, geometric-mean and no-treatment variants have no printed figures in the
vignettes; they are checked in ``test_asem.py`` (against pandas) and in the CLI tests here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from bioconnect.cli.main import main
from bioconnect.indicators import (
    Framework,
    normalise,
    parse_pipeline,
    run_pipeline,
    skewness,
    treat,
    validate_framework,
)
from indicators.conftest import ASEM_DATA, ASEM_META, ASEM_PIPELINE

EXAMPLES = ASEM_PIPELINE.parent


def _pipeline(path=ASEM_PIPELINE):
    return parse_pipeline(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


@pytest.fixture(scope="module")
def nominal(asem: Framework):
    return run_pipeline(asem, _pipeline())


# vignette "Presenting Results": head(get_results(coin, dset = "Aggregated", tab_type = "Aggs"))
RESULTS_HEAD = """
uCode Rank Index  Conn  Sust Physical ConEcFin Political Instit   P2P Environ Social SusEcFin
CHE      1 68.38 62.79 73.98    63.41    32.87     74.78  85.94 56.93   77.21  87.85    56.88
NLD      2 64.82 61.94 67.70    64.87    46.62     84.55  71.74 41.92   58.73  86.58    57.78
DNK      3 64.80 57.10 72.51    50.52    30.43     78.13  75.35 51.04   69.83  86.40    61.29
NOR      4 64.47 57.44 71.50    58.18    25.70     80.03  89.46 33.80   70.90  87.00    56.59
BEL      5 63.54 63.99 63.09    71.97    48.22     80.84  75.60 43.32   53.01  86.17    50.09
SWE      6 63.00 53.87 72.12    51.51    23.87     80.98  74.51 38.50   66.37  87.74    62.27
"""


def _table(text: str) -> pd.DataFrame:
    rows = [line.split() for line in text.strip().splitlines()]
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0])


def test_results_table_of_the_example_coin(nominal) -> None:
    expected = _table(RESULTS_HEAD)
    aggregates = [c for c in expected.columns if c != "Rank"]
    got = nominal.scores.loc[expected.index, aggregates].round(2)
    assert np.array_equal(got.to_numpy(), expected[aggregates].astype(float).to_numpy())
    assert nominal.ranks.loc[expected.index, "Index"].tolist() == [1, 2, 3, 4, 5, 6]


def test_aggregated_first_rows(nominal) -> None:
    # vignette "Aggregation": dset_aggregated[(nc - 10):nc] |> head(5) |> signif(3); the rows
    # are AUS, AUT, BEL, BGD, BGR (COINr orders units by uCode)
    expected = _table("""
    uCode ConEcFin Environ Instit   P2P Physical Political Social SusEcFin Conn Sust Index
    AUS       12.6    31.9   52.4 39.50     34.8      52.5   71.9     55.7 38.4 53.2  45.8
    AUT       26.2    69.5   77.5 54.10     41.1      78.2   72.8     62.9 55.4 68.4  61.9
    BEL       48.2    53.0   75.6 43.30     72.0      80.8   86.2     50.1 64.0 63.1  63.5
    BGD       13.3    81.7   26.5  5.85     22.9      32.4   27.5     64.6 20.2 57.9  39.0
    BGR       24.6    55.7   75.9 27.10     28.4      67.5   53.3     61.7 44.7 56.9  50.8
    """).astype(float)
    got = nominal.scores.loc[expected.index, expected.columns]
    signif3 = got.map(lambda v: float(f"{v:.3g}"))
    assert np.array_equal(signif3.to_numpy(), expected.to_numpy())


def test_unit_summary_of_india(nominal) -> None:
    # vignette "Presenting Results": get_unit_summary(coin, usel = "IND", Levels = c(4, 3, 2))
    expected = {
        "Index": (39.79, 45),
        "Conn": (28.60, 44),
        "Sust": (50.99, 43),
        "Physical": (18.78, 48),
        "ConEcFin": (6.38, 49),
        "Political": (51.90, 33),
        "Instit": (59.84, 37),
        "P2P": (6.07, 47),
        "Environ": (75.34, 6),
        "Social": (22.74, 51),
        "SusEcFin": (54.88, 36),
    }
    for code, (score, rank) in expected.items():
        assert round(nominal.scores.at["IND", code], 2) == score, code
        assert nominal.ranks.at["IND", code] == rank, code


# vignette "Adjustments and Comparisons": compare_coins_multi(list(Nominal = coin,
# Prank = coin2, NoLPIFor = coin_remove, Screen90 = coin90), dset = "Aggregated",
# iCode = "Index"); NA = screened out
RANKS = """
uCode Nominal Prank NoLPIFor Screen90
CHE 1 1 1 1
NLD 2 4 4 3
DNK 3 2 2 2
NOR 4 3 3 4
BEL 5 7 6 5
SWE 6 5 5 6
AUT 7 6 7 7
LUX 8 10 8 8
DEU 9 8 11 9
MLT 10 19 9 13
SVN 11 9 10 10
IRL 12 14 12 12
FIN 13 13 13 14
SGP 14 15 14 11
GBR 15 12 16 15
LTU 16 11 15 16
CZE 17 18 19 17
HRV 18 23 21 19
ESP 19 24 20 24
HUN 20 22 22 20
FRA 21 21 25 18
EST 22 16 23 23
LVA 23 20 17 21
SVK 24 26 24 22
ROU 25 25 26 25
POL 26 28 27 27
PRT 27 17 18 26
ITA 28 27 28 28
CYP 29 30 29 29
BGR 30 29 30 31
KOR 31 33 31 30
GRC 32 32 32 33
NZL 33 34 33 32
JPN 34 31 34 34
AUS 35 35 37 35
VNM 36 37 36 36
KHM 37 36 35 NA
PHL 38 40 40 39
MYS 39 38 38 38
BRN 40 41 45 NA
MMR 41 42 39 NA
THA 42 43 42 37
IDN 43 49 41 41
MNG 44 48 47 42
IND 45 46 46 40
BGD 46 44 44 NA
KAZ 47 45 49 43
LAO 48 39 43 NA
CHN 49 51 50 45
PAK 50 47 48 44
RUS 51 50 51 46
"""


@pytest.fixture(scope="module")
def vignette_ranks() -> pd.DataFrame:
    return _table(RANKS).replace("NA", np.nan).astype(float)


def _index_ranks(result) -> pd.Series:
    return result.ranks["Index"].astype(float)


def test_nominal_ranks_of_all_units(nominal, vignette_ranks) -> None:
    expected = vignette_ranks["Nominal"]
    assert _index_ranks(nominal).reindex(expected.index).tolist() == expected.tolist()


def test_percentile_rank_normalisation(asem: Framework, vignette_ranks) -> None:
    # coin2$Log$Normalise$global_specs <- list(f_n = "n_prank"); Regen(coin2)
    result = run_pipeline(asem, _pipeline().replace("normalise", {"f_n": "n_prank"}))
    expected = vignette_ranks["Prank"]
    assert _index_ranks(result).reindex(expected.index).tolist() == expected.tolist()


def test_without_lpi_and_forest(asem_frames, vignette_ranks) -> None:
    # change_ind(coin, drop = c("LPI", "Forest"), regen = TRUE)
    data, meta = asem_frames
    fw = validate_framework(
        data.drop(columns=["LPI", "Forest"]), meta[~meta["iCode"].isin(["LPI", "Forest"])]
    )
    expected = vignette_ranks["NoLPIFor"]
    assert _index_ranks(run_pipeline(fw, _pipeline())).reindex(expected.index).tolist() == (
        expected.tolist()
    )


def test_screen_at_90_percent_without_imputation(asem: Framework, vignette_ranks) -> None:
    # coin90$Log$Impute <- NULL; Screen(dset = "Denominated", dat_thresh = 0.9): the gaps
    # stay, so treatment, normalisation and aggregation all run over missing values
    result = run_pipeline(asem, _pipeline().replace("impute", None))
    expected = vignette_ranks["Screen90"]
    assert sorted(result.removed_units) == sorted(expected.index[expected.isna()])
    kept = expected.dropna()
    assert _index_ranks(result).reindex(kept.index).tolist() == kept.tolist()
    assert result.datasets["Normalised"].isna().any().any()


def test_normalise_raw_columns(asem: Framework) -> None:
    # vignette "Normalisation", individual specifications on the Raw data set: LPI as Borda
    # scores, Flights as z-scores with m_sd = c(10, 2), Ship min-max onto [0, 100];
    # get_dset(coin, "Normalised")[1:4] |> head(10)
    expected = _table("""
    uCode LPI   Flights      Ship
    AUS  36  9.889993  66.14497
    AUT  44  9.588735   0.00000
    BEL  45  9.711512  97.14314
    BGD   4  8.529810  45.80661
    BGR   7  8.741971  37.40495
    BRN   9  8.433044  35.38920
    CHE  42 10.563483   0.00000
    CHN  30 13.235114 100.00000
    CYP  14  8.721372  55.21211
    CZE  31  9.001961   0.00000
    """).astype(float)
    raw, directions = asem.data, asem.meta["Direction"]
    got = pd.DataFrame(
        {
            "LPI": normalise(raw[["LPI"]], directions, "n_borda")["LPI"],
            "Flights": normalise(raw[["Flights"]], directions, "n_zscore", {"m_sd": [10, 2]})[
                "Flights"
            ],
            "Ship": normalise(raw[["Ship"]], directions, "n_minmax")["Ship"],
        }
    ).loc[expected.index]
    assert got["LPI"].tolist() == expected["LPI"].tolist()
    assert np.allclose(got["Flights"], expected["Flights"], atol=5e-7)
    assert np.allclose(got["Ship"], expected["Ship"], atol=5e-6)


def test_treatment_of_the_raw_data(asem: Framework) -> None:
    # vignette "Outlier Treatment": Treat(coin, dset = "Raw") and its Dets_Table
    result = treat(asem.data)
    details = result.details
    skews = {"LPI": -0.3042681, "Flights": 2.1032872, "Ship": -0.5756680, "Bord": 2.1482360}
    kurts = {"LPI": -0.6567514, "Flights": 4.5088794, "Elec": 5.7910268, "Gas": 10.3346494}
    for code, value in skews.items():
        assert details.at[code, "skew"] == pytest.approx(value, abs=5e-8)
    for code, value in kurts.items():
        assert details.at[code, "kurt"] == pytest.approx(value, abs=5e-7)
    for code, after in {"Flights": 1.900658, "Bord": 1.899211, "Elec": 1.717744}.items():
        assert details.at[code, "n_winsorised"] == 1
        assert skewness(result.data[code].to_numpy()) == pytest.approx(after, abs=5e-7)
    assert (
        details.loc[["LPI", "Ship", "ConSpeed", "Cov4G", "Services"], "treatment"].eq("none").all()
    )
    # global_specs = list(f1_para = list(winmax = 1)): Goods fails after one point and is
    # logged instead (log_CT of the original column), skew 0.03104001 afterwards
    strict = treat(asem.data, winmax=1)
    assert strict.details.at["Goods", "treatment"] == "log_CT"
    assert skewness(strict.data["Goods"].to_numpy()) == pytest.approx(0.03104001, abs=5e-9)
    # indiv_specs = list(Flights = list(f1_para = list(winmax = 0))): straight to the log
    zero = treat(asem.data[["Flights"]], winmax=0)
    assert skewness(zero.data["Flights"].to_numpy()) == pytest.approx(-0.09502644, abs=5e-9)


# --- the shipped variant pipelines, through the CLI -----------------------------------


def _cli_json(capsys: pytest.CaptureFixture[str], pipeline: str) -> dict:
    args = ["index", "build", str(ASEM_DATA), str(ASEM_META), "--pipeline", pipeline]
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("pipeline-zscore.yaml", {"normalise": {"f_n": "n_zscore", "m_sd": [10, 2]}}),
        (
            "pipeline-gmean.yaml",
            {"normalise": {"f_n": "n_minmax", "l_u": [1, 100]}, "aggregate": {"f_ag": "a_gmean"}},
        ),
        ("pipeline-notreat.yaml", {"treat": None}),
    ],
)
def test_variant_files_are_the_example_with_one_change(name: str, change: dict) -> None:
    expected = _pipeline()
    for step, args in change.items():
        expected = expected.replace(step, args)
    assert _pipeline(EXAMPLES / name) == expected


def test_zscore_variant_through_the_cli(
    capsys: pytest.CaptureFixture[str], asem: Framework
) -> None:
    out = _cli_json(capsys, str(EXAMPLES / "pipeline-zscore.yaml"))
    normalised = pd.DataFrame(out["normalised"]).T
    assert np.allclose(normalised.mean(), 10) and np.allclose(normalised.std(ddof=1), 2)
    treated = run_pipeline(asem, _pipeline()).datasets["Treated"]
    signed = treated * asem.meta["Direction"][treated.columns]
    expected = (signed - signed.mean()) / signed.std(ddof=1) * 2 + 10
    assert np.allclose(normalised.loc[expected.index, expected.columns], expected)
    index = pd.Series({u: s["Index"] for u, s in out["scores"].items()})
    conn, sust = (pd.Series({u: s[k] for u, s in out["scores"].items()}) for k in ("Conn", "Sust"))
    assert np.allclose(index, (conn + sust) / 2)
    ranks = pd.Series({u: r["Index"] for u, r in out["ranks"].items()})
    assert ranks.tolist() == index.rank(ascending=False, method="min").astype(int).tolist()


def test_gmean_variant_through_the_cli(capsys: pytest.CaptureFixture[str], asem: Framework) -> None:
    out = _cli_json(capsys, str(EXAMPLES / "pipeline-gmean.yaml"))
    normalised = pd.DataFrame(out["normalised"]).T
    assert np.isclose(normalised.min().min(), 1) and np.isclose(normalised.max().max(), 100)
    scores = pd.DataFrame(out["scores"]).T
    # geometric mean of the two sub-indices, equal weights; of the pillars below them
    assert np.allclose(scores["Index"], np.sqrt(scores["Conn"] * scores["Sust"]))
    pillars = list(asem.children("Sust"))
    assert np.allclose(scores["Sust"], np.exp(np.log(scores[pillars]).mean(axis=1)))
    amean = run_pipeline(
        asem, _pipeline().replace("normalise", {"f_n": "n_minmax", "l_u": [1, 100]})
    )
    assert (scores["Index"] <= amean.scores["Index"].reindex(scores.index) + 1e-9).all()


def test_notreat_variant_through_the_cli(
    capsys: pytest.CaptureFixture[str], asem: Framework
) -> None:
    out = _cli_json(capsys, str(EXAMPLES / "pipeline-notreat.yaml"))
    normalised = pd.DataFrame(out["normalised"]).T
    screened = run_pipeline(asem, _pipeline()).datasets["Screened"]
    signed = screened * asem.meta["Direction"][screened.columns]
    expected = (signed - signed.min()) / (signed.max() - signed.min()) * 100
    assert np.allclose(normalised.loc[expected.index, expected.columns], expected)
    nominal = _cli_json(capsys, str(ASEM_PIPELINE))
    assert out["scores"]["CHE"]["Index"] != pytest.approx(nominal["scores"]["CHE"]["Index"])


def test_gmean_on_zero_to_hundred_stops_as_coinr_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # a_gmean stops on values <= 0; min-max onto [0, 100] gives each indicator a 0
    spec = yaml.safe_load(ASEM_PIPELINE.read_text(encoding="utf-8"))
    spec["steps"][-1] = {"aggregate": {"f_ag": "a_gmean"}}
    pipeline = tmp_path / "gmean-0-100.yaml"
    pipeline.write_text(yaml.safe_dump(spec), encoding="utf-8")
    code = main(["index", "build", str(ASEM_DATA), str(ASEM_META), "--pipeline", str(pipeline)])
    err = capsys.readouterr().err
    assert code != 0 and "a_gmean needs positive values" in err
