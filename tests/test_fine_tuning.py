"""Fine-tuning jobs through the SDK (§6), on every surface, in-process and against a live server."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import openai
import pytest

from emulator.testing import InProcessEmulator
from tests.fine_tuning_data import BASE, JOBS_API_VERSION, chat_lines, completion_lines, jobs_client, upload
from tests.surfaces import SURFACES

AZURE_STATUS = {"validating": "pending", "queued": "pending", "paused_now": "pausing", "resumed": "resuming"}
OPENAI_STATUS = {
    "validating": "validating_files",
    "queued": "queued",
    "paused_now": "paused",
    "resumed": "queued",
}


def names(surface: str) -> dict[str, str]:
    return OPENAI_STATUS if surface == "openai" else AZURE_STATUS


def make_job(sdk: Any, examples: int = 12, validation: bool = False, **kwargs: Any) -> Any:
    training = upload(sdk, chat_lines(examples))
    if validation:
        kwargs["validation_file"] = upload(sdk, chat_lines(examples), name="valid.jsonl")
    return sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, **kwargs)


def until_running(emulator: Any, sdk: Any, job_id: str) -> Any:
    job = sdk.fine_tuning.jobs.retrieve(job_id)
    emulator.advance((job.estimated_finish - emulator.now()) / 2)  # validation is short: mid-way, it trains
    job = sdk.fine_tuning.jobs.retrieve(job_id)
    assert job.status == "running"
    return job


@pytest.mark.parametrize("surface", SURFACES)
def test_a_job_goes_from_validation_to_a_fine_tuned_model(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    training = upload(sdk, chat_lines(12))
    raw = sdk.fine_tuning.jobs.with_raw_response.create(
        model="gpt-4o-mini", training_file=training, suffix="fruit", seed=7
    )
    job = raw.parse()
    if surface == "openai":
        assert raw.status_code == 200
    else:
        assert raw.status_code == 201
        assert raw.headers["location"].endswith(f"/fine_tuning/jobs/{job.id}")
    assert job.object == "fine_tuning.job"
    assert job.id.startswith("ftjob-")
    assert (job.model, job.training_file, job.validation_file, job.seed) == (BASE, training, None, 7)
    assert job.status == names(surface)["validating"]
    assert (job.fine_tuned_model, job.finished_at, job.trained_tokens, job.result_files) == (
        None,
        None,
        None,
        [],
    )
    assert job.created_at == int(emulator.now())
    assert job.estimated_finish > job.created_at
    # "auto" resolves from the dataset: twelve examples train in batches of one for nine epochs.
    assert job.hyperparameters.model_dump() == {
        "batch_size": 1,
        "learning_rate_multiplier": 1.8,
        "n_epochs": 9,
    }

    running = until_running(emulator, sdk, job.id)
    assert running.fine_tuned_model is None
    emulator.settle_jobs()
    assert int(emulator.now()) == job.estimated_finish

    done = sdk.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded"
    assert done.finished_at == job.estimated_finish
    assert done.estimated_finish is None
    assert done.trained_tokens > 0 and done.trained_tokens % 9 == 0
    assert len(done.result_files) == 1
    if surface == "openai":
        assert done.fine_tuned_model == f"ft:{BASE}:emulator:fruit:{job.id[6:14]}"
    else:
        assert done.fine_tuned_model == f"{BASE}.ft-{job.id[6:]}-fruit"
    if surface == "azure":
        assert done.model_extra["organisation_id"] == ""
        # Azure's dated API leaves out what has no value: no validation file, no error
        assert done.model_fields_set.isdisjoint({"validation_file", "error", "estimated_finish"})
        assert "status" in done.model_fields_set
    else:
        assert done.organization_id == "org-emulator"
    # Read again: the same results file, written once.
    assert sdk.fine_tuning.jobs.retrieve(job.id).result_files == done.result_files


@pytest.mark.parametrize("surface", ["azure", "openai"])
@pytest.mark.parametrize("validation", [False, True])
def test_results_csv_has_a_row_per_step_in_the_surfaces_columns(
    emulator: Any, surface: str, validation: bool
) -> None:
    sdk = jobs_client(emulator, surface)
    job = make_job(sdk, examples=25, validation=validation, hyperparameters={"n_epochs": 3, "batch_size": 4})
    emulator.settle_jobs()
    job = sdk.fine_tuning.jobs.retrieve(job.id)
    result = sdk.files.retrieve(job.result_files[0])
    assert (result.filename, result.purpose) == ("results.csv", "fine-tune-results")
    rows = list(csv.DictReader(io.StringIO(sdk.files.content(result.id).text)))
    steps_per_epoch = math.ceil(25 / 4)
    assert len(rows) == job.hyperparameters.n_epochs * steps_per_epoch == 21
    assert [int(row["step"]) for row in rows] == list(range(1, 22))
    if surface == "openai":
        columns = ["step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy"]
        accuracy, valid = "train_accuracy", ["valid_loss", "valid_mean_token_accuracy"]
    else:
        columns = [
            "step",
            "train_loss",
            "train_mean_token_accuracy",
            "valid_loss",
            "validation_mean_token_accuracy",
            "full_valid_loss",
            "full_valid_mean_token_accuracy",
        ]
        accuracy, valid = "train_mean_token_accuracy", ["valid_loss", "validation_mean_token_accuracy"]
    assert list(rows[0]) == columns
    for row in rows:
        assert all((row[name] != "") is validation for name in valid)
        if surface != "openai":
            epoch_end = int(row["step"]) % steps_per_epoch == 0
            full = [row["full_valid_loss"], row["full_valid_mean_token_accuracy"]]
            assert all((cell != "") is (validation and epoch_end) for cell in full)
    first, last = rows[:steps_per_epoch], rows[-steps_per_epoch:]

    def mean(part: list[dict[str, str]], name: str) -> float:
        return sum(float(row[name]) for row in part) / len(part)

    assert mean(first, "train_loss") > mean(last, "train_loss") + 0.3
    assert mean(first, accuracy) < mean(last, accuracy)
    assert len({row["train_loss"] for row in rows}) == len(rows)  # noisy, not a smooth formula


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_events_tell_the_story_newest_first_and_page(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    job = make_job(sdk, examples=10, hyperparameters={"n_epochs": 2})
    early = sdk.fine_tuning.jobs.list_events(job.id)
    assert [e.message for e in early.data] == [
        f"Validating training file: {job.training_file}",
        f"Created fine-tuning job: {job.id}",
    ]
    assert not early.has_more
    emulator.settle_jobs()
    events = list(sdk.fine_tuning.jobs.list_events(job.id, limit=100).data)
    messages = [e.message for e in events]
    assert messages[0] == "The job has successfully completed"
    done = sdk.fine_tuning.jobs.retrieve(job.id)
    assert messages[1] == f"New fine-tuned model created: {done.fine_tuned_model}"
    assert messages[-4:] == [
        "Fine-tuning job started",
        "Files validated, moving job to queued state",
        f"Validating training file: {job.training_file}",
        f"Created fine-tuning job: {job.id}",
    ]
    metrics = [e for e in events if e.type == "metrics"]
    assert [e.data["step"] for e in metrics] == list(range(20, 0, -1))
    assert all(e.message.startswith(f"Step {e.data['step']}/20: training loss=") for e in metrics)
    assert "Checkpoint created at step 10" in messages and "Checkpoint created at step 20" in messages
    assert all(e.object == "fine_tuning.job.event" and e.level == "info" for e in events)
    times = [e.created_at for e in events]
    assert times == sorted(times, reverse=True)
    # paging: the SDK follows `after` to the end
    page = sdk.fine_tuning.jobs.list_events(job.id, limit=7)
    assert page.has_more and len(page.data) == 7
    assert [e.id for e in page.data] == [e.id for e in events[:7]]
    assert [e.id for e in page] == [e.id for e in events]
    nxt = sdk.fine_tuning.jobs.list_events(job.id, limit=7, after=events[6].id)
    assert [e.id for e in nxt.data] == [e.id for e in events[7:14]]


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_checkpoints_one_per_epoch_newest_first(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    job = make_job(sdk, examples=10, validation=True, hyperparameters={"n_epochs": 12, "batch_size": 5})
    assert sdk.fine_tuning.jobs.checkpoints.list(job.id).data == []
    emulator.settle_jobs()
    done = sdk.fine_tuning.jobs.retrieve(job.id)
    page = sdk.fine_tuning.jobs.checkpoints.list(job.id)
    assert len(page.data) == 10 and page.has_more  # default limit 10
    every = list(sdk.fine_tuning.jobs.checkpoints.list(job.id, limit=100).data)
    assert [c.step_number for c in every] == [2 * epoch for epoch in range(12, 0, -1)]
    last = every[0]
    assert last.object == "fine_tuning.job.checkpoint"
    assert last.id.startswith("ftckpt_")
    assert last.fine_tuning_job_id == job.id
    assert last.fine_tuned_model_checkpoint == f"{done.fine_tuned_model}:ckpt-step-24"
    assert last.created_at == done.finished_at
    assert set(last.metrics.model_dump(exclude_none=True)) == {
        "step",
        "train_loss",
        "train_mean_token_accuracy",
        "valid_loss",
        "valid_mean_token_accuracy",
        "full_valid_loss",
        "full_valid_mean_token_accuracy",
    }
    assert [c.id for c in sdk.fine_tuning.jobs.checkpoints.list(job.id, limit=4)] == [c.id for c in every]
    if surface == "openai":
        assert (page.first_id, page.last_id) == (every[0].id, every[9].id)


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_list_newest_first_with_paging(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    training = upload(sdk, chat_lines(10))
    ids = [sdk.fine_tuning.jobs.create(model=BASE, training_file=training).id for _ in range(3)]
    page = sdk.fine_tuning.jobs.list(limit=2)
    assert [j.id for j in page.data] == ids[::-1][:2] and page.has_more
    assert [j.id for j in sdk.fine_tuning.jobs.list(limit=2, after=ids[1]).data] == [ids[0]]
    assert [j.id for j in sdk.fine_tuning.jobs.list(limit=1)] == ids[::-1]
    if surface == "openai":
        with pytest.raises(openai.NotFoundError) as raised:
            sdk.fine_tuning.jobs.list(after="ftjob-nope")
        assert raised.value.body["param"] == "after"
    else:
        assert sdk.fine_tuning.jobs.list(after="ftjob-nope").data == []


def test_list_filters_by_metadata_on_openai(emulator: Any) -> None:
    sdk = jobs_client(emulator, "openai")
    training = upload(sdk, chat_lines(10))
    a = sdk.fine_tuning.jobs.create(model=BASE, training_file=training, metadata={"team": "a", "run": "1"})
    b = sdk.fine_tuning.jobs.create(model=BASE, training_file=training, metadata={"team": "b"})
    c = sdk.fine_tuning.jobs.create(model=BASE, training_file=training)
    assert a.metadata == {"team": "a", "run": "1"}
    assert [j.id for j in sdk.fine_tuning.jobs.list(metadata={"team": "a"})] == [a.id]
    assert [j.id for j in sdk.fine_tuning.jobs.list(metadata={"team": "b"})] == [b.id]
    assert [j.id for j in sdk.fine_tuning.jobs.list(metadata={"team": "a", "run": "2"})] == []
    raw = sdk.get("/fine_tuning/jobs?metadata=null", cast_to=object)
    assert [j["id"] for j in raw["data"]] == [c.id]


def conflict(surface: str) -> type[Exception]:
    return openai.BadRequestError if surface == "openai" else openai.ConflictError


def assert_conflict(raised: Any, surface: str, action: str) -> None:
    body = raised.value.body
    assert f"Cannot {action} job" in body["message"]
    if surface == "openai":
        assert body["type"] == "invalid_request_error"
    else:
        assert body["code"] == "unexpectedEntityState"


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_cancel_a_running_job_and_not_a_finished_one(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    job = make_job(sdk)
    until_running(emulator, sdk, job.id)
    cancelled = sdk.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    assert cancelled.finished_at == int(emulator.now())
    assert cancelled.fine_tuned_model is None and cancelled.estimated_finish is None
    assert sdk.fine_tuning.jobs.list_events(job.id).data[0].message == "Fine-tuning job cancelled"
    emulator.settle_jobs()
    assert sdk.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    with pytest.raises(conflict(surface)) as raised:
        sdk.fine_tuning.jobs.cancel(job.id)
    assert_conflict(raised, surface, "cancel")


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_pause_and_resume_move_the_finish_out(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    job = make_job(sdk)
    with pytest.raises(conflict(surface)) as raised:
        sdk.fine_tuning.jobs.pause(job.id)  # still validating
    assert_conflict(raised, surface, "pause")
    running = until_running(emulator, sdk, job.id)
    paused = sdk.fine_tuning.jobs.pause(job.id)
    assert paused.status == names(surface)["paused_now"]
    emulator.advance(30)
    assert sdk.fine_tuning.jobs.retrieve(job.id).status == "paused"
    assert sdk.fine_tuning.jobs.retrieve(job.id).estimated_finish is None
    emulator.advance(1000)
    with pytest.raises(conflict(surface)):
        sdk.fine_tuning.jobs.pause(job.id)
    resumed = sdk.fine_tuning.jobs.resume(job.id)
    assert resumed.status == names(surface)["resumed"]
    with pytest.raises(conflict(surface)) as raised:
        sdk.fine_tuning.jobs.resume(job.id)
    assert_conflict(raised, surface, "resume")
    emulator.settle_jobs()
    done = sdk.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded"
    # 60 s of training were left when it paused; it was away 1030 s plus the pause and resume transitions.
    assert done.finished_at == running.estimated_finish + 1030 + 10
    messages = [e.message for e in sdk.fine_tuning.jobs.list_events(job.id, limit=100)]
    for text in (
        "Pausing fine-tuning job",
        "Fine-tuning job paused",
        "Resuming fine-tuning job",
        "Fine-tuning job resumed",
    ):
        assert text in messages


def test_pause_and_checkpoints_are_not_routes_of_older_api_versions(emulator: Any) -> None:
    sdk = jobs_client(emulator, "azure")
    job = make_job(sdk)
    old = emulator.azure_client(api_version="2024-10-21")
    assert old.fine_tuning.jobs.retrieve(job.id).id == job.id
    with pytest.raises(openai.NotFoundError):
        old.fine_tuning.jobs.pause(job.id)
    older = emulator.azure_client(api_version="2024-02-01")
    with pytest.raises(openai.NotFoundError):
        older.fine_tuning.jobs.checkpoints.list(job.id)


def test_one_job_trains_at_a_time_by_default(emulator: Any) -> None:
    sdk = jobs_client(emulator, "openai")
    training = upload(sdk, chat_lines(10))
    first = sdk.fine_tuning.jobs.create(model=BASE, training_file=training)
    second = sdk.fine_tuning.jobs.create(model=BASE, training_file=training)
    until_running(emulator, sdk, first.id)
    assert sdk.fine_tuning.jobs.retrieve(second.id).status == "queued"
    assert (
        sdk.fine_tuning.jobs.retrieve(second.id).estimated_finish
        > sdk.fine_tuning.jobs.retrieve(first.id).estimated_finish
    )
    sdk.fine_tuning.jobs.cancel(first.id)
    assert sdk.fine_tuning.jobs.retrieve(second.id).status == "running"


@pytest.mark.settings(fine_tuning_concurrency=2, fine_tuning_speed=10.0)
def test_concurrency_and_speed_are_settings(emulator: Any) -> None:
    sdk = jobs_client(emulator, "openai")
    training = upload(sdk, chat_lines(10))
    first = sdk.fine_tuning.jobs.create(model=BASE, training_file=training)
    second = sdk.fine_tuning.jobs.create(model=BASE, training_file=training)
    assert first.estimated_finish - first.created_at < 40  # ten times faster than at speed 1
    until_running(emulator, sdk, first.id)
    assert sdk.fine_tuning.jobs.retrieve(second.id).status == "running"


def test_azure_deletes_only_finished_jobs(emulator: Any) -> None:
    sdk = jobs_client(emulator, "azure")
    job = make_job(sdk)
    with pytest.raises(openai.ConflictError) as raised:
        sdk.delete(f"/fine_tuning/jobs/{job.id}", cast_to=object)
    assert raised.value.body["code"] == "unexpectedEntityState"
    emulator.settle_jobs()
    with emulator.http_client() as http:
        response = http.delete(
            f"/openai/fine_tuning/jobs/{job.id}?api-version={JOBS_API_VERSION}",
            headers={"api-key": emulator.key},
        )
    assert (response.status_code, response.content) == (204, b"")
    with pytest.raises(openai.NotFoundError):
        sdk.fine_tuning.jobs.retrieve(job.id)
    # OpenAI has no job delete: the route answers 405 naming the methods it has.
    with pytest.raises(openai.APIStatusError) as raised:
        jobs_client(emulator, "openai").delete(f"/fine_tuning/jobs/{job.id}", cast_to=object)
    assert raised.value.status_code == 405


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_bad_data_fails_the_job_naming_the_training_file(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    training = upload(sdk, completion_lines(10))
    job = sdk.fine_tuning.jobs.create(model=BASE, training_file=training)
    assert job.error is None
    emulator.settle_jobs()
    failed = sdk.fine_tuning.jobs.retrieve(job.id)
    assert failed.status == "failed"
    assert failed.error.param == "training_file"
    assert training in failed.error.message and "prompt/completion" in failed.error.message
    assert failed.fine_tuned_model is None and failed.result_files == []
    assert failed.finished_at == failed.created_at + 30
    event = sdk.fine_tuning.jobs.list_events(job.id).data[0]
    assert event.level == "error" and training in event.message


def expect_400(call: Any, param: str, surface: str, text: str = "") -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        call()
    body = raised.value.body
    assert body["param"] == param, body
    assert text in body["message"]
    if surface == "azure":
        assert body["code"] == "invalidPayload"
    else:
        assert body["type"] == "invalid_request_error"


@pytest.mark.parametrize("surface", SURFACES)
def test_create_refuses_unusable_files(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    create = sdk.fine_tuning.jobs.create
    good = upload(sdk, chat_lines(10))
    small = upload(sdk, chat_lines(9))
    other = upload(sdk, b"hello", purpose="batch" if surface != "azure" else "assistants", name="notes.jsonl")
    expect_400(
        lambda: create(model=BASE, training_file="file-missing"), "training_file", surface, "file-missing"
    )
    expect_400(lambda: create(model=BASE, training_file=small), "training_file", surface, "at least 10")
    expect_400(lambda: create(model=BASE, training_file=other), "training_file", surface, "purpose")
    expect_400(
        lambda: create(model=BASE, training_file=good, validation_file="file-missing"),
        "validation_file",
        surface,
    )
    expect_400(
        lambda: create(model=BASE, training_file=good, validation_file=small), "validation_file", surface
    )


def test_create_refuses_a_file_that_failed_validation_on_azure(emulator: Any) -> None:
    sdk = jobs_client(emulator, "azure")
    broken = upload(sdk, b'{"messages": []}\n')
    assert sdk.files.retrieve(broken).status == "error"
    expect_400(
        lambda: sdk.fine_tuning.jobs.create(model=BASE, training_file=broken),
        "training_file",
        "azure",
        "not processed",
    )


@pytest.mark.parametrize("surface", SURFACES)
def test_create_checks_model_hyperparameters_and_fields(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    create = sdk.fine_tuning.jobs.create
    good = upload(sdk, chat_lines(10))
    expect_400(
        lambda: create(model="gpt-4o-audio", training_file=good), "model", surface, "cannot be fine-tuned"
    )
    expect_400(lambda: create(model="curie", training_file=good), "model", surface, "fine-tunes")
    for name, value in (
        ("n_epochs", 0),
        ("n_epochs", 51),
        ("batch_size", 257),
        ("learning_rate_multiplier", 0),
    ):
        expect_400(
            lambda name=name, value=value: create(
                model=BASE, training_file=good, hyperparameters={name: value}
            ),
            f"hyperparameters.{name}",
            surface,
        )
    expect_400(
        lambda: create(
            model=BASE,
            training_file=good,
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 99}}},
        ),
        "method.supervised.hyperparameters.n_epochs",
        surface,
    )
    expect_400(lambda: create(model=BASE, training_file=good, suffix="x" * 65), "suffix", surface)
    if surface != "openai":
        expect_400(lambda: create(model=BASE, training_file=good, suffix="has space"), "suffix", surface)
    expect_400(lambda: create(model=BASE, training_file=good, seed=-1), "seed", surface)
    expect_400(
        lambda: create(model=BASE, training_file=good, integrations=[{"type": "slack"}]),
        "integrations[0]",
        surface,
    )
    expect_400(
        lambda: create(model=BASE, training_file=good, method={"type": "reinforcement"}),
        "method.type",
        surface,
    )
    expect_400(lambda: create(model=BASE, training_file=good, metadata={"k" * 65: "v"}), "metadata", surface)
    expect_400(lambda: create(model=BASE, training_file=""), "training_file", surface)
    with pytest.raises(openai.BadRequestError) as raised:
        create(model=BASE, training_file=good, extra_body={"nonsense": 1})
    assert "nonsense" in raised.value.body["message"]
    # method hyperparameters are taken, and echoed
    job = create(
        model=BASE,
        training_file=good,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 2}}},
    )
    assert (job.hyperparameters.n_epochs, job.hyperparameters.batch_size) == (2, 2)
    assert job.method.type == "supervised"
    assert job.method.supervised.hyperparameters.n_epochs == 2
    wandb = [{"type": "wandb", "wandb": {"project": "fruit"}}]
    assert create(model=BASE, training_file=good, integrations=wandb).integrations[0].wandb.project == "fruit"


@pytest.mark.parametrize("surface", SURFACES)
def test_unknown_jobs_are_404_naming_the_id(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    for call in (
        sdk.fine_tuning.jobs.retrieve,
        sdk.fine_tuning.jobs.cancel,
        sdk.fine_tuning.jobs.list_events,
        sdk.fine_tuning.jobs.checkpoints.list,
    ):
        with pytest.raises(openai.NotFoundError) as raised:
            call("ftjob-unknown")
        assert "ftjob-unknown" in raised.value.body["message"]
        if surface == "azure":
            assert raised.value.body["code"] == "notFound"
        else:
            assert raised.value.body["param"] == "fine_tuning_job_id"


def test_succeeded_jobs_are_the_resources_fine_tuned_models(inprocess: InProcessEmulator) -> None:
    sdk = jobs_client(inprocess, "azure")
    done = make_job(sdk, examples=10)
    running = make_job(sdk, examples=10)
    assert inprocess.call(inprocess.runtime.list_fine_tuned_models) == []
    finish = until_running(inprocess, sdk, done.id).estimated_finish
    inprocess.advance(finish + 1 - inprocess.now())
    models = inprocess.call(inprocess.runtime.list_fine_tuned_models)
    name = sdk.fine_tuning.jobs.retrieve(done.id).fine_tuned_model
    assert [(m.id, m.base_model, m.job_id) for m in models] == [(name, BASE, done.id)]
    assert sdk.fine_tuning.jobs.retrieve(running.id).status == "running"
    assert inprocess.call(inprocess.runtime.delete_fine_tuned_model, name) is True
    assert inprocess.call(inprocess.runtime.delete_fine_tuned_model, name) is False
    assert inprocess.call(inprocess.runtime.list_fine_tuned_models) == []


def test_jobs_survive_a_restart_and_keep_their_schedule(tmp_path: Any) -> None:
    db = str(tmp_path / "emulator.sqlite3")
    with InProcessEmulator(db_path=db) as first:
        sdk = jobs_client(first, "openai")
        job = make_job(sdk, examples=10, validation=True)
        running = until_running(first, sdk, job.id)
        events_before = [e.id for e in sdk.fine_tuning.jobs.list_events(job.id, limit=100)]
        paused_at = first.now()
        sdk.fine_tuning.jobs.pause(job.id)
        first.advance(100)
        stopped_at = first.now()
    with InProcessEmulator(db_path=db, clock_start=stopped_at) as second:
        sdk = jobs_client(second, "openai")
        again = sdk.fine_tuning.jobs.retrieve(job.id)
        assert again.status == "paused"
        events_after = [e.id for e in sdk.fine_tuning.jobs.list_events(job.id, limit=100)]
        assert events_after[-len(events_before) :] == events_before
        sdk.fine_tuning.jobs.resume(job.id)
        second.settle_jobs()
        done = sdk.fine_tuning.jobs.retrieve(job.id)
        assert done.status == "succeeded"
        assert done.finished_at == int(running.estimated_finish + (stopped_at - paused_at) + 10)
        content = sdk.files.content(done.result_files[0]).text
        assert content.startswith("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n")
        assert len(sdk.fine_tuning.jobs.checkpoints.list(job.id).data) == done.hyperparameters.n_epochs


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_a_fine_tuned_model_can_be_trained_further(emulator: Any, surface: str) -> None:
    sdk = jobs_client(emulator, surface)
    first = make_job(sdk, examples=10)
    emulator.settle_jobs()
    tuned = sdk.fine_tuning.jobs.retrieve(first.id).fine_tuned_model
    again = sdk.fine_tuning.jobs.create(model=tuned, training_file=first.training_file, suffix="more")
    assert again.model == tuned
    emulator.settle_jobs()
    done = sdk.fine_tuning.jobs.retrieve(again.id)
    assert done.status == "succeeded"
    assert done.fine_tuned_model.startswith(
        f"ft:{BASE}:emulator:more:" if surface == "openai" else f"{BASE}.ft-"
    )
    listed = [m.id for m in sdk.models.list()]
    assert tuned in listed and done.fine_tuned_model in listed
    expect_400(
        lambda: sdk.fine_tuning.jobs.create(model=tuned + "-gone", training_file=first.training_file),
        "model",
        surface,
    )


def test_speed_and_concurrency_come_from_flags_and_environment() -> None:
    from emulator.cli.main import parser
    from emulator.settings import Settings

    args = parser().parse_args(["serve", "--fine-tuning-speed", "60", "--fine-tuning-concurrency", "3"])
    assert (args.fine_tuning_speed, args.fine_tuning_concurrency) == (60.0, 3)
    settings = Settings.from_env(
        {"AOAI_EMULATOR_FINE_TUNING_SPEED": "2.5", "AOAI_EMULATOR_FINE_TUNING_CONCURRENCY": "4"}
    )
    assert (settings.fine_tuning_speed, settings.fine_tuning_concurrency) == (2.5, 4)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"fine_tuning_concurrency": 0}, "fine_tuning_concurrency"),
        ({"fine_tuning_speed": -1}, "fine_tuning_speed"),
    ],
)
def test_reset_refuses_impossible_fine_tuning_settings(
    emulator: Any, body: dict[str, Any], param: str
) -> None:
    with emulator.http_client() as http:
        response = http.post("/_emulator/reset", headers={"api-key": emulator.key}, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_settle_route_moves_the_clock_to_the_last_finish(emulator: Any) -> None:
    sdk = jobs_client(emulator, "openai")
    job = make_job(sdk)
    with emulator.http_client() as http:
        settled = http.post("/_emulator/jobs/settle", headers={"api-key": emulator.key}).json()
        assert int(settled["now"]) == job.estimated_finish
        assert settled["advanced"] == pytest.approx(settled["now"] - job.created_at, abs=1)
        again = http.post("/_emulator/jobs/settle", headers={"api-key": emulator.key}).json()
    assert (again["now"], again["advanced"]) == (settled["now"], 0)
