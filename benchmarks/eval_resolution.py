"""How well does the matcher place organisations that come without a PIC?

Run:

    uv run python benchmarks/eval_resolution.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bioconnect.registry.evaluate import evaluate
from bioconnect.registry.resolve import Thresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    defaults = Thresholds()
    started = time.perf_counter()
    table = evaluate(args.data_dir, [0.5, defaults.review, 0.9, 0.95, defaults.auto_merge, 0.999])
    print(table.to_markdown(index=False))
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
