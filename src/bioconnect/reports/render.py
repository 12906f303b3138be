"""Rendering a report's HTML from its template: one self-contained document.

The HTML carries its styles and charts inline (SVG) and loads nothing from the network,
so the file can be mailed or archived as it is; the PDF and the Word copy are made from it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from bioconnect.reports.document import ReportDocument, format_cell
from bioconnect.reports.numbering import Numbering

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = ("status", "plan", "evaluation", "skeleton")


def thousands(value: Any) -> str:
    """A number with thousands separators (see :func:`format_cell`).

    >>> thousands(23457), thousands(0.5)
    ('23,457', '0.5')
    """
    return format_cell(value)


def euros(value: Any) -> str:
    """An amount in euros, in millions above one million.

    >>> euros(5_512_345.0), euros(80_000), euros(None)
    ('EUR 5.5 M', 'EUR 80,000', '–')
    """
    if value is None:
        return "–"
    if abs(float(value)) >= 1_000_000:
        return f"EUR {float(value) / 1_000_000:,.1f} M"
    return f"EUR {float(value):,.0f}"


def percent(value: Any, digits: int = 1) -> str:
    """A share (0–1) as a percentage.

    >>> percent(0.3214), percent(None)
    ('32.1%', '–')
    """
    if value is None:
        return "–"
    return f"{100 * float(value):.{digits}f}%"


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescaped, strict)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("bioconnect.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(thousands=thousands, euros=euros, percent=percent)
    return env


def render_html(document: ReportDocument) -> str:
    """The report as one HTML document, from the template named after its kind.

    Parameters
    ----------
    document:
        What the services gathered: content, sources, key figures, the stated time.

    Returns
    -------
    str
        Self-contained HTML5: styles and SVG charts inline, figures and tables numbered,
        each with its source footnote, and an appendix of every source with its licence.

    Example
    -------
    >>> from bioconnect.reports.document import Source, Table
    >>> doc = ReportDocument(
    ...     kind="skeleton", title="T", subtitle="S", created="2026-01-01T00:00:00Z",
    ...     parameters={}, data_version=1, sources=(Source("s", "A file", "CC BY 4.0", "Source: X"),),
    ...     content={"table": Table.of("Counts", ["c", "n"], [["EE", 728]], sources=["s"], method="count")})
    >>> html = render_html(doc)
    >>> "Table 1. Counts" in html and "Source: A file" in html
    True

    References
    ----------
    Jinja2 template designer documentation; WHATWG HTML, the ``figure`` and ``table``
    elements.
    """
    env = environment()
    template = env.get_template(f"{document.kind}.html.j2")
    sources = {s.key: s for s in document.sources}
    return template.render(
        report=document,
        content=document.content,
        sources=sources,
        numbering=Numbering(),
    )
