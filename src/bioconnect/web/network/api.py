"""The network API: the collaboration graph, its summary, measures and recommendations."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from bioconnect.services.network import (
    NetworkQuery,
    network_metrics_page,
    network_recommendation_list,
    network_summary,
    network_view_body,
)
from bioconnect.services.network_results import (
    NetworkGraph,
    NetworkSummary,
    OrganisationMetrics,
    Recommendation,
)
from bioconnect.services.scope import filter_domains
from bioconnect.web.etag import body_etag
from bioconnect.web.limits import TOO_COSTLY, Costly
from bioconnect.web.routing import (
    Country,
    Domain,
    Group,
    Limit,
    Offset,
    Page,
    Programme,
    Reader,
    Research,
    Year,
    api_router,
    engine_of,
    kept_or_computed,
    page_of,
    preset_of,
    split_codes,
)

router = api_router()


class MetricsPage(Page):
    items: list[OrganisationMetrics]


async def network_query(
    request: Request,
    countries: Country = None,
    scope: Literal["region", "region_plus_partners"] = "region",
    programme: Programme = None,
    domain: Domain = None,
    group: Group = None,
    start_year: Year = None,
    end_year: Year = None,
    weight: Literal["projects", "fractional", "funding"] = "projects",
    research: Research = "all",
) -> NetworkQuery:
    """The network filters every network route takes (``async``: no work to leave to a
    worker thread, so none of the hop's cost)."""
    return NetworkQuery(
        preset=preset_of(request),
        countries=split_codes(countries),
        scope=scope,
        programmes=(programme,) if programme else (),
        domains=tuple(filter_domains(request.app.state.preset, research, domain) or ()),
        stakeholder_groups=(group,) if group else (),
        start_year=start_year,
        end_year=end_year,
        weight=weight,
    )


Network = Annotated[NetworkQuery, Depends(network_query)]


@router.get(
    "/network",
    response_class=Response,
    tags=["network"],
    dependencies=[Costly],
    responses={200: {"model": NetworkGraph, "description": "graphology JSON."}, **TOO_COSTLY},
)
async def get_network(
    request: Request,
    user: Reader,
    query: Network,
    min_weight: Annotated[float, Query(ge=0, le=1e12)] = 0.0,
    cross_border_only: bool = False,
    max_nodes: Annotated[int, Query(ge=1, le=50_000)] = 2000,
    max_edges: Annotated[int, Query(ge=1, le=1_000_000)] = 20_000,
) -> Response:
    """The collaboration network (subgraph by filter) with layout and measures per node.

    The ``max_nodes`` strongest organisations are drawn with their ``max_edges`` heaviest
    ties. The answer is sent straight from the analysis cache.
    """
    view = await kept_or_computed(
        network_view_body,
        engine_of(request),
        query,
        min_weight=min_weight,
        cross_border_only=cross_border_only,
        max_nodes=max_nodes,
        max_edges=max_edges,
    )
    # the ETag middleware takes the tag as it is instead of hashing the body again
    return Response(
        content=view.body, media_type="application/json", headers={"ETag": body_etag(view.sha256)}
    )


@router.get(
    "/network/summary",
    response_model=NetworkSummary,
    tags=["network"],
    dependencies=[Costly],
    responses=TOO_COSTLY,
)
def get_network_summary(request: Request, user: Reader, query: Network) -> NetworkSummary:
    """Size, density, fragmentation, cross-border share, core–periphery and brokers."""
    return network_summary(engine_of(request), query)


@router.get(
    "/network/metrics",
    response_model=MetricsPage,
    tags=["network"],
    dependencies=[Costly],
    responses=TOO_COSTLY,
)
def get_network_metrics(
    request: Request,
    user: Reader,
    query: Network,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MetricsPage:
    """Per-organisation measures (degree … community), by PageRank."""
    items, total = network_metrics_page(engine_of(request), query, limit=limit, offset=offset)
    return MetricsPage(items=items, **page_of(total, limit, offset))


@router.get(
    "/network/recommendations",
    response_model=list[Recommendation],
    tags=["network"],
    dependencies=[Costly],
    responses=TOO_COSTLY,
)
def get_recommendations(
    request: Request,
    user: Reader,
    query: Network,
    org: Annotated[str | None, Query(max_length=40)] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Recommendation]:
    """Suggested partners with explanations, for one organisation or the whole region."""
    return network_recommendation_list(engine_of(request), query, org, top=top)
