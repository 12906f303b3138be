"""ETags for the API: a client that sends ``If-None-Match`` with the last ETag gets a 304.

The tag is a hash of the response body, so it changes exactly when the answer changes
(after an ingest, an edit, or with other parameters).
"""

from __future__ import annotations

import hashlib
from typing import Any

Scope = dict[str, Any]


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

        async def hold(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
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
            tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers.append((b"etag", tag.encode()))
            headers.append((b"cache-control", b"no-cache"))
            sent = dict(scope.get("headers", [])).get(b"if-none-match", b"").decode("latin-1")
            if tag in [t.strip() for t in sent.split(",")] or sent.strip() == "*":
                kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
