"""Deployments made through an API: the legacy data-plane routes (CONTRACT §8) and the emulator's own route.

Legacy deployments get a server-made id (`deployment-<32 hex>`) and start on the clock (see
emulator/resource/deployments.py::deployment_status); the emulator's route takes a name of the user's choosing and
deploys at once, standing in for Azure Resource Manager on the modern api-versions. Both are stored, and
route inference only once `succeeded`. A fine-tuned model may have one deployment, and cannot be deleted
while it has it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from emulator.api._shared.serving import deployment_of
from emulator.api.deployments.schemas import (
    CreateDeployment,
    EmulatorDeployment,
    ScaleSettings,
    UpdateDeployment,
)
from emulator.control.api import DEPLOYMENTS_PATH as PATH
from emulator.errors import ApiError, Conflict, InvalidRequest, ObjectNotFound, ResourceNotFound
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_body
from emulator.model.catalog import BaseModel, FineTunedModel, base_model
from emulator.resource.deployments import LEGACY_OWNER, READY_SECONDS, Deployment, StoredDeployment
from emulator.surfaces import Surface

if TYPE_CHECKING:
    from emulator.runtime import Runtime

A = Surface.AZURE
_FEATURE = "legacy_deployments"


class RouteConflict(Conflict):
    """A conflict on the emulator's own route, which stands in for Azure Resource Manager: a 409, though
    the route answers in OpenAI's envelope (where a conflict is otherwise a 400)."""

    openai_code = "conflict"

    def status_for(self, surface: Surface) -> int:
        return 409


async def find_model(
    runtime: Runtime, model: str, param: str
) -> tuple[BaseModel | None, FineTunedModel | None]:
    """The catalog model or the succeeded fine-tuned model named `model`, or a 400 naming `param`."""
    found = base_model(model)
    if found is not None:
        return found, None
    tuned = next((m for m in await runtime.list_fine_tuned_models() if m.id == model), None)
    if tuned is None:
        raise InvalidRequest(
            f"The model '{model}' does not exist: deploy a base model listed by GET /openai/models, or a "
            "fine-tuned model whose job succeeded.",
            param=param,
        )
    return base_model(tuned.base_model), tuned


def check_single(
    runtime: Runtime, model: str, param: str, *, but: str | None = None, conflict: type[Conflict] = Conflict
) -> None:
    """Only one deployment is permitted for a customized model."""
    existing = deployment_of(runtime, model, but=but)
    if existing is not None:
        raise conflict(
            f"The customized model '{model}' already has a deployment, '{existing.name}'; only one "
            "deployment is permitted for a customized model. Use that deployment, or delete it first.",
            param=param,
        )


def check_scale(settings: ScaleSettings, model: BaseModel | None, model_id: str) -> dict[str, Any]:
    """`scale_settings` as the service keeps it. Written out rather than typed: the scale types allowed
    are the model's, and what `capacity` may be depends on the type. `standard` takes no capacity;
    seed 003 sends `"capacity": "None"` with it, which means none."""
    scale_type = settings.scale_type
    allowed = model.scale_types if model is not None else ("standard",)
    if scale_type not in allowed:
        raise InvalidRequest(
            f"Invalid 'scale_settings.scale_type': '{scale_type}'. Model '{model_id}' supports "
            f"{', '.join(repr(t) for t in allowed)}.",
            param="scale_settings.scale_type",
        )
    capacity = settings.capacity
    if scale_type == "standard":
        if capacity not in (None, "None"):
            raise InvalidRequest(
                "Invalid 'scale_settings.capacity': the 'standard' scale type takes no capacity.",
                param="scale_settings.capacity",
            )
        return {"scale_type": "standard"}
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        raise InvalidRequest(
            "Invalid 'scale_settings.capacity': the 'manual' scale type needs a whole number of at least 1.",
            param="scale_settings.capacity",
        )
    return {"scale_type": "manual", "capacity": capacity}


def render(d: StoredDeployment, now: float) -> dict[str, Any]:
    return {
        "object": "deployment",
        "id": d.name,
        "status": d.status(now),
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "model": d.model,
        "owner": LEGACY_OWNER,
        "scale_settings": dict(d.scale_settings) or {"scale_type": "standard"},
    }


def _stored(call: Call, name: str, param: str = "deployment_id") -> StoredDeployment:
    found = call.runtime.deployments.stored_named(name)
    if found is None:
        raise ObjectNotFound("deployment", name, param=param)
    return found


async def _save(
    runtime: Runtime,
    deployment: StoredDeployment,
    check: Callable[[], None],
    previous: StoredDeployment | None = None,
) -> None:
    """Check the rules (`check` raises) and take the deployment's place in one step, so that requests
    racing on any thread cannot both pass; then store it, and give the place back if that fails."""
    registry = runtime.deployments
    with registry.lock:
        check()
        registry.put(deployment)
    try:
        await runtime.deployment_store.save(deployment)
    except BaseException:
        with registry.lock:
            if previous is None:
                registry.drop(deployment.name)
            else:
                registry.put(previous)
        raise
    # Read what a fine-tuned model learned now, so deleting its training file later changes nothing.
    await runtime.learned.of(deployment.model)


def _one_per_model(runtime: Runtime, model: str, tuned: bool, **options: Any) -> Callable[[], None]:
    """The check `_save` runs: only one deployment is permitted for a customized model."""
    return lambda: check_single(runtime, model, "model", **options) if tuned else None


# --- legacy data-plane API ---------------------------------------------------------------------------


async def list_deployments(call: Call) -> Response:
    now = call.runtime.clock.now()
    return json_response(
        {"object": "list", "data": [render(d, now) for d in call.runtime.deployments.stored()]}
    )


async def create_deployment(call: Call) -> Response:
    request, _ = parse_body(CreateDeployment, await call.body())
    runtime = call.runtime
    model_id = request.model
    model, tuned = await find_model(runtime, model_id, "model")
    scale = check_scale(request.scale_settings, model, model_id)
    single = _one_per_model(runtime, model_id, tuned is not None)
    single()
    now = runtime.clock.now()
    deployment = StoredDeployment(
        runtime.ids.prefixed_hex("deployment-"),
        model_id,
        "",
        scale,
        {},
        int(now),
        int(now),
        now,
        READY_SECONDS,
    )
    await _save(runtime, deployment, single)
    headers = {"Location": call.location(f"/deployments/{deployment.name}")}
    return json_response(render(deployment, now), 201, headers)


async def get_deployment(call: Call) -> Response:
    return json_response(render(_stored(call, call.path_params["deployment_id"]), call.runtime.clock.now()))


async def update_deployment(call: Call) -> Response:
    runtime = call.runtime
    name = call.path_params["deployment_id"]
    current = runtime.deployments.stored_named(name)
    if current is None:  # the update's one error, 409, covers a deployment that does not exist (§8)
        raise Conflict(f"The deployment '{name}' does not exist.", param="deployment_id")
    now = runtime.clock.now()
    if current.status(now) != "succeeded":
        raise Conflict(
            f"The deployment '{current.name}' is in a non-terminal state ({current.status(now)}); update it "
            "once its status is 'succeeded'.",
            param="deployment_id",
        )
    request, _ = parse_body(UpdateDeployment, await call.body())
    sent = request.model_fields_set
    model_id = request.model if "model" in sent else current.model
    model, tuned = await find_model(runtime, model_id, "model")
    scale_settings = (
        request.scale_settings if "scale_settings" in sent else ScaleSettings(**current.scale_settings)
    )
    scale = check_scale(scale_settings, model, model_id)
    single = _one_per_model(runtime, model_id, tuned is not None, but=current.name)
    single()
    # An update starts the deployment again: `running`, then `succeeded` once READY_SECONDS have passed.
    updated = StoredDeployment(
        current.name,
        model_id,
        current.version,
        scale,
        current.settings,
        current.created_at,
        int(now),
        now - READY_SECONDS / 10,
        READY_SECONDS,
    )
    await _save(runtime, updated, single, previous=current)
    return json_response(render(updated, now))


async def _remove(runtime: Runtime, name: str) -> None:
    await runtime.deployment_store.delete(name)
    runtime.deployments.drop(name)


async def delete_deployment(call: Call) -> Response:
    await _remove(call.runtime, _stored(call, call.path_params["deployment_id"]).name)
    return Response(status_code=204)


async def misplaced_completion(call: Call) -> Response:
    name = call.path_params["deployment_id"]
    raise ResourceNotFound(
        f"There is no POST operation at /openai/deployments/{name}. To call the deployment, POST to "
        f"/openai/deployments/{name}/completions (a prompt) or /openai/deployments/{name}/chat/completions "
        "(messages)."
    )


# --- the emulator's own route ------------------------------------------------------------------------


def render_emulated(d: Deployment, stored: StoredDeployment | None, now: float) -> dict[str, Any]:
    body: dict[str, Any] = {**d.to_json(), "source": "api" if stored else "declared", "status": "succeeded"}
    if stored is not None:
        body.update(status=stored.status(now), created_at=stored.created_at)
    return body


async def emulator_create(call: Call) -> Response:
    request, _ = parse_body(EmulatorDeployment, await call.body())
    runtime = call.runtime
    name = request.name

    def name_free() -> None:
        if runtime.deployments.declared(name) or runtime.deployments.stored_named(name):
            raise RouteConflict(
                f"A deployment named '{name}' already exists; delete it or choose another name.", param="name"
            )

    name_free()
    model_id, version, settings = request.model, request.version, request.settings
    versioned = f"{model_id}-{version}" if version else model_id
    _, tuned = await find_model(runtime, versioned, "model")
    single = _one_per_model(runtime, model_id, tuned is not None, conflict=RouteConflict)
    single()
    now = runtime.clock.now()
    sku = {} if request.sku is None or request.sku.capacity is None else {"sku": request.sku.model_dump()}
    stored = StoredDeployment(name, model_id, version, sku, settings, int(now), int(now), now, 0.0)

    def name_and_model_free() -> None:
        name_free()
        single()

    await _save(runtime, stored, name_and_model_free)
    return json_response(render_emulated(stored.deployment, stored, now), 201)


async def emulator_list(call: Call) -> Response:
    registry, now = call.runtime.deployments, call.runtime.clock.now()
    data = [render_emulated(d, registry.stored_named(d.name), now) for d in registry.all()]
    return json_response({"object": "list", "data": data})


def _emulated(call: Call) -> tuple[Deployment, StoredDeployment | None]:
    name = call.path_params["name"]
    registry = call.runtime.deployments
    stored = registry.stored_named(name)
    found = stored.deployment if stored else registry.declared(name)
    if found is None:
        raise ObjectNotFound("deployment", name, param="name")
    return found, stored


async def emulator_get(call: Call) -> Response:
    found, stored = _emulated(call)
    return json_response(render_emulated(found, stored, call.runtime.clock.now()))


async def emulator_delete(call: Call) -> Response:
    found, stored = _emulated(call)
    if stored is None:
        raise ApiError(
            f"The deployment '{found.name}' is declared by the emulator's deployments file or settings; "
            "change those to remove it.",
            param="name",
            openai_code="deployment_declared",
            status=409,
        )
    await _remove(call.runtime, found.name)
    return json_response({"name": found.name, "object": "deployment", "deleted": True})


_ALL = "/deployments"
_ONE = "/deployments/{deployment_id}"

OPERATIONS = (
    Operation(
        "list_deployments",
        "GET",
        ((A, _ALL),),
        list_deployments,
        Access.READ,
        feature=_FEATURE,
        action="deployments/read",
    ),
    Operation(
        "create_deployment",
        "POST",
        ((A, _ALL),),
        create_deployment,
        Access.WRITE,
        feature=_FEATURE,
        action="deployments/write",
    ),
    Operation(
        "get_deployment",
        "GET",
        ((A, _ONE),),
        get_deployment,
        Access.READ,
        feature=_FEATURE,
        action="deployments/read",
    ),
    Operation(
        "update_deployment",
        "PATCH",
        ((A, _ONE),),
        update_deployment,
        Access.WRITE,
        feature=_FEATURE,
        action="deployments/write",
    ),
    Operation(
        "delete_deployment",
        "DELETE",
        ((A, _ONE),),
        delete_deployment,
        Access.WRITE,
        feature=_FEATURE,
        action="deployments/delete",
    ),
    Operation(
        "misplaced_completion",
        "POST",
        ((A, _ONE),),
        misplaced_completion,
        Access.READ,
        action="deployments/completions/action",
    ),
    Operation(
        "emulator_list_deployments", "GET", ((None, PATH),), emulator_list, Access.READ, extension=True
    ),
    Operation(
        "emulator_create_deployment", "POST", ((None, PATH),), emulator_create, Access.WRITE, extension=True
    ),
    Operation(
        "emulator_get_deployment",
        "GET",
        ((None, PATH + "/{name}"),),
        emulator_get,
        Access.READ,
        extension=True,
    ),
    Operation(
        "emulator_delete_deployment",
        "DELETE",
        ((None, PATH + "/{name}"),),
        emulator_delete,
        Access.WRITE,
        extension=True,
    ),
)
