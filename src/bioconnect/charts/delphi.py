"""Vega-Lite specifications for Delphi studies and surveys.

Each function takes plain data (what :mod:`bioconnect.services.dialogue.delphi` and
:mod:`bioconnect.services.dialogue.surveys` return, dumped to dicts) and returns a
Vega-Lite specification, drawn by the web pages (every chart has a table beside it with
the same figures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bioconnect.charts.specs import SCHEMA

__all__ = ["choice_chart", "delphi_chart", "likert_chart", "ranking_chart"]

_CONSENSUS = {"domain": ["consensus", "no consensus"], "range": ["#1a7f37", "#b35900"]}


def delphi_chart(items: Sequence[Mapping[str, Any]], title: str) -> dict[str, Any]:
    """Each item's median (a point) and interquartile range (a bar) per round, on 1–9.

    Parameters
    ----------
    items:
        Rows with ``item``, ``round``, ``median``, ``q1``, ``q3`` and ``consensus`` (the
        items of each round of :class:`~bioconnect.services.dialogue.round_models.DelphiResults`).
    title:
        The chart's title.

    Returns
    -------
    dict
        A layered Vega-Lite specification: the IQR as a rule, the median as a point, one
        row per item and round, coloured by consensus.

    Examples
    --------
    >>> row = {"item": 1, "round": 2, "median": 8, "q1": 7, "q3": 8, "consensus": True}
    >>> spec = delphi_chart([row], "Goals")
    >>> spec["data"]["values"][0]["label"], spec["data"]["values"][0]["status"]
    ('item 1 · round 2', 'consensus')
    """
    values = [
        {
            "label": f"item {int(r['item'])} · round {int(r['round'])}",
            "median": float(r["median"]),
            "q1": float(r["q1"]),
            "q3": float(r["q3"]),
            "status": "consensus" if r["consensus"] else "no consensus",
        }
        for r in items
    ]
    scale = {"domain": [1, 9], "nice": False}
    axis = {"values": list(range(1, 10)), "format": "d"}
    y = {"field": "label", "type": "nominal", "title": None, "sort": None}
    colour = {"field": "status", "type": "nominal", "title": None, "scale": _CONSENSUS}
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "median (point) and interquartile range (bar)"},
        "data": {"values": values},
        "encoding": {"y": y, "color": colour},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 6, "opacity": 0.45},
                "encoding": {
                    "x": {
                        "field": "q1",
                        "type": "quantitative",
                        "title": "rating",
                        "scale": scale,
                        "axis": axis,
                    },
                    "x2": {"field": "q3"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90},
                "encoding": {
                    "x": {"field": "median", "type": "quantitative", "scale": scale},
                    "tooltip": [
                        {"field": "label"},
                        {"field": "median"},
                        {"field": "q1", "title": "Q1"},
                        {"field": "q3", "title": "Q3"},
                        {"field": "status"},
                    ],
                },
            },
        ],
        "width": 480,
    }


def _bars(values: list[dict[str, Any]], title: str, x_title: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "option", "type": "nominal", "title": None, "sort": None},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": x_title,
                "axis": {"tickMinStep": 1},
            },
            "tooltip": [{"field": "option"}, {"field": "value", "title": x_title}],
        },
        "width": 360,
    }


def choice_chart(counts: Mapping[str, int], title: str) -> dict[str, Any]:
    """Respondents per option, as bars in option order.

    Examples
    --------
    >>> choice_chart({"EE": 3, "LV": 4}, "Country")["data"]["values"]
    [{'option': 'EE', 'value': 3}, {'option': 'LV', 'value': 4}]
    """
    values = [{"option": str(k), "value": int(v)} for k, v in counts.items()]
    return _bars(values, title, "respondents")


def ranking_chart(points: Mapping[str, float], title: str) -> dict[str, Any]:
    """Borda points per option, highest first.

    Examples
    --------
    >>> ranking_chart({"a": 14.0, "b": 10.0}, "Priorities")["encoding"]["x"]["title"]
    'Borda points'
    """
    values = [{"option": str(k), "value": float(v)} for k, v in points.items()]
    return _bars(values, title, "Borda points")


def likert_chart(counts: Sequence[int], title: str) -> dict[str, Any]:
    """The distribution of a Likert item: answers per level, 1 first.

    Examples
    --------
    >>> likert_chart([0, 1, 1, 2, 2], "Helps")["data"]["values"][3]
    {'level': 4, 'answers': 2}
    """
    values = [{"level": i, "answers": int(c)} for i, c in enumerate(counts, 1)]
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "level",
                "type": "ordinal",
                "title": "level (1 = disagree)",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "answers",
                "type": "quantitative",
                "title": "answers",
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "tooltip": [{"field": "level"}, {"field": "answers"}],
        },
        "width": 300,
        "height": 160,
    }
