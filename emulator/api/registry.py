"""Every API the emulator serves: one line per feature. The app's routes, the OpenAPI document and the
README's endpoint table all follow from this list."""

from __future__ import annotations

from emulator.api.chat import routes as chat
from emulator.api.deployments import routes as deployments
from emulator.api.evals import evaluate
from emulator.api.evals import routes as evals
from emulator.api.extensions import control, scripts, seeding
from emulator.api.files import routes as files
from emulator.api.fine_tuning import distill
from emulator.api.fine_tuning import legacy as fine_tunes
from emulator.api.fine_tuning import routes as fine_tuning
from emulator.api.legacy_completions import routes as legacy_completions
from emulator.api.models import routes as models
from emulator.api.openapi import routes as openapi
from emulator.api.responses import routes as responses
from emulator.http.routing import Operation

OPERATIONS: tuple[Operation, ...] = (
    *chat.OPERATIONS,
    *responses.OPERATIONS,
    *legacy_completions.OPERATIONS,
    *deployments.OPERATIONS,
    *evaluate.OPERATIONS,
    *distill.OPERATIONS,
    *files.OPERATIONS,
    *models.OPERATIONS,
    *fine_tuning.OPERATIONS,
    *fine_tunes.OPERATIONS,
    *evals.OPERATIONS,
    *control.OPERATIONS,
    *scripts.OPERATIONS,
    *seeding.OPERATIONS,
    *openapi.OPERATIONS,
)
