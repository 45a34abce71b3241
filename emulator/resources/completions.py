"""Legacy text completions (`prompt` in, `choices[].text` out) for the GPT-3 models and their fine-tunes.

A fine-tuned model answers a prompt it was trained on with the trained completion (cut by `max_tokens`);
any other prompt as its base model would.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from emulator import token_limits
from emulator.catalog import base_model
from emulator.deployments import Deployment
from emulator.errors import ApiError, DeploymentNotFound, InvalidRequest, ModelNotFound
from emulator.flavours import Family, Flavour
from emulator.learned import fine_tuned_by_name
from emulator.model import Generation, Sampling, Shape, scripted, tokens
from emulator.model.respond import respond
from emulator.model.scripts import Reply
from emulator.routing import Access, Call, Operation, json_response
from emulator.schemas.validation import parse_json_object

A, V1, O = Flavour.AZURE, Flavour.AZURE_V1, Flavour.OPENAI
DEFAULT_MAX_TOKENS = 16  # the legacy API's default
MAX_CHOICES = 128
MAX_STOP = 4


def _number(
    data: dict[str, Any], name: str, kind: type | tuple[type, ...], minimum: float | None = None
) -> Any:
    value: Any = data.get(name)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, kind)
        or (minimum is not None and float(str(value)) < minimum)
    ):
        raise InvalidRequest(f"Invalid '{name}': {value!r}.", param=name)
    return value


def _check_counts(data: dict[str, Any]) -> None:
    """`n` and `stop` within the bounds chat completions has too: every choice costs a generation."""
    n = data.get("n")
    if isinstance(n, int) and not isinstance(n, bool) and n > MAX_CHOICES:
        raise InvalidRequest(
            f"Invalid 'n': integer above maximum value. Expected a value <= {MAX_CHOICES}, but got {n} instead.",
            param="n",
            code="integer_above_max_value",
        )
    stop = data.get("stop")
    if isinstance(stop, list) and len(stop) > MAX_STOP:
        raise InvalidRequest(
            f"Invalid 'stop': array too long. Expected an array with maximum length {MAX_STOP}, but got an "
            f"array with length {len(stop)} instead.",
            param="stop",
            code="array_above_max_length",
        )


def _prompts(data: dict[str, Any]) -> list[str]:
    prompt = data.get("prompt")
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
        return list(prompt)
    raise InvalidRequest(
        "Invalid 'prompt': expected a string or a list of strings.", param="prompt", code="invalid_type"
    )


async def _deployment(call: Call, data: dict[str, Any]) -> Deployment:
    registry = call.runtime.deployments
    if call.flavour is A:
        found = await registry.get(call.path_params["deployment_id"])
        if found is None:
            raise DeploymentNotFound()
        return found
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest(
            "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
        )
    found = await (registry.get(model) if call.flavour is V1 else registry.for_model(model))
    if found is None and call.flavour is O:
        found = await fine_tuned_by_name(call.runtime, model)
    if found is None:
        raise DeploymentNotFound() if call.flavour is V1 else ModelNotFound(model)
    return found


async def create_completion(call: Call) -> Response:
    raw = await call.body()
    data = parse_json_object(raw)
    prompts = _prompts(data)
    deployment = await _deployment(call, data)
    runtime = call.runtime
    learned = await runtime.learned.of(runtime, deployment.model)
    base = base_model(learned.base_model if learned else deployment.model_name) or base_model(
        deployment.model
    )
    if base is None or not base.completion:
        raise ApiError(
            f"The completions operation does not work with the specified model, {deployment.model_name}. "
            "Use chat completions with this model, or deploy a model that completes prompts (for example "
            "davinci, or a model fine-tuned from it).",
            param="model",
            openai_code="OperationNotSupported",
        )
    stop = data.get("stop")
    _check_counts(data)
    sampling = Sampling(
        seed=_number(data, "seed", int),
        temperature=_number(data, "temperature", (int, float), 0),
        top_p=_number(data, "top_p", (int, float), 0),
        max_tokens=_number(data, "max_tokens", int, 0) or DEFAULT_MAX_TOKENS,
        stop=(stop,) if isinstance(stop, str) else tuple(s for s in stop or () if isinstance(s, str)),
        n=_number(data, "n", int, 1) or 1,
    )
    requested = sampling.max_tokens or DEFAULT_MAX_TOKENS
    token_limits.check_output_limit(base, requested, "max_tokens")
    if token_limits.may_overflow(base, len(raw), requested):

        def check_prompts() -> None:
            for prompt in prompts:
                token_limits.check_completion_prompt(base, tokens.count(prompt, base.id), requested)

        await token_limits.counted(len(raw), check_prompts)
    choices: list[dict[str, Any]] = []
    prompt_tokens = completion_tokens = 0
    for prompt in prompts:
        messages = [{"role": "user", "content": prompt}]
        trained = learned.completion(prompt) if learned else None
        generation: Generation = (
            scripted(Reply(content=trained), messages, base.id, sampling)
            if trained is not None
            else respond(runtime.scripts, deployment.name, messages, base.id, sampling, Shape())
        )
        prompt_tokens += tokens.count(prompt, base.id)
        for choice in generation.choices:
            completion_tokens += choice.completion_tokens
            choices.append(
                {
                    "text": choice.content or "",
                    "index": len(choices),
                    "finish_reason": choice.finish_reason,
                    "logprobs": None,
                }
            )
    return json_response(
        {
            "id": "cmpl-" + runtime.ids.alnum(29),
            "object": "text_completion",
            "created": int(runtime.clock.now()),
            "model": deployment.model_name,
            "choices": choices,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


OPERATIONS = (
    Operation(
        "create_completion",
        "POST",
        ((A, "/deployments/{deployment_id}/completions"), (V1, "/completions"), (O, "/completions")),
        create_completion,
        Access.WRITE,
        family=Family.INFERENCE,
    ),
)
