"""The biotech research index: its figures against pandas (and networkx) reading the files.

The oracle reads the CORDIS files and the EIS workbook in ../shared/data directly: the
participations (H2020 without repeated rows and the Horizon Dashboard export's 2021
projects; Horizon Europe's official samples, then the
subset without repeats, as ``test_atlas`` does), the projects' programme parts and
EuroSciVoc paths matched against the preset's domain rules, and the structural sheet.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from sqlalchemy import Engine

from bioconnect.errors import NotFoundError
from bioconnect.indicators import run_pipeline, validate_framework
from bioconnect.model.preset import load_preset
from bioconnect.services.biotech_index import (
    EU27,
    biotech_framework_files,
    biotech_idata,
    biotech_index,
    biotech_source_rows,
)
from bioconnect.services.indicators import load_pipeline, read_table

CORDIS = "cordis"


def _under(values: pd.Series, prefix: str, sep: str) -> pd.Series:
    text = values.astype(str)
    return (text == prefix) | text.str.startswith(prefix + sep)


def _biotech_projects(parts: pd.DataFrame, fields: pd.DataFrame) -> set[str]:
    found: set[str] = set()
    for domain in load_preset("baltic").domains:
        for prefix in domain.rules.scivoc_prefixes:
            found |= set(fields.loc[_under(fields["path"], prefix, "/"), "project_id"])
        for part in domain.rules.programme_parts:
            found |= set(parts.loc[_under(parts["part"], part, "."), "project_id"])
    return found


@pytest.fixture(scope="module")
def participations(data_dir: Path) -> pd.DataFrame:
    """Every participation in a biotech project: project, pic, role, country, contribution."""
    h2020 = pd.read_csv(
        data_dir / CORDIS / "h2020/h2020.csv.gz", dtype=str, keep_default_na=False
    ).drop_duplicates()
    h2020 = pd.DataFrame(
        {
            "project_id": "rcn:" + h2020["rcn"],
            "pic": h2020["pic"],
            "role": h2020["role"],
            # the file writes NA for a missing value, in every column (so Namibia is lost)
            "country": h2020["country"].replace("NA", None),
            "ec": pd.to_numeric(h2020["contribution"].replace("NA", None)),
        }
    )
    # the Horizon Dashboard export: "-" is a blank and "NA" is Namibia there; the last of
    # two rows of one participation is kept, as the mapping does
    export = pd.read_csv(
        data_dir / "horizon-dashboard/dashboard-export-2021.csv", dtype=str, keep_default_na=False
    ).drop_duplicates(["project_id", "pic", "partner_role"], keep="last")
    dashboard = pd.DataFrame(
        {
            "project_id": export["project_id"],
            "pic": export["pic"],
            "role": export["partner_role"].str.lower(),
            "country": export["country_code"],
            "ec": pd.to_numeric(export["eu_contribution"].replace("-", None)),
        }
    )
    samples_dir = data_dir / CORDIS / "horizon-europe-official-samples"
    he_dir = data_dir / CORDIS / "horizon-europe"
    samples = pd.read_csv(samples_dir / "organization.csv", dtype=str)
    samples = samples.rename(columns={"organisationID": "pic"})
    subset = pd.read_csv(he_dir / "organization_subset.csv", sep=";", dtype=str)
    subset["pic"] = subset["contactForm"].str.extract(r"contact-form/project/(\d+)/", expand=False)
    subset = subset.drop_duplicates(["projectID", "pic", "role"], keep="last")
    he = pd.concat([samples, subset], ignore_index=True)
    he = he.drop_duplicates(["projectID", "pic", "role"], keep="first")
    he = pd.DataFrame(
        {
            "project_id": he["projectID"],
            "pic": he["pic"],
            "role": he["role"],
            "country": he["country"],
            "ec": pd.to_numeric(he["ecContribution"], errors="coerce"),
        }
    )
    parts = pd.read_csv(data_dir / CORDIS / "h2020/programme_parts.csv.gz", dtype=str)
    he_parts = [
        pd.read_csv(folder / "legalBasis.csv", sep=sep, dtype=str)
        for folder, sep in ((samples_dir, ","), (he_dir, ";"))
    ]
    projects = [
        pd.read_csv(samples_dir / "project.csv", dtype=str),
        pd.read_csv(he_dir / "project_subset.csv", sep=";", dtype=str),
    ]
    all_parts = pd.concat(
        [
            pd.DataFrame({"project_id": "rcn:" + parts["rcn"], "part": parts["programme_part"]}),
            *[
                pd.DataFrame({"project_id": t["projectID"], "part": t["legalBasis"]})
                for t in he_parts
            ],
            *[pd.DataFrame({"project_id": t["id"], "part": t["legalBasis"]}) for t in projects],
            pd.DataFrame(
                {"project_id": export["project_id"], "part": export["thematic_priority_abbr"]}
            ),
        ]
    ).dropna()
    fields = pd.concat(
        pd.read_csv(folder / "euroSciVoc.csv", sep=sep, dtype=str)
        for folder, sep in ((samples_dir, ","), (he_dir, ";"))
    )
    fields = pd.DataFrame({"project_id": fields["projectID"], "path": fields["euroSciVocPath"]})
    biotech = _biotech_projects(all_parts, fields.dropna())
    both = pd.concat([h2020, dashboard, he], ignore_index=True)
    return both[both["project_id"].isin(biotech)].reset_index(drop=True)


@pytest.fixture(scope="module")
def structural(data_dir: Path) -> pd.DataFrame:
    sheet = pd.read_excel(data_dir / "eis/2025/EIS_web_download.xlsx", sheet_name="structural")
    return sheet.pivot_table(index="iso2", columns="indicator_code", values="value", aggfunc="last")


def _ties(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Cross-border share of tie ends, and eigenvector centrality, by networkx."""
    pairs = rows.dropna(subset=["pic", "country"]).drop_duplicates(["project_id", "pic"])
    n_cp = pairs.groupby(["project_id", "country"]).size().rename("n_cp").reset_index()
    n_p = pairs.groupby("project_id").size().rename("n_p")
    n_cp = n_cp.join(n_p, on="project_id")
    ends = (n_cp["n_cp"] * (n_cp["n_p"] - 1)).groupby(n_cp["country"]).sum()
    cross = (n_cp["n_cp"] * (n_cp["n_p"] - n_cp["n_cp"])).groupby(n_cp["country"]).sum()
    both = n_cp.merge(n_cp, on="project_id", suffixes=("_a", "_b"))
    both = both[both["country_a"] < both["country_b"]]
    weight = (both["n_cp_a"] * both["n_cp_b"]).groupby([both["country_a"], both["country_b"]]).sum()
    graph = nx.Graph()
    graph.add_nodes_from(ends.index)
    graph.add_weighted_edges_from((a, b, float(w)) for (a, b), w in weight.items())
    centrality = pd.Series(nx.eigenvector_centrality_numpy(graph, weight="weight")).abs()
    return (cross / ends.where(ends > 0)), centrality / centrality.max()


@pytest.fixture(scope="module")
def oracle(participations: pd.DataFrame, structural: pd.DataFrame) -> pd.DataFrame:
    units = list(dict.fromkeys([*EU27, *load_preset("baltic").all_countries]))
    by = participations.groupby("country")
    count = by.size().reindex(units).fillna(0)
    coordinators = (
        (participations["role"] == "coordinator").groupby(participations["country"]).sum()
    )
    cross, centrality = _ties(participations)
    population = structural["5.6.1"].reindex(units) / 1e6
    return pd.DataFrame(
        {
            "Population": population,
            "GDP": population * structural["5.1.1"].reindex(units) / 100,
            "BioPart": count.astype(float),
            "BioFund": by["ec"].sum().reindex(units).fillna(0.0),
            "CoordShare": coordinators.reindex(units) / count.where(count > 0),
            "XBorder": cross.reindex(units),
            "NetPos": centrality.reindex(units),
        },
        index=pd.Index(units, name="uCode"),
    )


def test_the_index_covers_the_eu27_and_the_preset(baltic_eis: Engine) -> None:
    index = biotech_index(baltic_eis, runs=64)
    assert set(index.units) == set(EU27) | {"EE", "LV", "LT", "FI"}
    assert len(index.units) == 27
    assert index.highlighted == ["EE", "LV", "LT", "FI"]
    assert [r.unit for r in index.rows if r.highlighted] == sorted(
        index.highlighted, key=lambda u: index.build.ranks[u]["BioIndex"]
    )
    assert sorted(r.rank for r in index.rows) == list(range(1, 28))
    for row in index.rows:
        assert row.rank_q05 is not None and row.rank_q95 is not None
        assert row.rank_q05 <= row.rank_median <= row.rank_q95  # type: ignore[operator]


def test_indicator_values_equal_pandas_on_the_source_files(
    baltic_eis: Engine, oracle: pd.DataFrame
) -> None:
    got = biotech_idata(baltic_eis).set_index("uCode")[list(oracle.columns)]
    assert list(got.index) == list(oracle.index)
    pd.testing.assert_frame_equal(got, oracle, check_exact=False, rtol=1e-9, check_names=False)
    # the figures themselves, not only their agreement: every EU country takes part
    assert (oracle["BioPart"] > 0).all()
    # 123 from CORDIS, and 6 in the Horizon Dashboard export's HEALTH/FOOD projects
    assert oracle.loc["EE", "BioPart"] == 129


def test_denominated_values_and_scores_follow_from_the_oracle(
    baltic_eis: Engine, oracle: pd.DataFrame
) -> None:
    index = biotech_index(baltic_eis, runs=64)
    for unit in oracle.index:
        d = index.denominated[unit]
        assert d["BioPart"] == pytest.approx(
            oracle.at[unit, "BioPart"] / oracle.at[unit, "Population"], rel=1e-9
        )
        assert d["BioFund"] == pytest.approx(
            oracle.at[unit, "BioFund"] / oracle.at[unit, "GDP"], rel=1e-9
        )
    meta, pipeline = biotech_framework_files("baltic")
    frame = oracle.reset_index()
    result = run_pipeline(validate_framework(frame, read_table(meta)), load_pipeline(pipeline))
    for unit in oracle.index:
        assert index.build.scores[unit]["BioIndex"] == pytest.approx(
            result.scores.at[unit, "BioIndex"], rel=1e-9
        )
    assert index.build.ranks["FI"]["BioIndex"] == int(result.ranks.at["FI", "BioIndex"])


def test_each_figure_traces_to_its_source_rows(baltic_eis: Engine, oracle: pd.DataFrame) -> None:
    index = biotech_index(baltic_eis, runs=64)
    for unit in ("EE", "LV", "MT"):
        assert sum(s.rows for s in index.sources[unit]) == oracle.at[unit, "BioPart"]
    rows = biotech_source_rows(baltic_eis, "EE")
    assert len(rows) == oracle.at["EE", "BioPart"]
    assert set(rows["path"]) <= {
        "cordis/h2020/h2020.csv.gz",
        "cordis/horizon-europe/organization_subset.csv",
        "cordis/horizon-europe-official-samples/organization.csv",
        "horizon-dashboard/dashboard-export-2021.csv",
    }
    assert rows["ec_contribution"].sum() == pytest.approx(oracle.at["EE", "BioFund"], rel=1e-9)


def test_an_edited_framework_changes_the_index(baltic_eis: Engine, tmp_path: Path) -> None:
    meta, _ = biotech_framework_files("baltic")
    edited = read_table(meta)
    edited.loc[edited["iCode"] == "BioFund", "Denominator"] = "Population"
    edited.loc[edited["iCode"] == "Position", "Weight"] = "0"
    path = tmp_path / "iMeta.csv"
    edited.to_csv(path, index=False)
    index = biotech_index(baltic_eis, meta=path, runs=64)
    data = index.data["EE"]
    assert index.denominated["EE"]["BioFund"] == pytest.approx(
        data["BioFund"] / data["Population"]  # type: ignore[operator]
    )
    assert index.meta_file == str(path)
    # Position weighs nothing: the index is the Intensity pillar
    for unit in ("EE", "DK"):
        assert index.build.scores[unit]["BioIndex"] == pytest.approx(
            index.build.scores[unit]["Intensity"]
        )


def test_without_an_edition_it_says_how_to_import_one(baltic_sqlite: Engine) -> None:
    with pytest.raises(NotFoundError, match="benchmark import"):
        biotech_idata(baltic_sqlite)


def test_the_cli_prints_the_service_figures(
    baltic_eis: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from bioconnect.cli.main import main

    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", str(baltic_eis.url))
    assert main(["index", "biotech", "--runs", "32", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    index = biotech_index(baltic_eis, runs=32)
    assert printed["build"]["scores"] == index.build.scores
    assert [r["unit"] for r in printed["rows"]] == [r.unit for r in index.rows]
    assert main(["index", "biotech", "--trace", "LV"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("source,path,source_row") and len(rows) - 1 == sum(
        s.rows for s in index.sources["LV"]
    )
