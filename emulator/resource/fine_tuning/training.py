"""What training a model does, simulated and deterministic: hyperparameters, durations, metrics per step,
the `results.csv` of each surface, and the name of the model it makes.

Every number is a pure function of the job (its id, seed, data sizes and hyperparameters), so a job
read twice, or after a restart, reports the same curve. Noise comes from a hash of the job and the step,
so one step's metrics cost the same whether the job has ten steps or a million.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.model.catalog import BASE_MODELS, FineTuneApi
from emulator.resource.fine_tuning.lifecycle import Style


def _alias(snapshot: str) -> str:
    """The name without its version: `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `gpt-35-turbo-0125` → `gpt-35-turbo`."""
    return re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{4})$", "", snapshot)


# The catalog says which API trains each base model; a snapshot may also be named without its version.
FINE_TUNABLE: dict[str, tuple[str, ...]] = {
    model.id: (_alias(model.id),) for model in BASE_MODELS if model.fine_tune_api is FineTuneApi.JOBS
}
LEGACY_FINE_TUNABLE: tuple[str, ...] = tuple(
    model.id for model in BASE_MODELS if model.fine_tune_api is FineTuneApi.LEGACY
)
MIN_EXAMPLES = 10  # modern jobs; the legacy API takes smaller files (seed 003 trains on three)

# Simulated durations at speed 1: reading the files, then training.
VALIDATE_SECONDS = 30.0
VALIDATE_TOKENS_PER_SECOND = 50_000.0
TRAIN_SECONDS = 300.0
TRAIN_TOKENS_PER_SECOND = 1_000.0
TRANSITION_SECONDS = 10.0  # pausing and resuming


def resolve_base_model(model: str, *, legacy: bool) -> str | None:
    """The snapshot a fine-tune of `model` trains from, or None if the API cannot fine-tune it."""
    if legacy:
        return model if model in LEGACY_FINE_TUNABLE else None
    if model in FINE_TUNABLE:
        return model
    return next((snapshot for snapshot, aliases in FINE_TUNABLE.items() if model in aliases), None)


def fine_tunable_names(*, legacy: bool) -> str:
    return ", ".join(LEGACY_FINE_TUNABLE if legacy else FINE_TUNABLE)


@dataclass(frozen=True)
class Hyperparameters:
    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float

    def to_json(self) -> dict[str, Any]:
        return {
            "n_epochs": self.n_epochs,
            "batch_size": self.batch_size,
            "learning_rate_multiplier": self.learning_rate_multiplier,
        }


def auto_hyperparameters(examples: int, *, legacy: bool = False) -> Hyperparameters:
    """The values `"auto"` stands for, from the size of the dataset: small sets get more epochs."""
    examples = max(1, examples)
    batch_size = max(1, min(256, math.ceil(examples * 0.002)))
    if legacy:
        # The legacy defaults: 4 epochs, a multiplier of 0.05, 0.1 or 0.2 growing with the batch.
        rate = 0.05 if batch_size < 4 else (0.1 if batch_size < 32 else 0.2)
        return Hyperparameters(4, batch_size, rate)
    if examples >= 25_000:
        n_epochs = 1
    elif examples >= 8_000:
        n_epochs = 2
    else:
        n_epochs = min(25, max(3, math.ceil(100 / examples)))
    rate = 1.8 if batch_size <= 2 else (1.0 if batch_size <= 16 else 0.5)
    return Hyperparameters(n_epochs, batch_size, rate)


def resolve_hyperparameters(
    requested: Mapping[str, Any], examples: int, *, legacy: bool = False
) -> Hyperparameters:
    auto = auto_hyperparameters(examples, legacy=legacy)
    return Hyperparameters(
        int(requested.get("n_epochs") or auto.n_epochs),
        int(requested.get("batch_size") or auto.batch_size),
        float(requested.get("learning_rate_multiplier") or auto.learning_rate_multiplier),
    )


def durations(
    training_tokens: int, validation_tokens: int, n_epochs: int, speed: float
) -> tuple[float, float]:
    """(seconds validating the files, seconds training), scaled by trained tokens and the speed setting."""
    validate = VALIDATE_SECONDS + (training_tokens + validation_tokens) / VALIDATE_TOKENS_PER_SECOND
    train = TRAIN_SECONDS + training_tokens * n_epochs / TRAIN_TOKENS_PER_SECOND
    return validate / speed, train / speed


def fine_tuned_model_name(style: Style, base: str, job_id: str, suffix: str | None) -> str:
    """`ft:<base>:<org>:<suffix>:<id>` on OpenAI; `<base>.ft-<hex>[-<suffix>]` on Azure (§3.7)."""
    token = job_id.split("-", 1)[-1]
    if style is Style.OPENAI:
        return f"ft:{base}:{ORGANIZATION}:{suffix or ''}:{token[:8]}"
    return f"{base}.ft-{token}" + (f"-{suffix}" if suffix else "")


ORGANIZATION = "emulator"


@dataclass(frozen=True)
class Dataset:
    examples: int
    tokens: int


@dataclass(frozen=True)
class StepMetrics:
    step: int
    epoch_end: bool
    train_loss: float
    train_accuracy: float
    train_sequence_accuracy: float
    elapsed_tokens: int
    elapsed_examples: int
    valid_loss: float | None
    valid_accuracy: float | None
    valid_sequence_accuracy: float | None
    full_valid_loss: float | None
    full_valid_accuracy: float | None


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by `parts`."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Training:
    """One job's training run: its steps and the metrics of each."""

    job_id: str
    seed: int
    training: Dataset
    validation: Dataset | None
    hyperparameters: Hyperparameters

    @property
    def steps_per_epoch(self) -> int:
        return max(1, math.ceil(self.training.examples / self.hyperparameters.batch_size))

    @property
    def steps(self) -> int:
        return self.hyperparameters.n_epochs * self.steps_per_epoch

    @property
    def trained_tokens(self) -> int:
        return self.training.tokens * self.hyperparameters.n_epochs

    def metrics_interval(self) -> int:
        """A metrics event every this many steps: every step for a small job, about fifty in all for a big one."""
        return max(1, math.ceil(self.steps / 50))

    def _noise(self, name: str, step: int) -> float:
        return _unit(self.job_id, self.seed, name, step) - 0.5

    def at(self, step: int) -> StepMetrics:
        batch = self.hyperparameters.batch_size
        progress = step / self.steps
        decay = math.exp(-3.5 * progress)
        start = 1.4 + 0.8 * _unit(self.job_id, self.seed, "start")
        floor = 0.08 + 0.2 * _unit(self.job_id, self.seed, "floor")
        smooth_loss = floor + (start - floor) * decay
        smooth_accuracy = 0.6 + 0.36 * (1 - decay)
        train_loss = max(0.005, smooth_loss + 0.2 * self._noise("loss", step) * (0.4 + decay))
        train_accuracy = min(1.0, max(0.0, smooth_accuracy + 0.06 * self._noise("accuracy", step)))
        avg_tokens = self.training.tokens / max(1, self.training.examples)
        valid_loss = valid_accuracy = valid_sequence = full_loss = full_accuracy = None
        epoch_end = step % self.steps_per_epoch == 0
        if self.validation is not None:
            # Held-out loss sits a little above the training curve and drifts up late: mild overfitting.
            held_out = smooth_loss + 0.05 + 0.08 * progress**2
            valid_loss = max(0.005, held_out + 0.15 * self._noise("valid_loss", step) * (0.4 + decay))
            valid_accuracy = min(
                1.0, max(0.0, smooth_accuracy - 0.03 + 0.06 * self._noise("valid_acc", step))
            )
            valid_sequence = round(valid_accuracy**4 * batch) / batch
            if epoch_end:
                full_loss = held_out
                full_accuracy = smooth_accuracy - 0.03
        return StepMetrics(
            step=step,
            epoch_end=epoch_end,
            train_loss=train_loss,
            train_accuracy=train_accuracy,
            train_sequence_accuracy=round(train_accuracy**4 * batch) / batch,
            elapsed_tokens=round(step * batch * avg_tokens),
            elapsed_examples=step * batch,
            valid_loss=valid_loss,
            valid_accuracy=valid_accuracy,
            valid_sequence_accuracy=valid_sequence,
            full_valid_loss=full_loss,
            full_valid_accuracy=full_accuracy,
        )

    def all_steps(self) -> Iterator[StepMetrics]:
        for step in range(1, self.steps + 1):
            yield self.at(step)


COLUMNS: dict[Style, tuple[str, ...]] = {
    Style.OPENAI: ("step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy"),
    Style.AZURE: (
        "step",
        "train_loss",
        "train_mean_token_accuracy",
        "valid_loss",
        "validation_mean_token_accuracy",
        "full_valid_loss",
        "full_valid_mean_token_accuracy",
    ),
    # The nine columns of the legacy walk-through (seed 003).
    Style.LEGACY: (
        "step",
        "elapsed_tokens",
        "elapsed_examples",
        "training_loss",
        "training_sequence_accuracy",
        "training_token_accuracy",
        "validation_loss",
        "validation_sequence_accuracy",
        "validation_token_accuracy",
    ),
}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.5f}"


def _row(style: Style, m: StepMetrics) -> list[str | int]:
    modern: list[str | int] = [
        m.step,
        _number(m.train_loss),
        _number(m.train_accuracy),
        _number(m.valid_loss),
        _number(m.valid_accuracy),
    ]
    if style is Style.OPENAI:
        return modern
    if style is Style.AZURE:
        return [*modern, _number(m.full_valid_loss), _number(m.full_valid_accuracy)]
    return [
        m.step,
        m.elapsed_tokens,
        m.elapsed_examples,
        _number(m.train_loss),
        _number(m.train_sequence_accuracy),
        _number(m.train_accuracy),
        _number(m.valid_loss),
        _number(m.valid_sequence_accuracy),
        _number(m.valid_accuracy),
    ]


def results_csv(training: Training, style: Style) -> bytes:
    """The `results.csv` of a finished job: a header row, then one row per training step."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[style])
    for metrics in training.all_steps():
        writer.writerow(_row(style, metrics))
    return out.getvalue().encode("utf-8")


def checkpoint_metrics(m: StepMetrics) -> dict[str, float]:
    """A checkpoint's `metrics` (OpenAI's fixed keys; Azure reads the same map)."""
    metrics: dict[str, float] = {
        "step": float(m.step),
        "train_loss": round(m.train_loss, 5),
        "train_mean_token_accuracy": round(m.train_accuracy, 5),
    }
    for key, value in (
        ("valid_loss", m.valid_loss),
        ("valid_mean_token_accuracy", m.valid_accuracy),
        ("full_valid_loss", m.full_valid_loss),
        ("full_valid_mean_token_accuracy", m.full_valid_accuracy),
    ):
        if value is not None:
            metrics[key] = round(value, 5)
    return metrics
