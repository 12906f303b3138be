"""The API's OpenAPI schema and the server agree (issue 11, item 10).

One test per kind of disagreement schemathesis found (``test_openapi_fuzz.py`` runs it with
all its checks): a request the schema allows is not refused as malformed, a request the
server refuses is one the schema forbids, and every answer is documented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bioconnect.settings import Settings
from bioconnect.web import create_app
from webkit import csrf_headers, role_clients


@pytest.fixture(scope="module")
def empty_app() -> Any:
    return create_app(database_url="sqlite:///:memory:")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/api/v1/users/someone/role", "PUT"),
        ("TRACE", "/api/v1/tokens/1", "DELETE"),
        ("PATCH", "/api/v1/plan/goals/g1", "GET, PUT, DELETE"),
        ("DELETE", "/login", "GET, POST"),
    ],
)
def test_405_has_an_allow_header_naming_the_methods_of_the_path(
    empty_app: Any, method: str, path: str, allowed: str
) -> None:
    """Before: no ``Allow`` header, and "Use GET to read it" on a PUT-only route."""
    response = TestClient(empty_app).request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    if path.startswith("/api/"):
        problem = response.json()["detail"]
        assert method in problem["problem"]
        assert all(name in problem["fix"] for name in allowed.split(", "))
        assert "GET" not in problem["fix"] or "GET" in allowed


def _parameter(app: Any, path: str, name: str) -> dict[str, Any]:
    schema = app.openapi()
    (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    spec: dict[str, Any] = found["schema"]
    ref = spec.get("$ref") or next(
        (s.get("$ref") for s in spec.get("anyOf", []) if "$ref" in s), None
    )
    if ref:
        spec = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return spec


def test_the_schema_lists_the_domains_and_levels_the_server_takes(empty_app: Any) -> None:
    """Before: domain ``_`` (any ``[a-z_]+``) and NUTS level 1 were valid by the schema and
    refused with 400; now the schema enumerates what the services take."""
    from bioconnect.network.build import DOMAINS, STAKEHOLDER_GROUPS
    from bioconnect.services.maps import LEVELS

    for path in ("/api/v1/atlas/map", "/api/v1/network", "/api/v1/organisations"):
        domain = _parameter(empty_app, path, "domain")
        (choices,) = [s["enum"] for s in domain["anyOf"] if "enum" in s]
        assert tuple(choices) == DOMAINS
        group = _parameter(empty_app, path, "group")
        (groups,) = [s["enum"] for s in group["anyOf"] if "enum" in s]
        assert tuple(groups) == STAKEHOLDER_GROUPS
    assert tuple(_parameter(empty_app, "/api/v1/atlas/map", "level")["enum"]) == LEVELS
    client = TestClient(empty_app)
    assert client.get("/api/v1/atlas/map?level=1").status_code == 422
    assert client.get("/api/v1/organisations?domain=_").status_code == 422


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/network/summary?countries=AA",
        "/api/v1/network/summary?start_year=2020&end_year=2014",
        "/api/v1/network/metrics?start_year=2099",
        "/api/v1/atlas/map?start_year=2020&end_year=2014",
        "/api/v1/atlas/points?start_year=2020&end_year=2014",
    ],
)
def test_filters_that_select_nothing_are_not_refused_as_malformed(
    baltic_sqlite: Engine, address: str
) -> None:
    """Before: 400 for an unknown country code and for years out of order, which the schema
    cannot forbid. Now 404 (nothing matches), with the same problem and fix."""
    client = TestClient(create_app(baltic_sqlite, settings=Settings(public_read=True)))
    response = client.get(address)
    assert response.status_code == 404, response.text
    assert response.json()["detail"]["fix"]


def _strings(spec: Any, components: dict[str, Any], seen: set[str]) -> Iterator[dict[str, Any]]:
    """Every string schema in ``spec``, following $refs into ``components`` once each."""
    if isinstance(spec, list):
        for item in spec:
            yield from _strings(item, components, seen)
        return
    if not isinstance(spec, dict):
        return
    ref = spec.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from _strings(components[name], components, seen)
    if spec.get("type") == "string":
        yield spec
    if spec.get("type") == "object" and spec.get("additionalProperties") is not False:
        yield {"type": "string", **spec.get("propertyNames", {})}
    for key, value in spec.items():
        if key not in ("$ref", "propertyNames", "examples", "default"):
            yield from _strings(value, components, seen)


PROBES = ("\x00", "a\x00", "\x00a", "a\x01b", "\x1b", "a\x7f")


def test_the_schema_says_no_text_holds_a_control_character(empty_app: Any) -> None:
    """Before: every text was any string, and NUL or another control character got 400
    from refuse_control_characters; now each text's pattern (or enum) leaves them out."""
    schema = empty_app.openapi()
    components = schema["components"]["schemas"]
    checked = 0
    for operations in schema["paths"].values():
        for operation in operations.values():
            requests = [p["schema"] for p in operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {})
            requests += [media["schema"] for media in body.values()]
            for text in _strings(requests, components, set()):
                if {"enum", "const", "format"} & set(text):
                    continue
                assert "pattern" in text, (operation["operationId"], text)
                assert not any(re.search(text["pattern"], p) for p in PROBES), text["pattern"]
                checked += 1
    assert checked > 100


def test_request_bodies_take_no_undeclared_field(empty_app: Any, tmp_path: Path) -> None:
    """Before: a field the model lacks was ignored, and refused with 400 when its name or
    value held a control character; now the schema and the server refuse it (422)."""
    schema = empty_app.openapi()
    components = schema["components"]["schemas"]
    for operations in schema["paths"].values():
        for operation in operations.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                name = media["schema"]["$ref"].rsplit("/", 1)[1]
                assert components[name]["additionalProperties"] is False, name
    admin = _admin(tmp_path)
    extra = {"username": "newcomer", "password": "x" * 12, "\x06": {"x": None}}
    answer = admin.post("/api/v1/users", json=extra, headers=csrf_headers(admin))
    assert answer.status_code in (400, 422), answer.text
    extra = {"username": "newcomer", "password": "x" * 12, "nickname": "n"}
    answer = admin.post("/api/v1/users", json=extra, headers=csrf_headers(admin))
    assert answer.status_code == 422 and "nickname" in answer.text


def _admin(tmp_path: Path) -> TestClient:
    from bioconnect.store.database import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    return role_clients(engine).by_role["admin"]


def test_what_does_not_fit_the_store_is_409_and_documented(empty_app: Any, tmp_path: Path) -> None:
    """Before: a name already taken, a survey not open, a report without its data and a
    record whose id is not its address's were 400, which says the request is malformed,
    though the schema allows it. Now 409 (and 503 for a busy store), in every operation."""
    schema = empty_app.openapi()
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert {"409", "503"} <= set(operation["responses"]), operation["operationId"]
    admin = _admin(tmp_path)
    new = {"username": "newcomer", "password": "x" * 12}
    assert admin.post("/api/v1/users", json=new, headers=csrf_headers(admin)).status_code == 201
    again = admin.post("/api/v1/users", json=new, headers=csrf_headers(admin))
    assert again.status_code == 409 and "already exists" in again.json()["detail"]["problem"]
    survey = {
        "name": "s",
        "title": "A survey",
        "questions": [{"kind": "text", "text": "Why?"}],
    }
    assert admin.post("/api/v1/dialogue/surveys", json=survey, headers=csrf_headers(admin))
    answers = {"answers": [{"question": 1, "answer": "Because."}]}
    draft = admin.post(
        "/api/v1/dialogue/surveys/s/answers", json=answers, headers=csrf_headers(admin)
    )
    assert draft.status_code == 409 and "is draft" in draft.json()["detail"]["problem"]


def test_post_to_an_address_that_only_reads_is_405_not_a_bad_report_kind(
    empty_app: Any,
) -> None:
    """Before: ``POST /api/v1/reports/diff`` matched ``POST /reports/{kind}`` and got 422
    for the kind 'diff'; the schema says /reports/diff takes GET only."""
    client = TestClient(empty_app)
    for path in ("/api/v1/reports/diff", "/api/v1/reports/editions"):
        answer = client.post(path)
        assert answer.status_code == 405 and answer.headers["allow"] == "GET"


def _valid(schema: dict[str, Any], name: str, document: Any) -> bool:
    import jsonschema_rs

    root = {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}
    return bool(jsonschema_rs.Draft202012Validator(root).is_valid(document))


@pytest.mark.parametrize(
    ("model", "refused", "taken"),
    [
        (
            "StudyIn",
            {"name": "s", "title": "t", "items": [" "]},
            {"name": "s", "title": "t", "items": ["Fund pilots"]},
        ),
        (
            "SurveyIn",
            {"name": "s", "title": "t", "questions": [{"kind": "single", "text": "q"}]},
            {"name": "s", "title": "t", "questions": [{"kind": "text", "text": "q"}]},
        ),
        (
            "SurveyIn",
            {
                "name": "s",
                "title": "t",
                "questions": [{"kind": "likert", "text": "q", "options": ["a", "b"]}],
            },
            {
                "name": "s",
                "title": "t",
                "questions": [{"kind": "ranking", "text": "q", "options": ["a", "b"]}],
            },
        ),
        (  # two options the service strips to one: the schema forbids the spaces
            "SurveyIn",
            {
                "name": "s",
                "title": "t",
                "questions": [{"kind": "single", "text": "q", "options": [" a", "a"]}],
            },
            {
                "name": "s",
                "title": "t",
                "questions": [{"kind": "single", "text": "q", "options": ["a b", "a"]}],
            },
        ),
        (
            "NewUser",
            {"username": " bob", "password": "x" * 10},
            {"username": "Bob", "password": "x" * 10},
        ),
        ("NewSnapshot", {"name": "current"}, {"name": "Before the review"}),
        ("NewSnapshot", {"name": "trailing "}, {"name": "v2"}),
        # U+0085 is white space to Python and pydantic, not to JavaScript's \\s
        ("NewSnapshot", {"name": "\u0085"}, {"name": "\u200b"}),
        (
            "StudyIn",
            {"name": "s", "title": "\u0085", "items": ["x"]},
            {"name": "s", "title": "t\u0085", "items": ["x"]},
        ),
        (
            "ObservationCreate",
            {"value": 1, "date": "2020-01-01", "unit": "", "source": " "},
            {"value": 1, "date": "2020-01-01", "unit": "", "source": "Register"},
        ),
    ],
)
def test_the_schema_refuses_what_the_services_refuse(
    empty_app: Any, model: str, refused: Any, taken: Any
) -> None:
    """Before: blank texts, options a question kind does not take, and names the services
    refuse were valid by the schema and answered 400."""
    schema = empty_app.openapi()
    assert not _valid(schema, model, refused)
    assert _valid(schema, model, taken)


def test_a_whole_number_written_5_0_is_an_integer() -> None:
    """Before: the strict plan records refused the score ``5.0``, which JSON Schema's
    ``integer`` allows (422 for a schema-valid initiative); ``"5"`` and ``5.5`` stay out."""
    from pydantic import ValidationError

    from bioconnect.services.plan import Initiative

    record = '{"id": "I1", "title": "t", "pillar": "p", "version": 2.0, "scores": {"%s": %s}}'
    taken = Initiative.model_validate_json(record % ("impact", "5.0"))
    assert taken.scores == {"impact": 5} and taken.version == 2
    for value in ('"5"', "5.5", "true"):
        with pytest.raises(ValidationError):
            Initiative.model_validate_json(record % ("impact", value))


def test_a_network_without_ties_is_answered(baltic_sqlite: Engine) -> None:
    """Found by the fuzzing: Estonia's public bodies in projects from 2024 are five
    organisations and no tie; the funding weight failed on the empty tie list, and the
    summary's undefined shares (NaN) could not be written as JSON: 500s. Now null."""
    client = TestClient(create_app(baltic_sqlite, settings=Settings(public_read=True)))
    query = "countries=EE&group=public&start_year=2024&weight=funding"
    summary = client.get(f"/api/v1/network/summary?{query}")
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["structure"]["n_nodes"] > 0 and body["structure"]["n_edges"] == 0
    assert body["cross_border_share"] == {"edges": None, "weighted": None}
    assert body["core_periphery"]["correlation"] is None
    for path in ("/api/v1/network", "/api/v1/network/metrics", "/api/v1/network/recommendations"):
        assert client.get(f"{path}?{query}").status_code == 200, path
