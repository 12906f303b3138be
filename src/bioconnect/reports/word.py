"""An editable Word copy of a report: the report's HTML written again with python-docx.

Policy officers finish the documents in Word, so the copy uses Word's own structure:
heading styles (the navigation pane and a table of contents work), tables with a
repeating header row, list paragraphs, pictures for the charts, and two styles of our
own, *Source Note* (the small grey source line under every figure and table) and
*Banner* (the shaded "EXAMPLE DATA" warning). The HTML is the subset the report
templates write (see :func:`html_to_docx`); an element outside it keeps its text.

python-docx rather than pandoc: a pure-Python wheel, output that is the same byte for
byte for the same HTML, and the charts converted by us (pandoc needs its own binary and
cannot draw an inline SVG).
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bioconnect.reports.htmltree import Element, is_image, parse_html, text_of
from bioconnect.reports.word_runs import BREAK, Format, Segment, skipped, text_runs, tidy, xml_safe

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

__all__ = ["html_to_docx"]

_HEADING_STYLES = {
    "h1": "Title",
    "h2": "Heading 1",
    "h3": "Heading 2",
    "h4": "Heading 3",
    "h5": "Heading 3",
    "h6": "Heading 3",
}
_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|svg\+xml);base64,(.*)", re.S)
_MAX_PICTURE_CM = 15.0
_EMU_PER_CSS_PX = 9525  # 914400 EMU an inch, 96 CSS px an inch
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


# -- block content: paragraphs, lists, tables, figures --------------------------------------


@dataclass(frozen=True)
class _Context:
    """Where and how the walker writes: the container and the paragraphs' style."""

    target: Any  # the Document or a table cell: both have add_paragraph and add_table
    style: str = "Normal"
    fmt: Format = field(default_factory=Format)
    list_style: str = "List Bullet"
    list_depth: int = 0
    num_id: int | None = None  # the numbering of the current <ol>, restarted at 1
    alt: str = ""  # a picture's description: its figure's caption


class _Writer:
    """Walks the body of a report and writes it into a python-docx document."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._style_ids: dict[str, str] = {}

    def walk(self, element: Element, ctx: _Context) -> None:
        """Write the children of ``element``: inline runs as paragraphs, blocks by kind."""
        inline: list[Element | str] = []
        for child in element.children:
            if isinstance(child, str) or not child.is_block:
                inline.append(child)
                continue
            self._paragraph_of(inline, ctx)
            inline = []
            if not skipped(child):
                self._block(child, ctx)
        self._paragraph_of(inline, ctx)

    def _block(self, element: Element, ctx: _Context) -> None:
        tag = element.tag
        if tag in ("ul", "ol"):
            self._list(element, ctx)
        elif tag == "li":
            self.walk(element, replace(ctx, style=ctx.list_style))
        elif tag == "table":
            self._table(element, ctx)
        elif tag == "figure":
            self._figure(element, ctx)
        elif tag == "svg":
            self._svg(element, ctx)
        elif tag == "img":
            self._image(element, ctx)
        elif tag != "hr":
            self.walk(element, replace(ctx, style=_style_of(element, ctx.style)))

    def _paragraph_of(self, nodes: list[Element | str], ctx: _Context) -> None:
        runs = tidy(text_runs(nodes, ctx.fmt))
        if runs:
            _write_runs(self._paragraph(ctx), runs)

    def _paragraph(self, ctx: _Context) -> Paragraph:
        paragraph = ctx.target.add_paragraph()
        if ctx.style != "Normal":  # set by id: python-docx's lookup by name reads every style
            if ctx.style not in self._style_ids:
                self._style_ids[ctx.style] = self.document.styles[ctx.style].style_id
            paragraph._p.style = self._style_ids[ctx.style]
        if ctx.num_id is not None and ctx.style == ctx.list_style:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = ctx.num_id
        return paragraph

    def _list(self, element: Element, ctx: _Context) -> None:
        depth = min(ctx.list_depth + 1, 3)
        kind = "List Number" if element.tag == "ol" else "List Bullet"
        style = kind if depth == 1 else f"{kind} {depth}"
        num_id = self._restarted_numbering(style) if element.tag == "ol" else None
        self.walk(element, replace(ctx, list_style=style, list_depth=depth, num_id=num_id))

    def _restarted_numbering(self, style: str) -> int:
        """A new numbering of the list style's kind that starts again at 1."""
        numbering = self.document.part.numbering_part.element
        style_num = self.document.styles[style].element.pPr.numPr.numId.val
        abstract_id = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)

    def _table(self, element: Element, ctx: _Context) -> None:
        """A *Caption* paragraph above (kept with the table), then the table."""
        captions = [c for c in element.elements() if c.tag == "caption" and not skipped(c)]
        for caption in captions:
            self.walk(caption, replace(ctx, style="Caption"))
        rows = _table_rows(element)
        if not rows:
            return
        width = max(sum(_colspan(cell) for cell in cells) for cells, _ in rows)
        table = ctx.target.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        previous = table._tbl.getprevious()
        if captions and previous is not None and previous.tag.endswith("}p"):
            previous.get_or_add_pPr().get_or_add_keepNext()
        for row, (cells, is_header) in zip(table.rows, rows, strict=True):
            if is_header:
                row._tr.get_or_add_trPr().append(_oxml("w:tblHeader"))
            self._row(row, cells, ctx)

    def _row(self, row: Any, cells: list[Element], ctx: _Context) -> None:
        grid = row.cells
        column = 0
        for cell in cells:
            span = _colspan(cell)
            target = _spanned(grid, column, span) if span > 1 else grid[column]
            column += span
            fmt = replace(ctx.fmt, bold=True) if cell.tag == "th" else ctx.fmt
            self.walk(cell, _Context(target=target, fmt=fmt))
            _tidy_cell(target, right="num" in cell.classes)

    def _figure(self, element: Element, ctx: _Context) -> None:
        """The figure's pictures, then its caption (wherever the HTML puts it), then the rest."""
        children = element.children
        captions = [c for c in children if isinstance(c, Element) and c.tag == "figcaption"]
        last_picture = max(
            (i for i, c in enumerate(children) if isinstance(c, Element) and _has_picture(c)),
            default=-1,
        )
        ordered = [c for c in children[: last_picture + 1] if c not in captions]
        ordered += [c for c in captions if children.index(c) <= last_picture]
        ordered += children[last_picture + 1 :]
        alt = text_of(captions[0]) if captions else ""
        self.walk(Element("figure", element.attrs, ordered), replace(ctx, alt=alt))

    def _svg(self, element: Element, ctx: _Context) -> None:
        import vl_convert

        if not element.raw:  # an <svg> never closed: keep its text
            self.walk(element, ctx)
            return
        png = vl_convert.svg_to_png(element.raw, scale=2)
        alt = element.attrs.get("aria-label") or ctx.alt
        self._picture(png, _png_width(png) / 2, alt, ctx)

    def _image(self, element: Element, ctx: _Context) -> None:
        import vl_convert

        match = _DATA_URL.fullmatch(element.attrs["src"].strip())
        if match is None:
            self._paragraph_of([element.attrs.get("alt", "")], ctx)
            return
        data = base64.b64decode(re.sub(r"\s+", "", match.group(2)), validate=True)
        css_width = _number(element.attrs.get("width", ""))
        if match.group(1) == "svg+xml":
            data = vl_convert.svg_to_png(data.decode("utf-8"), scale=2)
            css_width = css_width or _png_width(data) / 2
        self._picture(data, css_width or _png_width(data), element.attrs.get("alt") or ctx.alt, ctx)

    def _picture(self, data: bytes, css_width: float, alt: str, ctx: _Context) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Emu

        paragraph = ctx.target.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        width = min(Emu(round(css_width * _EMU_PER_CSS_PX)), Cm(_MAX_PICTURE_CM))
        paragraph.add_run().add_picture(io.BytesIO(data), width=width)
        if alt:
            paragraph._p.xpath(".//wp:docPr")[0].set("descr", xml_safe(alt))


def _style_of(element: Element, inherited: str) -> str:
    """The paragraph style for the text of ``element``."""
    if element.tag in _HEADING_STYLES:
        return _HEADING_STYLES[element.tag]
    if element.tag in ("caption", "figcaption"):
        return "Caption"
    if element.classes & {"source", "note"}:
        return "Source Note"
    if "banner" in element.classes:
        return "Banner"
    return inherited


def _has_picture(element: Element) -> bool:
    if element.tag == "svg" or is_image(element):
        return True
    return not skipped(element) and any(_has_picture(c) for c in element.elements())


def _table_rows(table: Element) -> list[tuple[list[Element], bool]]:
    """The rows of a table, each with its cells and whether it is a header row.

    The rows of ``<thead>`` are header rows; without one, the leading rows of ``<th>`` only.
    """
    rows: list[tuple[list[Element], bool]] = []
    for child in table.elements():
        if skipped(child):
            continue
        group = [child] if child.tag == "tr" else [r for r in child.elements() if r.tag == "tr"]
        for row in group:
            if skipped(row):
                continue
            cells = [c for c in row.elements() if c.tag in ("td", "th") and not skipped(c)]
            if cells:
                rows.append((cells, child.tag == "thead"))
    if not any(is_header for _, is_header in rows):
        leading = 0
        while leading < len(rows) and all(c.tag == "th" for c in rows[leading][0]):
            leading += 1
        rows = [(cells, i < leading) for i, (cells, _) in enumerate(rows)]
    return rows


def _spanned(grid: tuple[Any, ...], column: int, span: int) -> Any:
    """The empty cell at ``column`` widened over ``span`` columns (python-docx's merge reads
    the whole table each time; a new row's cells can simply be joined)."""
    first = grid[column]._tc
    for cell in grid[column + 1 : column + span]:
        if first.width is not None and cell._tc.width is not None:
            first.width = first.width + cell._tc.width
        cell._tc.getparent().remove(cell._tc)
    first.grid_span = span
    return grid[column]


def _colspan(cell: Element) -> int:
    """The columns a cell spans: 1 to 1000, as HTML reads ``colspan``."""
    return min(max(1, int(_number(cell.attrs.get("colspan", "1")))), 1000)


def _number(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)(?:px)?\s*", text)
    return float(match.group(1)) if match else 0.0


def _tidy_cell(cell: Any, right: bool) -> None:
    """Drop the empty paragraph a new cell starts with; right-align a number."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraphs = cell.paragraphs
    if len(paragraphs) > 1 and not paragraphs[0].text:
        paragraphs[0]._p.getparent().remove(paragraphs[0]._p)
    if right:
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _png_width(data: bytes) -> int:
    from docx.image.image import Image

    return int(Image.from_blob(data).px_width)


def _oxml(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _write_runs(paragraph: Paragraph, runs: list[Segment]) -> None:
    for text, fmt in runs:
        if text == BREAK:
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(text)
        _format_run(run, fmt)
        if fmt.link:
            _hyperlink(paragraph, run, fmt.link)


def _format_run(run: Run, fmt: Format) -> None:
    if fmt.bold:
        run.bold = True
    if fmt.italic:
        run.italic = True
    if fmt.mono:
        run.font.name = "Consolas"
    if fmt.superscript:
        run.font.superscript = True
    if fmt.subscript:
        run.font.subscript = True


def _hyperlink(paragraph: Paragraph, run: Run, url: str) -> None:
    """Wrap ``run`` in a hyperlink to ``url`` (an external relationship of the part)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = _oxml("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run._r.addprevious(link)
    link.append(run._r)
    run.style = "Hyperlink"


# -- the document: page, styles, properties, and the file -----------------------------------


def _new_document() -> Document:
    """A blank A4 document with the styles the report needs besides Word's own."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    styles = document.styles
    note = styles.add_style("Source Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = styles["Normal"]
    note.font.size = Pt(8)
    note.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    banner = styles.add_style("Banner", WD_STYLE_TYPE.PARAGRAPH)
    banner.base_style = styles["Normal"]
    banner.font.bold = True
    p_pr = banner.element.get_or_add_pPr()
    borders = _oxml("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        borders.append(_oxml(f"w:{side}", val="single", sz="8", space="4", color="B45309"))
    p_pr.append(borders)
    p_pr.append(_oxml("w:shd", val="clear", color="auto", fill="FEF3C7"))
    banner.paragraph_format.space_before = Pt(6)
    banner.paragraph_format.space_after = Pt(6)
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.underline = True
    link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    return document


def _set_properties(document: Document, root: Element) -> datetime | None:
    """Title, author, language and dates from the head; returns the creation time (UTC)."""
    head = root.find("head")
    title = head.find("title") if head is not None else None
    meta = {
        m.attrs.get("name", ""): xml_safe(m.attrs.get("content", ""))[:255]
        for m in (head.elements() if head is not None else [])
        if m.tag == "meta"
    }
    properties = document.core_properties
    properties.title = xml_safe(text_of(title))[:255] if title is not None else ""
    properties.author = properties.last_modified_by = meta.get("author", "")
    properties.comments = ""
    html = root.find("html")
    properties.language = xml_safe(html.attrs.get("lang", ""))[:255] if html is not None else ""
    created = meta.get("dcterms.created")
    if not created:
        return None
    when = datetime.fromisoformat(created)
    when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    properties.created = properties.modified = when.replace(microsecond=0, tzinfo=None)
    return when


def _fixed_zip(data: bytes, when: datetime | None) -> bytes:
    """The package again with every entry stamped ``when`` (or 1980), so bytes repeat."""
    stamp = max(when.timetuple()[:6] if when else _ZIP_EPOCH, _ZIP_EPOCH)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry))
    return out.getvalue()


def html_to_docx(html: str) -> bytes:
    """An editable Word document (.docx) of a report's HTML.

    Headings become Word's heading styles (``h1`` the *Title*, ``h2``–``h4`` *Heading 1*–*3*);
    tables become Word tables (*Table Grid*) whose ``<thead>`` rows repeat on every page,
    with a ``<caption>`` above as a *Caption* paragraph and cells of class ``num`` aligned
    right; ``<ul>``/``<ol>`` become *List Bullet*/*List Number* paragraphs (each ``<ol>``
    numbered from 1; nesting to three levels); a ``<figure>``'s inline ``<svg>`` chart or
    ``data:`` image becomes a picture at most 15 cm wide, followed by its ``<figcaption>``
    as a *Caption*. ``<strong>``, ``<em>``, ``<code>``, ``<sup>``, ``<sub>`` and ``<br>``
    format the text; a link to a web or mail address is a hyperlink followed by the
    address in brackets (unless the text is the address). ``<p class="source">`` and
    ``class="note"`` take the small *Source Note* style; ``<div class="banner">`` the
    shaded *Banner* style. An element of class ``no-docx`` is left out with its content,
    as are ``<script>`` and ``<style>``; any other element keeps its text.

    Parameters
    ----------
    html:
        A report rendered by the templates. From its head: ``<title>`` (the document's
        title), ``<meta name="author">``, ``<meta name="dcterms.created">`` (ISO 8601; the
        document's created and modified dates, and the time stamp of every part of the
        file) and ``<html lang>``.

    Returns
    -------
    bytes
        The .docx file: the same for the same HTML, byte for byte.

    Raises
    ------
    ValueError
        When ``dcterms.created`` is not an ISO 8601 time, or an embedded image cannot
        be read.

    Examples
    --------
    >>> import io, docx
    >>> data = html_to_docx(
    ...     "<html><head><title>Status</title></head><body><h2>Firms</h2>"
    ...     "<table><caption>Table 1</caption><thead><tr><th>Region</th><th>n</th></tr>"
    ...     "</thead><tr><td>Tartu</td><td class='num'>1&nbsp;204</td></tr></table>"
    ...     "</body></html>")
    >>> document = docx.Document(io.BytesIO(data))
    >>> document.core_properties.title
    'Status'
    >>> [(p.style.name, p.text) for p in document.paragraphs]
    [('Heading 1', 'Firms'), ('Caption', 'Table 1')]
    >>> [cell.text for cell in document.tables[0].rows[1].cells]
    ['Tartu', '1\\xa0204']

    References
    ----------
    python-docx documentation, https://python-docx.readthedocs.io; ECMA-376 Office Open
    XML, Part 1 §17 (WordprocessingML: ``w:tblHeader``, ``w:hyperlink``, ``w:numPr``).
    """
    root = parse_html(html)
    document = _new_document()
    when = _set_properties(document, root)
    body = root.find("body") or root
    _Writer(document).walk(body, _Context(target=document))
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue(), when)
