"""A real SocialDesk server (the demo, on its own SQLite file) and a real headless Chromium.

`demo` is the running demo (its URL and data folder), `server` just its URL; `page` is a signed-out
browser tab and `second_browser()` opens another one (a second agent, a customer). The helpers that go
with them (signing in, importing fresh posts) are in tests/e2e/demo_server.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.demo_server import DemoServer, OpenPage

CHROMIUM = os.environ.get("SOCIALDESK_CHROMIUM", "/usr/bin/chromium")
# Flags for a sandboxed, offline machine: no background calls home, no GPU, no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`socialdesk demo` serving on a free port, shared by the whole session."""
    home = tmp_path_factory.mktemp("demo-server")
    port = _free_port()
    running = DemoServer(url=f"http://127.0.0.1:{port}", home=home)
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "socialdesk", "demo", "--port", str(port)],
        cwd=home,
        env=running.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240  # a loaded machine loads the demo slowly
        while True:
            try:
                if httpx.get(f"{running.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the demo server did not start:\n" + Path(log.name).read_text())
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def server(demo: DemoServer) -> str:
    """The demo server's base URL."""
    return demo.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser: Browser, width: int) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context, page = _new_page(browser, 1280)
    yield page
    context.close()


@pytest.fixture
def second_browser(browser: Browser) -> Iterator[OpenPage]:
    """Opens another browser context (another agent, or a customer), closed after the test.

    `second_browser()` gives a page as wide as `page`'s; `second_browser(width=900)` a narrower one.
    """
    contexts: list[BrowserContext] = []

    def open_page(width: int = 1280) -> Page:
        context, page = _new_page(browser, width)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()
