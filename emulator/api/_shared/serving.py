"""Which deployment answers a request on each surface, and what a deployment keeps from being deleted."""

from __future__ import annotations

from typing import Any

from emulator.errors import Conflict, DeploymentNotFound, InvalidRequest, ModelNotFound
from emulator.http.routing import Call
from emulator.model.catalog import base_model
from emulator.resource.deployments import Deployment, StoredDeployment
from emulator.runtime import Runtime
from emulator.surfaces import Surface


async def fine_tuned_by_name(runtime: Runtime, model: str) -> Deployment | None:
    """OpenAI serves a fine-tuned model by its name, with no deployment: what stands in for one, or None
    if `model` is not a fine-tuned model of this resource that can answer now (its job succeeded and the
    model was not deleted). Azure routes still need a deployment."""
    if base_model(model) is not None:
        return None
    if not any(found.id == model for found in await runtime.list_fine_tuned_models()):
        return None
    return Deployment(model, model, "")


async def deployment_for(call: Call, model: Any) -> Deployment:
    """The deployment that answers a model-serving request (chat, legacy completions, responses): on
    Azure's dated routes the one the path names (or, on a route whose path names none, as responses', the
    one `model` names); on Azure v1 the one `model` names; on OpenAI any deployment of the model `model`
    names, or a fine-tuned model of this resource by its name."""
    registry = call.runtime.deployments
    if call.surface is Surface.AZURE and "deployment_id" in call.path_params:
        found = await registry.get(call.path_params["deployment_id"])
        if found is None:
            raise DeploymentNotFound()
        return found
    # Required only where the surface names what answers by it, so checked here rather than typed.
    if not isinstance(model, str) or not model:
        raise InvalidRequest(
            "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
        )
    if call.surface is not Surface.OPENAI:
        found = await registry.get(model)
        if found is None:
            raise DeploymentNotFound()
        return found
    found = await registry.for_model(model) or await fine_tuned_by_name(call.runtime, model)
    if found is None:
        raise ModelNotFound(model)
    return found


async def refuse_if_deployed(runtime: Runtime, model: str) -> None:
    """A customized model with a deployment cannot be deleted (legacy fine-tune delete, model delete)."""
    existing = deployment_of(runtime, model)
    if existing is not None:
        raise Conflict(
            f"The customized model '{model}' has a deployment, '{existing.name}', and cannot be deleted. "
            f"Delete the deployment first (DELETE /openai/deployments/{existing.name}), then the model.",
            param="model",
        )


def deployment_of(runtime: Runtime, model: str, *, but: str | None = None) -> StoredDeployment | None:
    return next((d for d in runtime.deployments.stored() if d.model == model and d.name != but), None)
