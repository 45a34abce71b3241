"""The chat completions request, as OpenAI and Azure accept it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from emulator.http.fields import check_metadata
from emulator.http.validation import MISSING

ROLES = ("system", "assistant", "user", "function", "tool", "developer")
Role = Literal["system", "assistant", "user", "function", "tool", "developer"]


def _as_sent(value: Any, validate: ValidatorFunctionWrapHandler) -> Any:
    """A number checked as a float but kept as sent: a stored completion echoes `1` as `1`, not `1.0`."""
    checked = validate(value)
    return value if type(value) is int else checked


# A JSON number a stored completion echoes back: an int stays an int, a float a float.
Number = Annotated[float, WrapValidator(_as_sent)]


def as_float(number: float | None) -> float | None:
    """What the model samples with: `1` and `1.0` are one temperature, and give one answer."""
    return None if number is None else float(number)


MAX_LOGIT_BIAS_TOKENS = 300
LOGIT_BIAS_RANGE = (-100, 100)
MAX_TOOLS = 128  # and as many legacy `functions`


def check_logit_bias(bias: dict[str, int] | None) -> None:
    """At most 300 tokens, each named by its token id, each biased by -100 to 100."""
    if bias is None:
        return
    if len(bias) > MAX_LOGIT_BIAS_TOKENS:
        raise ValueError(
            f"Invalid 'logit_bias': too many tokens. Expected an object with at most {MAX_LOGIT_BIAS_TOKENS} "
            f"properties, but got an object with {len(bias)} properties."
        )
    low, high = LOGIT_BIAS_RANGE
    for key, value in bias.items():
        if not (key.isascii() and key.isdigit()):
            raise ValueError(
                f"Invalid key in 'logit_bias': {key[:40]}. You should only be submitting non-negative integers."
            )
        if not low <= value <= high:
            raise ValueError(
                f"Invalid 'logit_bias': the bias of token {key} is {value}; biases range from {low} to {high}."
            )


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["text", "image_url", "input_audio", "file", "refusal"]
    text: str | None = None

    @model_validator(mode="after")
    def _text_parts_have_text(self) -> ContentPart:
        if self.type == "text" and self.text is None:
            raise ValueError("a content part of type 'text' needs a 'text' string")
        return self


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Role
    content: str | Annotated[list[ContentPart], Field(min_length=1)] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    function_call: dict[str, Any] | None = None
    refusal: str | None = None

    @model_validator(mode="after")
    def _role_rules(self) -> Message:
        if self.role == "assistant":
            if self.content is None and not self.tool_calls and not self.function_call:
                raise ValueError("an assistant message needs 'content', 'tool_calls' or 'function_call'")
        elif self.content is None:
            raise ValueError(MISSING + "content")
        if self.role == "tool" and not self.tool_call_id:
            raise ValueError(MISSING + "tool_call_id")
        if self.role == "function" and not self.name:
            raise ValueError(MISSING + "name")
        return self


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool | None = None


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[Message] = Field(min_length=1)
    model: str | None = None
    store: bool | None = None
    metadata: dict[str, str] | None = None
    n: int | None = Field(default=None, ge=1, le=128)
    temperature: Number | None = Field(default=None, ge=0, le=2)
    top_p: Number | None = Field(default=None, ge=0, le=1)
    frequency_penalty: Number | None = Field(default=None, ge=-2, le=2)
    presence_penalty: Number | None = Field(default=None, ge=-2, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = Field(default=None, ge=-(2**63), le=2**63 - 1)  # int64
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    logit_bias: dict[str, int] | None = None
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    tools: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_TOOLS)
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None
    user: str | None = None
    service_tier: str | None = None
    reasoning_effort: str | None = None
    verbosity: str | None = None
    modalities: list[str] | None = None
    audio: dict[str, Any] | None = None
    prediction: dict[str, Any] | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    prompt_cache_options: dict[str, Any] | None = None
    prompt_cache_retention: str | None = None
    web_search_options: dict[str, Any] | None = None
    moderation: Any = None
    function_call: str | dict[str, Any] | None = None
    functions: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_TOOLS)
    data_sources: list[dict[str, Any]] | None = None  # Azure On Your Data: accepted, not used
    user_security_context: dict[str, Any] | None = None  # Azure: accepted, not used

    @field_validator("metadata")
    @classmethod
    def _metadata_limits(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        check_metadata(value)
        return value

    @field_validator("logit_bias")
    @classmethod
    def _logit_bias_limits(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        check_logit_bias(value)
        return value

    @field_validator("stop")
    @classmethod
    def _stop_limits(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and not 1 <= len(value) <= 4:
            raise ValueError(
                f"Invalid 'stop': expected a string or an array of 1 to 4 strings, but got an "
                f"array of {len(value)} strings."
            )
        return value

    @field_validator("stream_options")
    @classmethod
    def _stream_options_need_stream(
        cls, value: StreamOptions | None, info: ValidationInfo
    ) -> StreamOptions | None:
        if value is not None and not info.data.get("stream"):
            raise ValueError("Invalid 'stream_options': it is only allowed when 'stream' is true.")
        return value

    @field_validator("top_logprobs")
    @classmethod
    def _top_logprobs_needs_logprobs(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and not info.data.get("logprobs"):
            raise ValueError(
                "Invalid 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used."
            )
        return value

    def stop_sequences(self) -> tuple[str, ...]:
        if self.stop is None:
            return ()
        return (self.stop,) if isinstance(self.stop, str) else tuple(self.stop)

    def token_limit(self) -> int | None:
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens

    def token_param(self) -> str:
        """The name of the field `token_limit` comes from, for messages about it."""
        return "max_completion_tokens" if self.max_completion_tokens is not None else "max_tokens"
