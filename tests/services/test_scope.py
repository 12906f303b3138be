"""The preset's focus, the scope statement and the share of named organisations, on the
real Baltic store, each checked by another route (direct SQL, pandas over the files)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from bioconnect.errors import InputError
from bioconnect.model.preset import Preset, load_preset
from bioconnect.services.atlas import atlas_summary, dashboard
from bioconnect.services.maps import atlas_map, organisation_points
from bioconnect.services.network import NetworkQuery, build, network_summary
from bioconnect.services.scope import filter_domains

REGION = ("EE", "LV", "LT", "FI")
FOCUS = ("health", "industrial", "agrifood", "marine", "environmental")
#: The share of named organisations before the official slices and the dashboard export
#: were loaded (855 of 1,404; measured with the same SQL on the store of main, 2026-12-06).
NAMED_SHARE_BEFORE = 855 / 1404

_NAMED_SQL = """
select p.country, count(distinct o.id),
       count(distinct case when o.name is not null then o.id end)
from participation p join organisation o on o.id = p.org_id
where p.country in ('EE', 'LV', 'LT', 'FI') {extra}
group by p.country
"""
_IN_FOCUS = (
    "and p.project_id in (select project_id from project_domain where domain in "
    "('health', 'industrial', 'agrifood', 'marine', 'environmental'))"
)


def _named_by_sql(engine: Engine, extra: str = "") -> dict[str, tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text(_NAMED_SQL.format(extra=extra))).all()
    return {country: (int(n), int(named)) for country, n, named in rows}


def _total_by_sql(engine: Engine, extra: str = "") -> tuple[int, int]:
    sql = (
        "select count(distinct o.id), count(distinct case when o.name is not null then o.id end) "
        "from participation p join organisation o on o.id = p.org_id "
        f"where p.country in ('EE', 'LV', 'LT', 'FI') {extra}"
    )
    with engine.connect() as conn:
        n, named = conn.execute(text(sql)).one()
    return int(n), int(named)


def test_named_share_of_all_research_is_the_sql_count_and_higher_than_before(
    baltic_store: Engine,
) -> None:
    named = atlas_summary(baltic_store, "baltic", "all").named
    by_sql = _named_by_sql(baltic_store)
    for country in REGION:
        entry = named.by_country[country]
        assert (entry.organisations, entry.named) == by_sql[country]
    n, k = _total_by_sql(baltic_store)
    assert (named.organisations, named.named) == (n, k)
    assert named.share == pytest.approx(k / n, abs=1e-4)
    assert named.share > NAMED_SHARE_BEFORE
    # Estonia: 99 of 249 had no name before
    assert named.by_country["EE"].named > 149


def test_named_share_in_the_focus_is_the_sql_count(baltic_store: Engine) -> None:
    named = atlas_summary(baltic_store, "baltic").named
    assert (named.organisations, named.named) == _total_by_sql(baltic_store, _IN_FOCUS)
    by_sql = _named_by_sql(baltic_store, _IN_FOCUS)
    assert {c: (e.organisations, e.named) for c, e in named.by_country.items()} == by_sql


def test_the_summary_defaults_to_the_focus_and_says_so(baltic_store: Engine) -> None:
    focus = atlas_summary(baltic_store, "baltic")
    everything = atlas_summary(baltic_store, "baltic", "all")
    assert focus.scope.scope == "focus" and focus.scope.focus == "biotech"
    assert focus.scope.label == "biotech domains, H2020 + Horizon Europe subset"
    assert focus.scope.domains == list(FOCUS)
    assert everything.scope.scope == "all" and everything.scope.domains == []
    assert everything.scope.label == "all research, H2020 + Horizon Europe subset"
    with baltic_store.connect() as conn:
        rows = conn.execute(
            text(
                "select p.country, count(*) from participation p where p.country in "
                f"('EE', 'LV', 'LT', 'FI') {_IN_FOCUS} group by p.country"
            )
        ).all()
    for country, count in rows:
        assert sum(focus.countries[country].participations.values()) == count
        assert count < sum(everything.countries[country].participations.values())
    # the focus has no unassigned participations; all research has many
    assert all("unassigned" not in c.by_domain for c in focus.countries.values())
    assert everything.countries["EE"].by_domain["unassigned"].participations > 500


def test_h2020_domains_are_an_upper_bound_only_in_the_focus(baltic_store: Engine) -> None:
    focus = atlas_summary(baltic_store, "baltic").scope
    h2020 = next(p for p in focus.programmes if p.programme == "H2020")
    horizon = next(p for p in focus.programmes if p.programme == "HORIZON")
    assert h2020.domains_from_parts_only and not horizon.domains_from_parts_only
    assert any("H2020 domains come only from programme parts" in n for n in focus.notes)
    everything = atlas_summary(baltic_store, "baltic", "all").scope
    assert not any("upper bound" in n for n in everything.notes)


def test_the_horizon_subset_is_read_from_the_files_loaded(
    baltic_store: Engine, data_dir: Path
) -> None:
    horizon = data_dir / "cordis/horizon-europe"
    subset = pd.read_csv(horizon / "organization_subset.csv", sep=";", dtype=str)
    projects = pd.read_csv(horizon / "project_subset.csv", sep=";", dtype=str)
    listed: set[str] = set(projects["id"])
    for name, column in (
        ("topics.csv", "projectID"),
        ("legalBasis.csv", "projectID"),
        ("euroSciVoc.csv", "projectID"),
    ):
        listed |= set(pd.read_csv(horizon / name, sep=";", dtype=str)[column])
    samples = data_dir / "cordis/horizon-europe-official-samples"
    listed |= set(pd.read_csv(samples / "project.csv", dtype=str)["id"])
    sample_orgs = pd.read_csv(samples / "organization.csv", dtype=str)
    with_participations = set(subset["projectID"]) | set(sample_orgs["projectID"])

    scope = atlas_summary(baltic_store, "baltic", "all").scope
    coverage = next(p for p in scope.programmes if p.programme == "HORIZON")
    assert coverage.subset
    assert coverage.projects_listed == len(listed)
    assert coverage.projects_with_participations == len(with_participations)
    assert coverage.by_source["horizon-participations"] == subset["projectID"].nunique() == 1107
    assert coverage.project_files["horizon-projects"] == len(projects) == 1118
    note = next(n for n in scope.notes if n.startswith("Horizon Europe participations"))
    assert "1,118 (horizon-projects)" in note and f"{len(listed):,}" in note
    h2020 = next(p for p in scope.programmes if p.programme == "H2020")
    assert not h2020.subset


def test_cross_border_share_with_and_without_the_reference_country(
    baltic_store: Engine,
) -> None:
    board = dashboard(baltic_store, "baltic", "all")
    assert board.network is not None and board.network_region_only is not None
    region_only = network_summary(baltic_store, NetworkQuery(countries=("EE", "LV", "LT")))
    assert board.network_region_only.cross_border_share.edges == pytest.approx(
        region_only.cross_border_share.edges
    )
    assert sorted(board.network.params.countries) == ["EE", "FI", "LT", "LV"]
    # Finland-Finland ties are half of all ties: without them the share is higher
    assert 0.30 < board.network.cross_border_share.edges < 0.34
    assert 0.35 < board.network_region_only.cross_border_share.edges < 0.39
    assert "FI–FI" in board.ties_counted
    assert "without FI" in board.ties_counted_region_only
    focus = dashboard(baltic_store, "baltic")
    assert focus.network is not None
    assert focus.network.params.domains == list(FOCUS)
    assert focus.network.structure.n_nodes < board.network.structure.n_nodes


def test_a_scope_that_is_neither_focus_nor_all_is_an_input_error(baltic_store: Engine) -> None:
    with pytest.raises(InputError, match="focus or all"):
        atlas_summary(baltic_store, "baltic", "biotech")  # type: ignore[arg-type]


def test_a_focus_naming_an_unknown_domain_is_rejected() -> None:
    data = load_preset("baltic").model_dump()
    data["focus"] = {"name": "x", "label": "x", "domains": ["health", "astrology"]}
    with pytest.raises(ValueError, match="astrology"):
        Preset.model_validate(data)


def test_a_preset_without_a_focus_shows_all_research(baltic_store: Engine) -> None:
    preset = load_preset("baltic").model_copy(update={"focus": None})
    summary = atlas_summary(baltic_store, preset)
    assert summary.scope.scope == "all" and summary.scope.label.startswith("all research")


# --- the focus on the map and in the network -------------------------------------------


def _focus_orgs_by_pandas(engine: Engine) -> tuple[set[str], set[str], set[str]]:
    """(every region organisation, the union of each focus domain's, those with
    coordinates among the latter), read from the store's tables with pandas."""
    with engine.connect() as conn:
        part = pd.read_sql(text("select org_id, project_id, country from participation"), conn)
        dom = pd.read_sql(text("select project_id, domain from project_domain"), conn)
        orgs = pd.read_sql(text("select id, lat, lon from organisation"), conn)
    part = part[part["country"].isin(REGION) & part["org_id"].notna()]
    union: set[str] = set()
    for domain in FOCUS:
        projects = set(dom.loc[dom["domain"] == domain, "project_id"])
        union |= set(part.loc[part["project_id"].isin(projects), "org_id"])
    placed = set(orgs.loc[orgs["lat"].notna() & orgs["lon"].notna(), "id"])
    return set(part["org_id"]), union, union & placed


def test_the_focus_map_and_points_are_the_union_of_the_focus_domains(
    baltic_sqlite: Engine,
) -> None:
    everything, union, placed = _focus_orgs_by_pandas(baltic_sqlite)
    focus = atlas_map(baltic_sqlite, scope="focus")
    assert focus.coverage is not None
    assert focus.coverage.organisations == len(union) < len(everything)
    all_map = atlas_map(baltic_sqlite)
    assert all_map.coverage is not None and all_map.coverage.organisations == len(everything)
    points = organisation_points(baltic_sqlite, scope="focus")
    assert {f.id for f in points.features} == placed
    assert len(points.features) < len(organisation_points(baltic_sqlite).features)
    # a chosen domain narrows further: the focus does not widen it again
    marine = atlas_map(baltic_sqlite, scope="focus", domain="marine").coverage
    marine_all = atlas_map(baltic_sqlite, domain="marine").coverage
    assert marine is not None and marine_all is not None
    assert 0 < marine.organisations == marine_all.organisations < len(union)


def test_the_focus_network_is_the_union_of_the_focus_domains(baltic_sqlite: Engine) -> None:
    _, union, _ = _focus_orgs_by_pandas(baltic_sqlite)
    domains = tuple(filter_domains(load_preset("baltic"), "focus") or ())
    focus = build(baltic_sqlite, NetworkQuery(domains=domains))
    everything = build(baltic_sqlite, NetworkQuery())
    assert set(focus.nodes["org_id"]) == union and len(focus.nodes) == len(union)
    assert len(focus.nodes) < len(everything.nodes)
