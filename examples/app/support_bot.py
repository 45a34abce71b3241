"""A support bot: answers customer tickets with Azure OpenAI and keeps every answer as a stored completion,
tagged with its ticket, so that an agent can review a ticket's history and the team can forget it on request.

It builds its client exactly as it does in production, from the environment; its tests change none of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from openai import AsyncAzureOpenAI, AzureOpenAI

API_VERSION = "2025-02-01-preview"  # the first with the stored-completions API
SYSTEM = "You are the support assistant of Contoso Cloud. Answer briefly and politely."


def client_from_environment() -> AzureOpenAI:
    return AzureOpenAI(
        azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
        api_key=os.environ["AZURE_OPENAI_API_KEY"],
        api_version=API_VERSION,
    )


def async_client_from_environment() -> AsyncAzureOpenAI:
    return AsyncAzureOpenAI(
        azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
        api_key=os.environ["AZURE_OPENAI_API_KEY"],
        api_version=API_VERSION,
    )


@dataclass
class Answer:
    ticket: str
    text: str
    completion_id: str


class SupportBot:
    def __init__(self, client: AzureOpenAI | None = None, deployment: str | None = None) -> None:
        self.client = client or client_from_environment()
        self.deployment = deployment or os.environ.get("SUPPORT_BOT_DEPLOYMENT", "support-bot")

    def answer(self, ticket: str, question: str) -> Answer:
        completion = self.client.chat.completions.create(
            model=self.deployment,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
            store=True,
            metadata={"app": "support-bot", "ticket": ticket},
        )
        return Answer(ticket, completion.choices[0].message.content or "", completion.id)

    def history(self, ticket: str) -> list[str]:
        """The ticket's answers, oldest first."""
        page = self.client.chat.completions.list(metadata={"ticket": ticket}, order="asc")
        return [c.choices[0].message.content or "" for c in page]

    def questions(self, completion_id: str) -> list[str]:
        """What the customer asked in one exchange."""
        messages = self.client.chat.completions.messages.list(completion_id)
        return [str(m.content) for m in messages if m.role == "user"]

    def forget(self, ticket: str) -> int:
        """Delete every stored answer of a ticket; how many there were."""
        ids = [c.id for c in self.client.chat.completions.list(metadata={"ticket": ticket})]
        for completion_id in ids:
            self.client.chat.completions.delete(completion_id)
        return len(ids)


async def answer_all(tickets: dict[str, str], deployment: str = "support-bot") -> dict[str, str]:
    """Answer many tickets at once, for the nightly backlog run."""
    import asyncio

    client = async_client_from_environment()

    async def one(ticket: str, question: str) -> tuple[str, str]:
        completion = await client.chat.completions.create(
            model=deployment,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
            store=True,
            metadata={"app": "support-bot", "ticket": ticket},
        )
        return ticket, completion.choices[0].message.content or ""

    return dict(await asyncio.gather(*(one(t, q) for t, q in tickets.items())))
