"""The network explorer page (the graph itself comes from the network API)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import Response

from bioconnect.web.rendering import filter_choices, render, research_choices
from bioconnect.web.routing import Reader, page_router

router = page_router()


ResearchParam = Annotated[
    Literal["focus", "all"],
    Query(description="focus: the preset's focus (the default); all: all research"),
]


@router.get("/network")
def network_page(request: Request, user: Reader, research: ResearchParam = "focus") -> Response:
    return render(
        request,
        "network.html",
        active="network",
        **filter_choices(request),
        **research_choices(request, research),
    )
