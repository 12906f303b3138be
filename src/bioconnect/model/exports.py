"""One writer for every export file: inert cells, XML-safe text, atomic files.

Names and texts come from source files and users, so an export must stay safe whatever
they hold. Every exporter of bioconnect (organisations, network, plan, benchmark,
outcomes, dialogue) writes through these functions, which apply three rules:

* **Formula prefixes are neutralised** (OWASP, "CSV Injection"): a CSV text cell that
  begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
  quote, so a spreadsheet shows it as text instead of running it. A cell that is a number
  (``-12.5``, ``+3``, ``1e6``) is left as it is, so numbers stay numbers. XLSX cells holding
  text are typed as text (never as a formula), so they need no quote.
* **Characters XML cannot hold are removed** from text written to XLSX, GEXF and GraphML
  (C0 controls other than tab, line feed and carriage return, lone surrogates, U+FFFE and
  U+FFFF; XML 1.0 §2.2): one ``\\x07`` in a name no longer breaks the file.
* **Files are written atomically**: to a temporary file in the target's folder, then moved
  over the target with :func:`os.replace`. A write that fails leaves no file (and an old
  file untouched), never a truncated one. The file gets the permissions a plain write
  would give it (the umask's for a new file, the old file's mode for a replaced one).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import secrets
import stat
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "FORMULA_PREFIXES",
    "CsvWriter",
    "atomic_path",
    "csv_cell",
    "csv_text",
    "frame_csv",
    "write_csv",
    "write_text",
    "write_with",
    "write_xlsx",
    "write_xml",
    "xlsx_bytes",
    "xml_text",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Rows = Iterable[Sequence[Any]]


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold.

    Examples
    --------
    >>> xml_text("Bio\\x07Tech\\x00 OÜ\\tTallinn")
    'BioTech OÜ\\tTallinn'
    """
    return _XML_ILLEGAL.sub("", text)


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula (OWASP's CSV-injection rule).

    Text that begins with a formula prefix gets a leading ``'``; numbers, and text that is
    a number, are kept as they are.

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://x","y")'), csv_cell("@SUM(A1)"), csv_cell("\\tx")
    ('\\'=HYPERLINK("http://x","y")', "'@SUM(A1)", "'\\tx")
    >>> csv_cell("-12.5"), csv_cell(-3), csv_cell("+1e6"), csv_cell("-"), csv_cell("Tartu")
    ('-12.5', -3, '+1e6', "'-", 'Tartu')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        if _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path next to ``path`` that replaces ``path`` when the block succeeds.

    The folder is created when missing. When the block raises, the temporary file is
    removed and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> try:
    ...     with atomic_path(folder / "out.txt") as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise RuntimeError("disk full")
    ... except RuntimeError:
    ...     pass
    >>> sorted(p.name for p in folder.iterdir())
    []
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_file_next_to(target)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _new_file_next_to(target: Path) -> Path:
    """A new empty file in ``target``'s folder with the permissions ``open(target, "w")``
    would give: an existing target's mode, else 0o666 less the umask (``mkstemp`` makes
    files only their owner may read, so exports would be unreadable by anyone else)."""
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o666
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        os.close(handle)
        if target.is_file():
            os.chmod(tmp, mode)  # the umask does not apply to a replaced file's mode
        return tmp
    raise FileExistsError(f"No free temporary name next to {target}.")


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


class CsvWriter:
    """A :func:`csv.writer` whose cells pass through :func:`csv_cell`.

    Examples
    --------
    >>> out = io.StringIO()
    >>> CsvWriter(out).writerow(["@x", 1])
    >>> out.getvalue()
    "'@x,1\\n"
    """

    def __init__(self, handle: Any, *, lineterminator: str = "\n") -> None:
        self._writer = csv.writer(handle, lineterminator=lineterminator)

    def writerow(self, row: Sequence[Any]) -> None:
        """Write one row."""
        self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Rows) -> None:
        """Write every row."""
        for row in rows:
            self.writerow(row)


def csv_text(rows: Rows, *, lineterminator: str = "\n") -> str:
    """``rows`` as CSV text with every cell passed through :func:`csv_cell`.

    Examples
    --------
    >>> csv_text([["name", "value"], ["=1+1", -2]])
    "name,value\\n'=1+1,-2\\n"
    """
    out = io.StringIO()
    CsvWriter(out, lineterminator=lineterminator).writerows(rows)
    return out.getvalue()


def frame_csv(frame: Any) -> str:
    """A pandas DataFrame as CSV text (``DataFrame.to_csv`` without the index), its headers
    and text cells passed through :func:`csv_cell`; numbers are written as pandas writes them.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"name": ["@SUM(A1)", "Tartu", None], "n": [-1.5, 2.0, 3.0]})
    >>> print(frame_csv(frame), end="")
    name,n
    '@SUM(A1),-1.5
    Tartu,2.0
    ,3.0
    """
    inert = frame.copy()
    for column in inert.columns:
        if inert[column].dtype.kind not in "biufcmM":
            inert[column] = inert[column].map(csv_cell)
    inert.columns = [csv_cell(str(c)) for c in inert.columns]
    return str(inert.to_csv(index=False))


def write_csv(path: str | Path, rows: Rows, *, lineterminator: str = "\r\n") -> Path:
    """Write ``rows`` as a CSV file (UTF-8, cells as :func:`csv_text`) atomically."""
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        CsvWriter(handle, lineterminator=lineterminator).writerows(rows)
    return Path(path)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return xml_text(value)
    return value


def _fill_workbook(sheets: Mapping[str, Rows]) -> Any:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title[:31])
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, even when it starts with "="
                cells.append(cell)
            sheet.append(cells)
    return book


def write_xlsx(path: str | Path, sheets: Mapping[str, Rows]) -> Path:
    """Write one sheet per item of ``sheets`` (title: rows) as an XLSX file, atomically.

    Text cells are text (never formulas) without characters XML cannot hold; NaN and
    infinities are left empty.

    Examples
    --------
    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> out = write_xlsx(Path(tempfile.mkdtemp()) / "x.xlsx", {"s": [["a"], ["=1+1\\x07"]]})
    >>> cell = load_workbook(out)["s"]["A2"]; cell.value, cell.data_type
    ('=1+1', 's')
    """
    with atomic_path(path) as tmp:
        _fill_workbook(sheets).save(tmp)
    return Path(path)


def xlsx_bytes(sheets: Mapping[str, Rows]) -> bytes:
    """The workbook :func:`write_xlsx` writes, as bytes (for a download)."""
    buffer = io.BytesIO()
    _fill_workbook(sheets).save(buffer)
    return buffer.getvalue()


def _clean_tree(root: ET.Element) -> None:
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        if element.tail:
            element.tail = xml_text(element.tail)
        for key, value in element.attrib.items():
            element.attrib[key] = xml_text(value)


def write_xml(path: str | Path, root: ET.Element) -> Path:
    """Write an XML document (UTF-8, declaration, indented) atomically; text and attribute
    values lose the characters XML cannot hold, so the file is always well-formed.

    Examples
    --------
    >>> import tempfile
    >>> out = write_xml(Path(tempfile.mkdtemp()) / "x.xml", ET.Element("n", {"label": "a\\x07b"}))
    >>> ET.parse(out).getroot().get("label")
    'ab'
    """
    _clean_tree(root)
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    with atomic_path(path) as tmp:
        tree.write(tmp, encoding="UTF-8", xml_declaration=True)
    return Path(path)


def write_with(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Run ``write(temporary_path)`` and move the result over ``path`` atomically (for writers
    of other libraries, such as igraph's GraphML).

    Examples
    --------
    >>> import tempfile
    >>> write_with(Path(tempfile.mkdtemp()) / "x.txt", lambda p: p.write_text("x")).read_text()
    'x'
    """
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)
