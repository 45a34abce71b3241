"""Deployments: a name that routes to a versioned model, with settings of its own."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
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


# A deployment made through the legacy API is `notRunning` for its first tenth of READY_SECONDS, `running`
# until READY_SECONDS have passed since it started (its creation or its last update), then `succeeded`.
# The emulator's own route makes deployments with ready_seconds 0: `succeeded` at once.
READY_SECONDS = 60.0
LEGACY_OWNER = "organization-owner"


def deployment_status(started_at: float, ready_seconds: float, now: float) -> str:
    elapsed = now - started_at
    if elapsed >= ready_seconds:
        return "succeeded"
    return "running" if elapsed >= ready_seconds / 10 else "notRunning"


@dataclass(frozen=True)
class StoredDeployment:
    """A deployment made through the API (not declared by file or settings)."""

    name: str
    model: str
    version: str
    scale_settings: Mapping[str, Any]
    settings: Mapping[str, Any]
    created_at: int
    updated_at: int
    started_at: float
    ready_seconds: float

    def status(self, now: float) -> str:
        return deployment_status(self.started_at, self.ready_seconds, now)

    @property
    def deployment(self) -> Deployment:
        return Deployment(self.name, self.model, self.version, dict(self.settings))


class DeploymentRegistry:
    """Looks deployments up by name, and models by any of the names a user may give them.

    Declared deployments (file, settings) are fixed; stored ones (made through the API) are kept here as
    well as in the database, and route only once their status is `succeeded`."""

    def __init__(self, deployments: Iterable[Deployment], now: Callable[[], float] | None = None) -> None:
        self._declared = {d.name: d for d in deployments}
        self._stored: dict[str, StoredDeployment] = {}
        self._now = now or (lambda: float("inf"))
        # Held by whoever checks the rules and takes a place in one step (emulator/api/deployments/routes.py).
        self.lock = threading.Lock()

    def load(self, stored: Iterable[StoredDeployment]) -> None:
        self._stored = {d.name: d for d in stored}

    def all(self) -> list[Deployment]:
        return [*self._declared.values(), *(d.deployment for d in self._stored.values())]

    def declared(self, name: str) -> Deployment | None:
        return self._declared.get(name)

    def stored(self) -> list[StoredDeployment]:
        return list(self._stored.values())

    def stored_named(self, name: str) -> StoredDeployment | None:
        return self._stored.get(name)

    def put(self, deployment: StoredDeployment) -> None:
        self._stored[deployment.name] = deployment

    def drop(self, name: str) -> None:
        self._stored.pop(name, None)

    def _routable(self) -> dict[str, Deployment]:
        now = self._now()
        ready = {n: d.deployment for n, d in self._stored.items() if d.status(now) == "succeeded"}
        return {**self._declared, **ready}

    async def get(self, name: str) -> Deployment | None:
        stored = self._stored.get(name)
        if stored is not None and stored.status(self._now()) == "succeeded":
            return stored.deployment
        return self._declared.get(name)

    async def for_model(self, model: str) -> Deployment | None:
        """On /v1 the body's `model` may be a deployment name, a versioned model name or a base model."""
        named = await self.get(model)
        if named is not None:
            return named
        for deployment in self._routable().values():
            if model in (deployment.model_name, deployment.model):
                return deployment
        return None
