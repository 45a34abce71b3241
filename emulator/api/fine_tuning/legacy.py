"""Legacy fine-tunes (§7, Azure 2022-12-01 / 2023-05-15): `/openai/fine-tunes`, as seed 003 drives them.

The same jobs and state machine as the current API, in the legacy shape: `hyperparams`, full file
objects, `canceled`, events inline, and an SSE event stream that ends with `data: [DONE]` when the job
has finished.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.responses import Response, StreamingResponse

from emulator.api._shared.file_object import render as render_file
from emulator.api.fine_tuning.history import events
from emulator.api.fine_tuning.routes import (
    act,
    check_create,
    facts,
    find_job,
    new_job,
    read_body,
    read_files,
    refuse_deployed,
    with_results,
)
from emulator.api.fine_tuning.schemas import LegacyFineTuneRequest
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_json_object
from emulator.resource.fine_tuning.lifecycle import CANCEL, DELETE, Phase, Style, status_name
from emulator.resource.fine_tuning.store import JobRecord, Snapshot
from emulator.surfaces import Surface

A = Surface.AZURE
STREAM_POLL_SECONDS = 0.2  # how often an open event stream looks at the clock again


async def _file_objects(call: Call, file_ids: list[str]) -> list[dict[str, Any]]:
    found = []
    for file_id in file_ids:
        stored = await call.runtime.files.get(file_id)
        # A file deleted after the job was made is still named, as the service names it: deleted.
        found.append(
            render_file(stored, call) if stored else {"object": "file", "id": file_id, "status": "deleted"}
        )
    return found


def _event(event: Any) -> dict[str, Any]:
    return {
        "object": "fine-tune-event",
        "created_at": int(event.at),
        "level": event.level,
        "message": event.message,
    }


def _events(job: JobRecord, snapshot: Snapshot, now: float) -> list[dict[str, Any]]:
    return [_event(e) for e in events(facts(job), snapshot.timelines[job.id], job.training, now)]


async def render_fine_tune(call: Call, job: JobRecord, snapshot: Snapshot) -> dict[str, Any]:
    now = call.runtime.clock.now()
    timeline = snapshot.timelines[job.id]
    phase = timeline.phase_at(now)
    succeeded = phase is Phase.SUCCEEDED
    updated = max(at for at, _ in timeline.changes if at <= now) if timeline.changes[0][0] <= now else now
    hyperparams = {**job.hyperparameters.to_json(), **job.spec.get("hyperparams", {})}
    body: dict[str, Any] = {
        "object": "fine-tune",
        "id": job.id,
        "status": status_name(phase, Style.LEGACY),
        "created_at": int(job.created_at),
        "updated_at": int(updated),
        "model": job.model,
        "fine_tuned_model": job.fine_tuned_model if succeeded else None,
        "hyperparams": hyperparams,
        "training_files": await _file_objects(call, [job.training_file]),
        "validation_files": await _file_objects(call, [job.validation_file] if job.validation_file else []),
        "result_files": await _file_objects(call, [job.result_file] if succeeded and job.result_file else []),
        "events": _events(job, snapshot, now),
        "suffix": job.spec.get("suffix"),
    }
    body = {key: value for key, value in body.items() if value is not None}  # the legacy schema has no nulls
    if phase is Phase.FAILED:
        body["error"] = {
            "code": "invalidPayload",
            "message": f"Training file {job.training_file} cannot be used: {job.failure}.",
            "target": "training_file",
        }
    return body


async def create_fine_tune(call: Call) -> Response:
    runtime = call.runtime
    fields = read_body(LegacyFineTuneRequest, parse_json_object(await call.body()), Style.LEGACY)
    request = await check_create(runtime, fields, Style.LEGACY)
    files = await read_files(runtime, request, minimum=1)
    extra = {"hyperparams": fields.classification()}
    job = await new_job(runtime, Style.LEGACY, request, files, fields.requested(), extra)
    snapshot = await runtime.jobs.snapshot()
    body = await render_fine_tune(call, job, snapshot)
    return json_response(body, 201, {"Location": call.location(f"/fine-tunes/{job.id}")})


async def list_fine_tunes(call: Call) -> Response:
    runtime = call.runtime
    snapshot = await runtime.jobs.snapshot()
    data = []
    for listed in [job for job in snapshot.visible() if job.style is Style.LEGACY]:
        job, snapshot = await with_results(runtime, listed, snapshot)
        data.append(await render_fine_tune(call, job, snapshot))
    return json_response({"object": "list", "data": data})


async def get_fine_tune(call: Call) -> Response:
    job, snapshot = await find_job(call, call.path_params["fine_tune_id"], legacy=True)
    return json_response(await render_fine_tune(call, job, snapshot))


async def cancel_fine_tune(call: Call) -> Response:
    await act(call, call.path_params["fine_tune_id"], CANCEL, legacy=True)
    return await get_fine_tune(call)


async def delete_fine_tune(call: Call) -> Response:
    await act(call, call.path_params["fine_tune_id"], DELETE, legacy=True, refuse=refuse_deployed(call))
    return Response(status_code=204)


async def list_fine_tune_events(call: Call) -> Response:
    job_id = call.path_params["fine_tune_id"]
    job, snapshot = await find_job(call, job_id, legacy=True)
    if call.query.get("stream", "").lower() != "true":
        return json_response({"object": "list", "data": _events(job, snapshot, call.runtime.clock.now())})

    async def stream() -> AsyncIterator[bytes]:
        sent = 0
        while True:
            current, latest = await find_job(call, job_id, legacy=True)
            now = call.runtime.clock.now()
            found = _events(current, latest, now)
            for event in found[sent:]:
                yield b"data: " + json.dumps(event, separators=(",", ":")).encode() + b"\n\n"
            sent = len(found)
            if latest.timelines[job_id].phase_at(now).is_final:
                yield b"data: [DONE]\n\n"
                return
            if call.runtime.gate.closing:
                return  # a reset or shutdown is waiting for this stream to end
            # The job moves only when the clock does (another request advancing it, or wall-clock time).
            await anyio.sleep(STREAM_POLL_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


_ALL = "/fine-tunes"
_ONE = "/fine-tunes/{fine_tune_id}"
_FEATURE = "legacy_fine_tunes"

OPERATIONS = (
    Operation(
        "list_fine_tunes",
        "GET",
        ((A, _ALL),),
        list_fine_tunes,
        Access.READ,
        feature=_FEATURE,
        action="fine-tunes/read",
    ),
    Operation(
        "create_fine_tune",
        "POST",
        ((A, _ALL),),
        create_fine_tune,
        Access.WRITE,
        feature=_FEATURE,
        action="fine-tunes/write",
    ),
    Operation(
        "get_fine_tune",
        "GET",
        ((A, _ONE),),
        get_fine_tune,
        Access.READ,
        feature=_FEATURE,
        action="fine-tunes/read",
    ),
    Operation(
        "delete_fine_tune",
        "DELETE",
        ((A, _ONE),),
        delete_fine_tune,
        Access.WRITE,
        feature=_FEATURE,
        action="fine-tunes/delete",
    ),
    Operation(
        "list_fine_tune_events",
        "GET",
        ((A, _ONE + "/events"),),
        list_fine_tune_events,
        Access.READ,
        feature=_FEATURE,
        action="fine-tunes/read",
    ),
    Operation(
        "cancel_fine_tune",
        "POST",
        ((A, _ONE + "/cancel"),),
        cancel_fine_tune,
        Access.WRITE,
        feature=_FEATURE,
        action="fine-tunes/write",
    ),
)
