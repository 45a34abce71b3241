"""Every API the emulator serves, one line per feature: its operations and what they take and answer.
The app's routes, the OpenAPI document and the README's endpoint table all follow from this list."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.api.chat import docs as chat_docs
from emulator.api.chat import routes as chat
from emulator.api.chat import seeding
from emulator.api.deployments import docs as deployments_docs
from emulator.api.deployments import routes as deployments
from emulator.api.evals import docs as evals_docs
from emulator.api.evals import evaluate
from emulator.api.evals import routes as evals
from emulator.api.extensions import control, openapi, scripts
from emulator.api.extensions import docs as extensions_docs
from emulator.api.faults import docs as faults_docs
from emulator.api.faults import routes as faults
from emulator.api.files import docs as files_docs
from emulator.api.files import routes as files
from emulator.api.fine_tuning import distill
from emulator.api.fine_tuning import docs as fine_tuning_docs
from emulator.api.fine_tuning import legacy as fine_tunes
from emulator.api.fine_tuning import routes as fine_tuning
from emulator.api.legacy_completions import docs as legacy_completions_docs
from emulator.api.legacy_completions import routes as legacy_completions
from emulator.api.models import docs as models_docs
from emulator.api.models import routes as models
from emulator.api.responses import docs as responses_docs
from emulator.api.responses import routes as responses
from emulator.http.openapi import Docs
from emulator.http.routing import Operation


@dataclass(frozen=True)
class Feature:
    operations: tuple[Operation, ...]
    docs: Docs


FEATURES: tuple[Feature, ...] = (
    Feature((*chat.OPERATIONS, *seeding.OPERATIONS), chat_docs.DOCS),
    Feature(responses.OPERATIONS, responses_docs.DOCS),
    Feature(legacy_completions.OPERATIONS, legacy_completions_docs.DOCS),
    Feature(deployments.OPERATIONS, deployments_docs.DOCS),
    Feature((*evaluate.OPERATIONS, *evals.OPERATIONS), evals_docs.DOCS),
    Feature((*distill.OPERATIONS, *fine_tuning.OPERATIONS, *fine_tunes.OPERATIONS), fine_tuning_docs.DOCS),
    Feature(files.OPERATIONS, files_docs.DOCS),
    Feature(models.OPERATIONS, models_docs.DOCS),
    Feature((*control.OPERATIONS, *scripts.OPERATIONS, *openapi.OPERATIONS), extensions_docs.DOCS),
    Feature(faults.OPERATIONS, faults_docs.DOCS),
)

OPERATIONS: tuple[Operation, ...] = tuple(op for feature in FEATURES for op in feature.operations)
DOCS: Docs = sum((feature.docs for feature in FEATURES), Docs())
