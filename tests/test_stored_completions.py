"""The stored-completions API through the SDK: list, retrieve, messages, update, delete."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionDeleted, ChatCompletionStoreMessage

from emulator.testing import InProcessEmulator
from tests.surfaces import (
    MODEL,
    MODEL_NAME,
    STORED_API_VERSION,
    SUMMARY_MESSAGES,
    SURFACES,
    client,
    validated,
)


def store(
    emulator: Any,
    count: int = 1,
    *,
    surface: str = "openai",
    model: str = MODEL,
    metadata: dict[str, str] | None = None,
    **kwargs: Any,
) -> list[str]:
    """Store `count` completions one simulated second apart; their ids, oldest first."""
    sdk = client(emulator, surface)
    ids = []
    for i in range(count):
        created = sdk.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": f"Question number {i}?"}],
            store=True,
            metadata=metadata,
            **kwargs,
        )
        ids.append(created.id)
        emulator.advance(1)
    return ids


def listed_ids(page: Any) -> list[str]:
    return [validated(item).id for item in page.data]


def extra(obj: Any, name: str) -> Any:
    return obj.model_dump()[name]


# --- list ---------------------------------------------------------------------------------------------


def test_default_order_is_asc_on_openai_and_desc_on_azure(emulator: Any) -> None:
    ids = store(emulator, 3)
    assert listed_ids(client(emulator, "openai").chat.completions.list()) == ids
    azure = client(emulator, "azure").chat.completions.list()
    assert listed_ids(azure) == ids[::-1]
    assert listed_ids(client(emulator, "azure_v1").chat.completions.list()) == ids[::-1]
    assert extra(azure, "total") == 3


@pytest.mark.parametrize("surface", SURFACES)
def test_list_envelope(emulator: Any, surface: str) -> None:
    ids = store(emulator, 3)
    page = client(emulator, surface).chat.completions.list(limit=2, order="asc")
    body = page.model_dump()
    assert page.data[0].object == "chat.completion"
    assert (body["object"], body["first_id"], body["last_id"], body["has_more"]) == (
        "list",
        ids[0],
        ids[1],
        True,
    )
    if surface == "openai":
        assert "total" not in body
    else:
        assert body["total"] == 3


def test_metadata_filters_combine_with_and(emulator: Any) -> None:
    both = store(emulator, 2, metadata={"user": "admin", "category": "docs-test"})
    admin_only = store(emulator, 1, metadata={"user": "admin"})
    store(emulator, 1, metadata={"category": "docs-test", "user": "guest"})
    store(emulator, 1)
    for surface in SURFACES:
        sdk = client(emulator, surface).chat.completions
        assert set(listed_ids(sdk.list(metadata={"user": "admin"}))) == {*both, *admin_only}
        page = sdk.list(metadata={"user": "admin", "category": "docs-test"}, order="asc")
        assert listed_ids(page) == both
        assert listed_ids(sdk.list(metadata={"user": "admin", "category": "nope"})) == []
        assert listed_ids(sdk.list(metadata={"user": "Admin"})) == []
    azure = client(emulator, "azure").chat.completions.list(
        metadata={"user": "admin", "category": "docs-test"}
    )
    assert extra(azure, "total") == 2


def test_model_filter_matches_the_versioned_model_name(emulator: Any) -> None:
    big = store(emulator, 2, model="gpt-4o")
    mini = store(emulator, 1, model="gpt-4o-mini", surface="azure")
    for surface in SURFACES:
        sdk = client(emulator, surface).chat.completions
        assert listed_ids(sdk.list(model=MODEL_NAME, order="asc")) == big
        assert listed_ids(sdk.list(model="gpt-4o-mini-2024-07-18")) == mini
        assert listed_ids(sdk.list(model="gpt-4o")) == []
    both = client(emulator, "openai").chat.completions.list(model=MODEL_NAME, metadata={"x": "y"})
    assert listed_ids(both) == []


def test_model_and_metadata_filters_together(emulator: Any) -> None:
    wanted = store(emulator, 1, model="gpt-4o-mini", metadata={"team": "a"})
    store(emulator, 1, model="gpt-4o", metadata={"team": "a"})
    store(emulator, 1, model="gpt-4o-mini", metadata={"team": "b"})
    page = client(emulator, "azure").chat.completions.list(
        model="gpt-4o-mini-2024-07-18", metadata={"team": "a"}
    )
    assert listed_ids(page) == wanted
    assert extra(page, "total") == 1


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_paging_with_after_and_limit(emulator: Any, surface: str, order: str) -> None:
    ids = store(emulator, 7)
    expected = ids if order == "asc" else ids[::-1]
    sdk = client(emulator, surface).chat.completions
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"limit": 3, "order": order}
        if after is not None:
            kwargs["after"] = after
        page = sdk.list(**kwargs)
        pages += 1
        seen += listed_ids(page)
        body = page.model_dump()
        assert body["last_id"] == seen[-1]
        if surface != "openai":
            assert body["total"] == 7
        if not page.has_more:
            break
        after = body["last_id"]
    assert seen == expected
    assert pages == 3


def test_paging_is_stable_when_created_ties(emulator: Any) -> None:
    sdk = client(emulator, "openai").chat.completions
    ids = [
        sdk.create(model=MODEL, messages=[{"role": "user", "content": str(i)}], store=True).id
        for i in range(5)
    ]
    assert [c.id for c in sdk.list(limit=2)] == ids
    assert [c.id for c in sdk.list(limit=2, order="desc")] == ids[::-1]


@pytest.mark.parametrize("surface", SURFACES)
def test_sdk_auto_pagination(emulator: Any, surface: str) -> None:
    ids = store(emulator, 45, metadata={"batch": "big"})
    store(emulator, 2, metadata={"batch": "small"})
    sdk = client(emulator, surface).chat.completions
    everything = [c.id for c in sdk.list(limit=10, order="asc", metadata={"batch": "big"})]
    assert everything == ids
    first = sdk.list(limit=10, metadata={"batch": "big"})
    assert sum(1 for _ in first.iter_pages()) == 5


def test_limit_is_clamped_to_100(emulator: Any) -> None:
    store(emulator, 101)
    page = client(emulator, "openai").chat.completions.list(limit=1000)
    assert len(page.data) == 100 and page.has_more


def test_default_limit_is_20(emulator: Any) -> None:
    store(emulator, 21)
    page = client(emulator, "azure").chat.completions.list()
    assert len(page.data) == 20 and page.has_more
    assert extra(page, "total") == 21


def test_empty_list(emulator: Any) -> None:
    for surface in SURFACES:
        body = client(emulator, surface).chat.completions.list().model_dump()
        assert body["data"] == [] and body["has_more"] is False
        assert body["first_id"] is None and body["last_id"] is None


def test_list_items_are_full_stored_completions(emulator: Any) -> None:
    (completion_id,) = store(emulator, metadata={"user": "admin"}, seed=7)
    item = client(emulator, "azure").chat.completions.list().data[0]
    retrieved = client(emulator, "azure").chat.completions.retrieve(completion_id)
    assert item.model_dump() == retrieved.model_dump()


def test_deployment_scoped_client_can_list(emulator: Any) -> None:
    """AzureOpenAI(azure_deployment=...) sends list to /openai/deployments/<dep>/chat/completions."""
    ids = store(emulator, 2, model="gpt-4o-mini", surface="azure")
    other = store(emulator, 1, model="gpt-4o")
    sdk = emulator.azure_client(api_version=STORED_API_VERSION, azure_deployment="gpt-4o")
    page = sdk.chat.completions.list()
    assert listed_ids(page) == [*ids, *other][::-1]
    assert extra(page, "total") == 3
    raw = sdk.chat.completions.with_raw_response.list(limit=1)
    assert raw.http_request.url.path == "/openai/deployments/gpt-4o/chat/completions"
    assert sdk.chat.completions.retrieve(ids[0]).id == ids[0]


# --- retrieve -----------------------------------------------------------------------------------------


def test_retrieve_echoes_the_request(emulator: Any) -> None:
    sdk = client(emulator, "azure").chat.completions
    raw = sdk.with_raw_response.create(
        model=MODEL,
        messages=SUMMARY_MESSAGES,
        store=True,
        metadata={"user": "admin", "category": "docs-test"},
        seed=42,
        top_p=0.5,
        temperature=0.7,
        presence_penalty=0.25,
        frequency_penalty=-0.5,
        user="alice",
    )
    created = raw.parse()
    for surface in SURFACES:
        stored = validated(client(emulator, surface).chat.completions.retrieve(created.id))
        body = stored.model_dump()
        assert body["request_id"] == raw.headers["x-request-id"]
        assert (body["seed"], body["top_p"], body["temperature"]) == (42, 0.5, 0.7)
        assert (body["presence_penalty"], body["frequency_penalty"]) == (0.25, -0.5)
        assert body["input_user"] == "alice"
        assert stored.metadata == {"user": "admin", "category": "docs-test"}
        assert stored.id == created.id and stored.created == created.created
        assert stored.model == MODEL_NAME and stored.object == "chat.completion"
        assert stored.choices[0].message.content == created.choices[0].message.content
        assert stored.choices[0].finish_reason == created.choices[0].finish_reason
        assert stored.usage == created.usage
        assert stored.system_fingerprint == created.system_fingerprint
        assert "prompt_filter_results" not in body


def test_retrieve_reports_service_defaults_and_a_derived_seed(emulator: Any) -> None:
    first, second = store(emulator, 2)
    bodies = [client(emulator, "openai").chat.completions.retrieve(i).model_dump() for i in (first, second)]
    for body in bodies:
        assert (body["top_p"], body["temperature"]) == (1.0, 1.0)
        assert (body["presence_penalty"], body["frequency_penalty"]) == (0.0, 0.0)
        assert body["input_user"] is None
        assert isinstance(body["seed"], int)
        assert body["metadata"] == {}
    assert bodies[0]["seed"] != bodies[1]["seed"]


def test_retrieve_unknown_id_is_404(emulator: Any) -> None:
    for surface in SURFACES:
        with pytest.raises(openai.NotFoundError) as caught:
            client(emulator, surface).chat.completions.retrieve("chatcmpl-nope")
        assert "chatcmpl-nope" in caught.value.message
    with pytest.raises(openai.NotFoundError) as caught:
        client(emulator, "azure").chat.completions.retrieve("chatcmpl-nope")
    assert caught.value.code == "notFound"


@pytest.mark.parametrize("surface", SURFACES)
def test_stored_through_one_surface_is_visible_through_all(emulator: Any, surface: str) -> None:
    (completion_id,) = store(emulator, surface=surface, metadata={"from": surface})
    for reader in SURFACES:
        sdk = client(emulator, reader).chat.completions
        assert sdk.retrieve(completion_id).metadata == {"from": surface}
        assert listed_ids(sdk.list(metadata={"from": surface})) == [completion_id]


# --- messages -----------------------------------------------------------------------------------------


def test_messages_list_returns_the_input_messages(emulator: Any) -> None:
    (completion_id,) = store(emulator, surface="azure")
    conversation = [
        {"role": "developer", "content": "Be brief."},
        {
            "role": "user",
            "content": [{"type": "text", "text": "Part one."}, {"type": "text", "text": "Two."}],
        },
        {"role": "assistant", "content": "Noted."},
        {"role": "user", "content": "Go on.", "name": "bob"},
    ]
    created = client(emulator, "azure").chat.completions.create(
        model=MODEL, messages=conversation, store=True
    )
    for surface in SURFACES:
        page = client(emulator, surface).chat.completions.messages.list(created.id)
        # Not re-validated: the SDK types stored messages as assistant messages, whatever their role.
        items = page.data
        assert all(isinstance(m, ChatCompletionStoreMessage) for m in items)
        assert [m.id for m in items] == [f"{created.id}-{i}" for i in range(4)]
        assert [m.role for m in items] == ["developer", "user", "assistant", "user"]
        assert items[0].content == "Be brief."
        assert items[1].content_parts is not None
        assert [p.text for p in items[1].content_parts] == ["Part one.", "Two."]  # type: ignore[union-attr]
        assert items[0].content_parts is None
        assert extra(items[3], "name") == "bob"
        body = page.model_dump()
        assert (body["first_id"], body["last_id"], body["has_more"]) == (items[0].id, items[3].id, False)
        assert ("total" in body) == (surface != "openai")
        if surface != "openai":
            assert body["total"] == 4
    only = client(emulator, "openai").chat.completions.messages.list(completion_id)
    assert [m.content for m in only.data] == ["Question number 0?"]


@pytest.mark.parametrize("surface", SURFACES)
def test_messages_paging(emulator: Any, surface: str) -> None:
    messages = [{"role": "user", "content": f"line {i}"} for i in range(5)]
    created = client(emulator, "openai").chat.completions.create(model=MODEL, messages=messages, store=True)
    sdk = client(emulator, surface).chat.completions.messages
    first = sdk.list(created.id, limit=2)
    assert [m.content for m in first.data] == ["line 0", "line 1"] and first.has_more
    second = sdk.list(created.id, limit=2, after=first.data[-1].id)
    assert [m.id for m in second.data] == [f"{created.id}-2", f"{created.id}-3"]
    backwards = sdk.list(created.id, order="desc", limit=3)
    assert [m.content for m in backwards.data] == ["line 4", "line 3", "line 2"]
    assert [m.content for m in sdk.list(created.id, limit=2)] == [f"line {i}" for i in range(5)]
    last = sdk.list(created.id, after=f"{created.id}-4")
    assert last.data == [] and not last.has_more


def test_messages_of_unknown_completion_is_404(emulator: Any) -> None:
    for surface in SURFACES:
        with pytest.raises(openai.NotFoundError):
            client(emulator, surface).chat.completions.messages.list("chatcmpl-nope")


def test_messages_unknown_after_is_404_on_openai_and_empty_on_azure(emulator: Any) -> None:
    (completion_id,) = store(emulator)
    with pytest.raises(openai.NotFoundError) as caught:
        client(emulator, "openai").chat.completions.messages.list(completion_id, after="nope")
    assert caught.value.param == "after"
    page = client(emulator, "azure").chat.completions.messages.list(completion_id, after="nope")
    assert page.data == [] and not page.has_more


# --- update -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES)
def test_update_merges_metadata(emulator: Any, surface: str) -> None:
    (completion_id,) = store(emulator, metadata={"user": "admin", "category": "docs-test"})
    sdk = client(emulator, surface).chat.completions
    updated = validated(sdk.update(completion_id, metadata={"fizz": "buzz", "user": "root"}))
    assert isinstance(updated, ChatCompletion)
    assert updated.metadata == {"user": "root", "category": "docs-test", "fizz": "buzz"}
    assert updated.id == completion_id and updated.object == "chat.completion"
    assert sdk.retrieve(completion_id).metadata == updated.metadata
    assert listed_ids(sdk.list(metadata={"fizz": "buzz"})) == [completion_id]
    assert listed_ids(sdk.list(metadata={"user": "admin"})) == []
    assert listed_ids(sdk.list(metadata={"user": "root", "category": "docs-test"})) == [completion_id]


def test_update_with_null_clears_metadata(emulator: Any) -> None:
    (completion_id,) = store(emulator, metadata={"user": "admin"})
    sdk = client(emulator, "openai").chat.completions
    assert sdk.update(completion_id, metadata=None).metadata == {}
    assert listed_ids(sdk.list(metadata={"user": "admin"})) == []
    assert sdk.update(completion_id, metadata={"a": "b"}).metadata == {"a": "b"}


def test_update_keeps_everything_else(emulator: Any) -> None:
    (completion_id,) = store(emulator, seed=3)
    sdk = client(emulator, "azure").chat.completions
    before = sdk.retrieve(completion_id).model_dump()
    after = sdk.update(completion_id, metadata={"k": "v"}).model_dump()
    assert {**before, "metadata": {"k": "v"}} == after
    assert [c.id for c in sdk.list()] == [completion_id]


def test_update_limits_apply_after_merging(emulator: Any) -> None:
    (completion_id,) = store(emulator, metadata={f"k{i}": "v" for i in range(10)})
    for surface in SURFACES:
        sdk = client(emulator, surface).chat.completions
        with pytest.raises(openai.BadRequestError) as caught:
            sdk.update(completion_id, metadata={f"n{i}": "v" for i in range(7)})
        assert caught.value.param == "metadata"
        assert "16" in caught.value.message
    # Overwriting existing keys stays within the limit.
    sdk = client(emulator, "openai").chat.completions
    assert len(sdk.update(completion_id, metadata={f"k{i}": "w" for i in range(10)}).metadata or {}) == 10
    assert len(sdk.update(completion_id, metadata={f"n{i}": "v" for i in range(6)}).metadata or {}) == 16
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.update(completion_id, metadata={"k0": "v" * 513})
    assert caught.value.param == "metadata"
    assert sdk.retrieve(completion_id).metadata == {
        **{f"k{i}": "w" for i in range(10)},
        **{f"n{i}": "v" for i in range(6)},
    }


def test_update_unknown_id_is_404(emulator: Any) -> None:
    for surface in SURFACES:
        with pytest.raises(openai.NotFoundError):
            client(emulator, surface).chat.completions.update("chatcmpl-nope", metadata={"a": "b"})


# --- delete -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES)
def test_delete_then_404_everywhere(emulator: Any, surface: str) -> None:
    keep, gone = store(emulator, 2, metadata={"m": "1"})
    deleted = validated(client(emulator, surface).chat.completions.delete(gone))
    assert isinstance(deleted, ChatCompletionDeleted)
    assert deleted.model_dump() == {"id": gone, "deleted": True, "object": "chat.completion.deleted"}
    for reader in SURFACES:
        sdk = client(emulator, reader).chat.completions
        calls = (
            (sdk.retrieve, (gone,), {}),
            (sdk.messages.list, (gone,), {}),
            (sdk.update, (gone,), {"metadata": {"a": "b"}}),
            (sdk.delete, (gone,), {}),
        )
        for method, args, kwargs in calls:
            with pytest.raises(openai.NotFoundError):
                method(*args, **kwargs)
        assert listed_ids(sdk.list(metadata={"m": "1"})) == [keep]
    assert extra(client(emulator, "azure").chat.completions.list(), "total") == 1


def test_delete_response_body_on_the_wire(emulator: Any) -> None:
    (completion_id,) = store(emulator)
    raw = client(emulator, "azure").chat.completions.with_raw_response.delete(completion_id)
    assert raw.status_code == 200
    assert json.loads(raw.text) == {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}


def test_async_auto_pagination(emulator: Any) -> None:
    ids = store(emulator, 12)

    async def run() -> list[str]:
        async with emulator.async_azure_client(api_version=STORED_API_VERSION) as aclient:
            return [c.id async for c in aclient.chat.completions.list(limit=5, order="asc")]

    assert asyncio.run(run()) == ids


def test_storing_again_after_a_restart_on_the_same_file(tmp_path: Path) -> None:
    db_path = str(tmp_path / "store.sqlite3")
    ids = []
    for _ in range(3):
        with InProcessEmulator(db_path=db_path) as emu:
            sdk = client(emu, "openai").chat.completions
            ids.append(sdk.create(model=MODEL, messages=SUMMARY_MESSAGES, store=True).id)
            assert [c.id for c in sdk.list()] == ids
    assert len(set(ids)) == 3


def test_concurrent_stores_are_all_kept(emulator: Any) -> None:
    async def run() -> list[str]:
        async with emulator.async_azure_client(api_version=STORED_API_VERSION) as aclient:
            created = await asyncio.gather(
                *(
                    aclient.chat.completions.create(
                        model=MODEL,
                        messages=[{"role": "user", "content": f"Concurrent {i}"}],
                        store=True,
                        metadata={"run": "parallel", "i": str(i)},
                    )
                    for i in range(25)
                )
            )
            return [c.id for c in created]

    ids = asyncio.run(run())
    assert len(set(ids)) == 25
    page = client(emulator, "azure").chat.completions.list(metadata={"run": "parallel"}, limit=100)
    assert set(listed_ids(page)) == set(ids)
    assert extra(page, "total") == 25
    for i in (0, 24):
        assert listed_ids(client(emulator, "openai").chat.completions.list(metadata={"i": str(i)})) == [
            ids[i]
        ]
