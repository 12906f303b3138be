"""Newcomer cohorts from the real Baltic store, on both engines, checked against pandas
reading the CORDIS source files directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from bioconnect.errors import InputError
from bioconnect.services.outcomes import newcomer_cohorts, newcomer_table

COUNTRIES = ["EE", "LV", "LT", "FI"]


@pytest.fixture(scope="module")
def oracle(data_dir: Path) -> pd.DataFrame:
    """Each PIC's first H2020/Horizon Europe start year, read from the files with pandas
    (h2020.csv.gz, the Horizon Dashboard export, the Horizon Europe files)."""
    cordis = data_dir / "cordis"
    h2020 = pd.read_csv(cordis / "h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    h2020["year"] = pd.to_numeric(h2020["start_year"], errors="coerce")
    samples = pd.read_csv(cordis / "horizon-europe-official-samples/organization.csv", dtype=str)
    sample_projects = pd.read_csv(cordis / "horizon-europe-official-samples/project.csv", dtype=str)
    samples = samples.rename(columns={"organisationID": "pic"}).merge(
        sample_projects.rename(columns={"id": "projectID"})[["projectID", "startDate"]],
        on="projectID",
        how="left",
    )
    subset = pd.read_csv(cordis / "horizon-europe/organization_subset.csv", sep=";", dtype=str)
    subset["pic"] = subset["contactForm"].str.extract(r"contact-form/project/(\d+)/", expand=False)
    subset_projects = pd.read_csv(cordis / "horizon-europe/project_subset.csv", sep=";", dtype=str)
    subset = subset.merge(
        subset_projects.rename(columns={"id": "projectID"})[["projectID", "startDate"]],
        on="projectID",
        how="left",
    )
    horizon = pd.concat([samples, subset])[["pic", "country", "startDate"]]
    horizon["year"] = pd.to_numeric(horizon["startDate"].str[:4], errors="coerce")
    # the Horizon Dashboard export: H2020 projects of call year 2021 (dd/mm/yyyy dates)
    dashboard = pd.read_csv(
        data_dir / "horizon-dashboard/dashboard-export-2021.csv", dtype=str, keep_default_na=False
    )
    dashboard = dashboard.rename(columns={"country_code": "country_of_pic"})
    dashboard = pd.DataFrame(
        {
            "pic": dashboard["pic"],
            "country": dashboard["country_of_pic"],
            "year": pd.to_numeric(dashboard["project_start_date"].str[-4:], errors="coerce"),
        }
    )
    every = pd.concat([horizon, h2020, dashboard])[["pic", "country", "year"]]
    fp7 = set(pd.read_csv(cordis / "fp7/organization.csv", dtype=str)["idOrganization"])
    first = every.dropna(subset=["year"]).groupby("pic")["year"].min().astype(int)
    country = every.dropna(subset=["country"]).groupby("pic")["country"].first()
    newcomers = first[~first.index.isin(fp7)].to_frame("year").join(country)
    return newcomers[newcomers["country"].isin(COUNTRIES)]


def test_entries_per_year_equal_pandas_on_the_source_files(
    baltic_store: Engine, oracle: pd.DataFrame
) -> None:
    report = newcomer_cohorts(baltic_store, COUNTRIES, by="country")
    got = {(e.group, e.year): e.entries for e in report.entries}
    want = oracle.groupby(["country", "year"]).size().to_dict()
    assert got == want
    assert report.members == len(oracle)
    assert set(report.curves) == set(COUNTRIES)
    # Estonia's 2015 cohort, read off the files: 40 organisations
    assert got[("EE", 2015)] == 40


def test_no_fp7_participant_is_a_newcomer(baltic_store: Engine, data_dir: Path) -> None:
    fp7 = set(pd.read_csv(data_dir / "cordis/fp7/organization.csv", dtype=str)["idOrganization"])
    table = newcomer_table(baltic_store, COUNTRIES)
    assert len(table) > 500
    assert not set(table["entity"]) & fp7


def test_exits_follow_the_gap_rule(baltic_sqlite: Engine) -> None:
    table = newcomer_table(baltic_sqlite, ["EE"], gap_years=2, end_year=2020)
    assert table["entry"].max() <= 2020
    exits = table[table["event"]]
    assert (exits["exit"] <= 2020).all() and (exits["exit_kind"] == "inactive").all()
    censored = table[~table["event"]]
    assert np.allclose(censored["duration"], 2020 - censored["entry"])
    longer = newcomer_table(baltic_sqlite, ["EE"], gap_years=4, end_year=2020)
    # a longer gap can only delay or censor an exit
    assert longer["event"].sum() <= table["event"].sum()


@pytest.mark.parametrize("by", ["stakeholder_group", "domain", "sme"])
def test_breakdowns_cover_every_newcomer(baltic_sqlite: Engine, by: str) -> None:
    report = newcomer_cohorts(baltic_sqlite, ["LV"], by=by)
    total = sum(c.n for c in report.curves.values())
    if by == "domain":
        assert total >= report.members  # an organisation counts in each of its domains
        assert report.logrank is None
    else:
        assert total == report.members
        assert report.logrank is not None and report.logrank.df == len(report.curves) - 1
    for curve in report.curves.values():
        assert curve.survival[0] <= 1 and curve.timeline[0] == 0
        assert all(
            lo <= s <= hi
            for lo, s, hi in zip(curve.ci_lower, curve.survival, curve.ci_upper, strict=True)
        )


def test_unknown_breakdown_is_refused(baltic_sqlite: Engine) -> None:
    with pytest.raises(InputError, match="unknown breakdown 'nace'"):
        newcomer_cohorts(baltic_sqlite, ["EE"], by="nace")


def test_a_cox_model_of_newcomers_exit(baltic_sqlite: Engine) -> None:
    from bioconnect.services.outcomes import newcomer_cox

    model = newcomer_cox(baltic_sqlite, COUNTRIES)
    table = newcomer_table(baltic_sqlite, COUNTRIES)
    assert (model.n, model.events) == (len(table), int(table["event"].sum()))
    assert model.covariates == ["country", "stakeholder_group", "sme"]
    names = {t.covariate for t in model.terms}
    # one indicator per value but the commonest, for each attribute
    want = sum(table[c].nunique() - 1 for c in model.covariates)
    assert len(names) == want
    assert all(t.ci_lower <= t.hazard_ratio <= t.ci_upper for t in model.terms)
    assert 0.5 <= model.concordance <= 1
    with pytest.raises(InputError, match="unknown covariate 'nace'"):
        newcomer_cox(baltic_sqlite, COUNTRIES, covariates=["nace"])
