"""The stored-completions quota: refusal per surface, nothing half-stored, release, and persistence."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.testing import InProcessEmulator
from tests.surfaces import HELLO, MODEL, SURFACES, client, create_path, headers

QUOTA = 6000


def state(emulator: Any) -> dict[str, int]:
    """What the emulator reports about its store: count, bytes used and the limit."""
    with emulator.http_client() as http:
        response = http.get("/_emulator/state", headers={"api-key": emulator.key})
    assert response.status_code == 200
    return dict(response.json()["stored_completions"])


def fill(emulator: Any, surface: str = "openai") -> tuple[list[str], openai.BadRequestError]:
    """Store until the quota refuses; the ids stored and the refusal."""
    sdk = client(emulator, surface)
    ids: list[str] = []
    for i in range(100):
        try:
            created = sdk.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": f"Tell me fact {i}."}], store=True
            )
        except openai.BadRequestError as refusal:
            return ids, refusal
        ids.append(created.id)
    raise AssertionError("the quota never refused a store")


def used_and_limit(message: str) -> tuple[int, int]:
    match = re.search(r"(\d+) of (\d+) bytes", message)
    assert match, message
    return int(match.group(1)), int(match.group(2))


@pytest.mark.settings(store_quota_bytes=QUOTA)
@pytest.mark.parametrize("surface", SURFACES)
def test_store_past_the_quota_is_refused(emulator: Any, surface: str) -> None:
    ids, refusal = fill(emulator, surface)
    assert len(ids) >= 2
    assert refusal.status_code == 400
    assert refusal.code == ("quota_exceeded" if surface == "openai" else "quotaExceeded")
    assert refusal.type == "invalid_request_error"
    before = state(emulator)
    assert before["count"] == len(ids)
    assert used_and_limit(refusal.body["message"]) == (before["bytes_used"], QUOTA)
    assert before["bytes_limit"] == QUOTA
    assert before["bytes_used"] <= QUOTA
    assert "Delete stored completions" in refusal.body["message"]
    # Refused again, and nothing half-stored: same count, same bytes, the list unchanged.
    with pytest.raises(openai.BadRequestError):
        client(emulator, surface).chat.completions.create(model=MODEL, messages=HELLO, store=True)
    assert state(emulator) == before
    assert [c.id for c in client(emulator, "openai").chat.completions.list(limit=100)] == ids


@pytest.mark.settings(store_quota_bytes=QUOTA)
def test_a_full_store_still_answers_unstored_requests(emulator: Any) -> None:
    fill(emulator)
    created = client(emulator, "azure").chat.completions.create(model=MODEL, messages=HELLO)
    assert created.choices[0].message.content


@pytest.mark.settings(store_quota_bytes=QUOTA)
def test_quota_error_bodies_on_the_wire(emulator: Any) -> None:
    fill(emulator)
    body = {"model": MODEL, "messages": HELLO, "store": True}
    with emulator.http_client() as http:
        azure = http.post(create_path("azure"), headers=headers(emulator, "azure"), json=body).json()["error"]
        oai = http.post(create_path("openai"), headers=headers(emulator, "openai"), json=body).json()["error"]
    assert azure["code"] == "quotaExceeded"
    assert oai["code"] == "quota_exceeded" and oai["type"] == "invalid_request_error"
    assert azure["message"] == oai["message"]
    used, limit = used_and_limit(oai["message"])
    needed = int(re.search(r"needs (\d+) more", oai["message"]).group(1))  # type: ignore[union-attr]
    assert used + needed > limit


@pytest.mark.settings(store_quota_bytes=QUOTA)
def test_delete_frees_space(emulator: Any) -> None:
    ids, _ = fill(emulator)
    full = state(emulator)
    sdk = client(emulator, "openai").chat.completions
    sdk.delete(ids[0])
    freed = state(emulator)
    assert freed["count"] == full["count"] - 1
    assert freed["bytes_used"] < full["bytes_used"]
    created = sdk.create(model=MODEL, messages=[{"role": "user", "content": "Tell me fact 0."}], store=True)
    assert state(emulator)["bytes_used"] == full["bytes_used"]
    assert sdk.retrieve(created.id).id == created.id
    for completion_id in ids[1:] + [created.id]:
        sdk.delete(completion_id)
    assert state(emulator)["bytes_used"] == 0 and state(emulator)["count"] == 0


@pytest.mark.settings(store_quota_bytes=QUOTA)
@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_update_that_grows_past_the_quota_is_refused(emulator: Any, surface: str) -> None:
    ids, _ = fill(emulator)
    sdk = client(emulator, surface).chat.completions
    before = state(emulator)
    room = QUOTA - before["bytes_used"]
    big = {f"key{i}": "v" * 500 for i in range(16)}
    assert sum(len(k) + len(v) for k, v in big.items()) > room
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.update(ids[0], metadata=big)
    assert caught.value.code == ("quota_exceeded" if surface == "openai" else "quotaExceeded")
    used, limit = used_and_limit(caught.value.body["message"])
    assert (used, limit) == (before["bytes_used"], QUOTA)
    assert state(emulator) == before
    assert sdk.retrieve(ids[0]).metadata == {}
    # Shrinking or small growth within the room is fine.
    small = sdk.update(ids[0], metadata={"k": "v"})
    assert small.metadata == {"k": "v"}
    assert state(emulator)["bytes_used"] == before["bytes_used"] + len('"k":"v"')
    cleared = sdk.update(ids[0], metadata=None)
    assert cleared.metadata == {} and state(emulator) == before


@pytest.mark.settings(store_quota_bytes=QUOTA)
def test_stream_with_store_on_a_full_quota_is_refused_before_streaming(emulator: Any) -> None:
    fill(emulator)
    before = state(emulator)
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "openai").chat.completions.create(
            model=MODEL, messages=HELLO, store=True, stream=True
        )
    assert caught.value.code == "quota_exceeded"
    assert state(emulator) == before


def test_bytes_used_matches_what_is_stored(inprocess: InProcessEmulator) -> None:
    sdk = client(inprocess, "azure").chat.completions
    ids = [
        sdk.create(model=MODEL, messages=HELLO, store=True, metadata={"i": str(i), "é": "ü"}).id
        for i in range(3)
    ]
    sdk.update(ids[0], metadata={"more": "x" * 40})
    sdk.delete(ids[1])
    used, _ = inprocess.call(inprocess.runtime.completions.usage)
    assert used == state(inprocess)["bytes_used"] > 0

    def measure(conn: sqlite3.Connection) -> int:
        row = conn.execute(
            "SELECT sum(length(CAST(record AS BLOB)) + length(CAST(messages AS BLOB)) "
            "+ length(CAST(metadata AS BLOB))) FROM stored_completions"
        ).fetchone()
        return int(row[0])

    assert inprocess.call(inprocess.runtime.db.run, measure) == used


def test_usage_survives_a_restart(tmp_path: Path) -> None:
    db_path = str(tmp_path / "x.sqlite3")
    with InProcessEmulator(db_path=db_path, store_quota_bytes=50_000) as first:
        sdk = client(first, "openai").chat.completions
        ids = [
            sdk.create(model=MODEL, messages=HELLO, store=True, metadata={"n": str(i)}).id for i in range(4)
        ]
        sdk.update(ids[0], metadata={"grown": "y" * 100})
        sdk.delete(ids[2])
        before = first.call(first.runtime.completions.usage)
        assert before[0] > 0
    with InProcessEmulator(db_path=db_path, store_quota_bytes=50_000) as second:
        assert second.call(second.runtime.completions.usage) == before
        assert state(second)["count"] == 3
        listed = [c.id for c in client(second, "openai").chat.completions.list()]
        assert listed == [ids[0], ids[1], ids[3]]
        client(second, "openai").chat.completions.delete(ids[0])
        after_delete = second.call(second.runtime.completions.usage)
        assert after_delete[0] < before[0]
    with InProcessEmulator(db_path=db_path, store_quota_bytes=before[0]) as third:
        # A new limit applies to what is already stored.
        assert third.call(third.runtime.completions.usage) == (after_delete[0], before[0])
