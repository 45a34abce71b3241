"""The models a resource offers, as data: base models with capabilities, lifecycle and deprecation dates.

Fine-tuned models are not listed here: the fine-tuning jobs report them through
`Runtime.list_fine_tuned_models()` as `FineTunedModel` values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any


class FineTuneApi(str, Enum):
    """Which fine-tuning API trains from a model: the jobs API, or the 2022/2023 fine-tunes API."""

    JOBS = "jobs"
    LEGACY = "legacy"


class Lifecycle(str, Enum):
    PREVIEW = "preview"
    GENERALLY_AVAILABLE = "generally-available"
    DEPRECATING = "deprecating"
    DEPRECATED = "deprecated"


class Listed(str, Enum):
    """The surfaces that list a model: Azure names (`gpt-35-turbo`) differ from OpenAI's (`gpt-3.5-turbo`)."""

    ALL = "all"
    AZURE = "azure"
    OPENAI = "openai"


def _unix(day: str) -> int:
    return int(dt.datetime.fromisoformat(day + "T00:00:00+00:00").timestamp())


@dataclass(frozen=True)
class BaseModel:
    id: str
    created: str  # release day, YYYY-MM-DD
    inference_until: str  # the day inference is retired
    fine_tune_until: str | None = None  # the day fine-tuning ends; None: never fine-tunable
    fine_tune_api: FineTuneApi | None = None
    chat_completion: bool = True
    completion: bool = False
    embeddings: bool = False
    lifecycle: Lifecycle = Lifecycle.GENERALLY_AVAILABLE
    listed: Listed = Listed.ALL
    owned_by: str = "system"
    # How a legacy deployment of the model may scale: `standard` (shared), `manual` (reserved capacity).
    scale_types: tuple[str, ...] = ("standard",)
    # Tokens a request may hold, prompt and answer together, and of those the most the answer may hold;
    # None: the answer is bounded by the context window alone (the GPT-3 completion models).
    context_window: int = 128_000
    max_output_tokens: int | None = 16_384

    @property
    def created_at(self) -> int:
        return _unix(self.created)

    @property
    def inference_deprecation(self) -> int:
        return _unix(self.inference_until)

    @property
    def fine_tune_deprecation(self) -> int | None:
        return None if self.fine_tune_until is None else _unix(self.fine_tune_until)


_JOBS = FineTuneApi.JOBS
_LEGACY = FineTuneApi.LEGACY
# Token limits as the Azure and OpenAI model pages give them; gpt-4o and gpt-4o-mini keep the defaults.
_GPT41: dict[str, Any] = {"context_window": 1_047_576, "max_output_tokens": 32_768}
_GPT35: dict[str, Any] = {"context_window": 16_385, "max_output_tokens": 4_096}


def _gpt3(name: str) -> BaseModel:
    """The GPT-3 base models of the legacy fine-tunes API: completions only, since retired."""
    return BaseModel(
        name,
        "2022-03-01",
        "2024-07-05",
        "2024-07-05",
        _LEGACY,
        chat_completion=False,
        completion=True,
        lifecycle=Lifecycle.DEPRECATED,
        listed=Listed.AZURE,
        scale_types=("standard", "manual"),
        context_window=2_049,
        max_output_tokens=None,
    )


BASE_MODELS: tuple[BaseModel, ...] = (
    BaseModel("gpt-4o-2024-08-06", "2024-08-06", "2026-09-30", "2026-09-30", _JOBS),
    BaseModel("gpt-4o", "2024-05-13", "2026-09-30", listed=Listed.OPENAI),
    BaseModel("gpt-4o-mini-2024-07-18", "2024-07-18", "2026-09-30", "2026-09-30", _JOBS),
    BaseModel("gpt-4o-mini", "2024-07-18", "2026-09-30", listed=Listed.OPENAI),
    BaseModel("gpt-4.1-2025-04-14", "2025-04-14", "2027-04-14", "2027-04-14", _JOBS, **_GPT41),
    BaseModel("gpt-4.1", "2025-04-14", "2027-04-14", listed=Listed.OPENAI, **_GPT41),
    BaseModel("gpt-4.1-mini-2025-04-14", "2025-04-14", "2027-04-14", "2027-04-14", _JOBS, **_GPT41),
    BaseModel("gpt-4.1-nano-2025-04-14", "2025-04-14", "2027-04-14", "2027-04-14", _JOBS, **_GPT41),
    BaseModel(
        "gpt-35-turbo-0125",
        "2024-01-25",
        "2026-02-27",
        "2026-02-27",
        _JOBS,
        lifecycle=Lifecycle.DEPRECATING,
        listed=Listed.AZURE,
        **_GPT35,
    ),
    BaseModel(
        "gpt-3.5-turbo-0125",
        "2024-01-25",
        "2026-02-27",
        "2026-02-27",
        _JOBS,
        lifecycle=Lifecycle.DEPRECATING,
        listed=Listed.OPENAI,
        **_GPT35,
    ),
    BaseModel(
        "text-embedding-3-small",
        "2024-01-25",
        "2027-04-14",
        chat_completion=False,
        embeddings=True,
        context_window=8_191,
        max_output_tokens=None,
    ),
    _gpt3("ada"),
    _gpt3("babbage"),
    _gpt3("curie"),
    _gpt3("davinci"),
)
_BY_ID = {model.id: model for model in BASE_MODELS}


def base_model(model_id: str) -> BaseModel | None:
    return _BY_ID.get(model_id)


def base_models(*, azure: bool) -> tuple[BaseModel, ...]:
    """The base models one surface lists, in catalog order."""
    hidden = Listed.OPENAI if azure else Listed.AZURE
    return tuple(model for model in BASE_MODELS if model.listed is not hidden)


@dataclass(frozen=True)
class FineTunedModel:
    """A model made by a succeeded fine-tuning job (or legacy fine-tune) of this resource."""

    id: str  # the `fine_tuned_model` name the job reported
    base_model: str  # the catalog id of the model it was trained from
    job_id: str
    created_at: int
    owned_by: str = "user"
