"""Chart specifications: their examples, their figures against the atlas, and rendering."""

from __future__ import annotations

from sqlalchemy import Engine

from bioconnect.charts import atlas_chart, cross_border_chart, render
from bioconnect.services.atlas import atlas_summary


def test_atlas_chart_adds_up_to_the_summary(baltic_store: Engine) -> None:
    summary = atlas_summary(baltic_store, "baltic", "all")
    spec = atlas_chart(summary, "H2020")
    totals: dict[str, int] = {}
    for value in spec["data"]["values"]:
        totals[value["country"]] = totals.get(value["country"], 0) + value["participations"]
    # h2020.csv.gz and the Horizon Dashboard export's 2021 projects (tests/services/test_atlas.py)
    assert totals == {"EE": 754, "LV": 445, "LT": 517, "FI": 2977}
    svg = render(spec, "svg").decode("utf-8")
    assert svg.startswith("<svg") and "stakeholder group" in svg
    png = render(
        cross_border_chart(
            [{"start_year": 2015, "country_a": "EE", "country_b": "LV", "edges": 14}], "t"
        ),
        "png",
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
