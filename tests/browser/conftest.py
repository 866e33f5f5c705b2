"""Browser tests: Playwright (from pip) driving Debian's Chromium, never a downloaded browser.

They skip, saying why, when Playwright or Chromium is missing, unless ``REALPOLITIK_REQUIRE_BROWSER``
is set (CI sets it after installing Chromium with apt-get), in which case they fail. Screenshots
go to ``test-output/browser/`` under the repository (or ``$REALPOLITIK_TEST_OUTPUT/browser``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("REALPOLITIK_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (REALPOLITIK_REQUIRE_BROWSER is set, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium binary (``$REALPOLITIK_CHROMIUM`` or Debian's); skip when there is none."""
    env = os.environ.get("REALPOLITIK_CHROMIUM")
    for candidate in ([env] if env else []) + list(CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    _missing(
        "Chromium not found (install Debian's: apt-get install -y chromium chromium-driver "
        "fonts-liberation; or set REALPOLITIK_CHROMIUM)"
    )
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """A headless Chromium driven by Playwright's sync API."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install playwright; never `playwright install`)")
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots are saved (kept after the run, beside the test output)."""
    base = Path(os.environ.get("REALPOLITIK_TEST_OUTPUT", REPO / "test-output"))
    folder = base / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def dashboard_url() -> Iterator[str]:
    """A dashboard served by ``realpolitik serve`` in a child process, on a free loopback port."""
    port = _free_port()
    env = dict(
        os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    )
    out = Path(os.environ.get("REALPOLITIK_TEST_OUTPUT", REPO / "test-output"))
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "dashboard-server.log", "w")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "realpolitik",
            "serve",
            "--port",
            str(port),
            "--no-open",
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "api/scenarios", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not start (see {log.name})")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console errors and failed requests in ``page.problems``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    problems: list[str] = []
    pg.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    pg.problems = problems
    try:
        yield pg
    finally:
        context.close()


def has_chromium() -> bool:
    """Whether a Chromium binary is present (for skip markers outside fixtures)."""
    return any(Path(c).is_file() for c in CHROMIUM_CANDIDATES) or bool(shutil.which("chromium"))
