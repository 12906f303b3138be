"""Read results kept in memory: reused while the data stays, recomputed once it changes.

The stores are small (real H2020 rows of Estonia, then of the three Baltic states, and a
stakeholder list from the Horizon Europe subset), so each backend takes a few seconds.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, event, select

from bioconnect.errors import InputError, NotFoundError
from bioconnect.services import cache
from bioconnect.services.accounts import (
    Role,
    add_user,
    audit_entries,
    set_role,
    sign_in,
    sign_out,
)
from bioconnect.services.ingest import ingest
from bioconnect.services.network import NetworkQuery, network_view_body
from bioconnect.services.organisations import list_organisations, organisation_detail
from bioconnect.services.review import decide, list_candidates
from bioconnect.services.user_sources import import_user_source
from bioconnect.store import schema
from bioconnect.store.changes import audit
from bioconnect.store.database import transaction
from storekit import preset_with

MAPPING = """
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


def _h2020_folder(data_dir: Path, folder: Path, countries: list[str]) -> Path:
    (folder / "cordis/h2020").mkdir(parents=True)
    rows = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    rows[rows["country"].isin(countries)].to_csv(folder / "cordis/h2020/h2020.csv.gz", index=False)
    (folder / "cordis/h2020/organizations_2017.csv").symlink_to(
        data_dir / "cordis/h2020/organizations_2017.csv"
    )
    return folder


@pytest.fixture(scope="module")
def folders(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """H2020 rows of Estonia; of the three Baltic states; and a stakeholder list."""
    estonia = _h2020_folder(data_dir, tmp_path_factory.mktemp("ee"), ["EE"])
    baltic = _h2020_folder(data_dir, tmp_path_factory.mktemp("baltic"), ["EE", "LV", "LT"])
    he = pd.read_csv(data_dir / "cordis/horizon-europe/organization_subset.csv", sep=";", dtype=str)
    he = he[he["country"].isin(["EE", "LV", "LT"])].drop_duplicates("name")
    frame = he[["name", "shortName", "activityType", "city", "country", "organizationURL"]]
    frame.columns = ["Organisation", "Short name", "Type", "City", "Country", "Website"]
    users = tmp_path_factory.mktemp("users")
    frame.to_csv(users / "stakeholders.csv", index=False)
    (users / "stakeholders.yaml").write_text(MAPPING, encoding="utf-8")
    return {"estonia": estonia, "baltic": baltic, "users": users}


def _preset():  # type: ignore[no-untyped-def]
    return preset_with("h2020-participations", "h2020-organisation-names")


def _org_of(engine: Engine, key: str) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            select(schema.RecordLink.org_id).where(schema.RecordLink.record_key == key)
        ).scalar()
    return str(found)


def test_cached_reads_follow_ingests_and_review_decisions(
    engine: Engine, folders: dict[str, Path]
) -> None:
    ingest(engine, _preset(), folders["estonia"])
    latvian, n_latvian = list_organisations(engine, countries=["LV"])
    assert n_latvian == 0 and latvian == []
    query = NetworkQuery(countries=("EE",), scope="region_plus_partners", programmes=("H2020",))
    view = network_view_body(engine, query)
    # kept: the same objects come back without asking the store again
    assert network_view_body(engine, query) is view
    first = list_organisations(engine, "tartu")
    assert list_organisations(engine, "tartu")[0][0] is first[0][0]

    # a new ingest changes the data version: every answer is computed again
    ingest(engine, _preset(), folders["baltic"])
    latvian, n_latvian = list_organisations(engine, countries=["LV"])
    assert n_latvian > 0 and {o.country for o in latvian} == {"LV"}
    again = network_view_body(engine, query)
    countries = {n["attributes"]["country"] for n in json.loads(again.body)["nodes"]}
    assert countries == {"EE", "LV", "LT"}
    assert {n["attributes"]["country"] for n in json.loads(view.body)["nodes"]} == {"EE"}

    # a review decision (which rebuilds the registry) does too
    users = folders["users"]
    report = import_user_source(
        engine,
        users / "stakeholders.csv",
        users / "stakeholders.yaml",
        actor="analyst",
        data_dir=folders["baltic"],
    )
    assert report.review_pending >= 1
    pair = list_candidates(engine, "pending")[0]
    left = _org_of(engine, pair.left_key)
    detail = organisation_detail(engine, left)
    assert detail.organisation.id == left
    assert organisation_detail(engine, left).projects is detail.projects
    found, _ = list_organisations(engine, pair.left_name, limit=100)
    assert left in {o.id for o in found}

    merged = decide(engine, pair.id, True, actor="analyst")
    assert merged.org_id != left
    with pytest.raises(NotFoundError):
        organisation_detail(engine, left)
    found, _ = list_organisations(engine, pair.left_name, limit=100)
    assert left not in {o.id for o in found}
    assert merged.org_id in {o.id for o in found}


def test_another_process_write_is_seen_once_the_version_is_read_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "VERSION_TTL", 3600.0)
    before = cache.data_version(engine)
    # an engine of its own, whose commits this process does not count: another worker
    other = create_engine(engine.url)
    with transaction(other) as conn:
        audit(conn, "other", "update", "plan", None, "")
    other.dispose()
    assert cache.data_version(engine) == before  # still trusted
    monkeypatch.setattr(cache, "VERSION_TTL", 0.0)
    after = cache.data_version(engine)
    assert after != before and after == before + 1


def _busiest(engine: Engine) -> str:
    org = schema.table(schema.Organisation)
    with engine.connect() as conn:
        found = conn.execute(
            select(org.c.id).order_by(org.c.n_projects.desc(), org.c.id).limit(1)
        ).scalar()
    return str(found)


def test_sign_ins_leave_the_cache_warm(
    engine: Engine, folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(engine, _preset(), folders["estonia"])
    add_user(engine, "reader", "a long password", Role.viewer)
    monkeypatch.setattr(cache, "VERSION_TTL", 0.0)  # ask the store every time
    org = _busiest(engine)
    detail = organisation_detail(engine, org)
    version = cache.data_version(engine)

    _, token = sign_in(engine, "reader", "a long password", client="203.0.113.7")
    with pytest.raises(InputError):
        sign_in(engine, "reader", "a wrong password", client="203.0.113.7")
    other = create_engine(engine.url)  # another worker signs the reader in, and out
    _, other_token = sign_in(other, "reader", "a long password", client="203.0.113.8")
    sign_out(other, other_token)
    other.dispose()
    sign_out(engine, token)

    actions = [e.action for e in audit_entries(engine, limit=4)]
    assert actions == ["sign-out", "sign-out", "sign-in", "sign-in"]
    assert cache.data_version(engine) == version
    assert organisation_detail(engine, org).projects is detail.projects  # not recomputed

    # a change of an account is a change of the data: the answer is computed again
    set_role(engine, "reader", Role.editor, actor="admin")
    assert cache.data_version(engine) == version + 1
    again = organisation_detail(engine, org)
    assert again.projects is not detail.projects and again == detail


def test_callers_cannot_change_what_the_next_reader_gets(
    engine: Engine, folders: dict[str, Path]
) -> None:
    ingest(engine, _preset(), folders["estonia"])
    org = _busiest(engine)
    detail = organisation_detail(engine, org)
    kept = copy.deepcopy(detail)
    assert kept.projects and kept.partners
    for change in (
        lambda: detail.projects.append(detail.projects[0]),
        lambda: detail.projects.sort(key=lambda p: p.project_id),
        lambda: detail.names.clear(),
        lambda: detail.funding.clear(),
        lambda: detail.partners.__delitem__(0),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change()
    for change in (
        lambda: setattr(detail, "projects", []),
        lambda: setattr(detail.organisation, "name", "changed"),
    ):
        with pytest.raises(ValidationError, match="frozen"):
            change()
    mine = detail.organisation.model_copy(update={"name": "changed"})  # a copy is the caller's
    assert mine.name == "changed"
    assert organisation_detail(engine, org) == kept

    rows, total = list_organisations(engine, countries=["EE"], limit=5)
    first = copy.deepcopy(rows)
    with pytest.raises(ValidationError, match="frozen"):
        rows[0].name = "changed"
    rows.clear()  # the page's list is the caller's
    assert list_organisations(engine, countries=["EE"], limit=5) == (first, total)

    # an answer that cannot be frozen (a DataFrame) is copied for every reader
    table = schema.table(schema.Organisation)
    frames = cache.LRU(2)

    def read() -> pd.DataFrame:
        with engine.connect() as conn:
            return pd.read_sql(select(table.c.id, table.c.n_projects), conn)

    frame = cache.cached(engine, frames, "organisations", read)
    expected = frame.copy()
    frame.loc[0, "n_projects"] = -1
    frame["extra"] = 1
    pd.testing.assert_frame_equal(cache.cached(engine, frames, "organisations", read), expected)


def test_the_lru_keeps_the_latest_used_entries() -> None:
    lru = cache.LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the latest used
    lru.put("c", 3)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3
    assert len(lru) == 2
    with pytest.raises(ValueError):
        cache.LRU(0)


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_kept_answers_come_from_memory_and_anything_else_is_left_to_a_thread(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``from_memory`` answers without one statement to the store, or not at all."""
    monkeypatch.setattr(cache, "VERSION_TTL", 3600.0)
    with transaction(engine) as conn:  # a commit of this process: the version is due
        audit(conn, "tests", "update", "plan", None, "")
    statements = _statements(engine)
    assert cache.from_memory(list_organisations, engine, "tartu") == (False, None)
    assert statements == []  # not even the data version was read
    computed = list_organisations(engine, "tartu")
    assert statements  # the version and the search
    statements.clear()
    found, kept = cache.from_memory(list_organisations, engine, "tartu")
    assert found and kept == computed and statements == []
    # another query is not kept: nothing is computed, nothing reaches the store
    assert cache.from_memory(list_organisations, engine, "riga") == (False, None)
    assert statements == []

    # a read that is not kept (no `cached` in its way) is stopped at its first statement
    reached: list[str] = []

    def uncached_read() -> int:
        with engine.connect() as conn:
            count = conn.execute(select(schema.table(schema.Organisation).c.id)).all()
        reached.append("after the statement")
        return len(count)

    assert cache.from_memory(uncached_read) == (False, None)
    assert reached == [] and statements == []
    assert uncached_read() == 0 and reached  # outside memory-only mode it runs

    # a write of this process makes the next answer due to be read again
    with transaction(engine) as conn:
        audit(conn, "tests", "update", "plan", None, "")
    statements.clear()
    assert cache.from_memory(list_organisations, engine, "tartu") == (False, None)
    assert statements == []
    # and so does the version growing old
    list_organisations(engine, "tartu")
    monkeypatch.setattr(cache, "VERSION_TTL", 0.0)
    assert cache.from_memory(list_organisations, engine, "tartu") == (False, None)
