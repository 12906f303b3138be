"""Checks on the organisation rows of a user's own list, before anything is stored.

A user's stakeholder list is typed by hand, so it carries what open data rarely does: a
country written ``ZZZ``, a stakeholder group the preset does not know (``wizards``), a
PIC that is not nine digits. Such a row would be stored as is and spoil every figure
that counts by country or group, so an import checks every row first and refuses the
file with every problem listed (:func:`row_problems`).

Country codes are ISO 3166-1 alpha-2, with the two codes the European Commission uses
instead (``EL`` for Greece, ``UK`` for the United Kingdom; CORDIS writes them).
A PIC (Participant Identification Code) is nine digits.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from iso3166 import countries_by_alpha2

from bioconnect.sources.mapped import SOURCE_ROW, MappedFile

#: The European Commission's country codes that differ from ISO 3166-1 (CORDIS uses them).
EC_CODES = {"EL": "GR", "UK": "GB"}
PIC_FORMAT = re.compile(r"^\d{9}$")
ENTITIES = ("organisation", "participation")


@dataclass(frozen=True)
class RowProblem:
    """One bad cell: the file's row, the column as the file names it, and what is wrong."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.problem}"


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (or the EC's EL or UK).

    >>> is_country_code("EE"), is_country_code("EL"), is_country_code("ZZZ"), is_country_code("ee")
    (True, True, False, False)
    """
    return code in EC_CODES or code in countries_by_alpha2


def row_problems(result: MappedFile, groups: Collection[str]) -> list[RowProblem]:
    """Every bad country code, stakeholder group and PIC in the organisation rows read.

    Parameters
    ----------
    result:
        A file read through its mapping (:func:`bioconnect.sources.mapped.read_mapped`).
    groups:
        The stakeholder groups of the preset.

    Returns
    -------
    list of RowProblem
        In row order; empty when every row is fine.

    Example
    -------
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from bioconnect.model.mapping import Mapping
    >>> mapping = Mapping.model_validate({"name": "list", "targets": [{"entity": "organisation",
    ...     "fields": {"name": "Name", "country": "Country", "pic": "PIC"}}]})
    >>> frame = pd.DataFrame({"name": ["Tartu Ülikool", "Wizards"], "country": ["EE", "ZZZ"],
    ...                       "pic": ["999895013", "abc"], "source_row": [2, 3]})
    >>> for p in row_problems(MappedFile(Path("list.csv"), mapping, {"organisation": frame}), []):
    ...     print(p)
    row 3, column 'Country': 'ZZZ' is not an ISO 3166-1 country code
    row 3, column 'PIC': 'abc' is not a PIC (nine digits)

    References
    ----------
    ISO 3166-1 alpha-2 country codes; the European Commission's Interinstitutional Style
    Guide, section 7.1 (country codes EL and UK).
    """
    problems: list[RowProblem] = []
    allowed = set(groups)
    for target in result.mapping.targets:
        if target.entity not in ENTITIES or target.entity not in result.records:
            continue
        frame = result.records[target.entity]
        for field, check in (
            ("country", _country_problem),
            ("stakeholder_group", lambda v: _group_problem(v, allowed)),
            ("pic", _pic_problem),
        ):
            if field not in target.fields or field not in frame.columns:
                continue
            column = target.fields[field].column or field
            present = frame[[SOURCE_ROW, field]].dropna(subset=[field])
            for row, value in present.itertuples(index=False):
                problem = check(str(value))
                if problem:
                    problems.append(RowProblem(int(row), column, problem))
    return sorted(set(problems), key=lambda p: (p.row, p.column))


def _country_problem(value: str) -> str | None:
    if is_country_code(value):
        return None
    hint = " (write it in capitals)" if is_country_code(value.upper()) else ""
    return f"{value!r} is not an ISO 3166-1 country code{hint}"


def _group_problem(value: str, allowed: set[str]) -> str | None:
    if value in allowed:
        return None
    return f"{value!r} is not a stakeholder group of the preset ({', '.join(sorted(allowed))})"


def _pic_problem(value: str) -> str | None:
    if PIC_FORMAT.match(value):
        return None
    return f"{value!r} is not a PIC (nine digits)"
