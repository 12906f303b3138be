"""Collaboration networks from the store: build, measure, recommend, export.

Every function takes a :class:`NetworkQuery` (which organisations and projects, how to
weight ties). Results are cached in the store with the query that produced them and the
ingest run they were computed on, so a repeated question is answered from the cache
and a new ingest invalidates it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine, select

from bioconnect.errors import InputError
from bioconnect.model.preset import load_preset
from bioconnect.network import (
    CollaborationNetwork,
    active_years,
    build_network,
    core_periphery,
    country_matrix,
    cross_border_edge_share,
    group_brokers,
    leiden_communities,
    organisation_metrics,
    recommend_partners,
    snapshots,
    structure_summary,
    temporal_holdout,
    write_csv,
    write_gexf,
    write_graphml,
    write_graphology_json,
)
from bioconnect.network.centrality import degree_strength, pagerank
from bioconnect.network.export import to_graphology
from bioconnect.network.layout import layout_positions, view_filter
from bioconnect.services.cache import LRU, cached
from bioconnect.services.network_results import (
    Communities,
    Evaluation,
    NetworkGraph,
    NetworkSummary,
    OrganisationMetrics,
    Recommendation,
    Timeline,
)
from bioconnect.services.organisations import find_organisation_id
from bioconnect.store import schema
from bioconnect.store.database import transaction

P = schema.table(schema.Participation)
PR = schema.table(schema.Project)
ORG = schema.table(schema.Organisation)
PD = schema.table(schema.ProjectDomain)
CACHE = schema.table(schema.AnalysisResult)
RUN = schema.table(schema.IngestRun)

ExportFormat = Literal["graphml", "gexf", "csv", "json"]

# Network views kept in memory until the store's data changes (see services.cache):
# 100-700 KB each, so at most about 20 MB.
_VIEWS = LRU(32)


@dataclass(frozen=True)
class NetworkQuery:
    """Which network: the preset's countries unless ``countries`` is given.

    ``scope`` is ``region`` (only those countries' organisations) or
    ``region_plus_partners`` (also their partners abroad). ``weight`` is ``projects``,
    ``fractional`` (1/(n−1) per project) or ``funding``.
    """

    preset: str = "baltic"
    countries: tuple[str, ...] = ()
    scope: str = "region"
    programmes: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    stakeholder_groups: tuple[str, ...] = ()
    start_year: int | None = None
    end_year: int | None = None
    weight: str = "projects"

    def resolved_countries(self) -> list[str]:
        if self.countries:
            return [c.upper() for c in self.countries]
        return load_preset(self.preset).all_countries

    def key(self) -> dict[str, Any]:
        data = asdict(self)
        # sorted, so that the same question asked in another order hits the same cache
        data["countries"] = sorted(self.resolved_countries())
        return data


_FRAMES: dict[tuple[str, int], tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}
_FRAMES_LOCK = threading.Lock()


def network_frames(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(participations, organisations, project_domains) as the network functions take them.

    Kept in memory for the newest ingest run of each store, so that a server answering
    many network questions reads the store once per ingest, not once per question.
    Callers must not modify the frames.
    """
    key = (engine.url.render_as_string(hide_password=False), _latest_run(engine))
    with _FRAMES_LOCK:
        hit = _FRAMES.get(key)
        if hit is None:
            hit = _read_frames(engine)
            for old in [k for k in _FRAMES if k[0] == key[0]]:
                del _FRAMES[old]
            _FRAMES[key] = hit
    return hit


def _read_frames(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with engine.connect() as conn:
        participations = pd.read_sql(
            select(
                P.c.org_id,
                P.c.project_id,
                P.c.programme,
                PR.c.start_year,
                P.c.ec_contribution,
                P.c.country,
            )
            .select_from(P.outerjoin(PR, PR.c.id == P.c.project_id))
            .where(P.c.org_id.is_not(None)),
            conn,
        )
        organisations = pd.read_sql(
            select(
                ORG.c.id.label("org_id"),
                ORG.c.pic,
                ORG.c.name,
                ORG.c.country,
                ORG.c.stakeholder_group,
            ),
            conn,
        )
        domains = pd.read_sql(select(PD.c.project_id, PD.c.domain), conn)
    if participations.empty:
        raise InputError("The store holds no participations.", "Run `bioconnect ingest` first.")
    participations["start_year"] = participations["start_year"].astype("Int64")
    return participations, organisations, domains


def build(engine: Engine, query: NetworkQuery) -> CollaborationNetwork:
    """The collaboration network the query describes."""
    participations, organisations, domains = network_frames(engine)
    return build_network(
        participations,
        organisations,
        domains,
        countries=query.resolved_countries(),
        scope=query.scope,
        programmes=list(query.programmes) or None,
        domains=list(query.domains) or None,
        stakeholder_groups=list(query.stakeholder_groups) or None,
        start_year=query.start_year,
        end_year=query.end_year,
        weight=query.weight,
    )


def _latest_run(engine: Engine) -> int:
    with engine.connect() as conn:
        run = conn.execute(select(RUN.c.id).order_by(RUN.c.id.desc()).limit(1)).scalar()
    if run is None:
        raise InputError("The store is empty.", "Run `bioconnect ingest` first.")
    return int(run)


def _cached(engine: Engine, kind: str, params: dict[str, Any], compute: Any, refresh: bool) -> Any:
    """Return the cached payload for (kind, params, latest run), computing it when absent."""
    return json.loads(_cached_text(engine, kind, params, compute, refresh))


def _cached_text(
    engine: Engine, kind: str, params: dict[str, Any], compute: Any, refresh: bool
) -> str:
    """The cached payload as JSON text (computed and stored when absent)."""
    run = _latest_run(engine)
    text = json.dumps({"params": params, "run": run}, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if not refresh:
        with engine.connect() as conn:
            hit = conn.execute(
                select(CACHE.c.payload).where(CACHE.c.kind == kind, CACHE.c.params_hash == digest)
            ).scalar()
        if hit is not None:
            return str(hit)
    text = json.dumps(compute(), default=str, separators=(",", ":"), allow_nan=False)
    with transaction(engine) as conn:
        conn.execute(CACHE.delete().where(CACHE.c.kind == kind, CACHE.c.params_hash == digest))
        _evict(conn, run)
        conn.execute(
            CACHE.insert().values(
                kind=kind,
                params_hash=digest,
                params=json.dumps(params, sort_keys=True, default=str),
                ingest_run_id=run,
                payload=text,
                created_at=schema.utcnow(),
            )
        )
    return text


#: The stored analysis cache keeps at most this many results (each up to a few MB); the
#: oldest go first, and results of earlier ingests (never read again) at once.
CACHE_ROWS = 200


def _evict(conn: Any, run: int) -> None:
    """Keep the stored cache bounded: drop results of earlier ingests, then all but the
    newest :data:`CACHE_ROWS` - 1 (room for the one about to be written)."""
    conn.execute(CACHE.delete().where(CACHE.c.ingest_run_id != run))
    keep = select(CACHE.c.id).order_by(CACHE.c.id.desc()).limit(CACHE_ROWS - 1).subquery()
    conn.execute(CACHE.delete().where(CACHE.c.id.not_in(select(keep.c.id))))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _defined(value: Any) -> Any:
    """``None`` for a measure that is not defined (NaN: no ties, or one organisation)."""
    return None if isinstance(value, float) and math.isnan(value) else value


def network_summary(
    engine: Engine, query: NetworkQuery, *, refresh: bool = False
) -> NetworkSummary:
    """Size, density, fragmentation, cross-border share, core–periphery and top brokers."""

    def compute() -> dict[str, Any]:
        net = build(engine, query)
        summary = structure_summary(net)
        cp = core_periphery(net)
        return {
            "params": net.params,
            "structure": {key: _defined(value) for key, value in summary.items()},
            "cross_border_share": {
                "edges": _defined(cross_border_edge_share(net)),
                "weighted": _defined(cross_border_edge_share(net, weighted=True)),
            },
            "core_periphery": {
                "correlation": _defined(cp.correlation),
                "main_core_k": cp.main_core_k,
            },
            "brokers_between_countries": _records(group_brokers(net, by="country", top=10)),
            "brokers_between_domains": _records(group_brokers(net, by="domain", top=10))
            if net.nodes["domain"].notna().any()
            else [],
        }

    return NetworkSummary.model_validate(
        _cached(engine, "network.summary", query.key(), compute, refresh)
    )


def network_metrics(engine: Engine, query: NetworkQuery, *, refresh: bool = False) -> pd.DataFrame:
    """Per-organisation measures (degree … community), one row per organisation."""

    def compute() -> list[dict[str, Any]]:
        net = build(engine, query)
        communities = leiden_communities(net, seed=0)
        return _records(organisation_metrics(net, membership=communities.membership))

    return pd.DataFrame(_cached(engine, "network.metrics", query.key(), compute, refresh))


def network_metrics_page(
    engine: Engine, query: NetworkQuery, *, limit: int = 50, offset: int = 0
) -> tuple[list[OrganisationMetrics], int]:
    """A page of :func:`network_metrics`, most central (PageRank) first, and the total."""
    frame = network_metrics(engine, query)
    if "pagerank" in frame.columns:
        frame = frame.sort_values(["pagerank", "org_id"], ascending=[False, True])
    rows = _records(frame.iloc[offset : offset + limit])
    return [OrganisationMetrics.model_validate(row) for row in rows], len(frame)


def network_communities(
    engine: Engine,
    query: NetworkQuery,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    refresh: bool = False,
) -> Communities:
    """Leiden communities (connected, seeded): modularity and each community's members."""
    params = {**query.key(), "resolution": resolution, "seed": seed}

    def compute() -> dict[str, Any]:
        net = build(engine, query)
        result = leiden_communities(net, resolution=resolution, seed=seed)
        nodes = net.nodes.assign(community=result.membership)
        groups = []
        for community, members in nodes.groupby("community", sort=True):
            groups.append(
                {
                    "community": int(community),
                    "size": len(members),
                    "countries": members["country"].value_counts().to_dict(),
                    "members": _records(members[["org_id", "pic", "name", "country"]]),
                }
            )
        return {
            "modularity": result.modularity,
            "n_communities": len(groups),
            "communities": groups,
        }

    return Communities.model_validate(
        _cached(engine, "network.communities", params, compute, refresh)
    )


def network_matrix(
    engine: Engine, query: NetworkQuery, *, normalise: str | None = None, refresh: bool = False
) -> pd.DataFrame:
    """Country × country collaboration matrix (counts, or normalised)."""
    params = {**query.key(), "normalise": normalise}

    def compute() -> dict[str, Any]:
        frame = country_matrix(build(engine, query), normalise=normalise)
        return json.loads(frame.to_json(orient="split"))

    payload = _cached(engine, "network.matrix", params, compute, refresh)
    return pd.read_json(io.StringIO(json.dumps(payload)), orient="split")


def network_recommendations(
    engine: Engine,
    query: NetworkQuery,
    org: str | None = None,
    *,
    top: int = 10,
    refresh: bool = False,
) -> pd.DataFrame:
    """Partner suggestions with explanations, for one organisation or the whole region."""
    org_id = None
    if org is not None:
        with engine.connect() as conn:
            org_id = find_organisation_id(conn, org)
    params = {**query.key(), "org": org_id, "top": top}

    def compute() -> list[dict[str, Any]]:
        return _records(recommend_partners(build(engine, query), org_id, top=top))

    return pd.DataFrame(_cached(engine, "network.recommend", params, compute, refresh))


def network_recommendation_list(
    engine: Engine,
    query: NetworkQuery,
    org: str | None = None,
    *,
    top: int = 10,
    refresh: bool = False,
) -> list[Recommendation]:
    """:func:`network_recommendations` as read models (for the API)."""
    frame = network_recommendations(engine, query, org, top=top, refresh=refresh)
    return [Recommendation.model_validate(row) for row in _records(frame)]


def network_timeline(
    engine: Engine,
    query: NetworkQuery,
    *,
    first_year: int | None = None,
    last_year: int | None = None,
    window: int = 1,
    cumulative: bool = False,
) -> Timeline:
    """Yearly (or rolling-window) snapshots with the region measures per period."""
    participations, organisations, domains = network_frames(engine)
    timeline = snapshots(
        participations,
        organisations,
        domains,
        first_year=first_year,
        last_year=last_year,
        window=window,
        cumulative=cumulative,
        countries=query.resolved_countries(),
        scope=query.scope,
        programmes=list(query.programmes) or None,
        weight=query.weight,
    )
    return Timeline.model_validate(
        {
            "summary": _records(timeline.summary),
            "country_links": _records(timeline.country_links),
            "params": timeline.params,
        }
    )


def network_evaluation(engine: Engine, query: NetworkQuery, *, train_end: int = 2017) -> Evaluation:
    """The temporal hold-out evaluation of the recommendations (train ≤ train_end, test after)."""
    participations, organisations, domains = network_frames(engine)
    result = temporal_holdout(
        participations,
        organisations,
        domains,
        countries=query.resolved_countries(),
        scope=query.scope,
        programmes=list(query.programmes) or ("H2020",),
        train_end=train_end,
        test_start=train_end + 1,
    )
    return Evaluation.model_validate(
        {
            "table": _records(result.table),
            "train_nodes": result.n_train_nodes,
            "train_edges": result.n_train_edges,
            "candidates": result.n_candidates,
            "positives": result.n_positives,
            "params": result.params,
        }
    )


def export_network(
    engine: Engine, query: NetworkQuery, fmt: ExportFormat, path: Path, *, dynamic: bool = False
) -> list[Path]:
    """Write the network as GraphML, GEXF, CSV (nodes and edges) or graphology JSON.

    Nodes carry the organisation's attributes (domain included), the centralities and the
    Leiden community of :func:`network_metrics`. ``dynamic`` (GEXF and GraphML) adds the
    years each tie is active: GEXF 1.3 spells and a yearly weight, GraphML edge columns.
    """
    if fmt not in ("graphml", "gexf", "json", "csv"):
        raise InputError(f"Unknown network format {fmt!r}.", "Use graphml, gexf, csv or json.")
    if dynamic and fmt not in ("gexf", "graphml"):
        raise InputError(
            f"A {fmt} export cannot carry time.", "Use --dynamic with gexf or graphml."
        )
    net = build(engine, query)
    metrics = network_metrics(engine, query)
    extra = metrics.drop(columns=["betweenness_method", "betweenness_epsilon"], errors="ignore")
    active = active_years(net, *network_frames(engine)) if dynamic else None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        return [write_graphml(net, path, extra=extra, active=active)]
    if fmt == "gexf":
        return [write_gexf(net, path, extra=extra, active=active)]
    if fmt == "json":
        return [write_graphology_json(net, path, extra=extra)]
    stem = path.with_suffix("")
    return list(write_csv(net, f"{stem}-nodes.csv", f"{stem}-edges.csv", extra=extra))


def network_view(engine: Engine, query: NetworkQuery, **view: Any) -> NetworkGraph:
    """The network as the web explorer draws it: graphology JSON with positions and measures.

    Nodes carry ``x``, ``y`` (a seeded force-directed layout), ``degree``, ``strength``,
    ``pagerank``, ``community`` (Leiden, seed 0) and the organisation's attributes; edges
    carry ``weight`` and ``cross_border``. ``view`` takes the keyword arguments of
    :func:`network_view_json` (``min_weight``, ``cross_border_only``, ``max_nodes``,
    ``max_edges``, ``refresh``).
    """
    return NetworkGraph.model_validate_json(network_view_json(engine, query, **view))


@dataclass(frozen=True)
class NetworkViewBody:
    """:func:`network_view_json`'s text as UTF-8 bytes, with their SHA-256 (hex)."""

    body: bytes
    sha256: str


def network_view_json(
    engine: Engine,
    query: NetworkQuery,
    *,
    min_weight: float = 0.0,
    cross_border_only: bool = False,
    max_nodes: int | None = 2000,
    max_edges: int | None = 20000,
    refresh: bool = False,
) -> str:
    """:func:`network_view` as JSON text, straight from the cache (for the web API).

    The ``max_nodes`` strongest organisations are kept, joined by their ``max_edges``
    heaviest ties; degree, strength, PageRank and communities count all their ties.
    Cached with the query and the view filter.
    """
    view = network_view_body(
        engine,
        query,
        min_weight=min_weight,
        cross_border_only=cross_border_only,
        max_nodes=max_nodes,
        max_edges=max_edges,
        refresh=refresh,
    )
    return view.body.decode()


def network_view_body(
    engine: Engine,
    query: NetworkQuery,
    *,
    min_weight: float = 0.0,
    cross_border_only: bool = False,
    max_nodes: int | None = 2000,
    max_edges: int | None = 20000,
    refresh: bool = False,
) -> NetworkViewBody:
    """:func:`network_view_json` as bytes with their hash, ready to send.

    Kept in memory until the store's data changes, so a server answers a repeated
    question without reading the store's cache row or hashing the body again.
    """
    for name, value in (("max_nodes", max_nodes), ("max_edges", max_edges)):
        if value is not None and value < 1:
            raise InputError(f"{name} must be at least 1, not {value}.", "Use a positive number.")
    if min_weight < 0:
        raise InputError(f"min_weight must not be negative ({min_weight}).", "Use 0 or more.")

    def compute() -> NetworkViewBody:
        text = _network_view_text(
            engine, query, min_weight, cross_border_only, max_nodes, max_edges, refresh
        )
        body = text.encode()
        return NetworkViewBody(body, hashlib.sha256(body).hexdigest())

    key = (query, min_weight, cross_border_only, max_nodes, max_edges)
    return cached(engine, _VIEWS, key, compute, refresh=refresh)


def _network_view_text(
    engine: Engine,
    query: NetworkQuery,
    min_weight: float,
    cross_border_only: bool,
    max_nodes: int | None,
    max_edges: int | None,
    refresh: bool,
) -> str:
    params = {
        **query.key(),
        "min_weight": min_weight,
        "cross_border_only": cross_border_only,
        "max_nodes": max_nodes,
        "max_edges": max_edges,
    }

    def compute() -> dict[str, Any]:
        full = view_filter(
            build(engine, query),
            min_weight=min_weight,
            cross_border_only=cross_border_only,
            max_nodes=max_nodes,
        )
        measures = degree_strength(full)
        measures["org_id"] = full.nodes["org_id"].to_numpy()
        measures["pagerank"] = pagerank(full) if full.n_nodes else []
        measures["community"] = leiden_communities(full, seed=0).membership if full.n_nodes else []
        net = view_filter(full, max_edges=max_edges)
        xy = layout_positions(net, seed=0)
        measures["x"] = xy[:, 0].round(4) if len(xy) else []
        measures["y"] = xy[:, 1].round(4) if len(xy) else []
        data = to_graphology(net, extra=measures)
        country = net.nodes["country"].astype(str).to_numpy()
        for edge, s, t in zip(data["edges"], net.source.tolist(), net.target.tolist(), strict=True):
            # graphology makes keys itself, and the graph type says the edges are undirected
            del edge["key"], edge["undirected"]
            edge["attributes"]["cross_border"] = bool(country[s] != country[t])
        for node in data["nodes"]:
            node["attributes"] = {k: v for k, v in node["attributes"].items() if v is not None}
        data["attributes"]["n_nodes"] = net.n_nodes
        data["attributes"]["n_edges"] = net.n_edges
        data["attributes"]["n_edges_all"] = full.n_edges
        return data

    return _cached_text(engine, "network.view", params, compute, refresh)
