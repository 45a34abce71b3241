"""What the evals, their runs and the Evaluate action take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from typing import Any

from emulator.api._shared.stored_selection import FILTERS
from emulator.api.evals.routes import ITEM_STATUSES, ORDER_BY, RUN_STATUSES
from emulator.api.evals.run_schemas import DATA_SOURCE_TYPES, SamplingParams
from emulator.api.evals.schemas import CONFIG_TYPES, GRADER_TYPES, EvaluateRequest
from emulator.http.openapi import (
    BOOLEAN,
    METADATA,
    NUMBER,
    OBJECT,
    PAGE,
    STRING,
    Body,
    Docs,
    Success,
    array,
    deleted,
    enum,
    listing,
    obj,
    typed,
)

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
    **FILTERS,
    model=STRING,
)
_SAMPLING: dict[str, Any] = {key: {} for key in SamplingParams.model_fields}
_EVAL = typed("eval", "id", "data_source_config", "testing_criteria", id=STRING)
_RUN = typed("eval.run", "id", "eval_id", "status", id=STRING, status=STRING)
_OUTPUT_ITEM = typed("eval.run.output_item", "id", "run_id", "eval_id", id=STRING)

DOCS = Docs(
    requests={
        "evaluate": Body(
            obj(
                ("testing_criteria",),
                closed=True,
                **{k: v for k, v in FILTERS.items() if k in EvaluateRequest.model_fields},
                model=STRING,
                name=STRING,
                testing_criteria=array(_GRADER, minItems=1),
                generate_with=STRING,
                sampling_params=OBJECT,
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
    },
    responses={
        "evaluate": Success((201,), typed(None, "file", "eval", "run", file=OBJECT, eval=OBJECT, run=OBJECT)),
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
    },
    queries={
        "list_evals": {**PAGE, "order_by": enum(*ORDER_BY)},
        "list_eval_runs": {**PAGE, "status": enum(*RUN_STATUSES)},
        "list_eval_run_output_items": {**PAGE, "status": enum(*ITEM_STATUSES)},
    },
)
