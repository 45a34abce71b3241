"""Legacy text completions (`prompt` in, `choices[].text` out) for the GPT-3 models and their fine-tunes.

A fine-tuned model answers a prompt it was trained on with the trained completion (cut by `max_tokens`);
any other prompt as its base model would.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from emulator.api._shared.serving import deployment_for
from emulator.api.legacy_completions.schemas import CompletionRequest
from emulator.errors import ApiError
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_json_object, validate
from emulator.model import Generation, Sampling, Shape, scripted, tokens
from emulator.model import limits as token_limits
from emulator.model.catalog import base_model
from emulator.model.respond import respond
from emulator.model.scripts import Reply
from emulator.surfaces import Family, Surface

A, V1, O = Surface.AZURE, Surface.AZURE_V1, Surface.OPENAI
DEFAULT_MAX_TOKENS = 16  # the legacy API's default


async def create_completion(call: Call) -> Response:
    raw = await call.body()
    data = parse_json_object(raw)
    request = validate(CompletionRequest, data)
    prompts = request.prompts()
    deployment = await deployment_for(call, request.model)
    runtime = call.runtime
    learned = await runtime.learned.of(deployment.model)
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
    sampling = Sampling(
        seed=request.seed,
        temperature=request.temperature,
        top_p=request.top_p,
        max_tokens=request.max_tokens or DEFAULT_MAX_TOKENS,
        stop=request.stop_sequences(),
        n=request.n or 1,
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
        action="deployments/completions/action",
    ),
)
