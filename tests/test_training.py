"""Simulated training, pure: hyperparameters, durations, metrics, results.csv, names, events, checkpoints."""

from __future__ import annotations

import csv
import io

import pytest

from emulator.api.fine_tuning.history import JobFacts, checkpoints, events
from emulator.api.fine_tuning.schemas import check_hyperparameters
from emulator.errors import InvalidRequest
from emulator.resource.fine_tuning.lifecycle import Action, Plan, Style, simulate
from emulator.resource.fine_tuning.training import (
    COLUMNS,
    Dataset,
    Hyperparameters,
    Training,
    auto_hyperparameters,
    durations,
    fine_tuned_model_name,
    resolve_base_model,
    results_csv,
)

JOB = "ftjob-0123456789abcdef0123456789abcdef"


def training(examples: int = 10, epochs: int = 3, batch: int = 2, validation: bool = True) -> Training:
    return Training(
        JOB,
        42,
        Dataset(examples, examples * 30),
        Dataset(5, 150) if validation else None,
        Hyperparameters(epochs, batch, 1.8),
    )


@pytest.mark.parametrize(
    ("examples", "expected"),
    [
        (10, (10, 1, 1.8)),
        (50, (3, 1, 1.8)),
        (1_000, (3, 2, 1.8)),
        (5_000, (3, 10, 1.0)),
        (30_000, (1, 60, 0.5)),
    ],
)
def test_auto_hyperparameters_follow_the_dataset_size(examples: int, expected: tuple) -> None:
    h = auto_hyperparameters(examples)
    assert (h.n_epochs, h.batch_size, h.learning_rate_multiplier) == expected


def test_legacy_defaults_are_four_epochs_and_a_small_multiplier() -> None:
    assert auto_hyperparameters(3, legacy=True) == Hyperparameters(4, 1, 0.05)


@pytest.mark.parametrize(
    ("raw", "param"),
    [
        ({"n_epochs": 0}, "hyperparameters.n_epochs"),
        ({"n_epochs": 51}, "hyperparameters.n_epochs"),
        ({"n_epochs": 2.5}, "hyperparameters.n_epochs"),
        ({"batch_size": 257}, "hyperparameters.batch_size"),
        ({"learning_rate_multiplier": 0}, "hyperparameters.learning_rate_multiplier"),
        ({"learning_rate_multiplier": "fast"}, "hyperparameters.learning_rate_multiplier"),
        ({"warmup": 3}, "hyperparameters.warmup"),
    ],
)
def test_hyperparameter_limits_name_the_field(raw: dict, param: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        check_hyperparameters(raw, Style.OPENAI)
    assert raised.value.param == param


def test_auto_and_azures_minus_one_mean_the_default() -> None:
    assert check_hyperparameters({"n_epochs": "auto", "batch_size": 4}, Style.OPENAI) == {
        "n_epochs": None,
        "batch_size": 4,
    }
    assert check_hyperparameters({"n_epochs": -1}, Style.AZURE) == {"n_epochs": None}
    with pytest.raises(InvalidRequest):
        check_hyperparameters({"n_epochs": -1}, Style.OPENAI)


def test_durations_scale_with_trained_tokens_and_speed() -> None:
    small = durations(1_000, 0, 3, 1.0)
    big = durations(100_000, 0, 3, 1.0)
    assert big[1] > small[1] and big[0] > small[0]
    fast = durations(100_000, 0, 3, 10.0)
    assert fast == pytest.approx((big[0] / 10, big[1] / 10))
    assert durations(1_000, 0, 6, 1.0)[1] > small[1]


def test_base_models_are_data() -> None:
    assert resolve_base_model("gpt-4o-mini", legacy=False) == "gpt-4o-mini-2024-07-18"
    assert resolve_base_model("gpt-4.1-2025-04-14", legacy=False) == "gpt-4.1-2025-04-14"
    assert resolve_base_model("curie", legacy=False) is None
    assert resolve_base_model("curie", legacy=True) == "curie"
    assert resolve_base_model("gpt-4o", legacy=True) is None


def test_fine_tuned_model_names_per_surface() -> None:
    assert fine_tuned_model_name(Style.OPENAI, "gpt-4o-mini-2024-07-18", JOB, "demo") == (
        "ft:gpt-4o-mini-2024-07-18:emulator:demo:01234567"
    )
    assert fine_tuned_model_name(Style.OPENAI, "gpt-4o-mini-2024-07-18", JOB, None) == (
        "ft:gpt-4o-mini-2024-07-18:emulator::01234567"
    )
    assert fine_tuned_model_name(Style.AZURE, "gpt-4o-mini-2024-07-18", JOB, "demo") == (
        "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef-demo"
    )
    assert fine_tuned_model_name(Style.LEGACY, "curie", "ft-abc", None) == "curie.ft-abc"


def test_steps_are_epochs_times_batches_per_epoch() -> None:
    run = training(examples=10, epochs=3, batch=4)
    assert (run.steps_per_epoch, run.steps, run.trained_tokens) == (3, 9, 900)


@pytest.mark.parametrize("style", list(Style))
@pytest.mark.parametrize("validation", [True, False])
def test_results_csv_columns_rows_and_determinism(style: Style, validation: bool) -> None:
    run = training(validation=validation)
    content = results_csv(run, style)
    assert content == results_csv(run, style)
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert tuple(rows[0]) == COLUMNS[style]
    assert len(rows) - 1 == run.steps == 15
    valid_columns = [i for i, name in enumerate(rows[0]) if "valid" in name]
    for row in rows[1:]:
        filled = [row[i] != "" for i in valid_columns]
        if style is Style.AZURE:
            epoch_end = int(row[0]) % run.steps_per_epoch == 0
            assert filled == [validation, validation, validation and epoch_end, validation and epoch_end]
        else:
            assert all(cell is validation for cell in filled)
    if style is Style.LEGACY:
        assert [int(r[2]) for r in rows[1:]] == [2 * s for s in range(1, 16)]  # elapsed examples


def test_curves_fall_and_rise_with_noise_and_differ_per_job() -> None:
    run = training(examples=200, epochs=3, batch=1)
    losses = [run.at(s).train_loss for s in range(1, run.steps + 1)]
    accuracies = [run.at(s).train_accuracy for s in range(1, run.steps + 1)]
    assert sum(losses[:50]) / 50 > 2 * sum(losses[-50:]) / 50
    assert sum(accuracies[:50]) < sum(accuracies[-50:])
    assert any(b > a for a, b in zip(losses, losses[1:], strict=False))  # not monotone: noise
    other = Training("ftjob-other", 42, run.training, run.validation, run.hyperparameters)
    assert other.at(10).train_loss != run.at(10).train_loss


def test_events_and_checkpoints_appear_as_training_reaches_them() -> None:
    run = training(examples=4, epochs=2, batch=2)  # 4 steps
    facts = JobFacts(JOB, Style.OPENAI, "file-t", "file-v", "ft:model", None)
    line = simulate([Plan(JOB, 0.0, 10.0, 100.0)])[JOB]
    assert [e.message for e in events(facts, line, run, 0.0)] == [
        f"Created fine-tuning job: {JOB}",
        "Validating training file: file-t",
        "Validating validation file: file-v",
    ]
    mid = events(facts, line, run, 60.0)  # half-way: steps 1 and 2, the first epoch's checkpoint
    assert [e.data["step"] for e in mid if e.type == "metrics"] == [1, 2]
    assert mid[-1].message == "Checkpoint created at step 2"
    assert [c.step for c in checkpoints(line, run, 60.0)] == [2]
    done = events(facts, line, run, 1000.0)
    assert [e.message for e in done[-2:]] == [
        "New fine-tuned model created: ft:model",
        "The job has successfully completed",
    ]
    assert len({e.id(JOB) for e in done}) == len(done)
    assert [c.at for c in checkpoints(line, run, 1000.0)] == [60.0, 110.0]


def test_legacy_events_speak_the_legacy_words() -> None:
    run = training(examples=3, epochs=2, batch=1, validation=False)
    facts = JobFacts("ft-1", Style.LEGACY, "file-t", None, "curie.ft-1", None)
    line = simulate([Plan("ft-1", 0.0, 10.0, 100.0, actions=(Action("cancel", 200.0),))])["ft-1"]
    assert [e.message for e in events(facts, line, run, 1000.0)] == [
        "Created fine-tune: ft-1",
        "Job enqueued. Waiting for jobs ahead to complete.",
        "Job started.",
        "Completed epoch 1/2",
        "Completed epoch 2/2",
        "Uploaded model: curie.ft-1",
        "Job succeeded.",
    ]
