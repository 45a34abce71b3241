"""The local portal at /portal/: Stored Completions with Distill and Evaluate, fine-tuning jobs with their
loss chart and Deploy, evaluations and deployments, all read and written through the emulator's own API."""

from emulator.portal.routes import PREFIX, routes

__all__ = ["PREFIX", "routes"]
