"""Request bodies in, or a 400 that names the offending `param` and says what to send instead."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticKnownError

from emulator import jsontext
from emulator.errors import InvalidRequest, UnrecognizedArgument

M = TypeVar("M", bound=BaseModel)

# A validator that raises ValueError(MISSING + "field") reports that field as a missing parameter.
MISSING = "missing:"

# The type of a validator's error that carries the service's own words (see `refuse`).
SERVICE_ERROR = "service_error"
# Stands for the field's path in a `refuse` message; a NUL-delimited token, so that what a user sent
# (quoted in many messages) is never taken for it.
PARAM = "\x00param\x00"

# Fields whose inner structure is free-form: an error anywhere inside names the field itself.
_OPAQUE = frozenset({"metadata", "logit_bias"})

_TYPE_NAMES = {
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "str": "a string",
    "string": "a string",
    "dict": "an object",
    "list": "an array",
    "model": "an object",
}


# Names pydantic gives the members of a union in an error's location (`content.str`, `stop.list[str]`):
# they say which alternative failed, not where, so the param leaves them out.
_UNION_MEMBERS = frozenset({"str", "int", "float", "bool", "none", "dict", "list"})


def _is_union_member(part: str) -> bool:
    return part in _UNION_MEMBERS or "[" in part


def param_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_union_member(part):
            continue
        else:
            if out in _OPAQUE:
                break
            out += ("." if out else "") + part
    return out


def _got(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _expected(error_type: str) -> str:
    base = error_type.split("_")[0]
    if error_type.startswith("model"):
        base = "model"
    return _TYPE_NAMES.get(base, base)


def _expected_any(errors: Sequence[Any]) -> str:
    names = list(dict.fromkeys(_expected(e["type"]) for e in errors))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def translate(error: ValidationError) -> InvalidRequest | UnrecognizedArgument:
    errors = error.errors(include_url=False)
    # An argument the request may not carry is named before anything else is judged, as the service does.
    unknown = [e for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1]
    if unknown:
        return UnrecognizedArgument(min(str(e["loc"][0]) for e in unknown))
    # The first field in the model's order is named, as a check written field by field would name it.
    # Within it, when a union failed, the alternative that got furthest into the value says the most,
    # and of alternatives as far, one whose type matched (it failed on a rule, not a type).
    top = errors[0]["loc"][:1]
    errors = [e for e in errors if e["loc"][:1] == top]
    deepest = max(len(e["loc"]) for e in errors)
    first = next(e for e in errors if len(e["loc"]) == deepest)
    place = param_path(first["loc"])
    alternatives = [e for e in errors if len(e["loc"]) == deepest and param_path(e["loc"]) == place]
    first = next((e for e in alternatives if not _is_type_error(e["type"])), first)
    loc = first["loc"]
    kind = first["type"]
    param = param_path(loc)
    same_place = [e for e in errors if param_path(e["loc"]) == param]
    if len(same_place) > 1 and all(_is_type_error(e["type"]) for e in same_place):
        return InvalidRequest(
            f"Invalid type for '{param}': expected {_expected_any(same_place)}, but got "
            f"{_got(first.get('input'))} instead.",
            param=param,
            code="invalid_type",
        )
    value = first.get("input")
    ctx = first.get("ctx") or {}
    if kind == SERVICE_ERROR:
        field = ctx.get("field")
        if field is not None:
            param = f"{param}.{field}" if param else field
        return InvalidRequest(str(ctx["message"]).replace(PARAM, param), param=param, code=ctx["code"])
    if kind == "extra_forbidden":
        return UnrecognizedArgument(param)
    if kind == "missing":
        return InvalidRequest(
            f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
        )
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return InvalidRequest(
            f"Invalid value for '{param}': {json.dumps(value)}. Supported values are: {expected}.",
            param=param,
            code="invalid_value",
        )
    if kind in ("too_short", "too_long"):
        limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        if isinstance(value, (list, tuple)):
            if kind == "too_short" and not value:
                return InvalidRequest(
                    f"Invalid '{param}': empty array. Expected an array with minimum length "
                    f"{limit}, but got an empty array instead.",
                    param=param,
                    code="empty_array",
                )
            what = "array too short" if kind == "too_short" else "array too long"
            bound = "minimum" if kind == "too_short" else "maximum"
            return InvalidRequest(
                f"Invalid '{param}': {what}. Expected an array with {bound} length {limit}, "
                f"but got an array with length {len(value)} instead.",
                param=param,
                code="array_below_min_length" if kind == "too_short" else "array_above_max_length",
            )
        what = "string too short" if kind == "too_short" else "string too long"
        bound = "minimum" if kind == "too_short" else "maximum"
        return InvalidRequest(
            f"Invalid '{param}': {what}. Expected a string with {bound} length {limit}, "
            f"but got a string with length {len(str(value))} instead.",
            param=param,
            code="string_below_min_length" if kind == "too_short" else "string_above_max_length",
        )
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        number = "integer" if isinstance(value, int) else "decimal"
        if kind.startswith("greater"):
            lower = ctx.get("ge", ctx.get("gt"))
            sign = ">=" if kind == "greater_than_equal" else ">"
            return InvalidRequest(
                f"Invalid '{param}': {number} below minimum value. Expected a value {sign} "
                f"{lower}, but got {value} instead.",
                param=param,
                code=f"{number}_below_min_value",
            )
        upper = ctx.get("le", ctx.get("lt"))
        sign = "<=" if kind == "less_than_equal" else "<"
        return InvalidRequest(
            f"Invalid '{param}': {number} above maximum value. Expected a value {sign} "
            f"{upper}, but got {value} instead.",
            param=param,
            code=f"{number}_above_max_value",
        )
    if kind == "value_error":
        message = str(ctx.get("error", first["msg"]))
        if message.startswith(MISSING):
            field = param + "." + message[len(MISSING) :] if param else message[len(MISSING) :]
            return InvalidRequest(
                f"Missing required parameter: '{field}'.", param=field, code="missing_required_parameter"
            )
        if not message.startswith("Invalid"):
            message = f"Invalid '{param}': {message}."
        return InvalidRequest(message, param=param, code="invalid_value")
    if _is_type_error(kind):
        return InvalidRequest(
            f"Invalid type for '{param}': expected {_expected(kind)}, but got {_got(value)} instead.",
            param=param,
            code="invalid_type",
        )
    return InvalidRequest(f"Invalid '{param}': {first['msg']}.", param=param, code="invalid_value")


def _is_type_error(kind: str) -> bool:
    return kind.endswith("_type") or kind.endswith("_parsing") or kind == "union_tag_invalid"


def refuse(message: str, code: str = "invalid_value", *, field: str | None = None) -> PydanticCustomError:
    """A validator's error in the service's own words, where pydantic's would say it differently.
    PARAM in the message stands for the field's path; `field` names a field under it (a key of
    the object being validated) as the param instead."""
    return PydanticCustomError(SERVICE_ERROR, "{message}", {"message": message, "code": code, "field": field})


def reword(
    message: str | Callable[[Any], str],
    code: str = "invalid_value",
    *,
    only: Literal["here", "inside"] | None = None,
) -> WrapValidator:
    """Pydantic checks the value; when it fails, the service's sentence says why. `only="here"` rewords
    only a failure of the value itself (errors further in, in an element or a field, keep their own
    words); `only="inside"` only those further in. The value is kept as sent (`1` stays `1`, not `1.0`)
    unless it became a model."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            checked = handler(value)
        except ValidationError as error:
            here = any(not e["loc"] for e in error.errors())
            if only is None or (only == "here") == here:
                raise refuse(message(value) if callable(message) else message, code) from None
            raise
        return checked if isinstance(checked, BaseModel) else value

    return WrapValidator(validate)


def one_of(allowed: Sequence[str], message: Callable[[str], str]) -> AfterValidator:
    """A string that must be one of `allowed`, in the service's words when it is not (a wrong type is
    still reported as one)."""

    def validate(value: str) -> str:
        if value not in allowed:
            raise refuse(message(value))
        return value

    return AfterValidator(validate)


class Closed(BaseModel):
    """A body whose unknown fields are refused as "Unknown parameter" naming the field (the evals API's
    words), the first sent first, before anything else is judged."""

    @model_validator(mode="before")
    @classmethod
    def _no_unknown(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    raise refuse(f"Unknown parameter: '{PARAM}'.", "unknown_parameter", field=key)
        return data


def object_or(message: str, code: str = "invalid_type") -> WrapValidator:
    """An object, or the service's sentence for what was sent instead; its fields are checked as usual."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if type(value) is not dict:
            raise refuse(message, code)
        return handler(value)

    return WrapValidator(validate)


def _not_null(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if value is None:
        raise PydanticKnownError("missing")
    return handler(value)


# A required field that null does not satisfy either: absent or null, it is a missing parameter.
NOT_NULL = WrapValidator(_not_null)


def _non_empty_text(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if value is None:
        raise PydanticKnownError("missing")
    if type(value) is not str or not value:
        raise refuse(f"Invalid '{PARAM}': expected a non-empty string.", "invalid_type")
    return handler(value)


# Absent or null is a missing parameter, anything but a non-empty string a bad type; last in an
# Annotated, so that these come before any rule of the string's own.
NON_EMPTY = WrapValidator(_non_empty_text)
# A required, non-empty string.
Text = Annotated[str, NON_EMPTY]


def _has_lone_surrogate(data: Any) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _not_json(constant: str) -> Any:
    """NaN and Infinity: Python reads them, but they are not JSON and the service refuses them."""
    raise ValueError(f"{constant} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_not_json)


def too_deep_error() -> InvalidRequest:
    return InvalidRequest(
        f"The JSON body nests objects and arrays more than {jsontext.MAX_DEPTH} levels deep, more than the "
        "API reads. Send the same data with less nesting.",
        param=None,
        code="invalid_json",
    )


def parse_json_object(raw: bytes) -> dict[str, Any]:
    read = jsontext.read_exactly(raw)
    if type(read) is dict:
        if jsontext.too_deep(raw, read):
            raise too_deep_error()
        return read
    data = _parse_json_object_slowly(raw)
    if jsontext.too_deep(raw, data):
        raise too_deep_error()
    return data


def _parse_json_object_slowly(raw: bytes) -> dict[str, Any]:
    """What the fast reader leaves: any encoding JSON allows, and each fault named."""
    if not raw.strip():
        raise InvalidRequest(
            "The request body is empty. Send a JSON object with Content-Type: application/json.",
            param=None,
            code="invalid_json",
        )
    try:
        # As json.loads reads bytes, with one decoder made once rather than one per call.
        data = _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except RecursionError:
        raise too_deep_error() from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest(
            "We could not parse the JSON body of your request. The API expects a JSON payload, but what was "
            "sent was not valid JSON.",
            param=None,
            code="invalid_json",
        ) from None
    if not isinstance(data, dict):
        raise InvalidRequest(
            f"The request body must be a JSON object, but got {_got(data)}.", param=None, code="invalid_type"
        )
    # A `\ud800` escape without its pair decodes to text that cannot be stored or sent back as UTF-8.
    if (b"\\ud" in raw or b"\\uD" in raw) and _has_lone_surrogate(data):
        raise InvalidRequest(
            "The JSON body contains a \\u escape of half a surrogate pair, which is not valid Unicode text. "
            "Send characters outside the Basic Multilingual Plane as a full pair or as UTF-8.",
            param=None,
            code="invalid_json",
        )
    return data


def validate(model: type[M], data: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> M:
    """`data` as `model`, or the 400 that names what is wrong with it. `context` tells validators what
    the body alone does not (the surface it was sent to)."""
    try:
        return model.model_validate(data, strict=True, context=context)
    except ValidationError as error:
        raise translate(error) from None


def parse_body(
    model: type[M], raw: bytes, context: Mapping[str, Any] | None = None
) -> tuple[M, dict[str, Any]]:
    """The validated model and the raw object it came from (to tell sent fields from defaults)."""
    data = parse_json_object(raw)
    return validate(model, data, context), data
