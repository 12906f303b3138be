"""Vega-Lite specifications for outcomes: cohort entries, survival curves, KPI fans.

Each function takes plain data (what :mod:`bioconnect.services.outcomes` returns, dumped
to dicts) and returns a Vega-Lite specification, drawn by the web pages and by
:func:`bioconnect.charts.specs.render` for reports and the docs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bioconnect.charts.specs import SCHEMA

__all__ = ["entries_chart", "fan_chart", "sparkline_chart", "survival_chart"]


def entries_chart(
    entries: Sequence[Mapping[str, Any]], title: str, subtitle: str = ""
) -> dict[str, Any]:
    """New entrants per year, one line per group.

    Parameters
    ----------
    entries:
        Rows with ``group``, ``year`` and ``entries`` (the ``entries`` of a
        :class:`~bioconnect.services.outcomes.CohortReport`).
    title, subtitle:
        The chart's title and a subtitle (the source).

    Returns
    -------
    dict
        A Vega-Lite specification (lines with points; years on an ordinal axis).

    Examples
    --------
    >>> spec = entries_chart([{"group": "EE", "year": 2015, "entries": 40}], "Newcomers")
    >>> spec["mark"]["type"], spec["data"]["values"]
    ('line', [{'group': 'EE', 'year': 2015, 'entries': 40}])
    """
    values = [
        {"group": str(e["group"]), "year": int(e["year"]), "entries": int(e["entries"])}
        for e in entries
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "entry year"},
            "y": {"field": "entries", "type": "quantitative", "title": "newcomers"},
            "color": {"field": "group", "type": "nominal", "title": None},
            "tooltip": [{"field": "group"}, {"field": "year"}, {"field": "entries"}],
        },
        "width": 520,
        "height": 240,
    }


def survival_chart(
    curves: Mapping[str, Mapping[str, Any]], title: str, subtitle: str = ""
) -> dict[str, Any]:
    """Kaplan–Meier curves as steps, each with its confidence band, one colour per group.

    Parameters
    ----------
    curves:
        Per group, a curve with ``timeline``, ``survival``, ``ci_lower`` and ``ci_upper``
        (the ``curves`` of a :class:`~bioconnect.services.outcomes.CohortReport`).
    title, subtitle:
        The chart's title and subtitle.

    Returns
    -------
    dict
        A layered Vega-Lite specification: a step area from the band's lower to its upper
        limit, and a step line of the estimate (S(t) holds until the next time).

    Examples
    --------
    >>> spec = survival_chart({"EE": {"timeline": [0.0, 3.0], "survival": [1.0, 0.2],
    ...     "ci_lower": [1.0, 0.1], "ci_upper": [1.0, 0.3]}}, "Survival")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['area', 'line']
    >>> spec["data"]["values"][1]
    {'group': 'EE', 'time': 3.0, 'survival': 0.2, 'lower': 0.1, 'upper': 0.3}
    """
    values = [
        {
            "group": str(name),
            "time": float(t),
            "survival": round(float(s), 6),
            "lower": round(float(lo), 6),
            "upper": round(float(hi), 6),
        }
        for name, curve in curves.items()
        for t, s, lo, hi in zip(
            curve["timeline"], curve["survival"], curve["ci_lower"], curve["ci_upper"], strict=True
        )
    ]
    x = {"field": "time", "type": "quantitative", "title": "years since entry"}
    color = {"field": "group", "type": "nominal", "title": None}
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.18},
                "encoding": {
                    "x": x,
                    "y": {"field": "lower", "type": "quantitative"},
                    "y2": {"field": "upper"},
                    "color": color,
                },
            },
            {
                "mark": {"type": "line", "interpolate": "step-after", "point": True},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "survival",
                        "type": "quantitative",
                        "title": "share still active, S(t)",
                        "scale": {"domain": [0, 1]},
                    },
                    "color": color,
                    "tooltip": [
                        {"field": "group"},
                        {"field": "time", "title": "years"},
                        {"field": "survival", "format": ".3f"},
                        {"field": "lower", "title": "95% band, lower", "format": ".3f"},
                        {"field": "upper", "title": "95% band, upper", "format": ".3f"},
                    ],
                },
            },
        ],
        "width": 520,
        "height": 260,
    }


def fan_chart(forecast: Mapping[str, Any], title: str, unit: str = "value") -> dict[str, Any]:
    """A forecast's fan (5–95 % and 25–75 %), its median, the history and the target line.

    Parameters
    ----------
    forecast:
        A :class:`~bioconnect.services.outcomes.KpiForecast` dumped to a dict: ``history``
        (time, value pairs), ``times``, ``quantiles`` (``q05`` ... ``q95``), ``target``.
    title, unit:
        The chart's title, and the values' unit (the y axis title).

    Returns
    -------
    dict
        A layered Vega-Lite specification. The fan starts at the last observed value, so
        that it joins the history.

    Examples
    --------
    >>> spec = fan_chart({"history": [[2023.0, 10.0], [2024.0, 12.0]], "times": [2025.0],
    ...     "quantiles": {"q05": [9.0], "q25": [11.0], "q50": [13.0], "q75": [15.0],
    ...     "q95": [18.0]}, "target": 20.0, "probability": 0.04}, "Startups")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['area', 'area', 'line', 'line', 'rule']
    >>> spec["layer"][0]["data"]["values"][0]
    {'time': 2024.0, 'q05': 12.0, 'q25': 12.0, 'q50': 12.0, 'q75': 12.0, 'q95': 12.0}
    """
    history = [{"time": float(t), "value": float(v)} for t, v in forecast["history"]]
    names = ("q05", "q25", "q50", "q75", "q95")
    fan = [
        {"time": float(t), **{n: float(forecast["quantiles"][n][i]) for n in names}}
        for i, t in enumerate(forecast["times"])
    ]
    if history:
        last = history[-1]
        fan.insert(0, {"time": last["time"], **dict.fromkeys(names, last["value"])})
    x = {"field": "time", "type": "quantitative", "title": "year", "axis": {"format": "d"}}
    y_title = unit or "value"
    return {
        "$schema": SCHEMA,
        "title": {
            "text": title,
            "subtitle": f"P(meeting the target) = {float(forecast['probability']):.2f}",
        },
        "layer": [
            {
                "data": {"values": fan},
                "mark": {"type": "area", "opacity": 0.18, "color": "#2b6cb0"},
                "encoding": {
                    "x": x,
                    "y": {"field": "q05", "type": "quantitative", "title": y_title},
                    "y2": {"field": "q95"},
                },
            },
            {
                "data": {"values": fan},
                "mark": {"type": "area", "opacity": 0.3, "color": "#2b6cb0"},
                "encoding": {
                    "x": x,
                    "y": {"field": "q25", "type": "quantitative"},
                    "y2": {"field": "q75"},
                },
            },
            {
                "data": {"values": fan},
                "mark": {"type": "line", "strokeDash": [4, 3], "color": "#2b6cb0"},
                "encoding": {
                    "x": x,
                    "y": {"field": "q50", "type": "quantitative"},
                    "tooltip": [
                        {"field": "time", "title": "year", "format": "d"},
                        {"field": "q05", "title": "5%", "format": ".3g"},
                        {"field": "q50", "title": "median", "format": ".3g"},
                        {"field": "q95", "title": "95%", "format": ".3g"},
                    ],
                },
            },
            {
                "data": {"values": history},
                "mark": {"type": "line", "point": True, "color": "#1a202c"},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative"},
                    "tooltip": [
                        {"field": "time", "title": "year", "format": ".1f"},
                        {"field": "value", "format": ".3g"},
                    ],
                },
            },
            {
                "data": {"values": [{"target": float(forecast["target"])}]},
                "mark": {"type": "rule", "color": "#c53030", "strokeWidth": 2},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            },
        ],
        "width": 520,
        "height": 260,
    }


def sparkline_chart(history: Sequence[Mapping[str, Any]], target: float | None) -> dict[str, Any]:
    """A small line of a KPI's observations (and its target as a rule), for a table cell.

    Examples
    --------
    >>> spec = sparkline_chart([{"date": "2020-12-31", "value": 5.0}], 9.0)
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['line', 'rule']
    """
    values = [{"date": str(h["date"]), "value": float(h["value"])} for h in history]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True, "color": "#2b6cb0"},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "axis": None},
                "y": {"field": "value", "type": "quantitative", "axis": None},
            },
        }
    ]
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"target": float(target)}]},
                "mark": {"type": "rule", "color": "#c53030", "strokeDash": [2, 2]},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    return {
        "$schema": SCHEMA,
        "layer": layers,
        "width": 120,
        "height": 28,
        "padding": 2,
        "config": {"view": {"stroke": None}},
    }
