"""Helpers for testing the web app in-process: a client per role on a shared store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

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
