"""The Stored Completions filters as the page's form holds them, and as each API reads them.

The form's text (`key=value, key=value`, a model, a created range in UTC) is checked here so that a
mistake is answered in words beside the form; the API checks the values again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

MAX_FILTER_CHARS = 2_000
MAX_PAIRS = 16  # the service's metadata holds at most 16 pairs
FORM_FIELDS = ("metadata", "model", "created_after", "created_before")


class FilterError(ValueError):
    """A filter the form cannot use, said in words."""


def parse_metadata(text: str) -> dict[str, str]:
    """`key=value, key=value` → a dict; blank → {}."""
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(f"The metadata filter is too long: at most {MAX_FILTER_CHARS} characters.")
    pairs: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, equals, value = part.partition("=")
        if not equals or not key.strip():
            raise FilterError(
                f"Metadata filter '{part.strip()}' is not key=value (for example task=summaries)."
            )
        pairs[key.strip()] = value.strip()
    if len(pairs) > MAX_PAIRS:
        raise FilterError(f"A metadata filter holds at most {MAX_PAIRS} key=value pairs.")
    return pairs


def format_metadata(metadata: Mapping[str, Any] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (metadata or {}).items())


def parse_time(text: str, label: str) -> int | None:
    """A `datetime-local` value (`2025-01-01T09:30`), read as UTC → Unix seconds."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text[:40])
    except ValueError:
        raise FilterError(
            f"{label} '{text[:40]}' is not a date and time (for example 2025-01-01T09:30)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp())


def format_time(seconds: int | float | None) -> str:
    if seconds is None:
        return ""
    return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Filters:
    """The form's text, and what it means once checked (`error` when it means nothing)."""

    text: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    model: str | None = None
    created_after: int | None = None
    created_before: int | None = None
    error: str | None = None

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> Filters:
        text = {name: str(form.get(name) or "")[:MAX_FILTER_CHARS] for name in FORM_FIELDS}
        try:
            return cls(
                text,
                parse_metadata(text["metadata"]),
                text["model"].strip() or None,
                parse_time(text["created_after"], "Created after"),
                parse_time(text["created_before"], "Created before"),
            )
        except FilterError as exc:
            return cls(text, error=str(exc))

    def list_params(self) -> list[tuple[str, str]]:
        """The stored-completions list's query: `metadata[key]=value`, `model`, the created range."""
        params = [(f"metadata[{k}]", v) for k, v in self.metadata.items()]
        if self.model:
            params.append(("model", self.model))
        if self.created_after is not None:
            params.append(("created_after", str(self.created_after)))
        if self.created_before is not None:
            params.append(("created_before", str(self.created_before)))
        return params

    def action_body(self, model_field: str) -> dict[str, Any]:
        """The filters as the Distill (`stored_model`) and Evaluate (`model`) extensions take them."""
        body: dict[str, Any] = {}
        if self.metadata:
            body["metadata"] = self.metadata
        if self.model:
            body[model_field] = self.model
        if self.created_after is not None:
            body["created_after"] = self.created_after
        if self.created_before is not None:
            body["created_before"] = self.created_before
        return body

    def query(self, **extra: str) -> str:
        """The form's text as a query string, for links that keep the filters."""
        kept = {k: v for k, v in self.text.items() if v}
        kept.update({k: v for k, v in extra.items() if v})
        return urlencode(kept)

    @property
    def described(self) -> str:
        parts = [f"metadata {format_metadata(self.metadata)}"] if self.metadata else []
        if self.model:
            parts.append(f"model {self.model}")
        if self.created_after is not None:
            parts.append(f"created from {format_time(self.created_after)}")
        if self.created_before is not None:
            parts.append(f"created before {format_time(self.created_before)}")
        return "; ".join(parts) or "no filter"
