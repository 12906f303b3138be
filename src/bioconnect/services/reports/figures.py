"""Turning the services' chart specifications into report figures (SVG by vl-convert)."""

from __future__ import annotations

import hashlib
import json
import re
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
    key = hashlib.sha1(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()[:8]
    return Figure(title, fit(local_ids(svg, f"c{key}")), sources, method, alt or title)


_ID = re.compile(r'\bid="([^"]+)"')


def local_ids(svg: str, prefix: str) -> str:
    """The SVG with its ids (and their references) renamed from ``prefix``, in order.

    vl-convert numbers gradients and clips by a counter that runs for the whole process,
    so the same chart would get new ids on each render; these names depend on the chart
    alone, which keeps a report's bytes the same from one render to the next.

    >>> local_ids('<svg><linearGradient id="gradient_7"/><rect fill="url(#gradient_7)"/></svg>', "c1")
    '<svg><linearGradient id="c1-0"/><rect fill="url(#c1-0)"/></svg>'
    """
    names = {old: f"{prefix}-{i}" for i, old in enumerate(dict.fromkeys(_ID.findall(svg)))}
    if not names:
        return svg
    pattern = re.compile(r'(id="|url\(#|href="#)(' + "|".join(map(re.escape, names)) + r')(?=[")])')
    return pattern.sub(lambda m: m.group(1) + names[m.group(2)], svg)


#: Wider charts are scaled down to the text width (about 170 mm on A4 at 96 px/inch).
TEXT_WIDTH_PX = 640
_ROOT = re.compile(r'^<svg([^>]*?) width="([\d.]+)" height="([\d.]+)"')


def fit(svg: str) -> str:
    """The SVG, scaled to the text width when it is wider (its viewBox keeps the shape).

    >>> fit('<svg class="m" width="900" height="300" viewBox="0 0 900 300"></svg>')
    '<svg class="m" width="100%" viewBox="0 0 900 300"></svg>'
    >>> fit('<svg width="400" height="300"></svg>')
    '<svg width="400" height="300"></svg>'
    """
    found = _ROOT.match(svg)
    if found is None or float(found.group(2)) <= TEXT_WIDTH_PX:
        return svg
    return f'<svg{found.group(1)} width="100%"' + svg[found.end() :]
