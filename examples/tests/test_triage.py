"""A client built at import time, before any test ran, with a placeholder key: served as it is."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from app import triage

pytestmark = pytest.mark.aoai_emulator(deployments=str(Path(__file__).parent / "deployments.json"))


def test_a_module_level_client_is_served_unchanged(aoai_emulator):
    aoai_emulator.script(match="invoice", reply="billing")
    assert triage.queue_for("Where is my invoice?") == "billing"


@pytest.mark.aoai_emulator(check_api_keys=True)
def test_a_revoked_key_is_refused_when_keys_are_checked(aoai_emulator, monkeypatch):
    monkeypatch.setattr(triage, "client", triage.client.with_options(api_key="revoked-key"))
    with pytest.raises(openai.AuthenticationError):
        triage.queue_for("Where is my invoice?")
