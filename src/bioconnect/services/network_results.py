"""What the network service answers: its read models (the API's response models too).

Measures that are undefined for an organisation (an isolate's clustering or constraint)
are null. The ``params`` of a result echo the filters it was computed with.
"""

from __future__ import annotations

from typing import Any

from bioconnect.services.readmodel import ReadModel


class NetworkParams(ReadModel):
    """The filters a network was built with (null: not filtered on)."""

    countries: list[str] | None
    scope: str | None
    programmes: list[str] | None
    domains: list[str] | None
    stakeholder_groups: list[str] | None
    start_year: int | None
    end_year: int | None
    weight: str


class Structure(ReadModel):
    """Size, density and fragmentation of the network."""

    n_nodes: int
    n_edges: int
    # null when undefined: one organisation has no pair, a network without ties no share
    density: float | None
    mean_degree: float | None
    n_components: int
    n_isolates: int
    largest_component_share: float | None
    fragmentation: float | None
    cross_border_edge_share: float | None


class CrossBorderShare(ReadModel):
    """The share of ties joining two countries, by count and by weight (null without ties)."""

    edges: float | None
    weighted: float | None


class CorePeriphery(ReadModel):
    correlation: float | None
    main_core_k: int


class Broker(ReadModel):
    """An organisation tying groups (countries or domains) together."""

    org_id: str
    pic: str | None
    name: str | None
    country: str | None
    stakeholder_group: str | None
    group: str | None
    broker_score: float
    partner_groups: int
    method: str


class NetworkSummary(ReadModel):
    """Size, density, fragmentation, cross-border share, core–periphery and brokers."""

    params: NetworkParams
    structure: Structure
    cross_border_share: CrossBorderShare
    core_periphery: CorePeriphery
    brokers_between_countries: list[Broker]
    brokers_between_domains: list[Broker]


class OrganisationMetrics(ReadModel):
    """One organisation's measures in the network."""

    org_id: str
    pic: str | None
    name: str | None
    country: str | None
    stakeholder_group: str | None
    degree: int
    strength: float
    pagerank: float | None
    eigenvector: float | None
    coreness: int
    clustering: float | None
    betweenness: float | None
    constraint: float | None
    cross_border_share: float | None
    community: int
    betweenness_method: str
    betweenness_epsilon: float | None


class CommunityMember(ReadModel):
    org_id: str
    pic: str | None
    name: str | None
    country: str | None


class Community(ReadModel):
    """A Leiden community; ``countries`` counts its members by country code."""

    community: int
    size: int
    countries: dict[str, int]
    members: list[CommunityMember]


class Communities(ReadModel):
    modularity: float
    n_communities: int
    communities: list[Community]


class Recommendation(ReadModel):
    """A suggested partner for an organisation, with the reasons as a sentence."""

    org_id: str
    org_name: str | None
    partner_id: str
    partner_name: str | None
    partner_country: str | None
    score: float
    common_neighbours: int
    adamic_adar: float
    resource_allocation: float
    complementarity: float | None
    cross_border: bool
    explanation: str


class TimelinePeriod(ReadModel):
    """The region's network measures in one period (a year or a window of years)."""

    start_year: int
    end_year: int
    n_nodes: int
    n_edges: int
    density: float | None
    mean_degree: float | None
    n_components: int
    n_isolates: int
    largest_component_share: float | None
    fragmentation: float | None
    cross_border_edge_share: float | None
    modularity: float | None
    n_communities: int | None


class CountryLink(ReadModel):
    """Ties between two countries (or within one) in one period."""

    start_year: int
    end_year: int
    country_a: str
    country_b: str
    edges: int
    weight: float


class Timeline(ReadModel):
    summary: list[TimelinePeriod]
    country_links: list[CountryLink]
    # the snapshot options and filters as the network layer records them
    # (``bioconnect.network.temporal.snapshots``): echoed, not read
    params: dict[str, Any]

    def cross_border_by_period(self) -> tuple[list[str], list[tuple[int, list[int]]]]:
        """Ties between two different countries per period: the country pairs (``EE–FI``),
        then one row per period start with the ties of each pair (0 where none)."""
        cross = [link for link in self.country_links if link.country_a != link.country_b]
        pairs = sorted({f"{link.country_a}–{link.country_b}" for link in cross})
        counts: dict[int, dict[str, int]] = {}
        for link in cross:
            row = counts.setdefault(link.start_year, {})
            pair = f"{link.country_a}–{link.country_b}"
            row[pair] = row.get(pair, 0) + link.edges
        return pairs, [(year, [counts[year].get(p, 0) for p in pairs]) for year in sorted(counts)]


class MethodScore(ReadModel):
    """How well one recommendation method found the ties that formed later."""

    method: str
    precision_at_10: float | None
    precision_at_50: float | None
    precision_at_100: float | None
    auc: float | None


class Evaluation(ReadModel):
    """The temporal hold-out evaluation of the recommendations."""

    table: list[MethodScore]
    train_nodes: int
    train_edges: int
    candidates: int
    positives: int
    # the evaluation's options and filters as ``bioconnect.network.evaluate`` records
    # them: echoed, not read
    params: dict[str, Any]


class GraphNode(ReadModel):
    # measures and the organisation's fields, null ones left out: graphology reads any
    key: str
    attributes: dict[str, Any]


class GraphEdge(ReadModel):
    """A tie; graphology makes the key when it is absent, and the graph is undirected."""

    key: str | None = None
    source: str
    target: str
    undirected: bool | None = None
    # weight and cross_border, as graphology attributes
    attributes: dict[str, Any]


class NetworkGraph(ReadModel):
    """A graphology serialised graph: ``graph.import(data)`` in the browser."""

    # graphology's graph attributes and options: open by graphology's format
    attributes: dict[str, Any]
    options: dict[str, Any]
    nodes: list[GraphNode]
    edges: list[GraphEdge]
