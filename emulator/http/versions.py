"""Azure api-versions and the versions in which each feature exists, kept as data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.errors import ApiVersionNotSupported, ResourceNotFound

KNOWN_VERSIONS: tuple[str, ...] = (
    "2022-03-01-preview",
    "2022-06-01-preview",
    "2022-12-01",
    "2023-03-15-preview",
    "2023-05-15",
    "2023-06-01-preview",
    "2023-07-01-preview",
    "2023-08-01-preview",
    "2023-09-01-preview",
    "2023-10-01-preview",
    "2023-12-01-preview",
    "2024-02-01",
    "2024-02-15-preview",
    "2024-03-01-preview",
    "2024-04-01-preview",
    "2024-05-01-preview",
    "2024-06-01",
    "2024-07-01-preview",
    "2024-08-01-preview",
    "2024-09-01-preview",
    "2024-10-01-preview",
    "2024-10-21",
    "2024-12-01-preview",
    "2025-01-01-preview",
    "2025-02-01-preview",
    "2025-03-01-preview",
    "2025-04-01-preview",
)
V1_VERSIONS = ("v1", "preview")
_SHAPE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(-preview)?$")


@dataclass(frozen=True, order=True)
class ApiVersion:
    date: str
    preview: bool

    @classmethod
    def parse(cls, text: str) -> ApiVersion | None:
        match = _SHAPE.match(text)
        if not match:
            return None
        return cls(text[:10], match.group(4) is not None)

    def __str__(self) -> str:
        return self.date + ("-preview" if self.preview else "")


_KNOWN = {raw: ApiVersion.parse(raw) for raw in KNOWN_VERSIONS}
LATEST = _KNOWN[KNOWN_VERSIONS[-1]]
LATEST_STABLE = max(v for v in _KNOWN.values() if v and not v.preview)


@dataclass(frozen=True)
class Feature:
    """Where a feature exists: previews from `first_preview`, stable versions from `first_stable`,
    and nothing after `last` (inclusive) when it was removed."""

    name: str
    first_preview: str | None
    first_stable: str | None
    last: str | None = None

    def available_in(self, version: ApiVersion) -> bool:
        if LATEST is not None and version > LATEST:
            # Only the lenient switch lets such a version in: it gets all the newest known one has,
            # even a feature no known stable version carries yet.
            version = LATEST
        first = self.first_preview if version.preview else self.first_stable
        if first is None or version.date < first[:10]:
            return False
        return (
            self.last is None
            or str(version) in _EXTRA_LAST.get(self.name, ())
            or version.date <= self.last[:10]
        )

    def first_version(self) -> str:
        return self.first_preview or self.first_stable or "?"


# Versions a removed feature is still served on although newer than `last`, because a seed uses them.
_EXTRA_LAST: dict[str, tuple[str, ...]] = {"legacy_deployments": ("2023-05-15",)}

FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("chat_completions", "2023-03-15-preview", "2023-05-15"),
        Feature("store", "2024-10-01-preview", None),
        Feature("stored_completions", "2025-02-01-preview", None),
        Feature("files", "2022-03-01-preview", "2022-12-01"),
        Feature("files_import", "2022-03-01-preview", "2022-12-01"),
        Feature("fine_tuning_jobs", "2023-10-01-preview", "2024-02-01"),
        Feature("fine_tuning_checkpoints", "2024-05-01-preview", "2024-06-01"),
        Feature("fine_tuning_pause", "2025-04-01-preview", None),
        Feature("legacy_fine_tunes", "2022-03-01-preview", "2022-12-01", last="2024-12-01-preview"),
        Feature("legacy_deployments", "2022-03-01-preview", "2022-12-01", last="2023-03-15-preview"),
        Feature("models", "2022-03-01-preview", "2022-12-01"),
        # Response shapes of the 2022/2023 authoring API (legacy file statuses and statistics, 204 deletes).
        Feature("legacy_shapes", "2022-03-01-preview", "2022-12-01", last="2023-05-15"),
        # Model capabilities carried `scale_types` instead of `chat_completion` up to these versions.
        Feature("model_scale_types", "2022-03-01-preview", "2022-12-01", last="2023-03-15-preview"),
        # Lifecycle states `deprecating` and `deprecated` of the models list.
        Feature("model_deprecation_states", "2025-04-01-preview", None),
        Feature("evals", "2025-04-01-preview", None),
        Feature("responses", "2025-03-01-preview", None),
    )
}


def resolve(raw: str | None, *, lenient: bool) -> ApiVersion:
    """Check an Azure dated route's api-version as the service does: missing → 404, unknown → 400."""
    if raw is None or raw == "":
        raise ResourceNotFound()
    known = _KNOWN.get(raw)
    if known is not None:
        return known
    version = ApiVersion.parse(raw)
    if version is None:
        raise ApiVersionNotSupported()
    if raw in KNOWN_VERSIONS:
        return version
    if lenient and LATEST is not None and version > LATEST:
        return version
    raise ApiVersionNotSupported(
        f"API version not supported: '{raw}'. Supported versions are {', '.join(KNOWN_VERSIONS)}; "
        "start the emulator with --lenient-api-version to accept newer ones."
    )


def require(feature_name: str, version: ApiVersion | None) -> None:
    """A route that does not exist in this api-version is a 404, as the service answers."""
    if version is None:
        return
    if not FEATURES[feature_name].available_in(version):
        raise ResourceNotFound()


def supports(feature_name: str, version: ApiVersion | None) -> bool:
    return version is None or FEATURES[feature_name].available_in(version)
