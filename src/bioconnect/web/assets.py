"""The browser libraries the web app serves from ``/static/vendor``, built from npm.

The versions are pinned in ``frontend/package.json`` and ``frontend/package-lock.json``.
:func:`build_assets` runs ``npm ci`` there when ``node_modules`` is missing or was
installed from another lock file, bundles what npm ships only as an ES module, and
copies the browser builds into ``static/vendor/`` under stable names (the folder is not
in git). Nothing is fetched from a CDN when the app runs.

What ships as a ready browser build is copied as is. ``vega-interpreter`` (the Vega
expression interpreter that lets charts run under a Content-Security-Policy without
``'unsafe-eval'``) is published as an ES module only, so ``frontend/src/
vega-interpreter-global.js`` is bundled by esbuild (``npm run build:vega-interpreter``)
into ``vendor/vega-interpreter.js``, which sets the global ``vegaInterpreter``.

Example
-------
>>> from bioconnect.web.assets import assets_ready, build_assets
>>> if not assets_ready():  # doctest: +SKIP
...     build_assets(progress=print)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from bioconnect.errors import BioconnectError

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "static" / "vendor"
FRONTEND = HERE.parents[2] / "frontend"
STAMP = ".package-lock.sha256"

#: vendor file name -> path inside ``frontend/node_modules``.
COPIED: dict[str, str] = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "graphology.umd.min.js": "graphology/dist/graphology.umd.min.js",
    "sigma.min.js": "sigma/dist/sigma.min.js",
    "maplibre-gl.js": "maplibre-gl/dist/maplibre-gl.js",
    "maplibre-gl.css": "maplibre-gl/dist/maplibre-gl.css",
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
    "axe.min.js": "axe-core/axe.min.js",
}

#: vendor file name -> npm script in ``frontend/package.json`` that writes it.
BUNDLED: dict[str, str] = {
    "vega-interpreter.js": "build:vega-interpreter",
}

#: Every file the templates and browser tests load from ``/static/vendor``.
VENDOR_FILES: tuple[str, ...] = (*COPIED, *BUNDLED)

#: What only the browser tests load (axe-core): built in a checkout, left out of wheels.
TEST_ONLY_FILES: tuple[str, ...] = ("axe.min.js",)
TEST_ONLY_PACKAGES: tuple[str, ...] = ("axe-core",)

#: The vendor files the pages load: what a wheel ships (see ``hatch_build.py``).
PAGE_FILES: tuple[str, ...] = tuple(n for n in VENDOR_FILES if n not in TEST_ONLY_FILES)

#: Packages whose licence text is copied to ``vendor/licenses/``.
LICENSED = (
    "htmx.org",
    "graphology",
    "sigma",
    "maplibre-gl",
    "vega",
    "vega-lite",
    "vega-embed",
    "vega-interpreter",
    "axe-core",
)

Progress = Callable[[str], None]


def _lock_hash(frontend: Path) -> str:
    return hashlib.sha256((frontend / "package-lock.json").read_bytes()).hexdigest()


def _stamp(vendor: Path) -> str | None:
    path = vendor / STAMP
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def assets_ready(vendor: Path | None = None) -> bool:
    """True when every vendor file the pages need is in ``static/vendor``."""
    folder = vendor or VENDOR
    return all((folder / name).is_file() for name in PAGE_FILES)


def _complete(folder: Path) -> bool:
    """True when the test-only files (axe-core) are there as well."""
    return all((folder / name).is_file() for name in VENDOR_FILES)


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise BioconnectError(
            "Node.js and npm are needed to build the web app's browser libraries, "
            "and they were not found on PATH.",
            "Install Node.js 20 or later with npm (on Debian: apt-get install nodejs npm), "
            "then run the command again.",
        )
    return npm


def _run(args: list[str], cwd: Path, what: str) -> None:
    env = {**os.environ, "NO_UPDATE_NOTIFIER": "1", "npm_config_update_notifier": "false"}
    try:
        done = subprocess.run(
            args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BioconnectError(
            f"{what} could not run in {cwd}: {exc}.",
            "Check that Node.js and npm work (`npm --version`) and try again.",
        ) from exc
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BioconnectError(
            f"{what} failed in {cwd} (exit code {done.returncode}):\n{tail}",
            "Check the network connection to the npm registry and that "
            "frontend/package-lock.json is intact, then run the command again.",
        )


def build_assets(force: bool = False, progress: Progress | None = None) -> Path:
    """Install the pinned npm packages if needed and fill ``static/vendor``; return its path.

    ``npm ci`` runs when ``frontend/node_modules`` is missing, when the lock file changed
    since the vendor files were built (a SHA-256 of ``package-lock.json`` is kept in
    ``vendor/.package-lock.sha256``), or when ``force`` is true. Without a ``frontend``
    folder (an installed wheel) the vendor files already shipped are used as they are.
    """

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    if not (FRONTEND / "package-lock.json").is_file():
        if assets_ready():
            return VENDOR
        raise BioconnectError(
            f"The browser libraries are missing from {VENDOR} and there is no "
            f"frontend folder ({FRONTEND}) to build them from.",
            "Install bioconnect from a source checkout or a wheel built with the assets.",
        )

    wanted = _lock_hash(FRONTEND)
    modules = FRONTEND / "node_modules"
    current = _stamp(VENDOR) == wanted
    if not force and current and modules.is_dir() and _complete(VENDOR):
        say("Browser libraries are up to date.")
        return VENDOR

    npm = _npm()
    if force or not current or not modules.is_dir():
        say("Installing the pinned npm packages (npm ci)…")
        _run([npm, "ci", "--no-audit", "--no-fund"], FRONTEND, "npm ci")

    VENDOR.mkdir(parents=True, exist_ok=True)
    (VENDOR / STAMP).unlink(missing_ok=True)
    for script in BUNDLED.values():
        say(f"Bundling with esbuild (npm run {script})…")
        _run([npm, "run", "--silent", script], FRONTEND, f"npm run {script}")
    _copy_packaged_files(modules)
    missing = [name for name in VENDOR_FILES if not (VENDOR / name).is_file()]
    if missing:
        raise BioconnectError(
            f"The build did not produce {', '.join(missing)} in {VENDOR}.",
            "Run the build again with force=True; report it if it keeps failing.",
        )
    (VENDOR / STAMP).write_text(wanted + "\n", encoding="utf-8")
    say(f"Browser libraries are in {VENDOR}.")
    return VENDOR


def _copy_packaged_files(modules: Path) -> None:
    """Copy the files used as npm ships them, and the packages' licences, into the vendor folder."""
    for name, source in COPIED.items():
        origin = modules / source
        if not origin.is_file():
            raise BioconnectError(
                f"{origin} is missing after npm ci.",
                "Delete frontend/node_modules and run the build again.",
            )
        shutil.copyfile(origin, VENDOR / name)
    licences = VENDOR / "licenses"
    licences.mkdir(exist_ok=True)
    for package in LICENSED:
        for candidate in ("LICENSE", "LICENSE.txt", "LICENSE.md"):
            path = modules / package / candidate
            if path.is_file():
                shutil.copyfile(path, licences / f"{package}.txt")
                break
