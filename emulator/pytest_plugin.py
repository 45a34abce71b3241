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
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlencode

import anyio.from_thread
import pytest

from emulator.intercept import DEFAULT_HOSTS, Interception
from emulator.resources.control import RESETTABLE
from emulator.settings import Settings
from emulator.testing import DEFAULT_API_VERSION, InProcessEmulator, LiveEmulator

MARKER = "aoai_emulator"
# What intercepted production code finds in its environment: the public hosts, served in-process.
INTERCEPTED_AZURE_ENDPOINT = "https://emulator.openai.azure.com"
INTERCEPTED_OPENAI_BASE_URL = "https://api.openai.com/v1"
_PLUGIN_OPTIONS = ("intercept", "hosts")
STORED_API_VERSION = "2025-02-01-preview"  # the first api-version with the stored-completions API


class ControlError(Exception):
    """An emulator-only route answered with an error."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


class Inspection:
    """State and seeding helpers shared by both fixtures, over the emulator-only routes and the SDK."""

    key: str

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def openai_client(self, base_url: str | None = None, **kwargs: Any) -> Any:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What the emulator holds: stored-completion count and bytes, deployments, the clock."""
        return dict(self.control("GET", "/_emulator/state"))

    def stored_completions(self, **filters: str) -> list[dict[str, Any]]:
        """Every stored completion, oldest first, as the list API returns them (`model=`, `metadata[k]=`)."""
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            query = {"api-version": STORED_API_VERSION, "limit": "100", "order": "asc", **filters}
            if after:
                query["after"] = after
            page = self.control("GET", "/openai/chat/completions?" + urlencode(query))
            found += page["data"]
            if not page["has_more"]:
                return found
            after = page["last_id"]

    def seed_files(self, *paths: str | Path, purpose: str = "fine-tune") -> list[str]:
        """Upload files as a client would; returns their ids in order."""
        client = self.openai_client()
        ids = []
        for path in paths:
            with open(path, "rb") as handle:
                ids.append(client.files.create(file=handle, purpose=purpose).id)
        return ids


class EmulatorFixture(InProcessEmulator, Inspection):
    """The `aoai_emulator` fixture: an InProcessEmulator plus state inspection and seeding."""

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = [(b"api-key", self.key.encode()), (b"content-type", b"application/json")]
        raw = b"" if body is None else json.dumps(body).encode()
        status, _, content = self.portal.call(self.asgi, method, self.endpoint + path, headers, raw)
        data = json.loads(content) if content else None
        if status >= 400:
            raise ControlError(status, data)
        return data


class LiveServer(LiveEmulator, Inspection):
    """The `aoai_live_server` fixture: a LiveEmulator plus state inspection and seeding."""


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
    monkeypatch.setenv("OPENAI_API_VERSION", DEFAULT_API_VERSION)


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
    server = LiveServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def aoai_live_server(
    request: pytest.FixtureRequest, aoai_live_process: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> LiveServer:
    """`aoai-emulator serve` on 127.0.0.1, reset to a fresh emulator with this test's settings."""
    settings, _ = marker_options(request.node)
    fixed = sorted(set(settings) - RESETTABLE)
    if fixed:
        misconfigured(
            f"'{fixed[0]}' cannot change on the live server between tests; "
            f"it takes {', '.join(sorted(RESETTABLE))}."
        )
    aoai_live_process.reset(**_json_ready(settings))
    endpoint = aoai_live_process.endpoint
    point_environment(monkeypatch, endpoint, endpoint + "/v1", aoai_live_process.key)
    return aoai_live_process


def _json_ready(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {name: dict(value) if isinstance(value, Mapping) else value for name, value in settings.items()}
