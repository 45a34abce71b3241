"""Graders: one testing criterion applied to one data-source item and its sample.

`string_check` and `text_similarity` are computed exactly (see emulator/api/evals/similarity.py). The model
graders are deterministic fakes that call no model:

* The fake judge reads the grader's input messages. When they mention the sample
  (`{{sample.output_text}}`) and at least one string value of the item (`{{item.reference}}`, …),
  it measures how close the sample is to that value: the best ROUGE-L F1 over the mentioned item
  values. Otherwise its verdict is a hash of the rendered prompt, uniform in [0, 1).
* `label_model` answers a passing label when that measure is ≥ 0.5 and a non-passing label below it
  (in hash mode, the label whose slot the hash falls in); which of several candidate labels it
  names is fixed by the hash. Score 1.0 when the label passes, else 0.0.
* `score_model` maps the measure linearly onto `range` (default [0, 1]) and passes at
  `pass_threshold` (default: the middle of the range).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.api.evals import similarity, templating
from emulator.model import tokens

PASSING_SIMILARITY = 0.5


@dataclass(frozen=True)
class Usage:
    model: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Grade:
    name: str  # the criterion's id
    type: str
    score: float
    passed: bool
    sample: dict[str, Any] | None = None  # what a model grader was asked and answered
    error: str | None = None  # set when the grader could not run on this item
    usage: Usage | None = None

    def result(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "score": self.score,
            "passed": self.passed,
            "sample": self.sample,
        }
        if self.error is not None:
            body["error"] = {"code": "grader_error", "message": self.error}
        return body


def string_check(operation: str, value: str, reference: str) -> bool:
    if operation == "eq":
        return value == reference
    if operation == "ne":
        return value != reference
    if operation == "like":
        return reference in value
    if operation == "ilike":
        return reference.lower() in value.lower()
    raise ValueError(f"unknown string_check operation {operation!r}")


def message_text(content: Any) -> str:
    """The text of a normalised grader message content: a part, a list of parts, or a string."""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        text = content.get("text")
        return text if isinstance(text, str) else ""
    if isinstance(content, list):
        return "\n".join(message_text(part) for part in content)
    return ""


def unit_hash(*parts: str) -> float:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


@dataclass(frozen=True)
class Verdict:
    measure: float  # in [0, 1]
    compared: bool  # True: similarity of the sample to an item value; False: a hash
    prompt: list[dict[str, str]]  # the rendered messages the judge was given


def judge(criterion: Mapping[str, Any], context: Mapping[str, Any]) -> Verdict:
    templates = [message_text(m.get("content")) for m in criterion["input"]]
    prompt = [
        {"role": str(m.get("role")), "content": templating.render(t, context)}
        for m, t in zip(criterion["input"], templates, strict=True)
    ]
    mentioned = [p for t in templates for p in templating.variables(t)]
    if any(p == "sample.output_text" for p in mentioned):
        answer = templating.as_text(templating.resolve("sample.output_text", context))
        references = [templating.resolve(p, context) for p in mentioned if p.startswith("item")]
        texts = [r for r in references if isinstance(r, str)]
        if texts:
            return Verdict(max(similarity.rouge_l(answer, r) for r in texts), True, prompt)
    return Verdict(unit_hash(criterion["name"], json.dumps(prompt, sort_keys=True)), False, prompt)


def _answered(
    criterion: Mapping[str, Any], prompt: list[dict[str, str]], result: Any
) -> tuple[dict[str, Any], Usage]:
    """What the grader model was asked and answered, and the tokens that cost."""
    answer = json.dumps({"steps": [], "result": result})
    model = criterion["model"]
    prompt_tokens, completion_tokens = tokens.count_messages(prompt, model), tokens.count(answer, model)
    sample = {
        "input": prompt,
        "output": [{"role": "assistant", "content": answer}],
        "model": criterion["model"],
        "finish_reason": "stop",
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "cached_tokens": 0,
        },
        "error": None,
    }
    return sample, Usage(criterion["model"], prompt_tokens, completion_tokens)


def _label(criterion: Mapping[str, Any], context: Mapping[str, Any], name: str) -> Grade:
    verdict = judge(criterion, context)
    labels: list[str] = list(criterion["labels"])
    passing: list[str] = list(criterion["passing_labels"])
    if verdict.compared:
        failing = [label for label in labels if label not in passing]
        candidates = passing if verdict.measure >= PASSING_SIMILARITY or not failing else failing
        pick = unit_hash("label", criterion["name"], json.dumps(verdict.prompt, sort_keys=True))
        label = candidates[min(int(pick * len(candidates)), len(candidates) - 1)]
    else:
        label = labels[min(int(verdict.measure * len(labels)), len(labels) - 1)]
    sample, usage = _answered(criterion, verdict.prompt, label)
    passed = label in passing
    return Grade(name, "label_model", 1.0 if passed else 0.0, passed, sample, usage=usage)


def _score(criterion: Mapping[str, Any], context: Mapping[str, Any], name: str) -> Grade:
    verdict = judge(criterion, context)
    low, high = criterion.get("range") or (0.0, 1.0)
    score = low + verdict.measure * (high - low)
    threshold = criterion.get("pass_threshold")
    passed = score >= (threshold if threshold is not None else (low + high) / 2)
    sample, usage = _answered(criterion, verdict.prompt, score)
    return Grade(name, "score_model", score, passed, sample, usage=usage)


def grade(criterion: Mapping[str, Any], context: Mapping[str, Any]) -> Grade:
    """Apply one normalised criterion to `{"item": …, "sample": …}`; a missing variable is an error."""
    kind = criterion["type"]
    name = criterion.get("id") or criterion["name"]
    try:
        if kind == "string_check":
            value = templating.render(criterion["input"], context)
            reference = templating.render(criterion["reference"], context)
            passed = string_check(criterion["operation"], value, reference)
            return Grade(name, kind, 1.0 if passed else 0.0, passed)
        if kind == "text_similarity":
            value = templating.render(criterion["input"], context)
            reference = templating.render(criterion["reference"], context)
            score = similarity.METRICS[criterion["evaluation_metric"]](value, reference)
            return Grade(name, kind, score, score >= criterion["pass_threshold"])
        if kind == "label_model":
            return _label(criterion, context, name)
        if kind == "score_model":
            return _score(criterion, context, name)
    except templating.MissingVariable as missing:
        return Grade(name, kind, 0.0, False, error=f"Cannot grade this item: {missing}.")
    raise ValueError(f"unknown grader type {kind!r}")
