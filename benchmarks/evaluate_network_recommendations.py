"""Temporal hold-out evaluation of the partner recommendations on the real Baltic region.

Trains on H2020 projects that started up to 2017, tests on ties first formed in projects
starting 2018–2020 between organisations already present in training, for the region
(the organisations of the baltic preset's countries and reference countries: EE, LV, LT,
FI) and for the region with its external partners.

Run from the project root:

    uv run python benchmarks/evaluate_network_recommendations.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "network"))
import h2020_frames

from bioconnect.model.preset import load_preset
from bioconnect.network import temporal_holdout

COUNTRIES = load_preset("baltic").all_countries


def main() -> None:
    frames = h2020_frames.load()
    for scope in ("region", "region_plus_partners"):
        start = time.perf_counter()
        result = temporal_holdout(
            frames.participations,
            frames.organisations,
            frames.project_domains,
            countries=COUNTRIES,
            scope=scope,
            programmes=("H2020",),
            train_end=2017,
            test_start=2018,
            test_end=2020,
            k=(10, 50, 100, 1000),
        )
        print(f"\n### scope = {scope} ({time.perf_counter() - start:.1f} s)\n")
        print(
            f"training network: {result.n_train_nodes:,} organisations, "
            f"{result.n_train_edges:,} ties; candidates (untied training pairs): "
            f"{result.n_candidates:,}; new ties 2018–2020 among them: {result.n_positives:,} "
            f"(test-years network: {result.n_test_edges:,} ties)\n"
        )
        print(result.to_markdown())


if __name__ == "__main__":
    main()
