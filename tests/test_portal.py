"""The portal's pages (emulator/portal/), in-process: what each page shows and what each form changes,
checked through the SDK the way a user would see it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import openai
import pytest

from emulator.cli.main import banner
from emulator.resource.completions import StoredCompletion
from emulator.settings import DEFAULT_API_KEY, Settings
from emulator.testing import InProcessEmulator

TAG = {"task": "summaries"}


def store(emu: InProcessEmulator, count: int, metadata: dict[str, str], model: str = "gpt-4o") -> list[str]:
    client = emu.azure_client()
    ids = []
    for i in range(count):
        made = client.chat.completions.create(
            model=model,
            store=True,
            metadata=metadata,
            messages=[
                {"role": "system", "content": "Summarise in one sentence."},
                {"role": "user", "content": f"Text number {i} about {metadata.get('task', 'things')}."},
            ],
        )
        ids.append(made.id)
    return ids


def connected(emu: InProcessEmulator) -> Any:
    client = emu.http_client()
    answer = client.post("/portal/connect", data={"key": emu.key})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/completions"
    return client


def text_of(html: str) -> str:
    """The page's visible words, tags removed and spaces folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def rows(html: str) -> list[str]:
    return re.findall(r'<a href="/portal/completions/(chatcmpl-[^"]+)"', html)


# --- connecting ---------------------------------------------------------------------------------------------


def test_portal_redirects_to_its_page_which_asks_for_the_key_prefilled_with_the_development_key(
    inprocess: InProcessEmulator,
) -> None:
    client = inprocess.http_client()
    moved = client.get("/portal")
    assert (moved.status_code, moved.headers["location"]) == (307, "/portal/")
    page = client.get("/portal/")
    assert page.status_code == 200
    assert '<label for="key">API key</label>' in page.text
    assert f'value="{DEFAULT_API_KEY}"' in page.text
    assert ">Connect</button>" in page.text


@pytest.mark.settings(api_keys=("a-private-key",))
def test_the_key_field_is_empty_when_the_server_does_not_accept_the_development_key(
    inprocess: InProcessEmulator,
) -> None:
    page = inprocess.http_client().get("/portal/")
    assert DEFAULT_API_KEY not in page.text
    assert 'value=""' in page.text


def test_a_wrong_key_is_refused_in_words_and_remembers_nothing(inprocess: InProcessEmulator) -> None:
    client = inprocess.http_client()
    refused = client.post("/portal/connect", data={"key": "not-the-key"})
    assert refused.status_code == 401
    assert "The key was refused:" in text_of(refused.text)
    assert '{"error"' not in refused.text
    assert "set-cookie" not in refused.headers
    assert client.get("/portal/completions").headers["location"] == "/portal/"


def test_pages_need_the_key_and_disconnect_forgets_it(inprocess: InProcessEmulator) -> None:
    client = inprocess.http_client()
    for path in ("/portal/completions", "/portal/jobs", "/portal/evals", "/portal/deployments"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/portal/")
    client = connected(inprocess)
    page = client.get("/portal/completions")
    assert '<nav aria-label="Portal">' in page.text
    for name in ("Stored Completions", "Fine-tuning jobs", "Evaluations", "Deployments"):
        assert f">{name}</a>" in page.text
    client.post("/portal/disconnect")
    assert client.get("/portal/completions").status_code == 303


def test_serve_prints_the_portal_address() -> None:
    assert "Portal:                http://127.0.0.1:8000/portal/" in banner(Settings(), "127.0.0.1", 8000)


def test_assets_are_served_by_the_emulator_and_nothing_else_is(inprocess: InProcessEmulator) -> None:
    client = inprocess.http_client()
    script = client.get("/portal/static/htmx.min.js")
    assert script.status_code == 200
    assert script.text.startswith("/*! htmx 2.")
    assert "Zero-Clause BSD" in script.text
    assert client.get("/portal/static/portal.css").headers["content-type"].startswith("text/css")
    assert client.get("/portal/static/..%2Froutes.py").status_code == 404
    page = connected(inprocess).get("/portal/completions").text
    assert "http://" not in page and "https://" not in page  # no CDN: every asset from /portal/static


# --- Stored Completions ----------------------------------------------------------------------------------


def test_the_table_lists_newest_first_counts_the_matches_and_pages_on_the_server(
    inprocess: InProcessEmulator,
) -> None:
    ids = store(inprocess, 23, TAG)
    client = connected(inprocess)
    first = client.get("/portal/completions")
    assert "<h1>Stored Completions</h1>" in first.text
    assert "23 completions" in text_of(first.text)
    assert rows(first.text) == list(reversed(ids))[:20]
    assert "Text number 22 about summaries." in first.text  # the first user message, not the system one
    assert "task=summaries" in text_of(first.text)
    following = re.search(r'href="(/portal/completions\?[^"]*after=[^"]+)">Next page</a>', first.text)
    assert following is not None
    second = client.get(following.group(1).replace("&amp;", "&"))
    assert rows(second.text) == list(reversed(ids))[20:]
    assert ">Next page</a>" not in second.text


def test_filters_by_metadata_model_and_created_range(inprocess: InProcessEmulator) -> None:
    early = store(inprocess, 2, {"task": "a", "user": "ann"})
    inprocess.advance(3600)
    late = store(inprocess, 3, {"task": "a", "user": "bob"}, model="gpt-4o-mini")
    store(inprocess, 4, {"task": "b"})
    client = connected(inprocess)

    def shown(**query: str) -> list[str]:
        page = client.get("/portal/completions", params=query)
        assert page.status_code == 200, page.text
        return rows(page.text)

    assert set(shown(metadata="task=a")) == set(early + late)
    assert set(shown(metadata="task=a, user=bob")) == set(late)
    assert set(shown(model="gpt-4o-mini-2024-07-18")) == set(late)
    boundary = inprocess.azure_client().chat.completions.retrieve(late[0]).created
    stamp = __import__("datetime").datetime.fromtimestamp(boundary, __import__("datetime").timezone.utc)
    after = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    assert set(shown(metadata="task=a", created_after=after)) == set(late)
    assert set(shown(metadata="task=a", created_before=after)) == set(early)
    page = client.get("/portal/completions", params={"metadata": "task=a", "created_before": after})
    assert "2 completions" in text_of(page.text)
    # The filters travel with the actions.
    assert 'href="/portal/distill?metadata=task%3Da&amp;created_before=' in page.text


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"metadata": "task"}, "Metadata filter 'task' is not key=value"),
        ({"created_after": "yesterday"}, "Created after 'yesterday' is not a date and time"),
    ],
)
def test_a_filter_that_means_nothing_is_answered_in_words(
    inprocess: InProcessEmulator, query: dict[str, str], words: str
) -> None:
    page = connected(inprocess).get("/portal/completions", params=query)
    assert page.status_code == 400
    assert words in text_of(page.text)
    assert 'role="alert"' in page.text


def test_the_list_route_takes_the_created_range_and_refuses_a_bad_one(inprocess: InProcessEmulator) -> None:
    first = store(inprocess, 1, TAG)
    inprocess.advance(10)
    second = store(inprocess, 1, TAG)
    client = inprocess.azure_client()
    created = client.chat.completions.retrieve(second[0]).created
    listed = client.chat.completions.list(extra_query={"created_after": created})
    assert [c.id for c in listed.data] == second
    listed = client.chat.completions.list(extra_query={"created_before": created})
    assert [c.id for c in listed.data] == first
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.list(extra_query={"created_after": "soon"})
    assert "Invalid 'created_after': expected a Unix time in seconds" in str(refused.value)


def test_a_hundred_thousand_completions_page_on_the_server(inprocess: InProcessEmulator) -> None:
    # Stored straight into the store, as POST /_emulator/stored_completions would (in a fifth of the time):
    # the test is about what the page asks of the API once they are there.
    answer = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}
    bulk = [
        StoredCompletion.encode(
            f"chatcmpl-bulk{batch:02d}{i:05d}",
            1_735_689_600 + batch * 10_000 + i,
            "gpt-4o-mini-2024-07-18",
            {"batch": str(batch)},
            {"id": f"chatcmpl-bulk{batch:02d}{i:05d}", "object": "chat.completion", "choices": [answer]},
            [{"role": "user", "content": f"question {batch} {i}"}],
        )
        for batch in range(10)
        for i in range(10_000)
    ]
    inprocess.run(inprocess.runtime.completions.import_completions(bulk))
    client = connected(inprocess)
    page = client.get("/portal/completions")
    assert "100000 completions" in text_of(page.text)
    assert rows(page.text) == [f"chatcmpl-bulk09{i:05d}" for i in range(9_999, 9_979, -1)]
    filtered = client.get("/portal/completions", params={"metadata": "batch=3"})
    assert "10000 completions" in text_of(filtered.text)
    assert rows(filtered.text)[0] == "chatcmpl-bulk0309999"


def test_a_completion_shows_its_messages_answer_usage_and_metadata(inprocess: InProcessEmulator) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    client = inprocess.azure_client()
    made = client.chat.completions.create(
        model="gpt-4o",
        store=True,
        metadata={"task": "tools"},
        tools=[tool],
        messages=[
            {"role": "user", "content": "Look something up."},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"q":"x"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "found it"},
        ],
    )
    page = connected(inprocess).get(f"/portal/completions/{made.id}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert made.id in words
    assert "Look something up." in words
    assert 'Tool call lookup: {"q":"x"}' in words
    assert "found it" in words
    assert made.usage is not None
    assert f"= {made.usage.total_tokens} tokens" in words
    assert 'value="task=tools"' in page.text


def test_metadata_is_edited_as_the_update_api_allows(inprocess: InProcessEmulator) -> None:
    [completion_id] = store(inprocess, 1, {"task": "a", "stale": "yes"})
    client = connected(inprocess)
    saved = client.post(
        f"/portal/completions/{completion_id}/metadata", data={"metadata": "task=b, owner=ann"}
    )
    assert saved.status_code == 303
    assert inprocess.azure_client().chat.completions.retrieve(completion_id).metadata == {
        "task": "b",
        "owner": "ann",
    }
    assert "Metadata saved." in client.get(saved.headers["location"]).text
    refused = client.post(f"/portal/completions/{completion_id}/metadata", data={"metadata": "x" * 65 + "=1"})
    assert refused.status_code == 400
    assert "64" in text_of(refused.text) and '{"error"' not in refused.text
    assert inprocess.azure_client().chat.completions.retrieve(completion_id).metadata == {
        "task": "b",
        "owner": "ann",
    }


def test_delete_asks_for_confirmation_then_deletes(inprocess: InProcessEmulator) -> None:
    [completion_id] = store(inprocess, 1, TAG)
    client = connected(inprocess)
    asking = client.get(f"/portal/completions/{completion_id}/delete")
    assert f"Delete {completion_id}? It cannot be restored." in text_of(asking.text)
    assert inprocess.azure_client().chat.completions.retrieve(completion_id).id == completion_id
    done = client.post(f"/portal/completions/{completion_id}/delete")
    assert done.status_code == 303
    assert f"Deleted {completion_id}." in client.get(done.headers["location"]).text
    with pytest.raises(openai.NotFoundError):
        inprocess.azure_client().chat.completions.retrieve(completion_id)


def test_an_unknown_completion_is_a_404_page_in_words(inprocess: InProcessEmulator) -> None:
    client = connected(inprocess)
    for path in ("/portal/completions/chatcmpl-nothing", "/portal/completions/..%2E"):
        page = client.get(path)
        assert page.status_code == 404
        assert 'role="alert"' in page.text and '{"error"' not in page.text


# --- Distill, the job, Deploy --------------------------------------------------------------------------------


def test_distill_dialog_offers_the_fine_tunable_models_and_their_versions(
    inprocess: InProcessEmulator,
) -> None:
    client = connected(inprocess)
    dialog = client.get("/portal/distill", params={"metadata": "task=summaries"})
    assert dialog.status_code == 200
    assert (
        'aria-labelledby="distill-title"' in dialog.text
        and '<h2 id="distill-title">Distill</h2>' in dialog.text
    )
    bases = re.findall(
        r'<option value="([^"]+)"', dialog.text.split('id="base_model"')[1].split("</select>")[0]
    )
    assert bases == ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-35-turbo"]
    versions = client.get("/portal/distill/versions", params={"base_model": "gpt-35-turbo"})
    assert re.findall(r'<option value="([^"]+)"', versions.text) == ["0125"]
    assert '<input type="hidden" name="metadata" value="task=summaries">' in dialog.text


def test_distill_with_too_few_shows_the_refusal_and_makes_nothing(inprocess: InProcessEmulator) -> None:
    store(inprocess, 9, TAG)
    client = connected(inprocess)
    form = {"metadata": "task=summaries", "base_model": "gpt-4o-mini", "version": "2024-07-18"}
    refused = client.post("/portal/distill", data=form)
    assert refused.status_code == 400
    words = text_of(refused.text)
    assert "Distillation needs at least 10 stored completions" in words
    assert "match 9" in words
    assert '{"error"' not in refused.text
    assert inprocess.azure_client().fine_tuning.jobs.list().data == []
    assert [f for f in inprocess.azure_client().files.list().data if f.purpose == "fine-tune"] == []


def test_distill_makes_the_job_whose_page_follows_it_to_the_chart_and_deploy(
    inprocess: InProcessEmulator,
) -> None:
    store(inprocess, 12, TAG)
    client = connected(inprocess)
    form = {
        "metadata": "task=summaries",
        "base_model": "gpt-4o-mini",
        "version": "2024-07-18",
        "suffix": "sum",
    }
    dialog = client.get("/portal/distill", params={"metadata": "task=summaries", "base_model": "gpt-4o-mini"})
    shown = re.search(r'id="training-file-name">(distill-[0-9a-f]{16}\.jsonl)<', dialog.text)
    assert shown is not None  # the dialog names the training file before it is made
    made = client.post("/portal/distill", data={**form, "training_file_name": shown[1]})
    assert made.status_code == 303
    job_path = made.headers["location"].split("?")[0]
    job_id = job_path.rsplit("/", 1)[1]
    job = inprocess.azure_client().fine_tuning.jobs.retrieve(job_id)
    assert job.model == "gpt-4o-mini-2024-07-18"
    training = inprocess.azure_client().files.retrieve(job.training_file)
    pending = client.get(made.headers["location"])
    words = text_of(pending.text)
    assert f"Training file {training.filename} made from 12 stored completions." in words
    assert training.filename == shown[1]
    assert 'hx-trigger="every 2s"' in pending.text  # the page follows the running job
    assert ">Deploy</button>" not in pending.text
    assert '<a href="/portal/jobs/' + job_id in client.get("/portal/jobs").text

    inprocess.settle_jobs()
    done = client.get(job_path)
    words = text_of(done.text)
    assert "succeeded" in words and 'hx-trigger="every 2s"' not in done.text
    assert '<title id="loss-title">Training loss</title>' in done.text
    assert 'data-series="Training loss"' in done.text and 'data-series="Validation loss"' not in done.text
    assert "The job has successfully completed" in words
    events = re.findall(r"<li><time>", done.text)
    assert len(events) >= 3
    assert "Checkpoint created at step" in words
    assert "n_epochs" in words
    fine_tuned = inprocess.azure_client().fine_tuning.jobs.retrieve(job_id).fine_tuned_model
    assert fine_tuned is not None
    deployed = client.post(f"{job_path}/deploy", data={"name": "summaries-student"})
    assert deployed.status_code == 303
    listing = client.get(deployed.headers["location"])
    assert f"Deployed {fine_tuned} as summaries-student." in text_of(listing.text)
    assert re.search(
        rf"<td>summaries-student</td><td>{re.escape(fine_tuned)}</td><td>[^<]*</td><td>api</td><td>succeeded</td>",
        listing.text,
    )
    answer = inprocess.azure_client().chat.completions.create(
        model="summaries-student", messages=[{"role": "user", "content": "Text number 3 about summaries."}]
    )
    assert answer.choices[0].message.content
    again = client.post(f"{job_path}/deploy", data={"name": "summaries-student"})
    assert again.status_code == 400
    assert "already" in text_of(again.text)


def test_a_validation_split_adds_validation_loss_to_the_chart(inprocess: InProcessEmulator) -> None:
    store(inprocess, 24, TAG)
    client = connected(inprocess)
    form = {
        "metadata": "task=summaries",
        "base_model": "gpt-4o-mini",
        "version": "2024-07-18",
        "validation_split": "0.5",
    }
    made = client.post("/portal/distill", data=form)
    assert made.status_code == 303, text_of(made.text)
    inprocess.settle_jobs()
    page = client.get(made.headers["location"].split("?")[0])
    assert 'data-series="Validation loss"' in page.text
    assert "Validation file" in text_of(page.text)


def test_a_split_that_cannot_work_is_refused_with_the_range_that_does(inprocess: InProcessEmulator) -> None:
    store(inprocess, 24, TAG)
    form = {
        "metadata": "task=summaries",
        "base_model": "gpt-4o-mini",
        "version": "2024-07-18",
        "validation_split": "0.1",
    }
    refused = connected(inprocess).post("/portal/distill", data=form)
    assert refused.status_code == 400
    assert "Use a split between 0.42 and 0.58" in text_of(refused.text)


# --- Evaluate and Evaluations ----------------------------------------------------------------------------


def test_evaluate_opens_the_evaluations_view_with_the_run_and_its_results(
    inprocess: InProcessEmulator,
) -> None:
    store(inprocess, 3, TAG)
    store(inprocess, 2, {"task": "other"})
    client = connected(inprocess)
    dialog = client.get("/portal/evaluate", params={"metadata": "task=summaries"})
    assert '<h2 id="evaluate-title">Evaluate</h2>' in dialog.text
    made = client.post("/portal/evaluate", data={"metadata": "task=summaries", "criterion": "not-empty"})
    assert made.status_code == 303
    eval_id = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
    opened = client.get(made.headers["location"])
    assert "<h1>Evaluations</h1>" in opened.text
    assert re.search(
        r"Evaluation data file evaluation-[0-9a-f]+\.jsonl made from 3 stored completions", opened.text
    )
    assert 'hx-trigger="every 2s"' in opened.text
    inprocess.advance(60)
    run = inprocess.azure_client().evals.runs.list(eval_id).data[0]
    assert run.status == "completed"
    page = client.get(f"/portal/evals/{eval_id}")
    words = text_of(page.text)
    assert "3 of 3 passed" in words
    assert words.count("pass · answer is not empty 1.00") == 3
    assert "Text number 0 about summaries." in words
    assert 'hx-trigger="every 2s"' not in page.text
    assert f'href="/portal/evals/{eval_id}"' in client.get("/portal/evals").text


def test_evaluate_with_no_match_shows_the_refusal(inprocess: InProcessEmulator) -> None:
    refused = connected(inprocess).post(
        "/portal/evaluate", data={"metadata": "task=none", "criterion": "not-empty"}
    )
    assert refused.status_code == 400
    assert "No stored completions match the filters" in text_of(refused.text)
    assert inprocess.azure_client().evals.list().data == []


def test_deployments_list_model_source_and_state(inprocess: InProcessEmulator) -> None:
    page = connected(inprocess).get("/portal/deployments")
    assert "<h1>Deployments</h1>" in page.text
    assert "<td>gpt-4o</td><td>gpt-4o</td><td>2024-08-06</td><td>declared</td><td>succeeded</td>" in page.text


def test_the_portal_reaches_the_store_only_through_the_http_api(inprocess: InProcessEmulator) -> None:
    """Every read and write of a page is a request to the API, seen by the app as any client's."""
    store(inprocess, 1, TAG)
    seen: list[str] = []
    original = httpx.AsyncClient.send

    async def recording(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return await original(self, request, **kwargs)

    client = connected(inprocess)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.AsyncClient, "send", recording)
        client.get("/portal/completions")
    assert seen[0] == "GET /openai/chat/completions"
    assert all(s.startswith("GET /openai/chat/completions") for s in seen)


def test_forms_are_bounded(inprocess: InProcessEmulator) -> None:
    client = connected(inprocess)
    [completion_id] = store(inprocess, 1, TAG)
    large = client.post(
        f"/portal/completions/{completion_id}/metadata", data={"metadata": "k=" + "v" * 70_000}
    )
    assert large.status_code == 413
    assert "The form is too large: at most 64 KiB." in text_of(large.text)
    many = client.post(
        "/portal/distill",
        content="&".join(f"f{i}=1" for i in range(100)),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert many.status_code == 400
    assert "too many fields" in text_of(many.text)
