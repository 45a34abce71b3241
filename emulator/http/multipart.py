"""A streaming multipart/form-data reader: the file part goes straight to a sink as it arrives.

Starlette's `request.form()` would spool the whole upload before the handler sees it; this reads the
request body chunk by chunk, hands the bytes of the one file field to the caller's sink (which
writes them to disk and counts them against the size cap) and keeps only the small text fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from emulator.errors import InvalidRequest

MAX_TEXT_FIELD = 64 * 1024  # a form field other than the file: a purpose, an expiry
MAX_TEXT_FIELDS = 32  # an upload sends a handful; each kept field holds up to MAX_TEXT_FIELD bytes
MAX_PART_HEADER = 16 * 1024  # a part's header line: a Content-Disposition with a long filename fits


class Sink(Protocol):
    def write(self, chunk: bytes) -> None: ...


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None  # of the file field, once its part has begun
    sink: Sink | None = None


def boundary_of(content_type: str | None, param: str) -> bytes:
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidRequest(
            "Send the file as multipart/form-data (Content-Type: multipart/form-data; boundary=...) with "
            f"the fields 'file' and 'purpose'; got Content-Type '{content_type or ''}'.",
            param=param,
            code="invalid_value",
        )
    return boundary


async def read_form(
    chunks: AsyncIterator[bytes],
    content_type: str | None,
    *,
    file_field: str,
    open_sink: Callable[[str], Sink],
) -> Form:
    """Parse the body; `open_sink(filename)` is called once, when the file field begins."""
    form = Form()
    state: dict[str, object] = {}
    header_field = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}
    text = bytearray()

    def on_part_begin() -> None:
        headers.clear()
        text.clear()
        state.update(name=None, target=None)

    def bounded_header() -> None:
        if len(header_field) + len(header_value) > MAX_PART_HEADER:
            raise InvalidRequest(
                f"A part header of the multipart/form-data body is longer than {MAX_PART_HEADER} bytes.",
                param=file_field,
            )

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])
        bounded_header()

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])
        bounded_header()

    def on_header_end() -> None:
        headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        state["name"] = name
        if name == file_field and filename is not None and form.sink is None:
            form.filename = filename.decode("utf-8", "replace")
            form.sink = open_sink(form.filename)
            state["target"] = "file"
        elif filename is None:
            state["target"] = "text"

    def on_part_data(data: bytes, start: int, end: int) -> None:
        target = state.get("target")
        if target == "file" and form.sink is not None:
            form.sink.write(data[start:end])
        elif target == "text":
            text.extend(data[start:end])
            if len(text) > MAX_TEXT_FIELD:
                raise InvalidRequest(
                    f"The form field '{state['name']}' is longer than {MAX_TEXT_FIELD} bytes.",
                    param=str(state["name"]),
                )

    def on_part_end() -> None:
        if state.get("target") == "text":
            form.fields.setdefault(str(state["name"]), text.decode("utf-8", "replace"))
            if len(form.fields) > MAX_TEXT_FIELDS:
                raise InvalidRequest(
                    f"The form has more than {MAX_TEXT_FIELDS} fields; an upload sends 'file', 'purpose' "
                    "and perhaps 'expires_after'.",
                    param=str(state["name"]),
                )

    parser = MultipartParser(
        boundary_of(content_type, file_field),
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise InvalidRequest(
            f"The multipart/form-data body could not be parsed: {exc}.", param=file_field
        ) from None
    except ClientDisconnect:
        # Nobody is left to read the answer; what matters is that the partial upload is dropped.
        raise InvalidRequest(
            "The client disconnected before the upload was complete; nothing was stored.", param=file_field
        ) from None
    finally:
        # A refusal mid-body leaves the stream suspended: closed here, on this loop, not by the collector.
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
    return form
