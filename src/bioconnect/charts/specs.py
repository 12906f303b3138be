"""Vega-Lite specifications for the atlas and the network, and rendering them."""

from __future__ import annotations

from typing import Any, Literal

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


def atlas_chart(summary: dict[str, Any], programme: str | None = None) -> dict[str, Any]:
    """Participations per country, stacked by stakeholder group.

    Parameters
    ----------
    summary:
        The output of :func:`bioconnect.services.atlas.atlas_summary`.
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
