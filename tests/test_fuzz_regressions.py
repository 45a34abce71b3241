"""Requests the fuzzers found a 5xx or a broken answer for, each answered as the document says."""

from __future__ import annotations

from typing import Any

from emulator.resources.control import LATEST_TIME


def _post(emulator: Any, path: str, body: Any) -> Any:
    # Raw HTTP: the SDK has no call for the emulator's own routes.
    with emulator.http_client() as http:
        return http.post(path, json=body, headers={"api-key": emulator.key})


def test_advancing_the_clock_past_year_9999_is_refused_and_leaves_it_alone(emulator: Any) -> None:
    before = emulator.now()
    refused = _post(emulator, "/_emulator/clock/advance", {"seconds": 1e308})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["param"] == "seconds"
    assert "year 9999" in error["message"]
    assert emulator.now() == before
    furthest = LATEST_TIME - before
    assert _post(emulator, "/_emulator/clock/advance", {"seconds": furthest}).json() == {"now": LATEST_TIME}
    assert _post(emulator, "/_emulator/clock/advance", {"seconds": 1}).status_code == 400
