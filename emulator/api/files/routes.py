"""Files: upload (streamed to disk), list, retrieve, content, delete, and Azure's import from a URL.

Decisions where the contract leaves a choice (CONTRACT §5):

* A `fine-tune` file that fails validation: OpenAI answers 400 `param: "file"` and keeps nothing.
  Azure (every api-version) accepts the upload, as the service validates after the upload: the file
  reads `status: "error"` with `status_details` naming the line (legacy api-versions: `failed` with
  an `error` object, code `jsonlValidationFailed`), and a job that names it is refused.
* Status: the stored file is already processed; the status a response shows depends on the request.
  An Azure upload answers `pending` and every later read shows the outcome, so
  `files.wait_for_processing()` returns on its first poll. Legacy api-versions tell the service's old
  story on the clock: `notRunning` in the upload's answer, `running` until LEGACY_PROCESSING_SECONDS
  have passed, then `succeeded` (or `failed`). The SDK's helper knows only the modern names, so it
  waits on a modern api-version; a legacy job may name a file that is still `running`, as seed 003's
  script does.
* Import from URL fetches synchronously and only from this machine: http(s) URLs on a loopback host
  (localhost, 127.0.0.0/8, ::1; redirects too), and `file://` URLs only inside the folder the operator
  named with `--import-dir`: never by default, since the content route would hand the host's files to
  anyone holding a key. Any other URL, or a fetch that fails, is a 400 `fileImportFailed` naming
  `content_url`; a `content_url` that is not a URL is a 400 `invalidPayload`.
* Over `max_file_bytes` (default 512 MB, the service's limit): 413, nothing stored. An upload is
  refused before any of it is read when its Content-Length passes the limit plus FORM_ALLOWANCE (the
  multipart framing and the small text fields), and otherwise as soon as the file, or the whole body,
  passes its bound while streaming: a chunked upload is never read to its end to find it too large.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import anyio.to_thread
from starlette.responses import Response, StreamingResponse

from emulator.api._shared.file_object import is_legacy, render
from emulator.api.files.schemas import ImportFile
from emulator.errors import ApiError, InvalidRequest, ObjectNotFound
from emulator.http.multipart import read_form
from emulator.http.pagination import list_envelope, parse_page
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_json_object, validate
from emulator.resource.filecheck import FileCheck
from emulator.resource.files import FINE_TUNE, StoredFile, UnknownCursor, Upload
from emulator.surfaces import Surface

A, V1, O = Surface.AZURE, Surface.AZURE_V1, Surface.OPENAI

OPENAI_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
AZURE_PURPOSES = (
    "fine-tune",
    "fine-tune-results",
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "evals",
    "evals_output",
)
V1_PURPOSES = (*AZURE_PURPOSES, "vision", "user_data")
LEGACY_PURPOSES = ("fine-tune", "fine-tune-results")
# expires_after.seconds: OpenAI allows 1 hour to 30 days, Azure 14 to 30 days.
OPENAI_EXPIRY = (3600, 2_592_000)
AZURE_EXPIRY = (1_209_600, 2_592_000)
CHUNK = 64 * 1024
# Room in an upload's body beyond the file itself: boundaries, part headers, 'purpose', 'expires_after'.
FORM_ALLOWANCE = 1024 * 1024


def _purposes(call: Call) -> tuple[str, ...]:
    if call.surface is O:
        return OPENAI_PURPOSES
    if call.surface is V1:
        return V1_PURPOSES
    return LEGACY_PURPOSES if is_legacy(call) else AZURE_PURPOSES


def _created(stored: StoredFile, call: Call) -> Response:
    if call.surface is O:
        return json_response(render(stored, call, just_created=True))
    headers = {"Location": call.location(f"/files/{stored.id}")}
    return json_response(render(stored, call, just_created=True), 201, headers)


def too_large(limit: int) -> ApiError:
    return ApiError(
        f"The file is larger than the limit of {limit} bytes. Upload a smaller file, or start the emulator "
        "with a higher max_file_bytes (the service's limit is 512 MB).",
        param="file",
        status=413,
        openai_code="file_too_large",
        azure_code="invalidPayload",
    )


def _check_purpose(call: Call, purpose: str | None) -> str:
    if not purpose:
        raise InvalidRequest(
            "Missing required parameter: 'purpose'.", param="purpose", code="missing_required_parameter"
        )
    allowed = _purposes(call)
    if purpose not in allowed:
        where = f" in api-version {call.api_version}" if call.surface is A else ""
        raise InvalidRequest(
            f"Invalid value for 'purpose': '{purpose}'{where}. Supported values are: "
            f"{', '.join(repr(p) for p in allowed)}.",
            param="purpose",
        )
    return purpose


def _expires_after(call: Call, fields: dict[str, Any]) -> int | None:
    """Seconds until expiry from `expires_after` (bracket or dotted form names, or a JSON object)."""
    anchor = fields.get("expires_after[anchor]", fields.get("expires_after.anchor"))
    seconds = fields.get("expires_after[seconds]", fields.get("expires_after.seconds"))
    if anchor is None and seconds is None:
        return None
    if is_legacy(call):
        raise InvalidRequest(
            f"'expires_after' is not supported in api-version {call.api_version}.", param="expires_after"
        )
    if anchor != "created_at":
        raise InvalidRequest(
            f"Invalid value for 'expires_after.anchor': {json.dumps(anchor)}. Supported values are: "
            "'created_at'.",
            param="expires_after.anchor",
        )
    value: int | None = None
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        value = seconds
    elif isinstance(seconds, str) and seconds.strip().isdigit():
        value = int(seconds)
    low, high = OPENAI_EXPIRY if call.surface is O else AZURE_EXPIRY
    if value is None or not low <= value <= high:
        raise InvalidRequest(
            f"Invalid value for 'expires_after.seconds': {json.dumps(seconds)}. Expected an integer "
            f"from {low} to {high}.",
            param="expires_after.seconds",
        )
    return value


def _filename_problem(filename: str, purpose: str) -> FileCheck | None:
    if purpose == FINE_TUNE and not filename.lower().endswith(".jsonl"):
        return FileCheck(0, 0, f"Invalid file format for fine-tuning: '{filename}' must be a .jsonl file.")
    return None


async def _store_upload(
    call: Call,
    upload: Upload,
    *,
    filename: str,
    purpose: str,
    expires_after: int | None,
) -> StoredFile:
    """Validate a complete upload and store it, or refuse it as the surface does."""
    files = call.runtime.files
    check = _filename_problem(filename, purpose) or await files.check(upload, purpose)
    if check is not None and not check.ok and call.surface is O:
        raise InvalidRequest(
            f"Invalid file '{filename}' for purpose '{purpose}': {check.error}",
            param="file",
            code="invalid_file_format",
        )
    return await files.commit(
        upload, filename=filename, purpose=purpose, check=check, expires_after=expires_after
    )


class _CappedSink:
    """The upload's sink, refusing the request at the first chunk that takes the file past the cap."""

    def __init__(self, upload: Upload, limit: int) -> None:
        self.upload, self.limit = upload, limit

    def write(self, chunk: bytes) -> None:
        self.upload.write(chunk)
        if self.upload.too_large:
            raise too_large(self.limit)


async def _bounded_body(call: Call, limit: int) -> AsyncIterator[bytes]:
    """The request body, refused once it passes what an upload of at most `limit` bytes can send:
    other parts and their headers are read but not kept, so they are bounded here."""
    stream = call.request.stream()
    size = 0
    try:
        async for chunk in stream:
            size += len(chunk)
            if size > limit + FORM_ALLOWANCE:
                raise too_large(limit)
            yield chunk
    finally:
        await stream.aclose()  # closed now, on this loop, rather than by the collector later


async def create_file(call: Call) -> Response:
    files = call.runtime.files
    limit = call.runtime.settings.max_file_bytes
    uploads: list[Upload] = []

    def open_sink(filename: str) -> _CappedSink:
        uploads.append(files.begin_upload(limit))
        return _CappedSink(uploads[-1], limit)

    declared = call.request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_ALLOWANCE:
        raise too_large(limit)  # before a byte of the body is read
    try:
        form = await read_form(
            _bounded_body(call, limit),
            call.request.headers.get("content-type"),
            file_field="file",
            open_sink=open_sink,
        )
        if uploads and uploads[0].too_large:
            raise too_large(limit)
        purpose = _check_purpose(call, form.fields.get("purpose"))
        if not uploads or form.filename is None:
            raise InvalidRequest(
                "Missing required parameter: 'file'. Send it as a multipart field with a filename.",
                param="file",
                code="missing_required_parameter",
            )
        expires_after = _expires_after(call, form.fields)
        stored = await _store_upload(
            call,
            uploads[0],
            filename=form.filename or "file",
            purpose=purpose,
            expires_after=expires_after,
        )
    finally:
        for upload in uploads:
            upload.discard()
    return _created(stored, call)


def _not_found(file_id: str, param: str = "file_id") -> ObjectNotFound:
    return ObjectNotFound("file", file_id, param=param)


async def _get(call: Call) -> StoredFile:
    file_id = call.path_params["file_id"]
    stored = await call.runtime.files.get(file_id)
    if stored is None:
        raise _not_found(file_id)
    return stored


async def retrieve_file(call: Call) -> Response:
    return json_response(render(await _get(call), call))


def _iter_file(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class ClosedFile(ApiError):
    status = 403
    openai_code = "file_not_downloadable"
    azure_code = "operationNotAllowed"

    def __init__(self, stored: StoredFile) -> None:
        made_by, kind, users = (
            ("evaluation", "evaluation data", "Eval runs can still read it")
            if stored.purpose == "evals"
            else ("distillation", "distillation training", "Fine-tuning jobs can still train on it")
        )
        super().__init__(
            f"File '{stored.id}' ({stored.filename}) was made by {made_by} from stored completions, and "
            f"{kind} files cannot be downloaded. {users}. To read it while "
            "debugging, start the emulator with --distill-files-downloadable (or reset with "
            "distill_files_downloadable=true).",
            param="file_id",
        )


async def file_content(call: Call) -> Response:
    stored = await _get(call)
    if stored.closed and not call.runtime.settings.distill_files_downloadable:
        raise ClosedFile(stored)
    try:
        # Opened before answering: a delete racing the download cannot cut it short.
        handle = open(call.runtime.files.content_path(stored), "rb")  # noqa: SIM115 - closed by _iter_file
    except FileNotFoundError:
        raise _not_found(stored.id) from None
    media_type = "text/csv" if stored.purpose == "fine-tune-results" else "application/octet-stream"
    return StreamingResponse(
        _iter_file(handle), media_type=media_type, headers={"content-length": str(stored.bytes)}
    )


async def delete_file(call: Call) -> Response:
    file_id = call.path_params["file_id"]
    if not await call.runtime.files.delete(file_id):
        raise _not_found(file_id)
    if is_legacy(call):
        return Response(status_code=204)
    if call.surface is O:
        return json_response({"id": file_id, "object": "file", "deleted": True})
    return json_response({"object": "file", "deleted": True, "id": file_id})


async def list_files(call: Call) -> Response:
    files = call.runtime.files
    if is_legacy(call):
        page = parse_page({}, default_limit=10_000, max_limit=10_000, default_order="asc")
        result = await files.list(None, page, strict_cursor=False)
        # The legacy list takes no paging parameters; `has_more` tells the SDK's pager there is no next page.
        return json_response(
            {"object": "list", "data": [render(f, call) for f in result.items], "has_more": False}
        )
    page = parse_page(call.query, default_limit=10_000, max_limit=10_000, default_order="desc")
    purpose = call.query.get("purpose") or None
    try:
        result = await files.list(purpose, page, strict_cursor=call.surface is O)
    except UnknownCursor:
        raise _not_found(page.after or "", param="after") from None
    return json_response(list_envelope([render(f, call) for f in result.items], result.has_more))


# ---- import from URL ----------------------------------------------------------------------------


class ImportFailed(ApiError):
    azure_code = "fileImportFailed"
    openai_code = "file_import_failed"

    def __init__(self, message: str) -> None:
        super().__init__(message, param="content_url")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _copy(source: BinaryIO, upload: Upload) -> None:
    while chunk := source.read(CHUNK):
        upload.write(chunk)
        if upload.too_large:
            return


class _LoopbackRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http(s) URL on a loopback host."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        parts = urllib.parse.urlsplit(newurl)
        if parts.scheme.lower() not in ("http", "https") or not _is_loopback(parts.hostname or ""):
            fp.close()  # the refused redirect's response holds its connection open
            raise ImportFailed(
                f"'{req.full_url}' redirects to '{newurl}': the emulator follows redirects only to "
                "http(s) URLs on a loopback host."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_LoopbackRedirects)


def importable_path(url_path: str, import_dir: str | None) -> Path:
    """The file a file:// URL's path names, if it lies inside `import_dir` once symlinks and `..` are
    resolved; else ImportFailed."""
    if import_dir is None:
        raise ImportFailed(
            "file:// imports are off: the emulator reads local files only from a folder its operator "
            "names with --import-dir DIR (or AOAI_EMULATOR_IMPORT_DIR). Use an http(s) URL on a loopback "
            "host, or start the emulator with --import-dir."
        )
    root = Path(import_dir).resolve()
    path = Path(urllib.request.url2pathname(url_path)).resolve()
    if not path.is_relative_to(root) or path == root:
        raise ImportFailed(
            f"'{url_path}' is outside the import folder: file:// URLs may name only files inside "
            f"{root.as_uri()}/ (after following symlinks and '..')."
        )
    if not path.is_file():
        raise ImportFailed(f"Could not read '{path}': not a file in the import folder.")
    return path


def fetch(url: str, upload: Upload, import_dir: str | None) -> None:
    """Copy the content at `url` into `upload` (blocking; run off the event loop)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ImportFailed(f"file:// URLs must name a local path; got host '{parts.netloc}'.")
        path = importable_path(parts.path, import_dir)
        try:
            with open(path, "rb") as source:
                _copy(source, upload)
        except OSError as exc:
            raise ImportFailed(f"Could not read '{path}': {exc.strerror or exc}.") from None
        return
    if scheme in ("http", "https"):
        host = parts.hostname or ""
        if not _is_loopback(host):
            raise ImportFailed(
                f"The emulator works offline and cannot fetch from '{host}'. Use an http(s) URL on a "
                "loopback host (localhost, 127.0.0.1, [::1]), or a file:// URL inside --import-dir."
            )
        try:
            with _OPENER.open(url, timeout=30) as response:
                _copy(response, upload)
        except urllib.error.HTTPError as exc:
            exc.close()  # the error is the answer, and holds its connection open
            raise ImportFailed(f"Fetching '{url}' answered HTTP {exc.code}.") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ImportFailed(f"Could not fetch '{url}': {reason}.") from None
        return
    raise ImportFailed(
        f"Unsupported content_url scheme '{scheme}': the emulator imports from http(s) URLs on a "
        "loopback host, and from file:// URLs inside --import-dir."
    )


async def import_file(call: Call) -> Response:
    data = parse_json_object(await call.body())
    purpose = _check_purpose(call, data.get("purpose"))
    request = validate(ImportFile, data)
    filename, url, expiry = request.filename, request.content_url, request.expires_after
    expires_after = _expires_after(call, {f"expires_after.{k}": v for k, v in (expiry or {}).items()})
    limit = call.runtime.settings.max_file_bytes
    upload = call.runtime.files.begin_upload(limit)
    try:
        await anyio.to_thread.run_sync(fetch, url, upload, call.runtime.settings.import_dir)
        if upload.too_large:
            raise too_large(limit)
        stored = await _store_upload(
            call, upload, filename=filename, purpose=purpose, expires_after=expires_after
        )
    finally:
        upload.discard()
    return _created(stored, call)


OPERATIONS = (
    Operation(
        "create_file",
        "POST",
        ((A, "/files"), (V1, "/files"), (O, "/files")),
        create_file,
        Access.WRITE,
        feature="files",
        action="files/write",
    ),
    Operation(
        "list_files",
        "GET",
        ((A, "/files"), (V1, "/files"), (O, "/files")),
        list_files,
        Access.READ,
        feature="files",
        action="files/read",
    ),
    Operation(
        "import_file",
        "POST",
        ((A, "/files/import"),),
        import_file,
        Access.WRITE,
        feature="files_import",
        action="files/import/action",
    ),
    Operation(
        "retrieve_file",
        "GET",
        ((A, "/files/{file_id}"), (V1, "/files/{file_id}"), (O, "/files/{file_id}")),
        retrieve_file,
        Access.READ,
        feature="files",
        action="files/read",
    ),
    Operation(
        "file_content",
        "GET",
        ((A, "/files/{file_id}/content"), (V1, "/files/{file_id}/content"), (O, "/files/{file_id}/content")),
        file_content,
        Access.READ,
        feature="files",
        action="files/read",
    ),
    Operation(
        "delete_file",
        "DELETE",
        ((A, "/files/{file_id}"), (V1, "/files/{file_id}"), (O, "/files/{file_id}")),
        delete_file,
        Access.WRITE,
        feature="files",
        action="files/delete",
    ),
)
