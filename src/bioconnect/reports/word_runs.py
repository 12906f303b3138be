"""The text of the Word copy: runs of text with their character formatting.

Inline HTML (``<strong>``, ``<em>``, ``<code>``, ``<sup>``, ``<a>``, ``<br>``, ...) becomes
a list of :data:`Segment` (text, :class:`Format`) with HTML's white-space rules applied,
ready to be written as Word runs by :mod:`bioconnect.reports.word`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from bioconnect.reports.htmltree import Element, collapse

__all__ = ["BREAK", "Format", "Segment", "skipped", "text_runs", "tidy", "xml_safe"]

_SKIPPED_TAGS = frozenset({"head", "script", "style", "template", "title"})
_LINK_SCHEMES = ("http://", "https://", "mailto:")
BREAK = "\n"  # a run of this text is a line break (white space in text is collapsed first)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Format:
    """Character formatting of a run of text."""

    bold: bool = False
    italic: bool = False
    mono: bool = False
    superscript: bool = False
    subscript: bool = False
    link: str = ""


_TAG_FORMATS: dict[str, dict[str, Any]] = {
    "strong": {"bold": True},
    "b": {"bold": True},
    "em": {"italic": True},
    "i": {"italic": True},
    "cite": {"italic": True},
    "code": {"mono": True},
    "kbd": {"mono": True},
    "samp": {"mono": True},
    "sup": {"superscript": True},
    "sub": {"subscript": True},
}

Segment = tuple[str, Format]


def xml_safe(text: str, instead: str = "") -> str:
    """``text`` without the control characters XML cannot hold."""
    return _NOT_XML.sub(instead, text)


def skipped(element: Element) -> bool:
    """Whether ``element`` stays out of the Word copy: class ``no-docx``, scripts, styles."""
    return element.tag in _SKIPPED_TAGS or "no-docx" in element.classes


def text_runs(nodes: list[Element | str], fmt: Format) -> list[Segment]:
    """The runs of text in ``nodes``, white space collapsed but not yet trimmed (:func:`tidy`)."""
    out: list[Segment] = []
    for node in nodes:
        if isinstance(node, str):
            out.append((xml_safe(collapse(node), "\ufffd"), fmt))
        elif skipped(node):
            continue
        elif node.tag == "br":
            out.append((BREAK, fmt))
        elif node.tag == "a":
            out.extend(_link_runs(node, fmt))
        elif node.tag == "img":
            out.append((xml_safe(collapse(node.attrs.get("alt", ""))), fmt))
        else:
            out.extend(text_runs(node.children, replace(fmt, **_TAG_FORMATS.get(node.tag, {}))))
    return out


def _link_runs(anchor: Element, fmt: Format) -> list[Segment]:
    """A link's text, a hyperlink for a web or mail address, then the address in brackets.

    A link within the page (``#...``) is its text alone; the address follows the text
    unless the text is the address.
    """
    href = xml_safe(anchor.attrs.get("href", "")).strip()
    inner = replace(fmt, link=href) if href.startswith(_LINK_SCHEMES) else fmt
    out = text_runs(anchor.children, inner)
    text = "".join(t for t, _ in out).strip()
    if href and not href.startswith("#") and text not in (href, href.removeprefix("mailto:")):
        out.append((f" ({href})", fmt))
    return out


def tidy(runs: list[Segment]) -> list[Segment]:
    """Trim white space at the start and end of lines, drop doubles, join equal formats.

    Examples
    --------
    >>> from bioconnect.reports.htmltree import parse_html
    >>> p = parse_html("<p> A <b>bold</b>   move<br> <a href='https://a.eu'>x</a></p>")
    >>> [(text, fmt.bold, fmt.link) for text, fmt in tidy(text_runs(p.children, Format()))]
    [('A ', False, ''), ('bold', True, ''), (' move', False, ''), ('\\n', False, ''),
     ('x', False, 'https://a.eu'), (' (https://a.eu)', False, '')]
    """
    out: list[Segment] = []
    at_line_start = True
    for text, fmt in runs:
        if text == BREAK:
            _trim_end(out)
            out.append((text, fmt))
            at_line_start = True
            continue
        if at_line_start:
            text = text.lstrip(" ")
        if not text:
            continue
        if out and out[-1][1] == fmt and out[-1][0] != BREAK:
            out[-1] = (out[-1][0] + text, fmt)
        else:
            out.append((text, fmt))
        at_line_start = text.endswith(" ")
    _trim_end(out)
    return out


def _trim_end(out: list[Segment]) -> None:
    while out and out[-1][0] != BREAK and not out[-1][0].rstrip(" "):
        out.pop()
    if out and out[-1][0] != BREAK:
        out[-1] = (out[-1][0].rstrip(" "), out[-1][1])
