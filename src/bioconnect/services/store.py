"""Opening the store the settings point at."""

from __future__ import annotations

from sqlalchemy import Engine

from bioconnect.settings import get_settings
from bioconnect.store.database import is_busy, open_store

__all__ = ["connect", "is_busy"]


def connect(url: str | None = None) -> Engine:
    """Open (creating and migrating when needed) the store at ``url`` or BIOCONNECT_DATABASE_URL."""
    return open_store(url or get_settings().database_url)
