"""The Evals API: evals, their runs, and the runs' output items (CONTRACT §10).

The `aoai-evals` header older Azure v1 clients send is accepted and never required.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from emulator.api._shared.serving import fine_tuned_by_name
from emulator.api._shared.stored_selection import stored_completions
from emulator.api.evals import run_schemas as run_schema
from emulator.api.evals import runs as evalruns
from emulator.api.evals import schemas as eval_schema
from emulator.api.evals.itemschema import schema_problem
from emulator.api.evals.store import EvalRecord, EvalStore, ItemRecord, RunRecord
from emulator.db.paging import PageRequest
from emulator.errors import Conflict, InvalidRequest, ObjectNotFound
from emulator.http.pagination import list_envelope, parse_page
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_json_object
from emulator.model import Generation, Sampling, Shape
from emulator.model.checks import check_response_format, check_tools
from emulator.model.respond import respond
from emulator.resource.completions import UnknownCursor
from emulator.surfaces import Surface

if TYPE_CHECKING:
    from emulator.runtime import Runtime

A, V1, O = Surface.AZURE, Surface.AZURE_V1, Surface.OPENAI
RUN_STATUSES = ("queued", "in_progress", "completed", "canceled", "failed")
ITEM_STATUSES = ("pass", "fail")
ORDER_BY = ("created_at", "updated_at")


def _surface(call: Call) -> Surface:
    return call.surface or O


def _page(call: Call) -> PageRequest:
    return parse_page(call.query, default_limit=20, max_limit=100, default_order="asc")


def _strict(call: Call) -> bool:
    """An unknown `after` is a 404 on OpenAI routes and an empty page on Azure routes (§3.5)."""
    return not _surface(call).is_azure


def _choice(call: Call, name: str, allowed: tuple[str, ...]) -> str | None:
    value = call.query.get(name) or None
    if value is not None and value not in allowed:
        raise InvalidRequest(
            f"Invalid value for '{name}': '{value}'. Supported values are: {', '.join(allowed)}.", param=name
        )
    return value


def _created(call: Call, body: dict[str, Any], location: str) -> Response:
    headers = {}
    if _surface(call) is A:
        headers["Location"] = f"{str(call.request.base_url).rstrip('/')}/openai{location}"
    return json_response(body, 201, headers)


# Evals


def eval_body(record: EvalRecord) -> dict[str, Any]:
    return {
        "object": "eval",
        "id": record.id,
        "name": record.name,
        "data_source_config": record.data_source_config,
        "testing_criteria": record.testing_criteria,
        "created_at": record.created_at,
        "metadata": record.metadata,
    }


async def _eval(call: Call) -> EvalRecord:
    eval_id = call.path_params["eval_id"]
    record = await call.runtime.store(EvalStore).get_eval(eval_id)
    if record is None:
        raise ObjectNotFound("eval", eval_id, param="eval_id")
    return record


async def new_eval(runtime: Runtime, request: eval_schema.EvalRequest) -> EvalRecord:
    eval_id = runtime.ids.prefixed_hex("eval_")
    now = int(runtime.clock.now())
    criteria = [{**c, "id": f"{c['name']}-{runtime.ids.uuid()}"} for c in request.testing_criteria]
    record = EvalRecord(
        eval_id, now, now, request.name or eval_id, request.metadata, request.data_source_config, criteria
    )
    await runtime.store(EvalStore).insert_eval(record)
    return record


async def create_eval(call: Call) -> Response:
    record = await new_eval(call.runtime, eval_schema.eval_request(parse_json_object(await call.body())))
    return _created(call, eval_body(record), f"/evals/{record.id}")


async def list_evals(call: Call) -> Response:
    page = _page(call)
    order_by = _choice(call, "order_by", ORDER_BY) or "created_at"
    try:
        result = await call.runtime.store(EvalStore).list_evals(page, order_by, strict_cursor=_strict(call))
    except UnknownCursor:
        raise ObjectNotFound("eval", page.after or "", param="after") from None
    return json_response(list_envelope([eval_body(r) for r in result.items], result.has_more))


async def retrieve_eval(call: Call) -> Response:
    return json_response(eval_body(await _eval(call)))


async def update_eval(call: Call) -> Response:
    name, metadata = eval_schema.eval_update(parse_json_object(await call.body()))
    eval_id = call.path_params["eval_id"]
    record = await call.runtime.store(EvalStore).update_eval(
        eval_id, name, metadata, int(call.runtime.clock.now())
    )
    if record is None:
        raise ObjectNotFound("eval", eval_id, param="eval_id")
    return json_response(eval_body(record))


async def delete_eval(call: Call) -> Response:
    eval_id = call.path_params["eval_id"]
    if not await call.runtime.store(EvalStore).delete_eval(eval_id):
        raise ObjectNotFound("eval", eval_id, param="eval_id")
    return json_response({"object": "eval.deleted", "deleted": True, "eval_id": eval_id})


# Runs


def _report_url(call: Call, eval_id: str, run_id: str) -> str:
    """The run's own address on the surface asked: stable, and it answers with the run."""
    surface = _surface(call)
    url = f"{str(call.request.base_url).rstrip('/')}{surface.prefix}/evals/{eval_id}/runs/{run_id}"
    return url + (f"?api-version={call.api_version}" if surface is A and call.api_version else "")


async def run_body(call: Call, run: RunRecord, record: EvalRecord) -> dict[str, Any]:
    state = evalruns.progress(run.created_at, run.item_count, call.runtime.clock.now(), run.canceled_at)
    if state.status == "queued":
        counts: dict[str, Any] = {
            "result_counts": {"total": 0, "errored": 0, "failed": 0, "passed": 0},
            "per_model_usage": None,
            "per_testing_criteria_results": None,
        }
    else:
        summaries = await call.runtime.store(EvalStore).summaries(run.id, state.done)
        counts = evalruns.counts(summaries, [c["id"] for c in record.testing_criteria])
    return {
        "object": "eval.run",
        "id": run.id,
        "eval_id": run.eval_id,
        "report_url": _report_url(call, run.eval_id, run.id),
        "status": state.status,
        "model": run.body["model"],
        "name": run.body["name"],
        "created_at": run.created_at,
        **counts,
        "data_source": run.body["data_source"],
        "error": None,
        "metadata": run.body["metadata"],
    }


async def _run(call: Call) -> tuple[RunRecord, EvalRecord]:
    record = await _eval(call)
    run_id = call.path_params["run_id"]
    run = await call.runtime.store(EvalStore).get_run(record.id, run_id)
    if run is None:
        raise ObjectNotFound("eval run", run_id, param="run_id")
    return run, record


def _check_family(record: EvalRecord, request: run_schema.RunRequest) -> None:
    config = record.data_source_config["type"]
    if request.kind == "jsonl" and config != "custom":
        raise InvalidRequest(
            f"Invalid 'data_source.type': a 'jsonl' data source needs an eval with a 'custom' "
            f"data_source_config, and eval {record.id} has a '{config}' one. Use a 'completions' data "
            "source (for example with a 'stored_completions' source).",
            param="data_source.type",
        )


async def _file_rows(call: Call, file_id: str) -> list[dict[str, Any]]:
    content = await call.runtime.files.read_content(file_id)
    if content is None:
        raise InvalidRequest(
            f"Invalid 'data_source.source.id': no file with id '{file_id}'.", param="data_source.source.id"
        )
    rows = []
    for number, line in enumerate(content.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):  # past the reader's depth: not a row it can use
            row = None
        if isinstance(row, dict) and isinstance(row.get("item"), dict):
            sample = row.get("sample")
            row = (
                {"item": row["item"], "sample": sample}
                if sample is None or isinstance(sample, dict)
                else None
            )
        elif isinstance(row, dict):
            row = {"item": row}  # a bare object is the item itself
        if row is None:
            raise InvalidRequest(
                f"Invalid 'data_source.source.id': line {number} of file '{file_id}' is not a JSON object "
                'or an {"item": {...}, "sample": {...}} row.',
                param="data_source.source.id",
            )
        rows.append(row)
    return rows


async def _stored_items(call: Call, record: EvalRecord, source: dict[str, Any]) -> list[evalruns.DataItem]:
    """The eval's metadata filter overlaid with the source's."""
    metadata = {**record.data_source_config.get("metadata", {}), **(source.get("metadata") or {})}
    return [evalruns.stored_item(s) for s in await stored_completions(call.runtime, metadata, source)]


async def _items(call: Call, record: EvalRecord, request: run_schema.RunRequest) -> list[evalruns.DataItem]:
    source = request.source
    if source["type"] == "stored_completions":
        return await _stored_items(call, record, source)
    rows = source["content"] if source["type"] == "file_content" else await _file_rows(call, source["id"])
    if record.data_source_config["type"] == "custom":
        item_schema = record.data_source_config["schema"]["properties"]["item"]
        where = "data_source.source.content" if source["type"] == "file_content" else "data_source.source.id"
        for i, row in enumerate(rows):
            problem = schema_problem(item_schema, row["item"], f"{where}[{i}].item")
            if problem:
                raise InvalidRequest(f"Invalid '{problem[0]}': {problem[1]}.", param=problem[0])
    return evalruns.file_items(rows)


async def _generator(call: Call, request: run_schema.RunRequest) -> evalruns.Generator | None:
    model = request.model
    if model is None:
        return None
    deployment = await call.runtime.deployments.for_model(model)
    if deployment is None and _surface(call) is O:
        deployment = await fine_tuned_by_name(call.runtime, model)
    if deployment is None:
        names = ", ".join(d.name for d in call.runtime.deployments.all())
        raise InvalidRequest(
            f"Invalid 'data_source.model': no deployment or model named '{model}'. Deployments: {names}.",
            param="data_source.model",
        )
    model_name = deployment.model_name
    learned = await call.runtime.learned.of(deployment.model)
    params = request.data_source.get("sampling_params") or {}
    shape = Shape(response_format=params.get("response_format"), tools=tuple(params.get("tools") or ()))
    try:
        check_tools(shape.tools, None)
        # The format's own shape now; whether a json_object prompt mentions JSON, item by item below.
        check_response_format(shape.response_format, [{"role": "user", "content": "JSON"}])
    except InvalidRequest as bad:
        raise InvalidRequest(bad.message, param=f"data_source.sampling_params.{bad.param}") from None

    def answer(messages: list[dict[str, Any]], sampling: Sampling) -> Generation:
        # The same path as a chat completion: the content filter, scripted answers, then the model.
        check_response_format(shape.response_format, messages)  # json_object wants "JSON" in the prompt
        return respond(call.runtime.scripts, deployment.name, messages, model_name, sampling, shape, learned)

    return evalruns.Generator(
        model, model_name, request.data_source["input_messages"], request.sampling(), answer
    )


def _source_model(request: run_schema.RunRequest, items: Sequence[evalruns.DataItem]) -> str | None:
    if request.model is not None:
        return request.model
    models = {data.item.get("model") for data in items if isinstance(data.item.get("model"), str)}
    return request.source.get("model") or (models.pop() if len(models) == 1 else None)


async def create_run(call: Call) -> Response:
    record = await _eval(call)
    run = await new_run(call, record, run_schema.run_request(parse_json_object(await call.body())))
    return _created(call, await run_body(call, run, record), f"/evals/{record.id}/runs/{run.id}")


async def new_run(call: Call, record: EvalRecord, request: run_schema.RunRequest) -> RunRecord:
    """Grade the run whole now; what it shows follows the clock (emulator/api/evals/runs.py)."""
    _check_family(record, request)
    items = await _items(call, record, request)
    generator = await _generator(call, request)
    runtime = call.runtime
    outcomes = [evalruns.evaluate_item(i, d, record.testing_criteria, generator) for i, d in enumerate(items)]
    run_id = runtime.ids.prefixed_hex("evalrun_")
    model = _source_model(request, items)
    body = {
        "name": request.name or model or record.name,
        "model": model,
        "metadata": request.metadata,
        "data_source": request.data_source,
    }
    run = RunRecord(run_id, record.id, int(runtime.clock.now()), None, len(outcomes), body)
    stored = [
        ItemRecord(runtime.ids.prefixed_hex("outputitem_"), o.summary.index, o.summary, o.body)
        for o in outcomes
    ]
    await runtime.store(EvalStore).insert_run(run, stored)
    return run


async def list_runs(call: Call) -> Response:
    record = await _eval(call)
    page = _page(call)
    status = _choice(call, "status", RUN_STATUSES)
    runs = await call.runtime.store(EvalStore).list_runs(record.id)
    bodies = [await run_body(call, run, record) for run in runs]
    if status is not None:
        bodies = [b for b in bodies if b["status"] == status]
    if page.order == "desc":
        bodies.reverse()
    if page.after is not None:
        position = next((i for i, b in enumerate(bodies) if b["id"] == page.after), None)
        if position is None and _strict(call) and all(r.id != page.after for r in runs):
            raise ObjectNotFound("eval run", page.after, param="after")
        bodies = [] if position is None else bodies[position + 1 :]
    return json_response(list_envelope(bodies[: page.limit], len(bodies) > page.limit))


async def retrieve_run(call: Call) -> Response:
    run, record = await _run(call)
    return json_response(await run_body(call, run, record))


async def cancel_run(call: Call) -> Response:
    run, record = await _run(call)
    now = call.runtime.clock.now()
    status = evalruns.progress(run.created_at, run.item_count, now, run.canceled_at).status
    if status in ("completed", "failed"):
        raise Conflict(
            f"Eval run {run.id} is already {status}; only queued or in-progress runs can be canceled.",
            param="run_id",
        )
    canceled = await call.runtime.store(EvalStore).cancel_run(record.id, run.id, now)
    if canceled is None:
        raise ObjectNotFound("eval run", run.id, param="run_id")
    return json_response(await run_body(call, canceled, record))


async def delete_run(call: Call) -> Response:
    record = await _eval(call)
    run_id = call.path_params["run_id"]
    if not await call.runtime.store(EvalStore).delete_run(record.id, run_id):
        raise ObjectNotFound("eval run", run_id, param="run_id")
    return json_response({"object": "eval.run.deleted", "deleted": True, "run_id": run_id})


# Output items


def item_body(run: RunRecord, item: ItemRecord) -> dict[str, Any]:
    return {
        "object": "eval.run.output_item",
        "id": item.id,
        "created_at": evalruns.item_created_at(run.created_at, item.index),
        "run_id": run.id,
        "eval_id": run.eval_id,
        "status": "pass" if item.summary.passed else "fail",
        **item.body,
    }


def _done(call: Call, run: RunRecord) -> int:
    return evalruns.progress(run.created_at, run.item_count, call.runtime.clock.now(), run.canceled_at).done


async def list_output_items(call: Call) -> Response:
    run, _ = await _run(call)
    page = _page(call)
    status = _choice(call, "status", ITEM_STATUSES)
    try:
        result = await call.runtime.store(EvalStore).list_items(
            run.id, _done(call, run), status, page, strict_cursor=_strict(call)
        )
    except UnknownCursor:
        raise ObjectNotFound("eval run output item", page.after or "", param="after") from None
    return json_response(list_envelope([item_body(run, i) for i in result.items], result.has_more))


async def retrieve_output_item(call: Call) -> Response:
    run, _ = await _run(call)
    item_id = call.path_params["output_item_id"]
    item = await call.runtime.store(EvalStore).get_item(run.id, item_id)
    if item is None or item.index >= _done(call, run):
        raise ObjectNotFound("eval run output item", item_id, param="output_item_id")
    return json_response(item_body(run, item))


def _everywhere(path: str) -> tuple[tuple[Surface, str], ...]:
    return ((A, path), (V1, path), (O, path))


_EVALS = "/evals"
_EVAL = "/evals/{eval_id}"
_RUNS = "/evals/{eval_id}/runs"
_RUN = "/evals/{eval_id}/runs/{run_id}"
_ITEMS = "/evals/{eval_id}/runs/{run_id}/output_items"


def _op(name: str, method: str, paths: Sequence[str], handler: Any, access: Access) -> Operation:
    verb = "delete" if method == "DELETE" else access.value
    return Operation(
        name,
        method,
        tuple(p for path in paths for p in _everywhere(path)),
        handler,
        access,
        feature="evals",
        action=f"evals/{verb}",
    )


OPERATIONS = (
    _op("create_eval", "POST", (_EVALS,), create_eval, Access.WRITE),
    _op("list_evals", "GET", (_EVALS,), list_evals, Access.READ),
    _op("retrieve_eval", "GET", (_EVAL,), retrieve_eval, Access.READ),
    _op("update_eval", "POST", (_EVAL,), update_eval, Access.WRITE),
    _op("delete_eval", "DELETE", (_EVAL,), delete_eval, Access.WRITE),
    _op("create_eval_run", "POST", (_RUNS,), create_run, Access.WRITE),
    _op("list_eval_runs", "GET", (_RUNS,), list_runs, Access.READ),
    _op("retrieve_eval_run", "GET", (_RUN,), retrieve_run, Access.READ),
    # openai 3.3 cancels with POST on the run itself, 3.54 on …/cancel: both are served.
    _op("cancel_eval_run", "POST", (_RUN, _RUN + "/cancel"), cancel_run, Access.WRITE),
    _op("delete_eval_run", "DELETE", (_RUN,), delete_run, Access.WRITE),
    _op("list_eval_run_output_items", "GET", (_ITEMS,), list_output_items, Access.READ),
    _op(
        "retrieve_eval_run_output_item",
        "GET",
        (_ITEMS + "/{output_item_id}",),
        retrieve_output_item,
        Access.READ,
    ),
)
