"""SIGTERM to `aoai-emulator serve` drains and exits at once, even under load and with a stream open, and a
reset does not wait on a stream that would never end by itself."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.cli.main import SHUTDOWN_GRACE_SECONDS
from emulator.testing import LiveEmulator
from tests.test_fine_tunes_legacy import Legacy, Q

MESSAGES = [{"role": "user", "content": "Hello!"}]
WORKERS = 4
# A hang would stop the suite; a wait this long means one happened.
TIMEOUT = 20


class Load:
    """Threads storing chat completions without pause until the server stops answering."""

    def __init__(self, server: LiveEmulator) -> None:
        self.server = server
        self.outcomes: list[str] = []
        self.started = [threading.Event() for _ in range(WORKERS)]
        self.threads = [threading.Thread(target=self._work, args=(n,)) for n in range(WORKERS)]
        for thread in self.threads:
            thread.start()

    def _work(self, n: int) -> None:
        client = self.server.openai_client(timeout=TIMEOUT)
        while True:
            try:
                client.chat.completions.create(model="gpt-4o", messages=MESSAGES, store=True)
            except openai.APIConnectionError:
                return  # the server has gone: the load ends
            except openai.APIStatusError as error:
                self.outcomes.append(str(error.status_code))
            else:
                self.outcomes.append("ok")
            self.started[n].set()

    def wait_running(self) -> None:
        assert all(started.wait(TIMEOUT) for started in self.started)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(TIMEOUT)


class OpenStream:
    """The legacy events stream of a job the manual clock never finishes: it stays open until the
    server ends it."""

    def __init__(self, server: LiveEmulator) -> None:
        self.legacy = Legacy(server)
        job = self.legacy.create(model="babbage", training_file=self.legacy.upload()).json()
        self.url = f"/openai/fine-tunes/{job['id']}/events{Q}&stream=true"
        self.opened = threading.Event()
        self.lines: list[str] = []
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._read)
        self.thread.start()
        assert self.opened.wait(TIMEOUT)

    def _read(self) -> None:
        try:
            with self.legacy.http.stream("GET", self.url, headers=self.legacy.headers, timeout=TIMEOUT) as r:
                self.opened.set()
                self.lines = [line for line in r.iter_lines() if line]
        except BaseException as exc:  # reported by ended()
            self.failure = exc
            self.opened.set()

    def ended(self) -> list[str]:
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "the stream is still open"
        self.legacy.http.close()
        if self.failure is not None:
            raise self.failure
        return self.lines


def _temp_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("aoai-emulator-files-*"))


def test_sigterm_under_load_with_a_stream_open_drains_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    server = LiveEmulator()
    try:
        stream = OpenStream(server)
        load = Load(server)
        load.wait_running()
        assert len(_temp_folders(tmp_path)) == 1
        server.process.send_signal(signal.SIGTERM)
        # Within the grace period: the server drained rather than waiting it out and cutting requests.
        server.process.wait(timeout=SHUTDOWN_GRACE_SECONDS)
        load.join()
        lines = stream.ended()
        log = server.output()
    finally:
        server.close()
    assert "timeout graceful shutdown exceeded" not in log and "Exception" not in log, log
    assert set(load.outcomes) == {"ok"}
    assert lines[0].startswith("data: ") and "Created fine-tune" in lines[0]
    assert _temp_folders(tmp_path) == []


def test_a_reset_ends_an_open_event_stream(live_server: LiveEmulator) -> None:
    live_server.reset()
    stream = OpenStream(live_server)
    live_server.reset()  # would wait for the stream, in vain, and answer 503
    lines = stream.ended()
    assert "Created fine-tune" in lines[0] and "data: [DONE]" not in lines


def test_serve_binds_to_loopback_by_default() -> None:
    from emulator.cli.main import parser

    args: Any = parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
