"""Property-based fuzzing of the REST API from its own OpenAPI schema (schemathesis).

schemathesis's engine (what ``st run`` runs) calls every operation with generated inputs,
valid and invalid, NUL bytes allowed, in all its phases (examples, coverage, fuzzing and
stateful sequences that follow the schema's links), and applies all its checks: no server
error; status codes, content types, headers and bodies as documented; valid requests
accepted and invalid ones refused; 405 with ``Allow`` for undeclared methods. It runs as an
administrator, so every route is reached past authorisation, on a copy of the Baltic store
(it writes), once on SQLite and once on PostgreSQL.

``BIOCONNECT_FUZZ_SECONDS`` is the time budget per engine (default 45: CI); a long run::

    BIOCONNECT_FUZZ_SECONDS=180 uv run pytest -n 0 tests/web/test_openapi_fuzz.py

``BIOCONNECT_FUZZ_SEED`` replays a run's seed (a failure names it);
``BIOCONNECT_FUZZ_REPORT=file`` appends each run's figures to ``file`` as a JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from sqlalchemy import Engine

from bioconnect.settings import Settings
from bioconnect.web import create_app
from bioconnect.web.app import API_PREFIX
from storekit import BACKENDS, copy_store
from webkit import csrf_headers, role_clients

SECONDS = int(os.environ.get("BIOCONNECT_FUZZ_SECONDS", "45"))


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed_store(
    request: pytest.FixtureRequest, baltic_stores: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A copy of the session's Baltic store on each engine: the fuzzer writes to it."""
    from bioconnect.store.database import open_store

    copies = copy_store(baltic_stores.get(request.param), tmp_path_factory.mktemp("fuzz"))
    engine = open_store(next(copies))
    yield engine
    engine.dispose()
    next(copies, None)


@dataclass
class Run:
    """What one fuzzing run did: calls per phase, and every failure with a curl line."""

    seed: int
    seconds: float = 0.0
    stop: str = ""
    calls: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "seconds": round(self.seconds),
            "stop": self.stop,
            "calls": sum(self.calls.values()),
            "calls_by_phase": dict(self.calls),
            "operations": len(self.operations),
            "failures": len(self.failures),
        }


def _failures(recorder: Any) -> Iterator[str]:
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE:
                continue
            failure = check.failure_info.failure if check.failure_info else None
            case = recorder.cases[case_id].value
            answer = recorder.interactions.get(case_id)
            status = answer.response.status_code if answer and answer.response else None
            yield (
                f"{recorder.label}: {check.name}: {getattr(failure, 'title', '')} "
                f"({status})\n{getattr(failure, 'message', '')}\n"
                f"{case.as_curl_command()}"
            )


def fuzz(app: Any, headers: dict[str, str], seconds: int, seed: int) -> Run:
    """Run schemathesis's engine with every check for ``seconds`` against ``app``."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "max-time": seconds,
            "headers": headers,
            "workers": 1,
            "request-timeout": 300,  # a new network filter is computed (seconds)
            "checks": {"enabled": True},
            "generation": {"allow-x00": True, "database": "none"},
            "warnings": False,
        }
    )
    schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", app, config=config)
    run = Run(seed=seed)
    start = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            run.calls[event.phase.value] += len(event.recorder.interactions)
            run.operations.add(event.recorder.label)
            run.failures.extend(_failures(event.recorder))
        elif isinstance(event, events.NonFatalError):
            sample = event.info.code_sample or ""
            trace = event.info.traceback[-2500:]
            run.failures.append(f"{event.label}: error: {event.value!r}\n{sample}\n{trace}")
        elif isinstance(event, events.FatalError):
            run.failures.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            run.stop = event.stop_reason.value
            run.failures.extend(f"after the run: {failure!r}" for failure in event.failures)
    run.seconds = time.monotonic() - start
    return run


def _admin(engine: Engine) -> tuple[Any, dict[str, str]]:
    client = role_clients(engine).by_role["admin"]
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return client.app, {"Cookie": cookie, **csrf_headers(client)}


def test_the_schema_lists_every_api_route() -> None:
    app = create_app(database_url="sqlite:///:memory:", settings=Settings())
    schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", app)
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert "GET /api/v1/organisations" in labels
    assert "GET /api/v1/network" in labels
    assert len(labels) >= 15


def test_the_api_and_its_schema_agree_under_fuzzing(fuzzed_store: Engine) -> None:
    seed = int(os.environ.get("BIOCONNECT_FUZZ_SEED") or random.randrange(2**32))
    app, headers = _admin(fuzzed_store)
    run = fuzz(app, headers, SECONDS, seed)
    figures = {
        "engine": fuzzed_store.dialect.name,
        "date": dt.date.today().isoformat(),
        "budget": SECONDS,
        **run.figures(),
    }
    report = os.environ.get("BIOCONNECT_FUZZ_REPORT")
    if report:
        with Path(report).open("a", encoding="utf-8") as out:
            out.write(json.dumps(figures) + "\n")
    assert run.calls, figures
    unique = list(dict.fromkeys(run.failures))
    assert unique == [], f"{figures}\n\n" + "\n\n".join(unique[:30])
