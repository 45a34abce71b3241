"""Models through the SDK: base models from the catalog and the resource's fine-tuned models."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types import Model

from emulator.model.catalog import BASE_MODELS, FineTunedModel, base_models
from emulator.testing import InProcessEmulator
from tests.surfaces import SURFACES, client, headers, validated

MODERN = "2025-04-01-preview"
AZURE_IDS = [m.id for m in base_models(azure=True)]
OPENAI_IDS = [m.id for m in base_models(azure=False)]
CURRENT_CHAT = ("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14")
LEGACY_BASE = ("ada", "babbage", "curie", "davinci")


def models_client(emulator: Any, surface: str, api_version: str = MODERN) -> Any:
    return client(emulator, surface, api_version=api_version)


def by_id(emulator: Any, surface: str, api_version: str = MODERN) -> dict[str, Any]:
    return {m.id: m for m in models_client(emulator, surface, api_version).models.list()}


def test_the_catalog_holds_current_and_legacy_base_models() -> None:
    ids = {m.id for m in BASE_MODELS}
    assert {*CURRENT_CHAT, "gpt-35-turbo-0125", *LEGACY_BASE} <= ids
    assert len(ids) == len(BASE_MODELS)


@pytest.mark.parametrize("surface", SURFACES)
def test_list_and_retrieve(emulator: Any, surface: str) -> None:
    sdk = models_client(emulator, surface)
    listed = sdk.models.list()
    expected = OPENAI_IDS if surface == "openai" else AZURE_IDS
    assert listed.object == "list" and [m.id for m in listed.data] == expected
    for model in listed.data:
        assert model.object == "model"
        assert sdk.models.retrieve(model.id).model_dump() == model.model_dump()
        if surface != "azure":
            validated(model)  # carries OpenAI's required `created` and `owned_by`


def test_openai_shape(emulator: Any) -> None:
    models = by_id(emulator, "openai")
    gpt4o = models["gpt-4o-2024-08-06"]
    assert (gpt4o.created, gpt4o.owned_by, gpt4o.shutdown_date) == (1722902400, "system", None)
    assert models["gpt-3.5-turbo-0125"].shutdown_date == "2026-02-27"
    assert "gpt-35-turbo-0125" not in models and "curie" not in models  # Azure names stay on Azure


@pytest.mark.parametrize("surface", ["azure", "azure_v1"])
def test_azure_shape(emulator: Any, surface: str) -> None:
    models = by_id(emulator, surface)
    for model_id in CURRENT_CHAT:
        model = models[model_id].model_dump()
        assert model["capabilities"] == {
            "fine_tune": True,
            "inference": True,
            "completion": False,
            "chat_completion": True,
            "embeddings": False,
        }
        assert model["lifecycle_status"] == "generally-available" and model["status"] == "succeeded"
        assert set(model["deprecation"]) == {"fine_tune", "inference"}
        assert model["deprecation"]["inference"] > model["created_at"]
        assert (model["model"], model["fine_tune"]) == (None, None)
    curie = models["curie"].model_dump()
    # The GPT-3 models train only through the legacy fine-tunes API, so not here.
    assert curie["capabilities"]["fine_tune"] is False and curie["capabilities"]["completion"] is True
    assert curie["lifecycle_status"] == "deprecated"
    assert models["gpt-35-turbo-0125"].model_dump()["lifecycle_status"] == "deprecating"
    embeddings = models["text-embedding-3-small"].model_dump()
    assert embeddings["capabilities"]["embeddings"] is True and "fine_tune" not in embeddings["deprecation"]


def test_azure_shapes_follow_the_api_version(emulator: Any) -> None:
    stable = by_id(emulator, "azure", "2024-10-21")["gpt-35-turbo-0125"].model_dump()
    assert stable["lifecycle_status"] == "generally-available"  # `deprecating` is newer than this version
    assert "updated_at" not in stable

    legacy = by_id(emulator, "azure", "2023-05-15")
    curie = legacy["curie"].model_dump()
    assert curie["capabilities"]["fine_tune"] is True and curie["updated_at"] == curie["created_at"]
    assert legacy["gpt-4o-2024-08-06"].model_dump()["capabilities"]["fine_tune"] is False
    assert "scale_types" not in curie["capabilities"]

    oldest = by_id(emulator, "azure", "2022-12-01")["davinci"].model_dump()["capabilities"]
    assert oldest["scale_types"] == ["standard", "manual"] and "chat_completion" not in oldest


@pytest.mark.parametrize("surface", SURFACES)
def test_unknown_model(emulator: Any, surface: str) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        models_client(emulator, surface).models.retrieve("gpt-9")
    error = missing.value.body
    assert isinstance(error, dict) and "gpt-9" in error["message"]
    if surface == "openai":
        assert (error["code"], error["param"]) == ("model_not_found", "model")
    else:
        assert (error["code"], error["target"]) == ("notFound", "model_id")


def test_openai_delete_of_base_or_unknown_models(emulator: Any) -> None:
    sdk = emulator.openai_client()
    with pytest.raises(openai.PermissionDeniedError) as base:
        sdk.models.delete("gpt-4o-2024-08-06")
    assert base.value.body["param"] == "model" and "base model" in base.value.message  # type: ignore[index]
    with pytest.raises(openai.NotFoundError) as unknown:
        sdk.models.delete("ft:gpt-4o-2024-08-06:org::nope")
    assert unknown.value.body["code"] == "model_not_found"  # type: ignore[index]


def test_azure_has_no_model_delete(emulator: Any) -> None:
    with emulator.http_client() as http:
        response = http.delete(
            f"/openai/models/gpt-4o-2024-08-06?api-version={MODERN}", headers=headers(emulator, "azure")
        )
    assert response.status_code == 405


# ---- fine-tuned models ---------------------------------------------------------------------------

TUNED = FineTunedModel("ft:gpt-4o-2024-08-06:user::abc123", "gpt-4o-2024-08-06", "ftjob-abc123", 1735693200)
LEGACY_TUNED = FineTunedModel("curie.ft-0123456789abcdef0123456789abcdef", "curie", "ft-0123", 1735696800)


@pytest.fixture
def tuned(inprocess: InProcessEmulator) -> InProcessEmulator:
    """An emulator whose fine-tuning reports two trained models (the jobs themselves are tested elsewhere)."""
    trained = [TUNED, LEGACY_TUNED]

    async def list_fine_tuned_models() -> list[FineTunedModel]:
        return list(trained)

    async def delete_fine_tuned_model(model_id: str) -> bool:
        for model in trained:
            if model.id == model_id:
                trained.remove(model)
                return True
        return False

    inprocess.runtime.list_fine_tuned_models = list_fine_tuned_models
    inprocess.runtime.delete_fine_tuned_model = delete_fine_tuned_model
    return inprocess


@pytest.mark.parametrize("surface", SURFACES)
def test_fine_tuned_models_follow_the_base_models(tuned: InProcessEmulator, surface: str) -> None:
    listed = [m.id for m in models_client(tuned, surface).models.list()]
    base = OPENAI_IDS if surface == "openai" else AZURE_IDS
    assert listed == [*base, TUNED.id, LEGACY_TUNED.id]


def test_fine_tuned_model_shapes(tuned: InProcessEmulator) -> None:
    azure = tuned.azure_client().models.retrieve(TUNED.id).model_dump()
    assert (azure["model"], azure["fine_tune"], azure["created_at"]) == (
        TUNED.base_model,
        TUNED.job_id,
        TUNED.created_at,
    )
    assert azure["capabilities"]["fine_tune"] is False and azure["capabilities"]["chat_completion"] is True
    assert azure["deprecation"] == {"inference": TUNED.created_at + 2 * 365 * 86_400}
    legacy = tuned.azure_client(api_version="2023-05-15").models.retrieve(LEGACY_TUNED.id).model_dump()
    assert legacy["capabilities"]["completion"] is True and legacy["updated_at"] == LEGACY_TUNED.created_at

    model = validated(tuned.openai_client().models.retrieve(TUNED.id))
    assert isinstance(model, Model)
    assert (model.created, model.owned_by) == (TUNED.created_at, "user")
    assert model.model_dump()["shutdown_date"] == "2027-01-01"


def test_openai_deletes_a_fine_tuned_model(tuned: InProcessEmulator) -> None:
    sdk = tuned.openai_client()
    deleted = sdk.models.delete(TUNED.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (TUNED.id, "model", True)
    with pytest.raises(openai.NotFoundError):
        sdk.models.retrieve(TUNED.id)
    with pytest.raises(openai.NotFoundError):
        sdk.models.delete(TUNED.id)
    assert TUNED.id not in [m.id for m in tuned.azure_client().models.list()]


def test_the_catalog_marks_what_the_fine_tuning_apis_train() -> None:
    from emulator.model.catalog import FineTuneApi
    from emulator.resource.fine_tuning.training import FINE_TUNABLE, LEGACY_FINE_TUNABLE

    assert {m.id for m in BASE_MODELS if m.fine_tune_api is FineTuneApi.JOBS} == set(FINE_TUNABLE)
    assert {m.id for m in BASE_MODELS if m.fine_tune_api is FineTuneApi.LEGACY} == set(LEGACY_FINE_TUNABLE)


def test_a_trained_model_is_listed_and_can_be_deleted(emulator: Any) -> None:
    from tests.fine_tuning_data import chat_lines

    sdk = emulator.openai_client()
    training = sdk.files.create(file=("train.jsonl", chat_lines(10)), purpose="fine-tune")
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training.id)
    assert job.id not in [m.id for m in sdk.models.list()]
    emulator.settle_jobs()
    trained = sdk.fine_tuning.jobs.retrieve(job.id).fine_tuned_model
    assert trained and trained == [m.id for m in sdk.models.list()][-1]

    azure = emulator.azure_client().models.retrieve(trained).model_dump()
    assert (azure["model"], azure["fine_tune"]) == ("gpt-4o-mini-2024-07-18", job.id)
    assert azure["capabilities"]["fine_tune"] is False

    assert sdk.models.delete(trained).deleted is True
    assert trained not in [m.id for m in emulator.azure_client().models.list()]
