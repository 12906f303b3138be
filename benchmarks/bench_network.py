"""Benchmark the network library on the whole EU H2020 collaboration network.

Each step runs our function and the bare library call on the same data in the same process
and reports the best of ``--repeat`` runs and the ratio ours / bare. The bare baseline is the
fastest of the libraries tried for the same computation (scipy for the projection; igraph,
networkit or rustworkx for the measures); libraries that compute something else under a
similar name are listed for information only.

Run from the project root:

    uv run python benchmarks/bench_network.py
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import igraph
import networkit as nk
import numpy as np
import pandas as pd
import rustworkx as rx
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "network"))
import h2020_frames

from bioconnect.network import (
    betweenness,
    build_network,
    coreness,
    degree_strength,
    leiden_communities,
    pagerank,
    sample_size_for_epsilon,
)

EPSILON, DELTA = 0.25, 0.1


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_projection(p: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    orgs, _ = pd.factorize(p["org_id"], sort=True)
    projects, _ = pd.factorize(p["project_id"])
    b = sp.csr_matrix((np.ones(len(p)), (orgs, projects)))
    upper = sp.triu(b @ b.T, k=1).tocoo()
    return upper.row, upper.col, upper.data


def bare_projection_with_attributes(
    p: pd.DataFrame, o: pd.DataFrame, d: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """The same work as ``build_network(p, o, d)`` written with the libraries directly.

    The projection as in :func:`bare_projection`, the organisation table joined onto the
    node ids with a pandas merge, per-node project counts and funding sums, and the
    domain profile as a sparse product with its main domain.
    """
    orgs, org_ids = pd.factorize(p["org_id"], sort=True)
    projects, project_ids = pd.factorize(p["project_id"])
    b = sp.csr_matrix((np.ones(len(p)), (orgs, projects)))
    upper = sp.triu(b @ b.T, k=1).tocoo()
    nodes = pd.DataFrame({"org_id": org_ids}).merge(
        o.drop_duplicates("org_id"), on="org_id", how="left"
    )
    nodes["n_projects"] = np.bincount(orgs, minlength=len(org_ids))
    nodes["ec_contribution"] = np.bincount(
        orgs, weights=p["ec_contribution"].fillna(0).to_numpy(), minlength=len(org_ids)
    )
    tag_project = pd.Index(project_ids).get_indexer(d["project_id"])
    tags, names = pd.factorize(d["domain"], sort=True)
    hit = tag_project >= 0
    domains = sp.csr_matrix(
        (np.ones(int(hit.sum())), (tag_project[hit], tags[hit])),
        shape=(len(project_ids), len(names)),
    )
    profile = np.asarray((b @ domains).todense())
    nodes["domain"] = np.asarray(names, dtype=object)[profile.argmax(axis=1)]
    return upper.row, upper.col, upper.data, nodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frames = h2020_frames.load()
    p, o, d = frames.participations, frames.organisations, frames.project_domains
    nk.setNumberOfThreads(1)  # compare single-threaded code paths

    rows: list[dict[str, object]] = []
    ours_total = 0.0

    def record(
        step: str, ours: float, bare: dict[str, float], note: str = "", count: bool = True
    ) -> None:
        nonlocal ours_total
        ours_total += ours if count else 0.0
        name, fastest = min(bare.items(), key=lambda kv: kv[1])
        others = ", ".join(f"{k} {v:.3f} s" for k, v in bare.items() if k != name)
        rows.append(
            {
                "step": step,
                "ours (s)": f"{ours:.3f}",
                "bare (s)": f"{fastest:.3f}",
                "bare call": name,
                "ratio": f"{ours / fastest:.2f}",
                "also measured": (others + ("; " if others and note else "") + note) or "",
            }
        )

    net = build_network(p, o, d)
    t_ours = best(lambda: build_network(p, o, d), args.repeat)
    t_bare = best(lambda: bare_projection(p), args.repeat)
    record(
        "projection, ids only (no organisation table, no domains)",
        best(lambda: build_network(p), args.repeat),
        {"scipy B @ B.T": t_bare},
        "ours adds per-node counts, funding sums and a canonical edge order",
        count=False,
    )
    record(
        f"projection with attributes ({net.n_nodes:,} orgs, {net.n_edges:,} edges)",
        t_ours,
        {
            "scipy B @ B.T + pandas merge + B @ D": best(
                lambda: bare_projection_with_attributes(p, o, d), args.repeat
            )
        },
        f"bare B @ B.T alone {t_bare:.3f} s; ours adds filters and a canonical edge order",
    )

    def to_graph() -> igraph.Graph:
        net.__dict__.pop("graph", None)
        return net.graph

    def bare_graph() -> igraph.Graph:
        edges = list(zip(net.source.tolist(), net.target.tolist(), strict=True))
        return igraph.Graph(n=net.n_nodes, edges=edges, edge_attrs={"weight": net.weight.tolist()})

    record(
        "to igraph.Graph",
        best(to_graph, args.repeat),
        {"igraph.Graph(n, edges, weights)": best(bare_graph, args.repeat)},
        "ours also sets 8 vertex attributes",
    )
    g = net.graph
    weights = net.weight.tolist()
    nkg = nk.graph.Graph(net.n_nodes, weighted=True)
    nkg.addEdges((net.weight, (net.source.astype(np.uint64), net.target.astype(np.uint64))))
    nk_hops = nk.graph.Graph(net.n_nodes, weighted=False)
    nk_hops.addEdges((net.source.astype(np.uint64), net.target.astype(np.uint64)))
    rxg = rx.PyGraph(multigraph=False)
    rxg.add_nodes_from(range(net.n_nodes))
    rxg.add_edges_from(list(zip(net.source.tolist(), net.target.tolist(), weights, strict=True)))

    record(
        "degree + strength",
        best(lambda: degree_strength(net), args.repeat),
        {
            "igraph degree+strength": best(
                lambda: (g.degree(), g.strength(weights=weights)), args.repeat
            ),
        },
    )

    def nk_pagerank() -> None:
        pr = nk.centrality.PageRank(nkg, damp=0.85, tol=1e-9)
        pr.run()

    record(
        "PageRank (weighted)",
        best(lambda: pagerank(net), args.repeat),
        {
            "igraph pagerank": best(lambda: g.pagerank(weights=weights), args.repeat),
            "networkit PageRank": best(nk_pagerank, args.repeat),
            "rustworkx pagerank": best(
                lambda: rx.pagerank(rxg.to_directed(), weight_fn=float, tol=1e-9), args.repeat
            ),
        },
    )

    def nk_core() -> None:
        cd = nk.centrality.CoreDecomposition(nkg)
        cd.run()

    record(
        "k-core",
        best(lambda: coreness(net), args.repeat),
        {
            "igraph coreness": best(g.coreness, args.repeat),
            "networkit CoreDecomposition": best(nk_core, args.repeat),
            "rustworkx core_number": best(lambda: rx.core_number(rxg), args.repeat),
        },
    )

    def ig_leiden() -> None:
        g.community_leiden(objective_function="modularity", weights=weights, n_iterations=2)

    def nk_leiden() -> None:
        nk.community.ParallelLeiden(nkg).run()

    found = leiden_communities(net)
    record(
        f"Leiden, modularity (Q = {found.modularity:.3f}, 2 iterations)",
        best(lambda: leiden_communities(net), args.repeat),
        {"igraph community_leiden": best(ig_leiden, args.repeat)},
        f"networkit ParallelLeiden {best(nk_leiden, args.repeat):.3f} s (another "
        "implementation, not seeded)",
    )

    k = sample_size_for_epsilon(net.n_nodes, EPSILON, DELTA)
    sources = np.sort(np.random.default_rng(0).choice(net.n_nodes, size=k, replace=False))

    def nk_estimate() -> None:
        nk.centrality.EstimateBetweenness(nk_hops, k, normalized=True, parallel=False).run()

    record(
        f"approx. betweenness (ε = {EPSILON}, δ = {DELTA}: {k} sources)",
        best(lambda: betweenness(net, epsilon=EPSILON, delta=DELTA), 1),
        {
            "igraph betweenness(sources)": best(
                lambda: g.betweenness(directed=False, sources=sources.tolist()), 1
            ),
            "networkit EstimateBetweenness": best(nk_estimate, 1),
        },
        "same estimator (sampled sources), path length in hops",
    )

    def suite() -> None:
        fresh = build_network(p, o, d)
        degree_strength(fresh)
        pagerank(fresh)
        coreness(fresh)
        leiden_communities(fresh)
        betweenness(fresh, epsilon=EPSILON, delta=DELTA)

    suite_time = best(suite, 1)
    table = pd.DataFrame(rows)
    print(
        f"Python {platform.python_version()}, igraph {igraph.__version__}, "
        f"networkit {nk.__version__}, rustworkx {rx.__version__}; best of {args.repeat}"
    )
    header = "| " + " | ".join(table.columns) + " |"
    print(header)
    print("|" + "---|" * len(table.columns))
    for record_row in table.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in record_row) + " |")
    print(f"\nSum of our steps (best run of each, full projection): {ours_total:.1f} s")
    print(f"Whole suite end to end, one pass from the frames: {suite_time:.1f} s")


if __name__ == "__main__":
    main()
