"""A client built at import time, before any test ran, with a placeholder key: served as it is."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from app.triage import queue_for

pytestmark = pytest.mark.aoai_emulator(deployments=str(Path(__file__).parent / "deployments.json"))


def test_a_module_level_client_is_served_unchanged(aoai_emulator):
    aoai_emulator.script(match="invoice", reply="billing")
    assert queue_for("Where is my invoice?") == "billing"


@pytest.mark.aoai_emulator(check_api_keys=True)
def test_with_keys_checked_the_placeholder_key_is_refused(aoai_emulator):
    with pytest.raises(openai.AuthenticationError):
        queue_for("Where is my invoice?")
