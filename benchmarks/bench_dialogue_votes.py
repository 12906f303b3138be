"""Vote-recording latency at 50 concurrent voters, on SQLite and PostgreSQL.

For each store this script

* makes a fresh store (a temp SQLite file, or a new PostgreSQL database, dropped at the
  end), imports the real Pol.is conversation ``polis/brexit-consensus`` (50 statements,
  5,312 vote events) and opens it for voting;
* makes 50 invitation links with the services (one per voter);
* starts ``bioconnect serve`` on loopback as a subprocess;
* runs 50 voters as asyncio tasks, each with its own cookies: it opens its invitation link
  (``GET /dialogue/join/TOKEN``, which sets the participant cookie) and reads the voting
  page once (which sets the CSRF cookie) with httpx, then posts the final votes of one real
  brexit-consensus participant (the 50 who voted most), one ``POST /dialogue/NAME/vote``
  form at a time on one kept-alive connection, as the voting page's buttons do. The votes
  are written as raw HTTP/1.1, so the client's own work stays small. The latency of each POST (to its 303
  answer, after the vote is committed) is recorded.

Two paces: **closed loop** (each voter posts the next vote as soon as the last is answered:
50 requests always in flight, the worst case) and **paced** (a voter reads each statement
for 1-3 s, uniform, seeded, before voting, as people do). The baseline is the floor of the
server stack: the same client against a bare Starlette app on the same uvicorn answering
each POST with a 303 and no work. The goal (issue 13): p95 under 50 ms at 50 concurrent
voters.

Usage::

    uv run python benchmarks/bench_dialogue_votes.py
    uv run python benchmarks/bench_dialogue_votes.py --backends sqlite --rounds 20
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "polis" / "brexit-consensus"
BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
NAME = "brexit-votes"
VOTERS = 50
GOAL_P95_MS = 50.0
COMMAND = "uv run python benchmarks/bench_dialogue_votes.py"

BASELINE_APP = '''
"""The floor: Starlette on uvicorn answering every request with a 303, doing nothing."""
from starlette.applications import Starlette
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route


async def vote(request):
    await request.form()
    return RedirectResponse("/vote", status_code=303)


async def page(request):
    response = Response(b"<html></html>", media_type="text/html")
    response.set_cookie("bc_csrf", "baseline")
    response.set_cookie("bc_invite", "baseline", path="/dialogue")
    return response


app = Starlette(routes=[
    Route("/api/v1/me", page),
    Route("/dialogue/join/{token}", page),
    Route("/dialogue/{name}/vote", page, methods=["GET"]),
    Route("/dialogue/{name}/vote", vote, methods=["POST"]),
])
'''


@dataclass(frozen=True)
class Result:
    store: str
    pace: str
    server: str
    votes: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float
    worst: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    """Run ``command`` in its own session until the block ends."""
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
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer on port {port}") from None
                time.sleep(0.3)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def ballots() -> list[list[tuple[int, int]]]:
    """The final votes of the 50 brexit-consensus participants who voted most."""
    last: dict[int, dict[int, tuple[int, int]]] = {}
    with (DATA / "votes.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            votes = last.setdefault(int(row["voter-id"]), {})
            votes[int(row["comment-id"])] = (int(row["timestamp"]), int(row["vote"]))
    top = sorted(last, key=lambda p: (-len(last[p]), p))[:VOTERS]
    return [
        [(s, v) for s, (_t, v) in sorted(last[p].items(), key=lambda kv: kv[1][0])] for p in top
    ]


def prepare(url: str) -> list[str]:
    """Import brexit-consensus into ``url``, open it, make 50 invitations; their tokens."""
    from bioconnect.services.dialogue import create_invitation, import_polis, set_status
    from bioconnect.store.database import open_store

    engine = open_store(url)
    import_polis(engine, DATA, name=NAME, actor="bench")
    set_status(engine, NAME, "open", actor="bench")
    tokens = [
        create_invitation(engine, NAME, actor="bench", label=f"voter {i}").token
        for i in range(VOTERS)
    ]
    engine.dispose()
    return tokens


async def _cookies(base: str, token: str) -> tuple[str, str]:
    """Open the invitation link and the voting page with httpx: (cookie header, CSRF token)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.get(f"/dialogue/join/{token}", follow_redirects=True)
        await client.get(f"/dialogue/{NAME}/vote")
        jar = {c.name: c.value for c in client.cookies.jar}
    csrf = jar.get("bc_csrf", "")
    return "; ".join(f"{k}={v}" for k, v in jar.items()), csrf


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one HTTP/1.1 request on a kept-alive connection; the answer's status."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        (
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length:")
        ),
        0,
    )
    if length:
        await reader.readexactly(length)
    return int(lines[0].split()[1])


async def voter(
    base: str, token: str, ballot: list[tuple[int, int]], pace: str, seed: int
) -> tuple[list[float], int]:
    """One voter: cookies through httpx, then its votes as raw HTTP/1.1 on one connection.

    Raw requests keep the client's own CPU time per vote to some tens of microseconds (httpx
    takes about a millisecond), so that 50 voters in one process measure the server.
    """
    rng = random.Random(seed)
    cookie, csrf = await _cookies(base, token)
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    latencies: list[float] = []
    errors = 0
    try:
        for statement, vote in ballot:
            if pace == "paced":
                await asyncio.sleep(rng.uniform(1.0, 3.0))
            body = f"csrf_token={csrf}&statement={statement}&vote={vote}".encode()
            request = (
                f"POST /dialogue/{NAME}/vote HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            status = await _exchange(reader, writer, request)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 303:
                errors += 1
    finally:
        writer.close()
    return latencies, errors


async def run_voters(
    base: str, tokens: list[str], pace: str, rounds: int
) -> tuple[list[float], int, float]:
    all_ballots = ballots()
    started = time.perf_counter()
    done = await asyncio.gather(
        *(
            voter(base, token, ballot[:rounds], pace, seed)
            for seed, (token, ballot) in enumerate(zip(tokens, all_ballots, strict=True))
        )
    )
    seconds = time.perf_counter() - started
    latencies = [x for lat, _ in done for x in lat]
    return latencies, sum(e for _, e in done), seconds


def summarise(store: str, pace: str, kind: str, found: tuple[list[float], int, float]) -> Result:
    latencies, errors, seconds = found
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(
        store=store,
        pace=pace,
        server=kind,
        votes=len(latencies),
        errors=errors,
        seconds=seconds,
        p50=cuts[49],
        p95=cuts[94],
        p99=cuts[98],
        worst=max(latencies),
    )


def bench_store(store: str, url: str, paces: list[str], rounds: int, folder: Path) -> list[Result]:
    results = []
    for pace in paces:
        tokens = prepare(url) if pace == paces[0] else prepare_again(url)
        port = free_port()
        env = {**os.environ, "BIOCONNECT_DATABASE_URL": url, "BIOCONNECT_PUBLIC_READ": "true"}
        command = [str(BIN / "bioconnect"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with server(command, env, port, folder / f"serve-{store}-{pace}.log"):
            found = asyncio.run(run_voters(f"http://127.0.0.1:{port}", tokens, pace, rounds))
        results.append(summarise(store, pace, "bioconnect", found))
        print(results[-1], flush=True)
    return results


def prepare_again(url: str) -> list[str]:
    """Re-import (which replaces the votes cast meanwhile) and make fresh invitations."""
    from bioconnect.store.database import open_store

    engine = open_store(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM dialogue_invitation")
        conn.exec_driver_sql("DELETE FROM dialogue_vote")
        conn.exec_driver_sql("DELETE FROM dialogue_participant")
        conn.exec_driver_sql("DELETE FROM dialogue_statement")
        conn.exec_driver_sql("DELETE FROM dialogue_consultation")
    engine.dispose()
    return prepare(url)


def bench_baseline(paces: list[str], rounds: int, folder: Path) -> list[Result]:
    (folder / "baseline_app.py").write_text(BASELINE_APP)
    results = []
    tokens = [uuid.uuid4().hex for _ in range(VOTERS)]
    for pace in paces:
        port = free_port()
        command = [
            str(BIN / "uvicorn"),
            "--app-dir",
            str(folder),
            "baseline_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        with server(command, dict(os.environ), port, folder / f"baseline-{pace}.log"):
            found = asyncio.run(run_voters(f"http://127.0.0.1:{port}", tokens, pace, rounds))
        results.append(summarise("-", pace, "baseline", found))
        print(results[-1], flush=True)
    return results


def table(results: list[Result]) -> str:
    base = {r.pace: r.p95 for r in results if r.server == "baseline"}
    lines = [
        "| Server | Store | Pace | Votes | Errors | Votes/s | p50 ms | p95 ms | p99 ms | Max ms "
        "| p95 / baseline | Goal (p95 < 50 ms) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = r.p95 / base[r.pace] if base.get(r.pace) else float("nan")
        goal = "-" if r.server == "baseline" else ("yes" if r.p95 < GOAL_P95_MS else "no")
        lines.append(
            f"| {r.server} | {r.store} | {r.pace} | {r.votes:,} | {r.errors} | "
            f"{r.votes / r.seconds:,.0f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | "
            f"{r.worst:.0f} | {ratio:.1f} | {goal} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--paces", default="closed loop,paced")
    parser.add_argument("--rounds", type=int, default=50, help="Votes per voter (at most 50).")
    args = parser.parse_args()
    paces = [p.strip() for p in args.paces.split(",")]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-votes-") as tmp:
        folder = Path(tmp)
        results += bench_baseline(paces, args.rounds, folder)
        for store in args.backends.split(","):
            if store == "sqlite":
                url = f"sqlite:///{folder / 'votes.sqlite'}"
                results += bench_store(store, url, paces, args.rounds, folder)
            else:
                db = f"bench_votes_{uuid.uuid4().hex[:8]}"
                subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
                try:
                    results += bench_store(store, f"{POSTGRES}/{db}", paces, args.rounds, folder)
                finally:
                    subprocess.run(
                        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", db],
                        check=False,
                    )
    load = os.getloadavg()[0]
    print(
        f"\n{COMMAND} --backends {args.backends} --rounds {args.rounds}\n"
        f"Machine: nproc {os.cpu_count()}, {platform.machine()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; load average "
        f"{load:.1f} at the end\n\n{table(results)}"
    )


if __name__ == "__main__":
    main()
