"""Read and write plans as YAML and XLSX, exactly: writing then reading gives an equal plan.

The format is chosen by the file's suffix. YAML (:mod:`bioconnect.plan.plan_yaml`) holds the
plan as nested records; XLSX (:mod:`bioconnect.plan.workbook`) holds one sheet per kind of
record. Reading checks the whole file before failing and raises one
:class:`~bioconnect.errors.InputError` that lists every problem
(:mod:`bioconnect.plan.structure`).
"""

from __future__ import annotations

from pathlib import Path

from bioconnect.errors import InputError
from bioconnect.plan.config import PlanConfig
from bioconnect.plan.model import Plan
from bioconnect.plan.plan_yaml import read_yaml, write_yaml
from bioconnect.plan.workbook import read_xlsx, write_xlsx

__all__ = ["read_plan", "write_plan"]


def read_plan(
    path: str | Path, config: PlanConfig | None = None, *, repairs: list[str] | None = None
) -> Plan:
    """Read a plan from ``.yaml``/``.yml`` or ``.xlsx``, chosen by the file's suffix.

    ``repairs``, when given, receives a line for each documented repair made while reading
    (see :func:`~bioconnect.plan.workbook.read_xlsx`; YAML values are typed, so reading YAML
    repairs nothing).

    Examples
    --------
    >>> import tempfile
    >>> from bioconnect.plan import Goal, Plan
    >>> plan = Plan(name="Demo", region="baltic", goals=[Goal(id="G1", title="Grow")])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [read_plan(write_plan(plan, Path(folder) / name)) == plan
    ...      for name in ("plan.yaml", "plan.xlsx")]
    [True, True]
    >>> read_plan("plan.csv")
    Traceback (most recent call last):
    ...
    bioconnect.errors.InputError: Cannot tell the format of plan file plan.csv from its suffix '.csv'. Name it .yaml, .yml or .xlsx.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(path, config)
    if suffix == ".xlsx":
        return read_xlsx(path, config, repairs=repairs)
    raise InputError(
        f"Cannot tell the format of plan file {path} from its suffix {suffix!r}.",
        "Name it .yaml, .yml or .xlsx.",
    )


def write_plan(plan: Plan, path: str | Path, config: PlanConfig | None = None) -> Path:
    """Write a plan as ``.yaml``/``.yml`` or ``.xlsx``, chosen by the path's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return write_yaml(plan, path)
    if suffix == ".xlsx":
        return write_xlsx(plan, path, config)
    raise InputError(
        f"Cannot tell which format to write {path} in from its suffix {suffix!r}.",
        "Name it .yaml, .yml or .xlsx.",
    )
