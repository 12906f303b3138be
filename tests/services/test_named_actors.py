"""Issue 10, item 4: named actors from more real sources.

The official-schema H2020 slices name and locate organisations that ``h2020.csv.gz``
knows only by PIC (joined by PIC; they add no participations), the Horizon Dashboard
export brings its call-year-2021 projects with named participants, and an organisation
or project that stays unnamed says why and links to the EU's own pages.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from bioconnect.services.organisations import organisation_detail
from bioconnect.services.projects import project_detail

SLICES = "cordis/h2020-official-slices"
DASHBOARD = "horizon-dashboard/dashboard-export-2021.csv"


@pytest.fixture(scope="module")
def slices(data_dir: Path) -> pd.DataFrame:
    files = sorted((data_dir / SLICES).glob("organization-*.csv"), reverse=True)
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def dashboard_rows(data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(data_dir / DASHBOARD, dtype=str, keep_default_na=False)
    return frame.drop_duplicates(["project_id", "pic", "partner_role"], keep="last")


def _scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_the_slices_add_no_participations_and_no_projects(baltic_store: Engine) -> None:
    sql = (
        "select count(*) from {table} t join source_file f on f.id = t.source_file_id "
        "where f.source = 'h2020-official-slices'"
    )
    assert _scalar(baltic_store, sql.format(table="participation")) == 0
    assert _scalar(baltic_store, sql.format(table="project")) == 0
    files = _scalar(
        baltic_store, "select count(*) from source_file where source = 'h2020-official-slices'"
    )
    assert files == 3


def test_the_slices_name_and_locate_organisations_known_only_by_pic(
    baltic_store: Engine, slices: pd.DataFrame, data_dir: Path
) -> None:
    """Every regional PIC of the slices that h2020.csv.gz has and no other name file names
    gets the slices' name, VAT and coordinates, with the slice file as provenance."""
    h2020 = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, usecols=["pic"])
    named_2017 = pd.read_csv(data_dir / "cordis/h2020/organizations_2017.csv", dtype=str)
    fp7 = pd.read_csv(data_dir / "cordis/fp7/organization.csv", dtype=str)
    others = set(named_2017["pic"]) | set(fp7["idOrganization"])
    regional = slices[slices["country"].isin(["EE", "LV", "LT", "FI"])]
    only_here = regional[
        regional["organisationID"].isin(set(h2020["pic"]))
        & ~regional["organisationID"].isin(others)
    ].drop_duplicates("organisationID")
    assert len(only_here) >= 5
    from_slices = 0
    for _, row in only_here.iterrows():
        detail = organisation_detail(baltic_store, row["organisationID"])
        org = detail.organisation
        assert org.name, row["organisationID"]
        name = next(p for p in detail.provenance if p.field == "name")
        if name.source != "h2020-official-slices":
            # an earlier source (the Horizon Europe files, the dashboard) names it
            assert name.source in {"horizon-participations", "horizon-dashboard"}
            continue
        from_slices += 1
        assert org.name == row["name"] and name.file.startswith(SLICES)
        assert org.lat == pytest.approx(float(row["geolocation"].split(",")[0]))
        if row["vatNumber"]:
            assert {"scheme": "vat", "value": row["vatNumber"]} in [
                i.model_dump() for i in detail.identifiers
            ]
    assert from_slices >= 5


def test_the_newest_slice_is_read_first(baltic_store: Engine) -> None:
    with baltic_store.connect() as conn:
        paths = conn.execute(
            text("select path from source_file where source = 'h2020-official-slices' order by id")
        ).scalars()
        names = [Path(p).name for p in paths]
    assert names == sorted(names, reverse=True)


def test_the_dashboard_participations_equal_its_rows(
    baltic_store: Engine, dashboard_rows: pd.DataFrame
) -> None:
    with baltic_store.connect() as conn:
        stored = pd.read_sql(
            text(
                "select p.project_id, p.country, p.role, p.ec_contribution, p.programme "
                "from participation p join source_file f on f.id = p.source_file_id "
                "where f.source = 'horizon-dashboard'"
            ),
            conn,
        )
    assert len(stored) == len(dashboard_rows) == 2553
    assert set(stored["programme"]) == {"H2020"}
    assert set(stored["role"]) == {"coordinator", "participant"}
    # "NA" is Namibia, not a blank
    assert (stored["country"] == "NA").sum() == (dashboard_rows["country_code"] == "NA").sum() > 0
    by_country = stored[stored["country"].isin(["EE", "LV", "LT", "FI"])].groupby("country").size()
    assert by_country.to_dict() == {"EE": 26, "FI": 36, "LT": 12, "LV": 6}
    contribution = pd.to_numeric(dashboard_rows["eu_contribution"].replace("-", None))
    assert stored["ec_contribution"].sum() == pytest.approx(contribution.sum(), rel=1e-9)


def test_a_dashboard_project_has_its_title_dates_and_cordis_link(baltic_store: Engine) -> None:
    detail = project_detail(baltic_store, "101039118")
    assert detail.project.title == "GEOSS Platform Plus"
    assert detail.project.start_date == "2022-01-01"
    assert detail.cordis_url == "https://cordis.europa.eu/project/id/101039118"
    estonian = organisation_detail(baltic_store, "949542216")  # CIVITTA EESTI AS, Tartu
    assert estonian.organisation.name
    assert estonian.unnamed_reason is None


def test_an_unnamed_organisation_says_why_and_links_to_the_portal(baltic_store: Engine) -> None:
    pic = _scalar(
        baltic_store,
        "select o.pic from organisation o join participation p on p.org_id = o.id "
        "where o.name is null and p.country = 'EE' and o.pic is not null "
        "order by o.n_projects desc, o.id limit 1",
    )
    detail = organisation_detail(baltic_store, str(pic))
    assert detail.organisation.name is None
    assert detail.unnamed_reason is not None
    assert detail.unnamed_reason.startswith(
        "CORDIS names this organisation only by its PIC in the files loaded"
    )
    assert "h2020-participations" in detail.unnamed_reason
    assert detail.pic_register_url is not None and detail.pic_register_url.endswith(f"/{pic}")
    assert detail.pic_register_url.startswith("https://ec.europa.eu/info/funding-tenders/")


def test_an_untitled_h2020_project_links_to_cordis_by_rcn(baltic_store: Engine) -> None:
    detail = project_detail(baltic_store, "rcn:227591")
    assert detail.project.title is None
    assert detail.cordis_url == "https://cordis.europa.eu/project/rcn/227591"
