"""Vega-Lite specifications for the benchmark: the SII, group odds, profiles, best practice.

Each function takes the plain rows of a :mod:`bioconnect.services.benchmark_overview` or
:mod:`bioconnect.services.biotech_index` read model and returns a specification; the web
pages draw them and the reports can render them with :func:`bioconnect.charts.render`.
"""

from __future__ import annotations

from typing import Any

from bioconnect.charts.specs import SCHEMA

__all__ = [
    "BANDS",
    "GROUP_COLOURS",
    "best_practice_chart",
    "probability_chart",
    "profile_chart",
    "rank_interval_chart",
    "sii_chart",
]

GROUP_ORDER = ["Emerging", "Moderate", "Strong", "Leader"]
#: The EIS's performance groups by SII as % of the EU's: lower and upper bound.
BANDS = [
    {"group": "Emerging", "low": 0, "high": 70},
    {"group": "Moderate", "low": 70, "high": 100},
    {"group": "Strong", "low": 100, "high": 125},
    {"group": "Leader", "low": 125, "high": 160},
]
#: One colour per group (colour-blind safe, from the Okabe-Ito palette), the EIS's order.
GROUP_COLOURS = ["#D55E00", "#E69F00", "#56B4E9", "#0072B2"]


def sii_chart(points: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """The SII as % of the EU's, year by year, over the four group bands.

    Parameters
    ----------
    points:
        ``country``, ``year``, ``sii_share`` (%) and ``group`` per country and year.
    title:
        The chart's title.

    Returns
    -------
    dict
        A layered Vega-Lite specification: the bands (rectangles), then a line per country.

    Examples
    --------
    >>> spec = sii_chart([{"country": "EE", "year": 2025, "sii_share": 104.8,
    ...     "group": "Strong"}], "SII")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rect', 'text', 'line']
    >>> spec["layer"][0]["data"]["values"][1]
    {'group': 'Moderate', 'low': 70, 'high': 100}
    """
    top = max([160.0, *[float(p["sii_share"]) + 5 for p in points]])
    bands = [{**b, "high": top} if b["group"] == "Leader" else b for b in BANDS]
    colour = {"domain": GROUP_ORDER, "range": GROUP_COLOURS}
    y = {"type": "quantitative", "scale": {"domain": [0, top], "nice": False}}
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "SII as % of the EU's in the same year"},
        "width": 560,
        "height": 300,
        "resolve": {"scale": {"color": "independent"}},
        "layer": [
            {
                "data": {"values": bands},
                "mark": {"type": "rect", "opacity": 0.16},
                "encoding": {
                    "y": {"field": "low", **y, "title": "SII, % of the EU"},
                    "y2": {"field": "high"},
                    "color": {"field": "group", "type": "nominal", "scale": colour, "legend": None},
                },
            },
            {
                "data": {"values": bands},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "top",
                    "x": 4,
                    "dy": 4,
                    "fontSize": 11,
                },
                "encoding": {
                    "y": {"field": "high", **y},
                    "text": {"field": "group"},
                    "color": {"value": "#333333"},
                },
            },
            {
                "data": {
                    "values": [dict(p, sii_share=round(float(p["sii_share"]), 2)) for p in points]
                },
                "mark": {"type": "line", "point": True, "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "year", "type": "ordinal", "title": None},
                    "y": {"field": "sii_share", **y},
                    "color": {"field": "country", "type": "nominal", "title": "country"},
                    "tooltip": [
                        {"field": "country"},
                        {"field": "year"},
                        {"field": "sii_share", "title": "SII % of EU", "format": ".1f"},
                        {"field": "group"},
                    ],
                },
            },
        ],
    }


def probability_chart(odds: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """How sure each country's label is: the probability of each group, stacked to 1.

    Parameters
    ----------
    odds:
        ``country`` and ``probabilities`` ({group: p}) per country.
    title:
        The chart's title.

    Returns
    -------
    dict
        A stacked horizontal bar chart.

    Examples
    --------
    >>> spec = probability_chart([{"country": "EE", "probabilities": {"Strong": 0.7,
    ...     "Moderate": 0.3}}], "Odds")
    >>> spec["data"]["values"]
    [{'country': 'EE', 'group': 'Strong', 'probability': 0.7}, {'country': 'EE', 'group': 'Moderate', 'probability': 0.3}]
    """
    values = [
        {"country": o["country"], "group": g, "probability": round(float(p), 4)}
        for o in odds
        for g, p in o["probabilities"].items()
        if p > 0
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "Share of resampled SIIs in each group"},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "width": 560,
        "height": {"step": 28},
        "encoding": {
            "y": {
                "field": "country",
                "type": "nominal",
                "title": None,
                "sort": [o["country"] for o in odds],
            },
            "x": {
                "field": "probability",
                "type": "quantitative",
                "stack": "zero",
                "scale": {"domain": [0, 1]},
                "axis": {"format": ".0%"},
                "title": "probability",
            },
            "color": {
                "field": "group",
                "type": "nominal",
                "scale": {"domain": GROUP_ORDER, "range": GROUP_COLOURS},
                "title": "group",
            },
            "order": {"field": "group", "sort": "ascending"},
            "tooltip": [
                {"field": "country"},
                {"field": "group"},
                {"field": "probability", "format": ".1%"},
            ],
        },
    }


def profile_chart(rows: list[dict[str, Any]], dimensions: list[str], title: str) -> dict[str, Any]:
    """Each country's dimension scores as % of the EU's, with a rule at the EU (100).

    Parameters
    ----------
    rows:
        ``country``, ``dimension`` (its name) and ``vs_eu`` (%) per country and dimension.
    dimensions:
        The dimensions' order.
    title:
        The chart's title.

    Returns
    -------
    dict
        A dot plot (one row per dimension, one colour per country) over a rule at 100.

    Examples
    --------
    >>> spec = profile_chart([{"country": "EE", "dimension": "Linkages", "vs_eu": 168.5}],
    ...     ["Linkages"], "Profile")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'point']
    """
    values = [
        {"country": r["country"], "dimension": r["dimension"], "vs_eu": round(float(r["vs_eu"]), 2)}
        for r in rows
        if r.get("vs_eu") is not None
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "Dimension scores as % of the EU's (EU = 100)"},
        "width": 480,
        "height": {"step": 22},
        "layer": [
            {
                "data": {"values": [{"eu": 100}]},
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#555555"},
                "encoding": {"x": {"field": "eu", "type": "quantitative"}},
            },
            {
                "data": {"values": values},
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "y": {
                        "field": "dimension",
                        "type": "nominal",
                        "sort": dimensions,
                        "title": None,
                    },
                    "x": {"field": "vs_eu", "type": "quantitative", "title": "% of the EU"},
                    "color": {"field": "country", "type": "nominal", "title": "country"},
                    "shape": {"field": "country", "type": "nominal"},
                    "tooltip": [
                        {"field": "country"},
                        {"field": "dimension"},
                        {"field": "vs_eu", "title": "% of EU", "format": ".0f"},
                    ],
                },
            },
        ],
    }


def best_practice_chart(
    cells: list[dict[str, Any]], dimensions: list[str], reference: str, title: str
) -> dict[str, Any]:
    """The best-practice matrix as a heat map: each country's dimension as % of the reference's.

    Parameters
    ----------
    cells:
        ``country``, ``dimension`` (its name) and ``share`` (% of the reference) per cell.
    dimensions:
        The dimensions' order.
    reference:
        The reference country (100 %).
    title:
        The chart's title.

    Returns
    -------
    dict
        Rectangles coloured on a diverging scale centred on 100 %, with the value written in.

    Examples
    --------
    >>> spec = best_practice_chart([{"country": "EE", "dimension": "Linkages",
    ...     "share": 84.4}], ["Linkages"], "FI", "Best practice")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rect', 'text']
    >>> spec["layer"][0]["encoding"]["color"]["scale"]["domain"]  # 100 % in the middle
    [0, 200]
    """
    values = [
        {"country": c["country"], "dimension": c["dimension"], "share": round(float(c["share"]), 1)}
        for c in cells
        if c.get("share") is not None
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": f"Dimension score as % of {reference}'s"},
        "data": {"values": values},
        "width": {"step": 72},
        "height": {"step": 26},
        "encoding": {
            "x": {
                "field": "country",
                "type": "nominal",
                "title": None,
                "sort": list(dict.fromkeys(v["country"] for v in values)),
                "axis": {"orient": "top", "labelAngle": 0},
            },
            "y": {"field": "dimension", "type": "nominal", "sort": dimensions, "title": None},
            "tooltip": [
                {"field": "country"},
                {"field": "dimension"},
                {"field": "share", "title": f"% of {reference}", "format": ".0f"},
            ],
        },
        "layer": [
            {
                "mark": {"type": "rect"},
                "encoding": {
                    "color": {
                        "field": "share",
                        "type": "quantitative",
                        "title": f"% of {reference}",
                        "scale": {"scheme": "redblue", "domain": [0, 200], "clamp": True},
                    }
                },
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {
                    "text": {"field": "share", "type": "quantitative", "format": ".0f"},
                    "color": {
                        "condition": {
                            "test": "datum.share < 35 || datum.share > 165",
                            "value": "white",
                        },
                        "value": "black",
                    },
                },
            },
        ],
    }


def rank_interval_chart(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Countries by rank, with the 5-95 % interval of their rank over the sampled choices.

    Parameters
    ----------
    rows:
        ``unit``, ``name``, ``highlighted``, ``rank``, ``rank_q05``, ``rank_median``,
        ``rank_q95`` and ``score`` per country, best first.
    title:
        The chart's title.

    Returns
    -------
    dict
        A rule from the 5th to the 95th percentile rank and a point at the nominal rank;
        highlighted countries in another colour.

    Examples
    --------
    >>> spec = rank_interval_chart([{"unit": "EE", "name": "Estonia", "highlighted": True,
    ...     "rank": 5, "rank_q05": 4, "rank_median": 5, "rank_q95": 7, "score": 64.6}], "Index")
    >>> [layer["mark"]["type"] for layer in spec["layer"]], spec["data"]["values"][0]["label"]
    (['rule', 'point'], '5. EE Estonia')
    """
    values = [
        {
            "label": f"{r['rank']}. {r['unit']} {r['name']}",
            "unit": r["unit"],
            "set": "preset country" if r["highlighted"] else "other EU country",
            "rank": r["rank"],
            "rank_q05": r["rank_q05"],
            "rank_median": r["rank_median"],
            "rank_q95": r["rank_q95"],
            "score": None if r["score"] is None else round(float(r["score"]), 2),
        }
        for r in rows
        if r["rank"] is not None
    ]
    colour: dict[str, Any] = {
        "field": "set",
        "type": "nominal",
        "title": None,
        "scale": {
            "domain": ["preset country", "other EU country"],
            "range": ["#D55E00", "#7a7a7a"],
        },
    }
    if not any(r["highlighted"] for r in rows):  # nothing to tell apart
        colour["legend"] = None
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "Nominal rank and its 5-95 % interval"},
        "data": {"values": values},
        "width": 480,
        "height": {"step": 16},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": [v["label"] for v in values],
                "title": None,
            },
            "tooltip": [
                {"field": "unit", "title": "country"},
                {"field": "score", "format": ".2f"},
                {"field": "rank"},
                {"field": "rank_q05", "title": "rank (5th percentile)"},
                {"field": "rank_q95", "title": "rank (95th percentile)"},
            ],
        },
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 3},
                "encoding": {
                    "x": {
                        "field": "rank_q05",
                        "type": "quantitative",
                        "title": "rank (1 = best)",
                        "scale": {"domainMin": 1, "nice": False, "zero": False},
                    },
                    "x2": {"field": "rank_q95"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 50},
                "encoding": {"x": {"field": "rank", "type": "quantitative"}, "color": colour},
            },
        ],
    }
