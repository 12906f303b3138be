"""A cost limit for anonymous callers: the server time they may spend on heavy routes.

Some routes start work whose cost the caller chooses: a network with new filters
(0.2 s to a minute of computing, and a new row in the store's analysis cache), a report
edition rendered to PDF or Word, newcomer cohorts for other countries, an index built
from an uploaded file. Such a route depends on :data:`Costly`. For a caller who has not
signed in and sends no API token, :func:`costly` measures how long the route takes and
charges it to two budgets: the client's (by address) and the one all anonymous callers
share (so that rotating addresses does not help). A cached answer costs milliseconds, so
only work the server has to do uses the budgets up. When either is spent, or when too many
anonymous heavy requests are running at once, the route answers 429 with ``Retry-After``
and says to sign in or wait, before any work starts. Signed-in users and API tokens are
never limited by it.

Each budget is a token bucket of seconds: it holds at most its size and refills at its
size per minute (``BIOCONNECT_ANONYMOUS_COST_PER_CLIENT`` and
``BIOCONNECT_ANONYMOUS_COST_TOTAL``). A request is let in while both budgets hold time,
counting what running requests have taken so far, and is charged its whole time when it
ends, so one long request can leave a budget in debt (the wait is then longer). How many
heavy requests may run at once is capped too (``BIOCONNECT_ANONYMOUS_RUNNING_PER_CLIENT``
and ``BIOCONNECT_ANONYMOUS_RUNNING_TOTAL``). The budgets live in the process: with several
workers, each keeps its own.
See docs/security.md.

Example
-------
>>> clock = iter([0.0, 4.0, 4.0, 10.0, 10.0]).__next__
>>> limiter = CostLimiter(per_client=6, total=30, clock=clock)
>>> limiter.charge(limiter.admit("203.0.113.7"))  # a request that took 4 s
4.0
>>> limiter.charge(limiter.admit("203.0.113.7"))  # 2 s left: let in; it takes 6 s
6.0
>>> try:  # 3.4 s in debt, refilling 0.1 s a second: refused, for 34 s and a bit
...     limiter.admit("203.0.113.7")
... except TooCostly as refused:
...     print(refused.retry_after, refused.fix)
35 Sign in (any account) to go on now, or try again in 35 seconds.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request

from bioconnect.settings import Settings
from bioconnect.web.routing import Problem, Reader

Clock = Callable[[], float]

#: Seconds to wait when refused because too many heavy requests are running.
RUNNING_RETRY_AFTER = 5
#: Clients whose budget is remembered (per process). Clients whose budget is full again
#: are forgotten first; past this number the least recently charged is forgotten.
MAX_CLIENTS = 10_000

SIGN_IN = "Sign in (any account) to go on now"


class TooCostly(Exception):
    """An anonymous caller's heavy request refused before it started (answered with 429)."""

    def __init__(self, problem: str, fix: str, *, retry_after: int) -> None:
        super().__init__(f"{problem} {fix}")
        self.problem = problem
        self.fix = fix
        self.retry_after = retry_after


@dataclass
class _Bucket:
    """Seconds left at time ``at`` (negative: in debt)."""

    left: float
    at: float


@dataclass(frozen=True)
class Ticket:
    """A heavy request let in: whose it is, and when it started."""

    client: str
    start: float
    number: int


class CostLimiter:
    """Token buckets of server time: one per client, and one for all clients together.

    Parameters
    ----------
    per_client, total
        Seconds of server time per minute: each bucket holds at most this and refills
        at this rate per minute.
    clock
        Seconds, monotonic (:func:`time.monotonic` by default; tests pass their own).
    client_running, total_running
        Heavy requests that may run at once, of one client and of all together.
    max_clients
        Clients remembered at most.

    Example
    -------
    >>> clock = iter([0.0, 50.0, 50.0, 51.0]).__next__
    >>> limiter = CostLimiter(per_client=10, total=10, clock=clock)
    >>> limiter.charge(limiter.admit("a"))  # a 50 s request puts both budgets 40 s in debt
    50.0
    >>> try:  # another address waits too: the shared budget is spent
    ...     limiter.admit("b")
    ... except TooCostly as refused:
    ...     print(refused.retry_after)
    241
    """

    def __init__(
        self,
        *,
        per_client: float,
        total: float,
        clock: Clock = time.monotonic,
        client_running: int = 2,
        total_running: int = 4,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.per_client = float(per_client)
        self.total = float(total)
        self.clock = clock
        self.client_running = client_running
        self.total_running = total_running
        self.max_clients = max_clients
        self._clients: OrderedDict[str, _Bucket] = OrderedDict()  # least recently charged first
        self._shared: _Bucket | None = None  # None: full
        self._running: dict[int, Ticket] = {}
        self._numbers = 0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = time.monotonic) -> CostLimiter:
        return cls(
            per_client=settings.anonymous_cost_per_client,
            total=settings.anonymous_cost_total,
            clock=clock,
            client_running=settings.anonymous_running_per_client,
            total_running=settings.anonymous_running_total,
        )

    def admit(self, client: str) -> Ticket:
        """Let a heavy request of ``client`` in, or refuse it.

        Raises
        ------
        TooCostly
            When too many heavy requests are running, or when the client's budget or the
            shared one holds no time (counting what running requests have taken so far).
        """
        with self._lock:
            now = self.clock()
            mine = [t for t in self._running.values() if t.client == client]
            if len(mine) >= self.client_running:
                raise TooCostly(
                    f"{len(mine)} heavy requests from your address are still being worked on.",
                    f"Wait for them, or sign in. Try again in {RUNNING_RETRY_AFTER} seconds.",
                    retry_after=RUNNING_RETRY_AFTER,
                )
            if len(self._running) >= self.total_running:
                raise TooCostly(
                    "The server is busy with heavy requests from visitors who have not signed in.",
                    f"{SIGN_IN}, or try again in {RUNNING_RETRY_AFTER} seconds.",
                    retry_after=RUNNING_RETRY_AFTER,
                )
            client_left = self._left(self._clients.get(client), self.per_client, now) - sum(
                now - t.start for t in mine
            )
            shared_left = self._left(self._shared, self.total, now) - sum(
                now - t.start for t in self._running.values()
            )
            if client_left <= 0 or shared_left <= 0:
                wait = max(
                    self._wait(client_left, self.per_client), self._wait(shared_left, self.total)
                )
                whose = (
                    "this address's share"
                    if client_left <= 0
                    else "the share of all visitors who have not signed in"
                )
                raise TooCostly(
                    f"This request needs work the server has not cached, and {whose} of the "
                    "server's time is used up for now.",
                    f"{SIGN_IN}, or try again in {wait} seconds.",
                    retry_after=wait,
                )
            self._numbers += 1
            ticket = Ticket(client, now, self._numbers)
            self._running[ticket.number] = ticket
            return ticket

    def charge(self, ticket: Ticket) -> float:
        """Charge a finished request's time to its client's budget and the shared one;
        returns the seconds charged."""
        with self._lock:
            now = self.clock()
            self._running.pop(ticket.number, None)
            cost = max(0.0, now - ticket.start)
            left = self._left(self._clients.pop(ticket.client, None), self.per_client, now)
            self._clients[ticket.client] = _Bucket(left - cost, now)
            self._shared = _Bucket(self._left(self._shared, self.total, now) - cost, now)
            self._forget(now)
            return cost

    def seconds_left(self, client: str) -> tuple[float, float]:
        """(the client's budget, the shared one) now, in seconds; negative: in debt."""
        with self._lock:
            now = self.clock()
            return (
                self._left(self._clients.get(client), self.per_client, now),
                self._left(self._shared, self.total, now),
            )

    @staticmethod
    def _left(bucket: _Bucket | None, size: float, now: float) -> float:
        if bucket is None:
            return size
        return min(size, bucket.left + (now - bucket.at) * size / 60.0)

    @staticmethod
    def _wait(left: float, size: float) -> int:
        """Whole seconds after which a budget with ``left`` seconds holds time again (more
        than none: a budget at exactly 0 is spent); 0 when it holds time now."""
        if left > 0:
            return 0
        return math.floor(-left * 60.0 / size) + 1

    def _forget(self, now: float) -> None:
        """Forget clients whose budget is full again (the least recently charged first),
        and the oldest past :attr:`max_clients`."""
        while self._clients:
            client, bucket = next(iter(self._clients.items()))
            full = self._left(bucket, self.per_client, now) >= self.per_client
            if not full and len(self._clients) <= self.max_clients:
                break
            del self._clients[client]


def client_key(request: Request) -> str:
    """The address a budget is kept for: the client's IPv4 address, or the /64 network of
    an IPv6 one (one subscriber's whole prefix). Behind a reverse proxy, uvicorn puts the
    forwarded address here (``--proxy-headers``, trusted from ``FORWARDED_ALLOW_IPS``)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


async def costly(request: Request, user: Reader) -> AsyncIterator[None]:
    """Meter a heavy route for anonymous callers (see the module); signed-in users and
    API tokens pass freely. A refusal is a :class:`TooCostly` (429)."""
    if user is not None:
        yield
        return
    limiter: CostLimiter = request.app.state.cost_limiter
    ticket = limiter.admit(client_key(request))
    try:
        yield
    finally:
        limiter.charge(ticket)


#: Put in a route's ``dependencies`` to meter it, with ``responses=TOO_COSTLY``. Scope
#: "function": the time is taken when the route has made its answer, before it is sent.
Costly = Depends(costly, scope="function")

#: The 429 a metered route documents in its OpenAPI ``responses``.
TOO_COSTLY: dict[int | str, dict[str, Any]] = {
    429: {
        "model": Problem,
        "description": (
            "Callers who have not signed in used up their share of the server's time for "
            "heavy requests (work that is not cached), or too many such requests are "
            "running. Sign in or send an API token, or wait the seconds Retry-After gives."
        ),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer"},
            }
        },
    }
}
