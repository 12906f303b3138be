"""Every docstring example in the package runs and gives what it shows.

One test walks the package rather than ``--doctest-modules``: it runs from ``tests/`` with
the rest of the suite (``testpaths``, the warnings-as-errors filters and ``--strict-config``
apply unchanged, with no second import of ``src/`` under another root), and each module is
one parameter, so a failure names the module.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

import pytest

import bioconnect

# ``python -m bioconnect`` runs the CLI on import; it has no examples.
_NOT_IMPORTED = {"bioconnect.__main__"}
_FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _module_names() -> list[str]:
    """The package and every module under it (this imports packages' ``__init__`` only)."""

    def fail(name: str) -> None:
        raise ImportError(f"cannot walk {name}") from sys.exc_info()[1]

    found = pkgutil.walk_packages(bioconnect.__path__, "bioconnect.", onerror=fail)
    return ["bioconnect", *sorted(info.name for info in found)]


def _source(name: str) -> str:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).read_text(encoding="utf-8")


ALL_MODULES = [name for name in _module_names() if name not in _NOT_IMPORTED]
# Chosen from the source text, so collecting does not import the heavy modules.
WITH_EXAMPLES = [name for name in ALL_MODULES if ">>>" in _source(name)]


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [test for test in doctest.DocTestFinder().find(module, name) if test.examples]


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    report: list[str] = []
    for test in _examples(name):
        runner.run(test, out=report.append)
    assert runner.tries > 0, f"{name} has '>>>' but no docstring example was found"
    assert runner.failures == 0, "".join(report)


def test_every_module_with_examples_is_collected() -> None:
    """The source scan finds exactly the modules whose docstrings hold examples."""
    found = [name for name in ALL_MODULES if _examples(name)]
    assert found == WITH_EXAMPLES
    assert len(WITH_EXAMPLES) > 25
    assert {"bioconnect", "bioconnect.network.layout", "bioconnect.plan.ahp"} <= set(found)
