"""The emulator's state behind one app: settings, clock, ids, database, stores and deployments. No HTTP
type reaches here: the app and its routes sit above it."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

from emulator.clock import Clock, ManualClock, SystemClock
from emulator.db.database import Database
from emulator.gate import Gate
from emulator.ids import IdFactory
from emulator.model.catalog import FineTunedModel
from emulator.model.scripts import ScriptBook, load_file
from emulator.resource.completions import CompletionStore
from emulator.resource.deployment_store import DeploymentStore
from emulator.resource.deployments import (
    DEFAULT_DEPLOYMENTS,
    DeploymentRegistry,
    load_deployments_file,
    parse_deployments,
)
from emulator.resource.files import FileStore, files_dir_for
from emulator.resource.fine_tuning.store import JobStore
from emulator.resource.fine_tuning.training import TRANSITION_SECONDS
from emulator.resource.learned import LearnedModels
from emulator.settings import Settings

S = TypeVar("S")


def make_clock(settings: Settings) -> Clock:
    return SystemClock() if settings.clock_start is None else ManualClock(settings.clock_start)


def make_deployments(settings: Settings, clock: Clock | None = None) -> DeploymentRegistry:
    now = clock.now if clock is not None else None
    if settings.deployments is not None:
        return DeploymentRegistry(parse_deployments(settings.deployments, "settings.deployments"), now)
    if settings.deployments_file:
        return DeploymentRegistry(load_deployments_file(settings.deployments_file), now)
    return DeploymentRegistry(DEFAULT_DEPLOYMENTS, now)


def make_scripts(settings: Settings) -> ScriptBook:
    book = ScriptBook()
    if settings.scripts_file:
        book.add(load_file(settings.scripts_file))
    return book


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.initial_settings = settings
        # Outlives resets: every request passes it, and a reset or stop closes it (emulator/gate.py).
        self.gate = Gate()
        self._build(settings)

    def _build(self, settings: Settings) -> None:
        self.settings = settings
        self.clock: Clock = make_clock(settings)
        self.ids = IdFactory(settings.id_seed)
        self.db = Database(settings.db_path)
        self.completions = CompletionStore(self.db)
        self._own_stores: dict[Callable[[Database], object], object] = {}
        self.files = FileStore(self.db, files_dir_for(settings.db_path), self.ids, self.clock)
        self.jobs = JobStore(
            self.db,
            slots=settings.fine_tuning_concurrency,
            transition_seconds=TRANSITION_SECONDS / settings.fine_tuning_speed,
        )
        self.deployments = make_deployments(settings, self.clock)
        self.deployment_store = DeploymentStore(self.db)
        self.learned = LearnedModels(self.jobs, self.files, self.clock)
        self.scripts = make_scripts(settings)

    def store(self, make: Callable[[Database], S]) -> S:
        """A store that one feature keeps for itself (its class, given the database), made on first use
        and dropped with the database by a reset. Stores that several features read are built above."""
        if make not in self._own_stores:
            self._own_stores[make] = make(self.db)
        return cast(S, self._own_stores[make])

    async def start(self) -> None:
        self.gate.reopen()
        await self._open()

    async def _open(self) -> None:
        try:
            await self.db.open()
            if self.db.reopenings:
                self.ids.resume(self.db.reopenings)
            self.files.open()
            self.deployments.load(await self.deployment_store.all())
            await self.completions.set_quota(self.settings.store_quota_bytes)
        except BaseException:
            await self._close()
            raise

    async def _close(self) -> None:
        try:
            await self.db.close()
        finally:
            self.files.close()

    async def stop(self) -> None:
        """Wait (bounded) for the requests in flight, let no new one in, then close the state."""
        async with self.gate.closed(stopping=True):
            await self._close()

    async def reset(self, **overrides: Any) -> None:
        """Back to a fresh emulator (empty store, clock and ids from the start), with the settings it was
        started with plus `overrides`. Requests in flight finish first against the old state; those that
        arrive meanwhile wait, and then meet the new one. Raises gate.Unavailable when requests still
        running after a bounded wait keep the reset from happening."""
        settings = self.initial_settings.replace(**overrides)
        # What a bad override would break is made first, while the old state still serves.
        make_deployments(settings)
        make_scripts(settings)
        async with self.gate.closed():
            await self._close()
            if settings.db_path:
                self.files.remove_all()
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(settings.db_path + suffix):
                        os.remove(settings.db_path + suffix)
            self._build(settings)
            await self._open()

    async def list_fine_tuned_models(self) -> list[FineTunedModel]:
        """The resource's succeeded fine-tuned models, oldest first, for the models list and get.

        The fine-tuning jobs fill this; OpenAI's model delete calls `delete_fine_tuned_model`."""
        return await self.jobs.fine_tuned_models(self.clock.now())

    async def delete_fine_tuned_model(self, model_id: str) -> bool:
        """Forget a fine-tuned model (OpenAI `DELETE /v1/models/{id}`); False if there is none."""
        return await self.jobs.delete_fine_tuned_model(model_id, self.clock.now())

    async def settle_jobs(self) -> float:
        """Move the clock to when every fine-tuning job that can finish has finished; the new time."""
        target = await self.jobs.settle_time(self.clock.now())
        return float(self.clock.advance(max(0.0, target - self.clock.now())))
