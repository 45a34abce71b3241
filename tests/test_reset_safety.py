"""A reset never pulls the state from under a request: requests in flight finish against the old state,
those that arrive meanwhile wait and meet the new one, and a request that cannot be served is a 503
with Retry-After (which the SDKs retry), never a 500."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai

from emulator.testing import InProcessEmulator
from tests.fine_tuning_data import chat_lines

MESSAGES = [{"role": "user", "content": "Hello!"}]
ROUNDS = 15
WORKERS = 4
# A hang would stop the suite; a wait this long means one happened.
TIMEOUT = 20
TRAINING = chat_lines(10)


def _sdk_calls(client: Any) -> list[Callable[[], Any]]:
    return [
        lambda: client.chat.completions.create(model="gpt-4o", messages=MESSAGES, store=True),
        lambda: client.chat.completions.list(limit=5),
        lambda: client.files.create(file=("train.jsonl", TRAINING), purpose="fine-tune"),
        lambda: client.files.list(),
        lambda: client.models.list(),
    ]


def _outcome(call: Callable[[], Any]) -> str:
    """'ok', or the refusal's status with whether it says when to retry."""
    try:
        call()
    except openai.APIStatusError as error:
        retry = "retry-after" in error.response.headers
        return f"{error.status_code} {'with' if retry else 'without'} Retry-After: {error.message}"
    except openai.APIConnectionError as error:  # a timeout too: the request wedged
        return f"no answer: {error!r}"
    return "ok"


def _refusals(outcomes: list[str]) -> list[str]:
    return [o for o in outcomes if o != "ok" and not o.startswith("503 with Retry-After")]


def _while_resetting(emulator: Any, work: Callable[[int], list[str]]) -> tuple[list[str], int]:
    """Run `work` in threads while this thread resets the emulator again and again; (outcomes, resets)."""
    resets = 0
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(work, n) for n in range(WORKERS)]
        while not all(f.done() for f in futures):
            emulator.reset()
            resets += 1
        outcomes = [o for f in futures for o in f.result()]
    return outcomes, resets


def test_sdk_requests_on_both_surfaces_survive_resets(emulator: Any) -> None:
    def work(n: int) -> list[str]:
        client = emulator.azure_client(timeout=TIMEOUT) if n % 2 else emulator.openai_client(timeout=TIMEOUT)
        outcomes = []
        for call in _sdk_calls(client) * ROUNDS:
            outcomes.append(_outcome(call))
            if _refusals(outcomes):
                break  # one is enough, and a wedged server would make the rest wait their timeout
        return outcomes

    outcomes, resets = _while_resetting(emulator, work)
    assert _refusals(outcomes) == []
    assert resets > 0 and len(outcomes) == WORKERS * ROUNDS * 5


def test_async_requests_survive_resets_from_another_thread(inprocess: InProcessEmulator) -> None:
    async def calls(client: Any) -> list[str]:
        async def one(call: Callable[[], Any]) -> str:
            try:
                await call()
            except openai.APIStatusError as error:
                return f"{error.status_code} {'with' if 'retry-after' in error.response.headers else 'without'} Retry-After"
            return "ok"

        return await asyncio.gather(*(one(call) for _ in range(ROUNDS) for call in _sdk_calls(client)))

    def work(n: int) -> list[str]:
        client = inprocess.async_azure_client() if n % 2 else inprocess.async_openai_client()
        return asyncio.run(calls(client))

    outcomes, resets = _while_resetting(inprocess, work)
    assert resets > 0 and _refusals(outcomes) == []


# ---- one request held open across a reset --------------------------------------------------------


class HeldRequest:
    """A chat completion whose body arrives only when released: it holds its lease until then."""

    path = "/v1/chat/completions"
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body = b'{"model": "gpt-4o", "store": true, "messages": [{"role": "user", "content": "Held"}]}'

    def __init__(self, emulator: InProcessEmulator) -> None:
        self.emulator = emulator
        self.release = asyncio.Event()
        self.status = 0

    async def run(self) -> None:
        body = self.body

        async def receive() -> dict[str, Any]:
            await self.release.wait()
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"authorization", f"Bearer {self.emulator.key}".encode()), *self.headers],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        await self.emulator.app(scope, receive, send)


async def _reset_request(emulator: InProcessEmulator) -> tuple[int, dict[str, str], bytes]:
    headers = [(b"api-key", emulator.key.encode()), (b"content-type", b"application/json")]
    status, raw, body = await emulator.asgi("POST", emulator.endpoint + "/_emulator/reset", headers, b"{}")
    return status, {k.decode(): v.decode() for k, v in raw}, body


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0)


def _stored(emulator: InProcessEmulator) -> int:
    return len(emulator.openai_client().chat.completions.list().data)


def test_a_reset_waits_for_the_request_in_flight_and_holds_new_ones(inprocess: InProcessEmulator) -> None:
    gate = inprocess.runtime.gate
    late: list[int] = []

    async def scenario() -> int:
        held = HeldRequest(inprocess)
        request = asyncio.create_task(held.run())
        await _until(lambda: gate.in_flight == 1)
        reset = asyncio.create_task(_reset_request(inprocess))
        await _until(lambda: gate.closing)
        # A request made now waits for the reset, then meets the fresh emulator.
        newcomer = threading.Thread(target=lambda: late.append(_stored(inprocess)))
        newcomer.start()
        held.release.set()
        await request
        status, _, _ = await reset
        await asyncio.get_running_loop().run_in_executor(None, newcomer.join)
        assert status == 200
        return held.status

    assert asyncio.run(scenario()) == 200
    assert late == [0] and _stored(inprocess) == 0


def test_a_reset_that_cannot_drain_is_a_503_and_changes_nothing(inprocess: InProcessEmulator) -> None:
    inprocess.openai_client().chat.completions.create(model="gpt-4o", messages=MESSAGES, store=True)
    inprocess.runtime.gate.drain_seconds = 0.01

    async def scenario() -> tuple[int, dict[str, str], bytes, int]:
        held = HeldRequest(inprocess)
        request = asyncio.create_task(held.run())
        await _until(lambda: inprocess.runtime.gate.in_flight == 1)
        status, headers, body = await _reset_request(inprocess)
        held.release.set()
        await request
        return status, headers, body, held.status

    status, headers, body, held_status = asyncio.run(scenario())
    assert (status, headers["retry-after"], held_status) == (503, "1", 200)
    assert b"Nothing was reset" in body
    assert _stored(inprocess) == 2  # the one before and the one held: the state is as it was


class HeldPortalPage(HeldRequest):
    """The portal's Connect form, whose body arrives only when released."""

    path = "/portal/connect"
    headers = ((b"content-type", b"application/x-www-form-urlencoded"),)
    body = b"key=aoai-emulator-key"


def test_a_portal_page_in_flight_does_not_hold_a_reset_back(inprocess: InProcessEmulator) -> None:
    inprocess.runtime.gate.drain_seconds = 0.01  # a lease held by the page would make the reset a 503

    async def scenario() -> tuple[int, int]:
        page = HeldPortalPage(inprocess)
        held = asyncio.create_task(page.run())
        await asyncio.sleep(0)
        status, _, _ = await _reset_request(inprocess)
        page.release.set()
        await held
        return status, page.status

    reset_status, page_status = asyncio.run(scenario())
    assert (reset_status, page_status) == (200, 303)


def test_requests_after_the_emulator_closed_are_503(inprocess: InProcessEmulator) -> None:
    client = inprocess.azure_client()
    inprocess.close()
    try:
        client.models.list()
    except openai.APIStatusError as error:
        assert error.status_code == 503 and error.response.headers["retry-after"] == "1"
        assert error.body["code"] == "serviceUnavailable"
    else:
        raise AssertionError("a closed emulator answered")


def test_a_reset_with_bad_deployments_is_a_400_and_keeps_the_emulator(inprocess: InProcessEmulator) -> None:
    inprocess.openai_client().chat.completions.create(model="gpt-4o", messages=MESSAGES, store=True)
    with inprocess.http_client() as http:
        response = http.post(
            "/_emulator/reset", headers={"api-key": inprocess.key}, json={"deployments": {"deployments": 7}}
        )
    assert response.status_code == 400 and response.json()["error"]["param"] == "deployments"
    assert _stored(inprocess) == 1
