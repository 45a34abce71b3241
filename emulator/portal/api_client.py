"""The portal's only way to the emulator's state: the emulator's own HTTP API, called in-process.

Each page builds a `PortalApi` with the key the user typed; its requests go through the same app (and
so the same credentials check, validation and error envelopes) as any client's, over an ASGI transport
instead of a socket. The portal never reads or writes the store directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
from starlette.types import ASGIApp

from emulator.control.api import DEFAULT_API_VERSION

# The Azure dated surface: the one whose stored-completion lists count their matches (`total`).
API_VERSION = DEFAULT_API_VERSION
# Loopback, so that a served app's host check lets the in-process requests through.
BASE_URL = "http://localhost"
# Pages ask for small things; nothing the portal reads is larger (results.csv of a long job included).
MAX_ANSWER_BYTES = 32 * 1024 * 1024


_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,200}")


class ApiProblem(Exception):
    """The API refused a request: its status and the message of its error envelope, in words."""

    def __init__(self, status: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param


def segment(value: str, what: str) -> str:
    """An id as one path segment of an API route; anything else cannot name one (`..`, `/`)."""
    if not _SEGMENT.fullmatch(value):
        raise ApiProblem(404, f"There is no {what} with the id '{value[:80]}'.")
    return value


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        error = response.json().get("error")
    except ValueError:
        error = None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        param = error.get("param") or error.get("target")
        return ApiProblem(response.status_code, error["message"], param if isinstance(param, str) else None)
    return ApiProblem(
        response.status_code, f"The emulator answered {response.status_code} without a message."
    )


class PortalApi:
    def __init__(self, app: ASGIApp, key: str) -> None:
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=BASE_URL,
            headers={"api-key": key},
        )

    async def __aenter__(self) -> PortalApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def _send(self, method: str, path: str, *, params: Any = None, body: Any = None) -> httpx.Response:
        query: list[tuple[str, Any]] = [("api-version", API_VERSION)] if path.startswith("/openai/") else []
        if isinstance(params, Mapping):
            params = list(params.items())
        query += [(k, str(v)) for k, v in params or () if v is not None]
        response = await self._client.request(method, path, params=query, json=body)
        if response.status_code >= 400:
            raise _problem(response)
        if len(response.content) > MAX_ANSWER_BYTES:
            raise ApiProblem(response.status_code, "The answer is too large to show.")
        return response

    async def json(self, method: str, path: str, *, params: Any = None, body: Any = None) -> Any:
        return (await self._send(method, path, params=params, body=body)).json()

    async def text(self, path: str) -> str:
        return (await self._send("GET", path)).text

    # --- what the pages read and write -------------------------------------------------------------------

    async def check_key(self) -> None:
        await self.json("GET", "/openai/chat/completions", params={"limit": 1})

    async def completions(self, filters: list[tuple[str, str]], after: str | None, limit: int) -> Any:
        params = [*filters, ("limit", str(limit)), ("order", "desc")]
        if after:
            params.append(("after", after))
        return await self.json("GET", "/openai/chat/completions", params=params)

    async def completion(self, completion_id: str) -> Any:
        return await self.json("GET", f"/openai/chat/completions/{completion_id}")

    async def messages(self, completion_id: str) -> list[Any]:
        """Every input message, page by page (a conversation holds at most a few thousand)."""
        found: list[Any] = []
        after: str | None = None
        while True:
            params = {"limit": 100, "after": after}
            page = await self.json("GET", f"/openai/chat/completions/{completion_id}/messages", params=params)
            found += page["data"]
            if not page.get("has_more") or not page["data"]:
                return found
            after = page["data"][-1]["id"]

    async def update_metadata(self, completion_id: str, metadata: dict[str, str] | None) -> Any:
        path = f"/openai/chat/completions/{completion_id}"
        return await self.json("POST", path, body={"metadata": metadata})

    async def delete_completion(self, completion_id: str) -> Any:
        return await self.json("DELETE", f"/openai/chat/completions/{completion_id}")

    async def models(self) -> list[Any]:
        return list((await self.json("GET", "/openai/models"))["data"])

    async def distill(self, request: dict[str, Any]) -> Any:
        return await self.json("POST", "/_emulator/distill", body=request)

    async def evaluate(self, request: dict[str, Any]) -> Any:
        return await self.json("POST", "/_emulator/evaluate", body=request)

    async def jobs(self, after: str | None, limit: int) -> Any:
        return await self.json("GET", "/openai/fine_tuning/jobs", params={"limit": limit, "after": after})

    async def job(self, job_id: str) -> Any:
        return await self.json("GET", f"/openai/fine_tuning/jobs/{job_id}")

    async def job_events(self, job_id: str, limit: int) -> Any:
        return await self.json("GET", f"/openai/fine_tuning/jobs/{job_id}/events", params={"limit": limit})

    async def job_checkpoints(self, job_id: str) -> Any:
        path = f"/openai/fine_tuning/jobs/{job_id}/checkpoints"
        return await self.json("GET", path, params={"limit": 100})

    async def file(self, file_id: str) -> Any:
        return await self.json("GET", f"/openai/files/{file_id}")

    async def file_text(self, file_id: str) -> str:
        return await self.text(f"/openai/files/{file_id}/content")

    async def deployments(self) -> list[Any]:
        return list((await self.json("GET", "/_emulator/deployments"))["data"])

    async def deploy(self, name: str, model: str) -> Any:
        return await self.json("POST", "/_emulator/deployments", body={"name": name, "model": model})

    async def evals(self, after: str | None, limit: int) -> Any:
        return await self.json(
            "GET", "/openai/evals", params={"limit": limit, "after": after, "order": "desc"}
        )

    async def eval(self, eval_id: str) -> Any:
        return await self.json("GET", f"/openai/evals/{eval_id}")

    async def eval_runs(self, eval_id: str) -> Any:
        return await self.json("GET", f"/openai/evals/{eval_id}/runs", params={"limit": 100, "order": "desc"})

    async def run_items(self, eval_id: str, run_id: str, after: str | None, limit: int) -> Any:
        path = f"/openai/evals/{eval_id}/runs/{run_id}/output_items"
        return await self.json("GET", path, params={"limit": limit, "after": after, "order": "asc"})
