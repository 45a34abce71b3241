"""The Distill extension: stored completions by filter → a closed training file → a fine-tuning job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.cli import distill as distill_cli
from emulator.cli.main import main, parser
from emulator.control.api import DistillationRefused
from emulator.testing import LiveEmulator
from tests.test_evals import evals_client, store

PATH = "/_emulator/distill"
QUESTIONS = [f"Summarise topic number {n} in one line." for n in range(12)]
TAG = {"usecase": "summaries"}


def distill(emulator: Any, body: dict[str, Any]) -> Any:
    with emulator.http_client() as http:
        return http.post(PATH, json=body, headers={"api-key": emulator.key})


def refused(emulator: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = distill(emulator, body)
    assert response.status_code == 400, response.text
    return dict(response.json()["error"])


def test_distill_makes_a_closed_training_file_and_an_azure_job(emulator: Any) -> None:
    store(emulator, QUESTIONS, TAG)
    store(emulator, ["Not this one."], {"usecase": "other"})
    response = distill(emulator, {"metadata": TAG, "model": "gpt-4o-mini", "suffix": "summaries"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["object"] == "distillation" and body["completions"] == 12
    training = body["training_file"]
    assert training["filename"].startswith("distill-") and training["filename"].endswith(".jsonl")
    assert training["examples"] == 12 and body["validation_file"] is None
    job = body["job"]
    assert job["object"] == "fine_tuning.job" and job["training_file"] == training["id"]
    assert job["model"] == "gpt-4o-mini-2024-07-18" and job["suffix"] == "summaries"
    assert job["organisation_id"] == "" and job["status"] == "pending"  # Azure's shape by default

    c = emulator.azure_client()
    assert c.fine_tuning.jobs.retrieve(job["id"]).training_file == training["id"]
    listed = c.files.retrieve(training["id"])
    assert (listed.purpose, listed.filename, listed.status) == (
        "fine-tune",
        training["filename"],
        "processed",
    )
    emulator.settle_jobs()
    done = c.fine_tuning.jobs.retrieve(job["id"])
    assert done.status == "succeeded" and done.fine_tuned_model.startswith("gpt-4o-mini-2024-07-18.ft-")


def test_the_openai_surface_makes_an_openai_job(emulator: Any) -> None:
    store(emulator, QUESTIONS, TAG)
    body = emulator.distill("gpt-4o-mini-2024-07-18", metadata=TAG, surface="openai", suffix="notes", seed=7)
    job = evals_client(emulator, "openai").fine_tuning.jobs.retrieve(body["job"]["id"])
    assert job.organization_id.startswith("org-") and job.seed == 7 and job.user_provided_suffix == "notes"
    assert body["job"]["status"] == "validating_files"


def test_the_surface_field_keeps_answering_to_its_first_name_flavour(emulator: Any) -> None:
    store(emulator, QUESTIONS, TAG)
    body = emulator.distill("gpt-4o-mini-2024-07-18", metadata=TAG, flavour="openai")
    job = evals_client(emulator, "openai").fine_tuning.jobs.retrieve(body["job"]["id"])
    assert job.organization_id.startswith("org-")


@pytest.mark.settings(distill_files_downloadable=True)
def test_the_training_lines_are_the_stored_conversations_and_answers(emulator: Any) -> None:
    answers = store(emulator, QUESTIONS, TAG)
    body = emulator.distill("gpt-4o-mini", metadata=TAG)
    content = emulator.openai_client().files.content(body["training_file"]["id"]).text
    lines = [json.loads(line) for line in content.splitlines()]
    assert lines == [
        {
            "messages": [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer.choices[0].message.content},
            ]
        }
        for question, answer in zip(QUESTIONS, answers, strict=True)
    ]


def test_the_training_file_cannot_be_downloaded(emulator: Any) -> None:
    store(emulator, QUESTIONS, TAG)
    file_id = emulator.distill("gpt-4o-mini", metadata=TAG)["training_file"]["id"]
    with pytest.raises(openai.PermissionDeniedError) as openai_refusal:
        emulator.openai_client().files.content(file_id)
    error = openai_refusal.value.body
    assert error["code"] == "file_not_downloadable" and error["param"] == "file_id"
    assert "distillation training files cannot be downloaded" in error["message"]
    assert "--distill-files-downloadable" in error["message"]
    with pytest.raises(openai.PermissionDeniedError) as azure_refusal:
        emulator.azure_client().files.content(file_id)
    assert azure_refusal.value.body["code"] == "operationNotAllowed"
    # Uploaded files stay downloadable.
    uploaded = emulator.openai_client().files.create(file=("notes.txt", b"hello"), purpose="assistants")
    assert emulator.openai_client().files.content(uploaded.id).content == b"hello"


def test_validation_split_is_deterministic_and_disjoint(inprocess: Any) -> None:
    questions = [f"Question {n}?" for n in range(25)]
    store(inprocess, questions, TAG)
    first = inprocess.distill("gpt-4o-mini", metadata=TAG, validation_split=0.4)
    training, validation = first["training_file"], first["validation_file"]
    assert (training["examples"], validation["examples"]) == (15, 10)
    assert first["job"]["validation_file"] == validation["id"]

    def asked(file_id: str) -> set[str]:
        text = inprocess.call(inprocess.runtime.files.read_content, file_id).decode()
        return {json.loads(line)["messages"][0]["content"] for line in text.splitlines()}

    trained, validated = asked(training["id"]), asked(validation["id"])
    assert trained | validated == set(questions) and not trained & validated
    again = inprocess.distill("gpt-4o-mini", metadata=TAG, validation_split=0.4)
    assert asked(again["validation_file"]["id"]) == validated


def test_the_training_file_takes_the_name_given(inprocess: Any) -> None:
    store(inprocess, [f"Question {n}?" for n in range(25)], TAG)
    made = inprocess.distill(
        "gpt-4o-mini", metadata=TAG, validation_split=0.4, training_file_name="notes-1.jsonl"
    )
    assert made["training_file"]["filename"] == "notes-1.jsonl"
    assert made["validation_file"]["filename"] == "notes-1-validation.jsonl"
    unnamed = inprocess.distill("gpt-4o-mini", metadata=TAG)
    assert unnamed["training_file"]["filename"].startswith("distill-")


def test_explicit_ids_and_the_other_filters(emulator: Any) -> None:
    answers = store(emulator, QUESTIONS, TAG)
    store(emulator, QUESTIONS[:3], TAG, model="gpt-4o-mini")
    chosen = [a.id for a in answers[:10]]
    assert emulator.distill("gpt-4o-mini", ids=chosen)["completions"] == 10
    assert emulator.distill("gpt-4o-mini", metadata=TAG, stored_model="gpt-4o")["completions"] == 12
    start = answers[0].created
    assert emulator.distill("gpt-4o-mini", metadata=TAG, created_after=start + 2)["completions"] == 13
    assert emulator.distill("gpt-4o-mini", metadata=TAG, limit=11)["completions"] == 11


def test_fewer_than_ten_completions_are_refused(emulator: Any) -> None:
    store(emulator, QUESTIONS[:9], TAG)
    error = refused(emulator, {"metadata": TAG, "model": "gpt-4o-mini"})
    assert error["param"] == "metadata"
    assert "at least 10 stored completions" in error["message"] and "match 9" in error["message"]
    with pytest.raises(DistillationRefused) as api_refusal:
        emulator.distill("gpt-4o-mini", stored_model="gpt-4o")
    assert api_refusal.value.param == "stored_model" and "match 9" in api_refusal.value.message
    assert refused(emulator, {"created_before": 1, "model": "gpt-4o-mini"})["param"] == "created_before"
    store(emulator, ["One more."], TAG)
    error = refused(emulator, {"metadata": TAG, "limit": 5, "model": "gpt-4o-mini"})
    assert error["param"] == "limit" and "match 5" in error["message"]
    assert list(emulator.openai_client().files.list()) == []  # nothing was made


def test_a_refused_job_leaves_no_file_behind(emulator: Any) -> None:
    store(emulator, QUESTIONS, TAG)
    error = refused(emulator, {"metadata": TAG, "model": "gpt-3"})
    assert error["param"] == "model" and "cannot be fine-tuned" in error["message"]
    error = refused(emulator, {"metadata": TAG, "model": "gpt-4o-mini", "hyperparameters": {"n_epochs": 0}})
    assert error["param"].startswith("hyperparameters")
    assert refused(emulator, {"metadata": TAG})["param"] == "model"
    assert list(emulator.openai_client().files.list()) == []


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"validation_split": 0.1}, "validation_split", "leaves 11 for training and 1 for validation"),
        ({"validation_split": 1}, "validation_split", "from 0 to below 1"),
        ({"validation_split": "half"}, "validation_split", "expected an integer or a number"),
        ({"surface": "legacy"}, "surface", "azure, openai"),
        ({"stored_model": 4}, "stored_model", "expected a string"),
        ({"ids": "chatcmpl-1"}, "ids", "expected an array"),
        ({"ids": ["chatcmpl-missing"]}, "ids", "no stored completion with id 'chatcmpl-missing'"),
        ({"metadata": {"usecase": 3}}, "metadata", "metadata"),
        ({"training_file": "file-x"}, "training_file", "Unknown parameter"),
        ({"training_file_name": "../notes.jsonl"}, "training_file_name", "Expected a name ending in .jsonl"),
        ({"training_file_name": "notes.csv"}, "training_file_name", "Expected a name ending in .jsonl"),
    ],
)
def test_bad_requests_name_their_field(inprocess: Any, body: dict[str, Any], param: str, words: str) -> None:
    store(inprocess, QUESTIONS, TAG)
    error = refused(inprocess, {"model": "gpt-4o-mini", "metadata": TAG, **body})
    assert error["param"] == param and words in error["message"], error


def test_the_downloadable_setting_is_resettable_and_checked(inprocess: Any) -> None:
    with inprocess.http_client() as http:
        bad = http.post(
            "/_emulator/reset", json={"distill_files_downloadable": "yes"}, headers={"api-key": inprocess.key}
        )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "distill_files_downloadable"
    inprocess.reset(distill_files_downloadable=True)
    assert inprocess.runtime.settings.distill_files_downloadable is True


def test_cli_distills_against_a_running_emulator(
    live_server: LiveEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    live_server.reset()
    store(live_server, QUESTIONS, TAG)
    endpoint = ["--endpoint", live_server.endpoint, "--api-key", live_server.key]
    assert main(["distill", *endpoint, "--metadata", "usecase=summaries", "--model", "gpt-4o-mini"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["completions"] == 12 and body["job"]["training_file"] == body["training_file"]["id"]

    assert main(["distill", *endpoint, "--metadata", "usecase=other", "--model", "gpt-4o-mini"]) == 1
    err = capsys.readouterr().err
    assert "match 0" in err and "(param: metadata)" in err
    assert main(["distill", *endpoint, "--metadata", "usecase", "--model", "gpt-4o-mini"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_cli_passes_every_option(tmp_path: Path) -> None:
    hyper = tmp_path / "hyper.json"
    hyper.write_text('{"n_epochs": 2}')
    args = parser().parse_args(
        [
            "distill",
            "--model",
            "gpt-4o-mini",
            "--metadata",
            "a=b",
            "--stored-model",
            "gpt-4o",
            "--created-after",
            "5",
            "--created-before",
            "9",
            "--id",
            "chatcmpl-1",
            "--limit",
            "3",
            "--suffix",
            "s",
            "--seed",
            "4",
            "--validation-split",
            "0.5",
            "--surface",
            "openai",
            "--hyperparameters",
            str(hyper),
        ]
    )
    assert distill_cli.body(args) == {
        "model": "gpt-4o-mini",
        "metadata": {"a": "b"},
        "stored_model": "gpt-4o",
        "created_after": 5,
        "created_before": 9,
        "ids": ["chatcmpl-1"],
        "limit": 3,
        "suffix": "s",
        "seed": 4,
        "validation_split": 0.5,
        "surface": "openai",
        "hyperparameters": {"n_epochs": 2},
    }
