"""Frozen settings, from defaults, environment variables and CLI flags."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A well-known development key, as Azurite has one: documented, printed by `serve`, never a secret.
DEFAULT_API_KEY = "aoai-emulator-key"
GIB = 1024**3
# A JSON request body's size limit: room for a prompt that fills the largest context window (about a
# million tokens, 4 MB of text) several times over, with images sent inline.
DEFAULT_MAX_REQUEST_BYTES = 16 * 1024**2
# 2025-01-01T00:00:00Z: the default start of a manual clock.
DEFAULT_CLOCK_START = 1735689600.0


@dataclass(frozen=True)
class Settings:
    db_path: str | None = None  # None: an in-memory database
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    deployments_file: str | None = None
    deployments: Mapping[str, Any] | None = None  # inline override, same shape as the file
    scripts_file: str | None = None  # scripted answers loaded at start and on every reset
    store_quota_bytes: int = 10 * GIB
    max_file_bytes: int = 512 * 1024**2  # the largest file an upload or import may store
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES  # the largest JSON body a request may send
    clock_start: float | None = DEFAULT_CLOCK_START  # None: wall-clock time
    id_seed: int = 0
    lenient_api_version: bool = False
    fine_tuning_speed: float = 1.0  # simulated training runs this many times faster
    fine_tuning_concurrency: int = 1  # jobs that may train at once; the rest wait queued
    distill_files_downloadable: bool = False  # debugging: let distillation data be downloaded
    # False: any non-empty key or token is served (in-process emulators for tests: production clients
    # keep the placeholder keys they were built with); a missing or empty one is still 401.
    check_api_keys: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # What a served emulator lets in and reads (README: Security). Neither may change on reset.
    allowed_hosts: tuple[str, ...] = ()  # Host names served besides loopback ones; "*": any
    import_dir: str | None = None  # the only folder file:// imports may read; None: no file:// imports
    # The service's hard days (README: Testing failure), each off by default.
    default_capacity: int | None = None  # capacity units of a deployment that has no sku of its own
    faults: tuple[Mapping[str, Any], ...] = ()  # fault rules in force at start and after every reset
    key_roles: Mapping[str, str] = field(default_factory=dict)  # key -> contributor | user | reader
    latency: Mapping[str, Any] | None = None  # time to first token and tokens per second, every deployment
    extras: Mapping[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if "AOAI_EMULATOR_DB" in env:
            values["db_path"] = env["AOAI_EMULATOR_DB"] or None
        if env.get("AOAI_EMULATOR_API_KEYS"):
            values["api_keys"] = tuple(
                k.strip() for k in env["AOAI_EMULATOR_API_KEYS"].split(",") if k.strip()
            )
        if env.get("AOAI_EMULATOR_DEPLOYMENTS"):
            values["deployments_file"] = env["AOAI_EMULATOR_DEPLOYMENTS"]
        if env.get("AOAI_EMULATOR_SCRIPTS"):
            values["scripts_file"] = env["AOAI_EMULATOR_SCRIPTS"]
        if env.get("AOAI_EMULATOR_STORE_QUOTA_BYTES"):
            values["store_quota_bytes"] = int(env["AOAI_EMULATOR_STORE_QUOTA_BYTES"])
        if env.get("AOAI_EMULATOR_MAX_FILE_BYTES"):
            values["max_file_bytes"] = int(env["AOAI_EMULATOR_MAX_FILE_BYTES"])
        if env.get("AOAI_EMULATOR_MAX_REQUEST_BYTES"):
            values["max_request_bytes"] = int(env["AOAI_EMULATOR_MAX_REQUEST_BYTES"])
        if "AOAI_EMULATOR_CLOCK_START" in env:
            raw = env["AOAI_EMULATOR_CLOCK_START"]
            values["clock_start"] = None if raw in ("", "system") else float(raw)
        if env.get("AOAI_EMULATOR_LENIENT_API_VERSION"):
            values["lenient_api_version"] = env["AOAI_EMULATOR_LENIENT_API_VERSION"].lower() in (
                "1",
                "true",
                "yes",
            )
        if env.get("AOAI_EMULATOR_FINE_TUNING_SPEED"):
            values["fine_tuning_speed"] = float(env["AOAI_EMULATOR_FINE_TUNING_SPEED"])
        if env.get("AOAI_EMULATOR_FINE_TUNING_CONCURRENCY"):
            values["fine_tuning_concurrency"] = int(env["AOAI_EMULATOR_FINE_TUNING_CONCURRENCY"])
        if env.get("AOAI_EMULATOR_DISTILL_FILES_DOWNLOADABLE"):
            values["distill_files_downloadable"] = _truthy(env["AOAI_EMULATOR_DISTILL_FILES_DOWNLOADABLE"])
        if env.get("AOAI_EMULATOR_ALLOWED_HOSTS"):
            values["allowed_hosts"] = _listed(env["AOAI_EMULATOR_ALLOWED_HOSTS"])
        if env.get("AOAI_EMULATOR_IMPORT_DIR"):
            values["import_dir"] = env["AOAI_EMULATOR_IMPORT_DIR"]
        if env.get("AOAI_EMULATOR_DEFAULT_CAPACITY"):
            values["default_capacity"] = int(env["AOAI_EMULATOR_DEFAULT_CAPACITY"])
        values.update(overrides)
        return cls(**values)


def _listed(raw: str) -> tuple[str, ...]:
    """A comma-separated list, blanks dropped."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _truthy(raw: str) -> bool:
    return raw.lower() in ("1", "true", "yes")


def default_db_path() -> str:
    return str(Path.cwd() / "aoai-emulator.sqlite3")
