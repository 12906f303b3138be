"""Linking the rows of an outside list (a user's startup list) to atlas organisations.

A list row is never merged into the registry: it is *linked* to one organisation, or not.
The rules, in order:

1. **Identifiers.** The row's VAT number, or a VAT number derived from its registration
   code where the country's VAT number is built from it (Latvia: ``LV`` + the 11-digit
   code; Finland: ``FI`` + the business ID without its hyphen), equals the VAT number of
   exactly one organisation (``method = vat`` or ``registration_code``). An identifier
   held by two organisations links neither; the row goes on to the matcher.
2. **The matcher.** Other rows are scored against the organisations' records of their
   country by :func:`~bioconnect.registry.resolve.score_pairs` (the same splink model and
   thresholds as the registry). A pair at or above the merge threshold links at once;
   one between the review threshold and it waits in the review queue for a person.

Rows are keyed ``list:<list name>:<registration code or row number>`` (:func:`list_key`),
so the review queue and its decisions can tell them from source records.
"""

from __future__ import annotations

import re

import pandas as pd

from bioconnect.registry.resolve import LIST_PREFIX, score_pairs

__all__ = [
    "LIST_PREFIX",
    "identifier_links",
    "list_key",
    "normalise_vat",
    "score_list_rows",
    "vat_from_registration_code",
]

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def list_key(list_name: str, code: str | None, row: int) -> str:
    """The key of a list's row: its registration code, else its row number.

    Examples
    --------
    >>> list_key("startups", "40008251825", 2)
    'list:startups:40008251825'
    >>> list_key("startups", None, 7)
    'list:startups:row7'
    """
    return f"{LIST_PREFIX}{list_name}:{code if code else f'row{row}'}"


def normalise_vat(value: object, country: str | None = None) -> str | None:
    """A VAT number in upper case without spaces or punctuation, with its country prefix.

    The prefix is added from ``country`` when the number is written without one; Greece's
    VAT prefix is ``EL``.

    Examples
    --------
    >>> normalise_vat("ee 100 901 067")
    'EE100901067'
    >>> normalise_vat("100901067", "EE")
    'EE100901067'
    >>> normalise_vat("094100254", "GR")
    'EL094100254'
    >>> normalise_vat(".") is None
    True
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = _NOT_ALNUM.sub("", str(value).upper())
    if len(text) < 4:
        return None
    if text[:2].isalpha():
        return text
    if country is None:
        return None
    prefix = "EL" if country.upper() == "GR" else country.upper()
    return prefix + text


def vat_from_registration_code(code: object, country: str | None) -> str | None:
    """The VAT number a registration code implies, where the country builds one from it.

    Latvia's VAT number is ``LV`` and the 11-digit registration code; Finland's is ``FI``
    and the 8-digit business ID (Y-tunnus) without its hyphen. Estonia's KMKR and
    Lithuania's PVM numbers are not derived from the company code, so there is none.

    Examples
    --------
    >>> vat_from_registration_code("40008251825", "LV")
    'LV40008251825'
    >>> vat_from_registration_code("2331972-7", "FI")
    'FI23319727'
    >>> vat_from_registration_code("10000001", "EE") is None
    True
    """
    if code is None or code is pd.NA or country is None:
        return None
    digits = re.sub(r"\D", "", str(code))
    if country == "LV" and len(digits) == 11:
        return "LV" + digits
    if country == "FI" and len(digits) == 8:
        return "FI" + digits
    return None


def identifier_links(rows: pd.DataFrame, identifiers: pd.DataFrame) -> pd.DataFrame:
    """Rows linked to an organisation by a VAT number, given or derived.

    Parameters
    ----------
    rows:
        ``key, registration_code, vat, country``.
    identifiers:
        ``org_id, scheme, value``, the organisations' identifiers (scheme ``vat``).

    Returns
    -------
    pandas.DataFrame
        ``key, org_id, method`` for each row that one organisation's VAT number matches;
        ``method`` is ``vat`` when the row's own VAT number matched, else
        ``registration_code``.

    Examples
    --------
    >>> rows = pd.DataFrame({"key": ["a", "b", "c"], "registration_code": ["40008251825", None, "1"],
    ...     "vat": [None, "ee100901067", None], "country": ["LV", "EE", "EE"]})
    >>> ids = pd.DataFrame({"org_id": ["890069285", "998243976"], "scheme": ["vat", "vat"],
    ...     "value": ["LV40008251825", "EE100901067"]})
    >>> identifier_links(rows, ids).to_dict("list")
    {'key': ['a', 'b'], 'org_id': ['890069285', '998243976'], 'method': ['registration_code', 'vat']}
    """
    vats = identifiers[identifiers["scheme"] == "vat"].assign(
        vat=lambda f: [normalise_vat(v) for v in f["value"]]
    )
    owners = vats.dropna(subset=["vat"]).groupby("vat")["org_id"].unique()
    unique = {vat: str(orgs[0]) for vat, orgs in owners.items() if len(orgs) == 1}
    out = []
    for key, code, vat, country in rows[["key", "registration_code", "vat", "country"]].itertuples(
        index=False
    ):
        for method, number in (
            ("vat", normalise_vat(vat, country)),
            ("registration_code", vat_from_registration_code(code, country)),
        ):
            if number is not None and number in unique:
                out.append({"key": key, "org_id": unique[number], "method": method})
                break
    return pd.DataFrame(out, columns=["key", "org_id", "method"])


def score_list_rows(
    rows: pd.DataFrame, records: pd.DataFrame, *, minimum: float = 0.5
) -> pd.DataFrame:
    """Score a list's rows against the organisations' records with the registry's matcher.

    Parameters
    ----------
    rows:
        ``key, name, country, city``, one per list row to place.
    records:
        ``record_key, org_id, name, country, city``: the source records of the atlas.
    minimum:
        Pairs scoring below this are not returned.

    Returns
    -------
    pandas.DataFrame
        :func:`~bioconnect.registry.resolve.score_pairs`'s columns plus ``org_id``, with a
        list row on the left and, for each row and organisation, the best-scoring record
        of that organisation on the right.
    """
    incoming = rows.rename(columns={"key": "record_key"}).assign(pic=None)
    # the organisation's id stands in for a PIC: records are never compared to each other
    known = records.assign(pic=records["org_id"])
    frame = pd.concat(
        [
            incoming[["record_key", "pic", "name", "country", "city"]],
            known[["record_key", "pic", "name", "country", "city"]],
        ],
        ignore_index=True,
    ).astype(object)
    frame = frame.where(frame.notna(), None)
    pairs = score_pairs(frame, minimum=minimum)
    keys = set(incoming["record_key"])
    pairs = pairs[pairs["left_key"].isin(keys) & ~pairs["right_key"].isin(keys)]
    org_of = records.drop_duplicates("record_key").set_index("record_key")["org_id"]
    pairs = pairs.assign(org_id=pairs["right_key"].map(org_of))
    best = pairs.sort_values(
        ["left_key", "org_id", "probability", "right_key"], ascending=[True, True, False, True]
    ).drop_duplicates(["left_key", "org_id"])
    return best.sort_values(
        ["probability", "left_key", "right_key"], ascending=[False, True, True]
    ).reset_index(drop=True)
