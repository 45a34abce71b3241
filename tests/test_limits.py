"""Request limits: body size, JSON nesting, each model's context window and answer ceiling, field counts.

Through the SDK where a user would meet the limit (context windows, max_tokens, field limits), raw HTTP
where the SDK cannot send the request (an oversized or chunked body, a lying Content-Length, deep JSON
on every route), and the ASGI app directly to show a body is refused without being read whole.
"""

from __future__ import annotations

import gc
import json
import socket
import tracemalloc
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from emulator.api.files.routes import FORM_ALLOWANCE
from emulator.model import Sampling, Shape, generate, tokens
from emulator.model.limits import MAX_LOGPROBS
from emulator.settings import DEFAULT_MAX_REQUEST_BYTES, Settings
from emulator.testing import InProcessEmulator, LiveEmulator
from tests.fine_tuning_data import JOBS_API_VERSION, LEGACY_API_VERSION, chat_lines, jobs_client, upload
from tests.surfaces import HELLO, MODEL, MODEL_NAME, SURFACES, client, create_path, headers

SMALL = 4096  # the body limit the size tests run with
PROMPT_WINDOW = 128_000  # gpt-4o
GPT4O_CEILING = 16_384
GPT41_CEILING = 32_768


def chat_body(content: str, **extra: Any) -> bytes:
    return json.dumps({"model": MODEL, "messages": [{"role": "user", "content": content}], **extra}).encode()


def sized_body(size: int) -> bytes:
    """A valid chat request of exactly `size` bytes."""
    bare = chat_body("")
    body = chat_body("x" * (size - len(bare)))
    assert len(body) == size
    return body


def long_messages(words: int, ask: str = "") -> list[dict[str, str]]:
    return [{"role": "user", "content": ask + " word" * words}]


def refused(call: Any) -> Any:
    with pytest.raises(openai.BadRequestError) as caught:
        call()
    return caught.value


# --- the body-size limit ---------------------------------------------------------------------------


def test_the_default_body_limit_is_16_mib_and_the_environment_sets_another() -> None:
    assert DEFAULT_MAX_REQUEST_BYTES == Settings().max_request_bytes == 16 * 1024**2
    assert Settings.from_env({"AOAI_EMULATOR_MAX_REQUEST_BYTES": "1234"}).max_request_bytes == 1234


@pytest.mark.settings(max_request_bytes=SMALL)
@pytest.mark.parametrize("surface", SURFACES)
def test_a_body_over_the_limit_is_413_in_the_surface_envelope(
    inprocess: InProcessEmulator, surface: str
) -> None:
    with inprocess.http_client() as http:
        response = http.post(
            create_path(surface),
            headers={**headers(inprocess, surface), "content-type": "application/json"},
            content=sized_body(SMALL + 1),
        )
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "request_too_large" and error["param"] is None
    assert error["type"] == "invalid_request_error"
    assert f"larger than {SMALL} bytes" in error["message"] and "max_request_bytes" in error["message"]


@pytest.mark.settings(max_request_bytes=SMALL)
def test_a_body_over_the_limit_on_an_azure_authoring_route_is_413_in_its_envelope(
    inprocess: InProcessEmulator,
) -> None:
    with inprocess.http_client() as http:
        response = http.post(
            f"/openai/fine_tuning/jobs?api-version={JOBS_API_VERSION}",
            headers={"api-key": inprocess.key, "content-type": "application/json"},
            content=json.dumps({"model": "gpt-4o-mini", "training_file": "f" * SMALL}).encode(),
        )
    assert response.status_code == 413, response.text
    assert set(response.json()["error"]) == {"code", "message"}
    assert response.json()["error"]["code"] == "requestTooLarge"


@pytest.mark.settings(max_request_bytes=SMALL)
@pytest.mark.parametrize("surface", SURFACES)
def test_the_sdk_sees_a_413_and_a_body_at_the_limit_still_works(
    inprocess: InProcessEmulator, surface: str
) -> None:
    sdk = client(inprocess, surface)
    with pytest.raises(openai.APIStatusError) as caught:
        sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x" * SMALL}])
    assert caught.value.status_code == 413
    with inprocess.http_client() as http:
        response = http.post(
            create_path(surface),
            headers={**headers(inprocess, surface), "content-type": "application/json"},
            content=sized_body(SMALL),
        )
    assert response.status_code == 200, response.text


def run_asgi(
    emulator: InProcessEmulator,
    chunks: Iterator[bytes],
    declared: int | None,
    path: str = "/v1/chat/completions",
    content_type: str = "application/json",
) -> tuple[int, int]:
    """POST `chunks` to the app at `path`, with Content-Length `declared` (None: chunked);
    (status, chunks the app read)."""
    read = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    raw_headers = [
        (b"authorization", f"Bearer {emulator.key}".encode()),
        (b"content-type", content_type.encode()),
    ]
    if declared is not None:
        raw_headers.append((b"content-length", str(declared).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("emulator", 80),
    }
    emulator.run(emulator.app(scope, receive, send))
    return status, read


def endless(chunk: bytes, count: int = 10_000) -> Iterator[bytes]:
    return iter([chunk] * count)


@pytest.mark.settings(max_request_bytes=SMALL)
def test_a_declared_length_over_the_limit_is_refused_before_any_of_the_body_is_read(
    inprocess: InProcessEmulator,
) -> None:
    status, read = run_asgi(inprocess, endless(b" " * 1024), declared=10**12)
    assert (status, read) == (413, 0)


@pytest.mark.settings(max_request_bytes=SMALL)
def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(inprocess: InProcessEmulator) -> None:
    status, read = run_asgi(inprocess, endless(b" " * 1024), declared=None)
    assert status == 413
    assert read == SMALL // 1024 + 1  # of the 10,000 chunks offered


@pytest.mark.settings(max_request_bytes=SMALL)
def test_a_body_longer_than_its_declared_length_is_counted_as_it_arrives(
    inprocess: InProcessEmulator,
) -> None:
    status, read = run_asgi(inprocess, endless(b" " * 1024), declared=100)
    assert status == 413 and read == SMALL // 1024 + 1


@pytest.mark.settings(max_request_bytes=SMALL)
def test_a_chunked_body_within_the_limit_is_served(inprocess: InProcessEmulator) -> None:
    body = sized_body(SMALL)
    status, read = run_asgi(inprocess, iter([body[:1000], body[1000:]]), declared=None)
    assert (status, read) == (200, 2)


@pytest.fixture(scope="module")
def small_server() -> Iterator[LiveEmulator]:
    with LiveEmulator(extra_args=("--max-request-bytes", str(SMALL))) as server:
        yield server


def test_a_live_server_refuses_oversized_plain_and_chunked_bodies(small_server: LiveEmulator) -> None:
    auth = {"authorization": f"Bearer {small_server.key}", "content-type": "application/json"}

    def chunked() -> Iterator[bytes]:
        body = sized_body(64 * 1024)
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    with small_server.http_client() as http:
        plain = http.post("/v1/chat/completions", headers=auth, content=sized_body(64 * 1024))
        streamed = http.post("/v1/chat/completions", headers=auth, content=chunked())
        under = http.post("/v1/chat/completions", headers=auth, content=sized_body(SMALL))
    assert plain.status_code == 413 and plain.json()["error"]["code"] == "request_too_large"
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "request_too_large"
    assert under.status_code == 200, under.text


def test_a_live_server_answers_a_huge_declared_length_without_waiting_for_the_body(
    small_server: LiveEmulator,
) -> None:
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        f"authorization: Bearer {small_server.key}\r\ncontent-type: application/json\r\n"
        "content-length: 1000000000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", small_server.port), timeout=10) as sock:
        sock.sendall(head.encode())  # and not one byte of the terabyte it announces
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 ")
    with small_server.http_client() as http:
        assert http.get("/health").status_code == 200


# --- JSON nesting --------------------------------------------------------------------------------

DEEP_ROUTES = [
    ("POST", f"/openai/deployments/gpt-4o/chat/completions?api-version={JOBS_API_VERSION}"),
    ("POST", "/openai/v1/chat/completions"),
    ("POST", "/v1/chat/completions"),
    ("POST", f"/openai/chat/completions/chatcmpl-1?api-version={JOBS_API_VERSION}"),
    ("POST", "/openai/v1/chat/completions/chatcmpl-1"),
    ("POST", "/v1/chat/completions/chatcmpl-1"),
    ("POST", "/v1/completions"),
    ("POST", f"/openai/deployments/gpt-4o/completions?api-version={LEGACY_API_VERSION}"),
    ("POST", f"/openai/fine_tuning/jobs?api-version={JOBS_API_VERSION}"),
    ("POST", "/openai/v1/fine_tuning/jobs"),
    ("POST", "/v1/fine_tuning/jobs"),
    ("POST", f"/openai/fine-tunes?api-version={LEGACY_API_VERSION}"),
    ("POST", f"/openai/evals?api-version={JOBS_API_VERSION}"),
    ("POST", "/v1/evals"),
    ("POST", "/v1/evals/eval_1"),
    ("POST", "/openai/deployments?api-version=2022-12-01"),
    ("POST", "/openai/files/import?api-version=2022-12-01"),
    ("POST", "/_emulator/deployments"),
    ("POST", "/_emulator/scripts"),
    ("POST", "/_emulator/stored_completions"),
    ("POST", "/_emulator/evaluate"),
]


def nested(depth: int) -> str:
    """A request object whose `metadata` holds arrays `depth` levels deep in all (the object is one)."""
    inner = depth - 1
    return '{"model":"gpt-4o","metadata":' + "[" * inner + "]" * inner + "}"


@pytest.mark.parametrize(("method", "path"), DEEP_ROUTES)
def test_json_nested_past_64_levels_is_400_on_every_route(emulator: Any, method: str, path: str) -> None:
    auth = {"api-key": emulator.key, "authorization": f"Bearer {emulator.key}"}
    with emulator.http_client() as http:
        answers = [
            http.request(
                method, path, headers={**auth, "content-type": "application/json"}, content=nested(depth)
            )
            for depth in (65, 5_000, 200_000)
        ]
    for response in answers:
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert "more than 64 levels deep" in error["message"]
        if path.startswith("/v1") or path.startswith("/_emulator"):
            assert error["type"] == "invalid_request_error" and error["code"] == "invalid_json"


def test_json_64_levels_deep_is_read(emulator: Any) -> None:
    with emulator.http_client() as http:
        response = http.post(
            "/v1/chat/completions",
            headers={"authorization": f"Bearer {emulator.key}", "content-type": "application/json"},
            content='{"model":"gpt-4o","messages":[{"role":"user","content":"Hi","extra":'
            + "[" * 61
            + "]" * 61
            + "}]}",
        )
    # read whole and validated: the message's extra field is allowed, and deep enough to count 64 levels
    assert response.status_code == 200, response.text


def deep_training_file(depth: int) -> bytes:
    extra = "[" * (depth - 3) + "]" * (depth - 3)
    deep = (
        '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello","x":'
        + extra
        + "}]}\n"
    )
    return chat_lines(1) + deep.encode()


@pytest.mark.parametrize("depth", [65, 100_000])
def test_a_fine_tuning_file_with_a_line_nested_too_deep_is_refused(emulator: Any, depth: int) -> None:
    sdk = emulator.openai_client()
    error = refused(
        lambda: sdk.files.create(file=("train.jsonl", deep_training_file(depth)), purpose="fine-tune")
    )
    assert error.param == "file" and "Line 2" in error.message and "more than 64 levels deep" in error.message

    azure = jobs_client(emulator, "azure")
    created = azure.files.create(file=("train.jsonl", deep_training_file(depth)), purpose="fine-tune")
    stored = azure.files.wait_for_processing(created.id, poll_interval=0.01, max_wait_seconds=1)
    assert stored.status == "error"
    assert "Line 2" in str(stored.status_details) and "64 levels" in str(stored.status_details)


# --- context windows and answer ceilings ------------------------------------------------------------


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_a_prompt_over_the_context_window_is_context_length_exceeded(emulator: Any, surface: str) -> None:
    messages = long_messages(130_000)
    prompt = tokens.count_messages(messages, MODEL_NAME)
    assert prompt > PROMPT_WINDOW
    error = refused(lambda: client(emulator, surface).chat.completions.create(model=MODEL, messages=messages))
    assert error.code == "context_length_exceeded" and error.param == "messages"
    assert error.body["message"] == (
        f"This model's maximum context length is {PROMPT_WINDOW} tokens. However, your messages resulted in "
        f"{prompt} tokens. Please reduce the length of the messages."
    )


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_a_prompt_and_max_tokens_over_the_window_are_refused(emulator: Any, surface: str) -> None:
    messages = long_messages(120_000)
    prompt = tokens.count_messages(messages, MODEL_NAME)
    sdk = client(emulator, surface)
    error = refused(lambda: sdk.chat.completions.create(model=MODEL, messages=messages, max_tokens=10_000))
    assert error.code == "context_length_exceeded" and error.param == "messages"
    assert error.body["message"] == (
        f"This model's maximum context length is {PROMPT_WINDOW} tokens. However, you requested "
        f"{prompt + 10_000} tokens ({prompt} in the messages, 10000 in the completion). Please reduce the "
        "length of the messages or completion."
    )
    # the same prompt with room left for the answer is served
    fits = sdk.chat.completions.create(model=MODEL, messages=messages, max_tokens=PROMPT_WINDOW - prompt)
    assert fits.usage is not None and fits.usage.prompt_tokens == prompt


def test_tools_count_toward_the_window_and_are_named(emulator: Any) -> None:
    messages = long_messages(127_990)
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look a word up in the dictionary",
            "parameters": {"type": "object", "properties": {"word": {"type": "string"}}},
        },
    }
    in_messages = tokens.count_messages(messages, MODEL_NAME)
    in_functions = tokens.count_tools([tool], MODEL_NAME)
    assert in_messages <= PROMPT_WINDOW < in_messages + in_functions
    sdk = emulator.openai_client()
    error = refused(lambda: sdk.chat.completions.create(model=MODEL, messages=messages, tools=[tool]))
    assert error.code == "context_length_exceeded"
    assert error.body["message"].endswith(
        f"your messages resulted in {in_messages + in_functions} tokens ({in_messages} in the messages, "
        f"{in_functions} in the functions). Please reduce the length of the messages or functions."
    )


def test_gpt_4_1_has_a_million_token_window(emulator: Any) -> None:
    messages = long_messages(130_000)
    answer = emulator.openai_client().chat.completions.create(model="gpt-4.1", messages=messages)
    assert answer.usage is not None and answer.usage.prompt_tokens > PROMPT_WINDOW


@pytest.mark.parametrize("surface", SURFACES)
def test_max_tokens_over_the_models_ceiling_is_refused(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    huge = 10**30
    error = refused(lambda: sdk.chat.completions.create(model=MODEL, messages=HELLO, max_tokens=huge))
    assert (error.param, error.code) == ("max_tokens", "invalid_value")
    assert error.body["message"] == (
        f"max_tokens is too large: {huge}. This model supports at most {GPT4O_CEILING} completion tokens, "
        f"whereas you provided {huge}."
    )
    over = refused(
        lambda: sdk.chat.completions.create(
            model=MODEL, messages=HELLO, max_completion_tokens=GPT4O_CEILING + 1
        )
    )
    assert over.param == "max_completion_tokens" and f"at most {GPT4O_CEILING} " in over.body["message"]
    at = sdk.chat.completions.create(model=MODEL, messages=HELLO, max_completion_tokens=GPT4O_CEILING)
    assert at.choices[0].finish_reason == "stop"


def test_each_model_family_has_its_own_ceiling(emulator: Any) -> None:
    sdk = emulator.openai_client()
    assert sdk.chat.completions.create(model="gpt-4.1", messages=HELLO, max_tokens=32_768).choices
    error = refused(lambda: sdk.chat.completions.create(model="gpt-4.1", messages=HELLO, max_tokens=32_769))
    assert "at most 32768 completion tokens" in error.body["message"]
    mini = refused(
        lambda: sdk.chat.completions.create(model="gpt-4o-mini", messages=HELLO, max_tokens=16_385)
    )
    assert "at most 16384 completion tokens" in mini.body["message"]


def test_without_max_tokens_an_answer_stops_at_the_ceiling(emulator: Any) -> None:
    emulator.script("recite", "word " * 20_000)
    answer = emulator.openai_client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Please recite."}]
    )
    assert answer.choices[0].finish_reason == "length"
    assert answer.usage is not None and answer.usage.completion_tokens == GPT4O_CEILING


def test_without_max_tokens_an_answer_stops_where_the_window_ends(emulator: Any) -> None:
    emulator.script("recite", "word " * 20_000)
    messages = long_messages(120_000, ask="Please recite.")
    prompt = tokens.count_messages(messages, MODEL_NAME)
    answer = emulator.azure_client(api_version=JOBS_API_VERSION).chat.completions.create(
        model=MODEL, messages=messages
    )
    assert answer.choices[0].finish_reason == "length"
    assert answer.usage is not None
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (prompt, PROMPT_WINDOW - prompt)


def test_a_fine_tuned_model_has_its_base_models_limits(inprocess: InProcessEmulator) -> None:
    sdk = jobs_client(inprocess, "azure")
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload(sdk, chat_lines(10)))
    inprocess.settle_jobs()
    model = sdk.fine_tuning.jobs.retrieve(job.id).fine_tuned_model
    assert model
    inprocess.create_deployment("tuned", model)
    error = refused(lambda: sdk.chat.completions.create(model="tuned", messages=HELLO, max_tokens=16_385))
    assert "at most 16384 completion tokens" in error.body["message"]
    too_long = refused(lambda: sdk.chat.completions.create(model="tuned", messages=long_messages(130_000)))
    assert too_long.code == "context_length_exceeded"


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_a_legacy_completion_over_the_window_is_refused_in_that_apis_words(
    emulator: Any, surface: str
) -> None:
    emulator.create_deployment("gpt3", "davinci")
    prompt = "word " * 2_100
    prompt_tokens = tokens.count(prompt, "davinci")
    sdk = client(emulator, surface, api_version=LEGACY_API_VERSION)
    model = "gpt3" if surface == "azure" else "davinci"  # the deployment on Azure, the model on /v1
    error = refused(lambda: sdk.completions.create(model=model, prompt=prompt))
    assert error.code == "context_length_exceeded" and error.param == "prompt"
    assert error.body["message"] == (
        f"This model's maximum context length is 2049 tokens, however you requested {prompt_tokens + 16} "
        f"tokens ({prompt_tokens} in your prompt; 16 for the completion). Please reduce your prompt; or "
        "completion length."
    )
    huge = refused(lambda: sdk.completions.create(model=model, prompt="Hello", max_tokens=10**30))
    assert huge.code == "context_length_exceeded"
    assert sdk.completions.create(model=model, prompt="Hello", max_tokens=2_000).choices


# --- field limits -------------------------------------------------------------------------------


def tool(n: int) -> dict[str, Any]:
    return {"type": "function", "function": {"name": f"tool_{n}", "parameters": {"type": "object"}}}


@pytest.mark.parametrize(
    ("field", "value", "param", "says"),
    [
        ("logit_bias", {str(t): 1 for t in range(301)}, "logit_bias", "at most 300"),
        ("logit_bias", {str(t): 1 for t in range(100_000)}, "logit_bias", "at most 300"),
        ("logit_bias", {"50256": 101}, "logit_bias", "from -100 to 100"),
        ("logit_bias", {"50256": -101}, "logit_bias", "from -100 to 100"),
        ("logit_bias", {"hello": 5}, "logit_bias", "Invalid key in 'logit_bias': hello."),
        (
            "logit_bias",
            {"200000": 5},
            "logit_bias",
            "Invalid key in 'logit_bias': 200000. Maximum value is 199999.",
        ),
        ("logit_bias", {"9" * 5000: 5}, "logit_bias", "Maximum value is 199999."),
        ("stop", ["a", "b", "c", "d", "e"], "stop", "1 to 4 strings"),
        ("tools", [tool(n) for n in range(129)], "tools", "maximum length 128"),
        ("n", 129, "n", "Expected a value <= 128"),
        ("n", 0, "n", "Expected a value >= 1"),
        ("metadata", {f"k{n}": "v" for n in range(17)}, "metadata", "at most 16 properties"),
        ("metadata", {"k" * 65: "v"}, "metadata", "at most 64 characters"),
        ("metadata", {"k": "v" * 513}, "metadata", "at most 512 characters"),
    ],
)
@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_field_limits_are_400_naming_the_field(
    emulator: Any, surface: str, field: str, value: Any, param: str, says: str
) -> None:
    sdk = client(emulator, surface)
    error = refused(lambda: sdk.chat.completions.create(model=MODEL, messages=HELLO, **{field: value}))
    assert error.param == param and says in error.body["message"]


def test_requests_just_within_the_field_limits_are_served(emulator: Any) -> None:
    answer = emulator.openai_client().chat.completions.create(
        model=MODEL,
        messages=HELLO,
        logit_bias={str(t): (t % 201) - 100 for t in range(300)},
        stop=["a", "b", "c", "d"],
        tools=[tool(n) for n in range(128)],
        tool_choice="none",
        metadata={f"k{n}": "v" * 512 for n in range(16)},
        n=128,
        max_tokens=1,
    )
    assert len(answer.choices) == 128


def test_legacy_completions_bound_n_and_stop(emulator: Any) -> None:
    emulator.create_deployment("gpt3", "davinci")
    sdk = emulator.openai_client()
    many = refused(lambda: sdk.completions.create(model="davinci", prompt="Hi", n=129))
    assert many.param == "n" and "<= 128" in many.body["message"]
    stops = refused(
        lambda: sdk.completions.create(model="davinci", prompt="Hi", stop=["a", "b", "c", "d", "e"])
    )
    assert stops.param == "stop"


# --- memory ---------------------------------------------------------------------------------------


def retained_after(work: Any) -> int:
    """Bytes still allocated after `work()` has run and its results were dropped."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        work()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_large_prompts_are_not_kept_after_their_answers() -> None:
    sampling, shape = Sampling(), Shape()

    def answer_four_large_prompts() -> None:
        for n in range(4):
            # a megabyte each, with and without sentence ends
            text = f"Summarize document {n}: " + ("word " * 200_000 if n % 2 else "word. " * 170_000)
            generate([{"role": "user", "content": text}], MODEL_NAME, sampling, shape)

    assert retained_after(answer_four_large_prompts) < 1_000_000


def test_an_upload_with_more_form_fields_than_an_upload_sends_is_refused(emulator: Any) -> None:
    fields = {f"field_{n}": "x" * 1000 for n in range(40)}
    with emulator.http_client() as http:
        response = http.post(
            "/v1/files",
            headers={"authorization": f"Bearer {emulator.key}"},
            data={"purpose": "fine-tune", **fields},
            files={"file": ("train.jsonl", chat_lines(1))},
        )
    assert response.status_code == 400, response.text
    assert "more than 32 fields" in response.json()["error"]["message"]


def test_images_count_toward_the_window_even_in_a_small_body(emulator: Any) -> None:
    # 85 tokens for each image part: 1,600 of them fill the window from a body of some 35 KB
    messages = [{"role": "user", "content": [{"type": "image_url"}] * 1_600}]
    prompt = tokens.count_messages(messages, MODEL_NAME)
    assert prompt > PROMPT_WINDOW
    error = refused(lambda: emulator.openai_client().chat.completions.create(model=MODEL, messages=messages))
    assert error.code == "context_length_exceeded" and f"resulted in {prompt} tokens" in error.body["message"]


# --- uploads: refused before the body is read whole --------------------------------------------------

BOUNDARY = "limits-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def upload_head(field: str = "file") -> bytes:
    """A multipart body up to the start of a file part's content, 'purpose' (batch, stored unchecked) sent first."""
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="train.jsonl"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def upload_chunks(head: bytes, count: int = 10_000) -> Iterator[bytes]:
    yield head
    yield from endless(b" " * 1024, count)


def chunked_upload(size: int) -> Iterator[bytes]:
    """A complete upload of a `size`-byte file, in 1 KiB chunks."""
    yield upload_head()
    for _ in range(size // 1024):
        yield b" " * 1024
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.settings(max_file_bytes=SMALL)
def test_an_upload_declaring_more_than_the_file_limit_is_refused_before_any_of_it_is_read(
    inprocess: InProcessEmulator,
) -> None:
    status, read = run_asgi(inprocess, upload_chunks(upload_head()), 10**12, "/v1/files", MULTIPART)
    assert (status, read) == (413, 0)


@pytest.mark.settings(max_file_bytes=SMALL)
def test_a_chunked_upload_is_refused_at_the_chunk_that_takes_the_file_past_the_limit(
    inprocess: InProcessEmulator,
) -> None:
    status, read = run_asgi(inprocess, upload_chunks(upload_head()), None, "/v1/files", MULTIPART)
    assert status == 413
    assert read == 1 + SMALL // 1024 + 1  # the head, then the file's chunks up to the one past the limit
    assert list(inprocess.openai_client().files.list()) == []
    assert list(inprocess.runtime.files.directory.iterdir()) == []


@pytest.mark.settings(max_file_bytes=SMALL)
def test_a_chunked_body_that_is_not_the_file_is_refused_past_the_file_limit_and_its_allowance(
    inprocess: InProcessEmulator,
) -> None:
    # A second part the route does not keep: counted against the whole body's bound.
    head = upload_head("attachment")
    status, read = run_asgi(inprocess, upload_chunks(head, 100_000), None, "/v1/files", MULTIPART)
    assert status == 413
    assert read == 1 + (SMALL + FORM_ALLOWANCE - len(head)) // 1024 + 1


@pytest.mark.settings(max_file_bytes=SMALL)
@pytest.mark.parametrize("surface", SURFACES)
def test_a_chunked_upload_over_the_file_limit_is_413_in_the_surface_envelope(
    inprocess: InProcessEmulator, surface: str
) -> None:
    path = "/openai/files?api-version=2025-04-01-preview" if surface == "azure" else "/v1/files"
    if surface == "azure_v1":
        path = "/openai/v1/files"
    with inprocess.http_client() as http:
        over = http.post(
            path,
            headers={**headers(inprocess, surface), "content-type": MULTIPART},
            content=chunked_upload(SMALL + 1024),
        )
        within = http.post(
            path,
            headers={**headers(inprocess, surface), "content-type": MULTIPART},
            content=chunked_upload(SMALL),
        )
    assert over.status_code == 413, over.text
    error = over.json()["error"]
    assert error["code"] == ("file_too_large" if surface == "openai" else "invalidPayload")
    assert f"limit of {SMALL} bytes" in error["message"] and "max_file_bytes" in error["message"]
    assert within.status_code in (200, 201), within.text
    assert within.json()["bytes"] == SMALL


@pytest.fixture(scope="module")
def small_files_server() -> Iterator[LiveEmulator]:
    with LiveEmulator(extra_args=("--max-file-bytes", str(SMALL))) as server:
        yield server


def test_a_live_server_refuses_a_chunked_upload_over_the_file_limit(small_files_server: LiveEmulator) -> None:
    auth = {"authorization": f"Bearer {small_files_server.key}", "content-type": MULTIPART}
    with small_files_server.http_client() as http:
        over = http.post("/v1/files", headers=auth, content=chunked_upload(64 * 1024))
        within = http.post("/v1/files", headers=auth, content=chunked_upload(SMALL))
    assert over.status_code == 413 and over.json()["error"]["code"] == "file_too_large"
    assert within.status_code == 200 and within.json()["bytes"] == SMALL


def test_a_live_server_answers_an_upload_announcing_a_huge_length_without_waiting_for_it(
    small_files_server: LiveEmulator,
) -> None:
    head = (
        f"POST /v1/files HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {small_files_server.key}\r\n"
        f"content-type: {MULTIPART}\r\ncontent-length: 1000000000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", small_files_server.port), timeout=10) as sock:
        sock.sendall(head.encode() + upload_head())  # and none of the terabyte of file it announces
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 ")
    with small_files_server.http_client() as http:
        assert http.get("/health").status_code == 200


# --- logit_bias against the vocabulary, log probabilities against a budget ----------------------------


def test_logit_bias_may_name_every_token_up_to_the_end_of_text(emulator: Any) -> None:
    sdk = emulator.openai_client()
    assert sdk.chat.completions.create(model=MODEL, messages=HELLO, logit_bias={"199999": -100}).choices
    emulator.create_deployment("gpt35", "gpt-35-turbo-0125")
    legacy = refused(
        lambda: sdk.chat.completions.create(model="gpt35", messages=HELLO, logit_bias={"100258": -100})
    )
    assert legacy.param == "logit_bias"
    assert legacy.body["message"] == "Invalid key in 'logit_bias': 100258. Maximum value is 100257."
    assert sdk.chat.completions.create(model="gpt35", messages=HELLO, logit_bias={"100257": -100}).choices


@pytest.mark.parametrize("surface", ["azure", "openai"])
@pytest.mark.parametrize("stream", [False, True])
def test_128_answers_with_20_alternatives_per_token_are_refused_naming_n(
    emulator: Any, surface: str, stream: bool
) -> None:
    sdk = client(emulator, surface)
    error = refused(
        lambda: sdk.chat.completions.create(
            model=MODEL, messages=HELLO, n=128, logprobs=True, top_logprobs=20, stream=stream
        )
    )
    assert error.param == "n"
    message = error.body["message"]
    assert f"up to {128 * GPT4O_CEILING * 21} log probabilities" in message
    assert f"more than the {MAX_LOGPROBS}" in message and "Lower n, max_tokens or top_logprobs" in message


def test_the_log_probability_budget_counts_answers_tokens_and_alternatives(emulator: Any) -> None:
    sdk = emulator.openai_client()

    def ask(max_tokens: int, **extra: Any) -> Any:
        return sdk.chat.completions.create(
            model=MODEL, messages=HELLO, n=8, logprobs=True, top_logprobs=20, max_tokens=max_tokens, **extra
        )

    fits = MAX_LOGPROBS // (8 * 21)  # 6241 tokens an answer
    answer = ask(fits)
    assert len(answer.choices) == 8
    assert all(len(c.logprobs.content[0].top_logprobs) == 20 for c in answer.choices if c.logprobs)
    over = refused(lambda: ask(fits + 1))
    assert over.param == "n" and f"up to {8 * (fits + 1) * 21} log probabilities" in over.body["message"]
    # without log probabilities the answers are only text, bounded by n and the ceiling
    assert len(sdk.chat.completions.create(model=MODEL, messages=HELLO, n=128, max_tokens=16).choices) == 128


def test_one_answer_at_the_largest_ceiling_with_every_alternative_fits_the_budget(emulator: Any) -> None:
    sdk = emulator.openai_client()
    assert GPT41_CEILING * 21 <= MAX_LOGPROBS
    answer = sdk.chat.completions.create(model="gpt-4.1", messages=HELLO, logprobs=True, top_logprobs=20)
    assert answer.choices[0].logprobs
    error = refused(
        lambda: sdk.chat.completions.create(
            model="gpt-4.1", messages=HELLO, n=2, logprobs=True, top_logprobs=20
        )
    )
    assert error.param == "n"
