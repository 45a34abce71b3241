"""Browser tests of the portal: Playwright driving Debian's Chromium, launched by its path (no browser is
downloaded at run time), against a served emulator. `make browser` installs Chromium when it is missing
and runs them; the default `pytest` run leaves this folder out (pyproject's `norecursedirs`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from emulator.testing import LiveEmulator

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal"
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
EXPECT_MS = 15_000  # how long an assertion waits for the page to show something (polling included)
expect.set_options(timeout=EXPECT_MS)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`, which installs Debian's chromium package")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def server() -> Iterator[LiveEmulator]:
    with LiveEmulator() as live:
        yield live


@pytest.fixture
def live(server: LiveEmulator) -> Iterator[LiveEmulator]:
    server.reset()
    try:
        yield server
    finally:
        server.close_clients()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(EXPECT_MS)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
