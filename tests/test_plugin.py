"""The pytest plugin as a user meets it: test files that only use its fixtures and marker, run by pytest."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
DEPLOYMENTS = ROOT / "fixtures" / "deployments.json"
STORED = ROOT / "fixtures" / "stored_completions.json"

HELLO = '[{"role": "user", "content": "Hello!"}]'


def run(pytester: pytest.Pytester, source: str, passed: int, errors: int = 0) -> pytest.RunResult:
    pytester.makepyfile(source)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=passed, errors=errors)
    return result


def test_plugin_is_loaded_from_its_entry_point(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-q")
    for fixture in ("aoai_emulator -- *testing/plugin.py*", "aoai_live_server -- *testing/plugin.py*"):
        result.stdout.fnmatch_lines([fixture])
    markers = pytester.runpytest("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.aoai_emulator(**settings)*"])


def test_ready_clients_sync_and_async_on_both_surfaces(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        f"""
        import asyncio

        def test_four_clients(aoai_emulator):
            for client in (aoai_emulator.azure_client(), aoai_emulator.openai_client()):
                reply = client.chat.completions.create(model="gpt-4o", messages={HELLO})
                assert reply.object == "chat.completion"

            async def both():
                for client in (aoai_emulator.async_azure_client(), aoai_emulator.async_openai_client()):
                    reply = await client.chat.completions.create(model="gpt-4o", messages={HELLO})
                    assert reply.choices[0].message.role == "assistant"

            asyncio.run(both())
        """,
        passed=1,
    )


def test_each_test_gets_a_fresh_emulator_and_inspects_its_state(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        f"""
        import pytest

        @pytest.mark.parametrize("round", [1, 2])
        def test_store_one(aoai_emulator, round):
            assert aoai_emulator.state()["stored_completions"]["count"] == 0
            client = aoai_emulator.openai_client()
            made = client.chat.completions.create(
                model="gpt-4o", messages={HELLO}, store=True, metadata={{"round": str(round)}}
            )
            assert aoai_emulator.state()["stored_completions"]["count"] == 1
            [stored] = aoai_emulator.stored_completions()
            assert (stored["id"], stored["metadata"]) == (made.id, {{"round": str(round)}})
            assert aoai_emulator.stored_completions(**{{"metadata[round]": "9"}}) == []
        """,
        passed=2,
    )


def test_clock_moves_only_when_told(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_clock(aoai_emulator):
            start = aoai_emulator.now()
            assert aoai_emulator.advance(3600) == start + 3600
            assert aoai_emulator.state()["clock"]["now"] == start + 3600
        """,
        passed=1,
    )


def test_seeding_stored_completions_from_a_file(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        f"""
        def test_seeded(aoai_emulator):
            ids = aoai_emulator.seed_stored_completions({str(STORED)!r})
            client = aoai_emulator.azure_client(api_version="2025-02-01-preview")
            assert [c.id for c in client.chat.completions.list(order="asc")] == ids
        """,
        passed=1,
    )


def test_marker_sets_quota_api_version_policy_and_deployments(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        f"""
        import openai
        import pytest

        @pytest.mark.aoai_emulator(store_quota_bytes=10)
        def test_quota(aoai_emulator):
            with pytest.raises(openai.APIStatusError) as caught:
                aoai_emulator.openai_client().chat.completions.create(
                    model="gpt-4o", messages={HELLO}, store=True
                )
            assert caught.value.body["param"] == "store"

        @pytest.mark.aoai_emulator(lenient_api_version=True)
        def test_lenient(aoai_emulator):
            client = aoai_emulator.azure_client(api_version="2099-01-01-preview")
            assert client.chat.completions.create(model="gpt-4o", messages={HELLO}).id

        def test_strict_by_default(aoai_emulator):
            client = aoai_emulator.azure_client(api_version="2099-01-01-preview")
            with pytest.raises(openai.BadRequestError) as caught:
                client.chat.completions.create(model="gpt-4o", messages={HELLO})
            assert "--lenient-api-version" in caught.value.message

        @pytest.mark.aoai_emulator(deployments={str(DEPLOYMENTS)!r})
        def test_deployments_from_a_file(aoai_emulator):
            names = [d["name"] for d in aoai_emulator.state()["deployments"]]
            assert names == ["support-bot", "gpt-4o"]
            reply = aoai_emulator.azure_client().chat.completions.create(model="support-bot", messages={HELLO})
            assert reply.model == "gpt-4o-mini-2024-07-18"
        """,
        passed=4,
    )


def test_marker_rejects_an_unknown_setting_by_name(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.aoai_emulator(store_quota=1)
        def test_typo(aoai_emulator):
            pass
        """,
        passed=0,
        errors=1,
    )
    result.stdout.fnmatch_lines(["*unknown setting 'store_quota'. Settings: *store_quota_bytes*"])


def test_unmodified_code_reaches_the_emulator_through_its_environment(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        app="""
        import os
        import openai

        def greet():
            client = openai.AzureOpenAI(
                azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
                api_key=os.environ["AZURE_OPENAI_API_KEY"],
                api_version="2025-02-01-preview",
            )
            return client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "Hello!"}], store=True
            )
        """
    )
    run(
        pytester,
        """
        import app

        def test_greet(aoai_emulator):
            reply = app.greet()
            assert [c["id"] for c in aoai_emulator.stored_completions()] == [reply.id]
        """,
        passed=1,
    )


def test_live_server_is_reachable_from_a_subprocess(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        import json
        import os
        import subprocess
        import sys

        import pytest

        SCRIPT = '''
        import os, openai
        client = openai.OpenAI(max_retries=0)
        reply = client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "Hello!"}], store=True
        )
        print(reply.id)
        '''

        @pytest.mark.aoai_emulator(store_quota_bytes=100000)
        def test_subprocess(aoai_live_server):
            assert os.environ["OPENAI_BASE_URL"].startswith("http://127.0.0.1:")
            out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
            assert [c["id"] for c in aoai_live_server.stored_completions()] == [out.stdout.strip()]
            assert aoai_live_server.state()["stored_completions"]["bytes_limit"] == 100000

        def test_reset_between_tests(aoai_live_server):
            assert aoai_live_server.state()["stored_completions"]["count"] == 0

        @pytest.mark.aoai_emulator(api_keys=("other",))
        def test_fixed_setting(aoai_live_server):
            pass
        """,
        passed=2,
        errors=1,
    ).stdout.fnmatch_lines(["*'api_keys' cannot change on the live server between tests*"])


def test_settle_jobs_finishes_every_job(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        import json

        TRAINING = "".join(
            json.dumps({"messages": [{"role": "user", "content": f"Fruit {n}?"}, {"role": "assistant", "content": "Apple"}]})
            + "\\n"
            for n in range(10)
        )

        def test_settled(aoai_emulator, tmp_path):
            (tmp_path / "train.jsonl").write_text(TRAINING)
            [training] = aoai_emulator.seed_files(tmp_path / "train.jsonl")
            client = aoai_emulator.openai_client()
            job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
            assert client.fine_tuning.jobs.retrieve(job.id).status != "succeeded"
            start = aoai_emulator.now()
            assert aoai_emulator.settle_jobs() == aoai_emulator.now() > start
            assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"
        """,
        passed=1,
    )


def test_the_plugin_defaults_follow_the_harness() -> None:
    # The plugin keeps its own copy so that loading it does not import the emulator.
    from emulator.testing import emulators as testing
    from emulator.testing import plugin as pytest_plugin

    assert pytest_plugin.OPENAI_API_VERSION == testing.DEFAULT_API_VERSION
