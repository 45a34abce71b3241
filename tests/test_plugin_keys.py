"""Keys under the plugin: production clients built at import time, with whatever placeholder key the
environment had then, are served unchanged; checking keys is opt-in, for tests of 401 handling."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import openai
import pytest

from emulator.testing import InProcessEmulator
from emulator.testing.intercept import Interception

pytest_plugins = ["pytester"]

HELLO = [{"role": "user", "content": "Hello!"}]
ENDPOINT = "https://contoso-prod.openai.azure.com"

# Built when this module is imported, before any fixture runs, as a service builds its clients.
azure = openai.AzureOpenAI(
    azure_endpoint=ENDPOINT,
    api_key=os.environ.get("AOAI_EMULATOR_TEST_UNSET_KEY", "k"),
    api_version="2025-02-01-preview",
    max_retries=0,
)
azure_async = openai.AsyncAzureOpenAI(
    azure_endpoint=ENDPOINT, api_key="placeholder", api_version="2025-02-01-preview", max_retries=0
)
# openai 1.x/2.x talk through httpx: the same client as those versions build it.
azure_httpx = openai.AzureOpenAI(
    azure_endpoint=ENDPOINT,
    api_key="k",
    api_version="2025-02-01-preview",
    max_retries=0,
    http_client=httpx.Client(),
)
openai_client = openai.OpenAI(base_url="https://api.openai.com/v1", api_key="sk-placeholder", max_retries=0)
entra = openai.AzureOpenAI(
    azure_endpoint=ENDPOINT,
    azure_ad_token_provider=lambda: "any-token",
    api_version="2025-02-01-preview",
    max_retries=0,
)


@pytest.mark.parametrize(
    "client", [azure, azure_httpx, openai_client, entra], ids=["azure", "httpx", "openai", "entra"]
)
def test_module_level_clients_with_placeholder_keys_are_served(aoai_emulator: Any, client: Any) -> None:
    reply = client.chat.completions.create(model="gpt-4o", messages=HELLO, store=True)
    assert reply.model == "gpt-4o-2024-08-06"
    assert [c["id"] for c in aoai_emulator.stored_completions()] == [reply.id]


def test_async_module_level_client_with_a_placeholder_key_is_served(aoai_emulator: Any) -> None:
    async def ask() -> Any:
        return await azure_async.chat.completions.create(model="gpt-4o", messages=HELLO)

    assert asyncio.run(ask()).object == "chat.completion"


@pytest.mark.aoai_emulator(check_api_keys=True)
@pytest.mark.parametrize("client", [azure, azure_httpx, openai_client], ids=["azure", "httpx", "openai"])
def test_checking_keys_is_opt_in(aoai_emulator: Any, client: Any) -> None:
    with pytest.raises(openai.AuthenticationError) as refused:
        client.chat.completions.create(model="gpt-4o", messages=HELLO)
    assert refused.value.status_code == 401
    served = aoai_emulator.azure_client().chat.completions.create(model="gpt-4o", messages=HELLO)
    assert served.object == "chat.completion"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/openai/deployments/gpt-4o/chat/completions?api-version=2025-02-01-preview", {}),
        ("/openai/deployments/gpt-4o/chat/completions?api-version=2025-02-01-preview", {"api-key": ""}),
        ("/openai/deployments/gpt-4o/chat/completions?api-version=2025-02-01-preview", {"api-key": "  "}),
        ("/openai/v1/chat/completions", {"authorization": "Bearer "}),
        ("/v1/chat/completions", {}),
        ("/v1/chat/completions", {"authorization": "Bearer "}),
        ("/_emulator/state", {}),
    ],
)
def test_a_missing_or_empty_key_is_still_401(aoai_emulator: Any, path: str, headers: dict[str, str]) -> None:
    # The SDK refuses to build a client without a key, so these go as raw HTTP.
    host = "https://api.openai.com" if path.startswith("/v1") else ENDPOINT
    body = {"model": "gpt-4o", "messages": HELLO}
    with httpx.Client() as http:
        if path.startswith("/_emulator"):
            response = http.get(host + path, headers=headers)
        else:
            response = http.post(host + path, json=body, headers=headers)
    assert response.status_code == 401


def test_in_process_emulator_serves_any_key_unless_told_to_check() -> None:
    with InProcessEmulator() as emu, Interception(emu):
        assert azure.chat.completions.create(model="gpt-4o", messages=HELLO).object == "chat.completion"
    with InProcessEmulator(check_api_keys=True) as emu, Interception(emu):
        with pytest.raises(openai.AuthenticationError):
            azure.chat.completions.create(model="gpt-4o", messages=HELLO)
        assert emu.azure_client().chat.completions.create(model="gpt-4o", messages=HELLO).id


def test_the_live_server_always_checks_keys(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.aoai_emulator(check_api_keys=True)
        def test_checked(aoai_live_server):
            assert aoai_live_server.state()["stored_completions"]["count"] == 0

        @pytest.mark.aoai_emulator(check_api_keys=False)
        def test_unchecked(aoai_live_server):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the live server always checks keys*"])
