"""Seed 000's portal steps, end to end in a real browser against `aoai-emulator serve`: store completions
through the SDK, filter them, open one, Distill with too few and then enough, follow the job to success as
the clock moves, see the loss chart, Deploy, call the deployment through the SDK, then Evaluate and read
the run's results. Screenshots of the main steps go to test-artifacts/portal/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from emulator.testing import LiveEmulator
from tests.browser.conftest import NARROW, WIDE

SYSTEM = "Summarise the technical content in one clear sentence."
TOPICS = [
    "Ensemble methods combine several models into a more accurate predictor.",
    "Gradient boosting builds trees one after another, each fixing the last one's errors.",
    "Bagging trains models on random subsets of the data and averages them.",
    "Stacking feeds base models' predictions to a meta-model.",
    "Random forests pick random feature subsets for each tree.",
    "Regularisation penalises large weights to reduce overfitting.",
    "Cross-validation estimates how a model generalises to unseen data.",
    "Dropout switches off random units while a network trains.",
    "Early stopping ends training when the validation loss stops falling.",
    "Batch normalisation rescales activations inside a network.",
    "Learning-rate schedules lower the step size as training goes on.",
    "Transfer learning starts from a model trained on another task.",
]


def store_teacher_answers(live: LiveEmulator) -> None:
    """Twelve tagged conversations, nine of them by one user: too few to distil on their own."""
    client = live.azure_client()
    for index, topic in enumerate(TOPICS):
        client.chat.completions.create(
            model="gpt-4o",
            store=True,
            metadata={"task": "ml-summaries", "user": "ann" if index < 9 else "bob"},
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": topic}],
        )


def filter_by(page: Page, metadata: str) -> None:
    page.get_by_label("Metadata", exact=True).fill(metadata)
    page.get_by_role("button", name="Apply").click()


def distill_dialog_next(page: Page) -> str:
    page.get_by_role("link", name="Distill").click()
    dialog = page.get_by_role("dialog", name="Distill")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Base model").select_option("gpt-4o-mini")
    expect(dialog.get_by_label("Version")).to_have_value("2024-07-18")
    dialog.get_by_label("Version").select_option("2024-07-18")
    name = dialog.locator("#training-file-name")
    expect(name).to_have_text(re.compile(r"distill-[0-9a-f]{16}\.jsonl"))
    shown = name.inner_text()
    dialog.get_by_label("Suffix (optional)").fill("summaries")
    dialog.get_by_role("button", name="Next").click()
    return shown


def test_the_seed_steps_from_stored_completions_to_an_evaluated_deployment(
    page: Page, live: LiveEmulator, shots: Path
) -> None:
    store_teacher_answers(live)

    # Connect: the key field holds the development key already.
    page.goto(f"{live.endpoint}/portal")
    expect(page.get_by_label("API key")).to_have_value(live.key)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("heading", name="Stored Completions")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="completions")).to_have_text("12 completions")
    nav = page.get_by_role("navigation", name="Portal")
    for name in ("Stored Completions", "Fine-tuning jobs", "Evaluations", "Deployments"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()

    # Filter, and open one completion.
    filter_by(page, "task=ml-summaries, user=ann")
    expect(page.get_by_text("9 completions")).to_be_visible()
    page.screenshot(path=shots / "01-stored-completions-filtered.png", full_page=True)
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text(TOPICS[8])
    first_row.click(position={"x": 700, "y": 10})  # a click on the row, away from its link, opens it
    expect(page.get_by_text(TOPICS[8])).to_be_visible()
    expect(page.get_by_text("system", exact=True)).to_be_visible()
    expect(page.get_by_label("Metadata", exact=True)).to_have_value("task=ml-summaries, user=ann")
    page.screenshot(path=shots / "02-completion.png", full_page=True)
    page.go_back()

    # Distill with nine: the dialog shows the refusal and nothing is made.
    distill_dialog_next(page)
    expect(page.locator("main > div")).to_have_attribute("inert", "")  # the page behind the dialog rests
    refusal = page.get_by_role("dialog", name="Distill").get_by_role("alert")
    expect(refusal).to_contain_text("Distillation needs at least 10 stored completions")
    expect(refusal).to_contain_text("match 9")
    page.screenshot(path=shots / "03-distill-refused.png", full_page=True)
    assert live.azure_client().fine_tuning.jobs.list().data == []

    # Distill with twelve: the job's page opens and follows the job as the clock moves.
    page.get_by_role("link", name="Cancel").click()
    filter_by(page, "task=ml-summaries")
    expect(page.get_by_text("12 completions")).to_be_visible()
    shown = distill_dialog_next(page)
    expect(page.get_by_text(f"Training file {shown} made from 12")).to_be_visible()
    status = page.locator(".status")
    expect(status).not_to_have_text("succeeded")
    job_id = page.get_by_role("heading", level=1).inner_text()
    live.settle_jobs()
    expect(status).to_have_text("succeeded")  # the page polls: no reload
    chart = page.get_by_role("img", name="Training loss")
    expect(chart).to_be_visible()
    expect(page.get_by_text("The job has successfully completed")).to_be_visible()
    page.screenshot(path=shots / "04-job-succeeded.png", full_page=True)

    # Deploy, then call the deployment through the SDK.
    page.get_by_label("Deployment name").fill("summaries-student")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("heading", name="Deployments")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="summaries-student")
    expect(row).to_contain_text("api")
    expect(row).to_contain_text("succeeded")
    page.screenshot(path=shots / "05-deployments.png", full_page=True)
    fine_tuned = live.azure_client().fine_tuning.jobs.retrieve(job_id).fine_tuned_model
    assert fine_tuned is not None and fine_tuned in row.inner_text()
    answer = live.azure_client().chat.completions.create(
        model="summaries-student",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": TOPICS[0]}],
    )
    assert answer.choices[0].message.content

    # Evaluate the student against the stored answers: the Evaluations view shows the run's results.
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Stored Completions").click()
    filter_by(page, "task=ml-summaries")
    page.get_by_role("link", name="Evaluate").click()
    dialog = page.get_by_role("dialog", name="Evaluate")
    dialog.get_by_label("Testing criterion").select_option("matches-stored")
    dialog.get_by_label("Answers").select_option("summaries-student")
    dialog.get_by_role("button", name="Run evaluation").click()
    expect(page.get_by_role("heading", name="Evaluations", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Evaluation data file evaluation-[0-9a-f]+\.jsonl"))).to_be_visible()
    live.advance(60)
    expect(page.get_by_text("12 of 12 passed")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=TOPICS[0])).to_contain_text("pass")
    page.screenshot(path=shots / "06-evaluation.png", full_page=True)


def test_metadata_edit_and_delete_with_the_keyboard(page: Page, live: LiveEmulator, shots: Path) -> None:
    store_teacher_answers(live)
    page.goto(f"{live.endpoint}/portal/")
    page.keyboard.press("Tab")  # the skip link first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # focus is visible
    page.get_by_label("API key").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Stored Completions")).to_be_visible()

    page.get_by_label("Metadata", exact=True).focus()
    page.keyboard.type("user=bob")
    page.keyboard.press("Enter")
    expect(page.get_by_text("3 completions")).to_be_visible()
    page.get_by_role("link", name="Distill").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Distill")
    expect(dialog.get_by_label("Base model")).to_be_focused()
    page.keyboard.press("Escape")  # closes the dialog, keeping the filter
    expect(dialog).to_have_count(0)
    expect(page.get_by_text("3 completions")).to_be_visible()
    page.get_by_role("row").nth(1).get_by_role("link").focus()
    page.keyboard.press("Enter")
    completion_id = page.get_by_role("heading", level=1).inner_text()

    field = page.get_by_label("Metadata", exact=True)
    field.fill("task=ml-summaries, user=bob, reviewed=yes")
    field.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Metadata saved.")
    assert live.azure_client().chat.completions.retrieve(completion_id).metadata == {
        "task": "ml-summaries",
        "user": "bob",
        "reviewed": "yes",
    }
    page.get_by_label("Metadata", exact=True).fill("no equals sign")
    page.get_by_role("button", name="Save metadata").click()
    expect(page.get_by_role("alert")).to_contain_text("is not key=value")

    page.get_by_role("link", name="Delete").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text(f"Delete {completion_id}?")
    expect(confirm.get_by_role("button", name="Delete")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_have_text(f"Deleted {completion_id}.")
    expect(page.get_by_text("11 completions")).to_be_visible()


def test_usable_at_390_pixels_wide(page: Page, live: LiveEmulator, shots: Path) -> None:
    store_teacher_answers(live)
    page.goto(f"{live.endpoint}/portal/")
    page.get_by_role("button", name="Connect").click()
    for size, name in ((WIDE, "wide"), (NARROW, "narrow")):
        page.set_viewport_size(size)
        page.goto(f"{live.endpoint}/portal/completions?metadata=task%3Dml-summaries")
        # Nothing but the table (which scrolls in its own region) is wider than the screen.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than the screen"
        for control in ("Metadata", "Model"):
            box = page.get_by_label(control, exact=True).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
        expect(page.get_by_role("button", name="Apply")).to_be_in_viewport()
        page.get_by_role("link", name="Distill").click()
        box = page.get_by_role("dialog", name="Distill").bounding_box()
        assert box is not None and box["width"] <= size["width"]
        page.screenshot(path=shots / f"07-distill-dialog-{name}.png")
