"""Fixtures for the web tests: Chromium, the vendored assets, a live server, users, pages.

Browser tests carry the ``browser`` marker (``pytest -m browser``). They need Debian's
Chromium at /usr/bin/chromium: when it is missing and we are root with apt-get, it is
installed once; otherwise they are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    CHROMIUM,
    LAUNCH_ARGS,
    PASSWORD,
    LiveServer,
    Watcher,
    new_page,
    serve,
)
from sqlalchemy import Engine

from webkit import assets_lock, file_lock

# The cost limit for anonymous callers (bioconnect.web.limits) charges the server time of
# heavy requests, which depends on how busy the machine is; the browser tests' anonymous
# visitors also share one address and one live server for the whole session. So that tests
# of other things never meet the limit, every app the tests make gets the largest budgets
# the settings allow; tests/web/test_limits.py gives its apps limiters of its own.
os.environ.setdefault("BIOCONNECT_ANONYMOUS_COST_PER_CLIENT", "3600")
os.environ.setdefault("BIOCONNECT_ANONYMOUS_COST_TOTAL", "3600")
os.environ.setdefault("BIOCONNECT_ANONYMOUS_RUNNING_PER_CLIENT", "1000")
os.environ.setdefault("BIOCONNECT_ANONYMOUS_RUNNING_TOTAL", "1000")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium through Playwright against a live server"
    )


def _say(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


@pytest.fixture(scope="session")
def chromium(pytestconfig: pytest.Config) -> Path:
    """Debian's Chromium, installed with apt-get once if missing (as root)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium package to run these")
    with file_lock("apt"):  # one worker installs it; the others wait for it
        return _install_chromium(pytestconfig)


def _install_chromium(pytestconfig: pytest.Config) -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    _say(pytestconfig, f"{CHROMIUM} is missing: running apt-get install -y -q chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "chromium"]
    if subprocess.run(command, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
        subprocess.run(command, env=env, check=False)
    if not CHROMIUM.exists():
        pytest.skip(f"apt-get could not install chromium; {CHROMIUM} is still missing")
    return CHROMIUM


@pytest.fixture(scope="session")
def web_assets() -> None:
    """The npm packages copied into static/vendor (npm ci runs if needed)."""
    from bioconnect.web.assets import build_assets

    with assets_lock():
        build_assets()


@pytest.fixture(scope="session")
def browser(chromium: Path, web_assets: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_server(baltic_store: Engine) -> Iterator[LiveServer]:
    """A real uvicorn serving the app over the session's Baltic store."""
    with serve(baltic_store) as server:
        yield server


@pytest.fixture(scope="session")
def accounts(live_server: LiveServer) -> dict[str, str]:
    """One user per role on the shared store, named uniquely for this session."""
    from bioconnect.services.accounts import add_user

    tag = uuid.uuid4().hex[:8]
    names = {}
    for role in ("admin", "editor", "stakeholder", "viewer"):
        names[role] = f"web-{role}-{tag}"
        add_user(live_server.engine, names[role], PASSWORD, role)
    return names


@pytest.fixture
def browser_page(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, Watcher]]:
    """A fresh browser context (no cookies) and page on the live server, with a watcher."""
    context, page, watcher = new_page(browser, live_server)
    yield page, watcher
    context.close()
