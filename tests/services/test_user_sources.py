"""Issue 10, item 6: users' lists are checked row by row, a PIC claimed across countries
goes to review, and an imported list can be listed and removed, on both engines.

The store holds the real H2020 rows of the region (h2020.csv.gz, filtered) named from
organizations_2017.csv. The user lists are a few typed rows, as a cluster manager keeps
them; the organisations and PICs they name are real ones of that data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services.ingest import ingest
from bioconnect.services.review import list_candidates
from bioconnect.services.user_sources import (
    import_user_source,
    list_user_sources,
    remove_user_source,
)
from bioconnect.store import schema
from storekit import preset_with, table_snapshot

COUNTRIES = ["EE", "LV", "LT", "FI"]
MAPPING = """
name: stakeholders
targets:
  - entity: organisation
    fields:
      name: Organisation
      city: {column: City, optional: true}
      country: Country
      pic: {column: PIC, optional: true}
      stakeholder_group: {column: Group, optional: true}
"""


@pytest.fixture(scope="module")
def region_data(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("region")
    (folder / "cordis/h2020").mkdir(parents=True)
    rows = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    rows[rows["country"].isin(COUNTRIES)].to_csv(folder / "cordis/h2020/h2020.csv.gz", index=False)
    (folder / "cordis/h2020/organizations_2017.csv").symlink_to(
        data_dir / "cordis/h2020/organizations_2017.csv"
    )
    return folder


@pytest.fixture
def store(engine: Engine, region_data: Path) -> Engine:
    ingest(engine, preset_with("h2020-participations", "h2020-organisation-names"), region_data)
    return engine


def _write(tmp_path: Path, rows: list[dict[str, str]]) -> tuple[Path, Path]:
    path = tmp_path / "stakeholders.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    mapping = tmp_path / "stakeholders.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return path, mapping


def _org_ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(schema.Organisation.id)).scalars())


def test_bad_rows_are_listed_in_one_error_and_nothing_is_stored(
    store: Engine, region_data: Path, tmp_path: Path
) -> None:
    before = table_snapshot(store)
    path, mapping = _write(
        tmp_path,
        [
            {"Organisation": "Tartu Ülikool", "Country": "EE", "PIC": "999895013", "Group": ""},
            {"Organisation": "Wizards Ltd", "Country": "ZZZ", "PIC": "", "Group": "wizards"},
            {"Organisation": "Some OÜ", "Country": "EE", "PIC": "abc", "Group": "industry"},
            {"Organisation": "lower case", "Country": "ee", "PIC": "", "Group": ""},
        ],
    )
    with pytest.raises(InputError) as err:
        import_user_source(store, path, mapping, actor="analyst", data_dir=region_data)
    message = str(err.value)
    assert "stakeholders.csv: 4 cell(s) are not valid" in message
    assert "row 3, column 'Country': 'ZZZ' is not an ISO 3166-1 country code" in message
    assert "row 3, column 'Group': 'wizards' is not a stakeholder group" in message
    assert "row 4, column 'PIC': 'abc' is not a PIC (nine digits)" in message
    assert (
        "row 5, column 'Country': 'ee' is not an ISO 3166-1 country code (write it in capitals)"
        in message
    )
    assert "nothing was stored" in message
    assert table_snapshot(store) == before
    assert list_user_sources(store) == []


def test_a_pic_claimed_across_countries_is_a_review_pair_not_a_merge(
    store: Engine, region_data: Path, tmp_path: Path
) -> None:
    with store.connect() as conn:
        finnish = conn.execute(
            select(schema.Organisation.id, schema.Organisation.name)
            .where(schema.Organisation.country == "FI", schema.Organisation.name.is_not(None))
            .order_by(schema.Organisation.n_projects.desc())
            .limit(1)
        ).one()
    path, mapping = _write(
        tmp_path,
        [
            {
                "Organisation": "Vilniaus universitetas",
                "City": "Vilnius",
                "Country": "LT",
                "PIC": finnish.id,
                "Group": "academia",
            }
        ],
    )
    import_user_source(store, path, mapping, actor="analyst", data_dir=region_data)
    with store.connect() as conn:
        org = conn.execute(
            select(schema.Organisation.country, schema.Organisation.name).where(
                schema.Organisation.id == finnish.id
            )
        ).one()
    assert tuple(org) == ("FI", finnish.name)  # not merged into the Finnish organisation
    pairs = [c for c in list_candidates(store, "pending") if c.right_key == f"pic:{finnish.id}"]
    assert len(pairs) == 1
    assert pairs[0].left_name == "Vilniaus universitetas"
    assert f"PIC {finnish.id} is {finnish.name} (FI)" in (pairs[0].evidence or "")
    assert "this row says LT" in (pairs[0].evidence or "")


def test_remove_restores_the_store_as_it_was_before_the_import(
    store: Engine, region_data: Path, tmp_path: Path
) -> None:
    before, ids = table_snapshot(store), _org_ids(store)
    path, mapping = _write(
        tmp_path,
        [
            {
                "Organisation": "Tallinna Tehnikaulikool (TalTech)",
                "City": "Tallinn",
                "Country": "EE",
                "PIC": "",
                "Group": "",
            },
            {
                "Organisation": "A new Baltic biotech start-up",
                "City": "Riga",
                "Country": "LV",
                "PIC": "",
                "Group": "industry",
            },
        ],
    )
    import_user_source(store, path, mapping, name="my-list", actor="analyst", data_dir=region_data)
    listed = list_user_sources(store)
    assert [(s.name, s.path, s.file_exists) for s in listed] == [("my-list", str(path), True)]
    # the start-up is new; TalTech, its acronym in parentheses, is merged with TalTech
    assert len(_org_ids(store)) == len(ids) + 1

    with pytest.raises(NotFoundError, match="No user source named 'nope'"):
        remove_user_source(store, "nope", actor="analyst", data_dir=region_data)
    remove_user_source(store, "my-list", actor="analyst", data_dir=region_data)
    assert list_user_sources(store) == []
    assert _org_ids(store) == ids
    after = table_snapshot(store)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    assert after == before
    with store.connect() as conn:
        actions = conn.execute(select(schema.AuditEntry.action, schema.AuditEntry.entity_id)).all()
    assert ("sources.add", "my-list") in actions and ("sources.remove", "my-list") in actions


def test_a_ragged_csv_is_one_error_with_its_line_and_nothing_is_stored(
    store: Engine, region_data: Path, tmp_path: Path
) -> None:
    """Issue 11, item 9: the reader's error names the line, before anything is written."""
    before = table_snapshot(store)
    path = tmp_path / "stakeholders.csv"
    path.write_text(
        "Organisation,Country,PIC,Group\nTartu Ülikool,EE,999895013,\nSome OÜ,EE\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "stakeholders.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_user_source(store, path, mapping, actor="analyst", data_dir=region_data)
    assert str(err.value).startswith(
        "stakeholders.csv: line 3 has 2 fields where the header has 4."
    )
    assert table_snapshot(store) == before
    assert list_user_sources(store) == []
