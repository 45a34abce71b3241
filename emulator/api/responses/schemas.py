"""The Responses create request (and the input-token count request), as the services accept them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from emulator.http.fields import check_metadata
from emulator.http.validation import MISSING

MAX_INPUT_ITEMS = 2048
MIN_OUTPUT_TOKENS = 16  # the service's floor for max_output_tokens
MAX_TOOLS = 128


# What `include` may ask for; of these, the emulator's answers carry output text log probabilities.
Includable = Literal[
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
]
LOGPROBS = "message.output_text.logprobs"


class InputContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["input_text", "output_text", "input_image", "input_file", "refusal"]
    text: str | None = None

    @model_validator(mode="after")
    def _text_parts_have_text(self) -> InputContentPart:
        if self.type in ("input_text", "output_text") and self.text is None:
            raise ValueError(MISSING + "text")
        return self


class InputItem(BaseModel):
    """One input item: a message (with or without `type`), a function call the model made, or the
    output the caller sends back for it."""

    model_config = ConfigDict(extra="allow")
    type: Literal["message", "function_call", "function_call_output"] | None = None
    role: Literal["user", "assistant", "system", "developer"] | None = None
    content: str | Annotated[list[InputContentPart], Field(max_length=MAX_INPUT_ITEMS)] | None = None
    call_id: str | None = Field(default=None, max_length=64)
    name: str | None = None
    arguments: str | None = None
    output: str | list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _kind_rules(self) -> InputItem:
        kind = self.type or "message"
        if kind == "message":
            if self.role is None:
                raise ValueError(MISSING + "role")
            if self.content is None:
                raise ValueError(MISSING + "content")
        elif kind == "function_call":
            for name in ("call_id", "name", "arguments"):
                if getattr(self, name) is None:
                    raise ValueError(MISSING + name)
        else:
            for name in ("call_id", "output"):
                if getattr(self, name) is None:
                    raise ValueError(MISSING + name)
        return self

    @property
    def kind(self) -> str:
        return self.type or "message"


Input = str | Annotated[list[InputItem], Field(min_length=1, max_length=MAX_INPUT_ITEMS)]


class ReasoningConfig(BaseModel):
    """Accepted and echoed; the deterministic model does not reason."""

    model_config = ConfigDict(extra="forbid")
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = None
    summary: Literal["auto", "concise", "detailed"] | None = None


class TextConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: dict[str, Any] | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class ConversationRequest(BaseModel):
    """What both the create and the count request carry to make the model's conversation."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    input: Input | None = None
    instructions: str | None = None
    previous_response_id: str | None = Field(default=None, max_length=256)
    text: TextConfig | None = None
    tools: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_TOOLS)
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    truncation: Literal["auto", "disabled"] | None = None
    reasoning: ReasoningConfig | None = None

    def items(self) -> list[InputItem]:
        """The input as items: a string is one user message."""
        if self.input is None:
            return []
        if isinstance(self.input, str):
            return [InputItem(role="user", content=self.input)]
        return list(self.input)


class CreateResponseRequest(ConversationRequest):
    metadata: dict[str, str] | None = None
    store: bool | None = None
    background: bool | None = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    max_output_tokens: int | None = Field(default=None, ge=MIN_OUTPUT_TOKENS)
    max_tool_calls: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    user: str | None = Field(default=None, max_length=512)
    safety_identifier: str | None = Field(default=None, max_length=512)
    include: list[Includable] | None = Field(default=None, max_length=32)
    service_tier: str | None = None
    prompt_cache_key: str | None = Field(default=None, max_length=512)
    prompt_cache_retention: Literal["in_memory", "24h"] | None = None

    @field_validator("metadata")
    @classmethod
    def _metadata_limits(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        check_metadata(value)
        return value

    @property
    def logprobs(self) -> bool:
        return LOGPROBS in (self.include or ())

    @property
    def stored(self) -> bool:
        """`store` defaults to true."""
        return self.store is not False


class InputTokensRequest(ConversationRequest):
    """`model` is optional in OpenAI's document; the emulator needs it to know the tokenizer."""

    conversation: Any = None
    personality: Any = None
