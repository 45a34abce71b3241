"""Legacy fine-tunes (§7) over raw HTTP, as the 2023-05-15 REST walk-through (seed 003) drives them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from emulator.testing import LiveEmulator
from tests.fine_tuning_data import LEGACY_API_VERSION, chat_lines, completion_lines

Q = f"?api-version={LEGACY_API_VERSION}"
SEED_ROWS = (
    b'{"prompt": "When I go to the store, I want an", "completion": "apple"}\n'
    b'{"prompt": "When I go to work, I want a", "completion": "coffee"}\n'
    b'{"prompt": "When I go home, I want a", "completion": "soda"}\n'
)


class Legacy:
    """The legacy REST API of one emulator, as seed 003 calls it: `api-key` header, JSON bodies."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.http = emulator.http_client()
        self.headers = {"api-key": emulator.key}

    def upload(self, content: bytes = SEED_ROWS, name: str = "training.jsonl") -> str:
        response = self.http.post(
            "/openai/files" + Q,
            headers=self.headers,
            data={"purpose": "fine-tune"},
            files={"file": (name, content, "application/json")},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def request(self, method: str, path: str, body: Any = None, api_version: str = LEGACY_API_VERSION) -> Any:
        content = None if body is None else json.dumps(body)
        return self.http.request(
            method, f"/openai{path}?api-version={api_version}", headers=self.headers, content=content
        )

    def create(self, **body: Any) -> Any:
        return self.request("POST", "/fine-tunes", body)


@pytest.fixture
def legacy(emulator: Any) -> Any:
    api = Legacy(emulator)
    yield api
    api.http.close()


def test_seed_hyperparameters_make_a_job_with_full_file_objects(legacy: Legacy) -> None:
    training = legacy.upload()
    validation = legacy.upload(name="validation.jsonl")
    response = legacy.create(
        model="curie",
        training_file=training,
        validation_file=validation,
        batch_size=1,
        learning_rate_multiplier=0.1,
        n_epochs=4,
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert response.headers["location"].endswith(f"/openai/fine-tunes/{job['id']}")
    assert job["object"] == "fine-tune"
    assert job["id"].startswith("ft-") and len(job["id"]) == 35
    assert (job["status"], job["model"]) == ("notRunning", "curie")
    assert "fine_tuned_model" not in job  # until it succeeds; the legacy schema has no nulls
    assert job["hyperparams"] == {
        "batch_size": 1,
        "learning_rate_multiplier": 0.1,
        "n_epochs": 4,
        "prompt_loss_weight": 0.01,
        "compute_classification_metrics": False,
    }
    [training_file] = job["training_files"]
    assert training_file["id"] == training
    assert (training_file["object"], training_file["filename"], training_file["purpose"]) == (
        "file",
        "training.jsonl",
        "fine-tune",
    )
    # just uploaded, the file is still being processed; the job validates it when it starts
    assert training_file["status"] == "running" and "statistics" not in training_file
    assert [f["id"] for f in job["validation_files"]] == [validation]
    assert job["result_files"] == []
    assert [e["message"] for e in job["events"]] == [f"Created fine-tune: {job['id']}"]


def test_a_legacy_job_succeeds_with_a_nine_column_results_file(legacy: Legacy) -> None:
    training = legacy.upload()
    job = legacy.create(model="curie", training_file=training, batch_size=1, n_epochs=4).json()
    legacy.emulator.advance(31)
    assert legacy.request("GET", f"/fine-tunes/{job['id']}").json()["status"] == "running"
    legacy.emulator.settle_jobs()
    done = legacy.request("GET", f"/fine-tunes/{job['id']}").json()
    assert done["status"] == "succeeded"
    assert done["fine_tuned_model"] == f"curie.ft-{job['id'][3:]}"
    assert done["updated_at"] > done["created_at"]
    [training_file] = done["training_files"]
    assert training_file["status"] == "succeeded" and training_file["statistics"]["examples"] == 3
    [result] = done["result_files"]
    assert (result["filename"], result["purpose"], result["object"]) == (
        "results.csv",
        "fine-tune-results",
        "file",
    )
    assert result["status"] == "succeeded"  # the service's own file is processed when it appears
    content = legacy.request("GET", f"/files/{result['id']}/content")
    assert content.status_code == 200
    rows = list(csv.reader(io.StringIO(content.text)))
    assert rows[0] == [
        "step",
        "elapsed_tokens",
        "elapsed_examples",
        "training_loss",
        "training_sequence_accuracy",
        "training_token_accuracy",
        "validation_loss",
        "validation_sequence_accuracy",
        "validation_token_accuracy",
    ]
    assert len(rows) - 1 == 4 * 3  # n_epochs × ceil(3 examples / batch 1)
    assert [row[2] for row in rows[1:]] == [str(n) for n in range(1, 13)]
    assert all(row[6:] == ["", "", ""] for row in rows[1:])  # no validation file
    messages = [e["message"] for e in done["events"]]
    assert messages == [
        f"Created fine-tune: {job['id']}",
        "Job enqueued. Waiting for jobs ahead to complete.",
        "Job started.",
        "Completed epoch 1/4",
        "Completed epoch 2/4",
        "Completed epoch 3/4",
        "Completed epoch 4/4",
        f"Uploaded model: {done['fine_tuned_model']}",
        "Job succeeded.",
    ]
    events = legacy.request("GET", f"/fine-tunes/{job['id']}/events").json()
    assert events["object"] == "list"
    assert events["data"] == done["events"]
    assert all(e["object"] == "fine-tune-event" and e["level"] == "info" for e in events["data"])
    listed = legacy.request("GET", "/fine-tunes").json()
    assert listed["object"] == "list" and [j["id"] for j in listed["data"]] == [job["id"]]


def test_event_stream_of_a_finished_job_ends_with_done(legacy: Legacy) -> None:
    job = legacy.create(model="ada", training_file=legacy.upload()).json()
    legacy.emulator.settle_jobs()
    response = legacy.http.get(
        f"/openai/fine-tunes/{job['id']}/events{Q}&stream=true", headers=legacy.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    chunks = response.text.strip().split("\n\n")
    assert chunks[-1] == "data: [DONE]"
    events = [json.loads(chunk.removeprefix("data: ")) for chunk in chunks[:-1]]
    assert events[-1]["message"] == "Job succeeded."
    assert events == legacy.request("GET", f"/fine-tunes/{job['id']}/events").json()["data"]


def test_event_stream_follows_a_running_job_until_it_ends(live_server: LiveEmulator) -> None:
    live_server.reset()
    legacy = Legacy(live_server)
    job = legacy.create(model="babbage", training_file=legacy.upload()).json()
    with legacy.http.stream(
        "GET", f"/openai/fine-tunes/{job['id']}/events{Q}&stream=true", headers=legacy.headers, timeout=10
    ) as response:
        lines = (line for line in response.iter_lines() if line)
        first = json.loads(next(lines).removeprefix("data: "))
        assert first["message"] == f"Created fine-tune: {job['id']}"
        live_server.settle_jobs()
        rest = list(lines)
    assert rest[-1] == "data: [DONE]"
    assert json.loads(rest[-2].removeprefix("data: "))["message"] == "Job succeeded."
    legacy.http.close()


def test_cancel_then_delete_and_their_conflicts(legacy: Legacy) -> None:
    job = legacy.create(model="curie", training_file=legacy.upload()).json()
    refused = legacy.request("DELETE", f"/fine-tunes/{job['id']}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "unexpectedEntityState"
    cancelled = legacy.request("POST", f"/fine-tunes/{job['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "canceled"
    assert cancelled.json()["events"][-1]["message"] == "Job canceled."
    again = legacy.request("POST", f"/fine-tunes/{job['id']}/cancel")
    assert again.status_code == 409
    assert "Cannot cancel job" in again.json()["error"]["message"]
    deleted = legacy.request("DELETE", f"/fine-tunes/{job['id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    missing = legacy.request("GET", f"/fine-tunes/{job['id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "notFound"
    assert legacy.request("GET", "/fine-tunes").json()["data"] == []


def test_create_errors_name_the_field(legacy: Legacy) -> None:
    training = legacy.upload()

    def refused(body: dict[str, Any], target: str) -> str:
        response = legacy.create(**body)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert (error["code"], error["target"]) == ("invalidPayload", target)
        return str(error["message"])

    assert "fine_tuning/jobs" in refused({"model": "gpt-4o-mini", "training_file": training}, "model")
    refused({"model": "curie"}, "training_file")
    assert "file-nope" in refused({"model": "curie", "training_file": "file-nope"}, "training_file")
    refused({"model": "curie", "training_file": training, "validation_file": "file-nope"}, "validation_file")
    refused({"model": "curie", "training_file": training, "n_epochs": 0}, "n_epochs")
    refused({"model": "curie", "training_file": training, "batch_size": "big"}, "batch_size")
    refused({"model": "curie", "training_file": training, "suffix": "not ok!"}, "suffix")
    refused({"model": "curie", "training_file": training, "prompt_loss_weight": -1}, "prompt_loss_weight")
    refused(
        {"model": "curie", "training_file": training, "classification_betas": ["x"]}, "classification_betas"
    )
    needs = refused(
        {"model": "curie", "training_file": training, "compute_classification_metrics": True},
        "compute_classification_metrics",
    )
    assert "validation_file" in needs
    unknown = legacy.create(model="curie", training_file=training, warmup=3)
    assert unknown.status_code == 400 and "warmup" in unknown.text


def test_classification_hyperparameters_are_echoed(legacy: Legacy) -> None:
    training = legacy.upload()
    job = legacy.create(
        model="curie",
        training_file=training,
        validation_file=training,
        compute_classification_metrics=True,
        classification_n_classes=3,
        classification_betas=[0.5, 1],
        prompt_loss_weight=0.1,
    ).json()
    assert job["hyperparams"] == {
        "n_epochs": 4,
        "batch_size": 1,
        "learning_rate_multiplier": 0.05,
        "prompt_loss_weight": 0.1,
        "compute_classification_metrics": True,
        "classification_n_classes": 3,
        "classification_betas": [0.5, 1],
    }


def test_chat_data_fails_a_legacy_job_naming_the_training_file(legacy: Legacy) -> None:
    job = legacy.create(model="curie", training_file=legacy.upload(chat_lines(3))).json()
    legacy.emulator.settle_jobs()
    failed = legacy.request("GET", f"/fine-tunes/{job['id']}").json()
    assert failed["status"] == "failed"
    assert failed["error"]["target"] == "training_file"
    assert "chat format" in failed["error"]["message"]
    assert failed["events"][-1]["level"] == "error"


def test_legacy_and_current_jobs_are_separate_apis(legacy: Legacy) -> None:
    job = legacy.create(model="davinci", training_file=legacy.upload(completion_lines(12))).json()
    current = legacy.request("GET", f"/fine_tuning/jobs/{job['id']}", api_version="2025-04-01-preview")
    assert current.status_code == 404
    gone = legacy.request("GET", "/fine-tunes", api_version="2025-04-01-preview")
    assert gone.status_code == 404
