"""Benchmark the outcomes functions against lifelines and bare numpy in the same run.

* Kaplan–Meier and the log-rank test on 500,000 entities (the size of a national
  register), against lifelines' ``KaplanMeierFitter`` and ``multivariate_logrank_test``
  on the same arrays. The entities are lifelines' ``load_waltons()`` rows (real, published)
  resampled with replacement to 500,000, with a small jitter on the durations so that the
  timeline has many distinct times, as a register's day-level dates do.
* A 10,000-path count forecast (Poisson trend, six future years), against a bare numpy
  draw of the same number of Poisson variates.

Each figure is the median of ``--runs`` runs.

Usage::

    uv run python benchmarks/bench_outcomes.py
    uv run python benchmarks/bench_outcomes.py --runs 3 --size 500000
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np


def _median_seconds(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.datasets import load_waltons
    from lifelines.statistics import multivariate_logrank_test

    from bioconnect.outcomes import forecast_counts, kaplan_meier, logrank_test

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=500_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    walt = load_waltons()
    pick = rng.integers(0, len(walt), args.size)
    t = walt["T"].to_numpy()[pick] + rng.integers(0, 365, args.size) / 365.0
    e = walt["E"].to_numpy()[pick].astype(bool)
    g = walt["group"].to_numpy()[pick]

    rows = [
        (
            "Kaplan–Meier",
            lambda: kaplan_meier(t, e),
            lambda: KaplanMeierFitter().fit(t, e),
            "lifelines KaplanMeierFitter",
        ),
        (
            "log-rank, 2 groups",
            lambda: logrank_test(t, e, g),
            lambda: multivariate_logrank_test(t, g, e),
            "lifelines multivariate_logrank_test",
        ),
    ]
    years, counts = [2019, 2020, 2021, 2022, 2023, 2024], [9, 14, 12, 16, 18, 17]
    rows.append(
        (
            "forecast, 10,000 paths × 5 years",
            lambda: forecast_counts(
                years, counts, target_year=2029, target=25, n_paths=10_000, seed=1
            ),
            lambda: np.random.default_rng(1).poisson(20.0, size=(10_000, 5)),
            "numpy Poisson draws of the same size",
        )
    )
    print(
        f"{args.size:,} entities, {np.unique(t).size:,} distinct times; median of {args.runs} runs"
    )
    print("| step | ours (s) | reference (s) | reference | ours / reference |")
    print("|---|---:|---:|---|---:|")
    for name, ours, ref, label in rows:
        a, b = _median_seconds(ours, args.runs), _median_seconds(ref, args.runs)
        print(f"| {name} | {a:.3f} | {b:.3f} | {label} | {a / b:.2f} |")


if __name__ == "__main__":
    main()
