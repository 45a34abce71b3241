"""Models: list and get the base models and the resource's fine-tuned models; OpenAI's delete.

Azure answers in its model shape (capabilities, lifecycle, deprecation; `updated_at` on the
2022/2023 api-versions, `scale_types` instead of `chat_completion` up to 2023-03-15-preview); OpenAI in
its own (`created`, `owned_by`). Azure v1 answers the Azure shape plus OpenAI's `created` and
`owned_by`, which plain OpenAI clients pointed at it read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response

from emulator.api._shared.serving import refuse_if_deployed
from emulator.errors import ApiError, ObjectNotFound
from emulator.http import versions
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.model.catalog import BaseModel, FineTuneApi, FineTunedModel, Lifecycle, base_model, base_models
from emulator.surfaces import Surface

A, V1, O = Surface.AZURE, Surface.AZURE_V1, Surface.OPENAI
# Fine-tuned models are served for two years after training, as the service documents.
FINE_TUNED_INFERENCE_SECONDS = 2 * 365 * 86_400


def _version_has(call: Call, feature: str) -> bool:
    """Whether the request's Azure dated api-version has `feature` (other surfaces: no dated shapes)."""
    return (
        call.surface is A
        and call.api_version is not None
        and versions.FEATURES[feature].available_in(call.api_version)
    )


def _lifecycle(call: Call, lifecycle: Lifecycle) -> str:
    # `deprecating` and `deprecated` exist from 2025-04-01-preview on; older versions knew only these two.
    if (
        lifecycle in (Lifecycle.DEPRECATING, Lifecycle.DEPRECATED)
        and call.surface is A
        and not versions.supports("model_deprecation_states", call.api_version)
    ):
        return Lifecycle.GENERALLY_AVAILABLE.value
    return lifecycle.value


def _capabilities(call: Call, *, fine_tune: bool, model: BaseModel | None) -> dict[str, Any]:
    capabilities: dict[str, Any] = {
        "fine_tune": fine_tune,
        "inference": True,
        "completion": model.completion if model else False,
        "chat_completion": model.chat_completion if model else True,
        "embeddings": model.embeddings if model else False,
    }
    if _version_has(call, "model_scale_types"):
        del capabilities["chat_completion"]
        capabilities["scale_types"] = list(model.scale_types) if model else ["standard"]
    return capabilities


def _azure_extras(call: Call, body: dict[str, Any], created: int, owned_by: str) -> dict[str, Any]:
    if _version_has(call, "legacy_shapes"):
        body["updated_at"] = created
    if call.surface is V1:
        body["created"] = created
        body["owned_by"] = owned_by
    return body


def _fine_tunable_here(call: Call, model: BaseModel) -> bool:
    """A model's `fine_tune` capability as the request's API sees it: the legacy api-versions train the
    GPT-3 models through fine-tunes, the others train chat models through jobs."""
    wanted = FineTuneApi.LEGACY if _version_has(call, "legacy_shapes") else FineTuneApi.JOBS
    return model.fine_tune_api is wanted


def render_base(call: Call, model: BaseModel) -> dict[str, Any]:
    if call.surface is O:
        shutdown = None
        if model.lifecycle in (Lifecycle.DEPRECATING, Lifecycle.DEPRECATED):
            shutdown = model.inference_until
        return {
            "id": model.id,
            "object": "model",
            "created": model.created_at,
            "owned_by": model.owned_by,
            "shutdown_date": shutdown,
        }
    deprecation: dict[str, int] = {"inference": model.inference_deprecation}
    if model.fine_tune_deprecation is not None:
        deprecation = {"fine_tune": model.fine_tune_deprecation, **deprecation}
    body = {
        "object": "model",
        "id": model.id,
        "created_at": model.created_at,
        "status": "succeeded",
        "model": None,
        "fine_tune": None,
        "capabilities": _capabilities(call, fine_tune=_fine_tunable_here(call, model), model=model),
        "lifecycle_status": _lifecycle(call, model.lifecycle),
        "deprecation": deprecation,
    }
    return _azure_extras(call, body, model.created_at, model.owned_by)


def render_fine_tuned(call: Call, model: FineTunedModel) -> dict[str, Any]:
    retired = model.created_at + FINE_TUNED_INFERENCE_SECONDS
    if call.surface is O:
        return {
            "id": model.id,
            "object": "model",
            "created": model.created_at,
            "owned_by": model.owned_by,
            "shutdown_date": dt.datetime.fromtimestamp(retired, dt.timezone.utc).date().isoformat(),
        }
    body = {
        "object": "model",
        "id": model.id,
        "created_at": model.created_at,
        "status": "succeeded",
        "model": model.base_model,
        "fine_tune": model.job_id,
        "capabilities": _capabilities(call, fine_tune=False, model=base_model(model.base_model)),
        "lifecycle_status": Lifecycle.GENERALLY_AVAILABLE.value,
        "deprecation": {"inference": retired},
    }
    return _azure_extras(call, body, model.created_at, model.owned_by)


async def _all(call: Call) -> list[tuple[str, dict[str, Any]]]:
    found = [(m.id, render_base(call, m)) for m in base_models(azure=call.surface is not O)]
    found += [(m.id, render_fine_tuned(call, m)) for m in await call.runtime.list_fine_tuned_models()]
    return found


def not_found(call: Call, model_id: str) -> ApiError:
    if call.surface is O:
        return ApiError(
            f"The model '{model_id}' does not exist or you do not have access to it.",
            param="model",
            openai_code="model_not_found",
            status=404,
        )
    return ObjectNotFound("model", model_id, param="model_id")


async def list_models(call: Call) -> Response:
    return json_response({"object": "list", "data": [body for _, body in await _all(call)]})


async def retrieve_model(call: Call) -> Response:
    model_id = call.path_params["model_id"]
    for found_id, body in await _all(call):
        if found_id == model_id:
            return json_response(body)
    raise not_found(call, model_id)


async def delete_model(call: Call) -> Response:
    model_id = call.path_params["model_id"]
    await refuse_if_deployed(call.runtime, model_id)
    if await call.runtime.delete_fine_tuned_model(model_id):
        return json_response({"id": model_id, "object": "model", "deleted": True})
    if base_model(model_id) is not None:
        raise ApiError(
            f"You cannot delete '{model_id}': it is a base model. Only the fine-tuned models of your "
            "organization can be deleted.",
            param="model",
            openai_code="model_not_deletable",
            status=403,
        )
    raise not_found(call, model_id)


OPERATIONS = (
    Operation(
        "list_models",
        "GET",
        ((A, "/models"), (V1, "/models"), (O, "/models")),
        list_models,
        Access.READ,
        feature="models",
        action="models/read",
    ),
    Operation(
        "retrieve_model",
        "GET",
        ((A, "/models/{model_id}"), (V1, "/models/{model_id}"), (O, "/models/{model_id}")),
        retrieve_model,
        Access.READ,
        feature="models",
        action="models/read",
    ),
    Operation(
        "delete_model",
        "DELETE",
        ((O, "/models/{model_id}"),),
        delete_model,
        Access.WRITE,
        action="models/delete",
    ),
)
