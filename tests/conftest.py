"""The SDK-level suite runs twice: in-process and against a real uvicorn process.

`emulator` is a fresh emulator per test in both modes (the live server is reset between tests).
Mark a test `@pytest.mark.settings(store_quota_bytes=4096)` to start it with other settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import InProcessEmulator, LiveEmulator

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.is_dir():
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**overrides): start the test's emulator with these settings")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "CONTRACT.md").is_file():
        pytest.fail(f"../shared is missing (looked for {SHARED}): the seeds and specs live there")
    return SHARED


@pytest.fixture(scope="session")
def live_import_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the live server reads file:// imports from (`serve --import-dir`)."""
    return tmp_path_factory.mktemp("live-imports")


@pytest.fixture(scope="session")
def live_server(live_import_dir: Path) -> Iterator[LiveEmulator]:
    with LiveEmulator(extra_args=("--import-dir", str(live_import_dir))) as server:
        yield server


@pytest.fixture
def import_dir(request: pytest.FixtureRequest, emulator: Any, tmp_path: Path) -> Path:
    """A folder `emulator` reads file:// imports from: this test's own in-process, the live server's."""
    if isinstance(emulator, InProcessEmulator):
        emulator.reset(import_dir=str(tmp_path))
        return tmp_path
    return Path(request.getfixturevalue("live_import_dir"))


def _overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("settings")
    # Keys are checked as the live server checks them, so both modes answer alike.
    return {"check_api_keys": True, **(marker.kwargs if marker else {})}


@pytest.fixture(params=["inprocess", "live"])
def emulator(request: pytest.FixtureRequest) -> Iterator[Any]:
    overrides = _overrides(request)
    if request.param == "inprocess":
        # One event-loop thread for the session (the plugin's); each test still gets a fresh app and db.
        with InProcessEmulator(portal=request.getfixturevalue("aoai_emulator_portal"), **overrides) as emu:
            yield emu
    else:
        server: LiveEmulator = request.getfixturevalue("live_server")
        overrides.pop("check_api_keys")  # the server always checks keys
        server.reset(**overrides)
        try:
            yield server
        finally:
            server.close_clients()


@pytest.fixture
def inprocess(request: pytest.FixtureRequest) -> Iterator[InProcessEmulator]:
    """In-process only: for tests that inspect or drive the runtime directly."""
    portal = request.getfixturevalue("aoai_emulator_portal")
    with InProcessEmulator(portal=portal, **_overrides(request)) as emu:
        yield emu
