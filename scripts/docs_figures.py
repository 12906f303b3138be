"""Draw the figures in docs/img from an ingested store.

uv run bioconnect ingest
uv run python scripts/docs_figures.py
"""

from __future__ import annotations

from pathlib import Path

from bioconnect.charts import atlas_chart, cross_border_chart, render
from bioconnect.services.atlas import atlas_summary
from bioconnect.services.network import NetworkQuery, network_timeline
from bioconnect.services.store import connect

OUT = Path(__file__).resolve().parents[1] / "docs" / "img"


def main() -> None:
    engine = connect()
    OUT.mkdir(parents=True, exist_ok=True)
    summary = atlas_summary(engine, "baltic")
    (OUT / "atlas-groups.png").write_bytes(render(atlas_chart(summary, "H2020"), "png"))
    timeline = network_timeline(
        engine,
        NetworkQuery(preset="baltic", programmes=("H2020",)),
        first_year=2014,
        last_year=2020,
    )
    spec = cross_border_chart(
        timeline["country_links"], "Ties between Baltic and Finnish organisations, H2020"
    )
    (OUT / "cross-border-ties.png").write_bytes(render(spec, "png"))
    print(f"wrote {OUT}/atlas-groups.png and cross-border-ties.png")


if __name__ == "__main__":
    main()
