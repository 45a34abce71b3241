"""Interception: clients built as in production, through httpx2 (openai 3.x) or httpx (openai 1.x/2.x, or any
`http_client=httpx.Client()`), sync and async, are served in-process; every other host is left alone."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import httpx2
import openai
import pytest

from emulator.testing import InProcessEmulator, free_port
from emulator.testing.intercept import Interception, host_matcher

HELLO = [{"role": "user", "content": "Hello!"}]


def http_client(library: str, asynchronous: bool) -> Any:
    """None: the SDK's own default client (httpx2 with openai 3.x); else a client of that library."""
    if library == "default":
        return None
    hx = {"httpx": httpx, "httpx2": httpx2}[library]
    return hx.AsyncClient() if asynchronous else hx.Client()


def production_client(surface: str, asynchronous: bool, library: str, key: str) -> Any:
    http = http_client(library, asynchronous)
    if surface == "azure":
        cls = openai.AsyncAzureOpenAI if asynchronous else openai.AzureOpenAI
        return cls(
            azure_endpoint="https://contoso-prod.openai.azure.com",
            api_key=key,
            api_version="2025-02-01-preview",
            http_client=http,
        )
    cls = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    return cls(base_url="https://api.openai.com/v1", api_key=key, http_client=http)


@pytest.mark.parametrize("library", ["default", "httpx2", "httpx"])
@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_production_client_is_served_in_process(
    aoai_emulator: Any, surface: str, asynchronous: bool, library: str
) -> None:
    client = production_client(surface, asynchronous, library, aoai_emulator.key)

    def create() -> Any:
        return client.chat.completions.create(model="gpt-4o", messages=HELLO, store=True)

    async def acreate() -> Any:
        return await client.chat.completions.create(model="gpt-4o", messages=HELLO, store=True)

    reply = asyncio.run(acreate()) if asynchronous else create()

    assert reply.model == "gpt-4o-2024-08-06"
    assert [c["id"] for c in aoai_emulator.stored_completions()] == [reply.id]


@pytest.mark.parametrize("library", ["default", "httpx"])
def test_streaming_through_interception(aoai_emulator: Any, library: str) -> None:
    client = production_client("azure", False, library, aoai_emulator.key)
    whole = client.chat.completions.create(model="gpt-4o", messages=HELLO)
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=HELLO, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content


def test_environment_points_a_bare_client_at_the_emulator(aoai_emulator: Any) -> None:
    for client in (openai.AzureOpenAI(), openai.OpenAI()):
        raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=HELLO)
        assert raw.http_request.url.host in ("emulator.openai.azure.com", "api.openai.com")
        assert raw.parse().object == "chat.completion"


@pytest.mark.parametrize("hx", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_other_hosts_go_to_the_network(aoai_emulator: Any, hx: Any) -> None:
    # Nothing listens on a just-freed loopback port: a refused connection proves the real transport ran.
    with pytest.raises(hx.ConnectError):
        hx.get(f"http://127.0.0.1:{free_port()}/")


@pytest.mark.parametrize("first", ["user", "emulator"])
def test_user_respx_mocks_keep_their_hosts(request: pytest.FixtureRequest, first: str) -> None:
    order = ["respx_mock", "aoai_emulator"] if first == "user" else ["aoai_emulator", "respx_mock"]
    fixtures = {name: request.getfixturevalue(name) for name in order}
    respx_mock, emulator = fixtures["respx_mock"], fixtures["aoai_emulator"]
    respx_mock.get("https://billing.example/ping").respond(204)

    assert httpx.get("https://billing.example/ping").status_code == 204
    client = production_client("azure", False, "httpx", emulator.key)
    assert client.chat.completions.create(model="gpt-4o", messages=HELLO).object == "chat.completion"
    # The user's router still asserts on what it does not know, as it would without the emulator.
    with pytest.raises(Exception, match="not mocked"):
        httpx.get("https://elsewhere.example/")


@pytest.mark.aoai_emulator(hosts=("llm.internal",))
def test_marker_chooses_the_hosts(aoai_emulator: Any) -> None:
    client = openai.OpenAI(base_url="https://llm.internal/v1", api_key=aoai_emulator.key)
    assert client.chat.completions.create(model="gpt-4o", messages=HELLO).object == "chat.completion"


ORIGINAL = (httpx2.HTTPTransport.handle_request, httpx2.AsyncHTTPTransport.handle_async_request)


@pytest.mark.aoai_emulator(intercept=False)
def test_marker_turns_interception_off(aoai_emulator: Any) -> None:
    assert (httpx2.HTTPTransport.handle_request, httpx2.AsyncHTTPTransport.handle_async_request) == ORIGINAL


@pytest.mark.parametrize("use_respx", [True, False], ids=["respx", "patch"])
def test_interception_is_undone_on_stop(inprocess: InProcessEmulator, use_respx: bool) -> None:
    before = (httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request)
    with Interception(inprocess, use_respx=use_respx):
        client = production_client("openai", False, "httpx", inprocess.key)
        assert client.chat.completions.create(model="gpt-4o", messages=HELLO).object == "chat.completion"
        assert httpx2.HTTPTransport.handle_request is not ORIGINAL[0]
    assert (httpx2.HTTPTransport.handle_request, httpx2.AsyncHTTPTransport.handle_async_request) == ORIGINAL
    assert (httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request) == before


def test_a_patch_left_on_top_is_reported_not_clobbered(inprocess: InProcessEmulator) -> None:
    interception = Interception(inprocess).start()
    mine = httpx2.HTTPTransport.handle_request

    def other(transport: Any, request: Any) -> Any:
        return mine(transport, request)

    httpx2.HTTPTransport.handle_request = other  # type: ignore[method-assign]
    try:
        with pytest.raises(RuntimeError, match="patched again after the emulator's interception started"):
            interception.stop()
    finally:
        httpx2.HTTPTransport.handle_request = ORIGINAL[0]  # type: ignore[method-assign]
    assert httpx2.AsyncHTTPTransport.handle_async_request is ORIGINAL[1]


def test_host_patterns() -> None:
    matches = host_matcher(("*.openai.azure.com", "api.openai.com"))
    assert matches("Contoso.OpenAI.Azure.com")
    assert matches("api.openai.com")
    assert not matches("openai.azure.com.evil.example")
    assert not matches("api.openai.com.example")
