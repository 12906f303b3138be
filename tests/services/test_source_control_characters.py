"""A NUL byte in a source file (issue 11, item 4): removed at read time as a documented
repair, so SQLite and PostgreSQL store the same name and the PostgreSQL ingest no longer
crashes. The list rows are illustrative (made up for this test, not real data)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from bioconnect.model.mapping import Mapping
from bioconnect.services.ingest import ingest
from bioconnect.services.user_sources import import_user_source
from bioconnect.sources.mapped import read_mapped
from bioconnect.store import schema
from storekit import preset_with

MAPPING = """
name: stakeholders
targets:
  - entity: organisation
    fields:
      name: Organisation
      country: Country
"""


def _write(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "stakeholders.csv"
    rows = [{"Organisation": "Nul\x00 Bio\x07 OÜ", "Country": "EE"}]
    pd.DataFrame(rows).to_csv(path, index=False)
    mapping = tmp_path / "stakeholders.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return path, mapping


def test_a_nul_byte_is_removed_and_recorded_as_a_repair(tmp_path: Path) -> None:
    import yaml

    path, mapping = _write(tmp_path)
    read = read_mapped(path, Mapping.model_validate(yaml.safe_load(mapping.read_text())))
    assert read.records["organisation"]["name"].tolist() == ["Nul Bio OÜ"]
    assert [(r.row, r.kind) for r in read.repairs] == [(2, "control-character")]


def test_both_engines_store_the_name_without_the_nul(
    engine: Engine, tmp_path: Path, data_dir: Path
) -> None:
    path, mapping = _write(tmp_path)
    data = tmp_path / "data"
    (data / "cordis/h2020").mkdir(parents=True)
    rows = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    rows[rows["country"] == "EE"].to_csv(data / "cordis/h2020/h2020.csv.gz", index=False)
    (data / "cordis/h2020/organizations_2017.csv").symlink_to(
        data_dir / "cordis/h2020/organizations_2017.csv"
    )
    ingest(engine, preset_with("h2020-participations", "h2020-organisation-names"), data)
    import_user_source(engine, path, mapping, actor="analyst", data_dir=data)
    with engine.connect() as conn:
        names = conn.execute(
            select(schema.Organisation.name).where(schema.Organisation.name.like("Nul%"))
        )
        assert names.scalars().all() == ["Nul Bio OÜ"]
