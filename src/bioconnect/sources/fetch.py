"""Download open-data files into a local cache, resuming and verifying them.

Files go to ``cache_dir/<name>``. While a download runs its bytes go to
``cache_dir/<name>.part``; the part is renamed to the final name only once its
size (and checksum, when one is known) has been verified, so a final file in
the cache is always complete. A broken download keeps its part, and the next
run asks the server for the rest with an HTTP ``Range`` request.

``cache_dir/manifest.json`` records, for every file, where it came from, its
size, its SHA-256 and when it was fetched. Ingest reads it back with
:func:`read_manifest` to tell which download a row came from.

Progress is reported through :class:`ProgressHook`, a small protocol, so that
this module does not depend on any terminal library.

Example
-------
>>> files = cordis_files("https://mirror.example.org/cordis/")
>>> [f.name for f in files]
['cordis-HORIZONprojects-csv.zip', 'cordis-h2020projects-csv.zip']
>>> files[0].url
'https://mirror.example.org/cordis/cordis-HORIZONprojects-csv.zip'
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import httpx

from bioconnect.errors import InputError
from bioconnect.sources.download import (
    PART_SUFFIX,
    Download,
    FetchResult,
    ProgressHook,
    RemoteFile,
    sha256_of,
    timestamp,
)

__all__ = [
    "CORDIS_BASE_URL",
    "CORDIS_FILES",
    "MANIFEST_NAME",
    "FetchResult",
    "ProgressHook",
    "RemoteFile",
    "cordis_files",
    "fetch",
    "read_manifest",
]

CORDIS_BASE_URL = "https://cordis.europa.eu/data/"
"""Where CORDIS publishes its bulk downloads."""

MANIFEST_NAME = "manifest.json"
"""File name of the manifest kept in every cache directory."""

_MANIFEST_FORMAT = 1


def cordis_files(base_url: str = CORDIS_BASE_URL) -> list[RemoteFile]:
    """List the CORDIS project bulk downloads (CSV) for Horizon Europe and H2020.

    Parameters
    ----------
    base_url:
        Folder URL the files are published under; point it at a mirror or a
        test server to download from elsewhere.

    Returns
    -------
    list of RemoteFile
        Horizon Europe first, then H2020. Sizes and checksums are unknown.

    Example
    -------
    >>> [f.url for f in cordis_files()][0]
    'https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip'
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    return [
        RemoteFile(url=base + name, name=name)
        for name in ("cordis-HORIZONprojects-csv.zip", "cordis-h2020projects-csv.zip")
    ]


CORDIS_FILES: dict[str, list[RemoteFile]] = {
    "horizon": [cordis_files()[0]],
    "h2020": [cordis_files()[1]],
}
"""The official CORDIS project downloads, keyed by framework programme."""


def read_manifest(cache_dir: Path) -> dict[str, FetchResult]:
    """Read what the cache manifest says about the files downloaded so far.

    Parameters
    ----------
    cache_dir:
        The cache directory given to :func:`fetch`.

    Returns
    -------
    dict of str to FetchResult
        Keyed by file name. ``from_cache`` is ``True`` and ``resumed`` is
        ``False`` for every entry. Empty when there is no manifest yet.

    Raises
    ------
    InputError
        When the manifest exists but cannot be read.
    """
    path = Path(cache_dir) / MANIFEST_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"The download manifest {path} cannot be read ({exc}).",
            "Delete it and run the download again; files are then checked and fetched anew.",
        ) from exc
    try:
        entries = raw["files"]
        return {
            name: FetchResult(
                path=Path(cache_dir) / name,
                url=str(entry["url"]),
                size=int(entry["size"]),
                sha256=str(entry["sha256"]),
                fetched_at=str(entry["fetched_at"]),
                from_cache=True,
                resumed=False,
            )
            for name, entry in entries.items()
        }
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"The download manifest {path} is not in the expected format (missing or bad {exc}).",
            "Delete it and run the download again; files are then checked and fetched anew.",
        ) from exc


def fetch(
    files: Sequence[RemoteFile],
    cache_dir: Path,
    *,
    progress: ProgressHook | None = None,
    force: bool = False,
    client: httpx.Client | None = None,
    timeout: float = 60,
    retries: int = 3,
    retry_wait: float = 1.0,
) -> list[FetchResult]:
    """Download files into a cache directory, reusing and resuming what is there.

    A file already in the cache is kept when its size matches the expected
    size (or the size in the manifest) and its SHA-256 matches the expected or
    recorded one. Otherwise it is downloaded to ``<name>.part``, continuing a
    part left by an earlier run, verified, and renamed into place.

    Parameters
    ----------
    files:
        What to download.
    cache_dir:
        Where to keep the files and ``manifest.json``; created when missing.
    progress:
        Receives progress events, e.g. an adapter to a terminal progress bar.
    force:
        Download again even when the cache holds a good copy, and discard
        partial files.
    client:
        HTTP client to use; by default one is created (and closed) here.
    timeout:
        Seconds to wait to connect and between bytes; only used when
        ``client`` is ``None``.
    retries:
        How many times a download that breaks off (or meets a server error)
        is tried again before giving up.
    retry_wait:
        Seconds to wait before the first retry; doubled for each further one.

    Returns
    -------
    list of FetchResult
        One per file, in the order given.

    Raises
    ------
    InputError
        When a file cannot be downloaded, has the wrong size or the wrong
        checksum. A wrong size keeps the partial file so that running again
        resumes it; a wrong checksum deletes it.
    """
    cache_dir = Path(cache_dir)
    _check_names(files)
    cache_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(cache_dir)
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(
                httpx.Client(
                    timeout=timeout,
                    follow_redirects=True,
                    headers={"User-Agent": _user_agent()},
                )
            )
        results = []
        for remote in files:
            if force:
                (cache_dir / (remote.name + PART_SUFFIX)).unlink(missing_ok=True)
                result = None
            else:
                result = _cached(remote, cache_dir, manifest.get(remote.name), progress)
            if result is None:
                result = Download(client, remote, cache_dir, progress, retries, retry_wait).run()
            manifest[remote.name] = result
            _write_manifest(cache_dir, manifest)
            results.append(result)
        return results


def _check_names(files: Sequence[RemoteFile]) -> None:
    seen: set[str] = set()
    for remote in files:
        name = remote.name
        if (
            not name
            or name in {".", "..", MANIFEST_NAME, MANIFEST_NAME + ".tmp"}
            or Path(name).name != name
            or "/" in name
            or "\\" in name
            or name.endswith(PART_SUFFIX)
        ):
            raise InputError(
                f"Cannot download {remote.url} as {name!r}: the cache name must be a plain file "
                f"name, not {MANIFEST_NAME!r} and not ending in {PART_SUFFIX!r}.",
                "Give the file a plain name such as 'projects.zip'.",
            )
        if name in seen:
            raise InputError(
                f"Two downloads would be saved under the same name {name!r}.",
                "Give each file its own name.",
            )
        seen.add(name)


def _cached(
    remote: RemoteFile,
    cache_dir: Path,
    recorded: FetchResult | None,
    progress: ProgressHook | None,
) -> FetchResult | None:
    """Return the cached file when it is known to be good, else ``None``."""
    path = cache_dir / remote.name
    if not path.is_file():
        return None
    if recorded is not None and recorded.url != remote.url:
        recorded = None  # same name from another source: the record says nothing about it
    expected_size, expected_sha = remote.size, remote.sha256
    if recorded is not None:
        expected_size = recorded.size if expected_size is None else expected_size
        expected_sha = recorded.sha256 if expected_sha is None else expected_sha
    if expected_size is None and expected_sha is None:
        return None  # nothing to check the file against
    size = path.stat().st_size
    if expected_size is not None and size != expected_size:
        return None
    sha256 = sha256_of(path)
    if expected_sha is not None and sha256 != expected_sha.lower():
        return None
    if recorded is not None:
        fetched_at = recorded.fetched_at
    else:
        fetched_at = timestamp(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    if progress is not None:
        progress.start(remote.name, size, size)
        progress.finish(remote.name)
    return FetchResult(
        path=path,
        url=remote.url,
        size=size,
        sha256=sha256,
        fetched_at=fetched_at,
        from_cache=True,
        resumed=False,
    )


def _write_manifest(cache_dir: Path, manifest: dict[str, FetchResult]) -> None:
    """Write the manifest atomically, so a crash never leaves half of it."""
    entries: dict[str, dict[str, Any]] = {
        name: {
            "url": result.url,
            "name": name,
            "size": result.size,
            "sha256": result.sha256,
            "fetched_at": result.fetched_at,
        }
        for name, result in sorted(manifest.items())
    }
    path = cache_dir / MANIFEST_NAME
    temporary = cache_dir / (MANIFEST_NAME + ".tmp")
    temporary.write_text(
        json.dumps({"format": _MANIFEST_FORMAT, "files": entries}, indent=2) + "\n",
        encoding="utf-8",
    )
    os.replace(temporary, path)


def _user_agent() -> str:
    try:
        return f"bioconnect/{version('bioconnect')}"
    except PackageNotFoundError:
        return "bioconnect"
