"""Background responses on the emulator's clock: queued, in progress, finished, and cancel."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest

from tests.responses_helpers import QUESTION, async_sdk, error_of, sdk
from tests.surfaces import MODEL, validated

BACKGROUND_SURFACES = ("azure_v1", "openai")  # the dated surface's documents have no cancel


@pytest.mark.parametrize("surface", BACKGROUND_SURFACES)
def test_a_background_response_progresses_on_the_clock(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    queued = validated(api.responses.create(model=MODEL, input=QUESTION, background=True))
    assert (queued.status, queued.background, queued.output, queued.usage) == ("queued", True, [], None)
    assert api.responses.retrieve(queued.id).status == "queued"
    emulator.advance(1)
    running = api.responses.retrieve(queued.id)
    assert (running.status, running.output, running.completed_at) == ("in_progress", [], None)
    emulator.advance(60)
    finished = validated(api.responses.retrieve(queued.id))
    assert finished.status == "completed" and finished.output_text and finished.usage is not None
    # The same request in the foreground gives the same answer.
    foreground = api.responses.create(model=MODEL, input=QUESTION)
    assert foreground.output_text == finished.output_text


@pytest.mark.parametrize("surface", BACKGROUND_SURFACES)
def test_cancel_stops_a_response_that_has_not_finished(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    made = api.responses.create(model=MODEL, input=QUESTION, background=True)
    cancelled = validated(api.responses.cancel(made.id))
    assert (cancelled.status, cancelled.output, cancelled.usage) == ("cancelled", [], None)
    emulator.advance(3600)
    assert api.responses.retrieve(made.id).status == "cancelled"
    assert api.responses.cancel(made.id).status == "cancelled"  # cancelling again answers the same


@pytest.mark.parametrize("surface", BACKGROUND_SURFACES)
def test_cancel_after_the_response_finished_answers_it_as_it_stands(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    made = api.responses.create(model=MODEL, input="Hello!", background=True)
    emulator.advance(3600)
    finished = api.responses.retrieve(made.id)
    assert api.responses.cancel(made.id).model_dump() == finished.model_dump()
    assert finished.status == "completed" and finished.output_text
    foreground = api.responses.create(model=MODEL, input="Hello!")
    with pytest.raises(openai.BadRequestError) as not_background:
        api.responses.cancel(foreground.id)
    assert "background" in error_of(not_background.value)["message"]
    with pytest.raises(openai.NotFoundError):
        api.responses.cancel("resp_unknown")


def test_a_background_stream_finishes_at_once(emulator: Any) -> None:
    api = sdk(emulator, "openai")
    events = list(api.responses.create(model=MODEL, input="Hello!", background=True, stream=True))
    final = events[-1].response
    assert (events[-1].type, final.background) == ("response.completed", True)
    assert api.responses.retrieve(final.id).status == "completed"


def test_background_on_the_async_client(emulator: Any) -> None:
    async def scenario() -> None:
        api = async_sdk(emulator, "openai")
        made = await api.responses.create(model=MODEL, input="Hello!", background=True)
        assert made.status == "queued"
        assert (await api.responses.cancel(made.id)).status == "cancelled"
        await api.close()

    asyncio.run(scenario())
