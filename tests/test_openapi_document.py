"""GET /_emulator/openapi.json: the emulator's own document lists every route it serves, extensions marked."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from starlette.routing import Route

from emulator.api.registry import FEATURES
from emulator.app import all_operations, create_app
from emulator.http import versions


def fetch(emulator: Any) -> dict[str, Any]:
    # Raw HTTP: the SDK has no call for the emulator's own routes. No key: the document is public.
    with emulator.http_client() as http:
        response = http.get("/_emulator/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return dict(response.json())


def test_every_served_route_is_in_the_document(emulator: Any) -> None:
    document = fetch(emulator)
    assert document["openapi"] == "3.1.0"
    served = {
        (method.lower(), re.sub(r"{(\w+):\w+}", r"{\1}", route.path))
        for route in create_app().routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == served


def test_operations_are_named_and_extensions_marked(emulator: Any) -> None:
    document = fetch(emulator)
    entries = [(path, op) for path, item in document["paths"].items() for op in item.values()]
    ids = [op["operationId"] for _, op in entries]
    assert len(ids) == len(set(ids))
    extensions = {op["operationId"] for path, op in entries if op.get("x-emulator-extension")}
    assert extensions == {op.name for op in all_operations() if op.extension}
    for path, op in entries:
        assert op.get("x-emulator-extension", False) == (not path.startswith(("/openai", "/v1")))
        declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path


def test_azure_dated_routes_document_api_version_and_feature(emulator: Any) -> None:
    document = fetch(emulator)
    retrieve = document["paths"]["/openai/chat/completions/{completion_id}"]["get"]
    [api_version] = [p for p in retrieve["parameters"] if p["name"] == "api-version"]
    assert api_version["required"] is True
    assert api_version["schema"]["enum"] == list(versions.KNOWN_VERSIONS)
    assert retrieve["x-emulator-feature"]["first_preview"] == "2025-02-01-preview"
    assert retrieve["security"] == [{"apiKey": []}, {"bearer": []}]
    on_openai = document["paths"]["/v1/chat/completions/{completion_id}"]["get"]
    assert "x-emulator-feature" not in on_openai
    assert on_openai["security"] == [{"bearer": []}]
    assert document["paths"]["/health"]["get"]["security"] == []


def test_every_operation_documents_its_body_and_successful_answers(emulator: Any) -> None:
    document = fetch(emulator)
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, op in item.items():
            successes = [status for status in op["responses"] if status.startswith("2")]
            if op["operationId"].startswith("misplaced_completion"):
                assert successes == [], path  # always a 404 naming the right paths
                continue
            assert successes, f"{method} {path}"
            for status in successes:
                for content in op["responses"][status].get("content", {}).values():
                    jsonschema.Draft202012Validator.check_schema(content["schema"])
            body = op.get("requestBody")
            if body is None and method in ("post", "patch"):  # these take no body
                assert path.endswith(("/cancel", "/pause", "/resume", "/settle", "/runs/{run_id}")), path
            for content in (body or {}).get("content", {}).values():
                jsonschema.Draft202012Validator.check_schema(content["schema"])
    assert set(schemas) >= {"Error", "ChatCompletionRequest", "Message", "SeedStoredCompletions"}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_request_bodies_come_from_the_request_models_and_uploads_are_multipart(emulator: Any) -> None:
    document = fetch(emulator)
    create = document["paths"]["/v1/chat/completions"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChatCompletionRequest"
    }
    model = document["components"]["schemas"]["ChatCompletionRequest"]
    assert model["required"] == ["messages"]
    assert model["additionalProperties"] is False
    assert model["properties"]["n"]["anyOf"][0] == {"type": "integer", "minimum": 1, "maximum": 128}
    upload = document["paths"]["/openai/v1/files"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["file", "purpose"]
    answers = create["responses"]["200"]["content"]
    assert set(answers) == {"application/json", "text/event-stream"}
    assert answers["application/json"]["schema"]["properties"]["object"] == {"const": "chat.completion"}
    assert "201" in document["paths"]["/openai/evals"]["post"]["responses"]
    assert (
        "content"
        not in document["paths"]["/openai/deployments/{deployment_id}"]["delete"]["responses"]["204"]
    )


def test_a_real_answer_matches_its_documented_shape(emulator: Any) -> None:
    document = fetch(emulator)
    completion = emulator.openai_client().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Hello"}], store=True
    )
    stored = emulator.openai_client().chat.completions.retrieve(completion.id)
    answer = document["paths"]["/v1/chat/completions/{completion_id}"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    jsonschema.validate(stored.model_dump(mode="json"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"object": "list", "data": []}, schema)


def test_each_features_docs_name_every_one_of_its_operations_and_no_other() -> None:
    for feature in FEATURES:
        names = {op.name for op in feature.operations}
        assert set(feature.docs.responses) == names
        assert set(feature.docs.requests) <= names
        assert set(feature.docs.queries) <= names
