"""Reading a YAML configuration file into a pydantic model, with one clear error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bioconnect.errors import InputError

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], what: str, doc: str, **extra: Any) -> M:
    """Parse ``path`` and validate it as ``model``.

    A missing file, broken YAML or an invalid field raises :class:`InputError` naming the
    file and the field, and pointing at the ``doc`` page that lists the fields.
    ``extra`` values are added to the document before validation.
    """
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{what} file {path} does not exist.", "Check the path.") from exc
    except yaml.YAMLError as exc:
        raise InputError(
            f"{what} file {path} is not valid YAML: {exc}.", "Fix the YAML syntax."
        ) from exc
    if not isinstance(raw, dict):
        raise InputError(f"{what} file {path} does not hold a mapping of fields.", f"See {doc}.")
    try:
        return model.model_validate({**raw, **extra})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"{what} file {path} is invalid at {where}: {first['msg']}.",
            f"See {doc} for the fields it takes.",
        ) from exc
