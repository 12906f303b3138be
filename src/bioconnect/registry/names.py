"""Normalising organisation names and building stable record keys."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd

# Legal forms and filler words that differ between variants of the same name.
_STOP = {
    "the",
    "of",
    "and",
    "for",
    "de",
    "der",
    "des",
    "la",
    "le",
    "di",
    "del",
    "du",
    "und",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "srl",
    "spa",
    "bv",
    "nv",
    "ab",
    "oy",
    "oyj",
    "as",
    "asa",
    "aps",
    "uab",
    "sia",
    "ou",
    "plc",
    "inc",
    "llc",
    "sl",
    "sas",
    "ev",
    "ry",
    "ay",
    "mtu",
    "vsi",
    "ltd.",
    "co",
    "kg",
    "se",
    "zoo",
    "sp",
    "z",
    "o",
}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_name(name: str | None) -> str | None:
    """Lower-case ASCII words without punctuation, legal forms or filler words.

    Examples
    --------
    >>> normalise_name("TARTU ÜLIKOOL")
    'tartu ulikool'
    >>> normalise_name("Solar Foods Oy")
    'solar foods'
    """
    if name is None or (isinstance(name, float)) or name is pd.NA:
        return None
    ascii_text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    words = [w for w in _NON_WORD.split(ascii_text.lower()) if w and w not in _STOP]
    return " ".join(words) or None


def record_key(pic: str | None, name: str | None, country: str | None, city: str | None) -> str:
    """A stable key for what a record describes: its PIC, else its name, country and city.

    Examples
    --------
    >>> record_key("999981634", "WAGENINGEN UNIVERSITY", "NL", "Wageningen")
    'pic:999981634'
    >>> record_key(None, "Tartu Ülikool", "EE", "Tartu")
    'rec:d642cf66c7df7873'
    """
    if pic:
        return f"pic:{pic}"
    basis = "|".join(
        [normalise_name(name) or "", (country or "").upper(), (normalise_name(city) or "")]
    )
    return "rec:" + hashlib.sha1(basis.encode()).hexdigest()[:16]
