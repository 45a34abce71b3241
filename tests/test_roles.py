"""Read-only and contributor principals: keys with roles, Entra-style tokens with a `roles` claim, a data
action per operation, and the service's 401 PermissionDenied."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from emulator.testing import InProcessEmulator, LiveEmulator, mint_token

HI = [{"role": "user", "content": "Hi"}]
API_VERSION = "2025-04-01-preview"
ACTIONS = "Microsoft.CognitiveServices/accounts/OpenAI/"
KEYS = {
    "api_keys": ("aoai-emulator-key", "reader-key", "user-key"),
    "key_roles": {"reader-key": "reader", "user-key": "user"},
}


def token_client(emulator: InProcessEmulator | LiveEmulator, token: str) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=emulator.endpoint,
        azure_ad_token=token,
        api_version=API_VERSION,
        http_client=emulator.http_client(),
        max_retries=0,
    )


def test_a_reader_token_reads_stored_completions_and_may_not_call_a_deployment(
    inprocess: InProcessEmulator,
) -> None:
    stored = inprocess.azure_client().chat.completions.create(model="gpt-4o", messages=HI, store=True)
    reader = token_client(inprocess, mint_token(["reader"], upn="ada@contoso.com"))
    assert [c.id for c in reader.chat.completions.list()] == [stored.id]
    assert reader.chat.completions.retrieve(stored.id).id == stored.id
    with pytest.raises(openai.AuthenticationError) as denied:
        reader.chat.completions.create(model="gpt-4o", messages=HI)
    assert denied.value.status_code == 401
    assert denied.value.body == {
        "code": "PermissionDenied",
        "message": "The principal `ada@contoso.com` lacks the required data action "
        f"`{ACTIONS}deployments/chat/completions/action` to perform "
        "`POST /openai/deployments/{deployment-id}/chat/completions` operation.",
    }
    with pytest.raises(openai.AuthenticationError) as delete:
        reader.chat.completions.delete(stored.id)
    assert f"`{ACTIONS}stored-completions/delete`" in delete.value.body["message"]


def test_token_roles_by_built_in_name_and_the_principal_s_oid(inprocess: InProcessEmulator) -> None:
    contributor = token_client(inprocess, mint_token(["Cognitive Services OpenAI Contributor"]))
    made = contributor.chat.completions.create(model="gpt-4o", messages=HI, store=True)
    assert contributor.chat.completions.delete(made.id).deleted
    user = token_client(inprocess, mint_token(["Cognitive Services OpenAI User"], oid="1234-oid"))
    assert user.chat.completions.create(model="gpt-4o", messages=HI, store=True).id
    with pytest.raises(openai.AuthenticationError) as upload:
        user.files.create(file=("a.jsonl", b"{}\n"), purpose="fine-tune")
    assert upload.value.body["message"].startswith(
        f"The principal `1234-oid` lacks the required data action `{ACTIONS}files/write`"
    )
    assert user.files.list().data == []
    nobody = token_client(inprocess, mint_token([]))
    with pytest.raises(openai.AuthenticationError):
        nobody.models.list()


@pytest.mark.settings(**KEYS)
def test_key_roles_apply_on_every_surface(inprocess: InProcessEmulator) -> None:
    made = inprocess.azure_client().chat.completions.create(model="gpt-4o", messages=HI, store=True)
    user = inprocess.azure_client(api_key="user-key")
    assert user.chat.completions.create(model="gpt-4o", messages=HI, store=True).id  # calls and stores
    with pytest.raises(openai.AuthenticationError) as update:
        user.chat.completions.update(made.id, metadata={"k": "v"})
    assert update.value.body["message"] == (
        f"The principal `user-key` lacks the required data action `{ACTIONS}stored-completions/write` to "
        "perform `POST /openai/chat/completions/{completion_id}` operation."
    )
    reader = inprocess.openai_client(api_key="reader-key")
    assert reader.chat.completions.retrieve(made.id).id == made.id
    with pytest.raises(openai.AuthenticationError) as denied:
        reader.chat.completions.create(model="gpt-4o", messages=HI)
    assert denied.value.body["code"] is None
    assert denied.value.body["message"].startswith(
        "You have insufficient permissions for this operation. Missing scopes: model.request."
    )
    # The emulator's own routes take any accepted key.
    assert inprocess.control.call("GET", "/_emulator/state")


@pytest.mark.settings(api_keys=("aoai-emulator-key", "user-key"), key_roles={"user-key": "user"})
def test_storing_needs_its_own_action_a_reader_has_not(inprocess: InProcessEmulator) -> None:
    inprocess.reset(key_roles={"user-key": "reader"})
    reader = inprocess.azure_client(api_key="user-key")
    with pytest.raises(openai.AuthenticationError) as denied:
        reader.chat.completions.create(model="gpt-4o", messages=HI, store=True)
    assert "deployments/chat/completions/action" in denied.value.body["message"]
    inprocess.reset(key_roles={})
    assert reader.chat.completions.create(model="gpt-4o", messages=HI, store=True).id  # a contributor again


def test_without_roles_configured_every_key_is_a_contributor(emulator: Any) -> None:
    client = emulator.azure_client()
    made = client.chat.completions.create(model="gpt-4o", messages=HI, store=True)
    assert client.chat.completions.delete(made.id).deleted


@pytest.mark.aoai_emulator(key_roles={"read-only": "reader"})
def test_the_plugin_setting_gives_a_key_its_role(aoai_emulator: Any) -> None:
    production = openai.AzureOpenAI(
        azure_endpoint="https://contoso.openai.azure.com", api_key="read-only", api_version=API_VERSION
    )
    with pytest.raises(openai.AuthenticationError):
        production.chat.completions.create(model="gpt-4o", messages=HI)
    assert production.chat.completions.list().data == []


def test_serve_api_key_with_a_role() -> None:
    with LiveEmulator(extra_args=("--api-key", "reader-key:reader")) as server:
        contributor = server.azure_client()
        made = contributor.chat.completions.create(model="gpt-4o", messages=HI, store=True)
        reader = server.azure_client(api_key="reader-key")
        assert reader.chat.completions.retrieve(made.id).id == made.id
        with pytest.raises(openai.AuthenticationError) as denied:
            reader.chat.completions.create(model="gpt-4o", messages=HI)
        assert denied.value.body["code"] == "PermissionDenied"
        assert "`rea***-key`" in denied.value.body["message"]  # a key is named by its hint


def test_serve_refuses_an_unknown_role() -> None:
    from emulator.cli.main import main

    assert main(["serve", "--api-key", "k:admin", "--port", "1"]) == 2


@pytest.mark.settings(**KEYS)
def test_a_user_reads_all_but_stored_completions_and_works_with_responses(
    inprocess: InProcessEmulator,
) -> None:
    made = inprocess.azure_client().chat.completions.create(model="gpt-4o", messages=HI, store=True)
    user = inprocess.openai_client(api_key="user-key")
    with pytest.raises(openai.AuthenticationError) as denied:
        user.chat.completions.retrieve(made.id)  # the built-in User role withholds stored-completions/read
    assert "Missing scopes: api.stored-completions.read." in denied.value.body["message"]
    azure_user = inprocess.azure_client(api_key="user-key")
    with pytest.raises(openai.AuthenticationError) as listing:
        azure_user.chat.completions.list()
    assert f"`{ACTIONS}stored-completions/read`" in listing.value.body["message"]
    answered = user.responses.create(model="gpt-4o", input="Hi")
    assert user.responses.retrieve(answered.id).id == answered.id
    assert [item.type for item in user.responses.input_items.list(answered.id)] == ["message"]
    with pytest.raises(openai.AuthenticationError):
        user.responses.delete(answered.id)


def test_every_service_operation_declares_its_data_action() -> None:
    from emulator.api.registry import OPERATIONS

    undeclared = [op.name for op in OPERATIONS if op.action is None and not (op.extension or op.public)]
    assert undeclared == []
    areas = {op.action.split("/")[0] for op in OPERATIONS if op.action}
    assert areas == {
        "deployments",
        "stored-completions",
        "responses",
        "files",
        "fine-tunes",
        "evals",
        "models",
    }
