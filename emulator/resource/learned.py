"""The fine-tuned models' lessons, read from their training files once per model and kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.model.catalog import base_model
from emulator.model.finetuned import Learned, learn
from emulator.resource.deployments import Deployment

if TYPE_CHECKING:
    from emulator.runtime import Runtime


class LearnedModels:
    def __init__(self) -> None:
        self._cache: dict[str, Learned] = {}

    async def of(self, runtime: Runtime, model: str) -> Learned | None:
        """What `model` learned, or None if it is not a fine-tuned model of this resource."""
        if base_model(model) is not None:
            return None  # a catalog model, which no fine-tuned model's id can equal
        if model in self._cache:
            return self._cache[model]
        found = next((m for m in await runtime.list_fine_tuned_models() if m.id == model), None)
        if found is None:
            return None
        job = (await runtime.jobs.snapshot()).get(found.job_id)
        content = await runtime.files.read_content(job.training_file) if job is not None else None
        # A training file deleted before the first call leaves the model answering as its base model.
        learned = learn(found.base_model, content or b"")
        self._cache[model] = learned
        return learned


async def fine_tuned_by_name(runtime: Runtime, model: str) -> Deployment | None:
    """OpenAI serves a fine-tuned model by its name, with no deployment: what stands in for one, or None
    if `model` is not a fine-tuned model of this resource that can answer now (its job succeeded and the
    model was not deleted). Azure routes still need a deployment."""
    if base_model(model) is not None:
        return None
    if not any(found.id == model for found in await runtime.list_fine_tuned_models()):
        return None
    return Deployment(model, model, "")
