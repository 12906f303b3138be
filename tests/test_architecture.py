"""The shape of the code: module and function sizes, and the import contracts that hold it.

ruff checks complexity (C901) and statements (PLR0915); this file checks what ruff has no
rule for, and that the import contracts catch what they are meant to catch.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "bioconnect"
MAX_MODULE_LINES = 600
MAX_BODY_LINES = 80


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, from its first statement after the docstring."""
    body = node.body
    has_docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    first = body[1] if has_docstring and len(body) > 1 else body[0]
    assert node.end_lineno is not None
    return node.end_lineno - first.lineno + 1


def long_functions(source: str) -> list[tuple[str, int]]:
    """Functions in ``source`` whose body is longer than :data:`MAX_BODY_LINES`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            n = _body_lines(node)
            if n > MAX_BODY_LINES:
                found.append((node.name, n))
    return found


def test_the_size_checks_see_a_long_function() -> None:
    source = "def f():\n    '''doc'''\n" + "    x = 1\n" * (MAX_BODY_LINES + 1)
    assert long_functions(source) == [("f", MAX_BODY_LINES + 1)]
    assert long_functions("def g():\n" + "    x = 1\n" * MAX_BODY_LINES) == []


def test_no_module_is_over_600_lines() -> None:
    big = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert big == {}, f"split these along their concerns: {big}"


def test_no_function_body_is_over_80_lines() -> None:
    long = {
        f"{p.relative_to(ROOT)}::{name}": n
        for p in _modules()
        for name, n in long_functions(p.read_text(encoding="utf-8"))
    }
    assert long == {}, f"split these into named steps: {long}"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(lint), str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    root = tmp_path_factory.mktemp("contracts")
    shutil.copytree(
        PACKAGE, root / "src" / "bioconnect", ignore=shutil.ignore_patterns("static", "__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _with_line(root: Path, module: str, line: str) -> Path:
    path = root / "src" / "bioconnect" / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\n" + line + "\n", encoding="utf-8")
    return path


def test_the_contracts_hold_on_the_copy(package_copy: Path) -> None:
    result = _lint_imports(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "message"),
    [
        (
            "web/network/api.py",
            "import bioconnect.network  # noqa",
            "bioconnect.web is not allowed to import bioconnect.network",
        ),
        (
            "cli/atlas.py",
            "from bioconnect.store import schema  # noqa",
            "bioconnect.cli is not allowed to import bioconnect.store",
        ),
        (
            "network/build.py",
            "import bioconnect.plan  # noqa",
            "bioconnect.network is not allowed to import bioconnect.plan",
        ),
        (
            "web/plan/pages.py",
            "import bioconnect.web.atlas.pages  # noqa",
            "bioconnect.web.plan is not allowed to import bioconnect.web.atlas",
        ),
    ],
)
def test_the_contracts_catch_an_import_across_them(
    package_copy: Path, module: str, line: str, message: str
) -> None:
    path = package_copy / "src" / "bioconnect" / module
    original = path.read_text(encoding="utf-8")
    try:
        _with_line(package_copy, module, line)
        result = _lint_imports(package_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert message in " ".join(result.stdout.split()), result.stdout


def test_every_module_is_in_a_layer(package_copy: Path) -> None:
    stray = package_copy / "src" / "bioconnect" / "stray.py"
    stray.write_text('"""A module in no layer."""\n', encoding="utf-8")
    try:
        result = _lint_imports(package_copy)
    finally:
        stray.unlink()
    assert result.returncode != 0
    assert "bioconnect.stray" in result.stdout


def test_the_architecture_picture_shows_the_declared_layers() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import architecture_figure
    finally:
        sys.path.pop(0)
    drawn = (ROOT / "docs" / "img" / "architecture.svg").read_text(encoding="utf-8")
    assert drawn == architecture_figure.svg(), "run: uv run python scripts/architecture_figure.py"
