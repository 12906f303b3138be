"""What every plan file must be to make a plan, and the one error that lists what is not.

Reading a plan (YAML or XLSX) checks the whole file before failing and raises one
:class:`~bioconnect.errors.InputError` that lists every problem. Besides types and allowed
values, reading refuses what cannot make a plan: unknown pillars (when a configuration is
given), initiatives that end before they start, and dependency loops. Weaker problems are left
to :func:`~bioconnect.plan.lint.lint`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from bioconnect.errors import InputError
from bioconnect.plan.config import PlanConfig
from bioconnect.plan.lint import dependency_cycles
from bioconnect.plan.model import Initiative

FIX = "Correct the file and read it again; docs/plan.md lists the fields and columns."


def describe_error(error: Any) -> str:
    msg = str(error["msg"])
    if error["type"] in ("missing", "extra_forbidden"):
        return msg.lower()
    shown = repr(error.get("input"))
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{msg} (got {shown})"


def structure_problems(
    initiatives: Sequence[Initiative], config: PlanConfig | None
) -> list[tuple[str, str, str]]:
    """(initiative id, column, message) for what cannot be imported.

    Checked on every initiative that is valid on its own, so that these problems are listed
    together with the others.

    Examples
    --------
    >>> import datetime as dt
    >>> late = Initiative(id="I1", title="Hub", pillar="P1", depends_on=["I1"],
    ...                   start=dt.date(2026, 1, 1), end=dt.date(2025, 6, 1))
    >>> for problem in structure_problems([late], None):
    ...     print(problem)
    ('I1', 'end', 'end 2025-06-01 is before start 2026-01-01')
    ('I1', 'depends_on', 'dependency loop I1 → I1')
    """
    out = []
    pillars = set(config.pillar_ids) if config is not None else None
    for item in initiatives:
        if pillars is not None and item.pillar not in pillars:
            out.append(
                (
                    item.id,
                    "pillar",
                    f"unknown pillar {item.pillar!r} (use one of: {', '.join(sorted(pillars))})",
                )
            )
        if item.start is not None and item.end is not None and item.end < item.start:
            out.append((item.id, "end", f"end {item.end} is before start {item.start}"))
    for cycle in dependency_cycles({i.id: i.depends_on for i in initiatives}):
        loop = " → ".join([*cycle, cycle[0]])
        out.append((cycle[0], "depends_on", f"dependency loop {loop}"))
    return out


def raise_problems(source: str, problems: list[str]) -> NoReturn:
    listed = "\n".join(f"  - {p}" for p in problems)
    raise InputError(f"{source} has {len(problems)} problem(s):\n{listed}\n", FIX)
