"""What the Responses tests share: SDK clients on each surface at an api-version that has the API."""

from __future__ import annotations

from typing import Any

from tests.surfaces import async_client, client

RESPONSES_API_VERSION = "2025-03-01-preview"  # the first Azure dated version with /responses
QUESTION = (
    "Ensemble methods combine several models into a more robust predictor. Explain how bagging and "
    "boosting differ, and when each one helps."
)


def sdk(emulator: Any, surface: str, **kwargs: Any) -> Any:
    return client(emulator, surface, api_version=RESPONSES_API_VERSION, **kwargs)


def async_sdk(emulator: Any, surface: str) -> Any:
    return async_client(emulator, surface, api_version=RESPONSES_API_VERSION)


def error_of(exc: Any) -> dict[str, Any]:
    """The error object of an SDK status error's body, on every surface."""
    body = exc.body
    return dict(body.get("error", body) if isinstance(body, dict) else {})
