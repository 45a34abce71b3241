"""Every error the emulator answers with: one class per service error, one renderer per envelope.

ApiError                     status, message, param; rendered per surface and route family
 ├── Unauthorized            401, missing or wrong key
 ├── ResourceNotFound        404, Azure's bare "Resource not found" (no api-version, route absent)
 ├── ApiVersionNotSupported  400, unknown api-version
 ├── UnrecognizedArgument    400, a field the api-version does not know
 ├── InvalidRequest          400, a bad field, naming `param`
 ├── DeploymentNotFound      404, Azure inference on an unknown deployment
 ├── ModelNotFound           404, OpenAI inference on an unknown model
 ├── ObjectNotFound          404, an unknown id
 ├── QuotaExceeded           400, the stored-completions quota
 ├── Conflict                409 on Azure, 400 on OpenAI
 │    └── UnexpectedEntityState  an action the object's state does not allow
 ├── MethodNotAllowed        405
 └── InternalError           500
"""

from __future__ import annotations

from typing import Any

from emulator.surfaces import Family, Surface


class ApiError(Exception):
    status = 400
    openai_type = "invalid_request_error"
    openai_code: str | None = None
    azure_code = "invalidPayload"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        openai_code: str | None = None,
        azure_code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if openai_code is not None:
            self.openai_code = openai_code
        if azure_code is not None:
            self.azure_code = azure_code
        if status is not None:
            self.status = status
        self.headers = headers or {}

    def status_for(self, surface: Surface) -> int:
        return self.status

    def body(self, surface: Surface, family: Family) -> dict[str, Any]:
        if surface is Surface.OPENAI:
            return self.openai_body()
        if family is Family.AUTHORING:
            return self.azure_authoring_body()
        return self.azure_inference_body()

    def openai_body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.openai_type,
                "param": self.param,
                "code": self.openai_code,
            }
        }

    def azure_inference_body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.openai_code or self.azure_code,
                "message": self.message,
                "param": self.param,
                "type": self.openai_type,
            }
        }

    def azure_authoring_body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.azure_code, "message": self.message}
        if self.param is not None:
            error["target"] = self.param
            error["param"] = self.param
            error["type"] = self.openai_type
        return {"error": error}


class Unauthorized(ApiError):
    status = 401

    def __init__(self, *, missing: bool, key_hint: str = "") -> None:
        self.missing = missing
        self.key_hint = key_hint
        super().__init__("Access denied", openai_code=None if missing else "invalid_api_key")

    def azure_body(self) -> dict[str, Any]:
        if self.missing:
            message = (
                "Access denied due to missing subscription key. Make sure to include subscription key "
                "when making requests to an API."
            )
        else:
            message = (
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
                "provide a valid key for an active subscription and use a correct regional API "
                "endpoint for your resource."
            )
        return {"error": {"code": "401", "message": message}}

    azure_authoring_body = azure_body
    azure_inference_body = azure_body

    def openai_body(self) -> dict[str, Any]:
        if self.missing:
            message = (
                "You didn't provide an API key. You need to provide your API key in an Authorization "
                "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). The emulator's "
                "development key is printed by `aoai-emulator serve`."
            )
        else:
            message = (
                f"Incorrect API key provided: {self.key_hint}. The emulator accepts the keys it was "
                "started with (see `aoai-emulator serve --api-key`)."
            )
        return {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": self.openai_code,
            }
        }


class _BareAzureError(ApiError):
    """Errors Azure answers with a bare `{code, message}` whatever the route."""

    bare_code = "BadRequest"

    def azure_body(self) -> dict[str, Any]:
        return {"error": {"code": self.bare_code, "message": self.message}}

    azure_authoring_body = azure_body
    azure_inference_body = azure_body


class ResourceNotFound(_BareAzureError):
    status = 404
    bare_code = "404"
    openai_code: str | None = "not_found"

    def __init__(self, message: str = "Resource not found") -> None:
        super().__init__(message)


class ApiVersionNotSupported(_BareAzureError):
    status = 400
    bare_code = "BadRequest"

    def __init__(self, message: str = "API version not supported") -> None:
        super().__init__(message)


class UnrecognizedArgument(ApiError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Unrecognized request argument supplied: {name}", openai_code=None)
        self.param = None

    def azure_inference_body(self) -> dict[str, Any]:
        # Azure answers this one exactly as OpenAI does: code and param null.
        return self.openai_body()


class InvalidRequest(ApiError):
    """A bad field. `param` names it (`messages[0].role`, `metadata`, `limit`)."""

    def __init__(self, message: str, *, param: str | None, code: str = "invalid_value") -> None:
        super().__init__(message, param=param, openai_code=code, azure_code="invalidPayload")


class DeploymentNotFound(_BareAzureError):
    status = 404
    bare_code = "DeploymentNotFound"
    openai_code = "DeploymentNotFound"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or (
                "The API deployment for this resource does not exist. If you created the deployment within "
                "the last 5 minutes, please wait a moment and try again."
            )
        )


class ModelNotFound(ApiError):
    status = 404
    openai_code = "model_not_found"

    def __init__(self, model: str) -> None:
        super().__init__(f"The model '{model}' does not exist or you do not have access to it.")


class ObjectNotFound(ApiError):
    status = 404
    azure_code = "notFound"
    openai_code = None

    def __init__(self, kind: str, object_id: str, *, param: str) -> None:
        super().__init__(f"No {kind} found with id '{object_id}'.", param=param)


class QuotaExceeded(ApiError):
    status = 400
    azure_code = "quotaExceeded"
    openai_code = "quota_exceeded"

    def azure_authoring_body(self) -> dict[str, Any]:
        return {"error": {"code": self.azure_code, "message": self.message}}

    def azure_inference_body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.azure_code,
                "message": self.message,
                "param": self.param,
                "type": self.openai_type,
            }
        }


class Conflict(ApiError):
    status = 409
    azure_code = "conflict"

    def status_for(self, surface: Surface) -> int:
        return 400 if surface is Surface.OPENAI else 409


class UnexpectedEntityState(Conflict):
    """An action the object's current state does not allow (cancel a finished job, resume a running one)."""

    azure_code = "unexpectedEntityState"


class MethodNotAllowed(ApiError):
    status = 405
    azure_code = "methodNotAllowed"
    openai_code = "method_not_allowed"


class InternalError(ApiError):
    status = 500
    openai_type = "server_error"
    azure_code = "internalFailure"
    openai_code = "server_error"
