"""Helpers for the real-browser tests: a live server, page watchers, screenshots and axe.

The server is uvicorn in a background thread serving ``create_app(engine)`` on a free
port of 127.0.0.1; the browser is Debian's Chromium driven by Playwright.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import Engine

from bioconnect.settings import Settings
from bioconnect.web import create_app

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = HERE / "artifacts"
DOCS_IMG = ROOT / "docs" / "img"
VENDOR = ROOT / "src" / "bioconnect" / "web" / "static" / "vendor"
VIEWPORT = {"width": 1280, "height": 800}
PASSWORD = "browser-test-passphrase"

#: Notes printed at the end of the run (axe findings below "serious", render times).
NOTES: list[str] = []


@dataclass
class LiveServer:
    url: str
    engine: Engine
    app: Any = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(engine: Engine) -> Iterator[LiveServer]:
    """Serve the web app over ``engine`` with a real uvicorn until the block ends."""
    app = create_app(engine, settings=Settings(public_read=True, cookie_secure=False))
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", engine=engine, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


# Reported through the console so that violations on every page of a test are kept.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@dataclass
class Watcher:
    """What a page reported: console errors, uncaught exceptions, dialogs, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            self.console_errors.append(f"{message.text} ({location.get('url', '')})")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    @property
    def csp_violations(self) -> list[str]:
        return [
            e
            for e in self.console_errors
            if "Content Security Policy" in e or e.startswith("CSP violation")
        ]

    def assert_clean(self, *, allow: tuple[str, ...] = ()) -> None:
        """No console error (but those containing one of ``allow``), exception or dialog."""
        errors = [e for e in self.console_errors if not any(a in e for a in allow)]
        assert not self.csp_violations, self.csp_violations
        assert not errors, errors
        assert not self.page_errors, self.page_errors
        assert not self.dialogs, self.dialogs


def new_page(browser: Any, server: LiveServer) -> tuple[Any, Any, Watcher]:
    """A fresh context (no cookies) at 1280×800 on ``server``, and a watched page."""
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watcher = Watcher()
    watcher.attach(page)
    return context, page, watcher


def screenshot(page: Any, name: str, *, docs: bool = True, focus: str | None = None) -> Path:
    """Save the viewport as a test artefact, and as docs/img/web-<name>.png with UPDATE_DOCS=1.

    ``focus`` names an element to bring to the middle of the viewport first.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    if focus:
        page.locator(focus).evaluate("(el) => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(200)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if docs and os.environ.get("UPDATE_DOCS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"web-{name}.png")
    return path


def csrf_cookie(context: Any) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "bc_csrf")


def sign_in(context: Any, username: str, password: str = PASSWORD) -> None:
    """Sign the browser context in through the login form's POST (fast path)."""
    context.request.get("/login")
    response = context.request.post(
        "/login",
        form={
            "username": username,
            "password": password,
            "csrf_token": csrf_cookie(context),
            "next": "/",
        },
        max_redirects=0,
    )
    assert response.status == 303, response.text()


def sign_in_with_form(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in as a person would: open the login page, fill the form, press the button."""
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def sign_out_with_button(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


BLOCKING = ("serious", "critical")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (the vendored copy, loaded from the app's own origin) on the page."""
    if not (VENDOR / "axe.min.js").is_file():
        raise AssertionError(f"{VENDOR / 'axe.min.js'} is missing; build_assets() should copy it")
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html,
                                             summary: n.failureSummary})),
            }));
        }"""
    )
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} - {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)
