"""One file's download into a cache folder: resumed with ``Range`` requests, verified.

The bytes go to ``<name>.part`` and the part is renamed to ``<name>`` only once its size
(and checksum, when one is known) has been checked; :mod:`bioconnect.sources.fetch` runs
these downloads and keeps the manifest.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx

from bioconnect.errors import InputError

PART_SUFFIX = ".part"
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


class _StartOver(Exception):
    """The partial file cannot be continued; it has been deleted."""


class _ServerError(Exception):
    """The server answered with a 5xx status, which may pass."""


class Download:
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
        self.part = cache_dir / (remote.name + PART_SUFFIX)
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
        sha256 = sha256_of(self.part)
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
            fetched_at=timestamp(datetime.now(UTC)),
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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
