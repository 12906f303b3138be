"""Services return typed read models, never bare ``dict[str, Any]`` (issue 9, part 3).

Every public function of ``bioconnect.services`` is checked by its return annotation;
the plan services are left out until they are converted.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from types import ModuleType
from typing import Any

import bioconnect.services

#: Modules not converted yet (their functions still return dicts).
NOT_YET: tuple[str, ...] = ()


def _service_modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(bioconnect.services.__path__, "bioconnect.services.")
    ]
    return [
        importlib.import_module(name)
        for name in sorted(names)
        if not any(name == skip or name.startswith(skip + ".") for skip in NOT_YET)
    ]


def _untyped(annotation: Any) -> bool:
    """True for ``Any`` or ``dict[str, Any]``, alone or inside a list, tuple or union."""
    if annotation is Any or annotation == "Any":
        return True
    if typing.get_origin(annotation) is dict and typing.get_args(annotation) == (str, Any):
        return True
    return any(_untyped(arg) for arg in typing.get_args(annotation))


_MISSING = object()


def _return_annotation(function: Any) -> Any:
    """The evaluated return annotation; its text when it names a type imported only for
    type checking (``if TYPE_CHECKING:``), which is then no bare dict or Any."""
    text = function.__annotations__.get("return", _MISSING)
    if not isinstance(text, str):
        return text
    try:
        return eval(text, vars(inspect.getmodule(function)))
    except NameError:
        return "Any" if text == "Any" or "dict[str, Any]" in text else text


def test_the_check_catches_what_it_should() -> None:
    assert _untyped(dict[str, Any]) and _untyped(list[dict[str, Any]]) and _untyped(Any)
    assert _untyped(tuple[list[dict[str, Any]], int])
    assert _untyped(dict[str, Any] | None)
    assert not _untyped(dict[str, int]) and not _untyped(list[str]) and not _untyped(None)


def test_public_service_functions_return_typed_results() -> None:
    modules = _service_modules()
    assert {"bioconnect.services.atlas", "bioconnect.services.network"} <= {
        m.__name__ for m in modules
    }
    untyped = []
    checked = 0
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            checked += 1
            returns = _return_annotation(function)
            if returns is _MISSING or _untyped(returns):
                untyped.append(f"{module.__name__}.{name} -> {returns or 'unannotated'}")
    assert checked > 30
    assert untyped == [], (
        "Return a read model (a frozen pydantic model, see services/readmodel.py) instead of "
        "a bare dict:\n" + "\n".join(untyped)
    )
