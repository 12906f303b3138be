"""The entity-resolution review queue, end to end, on real Baltic records.

The store holds the H2020 participations of Baltic and Finnish organisations (real rows
of h2020.csv.gz, filtered) named from organizations_2017.csv. A stakeholder list is
built from the Horizon Europe subset's Baltic participants, without their PICs, as a
user would keep it in a spreadsheet; the matcher must place each of them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from bioconnect.errors import NotFoundError
from bioconnect.model.mapping import Mapping
from bioconnect.model.preset import Preset, Source
from bioconnect.registry.resolve import resolve
from bioconnect.services.ingest import ingest
from bioconnect.services.review import (
    GROUPED,
    Candidate,
    compute_registry,
    decide,
    list_candidates,
)
from bioconnect.services.user_sources import import_user_source
from bioconnect.store import schema
from storekit import preset_with, table_snapshot

COUNTRIES = ["EE", "LV", "LT", "FI"]

USER_MAPPING = """
name: stakeholders
targets:
  - entity: organisation
    fields:
      name: Organisation
      short_name: Short name
      activity_type: Type
      city: City
      country: Country
      url: Website
"""


@pytest.fixture(scope="module")
def region_data(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose H2020 file holds only the region's real rows."""
    folder = tmp_path_factory.mktemp("region")
    (folder / "cordis/h2020").mkdir(parents=True)
    rows = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    rows[rows["country"].isin(COUNTRIES)].to_csv(folder / "cordis/h2020/h2020.csv.gz", index=False)
    (folder / "cordis/h2020/organizations_2017.csv").symlink_to(
        data_dir / "cordis/h2020/organizations_2017.csv"
    )
    return folder


@pytest.fixture(scope="module")
def stakeholder_list(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    he = pd.read_csv(data_dir / "cordis/horizon-europe/organization_subset.csv", sep=";", dtype=str)
    he = he[he["country"].isin(["EE", "LV", "LT"])].drop_duplicates("name")
    frame = he[["name", "shortName", "activityType", "city", "country", "organizationURL"]]
    frame.columns = ["Organisation", "Short name", "Type", "City", "Country", "Website"]
    folder = tmp_path_factory.mktemp("users")
    path = folder / "stakeholders.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"about": ["Baltic biotech stakeholders"]}).to_excel(
            writer, sheet_name="notes", index=False
        )
        frame.to_excel(writer, sheet_name="stakeholders", index=False)
    mapping = folder / "stakeholders.yaml"
    mapping.write_text(USER_MAPPING, encoding="utf-8")
    return path, mapping


def _preset() -> Preset:
    return preset_with("h2020-participations", "h2020-organisation-names")


def _org_of(engine: Engine, key: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(schema.RecordLink.org_id).where(schema.RecordLink.record_key == key)
            ).scalar()
        )


def test_review_queue_end_to_end(
    engine: Engine, region_data: Path, stakeholder_list: tuple[Path, Path]
) -> None:
    ingest(engine, _preset(), region_data)
    path, mapping = stakeholder_list
    report = import_user_source(engine, path, mapping, actor="analyst", data_dir=region_data)
    assert report.review_pending >= 2

    # nothing below the merge threshold is merged without review
    with engine.connect() as conn:
        pairs = conn.execute(select(schema.MatchCandidate.__table__)).all()
    assert pairs
    for pair in pairs:
        same = _org_of(engine, pair.left_key) == _org_of(engine, pair.right_key)
        if pair.status in ("pending", "below"):
            assert not same, pair
            assert pair.probability < 0.99
        if pair.status == "auto":
            assert same and pair.probability >= 0.99

    pending = list_candidates(engine, "pending")
    first, second = pending[0], pending[1]
    _check_cards(engine, first)
    merged = decide(engine, first.id, True, actor="analyst", note="same agency")
    assert merged.org_id == _org_of(engine, first.right_key)
    assert _org_of(engine, first.left_key) == _org_of(engine, first.right_key)
    # the merged organisation keeps the PIC and gains the user's name variant
    assert merged.org_id.isdigit()
    second_id = next(
        c.id for c in list_candidates(engine, "pending") if c.left_key == second.left_key
    )
    decide(engine, second_id, False, actor="analyst")
    assert _org_of(engine, second.left_key) != _org_of(engine, second.right_key)
    _check_registry_is_whole(engine)

    with engine.connect() as conn:
        audit = conn.execute(select(schema.AuditEntry.action, schema.AuditEntry.actor)).all()
    assert ("review.accept", "analyst") in audit and ("review.reject", "analyst") in audit

    # decisions survive a re-ingest, and decided pairs are not asked again
    ingest(engine, _preset(), region_data)
    assert _org_of(engine, first.left_key) == _org_of(engine, first.right_key)
    assert _org_of(engine, second.left_key) != _org_of(engine, second.right_key)
    keys = {(c.left_key, c.right_key) for c in list_candidates(engine, "pending")}
    assert (first.left_key, first.right_key) not in keys
    assert (second.left_key, second.right_key) not in keys
    statuses = {(c.left_key, c.right_key): c.status for c in list_candidates(engine, "accepted")}
    assert statuses[(first.left_key, first.right_key)] == "accepted"


def test_other_writers_go_on_while_a_decision_is_computed(
    engine: Engine,
    region_data: Path,
    stakeholder_list: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 11, item 3: a decision rebuilds the registry before it takes the write lock.

    While the first decision is being computed, another connection writes at once (on
    SQLite with no busy timeout at all: before, the decision held the write lock for the
    whole rebuild), and a second decision is made and applied in full. The first one sees
    that its inputs changed, computes again, and both are applied.
    """
    ingest(engine, _preset(), region_data)
    path, mapping = stakeholder_list
    import_user_source(engine, path, mapping, actor="analyst", data_dir=region_data)
    first, second = list_candidates(engine, "pending")[:2]
    calls: list[str] = []

    def resolve_meanwhile(*args: Any, **kwargs: Any) -> Any:
        calls.append("resolve")
        if len(calls) == 1:
            if engine.dialect.name == "sqlite":
                other = sqlite3.connect(engine.url.database or "", timeout=0)
                other.execute("BEGIN IMMEDIATE")  # "database is locked" if anyone writes
                other.execute("UPDATE data_version SET changed_at = changed_at")
                other.commit()
                other.close()
                calls.append("wrote")
            decide(engine, second.id, False, actor="other")
        return resolve(*args, **kwargs)

    monkeypatch.setattr("bioconnect.services.review.resolve", resolve_meanwhile)
    merged = decide(engine, first.id, True, actor="analyst")
    # the first computation, the second decision's, and the first's again
    assert calls.count("resolve") == 3
    assert calls.count("wrote") == (engine.dialect.name == "sqlite")
    assert merged.org_id == _org_of(engine, first.left_key) == _org_of(engine, first.right_key)
    assert _org_of(engine, second.left_key) != _org_of(engine, second.right_key)
    decided = {
        (c.left_key, c.right_key, c.status)
        for status in ("accepted", "rejected")
        for c in list_candidates(engine, status)
    }
    assert decided == {
        (first.left_key, first.right_key, "accepted"),
        (second.left_key, second.right_key, "rejected"),
    }
    assert merged.pending == len(list_candidates(engine, "pending", limit=1000))
    _check_registry_is_whole(engine)


def test_a_decision_whose_inputs_keep_changing_is_a_503_and_saves_nothing(
    engine: Engine,
    region_data: Path,
    stakeholder_list: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another decision lands while each attempt is computed: after the last attempt the
    API answers 503 with Retry-After, and the decision is not stored."""
    from bioconnect.services.accounts import add_user
    from bioconnect.settings import Settings
    from bioconnect.web import create_app
    from webkit import csrf_headers, signed_in

    ingest(engine, _preset(), region_data)
    path, mapping = stakeholder_list
    import_user_source(engine, path, mapping, actor="analyst", data_dir=region_data)
    first, second = list_candidates(engine, "pending")[:2]
    flips = iter([True, False] * 5)
    nested: list[bool] = []

    def resolve_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if not nested:  # each attempt of the first decision, not the other's own rebuild
            nested.append(True)
            decide(engine, _id_of(engine, second), next(flips), actor="other")
            nested.pop()
        return resolve(*args, **kwargs)

    add_user(engine, "reviewer", "correct horse battery staple", "editor")
    client = signed_in(create_app(engine, settings=Settings()), "reviewer")
    monkeypatch.setattr("bioconnect.services.review.ATTEMPTS", 2)
    monkeypatch.setattr("bioconnect.services.review.resolve", resolve_meanwhile)
    answer = client.post(
        f"/api/v1/review/candidates/{first.id}",
        json={"same": True},
        headers=csrf_headers(client),
    )
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert "Nothing was saved" in answer.json()["detail"]["fix"]
    with engine.connect() as conn:
        stored = conn.execute(
            select(schema.MatchDecision.left_key, schema.MatchDecision.decided_by)
        ).all()
    assert [tuple(r) for r in stored] == [(second.left_key, "other")]


def _check_registry_is_whole(engine: Engine) -> None:
    """A decision writes only the organisations it changed: the store then holds what a
    rebuild from scratch computes, row for row, and every participation its record's
    organisation."""
    again = compute_registry(engine)
    assert {c.table: c.keys for c in again.changes} == {name: [] for name in GROUPED}
    assert again.relinked == []
    with engine.connect() as conn:
        astray = conn.exec_driver_sql(
            "SELECT count(*) FROM participation p LEFT JOIN record_link r "
            "ON r.record_key = p.record_key WHERE p.org_id IS DISTINCT FROM r.org_id"
        ).scalar()
    assert astray == 0


def _id_of(engine: Engine, pair: Candidate) -> int:
    """The pair's id now (a rebuild numbers the pairs anew)."""
    table = schema.MatchCandidate
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(table.id).where(
                    table.left_key == pair.left_key, table.right_key == pair.right_key
                )
            ).scalar_one()
        )


def _check_cards(engine: Engine, pair: Candidate) -> None:
    """Issue 10, item 8: a pair shows each record's place, identifiers, sources and links."""
    assert pair.left is not None and pair.right is not None
    with engine.connect() as conn:
        for card in (pair.left, pair.right):
            stated = conn.execute(
                select(schema.SourceRecord.country, schema.SourceRecord.city).where(
                    schema.SourceRecord.record_key == card.record_key
                )
            ).all()
            assert card.country == next(c for c, _ in stated if c)
            assert card.city == next((c for _, c in stated if c), None)
            assert len(card.sources) == len(stated)
            assert card.org_id == _org_of(engine, card.record_key)
    assert pair.right.pic  # the CORDIS side has its PIC
    assert any(s.file.endswith("stakeholders.xlsx") for s in pair.left.sources)

    from fastapi.testclient import TestClient

    from bioconnect.services.accounts import add_user
    from bioconnect.settings import Settings
    from bioconnect.web import create_app

    add_user(engine, "reviewer", "correct horse battery staple", "editor")
    client = TestClient(create_app(engine, settings=Settings()))
    client.get("/login")
    client.post(
        "/login",
        data={
            "username": "reviewer",
            "password": "correct horse battery staple",
            "csrf_token": client.cookies.get("bc_csrf"),
            "next": "/",
        },
    )
    page = client.get("/review").text
    assert f"/organisations/{pair.right.org_id}" in page
    assert f"<td>{pair.right.pic}</td>" in page
    assert "stakeholders.xlsx row" in page


def test_unknown_pair_changes_nothing(engine: Engine, region_data: Path) -> None:
    ingest(engine, _preset(), region_data)
    before = table_snapshot(engine)
    with pytest.raises(NotFoundError, match="No candidate pair with id 999999"):
        decide(engine, 999999, True, actor="analyst")
    assert table_snapshot(engine) == before


def test_reingest_is_idempotent(
    engine: Engine, region_data: Path, stakeholder_list: tuple[Path, Path]
) -> None:
    path, mapping = stakeholder_list
    ingest(engine, _preset(), region_data)
    import_user_source(engine, path, mapping, actor="analyst", data_dir=region_data)
    first = table_snapshot(engine)
    import_user_source(engine, path, mapping, actor="analyst", data_dir=region_data)
    assert table_snapshot(engine) == first
    ingest(engine, _preset(), region_data)
    assert table_snapshot(engine) == first


def test_user_source_mapping_is_checked_before_anything_is_written(
    engine: Engine, region_data: Path, stakeholder_list: tuple[Path, Path], tmp_path: Path
) -> None:
    ingest(engine, _preset(), region_data)
    before = table_snapshot(engine)
    path, _ = stakeholder_list
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        USER_MAPPING.replace("name: Organisation", "name: Organization"), encoding="utf-8"
    )
    with pytest.raises(Exception, match="Organization"):
        import_user_source(engine, path, broken, actor="analyst", data_dir=region_data)
    assert table_snapshot(engine) == before


def test_source_model_needs_mapping_for_mapped_kind() -> None:
    with pytest.raises(ValueError, match="names no mapping"):
        Source(name="x", kind="mapped", path="x.csv")
    assert Mapping.model_validate(
        {
            "name": "m",
            "targets": [{"entity": "organisation", "fields": {"name": "a", "country": "b"}}],
        }
    )


def test_review_and_import_through_the_cli(
    region_data: Path,
    stakeholder_list: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    import yaml

    from bioconnect.cli.main import main

    preset = _preset()
    config = preset.model_dump(mode="json", exclude={"folder"})
    for source in config["sources"]:
        if source["mapping"]:
            source["mapping"] = str(preset.folder / source["mapping"])  # type: ignore[operator]
    preset_file = tmp_path / "region.yaml"
    preset_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    path, mapping = stakeholder_list

    assert main(["ingest", "--preset", str(preset_file), "--data-dir", str(region_data)]) == 0
    assert main(["import", str(path), "--mapping", str(mapping)]) == 0
    assert "pairs to review" in capsys.readouterr().err

    assert main(["review", "list", "--format", "json"]) == 0
    pending = json.loads(capsys.readouterr().out)
    assert len(pending) >= 2
    assert main(["review", "accept", str(pending[0]["id"]), "--note", "same agency"]) == 0
    assert "merged into" in capsys.readouterr().err
    assert main(["review", "reject", str(pending[1]["id"])]) == 0
    assert "kept apart from" in capsys.readouterr().err
    assert main(["review", "list", "--status", "accepted", "--format", "json"]) == 0
    accepted = json.loads(capsys.readouterr().out)
    assert [(a["left_key"], a["right_key"]) for a in accepted] == [
        (pending[0]["left_key"], pending[0]["right_key"])
    ]

    assert main(["import", str(path), "--mapping", str(tmp_path / "missing.yaml")]) == 1
    assert "Mapping file" in capsys.readouterr().err
