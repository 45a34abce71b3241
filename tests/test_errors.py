"""Errors in each surface's envelope: auth, api-version, routes, request validation, list parameters.

Raw HTTP where the SDK cannot send the request (no key, bad JSON, unknown routes), the SDK elsewhere.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.surfaces import (
    HELLO,
    MODEL,
    STORED_API_VERSION,
    SURFACES,
    client,
    create_path,
    headers,
    stored_path,
)

AZURE_MISSING_KEY = {
    "error": {
        "code": "401",
        "message": "Access denied due to missing subscription key. Make sure to include subscription key "
        "when making requests to an API.",
    }
}
AZURE_WRONG_KEY = {
    "error": {
        "code": "401",
        "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
        "a valid key for an active subscription and use a correct regional API endpoint for your resource.",
    }
}
RESOURCE_NOT_FOUND = {"error": {"code": "404", "message": "Resource not found"}}


def send(emulator: Any, method: str, path: str, **kwargs: Any) -> Any:
    with emulator.http_client() as http:
        return http.request(method, path, **kwargs)


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    return dict(body["error"])


def post_chat(emulator: Any, surface: str, body: Any, **kwargs: Any) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return send(
        emulator,
        "POST",
        create_path(surface, **kwargs),
        headers={**headers(emulator, surface), "content-type": "application/json"},
        content=content,
    )


# --- authentication -------------------------------------------------------------------------------------

AZURE_PATHS = [
    create_path("azure"),
    stored_path("azure"),
    create_path("azure_v1"),
    stored_path("azure_v1"),
]


@pytest.mark.parametrize("path", AZURE_PATHS)
def test_azure_without_a_key_is_401(emulator: Any, path: str) -> None:
    method = "POST" if "deployments" in path or path.startswith("/openai/v1") else "GET"
    response = send(emulator, method, path, json={"model": MODEL, "messages": HELLO})
    assert response.status_code == 401
    assert response.json() == AZURE_MISSING_KEY
    assert response.headers["apim-request-id"]


@pytest.mark.parametrize("path", AZURE_PATHS)
def test_azure_with_a_wrong_key_is_401(emulator: Any, path: str) -> None:
    response = send(emulator, "GET", path, headers={"api-key": "not-the-key"})
    assert response.status_code == 401
    assert response.json() == AZURE_WRONG_KEY


def test_openai_without_a_key_is_401(emulator: Any) -> None:
    for extra in ({}, {"api-key": emulator.key}, {"authorization": f"Basic {emulator.key}"}):
        error = error_of(send(emulator, "GET", "/v1/chat/completions", headers=extra), 401)
        assert error["message"].startswith(
            "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)"
        )
        assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, None)


def test_openai_with_a_wrong_key_is_401(emulator: Any) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        emulator.openai_client(api_key="sk-wrong-key-1234").chat.completions.list()
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.type == "invalid_request_error"
    assert caught.value.body["message"].startswith("Incorrect API key provided: ")
    assert "sk-wrong-key-1234" not in caught.value.body["message"]


def test_azure_sdk_with_a_wrong_key_raises_authentication_error(emulator: Any) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        emulator.azure_client(api_key="wrong").chat.completions.create(model=MODEL, messages=HELLO)
    assert caught.value.body == AZURE_WRONG_KEY["error"]


def test_bearer_token_is_accepted_on_azure(emulator: Any) -> None:
    sdk = emulator.azure_client(api_version=STORED_API_VERSION, api_key=None, azure_ad_token="entra-token")
    created = sdk.chat.completions.create(model=MODEL, messages=HELLO, store=True)
    assert sdk.chat.completions.retrieve(created.id).id == created.id
    response = send(
        emulator, "GET", stored_path("azure"), headers={"authorization": "Bearer any-entra-token"}
    )
    assert response.status_code == 200


def test_a_token_is_not_a_key_on_openai(emulator: Any) -> None:
    with pytest.raises(openai.AuthenticationError):
        emulator.openai_client(api_key="entra-token").chat.completions.list()


def test_the_openai_client_key_works_on_azure_v1(emulator: Any) -> None:
    sdk = client(emulator, "azure_v1")
    assert sdk.chat.completions.create(model=MODEL, messages=HELLO).model


@pytest.mark.parametrize(
    "path,surface_body",
    [
        ("/openai/no/such/route?api-version=2025-02-01-preview", AZURE_MISSING_KEY),
        ("/openai/deployments/gpt-4o/chat/completions", AZURE_MISSING_KEY),
        ("/openai/chat/completions?api-version=1999-01-01", AZURE_MISSING_KEY),
        ("/openai/v1/no/such/route", AZURE_MISSING_KEY),
    ],
)
def test_auth_is_checked_before_routing_and_api_version(
    emulator: Any, path: str, surface_body: dict[str, Any]
) -> None:
    response = send(emulator, "GET", path)
    assert response.status_code == 401
    assert response.json() == surface_body


def test_auth_is_checked_before_routing_on_openai(emulator: Any) -> None:
    error = error_of(send(emulator, "GET", "/v1/no/such/route"), 401)
    assert error["code"] is None
    error = error_of(send(emulator, "PUT", "/v1/chat/completions"), 401)
    assert error["type"] == "invalid_request_error"


# --- api-version ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/openai/deployments/gpt-4o/chat/completions"),
        ("GET", "/openai/deployments/gpt-4o/chat/completions"),
        ("GET", "/openai/chat/completions"),
        ("GET", "/openai/chat/completions/chatcmpl-x/messages"),
        ("DELETE", "/openai/chat/completions/chatcmpl-x"),
    ],
)
def test_missing_api_version_is_404(emulator: Any, method: str, path: str) -> None:
    response = send(emulator, method, path, headers={"api-key": emulator.key}, json={"messages": HELLO})
    assert response.status_code == 404
    assert response.json() == RESOURCE_NOT_FOUND
    empty = send(emulator, "GET", "/openai/chat/completions?api-version=", headers={"api-key": emulator.key})
    assert empty.json() == RESOURCE_NOT_FOUND


@pytest.mark.parametrize("version", ["2099-01-01", "2025-13-45-preview", "banana", "2023-01-01", "v1"])
def test_unknown_api_version_is_400(emulator: Any, version: str) -> None:
    response = send(
        emulator,
        "GET",
        f"/openai/chat/completions?api-version={version}",
        headers={"api-key": emulator.key},
    )
    error = error_of(response, 400)
    assert error["code"] == "BadRequest"
    assert error["message"].startswith("API version not supported")
    assert set(error) == {"code", "message"}


def test_sdk_sees_unknown_api_version_as_bad_request(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        emulator.azure_client(api_version="2099-01-01").chat.completions.create(model=MODEL, messages=HELLO)
    assert caught.value.code == "BadRequest"


@pytest.mark.parametrize("version", ["2024-10-21", "2024-10-01-preview", "2024-06-01"])
def test_stored_completions_routes_are_404_on_older_versions(emulator: Any, version: str) -> None:
    sdk = emulator.azure_client(api_version=version)
    for call in (
        sdk.chat.completions.list,
        lambda: sdk.chat.completions.retrieve("chatcmpl-x"),
        lambda: sdk.chat.completions.messages.list("chatcmpl-x"),
        lambda: sdk.chat.completions.update("chatcmpl-x", metadata={}),
        lambda: sdk.chat.completions.delete("chatcmpl-x"),
    ):
        with pytest.raises(openai.NotFoundError) as caught:
            call()
        assert caught.value.body == RESOURCE_NOT_FOUND["error"]


@pytest.mark.parametrize("field", ["store", "metadata"])
@pytest.mark.parametrize("version", ["2024-10-21", "2024-06-01", "2024-09-01-preview"])
def test_store_fields_are_unrecognized_on_older_versions(emulator: Any, version: str, field: str) -> None:
    body = {"model": MODEL, "messages": HELLO, field: True if field == "store" else {"a": "b"}}
    response = post_chat(emulator, "azure", body, api_version=version)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": f"Unrecognized request argument supplied: {field}",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    assert post_chat(emulator, "azure", {"model": MODEL, "messages": HELLO}, api_version=version).is_success


def test_store_works_from_2024_10_01_preview(emulator: Any) -> None:
    sdk = emulator.azure_client(api_version="2024-10-01-preview")
    created = sdk.chat.completions.create(model=MODEL, messages=HELLO, store=True, metadata={"v": "old"})
    newer = emulator.azure_client(api_version=STORED_API_VERSION)
    assert newer.chat.completions.retrieve(created.id).metadata == {"v": "old"}


def test_strict_api_version_rejects_a_newer_version(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError):
        emulator.azure_client(api_version="2030-01-01-preview").chat.completions.list()


@pytest.mark.settings(lenient_api_version=True)
def test_lenient_api_version_accepts_a_newer_version(emulator: Any) -> None:
    sdk = emulator.azure_client(api_version="2030-01-01-preview")
    created = sdk.chat.completions.create(model=MODEL, messages=HELLO, store=True)
    assert [c.id for c in sdk.chat.completions.list()] == [created.id]
    # Still strict about what is not newer, and about what is not a version at all.
    for version in ("2023-01-01", "banana"):
        with pytest.raises(openai.BadRequestError):
            emulator.azure_client(api_version=version).chat.completions.list()


@pytest.mark.settings(lenient_api_version=True)
def test_a_lenient_newer_stable_version_has_every_feature_of_the_newest_known(emulator: Any) -> None:
    sdk = emulator.azure_client(api_version="2030-01-01")
    created = sdk.chat.completions.create(model=MODEL, messages=HELLO, store=True, metadata={"a": "b"})
    assert sdk.chat.completions.retrieve(created.id).metadata == {"a": "b"}


@pytest.mark.parametrize("version", ["v1", "preview"])
def test_azure_v1_accepts_its_own_versions(emulator: Any, version: str) -> None:
    response = send(
        emulator,
        "GET",
        f"/openai/v1/chat/completions?api-version={version}",
        headers=headers(emulator, "azure_v1"),
    )
    assert response.status_code == 200


def test_azure_v1_rejects_a_dated_version(emulator: Any) -> None:
    response = send(
        emulator,
        "GET",
        f"/openai/v1/chat/completions?api-version={STORED_API_VERSION}",
        headers=headers(emulator, "azure_v1"),
    )
    error = error_of(response, 400)
    assert error["code"] == "BadRequest" and "'v1'" in error["message"]


# --- unknown routes and methods -------------------------------------------------------------------------


def test_unknown_route_is_404_in_each_envelope(emulator: Any) -> None:
    azure = send(
        emulator,
        "GET",
        "/openai/no/such/thing?api-version=2025-02-01-preview",
        headers=headers(emulator, "azure"),
    )
    assert azure.status_code == 404 and azure.json() == RESOURCE_NOT_FOUND
    v1 = error_of(
        send(emulator, "GET", "/openai/v1/no/such/thing", headers=headers(emulator, "azure_v1")), 404
    )
    assert v1["code"] == "404" and "/openai/v1/no/such/thing" in v1["message"]
    oai = error_of(send(emulator, "GET", "/v1/no/such/thing", headers=headers(emulator, "openai")), 404)
    assert oai == {
        "message": "Invalid URL (GET /v1/no/such/thing)",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_unknown_route_through_the_sdk_is_not_found(emulator: Any) -> None:
    for surface in SURFACES:
        with pytest.raises(openai.NotFoundError):
            client(emulator, surface).get("/no/such/thing", cast_to=object)


@pytest.mark.parametrize("surface", SURFACES)
def test_wrong_method_is_405(emulator: Any, surface: str) -> None:
    response = send(emulator, "PUT", stored_path(surface), headers=headers(emulator, surface))
    error = error_of(response, 405)
    assert "PUT" in error["message"] and "GET" in error["message"]
    assert "GET" in response.headers["allow"]
    if surface == "openai":
        assert (error["type"], error["code"], error["param"]) == (
            "invalid_request_error",
            "method_not_allowed",
            None,
        )
    else:
        assert error["code"] == "methodNotAllowed"
    one = send(emulator, "PATCH", stored_path(surface, "/chatcmpl-x"), headers=headers(emulator, surface))
    assert one.status_code == 405
    assert set(one.headers["allow"].split(", ")) == {"DELETE", "GET", "POST"}


@pytest.mark.parametrize("surface", SURFACES)
def test_trailing_slash_is_404_not_a_redirect(emulator: Any, surface: str) -> None:
    path = stored_path(surface).replace("/chat/completions", "/chat/completions/")
    response = send(emulator, "GET", path, headers=headers(emulator, surface))
    assert response.status_code == 404
    assert "location" not in response.headers
    create = create_path(surface).replace("/chat/completions", "/chat/completions/")
    response = send(emulator, "POST", create, headers=headers(emulator, surface), json={"messages": HELLO})
    assert response.status_code == 404


# --- request validation ---------------------------------------------------------------------------------

BAD_BODIES: list[tuple[str, Any, str | None]] = [
    ("invalid json", b'{"model": "gpt-4o", "messages": [', None),
    (
        "NaN is not JSON",
        b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "top_p": NaN}',
        None,
    ),
    (
        "Infinity is not JSON",
        b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "seed": -Infinity}',
        None,
    ),
    ("empty body", b"", None),
    ("not an object", b"[1, 2]", None),
    (
        "a seed beyond 64 bits, read as the integer it is",
        b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "seed": 123456789012345678901234567890}',
        "seed",
    ),
    (
        "half a surrogate pair",
        b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "\\ud800"}]}',
        None,
    ),
    ("no messages", {"model": MODEL}, "messages"),
    ("empty messages", {"model": MODEL, "messages": []}, "messages"),
    ("messages not a list", {"model": MODEL, "messages": "hello"}, "messages"),
    ("message not an object", {"model": MODEL, "messages": ["hello"]}, "messages[0]"),
    ("bad role", {"model": MODEL, "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
    (
        "bad role later",
        {"model": MODEL, "messages": [{"role": "user", "content": "x"}, {"role": "admin", "content": "y"}]},
        "messages[1].role",
    ),
    ("missing role", {"model": MODEL, "messages": [{"content": "x"}]}, "messages[0].role"),
    ("missing content", {"model": MODEL, "messages": [{"role": "user"}]}, "messages[0].content"),
    (
        "content a number",
        {"model": MODEL, "messages": [{"role": "user", "content": 5}]},
        "messages[0].content",
    ),
    (
        "content part without text",
        {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "text"}]}]},
        "messages[0].content[0]",
    ),
    (
        "content part of unknown type",
        {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "video", "text": "x"}]}]},
        "messages[0].content[0].type",
    ),
    (
        "tool message without tool_call_id",
        {"model": MODEL, "messages": [{"role": "tool", "content": "x"}]},
        "messages[0].tool_call_id",
    ),
    ("temperature a string", {"model": MODEL, "messages": HELLO, "temperature": "warm"}, "temperature"),
    ("temperature too high", {"model": MODEL, "messages": HELLO, "temperature": 2.5}, "temperature"),
    ("top_p too high", {"model": MODEL, "messages": HELLO, "top_p": 1.5}, "top_p"),
    ("n zero", {"model": MODEL, "messages": HELLO, "n": 0}, "n"),
    ("n a float", {"model": MODEL, "messages": HELLO, "n": 1.5}, "n"),
    ("max_tokens a string", {"model": MODEL, "messages": HELLO, "max_tokens": "10"}, "max_tokens"),
    (
        "max_completion_tokens zero",
        {"model": MODEL, "messages": HELLO, "max_completion_tokens": 0},
        "max_completion_tokens",
    ),
    ("seed beyond int64", {"model": MODEL, "messages": HELLO, "seed": 2**64}, "seed"),
    ("stop a number", {"model": MODEL, "messages": HELLO, "stop": 7}, "stop"),
    ("five stops", {"model": MODEL, "messages": HELLO, "stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ("stop list of numbers", {"model": MODEL, "messages": HELLO, "stop": [1]}, "stop[0]"),
    ("store a string", {"model": MODEL, "messages": HELLO, "store": "yes"}, "store"),
    ("stream a string", {"model": MODEL, "messages": HELLO, "stream": "yes"}, "stream"),
    (
        "include_usage a string",
        {"model": MODEL, "messages": HELLO, "stream": True, "stream_options": {"include_usage": "y"}},
        "stream_options.include_usage",
    ),
    (
        "stream_options without stream",
        {"model": MODEL, "messages": HELLO, "stream_options": {"include_usage": True}},
        "stream_options",
    ),
    (
        "empty content array",
        {"model": MODEL, "messages": [{"role": "user", "content": []}]},
        "messages[0].content",
    ),
    ("top_logprobs without logprobs", {"model": MODEL, "messages": HELLO, "top_logprobs": 2}, "top_logprobs"),
    ("metadata a list", {"model": MODEL, "messages": HELLO, "metadata": ["a"]}, "metadata"),
    ("metadata value a number", {"model": MODEL, "messages": HELLO, "metadata": {"a": 1}}, "metadata"),
    ("model a number", {"model": 4, "messages": HELLO}, "model"),
]


@pytest.mark.parametrize("surface", SURFACES)
def test_bad_request_bodies_are_400_with_param(emulator: Any, surface: str) -> None:
    for name, body, param in BAD_BODIES:
        response = post_chat(emulator, surface, body)
        error = error_of(response, 400)
        assert error["param"] == param, (name, error)
        assert error["type"] == "invalid_request_error", name
        assert error["message"], name
        if param is not None:
            assert param.split("[")[0].split(".")[0] in error["message"], (name, error)
            assert error["code"] in (
                "invalid_value",
                "invalid_type",
                "missing_required_parameter",
                "empty_array",
                "integer_below_min_value",
                "integer_above_max_value",
                "decimal_above_max_value",
            ), (name, error)


def test_an_integer_beyond_64_bits_is_read_as_an_integer(emulator: Any) -> None:
    """Too large, not the wrong type: the body is read as Python's json reads it, not as a float."""
    body = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "seed": 123456789012345678901234567890}'
    error = error_of(post_chat(emulator, "openai", body), 400)
    assert (error["param"], error["code"]) == ("seed", "integer_above_max_value"), error


def test_validation_error_messages_say_what_to_send(emulator: Any) -> None:
    def message(body: Any) -> str:
        return str(error_of(post_chat(emulator, "openai", body), 400)["message"])

    assert message({"model": MODEL, "messages": []}) == (
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."
    )
    role = message({"model": MODEL, "messages": [{"role": "robot", "content": "x"}]})
    assert "'messages[0].role'" in role and "'user'" in role and "'developer'" in role
    assert message({"model": MODEL, "messages": HELLO, "temperature": "warm"}) == (
        "Invalid type for 'temperature': expected a number, but got a string instead."
    )
    assert message({"model": MODEL, "messages": [{"role": "user", "content": 5}]}) == (
        "Invalid type for 'messages[0].content': expected a string or an array, but got an integer instead."
    )


def test_missing_model_on_openai_and_azure_v1(emulator: Any) -> None:
    for surface in ("openai", "azure_v1"):
        error = error_of(post_chat(emulator, surface, {"messages": HELLO}), 400)
        assert (error["param"], error["code"]) == ("model", "missing_required_parameter")
    assert post_chat(emulator, "azure", {"messages": HELLO}).status_code == 200


def test_unknown_field_is_unrecognized(emulator: Any) -> None:
    for surface in SURFACES:
        error = error_of(
            post_chat(emulator, surface, {"model": MODEL, "messages": HELLO, "colour": "red"}), 400
        )
        assert error["message"] == "Unrecognized request argument supplied: colour"


def test_sdk_raises_bad_request_with_param(emulator: Any) -> None:
    for surface in SURFACES:
        with pytest.raises(openai.BadRequestError) as caught:
            client(emulator, surface).chat.completions.create(
                model=MODEL,
                messages=[{"role": "robot", "content": "x"}],  # type: ignore[list-item]
            )
        assert caught.value.param == "messages[0].role"


def test_a_bad_store_request_stores_nothing(emulator: Any) -> None:
    post_chat(emulator, "openai", {"model": MODEL, "messages": HELLO, "store": True, "n": 0})
    assert client(emulator, "openai").chat.completions.list().data == []


# --- metadata limits ------------------------------------------------------------------------------------

OVER_LIMITS = [
    ({f"k{i}": "v" for i in range(17)}, "16"),
    ({"k" * 65: "v"}, "64"),
    ({"k": "v" * 513}, "512"),
]
AT_LIMITS = [{f"k{i}": "v" for i in range(16)}, {"k" * 64: "v"}, {"k": "v" * 512}]


@pytest.mark.parametrize("surface", SURFACES)
def test_metadata_over_the_limits_is_400_on_create(emulator: Any, surface: str) -> None:
    for metadata, limit in OVER_LIMITS:
        error = error_of(
            post_chat(
                emulator, surface, {"model": MODEL, "messages": HELLO, "store": True, "metadata": metadata}
            ),
            400,
        )
        assert error["param"] == "metadata"
        assert limit in error["message"]
    for metadata in AT_LIMITS:
        created = client(emulator, surface).chat.completions.create(
            model=MODEL, messages=HELLO, store=True, metadata=metadata
        )
        assert client(emulator, "openai").chat.completions.retrieve(created.id).metadata == metadata
    assert len(client(emulator, "openai").chat.completions.list().data) == len(AT_LIMITS)


@pytest.mark.parametrize("surface", SURFACES)
def test_metadata_over_the_limits_is_400_on_update(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface).chat.completions
    created = sdk.create(model=MODEL, messages=HELLO, store=True)
    for metadata, limit in OVER_LIMITS:
        with pytest.raises(openai.BadRequestError) as caught:
            sdk.update(created.id, metadata=metadata)
        assert caught.value.param == "metadata"
        assert limit in caught.value.message
    assert sdk.retrieve(created.id).metadata == {}


@pytest.mark.parametrize("surface", SURFACES)
def test_update_body_errors(emulator: Any, surface: str) -> None:
    created = client(emulator, "openai").chat.completions.create(model=MODEL, messages=HELLO, store=True)
    path = stored_path(surface, f"/{created.id}")
    auth = headers(emulator, surface)
    for body, param in (
        (b"{", None),
        (b'{"metadata": ["a"]}', "metadata"),
        (b'{"metadata": {"a": 1}}', "metadata"),
        (b'{"metadata": "a"}', "metadata"),
    ):
        error = error_of(send(emulator, "POST", path, headers=auth, content=body), 400)
        assert error.get("param") == param, (body, error)
        if surface == "azure" and param is not None:
            assert error["code"] == "invalidPayload"
    unknown = error_of(send(emulator, "POST", path, headers=auth, json={"metadata": {}, "name": "x"}), 400)
    assert "name" in unknown["message"]
    missing = send(emulator, "POST", path, headers=auth, json={})
    if surface == "openai":
        assert error_of(missing, 400)["param"] == "metadata"
    else:
        assert missing.status_code == 200


# --- list parameters ------------------------------------------------------------------------------------


def test_unknown_after_is_404_on_openai_and_an_empty_page_on_azure(emulator: Any) -> None:
    client(emulator, "openai").chat.completions.create(model=MODEL, messages=HELLO, store=True)
    with pytest.raises(openai.NotFoundError) as caught:
        client(emulator, "openai").chat.completions.list(after="chatcmpl-unknown")
    assert caught.value.param == "after"
    assert "chatcmpl-unknown" in caught.value.message
    for surface in ("azure", "azure_v1"):
        page = client(emulator, surface).chat.completions.list(after="chatcmpl-unknown")
        body = page.model_dump()
        assert (body["data"], body["has_more"], body["total"]) == ([], False, 1)  # total: every match


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(
    "query,param",
    [
        ("limit=0", "limit"),
        ("limit=-3", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("order=newest", "order"),
    ],
)
def test_bad_limit_or_order_is_400(emulator: Any, surface: str, query: str, param: str) -> None:
    created = client(emulator, "openai").chat.completions.create(model=MODEL, messages=HELLO, store=True)
    auth = headers(emulator, surface)
    for suffix in ("", f"/{created.id}/messages"):
        path = stored_path(surface, suffix)
        path += ("&" if "?" in path else "?") + query
        error = error_of(send(emulator, "GET", path, headers=auth), 400)
        assert error["param"] == param
        if surface == "azure":
            assert error["code"] == "invalidPayload"


def test_sdk_bad_order_is_bad_request(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "openai").chat.completions.list(order="sideways")  # type: ignore[arg-type]
    assert caught.value.param == "order"


def test_not_found_ids_in_each_envelope(emulator: Any) -> None:
    azure = error_of(
        send(emulator, "GET", stored_path("azure", "/chatcmpl-x"), headers=headers(emulator, "azure")), 404
    )
    assert azure["code"] == "notFound" and "chatcmpl-x" in azure["message"]
    oai = error_of(
        send(emulator, "GET", stored_path("openai", "/chatcmpl-x"), headers=headers(emulator, "openai")), 404
    )
    assert (oai["type"], oai["param"]) == ("invalid_request_error", "completion_id")
    assert "chatcmpl-x" in oai["message"]


def test_errors_carry_request_ids(emulator: Any) -> None:
    response = send(emulator, "GET", stored_path("azure", "/chatcmpl-x"), headers=headers(emulator, "azure"))
    assert response.headers["x-request-id"] == response.headers["apim-request-id"]
    with pytest.raises(openai.NotFoundError) as caught:
        client(emulator, "openai").chat.completions.retrieve("chatcmpl-x")
    assert caught.value.request_id


@pytest.mark.parametrize(
    "query, expected",
    [
        ("api-version=2025-02-01-preview", "2025-02-01-preview"),
        ("a=1&api-version=2024-10-21&b", "2024-10-21"),
        ("api-version=banana&api-version=2024-10-21", "2024-10-21"),
        ("api-version=2024%2D10%2D21", "2024-10-21"),
        ("api-version=", ""),
        ("api-version", ""),
        ("other=1", None),
        ("", None),
    ],
)
def test_api_version_is_read_from_the_query_as_starlette_reads_it(query: str, expected: str | None) -> None:
    from starlette.requests import Request

    from emulator.http.routing import _query_value

    request = Request({"type": "http", "query_string": query.encode(), "headers": []})
    assert _query_value(request, "api-version") == expected == request.query_params.get("api-version")
