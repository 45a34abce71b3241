"""The same requests to a fresh emulator give the same bytes: ids, timestamps and text included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator.testing import InProcessEmulator, LiveEmulator
from tests.surfaces import HELLO, MODEL, SUMMARY_MESSAGES, create_path, headers, stored_path


def run_sequence(emulator: Any) -> list[tuple[int, str, bytes]]:
    """A mixed session over all surfaces; each response's status, request id and body bytes."""
    out: list[tuple[int, str, bytes]] = []
    with emulator.http_client() as http:

        def call(method: str, surface: str, path: str, body: Any = None) -> Any:
            response = http.request(method, path, headers=headers(emulator, surface), json=body)
            out.append((response.status_code, response.headers["x-request-id"], response.content))
            return response.json() if not body or not body.get("stream") else None

        def chat(surface: str, **body: Any) -> Any:
            return call("POST", surface, create_path(surface), {"model": MODEL, "messages": HELLO, **body})

        first = chat("azure", messages=SUMMARY_MESSAGES, store=True, metadata={"user": "admin"})
        one = f"/{first['id']}"
        emulator.advance(7)
        chat("openai", model="gpt-4o-mini", n=2, store=True, temperature=0.3)
        emulator.advance(1.5)
        chat("azure_v1", stream=True, store=True, stream_options={"include_usage": True})
        chat("openai", seed=5)
        call("GET", "azure", stored_path("azure"))
        call("GET", "openai", stored_path("openai") + "?limit=2")
        call("GET", "openai", stored_path("openai", one))
        call("GET", "azure", stored_path("azure", one + "/messages"))
        emulator.advance(60)
        call("POST", "azure", stored_path("azure", one), {"metadata": {"k": "v"}})
        call("DELETE", "openai", stored_path("openai", one))
        call("GET", "azure", stored_path("azure", one))
        chat("openai", messages=[])
    return out


def assert_same(a: list[tuple[int, str, bytes]], b: list[tuple[int, str, bytes]]) -> None:
    assert len(a) == len(b)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x == y, f"response {i} differs"


def test_two_fresh_emulators_answer_byte_for_byte_alike(emulator: Any) -> None:
    first = run_sequence(emulator)
    emulator.reset()
    second = run_sequence(emulator)
    assert_same(first, second)
    statuses = [status for status, _, _ in first]
    assert statuses == [200] * 10 + [404, 400]
    created = json.loads(first[0][2])
    assert created["created"] == int(emulator.now() - 68.5)


def test_in_process_and_live_answer_alike(live_server: LiveEmulator) -> None:
    live_server.reset()
    live = run_sequence(live_server)
    with InProcessEmulator() as inprocess:
        local = run_sequence(inprocess)
    assert_same(local, live)


def test_a_different_id_seed_gives_other_ids_but_the_same_text() -> None:
    with InProcessEmulator() as one, InProcessEmulator(id_seed=1) as other:
        a, b = run_sequence(one), run_sequence(other)
    first_a, first_b = json.loads(a[0][2]), json.loads(b[0][2])
    assert first_a["id"] != first_b["id"]
    assert a[0][1] != b[0][1]
    assert first_a["choices"] == first_b["choices"]


def test_the_clock_start_sets_created() -> None:
    with InProcessEmulator(clock_start=1_700_000_000.9) as emu:
        created = json.loads(run_sequence(emu)[0][2])
    assert created["created"] == 1_700_000_000


def test_a_fresh_database_file_answers_as_memory_does(tmp_path: Path) -> None:
    with InProcessEmulator() as memory, InProcessEmulator(db_path=str(tmp_path / "d.sqlite3")) as on_disk:
        assert_same(run_sequence(memory), run_sequence(on_disk))
