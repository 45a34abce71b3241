"""The portal's Evaluate action, as an emulator extension: `POST /_emulator/evaluate`.

Stored completions chosen by filter (the stored-completions list's filters: `metadata`, `model`,
`created_after`, `created_before`, plus explicit `ids` and a `limit`) become an eval data file
(purpose `evals`, one `{"item": …}` line per completion, newest first), then a custom eval over that
file with the given `testing_criteria`, then a run: the stored answers as they are, or, with
`generate_with`, answers generated again by that model or deployment from each item's `input`.
As the service says, that data file cannot be downloaded (see files.ClosedFile).
The answer is `{"object": "evaluation", "file": …, "eval": …, "run": …}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from emulator import jsontext
from emulator.api._shared.stored_selection import describe, selected
from emulator.api.evals import routes as evals
from emulator.api.evals import run_schemas as run_schema
from emulator.api.evals import runs as evalruns
from emulator.api.evals import schemas as eval_schema
from emulator.api.evals.schemas import EvaluateRequest
from emulator.control.api import EVALUATE_PATH as PATH
from emulator.errors import InvalidRequest
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_body

if TYPE_CHECKING:
    pass

ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "completion_id": {"type": "string"},
        "created": {"type": "integer"},
        "model": {"type": "string"},
        "metadata": {"type": "object"},
        "input": {"type": "array", "items": {"type": "object"}},
        "output_text": {"type": "string"},
    },
    "required": ["input", "output_text"],
}


def _run_request(body: dict[str, Any], generate_with: str | None, file_id: str) -> run_schema.RunRequest:
    source = {"type": "file_id", "id": file_id}
    data_source: dict[str, Any] = {"type": "jsonl", "source": source}
    if generate_with:
        data_source = {
            "type": "completions",
            "source": source,
            "model": generate_with,
            "input_messages": {"type": "item_reference", "item_reference": "item.input"},
            "sampling_params": body.get("sampling_params"),
        }
    return run_schema.run_request({"data_source": data_source})


async def evaluate(call: Call) -> Response:
    body_request, body = parse_body(EvaluateRequest, await call.body())
    filters = body_request.filters(body_request.model)
    generate_with = body_request.generate_with
    if generate_with is not None and await call.runtime.deployments.for_model(generate_with) is None:
        names = ", ".join(d.name for d in call.runtime.deployments.all())
        raise InvalidRequest(
            f"Invalid 'generate_with': no deployment or model named '{generate_with}'. Deployments: {names}.",
            param="generate_with",
        )
    chosen = await selected(call.runtime, filters)
    if not chosen:
        raise InvalidRequest(
            f"No stored completions match the filters ({describe(filters)}): store some with "
            "`store: true` first, or widen the filters.",
            param="metadata",
        )
    name = body_request.name
    request = eval_schema.eval_request(
        {
            "name": name or f"Evaluation of {len(chosen)} stored completions",
            "data_source_config": {
                "type": "custom",
                "item_schema": ITEM_SCHEMA,
                "include_sample_schema": True,
            },
            "testing_criteria": body_request.testing_criteria,
        }
    )
    _run_request(body, generate_with, "file-pending")  # a bad sampling_params fails before anything is made
    rows = []
    for stored in chosen:
        data = evalruns.stored_item(stored)
        rows.append({"item": data.item} if generate_with else {"item": data.item, "sample": data.sample})
    content = "".join(jsontext.compact(r) + "\n" for r in rows)
    runtime = call.runtime
    file = await runtime.files.create_from_bytes(
        f"evaluation-{runtime.ids.hex(8)}.jsonl", "evals", content.encode("utf-8"), closed=True
    )
    record = await evals.new_eval(runtime, request)
    run = await evals.new_run(call, record, _run_request(body, generate_with, file.id))
    return json_response(
        {
            "object": "evaluation",
            "file": {"id": file.id, "filename": file.filename, "purpose": "evals", "lines": len(rows)},
            "eval": evals.eval_body(record),
            "run": await evals.run_body(call, run, record),
        },
        201,
    )


OPERATIONS = (Operation("evaluate", "POST", ((None, PATH),), evaluate, Access.WRITE, extension=True),)
