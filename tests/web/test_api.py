"""The REST API: paging, ETags, errors with a fix, and the published schema."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event

from bioconnect.settings import Settings
from bioconnect.web import create_app


def _client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine, settings=Settings()))


def test_pages_walk_the_whole_result(baltic_store: Engine) -> None:
    client = _client(baltic_store)
    first = client.get("/api/v1/organisations", params={"q": "tartu", "limit": 5}).json()
    assert first["total"] > 5 and first["next"] == 5 and len(first["items"]) == 5
    seen = [o["id"] for o in first["items"]]
    offset = first["next"]
    while offset is not None:
        page = client.get(
            "/api/v1/organisations", params={"q": "tartu", "limit": 5, "offset": offset}
        ).json()
        seen += [o["id"] for o in page["items"]]
        offset = page["next"]
    assert len(seen) == len(set(seen)) == first["total"]
    assert all("tartu" in (o["name"] or "").lower() or o["name"] is None for o in first["items"])


def test_etags_answer_304_when_nothing_changed(baltic_store: Engine) -> None:
    client = _client(baltic_store)
    response = client.get("/api/v1/atlas/summary")
    tag = response.headers["etag"]
    again = client.get("/api/v1/atlas/summary", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/v1/atlas/summary", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.headers["etag"] == tag


def test_errors_say_what_is_wrong_and_how_to_fix_it(baltic_store: Engine) -> None:
    client = _client(baltic_store)
    missing = client.get("/api/v1/organisations/no-such-org")
    assert missing.status_code == 404
    assert set(missing.json()["detail"]) == {"problem", "fix"}
    invalid = client.get("/api/v1/organisations", params={"limit": 0})
    assert invalid.status_code == 422 and "limit" in invalid.json()["detail"]["problem"]
    # years out of order select nothing (the schema cannot forbid them): 404, with the fix
    bad_year = client.get("/api/v1/network", params={"start_year": 2020, "end_year": 2014})
    assert bad_year.status_code == 404 and "start_year <= end_year" in bad_year.text
    page = client.get("/organisations/no-such-org")
    assert page.status_code == 404 and "No organisation" in page.text


def test_the_openapi_schema_is_published(baltic_store: Engine) -> None:
    schema = _client(baltic_store).get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "bioconnect"
    assert "/api/v1/network" in schema["paths"]
    assert "/review" not in schema["paths"]  # pages are not API


def test_network_subgraph_matches_its_filters(baltic_store: Engine) -> None:
    data = (
        _client(baltic_store)
        .get("/api/v1/network", params={"programme": "H2020", "countries": "EE,LV"})
        .json()
    )
    assert data["attributes"]["n_nodes"] == len(data["nodes"]) > 0
    assert {n["attributes"]["country"] for n in data["nodes"]} <= {"EE", "LV"}
    assert all(-1.0 <= n["attributes"]["x"] <= 1.0 for n in data["nodes"])
    cross = [e for e in data["edges"] if e["attributes"]["cross_border"]]
    assert 0 < len(cross) < len(data["edges"])


def test_export_is_a_csv_of_the_region(baltic_store: Engine) -> None:
    response = _client(baltic_store).get("/api/v1/exports/organisations", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["country"] for r in rows} == {"EE", "LV", "LT", "FI"}


def test_security_headers_are_set(baltic_store: Engine) -> None:
    response = _client(baltic_store).get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    cookie = response.headers["set-cookie"]
    assert "bc_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_new_visitor_gets_one_csrf_token_in_the_cookie_and_the_page(
    baltic_sqlite: Engine,
) -> None:
    import re

    from starlette.responses import Response

    from bioconnect.web.security import csrf_cookie_header, set_csrf_cookie

    client = _client(baltic_sqlite)
    first = client.get("/login")
    cookie = client.cookies.get("bc_csrf")
    assert cookie and f'data-csrf="{cookie}"' in first.text
    assert re.search(rf'name="csrf_token" value="{re.escape(cookie)}"', first.text)
    # a visitor who has the cookie keeps it; every answer, errors too, has the headers
    again = client.get("/no-such-page")
    assert again.status_code == 404 and "set-cookie" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff"
    assert again.headers["referrer-policy"] == "same-origin"
    api = client.get("/api/v1/me")
    assert "default-src 'self'" in api.headers["content-security-policy"]
    # the middleware writes the cookie exactly as set_csrf_cookie does
    for secure in (False, True):
        response = Response()
        set_csrf_cookie(response, "token", secure=secure)
        assert response.headers["set-cookie"].encode() == csrf_cookie_header("token", secure=secure)


def test_network_answers_carry_the_etag_of_their_body(baltic_sqlite: Engine) -> None:
    import hashlib

    from bioconnect.web.etag import body_etag

    client = _client(baltic_sqlite)
    params = {"programme": "H2020", "countries": "EE,LV"}
    plain = {"Accept-Encoding": "identity"}
    first = client.get("/api/v1/network", params=params, headers=plain)
    tag = first.headers["etag"]
    assert tag == body_etag(hashlib.sha256(first.content).hexdigest())
    assert first.headers["cache-control"] == "no-cache"
    assert int(first.headers["content-length"]) == len(first.content)
    again = client.get("/api/v1/network", params=params, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert "content-type" not in again.headers and again.headers["etag"] == tag
    other = client.get("/api/v1/network", params=params, headers={"If-None-Match": '"old"'})
    assert other.status_code == 200 and other.content == first.content


def test_organisation_page_lists_50_projects_then_all_on_request(baltic_sqlite: Engine) -> None:
    client = _client(baltic_sqlite)
    busiest = client.get("/api/v1/organisations", params={"limit": 1}).json()["items"][0]
    n_projects = len(client.get(f"/api/v1/organisations/{busiest['id']}").json()["projects"])
    assert n_projects > 50
    page = client.get(f"/organisations/{busiest['id']}")
    assert page.text.count('<a href="/projects/') == 50
    assert f"The 50 most recent of {n_projects} projects." in page.text
    assert f'href="/organisations/{busiest["id"]}?projects=all#projects"' in page.text
    everything = client.get(f"/organisations/{busiest['id']}", params={"projects": "all"})
    assert everything.text.count('<a href="/projects/') == n_projects
    assert "most recent of" not in everything.text
    assert client.get(f"/organisations/{busiest['id']}?projects=some").status_code == 422


def test_the_server_freezes_its_startup_objects_out_of_the_collectors_sight(
    baltic_sqlite: Engine,
) -> None:
    import gc

    try:
        with TestClient(create_app(baltic_sqlite, settings=Settings())) as client:
            assert gc.get_freeze_count() > 10_000
            assert client.get("/api/v1/me").status_code == 200
    finally:
        gc.unfreeze()


def test_kept_answers_are_given_without_a_thread_or_the_store(
    baltic_store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search API and page, the organisation API and page and the network API give a
    kept answer on the event loop: no worker thread (two hops per request, and the order
    of answers left to the GIL) and no statement."""
    from bioconnect.services import cache
    from bioconnect.web import routing

    monkeypatch.setattr(cache, "VERSION_TTL", 3600.0)
    hops: list[str] = []
    run_in_threadpool = routing.run_in_threadpool

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func.__name__)
        return await run_in_threadpool(func, *args, **kwargs)

    monkeypatch.setattr(routing, "run_in_threadpool", counted)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    client = _client(baltic_store)
    urls = [
        "/api/v1/organisations?q=kaunas&limit=7",
        "/search?q=kaunas&offset=0",
        "/api/v1/organisations/999844961",
        "/organisations/999844961",
        "/api/v1/network?programme=H2020&countries=LT&max_nodes=50",
    ]
    first = [client.get(url) for url in urls]
    assert [r.status_code for r in first] == [200] * len(urls)
    # computed in a thread (unless an earlier test of this process left them kept)
    assert set(hops) <= {
        "list_organisations",
        "_search_results",
        "organisation_detail",
        "cached",
        "network_view_body",
    }
    # a network computed now is stored in the store's analysis cache: a commit of this
    # process, after which the data version is read again (once, in a thread)
    assert [client.get(url).content for url in urls] == [r.content for r in first]
    computed = list(hops)
    event.listen(baltic_store, "before_cursor_execute", seen)
    try:
        again = [client.get(url) for url in urls]
    finally:
        event.remove(baltic_store, "before_cursor_execute", seen)
    assert hops == computed and statements == []
    assert [r.content for r in again] == [r.content for r in first]
    assert again[1].text.count("KAUNO TECHNOLOGIJOS UNIVERSITETAS") == 1
    # the HTMX request gets the same kept results, without the frame
    part = client.get(urls[1], headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text
    assert part.text in again[1].text and hops == computed


def test_the_server_keeps_the_data_version_fresh_in_the_background(
    engine: Engine,
) -> None:
    """While the app runs, its data version is read in the background (every half
    ``VERSION_TTL``), so requests find it fresh; another process's write shows without a
    request asking for it."""
    import time

    from bioconnect.services import cache
    from bioconnect.store.changes import audit
    from bioconnect.store.database import store_key, transaction

    key = store_key(engine)
    cache._VERSIONS.pop(key, None)
    with TestClient(create_app(engine, settings=Settings())):
        deadline = time.monotonic() + 30  # a bound for a loaded machine, not a timing test
        while key not in cache._VERSIONS and time.monotonic() < deadline:
            time.sleep(0.05)
        first = cache._VERSIONS[key]
        assert cache.from_memory(cache.data_version, engine) == (True, first.version)
        # another worker's write: an engine of its own, whose commits we do not count
        other = create_engine(engine.url)
        try:
            with transaction(other) as conn:
                audit(conn, "tests", "update", "plan", None, "")
        finally:
            other.dispose()
        while cache._VERSIONS[key].version == first.version and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cache._VERSIONS[key].version == first.version + 1
    refreshed = cache._VERSIONS[key].at
    time.sleep(2 * cache.VERSION_TTL)  # the server has stopped: so has its reader
    assert cache._VERSIONS[key].at == refreshed
