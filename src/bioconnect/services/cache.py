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

Callers cannot corrupt what the cache keeps: an answer made of dicts, lists, tuples,
sets, frozen dataclasses and plain values (numbers, text, dates) is frozen once, when it
is computed (:func:`freeze`: :class:`FrozenDict`, :class:`FrozenList`, tuples,
frozensets), and every reader gets the same frozen object; changing it raises
``TypeError``. Any other answer (a ``DataFrame``, a pydantic model) is copied
(:func:`copy.deepcopy`) for every reader instead.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from pathlib import PurePath
from typing import Any, NoReturn, TypeVar, cast

from sqlalchemy import Engine

from bioconnect.store import changes
from bioconnect.store.database import (
    NotInMemory,
    in_memory_only_mode,
    local_commits,
    memory_only,
    store_key,
)

VERSION_TTL = 1.0
"""Seconds a process trusts the data version it last read (writes of its own excepted)."""

T = TypeVar("T")
DataVersion = int


def from_memory(func: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[bool, T | None]:
    """``(True, func(*args, **kwargs))`` when it can be answered from what is kept in memory,
    without a statement to the store (the data version is fresh and every :func:`cached`
    answer it needs is kept); otherwise ``(False, None)``, and nothing was computed.

    ``func`` must only read (it may be stopped at its first statement). A server calls
    this on its event loop and, on ``False``, calls ``func`` again in a worker thread.

    Example
    -------
    >>> from bioconnect.store.database import open_store
    >>> engine = open_store("sqlite:///:memory:")
    >>> answers = LRU(8)
    >>> def answer() -> int:
    ...     return cached(engine, answers, "two", lambda: 1 + 1)
    >>> from_memory(answer)  # not kept yet (and the version not read)
    (False, None)
    >>> answer()
    2
    >>> from_memory(answer)
    (True, 2)
    """
    try:
        with memory_only():
            return True, func(*args, **kwargs)
    except NotInMemory:
        return False, None


@dataclasses.dataclass(frozen=True)
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
    if in_memory_only_mode():
        raise NotInMemory("the data version is due to be read again")
    return _read_and_keep(engine, key, commits, now)


def refresh_data_version(engine: Engine) -> DataVersion:
    """Read the store's data version now and trust it for the next :data:`VERSION_TTL`.

    A server calls this every half :data:`VERSION_TTL` in the background, so that a
    request never finds the version due (:func:`from_memory` would then send it, and every
    request arriving while the version is read, to a worker thread, each reading it).
    """
    return _read_and_keep(engine, store_key(engine), local_commits(engine), time.monotonic())


def _read_and_keep(engine: Engine, key: str, commits: int, now: float) -> DataVersion:
    version = read_data_version(engine)
    with _VERSIONS_LOCK:
        _VERSIONS[key] = _Seen(version, commits, now)
    return version


# --- values readers cannot change ----------------------------------------------------

_READ_ONLY = "A cached value is read-only: copy it first (dict(value), list(value))."


class FrozenDict(dict[Any, Any]):
    """A ``dict`` that refuses changes. ``dict(value)`` is a plain (shallow) copy.

    It is still a ``dict``, so JSON encoders, templates and pydantic read it as one.

    Example
    -------
    >>> org = FrozenDict(name="Tartu Ülikool")
    >>> org["name"] = "changed"
    Traceback (most recent call last):
    ...
    TypeError: A cached value is read-only: copy it first (dict(value), list(value)).
    >>> {**org, "name": "changed"}
    {'name': 'changed'}
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(_READ_ONLY)

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle without __setitem__
        return (type(self), (dict(self),))


class FrozenList(list[Any]):
    """A ``list`` that refuses changes. Slices and ``list(value)`` are plain lists."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(_READ_ONLY)

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (list(self),))


class Unfreezable(TypeError):
    """Raised by :func:`freeze` for a value it cannot make read-only."""


_IMMUTABLE = (
    str,
    bytes,
    int,
    float,
    complex,
    Decimal,
    Fraction,
    date,
    datetime,
    clock_time,
    timedelta,
    Enum,
    uuid.UUID,
    PurePath,
    range,
    type(None),
)

_PLAIN = frozenset({str, int, float, bool, type(None)})  # the common case, checked first


def freeze(value: T) -> T:
    """``value`` with every dict, list and set in it made read-only (a deep, frozen copy).

    Plain values (numbers, text, bytes, dates, enums, None) are kept, tuples and frozen
    dataclasses are rebuilt around frozen items (or kept when nothing in them changed).

    Raises
    ------
    Unfreezable
        When ``value`` holds anything else (a DataFrame, a pydantic model that is not
        frozen, a mutable object): :func:`cached` copies such answers for every reader instead.

    Example
    -------
    >>> frozen = freeze({"projects": [{"id": 1}], "countries": {"EE"}})
    >>> frozen
    {'projects': [{'id': 1}], 'countries': frozenset({'EE'})}
    >>> frozen["projects"].append({"id": 2})
    Traceback (most recent call last):
    ...
    TypeError: A cached value is read-only: copy it first (dict(value), list(value)).
    """
    return cast(T, _freeze(value))


def _freeze(value: Any) -> Any:
    if type(value) in _PLAIN or isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, dict):
        return FrozenDict(
            {key: item if type(item) in _PLAIN else _freeze(item) for key, item in value.items()}
        )
    if isinstance(value, list):
        return FrozenList([item if type(item) in _PLAIN else _freeze(item) for item in value])
    if isinstance(value, tuple):
        items = [_freeze(item) for item in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, set | frozenset):
        return frozenset(_freeze(item) for item in value)
    if _is_frozen_dataclass(value):
        return _freeze_dataclass(value)
    if _is_frozen_model(value):
        return _freeze_model(value)
    raise Unfreezable(f"{type(value).__name__} cannot be frozen")


def _is_frozen_model(value: Any) -> bool:
    """A pydantic model whose fields cannot be set (``ConfigDict(frozen=True)``)."""
    config = getattr(type(value), "model_config", None)
    return (
        isinstance(config, dict)
        and bool(config.get("frozen"))
        and hasattr(value, "model_fields_set")
    )


def _freeze_model(value: Any) -> Any:
    """The model rebuilt around frozen field values (no validation runs again)."""
    model = type(value)
    fields = {name: _freeze(getattr(value, name)) for name in model.model_fields}
    return model.model_construct(_fields_set=value.model_fields_set, **fields)


def _is_frozen_dataclass(value: Any) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and bool(params.frozen)


def _freeze_dataclass(value: Any) -> Any:
    fields = dataclasses.fields(value)
    changed = {}
    for field in fields:
        item = getattr(value, field.name)
        frozen = _freeze(item)
        if frozen is not item:
            if not field.init:
                raise Unfreezable(f"{type(value).__name__}.{field.name} cannot be frozen")
            changed[field.name] = frozen
    return dataclasses.replace(value, **changed) if changed else value


@dataclasses.dataclass(frozen=True)
class _Entry:
    version: DataVersion
    value: Any
    copied: bool  # True: value could not be frozen, so each reader gets a deep copy

    def get(self) -> Any:
        return copy.deepcopy(self.value) if self.copied else self.value


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

    The result comes back frozen (:func:`freeze`), the same object for every reader, or,
    when it cannot be frozen, as a deep copy for each. ``refresh`` computes it again even
    when it is kept.

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
    if hit is not None and hit.version == version:
        return hit.get()
    if in_memory_only_mode():
        raise NotInMemory(f"{key!r} is not kept")
    value = compute()
    try:
        entry = _Entry(version, freeze(value), copied=False)
    except Unfreezable:
        entry = _Entry(version, value, copied=True)
    lru.put(full_key, entry)
    return entry.get()
