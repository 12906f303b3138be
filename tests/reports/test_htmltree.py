"""Reading a report's HTML into a tree: text kept, entities decoded, SVG markup as written."""

from __future__ import annotations

from bioconnect.reports.htmltree import Element, collapse, parse_html, text_of


def _tags(element: Element) -> list[str]:
    return [child.tag for child in element.elements()]


def test_the_tree_keeps_the_svg_markup_as_written() -> None:
    svg = (
        '<svg viewBox="0 0 2 1">\n<linearGradient id="g"/><text x="1">a&lt;b</text>'
        "<style>.x { fill: red }</style></svg>"
    )
    root = parse_html(f"<figure>\n{svg}<figcaption>Fig.&nbsp;1</figcaption></figure>")
    found = root.find("svg")
    assert found is not None and found.raw == svg
    caption = root.find("figcaption")
    assert caption is not None and text_of(caption) == "Fig.\u00a01"


def test_entities_are_decoded_in_text_and_attributes() -> None:
    root = parse_html("<p title='a &amp; b'>&lt;script&gt; &#8211; &eacute;</p>")
    p = root.find("p")
    assert p is not None
    assert p.attrs["title"] == "a & b"
    assert p.children == ["<script> – é"]


def test_bad_nesting_keeps_all_text() -> None:
    root = parse_html("<div><p>one <b>two</p> three</span></div><p>four")
    assert text_of(root) == "one two threefour"
    div = root.find("div")
    assert div is not None and _tags(div) == ["p"]


def test_void_elements_have_no_children() -> None:
    root = parse_html("<p>a<br>b<img src='x.png' alt='c'>d</p>")
    p = root.find("p")
    assert p is not None and _tags(p) == ["br", "img"]
    assert [c for c in p.children if isinstance(c, str)] == ["a", "b", "d"]


def test_an_unknown_element_is_a_block_when_it_holds_one() -> None:
    root = parse_html("<x-card><p>text</p></x-card><x-tag>text</x-tag><span><svg></svg></span>")
    assert [e.is_block for e in root.elements()] == [True, False, True]


def test_collapse_keeps_no_break_spaces() -> None:
    assert collapse("1\u00a0204\t\n km") == "1\u00a0204 km"
