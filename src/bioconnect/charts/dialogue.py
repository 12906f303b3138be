"""Vega-Lite specifications for consultations: the opinion map and participation over time.

Each function takes plain data (what :mod:`bioconnect.services.dialogue` returns, dumped
to dicts) and returns a Vega-Lite specification for the results page and the docs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bioconnect.charts.specs import SCHEMA

__all__ = ["opinion_map_chart", "participation_chart"]

#: The label of participants Pol.is leaves out of the groups (too few votes).
NOT_GROUPED = "not grouped"


def opinion_map_chart(
    participants: Sequence[Mapping[str, Any]], title: str, subtitle: str = ""
) -> dict[str, Any]:
    """The opinion map: each participant at their 2-D projection, coloured by opinion group.

    Parameters
    ----------
    participants:
        Rows with ``participant``, ``group`` (``None`` when not clustered), ``x`` and ``y``
        (the ``participants`` of a :class:`~bioconnect.services.dialogue.GroupsResult`).
    title, subtitle:
        The chart's title and subtitle.

    Returns
    -------
    dict
        A Vega-Lite point chart; groups are labelled ``group 0``, ``group 1``, … as on the
        results page, and participants not clustered ``not grouped`` (drawn grey).

    Examples
    --------
    >>> spec = opinion_map_chart(
    ...     [{"participant": 4, "group": 0, "x": 0.5, "y": -1.0},
    ...      {"participant": 9, "group": None, "x": 0.0, "y": 0.0}], "Opinion map")
    >>> [v["group"] for v in spec["data"]["values"]]
    ['group 0', 'not grouped']
    >>> spec["mark"]["type"]
    'point'
    """
    values = [
        {
            "participant": int(p["participant"]),
            "group": NOT_GROUPED if p.get("group") is None else f"group {int(p['group'])}",
            "x": round(float(p["x"]), 5),
            "y": round(float(p["y"]), 5),
        }
        for p in participants
    ]
    groups = sorted({str(v["group"]) for v in values} - {NOT_GROUPED})
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    domain = [*groups, NOT_GROUPED]
    colours = [palette[i % len(palette)] for i in range(len(groups))] + ["#9a9a9a"]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "data": {"values": values},
        "mark": {"type": "point", "filled": True, "opacity": 0.75, "size": 40},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": "first component", "axis": None},
            "y": {"field": "y", "type": "quantitative", "title": "second component", "axis": None},
            "color": {
                "field": "group",
                "type": "nominal",
                "title": "opinion group",
                "scale": {"domain": domain, "range": colours},
            },
            "shape": {"field": "group", "type": "nominal", "scale": {"domain": domain}},
            "tooltip": [{"field": "participant"}, {"field": "group"}],
        },
        "width": 520,
        "height": 360,
    }


def participation_chart(
    rows: Sequence[Mapping[str, Any]], title: str, subtitle: str = ""
) -> dict[str, Any]:
    """Participants who voted per week, stacked by stakeholder group (or country).

    Parameters
    ----------
    rows:
        Rows with ``week`` (a Monday, ISO date), ``value`` (the stakeholder group or
        country) and ``participants`` (a
        :class:`~bioconnect.services.dialogue.ParticipationRow` dumped).
    title, subtitle:
        The chart's title and subtitle.

    Returns
    -------
    dict
        A Vega-Lite stacked bar chart, one bar per week.

    Examples
    --------
    >>> spec = participation_chart(
    ...     [{"week": "2018-02-12", "value": "academia", "participants": 3, "votes": 30}], "Who")
    >>> spec["data"]["values"]
    [{'week': '2018-02-12', 'value': 'academia', 'participants': 3, 'votes': 30}]
    """
    values = [
        {
            "week": str(r["week"]),
            "value": str(r["value"]),
            "participants": int(r["participants"]),
            "votes": int(r["votes"]),
        }
        for r in rows
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "week", "type": "ordinal", "title": "week starting"},
            "y": {"field": "participants", "type": "quantitative", "title": "participants voting"},
            "color": {"field": "value", "type": "nominal", "title": None},
            "tooltip": [
                {"field": "week"},
                {"field": "value"},
                {"field": "participants"},
                {"field": "votes"},
            ],
        },
        "width": 520,
        "height": 220,
    }
