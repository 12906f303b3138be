"""The Delphi and survey chart specs: figures carried over exactly, and they render."""

from __future__ import annotations

from bioconnect.charts.delphi import choice_chart, delphi_chart, likert_chart, ranking_chart
from bioconnect.charts.specs import render


def test_delphi_chart_keeps_each_item_and_round() -> None:
    rows = [
        {"item": 1, "round": 1, "median": 8, "q1": 7, "q3": 8, "consensus": True},
        {"item": 2, "round": 1, "median": 5, "q1": 1, "q3": 9, "consensus": False},
    ]
    spec = delphi_chart(rows, "Goals")
    values = spec["data"]["values"]
    assert [(v["median"], v["q1"], v["q3"], v["status"]) for v in values] == [
        (8.0, 7.0, 8.0, "consensus"),
        (5.0, 1.0, 9.0, "no consensus"),
    ]
    assert render(spec, "svg").startswith(b"<svg")


def test_survey_charts_render() -> None:
    for spec in (
        choice_chart({"EE": 3, "LV": 4}, "Country"),
        ranking_chart({"a": 14.0, "b": 10.0, "c": 9.0}, "Priorities"),
        likert_chart([0, 1, 1, 2, 2], "Helps"),
    ):
        assert render(spec, "svg").startswith(b"<svg")
    assert [v["answers"] for v in likert_chart([0, 1, 1, 2, 2], "x")["data"]["values"]] == [
        0,
        1,
        1,
        2,
        2,
    ]
