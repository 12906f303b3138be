"""ETags for the API: a client that sends ``If-None-Match`` with the last ETag gets a 304.

The tag is a hash of the response body, so it changes exactly when the answer changes
(after an ingest, an edit, or with other parameters). A route that already knows its
body's hash (a cached answer) sets the ``ETag`` header itself with :func:`body_etag`;
the middleware then neither holds nor hashes the body.
"""

from __future__ import annotations

import hashlib
from typing import Any

Scope = dict[str, Any]


def body_etag(sha256_hex: str) -> str:
    """The strong ETag of a body whose SHA-256 (hex) is ``sha256_hex``.

    Examples
    --------
    >>> body_etag(hashlib.sha256(b"{}").hexdigest())
    '"44136fa355b3678a1146ad16f7e8649e"'
    """
    return '"' + sha256_hex[:32] + '"'


def _matches(scope: Scope, tag: str) -> bool:
    sent = dict(scope.get("headers", [])).get(b"if-none-match", b"").decode("latin-1")
    return tag in [t.strip() for t in sent.split(",")] or sent.strip() == "*"


def _not_modified(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() not in (b"content-type", b"content-length")]


class ETagMiddleware:
    """Add a strong ETag to successful GET responses under ``prefix``; answer 304 on a match."""

    def __init__(self, app: Any, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        # empty: the route set no ETag (hold the body); [True]: it did, pass the body on;
        # [False]: it did and the client has it, so a 304 went out instead
        passing: list[bool] = []

        async def hold(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                tag = _route_etag(message)
                if tag is None:
                    start.update(message)
                    return
                headers = list(message.get("headers", []))
                if message.get("status", 200) == 200:
                    headers.append((b"cache-control", b"no-cache"))
                    if _matches(scope, tag):
                        passing.append(False)
                        await send(
                            {
                                "type": "http.response.start",
                                "status": 304,
                                "headers": _not_modified(headers),
                            }
                        )
                        await send({"type": "http.response.body", "body": b""})
                        return
                passing.append(True)
                await send({**message, "headers": headers})
                return
            if passing:
                if passing[0]:
                    await send(message)
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                await self._finish(scope, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, hold)

    async def _finish(self, scope: Scope, start: dict[str, Any], body: bytes, send: Any) -> None:
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        status = start.get("status", 200)
        if status == 200:
            tag = body_etag(hashlib.sha256(body).hexdigest())
            headers.append((b"etag", tag.encode()))
            headers.append((b"cache-control", b"no-cache"))
            if _matches(scope, tag):
                kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _route_etag(start: dict[str, Any]) -> str | None:
    for name, value in start.get("headers", []):
        if name.lower() == b"etag":
            return str(value.decode("latin-1"))
    return None
