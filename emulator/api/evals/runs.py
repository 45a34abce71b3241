"""Eval runs: a data source turned into items and samples, graded, and a status that follows the clock.

A run is graded in full when it is created; what the API shows of it depends only on its
`created_at`, the number of items, when it was canceled and the current time:

* `queued` for the first QUEUED_SECONDS (1 s);
* `in_progress` while its items are graded one after the other, SECONDS_PER_ITEM (0.5 s) each:
  item i is done, and visible as an output item, QUEUED_SECONDS + (i + 1) · SECONDS_PER_ITEM after
  creation; counts cover the items done so far;
* `completed` once all are done (a run of n items completes after 1 + 0.5 · max(n, 1) seconds);
* `canceled` when canceled before that: the items done by then stay, the rest never appear.

A run never ends `failed`: what cannot be done for one item (a template naming a missing value, a
prompt the content filter refuses, a scripted error) errs that item, counted in `result_counts.errored`.

Data-source items:

* stored completions become `item = {completion_id, created, model, metadata, input, output_text}`
  (`input`: the stored input messages; `output_text`: the stored answer), and, unless the run asks
  for new samples, `sample = {output_text, model, finish_reason, usage, choices}` from the stored
  answer;
* `file_content` rows are `{"item": …, "sample": …?}` as sent;
* with `model` and `input_messages`, every item gets a fresh deterministic sample from that model
  (a template rendered against the item, or the messages an `item_reference` such as `item.input`
  points at).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.api.evals import grading, templating
from emulator.api.evals.store import ItemSummary
from emulator.errors import ApiError
from emulator.model import Generation, Sampling, message_text
from emulator.resource.completions import StoredCompletion

QUEUED_SECONDS = 1.0
SECONDS_PER_ITEM = 0.5
DEFAULT_SAMPLING: dict[str, Any] = {
    "temperature": 1.0,
    "top_p": 1.0,
    "seed": 42,
    "max_completion_tokens": 2048,
}


@dataclass(frozen=True)
class Progress:
    status: str  # queued | in_progress | completed | canceled
    done: int  # items graded so far: the visible output items


def finishes_at(created_at: int, item_count: int) -> float:
    return created_at + QUEUED_SECONDS + max(item_count, 1) * SECONDS_PER_ITEM


def _done_by(created_at: int, item_count: int, moment: float) -> int:
    elapsed = moment - created_at - QUEUED_SECONDS
    return max(0, min(item_count, math.floor(elapsed / SECONDS_PER_ITEM + 1e-9)))


def progress(created_at: int, item_count: int, now: float, canceled_at: float | None) -> Progress:
    if canceled_at is not None and canceled_at < finishes_at(created_at, item_count):
        return Progress("canceled", _done_by(created_at, item_count, min(now, canceled_at)))
    if now < created_at + QUEUED_SECONDS:
        return Progress("queued", 0)
    if now < finishes_at(created_at, item_count):
        return Progress("in_progress", _done_by(created_at, item_count, now))
    return Progress("completed", item_count)


def item_created_at(run_created_at: int, index: int) -> int:
    return int(run_created_at + QUEUED_SECONDS + (index + 1) * SECONDS_PER_ITEM)


@dataclass(frozen=True)
class DataItem:
    item: dict[str, Any]
    sample: dict[str, Any] | None  # the `sample` namespace, when the data source brings one


def stored_item(stored: StoredCompletion) -> DataItem:
    record = json.loads(stored.record)
    choice = (record.get("choices") or [{}])[0]
    answer = (choice.get("message") or {}).get("content") or ""
    item = {
        "completion_id": stored.id,
        "created": stored.created,
        "model": stored.model,
        "metadata": json.loads(stored.metadata),
        "input": json.loads(stored.messages),
        "output_text": answer,
    }
    sample = {
        "output_text": answer,
        "model": stored.model,
        "finish_reason": choice.get("finish_reason") or "stop",
        "usage": record.get("usage") or {},
        "choices": record.get("choices") or [],
        "temperature": record.get("temperature", DEFAULT_SAMPLING["temperature"]),
        "top_p": record.get("top_p", DEFAULT_SAMPLING["top_p"]),
        "seed": record.get("seed", DEFAULT_SAMPLING["seed"]),
    }
    return DataItem(item, sample)


def file_items(content: Sequence[Mapping[str, Any]]) -> list[DataItem]:
    return [
        DataItem(dict(row["item"]), dict(row["sample"]) if row.get("sample") else None) for row in content
    ]


Generate = Callable[[list[dict[str, Any]], Sampling], Generation]


@dataclass(frozen=True)
class Generator:
    """A model asked again for every item's sample."""

    model: str  # as the run names it: what per_model_usage reports
    model_name: str  # the versioned model that answers: what each sample reports
    input_messages: Mapping[str, Any]  # {"type": "template", …} or {"type": "item_reference", …}
    sampling: Mapping[str, Any]  # DEFAULT_SAMPLING overlaid with the run's sampling_params
    generate: Generate


class InputError(Exception):
    pass


def input_messages(spec: Mapping[str, Any], item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chat messages a sample is generated from, for one item."""
    context = {"item": item}
    try:
        if spec["type"] == "item_reference":
            messages = templating.resolve(spec["item_reference"], context)
            if not isinstance(messages, list) or not all(
                isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages
            ):
                raise InputError(
                    f"'{spec['item_reference']}' must hold a list of chat messages with a 'role' each"
                )
            return [dict(m) for m in messages]
        return [
            {"role": m["role"], "content": templating.render(grading.message_text(m.get("content")), context)}
            for m in spec["template"]
        ]
    except templating.MissingVariable as missing:
        raise InputError(str(missing)) from None


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cached_tokens": 0,
    }


def _sample_body(
    messages: Sequence[Mapping[str, Any]],
    sample: Mapping[str, Any],
    sampling: Mapping[str, Any],
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    usage = sample.get("usage") or {}
    prompt, completion = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
    return {
        "input": [
            {"role": str(m.get("role")), "content": message_text(dict(m))}
            for m in messages
            if isinstance(m, Mapping)
        ],
        "output": [] if error else [{"role": "assistant", "content": sample.get("output_text", "")}],
        "finish_reason": sample.get("finish_reason", "stop"),
        "model": sample.get("model", ""),
        "usage": _usage(prompt, completion),
        "error": error,
        "temperature": sample.get("temperature", sampling["temperature"]),
        "max_completion_tokens": sampling["max_completion_tokens"],
        "top_p": sample.get("top_p", sampling["top_p"]),
        "seed": sample.get("seed", sampling["seed"]),
    }


def _json_object(text: str) -> dict[str, Any] | None:
    """`sample.output_json`: the answer parsed, when it is a JSON object (structured outputs)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class Outcome:
    summary: ItemSummary
    body: dict[str, Any]  # datasource_item_id, datasource_item, results, sample


def _sampled(
    data: DataItem, generator: Generator | None
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, list[int]], str | None]:
    """(sample namespace, output-item sample, model usage, error) for one item."""
    if generator is None:
        if data.sample is None:
            return {}, None, {}, None
        messages = data.item.get("input") if isinstance(data.item.get("input"), list) else []
        return data.sample, _sample_body(messages or [], data.sample, DEFAULT_SAMPLING), {}, None
    try:
        messages = input_messages(generator.input_messages, data.item)
    except InputError as problem:
        error = {"code": "invalid_input_messages", "message": f"Cannot build this item's input: {problem}."}
        body = _sample_body([], {"model": generator.model_name}, generator.sampling, error)
        return {}, body, {}, error["message"]
    s = generator.sampling
    sampling = Sampling(
        seed=s["seed"], temperature=s["temperature"], top_p=s["top_p"], max_tokens=s["max_completion_tokens"]
    )
    try:
        generation = generator.generate(messages, sampling)
    except ApiError as refused:  # the content filter, a scripted error: this item errs, the run goes on
        error = {"code": refused.openai_code or "generation_failed", "message": refused.message}
        return {}, _sample_body(messages, {"model": generator.model_name}, s, error), {}, refused.message
    choice = generation.choices[0]
    text = choice.content or ""
    calls = [call.to_json() for call in choice.tool_calls]
    message: dict[str, Any] = {"role": "assistant", "content": choice.content}
    if calls:
        message["tool_calls"] = calls
    namespace = {
        "output_text": text,
        "output_json": _json_object(text),
        "output_tools": calls,
        "model": generator.model_name,
        "finish_reason": choice.finish_reason,
        "usage": _usage(generation.prompt_tokens, choice.completion_tokens),
        "choices": [{"index": 0, "message": message, "finish_reason": choice.finish_reason}],
    }
    tokens = {generator.model: [1, generation.prompt_tokens, choice.completion_tokens]}
    return namespace, _sample_body(messages, namespace, s), tokens, None


def evaluate_item(
    index: int, data: DataItem, criteria: Sequence[Mapping[str, Any]], generator: Generator | None
) -> Outcome:
    namespace, sample_body, usage, sample_error = _sampled(data, generator)
    if sample_error is not None:
        grades = [
            grading.Grade(c["id"], c["type"], 0.0, False, error=f"No sample to grade: {sample_error}")
            for c in criteria
        ]
    else:
        grades = [grading.grade(c, {"item": data.item, "sample": namespace}) for c in criteria]
    for g in grades:
        if g.usage is not None:
            calls, prompt, completion = usage.get(g.usage.model, [0, 0, 0])
            usage[g.usage.model] = [
                calls + 1,
                prompt + g.usage.prompt_tokens,
                completion + g.usage.completion_tokens,
            ]
    errored = sample_error is not None or any(g.error for g in grades)
    passed = not errored and all(g.passed for g in grades)
    summary = ItemSummary(index, passed, errored, [g.passed for g in grades], usage)
    body = {
        "datasource_item_id": index,
        "datasource_item": data.item,
        "results": [g.result() for g in grades],
        "sample": sample_body,
    }
    return Outcome(summary, body)


def counts(summaries: Sequence[ItemSummary], criteria_ids: Sequence[str]) -> dict[str, Any]:
    """result_counts, per_model_usage and per_testing_criteria_results over the items done."""
    passed = sum(1 for s in summaries if s.passed)
    errored = sum(1 for s in summaries if s.errored)
    usage: dict[str, list[int]] = {}
    for s in summaries:
        for model, (calls, prompt, completion) in s.usage.items():
            total = usage.setdefault(model, [0, 0, 0])
            total[0], total[1], total[2] = total[0] + calls, total[1] + prompt, total[2] + completion
    return {
        "result_counts": {
            "total": len(summaries),
            "errored": errored,
            "failed": len(summaries) - passed - errored,
            "passed": passed,
        },
        "per_model_usage": [
            {
                "model_name": model,
                "invocation_count": calls,
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "cached_tokens": 0,
            }
            for model, (calls, prompt, completion) in usage.items()
        ],
        "per_testing_criteria_results": [
            {
                "testing_criteria": criterion_id,
                "passed": sum(1 for s in summaries if s.grades[i]),
                "failed": sum(1 for s in summaries if not s.grades[i]),
            }
            for i, criterion_id in enumerate(criteria_ids)
        ],
    }
