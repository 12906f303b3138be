"""Users' startup lists: the shipped mapping, the cohort, and the links to the atlas, on
SQLite and PostgreSQL.

ILLUSTRATIVE ROWS, FOR PARSING AND LINKING ONLY. No real startup list is in
../shared/data. The lists below are written here: the organisations' names, VAT numbers,
registration code and cities are real (BALTIC INNOVATION AGENCY OU and IMPACT HUB
BIEDRIBA from the Horizon Europe official sample, with their VAT numbers; ICOSAGEN CELL
FACTORY OU, ICOSAGEN AS and KINASERA OU from organizations_2017.csv), so the linking is
real; but every founding and closing date, closing reason, sector, gender, country list
and funding figure is a placeholder, and "Nonexistent Placeholder Labs OÜ" is no company.
No figure in the docs, pages or reports comes from these rows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from bioconnect.errors import InputError
from bioconnect.services.ingest import ingest
from bioconnect.services.outcomes import import_startups, startup_links, startup_report
from bioconnect.services.review import decide, list_candidates
from bioconnect.store import schema
from storekit import preset_with, table_snapshot

AS_OF = dt.date(2024, 12, 31)
HEADER = (
    "Name,Registration code,VAT,Country,City,Founded,Closed,Closing reason,Sector,"
    "Founders' gender,Countries,Funding (EUR)"
)
ROWS = [
    "Baltic Innovation Agency OÜ,,EE100901067,EE,Tartu,2010-05-01,,,consulting,mixed,EE;LV,",
    "Impact Hub biedrība,40008251825,,LV,Liepāja,2013-02-01,2020-03-01,closed,services,female,LV,15000",
    "Icosagen Cell Factory OÜ,,,EE,Ülenurme vald,2008-01-01,2021-06-30,acquired,biotech,male,EE;FI,2500000",
    "Icosagen,,,EE,Tartu,2008-01-01,,,biotech,male,EE,",
    "Kinasera OÜ,,,EE,Tallinn,2012-01-01,,,biotech,,EE,",
    "Nonexistent Placeholder Labs OÜ,,,EE,Tallinn,2019-01-01,2023-01-01,moved abroad,biotech,female,EE;US,100000",
]


@pytest.fixture(scope="module")
def region_data(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Baltic rows of h2020.csv.gz, their names, and the Horizon Europe sample (VATs)."""
    folder = tmp_path_factory.mktemp("startup-region")
    (folder / "cordis/h2020").mkdir(parents=True)
    rows = pd.read_csv(data_dir / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    rows[rows["country"].isin(["EE", "LV", "LT"])].to_csv(
        folder / "cordis/h2020/h2020.csv.gz", index=False
    )
    (folder / "cordis/h2020/organizations_2017.csv").symlink_to(
        data_dir / "cordis/h2020/organizations_2017.csv"
    )
    (folder / "cordis/horizon-europe-official-samples").symlink_to(
        data_dir / "cordis/horizon-europe-official-samples"
    )
    return folder


def _preset():  # type: ignore[no-untyped-def]
    return preset_with(
        "horizon-official-samples", "h2020-participations", "h2020-organisation-names"
    )


@pytest.fixture
def atlas(engine: Engine, region_data: Path) -> Engine:
    ingest(engine, _preset(), region_data)
    return engine


def _write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_startup_list_links_to_atlas_organisations(
    atlas: Engine, region_data: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path / "startups.csv", ROWS)
    done = import_startups(atlas, path, actor="analyst", end_of_data=AS_OF)
    assert done.written and done.rows == 6
    assert done.linked == {"vat": 1, "registration_code": 1, "splink": 2}
    assert (done.review_pending, done.unlinked) == (1, 1)

    links = {link.row: link for link in startup_links(atlas, "startups")}
    # by VAT (the Horizon Europe sample's vatNumber) and by Latvia's code (LV + code = VAT)
    assert (links[2].method, links[2].org_id) == ("vat", "998243976")
    assert (links[3].method, links[3].org_id) == ("registration_code", "890069285")
    assert links[3].org_name == "IMPACT HUB BIEDRIBA"
    # by the matcher: the same name and city merge at once
    assert (links[4].status, links[4].method, links[4].org_id) == ("linked", "splink", "939149927")
    assert links[4].probability is not None and links[4].probability >= 0.99
    # the same name in another city is doubtful: a review candidate, not a link
    assert (links[6].status, links[6].org_id) == ("in_review", "952978344")
    assert links[7].status == "unlinked" and links[7].org_id is None

    pending = [c for c in list_candidates(atlas, "pending", 500) if c.left_key.startswith("list:")]
    assert [(c.left_key, c.right_key, c.left_name) for c in pending] == [
        ("list:startups:row6", "pic:952978344", "Kinasera OÜ")
    ]
    assert 0.8 <= pending[0].probability < 0.99

    # importing the same list again writes nothing
    before = table_snapshot(atlas)
    again = import_startups(atlas, path, actor="analyst", end_of_data=AS_OF)
    assert not again.written and table_snapshot(atlas) == before

    # a reviewer accepts the pair: the row is linked, nothing is merged
    orgs_before = before["organisation"]
    outcome = decide(atlas, pending[0].id, True, actor="analyst")
    assert outcome.org_id == "952978344"
    after = {link.row: link for link in startup_links(atlas, "startups")}
    assert (after[6].status, after[6].method, after[6].org_id) == ("linked", "review", "952978344")
    assert table_snapshot(atlas)["organisation"] == orgs_before

    # a re-ingest keeps the list's pairs and the decision
    ingest(atlas, _preset(), region_data)
    kept = {link.row: link for link in startup_links(atlas, "startups")}
    assert {r: (k.status, k.method, k.org_id) for r, k in kept.items()} == {
        r: (k.status, k.method, k.org_id) for r, k in after.items()
    }
    with atlas.connect() as conn:
        actions = conn.execute(
            select(schema.AuditEntry.action, schema.AuditEntry.entity_id).where(
                schema.AuditEntry.entity == "startup_list"
            )
        ).all()
    assert actions == [("import", "startups")]


def test_the_list_as_a_cohort_hand_computed(atlas: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "startups.csv", ROWS)
    import_startups(atlas, path, actor="analyst", end_of_data=AS_OF)
    report = startup_report(atlas, "startups")
    assert report.members == 6 and report.end_of_data == AS_OF
    assert [(e.year, e.entries) for e in report.entries] == [
        (2008, 2),
        (2010, 1),
        (2012, 1),
        (2013, 1),
        (2019, 1),
    ]
    # Only the closure is a failure: the acquisition and the move abroad are censored.
    assert (report.survival.n, report.survival.events) == (6, 1)
    # Exits: moved abroad after 4.0 years (6 at risk), closed after 2585 days = 7.077 years
    # (5 at risk), acquired after 4929 days = 13.495 years (3 at risk: the firms censored
    # at 14.67 and 17.0 years, and itself; the one censored at 13.0 has left). All-cause
    # survival is 5/6 after the first exit and 5/6 x 4/5 = 2/3 after the second.
    incidence = {i.kind: i for i in report.incidence}
    assert incidence["moved_abroad"].incidence[-1] == pytest.approx(1 / 6)
    assert incidence["closed"].incidence[-1] == pytest.approx(5 / 6 * 1 / 5)
    assert incidence["acquired"].incidence[-1] == pytest.approx(2 / 3 * 1 / 3)
    assert incidence["moved_abroad"].at_horizons == {"3": 0.0, "5": pytest.approx(1 / 6)}
    # Kaplan-Meier of closure alone: 1 - 1/5 = 0.8 after 7.077 years
    assert report.survival.survival[-1] == pytest.approx(0.8)
    assert report.links == {"linked": 4, "in_review": 1, "unlinked": 1}


def test_an_xlsx_list_reads_through_the_same_mapping(atlas: Engine, tmp_path: Path) -> None:
    frame = pd.DataFrame([row.split(",") for row in ROWS[:3]], columns=HEADER.split(",")).replace(
        "", None
    )
    path = tmp_path / "cluster.xlsx"
    frame.to_excel(path, index=False, sheet_name="startups")
    done = import_startups(atlas, path, actor="analyst", end_of_data=AS_OF)
    assert done.list_name == "cluster" and done.rows == 3
    assert done.linked == {"vat": 1, "registration_code": 1, "splink": 1}


BAD = [
    (
        "exit before entry",
        ROWS[1].replace("2020-03-01", "2012-12-31"),
        "bad.csv, row 2, column 'Closed': 2012-12-31 is before the entry",
    ),
    (
        "closing date in the future",
        ROWS[1].replace("2020-03-01", "2025-01-15"),
        "bad.csv, row 2, column 'Closed': 2025-01-15 is after the end of the data (2024-12-31)",
    ),
    (
        "founding date in the future",
        ROWS[0].replace("2010-05-01", "2030-01-01"),
        "bad.csv, row 2, column 'Founded': 2030-01-01 is after the end of the data (2024-12-31)",
    ),
    (
        "unknown exit reason",
        ROWS[1].replace(",closed,", ",merged,"),
        "bad.csv, row 2, column 'Closing reason': unknown closing reason 'merged'",
    ),
    (
        "closing date without a reason",
        ROWS[1].replace(",closed,", ",,"),
        "bad.csv, row 2, column 'Closing reason': the company closed on 2020-03-01 but no "
        "reason is given",
    ),
]


def test_bad_input_is_named_and_nothing_is_written(atlas: Engine, tmp_path: Path) -> None:
    good = _write(tmp_path / "startups.csv", ROWS)
    import_startups(atlas, good, actor="analyst", end_of_data=AS_OF)
    before = table_snapshot(atlas)
    for what, row, message in BAD:
        path = _write(tmp_path / "bad.csv", [row, *ROWS[2:]])
        with pytest.raises(InputError) as caught:
            import_startups(atlas, path, name="startups", actor="analyst", end_of_data=AS_OF)
        assert str(caught.value).startswith(message), what
        assert table_snapshot(atlas) == before, what
    path = _write(tmp_path / "bad.csv", ROWS, header=HEADER.replace("Founded", "Started"))
    with pytest.raises(InputError, match=r"^bad\.csv: required column 'Founded' is missing"):
        import_startups(atlas, path, name="startups", actor="analyst", end_of_data=AS_OF)
    assert table_snapshot(atlas) == before


def test_the_cli_imports_and_reports(
    atlas: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bioconnect.cli.main import main

    if atlas.dialect.name != "sqlite":
        pytest.skip("the CLI is the same on both engines; the service tests cover PostgreSQL")
    monkeypatch.setenv("BIOCONNECT_DATABASE_URL", atlas.url.render_as_string(hide_password=False))
    path = _write(tmp_path / "startups.csv", ROWS)
    code = main(["outcomes", "startups", str(path), "--as-of", "2024-12-31", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    got = json.loads(captured.out)
    assert got["import"]["linked"] == {"vat": 1, "registration_code": 1, "splink": 2}
    assert [link["status"] for link in got["links"]] == [
        "linked",
        "linked",
        "linked",
        "linked",
        "in_review",
        "unlinked",
    ]
    code = main(["outcomes", "startups", str(path), "--as-of", "2024-12-31"])
    captured = capsys.readouterr()
    assert code == 0 and "unchanged, nothing written" in captured.err
    bad = _write(tmp_path / "late.csv", [ROWS[1].replace("2020-03-01", "2025-01-15")])
    code = main(["outcomes", "startups", str(bad), "--as-of", "2024-12-31"])
    captured = capsys.readouterr()
    assert code == 1 and "late.csv, row 2, column 'Closed'" in captured.err
    assert "Traceback" not in captured.err


def test_the_startups_migration_adds_its_tables_and_takes_them_back(engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from bioconnect.store.database import _alembic_config

    tables = {"startup_list", "startup"}
    assert tables <= set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0009_organisation_search")
    assert not tables & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert tables <= set(inspect(engine).get_table_names())
