"""Fine-tuning request bodies: a job (`POST /fine_tuning/jobs`) and a legacy fine-tune (`POST /fine-tunes`).

What a body may say depends on the surface the job is made for (passed as the validation context's
`style`): OpenAI takes suffixes of up to 64 characters and means the default only by `"auto"`; Azure
(and its legacy API) takes up to 40 of a-z, A-Z, 0-9, '-' and '_', and also means the default by -1.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from emulator.api._shared.stored_selection import StoredFilters
from emulator.http.fields import check_metadata
from emulator.http.validation import PARAM, Text, object_or, one_of, refuse, reword, validate
from emulator.resource.fine_tuning.lifecycle import Style

LIMITS = {"n_epochs": (1, 50), "batch_size": (1, 256)}
MAX_SEED = 2_147_483_647
MAX_INTEGRATIONS = 5
_AZURE_SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def style_of(info: ValidationInfo) -> Style:
    style = (info.context or {}).get("style")
    return style if isinstance(style, Style) else Style.OPENAI


def _auto_or() -> WrapValidator:
    """`"auto"` or null (and on Azure -1) ask for the default, kept as None; anything else is checked."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        if value is None or value == "auto" or (style_of(info) is not Style.OPENAI and value == -1):
            return None
        return handler(value)

    return WrapValidator(validate)


def _expected(what: str) -> WrapValidator:
    return reword(lambda value: f"Invalid '{PARAM}': expected \"auto\" or {what}, but got {value!r}.")


_EPOCHS, _BATCH = LIMITS["n_epochs"], LIMITS["batch_size"]
Epochs = (
    Annotated[
        int,
        Field(ge=_EPOCHS[0], le=_EPOCHS[1]),
        _expected(f"an integer from {_EPOCHS[0]} to {_EPOCHS[1]}"),
        _auto_or(),
    ]
    | None
)
BatchSize = (
    Annotated[
        int,
        Field(ge=_BATCH[0], le=_BATCH[1]),
        _expected(f"an integer from {_BATCH[0]} to {_BATCH[1]}"),
        _auto_or(),
    ]
    | None
)
Positive = Annotated[float, Field(gt=0), _expected("a number greater than 0"), _auto_or()] | None
_NAMES = ("n_epochs", "batch_size", "learning_rate_multiplier", "beta", "l2_multiplier")


class Hyperparameters(BaseModel):
    """What a job asks for; a value of None asks for the default (worked out from the data)."""

    model_config = ConfigDict(extra="forbid")

    n_epochs: Epochs = None
    batch_size: BatchSize = None
    learning_rate_multiplier: Positive = None
    beta: Positive = None
    l2_multiplier: Positive = None

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, data: Any) -> Any:
        # The service's own words for a name it does not know (not "Unrecognized request argument").
        if isinstance(data, dict):
            for name in data:
                if name not in _NAMES:
                    raise refuse(f"Unrecognized hyperparameter '{name}'.", "unknown_parameter", field=name)
        return data

    def requested(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


HyperparameterObject = Annotated[
    Hyperparameters, object_or(f"Invalid type for '{PARAM}': expected an object.")
]


class _HyperparametersField(BaseModel):
    hyperparameters: HyperparameterObject | None = None


def check_hyperparameters(raw: Any, style: Style) -> dict[str, Any]:
    """The requested values of a `hyperparameters` object, each checked against its limits; `"auto"`
    (or -1 on Azure) left as None."""
    checked = validate(_HyperparametersField, {"hyperparameters": raw}, context={"style": style})
    return checked.hyperparameters.requested() if checked.hyperparameters else {}


class Stage(BaseModel):
    """`method.supervised` or `method.dpo`: the hyperparameters of that kind of training."""

    model_config = ConfigDict(extra="allow")

    hyperparameters: HyperparameterObject | None = None


StageObject = Annotated[Stage, object_or(f"Invalid type for '{PARAM}'.")]


class Method(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Annotated[
        Literal["supervised", "dpo"],
        reword(
            lambda kind: (
                f"Invalid '{PARAM}': {json.dumps(kind)}. Supported values are: 'supervised' and 'dpo'."
            )
        ),
    ] = Field(default=None, validate_default=True)
    supervised: StageObject | None = None
    dpo: StageObject | None = None

    def requested(self) -> dict[str, Any]:
        stage: Stage | None = getattr(self, self.type)
        return stage.hyperparameters.requested() if stage and stage.hyperparameters else {}


class Integration(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["wandb"]
    wandb: dict[str, Any]


WANDB = '{"type": "wandb", "wandb": {"project": ...}}'
IntegrationItem = Annotated[Integration, reword(f"Invalid '{PARAM}': expected {WANDB}.")]
Seed = Annotated[
    int, Field(ge=0, le=MAX_SEED), reword(f"Invalid 'seed': expected an integer from 0 to {MAX_SEED}.")
]


def _metadata_limits(value: dict[str, Any]) -> dict[str, Any]:
    check_metadata(value)
    return value


class JobFields(BaseModel):
    """The fields a current job and a legacy fine-tune check the same way."""

    model_config = ConfigDict(extra="forbid")

    model: Text
    training_file: Text
    validation_file: Text | None = None
    suffix: str | None = None
    seed: Seed | None = None

    @field_validator("suffix", mode="before")
    @classmethod
    def _suffix(cls, value: Any, info: ValidationInfo) -> Any:
        # The rule depends on the surface, so it is written out rather than typed.
        if value is None:
            return None
        if style_of(info) is Style.OPENAI:
            if type(value) is not str or not 1 <= len(value) <= 64:
                raise refuse("Invalid 'suffix': expected a string of 1 to 64 characters.")
        elif type(value) is not str or not _AZURE_SUFFIX.match(value):
            raise refuse("Invalid 'suffix': up to 40 characters of a-z, A-Z, 0-9, '-' and '_'.")
        return value


class JobRequest(JobFields):
    """`POST /fine_tuning/jobs` (and the job the distill extension makes)."""

    metadata: (
        Annotated[
            dict[str, Any],
            object_or("Invalid type for 'metadata': expected an object."),
        ]
        | None
    ) = None
    integrations: (
        Annotated[
            list[IntegrationItem],
            Field(max_length=MAX_INTEGRATIONS),
            reword(
                f"Invalid 'integrations': expected an array of at most {MAX_INTEGRATIONS} items.",
                only="here",
            ),
        ]
        | None
    ) = None
    hyperparameters: HyperparameterObject | None = None
    method: Annotated[Method, object_or("Invalid type for 'method': expected an object.")] | None = None

    @field_validator("metadata")
    @classmethod
    def _metadata_limits(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else _metadata_limits(value)

    def requested(self) -> dict[str, Any]:
        """The hyperparameters asked for, the method's over the top-level ones where it sets them."""
        requested = self.hyperparameters.requested() if self.hyperparameters else {}
        if self.method is not None:
            requested.update({k: v for k, v in self.method.requested().items() if v is not None})
        return requested

    def method_echo(self) -> dict[str, Any] | None:
        return None if self.method is None else {"type": self.method.type}


class LegacyFineTuneRequest(JobFields):
    """`POST /fine-tunes`: the hyperparameters at the top level, and the classification settings
    FineTuneCreation types."""

    n_epochs: Epochs = None
    batch_size: BatchSize = None
    learning_rate_multiplier: Positive = None
    prompt_loss_weight: Annotated[
        float, Field(ge=0), reword("Invalid 'prompt_loss_weight': expected a number >= 0.")
    ] = 0.01
    compute_classification_metrics: Annotated[
        bool, reword("Invalid 'compute_classification_metrics': expected a boolean.")
    ] = False
    classification_n_classes: (
        Annotated[int, Field(ge=1), reword("Invalid 'classification_n_classes': expected an integer >= 1.")]
        | None
    ) = None
    classification_positive_class: (
        Annotated[str, reword("Invalid 'classification_positive_class': expected a string.")] | None
    ) = None
    classification_betas: (
        Annotated[list[float], reword("Invalid 'classification_betas': expected an array of numbers.")] | None
    ) = None

    @model_validator(mode="after")
    def _metrics_need_classes(self) -> LegacyFineTuneRequest:
        given = self.classification_n_classes is not None or self.classification_positive_class is not None
        if self.compute_classification_metrics and not (self.validation_file and given):
            raise refuse(
                "compute_classification_metrics needs a validation_file and either classification_n_classes "
                "or classification_positive_class.",
                field="compute_classification_metrics",
            )
        return self

    def requested(self) -> dict[str, Any]:
        return self.model_dump(
            include={"n_epochs", "batch_size", "learning_rate_multiplier"}, exclude_unset=True
        )

    def classification(self) -> dict[str, Any]:
        optional = {
            "classification_n_classes": self.classification_n_classes,
            "classification_positive_class": self.classification_positive_class,
            "classification_betas": self.classification_betas,
        }
        return {
            "prompt_loss_weight": self.prompt_loss_weight,
            "compute_classification_metrics": self.compute_classification_metrics,
            **{k: v for k, v in optional.items() if v is not None},
        }


def _fraction(split: float) -> float:
    if not 0 <= split < 1:
        raise refuse(f"Invalid 'validation_split': expected a fraction from 0 to below 1, but got {split}.")
    return split


_TRAINING_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}\.jsonl")


def _training_file_name(name: str) -> str:
    if not _TRAINING_FILE_NAME.fullmatch(name):
        raise refuse(
            f"Invalid 'training_file_name': '{name[:40]}'. Expected a name ending in .jsonl, at most 102 "
            "characters of letters, digits, '.', '_' and '-', such as 'distill-3f9a.jsonl'."
        )
    return name


class DistillRequest(StoredFilters):
    """`POST /_emulator/distill`. The stored-completions model filter is `stored_model`, as `model` is the
    model to fine-tune; the job's fields are checked as `POST /fine_tuning/jobs` checks them (by the
    rules of the job's `surface`) when the job is made."""

    stored_model: str | None = None
    model: Any = None
    hyperparameters: Any = None
    suffix: Any = None
    seed: Any = None
    validation_split: Annotated[int | float, AfterValidator(_fraction)] | None = None
    # The training file's name, as the portal shows it before the file is made; random when not given.
    training_file_name: Annotated[str, AfterValidator(_training_file_name)] | None = None
    surface: (
        Annotated[
            str,
            one_of(
                ("azure", "openai"),
                lambda surface: (
                    f"Invalid value for 'surface': '{surface}'. Supported values are: azure, openai."
                ),
            ),
        ]
        | None
    ) = None

    @model_validator(mode="before")
    @classmethod
    def _first_name_of_surface(cls, body: Any) -> Any:
        # `flavour` was this field's first name: requests that still send it mean the same thing.
        if isinstance(body, dict) and "flavour" in body and "surface" not in body:
            return {("surface" if key == "flavour" else key): value for key, value in body.items()}
        return body
