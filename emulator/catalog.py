"""The models a resource offers, as data: base models with capabilities, lifecycle and deprecation dates.

Fine-tuned models are not listed here: the fine-tuning jobs report them through
`Runtime.list_fine_tuned_models()` as `FineTunedModel` values.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FineTunedModel:
    """A model made by a succeeded fine-tuning job (or legacy fine-tune) of this resource."""

    id: str  # the `fine_tuned_model` name the job reported
    base_model: str  # the catalog id of the model it was trained from
    job_id: str
    created_at: int
    owned_by: str = "user"
