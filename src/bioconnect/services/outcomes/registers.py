"""Company registers: read through the preset's mappings, as cohorts.

A preset names the register layouts of its countries by shipping a mapping for each,
``mappings/register-<layout>.yaml`` (the baltic preset: ``lv``, ``lt-registered``,
``lt-deregistered``, ``ee``, ``fi``). No register file ships with bioconnect or its test
data; these readers are for a user's own download. What each register can and cannot tell
is in ``docs/outcomes.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bioconnect.errors import InputError
from bioconnect.model.mapping import load_mapping
from bioconnect.model.preset import load_preset
from bioconnect.outcomes import cohort_table
from bioconnect.sources.mapped import read_mapped

#: How a preset's mapping of a register layout is named in its ``mappings/`` folder.
REGISTER_MAPPING = "register-{layout}.yaml"
#: NACE Rev. 2 classes counted as biotech when a preset names none: 72.11 research and
#: experimental development on biotechnology; 21.10 basic and 21.20 other pharmaceutical
#: products (docs/outcomes.md). The Baltic preset names the same three.
BIOTECH_ACTIVITY_CODES = ("72.11", "21.10", "21.20")


def register_layouts(preset: str = "baltic") -> dict[str, Path]:
    """The register layouts the preset ships a mapping for, and that mapping's path."""
    folder = load_preset(preset).folder
    if folder is None:
        raise InputError(f"preset {preset!r} has no folder of mappings", "use a packaged preset")
    prefix, suffix = REGISTER_MAPPING.split("{layout}")
    return {
        path.name.removeprefix(prefix).removesuffix(suffix): path
        for path in sorted((folder / "mappings").glob(REGISTER_MAPPING.format(layout="*")))
    }


def _mapping(register: str, preset: str) -> Path:
    layouts = register_layouts(preset)
    if register not in layouts:
        raise InputError(
            f"unknown register layout {register!r}",
            f"use one of {', '.join(layouts) or 'none: the preset ships no register mapping'}",
        )
    return layouts[register]


def read_register(path: Path, register: str, *, preset: str = "baltic") -> pd.DataFrame:
    """The companies of a register file: one row each, with ``source_row``."""
    mapped = read_mapped(path, load_mapping(_mapping(register, preset)))
    return mapped.records["company"]


def is_biotech(codes: pd.Series, classes: Sequence[str] = BIOTECH_ACTIVITY_CODES) -> pd.Series:
    """Whether each activity code (NACE ``72.11``, TOL ``72110``, EMTAK ``72111``) falls in
    one of the NACE ``classes`` (default :data:`BIOTECH_ACTIVITY_CODES`)."""
    digits = codes.astype("string").str.replace(".", "", regex=False).str.strip()
    prefixes = tuple(c.replace(".", "") for c in classes)
    return digits.str.startswith(prefixes).fillna(False).astype(bool)


def register_cohort(
    path: Path,
    register: str,
    *,
    end_of_data: str,
    biotech_only: bool = False,
    preset: str = "baltic",
) -> pd.DataFrame:
    """A cohort table of a register: entry at founding, exit (``closed``) at the closing
    date, censored at ``end_of_data``. ``biotech_only`` keeps the companies of the preset's
    ``biotech_activity_codes``. A register does not say why a company closed, so
    every exit is ``closed`` (mergers and moves abroad included)."""
    companies = read_register(path, register, preset=preset)
    if biotech_only:
        if "activity_code" not in companies.columns:
            raise InputError(
                f"the {register} register has no activity code",
                "join the codes from their own file first",
            )
        classes = load_preset(preset).biotech_activity_codes or BIOTECH_ACTIVITY_CODES
        companies = companies[is_biotech(companies["activity_code"], classes)]
    founded = companies["founded"]
    if founded.isna().any():
        row = int(companies.loc[founded.isna(), "source_row"].iloc[0])
        raise InputError(
            f"{path.name}, row {row}: the founding date is empty", "every company needs one"
        )
    closed = (
        companies["closed"]
        if "closed" in companies.columns
        else pd.Series(pd.NA, index=companies.index)
    )
    kinds = ["closed" if pd.notna(c) else None for c in closed]
    attrs = companies[
        [c for c in ("country", "legal_form", "activity_code") if c in companies.columns]
    ]
    return cohort_table(
        companies["registration_code"].astype(str).tolist(),
        founded.astype(str).tolist(),
        [None if pd.isna(c) else str(c) for c in closed],
        kinds,
        end_of_data=end_of_data,
        attributes=attrs.astype(object),
        source=path.name,
        rows=companies["source_row"].astype(int).tolist(),
    )
