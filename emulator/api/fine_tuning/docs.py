"""What the fine-tuning jobs, legacy fine-tunes and the Distill action take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from typing import Any

from emulator.api._shared.stored_selection import FILTERS
from emulator.api.fine_tuning.schemas import DistillRequest
from emulator.http.openapi import (
    AFTER_LIMIT,
    BOOLEAN,
    EVENT_STREAM,
    INTEGER,
    JSON,
    METADATA,
    NUMBER,
    OBJECT,
    STRING,
    Body,
    Docs,
    Success,
    array,
    enum,
    listing,
    nullable,
    obj,
    typed,
)

_HYPERPARAMETERS = obj(
    n_epochs={"anyOf": [{"const": "auto"}, {"type": "integer", "minimum": 1, "maximum": 50}]},
    batch_size={"anyOf": [{"const": "auto"}, {"type": "integer", "minimum": 1, "maximum": 256}]},
    learning_rate_multiplier={"anyOf": [{"const": "auto"}, {"type": "number", "exclusiveMinimum": 0}]},
    beta={"anyOf": [{"const": "auto"}, {"type": "number", "exclusiveMinimum": 0}]},
)
_FINE_TUNE_CREATE: dict[str, Any] = {
    "model": STRING,
    "training_file": STRING,
    "validation_file": nullable(STRING),
    "suffix": nullable(STRING),
    "seed": nullable(INTEGER),
}
_JOB = typed("fine_tuning.job", "id", "model", "status", id=STRING, status=STRING)
_FINE_TUNE = typed("fine-tune", "id", "model", "status", id=STRING, status=STRING)

DOCS = Docs(
    requests={
        "distill": Body(
            obj(
                ("model",),
                closed=True,
                **{k: v for k, v in FILTERS.items() if k in DistillRequest.model_fields},
                stored_model=STRING,
                model=STRING,
                hyperparameters=_HYPERPARAMETERS,
                suffix=STRING,
                seed=INTEGER,
                validation_split={"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                training_file_name={"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\\.jsonl$"},
                surface=enum("azure", "openai"),
            )
        ),
        "create_job": Body(
            obj(
                ("model", "training_file"),
                closed=True,
                **_FINE_TUNE_CREATE,
                hyperparameters=_HYPERPARAMETERS,
                method=obj(("type",), type=enum("supervised", "dpo"), supervised=OBJECT, dpo=OBJECT),
                integrations=nullable(
                    array(obj(("type", "wandb"), type=enum("wandb"), wandb=OBJECT), maxItems=5)
                ),
                metadata=METADATA,
            )
        ),
        "create_fine_tune": Body(
            obj(
                ("model", "training_file"),
                closed=True,
                **_FINE_TUNE_CREATE,
                n_epochs=INTEGER,
                batch_size=INTEGER,
                learning_rate_multiplier=NUMBER,
                prompt_loss_weight={"type": "number", "minimum": 0},
                compute_classification_metrics=BOOLEAN,
                classification_n_classes={"type": "integer", "minimum": 1},
                classification_positive_class=STRING,
                classification_betas=array(NUMBER),
            )
        ),
    },
    responses={
        "distill": Success(
            (201,),
            typed(None, "completions", "training_file", "validation_file", "job", job=OBJECT),
        ),
        "create_job": Success((200, 201), _JOB),
        "list_jobs": Success((200,), listing(_JOB)),
        "retrieve_job": Success((200,), _JOB),
        "delete_job": Success((204,), None),
        "cancel_job": Success((200,), _JOB),
        "pause_job": Success((200,), _JOB),
        "resume_job": Success((200,), _JOB),
        "list_job_events": Success((200,), listing()),
        "list_job_checkpoints": Success((200,), listing()),
        "list_fine_tunes": Success((200,), listing(_FINE_TUNE)),
        "create_fine_tune": Success((201,), _FINE_TUNE),
        "get_fine_tune": Success((200,), _FINE_TUNE),
        "delete_fine_tune": Success((204,), None),
        "list_fine_tune_events": Success((200,), listing(), (JSON, EVENT_STREAM)),
        "cancel_fine_tune": Success((200,), _FINE_TUNE),
    },
    queries={
        "list_jobs": AFTER_LIMIT,
        "list_job_events": AFTER_LIMIT,
        "list_job_checkpoints": AFTER_LIMIT,
        "list_fine_tune_events": {"stream": BOOLEAN},
    },
)
