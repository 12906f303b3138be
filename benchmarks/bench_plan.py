"""Benchmark lint and Monte Carlo ranking on a 500-initiative plan.

The plan is the example plan (examples/baltic-action-plan.example.yaml) replicated and
perturbed with a seeded generator: ids renumbered, scores, budgets and dates jittered, and
dependencies pointing at earlier copies. Each step reports the median of ``--repeat`` runs.

Run from the project root:

    uv run python benchmarks/bench_plan.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bioconnect.plan import (
    Plan,
    lint,
    load_plan_config,
    portfolio_balance,
    rank_stability,
    read_yaml,
    score_initiatives,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "baltic-action-plan.example.yaml"


def big_plan(base: Plan, n: int, seed: int) -> Plan:
    """``n`` initiatives made from the example's, perturbed; KPIs link to the copies."""
    rng = np.random.default_rng(seed)
    initiatives = []
    mapping: dict[str, list[str]] = {}
    for k in range(n):
        src = base.initiatives[k % len(base.initiatives)]
        new_id = f"{src.id}-{k // len(base.initiatives):03d}"
        shift = dt.timedelta(days=int(rng.integers(-180, 180)))
        earlier = [initiatives[j].id for j in rng.integers(0, k, size=min(k, 2))] if k else []
        item = src.model_copy(
            update={
                "id": new_id,
                "start": src.start + shift if src.start else None,
                "end": src.end + shift if src.end else None,
                "milestones": [
                    m.model_copy(update={"date": m.date + shift}) for m in src.milestones
                ],
                "budget": float(round((src.budget or 0) * rng.uniform(0.5, 1.5))),
                "depends_on": sorted(set(earlier)),
                "scores": {
                    c: int(np.clip(v + rng.integers(-1, 2), 1, 5)) for c, v in src.scores.items()
                },
            }
        )
        initiatives.append(item)
        mapping.setdefault(src.id, []).append(new_id)
    kpis = [
        k.model_copy(update={"initiatives": [c for i in k.initiatives for c in mapping.get(i, [])]})
        for k in base.kpis
    ]
    return base.model_copy(update={"initiatives": initiatives, "kpis": kpis, "action_items": []})


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=500)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    config = load_plan_config("baltic")
    plan = big_plan(read_yaml(EXAMPLE, config), args.initiatives, args.seed)
    findings = lint(plan, config)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(
        f"plan: {len(plan.initiatives)} initiatives, {len(plan.kpis)} KPIs; "
        f"lint finds {len(findings)} findings"
    )
    steps: list[tuple[str, Callable[[], object]]] = [
        ("lint (all rules)", lambda: lint(plan, config)),
        ("weighted-sum ranks", lambda: score_initiatives(plan, config)),
        (
            f"rank_stability ({args.samples} Monte Carlo samples)",
            lambda: rank_stability(plan, config, samples=args.samples, seed=args.seed),
        ),
        ("portfolio balance", lambda: portfolio_balance(plan, config)),
    ]
    print(f"median of {args.repeat} runs:")
    for name, fn in steps:
        seconds = median_time(fn, args.repeat)
        flag = "" if seconds < 1.0 else "  (over the 1 s target)"
        print(f"  {name:<45} {seconds * 1000:8.1f} ms{flag}")


if __name__ == "__main__":
    main()
