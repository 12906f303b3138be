"""Numbering figures and tables in the order a template shows them."""

from __future__ import annotations


class Numbering:
    """Counts figures and tables as a template meets them, one counter per kind.

    >>> n = Numbering()
    >>> n.next("figure"), n.next("table"), n.next("figure")
    (1, 1, 2)
    >>> n.count("figure")
    2
    """

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def next(self, kind: str) -> int:
        """The next number of ``kind`` (``figure`` or ``table``)."""
        self._counts[kind] = self._counts.get(kind, 0) + 1
        return self._counts[kind]

    def count(self, kind: str) -> int:
        """How many of ``kind`` have been numbered so far."""
        return self._counts.get(kind, 0)
