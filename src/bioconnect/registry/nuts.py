"""NUTS regions of points: which GISCO polygon of its own country a point falls in.

Point in polygon by the even-odd rule (a ray crossing the rings an odd number of times),
vectorised over all the points of a country at once. Generalised boundaries (1:20
million) cut off harbours and small islands, so a point of a country that falls in no
region takes the nearest one of that country when it lies within ``snap_km``; further out
it gets none.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NUTS_METHOD", "nuts_regions"]

#: How NUTS codes derived from coordinates are marked in provenance.
NUTS_METHOD = "nuts-polygon"

#: Country codes in organisation records that GISCO writes otherwise.
_NUTS_COUNTRY = {"GR": "EL", "GB": "UK"}
_KM_PER_DEGREE = 111.32


def _rings(geometry: dict[str, Any]) -> list[np.ndarray]:
    """Every ring (outer and holes) of a Polygon or MultiPolygon, as ``(n, 2)`` lon/lat."""
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else list(geometry["coordinates"])
    )
    return [np.asarray(ring, dtype=float)[:, :2] for polygon in polygons for ring in polygon]


def _inside(lon: np.ndarray, lat: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Even-odd test of many points against one region's rings."""
    odd = np.zeros(len(lon), dtype=bool)
    for ring in rings:
        x1, y1 = ring[:-1, 0], ring[:-1, 1]
        x2, y2 = ring[1:, 0], ring[1:, 1]
        py = lat[:, None]
        straddles = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            cross_x = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        odd ^= (straddles & (lon[:, None] < cross_x)).sum(axis=1) % 2 == 1
    return odd


def _distance_km(lon: np.ndarray, lat: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Shortest distance from each point to a region's boundary (equirectangular, km)."""
    best = np.full(len(lon), np.inf)
    scale = np.cos(np.radians(lat))[:, None]
    for ring in rings:
        x1, y1 = ring[:-1, 0], ring[:-1, 1]
        dx, dy = ring[1:, 0] - x1, ring[1:, 1] - y1
        px = (lon[:, None] - x1) * scale
        py = lat[:, None] - y1
        sx = dx * scale
        length = sx**2 + dy**2
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip(np.where(length > 0, (px * sx + py * dy) / length, 0.0), 0.0, 1.0)
        d = np.hypot(px - t * sx, py - t * dy).min(axis=1)
        best = np.minimum(best, d * _KM_PER_DEGREE)
    return best


def nuts_regions(
    points: pd.DataFrame,
    features: list[dict[str, Any]],
    *,
    level: int = 3,
    snap_km: float = 15.0,
) -> pd.Series:
    """The NUTS region each point lies in, among its own country's regions.

    Parameters
    ----------
    points:
        Columns ``lat``, ``lon`` (WGS 84 degrees) and ``country`` (ISO alpha-2; GR and GB
        are read as GISCO's EL and UK). Rows missing any of them get no region.
    features:
        GeoJSON features of GISCO's NUTS file (``NUTS_ID``, ``LEVL_CODE``, ``CNTR_CODE``).
    level:
        NUTS level to assign (1, 2 or 3; the shorter codes are prefixes of the longer).
    snap_km:
        A point in no region takes the nearest region of its country within this distance.

    Returns
    -------
    pandas.Series
        NUTS codes aligned with ``points``' index; missing where none applies.

    Examples
    --------
    >>> square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    >>> f = [{"properties": {"NUTS_ID": "EE001", "LEVL_CODE": 3, "CNTR_CODE": "EE"},
    ...       "geometry": square}]
    >>> pts = pd.DataFrame({"lat": [0.5, 0.5, 0.5, 5.0], "lon": [0.5, 1.05, 0.5, 5.0],
    ...                     "country": ["EE", "EE", "LV", "EE"]})
    >>> nuts_regions(pts, f).tolist()
    ['EE001', 'EE001', None, None]

    References
    ----------
    Shimrat, M. (1962). Algorithm 112: Position of point relative to polygon.
    *Communications of the ACM* 5(8), 434. Eurostat GISCO, NUTS 2024 boundaries.
    """
    out = pd.Series([None] * len(points), index=points.index, dtype=object)
    country = points["country"].astype("string").str.upper().replace(_NUTS_COUNTRY)
    known = points["lat"].notna() & points["lon"].notna() & country.notna()
    by_country: dict[str, list[tuple[str, list[np.ndarray]]]] = {}
    for feature in features:
        props = feature["properties"]
        if props["LEVL_CODE"] == level:
            by_country.setdefault(props["CNTR_CODE"], []).append(
                (props["NUTS_ID"], _rings(feature["geometry"]))
            )
    for code, regions in by_country.items():
        rows = points.index[known & (country == code)]
        if len(rows) == 0:
            continue
        lon = points.loc[rows, "lon"].to_numpy(float)
        lat = points.loc[rows, "lat"].to_numpy(float)
        found = np.full(len(rows), None, dtype=object)
        for nuts_id, rings in regions:
            corners = np.concatenate(rings)
            (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
            box = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
            todo = (found == None) & box  # noqa: E711 (elementwise on an object array)
            if todo.any():
                hit = np.zeros(len(rows), dtype=bool)
                hit[todo] = _inside(lon[todo], lat[todo], rings)
                found[hit] = nuts_id
        todo = found == None  # noqa: E711
        if todo.any():
            distances = np.stack([_distance_km(lon[todo], lat[todo], r) for _, r in regions])
            nearest = distances.argmin(axis=0)
            close = distances.min(axis=0) <= snap_km
            ids = np.array([nuts_id for nuts_id, _ in regions], dtype=object)
            found[np.flatnonzero(todo)[close]] = ids[nearest[close]]
        out.loc[rows] = found
    return out
