"""Fine-tuning jobs: one row per job, one row per cancel, pause or resume; nothing else is stored.

Statuses, events and checkpoints are computed (emulator/resource/fine_tuning/lifecycle.py, emulator/api/fine_tuning/history.py). Every
job's timeline depends on every other's (they share the training slots), so the store reads all jobs in
one round trip and keeps the computed timelines until the next write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.db.database import Database, transaction
from emulator.model.catalog import FineTunedModel
from emulator.resource.fine_tuning.lifecycle import (
    DELETE,
    Action,
    Phase,
    Plan,
    Style,
    Timeline,
    settle_time,
    simulate,
)
from emulator.resource.fine_tuning.training import Dataset, Hyperparameters, Training


@dataclass(frozen=True)
class JobRecord:
    id: str
    style: Style
    created_at: float
    model: str
    fine_tuned_model: str
    training_file: str
    validation_file: str | None
    spec: dict[str, Any]
    validate_seconds: float
    train_seconds: float
    failure: str | None = None
    result_file: str | None = None
    deleted_at: float | None = None
    model_deleted: bool = False
    actions: tuple[Action, ...] = ()

    def plan(self) -> Plan:
        return Plan(
            self.id,
            self.created_at,
            self.validate_seconds,
            self.train_seconds,
            self.failure is not None,
            self.actions,
        )

    @property
    def hyperparameters(self) -> Hyperparameters:
        h = self.spec["hyperparameters"]
        return Hyperparameters(int(h["n_epochs"]), int(h["batch_size"]), float(h["learning_rate_multiplier"]))

    @property
    def training(self) -> Training:
        validation = self.spec.get("validation")
        return Training(
            self.id,
            int(self.spec["seed"]),
            Dataset(**self.spec["training"]),
            Dataset(**validation) if validation else None,
            self.hyperparameters,
        )


@dataclass(frozen=True)
class Snapshot:
    """Every job, in creation order, and its timeline."""

    jobs: tuple[JobRecord, ...]
    timelines: dict[str, Timeline]

    def get(self, job_id: str) -> JobRecord | None:
        return next((job for job in self.jobs if job.id == job_id and job.deleted_at is None), None)

    def visible(self) -> list[JobRecord]:
        return [job for job in self.jobs if job.deleted_at is None]

    def succeeded_by(self, job: JobRecord, now: float) -> bool:
        return self.timelines[job.id].phase_at(now) is Phase.SUCCEEDED


_COLUMNS = (
    "id, style, created_at, model, fine_tuned_model, training_file, validation_file, spec, "
    "validate_seconds, train_seconds, failure, result_file, deleted_at, model_deleted"
)


def _load(conn: sqlite3.Connection) -> list[JobRecord]:
    actions: dict[str, list[Action]] = {}
    for job_id, kind, at, seq in conn.execute(
        "SELECT job_id, kind, at, seq FROM fine_tuning_actions ORDER BY seq"
    ):
        actions.setdefault(job_id, []).append(Action(kind, float(at), int(seq)))
    return [
        JobRecord(
            id=row[0],
            style=Style(row[1]),
            created_at=float(row[2]),
            model=row[3],
            fine_tuned_model=row[4],
            training_file=row[5],
            validation_file=row[6],
            spec=json.loads(row[7]),
            validate_seconds=float(row[8]),
            train_seconds=float(row[9]),
            failure=row[10],
            result_file=row[11],
            deleted_at=row[12],
            model_deleted=bool(row[13]),
            actions=tuple(actions.get(row[0], ())),
        )
        for row in conn.execute(f"SELECT {_COLUMNS} FROM fine_tuning_jobs ORDER BY seq")
    ]


class JobStore:
    def __init__(self, db: Database, *, slots: int, transition_seconds: float) -> None:
        self.db = db
        self.slots = slots
        self.transition_seconds = transition_seconds
        self._snapshot: Snapshot | None = None

    def _simulate(self, jobs: tuple[JobRecord, ...]) -> Snapshot:
        plans = [job.plan() for job in jobs]
        return Snapshot(jobs, simulate(plans, slots=self.slots, transition_seconds=self.transition_seconds))

    async def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = self._simulate(tuple(await self.db.run(_load)))
        return self._snapshot

    async def act(self, job_id: str, action: str, at: float, check: Callable[[Phase], None]) -> None:
        """Record `action` (cancel, pause, resume, delete) at `at` if `check` allows it in the phase the
        job is in then. Reading the state, checking and recording are one transaction, so two requests
        cannot both pass the check, whatever threads they come from; `check` raises to refuse."""

        def apply(conn: sqlite3.Connection) -> None:
            timeline = self._simulate(tuple(_load(conn))).timelines.get(job_id)
            if timeline is None:
                raise LookupError(job_id)
            check(timeline.phase_at(at))
            if action == DELETE:
                conn.execute("UPDATE fine_tuning_jobs SET deleted_at = ? WHERE id = ?", (at, job_id))
            else:
                conn.execute(
                    "INSERT INTO fine_tuning_actions (job_id, kind, at) VALUES (?, ?, ?)",
                    (job_id, action, at),
                )

        await self._write(apply)

    async def _write(self, fn: Any, *args: Any) -> Any:
        def run(conn: sqlite3.Connection) -> Any:
            with transaction(conn):
                return fn(conn, *args)

        try:
            return await self.db.run(run)
        finally:
            self._snapshot = None

    async def create(self, job: JobRecord) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO fine_tuning_jobs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.id,
                    job.style.value,
                    job.created_at,
                    job.model,
                    job.fine_tuned_model,
                    job.training_file,
                    job.validation_file,
                    json.dumps(job.spec, separators=(",", ":")),
                    job.validate_seconds,
                    job.train_seconds,
                    job.failure,
                    None,
                    None,
                    0,
                ),
            )

        await self._write(insert)

    async def set_result_file(self, job_id: str, file_id: str) -> bool:
        """Record the job's results file unless it already has one; False if it had."""

        def update(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE fine_tuning_jobs SET result_file = ? WHERE id = ? AND result_file IS NULL",
                (file_id, job_id),
            )
            return cursor.rowcount > 0

        return bool(await self._write(update))

    async def delete_model(self, job_id: str) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE fine_tuning_jobs SET model_deleted = 1 WHERE id = ?", (job_id,))

        await self._write(update)

    async def settle_time(self, now: float) -> float:
        snapshot = await self.snapshot()
        return settle_time(list(snapshot.timelines.values()), now)

    async def fine_tuned_models(self, now: float) -> list[FineTunedModel]:
        """The models of jobs succeeded by `now`, not deleted, oldest first."""
        snapshot = await self.snapshot()
        found = []
        for job in snapshot.visible():
            timeline = snapshot.timelines[job.id]
            if job.model_deleted or timeline.phase_at(now) is not Phase.SUCCEEDED:
                continue
            base = job.spec.get("base_model", job.model)  # a job that continued a fine-tuned model
            found.append(FineTunedModel(job.fine_tuned_model, base, job.id, int(timeline.ended_at or now)))
        return sorted(found, key=lambda model: model.created_at)

    async def delete_fine_tuned_model(self, model_id: str, now: float) -> bool:
        job_id = next((m.job_id for m in await self.fine_tuned_models(now) if m.id == model_id), None)
        if job_id is None:
            return False
        await self.delete_model(job_id)
        return True
