"""Shared fixtures: the real data folder, and stores on SQLite and PostgreSQL (see storekit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storekit import BACKENDS, DATA, make_store_url


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


@pytest.fixture(scope="session", params=BACKENDS)
def baltic_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> Iterator[Engine]:
    """The whole Baltic preset ingested from the real data, once per backend (read-only!)."""
    from bioconnect.services.ingest import ingest
    from bioconnect.store.database import open_store

    for url in make_store_url(request.param, tmp_path_factory.mktemp("baltic")):
        eng = open_store(url)
        ingest(eng, "baltic", data_dir)
        yield eng
        eng.dispose()
