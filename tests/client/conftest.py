"""Browser tests of the student app: Debian's chromium driven by Playwright, against a
real node (waitress in a subprocess, demo school). Never `playwright install`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.nodes import ServedNode

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
AXE_JS = os.environ.get("BAOBAB_AXE_JS", "")

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the session; each test gets its own context (a fresh device)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # Warm up once, so the threads Playwright starts on first use exist before any
        # test's no_thread_left_behind check (tests/conftest.py) takes its snapshot.
        warm = browser.new_context()
        warm.new_page().goto("about:blank")
        warm.close()
        yield browser
        browser.close()


@pytest.fixture
def node(tmp_path):
    """A demo node served by waitress; stopped at the end."""
    served = ServedNode(tmp_path / "node").start()
    yield served
    served.stop()


@pytest.fixture
def device(chromium):
    """A fresh tablet: its own cookies, IndexedDB and service worker."""
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def axe_js() -> str:
    """Path of axe-core's axe.min.js, installed by scripts/test from the npm registry."""
    if not AXE_JS or not Path(AXE_JS).is_file():
        pytest.fail("BAOBAB_AXE_JS is not set to axe.min.js: run the tests with scripts/test")
    return AXE_JS
