"""In-process requests run on the caller's thread, from any mix of threads and event loops at once.

The tests store completions concurrently and check that each was stored once, under its own id, and
that a check-then-write (a job's cancel) lets exactly one of two racing requests through.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
import pytest

from emulator.control.api import DeploymentRefused
from emulator.testing import InProcessEmulator
from tests.fine_tuning_data import chat_lines, jobs_client, upload
from tests.test_finetuned_inference import trained_model

MESSAGES = [{"role": "user", "content": "Hello!"}]
ROUNDS = 12
# A hang would stop the suite; a wait this long means one happened.
TIMEOUT = 30


def store_sync(emulator: InProcessEmulator, tag: str) -> str:
    client = emulator.openai_client()
    made = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, store=True, metadata={"by": tag})
    return str(made.id)


async def store_async(client: Any, tag: str) -> str:
    made = await client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, store=True, metadata={"by": tag}
    )
    return str(made.id)


def stored_once(emulator: InProcessEmulator, ids: list[str]) -> None:
    assert len(set(ids)) == len(ids), "two requests were given the same id"
    every = [c.id for c in emulator.openai_client().chat.completions.list(limit=100)]
    assert sorted(every) == sorted(ids)


def in_threads(count: int, work: Callable[[int], list[str]]) -> list[str]:
    with ThreadPoolExecutor(count) as pool:
        results = [pool.submit(work, n) for n in range(count)]
        return [made for result in results for made in result.result(timeout=TIMEOUT)]


def test_sync_calls_from_many_threads(inprocess: InProcessEmulator) -> None:
    ids = in_threads(4, lambda n: [store_sync(inprocess, f"thread-{n}") for _ in range(ROUNDS)])
    stored_once(inprocess, ids)


def test_async_calls_with_sync_calls_from_other_threads(inprocess: InProcessEmulator) -> None:
    async def main() -> list[str]:
        client = inprocess.async_openai_client()
        from_loop = asyncio.gather(*(store_async(client, "loop") for _ in range(ROUNDS)))
        from_threads = [asyncio.to_thread(store_sync, inprocess, f"thread-{n}") for n in range(4)]
        made = await asyncio.wait_for(asyncio.gather(from_loop, *from_threads), TIMEOUT)
        return [*made[0], *made[1:]]

    stored_once(inprocess, asyncio.run(main()))


def test_async_calls_from_loops_in_two_threads(inprocess: InProcessEmulator) -> None:
    def one_loop(n: int) -> list[str]:
        async def main() -> list[str]:
            client = inprocess.async_openai_client()
            return list(await asyncio.gather(*(store_async(client, f"loop-{n}") for _ in range(ROUNDS))))

        return asyncio.run(main())

    stored_once(inprocess, in_threads(2, one_loop))


def test_a_blocking_sync_call_inside_async_code_does_not_hang(inprocess: InProcessEmulator) -> None:
    """The sync call blocks the loop whose requests are in flight; it is served elsewhere meanwhile."""

    async def main() -> list[str]:
        client = inprocess.async_openai_client()
        in_flight = [asyncio.ensure_future(store_async(client, "loop")) for _ in range(ROUNDS)]
        await asyncio.sleep(0)  # the requests start and wait on the database
        blocking = store_sync(inprocess, "blocking")
        settled = inprocess.settle_jobs()  # a control call, made the same way
        assert settled == inprocess.now()
        return [blocking, *await asyncio.wait_for(asyncio.gather(*in_flight), TIMEOUT)]

    stored_once(inprocess, asyncio.run(main()))


def test_control_calls_from_another_thread_while_async_calls_run(inprocess: InProcessEmulator) -> None:
    moved = threading.Event()

    def advance_and_read() -> None:
        for _ in range(ROUNDS):
            inprocess.advance(1)
            inprocess.settle_jobs()
        moved.set()

    async def main() -> list[str]:
        client = inprocess.async_openai_client()
        control = asyncio.to_thread(advance_and_read)
        made = await asyncio.wait_for(
            asyncio.gather(control, *(store_async(client, "loop") for _ in range(ROUNDS))), TIMEOUT
        )
        return list(made[1:])

    start = inprocess.now()
    stored_once(inprocess, asyncio.run(main()))
    assert moved.is_set() and inprocess.now() == start + ROUNDS


@pytest.mark.parametrize("first", ["sync", "async"])
def test_sync_and_async_callers_take_turns(inprocess: InProcessEmulator, first: str) -> None:
    async def from_a_loop() -> str:
        return await store_async(inprocess.async_openai_client(), "loop")

    ids = []
    for kind in (first, "async" if first == "sync" else "sync", first):
        ids.append(store_sync(inprocess, "sync") if kind == "sync" else asyncio.run(from_a_loop()))
    stored_once(inprocess, ids)


def test_one_of_two_racing_cancels_wins(inprocess: InProcessEmulator) -> None:
    sdk = jobs_client(inprocess, "openai")
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload(sdk, chat_lines(10)))
    ready = threading.Barrier(4)

    def cancel(n: int) -> list[str]:
        ready.wait()
        try:
            return [sdk.fine_tuning.jobs.cancel(job.id).status]
        except openai.BadRequestError as refused:
            assert "Cannot cancel job" in refused.message
            return ["refused"]

    outcomes = in_threads(4, cancel)
    assert sorted(outcomes) == ["cancelled", "refused", "refused", "refused"]
    events = [e.message for e in sdk.fine_tuning.jobs.list_events(job.id, limit=100)]
    assert sum("cancel" in message.lower() for message in events) == 1


def test_one_of_racing_deployments_of_a_customized_model_wins(inprocess: InProcessEmulator) -> None:
    model = trained_model(inprocess)
    ready = threading.Barrier(4)

    def deploy(n: int) -> list[str]:
        ready.wait()
        try:
            return [inprocess.create_deployment(f"tuned-{n}", model)["name"]]
        except DeploymentRefused as refused:
            assert "only one deployment is permitted" in str(refused)
            return ["refused"]

    outcomes = in_threads(4, deploy)
    assert outcomes.count("refused") == 3
    [winner] = [name for name in outcomes if name != "refused"]
    assert [d.name for d in inprocess.runtime.deployments.stored()] == [winner]
