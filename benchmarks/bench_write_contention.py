"""Plan saves on SQLite while a review decision or an ingest writes to the same store.

Issue 11, item 3: a review decision held SQLite's write lock for seconds while it rebuilt
the registry, and plan saves that waited past the 5 s busy timeout failed with 500
"database is locked". The acceptance: plan saves during a review decision and during an
ingest get no 5xx other than 503 with Retry-After.

This script

* makes a fresh SQLite Baltic store: ``bioconnect ingest``, then ``bioconnect import`` of a
  stakeholder list written from the Horizon Europe subset's Baltic participants (as
  ``tests/services/test_review.py`` does), so the store has candidate pairs to decide; or
  copies one made earlier (``--store``, written by ``--keep-store``);
* adds an editor with a write-scoped API token (sent as ``Authorization: Bearer``, so no
  CSRF token is needed) and the example action plan;
* serves the store with ``bioconnect serve`` in a subprocess;
* runs ``--clients`` save clients, each editing its own initiative in a loop: ``PUT
  /api/v1/plan/initiatives/ID`` with the version it last saw (a 409 makes it read the
  record again), ``--pause`` seconds apart, 1 s after any answer that is not 2xx or 409;
* in three scenarios: **quiet** (saves alone, the baseline), **review** (a reviewer posts
  ``--decisions`` decisions back to back on one pair, rejecting and accepting it in turn;
  each rebuilds the registry) and **ingest** (``bioconnect ingest`` runs on the store);
* polls SQLite's write lock from another connection every ``--probe-ms`` ms (``BEGIN
  IMMEDIATE`` with no busy timeout, then ``ROLLBACK``) and reports the longest time in a
  row it was held by someone else: how long a write had to wait at worst.

``--store`` must be a store made by ``--keep-store`` (or the same way): every ingest reads
the stakeholder list again, from where it was imported.

``--src DIR`` serves (and ingests with) another source tree (``PYTHONPATH=DIR``), to
measure an older revision against the same store: ``git archive REV src | tar -x -C DIR``
(the built browser libraries, which git does not hold, are linked from this checkout).

Usage::

    uv run python benchmarks/bench_write_contention.py
    uv run python benchmarks/bench_write_contention.py --keep-store /tmp/contention.sqlite
    uv run python benchmarks/bench_write_contention.py --store /tmp/contention.sqlite \\
        --src /tmp/before/src --label "main 2addf53" --json before.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web_load import BIN, ROOT, free_port, revision, server

DATA = Path(os.environ.get("BIOCONNECT_TEST_DATA", ROOT.parent / "shared" / "data"))
EXAMPLE_PLAN = ROOT / "examples" / "baltic-action-plan.example.yaml"
COMMAND = "uv run python benchmarks/bench_write_contention.py"
EDITOR = "bench-editor"
SCENARIOS = ("quiet", "review", "ingest")
MAPPING = """
name: stakeholders
targets:
  - entity: organisation
    fields:
      name: Organisation
      short_name: Short name
      activity_type: Type
      city: City
      country: Country
      url: Website
"""


# --- the store ------------------------------------------------------------------------


def run_cli(args: list[str], env: dict[str, str]) -> float:
    """Run ``bioconnect ARGS``; the wall seconds it took."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "bioconnect"), *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def stakeholder_list(folder: Path) -> tuple[Path, Path]:
    """The Horizon Europe subset's Baltic participants without their PICs, as a user's list
    (every later ingest reads it again, so it is kept next to a kept store)."""
    he = pd.read_csv(DATA / "cordis/horizon-europe/organization_subset.csv", sep=";", dtype=str)
    he = he[he["country"].isin(["EE", "LV", "LT"])].drop_duplicates("name")
    frame = he[["name", "shortName", "activityType", "city", "country", "organizationURL"]]
    frame.columns = ["Organisation", "Short name", "Type", "City", "Country", "Website"]
    path, mapping = folder / "stakeholders.xlsx", folder / "stakeholders.yaml"
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="stakeholders", index=False)
    mapping.write_text(MAPPING, encoding="utf-8")
    return path, mapping


def copy_store(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store (its WAL included), with SQLite's backup API."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def prepare(folder: Path, args: argparse.Namespace, env: dict[str, str]) -> Path:
    """The store to measure on: a copy of ``--store``, or a fresh ingest plus the list; then
    the editor and the example plan."""
    store = folder / "store.sqlite"
    if args.store:
        copy_store(args.store, store)
        print(f"store: copied from {args.store}", flush=True)
    else:
        path, mapping = stakeholder_list(args.keep_store.parent if args.keep_store else folder)
        print(f"store: ingested in {run_cli(['ingest'], env):.1f} s", flush=True)
        took = run_cli(["import", str(path), "--mapping", str(mapping)], env)
        print(f"store: stakeholder list imported (a second ingest) in {took:.1f} s", flush=True)
        if args.keep_store:
            copy_store(store, args.keep_store)
            print(f"store: kept as {args.keep_store}, the list next to it", flush=True)
    from bioconnect.services.accounts import add_user
    from bioconnect.services.plan import import_plan
    from bioconnect.services.store import connect

    engine = connect(f"sqlite:///{store}")
    add_user(engine, EDITOR, "contention benchmark password", "editor")
    import_plan(engine, EXAMPLE_PLAN, actor="bench")
    engine.dispose()
    return store


def write_token(store: Path) -> str:
    """A write-scoped API token for the editor (made in every run, so a kept store works)."""
    from bioconnect.services.store import connect
    from bioconnect.services.tokens import create_token

    engine = connect(f"sqlite:///{store}")
    token = create_token(engine, EDITOR, f"bench {time.time_ns()}", "write").token
    engine.dispose()
    return token


# --- the write lock -------------------------------------------------------------------


class LockProbe(threading.Thread):
    """Tries SQLite's write lock every ``interval`` s; keeps each stretch it was held."""

    def __init__(self, store: Path, interval: float) -> None:
        super().__init__(daemon=True)
        self.store, self.interval = store, interval
        self.stretches: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.store, timeout=0, isolation_level=None)
        held_since: float | None = None
        while not self.stop.is_set():
            now = time.perf_counter()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                if held_since is not None:
                    self.stretches.append(now - held_since)
                    held_since = None
            except sqlite3.OperationalError:
                if held_since is None:
                    held_since = now
            time.sleep(self.interval)
        if held_since is not None:
            self.stretches.append(time.perf_counter() - held_since)
        conn.close()


# --- the clients ----------------------------------------------------------------------


@dataclass
class Saves:
    """What the save clients got in one scenario."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1


def status_of(response: httpx.Response) -> str:
    if response.status_code == 503:
        return "503 retry-after" if "retry-after" in response.headers else "503 bare"
    return str(response.status_code)


def save_client(
    base: str, token: str, initiative: str, saves: Saves, stop: threading.Event, pause: float
) -> None:
    """Edit one initiative's budget in a loop, with the version last seen."""
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/plan/initiatives/{initiative}"
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        current = client.get(path).raise_for_status().json()
        n = 0
        while not stop.is_set():
            n += 1
            record = {**current["record"], "budget": float(1000 * n)}
            body = {"record": record, "expected_version": current["version"]}
            started = time.perf_counter()
            try:
                response = client.put(path, json=body)
            except httpx.HTTPError as exc:
                saves.add(time.perf_counter() - started, f"error {type(exc).__name__}")
                time.sleep(1)
                continue
            saves.add(time.perf_counter() - started, status_of(response))
            if response.is_success:
                current = response.json()
                time.sleep(pause)
            elif response.status_code == 409:
                current = client.get(path).raise_for_status().json()
            else:
                time.sleep(1)


def reviewer(base: str, token: str, decisions: int, log: list[tuple[float, str]]) -> None:
    """Reject and accept one candidate pair in turn, ``decisions`` times in all."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:

        def listed(status: str, limit: int = 500) -> list[dict[str, Any]]:
            url = f"/api/v1/review/candidates?status={status}&limit={limit}"
            answer: list[dict[str, Any]] = client.get(url).raise_for_status().json()
            return answer

        first = listed("auto", 1)[0]
        keys = (first["left_key"], first["right_key"])
        for n in range(decisions):
            same = n % 2 == 1  # reject first (it was merged automatically), then accept
            pair_id = next(
                c["id"]
                for status in ("auto", "accepted", "rejected")
                for c in listed(status)
                if (c["left_key"], c["right_key"]) == keys
            )
            started = time.perf_counter()
            answer = client.post(f"/api/v1/review/candidates/{pair_id}", json={"same": same})
            log.append((time.perf_counter() - started, status_of(answer)))
            if not answer.is_success:
                time.sleep(1)


# --- the scenarios --------------------------------------------------------------------


@dataclass
class Result:
    label: str
    scenario: str
    seconds: float
    saves: int
    ok_2xx: int
    conflict_409: int
    busy_503_retry_after: int
    busy_503_bare: int
    other_5xx: int
    other: dict[str, int]
    p50_ms: float
    p95_ms: float
    max_ms: float
    lock_max_ms: float | None
    lock_held_s: float | None
    writer: str  # what the other writer did: decisions made, the ingest's time

    @property
    def goal(self) -> bool:
        return self.other_5xx == 0 and self.busy_503_bare == 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run_scenario(
    scenario: str, base: str, token: str, store: Path, env: dict[str, str], args: argparse.Namespace
) -> Result:
    saves, stop = Saves(), threading.Event()
    probe = LockProbe(store, args.probe_ms / 1000) if args.probe_ms > 0 else None
    clients = [
        threading.Thread(
            target=save_client,
            args=(base, token, f"R{n + 1:02d}", saves, stop, args.pause),
            daemon=True,
        )
        for n in range(args.clients)
    ]
    if probe:
        probe.start()
    started = time.perf_counter()
    for client in clients:
        client.start()
    time.sleep(2)  # the clients are saving before the other writer starts
    writer = ""
    if scenario == "quiet":
        time.sleep(args.quiet_seconds)
    elif scenario == "review":
        log: list[tuple[float, str]] = []
        reviewer(base, token, args.decisions, log)
        took = [s for s, _ in log]
        writer = (
            f"{len(log)} decisions ({', '.join(f'{k} × {v}' for k, v in Counter(s for _, s in log).items())}), "
            f"{statistics.median(took):.1f} s median, {max(took):.1f} s slowest"
        )
    elif scenario == "ingest":
        for _ in range(args.ingests):
            took = run_cli(["ingest"], env)
            writer += f"ingest {took:.1f} s; "
        writer = writer.rstrip("; ")
    time.sleep(2)  # and go on a little after it ended
    stop.set()
    for client in clients:
        client.join()
    seconds = time.perf_counter() - started
    if probe:
        probe.stop.set()
        probe.join()
    counts = saves.statuses
    ok = sum(v for k, v in counts.items() if k.startswith("2"))
    known = {"409", "503 retry-after", "503 bare"}
    other_5xx = sum(v for k, v in counts.items() if k.startswith("5") and k not in known)
    other = {k: v for k, v in counts.items() if not k.startswith(("2", "5")) and k not in known}
    latencies = [s * 1000 for s in saves.latencies]
    return Result(
        label=args.label,
        scenario=scenario,
        seconds=seconds,
        saves=sum(counts.values()),
        ok_2xx=ok,
        conflict_409=counts["409"],
        busy_503_retry_after=counts["503 retry-after"],
        busy_503_bare=counts["503 bare"],
        other_5xx=other_5xx,
        other=other,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        max_ms=max(latencies, default=0.0),
        lock_max_ms=max(probe.stretches, default=0.0) * 1000 if probe else None,
        lock_held_s=sum(probe.stretches) if probe else None,
        writer=writer,
    )


# --- the report -----------------------------------------------------------------------


def table(results: list[Result]) -> list[str]:
    quiet = {r.label: r.p95_ms for r in results if r.scenario == "quiet"}
    lines = [
        "| Code | Scenario | Seconds | Saves | 2xx | 409 | 503 + Retry-After | 503 without "
        "| Other 5xx | Other | p50 ms | p95 ms | Slowest ms | p95 / quiet p95 "
        "| Longest write lock ms | Other writer | Goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        base = quiet.get(r.label)
        ratio = f"{r.p95_ms / base:.1f}" if base and r.scenario != "quiet" else ""
        lock = f"{r.lock_max_ms:,.0f}" if r.lock_max_ms is not None else ""
        other = ", ".join(f"{k}: {v}" for k, v in r.other.items()) or "0"
        lines.append(
            f"| {r.label} | {r.scenario} | {r.seconds:.0f} | {r.saves:,} | {r.ok_2xx:,} "
            f"| {r.conflict_409} | {r.busy_503_retry_after} | {r.busy_503_bare} "
            f"| {r.other_5xx} | {other} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.max_ms:,.0f} "
            f"| {ratio} | {lock} | {r.writer} | {'yes' if r.goal else '**no**'} |"
        )
    return lines


def machine(args: argparse.Namespace) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; bioconnect serve --workers {args.workers}; "
        f"load average at start {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent save clients (4)")
    parser.add_argument("--pause", type=float, default=0.1, help="s between a client's saves")
    parser.add_argument("--decisions", type=int, default=10, help="review decisions (10)")
    parser.add_argument("--ingests", type=int, default=2, help="ingests in a row (2)")
    parser.add_argument("--quiet-seconds", type=float, default=20, help="the quiet run (20)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="quiet,review,ingest")
    parser.add_argument("--workers", type=int, default=1, help="bioconnect serve --workers (1)")
    parser.add_argument("--probe-ms", type=float, default=20, help="lock poll interval; 0: off")
    parser.add_argument("--store", type=Path, help="copy this store (see --keep-store)")
    parser.add_argument("--keep-store", type=Path, help="keep a copy of the prepared store")
    parser.add_argument("--src", type=Path, help="serve and ingest with this src tree")
    parser.add_argument("--label", default="", help="names the code measured (default: rev)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.label = args.label or revision()
    wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    print(f"Date: {dt.date.today()}, revision {revision()}, code measured: {args.label}")
    print(f"Machine: {machine(args)}")
    print(f"Command: {COMMAND} {' '.join(sys.argv[1:])}", flush=True)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench_contention_") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "BIOCONNECT_DATABASE_URL": f"sqlite:///{folder / 'store.sqlite'}"}
        if args.src:
            env["PYTHONPATH"] = str(args.src.resolve())
            vendor = Path("bioconnect/web/static/vendor")  # built, not in git: borrow ours
            if not (args.src / vendor).exists():
                (args.src / vendor).symlink_to(ROOT / "src" / vendor)
        store = prepare(folder, args, env)
        token = write_token(store)
        port = free_port()
        command = [
            str(BIN / "bioconnect"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ]
        with server(command, env, port, folder / "serve.log"):
            base = f"http://127.0.0.1:{port}"
            for scenario in wanted:
                result = run_scenario(scenario, base, token, store, env, args)
                print("  " + table([result])[-1], flush=True)
                results.append(result)
    print()
    print("\n".join(table(results)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"goal": r.goal} for r in results], indent=2))


if __name__ == "__main__":
    main()
