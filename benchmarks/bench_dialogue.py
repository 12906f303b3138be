"""Benchmark opinion groups and consensus on vtaiwan.uberx against bare scikit-learn.

Ours: :func:`bioconnect.dialogue.opinion_groups` (matrix, PCA, projection, 100 base
clusters, group clusters for k = 2..5 from 10 starts, silhouettes), then representative
statements, overall and group-informed consensus, from the vote log. Baseline, in the same
process: the same steps done bare with numpy and scikit-learn (pivot of the final votes,
column-mean imputation, ``PCA(2)``, the sparsity scaling, ``KMeans(100)`` once, weighted
``KMeans(k)`` and ``silhouette_score`` for k = 2..5, and the agree/disagree counts per group).
Each figure is the median of ``--repeat`` runs.

Run from the project root:

    uv run --all-extras python benchmarks/bench_dialogue.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bioconnect.dialogue import (
    consensus_statements,
    group_informed_consensus,
    opinion_groups,
    representative_statements,
    vote_matrix,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "polis" / "vtaiwan.uberx"


def ours(votes: pd.DataFrame, out: list[int]) -> int:
    m = vote_matrix(votes["voter-id"], votes["comment-id"], votes["vote"])
    g = opinion_groups(m, moderated_out=out)
    representative_statements(g.rating, g.group, m.statements, moderated_out=out)
    consensus_statements(g.rating, m.statements, moderated_out=out)
    group_informed_consensus(m.values, g.group)
    return g.n_groups


def bare(votes: pd.DataFrame, out: list[int]) -> int:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    final = votes.drop_duplicates(["voter-id", "comment-id"], keep="last")
    x = final.pivot(index="voter-id", columns="comment-id", values="vote").astype(float)
    x.loc[:, x.columns.isin(out)] = 0.0
    values = x.to_numpy()
    voted = ~np.isnan(values)
    imputed = np.where(voted, values, np.nanmean(values, axis=0))
    pca = PCA(2).fit(imputed)
    proj = np.where(voted, values - pca.mean_, 0.0) @ pca.components_.T
    proj *= np.sqrt(values.shape[1] / np.maximum(voted.sum(axis=1), 1))[:, None]
    inside = voted.sum(axis=1) >= 7
    base = KMeans(100, n_init=1, random_state=0).fit(proj[inside])
    weights = np.bincount(base.labels_, minlength=100)
    best = max(
        range(2, 6),
        key=lambda k: silhouette_score(
            base.cluster_centers_,
            KMeans(k, n_init=1, random_state=0)
            .fit(base.cluster_centers_, sample_weight=weights)
            .labels_,
        ),
    )
    labels = (
        KMeans(best, n_init=1, random_state=0)
        .fit(base.cluster_centers_, sample_weight=weights)
        .labels_
    )
    group = labels[base.labels_]
    for k in range(best):
        members = values[inside][group == k]
        (members == 1).sum(axis=0), (members == -1).sum(axis=0), (~np.isnan(members)).sum(axis=0)
    return best


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, float, float, int]:
    times = []
    result = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    votes = pd.read_csv(DATA / "votes.csv").sort_values("timestamp", kind="stable")
    comments = pd.read_csv(DATA / "comments.csv")
    out = comments.loc[comments["moderated"] == -1, "comment-id"].tolist()
    bare(votes, out)  # warm the imports
    base = timed(lambda: bare(votes, out), args.repeat)
    mine = timed(lambda: ours(votes, out), args.repeat)
    print(
        f"machine: nproc {os.cpu_count()}, {platform.machine()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    print("| Measurement | Runs | Median s | Range s | × baseline | Groups |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (med, lo, hi, k) in (
        ("numpy + scikit-learn, bare (baseline)", base),
        ("bioconnect.dialogue", mine),
    ):
        print(
            f"| {label} | {args.repeat} | {med:.2f} | {lo:.2f}–{hi:.2f} | {med / base[0]:.1f} | {k} |"
        )


if __name__ == "__main__":
    main()
