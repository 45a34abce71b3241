"""GET /_emulator/openapi.json: the emulator's own document lists every route it serves, extensions marked."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from emulator import versions
from emulator.app import all_operations, create_app


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
