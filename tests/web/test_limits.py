"""Issue 11, item 6, second part: a cost limit for anonymous callers.

Before: anonymous GETs with ever new network filters each computed a network (0.2 s to a
minute of server time) and stored a result, with no limit on how many. Now the heavy
routes (``web.limits.Costly``) charge an anonymous caller's time to its address's budget
and to the budget all anonymous callers share; past either, 429 with Retry-After, and no
work is done. Signed-in users and API tokens are not limited.

Time is the limiter's clock, which the tests drive (no sleeps, no timed asserts): a
:class:`TickClock` moves one second each time it is read, so every request the limiter
lets in costs exactly one second.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from starlette.requests import Request

from bioconnect.model.preset import Source
from bioconnect.services.ingest import ingest
from bioconnect.services.tokens import create_token
from bioconnect.store import schema
from bioconnect.store.database import open_store
from bioconnect.web import create_app
from bioconnect.web.limits import (
    RUNNING_RETRY_AFTER,
    CostLimiter,
    TooCostly,
    client_key,
    costly,
)
from storekit import preset_with
from webkit import csrf_headers, role_clients

SAMPLES = "cordis/horizon-europe-official-samples"

#: Every metered route. A route added to or taken from the list is a reviewed decision.
METERED = {
    ("GET", "/api/v1/network"),
    ("GET", "/api/v1/network/summary"),
    ("GET", "/api/v1/network/metrics"),
    ("GET", "/api/v1/network/recommendations"),
    ("GET", "/api/v1/reports/editions/{edition_id}/file"),
    ("GET", "/api/v1/outcomes/cohorts"),
    ("GET", "/outcomes"),
    ("GET", "/outcomes/cohorts.csv"),
    ("POST", "/benchmark/builder"),
}


class TickClock:
    """Seconds that move by ``step`` each time they are read, plus what the test adds."""

    def __init__(self, step: float = 1.0) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        now = self.now
        self.now += self.step
        return now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ManualClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------ through the web app


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.AnalysisResult)).scalar())


@pytest.fixture
def samples(engine: Engine, data_dir: Path, tmp_path: Path) -> Engine:
    """A small store (the official CORDIS samples) on SQLite and on PostgreSQL."""
    shutil.copytree(data_dir / SAMPLES, tmp_path / SAMPLES)
    source = Source(name="samples", kind="cordis", path=SAMPLES, programme="HORIZON")
    ingest(engine, preset_with(sources=[source]), tmp_path)
    return engine


def _limited(engine: Engine, per_client: float, total: float) -> tuple[Any, TickClock]:
    clients = role_clients(engine)
    app = clients.by_role["anonymous"].app
    clock = TickClock()
    app.state.cost_limiter = CostLimiter(per_client=per_client, total=total, clock=clock)
    return clients, clock


def _summary(client: TestClient, year: int, **headers: str) -> Any:
    """A network summary with a filter no one asked for before (every year up to the
    samples' first one gives the same network, under a new cache key)."""
    return client.get(f"/api/v1/network/summary?start_year={year}", headers=headers)


def test_an_anonymous_caller_over_its_budget_gets_429_and_the_store_stops_growing(
    samples: Engine,
) -> None:
    clients, clock = _limited(samples, per_client=5.5, total=60)
    anonymous = clients.by_role["anonymous"]
    before = _rows(samples)
    answers = [_summary(anonymous, 1990 + i) for i in range(10)]
    codes = [a.status_code for a in answers]
    # 5.5 s of budget, 1 s a request (and 1 s between two), refilling 5.5 s a minute: the
    # seventh request still finds 0.12 s, the eighth is refused, and the next two
    assert codes == [200] * 7 + [429] * 3, codes
    assert _rows(samples) == before + 7
    refused = answers[7]
    assert refused.headers["Retry-After"] == "4"  # 0.31 s in debt at 5.5 s a minute: 3.4 s
    assert set(refused.json()["detail"]) == {"problem", "fix"}
    assert "this address's share" in refused.json()["detail"]["problem"]
    assert refused.json()["detail"]["fix"].startswith("Sign in")
    # nothing is computed for a refused request: many more new filters at once add no row
    clock.step = 0
    for i in range(10, 30):
        assert _summary(anonymous, 1990 + i).status_code == 429
    assert _rows(samples) == before + 7
    # a page that is metered answers 429 too, as a page with Retry-After
    page = anonymous.get("/outcomes")
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) >= 1
    assert page.headers["content-type"].startswith("text/html")
    assert "Sign in" in page.text
    # a route that is not heavy is not metered
    assert anonymous.get("/api/v1/organisations?limit=1").status_code == 200


def test_signed_in_users_and_tokens_are_not_limited(samples: Engine) -> None:
    clients, _clock = _limited(samples, per_client=2, total=2)
    anonymous = clients.by_role["anonymous"]
    year = iter(range(1980, 2022))
    while _summary(anonymous, next(year)).status_code == 200:
        pass
    rows = _rows(samples)
    viewer = clients.by_role["viewer"]
    for _ in range(5):
        assert _summary(viewer, next(year)).status_code == 200
    token = create_token(samples, clients.names["viewer"], "script", "read").token
    script = TestClient(viewer.app)
    for _ in range(5):
        assert _summary(script, next(year), Authorization=f"Bearer {token}").status_code == 200
    assert _rows(samples) == rows + 10
    assert _summary(anonymous, next(year)).status_code == 429


def test_the_budget_refills(samples: Engine) -> None:
    clients, clock = _limited(samples, per_client=3.5, total=60)
    anonymous = clients.by_role["anonymous"]
    year = iter(range(1980, 2022))
    codes = []
    while (answer := _summary(anonymous, next(year))).status_code == 200:
        codes.append(answer.status_code)
    assert len(codes) == 4
    # 0.09 s in debt at 3.5 s a minute: 1.6 s to wait. The refusal read the clock (t),
    # the next request reads t + 1: still in debt
    assert answer.headers["Retry-After"] == "2"
    assert _summary(anonymous, next(year)).status_code == 429
    clock.advance(1)  # this one reads t + 3: the wait is over
    assert _summary(anonymous, next(year)).status_code == 200
    # two minutes without requests refill the whole budget: 3.5 s, four requests again
    clock.advance(120)
    codes = [_summary(anonymous, next(year)).status_code for _ in range(6)]
    assert codes == [200] * 4 + [429] * 2, codes


def test_rotating_addresses_does_not_help(samples: Engine) -> None:
    clients, _clock = _limited(samples, per_client=3, total=5.5)
    app = clients.by_role["anonymous"].app
    year = iter(range(1980, 2022))
    codes: list[int] = []
    for host in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8::1"):
        visitor = TestClient(app, client=(host, 40000))
        codes.append(_summary(visitor, next(year)).status_code)
        codes.append(_summary(visitor, next(year)).status_code)
    # 5.5 s shared, 1 s a request: the eighth is refused, though no address used up its 3 s
    assert codes == [200] * 7 + [429], codes
    refused = _summary(TestClient(app, client=("203.0.113.50", 1)), next(year))
    assert refused.status_code == 429
    assert "all visitors who have not signed in" in refused.json()["detail"]["problem"]


def test_public_reading_off_still_answers_401_before_any_budget(samples: Engine) -> None:
    clients = role_clients(samples, public_read=False)
    anonymous = clients.by_role["anonymous"]
    app = anonymous.app
    app.state.cost_limiter = CostLimiter(per_client=1, total=1, clock=TickClock(step=100))
    assert _summary(anonymous, 1990).status_code == 401
    assert _summary(anonymous, 1991).status_code == 401
    assert _summary(clients.by_role["viewer"], 1992).status_code == 200


def test_the_metered_routes_are_the_heavy_ones_and_document_their_429() -> None:
    app = create_app(database_url="sqlite:///:memory:")
    metered = set()
    for prefix, route in _api_routes(app.routes):
        if _depends_on_costly(route.dependant):
            metered |= {(m, prefix + route.path) for m in route.methods}
    assert metered == METERED
    paths = app.openapi()["paths"]
    for method, path in METERED:
        if path.startswith("/api/v1/"):
            answer = paths[path][method.lower()]["responses"]["429"]
            assert "Retry-After" in answer["headers"]
            assert answer["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
    # and no route that is not metered says it may answer 429
    for path, operations in paths.items():
        for method, operation in operations.items():
            if (method.upper(), path) not in METERED:
                assert "429" not in operation["responses"], (method, path)


def _api_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:  # an included router (newer FastAPI keeps them nested)
            found += _api_routes(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            found.append((prefix, route))
    return found


def _depends_on_costly(dependant: Any) -> bool:
    return any(d.call is costly or _depends_on_costly(d) for d in dependant.dependencies)


def test_an_uploaded_index_build_is_metered(tmp_path: Path) -> None:
    clients = role_clients(open_store(f"sqlite:///{tmp_path / 'store.sqlite'}"))
    anonymous = clients.by_role["anonymous"]
    clock = ManualClock()
    anonymous.app.state.cost_limiter = CostLimiter(per_client=1, total=60, clock=clock)
    limiter = anonymous.app.state.cost_limiter
    ticket = limiter.admit("testclient")
    clock.now += 2  # a request of 2 s, finished: the budget is 1 s in debt
    limiter.charge(ticket)
    response = anonymous.post(
        "/benchmark/builder", data={"runs": "64"}, headers=csrf_headers(anonymous)
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "61"


# ------------------------------------------------------------------------ the limiter


def test_a_caller_is_charged_what_its_requests_took_and_refused_in_debt() -> None:
    clock = ManualClock()
    limiter = CostLimiter(per_client=10, total=100, clock=clock)
    ticket = limiter.admit("a")
    clock.now += 25  # one long request: let in with a full budget, 15 s in debt after it
    assert limiter.charge(ticket) == 25
    assert limiter.seconds_left("a") == (-15, 75)
    with pytest.raises(TooCostly) as refused:
        limiter.admit("a")
    assert refused.value.retry_after == 91  # 15 s at 10 s a minute: 90 s, and a bit
    clock.now += 90
    with pytest.raises(TooCostly):
        limiter.admit("a")  # exactly empty is spent
    clock.now += 1
    limiter.charge(limiter.admit("a"))
    # another address is not in this one's debt
    limiter.charge(limiter.admit("b"))


def test_running_requests_count_before_they_are_charged() -> None:
    clock = ManualClock()
    limiter = CostLimiter(per_client=10, total=100, clock=clock)
    first = limiter.admit("a")
    clock.now += 11  # still running, and already past the client's budget
    with pytest.raises(TooCostly) as refused:
        limiter.admit("a")
    assert refused.value.retry_after == 7  # 1 s over at 10 s a minute: 6 s, and a bit
    limiter.admit("b")  # others are not held up
    limiter.charge(first)


def test_only_so_many_heavy_requests_run_at_once() -> None:
    limiter = CostLimiter(
        per_client=1000, total=1000, clock=ManualClock(), client_running=2, total_running=4
    )
    mine = [limiter.admit("a") for _ in range(2)]
    with pytest.raises(TooCostly) as refused:
        limiter.admit("a")
    assert refused.value.retry_after == RUNNING_RETRY_AFTER
    assert "from your address" in refused.value.problem
    others = [limiter.admit(f"b{i}") for i in range(2)]
    with pytest.raises(TooCostly) as refused:
        limiter.admit("c")
    assert "busy with heavy requests" in refused.value.problem
    limiter.charge(mine[0])
    limiter.charge(limiter.admit("c"))
    for ticket in mine[1:] + others:
        limiter.charge(ticket)


def test_clients_are_forgotten_when_their_budget_is_full_again() -> None:
    clock = ManualClock()
    limiter = CostLimiter(per_client=6, total=10**6, clock=clock, max_clients=3)
    for i in range(5):
        ticket = limiter.admit(f"10.0.0.{i}")
        clock.now += 3
        limiter.charge(ticket)
    # at most max_clients kept: the least recently charged are forgotten
    assert list(limiter._clients) == ["10.0.0.2", "10.0.0.3", "10.0.0.4"]
    clock.now += 28  # 10.0.0.2 and .3 are full again; .4 (charged at 15 s) is not
    limiter.charge(limiter.admit("10.0.0.9"))
    assert list(limiter._clients) == ["10.0.0.4", "10.0.0.9"]


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("testclient", "testclient"),
    ],
)
def test_the_budget_is_kept_per_address_and_per_ipv6_network(host: str, key: str) -> None:
    request = Request({"type": "http", "client": (host, 1234), "headers": []})
    assert client_key(request) == key


def test_the_app_takes_its_budgets_from_the_settings() -> None:
    from bioconnect.settings import Settings

    defaults = Settings.model_fields
    assert defaults["anonymous_cost_per_client"].default == 10
    assert defaults["anonymous_cost_total"].default == 30
    assert defaults["anonymous_running_per_client"].default == 2
    assert defaults["anonymous_running_total"].default == 4
    settings = Settings(
        anonymous_cost_per_client=7,
        anonymous_cost_total=9,
        anonymous_running_per_client=3,
        anonymous_running_total=5,
    )
    limiter = create_app(database_url="sqlite:///:memory:", settings=settings).state.cost_limiter
    assert (limiter.per_client, limiter.total) == (7, 9)
    assert (limiter.client_running, limiter.total_running) == (3, 5)
