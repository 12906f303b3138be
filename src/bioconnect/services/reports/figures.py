"""Turning the services' chart specifications into report figures (SVG by vl-convert)."""

from __future__ import annotations

from typing import Any

from bioconnect.charts.specs import render
from bioconnect.reports.document import Figure


def chart(
    spec: dict[str, Any] | None,
    title: str,
    *,
    sources: tuple[str, ...],
    method: str,
    empty_reason: str = "there is no data for this chart.",
    alt: str = "",
) -> Figure:
    """A figure from the same Vega-Lite spec the web page renders; without a spec, or
    without data in it, the figure says why instead of drawing an empty chart."""
    values = (spec or {}).get("data", {}).get("values")
    if spec is None or values == []:
        return Figure(title, None, sources, method, alt, empty_reason)
    svg = render(spec, "svg").decode("utf-8")
    # the XML prolog is not allowed inside an HTML document
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :].lstrip()
    return Figure(title, svg, sources, method, alt or title)
