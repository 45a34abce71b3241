"""The Responses API through the SDK on every surface: create, retrieve, delete, input items, chaining,
storage (default, opt-out, quota, retention, restarts) and the errors each surface answers with."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.responses import Response

from emulator.model import tokens
from emulator.testing import InProcessEmulator
from tests.responses_helpers import QUESTION, async_sdk, error_of, sdk
from tests.surfaces import MODEL, MODEL_NAME, SURFACES, client, validated

DAY = 24 * 3600


def extra(obj: Any, name: str) -> Any:
    return obj.model_dump()[name]


@pytest.mark.parametrize("surface", SURFACES)
def test_create_answers_a_completed_response_echoing_the_request(emulator: Any, surface: str) -> None:
    made = sdk(emulator, surface).responses.create(
        model=MODEL,
        input=QUESTION,
        instructions="Answer in two sentences.",
        metadata={"team": "ml"},
        temperature=0.5,
        top_p=0.9,
        user="user-1",
        safety_identifier="hashed-user",
        truncation="disabled",
        parallel_tool_calls=False,
    )
    response = validated(made)
    assert isinstance(response, Response)
    assert response.id.startswith("resp_")
    assert (response.object, response.status, response.model) == ("response", "completed", MODEL_NAME)
    assert response.created_at == int(emulator.now())
    assert response.error is None and response.incomplete_details is None
    assert (response.instructions, response.metadata) == ("Answer in two sentences.", {"team": "ml"})
    assert (response.temperature, response.top_p, response.user) == (0.5, 0.9, "user-1")
    assert (response.safety_identifier, response.truncation) == ("hashed-user", "disabled")
    assert response.parallel_tool_calls is False and response.previous_response_id is None
    assert response.tools == [] and response.tool_choice == "auto"
    assert response.text is not None and response.text.format is not None
    assert response.text.format.type == "text"
    assert extra(response, "store") is True and response.background is False
    [message] = response.output
    assert (message.type, message.role, message.status) == ("message", "assistant", "completed")
    assert message.id.startswith("msg_")
    [part] = message.content
    assert part.type == "output_text" and part.annotations == []
    assert response.output_text == part.text and len(part.text) > 20


@pytest.mark.parametrize("surface", SURFACES)
def test_usage_is_counted_by_the_real_tokenizer(emulator: Any, surface: str) -> None:
    response = sdk(emulator, surface).responses.create(model=MODEL, input=QUESTION, instructions="Be brief.")
    conversation = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": QUESTION}]
    usage = response.usage
    assert usage is not None
    assert usage.input_tokens == tokens.count_messages(conversation, MODEL_NAME)
    assert usage.output_tokens == tokens.count(response.output_text, MODEL_NAME)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0
    assert usage.output_tokens_details.reasoning_tokens == 0


def test_defaults_are_echoed(emulator: Any) -> None:
    response = sdk(emulator, "openai").responses.create(model=MODEL, input="Hello!")
    body = response.model_dump()
    assert (body["temperature"], body["top_p"], body["truncation"], body["service_tier"]) == (
        1.0,
        1.0,
        "disabled",
        "default",
    )
    assert (body["metadata"], body["instructions"], body["max_output_tokens"], body["user"]) == (
        {},
        None,
        None,
        None,
    )
    assert body["parallel_tool_calls"] is True and body["text"] == {
        "format": {"type": "text"},
        "verbosity": "medium",
    }


@pytest.mark.parametrize("surface", SURFACES)
def test_item_input_with_every_role(emulator: Any, surface: str) -> None:
    items: list[Any] = [
        {"role": "developer", "content": "Answer as a data scientist."},
        {"role": "system", "content": [{"type": "input_text", "text": "Stay factual."}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "What is bagging?"}]},
        {"role": "assistant", "content": "Bagging trains models on random subsets of the data."},
        {"role": "user", "content": "And boosting?"},
    ]
    api = sdk(emulator, surface)
    made = api.responses.create(model=MODEL, input=items)
    assert made.status == "completed" and made.output_text
    listed = api.responses.input_items.list(made.id, order="asc")
    assert [(item.type, item.role) for item in listed.data] == [
        ("message", "developer"),
        ("message", "system"),
        ("message", "user"),
        ("message", "assistant"),
        ("message", "user"),
    ]
    assert listed.data[1].content[0].text == "Stay factual."
    assert listed.data[4].content[0].model_dump()["type"] == "input_text"
    assert all(item.id.startswith("msg_") for item in listed.data)


@pytest.mark.parametrize("surface", SURFACES)
def test_a_stored_response_is_retrieved_as_created(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    made = api.responses.create(model=MODEL, input=QUESTION, metadata={"k": "v"})
    emulator.advance(60)
    assert validated(api.responses.retrieve(made.id)).model_dump() == made.model_dump()


@pytest.mark.parametrize("surface", SURFACES)
def test_store_false_is_neither_retrievable_nor_chainable(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    made = api.responses.create(model=MODEL, input="Hello!", store=False)
    assert extra(made, "store") is False and made.status == "completed"
    with pytest.raises(openai.NotFoundError) as missing:
        api.responses.retrieve(made.id)
    assert f"Response with id '{made.id}' not found." in error_of(missing.value)["message"]
    with pytest.raises(openai.BadRequestError) as refused:
        api.responses.create(model=MODEL, input="Again?", previous_response_id=made.id)
    assert error_of(refused.value)["code"] == "previous_response_not_found"


@pytest.mark.parametrize("surface", SURFACES)
def test_an_unknown_previous_response_is_refused(emulator: Any, surface: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        sdk(emulator, surface).responses.create(model=MODEL, input="Hi", previous_response_id="resp_unknown")
    error = error_of(refused.value)
    assert refused.value.status_code == 400
    assert (error["code"], error["param"]) == ("previous_response_not_found", "previous_response_id")
    assert error["message"] == "Previous response with id 'resp_unknown' not found."


@pytest.mark.parametrize("surface", SURFACES)
def test_previous_response_id_continues_the_conversation(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    first = api.responses.create(model=MODEL, input="What is bagging?", instructions="Be terse.")
    second = api.responses.create(
        model=MODEL, input="And boosting, compared to it?", previous_response_id=first.id
    )
    assert second.previous_response_id == first.id and second.instructions is None
    # The same conversation sent whole gets the same answer: the chain is what the model read, and the
    # first response's instructions are not carried over.
    whole = api.responses.create(
        model=MODEL,
        input=[
            {"role": "user", "content": "What is bagging?"},
            {"role": "assistant", "content": first.output_text},
            {"role": "user", "content": "And boosting, compared to it?"},
        ],
    )
    assert second.output_text == whole.output_text
    assert second.usage is not None and whole.usage is not None
    assert second.usage.input_tokens == whole.usage.input_tokens > first.usage.input_tokens  # type: ignore[union-attr]
    alone = api.responses.create(model=MODEL, input="And boosting, compared to it?")
    assert alone.usage is not None and alone.usage.input_tokens < second.usage.input_tokens
    # input_items lists the request's own input
    assert [item.content[0].text for item in api.responses.input_items.list(second.id).data] == [
        "And boosting, compared to it?"
    ]


@pytest.mark.parametrize("surface", SURFACES)
def test_input_items_pages_with_after_limit_and_order(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    made = api.responses.create(
        model=MODEL, input=[{"role": "user", "content": f"Point {n}"} for n in range(5)]
    )
    ascending = api.responses.input_items.list(made.id, order="asc")
    texts = [item.content[0].text for item in ascending.data]
    assert texts == [f"Point {n}" for n in range(5)]
    ids = [item.id for item in ascending.data]
    descending = api.responses.input_items.list(made.id)
    assert [item.id for item in descending.data] == ids[::-1]  # newest first by default
    page = api.responses.input_items.list(made.id, order="asc", limit=2, after=ids[0])
    body = page.model_dump()
    assert [item.id for item in page.data] == ids[1:3]
    assert (body["first_id"], body["last_id"], body["has_more"], body["object"]) == (
        ids[1],
        ids[2],
        True,
        "list",
    )
    last = api.responses.input_items.list(made.id, order="asc", limit=2, after=ids[2])
    assert [item.id for item in last.data] == ids[3:] and last.has_more is False
    assert [item.id for item in api.responses.input_items.list(made.id, order="asc")] == ids  # auto-paging


@pytest.mark.parametrize("surface", SURFACES)
def test_delete_forgets_the_response(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    made = api.responses.create(model=MODEL, input="Hello!")
    deleted = api.responses.with_raw_response.delete(made.id)
    assert deleted.status_code == 200
    assert deleted.http_response.json() == {"id": made.id, "object": "response.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        api.responses.retrieve(made.id)
    with pytest.raises(openai.NotFoundError):
        api.responses.delete(made.id)
    with pytest.raises(openai.NotFoundError):
        api.responses.input_items.list(made.id)
    with pytest.raises(openai.BadRequestError):
        api.responses.create(model=MODEL, input="Hi", previous_response_id=made.id)


@pytest.mark.parametrize("surface", SURFACES)
def test_max_output_tokens_leaves_the_response_incomplete(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    response = api.responses.create(model=MODEL, input=QUESTION, max_output_tokens=16)
    assert response.status == "incomplete"
    assert (
        response.incomplete_details is not None and response.incomplete_details.reason == "max_output_tokens"
    )
    assert response.usage is not None and response.usage.output_tokens == 16
    assert tokens.count(response.output_text, MODEL_NAME) == 16
    assert response.output[0].status == "incomplete" and response.max_output_tokens == 16
    assert api.responses.retrieve(response.id).status == "incomplete"


@pytest.mark.parametrize("surface", SURFACES)
def test_bad_requests_name_their_param(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"input": "Hi", "max_output_tokens": 15}, "max_output_tokens"),
        ({"input": "Hi", "temperature": 3}, "temperature"),
        ({"input": "Hi", "metadata": {f"k{n}": "v" for n in range(17)}}, "metadata"),
        ({"input": [{"role": "user"}]}, "input[0].content"),
        ({"input": [{"type": "function_call_output", "call_id": "call_x", "output": "1"}]}, "input"),
        ({}, "input"),
        ({"input": "Hi", "background": True, "store": False}, "background"),
    ]
    for fields, param in cases:
        with pytest.raises(openai.BadRequestError) as refused:
            api.responses.create(model=MODEL, **fields)
        assert error_of(refused.value)["param"] == param, fields


def test_errors_come_in_each_surface_envelope(emulator: Any) -> None:
    with pytest.raises(openai.NotFoundError) as azure:
        sdk(emulator, "azure").responses.create(model="no-such-deployment", input="Hi")
    assert error_of(azure.value)["code"] == "DeploymentNotFound"
    with pytest.raises(openai.NotFoundError) as openai_side:
        sdk(emulator, "openai").responses.create(model="no-such-model", input="Hi")
    assert error_of(openai_side.value)["code"] == "model_not_found"
    for surface in SURFACES:
        with pytest.raises(openai.AuthenticationError):
            sdk(emulator, surface, api_key="wrong", default_headers={"api-key": "wrong"}).responses.create(
                model=MODEL, input="Hi"
            )


def test_the_dated_route_exists_from_its_first_api_version(emulator: Any) -> None:
    older = client(emulator, "azure", api_version="2025-02-01-preview")
    with pytest.raises(openai.NotFoundError):
        older.responses.create(model=MODEL, input="Hi")
    newer = client(emulator, "azure", api_version="2025-04-01-preview")
    assert newer.responses.create(model=MODEL, input="Hi").status == "completed"


def test_responses_never_appear_among_stored_chat_completions(emulator: Any) -> None:
    for surface in SURFACES:
        sdk(emulator, surface).responses.create(model=MODEL, input="Hello!")
        assert sdk(emulator, surface).chat.completions.list().data == []


@pytest.mark.settings(store_quota_bytes=6000)
def test_stored_responses_count_against_the_store_quota(emulator: Any) -> None:
    api = sdk(emulator, "openai")
    kept = [api.responses.create(model=MODEL, input="Hello!").id]
    with pytest.raises(openai.BadRequestError) as full:
        for _ in range(10):
            kept.append(api.responses.create(model=MODEL, input="Hello!").id)
    assert (error_of(full.value)["code"], error_of(full.value)["param"]) == ("quota_exceeded", "store")
    assert api.responses.create(model=MODEL, input="Hello!", store=False).status == "completed"
    with pytest.raises(openai.BadRequestError):  # chat completions share the quota
        api.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}], store=True)
    api.responses.delete(kept[0])
    assert api.responses.create(model=MODEL, input="Hello!").status == "completed"


def test_stored_responses_expire_after_thirty_days(emulator: Any) -> None:
    api = sdk(emulator, "openai")
    made = api.responses.create(model=MODEL, input="Hello!")
    emulator.advance(30 * DAY - 1)
    assert api.responses.retrieve(made.id).id == made.id
    emulator.advance(1)
    with pytest.raises(openai.NotFoundError):
        api.responses.retrieve(made.id)
    with pytest.raises(openai.BadRequestError):
        api.responses.create(model=MODEL, input="Hi", previous_response_id=made.id)


def test_stored_responses_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "responses.sqlite3")
    with InProcessEmulator(db_path=db) as first:
        api = sdk(first, "openai")
        made = api.responses.create(model=MODEL, input="What is bagging?")
        api.responses.create(model=MODEL, input="Hello!", store=False)
    with InProcessEmulator(db_path=db) as second:
        api = sdk(second, "openai")
        assert api.responses.retrieve(made.id).model_dump() == made.model_dump()
        follow = api.responses.create(model=MODEL, input="And boosting?", previous_response_id=made.id)
        assert follow.status == "completed"


@pytest.mark.parametrize("surface", SURFACES)
def test_the_async_client(emulator: Any, surface: str) -> None:
    async def scenario() -> None:
        api = async_sdk(emulator, surface)
        made = await api.responses.create(model=MODEL, input=QUESTION, metadata={"a": "1"})
        again = await api.responses.retrieve(made.id)
        assert again.model_dump() == made.model_dump()
        chained = await api.responses.create(model=MODEL, input="Shorter?", previous_response_id=made.id)
        items = await api.responses.input_items.list(chained.id)
        assert [item.content[0].text for item in items.data] == ["Shorter?"]
        await api.responses.delete(made.id)
        with pytest.raises(openai.NotFoundError):
            await api.responses.retrieve(made.id)
        await api.close()

    asyncio.run(scenario())


def test_the_same_requests_give_the_same_bytes() -> None:
    bodies = []
    for _ in range(2):
        with InProcessEmulator() as fresh:
            api = sdk(fresh, "openai")
            made = api.responses.with_raw_response.create(model=MODEL, input=QUESTION)
            chained = api.responses.with_raw_response.create(
                model=MODEL, input="More?", previous_response_id=made.parse().id
            )
            bodies.append((made.http_response.content, chained.http_response.content))
    assert bodies[0] == bodies[1]


def test_a_conversation_past_the_window_is_refused_or_truncated(emulator: Any) -> None:
    emulator.create_deployment("gpt35", "gpt-35-turbo-0125")  # a 16,385-token window
    api = sdk(emulator, "openai")
    long_turn = "the " * 9000  # 9,001 tokens: one turn fits, two do not
    first = api.responses.create(model="gpt35", input=long_turn, max_output_tokens=100)
    with pytest.raises(openai.BadRequestError) as refused:
        api.responses.create(
            model="gpt35", input=long_turn, previous_response_id=first.id, max_output_tokens=100
        )
    error = error_of(refused.value)
    assert (error["code"], error["param"]) == ("context_length_exceeded", "input")
    kept = api.responses.create(
        model="gpt35",
        input=long_turn,
        previous_response_id=first.id,
        max_output_tokens=100,
        truncation="auto",
    )
    assert kept.status in ("completed", "incomplete") and kept.truncation == "auto"
    # The oldest turn was dropped, as much as needed to fit: the first answer and this input remain.
    remaining = [{"role": "assistant", "content": first.output_text}, {"role": "user", "content": long_turn}]
    assert kept.usage is not None
    assert kept.usage.input_tokens == tokens.count_messages(remaining, "gpt-35-turbo-0125")


def test_tool_choice_and_reasoning_are_checked(emulator: Any) -> None:
    api = sdk(emulator, "openai")
    for choice in ("required", "bogus"):
        with pytest.raises(openai.BadRequestError) as refused:
            api.responses.create(model=MODEL, input="Hi", tool_choice=choice)  # type: ignore[arg-type]
        assert error_of(refused.value)["param"] == "tool_choice"
    assert api.responses.create(model=MODEL, input="Hi", tool_choice="none").tool_choice == "none"
    echoed = api.responses.create(model=MODEL, input="Hi", reasoning={"effort": "low"}).reasoning
    assert echoed is not None and echoed.effort == "low"
    with pytest.raises(openai.BadRequestError) as refused:
        api.responses.create(model=MODEL, input="Hi", reasoning={"effort": "extreme"})  # type: ignore[typeddict-item]
    assert error_of(refused.value)["param"] == "reasoning.effort"


@pytest.mark.parametrize("surface", SURFACES)
def test_scripted_answers_and_errors_apply_to_responses(emulator: Any, surface: str) -> None:
    emulator.script("capital of France", "Paris.")
    emulator.script("rate me", {"error": {"status": 429, "code": "rate_limit_exceeded"}})
    api = sdk(emulator, surface, max_retries=0)
    answered = api.responses.create(model=MODEL, input="What is the capital of France?")
    assert answered.output_text == "Paris."
    assert answered.usage is not None and answered.usage.output_tokens == tokens.count("Paris.", MODEL_NAME)
    with pytest.raises(openai.RateLimitError):
        api.responses.create(model=MODEL, input="Please rate me")
