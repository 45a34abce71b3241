"""Ticket triage: one word for the queue a ticket goes to.

Like many services it builds its client once, when the module is imported, with whatever key the
environment had then (a placeholder on a developer's machine); its tests change none of it.
"""

from __future__ import annotations

import os

from openai import AzureOpenAI

client = AzureOpenAI(
    azure_endpoint="https://contoso-prod.openai.azure.com",
    api_key=os.environ.get("AZURE_OPENAI_API_KEY", "k"),
    api_version="2025-02-01-preview",
)


def queue_for(ticket_text: str) -> str:
    reply = client.chat.completions.create(
        model="support-bot",
        messages=[
            {"role": "system", "content": "Answer with one word: billing, technical or other."},
            {"role": "user", "content": ticket_text},
        ],
    )
    return (reply.choices[0].message.content or "").strip()
