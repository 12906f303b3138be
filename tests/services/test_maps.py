"""The atlas map: NUTS regions with figures that agree with the atlas summary."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bioconnect.errors import InputError
from bioconnect.services.atlas import atlas_summary
from bioconnect.services.maps import atlas_map, organisation_points


def test_country_shading_agrees_with_the_atlas_summary(baltic_store: Engine) -> None:
    summary = atlas_summary(baltic_store, "baltic", "all")
    geo = atlas_map(baltic_store, level=0)
    by_country = {f.properties.nuts_id: f.properties for f in geo.features}
    assert sorted(by_country) == ["EE", "FI", "LT", "LV"]
    for code, props in by_country.items():
        expected = summary.countries[code]
        assert props.organisations == expected.organisations
        assert props.participations == sum(expected.participations.values())
    assert all(f.geometry["type"] in ("Polygon", "MultiPolygon") for f in geo.features)
    assert geo.coverage.placed == geo.coverage.organisations


def test_nuts2_regions_count_only_organisations_with_a_nuts_code(baltic_store: Engine) -> None:
    geo = atlas_map(baltic_store, level=2, countries=["EE"])
    ids = sorted(f.properties.nuts_id for f in geo.features)
    assert ids and all(i.startswith("EE") and len(i) == 4 for i in ids)
    placed = sum(f.properties.organisations for f in geo.features)
    assert placed == geo.coverage.placed <= geo.coverage.organisations


def test_filters_narrow_the_figures(baltic_store: Engine) -> None:
    everything = atlas_map(baltic_store, countries=["LV"]).features[0].properties
    academia = atlas_map(baltic_store, countries=["LV"], stakeholder_group="academia")
    h2020 = atlas_map(baltic_store, countries=["LV"], programme="H2020", end_year=2016)
    assert 0 < academia.features[0].properties.organisations < everything.organisations
    assert 0 < h2020.features[0].properties.participations < everything.participations


def test_points_are_organisations_with_coordinates(baltic_store: Engine) -> None:
    points = organisation_points(baltic_store)
    for feature in points.features:
        lon, lat = feature.geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"level": 1}, "NUTS level"), ({"start_year": 2020, "end_year": 2014}, "out of order")],
)
def test_bad_map_requests_say_what_is_wrong(
    baltic_store: Engine, kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        atlas_map(baltic_store, **kwargs)  # type: ignore[arg-type]
