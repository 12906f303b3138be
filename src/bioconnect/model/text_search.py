"""Text as search compares it: case and accents folded, one space between words.

Search in the atlas must find "Tartu Ülikool" when a user types "tartu ulikool" and the
reverse, on SQLite (whose ``lower()`` folds ASCII only) and PostgreSQL alike. Rather
than rely on either engine's collation, each organisation carries its names folded once
(:func:`search_text`), and a query is folded the same way (:func:`fold_text`).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i"}
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold_text(text: str | None) -> str:
    """Text as search compares it: case and accents folded, every run of other characters
    one space. Unlike :func:`normalise_name` it keeps legal forms ("OÜ" is a word people
    search for) and filler words.

    Examples
    --------
    >>> fold_text("Tallinna Tehnikaülikool (TalTech)")
    'tallinna tehnikaulikool taltech'
    >>> fold_text("Rīgas Stradiņa universitāte"), fold_text("Łódź"), fold_text("100%_x")
    ('rigas stradina universitate', 'lodz', '100 x')
    """
    if text is None or isinstance(text, float) or text is pd.NA:
        return ""
    lowered = unicodedata.normalize("NFKD", str(text).casefold().translate(_LETTERS))
    ascii_text = lowered.encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub(" ", ascii_text).strip()


def search_text(names: pd.Series[str]) -> str:
    """One organisation's names folded into the text search reads: every distinct folded
    word sequence, each with a leading space, so that ``LIKE '% word%'`` finds a word
    that starts with ``word`` and ``LIKE '%word%'`` any substring.

    >>> search_text(pd.Series(["TARTU ÜLIKOOL", "Tartu Ülikool", "University of Tartu"]))
    ' tartu ulikool university of tartu '
    """
    folded = dict.fromkeys(f for f in (fold_text(n) for n in names) if f)
    return " " + " ".join(folded) + " " if folded else ""
