"""Hatchling build hook: put the front-end bundles in the wheel, without the test-only ones.

``src/bioconnect/web/static/vendor/`` is built from ``frontend/`` by npm and is not in git.
When a wheel is built (not an editable install, which ``bioconnect up`` fills at run time),
this hook runs the project's own asset build, ``bioconnect.web.assets.build_assets``
(``npm ci`` from the committed lock file when needed, then the esbuild bundle and the
copies), and adds the files the pages load, with their licences, to the wheel. axe-core,
which only the browser tests load, stays out.

The build environment holds hatchling alone, so ``assets.py`` is loaded from its file
rather than through ``bioconnect.web`` (whose ``__init__`` imports FastAPI); its one
project import, ``bioconnect.errors``, is plain Python and is found through ``src/``.
Building a wheel therefore needs Node.js 20+ with npm, like ``bioconnect up``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ASSETS = Path("src/bioconnect/web/assets.py")
IN_WHEEL = "bioconnect/web/static/vendor"


def load_assets(root: Path) -> ModuleType:
    """``bioconnect.web.assets`` loaded from the source tree under ``root``."""
    src = str(root / "src")
    sys.path.insert(0, src)
    try:
        spec = importlib.util.spec_from_file_location("_bioconnect_build_assets", root / ASSETS)
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot load {root / ASSETS}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(src)
    return module


def shipped_files(assets: ModuleType, vendor: Path) -> dict[str, str]:
    """Source path -> path in the wheel, for every vendor file and licence a wheel ships."""
    files = {str(vendor / name): f"{IN_WHEEL}/{name}" for name in assets.PAGE_FILES}
    for package in assets.LICENSED:
        licence = vendor / "licenses" / f"{package}.txt"
        if package not in assets.TEST_ONLY_PACKAGES and licence.is_file():
            files[str(licence)] = f"{IN_WHEEL}/licenses/{package}.txt"
    return files


class FrontendBundlesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        assets = load_assets(Path(self.root))
        vendor = assets.build_assets(progress=self.app.display_info)
        build_data["force_include"].update(shipped_files(assets, vendor))
