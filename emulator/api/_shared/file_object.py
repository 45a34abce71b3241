"""The file object, as the files API and legacy fine-tunes both show it: in the shape and status
vocabulary of the request's surface and api-version."""

from __future__ import annotations

from typing import Any

from emulator.http import versions
from emulator.http.routing import Call
from emulator.resource.files import StoredFile
from emulator.surfaces import Surface

A, O = Surface.AZURE, Surface.OPENAI


RESULTS = "fine-tune-results"


# How long a legacy upload reads `running` on the clock before it reads its outcome.
LEGACY_PROCESSING_SECONDS = 10


def is_legacy(call: Call) -> bool:
    return (
        call.surface is A
        and call.api_version is not None
        and versions.FEATURES["legacy_shapes"].available_in(call.api_version)
    )


def _legacy_done_at(stored: StoredFile) -> int:
    """When a legacy read first shows the outcome; files the service makes itself are born done."""
    return stored.created_at + (0 if stored.purpose == RESULTS else LEGACY_PROCESSING_SECONDS)


def legacy_status(stored: StoredFile, now: float, *, just_created: bool = False) -> str:
    if just_created and stored.purpose != RESULTS:
        return "notRunning"
    if now < _legacy_done_at(stored):
        return "running"
    return "succeeded" if stored.status == "processed" else "failed"


def render(stored: StoredFile, call: Call, *, just_created: bool = False) -> dict[str, Any]:
    """The file object in the shape and status vocabulary of the request's surface and api-version."""
    if is_legacy(call):
        status = legacy_status(stored, call.runtime.clock.now(), just_created=just_created)
        done = status in ("succeeded", "failed")
        body: dict[str, Any] = {
            "object": "file",
            "id": stored.id,
            "status": status,
            "created_at": stored.created_at,
            "updated_at": _legacy_done_at(stored) if done else stored.created_at,
            "bytes": stored.bytes,
            "purpose": stored.purpose,
            "filename": stored.filename,
        }
        if done and stored.statistics is not None:
            body["statistics"] = dict(stored.statistics)
        if status == "failed":
            body["error"] = {"code": "jsonlValidationFailed", "message": stored.status_details}
        return body
    status = "pending" if just_created and call.surface is not O else stored.status
    return {
        "object": "file",
        "id": stored.id,
        "bytes": stored.bytes,
        "created_at": stored.created_at,
        "expires_at": stored.expires_at,
        "filename": stored.filename,
        "purpose": stored.purpose,
        "status": status,
        "status_details": None if status == "pending" else stored.status_details,
    }
