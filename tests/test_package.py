"""The package's public surface, its settings documentation, and the code-quality gates."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import bioconnect
from bioconnect.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_public_surface() -> None:
    assert bioconnect.__all__ == [
        "__version__",
        "BioconnectError",
        "InputError",
        "Mapping",
        "NotFoundError",
        "Preset",
        "Settings",
        "atlas_summary",
        "connect",
        "decide",
        "export_organisations",
        "fetch_cordis",
        "import_user_source",
        "ingest",
        "list_candidates",
        "list_presets",
        "load_mapping",
        "load_preset",
        "organisation_detail",
        "read_cordis",
        "read_mapped",
        "search_organisations",
    ]
    for name in bioconnect.__all__:
        assert getattr(bioconnect, name) is not None
    with pytest.raises(AttributeError):
        _ = bioconnect.no_such_name


def test_import_is_light() -> None:
    """Importing the package (and so starting the CLI) must not pull in the heavy libraries."""
    code = "import sys, bioconnect, bioconnect.cli.main; print(sorted(m for m in ('pandas','splink','igraph','duckdb','sqlalchemy') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"BIOCONNECT_{name.upper()}" in text, name


def test_readme_quick_start_has_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- (main|test)-command -->\n```sh\n(.*?)```", text, flags=re.S)
    assert [kind for kind, _ in blocks] == ["main", "test"]
    for _, body in blocks:
        assert len(body.strip().splitlines()) == 1
    assert "bioconnect up" in blocks[0][1]
    assert "pytest" in blocks[1][1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True)


def test_ruff() -> None:
    result = _run(sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr
    result = _run(
        sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "benchmarks", "scripts"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = _run(str(lint))
    assert result.returncode == 0, result.stdout + result.stderr
