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
import hashlib
import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

import httpx

from bioconnect.errors import InputError

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

_PART_SUFFIX = ".part"
_MANIFEST_FORMAT = 1
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)\s*/\s*(\d+|\*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RemoteFile:
    """A file to download.

    Parameters
    ----------
    url:
        Where to download the file from.
    name:
        File name in the cache directory (a bare name, no folders).
    size:
        Expected size in bytes, when known. When ``None`` the size the server
        announces is used.
    sha256:
        Expected SHA-256 as lowercase hex, when known.
    """

    url: str
    name: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """A file that is complete and verified in the cache.

    Parameters
    ----------
    path:
        Where the file is.
    url:
        Where it was downloaded from.
    size:
        Its size in bytes.
    sha256:
        Its SHA-256 (lowercase hex), computed from the bytes on disk.
    fetched_at:
        When the download finished, as an ISO 8601 UTC timestamp.
    from_cache:
        ``True`` when the file was already in the cache and nothing was downloaded.
    resumed:
        ``True`` when the download continued from a partial file.
    """

    path: Path
    url: str
    size: int
    sha256: str
    fetched_at: str
    from_cache: bool
    resumed: bool


class ProgressHook(Protocol):
    """Receives progress while files download.

    ``start`` may be called again for the same name when a download restarts
    or resumes after a broken connection; ``completed`` then says how many
    bytes are already on disk. A file found in the cache gets ``start`` with
    ``completed == total`` followed by ``finish``.
    """

    def start(self, name: str, total: int | None, completed: int) -> None:
        """Begin (or begin again) reporting on ``name``; ``total`` is ``None`` when unknown."""

    def advance(self, name: str, nbytes: int) -> None:
        """Report that ``nbytes`` more bytes of ``name`` arrived."""

    def finish(self, name: str) -> None:
        """Report that ``name`` is complete and verified."""


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
                (cache_dir / (remote.name + _PART_SUFFIX)).unlink(missing_ok=True)
                result = None
            else:
                result = _cached(remote, cache_dir, manifest.get(remote.name), progress)
            if result is None:
                result = _Download(client, remote, cache_dir, progress, retries, retry_wait).run()
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
            or name.endswith(_PART_SUFFIX)
        ):
            raise InputError(
                f"Cannot download {remote.url} as {name!r}: the cache name must be a plain file "
                f"name, not {MANIFEST_NAME!r} and not ending in {_PART_SUFFIX!r}.",
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
    sha256 = _sha256(path)
    if expected_sha is not None and sha256 != expected_sha.lower():
        return None
    if recorded is not None:
        fetched_at = recorded.fetched_at
    else:
        fetched_at = _timestamp(datetime.fromtimestamp(path.stat().st_mtime, UTC))
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


class _StartOver(Exception):
    """The partial file cannot be continued; it has been deleted."""


class _ServerError(Exception):
    """The server answered with a 5xx status, which may pass."""


class _Download:
    """One file's download, across retries."""

    def __init__(
        self,
        client: httpx.Client,
        remote: RemoteFile,
        cache_dir: Path,
        progress: ProgressHook | None,
        retries: int,
        retry_wait: float,
    ) -> None:
        self.client = client
        self.remote = remote
        self.path = cache_dir / remote.name
        self.part = cache_dir / (remote.name + _PART_SUFFIX)
        self.progress = progress
        self.retries = max(retries, 0)
        self.retry_wait = retry_wait
        self.total: int | None = remote.size  # expected final size, once known
        self.resumed = False

    def run(self) -> FetchResult:
        if self.remote.size is not None and self._part_size() > self.remote.size:
            self.part.unlink()
        failures = 0
        while True:
            try:
                self._attempt()
                break
            except (
                httpx.TimeoutException,
                httpx.NetworkError,
                httpx.RemoteProtocolError,
                _ServerError,
                _StartOver,
            ) as exc:
                failures += 1
                if failures > self.retries:
                    raise self._gave_up(failures, exc) from exc
                if self.retry_wait > 0:
                    time.sleep(self.retry_wait * 2 ** (failures - 1))
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise InputError(
                    f"Cannot download {self.remote.url}: {exc}.",
                    "Check the download URL (or the base URL it is built from).",
                ) from exc
        return self._finalise()

    def _part_size(self) -> int:
        try:
            return self.part.stat().st_size
        except FileNotFoundError:
            return 0

    def _attempt(self) -> None:
        """Make one request and write what arrives; raise when it breaks off."""
        offset = self._part_size()
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with self.client.stream(
            "GET", self.remote.url, headers=headers, follow_redirects=True
        ) as response:
            status = response.status_code
            if status == 416 and offset:
                self._range_not_satisfiable(response, offset)
                return
            if status >= 500:
                raise _ServerError(f"the server answered {status} {response.reason_phrase}")
            if status == 206 and offset:
                start, total = _parse_content_range(response.headers.get("Content-Range"))
                if start != offset:
                    self.part.unlink(missing_ok=True)
                    raise _StartOver(
                        f"the server sent bytes from {start} when asked for bytes from {offset}"
                    )
                self.resumed = True
                mode = "ab"
            elif status == 200:
                # A fresh download, or a server that ignores ranges: start over.
                offset = 0
                total = _content_length(response)
                self.resumed = False
                mode = "wb"
            else:
                raise InputError(
                    f"Cannot download {self.remote.url}: the server answered "
                    f"{status} {response.reason_phrase}.",
                    "Check the download URL (or the base URL it is built from); "
                    "if it is right, try again later.",
                )
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in {"", "identity"}:
                raise InputError(
                    f"Cannot download {self.remote.url}: the server sent it compressed "
                    f"({encoding}) although an uncompressed copy was asked for.",
                    "Download it from another mirror, or report the problem to the server's "
                    "maintainers.",
                )
            if self.remote.size is None and total is not None:
                self.total = total
            if self.progress is not None:
                self.progress.start(self.remote.name, self.total, offset)
            with self.part.open(mode) as out:
                # No chunk size: a chunker would hold back bytes that arrived
                # before a broken connection, and they could not be resumed from.
                for chunk in response.iter_raw():
                    out.write(chunk)
                    if self.progress is not None:
                        self.progress.advance(self.remote.name, len(chunk))

    def _range_not_satisfiable(self, response: httpx.Response, offset: int) -> None:
        """Handle 416: the part is either complete already or unusable."""
        _, total = _parse_content_range(response.headers.get("Content-Range"))
        if self.remote.size is None and total is not None:
            self.total = total
        if self.total is not None and offset == self.total:
            self.resumed = True
            if self.progress is not None:
                self.progress.start(self.remote.name, self.total, offset)
            return
        self.part.unlink(missing_ok=True)
        raise _StartOver(f"the server cannot send bytes from {offset} on")

    def _gave_up(self, attempts: int, exc: Exception) -> InputError:
        arrived = self._part_size()
        of_total = f" of {self.total:,}" if self.total is not None else ""
        return InputError(
            f"Downloading {self.remote.url} failed after {attempts} attempts with "
            f"{arrived:,}{of_total} bytes arrived ({str(exc) or type(exc).__name__}).",
            f"Check the connection and run the same command again: it resumes from "
            f"the bytes kept in {self.part}.",
        )

    def _finalise(self) -> FetchResult:
        size = self._part_size()
        if self.total is not None and size != self.total:
            if size < self.total:
                fix = (
                    f"The partial file is kept at {self.part}; run the same command again "
                    "to resume it."
                )
            else:
                fix = (
                    f"Delete {self.part} and run the command again; if the size is still "
                    "wrong, the file on the server has changed and the expected size "
                    "needs updating."
                )
            raise InputError(
                f"Downloading {self.remote.url} gave {size:,} bytes, but {self.total:,} "
                "were expected.",
                fix,
            )
        sha256 = _sha256(self.part)
        if self.remote.sha256 is not None and sha256 != self.remote.sha256.lower():
            self.part.unlink()
            raise InputError(
                f"Downloading {self.remote.url} gave a file with SHA-256 {sha256}, but "
                f"{self.remote.sha256.lower()} was expected.",
                "The download was deleted. Run the command again; if the checksum still "
                "differs, the file on the server has changed and the expected checksum "
                "needs updating.",
            )
        os.replace(self.part, self.path)
        if self.progress is not None:
            self.progress.finish(self.remote.name)
        return FetchResult(
            path=self.path,
            url=self.remote.url,
            size=size,
            sha256=sha256,
            fetched_at=_timestamp(datetime.now(UTC)),
            from_cache=False,
            resumed=self.resumed,
        )


def _content_length(response: httpx.Response) -> int | None:
    """The body length in bytes, when the server gives it."""
    value = response.headers.get("Content-Length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """Parse ``bytes start-end/total`` (or ``bytes */total``) into start and total."""
    match = _CONTENT_RANGE.match(value or "")
    if match is None:
        return None, None
    start, _, total = match.groups()
    return (
        int(start) if start is not None else None,
        int(total) if total not in (None, "*") else None,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


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
