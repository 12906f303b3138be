"""Tests for the downloader, against a real HTTP server on 127.0.0.1.

The server serves real CORDIS sample files and can be told to misbehave:
drop the connection after some bytes, ignore ``Range``, announce a wrong
``Content-Length``, answer ranges from the wrong offset, or fail outright.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioconnect.errors import InputError
from bioconnect.sources.fetch import (
    CORDIS_FILES,
    MANIFEST_NAME,
    FetchResult,
    RemoteFile,
    cordis_files,
    fetch,
    read_manifest,
)

SAMPLES = Path(__file__).resolve().parents[3] / "shared/data/cordis/horizon-europe-official-samples"


def _sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample data not found at {path}")
    return path.read_bytes()


@dataclass
class Switches:
    """How the server misbehaves; reset before every test."""

    drop_after: int | None = None  # close the connection after this many body bytes ...
    drops: int = 0  # ... for this many requests, then serve normally
    ignore_range: bool = False  # answer 200 with the whole file even to a Range request
    length_delta: int = 0  # added to the Content-Length the server announces
    range_from_zero: bool = False  # answer any Range with 206 from byte 0
    status: int | None = None  # answer every request with this status and no body


@dataclass
class ServerState:
    files: dict[str, bytes] = field(repr=False)
    base_url: str
    switches: Switches = field(default_factory=Switches)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.switches = Switches()
            self.requests.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so server_close() waits for every handler thread
    state: ServerState


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.requests.append((self.path, self.headers.get("Range")))
            switches = state.switches
            drop = switches.drop_after is not None and switches.drops > 0
            if drop:
                switches.drops -= 1
        if switches.status is not None:
            self.send_response(switches.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = state.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404)
            return
        start, status = 0, 200
        requested = self.headers.get("Range")
        if requested is not None and not switches.ignore_range:
            match = re.fullmatch(r"bytes=(\d+)-", requested)
            assert match is not None, requested
            start, status = int(match[1]), 206
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if switches.range_from_zero:
                start = 0
        payload = body[start:]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(payload) + switches.length_delta))
        self.end_headers()
        if drop:
            assert switches.drop_after is not None
            self.wfile.write(payload[: switches.drop_after])
        else:
            self.wfile.write(payload)
        self.close_connection = True


class Recorder:
    """A progress hook that remembers every event."""

    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []

    def start(self, name: str, total: int | None, completed: int) -> None:
        self.events.append(("start", name, total, completed))

    def advance(self, name: str, nbytes: int) -> None:
        self.events.append(("advance", name, nbytes))

    def finish(self, name: str) -> None:
        self.events.append(("finish", name))

    def advanced(self, name: str) -> int:
        return sum(
            e[2] for e in self.events if e[:2] == ("advance", name) and isinstance(e[2], int)
        )

    def starts(self) -> list[tuple[object, ...]]:
        return [e for e in self.events if e[0] == "start"]


@pytest.fixture(scope="module")
def running_server() -> Iterator[ServerState]:
    """One server for the module, stopped and joined at the end."""
    files = {
        "project.csv": _sample("project.csv"),
        "organization.csv": _sample("organization.csv"),
    }
    files["small.csv"] = files["project.csv"][:4096]
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.state = ServerState(files=files, base_url=f"http://{host!s}:{port}/")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def server(running_server: ServerState) -> ServerState:
    """The server, behaving well and with no requests counted yet."""
    running_server.reset()
    return running_server


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _remote(
    server: ServerState, name: str, size: int | None = None, sha256: str | None = None
) -> RemoteFile:
    return RemoteFile(url=server.base_url + name, name=name, size=size, sha256=sha256)


# --- fresh downloads and the cache -------------------------------------------------------


def test_fresh_download_writes_the_file_and_reports_progress(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    recorder = Recorder()

    [result] = fetch([_remote(server, "project.csv")], tmp_path, progress=recorder)

    assert result.path == tmp_path / "project.csv"
    assert result.path.read_bytes() == source
    assert (result.size, result.sha256) == (len(source), _sha(source))
    assert (result.from_cache, result.resumed) == (False, False)
    assert not (tmp_path / "project.csv.part").exists()
    assert server.requests == [("/project.csv", None)]
    assert recorder.events[0] == ("start", "project.csv", len(source), 0)
    assert recorder.advanced("project.csv") == len(source)
    assert recorder.events[-1] == ("finish", "project.csv")


def test_known_size_and_checksum_are_accepted(server: ServerState, tmp_path: Path) -> None:
    source = server.files["project.csv"]
    remote = _remote(server, "project.csv", size=len(source), sha256=_sha(source).upper())

    [result] = fetch([remote], tmp_path)

    assert result.sha256 == _sha(source)


def test_cached_file_is_not_requested_again(server: ServerState, tmp_path: Path) -> None:
    remote = _remote(server, "project.csv")
    [first] = fetch([remote], tmp_path)
    recorder = Recorder()

    [second] = fetch([remote], tmp_path, progress=recorder)

    assert len(server.requests) == 1
    assert second.from_cache
    assert (second.sha256, second.size, second.fetched_at) == (
        first.sha256,
        first.size,
        first.fetched_at,
    )
    size = first.size
    assert recorder.events == [("start", "project.csv", size, size), ("finish", "project.csv")]


def test_file_placed_by_hand_is_used_when_its_size_is_known(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    (tmp_path / "project.csv").write_bytes(source)

    [result] = fetch([_remote(server, "project.csv", size=len(source))], tmp_path)

    assert result.from_cache
    assert server.requests == []
    assert read_manifest(tmp_path)["project.csv"].sha256 == _sha(source)


def test_file_with_nothing_to_check_against_is_downloaded(
    server: ServerState, tmp_path: Path
) -> None:
    (tmp_path / "project.csv").write_bytes(b"stale")

    [result] = fetch([_remote(server, "project.csv")], tmp_path)

    assert not result.from_cache
    assert result.path.read_bytes() == server.files["project.csv"]


def test_damaged_cached_file_is_downloaded_again(server: ServerState, tmp_path: Path) -> None:
    source = server.files["project.csv"]
    remote = _remote(server, "project.csv")
    fetch([remote], tmp_path)
    # Same size, different bytes: only the recorded checksum can tell.
    (tmp_path / "project.csv").write_bytes(b"x" * len(source))

    [result] = fetch([remote], tmp_path)

    assert not result.from_cache
    assert len(server.requests) == 2
    assert result.path.read_bytes() == source


def test_same_name_from_another_url_is_downloaded_again(
    server: ServerState, tmp_path: Path
) -> None:
    fetch([_remote(server, "project.csv")], tmp_path)
    mirror = RemoteFile(url=server.base_url + "organization.csv", name="project.csv")

    [result] = fetch([mirror], tmp_path)

    assert not result.from_cache
    assert result.path.read_bytes() == server.files["organization.csv"]
    assert read_manifest(tmp_path)["project.csv"].url == mirror.url


def test_force_downloads_again_and_discards_partial_files(
    server: ServerState, tmp_path: Path
) -> None:
    remote = _remote(server, "project.csv")
    fetch([remote], tmp_path)
    (tmp_path / "project.csv.part").write_bytes(b"junk")

    [result] = fetch([remote], tmp_path, force=True)

    assert not result.from_cache
    assert server.requests == [("/project.csv", None), ("/project.csv", None)]
    assert result.path.read_bytes() == server.files["project.csv"]


# --- resuming ----------------------------------------------------------------------------


def test_broken_connection_is_resumed_with_a_range_request(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    server.switches.drop_after, server.switches.drops = 50_000, 1
    recorder = Recorder()

    [result] = fetch([_remote(server, "project.csv")], tmp_path, progress=recorder, retry_wait=0)

    assert server.requests == [("/project.csv", None), ("/project.csv", "bytes=50000-")]
    assert result.resumed
    assert result.sha256 == _sha(source)
    assert result.path.read_bytes() == source
    assert recorder.starts() == [
        ("start", "project.csv", len(source), 0),
        ("start", "project.csv", len(source), 50_000),
    ]
    assert recorder.advanced("project.csv") == len(source)


def test_connection_that_keeps_breaking_gives_up_and_a_rerun_resumes(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    remote = _remote(server, "project.csv")
    server.switches.drop_after, server.switches.drops = 40_000, 100

    with pytest.raises(InputError) as caught:
        fetch([remote], tmp_path, retries=2, retry_wait=0)

    message = str(caught.value)
    assert remote.url in message
    assert "3 attempts" in message
    assert f"120,000 of {len(source):,} bytes" in message
    assert "run the same command again" in message
    assert "resumes" in message
    assert (tmp_path / "project.csv.part").stat().st_size == 120_000
    assert not (tmp_path / "project.csv").exists()
    assert not (tmp_path / MANIFEST_NAME).exists() or read_manifest(tmp_path) == {}

    server.reset()
    [result] = fetch([remote], tmp_path)

    assert server.requests == [("/project.csv", "bytes=120000-")]
    assert result.resumed
    assert result.sha256 == _sha(source)


def test_server_ignoring_range_makes_the_download_start_over(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    server.switches.ignore_range = True
    # Bytes that are not the file's: appending to them would corrupt it.
    (tmp_path / "project.csv.part").write_bytes(b"#" * 1000)
    recorder = Recorder()

    [result] = fetch([_remote(server, "project.csv")], tmp_path, progress=recorder)

    assert server.requests == [("/project.csv", "bytes=1000-")]
    assert not result.resumed
    assert result.path.read_bytes() == source
    assert recorder.starts() == [("start", "project.csv", len(source), 0)]


def test_range_answered_from_the_wrong_offset_starts_over(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    server.switches.range_from_zero = True
    (tmp_path / "project.csv.part").write_bytes(source[:1000])

    [result] = fetch([_remote(server, "project.csv")], tmp_path, retry_wait=0)

    assert server.requests == [("/project.csv", "bytes=1000-"), ("/project.csv", None)]
    assert result.path.read_bytes() == source


def test_complete_part_is_finished_on_416(server: ServerState, tmp_path: Path) -> None:
    source = server.files["project.csv"]
    (tmp_path / "project.csv.part").write_bytes(source)

    [result] = fetch([_remote(server, "project.csv")], tmp_path)

    assert server.requests == [("/project.csv", f"bytes={len(source)}-")]
    assert result.resumed
    assert result.sha256 == _sha(source)
    assert not (tmp_path / "project.csv.part").exists()


def test_overlong_part_is_discarded_on_416(server: ServerState, tmp_path: Path) -> None:
    source = server.files["project.csv"]
    (tmp_path / "project.csv.part").write_bytes(source + b"extra")

    [result] = fetch([_remote(server, "project.csv")], tmp_path, retry_wait=0)

    assert server.requests == [
        ("/project.csv", f"bytes={len(source) + 5}-"),
        ("/project.csv", None),
    ]
    assert not result.resumed
    assert result.path.read_bytes() == source


@settings(max_examples=25, deadline=None)
@given(break_at=st.integers(min_value=1, max_value=4095))
def test_resuming_from_any_break_gives_the_same_bytes(
    running_server: ServerState, break_at: int
) -> None:
    running_server.reset()
    running_server.switches.drop_after, running_server.switches.drops = break_at, 1
    source = running_server.files["small.csv"]
    with tempfile.TemporaryDirectory() as cache:
        [result] = fetch([_remote(running_server, "small.csv")], Path(cache), retry_wait=0)

        assert result.path.read_bytes() == source
    assert running_server.requests[-1] == ("/small.csv", f"bytes={break_at}-")


# --- verification ------------------------------------------------------------------------


def test_size_mismatch_raises_and_keeps_the_part(server: ServerState, tmp_path: Path) -> None:
    source = server.files["project.csv"]
    remote = _remote(server, "project.csv", size=len(source) + 10)

    with pytest.raises(InputError) as caught:
        fetch([remote], tmp_path)

    message = str(caught.value)
    assert remote.url in message
    assert f"gave {len(source):,} bytes, but {len(source) + 10:,} were expected" in message
    assert "run the same command again to resume" in message
    assert (tmp_path / "project.csv.part").read_bytes() == source
    assert not (tmp_path / "project.csv").exists()
    assert read_manifest(tmp_path) == {}


def test_short_content_length_is_caught_by_the_known_size(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    server.switches.length_delta = -100

    with pytest.raises(InputError, match="were expected"):
        fetch([_remote(server, "project.csv", size=len(source))], tmp_path)

    assert (tmp_path / "project.csv.part").read_bytes() == source[:-100]
    assert not (tmp_path / "project.csv").exists()


def test_part_longer_than_the_known_size_is_discarded(server: ServerState, tmp_path: Path) -> None:
    source = server.files["small.csv"]
    (tmp_path / "small.csv.part").write_bytes(source + b"more")

    [result] = fetch([_remote(server, "small.csv", size=len(source))], tmp_path)

    assert server.requests == [("/small.csv", None)]
    assert result.path.read_bytes() == source


def test_checksum_mismatch_raises_and_deletes_the_download(
    server: ServerState, tmp_path: Path
) -> None:
    source = server.files["project.csv"]
    remote = _remote(server, "project.csv", sha256="0" * 64)

    with pytest.raises(InputError) as caught:
        fetch([remote], tmp_path)

    message = str(caught.value)
    assert remote.url in message
    assert f"SHA-256 {_sha(source)}" in message
    assert "0" * 64 + " was expected" in message
    assert not (tmp_path / "project.csv.part").exists()
    assert not (tmp_path / "project.csv").exists()


def test_missing_file_raises_without_retrying(server: ServerState, tmp_path: Path) -> None:
    remote = _remote(server, "absent.csv")

    with pytest.raises(InputError, match=r"answered 404 .*Check the download URL"):
        fetch([remote], tmp_path, retry_wait=0)

    assert len(server.requests) == 1


def test_server_errors_are_retried_then_reported(server: ServerState, tmp_path: Path) -> None:
    server.switches.status = 503
    remote = _remote(server, "project.csv")

    with pytest.raises(InputError, match=r"failed after 2 attempts .*answered 503"):
        fetch([remote], tmp_path, retries=1, retry_wait=0)

    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "name", ["", ".", "..", "a/b.csv", "a\\b.csv", MANIFEST_NAME, "project.csv.part"]
)
def test_unusable_cache_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="plain file name"):
        fetch([RemoteFile(url="http://127.0.0.1:9/x", name=name)], tmp_path)


def test_duplicate_cache_names_are_refused(tmp_path: Path) -> None:
    files = [
        RemoteFile("http://127.0.0.1:9/a", "x.csv"),
        RemoteFile("http://127.0.0.1:9/b", "x.csv"),
    ]
    with pytest.raises(InputError, match=r"same name 'x\.csv'"):
        fetch(files, tmp_path)


# --- manifest ----------------------------------------------------------------------------


def test_manifest_records_every_download(server: ServerState, tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    results = fetch([_remote(server, "project.csv"), _remote(server, "organization.csv")], tmp_path)
    after = datetime.now(UTC)

    raw = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert raw["format"] == 1
    assert set(raw["files"]) == {"project.csv", "organization.csv"}
    for result in results:
        entry = raw["files"][result.path.name]
        assert entry == {
            "url": result.url,
            "name": result.path.name,
            "size": len(server.files[result.path.name]),
            "sha256": _sha(server.files[result.path.name]),
            "fetched_at": result.fetched_at,
        }
        fetched_at = datetime.fromisoformat(entry["fetched_at"])
        offset = fetched_at.utcoffset()
        assert offset is not None
        assert offset.total_seconds() == 0
        assert before <= fetched_at <= after

    assert read_manifest(tmp_path) == {
        r.path.name: FetchResult(
            path=r.path,
            url=r.url,
            size=r.size,
            sha256=r.sha256,
            fetched_at=r.fetched_at,
            from_cache=True,
            resumed=False,
        )
        for r in results
    }
    assert not list(tmp_path.glob("*.tmp"))


def test_manifest_keeps_entries_of_earlier_runs(server: ServerState, tmp_path: Path) -> None:
    fetch([_remote(server, "project.csv")], tmp_path)
    fetch([_remote(server, "organization.csv")], tmp_path)

    assert set(read_manifest(tmp_path)) == {"project.csv", "organization.csv"}


def test_read_manifest_of_an_empty_cache(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == {}
    assert read_manifest(tmp_path / "missing") == {}


@pytest.mark.parametrize("content", ["{not json", '{"files": {"a": {"url": "u"}}}', "[]"])
def test_unreadable_manifest_is_reported(tmp_path: Path, content: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(content, encoding="utf-8")

    with pytest.raises(InputError, match="Delete it and run the download again"):
        read_manifest(tmp_path)


# --- CORDIS ------------------------------------------------------------------------------


def test_cordis_files_point_at_the_official_bulk_downloads() -> None:
    assert {
        "horizon": [
            RemoteFile(
                url="https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip",
                name="cordis-HORIZONprojects-csv.zip",
            )
        ],
        "h2020": [
            RemoteFile(
                url="https://cordis.europa.eu/data/cordis-h2020projects-csv.zip",
                name="cordis-h2020projects-csv.zip",
            )
        ],
    } == CORDIS_FILES


@pytest.mark.parametrize("base", ["http://127.0.0.1:8000/cordis", "http://127.0.0.1:8000/cordis/"])
def test_cordis_files_follow_a_base_url(base: str) -> None:
    assert [f.url for f in cordis_files(base)] == [
        "http://127.0.0.1:8000/cordis/cordis-HORIZONprojects-csv.zip",
        "http://127.0.0.1:8000/cordis/cordis-h2020projects-csv.zip",
    ]
