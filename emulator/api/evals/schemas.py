"""Eval request bodies (create, update) as pydantic models, normalised into the shapes the service
echoes back; the grader and template messages here are the eval runs' too (emulator/api/evals/run_schemas.py).

What a template may name depends on the eval's own data source config (a custom config's item schema),
so the testing criteria are checked with the config's item keys as the validation context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

from emulator.api._shared.stored_selection import StoredFilters
from emulator.api.evals import similarity, templating
from emulator.http.fields import Metadata
from emulator.http.validation import NOT_NULL, PARAM, Closed, one_of, refuse, validate

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


def supported(allowed: tuple[str, ...]) -> AfterValidator:
    return one_of(
        allowed,
        lambda value: f"Invalid value for '{PARAM}': '{value}'. Supported values are: {', '.join(allowed)}.",
    )


def _item_keys(info: ValidationInfo) -> frozenset[str] | None:
    return (info.context or {}).get("item_keys")


def check_template(text: str, item_keys: frozenset[str] | None, field: str | None = None) -> None:
    """A template's variables name the item or the sample (and, with a custom item schema, one of its
    properties). The templating language is the emulator's, so this is written out."""
    bad = templating.bad_variable(text)
    if bad is not None:
        raise refuse(
            f"Invalid template variable '{{{{{bad}}}}}' in '{PARAM}': variables name a value of the data "
            "source item ('{{item.<field>}}') or of the sample ('{{sample.output_text}}').",
            field=field,
        )
    if item_keys:
        for path in templating.variables(text):
            head, _, rest = path.partition(".")
            name = rest.split(".")[0].split("[")[0]
            if head == "item" and name not in item_keys:
                raise refuse(
                    f"Invalid template variable '{{{{{path}}}}}' in '{PARAM}': the eval's item_schema has no "
                    f"property '{name}' (it has: {', '.join(sorted(item_keys))}).",
                    field=field,
                )


def _template(text: str, info: ValidationInfo) -> str:
    check_template(text, _item_keys(info))
    return text


Template = Annotated[str, AfterValidator(_template), NOT_NULL]


class _Typed(BaseModel):
    """What decides an object's shape: its `type`."""

    model_config = ConfigDict(extra="allow")

    type: Annotated[str, NOT_NULL]


class _TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: Annotated[str, NOT_NULL]


def _content_part(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, str):
        check_template(value, _item_keys(info))
        return {"type": "input_text", "text": value}
    kind = _Typed.model_validate(value, strict=True).type
    if kind in TEXT_PARTS:
        text = _TextPart.model_validate(value, strict=True).text
        check_template(text, _item_keys(info), field="text")
        return {"type": kind, "text": text}
    return dict(value)  # images and audio: kept as sent, not read offline


_CONTENT_PARTS = TypeAdapter(list[Annotated[Any, AfterValidator(_content_part)]])


def _content(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, list):
        return _CONTENT_PARTS.validate_python(value, strict=True, context=info.context)
    return _content_part(value, info)


def _message_type(value: Any) -> Any:
    if value not in (None, "message"):
        raise refuse(f"Invalid value for '{PARAM}': '{value}'. Supported values are: message.")
    return value


class Message(Closed):
    """A grader or template message, normalised to {type: message, role, content: {type, text}}."""

    type: Annotated[Any, AfterValidator(_message_type)] = None
    role: Annotated[str, supported(ROLES), NOT_NULL]
    content: Annotated[Any, AfterValidator(_content), NOT_NULL]

    def normalised(self) -> dict[str, Any]:
        return {"type": "message", "role": self.role, "content": self.content}


def _some_messages(messages: list[Message]) -> list[Message]:
    if not messages:
        raise refuse(f"Invalid '{PARAM}': expected at least one message.", "empty_array")
    return messages


Messages = Annotated[list[Message], AfterValidator(_some_messages), NOT_NULL]


def _some_strings(values: list[Any]) -> list[Any]:
    if not values or not all(isinstance(v, str) for v in values):
        raise refuse(f"Invalid '{PARAM}': expected a non-empty array of strings.")
    return values


class StringCheck(Closed):
    type: str
    name: Annotated[str, NOT_NULL]
    input: Template
    reference: Template
    operation: Annotated[str, supported(STRING_CHECK_OPERATIONS), NOT_NULL]

    def normalised(self) -> dict[str, Any]:
        return self.model_dump()


class TextSimilarity(Closed):
    type: str
    name: Annotated[str, NOT_NULL]
    input: Template
    reference: Template
    evaluation_metric: Annotated[str, supported(tuple(similarity.METRICS)), NOT_NULL]
    pass_threshold: Annotated[int | float, NOT_NULL]

    def normalised(self) -> dict[str, Any]:
        return {**self.model_dump(), "pass_threshold": float(self.pass_threshold)}


class LabelModel(Closed):
    type: str
    name: Annotated[str, NOT_NULL]
    model: Annotated[str, NOT_NULL]
    input: Messages
    labels: Annotated[list[Any], AfterValidator(_some_strings), NOT_NULL]
    passing_labels: Annotated[list[Any], AfterValidator(_some_strings), NOT_NULL]
    sampling_params: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _passing_labels_are_labels(self) -> LabelModel:
        stray = [label for label in self.passing_labels if label not in self.labels]
        if stray:
            raise refuse(
                f"Invalid '{PARAM}': '{stray[0]}' is not one of the labels ({', '.join(self.labels)}).",
                field="passing_labels",
            )
        return self

    def normalised(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "model": self.model,
            "input": [m.normalised() for m in self.input],
            "labels": list(self.labels),
            "passing_labels": list(self.passing_labels),
            "sampling_params": self.sampling_params,
        }


def _range(bounds: list[Any]) -> list[Any]:
    if (
        len(bounds) != 2
        or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
        or bounds[0] >= bounds[1]
    ):
        raise refuse(f"Invalid '{PARAM}': expected two numbers [min, max] with min < max.")
    return bounds


class ScoreModel(Closed):
    type: str
    name: Annotated[str, NOT_NULL]
    model: Annotated[str, NOT_NULL]
    input: Messages
    range: Annotated[list[Any], AfterValidator(_range)] | None = None
    sampling_params: dict[str, Any] | None = None
    pass_threshold: int | float | None = None

    def normalised(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "model": self.model,
            "input": [m.normalised() for m in self.input],
            "range": [float(b) for b in self.range] if self.range is not None else [0.0, 1.0],
            "sampling_params": self.sampling_params,
            "pass_threshold": None if self.pass_threshold is None else float(self.pass_threshold),
        }


GRADERS: dict[str, type[StringCheck | TextSimilarity | LabelModel | ScoreModel]] = {
    "label_model": LabelModel,
    "string_check": StringCheck,
    "text_similarity": TextSimilarity,
    "score_model": ScoreModel,
}


def _criterion(value: Any, info: ValidationInfo) -> dict[str, Any]:
    """One testing criterion, checked as its type's model and normalised (without its generated id)."""
    kind = _Typed.model_validate(value, strict=True).type
    if kind in UNSUPPORTED_GRADERS:
        raise refuse(
            f"Grader type '{kind}' is not available in the emulator (it cannot run code or combine "
            f"graders offline). Supported types: {', '.join(GRADER_TYPES)}.",
            field="type",
        )
    if kind not in GRADER_TYPES:
        raise refuse(
            f"Invalid value for '{PARAM}': '{kind}'. Supported values are: {', '.join(GRADER_TYPES)}.",
            field="type",
        )
    return GRADERS[kind].model_validate(value, strict=True, context=info.context).normalised()


_CRITERIA = TypeAdapter(list[Annotated[Any, AfterValidator(_criterion)]])


class _ConfigType(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Annotated[str, supported(CONFIG_TYPES), NOT_NULL]


class CustomConfig(Closed):
    type: str
    item_schema: Annotated[dict[str, Any], NOT_NULL]
    include_sample_schema: bool | None = None

    def normalised(self) -> dict[str, Any]:
        properties: dict[str, Any] = {"item": self.item_schema}
        if self.include_sample_schema:
            properties["sample"] = SAMPLE_SCHEMA
        return {
            "type": "custom",
            "schema": {"type": "object", "properties": properties, "required": list(properties)},
        }


class StoredConfig(Closed):
    """`logs` or `stored_completions`: the stored completions chosen by metadata."""

    type: str
    metadata: Metadata | None = None

    def normalised(self) -> dict[str, Any]:
        return {"type": self.type, "metadata": self.metadata or {}, "schema": STORED_SCHEMA}


def _config(value: Any) -> dict[str, Any]:
    """The config as the service echoes it: its filters plus the generated `schema`."""
    kind = _ConfigType.model_validate(value, strict=True).type
    shape = CustomConfig if kind == "custom" else StoredConfig
    return shape.model_validate(value, strict=True).normalised()


def item_keys(config: Mapping[str, Any]) -> frozenset[str] | None:
    """The item fields templates may name: a custom item_schema's properties; None when free."""
    if config["type"] != "custom":
        return None
    properties = config["schema"]["properties"]["item"].get("properties")
    return frozenset(properties) if isinstance(properties, dict) and properties else None


class EvalCreate(Closed):
    """`POST /evals`."""

    name: str | None = None
    metadata: Metadata | None = None
    data_source_config: Annotated[Any, AfterValidator(_config)]
    testing_criteria: Annotated[Any, NOT_NULL]

    @field_validator("testing_criteria")
    @classmethod
    def _graders(cls, value: Any, info: ValidationInfo) -> Any:
        config = info.data.get("data_source_config")
        if config is None:
            return value  # the config's own error is the one reported
        criteria = _CRITERIA.validate_python(value, strict=True, context={"item_keys": item_keys(config)})
        if not criteria:
            raise refuse(f"Invalid '{PARAM}': expected at least one grader.", "empty_array")
        return criteria


class EvalUpdate(Closed):
    """`POST /evals/{eval_id}`: a new name, or metadata that replaces the old."""

    name: str | None = None
    metadata: Metadata | None = None


@dataclass(frozen=True)
class EvalRequest:
    name: str | None
    metadata: dict[str, str]
    data_source_config: dict[str, Any]
    testing_criteria: list[dict[str, Any]]


def eval_request(body: Mapping[str, Any]) -> EvalRequest:
    checked = validate(EvalCreate, body)
    return EvalRequest(
        checked.name, checked.metadata or {}, checked.data_source_config, checked.testing_criteria
    )


def eval_update(body: Mapping[str, Any]) -> tuple[str | None, dict[str, str] | None]:
    checked = validate(EvalUpdate, body)
    return checked.name, checked.metadata


class EvaluateRequest(StoredFilters):
    """`POST /_emulator/evaluate`. The graders and sampling parameters are checked as an eval's and a
    run's (emulator/api/evals/schemas.py, emulator/api/evals/run_schemas.py) when the eval and run are made."""

    model: str | None = None
    name: str | None = None
    testing_criteria: Any
    generate_with: str | None = None
    sampling_params: Any = None
