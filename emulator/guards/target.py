"""What a request is for: its route, its JSON body and the deployment it calls. Worked out only by a guard
that needs it, once per request, and kept on the call for the other guards and the handler."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from emulator.resource.deployments import Deployment
from emulator.surfaces import Surface

if TYPE_CHECKING:
    from emulator.http.routing import Call

# The operations that run a model on a deployment: what rate limits and latency apply to.
INFERENCE = frozenset({"create_chat_completion", "create_completion", "create_response"})


def route(call: Call) -> str:
    """The operation's path template on the surface it came in by, as `/deployments/{deployment_id}/...`."""
    for surface, path in call.operation.paths:
        if surface is call.surface:
            return path
    return call.operation.paths[0][1]


def route_matches(call: Call, wanted: str) -> bool:
    """`/chat/completions` names the operation on every surface, the dated one's deployment prefix too."""
    path = route(call)
    if path == wanted:
        return True
    prefix = "/deployments/{deployment_id}"
    return path.startswith(prefix) and path[len(prefix) :] == wanted


async def body_json(call: Call) -> dict[str, Any] | None:
    """The body as a JSON object; None when it is not one (the handler says what is wrong with it)."""
    if "json" not in call.cache:
        raw = await call.body()
        try:
            parsed = json.loads(raw) if raw.strip() else None
        except ValueError:
            parsed = None
        call.cache["json"] = parsed if isinstance(parsed, dict) else None
    found: dict[str, Any] | None = call.cache["json"]
    return found


async def deployment(call: Call) -> Deployment | None:
    """The deployment an inference request calls, as its handler finds it; None for other operations and
    for a name no deployment has (the handler answers that one)."""
    if "deployment" in call.cache:
        cached: Deployment | None = call.cache["deployment"]
        return cached
    found: Deployment | None = None
    registry = call.runtime.deployments
    named = call.path_params.get("deployment_id")
    if call.surface is Surface.AZURE and named:
        found = await registry.get(named)
    elif call.operation.name in INFERENCE:
        body = await body_json(call)
        model = body.get("model") if body else None
        if isinstance(model, str) and model:
            if call.surface is Surface.OPENAI:
                found = await registry.for_model(model)
            else:
                found = await registry.get(model)
    call.cache["deployment"] = found
    return found
