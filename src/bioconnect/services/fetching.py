"""Downloading the official files a preset needs when no local copy exists."""

from __future__ import annotations

from pathlib import Path

from bioconnect.model.preset import Preset, load_preset
from bioconnect.settings import get_settings, resolve_data_dir
from bioconnect.sources.fetch import FetchResult, ProgressHook, cordis_files, fetch


def fetch_cordis(
    cache_dir: Path | None = None,
    *,
    base_url: str | None = None,
    preset: str | Preset | None = None,
    force: bool = False,
    progress: ProgressHook | None = None,
) -> list[FetchResult]:
    """Download (or reuse from the cache) the official CORDIS files the preset reads."""
    settings = get_settings()
    target = Path(cache_dir or settings.cache_dir)
    target.mkdir(parents=True, exist_ok=True)
    files = cordis_files(base_url) if base_url else cordis_files()
    chosen = preset if isinstance(preset, Preset) else load_preset(preset or settings.preset)
    wanted = {s.path for s in chosen.official_sources}
    if wanted:
        files = [f for f in files if f.name in wanted] or files
    return fetch(files, target, progress=progress, force=force)


def needs_download(data_dir: Path | None = None) -> bool:
    """True when no local data folder exists, so an ingest must read the official downloads."""
    return resolve_data_dir(data_dir) is None
