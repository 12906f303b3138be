"""A new region is configuration: `regions new` writes a preset that `regions check`
accepts; the shipped Visegrád preset is exactly what it writes; and that preset, loaded
from a folder outside the package, works for ingest (its H2020 participations equal the
source rows), the web app and the status report."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from bioconnect.errors import InputError, NotFoundError
from bioconnect.model.preset import load_preset
from bioconnect.services.atlas import atlas_summary
from bioconnect.services.regions import check_region, new_region
from bioconnect.store.database import open_store
from storekit import DATA

SHIPPED = Path(load_preset("visegrad").folder or ".")
COUNTRIES = ["CZ", "HU", "PL", "SK", "AT"]


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_new_region_is_what_check_accepts(tmp_path: Path) -> None:
    made = new_region("danube", "SI,HR, ro", "AT", folder=tmp_path, label="Danube biotech")
    assert made == tmp_path / "danube"
    preset = load_preset(made)
    assert (preset.name, preset.countries, preset.reference_countries) == (
        "danube",
        ["SI", "HR", "RO"],
        ["AT"],
    )
    assert preset.focus is not None and preset.focus.name == "biotech"
    checks = check_region(str(made), DATA)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert {"countries", "plan.yaml", "biotech-index/iMeta.csv"} <= {c.field for c in checks}
    # every field is explained where it is set
    text = (made / "preset.yaml").read_text(encoding="utf-8")
    for field in ("name:", "label:", "countries:", "reference_countries:", "focus:", "sources:"):
        line = text.index(f"\n{field}")
        assert f"# {field.rstrip(':')}" in text[:line]
    plan = (made / "plan.yaml").read_text(encoding="utf-8")
    assert "region: danube" in plan and "SI, HR, RO" in plan
    assert not any(w in plan + text for w in ("Estonia", "Latvia", "Lithuania", "EE, LV"))
    # no register mappings of the Baltic countries
    assert not list((made / "mappings").glob("register-*"))


def test_the_shipped_second_preset_is_what_regions_new_writes(tmp_path: Path) -> None:
    made = new_region(
        "vtest", "CZ,HU,PL,SK", "AT", folder=tmp_path, label="Visegrád biotechnology ecosystem"
    )
    written = {k: v.replace("vtest", "visegrad") for k, v in _files(made).items()}
    assert written == _files(SHIPPED)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x", "CZ", ""), "cannot name a preset"),
        (("v4", "CZ,ZZ", ""), "unknown country code\\(s\\): ZZ"),
        (("v4", "GR", ""), "unknown country code\\(s\\): GR"),
        (("v4", "CZ,AT", "AT"), "AT cannot be both"),
        (("v4", " , ", ""), "names no country"),
        (("baltic", "EE", ""), "exists already"),
    ],
)
def test_bad_arguments_write_nothing(
    tmp_path: Path, args: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(InputError, match=message) as found:
        new_region(*args, folder=tmp_path)
    assert found.value.fix
    assert list(tmp_path.iterdir()) == []


def test_check_says_what_is_missing_field_by_field(tmp_path: Path) -> None:
    made = new_region("broken", "CZ", "AT", folder=tmp_path)
    (made / "mappings" / "h2020-participations.yaml").unlink()
    (made / "biotech-index" / "iMeta.csv").unlink()
    plan = made / "plan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("region: broken", "region: other"), "utf-8")
    failed = {c.field: c for c in check_region(str(made), DATA) if not c.ok}
    assert set(failed) == {
        "sources.h2020-participations.mapping",
        "biotech-index/iMeta.csv",
        "plan.yaml region",
    }
    assert all(c.fix for c in failed.values())
    (made / "preset.yaml").write_text("name: broken\nlabel: 3\n", encoding="utf-8")
    found = {c.field: c for c in check_region(str(made), DATA)}
    assert {"label", "countries", "stakeholder_groups", "domains", "sources"} <= set(found)
    assert not any(c.ok for c in found.values())
    assert found["countries"].message == "Field required"
    with pytest.raises(NotFoundError):
        load_preset("no-such-region")


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Engine]]:
    """The Visegrád preset copied outside the package (renamed), and a store ingested from it."""
    from bioconnect.services.ingest import ingest

    folder = tmp_path_factory.mktemp("my-regions") / "v4"
    shutil.copytree(SHIPPED, folder)
    for name in ("preset.yaml", "plan.yaml"):
        path = folder / name
        text = path.read_text("utf-8").replace("name: visegrad", "name: v4-local")
        path.write_text(text.replace("region: visegrad", "region: v4-local"), "utf-8")
    engine = open_store(f"sqlite:///{folder.parent / 'v4.sqlite'}")
    ingest(engine, str(folder / "preset.yaml"), DATA)
    yield folder, engine
    engine.dispose()


def _h2020_rows() -> pd.DataFrame:
    """H2020 participations as the source files give them: h2020.csv.gz, then the dashboard
    export's rows without repeats (as tests/services/test_atlas.py reads them)."""
    frame = pd.read_csv(DATA / "cordis/h2020/h2020.csv.gz", dtype=str, keep_default_na=False)
    dashboard = pd.read_csv(
        DATA / "horizon-dashboard/dashboard-export-2021.csv", dtype=str, keep_default_na=False
    ).drop_duplicates(["project_id", "pic", "partner_role"], keep="last")
    return pd.concat(
        [
            frame.drop_duplicates()[["country"]],
            dashboard[["country_code"]].rename(columns={"country_code": "country"}),
        ],
        ignore_index=True,
    )


def test_a_preset_from_a_folder_ingests_serves_and_reports(outside: tuple[Path, Engine]) -> None:
    folder, engine = outside
    summary = atlas_summary(engine, "v4-local", "all")
    got = {c: summary.countries[c].participations["H2020"] for c in COUNTRIES}
    rows = _h2020_rows()
    assert got == rows[rows["country"].isin(COUNTRIES)].groupby("country").size().to_dict()
    # h2020.csv.gz plus the dashboard export's call-year-2021 rows, counted by hand in pandas
    assert got == {
        "CZ": 1479 + 22,
        "HU": 1284 + 21,
        "PL": 2309 + 62,
        "SK": 565 + 13,
        "AT": 4166 + 57,
    }
    # the web app serves it
    from fastapi.testclient import TestClient

    from bioconnect.settings import Settings
    from bioconnect.web.app import create_app

    app = create_app(engine, settings=Settings(preset=str(folder / "preset.yaml")))
    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "Visegrád biotechnology ecosystem" in page.text and "Baltic" not in page.text


def test_the_second_region_status_report(outside: tuple[Path, Engine]) -> None:
    from pypdf import PdfReader

    from bioconnect.services import reports
    from bioconnect.services.benchmark import import_edition

    folder, engine = outside
    import_edition(engine, DATA / "eis" / "2025" / "EIS_web_download.xlsx")
    made = reports.make_report(
        engine, "status", "pdf", preset=str(folder / "preset.yaml"), created="2026-12-06T12:00:00Z"
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(made.content)).pages)
    assert "Status report: Visegrád biotechnology ecosystem" in text
    assert "CZ, HU, PL, SK against AT" in text
    assert "Baltic" not in text, [line for line in text.splitlines() if "Baltic" in line]
