"""The dashboard and the summary API in-process: the preset's focus by default, their
scope stated, a switch to all research; unnamed organisations and untitled projects
link to the EU's own pages."""

from __future__ import annotations

import html
import re

import pytest
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


def _statement(page: str, key: str) -> re.Match[str] | None:
    return re.search(
        rf'<div class="scope-statement" data-scope="{key}" '
        rf'data-testid="scope-statement-{key}"( hidden)?>(.*?)</div>',
        page,
        re.S,
    )


@pytest.mark.parametrize(("path", "prefix"), [("/map", "map"), ("/network", "net")])
def test_the_map_and_network_pages_switch_research_with_the_focus_first(
    baltic_sqlite: Engine, path: str, prefix: str
) -> None:
    client = _client(baltic_sqlite)
    page = client.get(path).text
    switch = re.search(
        rf'<select id="{prefix}-research" name="research"[^>]*>(.*?)</select>', page, re.S
    )
    assert switch, "no research switch"
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]*)</option>', switch.group(1))
    assert options == [
        ("focus", " selected", "Biotech domains (the focus)"),
        ("all", "", "All research"),
    ]
    focus, everything = _statement(page, "focus"), _statement(page, "all")
    assert focus and everything
    assert not focus.group(1) and everything.group(1) == " hidden"
    assert "biotech domains, H2020 + Horizon Europe subset" in _testid(page, "scope-label-focus")
    notes = _testid(page, "scope-notes-focus")
    assert "upper bound" in notes and "Horizon Europe participations come from a subset" in notes
    assert "all research, H2020 + Horizon Europe subset" in _testid(page, "scope-label-all")
    assert "upper bound" not in _testid(page, "scope-notes-all")

    chosen = client.get(path, params={"research": "all"}).text
    focus, everything = _statement(chosen, "focus"), _statement(chosen, "all")
    assert focus and everything and focus.group(1) and not everything.group(1)
    assert re.search(r'<option value="all" selected>All research</option>', chosen)


def test_without_a_focus_the_map_has_no_switch_and_states_all_research(
    baltic_sqlite: Engine,
) -> None:
    app = create_app(baltic_sqlite, settings=Settings())
    app.state.preset = app.state.preset.model_copy(update={"focus": None})
    page = TestClient(app).get("/map", params={"research": "focus"}).text
    assert 'name="research"' not in page
    assert _statement(page, "focus") is None
    everything = _statement(page, "all")
    assert everything and not everything.group(1)
    assert _testid(page, "scope-label-all").startswith("Scope: all research")


def test_the_research_parameter_of_the_map_and_network_apis(baltic_sqlite: Engine) -> None:
    client = _client(baltic_sqlite)
    default = client.get("/api/v1/atlas/map").json()["coverage"]["organisations"]
    everything = client.get("/api/v1/atlas/map", params={"research": "all"}).json()
    focus = client.get("/api/v1/atlas/map", params={"research": "focus"}).json()
    assert default == everything["coverage"]["organisations"]
    assert 0 < focus["coverage"]["organisations"] < default
    points = client.get("/api/v1/atlas/points").json()["features"]
    focus_points = client.get("/api/v1/atlas/points", params={"research": "focus"}).json()
    assert 0 < len(focus_points["features"]) < len(points)
    summary = client.get("/api/v1/network/summary").json()
    focus_summary = client.get("/api/v1/network/summary", params={"research": "focus"}).json()
    assert summary["params"]["domains"] is None
    assert focus_summary["params"]["domains"] == [
        "health",
        "industrial",
        "agrifood",
        "marine",
        "environmental",
    ]
    assert focus_summary["structure"]["n_nodes"] < summary["structure"]["n_nodes"]
    marine = client.get("/api/v1/network/summary", params={"research": "focus", "domain": "marine"})
    assert marine.json()["params"]["domains"] == ["marine"]
    assert client.get("/api/v1/atlas/map", params={"research": "biotech"}).status_code == 422
