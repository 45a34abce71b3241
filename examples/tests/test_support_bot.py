"""The support bot's tests: its own code, unchanged, served by the emulator through the plugin's fixtures."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from app.support_bot import SupportBot, answer_all

HERE = Path(__file__).parent
# Every test here gets the production deployment names.
pytestmark = pytest.mark.aoai_emulator(deployments=str(HERE / "deployments.json"))


def test_answers_are_kept_per_ticket(aoai_emulator):
    bot = SupportBot()  # AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY, as in production
    first = bot.answer("T-1", "How do I reset my password?")
    aoai_emulator.advance(60)
    second = bot.answer("T-1", "The reset link has expired.")
    bot.answer("T-2", "Where is my invoice?")

    assert bot.history("T-1") == [first.text, second.text]
    assert bot.questions(first.completion_id) == ["How do I reset my password?"]
    stored = aoai_emulator.stored_completions(**{"metadata[ticket]": "T-1"})
    assert [s["model"] for s in stored] == ["gpt-4o-mini-2024-07-18"] * 2
    assert [s["created"] for s in stored] == [int(aoai_emulator.now()) - 60, int(aoai_emulator.now())]


def test_forget_deletes_only_that_ticket(aoai_emulator):
    bot = SupportBot()
    bot.answer("T-1", "Hello?")
    bot.answer("T-1", "Anyone there?")
    bot.answer("T-2", "Hi!")

    assert bot.forget("T-1") == 2
    assert aoai_emulator.state()["stored_completions"]["count"] == 1
    assert bot.history("T-1") == []


def test_history_seeded_from_a_file(aoai_emulator):
    aoai_emulator.seed_stored_completions(HERE / "history.json")
    assert SupportBot().history("T-100") == ["Your invoice is under Billing > Invoices."]


def test_answers_are_deterministic(aoai_emulator):
    bot = SupportBot()
    assert bot.answer("T-1", "Can I change my plan?").text == bot.answer("T-2", "Can I change my plan?").text


def test_nightly_backlog_runs_concurrently(aoai_emulator):
    answers = asyncio.run(answer_all({"T-1": "Refund please.", "T-2": "Cancel my order.", "T-3": "Thanks!"}))
    assert sorted(answers) == ["T-1", "T-2", "T-3"]
    assert aoai_emulator.state()["stored_completions"]["count"] == 3


@pytest.mark.aoai_emulator(deployments=str(HERE / "deployments.json"), store_quota_bytes=2000)
def test_a_full_store_is_reported(aoai_emulator):
    bot = SupportBot()
    with pytest.raises(openai.APIStatusError) as full:
        for n in range(10):
            bot.answer(f"T-{n}", "Please tell me everything about your pricing plans.")
    assert full.value.body["param"] == "store"


def test_the_fixture_clients_reach_the_same_emulator(aoai_emulator):
    bot = SupportBot(client=aoai_emulator.azure_client(api_version="2025-02-01-preview"))
    answer = bot.answer("T-1", "Hello")
    assert [c.id for c in aoai_emulator.openai_client().chat.completions.list()] == [answer.completion_id]


def test_a_subprocess_uses_the_live_server(aoai_live_server):
    script = "from app.support_bot import SupportBot; print(SupportBot().answer('T-9', 'Hi').completion_id)"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=HERE.parent, env=os.environ, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert [c["id"] for c in aoai_live_server.stored_completions()] == [done.stdout.strip()]
