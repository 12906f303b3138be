"""What it costs to hand out cached organisation details that readers cannot corrupt.

For the 50 busiest organisations of a store (most projects first) this script computes
``organisation_detail`` once (a miss: the store's queries), then times, per page:

* ``freeze``: making the answer read-only, done once per miss (:func:`cache.freeze`);
* ``hit, frozen``: a cache hit as served now, the same frozen object for every reader;
* ``hit, deepcopy`` and ``hit, pickle``: a hit that copies the answer for each reader
  instead (``copy.deepcopy``, or a pickle round-trip), the alternatives to freezing.

Each figure is the median of ``--repeat`` passes over the 50 pages, as milliseconds a
page and as a ratio to the miss, measured in the same process.

Usage::

    uv run python benchmarks/bench_cache.py --url sqlite:////tmp/store.sqlite
"""

from __future__ import annotations

import argparse
import copy
import pickle
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bioconnect.services import cache
from bioconnect.services.organisations import _organisation_detail, organisation_detail
from bioconnect.store import schema
from bioconnect.store.database import open_store

ORG = schema.table(schema.Organisation)


def _per_page(ids: list[str], step: Callable[[str], Any], repeat: int) -> float:
    """Median milliseconds a page of ``step`` over ``ids``."""
    passes = []
    for _ in range(repeat):
        started = time.perf_counter()
        for org_id in ids:
            step(org_id)
        passes.append((time.perf_counter() - started) / len(ids) * 1000)
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="An ingested store.")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    engine = open_store(args.url)
    with engine.connect() as conn:
        ids = list(
            conn.execute(select(ORG.c.id).order_by(ORG.c.n_projects.desc(), ORG.c.id).limit(50))
            .scalars()
            .all()
        )
    details = {i: _organisation_detail(engine, i, 20) for i in ids}
    frozen = {i: cache.freeze(d) for i, d in details.items()}
    for i in ids:
        organisation_detail(engine, i)  # warm the cache
    projects = statistics.mean(len(d["projects"]) for d in details.values())
    rows = [
        ("miss (queries)", _per_page(ids, lambda i: _organisation_detail(engine, i, 20), 1)),
        ("freeze (once a miss)", _per_page(ids, lambda i: cache.freeze(details[i]), args.repeat)),
        ("hit, frozen", _per_page(ids, lambda i: organisation_detail(engine, i), args.repeat)),
        ("hit, deepcopy", _per_page(ids, lambda i: copy.deepcopy(frozen[i]), args.repeat)),
        (
            "hit, pickle",
            _per_page(ids, lambda i: pickle.loads(pickle.dumps(details[i], -1)), args.repeat),
        ),
    ]
    print(f"{engine.dialect.name}: 50 busiest organisations, {projects:.0f} projects a page")
    miss = rows[0][1]
    for name, ms in rows:
        print(f"  {name:<22} {ms:9.3f} ms/page  {ms / miss:7.3f} x miss")


if __name__ == "__main__":
    main()
