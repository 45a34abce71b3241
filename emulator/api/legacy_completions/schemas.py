"""The legacy text completions request (`prompt` in, `choices[].text` out)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticKnownError

from emulator.http.validation import PARAM, reword

MAX_CHOICES = 128  # as chat completions: every choice costs a generation
MAX_STOP = 4


def _stop_limit(stop: Any) -> Any:
    # Only an array is bounded: a stop of any other type is ignored, as the service ignores it.
    if isinstance(stop, list) and len(stop) > MAX_STOP:
        raise PydanticKnownError(
            "too_long", {"field_type": "List", "max_length": MAX_STOP, "actual_length": len(stop)}
        )
    return stop


_REPR = reword(lambda value: f"Invalid '{PARAM}': {value!r}.")


class CompletionRequest(BaseModel):
    """`POST /completions`. `model` names what answers on OpenAI and `/openai/v1` (and is required
    there) but not on Azure's dated API, where the deployment in the path does: the route checks it."""

    prompt: Annotated[
        str | Annotated[list[str], Field(min_length=1)],
        reword("Invalid 'prompt': expected a string or a list of strings.", "invalid_type"),
    ] = Field(default=None, validate_default=True)
    model: Any = None
    stop: Annotated[Any, AfterValidator(_stop_limit)] = None
    seed: Annotated[int, _REPR] | None = None
    temperature: Annotated[int | float, Field(ge=0), _REPR] | None = None
    top_p: Annotated[int | float, Field(ge=0), _REPR] | None = None
    max_tokens: Annotated[int, Field(ge=0), _REPR] | None = None
    n: Annotated[int, Field(ge=1), _REPR, Field(le=MAX_CHOICES)] | None = None

    def prompts(self) -> list[str]:
        return [self.prompt] if isinstance(self.prompt, str) else list(self.prompt)

    def stop_sequences(self) -> tuple[str, ...]:
        """The strings of `stop` (an object's keys, as iterating it gives them); a number or a boolean,
        which has none, stops nothing."""
        if isinstance(self.stop, str):
            return (self.stop,)
        if isinstance(self.stop, (list, dict)):
            return tuple(s for s in self.stop if isinstance(s, str))
        return ()
