"""Files through the SDK on the three surfaces; raw HTTP for import and the legacy api-version shapes."""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.api._shared.file_object import LEGACY_PROCESSING_SECONDS
from emulator.model.tokens import count, count_messages
from emulator.resource.filecheck import TOKENIZER_MODEL, check_lines
from emulator.settings import DEFAULT_CLOCK_START
from emulator.testing import InProcessEmulator
from tests.loopback import loopback_server
from tests.surfaces import SURFACES, client, headers

BOM = b"\xef\xbb\xbf"
CHAT_LINE = json.dumps(
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
).encode()
PROMPT_LINE = json.dumps({"prompt": "2+2=", "completion": " 4"}).encode()
TRAINING = BOM + b"\n".join([CHAT_LINE] * 3) + b"\n"
LEGACY = "2023-05-15"
NOW = int(DEFAULT_CLOCK_START)


def upload(
    emulator: Any, surface: str, content: bytes = TRAINING, name: str = "train.jsonl", **kwargs: Any
) -> Any:
    kwargs.setdefault("purpose", "fine-tune")
    return client(emulator, surface).files.create(file=(name, content), **kwargs)


def prefix(surface: str) -> str:
    return {"azure": "/openai", "azure_v1": "/openai/v1", "openai": "/v1"}[surface]


def files_url(surface: str, suffix: str = "", api_version: str = "2025-04-01-preview") -> str:
    query = f"?api-version={api_version}" if surface == "azure" else ""
    return f"{prefix(surface)}/files{suffix}{query}"


# ---- upload, retrieve, content, list, delete --------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES)
def test_file_lifecycle(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    created = upload(emulator, surface)
    assert created.id.startswith("file-")
    assert (created.object, created.filename, created.purpose) == ("file", "train.jsonl", "fine-tune")
    assert created.bytes == len(TRAINING) and created.created_at == NOW
    # Azure reports a fresh upload as pending; OpenAI has it processed at once.
    assert created.status == ("processed" if surface == "openai" else "pending")

    processed = sdk.files.wait_for_processing(created.id, poll_interval=0.01, max_wait_seconds=1)
    assert processed.status == "processed" and processed.status_details is None
    assert sdk.files.retrieve(created.id).model_dump() == processed.model_dump()
    assert sdk.files.content(created.id).read() == TRAINING
    assert [f.id for f in sdk.files.list()] == [created.id]

    deleted = sdk.files.delete(created.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "file", True)
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.files.retrieve(created.id)
    error = missing.value.body
    assert isinstance(error, dict)
    assert error["param" if surface == "openai" else "target"] == "file_id"
    assert created.id in error["message"]
    if surface != "openai":
        assert error["code"] == "notFound"
    for call in (sdk.files.content, sdk.files.delete):
        with pytest.raises(openai.NotFoundError):
            call(created.id)
    assert list(sdk.files.list()) == []


@pytest.mark.parametrize("surface", SURFACES)
def test_create_status_code_and_location(emulator: Any, surface: str) -> None:
    raw = client(emulator, surface).files.with_raw_response.create(
        file=("t.jsonl", TRAINING), purpose="fine-tune"
    )
    created = raw.parse()
    if surface == "openai":
        assert raw.status_code == 200 and "location" not in raw.headers
    else:
        assert raw.status_code == 201
        assert raw.headers["location"].endswith(f"{prefix(surface)}/files/{created.id}")


@pytest.mark.parametrize("surface", SURFACES)
def test_one_store_behind_every_surface(emulator: Any, surface: str) -> None:
    created = upload(emulator, surface)
    for other in SURFACES:
        assert client(emulator, other).files.content(created.id).read() == TRAINING


def test_async_client_uploads_and_waits(emulator: Any) -> None:
    import asyncio

    async def run() -> tuple[str, bytes]:
        async with emulator.async_azure_client() as sdk:
            created = await sdk.files.create(file=("t.jsonl", TRAINING), purpose="fine-tune")
            done = await sdk.files.wait_for_processing(created.id, poll_interval=0.01, max_wait_seconds=1)
            return done.status, await (await sdk.files.content(created.id)).aread()

    assert asyncio.run(run()) == ("processed", TRAINING)


@pytest.mark.parametrize("surface", SURFACES)
def test_list_order_purpose_and_paging(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    ids = []
    for index in range(3):
        ids.append(upload(emulator, surface, name=f"f{index}.jsonl").id)
        emulator.advance(10)
    batch = upload(emulator, surface, b'{"custom_id": "1"}\n', name="b.jsonl", purpose="batch").id

    assert [f.id for f in sdk.files.list()] == [batch, *reversed(ids)]  # newest first by default
    assert [f.id for f in sdk.files.list(order="asc")] == [*ids, batch]
    assert [f.id for f in sdk.files.list(purpose="fine-tune", order="asc")] == ids
    assert [f.id for f in sdk.files.list(purpose="batch")] == [batch]

    first = sdk.files.list(limit=2, order="asc")
    assert [f.id for f in first.data] == ids[:2] and first.has_more is True
    assert [f.id for f in sdk.files.list(limit=2, order="asc", after=ids[1]).data] == [ids[2], batch]
    # The SDK's pager follows `after` until `has_more` is false.
    assert [f.id for f in sdk.files.list(limit=1, order="asc")] == [*ids, batch]


@pytest.mark.parametrize("surface", SURFACES)
def test_list_parameter_errors(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    for kwargs, param in (({"limit": 0}, "limit"), ({"order": "sideways"}, "order")):
        with pytest.raises(openai.BadRequestError) as bad:
            sdk.files.list(**kwargs)
        assert bad.value.body["param"] == param  # type: ignore[index]
    if surface == "openai":
        with pytest.raises(openai.NotFoundError) as missing:
            sdk.files.list(after="file-nope")
        assert missing.value.body["param"] == "after"  # type: ignore[index]
    else:
        assert sdk.files.list(after="file-nope").data == []


# ---- fine-tune validation ------------------------------------------------------------------------

BAD_FILES = [
    (b"not json\n", "Line 1: not valid JSON"),
    (CHAT_LINE + b"\n[1, 2]\n", "Line 2: each line must be a JSON object"),
    (
        CHAT_LINE + b"\n\n" + json.dumps({"messages": [{"role": "user", "content": "Hi"}]}).encode(),
        "Line 3: the conversation has no assistant message",
    ),
    (
        json.dumps({"messages": [{"role": "robot", "content": "x"}]}).encode(),
        'Line 1: messages[0].role is "robot"',
    ),
    (json.dumps({"messages": []}).encode(), "Line 1: 'messages' must be a non-empty array"),
    (json.dumps({"prompt": "x"}).encode(), "Line 1: 'completion' must be a string"),
    (json.dumps({"text": "x"}).encode(), "Line 1: the object has neither 'messages'"),
    (CHAT_LINE + b"\n\xff\xfe\n", "Line 2: not valid UTF-8"),
    (b"\n\n", "The file has no examples"),
]


@pytest.mark.parametrize(("content", "problem"), BAD_FILES)
def test_check_names_the_line_and_the_problem(content: bytes, problem: str) -> None:
    check = check_lines(content.splitlines(keepends=True))
    assert not check.ok and check.error is not None and check.error.startswith(problem)


def test_check_counts_examples_and_tokens_in_both_formats() -> None:
    with_bom = check_lines((BOM + CHAT_LINE + b"\n" + PROMPT_LINE + b"\r\n").splitlines(keepends=True))
    without = check_lines((CHAT_LINE + b"\n" + PROMPT_LINE).splitlines(keepends=True))
    assert with_bom.ok and with_bom.examples == 2 and with_bom.tokens > 0
    assert (without.examples, without.tokens) == (with_bom.examples, with_bom.tokens)
    # The statistics bill each conversation as chat completions bill a prompt.
    chat, legacy = json.loads(CHAT_LINE), json.loads(PROMPT_LINE)
    assert with_bom.tokens == count_messages(chat["messages"], TOKENIZER_MODEL) + sum(
        count(legacy[key], TOKENIZER_MODEL) for key in ("prompt", "completion")
    )
    varied = {
        "messages": [{"role": "user", "content": "Hi", "name": "ann"}, {"role": "assistant", "content": "Yo"}]
    }
    line = json.dumps(varied).encode()
    assert check_lines([line, line]).tokens == 2 * count_messages(varied["messages"], TOKENIZER_MODEL)


def test_openai_refuses_an_invalid_training_file(emulator: Any) -> None:
    content, problem = BAD_FILES[2]
    with pytest.raises(openai.BadRequestError) as bad:
        upload(emulator, "openai", content)
    error = bad.value.body
    assert isinstance(error, dict)
    assert error["param"] == "file" and error["code"] == "invalid_file_format"
    assert problem in error["message"] and "train.jsonl" in error["message"]
    assert list(emulator.openai_client().files.list()) == []


@pytest.mark.parametrize("surface", ["azure", "azure_v1"])
def test_azure_accepts_an_invalid_training_file_with_status_error(emulator: Any, surface: str) -> None:
    content, problem = BAD_FILES[2]
    sdk = client(emulator, surface)
    created = upload(emulator, surface, content)
    done = sdk.files.wait_for_processing(created.id, poll_interval=0.01, max_wait_seconds=1)
    assert done.status == "error"
    assert done.status_details is not None and done.status_details.startswith(problem)


@pytest.mark.parametrize("surface", SURFACES)
def test_training_files_with_and_without_bom_are_accepted(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    for content in (TRAINING, TRAINING[len(BOM) :], PROMPT_LINE + b"\n"):
        created = upload(emulator, surface, content)
        assert sdk.files.retrieve(created.id).status == "processed"


@pytest.mark.parametrize("surface", SURFACES)
def test_training_file_must_be_jsonl(emulator: Any, surface: str) -> None:
    if surface == "openai":
        with pytest.raises(openai.BadRequestError) as bad:
            upload(emulator, surface, name="train.csv")
        assert bad.value.body["param"] == "file"  # type: ignore[index]
        assert ".jsonl" in bad.value.message
    else:
        created = upload(emulator, surface, name="train.csv")
        retrieved = client(emulator, surface).files.retrieve(created.id)
        assert retrieved.status == "error" and ".jsonl" in (retrieved.status_details or "")


def test_other_purposes_are_not_validated(emulator: Any) -> None:
    created = upload(emulator, "openai", b"\x00\x01 not json", name="img.png", purpose="vision")
    assert created.status == "processed"
    assert emulator.openai_client().files.content(created.id).read() == b"\x00\x01 not json"


# ---- form errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surface", "purpose"),
    [("openai", "fine-tune-results"), ("azure", "vision"), ("azure_v1", "nonsense")],
)
def test_purpose_must_be_one_the_surface_accepts(emulator: Any, surface: str, purpose: str) -> None:
    with pytest.raises(openai.BadRequestError) as bad:
        upload(emulator, surface, purpose=purpose)
    error = bad.value.body
    assert isinstance(error, dict)
    assert error["param"] == "purpose" and purpose in error["message"]
    if surface == "azure":
        assert error["code"] == "invalidPayload" and error["target"] == "purpose"


@pytest.mark.parametrize("surface", SURFACES)
def test_missing_fields_and_wrong_content_type(emulator: Any, surface: str) -> None:
    with emulator.http_client() as http:
        url, auth = files_url(surface), headers(emulator, surface)
        no_file = http.post(url, headers=auth, data={"purpose": "fine-tune"}, files={"other": ("x", b"1")})
        no_purpose = http.post(url, headers=auth, files={"file": ("t.jsonl", TRAINING)})
        not_multipart = http.post(url, headers=auth, json={"purpose": "fine-tune"})
    for response, param in ((no_file, "file"), (no_purpose, "purpose"), (not_multipart, "file")):
        assert response.status_code == 400
        assert response.json()["error"]["param"] == param
    assert (
        no_file.json()["error"]["message"]
        == "Missing required parameter: 'file'. Send it as a multipart field with a filename."
    )


@pytest.mark.parametrize("surface", SURFACES)
def test_expiry(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    seconds = 3600 if surface == "openai" else 1_209_600
    created = upload(emulator, surface, expires_after={"anchor": "created_at", "seconds": seconds})
    assert created.expires_at == NOW + seconds
    with pytest.raises(openai.BadRequestError) as bad:
        upload(emulator, surface, expires_after={"anchor": "created_at", "seconds": seconds - 1})
    assert bad.value.body["param"] == "expires_after.seconds"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as bad_anchor:
        upload(emulator, surface, expires_after={"anchor": "last_active_at", "seconds": seconds})
    assert bad_anchor.value.body["param"] == "expires_after.anchor"  # type: ignore[index]
    emulator.advance(seconds)
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve(created.id)
    assert list(sdk.files.list()) == []


def test_azure_dotted_expiry_field_names(emulator: Any) -> None:
    with emulator.http_client() as http:
        response = http.post(
            files_url("azure"),
            headers=headers(emulator, "azure"),
            data={
                "purpose": "fine-tune",
                "expires_after.anchor": "created_at",
                "expires_after.seconds": "1209600",
            },
            files={"file": ("t.jsonl", TRAINING)},
        )
    assert response.status_code == 201 and response.json()["expires_at"] == NOW + 1_209_600


# ---- size cap ------------------------------------------------------------------------------------


@pytest.mark.settings(max_file_bytes=len(TRAINING) - 1)
@pytest.mark.parametrize("surface", SURFACES)
def test_oversize_upload_is_refused_and_leaves_nothing(emulator: Any, surface: str) -> None:
    with pytest.raises(openai.APIStatusError) as refused:
        upload(emulator, surface)
    assert refused.value.status_code == 413
    error = refused.value.body
    assert isinstance(error, dict) and error["param"] == "file"
    assert str(len(TRAINING) - 1) in error["message"] and "max_file_bytes" in error["message"]
    assert error["code"] == ("file_too_large" if surface == "openai" else "invalidPayload")
    assert list(client(emulator, surface).files.list()) == []
    assert upload(emulator, surface, TRAINING[len(BOM) + 1 :].split(b"\n", 1)[1]).bytes < len(TRAINING)


@pytest.mark.settings(max_file_bytes=64)
def test_oversize_upload_leaves_no_content_on_disk(inprocess: InProcessEmulator) -> None:
    directory = inprocess.runtime.files.directory
    with pytest.raises(openai.APIStatusError):
        upload(inprocess, "azure", TRAINING * 1000)
    assert list(directory.iterdir()) == []


def test_content_lives_on_disk_and_goes_with_the_file(inprocess: InProcessEmulator) -> None:
    directory: Path = inprocess.runtime.files.directory
    created = upload(inprocess, "openai")
    assert (directory / created.id).read_bytes() == TRAINING
    inprocess.openai_client().files.delete(created.id)
    assert list(directory.iterdir()) == []
    inprocess.close()
    assert not directory.exists()  # an in-memory emulator's directory is temporary


def test_files_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "emulator.sqlite3")
    with InProcessEmulator(db_path=db) as first:
        created = upload(first, "openai")
    with InProcessEmulator(db_path=db) as second:
        sdk = second.openai_client()
        assert sdk.files.retrieve(created.id).bytes == len(TRAINING)
        assert sdk.files.content(created.id).read() == TRAINING
        second.reset()
        assert list(sdk.files.list()) == []


def test_internal_files_are_validated_like_uploads(inprocess: InProcessEmulator) -> None:
    store = inprocess.runtime.files
    training = inprocess.call(store.create_from_bytes, "distilled.jsonl", "fine-tune", TRAINING)
    assert training.status == "processed" and training.examples == 3
    assert training.statistics is not None and training.statistics["examples"] == 3
    results = inprocess.call(store.create_from_bytes, "results.csv", "fine-tune-results", b"step\n1\n")
    assert (results.status, results.examples, results.statistics) == ("processed", None, None)
    assert inprocess.call(store.read_content, results.id) == b"step\n1\n"
    response = inprocess.openai_client().files.with_raw_response.content(results.id)
    assert response.headers["content-type"].startswith("text/csv")
    assert inprocess.call(store.delete, results.id) is True
    assert inprocess.call(store.read_content, results.id) is None


# ---- legacy api-version shapes -------------------------------------------------------------------


def test_legacy_api_version_shapes(emulator: Any) -> None:
    auth = headers(emulator, "azure")
    with emulator.http_client() as http:
        url = files_url("azure", api_version=LEGACY)
        good = http.post(
            url, headers=auth, data={"purpose": "fine-tune"}, files={"file": ("t.jsonl", TRAINING)}
        )
        bad = http.post(url, headers=auth, data={"purpose": "fine-tune"}, files={"file": ("b.jsonl", b"{}")})
        assert good.status_code == 201 and good.json()["status"] == "notRunning"
        assert set(good.json()) >= {
            "object",
            "id",
            "status",
            "created_at",
            "updated_at",
            "bytes",
            "purpose",
            "filename",
        }
        file_id, bad_id = good.json()["id"], bad.json()["id"]

        # The service processes a legacy upload on the clock: running for a while, then succeeded.
        processing = http.get(files_url("azure", f"/{file_id}", LEGACY), headers=auth).json()
        assert processing["status"] == "running" and "statistics" not in processing
        emulator.advance(LEGACY_PROCESSING_SECONDS)
        retrieved = http.get(files_url("azure", f"/{file_id}", LEGACY), headers=auth).json()
        assert retrieved["status"] == "succeeded"
        assert retrieved["updated_at"] == retrieved["created_at"] + LEGACY_PROCESSING_SECONDS
        assert retrieved["statistics"]["examples"] == 3 and retrieved["statistics"]["tokens"] > 0
        failed = http.get(files_url("azure", f"/{bad_id}", LEGACY), headers=auth).json()
        assert failed["status"] == "failed" and failed["error"]["code"] == "jsonlValidationFailed"
        assert failed["error"]["message"].startswith("Line 1:")

        listed = http.get(url, headers=auth).json()
        assert listed["object"] == "list" and [f["id"] for f in listed["data"]] == [file_id, bad_id]
        # The modern api-version reads the same file in its own vocabulary.
        modern = http.get(files_url("azure", f"/{file_id}"), headers=auth).json()
        assert modern["status"] == "processed" and "statistics" not in modern

        expiring = http.post(
            url,
            headers=auth,
            data={
                "purpose": "fine-tune",
                "expires_after[anchor]": "created_at",
                "expires_after[seconds]": "1209600",
            },
            files={"file": ("t.jsonl", TRAINING)},
        )
        assert expiring.status_code == 400 and expiring.json()["error"]["target"] == "expires_after"
        wrong_purpose = http.post(
            url, headers=auth, data={"purpose": "batch"}, files={"file": ("t.jsonl", TRAINING)}
        )
        assert wrong_purpose.status_code == 400 and wrong_purpose.json()["error"]["target"] == "purpose"

        deleted = http.delete(files_url("azure", f"/{file_id}", LEGACY), headers=auth)
        assert deleted.status_code == 204 and deleted.content == b""
        modern_delete = http.delete(files_url("azure", f"/{bad_id}"), headers=auth)
        assert modern_delete.status_code == 200 and modern_delete.json() == {
            "object": "file",
            "deleted": True,
            "id": bad_id,
        }


# ---- import from URL -----------------------------------------------------------------------------


@pytest.fixture
def loopback_site(tmp_path: Path) -> Iterator[str]:
    """A tiny HTTP server on 127.0.0.1 serving tmp_path."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    with loopback_server(Quiet) as url:
        yield url


def _import(emulator: Any, body: dict[str, Any], api_version: str = "2025-04-01-preview") -> Any:
    with emulator.http_client() as http:
        return http.post(
            files_url("azure", "/import", api_version), headers=headers(emulator, "azure"), json=body
        )


def test_import_from_file_and_loopback_urls(
    emulator: Any, tmp_path: Path, import_dir: Path, loopback_site: str
) -> None:
    (tmp_path / "train.jsonl").write_bytes(TRAINING)
    (import_dir / "train.jsonl").write_bytes(TRAINING)
    sdk = emulator.azure_client()
    for url in ((import_dir / "train.jsonl").as_uri(), loopback_site + "/train.jsonl"):
        response = _import(
            emulator, {"purpose": "fine-tune", "filename": "imported.jsonl", "content_url": url}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "pending" and body["filename"] == "imported.jsonl"
        assert response.headers["location"].endswith("/openai/files/" + body["id"])
        done = sdk.files.wait_for_processing(body["id"], poll_interval=0.01, max_wait_seconds=1)
        assert done.status == "processed" and done.bytes == len(TRAINING)
        assert sdk.files.content(body["id"]).read() == TRAINING


def test_import_failures(emulator: Any, import_dir: Path, loopback_site: str) -> None:
    base = {"purpose": "fine-tune", "filename": "t.jsonl"}
    cases = [
        ("https://example.com/train.jsonl", "fileImportFailed", "offline"),
        ("ftp://127.0.0.1/train.jsonl", "fileImportFailed", "scheme"),
        ((import_dir / "absent.jsonl").as_uri(), "fileImportFailed", "absent.jsonl"),
        (loopback_site + "/absent.jsonl", "fileImportFailed", "HTTP 404"),
        ("not a url", "invalidPayload", "not a URL"),
    ]
    for url, code, words in cases:
        response = _import(emulator, {**base, "content_url": url})
        assert response.status_code == 400, url
        error = response.json()["error"]
        assert (error["code"], error["target"]) == (code, "content_url") and words in error["message"]
    missing = _import(emulator, {"purpose": "fine-tune", "content_url": (import_dir / "x").as_uri()})
    assert missing.status_code == 400 and missing.json()["error"]["target"] == "filename"
    assert list(emulator.azure_client().files.list()) == []


@pytest.mark.settings(max_file_bytes=16)
def test_import_over_the_cap(emulator: Any, import_dir: Path) -> None:
    (import_dir / "big.jsonl").write_bytes(TRAINING)
    response = _import(
        emulator,
        {"purpose": "fine-tune", "filename": "b.jsonl", "content_url": (import_dir / "big.jsonl").as_uri()},
    )
    assert response.status_code == 413 and response.json()["error"]["target"] == "file"
    assert list(emulator.azure_client().files.list()) == []


def test_import_is_azure_dated_only(emulator: Any, import_dir: Path) -> None:
    (import_dir / "t.jsonl").write_bytes(TRAINING)
    body = {"purpose": "fine-tune", "filename": "t.jsonl", "content_url": (import_dir / "t.jsonl").as_uri()}
    with emulator.http_client() as http:
        for surface in ("azure_v1", "openai"):
            response = http.post(
                prefix(surface) + "/files/import", headers=headers(emulator, surface), json=body
            )
            assert response.status_code in (404, 405)
    legacy = _import(emulator, body, api_version=LEGACY)
    assert legacy.status_code == 201 and legacy.json()["status"] == "notRunning"


def test_max_file_bytes_from_the_command_line_and_the_environment() -> None:
    from emulator.cli.main import parser
    from emulator.settings import Settings

    assert parser().parse_args(["serve", "--max-file-bytes", "1024"]).max_file_bytes == 1024
    assert Settings.from_env({"AOAI_EMULATOR_MAX_FILE_BYTES": "2048"}).max_file_bytes == 2048
    assert Settings().max_file_bytes == 512 * 1024**2


def test_an_interrupted_upload_leaves_nothing(inprocess: InProcessEmulator) -> None:
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="t.jsonl"\r\n\r\n'
    ).encode() + TRAINING[:40]
    messages = [{"type": "http.request", "body": head, "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/files",
        "raw_path": b"/v1/files",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {inprocess.key}".encode()),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("emulator", 80),
    }
    inprocess.call(inprocess.app, scope, receive, send)
    assert sent[0]["status"] == 400
    assert list(inprocess.runtime.files.directory.iterdir()) == []
    assert list(inprocess.openai_client().files.list()) == []


def test_an_emulator_never_started_makes_no_directory() -> None:
    from emulator.runtime import Runtime
    from emulator.settings import Settings

    runtime = Runtime(Settings())
    assert not runtime.files.directory.exists()
