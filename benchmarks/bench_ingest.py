"""Benchmark the Baltic ingest against a plain DuckDB read of the same files.

The preset reads every CORDIS file under the data folder. This script times, in one
process and one run:

* the baseline: DuckDB reading every file the preset reads fully into memory
  (all columns as text, the same CSV options the store's reader uses);
* ``bioconnect.services.ingest.ingest`` into a fresh SQLite file, with its stages;
* the same ingest into a fresh PostgreSQL database (created and dropped here).

Each figure is the median of ``--runs`` runs; ratios are ingest / baseline.

Usage::

    uv run python benchmarks/bench_ingest.py
    uv run python benchmarks/bench_ingest.py --runs 1 --skip-postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import platform
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlalchemy import create_engine, text

from bioconnect.model.mapping import load_mapping
from bioconnect.model.preset import Preset, load_preset
from bioconnect.services.ingest import ingest
from bioconnect.sources.cordis import TABLES
from bioconnect.sources.tables import sniff_delimiter
from bioconnect.store.database import open_store

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PRESET = "baltic"
GOAL_SECONDS = 60.0
COMMAND = "uv run python benchmarks/bench_ingest.py"


# --- what the preset reads ------------------------------------------------------------


@dataclass(frozen=True)
class CsvFile:
    path: Path
    delimiter: str


def _header(path: Path) -> str:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        return fh.readline().decode("utf-8", errors="replace").lstrip("\ufeff")


def preset_files(preset: Preset, data_dir: Path) -> list[CsvFile]:
    """Every file the preset's sources read, with its separator."""
    files: list[CsvFile] = []
    for source in preset.sources:
        path = data_dir / source.path
        if source.kind == "cordis":
            for table in TABLES:
                for ext in (".csv", ".csv.gz"):
                    candidate = path / f"{table}{ext}"
                    if candidate.is_file():
                        files.append(CsvFile(candidate, sniff_delimiter(_header(candidate))))
                        break
        else:
            mapping = load_mapping(preset.mapping_path(source))
            delimiter = mapping.delimiter or sniff_delimiter(_header(path))
            files.append(CsvFile(path, delimiter))
    return files


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb_read(files: list[CsvFile], *, to_pandas: bool = False) -> int:
    """Read every file fully into memory as text columns; returns the rows read."""
    rows = 0
    con = duckdb.connect()
    try:
        for item in files:
            query = (
                f"SELECT * FROM read_csv({_sql_literal(str(item.path))}, "
                f"delim={_sql_literal(item.delimiter)}, header=true, all_varchar=true, "
                "quote='\"', escape='\"')"
            )
            result = con.sql(query)
            table = result.df() if to_pandas else result.to_arrow_table()
            rows += len(table)
    finally:
        con.close()
    return rows


# --- timing ---------------------------------------------------------------------------


class StageClock:
    """A progress receiver that records when each ingest stage starts (wall and CPU)."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float]] = []

    def mark(self, description: str) -> None:
        self.marks.append((description, time.perf_counter(), time.process_time()))

    def start(self, total: int, description: str) -> None:
        self.mark("setup (preset, stored decisions)")

    def step(self, description: str) -> None:
        self.mark(description)

    def stages(self) -> dict[str, tuple[float, float]]:
        """Wall and CPU seconds of each stage; the first mark is the start of the call."""
        return {
            name: (wall_end - wall, cpu_end - cpu)
            for (name, wall, cpu), (_, wall_end, cpu_end) in zip(
                self.marks, self.marks[1:], strict=False
            )
        }


@dataclass
class Measure:
    label: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    stages: list[dict[str, tuple[float, float]]] = field(default_factory=list)
    rows: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def _timed(measure: Measure, run: Callable[[], None]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    measure.wall.append(time.perf_counter() - wall)
    measure.cpu.append(time.process_time() - cpu)


def bench_baseline(files: list[CsvFile], runs: int, *, to_pandas: bool) -> Measure:
    label = "DuckDB read → pandas" if to_pandas else "DuckDB read → Arrow (baseline)"
    measure = Measure(label)
    for _ in range(runs):

        def run() -> None:
            measure.rows = duckdb_read(files, to_pandas=to_pandas)

        _timed(measure, run)
    return measure


def _ingest_once(url: str, data_dir: Path, measure: Measure) -> None:
    engine = open_store(url)  # schema creation is not part of the ingest
    try:
        clock = StageClock()

        def run() -> None:
            clock.mark("setup (preset, stored decisions)")
            report = ingest(engine, PRESET, data_dir, progress=clock)
            clock.mark("end")
            measure.rows = sum(report.counts.values())

        _timed(measure, run)
        # the setup stage runs from the call to the first progress step
        first, *rest = clock.marks
        clock.marks = [first, *rest[1:]]
        measure.stages.append(clock.stages())
    finally:
        engine.dispose()


def bench_sqlite(data_dir: Path, runs: int) -> Measure:
    measure = Measure("bioconnect ingest → SQLite")
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            _ingest_once(f"sqlite:///{tmp}/store.sqlite", data_dir, measure)
    return measure


def bench_postgres(data_dir: Path, runs: int) -> Measure:
    measure = Measure("bioconnect ingest → PostgreSQL")
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("+psycopg", "")
    try:
        for _ in range(runs):
            name = f"bioconnect_bench_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                _ingest_once(f"{base}/{name}", data_dir, measure)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
    return measure


def postgres_version() -> str:
    admin = create_engine(POSTGRES_ADMIN)
    try:
        with admin.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        admin.dispose()


# --- report ---------------------------------------------------------------------------


def _stage_name(name: str) -> str:
    return "reading the files" if name.startswith("reading ") else name


def stage_table(measure: Measure) -> list[str]:
    """Median wall and CPU seconds per stage (the reading steps summed), with shares."""
    grouped: list[dict[str, tuple[float, float]]] = []
    for run in measure.stages:
        totals: dict[str, tuple[float, float]] = {}
        for name, (wall, cpu) in run.items():
            key = _stage_name(name)
            before = totals.get(key, (0.0, 0.0))
            totals[key] = (before[0] + wall, before[1] + cpu)
        grouped.append(totals)
    names = list(grouped[0])
    wall = {n: statistics.median(g[n][0] for g in grouped) for n in names}
    cpu = {n: statistics.median(g[n][1] for g in grouped) for n in names}
    total = sum(wall.values())
    lines = ["| Stage | Median wall s | Share | Median CPU s |", "|---|---:|---:|---:|"]
    lines += [f"| {n} | {wall[n]:.2f} | {wall[n] / total:.0%} | {cpu[n]:.2f} |" for n in names]
    readers = {
        n: statistics.median(r[n][0] for r in measure.stages)
        for n in measure.stages[0]
        if n.startswith("reading ")
    }
    lines.append("")
    lines.append(
        "Reading, by source (median wall s): "
        + ", ".join(f"{n.removeprefix('reading ')} {s:.2f}" for n, s in readers.items())
        + "."
    )
    return lines


def result_table(baseline: Measure, measures: list[Measure]) -> list[str]:
    lines = [
        "| Measurement | Runs | Median wall s | Range s | Median CPU s | × baseline | Under 60 s |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in measures:
        is_ingest = m.label.startswith("bioconnect")
        goal = ("yes" if m.median < GOAL_SECONDS else "**no**") if is_ingest else ""
        lines.append(
            f"| {m.label} | {len(m.wall)} | {m.median:.2f} | {min(m.wall):.1f}–{max(m.wall):.1f} "
            f"| {m.cpu_median:.2f} "
            f"| {m.median / baseline.median:.1f} | {goal} |"
        )
    return lines


def revision() -> str:
    """The commit measured, marked when the working tree has uncommitted changes."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "src"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head} (uncommitted changes in src/)" if dirty else head


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"SQLite {sqlite3.sqlite_version}; load average at start {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--postgres-runs", type=int, default=None, help="runs for PostgreSQL (default: --runs)"
    )
    parser.add_argument("--skip-postgres", action="store_true", help="time SQLite only")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="the shared data folder")
    args = parser.parse_args()

    data_dir = args.data_dir.resolve()
    preset = load_preset(PRESET)
    files = preset_files(preset, data_dir)
    size_mb = sum(f.path.stat().st_size for f in files) / 1e6
    info = machine()
    measured = revision()
    pg = None if args.skip_postgres else postgres_version()
    print(f"{len(files)} files, {size_mb:.1f} MB on disk; {info}", flush=True)

    # warm the page cache and the imports once, untimed
    duckdb_read(files)

    baseline = bench_baseline(files, args.runs, to_pandas=False)
    print(f"baseline: {baseline.wall}", flush=True)
    as_pandas = bench_baseline(files, args.runs, to_pandas=True)
    print(f"baseline to pandas: {as_pandas.wall}", flush=True)
    sqlite = bench_sqlite(data_dir, args.runs)
    print(f"sqlite: {sqlite.wall}", flush=True)
    measures = [baseline, as_pandas, sqlite]
    if pg is not None:
        postgres = bench_postgres(data_dir, args.postgres_runs or args.runs)
        print(f"postgresql: {postgres.wall}", flush=True)
        measures.append(postgres)

    print()
    print(
        f"Command: `{COMMAND}`; {dt.date.today().isoformat()}; revision {measured}; {info}"
        + (f"; PostgreSQL {pg}" if pg else "")
        + "."
    )
    print(
        f"Input: {len(files)} files, {size_mb:.1f} MB, {baseline.rows:,} rows; "
        f"the ingest writes {sqlite.rows:,} rows."
    )
    print()
    print("\n".join(result_table(baseline, measures)))
    print()
    print("SQLite ingest by stage:")
    print()
    print("\n".join(stage_table(sqlite)))
    if pg is not None:
        print()
        print("PostgreSQL ingest by stage:")
        print()
        print("\n".join(stage_table(measures[-1])))


if __name__ == "__main__":
    main()
