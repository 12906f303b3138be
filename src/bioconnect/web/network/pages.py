"""The network explorer page (the graph itself comes from the network API)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from bioconnect.web.rendering import filter_choices, render
from bioconnect.web.routing import Reader, page_router

router = page_router()


@router.get("/network")
def network_page(request: Request, user: Reader) -> Response:
    return render(request, "network.html", active="network", **filter_choices(request))
