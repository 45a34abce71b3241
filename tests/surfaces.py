"""The three ways into the emulator, as SDK clients, and the checks every SDK-level test shares."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel

SURFACES = ("azure", "azure_v1", "openai")
STORED_API_VERSION = "2025-02-01-preview"
MODEL = "gpt-4o"
MODEL_NAME = "gpt-4o-2024-08-06"

# Seed 001's summarization request.
SUMMARY_MESSAGES: list[dict[str, str]] = [
    {
        "role": "system",
        "content": "Provide a clear and concise summary of the technical content, highlighting key concepts "
        "and their relationships. Focus on the main ideas and practical implications.",
    },
    {
        "role": "user",
        "content": "Ensemble methods combine multiple machine learning models to create a more robust and "
        "accurate predictor. Common techniques include bagging (training models on random subsets of data), "
        "boosting (sequentially training models to correct previous errors), and stacking (using a "
        "meta-model to combine base model predictions). Random Forests, a popular bagging method, create "
        "multiple decision trees using random feature subsets. Gradient Boosting builds trees sequentially, "
        "with each tree focusing on correcting the errors of previous trees. These methods often achieve "
        "better performance than single models by reducing overfitting and variance while capturing "
        "different aspects of the data.",
    },
]
HELLO: list[dict[str, str]] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Hello!"},
]

M = TypeVar("M", bound=BaseModel)


def client(emulator: Any, surface: str, api_version: str = STORED_API_VERSION, **kwargs: Any) -> Any:
    """A sync SDK client: AzureOpenAI on the dated surface, OpenAI on Azure v1 and on /v1."""
    if surface == "azure":
        return emulator.azure_client(api_version=api_version, **kwargs)
    if surface == "azure_v1":
        return emulator.openai_client(base_url=emulator.endpoint + "/openai/v1", **kwargs)
    return emulator.openai_client(**kwargs)


def async_client(emulator: Any, surface: str, api_version: str = STORED_API_VERSION) -> Any:
    if surface == "azure":
        return emulator.async_azure_client(api_version=api_version)
    if surface == "azure_v1":
        return emulator.async_openai_client(base_url=emulator.endpoint + "/openai/v1")
    return emulator.async_openai_client()


def validated(obj: M) -> M:
    """Re-validate what the SDK built without validation, with the SDK's own type; fail on any mismatch."""
    checked = type(obj).model_validate(json.loads(obj.model_dump_json()))
    assert checked.model_dump() == obj.model_dump()
    return checked


def headers(emulator: Any, surface: str) -> dict[str, str]:
    """Credentials for raw HTTP, as each surface's SDK client sends them."""
    if surface == "azure":
        return {"api-key": emulator.key}
    return {"authorization": f"Bearer {emulator.key}"}


def create_path(surface: str, deployment: str = MODEL, api_version: str = STORED_API_VERSION) -> str:
    if surface == "azure":
        return f"/openai/deployments/{deployment}/chat/completions?api-version={api_version}"
    return ("/openai/v1" if surface == "azure_v1" else "/v1") + "/chat/completions"


def stored_path(surface: str, suffix: str = "", api_version: str = STORED_API_VERSION) -> str:
    """The stored-completions collection (plus `suffix`, e.g. '/<id>/messages') on a surface."""
    prefix = {"azure": "/openai", "azure_v1": "/openai/v1", "openai": "/v1"}[surface]
    query = f"?api-version={api_version}" if surface == "azure" else ""
    return f"{prefix}/chat/completions{suffix}{query}"
