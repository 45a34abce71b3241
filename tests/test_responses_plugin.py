"""The pytest plugin intercepts `client.responses` of clients built as in production, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest

from tests.responses_helpers import RESPONSES_API_VERSION


def production_client(surface: str, asynchronous: bool, key: str) -> Any:
    if surface == "azure":
        azure = openai.AsyncAzureOpenAI if asynchronous else openai.AzureOpenAI
        return azure(
            azure_endpoint="https://contoso-prod.openai.azure.com",
            api_key=key,
            api_version=RESPONSES_API_VERSION,
        )
    plain = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    return plain(base_url="https://api.openai.com/v1", api_key=key)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_responses_are_served_in_process(aoai_emulator: Any, surface: str, asynchronous: bool) -> None:
    client = production_client(surface, asynchronous, aoai_emulator.key)

    async def scenario() -> tuple[Any, Any, list[str]]:
        made = await client.responses.create(model="gpt-4o", input="Hello!")
        again = await client.responses.retrieve(made.id)
        types = [
            event.type
            async for event in await client.responses.create(model="gpt-4o", input="Hi", stream=True)
        ]
        return made, again, types

    if asynchronous:
        made, again, types = asyncio.run(scenario())
    else:
        made = client.responses.create(model="gpt-4o", input="Hello!")
        again = client.responses.retrieve(made.id)
        types = [event.type for event in client.responses.create(model="gpt-4o", input="Hi", stream=True)]
    assert made.model == "gpt-4o-2024-08-06" and again.model_dump() == made.model_dump()
    assert types[0] == "response.created" and types[-1] == "response.completed"
