"""The body of `POST /_emulator/faults`, and of the rules in settings and `serve --faults FILE`.

{"match": {"deployment"?, "model"?, "route"?, "method"?, "surface"?},
 "fault": {"status"? | "content_filter"? | "reset"? | "cut_after_chunks"? | "stall_seconds"?,
           "retry_after_seconds"?},
 "count"? | "probability"?, "seed"?}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from emulator.errors import InvalidRequest
from emulator.guards.faults import MAX_RULES, Fault, FaultRule, Match
from emulator.http.validation import Closed, parse_json_object, refuse, reword, validate

# The longest stall a rule may ask for: a day, past any client's timeout.
MAX_STALL_SECONDS = 86_400.0
MAX_COUNT = 1_000_000
SHORT = Field(min_length=1, max_length=256)
Surface = Literal["azure", "azure_v1", "openai"]
Category = Literal["hate", "sexual", "violence", "self_harm", "jailbreak"]


class MatchBody(Closed):
    deployment: Annotated[
        str | None, SHORT, reword("Invalid 'match.deployment': expected a deployment name.")
    ] = None
    model: Annotated[str | None, SHORT, reword("Invalid 'match.model': expected a model name.")] = None
    route: Annotated[
        str | None,
        Field(pattern=r"^/", max_length=256),
        reword("Invalid 'match.route': expected an operation's path template such as '/chat/completions'."),
    ] = None
    method: Annotated[
        Literal["GET", "POST", "PATCH", "DELETE", "get", "post", "patch", "delete"] | None,
        reword("Invalid 'match.method': expected GET, POST, PATCH or DELETE."),
    ] = None
    surface: Annotated[
        Surface | None, reword("Invalid 'match.surface': expected 'azure', 'azure_v1' or 'openai'.")
    ] = None


class FaultBody(Closed):
    status: Annotated[
        StrictInt | None,
        Field(ge=400, le=599),
        reword("Invalid 'fault.status': expected an error status from 400 to 599."),
    ] = None
    content_filter: Annotated[
        Category | None,
        reword("Invalid 'fault.content_filter': expected hate, sexual, violence, self_harm or jailbreak."),
    ] = None
    reset: Annotated[StrictBool, reword("Invalid 'fault.reset': expected a boolean.")] = False
    cut_after_chunks: Annotated[
        StrictInt | None,
        Field(ge=0, le=MAX_COUNT),
        reword(f"Invalid 'fault.cut_after_chunks': expected a whole number from 0 to {MAX_COUNT}."),
    ] = None
    stall_seconds: Annotated[
        float | None,
        Field(gt=0, le=MAX_STALL_SECONDS, allow_inf_nan=False),
        reword(
            f"Invalid 'fault.stall_seconds': expected a number of seconds above 0, at most {MAX_STALL_SECONDS:.0f}."
        ),
    ] = None
    retry_after_seconds: Annotated[
        StrictInt | None,
        Field(ge=0, le=3600),
        reword("Invalid 'fault.retry_after_seconds': expected a whole number of seconds from 0 to 3600."),
    ] = None

    @model_validator(mode="after")
    def _one_fault(self) -> FaultBody:
        answers = [self.status is not None, self.content_filter is not None, self.reset]
        if sum(answers) > 1:
            raise refuse("Invalid 'fault': give at most one of 'status', 'content_filter' and 'reset'.")
        if not any(answers) and self.cut_after_chunks is None and self.stall_seconds is None:
            raise refuse(
                "Invalid 'fault': give one of 'status', 'content_filter', 'reset', 'cut_after_chunks' or "
                "'stall_seconds'."
            )
        return self


class FaultRuleBody(Closed):
    match: MatchBody = MatchBody()
    fault: FaultBody
    count: Annotated[
        StrictInt | None,
        Field(ge=1, le=MAX_COUNT),
        reword(f"Invalid 'count': expected a whole number from 1 to {MAX_COUNT} (the next N matches)."),
    ] = None
    probability: Annotated[
        float | None,
        Field(gt=0, le=1, allow_inf_nan=False),
        reword("Invalid 'probability': expected a number above 0 and at most 1."),
    ] = None
    seed: Annotated[
        StrictInt, Field(ge=0, le=2**63 - 1), reword("Invalid 'seed': expected a whole number from 0.")
    ] = 0

    @model_validator(mode="after")
    def _count_or_probability(self) -> FaultRuleBody:
        if self.count is not None and self.probability is not None:
            raise refuse("Give 'count' (the next N matches) or 'probability', not both.", field="probability")
        return self

    def rule(self, rule_id: str) -> FaultRule:
        m, f = self.match, self.fault
        return FaultRule(
            rule_id,
            Match(m.surface, m.route, m.deployment, m.model, m.method.upper() if m.method else None),
            Fault(
                f.status,
                f.content_filter,
                f.reset,
                f.cut_after_chunks,
                f.stall_seconds,
                f.retry_after_seconds,
            ),
            self.count,
            self.probability,
            self.seed,
        )


def parse_rule(data: Mapping[str, Any]) -> FaultRuleBody:
    return validate(FaultRuleBody, data)


def parse_rules_body(raw: bytes) -> tuple[list[FaultRuleBody], bool]:
    """One rule, or `{"rules": [...]}` (all or none); and whether it was the list."""
    data = parse_json_object(raw)
    if set(data) == {"rules"}:
        rules = data["rules"]
        if not isinstance(rules, list) or not rules or len(rules) > MAX_RULES:
            raise refuse_rules()
        return [
            parse_rule(item) if isinstance(item, dict) else _not_object(n) for n, item in enumerate(rules)
        ], True
    return [parse_rule(data)], False


def refuse_rules() -> InvalidRequest:
    return InvalidRequest(
        f"Invalid 'rules': expected an array of 1 to {MAX_RULES} fault rules.", param="rules"
    )


def _not_object(n: int) -> FaultRuleBody:
    raise InvalidRequest(f"Invalid 'rules[{n}]': expected an object.", param=f"rules[{n}]")


def declared_rules(rules: Iterable[Mapping[str, Any]], new_id: Callable[[], str]) -> list[FaultRule]:
    """The rules a settings or file declares, checked as the route checks them."""
    return [parse_rule(data).rule(new_id()) for data in rules]
