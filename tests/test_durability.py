"""kill -9 under load: `aoai-emulator serve --db FILE`, killed with SIGKILL while threads store chat
completions, then restarted on the same file, has kept every completion it acknowledged and counts its
quota exactly (the bytes it reports used are the sum over the rows it holds)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from emulator.testing import free_port

KEY = "durability-key"
CYCLES = 3
WRITERS = 6
ACKNOWLEDGED_BEFORE_KILL = 24  # per cycle: the kill comes once this many stores have answered 200


@contextmanager
def serving(db: Path) -> Iterator[tuple[subprocess.Popen[bytes], httpx.Client]]:
    port = free_port()
    command = [sys.executable, "-m", "emulator", "serve", "--db", str(db), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--api-key", KEY], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"api-key": KEY}, timeout=10)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, f"the server exited with {process.returncode}"
            assert time.monotonic() < deadline, "the server did not answer /health within 20 s"
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)  # polling for start-up: the port opens once the database is ready
        yield process, client
    finally:
        client.close()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def store_until_killed(
    client: httpx.Client, writer: int, acknowledged: list[str], enough: threading.Event
) -> None:
    """Store completions until the server goes away; every id that came back with a 200 is kept."""
    for n in range(10_000):
        body = {
            "model": "gpt-4o",
            "store": True,
            "metadata": {"writer": str(writer)},
            "messages": [{"role": "user", "content": f"Writer {writer}, message {n}: tell me a fact."}],
        }
        try:
            response = client.post("/openai/v1/chat/completions", json=body)
        except httpx.TransportError:
            return
        assert response.status_code == 200, response.text
        acknowledged.append(response.json()["id"])
        if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
            enough.set()


def rows_and_bytes(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        count, total = conn.execute(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM stored_completions"
        ).fetchone()
    return int(count), int(total)


def test_killed_mid_load_loses_no_acknowledged_write_and_keeps_the_quota_exact(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    acknowledged: list[str] = []
    for _ in range(CYCLES):
        with serving(db) as (process, client):
            this_cycle: list[str] = []
            enough = threading.Event()
            writers = [
                threading.Thread(target=store_until_killed, args=(client, w, this_cycle, enough))
                for w in range(WRITERS)
            ]
            for thread in writers:
                thread.start()
            assert enough.wait(timeout=20), "the stores did not get going"
            os.kill(process.pid, signal.SIGKILL)
            for thread in writers:
                thread.join(timeout=15)
            assert not any(thread.is_alive() for thread in writers)
            acknowledged += this_cycle

    with serving(db) as (_, client):
        missing = [
            i for i in acknowledged if client.get(f"/openai/v1/chat/completions/{i}").status_code != 200
        ]
        assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged completions were lost"
        state = client.get("/_emulator/state").json()["stored_completions"]
        count, total = rows_and_bytes(db)
        assert state["count"] == count >= len(acknowledged) >= CYCLES * ACKNOWLEDGED_BEFORE_KILL
        assert state["bytes_used"] == total
