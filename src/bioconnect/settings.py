"""Settings read from the environment (``BIOCONNECT_*``) with sensible defaults.

Every setting is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bioconnect.errors import InputError

#: Where the SQLite store lives unless BIOCONNECT_DATABASE_URL says otherwise.
DEFAULT_HOME = Path.home() / ".local" / "share" / "bioconnect"


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_HOME / 'bioconnect.sqlite'}"


class Settings(BaseSettings):
    """bioconnect's configuration.

    Examples
    --------
    >>> Settings(database_url="sqlite:///:memory:").database_url
    'sqlite:///:memory:'
    """

    model_config = SettingsConfigDict(env_prefix="BIOCONNECT_", extra="ignore")

    database_url: str = Field(
        default_factory=_default_database_url,
        description="SQLAlchemy URL of the store. A postgresql:// URL selects PostgreSQL.",
    )
    data_dir: Path | None = Field(
        default=None,
        description=(
            "Folder holding the open data files (a local mirror). When unset, "
            "../shared/data is used if it exists, else the download cache."
        ),
    )
    cache_dir: Path = Field(
        default=DEFAULT_HOME / "downloads",
        description="Where `bioconnect fetch` keeps downloaded files.",
    )
    preset: str = Field(default="baltic", description="Region preset used when none is given.")
    public_read: bool = Field(
        default=True,
        description=(
            "Whether visitors who have not signed in may read the atlas, network and pages "
            "(read-only). Set to false to require an account for everything."
        ),
    )
    anonymous_cost_per_client: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description=(
            "Seconds of server time per minute that one address which has not signed in "
            "may spend on heavy routes (uncached networks, report files, cohorts, the index "
            "builder), in bursts of at most as much; past it they answer 429. Per worker."
        ),
    )
    anonymous_cost_total: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description=(
            "Seconds of server time per minute that all callers who have not signed in "
            "together may spend on heavy routes, in bursts of at most as much. Per worker."
        ),
    )
    anonymous_running_per_client: int = Field(
        default=2,
        ge=1,
        le=1000,
        description=(
            "Heavy requests of one address which has not signed in that may run at once; "
            "more answer 429. Per worker."
        ),
    )
    anonymous_running_total: int = Field(
        default=4,
        ge=1,
        le=1000,
        description=(
            "Heavy requests of all callers who have not signed in that may run at once; "
            "more answer 429. Per worker."
        ),
    )
    cookie_secure: bool = Field(
        default=False,
        description=(
            "Mark session cookies Secure (sent over HTTPS only). Set to true whenever the web "
            "app is served over HTTPS, as in any deployment beyond one machine."
        ),
    )


def get_settings() -> Settings:
    """Read the settings from the environment now (not cached, so tests can change them)."""
    return Settings()


def resolve_data_dir(explicit: Path | None = None, settings: Settings | None = None) -> Path | None:
    """Pick the data folder: an explicit path, BIOCONNECT_DATA_DIR, or ``../shared/data``.

    Returns ``None`` when none of them exists; the caller then downloads the official files.
    """
    if explicit is not None and not Path(explicit).is_dir():
        raise InputError(
            f"The data folder {explicit} does not exist.",
            "Pass --data-dir with an existing folder, or leave it out to use the default.",
        )
    settings = settings or get_settings()
    for candidate in (explicit, settings.data_dir, Path.cwd().parent / "shared" / "data"):
        if candidate is not None and Path(candidate).is_dir():
            return Path(candidate).resolve()
    return None
