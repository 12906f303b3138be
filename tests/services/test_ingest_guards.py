"""Issue 11, item 7: an ingest does not silently wipe a source, and a moved list is named.

The store is the official Horizon Europe samples (100 real participations of 42 projects),
copied to a folder of the test's own so that its files can be cut or moved.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from bioconnect.errors import InputError
from bioconnect.model.preset import Source, load_preset
from bioconnect.services.ingest import ingest
from bioconnect.services.user_sources import import_user_source
from storekit import table_snapshot

SAMPLES = "cordis/horizon-europe-official-samples"


@pytest.fixture
def folder(data_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir / SAMPLES, target / SAMPLES)
    return target


def _preset():  # type: ignore[no-untyped-def]
    baltic = load_preset("baltic")
    source = Source(name="horizon-samples", kind="cordis", path=SAMPLES, programme="HORIZON")
    return baltic.model_copy(update={"sources": [source]})


def test_a_header_only_file_is_refused_and_nothing_is_written(engine: Engine, folder: Path) -> None:
    ingest(engine, _preset(), folder)
    before = table_snapshot(engine)
    organisations = folder / SAMPLES / "organization.csv"
    header = organisations.read_text(encoding="utf-8").splitlines()[0]
    organisations.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest(engine, _preset(), folder)
    message = str(err.value)
    assert "Source 'horizon-samples'" in message and "against" in message
    assert "--allow-shrink" in message and "Nothing was written" in message
    assert table_snapshot(engine) == before
    # the user says the source really shrank
    ingest(engine, _preset(), folder, allow_shrink=True)
    assert table_snapshot(engine)["participation"][0] == 0


def test_a_moved_list_is_named_with_the_ways_out(
    engine: Engine, folder: Path, tmp_path: Path
) -> None:
    ingest(engine, _preset(), folder)
    members = tmp_path / "members.csv"
    pd.DataFrame({"Organisation": ["Tartu Ülikool"], "Country": ["EE"]}).to_csv(
        members, index=False
    )
    mapping = tmp_path / "members.yaml"
    mapping.write_text(
        "name: members\ntargets:\n  - entity: organisation\n    fields:\n"
        "      name: Organisation\n      country: Country\n",
        encoding="utf-8",
    )
    import_user_source(engine, members, mapping, name="members", data_dir=folder)
    members.rename(tmp_path / "elsewhere.csv")
    with pytest.raises(InputError) as err:
        ingest(engine, _preset(), folder)
    message = str(err.value)
    assert f"File {members} does not exist. It is your imported list 'members'" in message
    assert "bioconnect sources remove members" in message
    assert "fetch" not in message
