"""Load-test the web app with wrk: 50 connections against search, organisation pages and networks.

For each store (SQLite, PostgreSQL) this script

* ingests a fresh store (``bioconnect ingest``, which VACUUMs and ANALYZEs a PostgreSQL
  store after the load), or reuses one given with ``--sqlite-url`` / ``--postgres-url``; a
  PostgreSQL database it creates is dropped at the end;
* starts ``bioconnect serve`` as a subprocess with each ``--workers`` count;
* reads the ~50 most active organisation ids from ``/api/v1/organisations?limit=50``;
* warms the server with one request per URL (so each network subgraph is computed and cached
  in the store, as it is by design) and keeps every response body;
* runs ``wrk -c 50 -t 2 -d 60s --latency`` with a Lua script that rotates over the URLs of
  one mix at a time: organisation search (``/api/v1/organisations?q=TERM``), the search
  page (``/search?q=TERM``, HTML), organisation
  page (``/organisations/ID``, HTML), network subgraph (``/api/v1/network?...``), and all
  three interleaved.

The baseline is the floor of the server stack: a plain Starlette app on the same uvicorn
(same worker count, uvloop and httptools) answering the same URLs with the very bodies the
warm-up received, read from memory. The ratio column is our p95 / the baseline's p95.

The goal (acceptance line): p95 at most 100 ms and zero errors with 50 concurrent clients;
for the search API and page on either store, p99 at most 100 ms too (issue 11). The script
exits with status 1 when a run misses its goal.

Usage::

    uv run python benchmarks/bench_web_load.py                  # 60 s per run, both stores
    uv run python benchmarks/bench_web_load.py --duration 5 --backends sqlite --workers 1
    uv run python benchmarks/bench_web_load.py --sqlite-url sqlite:////tmp/store.sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
GOAL_P95_MS = 100.0
#: Mixes whose p99 must also be within the goal (issue 11: search on PostgreSQL).
GOAL_P99_MIXES = frozenset({"search", "search page"})
# wrk plays 50 anonymous visitors from one address: the cost limit for anonymous callers
# (bioconnect.web.limits) would refuse it, as it is meant to. The server is measured here,
# not the limit, so the server runs with the largest budgets the settings allow.
UNLIMITED = {
    "BIOCONNECT_ANONYMOUS_COST_PER_CLIENT": "3600",
    "BIOCONNECT_ANONYMOUS_COST_TOTAL": "3600",
    "BIOCONNECT_ANONYMOUS_RUNNING_PER_CLIENT": "1000",
    "BIOCONNECT_ANONYMOUS_RUNNING_TOTAL": "1000",
}
COMMAND = "uv run python benchmarks/bench_web_load.py"
SEARCH_TERMS = (
    "tartu",
    "riga",
    "vilnius",
    "helsinki",
    "tallinn",
    "kaunas",
    "biotech",
    "university",
    "institute",
    "pharma",
    "energy",
    "espoo",
)
NETWORK_QUERIES = (
    "programme=H2020",
    "programme=HORIZON",
    "",
    "group=academia",
    "countries=EE,LV&programme=H2020",
    "start_year=2018",
)
MIXES = ("search", "search page", "page", "network", "all three")


# --- servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def session_cpu_seconds(sid: int) -> float:
    """User + system CPU seconds of every live process in session ``sid`` (the server)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state (field 3); session is field 6, utime 14, stime 15
        if int(fields[3]) == sid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """Run ``command`` in its own session until the block ends; yield its process id."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {log.read_text()[-2000:]}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/me", timeout=5)
                break
            except httpx.TransportError as exc:
                if time.monotonic() > deadline:
                    tail = log.read_text()[-2000:]
                    raise RuntimeError(f"no answer on port {port}: {tail}") from exc
                time.sleep(0.3)
        yield proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def bioconnect_command(port: int, workers: int) -> list[str]:
    return [
        str(BIN / "bioconnect"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


BASELINE_APP = '''
"""The floor: Starlette on uvicorn answering each URL with bytes held in memory."""
import json
import os

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

with open(os.environ["BENCH_BODIES"], encoding="utf-8") as f:
    BODIES = {
        path: (body.encode(), media) for path, (body, media) in json.load(f).items()
    }


async def answer(request):
    key = request.url.path + ("?" + request.url.query if request.url.query else "")
    body, media = BODIES.get(key, (b"{}", "application/json"))
    return Response(body, media_type=media)


async def me(request):
    return Response(b'{"username":null,"role":null}', media_type="application/json")


app = Starlette(routes=[Route("/api/v1/me", me), Route("/{path:path}", answer)])
'''


def baseline_command(port: int, workers: int, app_dir: Path) -> list[str]:
    return [
        str(BIN / "uvicorn"),
        "--app-dir",
        str(app_dir),
        "baseline_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


# --- stores ---------------------------------------------------------------------------


def ingest(url: str) -> float:
    """Ingest the Baltic preset into ``url`` with the CLI; the wall seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "bioconnect"), "ingest"],
        env={**os.environ, "BIOCONNECT_DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def create_database() -> tuple[str, str]:
    name = f"bench_web_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return name, f"{POSTGRES}/{name}"


def drop_database(name: str) -> None:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", "--if-exists", name],
        check=False,
    )


def postgres_version() -> str:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version", "postgres"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip().split()[0] if done.returncode == 0 and done.stdout else "?"


# --- the URL mixes --------------------------------------------------------------------


def mixes(base: str) -> dict[str, list[str]]:
    """The paths of each mix; the organisation ids are read from the running server."""
    page = httpx.get(f"{base}/api/v1/organisations?limit=50", timeout=60)
    page.raise_for_status()
    ids = [item["id"] for item in page.json()["items"]]
    urls = {
        "search": [f"/api/v1/organisations?q={term}" for term in SEARCH_TERMS],
        "search page": [f"/search?q={term}" for term in SEARCH_TERMS],
        "page": [f"/organisations/{org_id}" for org_id in ids],
        "network": [f"/api/v1/network?{q}" if q else "/api/v1/network" for q in NETWORK_QUERIES],
    }
    longest = max(len(v) for v in urls.values())
    cycles = [itertools.cycle(urls[k]) for k in ("search", "page", "network")]
    urls["all three"] = [next(c) for _ in range(longest) for c in cycles]
    return urls


def warm(base: str, paths: list[str]) -> dict[str, tuple[str, str]]:
    """One request per path (computing and caching each network); the bodies by path."""
    bodies: dict[str, tuple[str, str]] = {}
    with httpx.Client(base_url=base, timeout=600) as client:
        for path in dict.fromkeys(paths):
            started = time.perf_counter()
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"warm-up: {path} answered {response.status_code}")
            took = time.perf_counter() - started
            if took > 1:
                print(f"  warm-up {path}: {took:.1f} s", flush=True)
            media = response.headers.get("content-type", "application/json").split(";")[0]
            bodies[path] = (response.text, media)
    return bodies


LUA = """
local paths = {%(paths)s}
local counter = 0
local threads = 0

function setup(thread)
  thread:set("thread_no", threads)
  threads = threads + 1
end

function init(args)
  counter = (tonumber(thread_no) or 0) * 7
end

function request()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"bytes\\": %%d, " ..
    "\\"connect\\": %%d, \\"read\\": %%d, \\"write\\": %%d, \\"status\\": %%d, " ..
    "\\"timeout\\": %%d, \\"p50\\": %%d, \\"p90\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d, " ..
    "\\"max\\": %%d}\\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def lua_script(paths: list[str], folder: Path, name: str) -> Path:
    script = folder / f"{name.replace(' ', '_')}.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    return script


# --- wrk ------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


@dataclass
class Result:
    backend: str
    workers: int
    mix: str
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    server_cpu: float  # cores busy, on average, in the server's processes
    mean_kb: float
    wrk_p99_ms: float  # as wrk printed it, to cross-check the Lua figures


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, the printed latency distribution, non-2xx and socket errors, p95 (Lua)."""
    found: dict[str, float] = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    found["rps"] = float(rps.group(1)) if rps else 0.0
    for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.M):
        found[f"wrk_p{pct}"] = _ms(value)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    found["non_2xx"] = float(non2xx.group(1)) if non2xx else 0.0
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    found["socket_errors"] = float(sum(int(x) for x in sock.groups())) if sock else 0.0
    lua = re.search(r"BENCH_RESULT (\{.*\})", output)
    if lua is None:
        raise RuntimeError(f"wrk printed no result: {output[-2000:]}")
    found.update({k: float(v) for k, v in json.loads(lua.group(1)).items()})
    return found


def run_wrk(
    base: str, script: Path, args: argparse.Namespace, sid: int
) -> tuple[dict[str, float], float]:
    command = [
        "wrk",
        f"-c{args.connections}",
        f"-t{args.threads}",
        f"-d{args.duration}s",
        f"--timeout={args.timeout}s",
        "--latency",
        "-s",
        str(script),
        base + "/",
    ]
    cpu_before, started = session_cpu_seconds(sid), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    cpu = (session_cpu_seconds(sid) - cpu_before) / (time.perf_counter() - started)
    return parse_wrk(done.stdout), cpu


def measure(
    label: str,
    workers: int,
    base: str,
    scripts: dict[str, Path],
    args: argparse.Namespace,
    sid: int,
) -> list[Result]:
    results = []
    for mix, script in scripts.items():
        time.sleep(2)  # let the previous run's connections close
        found, cpu = run_wrk(base, script, args, sid)
        result = Result(
            backend=label,
            workers=workers,
            mix=mix,
            requests=int(found["requests"]),
            rps=found["rps"],
            p50_ms=found["p50"] / 1e3,
            p90_ms=found["p90"] / 1e3,
            p95_ms=found["p95"] / 1e3,
            p99_ms=found["p99"] / 1e3,
            max_ms=found["max"] / 1e3,
            non_2xx=int(found["non_2xx"]),
            socket_errors=int(found["socket_errors"]),
            server_cpu=cpu,
            mean_kb=found["bytes"] / max(found["requests"], 1) / 1024,
            wrk_p99_ms=found.get("wrk_p99", 0.0),
        )
        print(
            f"  {label:<10} w{workers} {mix:<9} {result.rps:8.1f} req/s  p50 {result.p50_ms:8.1f}"
            f"  p95 {result.p95_ms:8.1f}  p99 {result.p99_ms:8.1f} ms  non-2xx {result.non_2xx}"
            f"  socket errors {result.socket_errors}  server CPU {cpu:.2f}",
            flush=True,
        )
        results.append(result)
    return results


# --- the report -----------------------------------------------------------------------


def meets_goal(r: Result) -> bool:
    """p95 (and for the search mixes p99) at most 100 ms, no error."""
    tail = r.p99_ms if r.mix in GOAL_P99_MIXES else r.p95_ms
    return max(r.p95_ms, tail) <= GOAL_P95_MS and r.non_2xx == 0 and r.socket_errors == 0


def table(results: list[Result]) -> list[str]:
    floor = {(r.workers, r.mix): r.p95_ms for r in results if r.backend == "baseline"}
    lines = [
        "| Store | Workers | Mix | Req/s | p50 ms | p90 ms | p95 ms | p99 ms | Max ms "
        "| Non-2xx | Socket errors | Server CPU (cores) | KB/resp | Baseline p95 ms "
        "| p95 / baseline | Goal |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        base = floor.get((r.workers, r.mix))
        ratio = f"{r.p95_ms / base:.1f}" if base and r.backend != "baseline" else ""
        goal = "" if r.backend == "baseline" else ("yes" if meets_goal(r) else "**no**")
        lines.append(
            f"| {r.backend} | {r.workers} | {r.mix} | {r.rps:,.0f} | {r.p50_ms:.1f} "
            f"| {r.p90_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.max_ms:.0f} "
            f"| {r.non_2xx} | {r.socket_errors} | {r.server_cpu:.2f} | {r.mean_kb:.0f} "
            f"| {f'{base:.1f}' if base and r.backend != 'baseline' else ''} | {ratio} | {goal} |"
        )
    return lines


def revision() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head} (uncommitted changes in src/)" if dirty else head


def machine(pg: str | None) -> str:
    import starlette
    import uvicorn

    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, {platform.machine()}, Python {platform.python_version()}, "
        f"uvicorn {uvicorn.__version__}, Starlette {starlette.__version__}, wrk {wrk}, "
        f"SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {pg}" if pg else "")
        + f"; load average at start {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per wrk run (60)")
    parser.add_argument("--connections", type=int, default=50, help="wrk -c (50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (2)")
    parser.add_argument(
        "--timeout", type=int, default=30, help="wrk --timeout in s (30, so slow answers count)"
    )
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure (1,2)")
    parser.add_argument(
        "--mixes", default=",".join(MIXES), help="search,search page,page,network,all three"
    )
    parser.add_argument("--sqlite-url", help="reuse this ingested SQLite store")
    parser.add_argument("--postgres-url", help="reuse this ingested PostgreSQL store")
    parser.add_argument("--no-baseline", action="store_true", help="skip the Starlette floor")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    workers = [int(w) for w in args.workers.split(",")]
    wanted = [m.strip() for m in args.mixes.split(",")]
    pg = postgres_version() if "postgresql" in backends else None
    print(f"Date: {dt.date.today()}, revision {revision()}")
    print(f"Machine: {machine(pg)}")
    print(
        f"wrk -c {args.connections} -t {args.threads} -d {args.duration}s "
        f"--timeout {args.timeout}s --latency",
        flush=True,
    )
    results: list[Result] = []
    created: list[str] = []
    bodies: dict[str, tuple[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_web_") as tmp:
        folder = Path(tmp)
        try:
            for backend in backends:
                url = args.sqlite_url if backend == "sqlite" else args.postgres_url
                if url is None:
                    if backend == "sqlite":
                        url = f"sqlite:///{folder / 'store.sqlite'}"
                    else:
                        name, url = create_database()
                        created.append(name)
                    print(f"{backend}: ingested in {ingest(url):.1f} s", flush=True)
                env = {**os.environ, **UNLIMITED, "BIOCONNECT_DATABASE_URL": url}
                for count in workers:
                    port = free_port()
                    log = folder / f"{backend}-{count}.log"
                    with server(bioconnect_command(port, count), env, port, log) as sid:
                        base = f"http://127.0.0.1:{port}"
                        urls = {k: v for k, v in mixes(base).items() if k in wanted}
                        bodies.update(warm(base, [p for v in urls.values() for p in v]))
                        scripts = {m: lua_script(p, folder, m) for m, p in urls.items()}
                        results += measure(backend, count, base, scripts, args, sid)
            if not args.no_baseline and bodies:
                (folder / "baseline_app.py").write_text(textwrap.dedent(BASELINE_APP))
                (folder / "bodies.json").write_text(json.dumps(bodies))
                env = {**os.environ, "BENCH_BODIES": str(folder / "bodies.json")}
                for count in workers:
                    port = free_port()
                    command = baseline_command(port, count, folder)
                    with server(command, env, port, folder / f"baseline-{count}.log") as sid:
                        results += measure(
                            "baseline", count, f"http://127.0.0.1:{port}", scripts, args, sid
                        )
        finally:
            for name in created:
                drop_database(name)
    print()
    print("\n".join(table(results)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    missed = [r for r in results if r.backend != "baseline" and not meets_goal(r)]
    if missed:
        runs = ", ".join(f"{r.backend} w{r.workers} {r.mix}" for r in missed)
        sys.exit(f"The goal is missed by: {runs}")


if __name__ == "__main__":
    main()
