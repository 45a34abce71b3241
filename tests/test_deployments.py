"""Deployments made through an API (CONTRACT §8): the legacy data-plane routes over raw HTTP, as seed 003
calls them, and the emulator's own `/_emulator/deployments`, whose deployments the SDK then calls by name."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from emulator.control.api import DEPLOYMENTS_PATH as PATH
from emulator.control.api import DeploymentRefused
from emulator.resource.deployments import READY_SECONDS
from emulator.resource.fine_tuning.lifecycle import Style
from emulator.resource.fine_tuning.training import fine_tuned_model_name
from emulator.settings import DEFAULT_API_KEY
from tests.fine_tuning_data import BASE, JOBS_API_VERSION, LEGACY_API_VERSION, chat_lines, jobs_client, upload
from tests.surfaces import HELLO
from tests.test_finetuned_inference import asked, legacy_model, trained_model

KEY = {"api-key": DEFAULT_API_KEY}
LEGACY_VERSIONS = ("2022-12-01", "2023-03-15-preview", "2023-05-15")
MODERN_VERSIONS = ("2023-06-01-preview", "2024-10-21", JOBS_API_VERSION)
STANDARD = {"scale_type": "standard"}
SEED_SCALE = {"scale_type": "standard", "capacity": "None"}  # seed 003's: "None" means no capacity
DEPLOYMENT_ID = re.compile(r"^deployment-[0-9a-f]{32}$")
NOT_READY = "notRunning", "running"


class Legacy:
    """The legacy deployments API of one emulator: `/openai/deployments…`, `api-key` header, JSON bodies."""

    def __init__(self, emulator: Any, api_version: str = "2022-12-01") -> None:
        self.emulator = emulator
        self.http = emulator.http_client()
        self.api_version = api_version

    def __enter__(self) -> Legacy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def call(self, method: str, path: str = "", body: Any = None, api_version: str | None = None) -> Any:
        return self.http.request(
            method,
            "/openai/deployments" + path,
            params={"api-version": api_version or self.api_version},
            headers=KEY,
            content=None if body is None else json.dumps(body),
        )

    def create(self, model: str, scale_settings: Any = STANDARD) -> Any:
        return self.call("POST", "", {"model": model, "scale_settings": scale_settings})

    def created(self, model: str, scale_settings: Any = STANDARD) -> dict[str, Any]:
        response = self.create(model, scale_settings)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def ready(self, model: str, scale_settings: Any = STANDARD) -> str:
        """A deployment of `model` that has had READY_SECONDS to start: `succeeded`; its id."""
        deployment_id = str(self.created(model, scale_settings)["id"])
        self.emulator.advance(READY_SECONDS)
        assert self.status(deployment_id) == "succeeded"
        return deployment_id

    def get(self, deployment_id: str) -> dict[str, Any]:
        response = self.call("GET", f"/{deployment_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def status(self, deployment_id: str) -> str:
        return str(self.get(deployment_id)["status"])

    def update(self, deployment_id: str, **body: Any) -> Any:
        return self.call("PATCH", f"/{deployment_id}", body)

    def delete(self, deployment_id: str) -> Any:
        return self.call("DELETE", f"/{deployment_id}")

    def infer(self, deployment_id: str, operation: str, body: dict[str, Any]) -> Any:
        """An inference call on the deployment's path, on the api-version seed 003 uses."""
        return self.call("POST", f"/{deployment_id}/{operation}", body, LEGACY_API_VERSION)


@pytest.fixture
def legacy(emulator: Any) -> Iterator[Legacy]:
    with Legacy(emulator) as api:
        yield api


def refused(response: Any, status: int, code: str | None, param: str | None, *phrases: str) -> dict[str, Any]:
    """The error of a refused request: its status, `error.code`, `error.param` and message phrases."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["code"], error.get("param")) == (code, param), error
    for phrase in phrases:
        assert phrase in error["message"], error["message"]
    return error


def not_routed(response: Any) -> None:
    """An inference call on a deployment that is not `succeeded`, or gone."""
    refused(response, 404, "DeploymentNotFound", None, "deployment for this resource does not exist")


# --- the legacy data-plane API --------------------------------------------------------------------------


@pytest.mark.parametrize("api_version", LEGACY_VERSIONS)
def test_create_get_list_update_and_delete(emulator: Any, api_version: str) -> None:
    with Legacy(emulator, api_version) as api:
        crud(emulator, api)


def crud(emulator: Any, api: Legacy) -> None:
    response = api.create("curie", {"scale_type": "manual", "capacity": 2})
    assert response.status_code == 201, response.text
    made = response.json()
    assert DEPLOYMENT_ID.match(made["id"]), made["id"]
    assert response.headers["location"].endswith(f"/openai/deployments/{made['id']}")
    created = int(emulator.now())
    assert made == {
        "object": "deployment",
        "id": made["id"],
        "status": "notRunning",
        "created_at": created,
        "updated_at": created,
        "model": "curie",
        "owner": "organization-owner",
        "scale_settings": {"scale_type": "manual", "capacity": 2},
    }
    assert api.get(made["id"]) == made
    assert api.call("GET").json() == {"object": "list", "data": [made]}

    emulator.advance(READY_SECONDS)
    updated = api.update(made["id"], model="davinci", scale_settings=STANDARD)
    assert updated.status_code == 200, updated.text
    assert updated.json() == {
        **made,
        "status": "running",
        "model": "davinci",
        "scale_settings": STANDARD,
        "updated_at": created + int(READY_SECONDS),
    }
    assert api.get(made["id"]) == updated.json()

    deleted = api.delete(made["id"])
    assert deleted.status_code == 204 and deleted.content == b""
    for method in ("GET", "DELETE"):
        gone = api.call(method, f"/{made['id']}")
        refused(gone, 404, "notFound", "deployment_id", f"No deployment found with id '{made['id']}'")
    # the update's one error is a 409: "does not exist or is in a non-terminal state"
    refused(api.update(made["id"]), 409, "conflict", "deployment_id", f"'{made['id']}' does not exist")
    assert api.call("GET").json() == {"object": "list", "data": []}


def test_status_moves_with_the_clock_and_an_update_starts_it_again(emulator: Any, legacy: Legacy) -> None:
    deployment_id = legacy.created("curie")["id"]
    starting = READY_SECONDS / 10  # notRunning for the first tenth of the ready time, then running
    steps = ((starting - 1, "notRunning"), (1, "running"), (READY_SECONDS - starting - 1, "running"))
    for seconds, status in (*steps, (1, "succeeded")):
        emulator.advance(seconds)
        assert legacy.status(deployment_id) == status
    assert [d["status"] for d in legacy.call("GET").json()["data"]] == ["succeeded"]

    # an update restarts the deployment: running at once, succeeded once the ready time is up again
    assert legacy.update(deployment_id, scale_settings=SEED_SCALE).json()["status"] == "running"
    emulator.advance(READY_SECONDS - starting - 1)
    assert legacy.status(deployment_id) == "running"
    emulator.advance(1)
    assert legacy.status(deployment_id) == "succeeded"


def test_an_update_before_the_deployment_succeeded_is_a_conflict(emulator: Any, legacy: Legacy) -> None:
    deployment_id = legacy.created("curie")["id"]
    for status in NOT_READY:
        assert legacy.status(deployment_id) == status
        error = refused(legacy.update(deployment_id, model="davinci"), 409, "conflict", "deployment_id")
        assert f"'{deployment_id}' is in a non-terminal state ({status})" in error["message"]
        assert "once its status is 'succeeded'" in error["message"]
        emulator.advance(READY_SECONDS / 2)
    assert legacy.get(deployment_id)["model"] == "curie"  # neither update took


@pytest.mark.parametrize(
    ("body", "param", "phrase"),
    [
        ({"scale_settings": STANDARD}, "model", "Missing required parameter: 'model'"),
        ({"model": "", "scale_settings": STANDARD}, "model", "expected a non-empty string"),
        ({"model": "no-such-model", "scale_settings": STANDARD}, "model", "'no-such-model' does not exist"),
        ({"model": "curie"}, "scale_settings", "Missing required parameter: 'scale_settings'"),
        ({"model": "curie", "scale_settings": "standard"}, "scale_settings", "'scale_settings'"),
        (
            {"model": "curie", "scale_settings": {"scale_type": "dynamic"}},
            "scale_settings.scale_type",
            "'dynamic'. Model 'curie' supports 'standard', 'manual'",
        ),
        (
            {"model": BASE, "scale_settings": {"scale_type": "manual", "capacity": 1}},
            "scale_settings.scale_type",
            f"'manual'. Model '{BASE}' supports 'standard'.",
        ),
        (
            {"model": "curie", "scale_settings": {"scale_type": "standard", "capacity": 2}},
            "scale_settings.capacity",
            "the 'standard' scale type takes no capacity",
        ),
        *(
            (
                {"model": "curie", "scale_settings": {"scale_type": "manual", **capacity}},
                "scale_settings.capacity",
                "the 'manual' scale type needs a whole number of at least 1",
            )
            for capacity in ({}, {"capacity": 0}, {"capacity": "2"}, {"capacity": True})
        ),
    ],
)
def test_create_checks_the_model_and_its_scale_settings(
    legacy: Legacy, body: dict[str, Any], param: str, phrase: str
) -> None:
    refused(legacy.call("POST", "", body), 400, "invalidPayload", param, phrase)
    assert legacy.call("GET").json()["data"] == []


@pytest.mark.parametrize(
    ("model", "scale_settings", "kept"),
    [
        ("curie", SEED_SCALE, STANDARD),
        ("davinci", {"scale_type": "manual", "capacity": 3}, {"scale_type": "manual", "capacity": 3}),
        (BASE, STANDARD, STANDARD),
    ],
)
def test_base_models_deploy_with_the_scale_types_they_support(
    legacy: Legacy, model: str, scale_settings: dict[str, Any], kept: dict[str, Any]
) -> None:
    assert legacy.created(model, scale_settings)["scale_settings"] == kept


def test_an_update_checks_the_model_and_scale_settings(legacy: Legacy) -> None:
    deployment_id = legacy.ready("curie")
    refused(legacy.update(deployment_id, model=""), 400, "invalidPayload", "model", "non-empty string")
    refused(
        legacy.update(deployment_id, model="gone"), 400, "invalidPayload", "model", "'gone' does not exist"
    )
    manual = {"scale_type": "manual"}
    refused(
        legacy.update(deployment_id, scale_settings=manual), 400, "invalidPayload", "scale_settings.capacity"
    )
    assert legacy.update(deployment_id, scale_settings={**manual, "capacity": 1}).status_code == 200
    legacy.emulator.advance(READY_SECONDS)
    # a new model without new scale settings keeps the stored ones, checked against it: no manual scale here
    refused(
        legacy.update(deployment_id, model=BASE), 400, "invalidPayload", "scale_settings.scale_type", BASE
    )
    assert legacy.get(deployment_id)["scale_settings"] == {**manual, "capacity": 1}


def test_a_fine_tuned_model_deploys_once_its_job_has_succeeded(emulator: Any, legacy: Legacy) -> None:
    sdk = jobs_client(emulator, "azure")
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload(sdk, chat_lines(10)))
    model = fine_tuned_model_name(Style.AZURE, BASE, job.id, None)  # what the job will report
    refused(legacy.create(model, SEED_SCALE), 400, "invalidPayload", "model", f"'{model}' does not exist")
    refused(legacy.create(model, {"scale_type": "manual", "capacity": 1}), 400, "invalidPayload", "model")

    emulator.settle_jobs()
    assert sdk.fine_tuning.jobs.retrieve(job.id).fine_tuned_model == model
    # the fine-tuned model scales as its base model does
    manual = legacy.create(model, {"scale_type": "manual", "capacity": 1})
    refused(
        manual, 400, "invalidPayload", "scale_settings.scale_type", f"Model '{model}' supports 'standard'."
    )
    made = legacy.created(model, SEED_SCALE)
    assert (made["model"], made["scale_settings"], made["status"]) == (model, STANDARD, "notRunning")


def test_a_customized_model_has_one_deployment(emulator: Any, legacy: Legacy) -> None:
    model = trained_model(emulator)
    first = legacy.ready(model)
    naming = (f"'{model}' already has a deployment, '{first}'", "only one deployment is permitted")
    refused(legacy.create(model), 409, "conflict", "model", *naming)
    other = legacy.ready(BASE)
    refused(legacy.update(other, model=model), 409, "conflict", "model", *naming)
    with emulator.http_client() as http:
        by_name = http.post(PATH, headers=KEY, json={"name": "tuned", "model": model})
    refused(by_name, 409, "conflict", "model", *naming)
    # a base model may have any number of deployments; a deployment may be updated to its own model
    assert legacy.created(BASE)["model"] == BASE
    assert legacy.update(first, model=model).status_code == 200

    assert legacy.delete(first).status_code == 204
    moved = legacy.update(other, model=model)
    assert moved.status_code == 200 and moved.json()["model"] == model
    refused(legacy.create(model), 409, "conflict", "model", f"already has a deployment, '{other}'")


def delete_by_fine_tune(http: Any, model: str, job_id: str) -> Any:
    """Seed 003's clean-up: the legacy fine-tune delete, which deletes its customized model."""
    return http.delete(
        f"/openai/fine-tunes/{job_id}", params={"api-version": LEGACY_API_VERSION}, headers=KEY
    )


def delete_by_model(http: Any, model: str, job_id: str) -> Any:
    """OpenAI's model delete (`/v1` only; Conflict is a 400 there)."""
    return http.delete(f"/v1/models/{model}", headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"})


@pytest.mark.parametrize(
    ("delete", "status", "code", "done"),
    [(delete_by_fine_tune, 409, "conflict", 204), (delete_by_model, 400, None, 200)],
)
def test_a_deployed_customized_model_cannot_be_deleted(
    emulator: Any, legacy: Legacy, delete: Any, status: int, code: str | None, done: int
) -> None:
    model, job_id = legacy_model(emulator)
    deployment_id = legacy.ready(model)
    with emulator.http_client() as http:
        error = refused(delete(http, model, job_id), status, code, "model", f"'{model}' has a deployment")
        assert f"Delete the deployment first (DELETE /openai/deployments/{deployment_id})" in error["message"]
        answer = legacy.infer(deployment_id, "completions", {"prompt": "When I go home, I want a"})
        assert answer.json()["choices"][0]["text"] == "soda"  # the model is still there

        assert legacy.delete(deployment_id).status_code == 204
        assert delete(http, model, job_id).status_code == done
    refused(legacy.create(model), 400, "invalidPayload", "model", f"'{model}' does not exist")


def test_a_job_whose_model_is_deployed_cannot_be_deleted(emulator: Any, legacy: Legacy) -> None:
    """Azure's DELETE /fine_tuning/jobs/{id} deletes the job's model too, so a deployment holds it."""
    model = trained_model(emulator)
    sdk = jobs_client(emulator, "azure")
    [job] = [j for j in sdk.fine_tuning.jobs.list() if j.fine_tuned_model == model]
    deployment_id = legacy.ready(model)
    with emulator.http_client() as http:
        path, params = f"/openai/fine_tuning/jobs/{job.id}", {"api-version": JOBS_API_VERSION}
        error = refused(http.delete(path, params=params, headers=KEY), 409, "conflict", "model", model)
        assert f"DELETE /openai/deployments/{deployment_id}" in error["message"]
        assert sdk.fine_tuning.jobs.retrieve(job.id).fine_tuned_model == model  # nothing was deleted

        assert legacy.delete(deployment_id).status_code == 204
        assert http.delete(path, params=params, headers=KEY).status_code == 204
    with pytest.raises(openai.NotFoundError):
        sdk.fine_tuning.jobs.retrieve(job.id)


@pytest.mark.parametrize(
    ("model", "operation", "body", "answered"),
    [
        ("curie", "completions", {"prompt": "When I go home, I want a", "max_tokens": 4}, "text_completion"),
        (BASE, "chat/completions", {"messages": HELLO}, "chat.completion"),
    ],
)
def test_calls_reach_a_deployment_only_while_it_has_succeeded(
    emulator: Any, legacy: Legacy, model: str, operation: str, body: dict[str, Any], answered: str
) -> None:
    deployment_id = legacy.created(model)["id"]
    for status in NOT_READY:
        assert legacy.status(deployment_id) == status
        not_routed(legacy.infer(deployment_id, operation, body))
        emulator.advance(READY_SECONDS / 2)

    assert legacy.status(deployment_id) == "succeeded"
    answer = legacy.infer(deployment_id, operation, body)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["object"], answer.json()["model"]) == (answered, model)

    assert legacy.delete(deployment_id).status_code == 204
    not_routed(legacy.infer(deployment_id, operation, body))


def test_a_deployed_fine_tuned_model_answers_what_it_learned_through_its_deployment_id(
    emulator: Any, legacy: Legacy
) -> None:
    deployment_id = legacy.ready(trained_model(emulator), SEED_SCALE)
    answer = legacy.infer(deployment_id, "chat/completions", {"messages": asked(3)})
    assert answer.json()["choices"][0]["message"]["content"] == "Fruit3"


def test_a_post_to_the_deployment_itself_names_the_completions_path(legacy: Legacy) -> None:
    deployment_id = legacy.ready("curie")
    for version in (*LEGACY_VERSIONS, "2024-10-21"):
        misplaced = legacy.call("POST", f"/{deployment_id}", {"prompt": "Hi", "max_tokens": 4}, version)
        refused(
            misplaced,
            404,
            "404",
            None,
            f"There is no POST operation at /openai/deployments/{deployment_id}.",
            f"POST to /openai/deployments/{deployment_id}/completions (a prompt)",
            f"/openai/deployments/{deployment_id}/chat/completions (messages)",
        )


def test_modern_api_versions_have_no_legacy_deployment_routes(legacy: Legacy) -> None:
    deployment_id = legacy.ready("curie")
    calls = (
        ("GET", "", None),
        ("POST", "", {"model": "curie", "scale_settings": STANDARD}),
        ("GET", f"/{deployment_id}", None),
        ("PATCH", f"/{deployment_id}", {"model": "davinci"}),
        ("DELETE", f"/{deployment_id}", None),
    )
    for version in MODERN_VERSIONS:
        for method, path, body in calls:
            answer = legacy.call(method, path, body, version)
            assert (answer.status_code, answer.json()) == (
                404,
                {"error": {"code": "404", "message": "Resource not found"}},
            )
    # nothing was made, changed or deleted
    listed = legacy.call("GET").json()["data"]
    assert [(d["id"], d["model"]) for d in listed] == [(deployment_id, "curie")]


# --- the emulator's own route -----------------------------------------------------------------------------


@pytest.fixture
def http(emulator: Any) -> Iterator[httpx.Client]:
    with emulator.http_client() as client:
        yield client


def emulated(http: Any, method: str, name: str = "", body: Any = None) -> Any:
    return http.request(method, PATH + (f"/{name}" if name else ""), headers=KEY, json=body)


def test_the_emulator_route_deploys_at_once_and_the_sdk_calls_the_deployment(
    emulator: Any, http: Any, legacy: Legacy
) -> None:
    body = {"name": "mini", "model": "gpt-4o-mini", "version": "2024-07-18", "settings": {"note": "x"}}
    made = emulated(http, "POST", body=body)
    assert made.status_code == 201, made.text
    shown = {**body, "source": "api", "status": "succeeded", "created_at": int(emulator.now())}
    assert made.json() == shown
    assert emulated(http, "GET", "mini").json() == shown
    sdk = emulator.azure_client(api_version=JOBS_API_VERSION)
    assert sdk.chat.completions.create(model="mini", messages=HELLO).model == BASE

    legacy_id = legacy.created("curie")["id"]  # the legacy API's deployments are listed too
    listed = {d["name"]: d for d in emulated(http, "GET").json()["data"]}
    assert {name: d["source"] for name, d in listed.items()} == {
        "gpt-4o": "declared",
        "gpt-4o-mini": "declared",
        "gpt-4.1": "declared",
        "gpt-4.1-mini": "declared",
        "gpt-4.1-nano": "declared",
        "mini": "api",
        legacy_id: "api",
    }
    assert (listed["mini"], listed[legacy_id]["status"]) == (shown, "notRunning")

    deleted = emulated(http, "DELETE", "mini")
    assert (deleted.status_code, deleted.json()) == (
        200,
        {"name": "mini", "object": "deployment", "deleted": True},
    )
    refused(emulated(http, "GET", "mini"), 404, None, "name", "No deployment found with id 'mini'")
    refused(emulated(http, "DELETE", "mini"), 404, None, "name")
    with pytest.raises(openai.NotFoundError) as gone:
        sdk.chat.completions.create(model="mini", messages=HELLO)
    assert gone.value.code == "DeploymentNotFound"


def test_the_python_api_deploys_a_fine_tuned_model_and_deletes_it(emulator: Any) -> None:
    model = trained_model(emulator)
    assert emulator.create_deployment("fruit", model)["model"] == model
    sdk = emulator.azure_client(api_version=JOBS_API_VERSION)
    assert (
        sdk.chat.completions.create(model="fruit", messages=asked(4)).choices[0].message.content == "Fruit4"
    )
    with pytest.raises(DeploymentRefused) as twice:
        emulator.create_deployment("fruit-again", model)
    assert twice.value.param == "model" and "already has a deployment, 'fruit'" in twice.value.message
    emulator.delete_deployment("fruit")
    with pytest.raises(openai.NotFoundError) as gone:
        sdk.chat.completions.create(model="fruit", messages=asked(4))
    assert gone.value.code == "DeploymentNotFound"


@pytest.mark.parametrize(
    ("body", "status", "code", "param", "phrase"),
    [
        (
            {"model": "gpt-4o"},
            400,
            "missing_required_parameter",
            "name",
            "Missing required parameter: 'name'",
        ),
        (
            {"name": "x y", "model": "gpt-4o"},
            400,
            "invalid_value",
            "name",
            "Invalid 'name': 'x y'. Use 1 to 64",
        ),
        ({"name": "-x", "model": "gpt-4o"}, 400, "invalid_value", "name", "starting with a letter or digit"),
        ({"name": "gpt-4o", "model": "gpt-4o"}, 409, "conflict", "name", "'gpt-4o' already exists"),
        ({"name": "x"}, 400, "missing_required_parameter", "model", "Missing required parameter: 'model'"),
        (
            {"name": "x", "model": "no-such-model"},
            400,
            "invalid_value",
            "model",
            "'no-such-model' does not exist",
        ),
        (
            {"name": "x", "model": "gpt-4o", "version": "1999-01-01"},
            400,
            "invalid_value",
            "model",
            "'gpt-4o-1999-01-01' does not exist",
        ),
        (
            {"name": "x", "model": "gpt-4o", "version": 3},
            400,
            "invalid_value",
            "version",
            "expected a string",
        ),
        (
            {"name": "x", "model": "gpt-4o", "settings": []},
            400,
            "invalid_value",
            "settings",
            "expected an object",
        ),
    ],
)
def test_the_emulator_route_refuses(
    http: Any, body: dict[str, Any], status: int, code: str, param: str, phrase: str
) -> None:
    refused(emulated(http, "POST", body=body), status, code, param, phrase)
    assert all(d["source"] == "declared" for d in emulated(http, "GET").json()["data"])


def test_a_name_is_taken_by_any_deployment(emulator: Any, http: Any, legacy: Legacy) -> None:
    legacy_id = legacy.created("curie")["id"]
    assert emulated(http, "POST", body={"name": "mine", "model": "gpt-4o"}).status_code == 201
    for name in ("mine", legacy_id):
        taken = emulated(http, "POST", body={"name": name, "model": "gpt-4.1"})
        refused(taken, 409, "conflict", "name", f"A deployment named '{name}' already exists")
    with pytest.raises(DeploymentRefused) as caught:
        emulator.create_deployment("mine", "gpt-4.1")
    assert caught.value.param == "name" and "already exists" in caught.value.message


def test_a_declared_deployment_cannot_be_deleted(emulator: Any, http: Any) -> None:
    error = refused(emulated(http, "DELETE", "gpt-4o"), 409, "deployment_declared", "name")
    assert "'gpt-4o' is declared by the emulator's deployments file or settings" in error["message"]
    with pytest.raises(DeploymentRefused) as caught:
        emulator.delete_deployment("gpt-4o")
    assert caught.value.param == "name" and "declared" in caught.value.message
    sdk = emulator.azure_client(api_version=JOBS_API_VERSION)
    assert sdk.chat.completions.create(model="gpt-4o", messages=HELLO).model == "gpt-4o-2024-08-06"
