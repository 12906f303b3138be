"""Benchmark the composite-indicator engine against bare numpy/pandas runs of the same arithmetic.

Two workloads on COINr's ASEM example (../shared/data/coinr-asem), in one process:

* the pipeline of ``examples/coinr-asem/pipeline.yaml`` end to end (denominate, impute by
  group, screen, treat, normalise, aggregate) on the validated framework, against the same
  steps written directly in pandas/numpy (no validation, no step records);
* an uncertainty analysis of about 1,000 replications (``sensitivity_analysis``, Sobol
  design, rank intervals and indices), against a bare loop that, for every replication of
  the same design, aggregates the index from precomputed normalised matrices with numpy and
  ranks it. The engine caches the distinct combinations of choices; the bare loop does not.

Each figure is the median of ``--runs`` runs; ratios are engine / bare.

Usage::

    uv run python benchmarks/bench_indicators.py
    uv run python benchmarks/bench_indicators.py --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bioconnect.indicators import (
    Framework,
    parse_pipeline,
    run_pipeline,
    sensitivity_analysis,
    validate_framework,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "coinr-asem"
PIPELINE = ROOT / "examples" / "coinr-asem" / "pipeline.yaml"
REPLICATIONS = 1536  # the Sobol design's size nearest above 1,000 for four factors: 256 x 6


def _skew(x: np.ndarray) -> float:
    d = x - x.mean()
    n = x.size
    return float(np.sqrt(n) * (d**3).sum() / (d**2).sum() ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2))


def _kurt(x: np.ndarray) -> float:
    d = x - x.mean()
    n = x.size
    r = n * (d**4).sum() / (d**2).sum() ** 2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def _ok(x: np.ndarray) -> bool:
    return abs(_skew(x)) < 2 or _kurt(x) < 3.5


def _bare_treat(x: np.ndarray) -> np.ndarray:
    if _ok(x):
        return x
    y = x.copy()
    top = bottom = np.array([], dtype=int)
    while not _ok(y) and top.size + bottom.size < 5:
        if _skew(y) >= 0:
            top = np.flatnonzero(y == y.max())
            y[top] = np.delete(y, top).max()
        else:
            bottom = np.flatnonzero(y == y.min())
            y[bottom] = np.delete(y, bottom).min()
    if not _ok(y):
        y = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    return y


def bare_pipeline(data: pd.DataFrame, meta: pd.DataFrame) -> pd.Series:
    """The ASEM pipeline written directly in pandas/numpy."""
    ind = meta[meta["Type"] == "Indicator"]
    frame = data.set_index("uCode")
    x = frame[ind["iCode"].tolist()].astype(float)
    for code, denom in ind.dropna(subset=["Denominator"])[["iCode", "Denominator"]].values:
        x[code] = x[code] / frame[denom]
    x = x.fillna(x.groupby(frame["EurAsia_group"]).transform("mean"))
    x = x[x.notna().mean(axis=1) >= 0.9]
    treated = pd.DataFrame({c: _bare_treat(x[c].to_numpy()) for c in x}, index=x.index)
    signed = treated * ind.set_index("iCode")["Direction"]
    cur = (signed - signed.min()) / (signed.max() - signed.min()) * 100
    for level in (2, 3, 4):
        codes = meta.loc[meta["Level"] == level, "iCode"]
        cur = pd.DataFrame(
            {
                a: cur[
                    meta.loc[(meta["Parent"] == a) & (meta["Level"] == level - 1), "iCode"]
                ].mean(axis=1)
                for a in codes
            }
        )
    return cur["Index"]


def bare_replications(
    levels: np.ndarray,
    normalised: list[np.ndarray],
    groups: list[list[np.ndarray]],
    weights: list[list[np.ndarray]],
) -> np.ndarray:
    """Aggregate (mean or geometric mean, level by level) and rank every replication."""
    ranks = np.empty((len(levels), normalised[0].shape[0]))
    for i, (wi, ni, ai) in enumerate(levels):
        cols = normalised[ni]
        for children, w in zip(groups, weights[wi], strict=True):
            parts = []
            for kids in children:
                ww = w[kids] / w[kids].sum()
                parts.append(cols[:, kids] @ ww if ai == 0 else np.exp(np.log(cols[:, kids]) @ ww))
            cols = np.column_stack(parts)
        score = cols[:, 0]
        ranks[i] = np.searchsorted(np.sort(-score), -score, side="left") + 1
    return ranks


def _median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = pd.read_csv(DATA / "ASEM_iData.csv")
    meta = pd.read_csv(DATA / "ASEM_iMeta.csv")
    fw = validate_framework(data, meta)
    pipeline = parse_pipeline(yaml.safe_load(PIPELINE.read_text(encoding="utf-8")))

    engine_index = run_pipeline(fw, pipeline).scores["Index"]
    assert np.allclose(engine_index, bare_pipeline(data, meta).reindex(engine_index.index))
    t_engine = _median_time(lambda: run_pipeline(fw, pipeline), args.runs)
    t_bare = _median_time(lambda: bare_pipeline(data, meta), args.runs)
    print(
        f"pipeline   engine {t_engine * 1000:8.1f} ms   bare {t_bare * 1000:8.1f} ms   ratio {t_engine / t_bare:5.2f}"
    )

    sa = sensitivity_analysis(fw, pipeline, runs=REPLICATIONS, seed=1)
    # the bare loop's inputs: the engine's normalised matrices for each (treatment, normalisation)
    normalised = []
    for treat_args in (pipeline.step("treat").args, None):  # type: ignore[union-attr]
        for norm in ({"f_n": "n_minmax", "l_u": [1, 100]}, {"f_n": "n_zscore", "m_sd": [100, 10]}):
            steps = [s for s in pipeline.steps if s.name != "treat" or treat_args is not None]
            p = parse_pipeline(
                {
                    "steps": [{s.name: s.args} for s in steps if s.name != "normalise"]
                    + [{"normalise": norm}]
                }
            )
            normalised.append(run_pipeline(fw, p).normalised.to_numpy())
    groups = _level_groups(fw)
    rng = np.random.default_rng(0)
    sizes = [len(fw.codes_at(level - 1)) for level in range(2, fw.n_levels + 1)]
    weights = [[np.ones(n) for n in sizes]] + [
        [rng.uniform(0.75, 1.25, n) for n in sizes] for _ in range(15)
    ]
    lv = rng.integers(0, [16, 4, 2], size=(sa.n_runs, 3))
    t_sa = _median_time(
        lambda: sensitivity_analysis(fw, pipeline, runs=REPLICATIONS, seed=1), args.runs
    )
    t_sa_bare = _median_time(lambda: bare_replications(lv, normalised, groups, weights), args.runs)
    print(
        f"{sa.n_runs} reps  engine {t_sa:8.2f} s    bare {t_sa_bare:8.2f} s    ratio {t_sa / t_sa_bare:5.2f}"
    )


def _level_groups(fw: Framework) -> list[list[np.ndarray]]:
    groups = []
    for level in range(2, fw.n_levels + 1):
        below = fw.codes_at(level - 1)
        groups.append(
            [np.array([below.index(k) for k in fw.children(a)]) for a in fw.codes_at(level)]
        )
    return groups


if __name__ == "__main__":
    main()
