"""What a report template is given: figures, tables and the sources they come from.

These are plain frozen dataclasses, filled by the services and read by the templates; a
template lays them out, numbers them and writes their source footnotes, and computes
nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """One source of a report's figures: a set of files or records with its licence.

    ``key`` is what figures and tables name in their ``sources``; ``files`` lists what
    contributed (path, edition or record, with its SHA-256 where the store has one).
    """

    key: str
    name: str
    licence: str
    attribution: str
    files: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart: the SVG rendered from the same Vega-Lite spec as the web page.

    ``svg`` is None when there is nothing to draw; ``empty_reason`` then says why, and the
    template shows the reason instead of a half-empty chart.
    """

    title: str
    svg: str | None
    sources: tuple[str, ...]
    method: str
    alt: str = ""
    empty_reason: str | None = None


@dataclass(frozen=True)
class Table:
    """A table of values (already formatted as text); ``numeric`` names the columns
    aligned to the right."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    method: str
    numeric: tuple[int, ...] = ()
    empty_reason: str | None = None

    @classmethod
    def of(
        cls,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        sources: Sequence[str],
        method: str,
        empty_reason: str | None = None,
    ) -> Table:
        """A table from raw cells: numbers are formatted and aligned right.

        >>> t = Table.of("T", ["a", "n"], [["x", 1234.5]], sources=["s"], method="m")
        >>> t.rows, t.numeric
        ((('x', '1,234.5'),), (1,))
        """
        numeric = tuple(
            i
            for i in range(len(columns))
            if rows and all(isinstance(r[i], int | float) or r[i] is None for r in rows)
        )
        cells = tuple(tuple(format_cell(v) for v in row) for row in rows)
        return cls(
            title,
            tuple(columns),
            cells,
            tuple(sources),
            method,
            numeric,
            empty_reason if not rows else None,
        )


def format_cell(value: Any) -> str:
    """A cell as text: thousands separators, at most two decimals, an en dash for none.

    >>> [format_cell(v) for v in (728, 0.3214, 1234567.891, None, "EE", True)]
    ['728', '0.32', '1,234,567.89', '–', 'EE', 'yes']
    """
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text if text not in ("-0", "") else "0"
    return str(value)


@dataclass(frozen=True)
class ReportDocument:
    """Everything one report needs: its metadata, the sections' content, the sources and
    the key figures that editions compare.

    ``created`` is the stated timestamp (ISO 8601, UTC); it is the only thing that may
    differ between two renders of the same data with the same parameters.
    """

    kind: str
    title: str
    subtitle: str
    created: str
    parameters: Mapping[str, Any]
    data_version: int
    content: Mapping[str, Any]
    sources: tuple[Source, ...]
    key_figures: Mapping[str, str] = field(default_factory=dict)
    example: bool = False
