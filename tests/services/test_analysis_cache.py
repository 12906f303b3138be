"""Issue 11, item 6: the stored analysis cache is bounded (before: every new network filter
added a row, and nothing evicted them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bioconnect.model.preset import Source, load_preset
from bioconnect.services import network as network_service
from bioconnect.services.ingest import ingest
from bioconnect.services.network import NetworkQuery, network_summary
from bioconnect.store import schema

SAMPLES = "cordis/horizon-europe-official-samples"


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.AnalysisResult)).scalar())


def test_new_filters_do_not_grow_the_cache_without_bound(
    engine: Engine, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(data_dir / SAMPLES, tmp_path / SAMPLES)
    source = Source(name="samples", kind="cordis", path=SAMPLES, programme="HORIZON")
    preset = load_preset("baltic").model_copy(update={"sources": [source]})
    ingest(engine, preset, tmp_path)
    monkeypatch.setattr(network_service, "CACHE_ROWS", 3)
    scopes = ["region", "region_plus_partners"]
    weights = ["projects", "fractional", "funding"]
    for scope in scopes:
        for weight in weights:
            network_summary(engine, NetworkQuery(scope=scope, weight=weight))
            assert _rows(engine) <= 3
    # the newest result is still a hit
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(schema.AnalysisResult.id))).scalar()
    network_summary(engine, NetworkQuery(scope="region_plus_partners", weight="funding"))
    with engine.connect() as conn:
        assert conn.execute(select(func.max(schema.AnalysisResult.id))).scalar() == newest
    # a new ingest makes the earlier results unreachable: the next write drops them
    ingest(engine, preset, tmp_path)
    network_summary(engine, NetworkQuery())
    assert _rows(engine) == 1
