"""Stored completions on the wire as seed 001 shows them: request numbers echoed as sent (`1` stays `1`),
Azure's list, messages and delete bodies in the seed's key order, and a `total` that does not depend on
where the page starts."""

from __future__ import annotations

import json
import re
from typing import Any

import openai
import pytest

from tests.conftest import SHARED
from tests.seed_docs import Example, examples
from tests.surfaces import MODEL, client
from tests.test_stored_completions import extra, store

HI = [{"role": "user", "content": "Hi"}]
SEED_001 = next((SHARED / "seeds").glob("001_*.txt"))


def seed_example(operation: str) -> Example:
    return next(e for e in examples(SEED_001) if e.operation == operation and e.language == "json")


def raw(response: Any) -> Any:
    """The body as sent, numbers and key order included (the SDK's models keep neither)."""
    return json.loads(response.http_response.text)


def keys_in_order(found: list[str], expected: list[str]) -> list[str]:
    """`found` keys limited to those the seed shows, to compare their order with the seed's."""
    return [key for key in found if key in expected]


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_request_numbers_are_stored_as_sent(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface).chat.completions
    ints = sdk.create(model=MODEL, messages=HI, store=True, temperature=1, top_p=1, presence_penalty=0)
    floats = sdk.create(
        model=MODEL, messages=HI, store=True, temperature=1.0, top_p=0.5, frequency_penalty=0.25
    )
    defaults = sdk.create(model=MODEL, messages=HI, store=True)

    sent = raw(sdk.with_raw_response.retrieve(ints.id))
    assert [(sent[k], type(sent[k])) for k in ("temperature", "top_p", "presence_penalty")] == [
        (1, int),
        (1, int),
        (0, int),
    ]
    sent = raw(sdk.with_raw_response.retrieve(floats.id))
    assert [(sent[k], type(sent[k])) for k in ("temperature", "top_p", "frequency_penalty")] == [
        (1.0, float),
        (0.5, float),
        (0.25, float),
    ]
    # Not sent: the service's defaults, as seed 001's list shows them.
    seed_item = seed_example("list").output()["data"][0]
    sent = raw(sdk.with_raw_response.retrieve(defaults.id))
    for key in ("top_p", "temperature", "presence_penalty", "frequency_penalty"):
        assert (sent[key], type(sent[key])) == (seed_item[key], type(seed_item[key])), key
    # `1` and `1.0` are one temperature to the model: the same answer.
    again = sdk.create(model=MODEL, messages=HI, temperature=1.0)
    assert sdk.create(model=MODEL, messages=HI, temperature=1).choices[0].message.content == (
        again.choices[0].message.content
    )


def test_azure_bodies_follow_seed_001s_key_order(emulator: Any) -> None:
    sdk = client(emulator, "azure").chat.completions
    made = sdk.create(model=MODEL, messages=HI, store=True, metadata={"user": "admin"})

    listed = raw(sdk.with_raw_response.list())
    seed_list = seed_example("list").output()
    assert list(listed) == list(seed_list)
    item_keys = list(seed_list["data"][0])
    assert keys_in_order(list(listed["data"][0]), item_keys) == item_keys

    messages = raw(sdk.messages.with_raw_response.list(made.id))
    seed_messages = seed_example("messages").output()
    assert list(messages) == list(seed_messages)
    message_keys = list(seed_messages["data"][0])
    assert list(messages["data"][0])[: len(message_keys)] == message_keys

    deleted = raw(sdk.with_raw_response.delete(made.id))
    # The seed's delete output is a screenshot's text, not JSON: its keys, in order.
    seed_delete = re.findall(r'"(\w+)"\s*[•:]', seed_example("delete").code)
    assert list(deleted) == seed_delete == ["id", "deleted", "object"]


def test_openai_bodies_keep_openais_key_order(emulator: Any) -> None:
    sdk = client(emulator, "openai").chat.completions
    made = sdk.create(model=MODEL, messages=HI, store=True)
    envelope = ["object", "data", "first_id", "last_id", "has_more"]
    assert list(raw(sdk.with_raw_response.list())) == envelope
    assert list(raw(sdk.messages.with_raw_response.list(made.id))) == envelope
    assert list(raw(sdk.with_raw_response.delete(made.id))) == ["object", "id", "deleted"]


@pytest.mark.parametrize("surface", ["azure", "azure_v1"])
def test_total_does_not_depend_on_after(emulator: Any, surface: str) -> None:
    ids = store(emulator, 3, metadata={"team": "a"})
    store(emulator, 2, metadata={"team": "b"})
    sdk = client(emulator, surface).chat.completions
    for filters, count in (({}, 5), ({"metadata": {"team": "a"}}, 3), ({"model": "gpt-4o-2024-08-06"}, 5)):
        whole = sdk.list(**filters)
        assert extra(whole, "total") == count
        for after in (ids[1], "chatcmpl-unknown"):
            page = sdk.list(after=after, **filters)
            assert extra(page, "total") == count, (filters, after)
        unknown = sdk.list(after="chatcmpl-unknown", **filters)
        assert unknown.data == [] and not unknown.has_more  # Azure: an empty page


def test_an_unknown_after_is_404_on_openai(emulator: Any) -> None:
    store(emulator, 2)
    with pytest.raises(openai.NotFoundError) as missing:
        client(emulator, "openai").chat.completions.list(after="chatcmpl-unknown")
    assert missing.value.body["param"] == "after"
