"""The browser libraries are built from the pinned npm packages and served only from /static."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bioconnect.web import assets
from webkit import assets_lock

TEMPLATES = Path(assets.HERE) / "templates"
STATIC = Path(assets.HERE) / "static"

# <script src="..."> and <link href="..."> (stylesheets, icons, preloads) in a template.
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*([\"'])(.*?)\1", re.IGNORECASE | re.DOTALL)
LINK_HREF = re.compile(r"<link\b[^>]*\bhref\s*=\s*([\"'])(.*?)\1", re.IGNORECASE | re.DOTALL)
STATIC_URL = re.compile(r"^\{\{\s*url_for\(\s*'static'\s*,\s*path\s*=\s*'([^']+)'\s*\)\s*\}\}$")
EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


@pytest.fixture(scope="module")
def vendor() -> Path:
    with assets_lock():
        return assets.build_assets()


def test_build_assets_produces_every_vendor_file(vendor: Path) -> None:
    assert assets.assets_ready()
    for name in assets.VENDOR_FILES:
        path = vendor / name
        assert path.is_file(), f"{name} is missing from {vendor}"
        assert path.stat().st_size > 1000, f"{name} is suspiciously small"
    stamp = (vendor / assets.STAMP).read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", stamp)


def test_build_assets_is_a_no_op_when_up_to_date(vendor: Path) -> None:
    before = {name: (vendor / name).stat().st_mtime_ns for name in assets.VENDOR_FILES}
    messages: list[str] = []
    assert assets.build_assets(progress=messages.append) == vendor
    assert messages == ["Browser libraries are up to date."]
    after = {name: (vendor / name).stat().st_mtime_ns for name in assets.VENDOR_FILES}
    assert after == before


def test_vega_interpreter_bundle_sets_a_global(vendor: Path) -> None:
    bundle = (vendor / "vega-interpreter.js").read_text(encoding="utf-8")
    assert "vegaInterpreter" in bundle
    assert "import " not in bundle.split("\n", 1)[0]  # an IIFE, not an ES module


def _references() -> list[tuple[str, str]]:
    found = []
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (SCRIPT_SRC, LINK_HREF):
            found += [(template.name, match.group(2).strip()) for match in pattern.finditer(text)]
    return found


def test_templates_load_scripts_and_styles_only_from_static(vendor: Path) -> None:
    references = _references()
    assert any("vendor/sigma.min.js" in ref for _, ref in references)
    for template, ref in references:
        match = STATIC_URL.match(ref)
        path = match.group(1) if match else None
        if path is None and ref.startswith("/static/"):
            path = ref.removeprefix("/static/")
        assert path is not None, f"{template} loads {ref!r}, which is not under /static"
        assert (STATIC / path).is_file(), f"{template} loads {path}, which is not in static/"


def test_no_template_or_script_names_an_outside_url() -> None:
    files = [
        *TEMPLATES.glob("*.html"),
        *(STATIC / "js").glob("*.js"),
        *(STATIC / "css").glob("*.css"),
    ]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        hit = EXTERNAL.search(text)
        assert hit is None, f"{path.name} names an outside address: {hit.group(0)!r}"


def test_missing_npm_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assets.shutil, "which", lambda _name: None)
    with pytest.raises(assets.BioconnectError) as caught:
        assets._npm()
    assert "npm" in caught.value.problem
    assert "Install Node.js" in caught.value.fix
