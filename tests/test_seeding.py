"""Seeding stored completions from files: kept as given, visible to the SDK, all or nothing, within quota."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion

from emulator.control.api import SeedingFailed

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stored_completions.json"
A1 = "chatcmpl-A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0u"
C2 = "chatcmpl-C2dE3fH4iJ5kL6mN7oP8qR9sT0uV1w"
API_VERSION = "2025-02-01-preview"


def fixture_items() -> list[dict[str, Any]]:
    return list(json.loads(FIXTURE.read_text("utf-8"))["completions"])


def seeded_state(emulator: Any) -> dict[str, Any]:
    with emulator.http_client() as http:
        response = http.get("/_emulator/state", headers={"api-key": emulator.key})
    return dict(response.json()["stored_completions"])


def test_seeded_completion_is_retrieved_exactly_as_given(emulator: Any) -> None:
    assert emulator.seed_stored_completions(FIXTURE) == [A1, C2]
    expected = {k: v for k, v in fixture_items()[0].items() if k != "input_messages"}

    with emulator.http_client() as http:
        raw = http.get(
            f"/openai/chat/completions/{A1}?api-version={API_VERSION}", headers={"api-key": emulator.key}
        )
    assert raw.status_code == 200
    assert raw.text == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))  # order kept too

    retrieved = emulator.azure_client(api_version=API_VERSION).chat.completions.retrieve(A1)
    assert isinstance(retrieved, ChatCompletion)
    assert (retrieved.id, retrieved.created, retrieved.model) == (A1, 1740447656, "gpt-4o-2024-08-06")
    assert retrieved.metadata == {"user": "admin", "category": "docs-test"}
    assert retrieved.usage is not None and retrieved.usage.total_tokens == 365


def test_seeded_completions_list_filter_and_give_their_messages(emulator: Any) -> None:
    emulator.seed_stored_completions(fixture_items())
    client = emulator.openai_client()

    listed = client.chat.completions.list(metadata={"category": "docs-test"}, model="gpt-4o-2024-08-06")
    assert [c.id for c in listed.data] == [A1, C2]
    messages = client.chat.completions.messages.list(C2)
    assert [(m.id, m.role) for m in messages.data] == [(f"{C2}-0", "system"), (f"{C2}-1", "user")]
    assert messages.data[1].content == fixture_items()[1]["input_messages"][1]["content"]


def test_seeded_completion_can_be_updated_and_deleted(emulator: Any) -> None:
    emulator.seed_stored_completions(FIXTURE)
    client = emulator.azure_client(api_version=API_VERSION)

    updated = client.chat.completions.update(C2, metadata={"fizz": "buzz"})
    assert updated.metadata == {"user": "admin", "category": "docs-test", "fizz": "buzz"}
    assert client.chat.completions.delete(A1).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve(A1)


def test_seeding_takes_a_file_holding_a_bare_array(emulator: Any, tmp_path: Path) -> None:
    item = {k: v for k, v in fixture_items()[1].items() if k != "object"}
    path = tmp_path / "one.json"
    path.write_text(json.dumps([item]), "utf-8")

    assert emulator.seed_stored_completions(path) == [C2]
    retrieved = emulator.openai_client().chat.completions.retrieve(C2)
    assert (retrieved.object, retrieved.system_fingerprint) == ("chat.completion", "fp_b705f0c291")


def test_seeding_counts_against_the_quota(emulator: Any) -> None:
    before = seeded_state(emulator)
    emulator.seed_stored_completions(FIXTURE)
    after = seeded_state(emulator)

    assert after["count"] == before["count"] + 2
    assert after["bytes_used"] > before["bytes_used"]


@pytest.mark.settings(store_quota_bytes=4096)
def test_seeding_past_the_quota_stores_nothing(emulator: Any) -> None:
    with pytest.raises(SeedingFailed) as failure:
        emulator.seed_stored_completions(FIXTURE)

    assert failure.value.status == 400
    error = json.loads(failure.value.body)["error"]
    assert (error["code"], error["param"]) == ("quota_exceeded", "completions")
    assert "0 of 4096 bytes" in error["message"] and "Nothing was stored" in error["message"]
    assert seeded_state(emulator) == {"count": 0, "bytes_used": 0, "bytes_limit": 4096}


def test_seeding_an_existing_id_is_refused_and_stores_nothing(emulator: Any) -> None:
    emulator.seed_stored_completions(fixture_items()[:1])
    fresh = copy.deepcopy(fixture_items())
    fresh[0]["id"] = "chatcmpl-fresh"

    with pytest.raises(SeedingFailed) as failure:
        emulator.seed_stored_completions([fresh[0], fixture_items()[0]])

    error = json.loads(failure.value.body)["error"]
    assert error["param"] == "completions[1].id" and A1 in error["message"]
    assert seeded_state(emulator)["count"] == 1


def test_the_same_id_twice_in_one_request_is_refused(emulator: Any) -> None:
    item = fixture_items()[0]

    with pytest.raises(SeedingFailed) as failure:
        emulator.seed_stored_completions([item, item])

    assert json.loads(failure.value.body)["error"]["param"] == "completions[1].id"
    assert seeded_state(emulator)["count"] == 0


@pytest.mark.parametrize(
    ("change", "param"),
    [
        (lambda c: c.update(created="1740447656"), "completions[0].created"),
        (lambda c: c.pop("input_messages"), "completions[0].input_messages"),
        (lambda c: c["input_messages"][0].update(role="robot"), "completions[0].input_messages[0].role"),
        (lambda c: c.update(metadata={"k": 1}), "completions[0].metadata.k"),
        (lambda c: c.update(id=""), "completions[0].id"),
    ],
)
def test_a_malformed_completion_is_a_400_naming_it(emulator: Any, change: Any, param: str) -> None:
    item = fixture_items()[0]
    change(item)

    with pytest.raises(SeedingFailed) as failure:
        emulator.seed_stored_completions([item])

    assert failure.value.status == 400
    assert json.loads(failure.value.body)["error"]["param"] == param
