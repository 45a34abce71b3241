"""The eval-run request body: its data source checked and normalised into the echoed shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.errors import InvalidRequest
from emulator.evalruns import DEFAULT_SAMPLING
from emulator.model.checks import check_response_format, check_tools
from emulator.schemas.evals import as_object, fail, field_of, message, metadata, no_unknown

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DATA_SOURCE_TYPES = ("completions", "jsonl")
SOURCE_TYPES = {
    "completions": ("file_content", "file_id", "stored_completions"),
    "jsonl": ("file_content", "file_id"),
}
STORED_FILTERS = ("metadata", "model", "created_after", "created_before", "limit")
SAMPLING_KEYS = (
    "temperature",
    "top_p",
    "seed",
    "max_completion_tokens",
    "reasoning_effort",
    "response_format",
    "tools",
)


@dataclass(frozen=True)
class RunRequest:
    name: str | None
    metadata: dict[str, str]
    data_source: dict[str, Any]  # normalised, as echoed on the run

    @property
    def kind(self) -> str:
        return str(self.data_source["type"])

    @property
    def source(self) -> dict[str, Any]:
        return dict(self.data_source["source"])

    @property
    def model(self) -> str | None:
        return self.data_source.get("model")

    def sampling(self) -> dict[str, Any]:
        given = self.data_source.get("sampling_params") or {}
        return {
            **DEFAULT_SAMPLING,
            **{k: v for k, v in given.items() if k in DEFAULT_SAMPLING and v is not None},
        }


def _source(raw: Any, kind: str) -> dict[str, Any]:
    path = "data_source.source"
    source = as_object(raw, path)
    allowed = SOURCE_TYPES[kind]
    source_type = field_of(source, "type", path, str)
    if source_type not in allowed:
        fail(
            f"{path}.type",
            f"Invalid value for '{path}.type': '{source_type}'. A '{kind}' data source takes: {', '.join(allowed)}.",
        )
    if source_type == "file_content":
        no_unknown(source, ("type", "content"), path)
        rows = field_of(source, "content", path, list)
        content = []
        for i, row in enumerate(rows):
            row = as_object(row, f"{path}.content[{i}]")
            no_unknown(row, ("item", "sample"), f"{path}.content[{i}]")
            item = field_of(row, "item", f"{path}.content[{i}]", dict)
            sample = field_of(row, "sample", f"{path}.content[{i}]", dict, required=False)
            content.append({"item": item, **({"sample": sample} if sample is not None else {})})
        return {"type": "file_content", "content": content}
    if source_type == "file_id":
        no_unknown(source, ("type", "id"), path)
        return {"type": "file_id", "id": field_of(source, "id", path, str)}
    return stored_source(source, path)


def stored_source(source: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A stored-completions source (its filters) with every filter present, null when not given."""
    no_unknown(source, ("type", *STORED_FILTERS), path)
    out: dict[str, Any] = {"type": "stored_completions", "metadata": metadata(source, "metadata", path)}
    out["model"] = field_of(source, "model", path, str, required=False)
    for key in ("created_after", "created_before", "limit"):
        out[key] = field_of(source, key, path, int, required=False)
        if out[key] is not None and not INT64_MIN <= out[key] <= INT64_MAX:  # what SQLite can compare
            param = f"{path}.{key}" if path else key
            fail(param, f"Invalid '{param}': {out[key]} is out of range; expected a 64-bit integer.")
    if out["limit"] is not None and out["limit"] < 1:
        param = f"{path}.limit" if path else "limit"
        fail(param, f"Invalid '{param}': expected an integer >= 1, but got {out['limit']}.")
    return out


def _input_messages(raw: Any) -> dict[str, Any]:
    path = "data_source.input_messages"
    spec = as_object(raw, path)
    kind = field_of(spec, "type", path, str)
    if kind == "item_reference":
        no_unknown(spec, ("type", "item_reference"), path)
        reference = field_of(spec, "item_reference", path, str)
        if not reference.startswith("item."):
            fail(
                f"{path}.item_reference",
                f"Invalid '{path}.item_reference': '{reference}' must name a field of the item, e.g. 'item.input'.",
            )
        return {"type": "item_reference", "item_reference": reference}
    if kind != "template":
        fail(
            f"{path}.type",
            f"Invalid value for '{path}.type': '{kind}'. Supported values are: template, item_reference.",
        )
    no_unknown(spec, ("type", "template"), path)
    template = field_of(spec, "template", path, list)
    if not template:
        fail(f"{path}.template", f"Invalid '{path}.template': expected at least one message.", "empty_array")
    return {
        "type": "template",
        "template": [message(m, f"{path}.template[{i}]", None) for i, m in enumerate(template)],
    }


def _sampling(raw: Any) -> dict[str, Any]:
    path = "data_source.sampling_params"
    params = as_object(raw, path)
    no_unknown(params, SAMPLING_KEYS, path)
    for key, low, high in (("temperature", 0.0, 2.0), ("top_p", 0.0, 1.0)):
        value = field_of(params, key, path, (int, float), required=False)
        if value is not None and not low <= value <= high:
            fail(
                f"{path}.{key}",
                f"Invalid '{path}.{key}': expected a number from {low} to {high}, but got {value}.",
            )
    field_of(params, "seed", path, int, required=False)
    field_of(params, "response_format", path, dict, required=False)
    tools = field_of(params, "tools", path, list, required=False)
    if tools and not all(isinstance(t, dict) for t in tools):
        fail(f"{path}.tools", f"Invalid '{path}.tools': expected an array of function tools (objects).")
    limit = field_of(params, "max_completion_tokens", path, int, required=False)
    if limit is not None and limit < 1:
        fail(
            f"{path}.max_completion_tokens",
            f"Invalid '{path}.max_completion_tokens': expected an integer >= 1.",
        )
    _check_schemas(params, path, limit or DEFAULT_SAMPLING["max_completion_tokens"])
    return dict(params)


def _check_schemas(params: Mapping[str, Any], path: str, max_tokens: int) -> None:
    """The response format's schema and the tools' parameters, checked as a chat completion checks
    them (every item's sample is one), before the run is made."""
    try:
        check_tools(params.get("tools"), None, max_tokens=max_tokens)
        # Whether a json_object prompt mentions JSON is up to each item's messages: not checked here.
        check_response_format(
            params.get("response_format"), [{"role": "user", "content": "JSON"}], max_tokens=max_tokens
        )
    except InvalidRequest as bad:
        raise InvalidRequest(
            bad.message, param=f"{path}.{bad.param}", code=bad.openai_code or "invalid_value"
        ) from None


def run_request(body: Mapping[str, Any]) -> RunRequest:
    no_unknown(body, ("name", "metadata", "data_source"), "")
    name = field_of(body, "name", "", str, required=False)
    meta = metadata(body) or {}
    if "data_source" not in body:
        fail("data_source", "Missing required parameter: 'data_source'.", "missing_required_parameter")
    ds = as_object(body["data_source"], "data_source")
    kind = field_of(ds, "type", "data_source", str)
    if kind not in DATA_SOURCE_TYPES:
        fail(
            "data_source.type",
            f"Invalid value for 'data_source.type': '{kind}'. Supported values are: {', '.join(DATA_SOURCE_TYPES)}"
            + (" (the emulator keeps no Responses API logs)." if kind == "responses" else "."),
        )
    if "source" not in ds:
        fail(
            "data_source.source",
            "Missing required parameter: 'data_source.source'.",
            "missing_required_parameter",
        )
    if kind == "jsonl":
        no_unknown(ds, ("type", "source"), "data_source")
        return RunRequest(name, meta, {"type": "jsonl", "source": _source(ds["source"], kind)})
    no_unknown(ds, ("type", "source", "input_messages", "model", "sampling_params"), "data_source")
    source = _source(ds["source"], kind)
    model = field_of(ds, "model", "data_source", str, required=False)
    spec = _input_messages(ds["input_messages"]) if ds.get("input_messages") is not None else None
    if spec is not None and model is None:
        fail(
            "data_source.model",
            "Missing required parameter: 'data_source.model': input_messages are sent to a model; name it.",
            "missing_required_parameter",
        )
    if model is not None and spec is None:
        if source["type"] != "stored_completions":
            fail(
                "data_source.input_messages",
                "Missing required parameter: 'data_source.input_messages': say what to send to the model, "
                "a template or an item_reference.",
                "missing_required_parameter",
            )
        spec = {"type": "item_reference", "item_reference": "item.input"}
    sampling = _sampling(ds["sampling_params"]) if ds.get("sampling_params") is not None else None
    return RunRequest(
        name,
        meta,
        {
            "type": "completions",
            "source": source,
            "input_messages": spec,
            "model": model,
            "sampling_params": sampling,
        },
    )
