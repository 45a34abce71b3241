"""What a job has said and kept by a given instant: its events and its checkpoints, read off its timeline.

Nothing here is stored: a job's history is a pure function of its record, its timeline and `now`, so it
is the same on every read, survives a restart, and never shows an event from the future. Ids are
hashes of the job and the event, stable across reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from emulator.resource.fine_tuning.lifecycle import Phase, Style, Timeline
from emulator.resource.fine_tuning.training import Training, checkpoint_metrics


@dataclass(frozen=True)
class JobFacts:
    id: str
    style: Style
    training_file: str
    validation_file: str | None
    fine_tuned_model: str
    failure: str | None  # why the data was refused, for a job that fails


@dataclass(frozen=True)
class Event:
    at: float
    level: str  # info | warning | error (OpenAI spells warning `warn`)
    message: str
    type: str  # message | metrics
    data: dict[str, Any] | None
    key: str

    def id(self, job_id: str) -> str:
        return "ft-event-" + hashlib.sha256(f"{job_id}:{self.key}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Checkpoint:
    at: float
    step: int
    epoch: int
    metrics: dict[str, float]

    def id(self, job_id: str) -> str:
        return "ftckpt_" + hashlib.sha256(f"{job_id}:{self.step}".encode()).hexdigest()[:24]


def _message(facts: JobFacts, phase: Phase, first_run: bool) -> str | None:
    legacy = facts.style is Style.LEGACY
    if phase is Phase.QUEUED:
        return (
            "Job enqueued. Waiting for jobs ahead to complete."
            if legacy
            else ("Files validated, moving job to queued state")
        )
    if phase is Phase.RUNNING:
        if legacy:
            return "Job started." if first_run else "Job resumed."
        return "Fine-tuning job started" if first_run else "Fine-tuning job resumed"
    return {
        Phase.PAUSING: "Pausing fine-tuning job",
        Phase.PAUSED: "Fine-tuning job paused",
        Phase.RESUMING: "Resuming fine-tuning job",
        Phase.CANCELLED: "Job canceled." if legacy else "Fine-tuning job cancelled",
    }.get(phase)


def events(facts: JobFacts, timeline: Timeline, training: Training, now: float) -> list[Event]:
    """Every event up to `now`, oldest first."""
    found: list[Event] = []

    def add(
        at: float, message: str, key: str, level: str = "info", kind: str = "message", data: Any = None
    ) -> None:
        if at <= now:
            found.append(Event(at, level, message, kind, data, key))

    created = timeline.changes[0][0]
    legacy = facts.style is Style.LEGACY
    add(
        created,
        f"Created fine-tune: {facts.id}" if legacy else f"Created fine-tuning job: {facts.id}",
        "created",
    )
    if not legacy:
        add(created, f"Validating training file: {facts.training_file}", "validating")
        if facts.validation_file:
            add(created, f"Validating validation file: {facts.validation_file}", "validating-validation")
    runs = 0
    for index, (at, phase) in enumerate(timeline.changes[1:], start=1):
        if phase is Phase.RUNNING:
            runs += 1
        if phase is Phase.FAILED:
            add(
                at,
                f"Training file {facts.training_file} cannot be used: {facts.failure}",
                f"phase-{index}",
                level="error",
            )
            continue
        message = _message(facts, phase, runs == 1)
        if message:
            add(at, message, f"phase-{index}")
    steps = training.steps
    interval = training.metrics_interval()
    for step in range(1, steps + 1):
        epoch_end = step % training.steps_per_epoch == 0
        if step % interval and step != steps and not epoch_end:
            continue
        reached = timeline.time_at_progress(step / steps)
        if reached is None or reached > now:
            break
        at = reached
        epoch = (step - 1) // training.steps_per_epoch + 1
        if legacy:
            if epoch_end:
                add(at, f"Completed epoch {epoch}/{training.hyperparameters.n_epochs}", f"epoch-{epoch}")
            continue
        if step % interval == 0 or step == steps:
            m = training.at(step)
            data: dict[str, Any] = {
                "step": step,
                "train_loss": round(m.train_loss, 5),
                "train_mean_token_accuracy": round(m.train_accuracy, 5),
                "total_steps": steps,
            }
            text = f"Step {step}/{steps}: training loss={m.train_loss:.4f}"
            if m.valid_loss is not None:
                data["valid_loss"] = round(m.valid_loss, 5)
                data["valid_mean_token_accuracy"] = round(m.valid_accuracy or 0.0, 5)
                text += f", validation loss={m.valid_loss:.4f}"
            add(at, text, f"step-{step}", kind="metrics", data=data)
        if epoch_end:
            add(at, f"Checkpoint created at step {step}", f"checkpoint-{step}")
    if timeline.outcome is Phase.SUCCEEDED and timeline.ended_at is not None:
        end = timeline.ended_at
        if legacy:
            add(end, f"Uploaded model: {facts.fine_tuned_model}", "model")
            add(end, "Job succeeded.", "succeeded")
        else:
            add(end, f"New fine-tuned model created: {facts.fine_tuned_model}", "model")
            add(end, "The job has successfully completed", "succeeded")
    return sorted(found, key=lambda event: event.at)


def checkpoints(timeline: Timeline, training: Training, now: float) -> list[Checkpoint]:
    """One checkpoint per epoch finished by `now`, oldest first."""
    found = []
    for epoch in range(1, training.hyperparameters.n_epochs + 1):
        step = epoch * training.steps_per_epoch
        at = timeline.time_at_progress(step / training.steps)
        if at is None or at > now:
            break
        found.append(Checkpoint(at, step, epoch, checkpoint_metrics(training.at(step))))
    return found
