"""Issue 10, item 1: Horizon Europe projects carry a start year (from their start date).

Before the fix every HORIZON project had a null ``start_year``, so year filters found no
Horizon Europe organisation, the timeline stopped at 2021 and an organisation page put its
Horizon Europe projects last.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from bioconnect.errors import InputError
from bioconnect.services.maps import atlas_map
from bioconnect.services.network import NetworkQuery, build, network_timeline
from bioconnect.services.organisations import organisation_detail
from storekit import DATA


def test_every_horizon_project_has_the_year_of_its_start_date(baltic_store: Engine) -> None:
    with baltic_store.connect() as conn:
        rows = conn.execute(
            text("SELECT start_date, start_year FROM project WHERE programme = 'HORIZON'")
        ).all()
    assert len(rows) > 1000
    assert all(year == int(str(date)[:4]) for date, year in rows)


def test_the_map_finds_horizon_organisations_from_2022(baltic_store: Engine) -> None:
    geo = atlas_map(baltic_store, programme="HORIZON", start_year=2022)
    counts = {f.properties.nuts_id: f.properties.organisations for f in geo.features}
    assert all(counts[c] > 0 for c in ("EE", "LV", "LT", "FI")), counts


def test_the_timeline_reaches_the_last_start_year_in_the_data(baltic_sqlite: Engine) -> None:
    folder = DATA / "cordis" / "horizon-europe"
    projects = pd.read_csv(folder / "project_subset.csv", sep=";", dtype=str)
    orgs = pd.read_csv(folder / "organization_subset.csv", sep=";", dtype=str)
    regional = orgs.loc[orgs["country"].isin(["EE", "LV", "LT", "FI"]), "projectID"]
    starts = projects.loc[projects["id"].isin(regional), "startDate"]
    last = int(pd.to_datetime(starts, errors="coerce", format="mixed").dt.year.max())
    assert last >= 2023
    timeline = network_timeline(baltic_sqlite, NetworkQuery())
    years = [period.start_year for period in timeline.summary]
    assert max(years) == last


def test_an_open_window_is_named_in_words(baltic_sqlite: Engine) -> None:
    with pytest.raises(InputError) as err:
        build(baltic_sqlite, NetworkQuery(start_year=2040))
    assert "None" not in str(err.value)
    assert "from 2040" in str(err.value)


def test_an_organisation_lists_its_horizon_europe_projects_first(baltic_sqlite: Engine) -> None:
    with baltic_sqlite.connect() as conn:
        org_id = conn.execute(
            text(
                "SELECT p.org_id FROM participation p WHERE p.programme = 'HORIZON' "
                "AND p.org_id IN (SELECT org_id FROM participation WHERE programme = 'H2020') "
                "GROUP BY p.org_id ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    detail = organisation_detail(baltic_sqlite, org_id)
    programmes = [p.programme for p in detail.projects]
    assert programmes[0] == "HORIZON"
    years = [p.start_year for p in detail.projects]
    assert None not in years[: programmes.count("HORIZON")]
    assert years == sorted(years, key=lambda y: -(y or 0))
