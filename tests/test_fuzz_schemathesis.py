"""Schemathesis over the whole served document, against `aoai-emulator serve` on a loopback port.

Every operation on every surface gets generated requests (path, query and body; valid and invalid).
A case fails on a 5xx, on a request that takes longer than the timeout (a hang), and on an answer whose
status, content type or body the document does not describe. `FUZZ_EXAMPLES` raises the number of cases
per operation (`make fuzz`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from emulator.settings import DEFAULT_API_KEY
from emulator.testing import LiveEmulator
from tests.fuzzing import document, report

# `make check` sends the same cases every run; `make fuzz` (FUZZ_EXAMPLES set) new ones each time.
EXPLORING = "FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
REQUEST_TIMEOUT = 10.0  # seconds; the slowest answer in a run is far below this
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance")
CHECKS += ("response_schema_conformance",)
CONFIG = schemathesis.Config.from_dict(
    {
        "request-timeout": REQUEST_TIMEOUT,
        "headers": {"api-key": DEFAULT_API_KEY, "Authorization": f"Bearer {DEFAULT_API_KEY}"},
        "phases": {"stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES, "deterministic": not EXPLORING},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
)
# Reset replaces the settings every other operation runs under; its own tests check what it accepts.
SCHEMA = schemathesis.openapi.from_dict(document(), config=CONFIG).exclude(
    path=["/_emulator/reset", "/_emulator/faults"]
)


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[tuple[LiveEmulator, list[str]]]:
    """A server of the module's own (fuzzing changes its state), and the count of cases sent to it."""
    sent: list[str] = []
    with LiveEmulator(key=DEFAULT_API_KEY) as live:
        yield live, sent
    report(request.config, f"schemathesis: {len(sent)} cases over {len(set(sent))} operations")


@SCHEMA.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case: Any, server: tuple[LiveEmulator, list[str]]) -> None:
    live, sent = server
    sent.append(case.operation.label)
    try:
        case.call_and_validate(base_url=live.endpoint, timeout=REQUEST_TIMEOUT)
    finally:
        if case.operation.path == "/_emulator/scripts" and case.method == "POST":
            live.control.clear_scripts()  # a scripted 5xx is a fault asked for, not a bug
