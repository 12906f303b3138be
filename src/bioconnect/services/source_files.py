"""Reading the files of an ingest: a preset's sources and users' own files.

Nothing here touches the store: :func:`read_sources` reads every file through its reader
(CORDIS or a mapping) and returns what was read with where it came from, for
:func:`bioconnect.services.ingest.assemble`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bioconnect.errors import InputError
from bioconnect.model.mapping import Mapping, load_mapping
from bioconnect.model.preset import Preset, Source
from bioconnect.services.progress import Progress
from bioconnect.sources.cordis import read_cordis
from bioconnect.sources.fetch import read_manifest
from bioconnect.sources.mapped import MappedFile, read_mapped


@dataclass
class LoadedFile:
    """One file read for an ingest, with where it came from."""

    source: str
    priority: int
    result: MappedFile
    sha256: str
    size_bytes: int
    download_url: str | None = None
    downloaded_at: str | None = None
    enrich_only: bool = False
    display_path: str = ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_source(source: Source, mapping: Mapping | None, base: Path) -> list[MappedFile]:
    path = base / source.path
    if not path.exists():
        if source.optional:
            return []
        raise InputError(
            f"Source {source.name!r}: {path} does not exist.",
            "Check the data folder (--data-dir or BIOCONNECT_DATA_DIR), or run `bioconnect fetch cordis`.",
        )
    if source.kind == "cordis":
        return read_cordis(path, source.programme)
    assert mapping is not None
    return [read_mapped(path, mapping)]


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _file_identity(path: Path) -> Path:
    """The file on disk behind a result (a zip member's path names the zip)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def read_sources(
    preset: Preset,
    base: Path,
    sources: list[Source],
    user_sources: list[tuple[str, Path, Mapping]],
    progress: Progress,
) -> list[LoadedFile]:
    """Read every source (no store access). Raises InputError on the first bad file."""
    # every mapping is checked before any file is read, so a broken one fails at once
    mappings = {s.name: load_mapping(preset.mapping_path(s)) for s in sources if s.kind != "cordis"}
    manifest = read_manifest(base) if (base / "manifest.json").is_file() else {}
    loaded: list[LoadedFile] = []
    for priority, source in enumerate(sources):
        progress.step(f"reading {source.name}")
        for result in _read_source(source, mappings.get(source.name), base):
            disk = _file_identity(result.path)
            fetched = manifest.get(disk.name)
            loaded.append(
                LoadedFile(
                    source=source.name,
                    priority=priority,
                    result=result,
                    sha256=_sha256(disk),
                    size_bytes=disk.stat().st_size,
                    download_url=fetched.url if fetched else None,
                    downloaded_at=fetched.fetched_at if fetched else None,
                    enrich_only=source.enrich_only,
                    display_path=_relative(result.path, base),
                )
            )
    for offset, (name, path, mapping) in enumerate(user_sources, start=len(sources)):
        progress.step(f"reading {name}")
        if not path.is_file():
            raise InputError(
                f"File {path} does not exist. It is your imported list {name!r}, loaded by "
                "every ingest.",
                "Put it back, import it again from where it is now (`bioconnect import FILE "
                f"--mapping M --name {name}`), or forget it (`bioconnect sources remove {name}`).",
            )
        result = read_mapped(path, mapping)
        loaded.append(
            LoadedFile(
                source=name,
                priority=offset,
                result=result,
                sha256=_sha256(path),
                size_bytes=path.stat().st_size,
                display_path=str(path),
            )
        )
    return loaded
