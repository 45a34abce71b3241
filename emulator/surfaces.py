"""The three URL surfaces the emulator serves, and how each shapes its errors."""

from __future__ import annotations

from enum import Enum


class Surface(str, Enum):
    AZURE = "azure"  # /openai/...?api-version=YYYY-MM-DD[-preview]
    AZURE_V1 = "azure_v1"  # /openai/v1/...
    OPENAI = "openai"  # /v1/...

    @property
    def is_azure(self) -> bool:
        return self is not Surface.OPENAI

    @property
    def prefix(self) -> str:
        return {Surface.AZURE: "/openai", Surface.AZURE_V1: "/openai/v1", Surface.OPENAI: "/v1"}[self]

    @classmethod
    def of_path(cls, path: str) -> Surface | None:
        if path == "/openai/v1" or path.startswith("/openai/v1/"):
            return cls.AZURE_V1
        if path == "/openai" or path.startswith("/openai/"):
            return cls.AZURE
        if path == "/v1" or path.startswith("/v1/"):
            return cls.OPENAI
        return None


class Family(str, Enum):
    """Azure answers inference routes with OpenAI-like errors and authoring routes with its own codes."""

    INFERENCE = "inference"
    AUTHORING = "authoring"
