"""A small element tree of a report's HTML, read with the standard library's parser.

The report templates write a known subset of HTML; this module reads it into
:class:`Element` nodes (tag, attributes, children) that the document writers walk. An
inline ``<svg>`` keeps its source markup (:attr:`Element.raw`) exactly as written, with the
case of ``viewBox`` and ``linearGradient`` that the HTML parser lower-cases, so a chart can
be rendered again. Text comes with its entities decoded; comments and the doctype are
dropped. Malformed nesting never loses text: an end tag closes the nearest open element of
its name, and a stray end tag is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["BLOCK_TAGS", "Element", "collapse", "parse_html", "text_of"]

#: Elements that never have content (HTML's void elements).
VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
#: Elements that start a new paragraph (or several) rather than flow inside one.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption dd details div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main nav ol p pre
    section summary svg table tbody td tfoot th thead tr ul""".split()  # noqa: SIM905
)
_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space; not \s, which takes U+00A0


@dataclass
class Element:
    """One HTML element.

    Parameters
    ----------
    tag:
        The tag name, lower case.
    attrs:
        The attributes, values decoded (an attribute without a value is ``""``).
    children:
        Text (``str``) and elements, in document order.
    raw:
        For ``<svg>``: the element's markup as it stands in the source; else ``""``.
    """

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    raw: str = ""

    @property
    def classes(self) -> frozenset[str]:
        """The element's class names."""
        return frozenset(self.attrs.get("class", "").split())

    def elements(self) -> list[Element]:
        """The child elements (no text)."""
        return [c for c in self.children if isinstance(c, Element)]

    def find(self, tag: str) -> Element | None:
        """The first descendant with this tag, depth first, or ``None``."""
        for child in self.elements():
            found = child if child.tag == tag else child.find(tag)
            if found is not None:
                return found
        return None

    @property
    def is_block(self) -> bool:
        """Whether the element breaks the text flow: a block tag, or anything holding one."""
        return self.tag in BLOCK_TAGS or is_image(self) or any(c.is_block for c in self.elements())


def is_image(element: Element) -> bool:
    """Whether ``element`` is an ``<img>`` whose picture is in the page (a ``data:`` URL)."""
    return element.tag == "img" and element.attrs.get("src", "").startswith("data:image/")


def collapse(text: str) -> str:
    """Text with each run of HTML white space made one space (U+00A0 is kept).

    Examples
    --------
    >>> collapse("  1\\u00a0234 \\n  km ")
    ' 1\\xa0234 km '
    """
    return _SPACE.sub(" ", text)


def text_of(element: Element) -> str:
    """All text under ``element``, white space collapsed and trimmed."""
    return collapse(_raw_text(element)).strip()


def _raw_text(element: Element) -> str:
    return "".join(c if isinstance(c, str) else _raw_text(c) for c in element.children)


class _TreeBuilder(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self._stack = [self.root]
        self._source = source
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self._svg_starts: list[int] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self._stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self._stack.append(element)
            if tag == "svg":
                self._svg_starts.append(self._offset())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        if tag == "svg":
            element.raw = self.get_starttag_text() or ""
        self._stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, 0, -1):
            element = self._stack[depth]
            if element.tag == tag:
                del self._stack[depth:]
                if tag == "svg":
                    start = self._svg_starts.pop()
                    end = self._source.index(">", self._offset()) + 1
                    element.raw = self._source[start:end]
                return

    def handle_data(self, data: str) -> None:
        self._stack[-1].children.append(data)


def parse_html(source: str) -> Element:
    """Read an HTML document (or fragment) into a tree.

    Parameters
    ----------
    source:
        The HTML text.

    Returns
    -------
    Element
        A ``#document`` element whose children are the top-level nodes.

    Examples
    --------
    >>> root = parse_html('<p class="note">A &amp; B<svg viewBox="0 0 1 1"></svg></p>')
    >>> p = root.find("p")
    >>> sorted(p.classes), p.children[0], p.find("svg").raw
    (['note'], 'A & B', '<svg viewBox="0 0 1 1"></svg>')
    """
    builder = _TreeBuilder(source)
    builder.feed(source)
    builder.close()
    return builder.root
