"""What each operation takes and answers, for the OpenAPI document (emulator/openapi.py).

Request bodies come from the pydantic models where an operation has one, and from a short description
here where the handler checks the body itself. Successful answers are described by their object type,
required keys and their types, and stay open (`additionalProperties: true`): the official documents
hold the full shapes. A schema-driven fuzzer reads both (tests/test_fuzz*.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from emulator.api.chat.schemas import ChatCompletionRequest
from emulator.api.chat.stored_schemas import UpdateStoredCompletionRequest
from emulator.api.evals.routes import ITEM_STATUSES, ORDER_BY, RUN_STATUSES
from emulator.api.evals.run_schemas import DATA_SOURCE_TYPES, SamplingParams
from emulator.api.evals.schemas import CONFIG_TYPES, GRADER_TYPES
from emulator.api.extensions.schemas import DistillRequest, EvaluateRequest
from emulator.api.extensions.seeding import SeedStoredCompletions
from emulator.api.responses.schemas import CreateResponseRequest, InputTokensRequest
from emulator.control.api import RESETTABLE

REF = "#/components/schemas/{model}"
JSON = "application/json"
MULTIPART = "multipart/form-data"
EVENT_STREAM = "text/event-stream"

STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
NUMBER: dict[str, Any] = {"type": "number"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
OBJECT: dict[str, Any] = {"type": "object"}
INT64: dict[str, Any] = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
ARRAY: dict[str, Any] = {"type": "array"}
METADATA: dict[str, Any] = {
    "type": ["object", "null"],
    "maxProperties": 16,
    "propertyNames": {"maxLength": 64},
    "additionalProperties": {"type": "string", "maxLength": 512},
}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def obj(required: tuple[str, ...] = (), *, closed: bool = False, **properties: Any) -> dict[str, Any]:
    """An object with these properties (`required` among them); open unless `closed`."""
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": not closed}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: dict[str, Any], **limits: int) -> dict[str, Any]:
    return {"type": "array", "items": items, **limits}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def typed(object_type: str | None, *required: str, **properties: Any) -> dict[str, Any]:
    """A response object: its `object` (when it has one), its required keys, any others allowed."""
    props: dict[str, Any] = {name: {} for name in required}
    props.update(properties)
    if object_type is not None:
        props["object"] = {"const": object_type}
        required = ("object", *required)
    return obj(tuple(dict.fromkeys(required)), **props)


# --- request bodies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    schema: dict[str, Any]
    media_type: str = JSON
    required: bool = True


def model_ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


MODELS: tuple[type[BaseModel], ...] = (
    ChatCompletionRequest,
    CreateResponseRequest,
    InputTokensRequest,
    UpdateStoredCompletionRequest,
    SeedStoredCompletions,
)


def model_schemas() -> dict[str, Any]:
    """The request models and every model they use, as components of the document."""
    top, defs = models_json_schema([(m, "validation") for m in MODELS], ref_template=REF)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    for (model, _), schema in top.items():
        if "$ref" not in schema:
            schemas[model.__name__] = schema
    return schemas


_STOP = {"anyOf": [STRING, array(STRING, maxItems=4)]}
_HYPERPARAMETERS = obj(
    n_epochs={"anyOf": [{"const": "auto"}, {"type": "integer", "minimum": 1, "maximum": 50}]},
    batch_size={"anyOf": [{"const": "auto"}, {"type": "integer", "minimum": 1, "maximum": 256}]},
    learning_rate_multiplier={"anyOf": [{"const": "auto"}, {"type": "number", "exclusiveMinimum": 0}]},
    beta={"anyOf": [{"const": "auto"}, {"type": "number", "exclusiveMinimum": 0}]},
)
_FILTERS: dict[str, Any] = {
    "metadata": METADATA,
    "created_after": INT64,
    "created_before": INT64,
    "ids": array(STRING),
    "limit": {**INT64, "minimum": 1},
}
_MESSAGE = obj(("role", "content"), role=STRING, content={"anyOf": [STRING, array(OBJECT)]})
_GRADER = obj(
    ("type", "name"),
    type=enum(*GRADER_TYPES),
    name=STRING,
    input={"anyOf": [STRING, array(_MESSAGE)]},
    reference=STRING,
    operation=STRING,
    evaluation_metric=STRING,
    pass_threshold=NUMBER,
    model=STRING,
    labels=array(STRING),
    passing_labels=array(STRING),
)
_SOURCE = obj(
    ("type",),
    type=enum("file_content", "file_id", "stored_completions"),
    content=array(obj(("item",), item=OBJECT, sample=OBJECT)),
    id=STRING,
    **_FILTERS,
    model=STRING,
)
_RESETTABLE: dict[str, Any] = {
    "store_quota_bytes": {"type": "integer", "minimum": 0},
    "max_file_bytes": {"type": "integer", "minimum": 0},
    "clock_start": NUMBER,
    "id_seed": INTEGER,
    "lenient_api_version": BOOLEAN,
    "deployments": array(OBJECT),
    "fine_tuning_speed": {"type": "number", "exclusiveMinimum": 0},
    "fine_tuning_concurrency": {"type": "integer", "minimum": 1},
    "distill_files_downloadable": BOOLEAN,
}
assert set(_RESETTABLE) == RESETTABLE
_RULE = obj(
    match=STRING,
    regex=STRING,
    deployment=STRING,
    times={"type": "integer", "minimum": 1},
    reply={},
    replies=array({}),
)
# Multipart field names, as the SDKs send the object's keys.
_EXPIRES_AFTER_FIELDS: dict[str, Any] = {
    "expires_after[anchor]": enum("created_at"),
    "expires_after[seconds]": INTEGER,
}
_SAMPLING: dict[str, Any] = {key: {} for key in SamplingParams.model_fields}
_FINE_TUNE_CREATE: dict[str, Any] = {
    "model": STRING,
    "training_file": STRING,
    "validation_file": nullable(STRING),
    "suffix": nullable(STRING),
    "seed": nullable(INTEGER),
}

REQUESTS: dict[str, Body] = {
    "create_chat_completion": Body(model_ref(ChatCompletionRequest)),
    "create_response": Body(model_ref(CreateResponseRequest)),
    "count_response_input_tokens": Body(model_ref(InputTokensRequest)),
    "update_chat_completion": Body(model_ref(UpdateStoredCompletionRequest)),
    "seed_stored_completions": Body(model_ref(SeedStoredCompletions)),
    "create_completion": Body(
        obj(
            ("prompt",),
            prompt={"anyOf": [STRING, array(STRING, minItems=1)]},
            model=STRING,
            max_tokens={"type": "integer", "minimum": 0},
            temperature={"type": "number", "minimum": 0},
            top_p={"type": "number", "minimum": 0},
            n={"type": "integer", "minimum": 1},
            seed=INTEGER,
            stop=_STOP,
        )
    ),
    "create_deployment": Body(
        obj(
            ("model", "scale_settings"),
            model=STRING,
            scale_settings=obj(("scale_type",), scale_type=enum("standard", "manual"), capacity=INTEGER),
        )
    ),
    "update_deployment": Body(
        obj(model=STRING, scale_settings=obj(("scale_type",), scale_type=STRING, capacity=INTEGER))
    ),
    "misplaced_completion": Body(OBJECT, required=False),
    "emulator_create_deployment": Body(
        obj(
            ("name", "model"),
            name={"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
            model=STRING,
            version=STRING,
            settings=OBJECT,
        )
    ),
    "evaluate": Body(
        obj(
            ("testing_criteria",),
            closed=True,
            **{k: v for k, v in _FILTERS.items() if k in EvaluateRequest.model_fields},
            model=STRING,
            name=STRING,
            testing_criteria=array(_GRADER, minItems=1),
            generate_with=STRING,
            sampling_params=OBJECT,
        )
    ),
    "distill": Body(
        obj(
            ("model",),
            closed=True,
            **{k: v for k, v in _FILTERS.items() if k in DistillRequest.model_fields},
            stored_model=STRING,
            model=STRING,
            hyperparameters=_HYPERPARAMETERS,
            suffix=STRING,
            seed=INTEGER,
            validation_split={"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            surface=enum("azure", "openai"),
        )
    ),
    "create_file": Body(
        obj(
            ("file", "purpose"),
            file={"type": "string", "format": "binary"},
            purpose=STRING,
            **_EXPIRES_AFTER_FIELDS,
        ),
        MULTIPART,
    ),
    "import_file": Body(
        obj(
            ("purpose", "filename", "content_url"),
            purpose=STRING,
            filename=STRING,
            content_url=STRING,
            expires_after=obj(anchor=enum("created_at"), seconds=INTEGER),
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
    "create_eval": Body(
        obj(
            ("data_source_config", "testing_criteria"),
            closed=True,
            name=STRING,
            metadata=METADATA,
            data_source_config=obj(
                ("type",), type=enum(*CONFIG_TYPES), item_schema=OBJECT, include_sample_schema=BOOLEAN
            ),
            testing_criteria=array(_GRADER, minItems=1),
        )
    ),
    "update_eval": Body(obj(closed=True, name=STRING, metadata=METADATA)),
    "create_eval_run": Body(
        obj(
            ("data_source",),
            closed=True,
            name=STRING,
            metadata=METADATA,
            data_source=obj(
                ("type", "source"),
                type=enum(*DATA_SOURCE_TYPES),
                source=_SOURCE,
                model=STRING,
                input_messages=obj(
                    ("type",),
                    type=enum("template", "item_reference"),
                    template=array(_MESSAGE, minItems=1),
                    item_reference=STRING,
                ),
                sampling_params=obj(closed=True, **_SAMPLING),
            ),
        )
    ),
    "reset": Body(obj(closed=True, **_RESETTABLE), required=False),
    "advance_clock": Body(obj(("seconds",), seconds={"type": "number", "minimum": 0})),
    "add_scripts": Body({"anyOf": [obj(("rules",), closed=True, rules=array(_RULE)), _RULE, array(_RULE)]}),
}


# --- query parameters ----------------------------------------------------------------------------------

_AFTER_LIMIT: dict[str, Any] = {"after": STRING, "limit": {"type": "integer", "minimum": 1}}
_PAGE: dict[str, Any] = {**_AFTER_LIMIT, "order": enum("asc", "desc")}

QUERIES: dict[str, dict[str, Any]] = {
    "list_chat_completions": {**_PAGE, "model": STRING},
    "list_chat_completion_messages": _PAGE,
    "list_response_input_items": _PAGE,
    "list_files": {**_PAGE, "purpose": STRING},
    "list_jobs": _AFTER_LIMIT,
    "list_job_events": _AFTER_LIMIT,
    "list_job_checkpoints": _AFTER_LIMIT,
    "list_fine_tune_events": {"stream": BOOLEAN},
    "list_evals": {**_PAGE, "order_by": enum(*ORDER_BY)},
    "list_eval_runs": {**_PAGE, "status": enum(*RUN_STATUSES)},
    "list_eval_run_output_items": {**_PAGE, "status": enum(*ITEM_STATUSES)},
}


# --- successful answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Success:
    statuses: tuple[int, ...]
    schema: dict[str, Any] | None  # None: no content
    media_types: tuple[str, ...] = (JSON,)


def listing(item: dict[str, Any] | None = None) -> dict[str, Any]:
    return typed("list", "data", data=array(item or OBJECT))


_COMPLETION = typed("chat.completion", "id", "created", "model", "choices", id=STRING, choices=ARRAY)
_RESPONSE = typed("response", "id", "created_at", "model", "status", "output", id=STRING, output=ARRAY)
_DEPLOYMENT = typed("deployment", "id", "model", "status", id=STRING, model=STRING, status=STRING)
_EMULATED_DEPLOYMENT = typed(None, "name", "model", "status", name=STRING, model=STRING, status=STRING)
_FILE = typed("file", "id", "bytes", "filename", "purpose", id=STRING, filename=STRING, purpose=STRING)
_MODEL = typed("model", "id", id=STRING)
_JOB = typed("fine_tuning.job", "id", "model", "status", id=STRING, status=STRING)
_FINE_TUNE = typed("fine-tune", "id", "model", "status", id=STRING, status=STRING)
_EVAL = typed("eval", "id", "data_source_config", "testing_criteria", id=STRING)
_RUN = typed("eval.run", "id", "eval_id", "status", id=STRING, status=STRING)
_OUTPUT_ITEM = typed("eval.run.output_item", "id", "run_id", "eval_id", id=STRING)
_TEXT = {"type": "string"}


def deleted(object_type: str, id_key: str) -> dict[str, Any]:
    return typed(object_type, id_key, "deleted", deleted={"const": True})


RESPONSES: dict[str, Success] = {
    "create_chat_completion": Success((200,), _COMPLETION, (JSON, EVENT_STREAM)),
    "list_chat_completions": Success((200,), listing(_COMPLETION)),
    "retrieve_chat_completion": Success((200,), _COMPLETION),
    "update_chat_completion": Success((200,), _COMPLETION),
    "delete_chat_completion": Success((200,), deleted("chat.completion.deleted", "id")),
    "list_chat_completion_messages": Success((200,), listing()),
    "create_response": Success((200,), _RESPONSE, (JSON, EVENT_STREAM)),
    "retrieve_response": Success((200,), _RESPONSE),
    "delete_response": Success((200,), deleted("response.deleted", "id")),
    "list_response_input_items": Success((200,), listing()),
    "cancel_response": Success((200,), _RESPONSE),
    "count_response_input_tokens": Success(
        (200,), typed("response.input_tokens", "input_tokens", input_tokens=INTEGER)
    ),
    "create_completion": Success(
        (200,), typed("text_completion", "id", "created", "model", "choices", choices=ARRAY)
    ),
    "list_deployments": Success((200,), listing(_DEPLOYMENT)),
    "create_deployment": Success((201,), _DEPLOYMENT),
    "get_deployment": Success((200,), _DEPLOYMENT),
    "update_deployment": Success((200,), _DEPLOYMENT),
    "delete_deployment": Success((204,), None),
    "misplaced_completion": Success((), None),  # always a 404 that names the right paths
    "emulator_list_deployments": Success((200,), listing(_EMULATED_DEPLOYMENT)),
    "emulator_create_deployment": Success((201,), _EMULATED_DEPLOYMENT),
    "emulator_get_deployment": Success((200,), _EMULATED_DEPLOYMENT),
    "emulator_delete_deployment": Success((200,), deleted("deployment", "name")),
    "evaluate": Success((201,), typed(None, "file", "eval", "run", file=OBJECT, eval=OBJECT, run=OBJECT)),
    "distill": Success(
        (201,),
        typed(None, "completions", "training_file", "validation_file", "job", job=OBJECT),
    ),
    "create_file": Success((200, 201), _FILE),
    "list_files": Success((200,), listing(_FILE)),
    "import_file": Success((200, 201), _FILE),
    "retrieve_file": Success((200,), _FILE),
    "file_content": Success((200,), _TEXT, ("application/octet-stream", "text/csv")),
    "delete_file": Success((200, 204), deleted("file", "id")),
    "list_models": Success((200,), listing(_MODEL)),
    "retrieve_model": Success((200,), _MODEL),
    "delete_model": Success((200,), deleted("model", "id")),
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
    "create_eval": Success((201,), _EVAL),
    "list_evals": Success((200,), listing(_EVAL)),
    "retrieve_eval": Success((200,), _EVAL),
    "update_eval": Success((200,), _EVAL),
    "delete_eval": Success((200,), deleted("eval.deleted", "eval_id")),
    "create_eval_run": Success((201,), _RUN),
    "list_eval_runs": Success((200,), listing(_RUN)),
    "retrieve_eval_run": Success((200,), _RUN),
    "cancel_eval_run": Success((200,), _RUN),
    "delete_eval_run": Success((200,), deleted("eval.run.deleted", "run_id")),
    "list_eval_run_output_items": Success((200,), listing(_OUTPUT_ITEM)),
    "retrieve_eval_run_output_item": Success((200,), _OUTPUT_ITEM),
    "health": Success((200,), typed(None, "status", "version", status=STRING, version=STRING)),
    "reset": Success((200,), typed(None, "status", "now", now=NUMBER)),
    "get_clock": Success((200,), typed(None, "now", now=NUMBER)),
    "settle_jobs": Success((200,), typed(None, "now", "advanced", now=NUMBER, advanced=NUMBER)),
    "advance_clock": Success((200,), typed(None, "now", now=NUMBER)),
    "get_state": Success(
        (200,),
        typed(
            None,
            "stored_completions",
            "deployments",
            "clock",
            stored_completions=typed(
                None, "count", "bytes_used", "bytes_limit", count=INTEGER, bytes_used=INTEGER
            ),
            deployments=ARRAY,
            clock=OBJECT,
        ),
    ),
    "add_scripts": Success((201,), typed(None, "ids", ids=array(STRING))),
    "list_scripts": Success((200,), typed(None, "rules", rules=ARRAY)),
    "clear_scripts": Success((200,), typed(None, "deleted", deleted=INTEGER)),
    "seed_stored_completions": Success(
        (200,), typed(None, "ids", "bytes_used", "bytes_limit", ids=array(STRING), bytes_used=INTEGER)
    ),
    "get_openapi": Success((200,), typed(None, "openapi", "info", "paths", paths=OBJECT)),
}
