"""NUL and other control characters in request parameters (issue 11, item 4): one clear 400
for every route, on SQLite and PostgreSQL, never a 500 from the database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bioconnect.settings import Settings
from bioconnect.web import create_app

ADDRESSES = [
    "/api/v1/organisations?q=%00",
    "/api/v1/organisations?q=tartu%01",
    "/api/v1/projects?q=%00",
    "/search?q=%00",
    "/organisations/%00",
    "/api/v1/organisations/a%00b",
    "/api/v1/plan/history?id=%00",
    "/api/v1/organisations?q%00=x",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_control_characters_in_the_address_get_400(engine: Engine, address: str) -> None:
    client = TestClient(create_app(engine, settings=Settings()))
    response = client.get(address)
    assert response.status_code == 400, response.text
    assert "control character" in response.text


def test_a_nul_in_a_json_or_form_body_gets_400(engine: Engine) -> None:
    client = TestClient(create_app(engine, settings=Settings()))
    client.get("/")
    token = client.cookies["bc_csrf"]
    response = client.post(
        "/api/v1/users",
        json={"username": "a\u0000b", "password": "x", "role": "viewer"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 400 and "control character" in response.text
    form = client.post("/login", data={"username": "a\x00b", "password": "x", "csrf_token": token})
    assert form.status_code == 400 and "control character" in form.text
    lines = client.post("/login", data={"username": "ok\r\nname", "password": "x"})
    assert lines.status_code != 400 or "control character" not in lines.text


def test_templates_write_no_bidi_override(engine: Engine) -> None:
    """Issue 11, item 11: a name with U+202E no longer reorders the page around it."""
    from sqlalchemy import insert

    from bioconnect.store import schema

    name = "Evil \u202egnp.exe\u202c \u2066x\u2069 OÜ"
    with engine.begin() as conn:
        conn.execute(
            insert(schema.table(schema.Organisation)),
            [{"id": "org-bidi", "name": name, "country": "EE", "n_projects": 0}],
        )
    app = create_app(engine, settings=Settings())
    env = app.state.templates.env
    assert env.from_string("<b>{{ n }}</b>").render(n=name) == "<b>Evil gnp.exe x OÜ</b>"
    page = TestClient(app).get("/organisations/org-bidi")
    assert page.status_code == 200 and "Evil gnp.exe" in page.text
    assert not any(c in page.text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
