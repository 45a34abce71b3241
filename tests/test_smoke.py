from typing import Any


def test_store_then_list_through_both_surfaces(emulator: Any) -> None:
    azure = emulator.azure_client(api_version="2025-02-01-preview")
    created = azure.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Hello!"}],
        store=True,
        metadata={"user": "admin"},
    )
    assert created.model == "gpt-4o-2024-08-06"
    listed = emulator.openai_client().chat.completions.list(metadata={"user": "admin"})
    assert [c.id for c in listed.data] == [created.id]
