"""The portal's Distill action, as an emulator extension: `POST /_emulator/distill`.

Stored completions chosen by the stored-completions filters (`metadata`, `stored_model`,
`created_after`, `created_before`, explicit `ids`, `limit`; the same reading as the Evaluate
extension, with the model filter named `stored_model` because `model` is the model to fine-tune)
become a training file in the chat format, each line the stored input messages plus the stored
answer as the assistant turn, and a fine-tuning job of `model` on it, created as
`POST /fine_tuning/jobs` creates one (`surface`: "azure", the default, or "openai", the job's shape).

As the service does, distillation asks for at least 10 completions, names its file at random
(`distill-<hex>.jsonl`) and closes it: its content cannot be downloaded unless the emulator runs
with `distill_files_downloadable`. A `validation_split` moves that fraction of the completions, chosen
by a hash of their ids (the same every time), into a validation file.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from starlette.responses import Response

from emulator import jsontext
from emulator.api._shared.stored_selection import describe, selected
from emulator.api.fine_tuning import routes as fine_tuning
from emulator.api.fine_tuning.schemas import DistillRequest
from emulator.control.api import DISTILL_PATH as PATH
from emulator.errors import ApiError, InvalidRequest
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_body
from emulator.resource.completions import StoredCompletion
from emulator.resource.files import FINE_TUNE, StoredFile
from emulator.resource.fine_tuning.lifecycle import Style
from emulator.resource.fine_tuning.training import MIN_EXAMPLES
from emulator.runtime import Runtime
from emulator.surfaces import Surface

# The portal's minimum (seed 000): "Distillation requires a minimum of 10 stored completions".
MINIMUM = 10
FILTERS = ("metadata", "stored_model", "created_after", "created_before", "ids", "limit")
JOB_FIELDS = ("model", "hyperparameters", "suffix", "seed")
SURFACES = {"azure": (Style.AZURE, Surface.AZURE), "openai": (Style.OPENAI, Surface.OPENAI)}


def _filter_param(body: dict[str, Any]) -> str:
    """The filter a too-small selection is blamed on: a `limit` below the minimum, else the first given."""
    if isinstance(body.get("limit"), int) and body["limit"] < MINIMUM:
        return "limit"
    return next((k for k in ("ids", *FILTERS) if body.get(k) is not None), "metadata")


def _divide(
    chosen: list[StoredCompletion], split: float
) -> tuple[list[StoredCompletion], list[StoredCompletion]]:
    """(training, validation), each oldest first; the validation share picked by a hash of the ids."""
    ordered = sorted(chosen, key=lambda s: (s.created, s.id))
    if not split:
        return ordered, []
    size = max(1, round(len(ordered) * split))
    picked = set(sorted((s.id for s in ordered), key=lambda i: hashlib.sha256(i.encode()).digest())[:size])
    training = [s for s in ordered if s.id not in picked]
    validation = [s for s in ordered if s.id in picked]
    if len(training) < MIN_EXAMPLES or len(validation) < MIN_EXAMPLES:
        # Whether a split works depends on how many completions the filters chose: not the body's to say.
        raise InvalidRequest(
            f"Invalid 'validation_split': {split} of {len(ordered)} completions leaves {len(training)} for "
            f"training and {len(validation)} for validation; a fine-tuning job needs at least {MIN_EXAMPLES} "
            f"in each. {_split_advice(len(ordered))}",
            param="validation_split",
        )
    return training, validation


def _split_advice(count: int) -> str:
    """What would work for `count` completions: the splits that leave MIN_EXAMPLES on each side, shown
    rounded inwards so that any split in the range shown works, or how many completions a split needs."""
    needed = 2 * MIN_EXAMPLES
    if count < needed:
        return (
            f"A validation split needs at least {needed} completions ({MIN_EXAMPLES} for training and "
            f"{MIN_EXAMPLES} for validation); distill more completions, or leave validation_split out."
        )
    low = math.ceil(MIN_EXAMPLES / count * 100) / 100
    high = math.floor((count - MIN_EXAMPLES) / count * 100) / 100
    return f"Use a split between {low:.2f} and {high:.2f}, or distill more completions."


def example(stored: StoredCompletion) -> dict[str, Any]:
    """A training line: the conversation as it was sent, and the answer it got as the assistant turn."""
    record = json.loads(stored.record)
    message = ((record.get("choices") or [{}])[0]).get("message") or {}
    answer: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
    if message.get("tool_calls"):
        answer["tool_calls"] = message["tool_calls"]
    return {"messages": [*json.loads(stored.messages), answer]}


def jsonl(completions: list[StoredCompletion]) -> bytes:
    lines = (jsontext.compact(example(s)) + "\n" for s in completions)
    return "".join(lines).encode("utf-8")


def _file_body(stored: StoredFile) -> dict[str, Any]:
    return {"id": stored.id, "filename": stored.filename, "examples": stored.examples, "bytes": stored.bytes}


def _file_names(given: str | None, runtime: Runtime, count: int) -> list[str]:
    """The training file's name (and the validation file's): as given, or random as the portal's are."""
    if given is None:
        return [f"distill-{runtime.ids.hex(8)}.jsonl" for _ in range(count)]
    return [given, given.removesuffix(".jsonl") + "-validation.jsonl"][:count]


async def distill(call: Call) -> Response:
    runtime = call.runtime
    request_body, body = parse_body(DistillRequest, await call.body())
    filters = request_body.filters(request_body.stored_model)
    style, surface = SURFACES[request_body.surface or "azure"]
    split = float(request_body.validation_split or 0.0)
    chosen = await selected(runtime, filters)
    if len(chosen) < MINIMUM:
        raise InvalidRequest(
            f"Distillation needs at least {MINIMUM} stored completions; the filters "
            f"({describe(filters)}) match {len(chosen)}. Store more with `store: true`, or widen "
            "the filters.",
            param=_filter_param(body),
        )
    training, validation = _divide(chosen, split)
    made: list[StoredFile] = []
    parts = (training, validation) if validation else (training,)
    for part, name in zip(
        parts, _file_names(request_body.training_file_name, runtime, len(parts)), strict=True
    ):
        made.append(await runtime.files.create_from_bytes(name, FINE_TUNE, jsonl(part), closed=True))
    request = {k: body[k] for k in JOB_FIELDS if body.get(k) is not None}
    request["training_file"] = made[0].id
    if validation:
        request["validation_file"] = made[1].id
    try:
        job = await fine_tuning.create_from(runtime, request, style)
    except ApiError:
        # A refused job leaves nothing behind: the request can be corrected and sent again.
        for stored in made:
            await runtime.files.delete(stored.id)
        raise
    snapshot = await runtime.jobs.snapshot()
    return json_response(
        {
            "object": "distillation",
            "completions": len(chosen),
            "training_file": _file_body(made[0]),
            "validation_file": _file_body(made[1]) if validation else None,
            "job": fine_tuning.render_job(job, snapshot.timelines[job.id], runtime.clock.now(), surface),
        },
        201,
    )


OPERATIONS = (Operation("distill", "POST", ((None, PATH),), distill, Access.WRITE, extension=True),)
