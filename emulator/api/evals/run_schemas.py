"""The eval-run request body as pydantic models: its data source checked and normalised into the
echoed shape. The shape of a data source, of its source and of its input messages each depend on
their `type`, so each is read as its type's model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from emulator.api.evals.runs import DEFAULT_SAMPLING
from emulator.api.evals.schemas import Messages
from emulator.errors import InvalidRequest
from emulator.http.fields import Int64, Metadata, at_least_one
from emulator.http.validation import NOT_NULL, PARAM, Closed, refuse, validate
from emulator.model.checks import check_response_format, check_tools

DATA_SOURCE_TYPES = ("completions", "jsonl")
SOURCE_TYPES = {
    "completions": ("file_content", "file_id", "stored_completions"),
    "jsonl": ("file_content", "file_id"),
}


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


class _Typed(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Annotated[str, NOT_NULL]


def _kind(value: Any) -> str:
    return _Typed.model_validate(value, strict=True).type


class _Row(Closed):
    item: Annotated[dict[str, Any], NOT_NULL]
    sample: dict[str, Any] | None = None


class FileContent(Closed):
    type: str
    content: Annotated[list[_Row], NOT_NULL]

    def normalised(self) -> dict[str, Any]:
        rows = [
            {"item": r.item, **({"sample": r.sample} if r.sample is not None else {})} for r in self.content
        ]
        return {"type": "file_content", "content": rows}


class FileId(Closed):
    type: str
    id: Annotated[str, NOT_NULL]

    def normalised(self) -> dict[str, Any]:
        return {"type": "file_id", "id": self.id}


class StoredSource(Closed):
    """A stored-completions source (its filters), every filter present, null when not given."""

    type: str
    metadata: Metadata | None = None
    model: str | None = None
    created_after: Int64 | None = None
    created_before: Int64 | None = None
    limit: Annotated[int, AfterValidator(at_least_one)] | None = None

    def normalised(self) -> dict[str, Any]:
        return {"type": "stored_completions", **self.model_dump(exclude={"type"})}


SOURCES: dict[str, type[FileContent | FileId | StoredSource]] = {
    "file_content": FileContent,
    "file_id": FileId,
    "stored_completions": StoredSource,
}


def _source_of(kind: str) -> AfterValidator:
    allowed = SOURCE_TYPES[kind]

    def source(value: Any) -> dict[str, Any]:
        source_type = _kind(value)
        if source_type not in allowed:
            raise refuse(
                f"Invalid value for '{PARAM}': '{source_type}'. A '{kind}' data source takes: {', '.join(allowed)}.",
                field="type",
            )
        return SOURCES[source_type].model_validate(value, strict=True).normalised()

    return AfterValidator(source)


def _names_an_item_field(reference: str) -> str:
    if not reference.startswith("item."):
        raise refuse(f"Invalid '{PARAM}': '{reference}' must name a field of the item, e.g. 'item.input'.")
    return reference


class ItemReference(Closed):
    type: str
    item_reference: Annotated[str, AfterValidator(_names_an_item_field), NOT_NULL]

    def normalised(self) -> dict[str, Any]:
        return {"type": "item_reference", "item_reference": self.item_reference}


class MessageTemplate(Closed):
    type: str
    template: Messages

    def normalised(self) -> dict[str, Any]:
        return {"type": "template", "template": [m.normalised() for m in self.template]}


def _input_messages(value: Any) -> dict[str, Any]:
    kind = _kind(value)
    if kind == "item_reference":
        return ItemReference.model_validate(value, strict=True).normalised()
    if kind != "template":
        raise refuse(
            f"Invalid value for '{PARAM}': '{kind}'. Supported values are: template, item_reference.",
            field="type",
        )
    return MessageTemplate.model_validate(value, strict=True).normalised()


def _within(low: float, high: float) -> AfterValidator:
    def check(value: float) -> float:
        if not low <= value <= high:
            raise refuse(f"Invalid '{PARAM}': expected a number from {low} to {high}, but got {value}.")
        return value

    return AfterValidator(check)


def _function_tools(tools: list[Any]) -> list[Any]:
    if tools and not all(isinstance(t, dict) for t in tools):
        raise refuse(f"Invalid '{PARAM}': expected an array of function tools (objects).")
    return tools


def _positive(limit: int) -> int:
    if limit < 1:
        raise refuse(f"Invalid '{PARAM}': expected an integer >= 1.")
    return limit


class SamplingParams(Closed):
    temperature: Annotated[int | float, _within(0.0, 2.0)] | None = None
    top_p: Annotated[int | float, _within(0.0, 1.0)] | None = None
    seed: int | None = None
    max_completion_tokens: Annotated[int, AfterValidator(_positive)] | None = None
    reasoning_effort: Any = None
    response_format: dict[str, Any] | None = None
    tools: Annotated[list[Any], AfterValidator(_function_tools)] | None = None

    @model_validator(mode="after")
    def _schemas(self) -> SamplingParams:
        """The response format's schema and the tools' parameters, checked as a chat completion checks
        them (every item's sample is one), before the run is made."""
        max_tokens = self.max_completion_tokens or DEFAULT_SAMPLING["max_completion_tokens"]
        try:
            check_tools(self.tools, None, max_tokens=max_tokens)
            # Whether a json_object prompt mentions JSON is up to each item's messages: not checked here.
            check_response_format(
                self.response_format, [{"role": "user", "content": "JSON"}], max_tokens=max_tokens
            )
        except InvalidRequest as bad:
            raise refuse(bad.message, bad.openai_code or "invalid_value", field=str(bad.param)) from None
        return self


def _sampling(value: Any) -> dict[str, Any]:
    SamplingParams.model_validate(value, strict=True)
    return dict(value)


class JsonlSource(Closed):
    type: str
    source: Annotated[Any, _source_of("jsonl")]

    def normalised(self) -> dict[str, Any]:
        return {"type": "jsonl", "source": self.source}


class CompletionsSource(Closed):
    type: str
    source: Annotated[Any, _source_of("completions")]
    input_messages: Annotated[Any, AfterValidator(_input_messages)] | None = None
    model: str | None = None
    sampling_params: Annotated[Any, AfterValidator(_sampling)] | None = None

    @model_validator(mode="after")
    def _model_and_messages(self) -> CompletionsSource:
        if self.input_messages is not None and self.model is None:
            raise refuse(
                f"Missing required parameter: '{PARAM}': input_messages are sent to a model; name it.",
                "missing_required_parameter",
                field="model",
            )
        if self.model is not None and self.input_messages is None:
            if self.source["type"] != "stored_completions":
                raise refuse(
                    f"Missing required parameter: '{PARAM}': say what to send to the model, "
                    "a template or an item_reference.",
                    "missing_required_parameter",
                    field="input_messages",
                )
            self.input_messages = {"type": "item_reference", "item_reference": "item.input"}
        return self

    def normalised(self) -> dict[str, Any]:
        return {
            "type": "completions",
            "source": self.source,
            "input_messages": self.input_messages,
            "model": self.model,
            "sampling_params": self.sampling_params,
        }


def _data_source(value: Any) -> dict[str, Any]:
    kind = _kind(value)
    if kind not in DATA_SOURCE_TYPES:
        raise refuse(
            f"Invalid value for '{PARAM}': '{kind}'. Supported values are: {', '.join(DATA_SOURCE_TYPES)}"
            + (" (the emulator keeps no Responses API logs)." if kind == "responses" else "."),
            field="type",
        )
    if "source" not in value:
        raise refuse(f"Missing required parameter: '{PARAM}'.", "missing_required_parameter", field="source")
    shape = JsonlSource if kind == "jsonl" else CompletionsSource
    return shape.model_validate(value, strict=True).normalised()


class RunCreate(Closed):
    """`POST /evals/{eval_id}/runs`."""

    name: str | None = None
    metadata: Metadata | None = None
    data_source: Annotated[Any, AfterValidator(_data_source)]


def run_request(body: Mapping[str, Any]) -> RunRequest:
    checked = validate(RunCreate, body)
    return RunRequest(checked.name, checked.metadata or {}, checked.data_source)
