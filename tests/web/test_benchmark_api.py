"""The benchmark API and pages in-process, on the Baltic store with the EIS 2025 imported.

The answers equal the services' read models; the exports are the pages' tables; without an
edition every route says how to import one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bioconnect.services.benchmark import benchmark_best_practice, benchmark_groups
from bioconnect.services.benchmark_overview import (
    IMPORT_COMMAND,
    benchmark_overview,
    biotech_overview,
    import_default_edition,
)
from bioconnect.store.database import open_store
from webkit import role_clients


@pytest.fixture(scope="module")
def client(baltic_eis: Engine) -> TestClient:
    return role_clients(baltic_eis).by_role["viewer"]


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[TestClient]:
    engine = open_store(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    yield role_clients(engine).by_role["viewer"]
    engine.dispose()


def test_overview_equals_the_services(client: TestClient, baltic_eis: Engine) -> None:
    body = client.get("/api/v1/benchmark/overview").json()
    assert body["countries"] == ["EE", "LV", "LT"] and body["reference"] == "FI"
    odds = {o["country"]: o for o in body["odds"]}
    groups = benchmark_groups(baltic_eis)
    for country in ("EE", "LV", "LT", "FI"):
        call = groups.groups[country][body["year"]]
        assert odds[country]["group"] == call.group == odds[country]["file_label"]
        assert odds[country]["probabilities"] == pytest.approx(call.probabilities)
    # Latvia is surely emerging; Estonia, near the 100 % line, could be moderate
    assert odds["LV"]["probabilities"]["Emerging"] > 0.95
    assert 0.1 < odds["EE"]["probabilities"]["Moderate"] < 0.5
    matrix = benchmark_best_practice(baltic_eis, ["EE", "LV", "LT"], "FI", body["year"])
    assert body["best_practice"] == matrix.model_dump()
    assert client.get("/api/v1/benchmark/best-practice").json() == matrix.model_dump()


def test_groups_and_editions(client: TestClient, baltic_eis: Engine) -> None:
    editions = client.get("/api/v1/benchmark/editions").json()
    assert [e["name"] for e in editions] == ["EIS 2025"]
    body = client.get("/api/v1/benchmark/groups").json()
    assert body["groups"]["LV"]["2025"]["group"] == "Emerging"
    assert len(body["groups"]) == 39  # 40 units less the EU itself


def test_biotech_route_is_the_service(client: TestClient, baltic_eis: Engine) -> None:
    body = client.get("/api/v1/benchmark/biotech").json()
    index = biotech_overview(baltic_eis)
    assert body == index.model_dump(mode="json")
    assert len(body["units"]) == 27


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_the_page_tables(client: TestClient, baltic_eis: Engine, fmt: str) -> None:
    overview = benchmark_overview(baltic_eis)
    response = client.get(f"/api/v1/benchmark/exports/best-practice?format={fmt}")
    assert response.status_code == 200
    raw = io.BytesIO(response.content)
    frame = pd.read_csv(raw) if fmt == "csv" else pd.read_excel(raw)
    assert list(frame.columns) == ["dimension", "name", "EE", "LV", "LT"]
    for row in frame.itertuples(index=False):
        for country in ("EE", "LV", "LT"):
            expected = overview.best_practice.matrix[country][str(row.dimension)]
            assert getattr(row, country) == pytest.approx(expected)
    biotech = pd.read_csv(
        io.BytesIO(client.get("/api/v1/benchmark/exports/biotech?format=csv").content)
    )
    index = biotech_overview(baltic_eis)
    assert list(biotech["country"]) == [r.unit for r in index.rows]
    assert list(biotech["BioIndex"]) == pytest.approx([r.score for r in index.rows])


def test_pages_show_the_figures(client: TestClient) -> None:
    page = client.get("/benchmark")
    assert page.status_code == 200
    assert 'data-vega-spec="bench-bp-spec"' in page.text and "Emerging" in page.text
    biotech = client.get("/benchmark/biotech")
    assert biotech.status_code == 200 and 'data-testid="score-EE"' in biotech.text


def test_without_an_edition_each_route_says_how(empty: TestClient) -> None:
    page = empty.get("/benchmark")
    assert page.status_code == 200 and IMPORT_COMMAND in page.text
    answer = empty.get("/api/v1/benchmark/overview")
    assert answer.status_code == 404
    assert "benchmark import" in answer.json()["detail"]["fix"]
    assert empty.get("/api/v1/benchmark/editions").json() == []
    assert empty.get("/api/v1/benchmark/exports/nothing").status_code == 422


def test_up_imports_the_default_edition_once(engine: Engine, data_dir: Path) -> None:
    first = import_default_edition(engine, data_dir, actor="tests")
    assert first.status == "imported" and first.edition is not None
    assert first.edition.name == "EIS 2025"
    again = import_default_edition(engine, data_dir, actor="tests")
    assert again.status == "stored" and again.edition == first.edition
    missing = import_default_edition(engine, data_dir / "eis", actor="tests")
    assert missing.status == "missing" and missing.edition is None


def _upload(client: TestClient, files: dict[str, tuple[str, bytes]], runs: str = "64") -> Any:
    from webkit import csrf_headers

    headers = csrf_headers(client)
    return client.post(
        "/benchmark/builder",
        data={"csrf_token": headers["X-CSRF-Token"], "runs": runs},
        files={k: (name, content) for k, (name, content) in files.items()},
    )


def test_the_index_builder_builds_an_uploaded_pair(empty: TestClient, data_dir: Path) -> None:
    asem = data_dir / "coinr-asem"
    pipeline = Path(__file__).resolve().parents[2] / "examples/coinr-asem/pipeline.yaml"
    files = {
        "data": ("ASEM_iData.csv", (asem / "ASEM_iData.csv").read_bytes()),
        "meta": ("ASEM_iMeta.csv", (asem / "ASEM_iMeta.csv").read_bytes()),
        "pipeline": ("pipeline.yaml", pipeline.read_bytes()),
    }
    page = _upload(empty, files)
    assert page.status_code == 200, page.text[:500]
    assert 'data-testid="builder-score-CHE">68.384<' in page.text  # COINr's Index
    assert 'data-vega-spec="builder-ranks-spec"' in page.text


def test_the_index_builder_names_the_bad_cell(empty: TestClient, data_dir: Path) -> None:
    asem = data_dir / "coinr-asem"
    meta = (asem / "ASEM_iMeta.csv").read_text(encoding="utf-8").splitlines()
    meta[1] = meta[1].replace(",1,1,", ",1,-1,", 1)  # LPI's weight
    files = {
        "data": ("ASEM_iData.csv", (asem / "ASEM_iData.csv").read_bytes()),
        "meta": ("my-meta.csv", "\n".join(meta).encode()),
    }
    page = _upload(empty, files)
    assert page.status_code == 400
    assert "my-meta.csv, row 2, column Weight: -1 is negative." in page.text
    assert _upload(empty, {"data": files["data"]}).status_code == 400
    assert "out of range" in _upload(empty, {**files}, runs="9").text
