"""The atlas summary on the real Baltic data, checked against pandas reading the files.

These figures are of all research (``scope="all"``); the preset's focus is tested in
``test_scope.py``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from bioconnect.services.atlas import atlas_summary

# h2020.csv.gz (EE 728, FI 2941, LT 505, LV 439) and the Horizon Dashboard export's
# call-year-2021 projects, none of which h2020.csv.gz holds (EE 26, FI 36, LT 12, LV 6)
EXPECTED_H2020 = {"EE": 754, "FI": 2977, "LT": 517, "LV": 445}


@pytest.fixture(scope="module")
def h2020(data_dir: Path) -> pd.DataFrame:
    """H2020 participations: h2020.csv.gz, then the dashboard export without repeats."""
    frame = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    dashboard = pd.read_csv(
        data_dir / "horizon-dashboard/dashboard-export-2021.csv", dtype=str, keep_default_na=False
    )
    dashboard = dashboard.drop_duplicates(["project_id", "pic", "partner_role"], keep="last")
    dashboard = dashboard[["country_code", "eu_contribution"]].rename(
        columns={"country_code": "country", "eu_contribution": "contribution"}
    )
    dashboard["contribution"] = dashboard["contribution"].replace("-", "NA")
    return pd.concat([frame.drop_duplicates(), dashboard], ignore_index=True)


@pytest.fixture(scope="module")
def horizon(data_dir: Path) -> pd.DataFrame:
    """Horizon Europe participations: the official samples, then the subset without repeats."""
    samples = pd.read_csv(
        data_dir / "cordis/horizon-europe-official-samples/organization.csv", dtype=str
    )
    samples = samples.rename(columns={"organisationID": "pic"})
    subset = pd.read_csv(
        data_dir / "cordis/horizon-europe/organization_subset.csv", sep=";", dtype=str
    )
    subset["pic"] = subset["contactForm"].str.extract(r"contact-form/project/(\d+)/", expand=False)
    subset = subset.drop_duplicates(["projectID", "pic", "role"], keep="last")
    both = pd.concat([samples, subset], ignore_index=True)
    both["ecContribution"] = pd.to_numeric(both["ecContribution"], errors="coerce")
    return both.drop_duplicates(["projectID", "pic", "role"], keep="first")


def test_h2020_participations_equal_the_source_rows(
    baltic_store: Engine, h2020: pd.DataFrame
) -> None:
    summary = atlas_summary(baltic_store, "baltic", "all")
    got = {c: summary.countries[c].participations["H2020"] for c in EXPECTED_H2020}
    assert got == EXPECTED_H2020
    oracle = h2020[h2020["country"].isin(list(EXPECTED_H2020))].groupby("country").size().to_dict()
    assert got == oracle


def test_h2020_contribution_is_the_sum_of_the_source_column(
    baltic_store: Engine, h2020: pd.DataFrame
) -> None:
    summary = atlas_summary(baltic_store, "baltic", "all")
    contribution = pd.to_numeric(h2020["contribution"].replace("NA", None), errors="raise")
    sums = contribution.groupby(h2020["country"]).sum()
    for country in EXPECTED_H2020:
        assert summary.countries[country].ec_contribution_eur["H2020"] == pytest.approx(
            sums[country], rel=1e-12
        )


def test_horizon_participations_after_deduplication(
    baltic_store: Engine, horizon: pd.DataFrame
) -> None:
    summary = atlas_summary(baltic_store, "baltic", "all")
    for country in EXPECTED_H2020:
        rows = horizon[horizon["country"] == country]
        entry = summary.countries[country]
        assert entry.participations["HORIZON"] == len(rows)
        assert entry.ec_contribution_eur["HORIZON"] == pytest.approx(
            rows["ecContribution"].sum(), rel=1e-9
        )


def test_summary_shape_and_breakdowns(baltic_store: Engine) -> None:
    summary = atlas_summary(baltic_store, "baltic", "all")
    assert summary.region == "baltic"
    assert list(summary.countries) == ["EE", "LV", "LT", "FI"]
    assert summary.countries["FI"].role == "reference"
    for entry in summary.countries.values():
        assert entry.organisations > 0
        groups = entry.by_group
        assert {"academia", "industry", "public"} <= set(groups)
        # every participation belongs to exactly one stakeholder group
        assert sum(g.participations for g in groups.values()) == sum(entry.participations.values())
        assert "health" in entry.by_domain
    # the flat rows add up to the per-domain figures
    rows = pd.DataFrame([row.model_dump() for row in summary.rows])
    by_domain = rows.groupby(["country", "domain"])["participations"].sum()
    assert by_domain[("EE", "health")] == summary.countries["EE"].by_domain["health"].participations


def test_search_finds_organisations_by_a_name_variant(baltic_store: Engine) -> None:
    from sqlalchemy import func, select

    from bioconnect.services.organisations import list_organisations
    from bioconnect.store import schema

    org, name = schema.Organisation, schema.OrganisationName
    with baltic_store.connect() as conn:
        org_id, variant = conn.execute(
            select(name.org_id, name.name)
            .join(org, org.id == name.org_id)
            .where(func.lower(org.name) != func.lower(name.name), func.length(name.name) > 12)
            .order_by(name.org_id, name.name)
            .limit(1)
        ).one()
    rows, total = list_organisations(baltic_store, variant, limit=500)
    assert org_id in {r.id for r in rows} and total >= 1
