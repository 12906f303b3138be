"""The wheel is self-contained: built with its front-end bundles, it installs in a fresh
virtual environment and serves the pages with every script they load.

``uv build --wheel`` runs the build hook (``hatch_build.py``), which fills ``static/vendor``
from ``frontend/`` and puts what the pages load in the wheel, without axe-core. The wheel is
installed with the lock's versions (``uv export``), from uv's cache when it can be, and
``bioconnect serve`` from that environment serves a small store made from the real data.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bioconnect.web import assets
from storekit import ROOT, preset_with
from webkit import assets_lock

pytestmark = pytest.mark.slow

VENDOR_IN_WHEEL = "bioconnect/web/static/vendor"
PAGES = ("/", "/map", "/network")
#: The vendor scripts the three pages load between them.
EXPECTED_SCRIPTS = {
    "htmx.min.js",
    "vega.min.js",
    "vega-lite.min.js",
    "vega-embed.min.js",
    "vega-interpreter.js",
    "maplibre-gl.js",
    "graphology.umd.min.js",
    "sigma.min.js",
}


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not on PATH; the README's set-up installs it (pip install uv).")
    return uv


def _env() -> dict[str, str]:
    """The environment without this test run's virtual environment and Python path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    return {**env, "NO_COLOR": "1"}


def _run(args: list[str | Path], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    with assets_lock():  # the build hook runs build_assets
        _run([_uv(), "build", "--wheel", "--out-dir", out], ROOT)
    (built,) = out.glob("bioconnect-*.whl")
    return built


def test_wheel_holds_the_bundles_and_no_test_assets(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    for name in (*assets.PAGE_FILES, *EXPECTED_SCRIPTS, "maplibre-gl.css"):
        assert sizes.get(f"{VENDOR_IN_WHEEL}/{name}", 0) > 0, name
    assert f"{VENDOR_IN_WHEEL}/licenses/sigma.txt" in sizes
    assert not [name for name in sizes if "axe" in name.lower()]
    assert not [name for name in sizes if name.endswith(assets.STAMP)]
    assert "bioconnect/web/templates/base.html" in sizes


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and the lock's dependencies; its bin/."""
    work = tmp_path_factory.mktemp("venv")
    requirements = work / "requirements.txt"
    exported = _run(
        [_uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"], ROOT
    )
    requirements.write_text(exported, encoding="utf-8")
    venv = work / "venv"
    _run([_uv(), "venv", "--python", sys.executable, venv], work)
    install = [_uv(), "pip", "install", "--python", venv / "bin" / "python"]
    install += ["-r", requirements, wheel]
    try:  # everything is in uv's cache after `uv sync`; the index only if it is not
        _run([*install, "--offline"], work)
    except AssertionError:
        _run(install, work)
    where = _run(
        [venv / "bin" / "python", "-c", "import bioconnect; print(bioconnect.__file__)"], work
    )
    assert Path(where.strip()).is_relative_to(venv), where
    return venv / "bin"


@pytest.fixture(scope="module")
def small_store(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The official-schema CORDIS samples (100 projects) in a SQLite file."""
    from bioconnect.services.ingest import ingest
    from bioconnect.store.database import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'small.sqlite'}"
    engine = open_store(url)
    try:
        ingest(engine, preset_with("horizon-official-samples"), data_dir)
    finally:
        engine.dispose()
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(
    installed: Path, small_store: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``bioconnect serve`` from the fresh environment, in a folder with no checkout."""
    port = _free_port()
    env = {**_env(), "BIOCONNECT_DATABASE_URL": small_store}
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [installed / "bioconnect", "serve", "--port", str(port)],
            cwd=log.parent,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"bioconnect serve exited:\n{log.read_text()}")
            try:
                httpx.get(f"{url}/static/css/app.css", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"bioconnect serve did not answer:\n{log.read_text()}")
                time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_installed_wheel_serves_pages_with_their_scripts(served: str) -> None:
    seen: set[str] = set()
    with httpx.Client(base_url=served, timeout=60) as client:
        for page in PAGES:
            answer = client.get(page)
            assert answer.status_code == 200, (page, answer.text[:500])
            sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', answer.text)
            styles = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', answer.text)
            assert sources, page
            for address in (*sources, *styles):
                asset = client.get(address)
                assert asset.status_code == 200 and asset.content, (page, address)
                seen.add(address.rsplit("/", 1)[-1].split("?", 1)[0])
    assert seen >= EXPECTED_SCRIPTS
