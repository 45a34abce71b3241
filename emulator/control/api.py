"""What both ends of the emulator-only routes agree on: paths, the key header, defaults, refusals.

The handlers (emulator/resources/) take their paths from here; the clients (emulator/control/client.py,
used by emulator/testing/emulators.py, the pytest plugin and the command line) take paths, defaults and the errors
they raise. Standard library only: the pytest plugin imports it in every session.
"""

from __future__ import annotations

from typing import Any

KEY_HEADER = "api-key"

HEALTH_PATH = "/health"
RESET_PATH = "/_emulator/reset"
CLOCK_PATH = "/_emulator/clock"
ADVANCE_PATH = "/_emulator/clock/advance"
SETTLE_PATH = "/_emulator/jobs/settle"
STATE_PATH = "/_emulator/state"
SCRIPTS_PATH = "/_emulator/scripts"
SEED_PATH = "/_emulator/stored_completions"
DEPLOYMENTS_PATH = "/_emulator/deployments"
EVALUATE_PATH = "/_emulator/evaluate"
DISTILL_PATH = "/_emulator/distill"

# Settings a reset may change; the rest (where the server listens, its keys) stay as started.
RESETTABLE = frozenset(
    {
        "store_quota_bytes",
        "max_file_bytes",
        "clock_start",
        "id_seed",
        "lenient_api_version",
        "deployments",
        "fine_tuning_speed",
        "fine_tuning_concurrency",
        "distill_files_downloadable",
    }
)

# In-process clients talk to an Azure-looking host, as production code does; the pytest plugin points
# AZURE_OPENAI_ENDPOINT and OPENAI_BASE_URL at these public hosts, which it serves in-process.
AZURE_ENDPOINT = "https://emulator.openai.azure.com"
OPENAI_BASE_URL = "https://api.openai.com/v1"
# The api-version of clients the harness builds, and of AzureOpenAI() built without one under the plugin.
DEFAULT_API_VERSION = "2025-04-01-preview"
STORED_API_VERSION = "2025-02-01-preview"  # the first api-version with the stored-completions API
# Where `aoai-emulator serve` listens by default: the command line's emulator when nothing says otherwise.
DEFAULT_ENDPOINT = "http://127.0.0.1:8000"


class ControlError(Exception):
    """An emulator-only route answered with an error: its status and decoded body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


class ExtensionRefused(Exception):
    """The Python API's form of a 400 from an extension route: its message and the field it names."""

    def __init__(self, message: str, param: str | None) -> None:
        super().__init__(f"{message} (param: {param})")
        self.message, self.param = message, param


class EvaluationRefused(ExtensionRefused):
    """`POST /_emulator/evaluate` refused the request."""


class DistillationRefused(ExtensionRefused):
    """`POST /_emulator/distill` refused the request."""


class DeploymentRefused(ExtensionRefused):
    """`/_emulator/deployments` refused to create or delete a deployment."""


class SeedingFailed(Exception):
    """`POST /_emulator/stored_completions` refused the batch: its status and raw body."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"seeding stored completions failed with {status}: {body.decode(errors='replace')}")
        self.status, self.body = status, body


class ScriptError(ValueError):
    """A script rule that cannot be used; `param` names the offending field."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param
