"""A choropleth of NUTS regions for documents (the web map draws the same GeoJSON live)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bioconnect.charts.specs import SCHEMA

__all__ = ["region_map_chart"]


def region_map_chart(
    features: Sequence[Mapping[str, Any]], title: str, measure: str = "organisations"
) -> dict[str, Any]:
    """NUTS regions coloured by ``measure`` in five quantile classes, for a PDF or a page.

    Parameters
    ----------
    features:
        GeoJSON features whose properties carry ``nuts_id``, ``name``, ``country`` and
        ``measure`` (the ``features`` of :func:`bioconnect.services.maps.atlas_map`).
    title:
        The chart's title.
    measure:
        The property that colours the regions.

    Returns
    -------
    dict
        A Vega-Lite specification (``geoshape`` marks, a Mercator projection).

    Example
    -------
    >>> square = {"type": "Polygon", "coordinates": [[[24, 58], [25, 58], [25, 59], [24, 58]]]}
    >>> spec = region_map_chart([{"type": "Feature", "geometry": square, "properties": {
    ...     "nuts_id": "EE00", "name": "Eesti", "country": "EE", "organisations": 5}}], "Map")
    >>> spec["mark"]["type"], spec["encoding"]["color"]["scale"]["type"]
    ('geoshape', 'quantile')

    References
    ----------
    Vega-Lite documentation, "Geoshape" and "Scale: quantile".
    """
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 420,
        "height": 420,
        "data": {"values": list(features), "format": {"type": "json"}},
        "projection": {"type": "mercator"},
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.6},
        "encoding": {
            "color": {
                "field": f"properties.{measure}",
                "type": "quantitative",
                "title": measure.replace("_", " "),
                "scale": {"type": "quantile", "scheme": "blues", "count": 5},
            },
            "tooltip": [
                {"field": "properties.name", "title": "region"},
                {"field": f"properties.{measure}", "title": measure.replace("_", " ")},
            ],
        },
    }
