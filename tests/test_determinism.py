"""The same requests to a fresh emulator give the same bytes: ids, timestamps and text included."""

from __future__ import annotations

import json
from typing import Any

from emulator.testing import InProcessEmulator, LiveEmulator
from tests.surfaces import HELLO, MODEL, SUMMARY_MESSAGES, create_path, headers, stored_path


def run_sequence(emulator: Any) -> list[tuple[int, str, bytes]]:
    """A mixed session over all surfaces; each response's status, request id and body bytes."""
    azure, oai, v1 = (headers(emulator, s) for s in ("azure", "openai", "azure_v1"))
    out: list[tuple[int, str, bytes]] = []
    with emulator.http_client() as http:

        def record(response: Any) -> Any:
            out.append((response.status_code, response.headers["x-request-id"], response.content))
            return response

        first = record(
            http.post(
                create_path("azure"),
                headers=azure,
                json={
                    "model": MODEL,
                    "messages": SUMMARY_MESSAGES,
                    "store": True,
                    "metadata": {"user": "admin"},
                },
            )
        ).json()
        emulator.advance(7)
        record(
            http.post(
                create_path("openai"),
                headers=oai,
                json={"model": "gpt-4o-mini", "messages": HELLO, "n": 2, "store": True, "temperature": 0.3},
            )
        )
        emulator.advance(1.5)
        record(
            http.post(
                create_path("azure_v1"),
                headers=v1,
                json={
                    "model": MODEL,
                    "messages": HELLO,
                    "stream": True,
                    "store": True,
                    "stream_options": {"include_usage": True},
                },
            )
        )
        record(
            http.post(create_path("openai"), headers=oai, json={"model": MODEL, "messages": HELLO, "seed": 5})
        )
        record(http.get(stored_path("azure"), headers=azure))
        record(http.get(stored_path("openai") + "?limit=2", headers=oai))
        record(http.get(stored_path("openai", f"/{first['id']}"), headers=oai))
        record(http.get(stored_path("azure", f"/{first['id']}/messages"), headers=azure))
        emulator.advance(60)
        record(
            http.post(stored_path("azure", f"/{first['id']}"), headers=azure, json={"metadata": {"k": "v"}})
        )
        record(http.delete(stored_path("openai", f"/{first['id']}"), headers=oai))
        record(http.get(stored_path("azure", f"/{first['id']}"), headers=azure))
        record(http.post(create_path("openai"), headers=oai, json={"model": MODEL, "messages": []}))
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
