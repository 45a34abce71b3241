"""Deployment request bodies: the legacy data-plane API's create and update, and the emulator's own route."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from emulator.http.validation import NON_EMPTY, Text, object_or, reword

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class ScaleSettings(BaseModel):
    """`scale_settings` as sent. Which scale types a model takes is its catalog entry's to say, and what
    `capacity` may be depends on the type, so both are checked once the model is found
    (emulator/api/deployments/routes.py::check_scale)."""

    model_config = ConfigDict(extra="allow")

    scale_type: Any = None
    capacity: Any = None


# Anything but an object is reported as the setting missing, as the service words it.
ScaleObject = Annotated[
    ScaleSettings, object_or("Missing required parameter: 'scale_settings'.", "invalid_value")
]


class CreateDeployment(BaseModel):
    """`POST /openai/deployments` (legacy api-versions)."""

    model: Text
    scale_settings: ScaleObject = Field(default=None, validate_default=True)


class UpdateDeployment(BaseModel):
    """`PATCH /openai/deployments/{id}`: a field left out (not in `model_fields_set`) stays as it is."""

    model: Annotated[str, Field(min_length=1), reword("Invalid 'model': expected a non-empty string.")] = ""
    scale_settings: ScaleObject = ScaleSettings()


class EmulatorDeployment(BaseModel):
    """`POST /_emulator/deployments`: a deployment named by the user, deployed at once."""

    name: Annotated[
        str,
        Field(pattern=NAME_PATTERN),
        reword(
            lambda name: (
                f"Invalid 'name': '{name}'. Use 1 to 64 letters, digits, '.', '_' or '-', starting with "
                "a letter or digit."
            )
        ),
        NON_EMPTY,
    ]
    model: Text
    version: Annotated[str, reword("Invalid 'version': expected a string.")] = ""
    settings: Annotated[dict[str, Any], reword("Invalid 'settings': expected an object.")] = Field(
        default_factory=dict
    )
