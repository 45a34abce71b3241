"""The portal's pages, at /portal/: thin handlers that read and write through `PortalApi` and render.

Forms post and redirect (303), so every step works with the browser's history and without scripts;
htmx only narrows the Distill dialog's versions and follows running jobs and evaluation runs.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from emulator.portal import models as model_choices
from emulator.portal.api_client import ApiProblem, PortalApi, segment
from emulator.portal.chart import loss_chart, read_results
from emulator.portal.filters import FilterError, Filters, format_metadata, format_time, parse_metadata
from emulator.settings import DEFAULT_API_KEY

PREFIX = "/portal"
KEY_COOKIE = "aoai_portal_key"
PAGE_SIZE = 20
EVENTS_SHOWN = 50
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 64
FIRST_MESSAGE_CHARS = 160
TERMINAL_JOB = frozenset({"succeeded", "failed", "cancelled"})
TERMINAL_RUN = frozenset({"completed", "failed", "canceled", "cancelled"})
_HERE = Path(__file__).parent
STATIC = {
    "htmx.min.js": "text/javascript; charset=utf-8",
    "portal.css": "text/css; charset=utf-8",
}
# The Evaluate dialog's graders: what a stored answer can be checked for without more input.
CRITERIA: dict[str, dict[str, Any]] = {
    "not-empty": {
        "label": "The answer is not empty",
        "grader": {
            "type": "string_check",
            "name": "answer is not empty",
            "input": "{{sample.output_text}}",
            "reference": "",
            "operation": "ne",
        },
    },
    "matches-stored": {
        "label": "The answer matches the stored answer (ROUGE-L ≥ 0.9)",
        "grader": {
            "type": "text_similarity",
            "name": "matches the stored answer",
            "evaluation_metric": "rouge_l",
            "input": "{{sample.output_text}}",
            "reference": "{{item.output_text}}",
            "pass_threshold": 0.9,
        },
    },
}

templates = Jinja2Templates(directory=_HERE / "templates")
templates.env.filters["time"] = format_time
templates.env.filters["pairs"] = format_metadata

Handler = Callable[[Request, PortalApi], Awaitable[Response]]


def _key(request: Request) -> str | None:
    return request.cookies.get(KEY_COOKIE) or None


def _default_key(request: Request) -> str:
    """The well-known development key, offered when the server accepts it."""
    keys = request.app.state.runtime.settings.api_keys
    return DEFAULT_API_KEY if DEFAULT_API_KEY in keys else ""


SECTIONS = {
    "completions.html": "completions",
    "completion.html": "completions",
    "jobs.html": "jobs",
    "job.html": "jobs",
    "evals.html": "evals",
    "eval.html": "evals",
    "deployments.html": "deployments",
}


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    context = {
        "connected": _key(request) is not None,
        "prefix": PREFIX,
        "section": SECTIONS.get(name),
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def _see(path: str, **query: str) -> RedirectResponse:
    kept = {k: v for k, v in query.items() if v}
    return RedirectResponse(PREFIX + path + (f"?{urlencode(kept)}" if kept else ""), status_code=303)


async def _form(request: Request) -> dict[str, str]:
    """The posted form (urlencoded: the pages upload no files), read no further than MAX_FORM_BYTES."""
    too_large = ApiProblem(413, f"The form is too large: at most {MAX_FORM_BYTES // 1024} KiB.")
    declared = request.headers.get("content-length") or "0"
    if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise too_large
    text = body.decode("utf-8", "replace")
    try:
        return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
    except ValueError:
        raise ApiProblem(400, f"The form has too many fields: at most {MAX_FORM_FIELDS}.") from None


def page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page that needs the key: without one, the Connect form; an API refusal, shown in words."""

    async def endpoint(request: Request) -> Response:
        key = _key(request)
        if key is None:
            return _see("/")
        try:
            async with PortalApi(request.app, key) as api:
                return await handler(request, api)
        except ApiProblem as problem:
            if problem.status == 401:
                context = {"error": f"The key was refused: {problem.message}", "key": ""}
                response = render(request, "connect.html", context, 401)
                response.delete_cookie(KEY_COOKIE, path=PREFIX)
                return response
            return render(request, "problem.html", {"problem": problem}, problem.status)

    return endpoint


# --- connecting ---------------------------------------------------------------------------------------------


async def redirect_home(request: Request) -> Response:
    return RedirectResponse(PREFIX + "/", status_code=307)


async def home(request: Request) -> Response:
    if _key(request) is not None:
        return _see("/completions")
    return render(request, "connect.html", {"key": _default_key(request)})


async def connect(request: Request) -> Response:
    try:
        form = await _form(request)
    except ApiProblem as problem:
        return render(request, "connect.html", {"error": problem.message, "key": ""}, problem.status)
    key = str(form.get("key") or "").strip()
    if not key:
        return render(request, "connect.html", {"error": "Enter an API key.", "key": ""}, 400)
    async with PortalApi(request.app, key) as api:
        try:
            await api.check_key()
        except ApiProblem as problem:
            context = {"error": f"The key was refused: {problem.message}", "key": ""}
            return render(request, "connect.html", context, problem.status)
    response = _see("/completions")
    response.set_cookie(KEY_COOKIE, key, path=PREFIX, httponly=True, samesite="strict")
    return response


async def disconnect(request: Request) -> Response:
    response = _see("/")
    response.delete_cookie(KEY_COOKIE, path=PREFIX)
    return response


# --- Stored Completions ----------------------------------------------------------------------------------


def _first_user_message(messages: list[Any]) -> str:
    for message in messages:
        if message.get("role") == "user":
            text = str(message.get("content") or "")
            return text if len(text) <= FIRST_MESSAGE_CHARS else text[: FIRST_MESSAGE_CHARS - 1] + "…"
    return ""


async def _first_messages(api: PortalApi, ids: list[str]) -> dict[str, str]:
    async def first(completion_id: str) -> str:
        page = await api.json(
            "GET", f"/openai/chat/completions/{completion_id}/messages", params={"limit": 20}
        )
        return _first_user_message(page["data"])

    texts = await asyncio.gather(*(first(i) for i in ids))
    return dict(zip(ids, texts, strict=True))


async def _listing(request: Request, api: PortalApi, filters: Filters) -> dict[str, Any]:
    after = request.query_params.get("after") or None
    context: dict[str, Any] = {"filters": filters, "rows": [], "total": None, "next_after": None}
    if filters.error:
        return context
    try:
        listed = await api.completions(filters.list_params(), after, PAGE_SIZE)
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return {**context, "list_error": problem.message}
    firsts = await _first_messages(api, [c["id"] for c in listed["data"]])
    rows = [
        {
            "id": c["id"],
            "model": c.get("model"),
            "created": c.get("created"),
            "first": firsts[c["id"]],
            "metadata": c.get("metadata") or {},
        }
        for c in listed["data"]
    ]
    context.update(
        rows=rows,
        total=listed.get("total"),
        after=after,
        next_after=rows[-1]["id"] if listed.get("has_more") and rows else None,
    )
    return context


async def completions(request: Request, api: PortalApi) -> Response:
    filters = Filters.from_form(request.query_params)
    context = await _listing(request, api, filters)
    context["notice"] = request.query_params.get("notice")
    return render(request, "completions.html", context, 400 if filters.error else 200)


async def completion(request: Request, api: PortalApi) -> Response:
    completion_id = segment(request.path_params["completion_id"], "stored completion")
    found = await api.completion(completion_id)
    messages = await api.messages(completion_id)
    context = {
        "completion": found,
        "messages": messages,
        "answer": ((found.get("choices") or [{}])[0]).get("message") or {},
        "metadata_text": format_metadata(found.get("metadata")),
        "notice": request.query_params.get("notice"),
        "confirm_delete": request.url.path.endswith("/delete"),
    }
    return render(request, "completion.html", context)


async def edit_metadata(request: Request, api: PortalApi) -> Response:
    completion_id = segment(request.path_params["completion_id"], "stored completion")
    form = await _form(request)
    text = str(form.get("metadata") or "")
    found = await api.completion(completion_id)
    try:
        wanted = parse_metadata(text)
    except FilterError as exc:
        return await _completion_with_error(request, api, found, text, str(exc))
    current = found.get("metadata") or {}
    cleared = False
    try:
        if set(current) - set(wanted):
            # The update merges; a key left out is removed by clearing first, then setting what stays.
            await api.update_metadata(completion_id, None)
            cleared = True
        await api.update_metadata(completion_id, wanted)
    except ApiProblem as problem:
        if cleared:  # the new metadata was refused: put the old back
            await api.update_metadata(completion_id, current)
        if problem.status == 401:
            raise
        return await _completion_with_error(request, api, found, text, problem.message)
    return _see(f"/completions/{completion_id}", notice="Metadata saved.")


async def _completion_with_error(
    request: Request, api: PortalApi, found: Any, text: str, error: str
) -> Response:
    context = {
        "completion": found,
        "messages": await api.messages(found["id"]),
        "answer": ((found.get("choices") or [{}])[0]).get("message") or {},
        "metadata_text": text,
        "metadata_error": error,
    }
    return render(request, "completion.html", context, 400)


async def delete_completion(request: Request, api: PortalApi) -> Response:
    completion_id = segment(request.path_params["completion_id"], "stored completion")
    await api.delete_completion(completion_id)
    return _see("/completions", notice=f"Deleted {completion_id}.")


# --- Distill ---------------------------------------------------------------------------------------------


async def _distill_choices(api: PortalApi) -> dict[str, list[str]]:
    return model_choices.fine_tunable(await api.models())


def training_file_name(filters: Filters, base_model: str) -> str:
    """The training file's name the dialog shows before it is made: random-looking, as the portal's are,
    and the same for the same choice, so that the page reads the same on every run."""
    digest = hashlib.sha256(f"{filters.query()}|{base_model}".encode()).hexdigest()
    return f"distill-{digest[:16]}.jsonl"


async def distill_dialog(request: Request, api: PortalApi) -> Response:
    filters = Filters.from_form(request.query_params)
    context = await _listing(request, api, filters)
    choices = await _distill_choices(api)
    base = request.query_params.get("base_model") or next(iter(choices), "")
    context.update(
        dialog="distill",
        choices=choices,
        base_model=base,
        versions=choices.get(base, []),
        form={},
        training_file_name=training_file_name(filters, base),
    )
    return render(request, "completions.html", context)


async def distill_versions(request: Request, api: PortalApi) -> Response:
    choices = await _distill_choices(api)
    base = request.query_params.get("base_model") or ""
    return render(request, "versions.html", {"versions": choices.get(base, [])})


def _split(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FilterError(f"Validation split '{text[:20]}' is not a number (for example 0.2).") from None
    if value > 1:  # a percentage
        value /= 100
    return value


async def distill(request: Request, api: PortalApi) -> Response:
    form = await _form(request)
    filters = Filters.from_form(form)
    choices = await _distill_choices(api)
    base = str(form.get("base_model") or "")
    version = str(form.get("version") or "")
    error = filters.error
    body: dict[str, Any] = {
        **filters.action_body("stored_model"),
        "model": model_choices.model_id(base, version),
    }
    try:
        split = _split(str(form.get("validation_split") or ""))
    except FilterError as exc:
        error = str(exc)
    else:
        if split:
            body["validation_split"] = split
    suffix = str(form.get("suffix") or "").strip()
    if suffix:
        body["suffix"] = suffix
    name = str(form.get("training_file_name") or "") or training_file_name(filters, base)
    body["training_file_name"] = name
    if error is None:
        try:
            made = await api.distill(body)
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            error = problem.message
        else:
            training = made["training_file"]
            notice = (
                f"Training file {training['filename']} made from {made['completions']} stored completions."
            )
            if made.get("validation_file"):
                notice += f" Validation file {made['validation_file']['filename']}."
            return _see(f"/jobs/{made['job']['id']}", notice=notice)
    context = await _listing(request, api, filters)
    context.update(
        dialog="distill",
        choices=choices,
        base_model=base,
        versions=choices.get(base, []),
        version=version,
        form={k: str(v) for k, v in form.items()},
        dialog_error=error,
        training_file_name=name,
    )
    return render(request, "completions.html", context, 400)


# --- Fine-tuning jobs ------------------------------------------------------------------------------------


async def _list_page(
    request: Request, fetch: Callable[[str | None, int], Awaitable[dict[str, Any]]], name: str
) -> Response:
    """A page of a list the API pages by `after`: jobs or evals, a Next page link while there are more."""
    after = request.query_params.get("after") or None
    listed = await fetch(after, PAGE_SIZE)
    data = listed["data"]
    next_after = data[-1]["id"] if listed.get("has_more") and data else None
    return render(request, f"{name}.html", {name: data, "next_after": next_after, "after": after})


async def jobs(request: Request, api: PortalApi) -> Response:
    return await _list_page(request, api.jobs, "jobs")


async def _job_context(api: PortalApi, job_id: str) -> dict[str, Any]:
    job = await api.job(job_id)
    events = (await api.job_events(job_id, EVENTS_SHOWN))["data"]
    checkpoints = (await api.job_checkpoints(job_id))["data"]
    chart = ""
    if job.get("result_files"):
        chart = loss_chart(read_results(await api.file_text(segment(job["result_files"][0], "file"))))
    elif checkpoints:
        # Before results.csv exists, the checkpoints' metrics are the steps reached so far.
        rows = sorted(checkpoints, key=lambda c: c.get("step_number") or 0)
        text = "step,train_loss,valid_loss\n" + "".join(
            f"{c['metrics'].get('step', c.get('step_number'))},{c['metrics'].get('train_loss', '')},"
            f"{c['metrics'].get('valid_loss', '')}\n"
            for c in rows
            if c.get("metrics")
        )
        chart = loss_chart(read_results(text))
    files = {}
    for name in ("training_file", "validation_file"):
        if job.get(name):
            try:
                files[name] = await api.file(segment(job[name], "file"))
            except ApiProblem:
                files[name] = {"id": job[name], "filename": job[name]}
    deployed = [
        d
        for d in await api.deployments()
        if job.get("fine_tuned_model") and d.get("model") == job["fine_tuned_model"]
    ]
    return {
        "job": job,
        "events": events,
        "checkpoints": checkpoints,
        "chart": chart,
        "files": files,
        "deployed": deployed,
        "following": job.get("status") not in TERMINAL_JOB,
        "suggested_name": (job.get("fine_tuned_model") or "").replace(".", "-").replace(":", "-")[:64],
    }


async def job(request: Request, api: PortalApi) -> Response:
    job_id = segment(request.path_params["job_id"], "fine-tuning job")
    context = await _job_context(api, job_id)
    context["notice"] = request.query_params.get("notice")
    template = "job_status.html" if request.headers.get("hx-request") else "job.html"
    return render(request, template, context)


async def deploy(request: Request, api: PortalApi) -> Response:
    job_id = segment(request.path_params["job_id"], "fine-tuning job")
    form = await _form(request)
    name = str(form.get("name") or "").strip()
    found = await api.job(job_id)
    model = found.get("fine_tuned_model")
    error = None
    if not model:
        error = f"The job is {found.get('status')}: only a succeeded job's model can be deployed."
    elif not name:
        error = "Enter a deployment name."
    else:
        try:
            await api.deploy(name, model)
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            error = problem.message
    if error is None:
        return _see("/deployments", notice=f"Deployed {model} as {name}.")
    context = await _job_context(api, job_id)
    context.update(deploy_error=error, suggested_name=name)
    return render(request, "job.html", context, 400)


# --- Evaluate and Evaluations ----------------------------------------------------------------------------


async def evaluate_dialog(request: Request, api: PortalApi) -> Response:
    filters = Filters.from_form(request.query_params)
    context = await _listing(request, api, filters)
    context.update(dialog="evaluate", criteria=CRITERIA, deployments=await api.deployments(), form={})
    return render(request, "completions.html", context)


async def evaluate(request: Request, api: PortalApi) -> Response:
    form = await _form(request)
    filters = Filters.from_form(form)
    criterion = CRITERIA.get(str(form.get("criterion") or ""))
    error = filters.error or (None if criterion else "Choose a testing criterion.")
    if error is None and criterion is not None:
        body: dict[str, Any] = {**filters.action_body("model"), "testing_criteria": [criterion["grader"]]}
        generate_with = str(form.get("generate_with") or "").strip()
        if generate_with:
            body["generate_with"] = generate_with
        name = str(form.get("name") or "").strip()
        if name:
            body["name"] = name
        try:
            made = await api.evaluate(body)
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            error = problem.message
        else:
            notice = f"Evaluation data file {made['file']['filename']} made from {made['file']['lines']} stored completions."
            return _see(f"/evals/{made['eval']['id']}", notice=notice)
    context = await _listing(request, api, filters)
    context.update(
        dialog="evaluate",
        criteria=CRITERIA,
        deployments=await api.deployments(),
        form={k: str(v) for k, v in form.items()},
        dialog_error=error,
    )
    return render(request, "completions.html", context, 400)


async def evals(request: Request, api: PortalApi) -> Response:
    return await _list_page(request, api.evals, "evals")


async def eval_page(request: Request, api: PortalApi) -> Response:
    eval_id = segment(request.path_params["eval_id"], "evaluation")
    found = await api.eval(eval_id)
    runs = (await api.eval_runs(eval_id))["data"]
    run_id = request.query_params.get("run") or (runs[0]["id"] if runs else None)
    run = next((r for r in runs if r["id"] == run_id), None)
    items: list[Any] = []
    next_after = None
    after = request.query_params.get("after") or None
    if run is not None:
        listed = await api.run_items(eval_id, segment(run["id"], "run"), after, PAGE_SIZE)
        items = listed["data"]
        next_after = items[-1]["id"] if listed.get("has_more") and items else None
    context = {
        "eval": found,
        "runs": runs,
        "run": run,
        "items": items,
        "after": after,
        "next_after": next_after,
        "notice": request.query_params.get("notice"),
        "following": any(r.get("status") not in TERMINAL_RUN for r in runs),
        # Results name their grader by id (`name-<uuid>`); the page shows the name it was given.
        "grader_names": {c.get("id"): c.get("name") for c in found.get("testing_criteria") or []},
    }
    template = "eval_status.html" if request.headers.get("hx-request") else "eval.html"
    return render(request, template, context)


# --- Deployments -----------------------------------------------------------------------------------------


async def deployment_list(request: Request, api: PortalApi) -> Response:
    context = {"deployments": await api.deployments(), "notice": request.query_params.get("notice")}
    return render(request, "deployments.html", context)


# --- assets ----------------------------------------------------------------------------------------------


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = STATIC.get(name)
    if media_type is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    content = (_HERE / "static" / name).read_bytes()
    return Response(content, media_type=media_type, headers={"cache-control": "no-cache"})


def completion_link(completion_id: str) -> str:
    return f"{PREFIX}/completions/{quote(completion_id, safe='')}"


templates.env.globals["completion_link"] = completion_link


def routes() -> list[Route]:
    """Plain routes (not a Mount), so that the app's indexed router files them by their first segments."""
    p = PREFIX
    return [
        Route(p, redirect_home, methods=["GET"]),
        Route(p + "/", home, methods=["GET"]),
        Route(p + "/connect", connect, methods=["POST"]),
        Route(p + "/disconnect", disconnect, methods=["POST"]),
        Route(p + "/static/{name}", static, methods=["GET"]),
        Route(p + "/completions", page(completions), methods=["GET"]),
        Route(p + "/completions/{completion_id}", page(completion), methods=["GET"]),
        Route(p + "/completions/{completion_id}/metadata", page(edit_metadata), methods=["POST"]),
        Route(p + "/completions/{completion_id}/delete", page(completion), methods=["GET"]),
        Route(p + "/completions/{completion_id}/delete", page(delete_completion), methods=["POST"]),
        Route(p + "/distill", page(distill_dialog), methods=["GET"]),
        Route(p + "/distill", page(distill), methods=["POST"]),
        Route(p + "/distill/versions", page(distill_versions), methods=["GET"]),
        Route(p + "/jobs", page(jobs), methods=["GET"]),
        Route(p + "/jobs/{job_id}", page(job), methods=["GET"]),
        Route(p + "/jobs/{job_id}/deploy", page(deploy), methods=["POST"]),
        Route(p + "/evaluate", page(evaluate_dialog), methods=["GET"]),
        Route(p + "/evaluate", page(evaluate), methods=["POST"]),
        Route(p + "/evals", page(evals), methods=["GET"]),
        Route(p + "/evals/{eval_id}", page(eval_page), methods=["GET"]),
        Route(p + "/deployments", page(deployment_list), methods=["GET"]),
    ]
