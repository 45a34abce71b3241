"""The harness leaves nothing behind: an emulator nobody closed lets the process exit, a live server's
output cannot stall it, its SDK clients are closed for the test, and both emulators reach the
emulator-only routes through the same control client, with the same errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

from emulator.control.api import KEY_HEADER, ControlError
from emulator.testing import LiveEmulator


def test_an_in_process_emulator_nobody_closes_lets_the_process_exit() -> None:
    script = textwrap.dedent(
        """
        from emulator.testing import InProcessEmulator

        emulator = InProcessEmulator()
        print(emulator.azure_client().models.list().data[0].object)
        """
    )
    # Before, the exit waited forever for the emulator's event-loop thread; the timeout only bounds that.
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "model"), done.stderr


def test_a_server_that_logs_a_lot_keeps_answering() -> None:
    # Each request logs one access line of some 350 bytes: 400 of them are twice what a pipe holds.
    padding = "x" * 300
    with (
        LiveEmulator(extra_args=("--access-log", "--log-level", "info")) as server,
        server.http_client() as http,
    ):
        statuses = {
            http.get(f"/_emulator/clock?padding={padding}", headers={KEY_HEADER: server.key}).status_code
            for _ in range(400)
        }
        assert statuses == {200}
        assert server.output().count(padding) == 400
    assert server.output() == ""  # the log went with the server


def test_live_sdk_clients_are_closed_after_the_test(live_server: LiveEmulator) -> None:
    sync_client, openai_client = live_server.azure_client(), live_server.openai_client()
    assert sync_client.models.list().data and openai_client.models.list().data
    live_server.close_clients()
    assert sync_client.is_closed() and openai_client.is_closed()
    # clients made afterwards work as before
    assert live_server.azure_client().models.list().data


def test_both_emulators_answer_control_errors_alike(emulator: Any) -> None:
    with pytest.raises(ControlError) as unknown:
        emulator.control.call("GET", "/_emulator/no-such-route")
    assert unknown.value.status == 404
    with pytest.raises(ControlError) as refused:
        emulator.control.call("POST", "/_emulator/clock/advance", {"seconds": -1})
    assert refused.value.status == 400 and refused.value.body["error"]["param"] == "seconds"
    assert emulator.control.advance(60) == emulator.now()
