"""bioconnect: map and build regional innovation ecosystems from open data.

The names below are the public surface; everything else may change. They are imported
on first use, so ``import bioconnect`` (and the CLI's start-up) stays light.

Example:
    >>> import bioconnect
    >>> bioconnect.load_preset("baltic").reference_countries
    ['FI']
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "BioconnectError": "bioconnect.errors",
    "InputError": "bioconnect.errors",
    "NotFoundError": "bioconnect.errors",
    "Settings": "bioconnect.settings",
    "Preset": "bioconnect.model.preset",
    "load_preset": "bioconnect.model.preset",
    "list_presets": "bioconnect.model.preset",
    "Mapping": "bioconnect.model.mapping",
    "load_mapping": "bioconnect.model.mapping",
    "read_mapped": "bioconnect.sources.mapped",
    "read_cordis": "bioconnect.sources.cordis",
    "connect": "bioconnect.services.store",
    "ingest": "bioconnect.services.ingest",
    "import_user_source": "bioconnect.services.user_sources",
    "atlas_summary": "bioconnect.services.atlas",
    "search_organisations": "bioconnect.services.organisations",
    "organisation_detail": "bioconnect.services.organisations",
    "export_organisations": "bioconnect.services.export",
    "list_candidates": "bioconnect.services.review",
    "decide": "bioconnect.services.review",
    "fetch_cordis": "bioconnect.services.fetching",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bioconnect' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
