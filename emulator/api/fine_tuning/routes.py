"""Fine-tuning jobs (§6): create, list, retrieve, cancel, pause, resume, events, checkpoints, Azure delete.

A job's status, events and checkpoints are read off its timeline at the clock's `now`; the only thing a
read may write is the job's `results.csv`, made once, the first time the job is seen succeeded.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
from starlette.responses import Response

from emulator.api._shared.serving import refuse_if_deployed
from emulator.api.fine_tuning.history import JobFacts, checkpoints, events
from emulator.api.fine_tuning.schemas import JobFields, JobRequest
from emulator.errors import InvalidRequest, ObjectNotFound
from emulator.http.pagination import list_envelope, parse_page, slice_after
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_json_object, validate
from emulator.resource.files import FINE_TUNE, StoredFile
from emulator.resource.fine_tuning.lifecycle import (
    CANCEL,
    DELETE,
    PAUSE,
    RESUME,
    Phase,
    Style,
    Timeline,
    check_action,
    status_name,
)
from emulator.resource.fine_tuning.store import JobRecord, Snapshot
from emulator.resource.fine_tuning.training import (
    MIN_EXAMPLES,
    ORGANIZATION,
    durations,
    fine_tunable_names,
    fine_tuned_model_name,
    resolve_base_model,
    resolve_hyperparameters,
    results_csv,
)
from emulator.surfaces import Surface

if TYPE_CHECKING:
    from emulator.runtime import Runtime

A, V1, O = Surface.AZURE, Surface.AZURE_V1, Surface.OPENAI
RESULTS_PURPOSE = "fine-tune-results"
Body = TypeVar("Body", bound=JobFields)


def style_of(call: Call) -> Style:
    return Style.OPENAI if call.surface is O else Style.AZURE


def not_found(job_id: str, param: str = "fine_tuning_job_id") -> ObjectNotFound:
    return ObjectNotFound("fine-tuning job", job_id, param=param)


# --- the checks create shares with the legacy API -------------------------------------------------------


async def check_base_model(runtime: Runtime, model: str, *, legacy: bool) -> tuple[str, str]:
    """(the model the job trains from, the base snapshot under it). A current job may also continue
    training one of the resource's fine-tuned models."""
    base = resolve_base_model(model, legacy=legacy)
    if base is not None:
        return base, base
    if not legacy:
        tuned = next((m for m in await runtime.list_fine_tuned_models() if m.id == model), None)
        if tuned is not None and resolve_base_model(tuned.base_model, legacy=False):
            return model, tuned.base_model
    hint = ""
    if not legacy and resolve_base_model(model, legacy=True):
        hint = " It is a legacy base model: train it through /openai/fine-tunes with api-version 2023-05-15."
    elif legacy and resolve_base_model(model, legacy=False):
        hint = " Train current models through /fine_tuning/jobs."
    raise InvalidRequest(
        f"Model '{model}' cannot be fine-tuned here.{hint} Fine-tunable models: {fine_tunable_names(legacy=legacy)}.",
        param="model",
        code="model_not_available",
    )


async def check_training_file(runtime: Runtime, file_id: str, param: str, *, minimum: int) -> StoredFile:
    """A file a job may train or validate on: known, of purpose fine-tune, processed, with enough examples."""
    stored = await runtime.files.get(file_id)
    if stored is None:
        raise InvalidRequest(f"Invalid file '{file_id}': no such file. Upload it first.", param=param)
    if stored.purpose != FINE_TUNE:
        raise InvalidRequest(
            f"Invalid file '{file_id}': its purpose is '{stored.purpose}'; a job needs a file uploaded with "
            "purpose 'fine-tune'.",
            param=param,
        )
    if stored.status != "processed" or stored.examples is None:
        details = f": {stored.status_details}" if stored.status_details else ""
        raise InvalidRequest(
            f"Invalid file '{file_id}': it is not processed (status '{stored.status}'{details}).", param=param
        )
    if stored.examples < minimum:
        raise InvalidRequest(
            f"Invalid file '{file_id}': it has {stored.examples} example(s); a fine-tuning job needs at least "
            f"{minimum}.",
            param=param,
            code="invalid_n_examples",
        )
    return stored


def _first_example(path: Path) -> Any:
    with open(path, "rb") as handle:
        for raw in handle:
            text = raw.decode("utf-8-sig").strip()
            if text:
                return json.loads(text)
    return None


async def data_problem(runtime: Runtime, stored: StoredFile, *, legacy: bool) -> str | None:
    """Why the file's data cannot train this kind of model (found when the job validates), or None."""
    example = await anyio.to_thread.run_sync(_first_example, runtime.files.content_path(stored))
    chat = isinstance(example, dict) and "messages" in example
    if legacy and chat:
        return "it is in the chat format (messages), but legacy base models train on prompt/completion pairs"
    if not legacy and not chat:
        return "it is in the prompt/completion format, but chat models train on conversations ('messages')"
    return None


def new_seed(runtime: Runtime, value: int | None) -> int:
    return int(runtime.ids.hex(8), 16) % 2_147_483_648 if value is None else value


# --- create --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateRequest:
    """The fields every create (current or legacy) checks the same way."""

    model: str  # what the job trains: a base model, or a fine-tuned model to train further
    base: str  # the base snapshot under it, which names the new model
    training_id: str
    validation_id: str | None
    suffix: str | None
    seed: int


def read_body(model: type[Body], data: dict[str, Any], style: Style) -> Body:
    return validate(model, data, context={"style": style})


async def check_create(runtime: Runtime, fields: JobFields, style: Style) -> CreateRequest:
    source, base = await check_base_model(runtime, fields.model, legacy=style is Style.LEGACY)
    return CreateRequest(
        source,
        base,
        fields.training_file,
        fields.validation_file,
        fields.suffix,
        new_seed(runtime, fields.seed),
    )


async def read_files(
    runtime: Runtime, request: CreateRequest, minimum: int
) -> tuple[StoredFile, StoredFile | None]:
    training = await check_training_file(runtime, request.training_id, "training_file", minimum=minimum)
    validation = (
        await check_training_file(runtime, request.validation_id, "validation_file", minimum=minimum)
        if request.validation_id
        else None
    )
    return training, validation


async def create_job(call: Call) -> Response:
    runtime = call.runtime
    job = await create_from(runtime, parse_json_object(await call.body()), style_of(call))
    snapshot = await runtime.jobs.snapshot()
    body = render_job(job, snapshot.timelines[job.id], runtime.clock.now(), call.surface)
    if call.surface is O:
        return json_response(body)
    return json_response(body, 201, {"Location": call.location(f"/fine_tuning/jobs/{job.id}")})


async def create_from(runtime: Runtime, data: dict[str, Any], style: Style) -> JobRecord:
    """A job from a create request's body, checked as `POST /fine_tuning/jobs` checks it (the route and
    the distillation extension both create through here)."""
    fields = read_body(JobRequest, data, style)
    request = await check_create(runtime, fields, style)
    files = await read_files(runtime, request, MIN_EXAMPLES)
    extra = {"metadata": fields.metadata, "integrations": fields.integrations, "method": fields.method_echo()}
    return await new_job(runtime, style, request, files, fields.requested(), extra)


async def new_job(
    runtime: Runtime,
    style: Style,
    request: CreateRequest,
    files: tuple[StoredFile, StoredFile | None],
    requested: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> JobRecord:
    """Record a job whose files passed the create-time checks; its schedule is fixed from here on."""
    legacy = style is Style.LEGACY
    training, validation = files
    job_id = runtime.ids.prefixed_hex("ft-" if legacy else "ftjob-")
    base = request.base
    assert training.statistics is not None
    hyper = resolve_hyperparameters(requested, training.statistics["examples"], legacy=legacy)
    validation_stats = validation.statistics if validation is not None else None
    validate_seconds, train_seconds = durations(
        training.statistics["tokens"],
        validation_stats["tokens"] if validation_stats else 0,
        hyper.n_epochs,
        runtime.settings.fine_tuning_speed,
    )
    problem = await data_problem(runtime, training, legacy=legacy)
    job = JobRecord(
        id=job_id,
        style=style,
        created_at=runtime.clock.now(),
        model=request.model,
        fine_tuned_model=fine_tuned_model_name(style, base, job_id, request.suffix),
        training_file=training.id,
        validation_file=validation.id if validation else None,
        spec={
            **extra,
            "base_model": base,
            "suffix": request.suffix,
            "seed": request.seed,
            "hyperparameters": hyper.to_json(),
            "training": dict(training.statistics),
            "validation": dict(validation_stats) if validation_stats else None,
        },
        validate_seconds=validate_seconds,
        train_seconds=train_seconds,
        failure=problem,
    )
    await runtime.jobs.create(job)
    return job


# --- reading -------------------------------------------------------------------------------------------


def facts(job: JobRecord) -> JobFacts:
    return JobFacts(
        job.id, job.style, job.training_file, job.validation_file, job.fine_tuned_model, job.failure
    )


def job_error(job: JobRecord) -> dict[str, Any]:
    return {
        "code": "invalid_training_file",
        "message": f"The job failed: training file {job.training_file} cannot be used: {job.failure}.",
        "param": "training_file",
    }


def render_job(job: JobRecord, timeline: Timeline, now: float, surface: Surface | None) -> dict[str, Any]:
    """The job in the surface's words. Azure's dated API leaves out what has no value yet (its schema
    has no nulls); `/openai/v1` answers with the OpenAI field set and Azure's statuses."""
    style = Style.OPENAI if surface is O else Style.AZURE
    phase = timeline.phase_at(now)
    succeeded = phase is Phase.SUCCEEDED
    ended = timeline.ended_at
    hyper = job.hyperparameters.to_json()
    method_type = (job.spec.get("method") or {}).get("type", "supervised")
    body: dict[str, Any] = {
        "object": "fine_tuning.job",
        "id": job.id,
        "created_at": int(job.created_at),
        "model": job.model,
        "training_file": job.training_file,
        "validation_file": job.validation_file,
        "status": status_name(phase, style),
        "fine_tuned_model": job.fine_tuned_model if succeeded else None,
        "finished_at": int(ended) if phase.is_final and ended is not None else None,
        "estimated_finish": int(ended) if not phase.is_final and ended is not None else None,
        "hyperparameters": hyper,
        "method": {"type": method_type, method_type: {"hyperparameters": hyper}},
        "result_files": [job.result_file] if succeeded and job.result_file else [],
        "trained_tokens": job.training.trained_tokens if succeeded else None,
        "error": job_error(job) if phase is Phase.FAILED else None,
        "seed": job.spec["seed"],
        "suffix": job.spec.get("suffix"),
        "integrations": job.spec.get("integrations"),
    }
    if surface is A:
        body["organisation_id"] = ""
        return {key: value for key, value in body.items() if value is not None}
    body["organization_id"] = f"org-{ORGANIZATION}"
    body["metadata"] = job.spec.get("metadata")
    body["user_provided_suffix"] = job.spec.get("suffix")
    return body


async def with_results(runtime: Runtime, job: JobRecord, snapshot: Snapshot) -> tuple[JobRecord, Snapshot]:
    """The job, with its results.csv written if it has succeeded and has none yet (once, however many ask)."""
    now = runtime.clock.now()
    if job.result_file or not snapshot.succeeded_by(job, now):
        return job, snapshot
    # Two requests may both get here; the first to record its file wins and the other deletes its own.
    content = await anyio.to_thread.run_sync(results_csv, job.training, job.style)
    stored = await runtime.files.create_from_bytes("results.csv", RESULTS_PURPOSE, content)
    if not await runtime.jobs.set_result_file(job.id, stored.id):
        await runtime.files.delete(stored.id)
    snapshot = await runtime.jobs.snapshot()
    return snapshot.get(job.id) or job, snapshot


async def find_job(call: Call, job_id: str, *, legacy: bool = False) -> tuple[JobRecord, Snapshot]:
    snapshot = await call.runtime.jobs.snapshot()
    job = snapshot.get(job_id)
    if job is None or (job.style is Style.LEGACY) != legacy:
        raise not_found(job_id, "fine_tune_id" if legacy else "fine_tuning_job_id")
    return await with_results(call.runtime, job, snapshot)


async def _answer(call: Call, job_id: str) -> Response:
    job, snapshot = await find_job(call, job_id)
    return json_response(render_job(job, snapshot.timelines[job.id], call.runtime.clock.now(), call.surface))


async def retrieve_job(call: Call) -> Response:
    return await _answer(call, call.path_params["job_id"])


def _metadata_filter(call: Call) -> Any:
    """OpenAI's `metadata[k]=v` pairs (all must match), or `metadata=null` for jobs without any."""
    if call.query.get("metadata") == "null":
        return None
    wanted: dict[str, str] = {}
    for key, value in call.request.query_params.multi_items():
        if key.startswith("metadata[") and key.endswith("]"):
            wanted[key[len("metadata[") : -1]] = value
    return wanted


def _matches(job: JobRecord, wanted: Any) -> bool:
    metadata = job.spec.get("metadata") or {}
    if wanted is None:
        return not metadata
    return all(metadata.get(k) == v for k, v in wanted.items())


async def list_jobs(call: Call) -> Response:
    runtime = call.runtime
    page = parse_page(call.query, default_limit=20, max_limit=100, default_order="desc")
    snapshot = await runtime.jobs.snapshot()
    wanted = _metadata_filter(call) if call.surface is O else {}
    jobs = {
        j.id: j for j in reversed(snapshot.visible()) if j.style is not Style.LEGACY and _matches(j, wanted)
    }
    found = slice_after([{"id": job_id} for job_id in jobs], page.after, page.limit)
    if found is None:
        if call.surface is O:
            raise not_found(page.after or "", "after")
        found = ([], False)
    ids, has_more = found
    now = runtime.clock.now()
    data = []
    for item in ids:
        job, snapshot = await with_results(runtime, jobs[item["id"]], snapshot)
        data.append(render_job(job, snapshot.timelines[job.id], now, call.surface))
    return json_response(list_envelope(data, has_more, ids=False))


async def act(
    call: Call,
    job_id: str,
    action: str,
    *,
    legacy: bool = False,
    refuse: Callable[[JobRecord], Awaitable[None]] | None = None,
) -> None:
    """Record `action` at `now` if the job's phase allows it; else the service's conflict error.
    `refuse`: a further check on the job found, raising to refuse (a delete refuses a deployed model)."""
    style = Style.LEGACY if legacy else style_of(call)
    job, _ = await find_job(call, job_id, legacy=legacy)
    if refuse is not None:
        await refuse(job)
    try:
        await call.runtime.jobs.act(
            job.id, action, call.runtime.clock.now(), lambda phase: check_action(action, phase, job.id, style)
        )
    except LookupError:
        raise not_found(job_id, "fine_tune_id" if legacy else "fine_tuning_job_id") from None


async def cancel_job(call: Call) -> Response:
    await act(call, call.path_params["job_id"], CANCEL)
    return await _answer(call, call.path_params["job_id"])


async def pause_job(call: Call) -> Response:
    await act(call, call.path_params["job_id"], PAUSE)
    return await _answer(call, call.path_params["job_id"])


async def resume_job(call: Call) -> Response:
    await act(call, call.path_params["job_id"], RESUME)
    return await _answer(call, call.path_params["job_id"])


def refuse_deployed(call: Call) -> Callable[[JobRecord], Awaitable[None]]:
    """Deleting a job deletes its model, which a deployment may not lose."""
    return lambda job: refuse_if_deployed(call.runtime, job.fine_tuned_model)


async def delete_job(call: Call) -> Response:
    await act(call, call.path_params["job_id"], DELETE, refuse=refuse_deployed(call))
    return Response(status_code=204)


def _paged(call: Call, items: list[dict[str, Any]], default_limit: int, what: str) -> tuple[list[Any], bool]:
    page = parse_page(call.query, default_limit=default_limit, max_limit=100, default_order="desc")
    found = slice_after(items, page.after, page.limit)
    if found is None:
        if call.surface is O:
            raise ObjectNotFound(what, page.after or "", param="after")
        return [], False
    return found


async def list_job_events(call: Call) -> Response:
    job, snapshot = await find_job(call, call.path_params["job_id"])
    now = call.runtime.clock.now()
    style = style_of(call)
    items = [
        {
            "object": "fine_tuning.job.event",
            "id": event.id(job.id),
            "created_at": int(event.at),
            "level": "warn" if style is Style.OPENAI and event.level == "warning" else event.level,
            "message": event.message,
            "type": event.type,
            # OpenAI types `data` as an object; Azure leaves it out of message events.
            **({"data": event.data or {}} if style is Style.OPENAI or event.data else {}),
        }
        for event in reversed(events(facts(job), snapshot.timelines[job.id], job.training, now))
    ]
    data, has_more = _paged(call, items, 20, "fine-tuning job event")
    return json_response(list_envelope(data, has_more, ids=False))


async def list_job_checkpoints(call: Call) -> Response:
    job, snapshot = await find_job(call, call.path_params["job_id"])
    now = call.runtime.clock.now()
    items = [
        {
            "object": "fine_tuning.job.checkpoint",
            "id": checkpoint.id(job.id),
            "created_at": int(checkpoint.at),
            "fine_tuned_model_checkpoint": f"{job.fine_tuned_model}:ckpt-step-{checkpoint.step}",
            "step_number": checkpoint.step,
            "metrics": checkpoint.metrics,
            "fine_tuning_job_id": job.id,
        }
        for checkpoint in reversed(checkpoints(snapshot.timelines[job.id], job.training, now))
    ]
    data, has_more = _paged(call, items, 10, "fine-tuning job checkpoint")
    return json_response(list_envelope(data, has_more, ids=call.surface is O))


_JOBS = "/fine_tuning/jobs"
_ONE = "/fine_tuning/jobs/{job_id}"
_ALL = (A, V1, O)


def _on_all(path: str) -> tuple[tuple[Surface, str], ...]:
    return tuple((surface, path) for surface in _ALL)


OPERATIONS = (
    Operation(
        "create_job",
        "POST",
        _on_all(_JOBS),
        create_job,
        Access.WRITE,
        feature="fine_tuning_jobs",
        action="fine-tunes/write",
    ),
    Operation(
        "list_jobs",
        "GET",
        _on_all(_JOBS),
        list_jobs,
        Access.READ,
        feature="fine_tuning_jobs",
        action="fine-tunes/read",
    ),
    Operation(
        "retrieve_job",
        "GET",
        _on_all(_ONE),
        retrieve_job,
        Access.READ,
        feature="fine_tuning_jobs",
        action="fine-tunes/read",
    ),
    Operation(
        "delete_job",
        "DELETE",
        ((A, _ONE),),
        delete_job,
        Access.WRITE,
        feature="fine_tuning_jobs",
        action="fine-tunes/delete",
    ),
    Operation(
        "cancel_job",
        "POST",
        _on_all(_ONE + "/cancel"),
        cancel_job,
        Access.WRITE,
        feature="fine_tuning_jobs",
        action="fine-tunes/write",
    ),
    Operation(
        "pause_job",
        "POST",
        _on_all(_ONE + "/pause"),
        pause_job,
        Access.WRITE,
        feature="fine_tuning_pause",
        action="fine-tunes/write",
    ),
    Operation(
        "resume_job",
        "POST",
        _on_all(_ONE + "/resume"),
        resume_job,
        Access.WRITE,
        feature="fine_tuning_pause",
        action="fine-tunes/write",
    ),
    Operation(
        "list_job_events",
        "GET",
        _on_all(_ONE + "/events"),
        list_job_events,
        Access.READ,
        feature="fine_tuning_jobs",
        action="fine-tunes/read",
    ),
    Operation(
        "list_job_checkpoints",
        "GET",
        _on_all(_ONE + "/checkpoints"),
        list_job_checkpoints,
        Access.READ,
        feature="fine_tuning_checkpoints",
        action="fine-tunes/read",
    ),
)
