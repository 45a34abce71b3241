"""Every JSON response body of a representative run of SDK calls, checked against the official documents.

The run (SCENARIOS) calls every operation on every surface it has, successes and common errors, through an
in-process emulator whose responses are recorded (InProcessEmulator.observers); tests/contract.py matches
each to its documented route and status and validates the body with jsonschema. A disagreement is either a
departure named below, with the reason the emulator keeps it (the README's "Departures from the official
schemas" says the same), or a failure that names the route, status and field.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.from_thread
import openai
import pytest
from starlette.routing import Match, Route

from emulator.app import all_operations, create_app
from emulator.testing import InProcessEmulator
from tests.contract import Contract, Exchange, Problem, Recorder
from tests.fine_tuning_data import chat_lines
from tests.surfaces import HELLO, SURFACES, client

NULL = r"None is not of type '\w+'"


@dataclass(frozen=True)
class Departure:
    name: str
    field: str  # a regex the problem's field must match whole
    detail: str  # a regex found in the problem's detail
    reason: str
    operation: str = ""  # a regex found in the problem's operation label
    kind: str = "schema"

    def explains(self, problem: Problem) -> bool:
        return (
            problem.kind == self.kind
            and re.fullmatch(self.field, problem.field) is not None
            and re.search(self.detail, problem.detail) is not None
            and re.search(self.operation, problem.operation) is not None
        )


# Where the emulator knowingly answers otherwise than the official schemas, and why.
KNOWN_DEPARTURES: tuple[Departure, ...] = (
    Departure(
        "message fields sent as null",
        r"(data\[\]\.)?choices\[\]\.message\.(tool_calls|function_call|audio|refusal)",
        NULL,
        "The services send absent message parts as explicit nulls (seed 001 records `tool_calls`, "
        "`function_call` and `audio` as null); the schemas type them without null.",
    ),
    Departure(
        "stored message fields sent as null",
        r"data\[\]\.(tool_calls|function_call|name)",
        NULL,
        "Stored-completion messages carry the same explicit nulls as the completion they came from.",
    ),
    Departure(
        "choice logprobs sent as null",
        r"(data\[\]\.)?choices\[\]\.logprobs",
        NULL,
        "Without `logprobs: true` both services send `logprobs: null` (seed 001); Azure's schemas type it "
        "as an object without null.",
    ),
    Departure(
        "stored request fields sent as null",
        r"(data\[\]\.)?(input_user|service_tier|tool_choice|tools)",
        NULL,
        "Azure's stored completions echo request fields the caller did not send as null (seed 001 records "
        "`service_tier: null`); the authoring schema types them without null.",
        operation=r"\(azure\)",
    ),
    Departure(
        "stored input messages of every role",
        r"data\[\]\.role",
        r"'(system|user|developer|tool)' is not one of \['assistant'\]",
        "`GET .../messages` returns the request's input messages, whatever their role; OpenAI's document "
        "types the list's items as assistant messages.",
    ),
    Departure(
        "empty page cursors are null",
        r"(first_id|last_id)",
        NULL,
        "An empty page has no first or last item: the services send `first_id` and `last_id` as null "
        "there; the schemas type them as strings.",
    ),
    Departure(
        "Azure prompt-filter chunk",
        r"object",
        r"'' is not one of \['chat\.completion(\.chunk)?'\]",
        "Azure streams open with a chunk that carries only `prompt_filter_results`, with an empty "
        "`object` and no choices, as the service does.",
        operation=r"POST \S*chat/completions 200 \((azure|azure_v1)\)",
    ),
    Departure(
        "Azure gateway error codes",
        r"error\.code",
        r"'(401|BadRequest)' is not one of",
        'Azure\'s gateway answers a bad key (code "401") and an unsupported api-version ("BadRequest") '
        "before the service does; the authoring document lists only the service's own codes.",
        operation=r"\(azure\)",
    ),
    Departure(
        "Azure v1 gateway errors",
        r"error\.(type|param)",
        r"is a required property",
        "On /openai/v1, Azure answers a bad key and an unknown deployment in its own `{code, message}` "
        "envelope, not OpenAI's four-field one; OpenAI's document is the one they are checked against.",
        operation=r"\(azure_v1\)",
    ),
    Departure(
        "file expiry and details sent as null",
        r"(data\[\]\.)?(expires_at|status_details)",
        NULL,
        "A file with no expiry and nothing to report carries `expires_at` and `status_details` as null, "
        "as both services send them; the schemas type them without null.",
        operation=r"/files",
    ),
    Departure(
        "eval run parts sent as null",
        r"(data\[\]\.)?(error|per_model_usage|per_testing_criteria_results|sample\.error"
        r"|data_source\.(model|input_messages|sampling_params))",
        NULL,
        "An eval run's `error` is null unless it failed, its per-model and per-criteria results are null "
        "until it has any, and a run over stored completions has no `model`, `input_messages` or "
        "`sampling_params` to report; the service sends these as null, the schema types them without it.",
        operation=r"/evals/",
    ),
    Departure(
        "Azure base models without a base",
        r"(data\[\]\.)?(model|fine_tune)",
        NULL,
        "On Azure a model's `model` (its base) and `fine_tune` (its job) are set only for fine-tuned "
        "models; base models carry them as null, which the authoring schema types without.",
        operation=r"^GET /models\S* 200 \(azure\)",
    ),
    Departure(
        "Azure v1 upload answers 201",
        "",
        "",
        "Azure answers a file upload with 201 and a Location header on /openai/v1 as on its dated "
        "routes; OpenAI's document, which this surface is checked against, has only 200.",
        operation=r"^POST /files 201 \(azure_v1\)",
        kind="no schema",
    ),
    Departure(
        "Azure v1 job create answers 201",
        "",
        "",
        "Azure answers a fine-tuning job create with 201 and a Location header on /openai/v1 as on its "
        "dated routes; OpenAI's document has only 200.",
        operation=r"^POST /fine_tuning/jobs 201 \(azure_v1\)",
        kind="no schema",
    ),
    Departure(
        "OpenAI paused jobs",
        r"(data\[\]\.)?status",
        r"'paused' is not one of",
        "OpenAI's own pause example answers `status: paused`; the job schema's enum still lists six values "
        "without it (§6.1).",
        operation=r"\(openai\)",
    ),
    Departure(
        "Azure job statuses on /openai/v1",
        r"(data\[\]\.)?status",
        r"'(pending|pausing|paused|resuming)' is not one of",
        "Azure reports its own job statuses (pending, pausing, paused, resuming) on every surface it "
        "serves; OpenAI's document, which /openai/v1 is checked against, lists OpenAI's.",
        operation=r"\(azure_v1\)",
    ),
    Departure(
        "eval run cancel at /cancel",
        "",
        "",
        "openai 3.54 cancels a run with POST .../runs/{run_id}/cancel, older SDKs and the documents with "
        "POST .../runs/{run_id}; the emulator serves both.",
        operation=r"^POST /evals/[^/]+/runs/[^/]+/cancel 200",
        kind="no route",
    ),
    Departure(
        "stored completions listed under a deployment",
        "",
        "",
        "With `azure_deployment` set, the SDK lists stored completions at "
        "GET /openai/deployments/{name}/chat/completions, a path no Azure document has; the emulator "
        "serves it as the list.",
        operation=r"^GET /deployments/[^/]+/chat/completions 200 \(azure\)",
        kind="no route",
    ),
    Departure(
        "legacy deployments API",
        "",
        "",
        "The data-plane deployments API exists only in the 2022-12-01 and 2023-03-15-preview documents, "
        "which are not among the specs here; the emulator serves it there and on 2023-05-15, as seed 003 "
        "uses it (CONTRACT §8).",
        operation=r"^(GET|POST|PATCH|DELETE) /deployments(/deployment-[0-9a-f]{32})? \d+ \(azure\)",
        kind="no route",
    ),
)


def fails(call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    with pytest.raises(openai.APIStatusError):
        call(*args, **kwargs)


def chat_completions(emulator: InProcessEmulator) -> None:
    for surface in SURFACES:
        sdk = client(emulator, surface)
        made = sdk.chat.completions.create(
            model="gpt-4o", messages=HELLO, store=True, metadata={"k": "v"}, n=2
        )
        sdk.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=3, stop=["!"])
        for _ in sdk.chat.completions.create(
            model="gpt-4o", messages=HELLO, stream=True, stream_options={"include_usage": True}
        ):
            pass
        emulator.advance(1)
        sdk.chat.completions.create(model="gpt-4o", messages=HELLO, store=True)
        sdk.chat.completions.list(limit=1, metadata={"k": "v"})
        with contextlib.suppress(openai.NotFoundError):  # an empty page on Azure's dated surface
            sdk.chat.completions.list(after="chatcmpl-unknown")
        sdk.chat.completions.retrieve(made.id)
        sdk.chat.completions.messages.list(made.id, limit=1)
        sdk.chat.completions.update(made.id, metadata={"k": "w"})
        sdk.chat.completions.delete(made.id)
        fails(sdk.chat.completions.retrieve, made.id)
        fails(sdk.chat.completions.delete, made.id)
        fails(sdk.chat.completions.create, model="gpt-4o", messages=HELLO, temperature=9)
        fails(sdk.chat.completions.create, model="no-such-model", messages=HELLO)
        wrong_key = client(emulator, surface, api_key="wrong-key", default_headers={"api-key": "wrong-key"})
        fails(wrong_key.chat.completions.list)
    emulator.azure_client(azure_deployment="gpt-4o").chat.completions.list()
    fails(emulator.azure_client(api_version="2099-01-01").chat.completions.list)


TRAINING = b"\n".join(
    [
        json.dumps(
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
        ).encode()
    ]
    * 3
)


def files(emulator: InProcessEmulator) -> None:
    for surface in SURFACES:
        sdk = client(emulator, surface)
        created = sdk.files.create(file=("train.jsonl", TRAINING), purpose="fine-tune")
        sdk.files.list()
        sdk.files.retrieve(created.id)
        sdk.files.content(created.id).read()
        sdk.files.delete(created.id)
        fails(sdk.files.retrieve, created.id)
        fails(sdk.files.create, file=("train.jsonl", TRAINING), purpose="no-such-purpose")
        fails(sdk.files.list, limit=0)
    legacy = client(emulator, "azure", api_version="2023-05-15")
    legacy.files.retrieve(legacy.files.create(file=("train.jsonl", TRAINING), purpose="fine-tune").id)
    legacy.files.list()
    with emulator.http_client() as http:
        source = Path(emulator.settings.import_dir) / "train.jsonl"
        source.write_bytes(TRAINING)
        body = {"purpose": "fine-tune", "filename": "imported.jsonl", "content_url": source.as_uri()}
        # Raw HTTP: the SDK has no call for Azure's file import.
        imported = http.post(
            "/openai/files/import?api-version=2025-04-01-preview",
            headers={"api-key": emulator.key},
            json=body,
        )
        assert imported.status_code == 201, imported.text


STRING_CHECK = {
    "type": "string_check",
    "name": "mentions Paris",
    "input": "{{sample.output_text}}",
    "reference": "paris",
    "operation": "ilike",
}


def evals(emulator: InProcessEmulator) -> None:
    for surface in SURFACES:
        sdk = client(emulator, surface, api_version="2025-04-01-preview")
        for question in ("What is the capital of France?", "Who wrote Hamlet?"):
            sdk.chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": question}],
                store=True,
                metadata={"s": surface},
            )
        evaluation = sdk.evals.create(
            name="answers",
            data_source_config={"type": "stored_completions", "metadata": {"s": surface}},
            testing_criteria=[STRING_CHECK],
        )
        sdk.evals.list()
        sdk.evals.retrieve(evaluation.id)
        sdk.evals.update(evaluation.id, name="renamed", metadata={"v": "2"})
        source = {"type": "completions", "source": {"type": "stored_completions"}}
        run = sdk.evals.runs.create(evaluation.id, name="as stored", data_source=source)
        sdk.evals.runs.list(evaluation.id)
        emulator.advance(10)
        sdk.evals.runs.retrieve(run.id, eval_id=evaluation.id)
        items = sdk.evals.runs.output_items.list(run.id, eval_id=evaluation.id)
        sdk.evals.runs.output_items.retrieve(items.data[0].id, eval_id=evaluation.id, run_id=run.id)
        queued = sdk.evals.runs.create(evaluation.id, data_source=source)
        sdk.evals.runs.cancel(queued.id, eval_id=evaluation.id)
        sdk.evals.runs.delete(queued.id, eval_id=evaluation.id)
        sdk.evals.delete(evaluation.id)
        fails(sdk.evals.retrieve, evaluation.id)
        fails(sdk.evals.runs.retrieve, run.id, eval_id=evaluation.id)


def models(emulator: InProcessEmulator) -> None:
    for surface in SURFACES:
        sdk = client(emulator, surface)
        listed = sdk.models.list()
        sdk.models.retrieve(listed.data[0].id)
        fails(sdk.models.retrieve, "gpt-9")
    legacy = client(emulator, "azure", api_version="2023-05-15")
    legacy.models.retrieve(legacy.models.list().data[0].id)
    fails(client(emulator, "openai").models.delete, "gpt-4o-2024-08-06")


def fine_tuning(emulator: InProcessEmulator) -> None:
    for surface in SURFACES:
        sdk = client(emulator, surface, api_version="2025-04-01-preview")
        training = sdk.files.create(file=("train.jsonl", chat_lines(10)), purpose="fine-tune").id
        job = sdk.fine_tuning.jobs.create(
            model="gpt-4o-mini", training_file=training, validation_file=training
        )
        emulator.advance(60)
        sdk.fine_tuning.jobs.pause(job.id)
        other = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
        sdk.fine_tuning.jobs.list()
        fails(sdk.fine_tuning.jobs.pause, job.id)
        emulator.advance(60)
        sdk.fine_tuning.jobs.resume(job.id)
        sdk.fine_tuning.jobs.cancel(other.id)
        emulator.settle_jobs()
        sdk.fine_tuning.jobs.retrieve(job.id)
        sdk.fine_tuning.jobs.list_events(job.id)
        sdk.fine_tuning.jobs.checkpoints.list(job.id)
        fails(sdk.fine_tuning.jobs.retrieve, "ftjob-missing")
        fails(sdk.fine_tuning.jobs.create, model="gpt-4o-mini", training_file="file-missing")
        if surface == "azure":
            sdk.delete(f"/fine_tuning/jobs/{job.id}", cast_to=object)


def fine_tunes(emulator: InProcessEmulator) -> None:
    # Raw HTTP: the SDK has no calls for the legacy fine-tunes API.
    query = "?api-version=2023-05-15"
    headers = {"api-key": emulator.key}
    with emulator.http_client() as http:
        upload = http.post(
            "/openai/files" + query,
            headers=headers,
            data={"purpose": "fine-tune"},
            files={"file": ("train.jsonl", b'{"prompt": "a", "completion": "b"}\n')},
        )
        body = {"model": "curie", "training_file": upload.json()["id"]}
        done = http.post("/openai/fine-tunes" + query, headers=headers, json=body).json()
        cancelled = http.post("/openai/fine-tunes" + query, headers=headers, json=body).json()
        http.post(f"/openai/fine-tunes/{cancelled['id']}/cancel" + query, headers=headers)
        emulator.settle_jobs()
        http.get("/openai/fine-tunes" + query, headers=headers)
        http.get(f"/openai/fine-tunes/{done['id']}" + query, headers=headers)
        http.get(f"/openai/fine-tunes/{done['id']}/events" + query, headers=headers)
        http.delete(f"/openai/fine-tunes/{done['id']}" + query, headers=headers)
        http.get(f"/openai/fine-tunes/{done['id']}" + query, headers=headers)
        http.post("/openai/fine-tunes" + query, headers=headers, json={"model": "gpt-4o"})


def deployments(emulator: InProcessEmulator) -> None:
    # Raw HTTP: the SDK has no calls for the legacy deployments API or legacy text completions.
    query = "?api-version=2022-12-01"
    headers = {"api-key": emulator.key, "authorization": f"Bearer {emulator.key}"}
    with emulator.http_client() as http:
        body = {"model": "curie", "scale_settings": {"scale_type": "standard"}}
        created = http.post("/openai/deployments" + query, headers=headers, json=body).json()
        emulator.advance(120)
        http.get("/openai/deployments" + query, headers=headers)
        http.get(f"/openai/deployments/{created['id']}" + query, headers=headers)
        prompt = {"prompt": "When I go to work, I want a", "max_tokens": 4}
        http.post(f"/openai/deployments/{created['id']}/completions" + query, headers=headers, json=prompt)
        http.post(f"/openai/deployments/{created['id']}" + query, headers=headers, json=prompt)
        for prefix in ("/openai/v1", "/v1"):
            http.post(f"{prefix}/completions", headers=headers, json={**prompt, "model": created["id"]})
        http.patch(f"/openai/deployments/{created['id']}" + query, headers=headers, json=body)
        emulator.advance(120)
        http.delete(f"/openai/deployments/{created['id']}" + query, headers=headers)
        http.get(f"/openai/deployments/{created['id']}" + query, headers=headers)


WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def responses(emulator: InProcessEmulator) -> None:
    for surface in SURFACES:
        sdk = client(emulator, surface, api_version="2025-03-01-preview")
        made = sdk.responses.create(
            model="gpt-4o", input="Hello!", instructions="Be brief.", metadata={"k": "v"}
        )
        sdk.responses.create(model="gpt-4o", input="Tell me a story.", max_output_tokens=16)
        asked = sdk.responses.create(model="gpt-4o", input="Weather in Paris?", tools=[WEATHER])
        sdk.responses.create(
            model="gpt-4o",
            previous_response_id=asked.id,
            input=[{"type": "function_call_output", "call_id": asked.output[0].call_id, "output": "21C"}],
        )
        for _ in sdk.responses.create(model="gpt-4o", input="Hello!", stream=True):
            pass
        sdk.responses.retrieve(made.id)
        sdk.responses.input_items.list(made.id, limit=1)
        sdk.responses.delete(made.id)
        fails(sdk.responses.retrieve, made.id)
        fails(sdk.responses.create, model="gpt-4o", input="Hi", previous_response_id=made.id)
        if surface != "azure":
            background = sdk.responses.create(model="gpt-4o", input="Hello!", background=True)
            sdk.responses.cancel(background.id)
            sdk.responses.input_tokens.count(model="gpt-4o", input="Hello!")


# Each operation on each surface: created, listed, read, changed, deleted, and its common errors.
SCENARIOS: tuple[Callable[[InProcessEmulator], None], ...] = (
    deployments,
    chat_completions,
    responses,
    files,
    evals,
    models,
    fine_tuning,
    fine_tunes,
)


@dataclass
class Findings:
    exchanges: list[Exchange]
    problems: list[Problem]


@pytest.fixture(scope="module")
def contract(shared_dir: Path) -> Contract:
    return Contract(shared_dir / "specs")


@pytest.fixture(scope="module")
def findings(
    contract: Contract,
    aoai_emulator_portal: anyio.from_thread.BlockingPortal,
    tmp_path_factory: pytest.TempPathFactory,
) -> Findings:
    recorder = Recorder()
    imports = str(tmp_path_factory.mktemp("imports"))
    with InProcessEmulator(portal=aoai_emulator_portal, import_dir=imports, check_api_keys=True) as emulator:
        emulator.observers.append(recorder)
        for scenario in SCENARIOS:
            scenario(emulator)
    exchanges = recorder.exchanges
    return Findings(exchanges, [problem for exchange in exchanges for problem in contract.check(exchange)])


def report(problems: list[Problem]) -> str:
    by_key: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_key[problem.key].append(problem)
    return "\n".join(f"{key} ({len(found)}x): {found[0].detail}" for key, found in sorted(by_key.items()))


def test_every_response_conforms_or_departs_by_name(findings: Findings) -> None:
    unexplained = [p for p in findings.problems if not any(d.explains(p) for d in KNOWN_DEPARTURES)]
    assert not unexplained, "responses that do not conform to the official schemas:\n" + report(unexplained)


def test_every_named_departure_is_still_needed(findings: Findings) -> None:
    unused = [d.name for d in KNOWN_DEPARTURES if not any(d.explains(p) for p in findings.problems)]
    assert not unused, f"departures no response shows any more; remove them here and in the README: {unused}"


def served_by(app: Any, exchange: Exchange) -> str | None:
    scope = {"type": "http", "method": exchange.method, "path": exchange.path}
    for route in app.routes:
        if isinstance(route, Route) and route.matches(scope)[0] is Match.FULL:
            return str(route.name)
    return None


def test_every_operation_on_every_surface_was_checked(findings: Findings) -> None:
    app = create_app()
    seen = {served_by(app, exchange) for exchange in findings.exchanges}
    wanted = {
        f"{op.name}_{surface.value}"
        for op in all_operations()
        if not op.extension
        for surface, _ in op.paths
        if surface
    }
    missing = sorted(wanted - seen)
    assert not missing, (
        "operations the representative run never called; add them to SCENARIOS in "
        f"tests/test_spec_conformance.py: {missing}"
    )


def test_a_nonconforming_body_is_reported_with_its_field(contract: Contract) -> None:
    body = b'{"object": "chat.completion.deleted", "id": "chatcmpl-1", "deleted": "yes"}'
    exchange = Exchange("DELETE", "https://x/v1/chat/completions/chatcmpl-1", 200, "application/json", body)
    [problem] = contract.check(exchange)
    assert problem.key == "DELETE /chat/completions/{completion_id} 200 (openai) :: deleted"
    assert "'yes' is not of type 'boolean'" in problem.detail


def test_a_route_no_document_has_is_reported(contract: Contract) -> None:
    exchange = Exchange("GET", "https://x/v1/no/such/route", 200, "application/json", b"{}")
    assert [p.key for p in contract.check(exchange)] == ["GET /no/such/route 200 (openai) :: no route"]
