"""Benchmark the status report: time per section, against rendering its charts alone.

A fresh SQLite store is made from ../shared/data (the Baltic ingest, the EIS 2025, the
example plan and one Pol.is conversation); then the full status report is built as PDF
twice in one process: cold (the benchmark's resampling and the network measures are
computed and cached) and warm (a new edition of unchanged data). Each section's time is
set against vl-convert rendering the same Vega-Lite specs alone, in the same process: the
ratio says how much of a section is gathering data rather than drawing.

Usage::

    uv run python benchmarks/bench_reports.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import vl_convert as vlc

import bioconnect.services.reports.figures as figures
from bioconnect.charts.specs import VEGA_LITE
from bioconnect.reports.pdf import html_to_pdf
from bioconnect.reports.render import render_html
from bioconnect.services.benchmark import import_edition
from bioconnect.services.dialogue.consultations import import_polis
from bioconnect.services.ingest import ingest
from bioconnect.services.plan import import_plan
from bioconnect.services.reports import build_document
from bioconnect.store.database import open_store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


class Clock:
    """A Progress that times each stage and keeps the specs drawn in it."""

    def __init__(self) -> None:
        self.stage = "start"
        self.started = time.perf_counter()
        self.times: dict[str, float] = {}
        self.specs: dict[str, list[dict[str, Any]]] = {}

    def start(self, total: int, description: str) -> None:
        self.started = time.perf_counter()

    def step(self, description: str) -> None:
        now = time.perf_counter()
        self.times[self.stage] = self.times.get(self.stage, 0.0) + now - self.started
        self.stage, self.started = description, now

    def finish(self) -> None:
        self.step("end")


def _store(folder: Path) -> Any:
    engine = open_store(f"sqlite:///{folder / 'bench.sqlite'}")
    ingest(engine, "baltic", DATA)
    import_edition(engine, DATA / "eis" / "2025" / "EIS_web_download.xlsx")
    import_plan(engine, ROOT / "examples" / "baltic-action-plan.example.yaml", actor="bench")
    import_polis(engine, DATA / "polis" / "brexit-consensus", name="brexit", actor="bench")
    return engine


def _run(engine: Any, label: str) -> None:
    clock = Clock()
    original = figures.render

    def recording(spec: dict[str, Any], fmt: Any = "svg", scale: float = 2.0) -> bytes:
        clock.specs.setdefault(clock.stage, []).append(spec)
        return original(spec, fmt, scale)

    figures.render = recording  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        document = build_document(engine, "status", progress=clock)
        clock.step("rendering the HTML")
        html = render_html(document)
        clock.step("writing the PDF")
        pdf = html_to_pdf(html, document.created)
        clock.finish()
        total = time.perf_counter() - t0
    finally:
        figures.render = original  # type: ignore[assignment]
    print(f"\n{label}: status report PDF in {total:.1f} s ({len(pdf):,} bytes)")
    print(f"{'section':<22}{'seconds':>9}{'charts':>8}{'charts alone':>14}{'ratio':>8}")
    for stage, seconds in clock.times.items():
        if stage == "start":
            continue
        specs = clock.specs.get(stage, [])
        t = time.perf_counter()
        for spec in specs:
            vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE)
        alone = time.perf_counter() - t
        ratio = f"{seconds / alone:8.1f}" if specs else "       –"
        print(f"{stage:<22}{seconds:9.2f}{len(specs):8d}{alone:14.2f}{ratio}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        engine = _store(Path(folder))
        print(f"store made in {time.perf_counter() - t:.1f} s")
        _run(engine, "cold (first report of this data)")
        _run(engine, "warm (a new edition of unchanged data)")
        engine.dispose()


if __name__ == "__main__":
    main()
