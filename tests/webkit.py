"""Helpers for testing the web app in-process: a client per role on a shared store."""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bioconnect.services.accounts import add_user
from bioconnect.settings import Settings
from bioconnect.web import create_app

ROLES = ("anonymous", "viewer", "stakeholder", "editor", "admin")
PASSWORD = "correct horse battery staple"


@dataclass
class Clients:
    """One signed-in TestClient per role (and an anonymous one), with their user names."""

    by_role: dict[str, TestClient]
    names: dict[str, str]


def signed_in(app: object, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, base_url="http://testserver")  # type: ignore[arg-type]
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": client.cookies.get("bc_csrf"),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def role_clients(engine: Engine, *, public_read: bool = True) -> Clients:
    """A fresh app over ``engine`` and a client for every role (users named uniquely)."""
    app = create_app(engine, settings=Settings(public_read=public_read))
    tag = uuid.uuid4().hex[:8]
    names: dict[str, str] = {}
    clients: dict[str, TestClient] = {"anonymous": TestClient(app)}
    clients["anonymous"].get("/login")
    for role in ROLES[1:]:
        name = f"{role}-{tag}"
        add_user(engine, name, PASSWORD, role)
        names[role] = name
        clients[role] = signed_in(app, name)
    return Clients(clients, names)


def csrf_headers(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get("bc_csrf") or ""}


@contextmanager
def file_lock(name: str) -> Iterator[None]:
    """An exclusive lock between the test processes of this checkout (pytest-xdist's
    workers): a file ``bioconnect-<checkout>-<name>.lock`` in the temporary folder."""
    root = str(Path(__file__).resolve().parents[1])
    checkout = hashlib.sha256(root.encode()).hexdigest()[:12]
    with (Path(tempfile.gettempdir()) / f"bioconnect-{checkout}-{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def assets_lock() -> AbstractContextManager[None]:
    """Held while the front-end bundles may be built (``build_assets``, ``uv build``): the
    workers share ``static/vendor``; one builds it, the others then find it up to date."""
    return file_lock("assets")
