"""The report templates on hand-made documents: numbering, footnotes, empty parts that say
why, escaping of everything users or data supply, and the public surface."""

from __future__ import annotations

import io

import pytest

import bioconnect.reports as reports
from bioconnect.reports import Figure, ReportDocument, Source, Table, html_to_pdf, render_html

HOSTILE = "<script>alert(\"x\")</script> & =cmd|'/c calc'!A1"


def _doc(content: dict[str, object], **extra: object) -> ReportDocument:
    fields: dict[str, object] = {
        "kind": "skeleton",
        "title": "T",
        "subtitle": "S",
        "created": "2026-01-01T00:00:00Z",
        "parameters": {"preset": "baltic"},
        "data_version": 3,
        "content": content,
        "sources": (
            Source("s", "A file", "CC BY 4.0", "Source: X.", files=("a.csv (3 rows)",)),
            Source("t", "Another", "MIT", "Source: Y."),
        ),
    }
    fields.update(extra)
    return ReportDocument(**fields)  # type: ignore[arg-type]


def test_public_surface() -> None:
    assert reports.__all__ == [
        "TEMPLATES",
        "Figure",
        "FigureChange",
        "Numbering",
        "ReportDocument",
        "Source",
        "Table",
        "diff_figures",
        "format_cell",
        "html_to_docx",
        "html_to_pdf",
        "render_html",
    ]


def test_figures_and_tables_are_numbered_in_order_with_their_footnotes() -> None:
    svg = '<svg width="10" height="10"><rect width="1" height="1"/></svg>'
    html = render_html(
        _doc(
            {
                "a": Table.of("First", ["c", "n"], [["EE", 728]], sources=["s"], method="counted"),
                "b": Figure("Chart", svg, ("s", "t"), "drawn"),
                "c": Table.of("Second", ["c"], [["LV"]], sources=["t"], method="listed"),
                "d": Figure("Nothing", None, ("s",), "drawn", empty_reason="no votes yet."),
            }
        )
    )
    order = [
        html.index(x)
        for x in ("Table 1. First", "Figure 1. Chart", "Table 2. Second", "Figure 2. Nothing")
    ]
    assert order == sorted(order)
    assert "Source: A file; Another. Method: drawn" in html
    assert "Source: Another. Method: listed" in html
    assert "No chart: no votes yet." in html
    assert '<td class="num">728</td>' in html
    assert "<li><code>a.csv (3 rows)</code></li>" in html  # the sources appendix
    assert "data version 3" in html and "preset = baltic" in html


def test_an_empty_table_says_why() -> None:
    html = render_html(
        _doc(
            {
                "a": Table.of(
                    "Votes",
                    ["x"],
                    [],
                    sources=["s"],
                    method="m",
                    empty_reason="nobody has voted yet.",
                )
            }
        )
    )
    assert "Table 1. Votes" in html and "No rows: nobody has voted yet." in html
    assert "<table>" not in html


def test_user_text_is_escaped_everywhere() -> None:
    html = render_html(
        _doc(
            {"a": Table.of(HOSTILE, [HOSTILE], [[HOSTILE]], sources=["s"], method=HOSTILE)},
            title=HOSTILE,
            subtitle=HOSTILE,
            parameters={"preset": HOSTILE},
            sources=(Source("s", HOSTILE, HOSTILE, HOSTILE, files=(HOSTILE,)),),
        )
    )
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") >= 8


def test_example_plans_carry_the_banner() -> None:
    assert "EXAMPLE DATA" in render_html(_doc({}, example=True))
    assert "EXAMPLE DATA" not in render_html(_doc({}))


def test_pdf_is_paged_numbered_and_reproducible() -> None:
    from pypdf import PdfReader

    html = render_html(
        _doc({"a": Table.of("First", ["c", "n"], [["EE", 728]], sources=["s"], method="counted")})
    )
    first = html_to_pdf(html, "2026-01-01T00:00:00Z")
    assert first == html_to_pdf(html, "2026-01-01T00:00:00Z")
    reader = PdfReader(io.BytesIO(first))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Page 1 of" in text and "Table 1. First" in text and "728" in text
    assert reader.metadata is not None and reader.metadata.title == "T"
    # a tagged PDF: the catalogue has a structure tree
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_unknown_template_is_an_error() -> None:
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound):
        render_html(_doc({}, kind="nope"))
