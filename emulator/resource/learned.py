"""The fine-tuned models' lessons, read from their training files once per model and kept."""

from __future__ import annotations

from emulator.clock import Clock
from emulator.model.catalog import base_model
from emulator.model.finetuned import Learned, learn
from emulator.resource.files import FileStore
from emulator.resource.fine_tuning.store import JobStore


class LearnedModels:
    def __init__(self, jobs: JobStore, files: FileStore, clock: Clock) -> None:
        self._jobs, self._files, self._clock = jobs, files, clock
        self._cache: dict[str, Learned] = {}

    async def of(self, model: str) -> Learned | None:
        """What `model` learned, or None if it is not a fine-tuned model of this resource."""
        if base_model(model) is not None:
            return None  # a catalog model, which no fine-tuned model's id can equal
        if model in self._cache:
            return self._cache[model]
        found = next(
            (m for m in await self._jobs.fine_tuned_models(self._clock.now()) if m.id == model), None
        )
        if found is None:
            return None
        job = (await self._jobs.snapshot()).get(found.job_id)
        content = await self._files.read_content(job.training_file) if job is not None else None
        # A training file deleted before the first call leaves the model answering as its base model.
        learned = learn(found.base_model, content or b"")
        self._cache[model] = learned
        return learned
