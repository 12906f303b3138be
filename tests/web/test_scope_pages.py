"""The dashboard and the summary API in-process: the preset's focus by default, their
scope stated, a switch to all research; unnamed organisations and untitled projects
link to the EU's own pages."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from bioconnect.services.atlas import atlas_summary
from bioconnect.settings import Settings
from bioconnect.web import create_app


def _client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine, settings=Settings()))


def _testid(page: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}"[^>]*>(.*?)</(?:dd|p|a|ul)>', page, re.S)
    assert found, name
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_the_dashboard_shows_the_focus_by_default_and_switches_to_all(
    baltic_sqlite: Engine,
) -> None:
    client = _client(baltic_sqlite)
    focus = client.get("/")
    assert focus.status_code == 200
    page = focus.text
    expected = atlas_summary(baltic_sqlite, "baltic")
    assert "biotech domains, H2020 + Horizon Europe subset" in _testid(page, "scope-label")
    notes = _testid(page, "scope-notes")
    assert "upper bound" in notes and "Horizon Europe participations come from a subset" in notes
    assert re.search(r'data-testid="scope-focus"\s+aria-current="page"', page)
    assert 'href="/?scope=all"' in page
    ee = f"{expected.countries['EE'].organisations:,}"
    assert _testid(page, "orgs-EE") == ee
    assert _testid(page, "named-share") == f"{expected.named.share:.1%}"
    assert "FI–FI" in _testid(page, "ties-counted")
    assert _testid(page, "cross-border-share-region").endswith("%")

    everything = client.get("/", params={"scope": "all"}).text
    assert "all research, H2020 + Horizon Europe subset" in _testid(everything, "scope-label")
    assert re.search(r'data-testid="scope-all"\s+aria-current="page"', everything)
    all_ee = atlas_summary(baltic_sqlite, "baltic", "all").countries["EE"].organisations
    assert _testid(everything, "orgs-EE") == f"{all_ee:,}"
    assert all_ee > expected.countries["EE"].organisations
    assert "upper bound" not in _testid(everything, "scope-notes")


def test_a_bad_scope_is_one_clear_error_not_a_500(baltic_sqlite: Engine) -> None:
    client = _client(baltic_sqlite)
    assert client.get("/", params={"scope": "biotech"}).status_code == 422
    answer = client.get("/api/v1/atlas/summary", params={"scope": "everything"})
    assert answer.status_code == 422


def test_the_summary_api_defaults_to_the_focus(baltic_sqlite: Engine) -> None:
    client = _client(baltic_sqlite)
    focus = client.get("/api/v1/atlas/summary").json()
    everything = client.get("/api/v1/atlas/summary", params={"scope": "all"}).json()
    assert focus["scope"]["scope"] == "focus" and everything["scope"]["scope"] == "all"
    assert focus["scope"]["label"].startswith("biotech domains")
    assert 0 < focus["named"]["share"] <= 1 and everything["named"]["share"] > 855 / 1404
    assert (
        focus["countries"]["EE"]["participations"]["H2020"]
        < everything["countries"]["EE"]["participations"]["H2020"]
    )


def test_an_unnamed_organisation_page_says_why_and_links_to_the_portal(
    baltic_sqlite: Engine,
) -> None:
    with baltic_sqlite.connect() as conn:
        org_id, pic = conn.execute(
            text(
                "select id, pic from organisation where name is null and country = 'EE' "
                "and pic is not null order by n_projects desc, id limit 1"
            )
        ).one()
    page = _client(baltic_sqlite).get(f"/organisations/{org_id}").text
    reason = _testid(page, "unnamed-reason")
    assert reason.startswith("CORDIS names this organisation only by its PIC in the files loaded")
    assert f"how-to-participate/org-details/{pic}" in page


def test_an_untitled_project_page_links_to_cordis(baltic_sqlite: Engine) -> None:
    page = _client(baltic_sqlite).get("/projects/rcn:227591").text
    assert "read it on CORDIS" in _testid(page, "untitled")
    assert 'href="https://cordis.europa.eu/project/rcn/227591"' in page
