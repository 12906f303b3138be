"""No region is written into the code: a region is its preset (issue 16).

The package's code and templates (``.py``, ``.html``, ``.j2``, ``.js``, ``.css``; not
``presets/``) must not name a country of any shipped preset as a quoted code (``"EE"``,
``'FI'``, ``"EE,LV,LT"``), nor a Baltic place by name (Estonia, Riga, ...): what a region
is, compares itself with and calls itself comes from its preset. The codes are read from
every shipped preset (:func:`bioconnect.model.preset.list_presets`), so a new preset's
countries are covered without a change here.

Documentation is not code: docstrings (their examples run as doctests) and comments are
not read, except the docstrings of CLI commands, which are their ``--help``: those are read
for place names, their example command lines aside. A shipped preset named by its key
(``preset="baltic"``, the product's default region; ``-o baltic.gexf``) or as "the Baltic
preset" is a name of configuration, not an assumption. Facts about a country that hold
whatever the region are allowed where :data:`ALLOWED` says so, with the reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

from bioconnect.model.preset import list_presets

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bioconnect"
SUFFIXES = (".py", ".html", ".j2", ".js", ".css")
#: Baltic places by name (any case, whole words).
PLACE_NAMES = (
    "Baltic",
    "Baltics",
    "Estonia",
    "Estonian",
    "Latvia",
    "Latvian",
    "Lithuania",
    "Lithuanian",
    "Finland",
    "Finnish",
    "Tallinn",
    "Tartu",
    "Riga",
    "Vilnius",
    "Kaunas",
    "Helsinki",
)
#: (file under src/bioconnect, the function, class or assigned name holding the literal):
#: why it is a fact about a country rather than an assumption about the region.
ALLOWED = {
    ("services/biotech_index.py", "EU27"): (
        "the EU member states: the index ranks all of them, whatever the region"
    ),
    ("registry/link.py", "vat_from_registration_code"): (
        "how Latvia and Finland build a VAT number from the company code: a fact of those "
        "countries' VAT systems, used for any list"
    ),
    ("registry/places.py", "_PART_OF"): (
        "Åland (AX in GeoNames) is part of Finland in the EU's sources"
    ),
    ("registry/places.py", "_GENITIVE"): (
        "Lithuanian and Finnish genitives of city names in addresses: facts of those languages"
    ),
}
_PLACES = re.compile(r"\b(?:" + "|".join(PLACE_NAMES) + r")\b", re.IGNORECASE)
_CODE_LIST = re.compile(r"[A-Z]{2}(?:\s*[,;]\s*[A-Z]{2})*")
_QUOTED = re.compile(r"""(["'])([A-Z]{2}(?:\s*[,;]\s*[A-Z]{2})*)\1""")


class Finding(NamedTuple):
    path: str
    line: int
    owner: str
    text: str


def region_codes() -> frozenset[str]:
    """The countries and reference countries of every shipped preset."""
    return frozenset(c for p in list_presets() for c in p.all_countries)


@cache
def _preset_references() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A shipped preset named: its key as written (``preset="baltic"``, ``baltic.gexf``),
    or ``the Baltic preset``. Naming the preset is not assuming the region."""
    names = "|".join(re.escape(p.name) for p in list_presets())
    return re.compile(rf"\b(?:{names})\b"), re.compile(rf"\b(?:{names})\s+preset", re.I)


def place_name(text: str) -> str | None:
    """The first Baltic place that ``text`` names, shipped presets named by key aside."""
    for reference in _preset_references():
        text = reference.sub(" ", text)
    place = _PLACES.search(text)
    return place.group() if place else None


def _codes_in_list(text: str, codes: frozenset[str]) -> bool:
    return any(part.strip() in codes for part in re.split(r"[,;]", text))


def _literal_problem(value: str, codes: frozenset[str]) -> str | None:
    """What is wrong with a string literal of the code, if anything."""
    stripped = value.strip()
    if _CODE_LIST.fullmatch(stripped) and _codes_in_list(stripped, codes):
        return f"country code {stripped!r}"
    place = place_name(value)
    return f"place name {place!r}" if place else None


class _Literals(ast.NodeVisitor):
    """The string literals of a module that are code (not docstrings), with their owner:
    the innermost function or class, or the name a module-level assignment binds."""

    def __init__(self) -> None:
        self.owners: list[str] = []
        self.found: list[tuple[int, str, str]] = []
        self.docs: list[tuple[int, str, str]] = []

    def _scope(self, node: ast.AST, name: str) -> None:
        self.owners.append(name)
        self.generic_visit(node)
        self.owners.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scope(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scope(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scope(node, node.name)

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        self._scope(node, names[0] if names and not self.owners else self._owner())

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        target = node.target
        name = target.id if isinstance(target, ast.Name) and not self.owners else self._owner()
        self._scope(node, name)

    def visit_Expr(self, node: ast.Expr) -> None:
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.docs.append((node.lineno, self._owner(), value.value))
            return
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.found.append((node.lineno, self._owner(), node.value))

    def _owner(self) -> str:
        return self.owners[-1] if self.owners else ""


def _help_lines(doc: str) -> Iterator[tuple[int, str]]:
    """A CLI docstring's lines that are help text, not example commands or doctests."""
    for i, line in enumerate(doc.splitlines()):
        text = line.strip()
        if not text.startswith(("bioconnect ", ">>>", "...")):
            yield i, text


def python_findings(path: Path, source: str, codes: frozenset[str]) -> Iterator[Finding]:
    visitor = _Literals()
    visitor.visit(ast.parse(source))
    for line, owner, value in visitor.found:
        problem = _literal_problem(value, codes)
        if problem:
            yield Finding(str(path), line, owner, problem)
    if path.parts[0] != "cli":
        return
    for line, owner, doc in visitor.docs:
        for offset, text in _help_lines(doc):
            if place := place_name(text):
                yield Finding(str(path), line + offset, owner, f"place name {place!r}")


def text_findings(path: Path, source: str, codes: frozenset[str]) -> Iterator[Finding]:
    """Quoted codes and place names in a template, script or style sheet."""
    for number, line in enumerate(source.splitlines(), start=1):
        for match in _QUOTED.finditer(line):
            if _codes_in_list(match.group(2), codes):
                yield Finding(str(path), number, "", f"country code {match.group(0)}")
        if place := place_name(line):
            yield Finding(str(path), number, "", f"place name {place!r}")


VENDOR = Path("web/static/vendor")


def findings(root: Path = PACKAGE, codes: frozenset[str] | None = None) -> list[Finding]:
    """Every region assumption in the package under ``root``, ``presets/`` aside, and the
    third-party bundles the build copies into ``web/static/vendor/`` (not ours, not in git)."""
    codes = region_codes() if codes is None else codes
    found: list[Finding] = []
    for file in sorted(root.rglob("*")):
        relative = file.relative_to(root)
        if (
            file.suffix not in SUFFIXES
            or relative.parts[0] == "presets"
            or VENDOR in relative.parents
        ):
            continue
        source = file.read_text(encoding="utf-8")
        scan = python_findings if file.suffix == ".py" else text_findings
        found += [f for f in scan(relative, source, codes) if (f.path, f.owner) not in ALLOWED]
    return found


def test_the_package_names_no_region() -> None:
    found = findings()
    assert found == [], "move these into the preset (or allow a country fact in ALLOWED):\n" + (
        "\n".join(f"{f.path}:{f.line} ({f.owner or 'module'}): {f.text}" for f in found)
    )


def test_every_shipped_preset_is_covered() -> None:
    codes = region_codes()
    for preset in list_presets():
        assert set(preset.countries) <= codes and set(preset.reference_countries) <= codes


def test_the_allowlist_is_used() -> None:
    """An allowance no literal needs any more is removed, so it cannot hide a new one."""
    codes = region_codes()
    used = set()
    for file in PACKAGE.rglob("*.py"):
        relative = file.relative_to(PACKAGE)
        for f in python_findings(relative, file.read_text(encoding="utf-8"), codes):
            used.add((f.path, f.owner))
    assert set(ALLOWED) <= used, set(ALLOWED) - used


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('COUNTRIES = ("EE", "DE")\n', "country code 'EE'"),
        ("def f(reference='FI'):\n    return reference\n", "country code 'FI'"),
        ('DEFAULT = "EE,LV,LT"\n', "country code 'EE,LV,LT'"),
        ('TITLE = f"The {n} Baltic states"\n', "place name 'Baltic'"),
        ('HELP = "Organisations in Estonia"\n', "place name 'Estonia'"),
        ('FIX = "Copy baltic-plan.yaml of the Baltic region"\n', "place name 'Baltic'"),
    ],
)
def test_a_written_in_region_is_found(source: str, problem: str) -> None:
    found = list(python_findings(Path("services/x.py"), source, frozenset({"EE", "LV", "FI"})))
    assert [f.text for f in found] == [problem]


@pytest.mark.parametrize(
    "source",
    [
        'def f(preset="baltic"):\n    """Codes, e.g. "EE".\n\n    >>> f("EE")\n    """\n',
        "# the Baltic preset's EE\nX = 1\n",
        'CODES = ("DE", "FR")\n',
        'WORDS = ("AND", "OR", "ee")\n',
        "FIX = \"Copy it from the baltic preset's mappings/ (or the Baltic preset's).\"\n",
    ],
)
def test_documentation_and_other_countries_are_not_findings(source: str) -> None:
    assert list(python_findings(Path("services/x.py"), source, frozenset({"EE", "FI"}))) == []


def test_cli_help_is_read_for_place_names() -> None:
    source = (
        'def cmd():\n    """Compare the Baltic states.\n\n    Example:\n'
        '        bioconnect cmd --preset baltic\n    """\n'
    )
    found = list(python_findings(Path("cli/x.py"), source, frozenset()))
    assert [(f.line, f.text) for f in found] == [(2, "place name 'Baltic'")]


def test_templates_are_read() -> None:
    source = "<p>{% if c == 'EE' %}Tartu{% endif %}</p>\n<!-- ?countries=EE,LV -->\n"
    found = list(text_findings(Path("web/templates/x.html"), source, frozenset({"EE"})))
    assert [f.text for f in found] == ["country code 'EE'", "place name 'Tartu'"]


def test_a_code_written_into_a_service_fails(tmp_path: Path) -> None:
    service = tmp_path / "services" / "x.py"
    service.parent.mkdir()
    service.write_text('COHORT = ("EE", "DE")\n', encoding="utf-8")
    preset = tmp_path / "presets" / "x.py"
    preset.parent.mkdir()
    preset.write_text('COUNTRIES = ("EE", "LV")\n', encoding="utf-8")
    assert [f.path for f in findings(tmp_path)] == [str(Path("services/x.py"))]
