"""Vega-Lite specifications for the atlas and the network, and rendering them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel

#: The Vega-Lite version the specs are written for: the browser's vega-lite (npm) and
#: vl-convert (for PDFs and pictures) both render it, so one spec serves both.
VEGA_LITE = "6.4"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
GROUP_ORDER = [
    "academia",
    "industry",
    "public",
    "intermediaries",
    "investors",
    "civil_society",
    "unknown",
]


def atlas_chart(
    summary: Mapping[str, Any] | BaseModel, programme: str | None = None
) -> dict[str, Any]:
    """Participations per country, stacked by stakeholder group.

    Parameters
    ----------
    summary:
        The output of :func:`bioconnect.services.atlas.atlas_summary` (the model or its
        ``model_dump()``).
    programme:
        Only this programme (``H2020`` or ``HORIZON``); all programmes when ``None``.

    Returns
    -------
    dict
        A Vega-Lite specification.

    Examples
    --------
    >>> spec = atlas_chart({"label": "Baltic", "attribution": "CORDIS", "countries": {"EE": {
    ...     "by_group": {"academia": {"participations": 3,
    ...                               "participations_by_programme": {"H2020": 2, "HORIZON": 1}}}}}},
    ...     "H2020")
    >>> spec["mark"]["type"], spec["data"]["values"]
    ('bar', [{'country': 'EE', 'group': 'academia', 'participations': 2}])
    """
    if isinstance(summary, BaseModel):
        summary = summary.model_dump()
    values = []
    for country, entry in summary["countries"].items():
        for group, figures in entry["by_group"].items():
            count = (
                figures["participations"]
                if programme is None
                else figures["participations_by_programme"].get(programme, 0)
            )
            values.append({"country": country, "group": group, "participations": int(count)})
    order = list(summary["countries"])
    title = f"{summary['label']}: participations by stakeholder group"
    return {
        "$schema": SCHEMA,
        "title": {
            "text": title + (f" ({programme})" if programme else ""),
            "subtitle": summary["attribution"],
        },
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "country", "type": "nominal", "title": None, "sort": order},
            "x": {"field": "participations", "type": "quantitative", "title": "participations"},
            "color": {
                "field": "group",
                "type": "nominal",
                "sort": GROUP_ORDER,
                "title": "stakeholder group",
            },
            "order": {"field": "group"},
            "tooltip": [{"field": "country"}, {"field": "group"}, {"field": "participations"}],
        },
        "width": 520,
        "height": 160,
    }


def cross_border_chart(country_links: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Ties between organisations of two different countries, per period and country pair.

    ``country_links`` are the rows of :func:`bioconnect.services.network.network_timeline`'s
    ``country_links`` (``start_year, country_a, country_b, edges``).

    Examples
    --------
    >>> spec = cross_border_chart([{"start_year": 2014, "country_a": "EE", "country_b": "FI",
    ...     "edges": 5}, {"start_year": 2014, "country_a": "EE", "country_b": "EE", "edges": 6}], "t")
    >>> spec["data"]["values"]
    [{'year': 2014, 'pair': 'EE–FI', 'ties': 5}]
    """
    values = [
        {
            "year": int(r["start_year"]),
            "pair": f"{r['country_a']}–{r['country_b']}",
            "ties": int(r["edges"]),
        }
        for r in country_links
        if r["country_a"] != r["country_b"]
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "Source: CORDIS, European Commission"},
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "project start year"},
            "y": {
                "field": "ties",
                "type": "quantitative",
                "title": "organisation pairs with a shared project",
            },
            "color": {"field": "pair", "type": "nominal", "title": "countries"},
            "tooltip": [{"field": "year"}, {"field": "pair"}, {"field": "ties"}],
        },
        "width": 520,
        "height": 260,
    }


def render(spec: dict[str, Any], fmt: Literal["svg", "png"] = "svg", scale: float = 2.0) -> bytes:
    """Render a Vega-Lite spec with vl-convert (no browser needed)."""
    import vl_convert as vlc

    if fmt == "svg":
        return str(vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE)).encode("utf-8")
    return bytes(vlc.vegalite_to_png(spec, vl_version=VEGA_LITE, scale=scale))


STATUS_ORDER = ["idea", "planned", "active", "done", "dropped"]


def gantt_chart(initiatives: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """A timeline (Gantt chart): one bar per initiative from its start to its end date.

    Parameters
    ----------
    initiatives:
        Records with ``id``, ``title``, ``pillar``, ``status``, ``start`` and ``end``
        (ISO dates or ``None``); those without both dates are left out.
    title:
        The chart's title.

    Returns
    -------
    dict
        A Vega-Lite specification; bars are coloured by pillar, in the order given.

    Examples
    --------
    >>> spec = gantt_chart([{"id": "R01", "title": "Joint call", "pillar": "research",
    ...     "status": "active", "start": "2025-03-01", "end": "2028-12-31"},
    ...     {"id": "X", "title": "Undated", "pillar": "research", "status": "idea",
    ...      "start": None, "end": None}], "Timeline")
    >>> [(v["id"], v["start"], v["end"]) for v in spec["data"]["values"]]
    [('R01', '2025-03-01', '2028-12-31')]
    >>> spec["encoding"]["x"]["type"], spec["encoding"]["x2"]["field"]
    ('temporal', 'end')
    """
    values = [
        {
            "id": i["id"],
            "label": f"{i['id']} {i['title']}",
            "title": i["title"],
            "pillar": i["pillar"],
            "status": i["status"],
            "start": str(i["start"]),
            "end": str(i["end"]),
        }
        for i in initiatives
        if i.get("start") and i.get("end")
    ]
    order = [v["label"] for v in values]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "One bar per initiative, from start to end"},
        "data": {"values": values},
        "mark": {"type": "bar", "cornerRadius": 2},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": order,
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {"field": "start", "type": "temporal", "title": None},
            "x2": {"field": "end"},
            "color": {"field": "pillar", "type": "nominal", "title": "pillar"},
            "tooltip": [
                {"field": "id"},
                {"field": "title"},
                {"field": "pillar"},
                {"field": "status"},
                {"field": "start", "type": "temporal"},
                {"field": "end", "type": "temporal"},
            ],
        },
        "width": 640,
        "height": {"step": 14},
    }


def priority_chart(ranks: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Initiatives by priority with their Monte Carlo rank intervals.

    Parameters
    ----------
    ranks:
        Rows of :func:`bioconnect.plan.rank_stability` (``initiative``, ``title``,
        ``pillar``, ``score``, ``rank``, ``median_rank``, ``rank_low``, ``rank_high``,
        ``top_share``), best first.
    title:
        The chart's title.

    Returns
    -------
    dict
        A layered Vega-Lite specification: a rule from the interval's low to high rank and
        a point at the median rank, rank 1 on the left.

    Examples
    --------
    >>> spec = priority_chart([{"initiative": "S01", "title": "Accelerator",
    ...     "pillar": "incubation", "score": 0.77, "rank": 1, "median_rank": 1,
    ...     "rank_low": 1, "rank_high": 3, "top_share": 1.0}], "Priorities")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'point']
    >>> spec["data"]["values"][0]["label"], spec["data"]["values"][0]["rank_high"]
    ('1. S01 Accelerator', 3)
    """
    values = [
        {
            "label": f"{int(r['rank'])}. {r['initiative']} {r['title']}",
            "initiative": r["initiative"],
            "pillar": r["pillar"],
            "score": round(float(r["score"]), 4),
            "rank": int(r["rank"]),
            "median_rank": int(r["median_rank"]),
            "rank_low": int(r["rank_low"]),
            "rank_high": int(r["rank_high"]),
            "top_share": round(float(r["top_share"]), 4),
        }
        for r in ranks
    ]
    order = [v["label"] for v in values]
    y: dict[str, Any] = {"field": "label", "type": "nominal", "sort": order, "title": None}
    y["axis"] = {"labelLimit": 260}
    tooltip = [
        {"field": "initiative"},
        {"field": "score", "format": ".3f"},
        {"field": "rank"},
        {"field": "median_rank", "title": "median rank"},
        {"field": "rank_low", "title": "rank (5th percentile)"},
        {"field": "rank_high", "title": "rank (95th percentile)"},
        {"field": "top_share", "title": "share of draws in the top quarter", "format": ".0%"},
    ]
    return {
        "$schema": SCHEMA,
        "title": {
            "text": title,
            "subtitle": "Median rank and 5–95 % interval over uncertain weights",
        },
        "data": {"values": values},
        "encoding": {"y": y, "tooltip": tooltip},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "x": {
                        "field": "rank_low",
                        "type": "quantitative",
                        "title": "rank (1 = highest priority)",
                        "scale": {"domainMin": 1, "nice": False, "zero": False},
                    },
                    "x2": {"field": "rank_high"},
                    "color": {"field": "pillar", "type": "nominal", "title": "pillar"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 40},
                "encoding": {
                    "x": {"field": "median_rank", "type": "quantitative"},
                    "color": {"field": "pillar", "type": "nominal"},
                },
            },
        ],
        "width": 560,
        "height": {"step": 14},
    }


def matrix_chart(cells: list[dict[str, Any]], pillars: list[str], title: str) -> dict[str, Any]:
    """Initiatives per pillar and country, as a heat map with the counts written in.

    Parameters
    ----------
    cells:
        ``pillar``, ``country``, ``initiatives`` (count) and ``budget`` (EUR) per cell.
    pillars:
        The pillars' order (the plan configuration's).
    title:
        The chart's title.

    Returns
    -------
    dict
        A layered Vega-Lite specification (rectangles and their counts).

    Examples
    --------
    >>> spec = matrix_chart([{"pillar": "research", "country": "EE", "initiatives": 3,
    ...     "budget": 1.5e6}], ["research", "talent"], "Pillars by country")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rect', 'text']
    >>> spec["encoding"]["y"]["sort"]
    ['research', 'talent']
    """
    values = [
        {
            "pillar": c["pillar"],
            "country": c["country"],
            "initiatives": int(c["initiatives"]),
            "budget": float(c["budget"]),
        }
        for c in cells
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "Initiatives per pillar and country"},
        "data": {"values": values},
        "encoding": {
            "x": {"field": "country", "type": "nominal", "title": None, "axis": {"orient": "top"}},
            "y": {"field": "pillar", "type": "nominal", "sort": pillars, "title": None},
            "tooltip": [
                {"field": "pillar"},
                {"field": "country"},
                {"field": "initiatives"},
                {
                    "field": "budget",
                    "title": "budget (EUR, split among countries)",
                    "format": ",.0f",
                },
            ],
        },
        "layer": [
            {
                "mark": {"type": "rect"},
                "encoding": {
                    "color": {
                        "field": "initiatives",
                        "type": "quantitative",
                        "title": "initiatives",
                        "scale": {"scheme": "blues"},
                    }
                },
            },
            {
                "mark": {"type": "text"},
                "encoding": {
                    "text": {"field": "initiatives", "type": "quantitative"},
                    "color": {
                        "condition": {"test": "datum.initiatives > 6", "value": "white"},
                        "value": "black",
                    },
                },
            },
        ],
        "width": {"step": 56},
        "height": {"step": 28},
    }
