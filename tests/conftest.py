"""Shared fixtures: the real data folder, and stores on SQLite and PostgreSQL (see storekit)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from storekit import BACKENDS, DATA, copy_sqlite, make_store_url

# The browser tests' notes (tests/web/browserkit.NOTES): printed at the end of the run. Under
# pytest-xdist each worker sends its notes to the controller, which prints them all.
_WORKER_NOTES: list[str] = []


def _browser_notes() -> list[str]:
    browserkit = sys.modules.get("browserkit")
    return list(getattr(browserkit, "NOTES", []))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["browser_notes"] = _browser_notes()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    _WORKER_NOTES.extend(getattr(node, "workeroutput", {}).get("browser_notes", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    notes = _browser_notes() + _WORKER_NOTES
    if notes:
        terminalreporter.section("browser notes")
        for note in notes:
            terminalreporter.write_line(note)


# argon2id hashes of the test passwords, made once per process (see the fixture below).
_PASSWORD_HASHES: dict[str | bytes, str] = {}


@pytest.fixture(autouse=True)
def _one_hash_per_test_password(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside tests/services/test_accounts.py, a password's hash is made once and reused.

    Hashing is argon2id with the production parameters, ~0.2 s a hash by design, and the
    tests add hundreds of users with the same few passwords (a replayed Pol.is vote log
    alone adds 204): ~90 s of a run. The reused hash is a real one, and signing in still
    verifies it at full cost; only the salt is shared between test users. The account tests,
    which are about the hashing, hash every password anew.
    """
    if request.node.path.name == "test_accounts.py":
        return
    from argon2 import PasswordHasher

    class _OncePerPassword(PasswordHasher):
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            if salt is not None:
                return super().hash(password, salt=salt)
            if password not in _PASSWORD_HASHES:
                _PASSWORD_HASHES[password] = super().hash(password)
            return _PASSWORD_HASHES[password]

    monkeypatch.setattr("bioconnect.services.accounts._hasher", _OncePerPassword)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "cordis").is_dir():
        pytest.fail(f"The real data folder {DATA} is missing; tests read ../shared/data.")
    return DATA


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store URL, once on SQLite and once on PostgreSQL."""
    yield from make_store_url(request.param, tmp_path)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    from bioconnect.store.database import open_store

    eng = open_store(store_url)
    yield eng
    eng.dispose()


class _BalticStores:
    """Ingested Baltic stores, made on first use, one per backend, for the whole session."""

    def __init__(self, factory: pytest.TempPathFactory, data_dir: Path) -> None:
        self.factory = factory
        self.data_dir = data_dir
        self.stack = ExitStack()
        self.engines: dict[str, Engine] = {}

    def get(self, backend: str) -> Engine:
        if backend not in self.engines:
            from bioconnect.services.ingest import ingest
            from bioconnect.store.database import open_store

            urls = make_store_url(backend, self.factory.mktemp(f"baltic-{backend}"))
            url = next(urls)
            self.stack.callback(lambda: next(urls, None))
            eng = open_store(url)
            self.stack.callback(eng.dispose)
            ingest(eng, "baltic", self.data_dir)
            self.engines[backend] = eng
        return self.engines[backend]


@pytest.fixture(scope="session")
def baltic_stores(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> Iterator[_BalticStores]:
    stores = _BalticStores(tmp_path_factory, data_dir)
    with stores.stack:
        yield stores


@pytest.fixture(scope="session", params=BACKENDS)
def baltic_store(request: pytest.FixtureRequest, baltic_stores: _BalticStores) -> Engine:
    """The whole Baltic preset ingested from the real data, once per backend (read-only!)."""
    return baltic_stores.get(request.param)


@pytest.fixture(scope="session")
def baltic_sqlite(baltic_stores: _BalticStores) -> Engine:
    """The SQLite one of :func:`baltic_store`, for tests that run on one backend only."""
    return baltic_stores.get("sqlite")


EIS_2025 = DATA / "eis" / "2025" / "EIS_web_download.xlsx"


@pytest.fixture(scope="session")
def baltic_eis(baltic_sqlite: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A copy of the SQLite Baltic store with the EIS 2025 edition imported (the shared
    store stays without one); for the benchmark pages and the biotech index."""
    from bioconnect.services.benchmark import import_edition
    from bioconnect.store.database import open_store

    copy = tmp_path_factory.mktemp("baltic-eis") / "store.sqlite"
    eng = open_store(copy_sqlite(baltic_sqlite, copy))
    import_edition(eng, EIS_2025, actor="tests")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def hostile_store(
    tmp_path_factory: pytest.TempPathFactory, baltic_sqlite: Engine
) -> Iterator[Engine]:
    """A copy of the SQLite Baltic store with the hostile-names list imported (the user's
    way: ``import_user_source``) and a plan whose initiative those organisations lead;
    the session's store stays as it is. See hostilekit for the list (test input)."""
    from bioconnect.services.user_sources import import_user_source
    from bioconnect.store.database import open_store
    from hostilekit import MAPPING, SOURCE, store_plan, write_list

    folder = tmp_path_factory.mktemp("hostile")
    engine = open_store(copy_sqlite(baltic_sqlite, folder / "store.sqlite"))
    import_user_source(engine, write_list(folder), MAPPING, name=SOURCE, actor="tests")
    store_plan(engine)
    yield engine
    engine.dispose()
