"""The Distill dialog's choices: the fine-tunable base models, as a name and its versions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# A model id ends with its version: a date (gpt-4o-mini-2024-07-18) or four digits (gpt-35-turbo-0125).
_VERSIONED = re.compile(r"(?P<name>.+?)-(?P<version>\d{4}-\d{2}-\d{2}|\d{4})")


def split_version(model_id: str) -> tuple[str, str]:
    found = _VERSIONED.fullmatch(model_id)
    return (found["name"], found["version"]) if found else (model_id, "")


def fine_tunable(models: Iterable[Any]) -> dict[str, list[str]]:
    """Base model name → its versions, in the order the models list gives them."""
    choices: dict[str, list[str]] = {}
    for model in models:
        capabilities = model.get("capabilities") or {}
        if not capabilities.get("fine_tune") or model.get("lifecycle_status") == "deprecated":
            continue
        name, version = split_version(str(model.get("id")))
        choices.setdefault(name, []).append(version)
    return choices


def model_id(name: str, version: str) -> str:
    return f"{name}-{version}" if version else name
