"""Read results kept in memory until the store's data changes.

A web server answers the same questions (a search, an organisation, a network) many
times between two changes of the data. :func:`cached` keeps each answer in a bounded
in-process LRU, under the store's *data version*: a counter in the store that every
write which changes what a reader sees raises in its own transaction (ingests, user
imports, review decisions, plan edits, accounts: see :mod:`bioconnect.store.changes`).
Sign-ins and sign-outs do not raise it, so they leave every worker's cache warm. A new
version means "maybe changed", an unchanged version "unchanged".

The version is read with one cheap query and remembered for at most
:data:`VERSION_TTL` seconds per process; a transaction this process commits makes the
next read ask again (see :func:`bioconnect.store.database.local_commits`). Another
worker's write is therefore seen within a second.

Cached values are shared between callers: treat them as read-only.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine

from bioconnect.store import changes
from bioconnect.store.database import local_commits, store_key

VERSION_TTL = 1.0
"""Seconds a process trusts the data version it last read (writes of its own excepted)."""

T = TypeVar("T")
DataVersion = int


@dataclass(frozen=True)
class _Seen:
    version: DataVersion
    commits: int
    at: float


_VERSIONS: dict[str, _Seen] = {}
_VERSIONS_LOCK = threading.Lock()


def read_data_version(engine: Engine) -> DataVersion:
    """The store's data version, asked of the store (one single-row query)."""
    with engine.connect() as conn:
        return changes.read_data_version(conn)


def data_version(engine: Engine) -> DataVersion:
    """The store's data version, read at most once per :data:`VERSION_TTL` seconds."""
    key = store_key(engine)
    commits = local_commits(engine)
    now = time.monotonic()
    seen = _VERSIONS.get(key)
    if seen is not None and seen.commits == commits and now - seen.at < VERSION_TTL:
        return seen.version
    version = read_data_version(engine)
    with _VERSIONS_LOCK:
        _VERSIONS[key] = _Seen(version, commits, now)
    return version


class LRU:
    """A thread-safe mapping that keeps at most ``max_entries`` of the latest used items."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def cached(
    engine: Engine, lru: LRU, key: Hashable, compute: Callable[[], T], *, refresh: bool = False
) -> T:
    """``compute()``'s result for ``key`` on ``engine``'s store, computed once per data version.

    ``refresh`` computes it again even when it is kept.

    Example
    -------
    >>> from bioconnect.store.database import open_store
    >>> engine = open_store("sqlite:///:memory:")
    >>> answers = LRU(8)
    >>> cached(engine, answers, "two", lambda: 1 + 1)
    2
    >>> cached(engine, answers, "two", lambda: 3)  # the data has not changed
    2
    """
    version = data_version(engine)
    full_key = (store_key(engine), key)
    hit = None if refresh else lru.get(full_key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    lru.put(full_key, (version, value))
    return value
