"""Properties: re-ingesting changes nothing, and an export reads back as it was written."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from bioconnect.model.mapping import load_mapping
from bioconnect.model.preset import load_preset
from bioconnect.services.export import (
    COLUMNS,
    export_mapping,
    export_organisations,
    organisation_rows,
)
from bioconnect.services.ingest import ingest
from bioconnect.sources.mapped import read_mapped
from bioconnect.store.database import open_store
from storekit import DATA, preset_with, table_snapshot

SUBSET = DATA / "cordis/horizon-europe/organization_subset.csv"


def _project_ids() -> list[str]:
    frame = pd.read_csv(SUBSET, sep=";", dtype=str, usecols=["projectID"])
    return sorted(frame["projectID"].unique())[:200]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    projects=st.sets(st.sampled_from(_project_ids()), min_size=1, max_size=8), reverse=st.booleans()
)
def test_reingesting_the_same_rows_changes_nothing(projects: set[str], reverse: bool) -> None:
    """Real participation rows of some projects, ingested twice, leave identical tables."""
    raw = SUBSET.read_text(encoding="utf-8").splitlines()
    header, rows = raw[0], [r for r in raw[1:] if r.split(";", 1)[0] in projects]
    if reverse:
        rows = rows[::-1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "cordis/horizon-europe").mkdir(parents=True)
        (folder / "cordis/horizon-europe/organization_subset.csv").write_text(
            "\n".join([header, *rows]) + "\n", encoding="utf-8"
        )
        engine = open_store(f"sqlite:///{folder / 'store.sqlite'}")
        preset = preset_with("horizon-participations")
        ingest(engine, preset, folder)
        first = table_snapshot(engine)
        ingest(engine, preset, folder)
        assert table_snapshot(engine) == first
        engine.dispose()


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["pic", "name", "country", "city", "stakeholder_group", "lat", "lon", "url"]
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return out.sort_values(["country", "name", "pic"], key=lambda s: s.astype(str)).reset_index(
        drop=True
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(baltic_store: Engine, tmp_path: Path, fmt: str) -> None:
    @settings(
        max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(countries=st.sets(st.sampled_from(load_preset("baltic").all_countries), min_size=1))
    def check(countries: set[str]) -> None:
        chosen = sorted(countries)
        path = tmp_path / f"orgs-{'-'.join(chosen)}.{fmt}"
        written = export_organisations(baltic_store, path, countries=chosen)
        stored = pd.DataFrame(organisation_rows(baltic_store, chosen), columns=list(COLUMNS))
        assert written == len(stored)
        back = read_mapped(path, export_mapping()).records["organisation"]
        assert len(back) == written
        pd.testing.assert_frame_equal(_normalised(back), _normalised(stored), check_dtype=False)

    check()


def test_the_export_mapping_is_a_valid_user_mapping(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        (Path(__file__).parents[2] / "src/bioconnect/sources/organisations_export.yaml").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    assert load_mapping(path) == export_mapping()
