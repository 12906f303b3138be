"""Plans as YAML: nested records, fields at their default value left out.

Reading reports every problem with its path in the document (``initiatives[3] (I04).budget``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bioconnect.errors import InputError
from bioconnect.model.exports import write_text
from bioconnect.plan.config import PlanConfig
from bioconnect.plan.model import Initiative, Plan
from bioconnect.plan.structure import FIX, describe_error, raise_problems, structure_problems

__all__ = ["plan_from_yaml", "plan_to_yaml", "read_yaml", "write_yaml"]


def plan_to_yaml(plan: Plan) -> str:
    """The plan as YAML text, leaving out fields at their default value.

    Examples
    --------
    >>> from bioconnect.plan import Goal, Plan
    >>> print(plan_to_yaml(Plan(name="Demo", region="baltic", goals=[Goal(id="G1", title="Grow")])))
    name: Demo
    region: baltic
    goals:
    - id: G1
      title: Grow
    <BLANKLINE>
    """
    data = plan.model_dump(mode="python", exclude_defaults=True)
    for key in ("name", "region"):
        data.setdefault(key, getattr(plan, key))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


class _PlanLoader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text, so the model can report a bad one."""


_PlanLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def _yaml_where(raw: Any, loc: Sequence[int | str]) -> str:
    """``initiatives[3] (I04).budget`` for a pydantic error location."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            try:
                node = node[step]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f" ({node['id']})"
            except (IndexError, KeyError, TypeError):
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "the document"


def plan_from_yaml(
    text: str, *, config: PlanConfig | None = None, source: str = "Plan YAML"
) -> Plan:
    """Parse and check a plan from YAML text.

    Parameters
    ----------
    text:
        The YAML document.
    config:
        The region's plan configuration; when given, initiatives must use its pillars.
    source:
        How to name the document in error messages (a file name).

    Raises
    ------
    InputError
        Listing every problem, each with its place in the document.
    """
    try:
        raw = yaml.load(text, Loader=_PlanLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        raise InputError(f"{source} is not valid YAML: {exc}.", "Fix the YAML syntax.") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{source} does not hold a mapping of plan fields.", FIX)
    problems: list[str] = []
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(raw)
        valid = list(enumerate(plan.initiatives))
    except ValidationError as exc:
        problems = [f"{_yaml_where(raw, e['loc'])}: {describe_error(e)}" for e in exc.errors()]
        valid = _valid_initiatives(raw.get("initiatives"))
    index: dict[str, str] = {}
    for n, record in valid:
        index.setdefault(record.id, f"initiatives[{n}] ({record.id})")
    problems += [
        f"{index[rid]}.{column}: {message}"
        for rid, column, message in structure_problems([r for _, r in valid], config)
    ]
    if problems or plan is None:
        raise_problems(source, problems)
    return plan


def _valid_initiatives(raw: Any) -> list[tuple[int, Initiative]]:
    """The initiatives of a YAML document that are valid on their own, with their index."""
    out = []
    for n, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            out.append((n, Initiative.model_validate(item)))
        except ValidationError:
            continue
    return out


def read_yaml(path: str | Path, config: PlanConfig | None = None) -> Plan:
    """Read a plan from a YAML file (see :func:`plan_from_yaml`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"Plan file {path} does not exist.", "Check the path.") from exc
    return plan_from_yaml(text, config=config, source=f"Plan file {path}")


def write_yaml(plan: Plan, path: str | Path) -> Path:
    """Write the plan as YAML (atomically); returns the path."""
    return write_text(path, plan_to_yaml(plan))
