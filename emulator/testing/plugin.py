"""The pytest plugin (entry point `pytest11: aoai_emulator`): installing the package is enough.

Fixtures:
    aoai_emulator     a fresh in-process emulator per test (in-memory database). SDK clients made anywhere
                      in the code under test for `https://*.openai.azure.com` or `https://api.openai.com`
                      are served by it (httpx2 and httpx, sync and async); AZURE_OPENAI_ENDPOINT,
                      AZURE_OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_API_KEY point at it for the test.
    aoai_live_server  a real uvicorn on 127.0.0.1 and a free port, reset for each test, with the same four
                      environment variables pointing at it: for subprocesses and non-Python clients.

Per-test settings: `@pytest.mark.aoai_emulator(store_quota_bytes=4096, lenient_api_version=True,
deployments="fixtures/deployments.json", ...)` takes any emulator setting, plus `intercept=False` (no
interception) and `hosts=(...)` (the host patterns intercepted).

Keys: `aoai_emulator` serves any non-empty key or token, as moto, respx and other mocks do, so clients that
the code under test built at import time with a placeholder key are served unchanged; a missing or empty
key is still 401. `@pytest.mark.aoai_emulator(check_api_keys=True)` accepts only `aoai_emulator.key`, for
tests of 401 handling. The live server always checks keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import anyio.from_thread
import pytest

from emulator.control.api import AZURE_ENDPOINT, DEFAULT_API_VERSION, OPENAI_BASE_URL, RESETTABLE
from emulator.settings import Settings
from emulator.testing.intercept import DEFAULT_HOSTS, Interception

if TYPE_CHECKING:  # the emulator is imported when a test first asks for a fixture, not when pytest starts
    from emulator.testing.harness import EmulatorFixture, LiveServer

MARKER = "aoai_emulator"
# For AzureOpenAI() built without an api_version: the harness's own.
OPENAI_API_VERSION = DEFAULT_API_VERSION
# What intercepted production code finds in its environment: the public hosts, served in-process.
INTERCEPTED_AZURE_ENDPOINT = AZURE_ENDPOINT
INTERCEPTED_OPENAI_BASE_URL = OPENAI_BASE_URL
_PLUGIN_OPTIONS = ("intercept", "hosts")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): the aoai_emulator / aoai_live_server settings for this test "
        "(any emulator setting; intercept=False; hosts=(...))",
    )


def misconfigured(message: str) -> NoReturn:
    pytest.fail(f"@pytest.mark.{MARKER}: {message}", pytrace=False)


def marker_options(node: pytest.Item) -> tuple[dict[str, Any], dict[str, Any]]:
    """(emulator settings, plugin options) from the closest `aoai_emulator` marker."""
    marker = node.get_closest_marker(MARKER)
    kwargs = dict(marker.kwargs) if marker else {}
    options = {name: kwargs.pop(name) for name in _PLUGIN_OPTIONS if name in kwargs}
    deployments = kwargs.get("deployments")
    if isinstance(deployments, (str, Path)):
        kwargs["deployments"] = json.loads(Path(deployments).read_text(encoding="utf-8"))
    known = set(Settings.__dataclass_fields__)
    unknown = sorted(set(kwargs) - known)
    if unknown:
        misconfigured(
            f"unknown setting '{unknown[0]}'. Settings: {', '.join(sorted(known | set(_PLUGIN_OPTIONS)))}."
        )
    return kwargs, options


def point_environment(
    monkeypatch: pytest.MonkeyPatch, azure_endpoint: str, openai_base: str, key: str
) -> None:
    """Where production code that reads the usual variables finds the emulator."""
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", azure_endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_base)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.delenv("AZURE_OPENAI_AD_TOKEN", raising=False)
    monkeypatch.setenv("OPENAI_API_VERSION", OPENAI_API_VERSION)


@pytest.fixture(scope="session")
def aoai_emulator_portal() -> Iterator[anyio.from_thread.BlockingPortal]:
    """One event-loop thread for the session's in-process emulators: a fresh emulator then costs only its
    app and in-memory database."""
    with anyio.from_thread.start_blocking_portal() as portal:
        yield portal


@pytest.fixture
def aoai_emulator(
    request: pytest.FixtureRequest,
    aoai_emulator_portal: anyio.from_thread.BlockingPortal,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[EmulatorFixture]:
    """A fresh in-process emulator serving this test's SDK clients, its own and those of the code under test."""
    settings, options = marker_options(request.node)
    from emulator.testing.harness import EmulatorFixture

    emulator = EmulatorFixture(portal=aoai_emulator_portal, **settings)
    try:
        if not options.get("intercept", True):
            yield emulator
            return
        point_environment(monkeypatch, INTERCEPTED_AZURE_ENDPOINT, INTERCEPTED_OPENAI_BASE_URL, emulator.key)
        with Interception(emulator, options.get("hosts", DEFAULT_HOSTS)):
            yield emulator
    finally:
        emulator.close()


@pytest.fixture(scope="session")
def aoai_live_process() -> Iterator[LiveServer]:
    from emulator.testing.harness import LiveServer

    server = LiveServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def aoai_live_server(
    request: pytest.FixtureRequest, aoai_live_process: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    """`aoai-emulator serve` on 127.0.0.1, reset to a fresh emulator with this test's settings; the SDK
    clients the test made from it are closed after the test."""
    settings, _ = marker_options(request.node)
    if settings.pop("check_api_keys", True) is not True:
        misconfigured(
            "the live server always checks keys (it serves other processes); check_api_keys=False "
            "is for aoai_emulator."
        )
    fixed = sorted(set(settings) - RESETTABLE)
    if fixed:
        misconfigured(
            f"'{fixed[0]}' cannot change on the live server between tests; "
            f"it takes {', '.join(sorted(RESETTABLE))}."
        )
    aoai_live_process.reset(**_json_ready(settings))
    endpoint = aoai_live_process.endpoint
    point_environment(monkeypatch, endpoint, endpoint + "/v1", aoai_live_process.key)
    try:
        yield aoai_live_process
    finally:
        aoai_live_process.close_clients()


def _json_ready(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {name: dict(value) if isinstance(value, Mapping) else value for name, value in settings.items()}
