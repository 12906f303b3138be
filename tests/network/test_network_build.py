"""Building the collaboration network: projection, weights, filters, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from network_tiny import organisations, participations

from bioconnect.errors import InputError, NotFoundError
from bioconnect.network import build_network

PROJECTS = {"P1": ["a", "b", "c"], "P2": ["a", "c"], "P3": ["c", "d"]}
COUNTRIES = {"a": "EE", "b": "LV", "c": "FI", "d": "DE"}


def edges(net) -> dict[tuple[str, str], float]:
    return {(r.source, r.target): r.weight for r in net.edges().itertuples()}


def test_projection_counts_shared_projects() -> None:
    net = build_network(participations(PROJECTS, COUNTRIES))
    assert net.nodes["org_id"].tolist() == ["a", "b", "c", "d"]
    assert edges(net) == {("a", "b"): 1, ("a", "c"): 2, ("b", "c"): 1, ("c", "d"): 1}
    assert net.params["weight"] == "projects"
    assert net.nodes["n_projects"].tolist() == [2, 1, 3, 1]


def test_fractional_weights_use_full_consortium_size() -> None:
    net = build_network(participations(PROJECTS, COUNTRIES), weight="fractional")
    # P1 has 3 participants: 1/2 per pair; P2 and P3 have 2: 1 per pair.
    assert edges(net) == {("a", "b"): 0.5, ("a", "c"): 1.5, ("b", "c"): 0.5, ("c", "d"): 1.0}
    region = build_network(
        participations(PROJECTS, COUNTRIES), countries=["EE", "LV"], weight="fractional"
    )
    assert edges(region) == {("a", "b"): 0.5}


def test_funding_weight_is_sum_of_pairwise_means_with_unknown_as_zero() -> None:
    money = {("a", "P1"): 10.0, ("b", "P1"): 30.0, ("a", "P2"): 4.0, ("c", "P2"): 6.0}
    net = build_network(participations(PROJECTS, COUNTRIES, contributions=money), weight="funding")
    assert edges(net) == {("a", "b"): 20.0, ("a", "c"): 5.0 + 5.0, ("b", "c"): 15.0, ("c", "d"): 0}
    assert net.nodes.set_index("org_id").at["d", "ec_contribution"] != 0  # NaN: unknown
    assert np.isnan(net.nodes.set_index("org_id").at["d", "ec_contribution"])


@pytest.mark.parametrize("weight", ["projects", "fractional", "funding"])
def test_a_network_without_ties_has_nodes_and_no_edges(weight: str) -> None:
    """Found by the API fuzzing (issue 11, item 10): with no tie, the funding weight
    indexed a sparse matrix with empty arrays and failed (a 500 on /api/v1/network)."""
    money = {("a", "P1"): 10.0, ("b", "P2"): 30.0}
    net = build_network(
        participations({"P1": ["a"], "P2": ["b"]}, contributions=money), weight=weight
    )
    assert net.n_edges == 0 and net.nodes["org_id"].tolist() == ["a", "b"]


def test_region_scope_keeps_only_region_organisations() -> None:
    net = build_network(participations(PROJECTS, COUNTRIES), countries=["EE", "FI"])
    assert net.nodes["org_id"].tolist() == ["a", "c"]
    assert edges(net) == {("a", "c"): 2}
    assert net.params["countries"] == ["EE", "FI"] and net.params["scope"] == "region"


def test_region_plus_partners_keeps_partners_of_region_projects_only() -> None:
    net = build_network(
        participations(PROJECTS, COUNTRIES), countries=["EE"], scope="region_plus_partners"
    )
    # P3 (c, d) has no Estonian participant: d is not a partner, c-d is not a tie.
    assert net.nodes["org_id"].tolist() == ["a", "b", "c"]
    assert edges(net) == {("a", "b"): 1, ("a", "c"): 2, ("b", "c"): 1}


def test_year_programme_domain_and_group_filters() -> None:
    years = {"P1": 2014, "P2": 2018, "P3": 2019}
    frame = participations(PROJECTS, COUNTRIES, years=years)
    assert edges(build_network(frame, start_year=2018)) == {("a", "c"): 1, ("c", "d"): 1}
    assert edges(build_network(frame, end_year=2014)) == {
        ("a", "b"): 1,
        ("a", "c"): 1,
        ("b", "c"): 1,
    }
    other = participations({"P9": ["a", "d"]}, COUNTRIES, programme="HORIZON")
    both = pd.concat([frame, other], ignore_index=True)
    assert edges(build_network(both, programmes="HORIZON")) == {("a", "d"): 1}
    domains = pd.DataFrame(
        {"project_id": ["P2", "P3", "P3"], "domain": ["health", "health", "marine"]}
    )
    net = build_network(frame, project_domains=domains, domains=["marine"])
    assert edges(net) == {("c", "d"): 1}
    full = build_network(frame, project_domains=domains)
    assert full.nodes.set_index("org_id")["domain"].to_dict() == {
        "a": "health",
        "b": None,
        "c": "health",
        "d": "health",
    }
    assert full.domain_profile.loc["d"].to_dict() == {"health": 1, "marine": 1}
    orgs = organisations(
        {"a": "academia", "b": "industry", "c": "industry", "d": "public"}, COUNTRIES
    )
    net = build_network(frame, orgs, stakeholder_groups=["industry"])
    assert edges(net) == {("b", "c"): 1}
    assert net.nodes["stakeholder_group"].tolist() == ["industry", "industry"]
    assert net.nodes["name"].tolist() == ["Org B", "Org C"]


def test_duplicate_participations_count_once_and_isolates_stay() -> None:
    frame = participations({"P1": ["a", "b", "b"], "P2": ["e"]})
    net = build_network(frame)
    assert edges(net) == {("a", "b"): 1}
    assert net.nodes["org_id"].tolist() == ["a", "b", "e"]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"countries": ["GB"]}, "GB is UK in CORDIS"),
        ({"countries": ["XX"]}, "Unknown country code(s) XX"),
        ({"start_year": 2030, "end_year": 2031}, "No project starts in the time window"),
        ({"start_year": 2019, "end_year": 2015}, "start year is after the end"),
        ({"stakeholder_groups": ["banks"]}, "Unknown stakeholder group 'banks'"),
        ({"domains": ["space"]}, "Unknown domain 'space'"),
        ({"domains": ["health"]}, "without project domains"),
        ({"weight": "money"}, "Unknown weight 'money'"),
        ({"scope": "world"}, "Unknown scope 'world'"),
        ({"programmes": ["FP7"]}, "Unknown programme 'FP7'"),
    ],
)
def test_bad_parameters_say_what_is_wrong_and_how_to_fix(kwargs, fragment) -> None:
    with pytest.raises(InputError) as error:
        build_network(participations(PROJECTS, COUNTRIES), **kwargs)
    assert fragment in str(error.value)
    assert error.value.fix


def test_missing_columns_and_unknown_organisation() -> None:
    with pytest.raises(InputError, match="lacks column"):
        build_network(pd.DataFrame({"org_id": ["a"]}))
    net = build_network(participations(PROJECTS, COUNTRIES))
    with pytest.raises(NotFoundError, match="'zz' is not in this network"):
        net.index_of("zz")


def test_graph_carries_node_attributes() -> None:
    orgs = organisations({"a": "academia", "b": "industry", "c": "public", "d": "other"}, COUNTRIES)
    net = build_network(participations(PROJECTS, COUNTRIES), orgs)
    g = net.graph
    assert g.vcount() == 4 and g.ecount() == 4
    assert g.vs["org_id"] == ["a", "b", "c", "d"]
    assert g.vs["country"] == ["EE", "LV", "FI", "DE"]
    assert g.es["weight"] == [1.0, 2.0, 1.0, 1.0]
    for column in ("org_id", "pic", "name", "country", "stakeholder_group"):
        assert column in g.vs.attributes()


incidence = st.dictionaries(
    keys=st.sampled_from([f"P{i}" for i in range(8)]),
    values=st.lists(st.sampled_from(list("abcdefghij")), min_size=1, max_size=6, unique=True),
    min_size=1,
)


@settings(max_examples=60, deadline=None)
@given(incidence)
def test_projection_matches_pair_by_pair_counting(projects) -> None:
    net = build_network(participations(projects))
    expected: dict[tuple[str, str], int] = {}
    for orgs in projects.values():
        for a, b in itertools.combinations(sorted(orgs), 2):
            expected[(a, b)] = expected.get((a, b), 0) + 1
    assert edges(net) == expected
    a = net.adjacency
    assert (a != a.T).nnz == 0 and a.diagonal().sum() == 0


@settings(max_examples=60, deadline=None)
@given(incidence)
def test_fractional_weight_sums_to_half_the_participants_per_project(projects) -> None:
    net = build_network(participations(projects), weight="fractional")
    expected = sum(len(orgs) / 2 for orgs in projects.values() if len(orgs) > 1)
    assert net.weight.sum() == pytest.approx(expected)
    # every organisation spreads one unit per project it shares with someone
    strength = np.asarray(net.adjacency.sum(axis=1)).ravel()
    shared = {
        o: sum(1 for p in projects.values() if o in p and len(p) > 1) for o in net.nodes["org_id"]
    }
    assert strength == pytest.approx([shared[o] for o in net.nodes["org_id"]])


def test_real_baltic_network_matches_pandas_pair_count(h2020, baltic) -> None:
    p = h2020.participations
    region = p[p["country"].isin(["EE", "LV", "LT", "FI"])].drop_duplicates(
        ["org_id", "project_id"]
    )
    pairs = region.merge(region, on="project_id")
    pairs = pairs[pairs["org_id_x"] < pairs["org_id_y"]]
    expected = pairs.groupby(["org_id_x", "org_id_y"]).size()
    got = baltic.edges().set_index(["source", "target"])["weight"]
    assert len(got) == len(expected) == baltic.n_edges
    assert (got.sort_index().to_numpy() == expected.sort_index().to_numpy()).all()
    assert baltic.n_nodes == region["org_id"].nunique()


def test_real_region_plus_partners_ties_every_partner_to_the_region(h2020) -> None:
    net = build_network(
        h2020.participations,
        h2020.organisations,
        countries=["EE", "LV", "LT", "FI"],
        scope="region_plus_partners",
    )
    region = net.nodes["country"].isin(["EE", "LV", "LT", "FI"]).to_numpy()
    touches_region = np.zeros(net.n_nodes, dtype=bool)
    touches_region[net.source[region[net.target]]] = True
    touches_region[net.target[region[net.source]]] = True
    assert region.sum() == 1267
    assert touches_region[~region].all()
    assert net.n_nodes > 10 * region.sum()
