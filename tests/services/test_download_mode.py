"""Without a local data folder, bioconnect downloads the official files and ingests them.

A small HTTP server on 127.0.0.1 plays cordis.europa.eu: it serves a zip of the real
official-schema samples, rewritten with ';' separators as CORDIS ships them.
"""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bioconnect.model.preset import load_preset
from bioconnect.services.atlas import atlas_summary
from bioconnect.services.fetching import fetch_cordis
from bioconnect.services.ingest import ingest
from bioconnect.settings import Settings
from bioconnect.store import schema


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def mirror(tmp_path: Path, data_dir: Path) -> Iterator[str]:
    site = tmp_path / "site"
    site.mkdir()
    samples = data_dir / "cordis/horizon-europe-official-samples"
    with zipfile.ZipFile(site / "cordis-HORIZONprojects-csv.zip", "w") as archive:
        for path in sorted(samples.glob("*.csv")):
            with path.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=";").writerows(rows)
            archive.writestr(path.name, buffer.getvalue())
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetch_then_ingest_the_official_download(
    engine: Engine, mirror: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ../shared/data next to the working folder
    baltic = load_preset("baltic")
    preset = baltic.model_copy(
        update={"official_sources": [s for s in baltic.official_sources if s.name == "horizon"]}
    )
    cache = tmp_path / "cache"
    fetched = fetch_cordis(cache, base_url=mirror, preset=preset)
    assert [f.path.name for f in fetched] == ["cordis-HORIZONprojects-csv.zip"]
    assert fetch_cordis(cache, base_url=mirror, preset=preset)[0].from_cache

    report = ingest(engine, preset, None, settings=Settings(cache_dir=cache, data_dir=None))
    assert report.data_dir == str(cache)
    assert report.counts["participation"] == 100
    with engine.connect() as conn:
        files = conn.execute(select(schema.SourceFile.path, schema.SourceFile.download_url)).all()
    assert {path for path, _ in files} >= {"cordis-HORIZONprojects-csv.zip/organization.csv"}
    assert all(url == f"{mirror}cordis-HORIZONprojects-csv.zip" for _, url in files)
    summary = atlas_summary(engine, preset, "all")
    assert sum(c.participations["HORIZON"] for c in summary.countries.values()) >= 1


def test_fetch_command_shows_progress_and_caches(
    mirror: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bioconnect.cli.main import main

    baltic = (Path(__file__).parents[2] / "src/bioconnect/presets/baltic/preset.yaml").read_text(
        encoding="utf-8"
    )
    head, _, _ = baltic.partition("\nofficial_sources:")
    preset = tmp_path / "preset.yaml"
    mappings = Path(__file__).parents[2] / "src/bioconnect/presets/baltic/mappings"
    preset.write_text(
        head.replace("mapping: mappings/", f"mapping: {mappings}/")
        + "\nofficial_sources:\n  - name: horizon\n    kind: cordis\n"
        "    path: cordis-HORIZONprojects-csv.zip\n    download: horizon\n    programme: HORIZON\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    args = [
        "fetch",
        "cordis",
        "--cache-dir",
        str(cache),
        "--base-url",
        mirror,
        "--preset",
        str(preset),
    ]
    assert main(args) == 0
    assert "downloaded" in capsys.readouterr().out
    assert main(args) == 0
    assert "cached" in capsys.readouterr().out
    missing = [
        "fetch",
        "cordis",
        "--cache-dir",
        str(tmp_path / "other"),
        "--base-url",
        mirror + "missing/",
    ]
    assert main([*missing, "--preset", str(preset)]) == 1
    err = capsys.readouterr().err
    assert "404" in err and "Traceback" not in err
