"""Deployments: a name that routes to a versioned model, with settings of its own."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Deployment:
    name: str
    model: str  # the base model name, e.g. "gpt-4o"
    version: str  # e.g. "2024-08-06"
    settings: Mapping[str, Any] = field(default_factory=dict)  # per-deployment behaviour (limits, faults)

    @property
    def model_name(self) -> str:
        """What responses report as `model`: the model with its version."""
        return f"{self.model}-{self.version}" if self.version else self.model

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "version": self.version,
            "settings": dict(self.settings),
        }


DEFAULT_DEPLOYMENTS: tuple[Deployment, ...] = (
    Deployment("gpt-4o", "gpt-4o", "2024-08-06"),
    Deployment("gpt-4o-mini", "gpt-4o-mini", "2024-07-18"),
    Deployment("gpt-4.1", "gpt-4.1", "2025-04-14"),
    Deployment("gpt-4.1-mini", "gpt-4.1-mini", "2025-04-14"),
    Deployment("gpt-4.1-nano", "gpt-4.1-nano", "2025-04-14"),
)


class DeploymentFileError(ValueError):
    pass


def parse_deployments(data: Any, source: str = "deployments") -> tuple[Deployment, ...]:
    """`{"deployments": [{"name", "model", "version"?, "settings"?}, ...]}` or the bare list."""
    items = data.get("deployments") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise DeploymentFileError(f'{source}: expected a list of deployments or {{"deployments": [...]}}')
    found: dict[str, Deployment] = {}
    for n, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item.get("name"):
            raise DeploymentFileError(f"{source}: deployment {n} needs a non-empty string 'name'")
        if not isinstance(item.get("model"), str) or not item.get("model"):
            raise DeploymentFileError(f"{source}: deployment '{item['name']}' needs a string 'model'")
        version = item.get("version", "")
        if not isinstance(version, str):
            raise DeploymentFileError(f"{source}: deployment '{item['name']}': 'version' must be a string")
        settings = item.get("settings", {})
        if not isinstance(settings, Mapping):
            raise DeploymentFileError(f"{source}: deployment '{item['name']}': 'settings' must be an object")
        if item["name"] in found:
            raise DeploymentFileError(f"{source}: deployment '{item['name']}' is declared twice")
        found[item["name"]] = Deployment(item["name"], item["model"], version, dict(settings))
    return tuple(found.values())


def load_deployments_file(path: str) -> tuple[Deployment, ...]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DeploymentFileError(f"cannot read deployments file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise DeploymentFileError(f"deployments file {path} is not valid JSON: {exc}") from None
    return parse_deployments(data, path)


class DeploymentRegistry:
    """Looks deployments up by name, and models by any of the names a user may give them."""

    def __init__(self, deployments: Iterable[Deployment]) -> None:
        self._by_name = {d.name: d for d in deployments}

    def all(self) -> list[Deployment]:
        return list(self._by_name.values())

    async def get(self, name: str) -> Deployment | None:
        return self._by_name.get(name)

    async def for_model(self, model: str) -> Deployment | None:
        """On /v1 the body's `model` may be a deployment name, a versioned model name or a base model."""
        if model in self._by_name:
            return self._by_name[model]
        for deployment in self._by_name.values():
            if model in (deployment.model_name, deployment.model):
                return deployment
        return None
