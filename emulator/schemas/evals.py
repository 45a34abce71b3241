"""Eval and eval-run request bodies: checked field by field (every 400 names its `param`) and
normalised into the shapes the service echoes back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from emulator import similarity, templating
from emulator.errors import InvalidRequest
from emulator.schemas.chat import check_metadata

CONFIG_TYPES = ("custom", "logs", "stored_completions")
GRADER_TYPES = ("label_model", "string_check", "text_similarity", "score_model")
UNSUPPORTED_GRADERS = ("python", "multi")
STRING_CHECK_OPERATIONS = ("eq", "ne", "like", "ilike")
ROLES = ("user", "assistant", "system", "developer")
TEXT_PARTS = ("input_text", "output_text")

# The schema the service generates for a stored-completions (logs) data source config.
STORED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"item": {"type": "object"}, "sample": {"type": "object"}},
    "required": ["item", "sample"],
}
# The `sample` namespace a custom eval gets with include_sample_schema: what a generated sample holds.
SAMPLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "object"}},
        "output_text": {"type": "string"},
        "output_json": {"type": ["object", "null"]},
        "output_tools": {"type": "array", "items": {"type": "object"}},
        "finish_reason": {"type": "string"},
        "usage": {"type": "object"},
    },
    "required": ["model", "choices", "output_text"],
}

_TYPE_NAMES = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    list: "an array",
    dict: "an object",
}


def fail(param: str, message: str, code: str = "invalid_value") -> NoReturn:
    raise InvalidRequest(message, param=param, code=code)


def _kind(value: Any) -> str:
    return "null" if value is None else _TYPE_NAMES.get(type(value), type(value).__name__)


def field_of(obj: Mapping[str, Any], key: str, path: str, expected: Any, *, required: bool = True) -> Any:
    """obj[key], checked against a type (or tuple of types); None when absent/null and optional."""
    param = f"{path}.{key}" if path else key
    if key not in obj or obj[key] is None:
        if required:
            fail(param, f"Missing required parameter: '{param}'.", "missing_required_parameter")
        return None
    value = obj[key]
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        wanted = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
        fail(
            param,
            f"Invalid type for '{param}': expected {wanted}, but got {_kind(value)} instead.",
            "invalid_type",
        )
    return value


def _choice(
    obj: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...], *, required: bool = True
) -> Any:
    value = field_of(obj, key, path, str, required=required)
    if value is not None and value not in allowed:
        param = f"{path}.{key}" if path else key
        fail(param, f"Invalid value for '{param}': '{value}'. Supported values are: {', '.join(allowed)}.")
    return value


def as_object(value: Any, param: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        fail(
            param,
            f"Invalid type for '{param}': expected an object, but got {_kind(value)} instead.",
            "invalid_type",
        )
    return value


def no_unknown(obj: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
    for key in obj:
        if key not in allowed:
            param = f"{path}.{key}" if path else key
            fail(param, f"Unknown parameter: '{param}'.", "unknown_parameter")


def metadata(obj: Mapping[str, Any], key: str = "metadata", path: str = "") -> dict[str, str] | None:
    value = field_of(obj, key, path, dict, required=False)
    if value is None:
        return None
    param = f"{path}.{key}" if path else key
    try:
        check_metadata(value)
    except ValueError as exc:
        fail(param, str(exc).replace("'metadata'", f"'{param}'"))
    return dict(value)


def check_template(text: str, param: str, item_keys: frozenset[str] | None) -> None:
    bad = templating.bad_variable(text)
    if bad is not None:
        fail(
            param,
            f"Invalid template variable '{{{{{bad}}}}}' in '{param}': variables name a value of the data "
            "source item ('{{item.<field>}}') or of the sample ('{{sample.output_text}}').",
        )
    if item_keys:
        for path in templating.variables(text):
            head, _, rest = path.partition(".")
            field = rest.split(".")[0].split("[")[0]
            if head == "item" and field not in item_keys:
                fail(
                    param,
                    f"Invalid template variable '{{{{{path}}}}}' in '{param}': the eval's item_schema has no "
                    f"property '{field}' (it has: {', '.join(sorted(item_keys))}).",
                )


def _content_part(part: Any, param: str, item_keys: frozenset[str] | None) -> Any:
    if isinstance(part, str):
        check_template(part, param, item_keys)
        return {"type": "input_text", "text": part}
    part = as_object(part, param)
    kind = field_of(part, "type", param, str)
    if kind in TEXT_PARTS:
        text = field_of(part, "text", param, str)
        check_template(text, f"{param}.text", item_keys)
        return {"type": kind, "text": text}
    return dict(part)  # images and audio: kept as sent, not read offline


def message(raw: Any, param: str, item_keys: frozenset[str] | None) -> dict[str, Any]:
    """A grader or template message, normalised to {type: message, role, content: {type, text}}."""
    m = as_object(raw, param)
    no_unknown(m, ("type", "role", "content"), param)
    if m.get("type") not in (None, "message"):
        fail(
            f"{param}.type",
            f"Invalid value for '{param}.type': '{m['type']}'. Supported values are: message.",
        )
    role = _choice(m, "role", param, ROLES)
    content = m.get("content")
    if content is None:
        fail(
            f"{param}.content",
            f"Missing required parameter: '{param}.content'.",
            "missing_required_parameter",
        )
    if isinstance(content, list):
        normalised: Any = [
            _content_part(p, f"{param}.content[{i}]", item_keys) for i, p in enumerate(content)
        ]
    else:
        normalised = _content_part(content, f"{param}.content", item_keys)
    return {"type": "message", "role": role, "content": normalised}


def _messages(
    obj: Mapping[str, Any], key: str, path: str, item_keys: frozenset[str] | None
) -> list[dict[str, Any]]:
    raw = field_of(obj, key, path, list)
    if not raw:
        fail(f"{path}.{key}", f"Invalid '{path}.{key}': expected at least one message.", "empty_array")
    return [message(m, f"{path}.{key}[{i}]", item_keys) for i, m in enumerate(raw)]


def _number(obj: Mapping[str, Any], key: str, path: str, *, required: bool) -> float | None:
    value = field_of(obj, key, path, (int, float), required=required)
    return None if value is None else float(value)


def criterion(raw: Any, path: str, item_keys: frozenset[str] | None) -> dict[str, Any]:
    """One testing criterion, checked and normalised (without its generated id)."""
    c = as_object(raw, path)
    kind = field_of(c, "type", path, str)
    if kind in UNSUPPORTED_GRADERS:
        fail(
            f"{path}.type",
            f"Grader type '{kind}' is not available in the emulator (it cannot run code or combine "
            f"graders offline). Supported types: {', '.join(GRADER_TYPES)}.",
        )
    if kind not in GRADER_TYPES:
        fail(
            f"{path}.type",
            f"Invalid value for '{path}.type': '{kind}'. Supported values are: {', '.join(GRADER_TYPES)}.",
        )
    name = field_of(c, "name", path, str)
    out: dict[str, Any] = {"type": kind, "name": name}
    if kind in ("string_check", "text_similarity"):
        for key in ("input", "reference"):
            out[key] = field_of(c, key, path, str)
            check_template(out[key], f"{path}.{key}", item_keys)
    if kind == "string_check":
        no_unknown(c, ("type", "name", "input", "reference", "operation"), path)
        out["operation"] = _choice(c, "operation", path, STRING_CHECK_OPERATIONS)
    elif kind == "text_similarity":
        no_unknown(c, ("type", "name", "input", "reference", "evaluation_metric", "pass_threshold"), path)
        out["evaluation_metric"] = _choice(c, "evaluation_metric", path, tuple(similarity.METRICS))
        out["pass_threshold"] = _number(c, "pass_threshold", path, required=True)
    elif kind == "label_model":
        no_unknown(c, ("type", "name", "model", "input", "labels", "passing_labels", "sampling_params"), path)
        out["model"] = field_of(c, "model", path, str)
        out["input"] = _messages(c, "input", path, item_keys)
        for key in ("labels", "passing_labels"):
            values = field_of(c, key, path, list)
            if not values or not all(isinstance(v, str) for v in values):
                fail(f"{path}.{key}", f"Invalid '{path}.{key}': expected a non-empty array of strings.")
            out[key] = list(values)
        stray = [label for label in out["passing_labels"] if label not in out["labels"]]
        if stray:
            fail(
                f"{path}.passing_labels",
                f"Invalid '{path}.passing_labels': '{stray[0]}' is not one of the labels ({', '.join(out['labels'])}).",
            )
        out["sampling_params"] = field_of(c, "sampling_params", path, dict, required=False)
    else:  # score_model
        no_unknown(c, ("type", "name", "model", "input", "range", "sampling_params", "pass_threshold"), path)
        out["model"] = field_of(c, "model", path, str)
        out["input"] = _messages(c, "input", path, item_keys)
        bounds = field_of(c, "range", path, list, required=False)
        if bounds is not None and (
            len(bounds) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
            or bounds[0] >= bounds[1]
        ):
            fail(f"{path}.range", f"Invalid '{path}.range': expected two numbers [min, max] with min < max.")
        out["range"] = [float(b) for b in bounds] if bounds is not None else [0.0, 1.0]
        out["sampling_params"] = field_of(c, "sampling_params", path, dict, required=False)
        out["pass_threshold"] = _number(c, "pass_threshold", path, required=False)
    return out


def data_source_config(raw: Any) -> dict[str, Any]:
    """The config as the service echoes it: its filters plus the generated `schema`."""
    config = as_object(raw, "data_source_config")
    kind = _choice(config, "type", "data_source_config", CONFIG_TYPES)
    if kind == "custom":
        no_unknown(config, ("type", "item_schema", "include_sample_schema"), "data_source_config")
        item_schema = field_of(config, "item_schema", "data_source_config", dict)
        with_sample = field_of(config, "include_sample_schema", "data_source_config", bool, required=False)
        properties: dict[str, Any] = {"item": item_schema}
        if with_sample:
            properties["sample"] = SAMPLE_SCHEMA
        return {
            "type": "custom",
            "schema": {"type": "object", "properties": properties, "required": list(properties)},
        }
    no_unknown(config, ("type", "metadata"), "data_source_config")
    filters = metadata(config, "metadata", "data_source_config")
    return {"type": kind, "metadata": filters or {}, "schema": STORED_SCHEMA}


def item_keys(config: Mapping[str, Any]) -> frozenset[str] | None:
    """The item fields templates may name: a custom item_schema's properties; None when free."""
    if config["type"] != "custom":
        return None
    properties = config["schema"]["properties"]["item"].get("properties")
    return frozenset(properties) if isinstance(properties, dict) and properties else None


@dataclass(frozen=True)
class EvalRequest:
    name: str | None
    metadata: dict[str, str]
    data_source_config: dict[str, Any]
    testing_criteria: list[dict[str, Any]]


def eval_request(body: Mapping[str, Any]) -> EvalRequest:
    no_unknown(body, ("name", "metadata", "data_source_config", "testing_criteria"), "")
    name = field_of(body, "name", "", str, required=False)
    meta = metadata(body) or {}
    if "data_source_config" not in body:
        fail(
            "data_source_config",
            "Missing required parameter: 'data_source_config'.",
            "missing_required_parameter",
        )
    config = data_source_config(body["data_source_config"])
    criteria = field_of(body, "testing_criteria", "", list)
    if not criteria:
        fail("testing_criteria", "Invalid 'testing_criteria': expected at least one grader.", "empty_array")
    keys = item_keys(config)
    normalised = [criterion(c, f"testing_criteria[{i}]", keys) for i, c in enumerate(criteria)]
    return EvalRequest(name, meta, config, normalised)


def eval_update(body: Mapping[str, Any]) -> tuple[str | None, dict[str, str] | None]:
    no_unknown(body, ("name", "metadata"), "")
    return field_of(body, "name", "", str, required=False), metadata(body)
