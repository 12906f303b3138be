"""One reading of numbers, dates and booleans for every file bioconnect imports.

A stakeholder list read through a mapping (:mod:`bioconnect.sources.mapped`) and a plan
workbook (:mod:`bioconnect.plan.workbook`) read their cells with these functions, so a value
means the same in both. Each function takes what a file gives (text, or the number, date or
boolean a spreadsheet cell holds), returns a :class:`Parsed` value, and raises
:class:`ValueProblem` with one short sentence when the value cannot be read. Blank values
(``None``, empty or only spaces) give ``Parsed(None)``: unknown, not zero or false.

Documented repairs (``docs/mappings.md``) are applied here and reported on the result, so
that each caller records them where it records repairs:

* ``decimal-comma``: a number written ``4975670,75`` (or ``1.234.567,89``, with dots
  grouping thousands) is read as 4975670.75 (1234567.89).

What is read:

* numbers: ASCII digits with an optional sign, decimal point and exponent (``-12.5``,
  ``1e6``), or a decimal comma as above; the result is finite (``inf`` and ``nan`` are not
  numbers here);
* whole numbers: numbers without a fractional part (``3``, ``3.0``);
* dates: ``YYYY-MM-DD``, optionally followed by a midnight time (``2025-01-31T00:00:00``, as
  a spreadsheet's date cell reads); another time of day is refused;
* booleans: ``true``/``false``, ``t``/``f``, ``yes``/``no``, ``y``/``n``, ``1``/``0``
  (also ``1.0``/``0.0``), and ``x`` for true, in any case.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = [
    "DECIMAL_COMMA",
    "PLAIN_NUMBER",
    "Parsed",
    "ValueProblem",
    "ValueRepair",
    "parse_boolean",
    "parse_date",
    "parse_integer",
    "parse_number",
]

T = TypeVar("T")

#: The kind of repair recorded when a decimal comma is read.
DECIMAL_COMMA = "decimal-comma"
#: A number written the usual way: ASCII digits, optional sign, point and exponent.
PLAIN_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN = re.compile(PLAIN_NUMBER)
_COMMA = re.compile(r"-?[0-9]+(?:\.[0-9]{3})*,[0-9]+")
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([0-9:.]+))?")
_MIDNIGHT = re.compile(r"00:00(?::00(?:\.0+)?)?")
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0", "x"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})


class ValueProblem(ValueError):
    """A value that cannot be read as what was asked; the message says why."""


@dataclass(frozen=True)
class ValueRepair:
    """A documented repair made while reading a value: its kind and what was read as what."""

    kind: str
    detail: str


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A value read from a file (``None`` when blank), and the repair made, if any."""

    value: T | None
    repair: ValueRepair | None = None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(value: object) -> Parsed[float]:
    """A finite number from text or a spreadsheet cell.

    Examples
    --------
    >>> parse_number("12.5")
    Parsed(value=12.5, repair=None)
    >>> parse_number("12,5")
    Parsed(value=12.5, repair=ValueRepair(kind='decimal-comma', detail='12,5 read as 12.5'))
    >>> parse_number("1.234.567,89").value
    1234567.89
    >>> parse_number(" ").value is None
    True
    >>> parse_number("lots")
    Traceback (most recent call last):
    ...
    bioconnect.model.values.ValueProblem: 'lots' is not a number
    """
    if _blank(value):
        return Parsed(None)
    repair = None
    if isinstance(value, bool):
        raise ValueProblem(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _PLAIN.fullmatch(text):
            number = float(text)
        elif _COMMA.fullmatch(text):
            fixed = text.replace(".", "").replace(",", ".")
            number = float(fixed)
            repair = ValueRepair(DECIMAL_COMMA, f"{text} read as {fixed}")
        else:
            raise ValueProblem(f"{value!r} is not a number")
    else:
        raise ValueProblem(f"{value!r} is not a number")
    if not math.isfinite(number):
        raise ValueProblem(f"{value!r} is not a finite number")
    return Parsed(number, repair)


def parse_integer(value: object) -> Parsed[int]:
    """A whole number, read as :func:`parse_number` reads numbers.

    Examples
    --------
    >>> parse_integer("3.0").value, parse_integer(4).value
    (3, 4)
    >>> parse_integer("2,5")
    Traceback (most recent call last):
    ...
    bioconnect.model.values.ValueProblem: '2,5' is not a whole number
    """
    number = parse_number(value)
    if number.value is None:
        return Parsed(None)
    if not number.value.is_integer():
        raise ValueProblem(f"{value!r} is not a whole number")
    return Parsed(int(number.value), number.repair)


def parse_date(value: object) -> Parsed[dt.date]:
    """A calendar date from ``YYYY-MM-DD`` text or a spreadsheet's date cell.

    Examples
    --------
    >>> parse_date("2025-01-31").value
    datetime.date(2025, 1, 31)
    >>> parse_date("2025-01-31T00:00:00").value == parse_date(dt.datetime(2025, 1, 31)).value
    True
    >>> parse_date("31/01/2025")
    Traceback (most recent call last):
    ...
    bioconnect.model.values.ValueProblem: '31/01/2025' is not a date (YYYY-MM-DD)
    >>> parse_date("2025-01-31 10:30")
    Traceback (most recent call last):
    ...
    bioconnect.model.values.ValueProblem: '2025-01-31 10:30' has a time of day; give a date
    """
    if _blank(value):
        return Parsed(None)
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueProblem(f"{value} has a time of day; give a date")
        return Parsed(value.date())
    if isinstance(value, dt.date):
        return Parsed(value)
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None:
        try:
            day = dt.date.fromisoformat(match.group(1))
        except ValueError:
            pass
        else:
            if match.group(2) is not None and not _MIDNIGHT.fullmatch(match.group(2)):
                raise ValueProblem(f"{value!r} has a time of day; give a date")
            return Parsed(day)
    raise ValueProblem(f"{value!r} is not a date (YYYY-MM-DD)")


def parse_boolean(value: object) -> Parsed[bool]:
    """True or false, from text (``yes``, ``TRUE``, ``0``, …) or a boolean or 0/1 cell.

    Examples
    --------
    >>> [parse_boolean(v).value for v in ("Yes", "FALSE", "x", "0.0", 1, None)]
    [True, False, True, False, True, None]
    >>> parse_boolean("maybe")
    Traceback (most recent call last):
    ...
    bioconnect.model.values.ValueProblem: 'maybe' is not true or false (or yes/no)
    """
    if _blank(value):
        return Parsed(None)
    if isinstance(value, bool):
        return Parsed(value)
    if isinstance(value, int | float) and value in (0, 1):
        return Parsed(bool(value))
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return Parsed(True)
        if text in _FALSE:
            return Parsed(False)
    raise ValueProblem(f"{value!r} is not true or false (or yes/no)")
