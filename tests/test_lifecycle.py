"""The job state machine, pure: every transition, the queue, and the names each surface uses."""

from __future__ import annotations

import pytest

from emulator.errors import UnexpectedEntityState
from emulator.resource.fine_tuning.lifecycle import (
    ALLOWED_FROM,
    CANCEL,
    DELETE,
    PAUSE,
    RESUME,
    Action,
    Phase,
    Plan,
    Style,
    check_action,
    settle_time,
    simulate,
    status_name,
)
from emulator.surfaces import Family, Surface

V, T, X = 10.0, 100.0, 5.0  # validation, training and pause/resume transition seconds


def plan(
    job_id: str = "a", created: float = 0.0, *actions: Action, fails: bool = False, train: float = T
) -> Plan:
    return Plan(job_id, created, V, train, fails, tuple(actions))


def run(*plans: Plan, slots: int = 1) -> dict:
    return simulate(plans, slots=slots, transition_seconds=X)


def phases(timeline) -> list[tuple[float, Phase]]:
    return list(timeline.changes)


def test_a_job_validates_queues_runs_and_succeeds() -> None:
    line = run(plan())["a"]
    assert phases(line) == [
        (0.0, Phase.VALIDATING),
        (V, Phase.QUEUED),
        (V, Phase.RUNNING),
        (V + T, Phase.SUCCEEDED),
    ]
    assert line.phase_at(0) is Phase.VALIDATING
    assert line.phase_at(V - 0.5) is Phase.VALIDATING
    assert line.phase_at(V) is Phase.RUNNING
    assert line.phase_at(V + T - 0.5) is Phase.RUNNING
    assert line.phase_at(V + T) is Phase.SUCCEEDED
    assert line.phase_at(10**9) is Phase.SUCCEEDED
    assert (line.started_at, line.ended_at, line.outcome) == (V, V + T, Phase.SUCCEEDED)
    assert line.progress_at(V + T / 4) == pytest.approx(0.25)
    assert line.time_at_progress(0.5) == pytest.approx(V + T / 2)


def test_bad_data_fails_when_validation_ends_and_never_runs() -> None:
    line = run(plan(fails=True))["a"]
    assert phases(line) == [(0.0, Phase.VALIDATING), (V, Phase.FAILED)]
    assert line.started_at is None and line.outcome is Phase.FAILED
    assert line.time_at_progress(0.1) is None


def test_one_slot_keeps_the_second_job_queued_until_the_first_ends() -> None:
    lines = run(plan("a"), plan("b", 1.0))
    assert lines["b"].phase_at(V + 1) is Phase.QUEUED
    assert lines["b"].phase_at(V + T - 0.1) is Phase.QUEUED
    assert lines["b"].started_at == V + T
    assert lines["b"].ended_at == V + 2 * T


def test_more_slots_let_jobs_train_together() -> None:
    lines = run(plan("a"), plan("b", 1.0), plan("c", 2.0), slots=2)
    assert lines["a"].started_at == V and lines["b"].started_at == V + 1
    assert lines["c"].started_at == V + T  # the first slot to free up


def test_queue_is_first_come_first_served_by_the_time_waiting_began() -> None:
    # b is created after c but finishes validating first (c's validation is longer).
    a = plan("a")
    c = Plan("c", 1.0, 50.0, T)
    b = plan("b", 2.0)
    lines = run(a, c, b)
    assert lines["b"].started_at == V + T
    assert lines["c"].started_at == V + 2 * T


@pytest.mark.parametrize(
    ("at", "before"),
    [(5.0, Phase.VALIDATING), (V + T / 2, Phase.RUNNING)],
)
def test_cancel_ends_the_job_at_once_from_any_unfinished_phase(at: float, before: Phase) -> None:
    line = run(plan("a", 0.0, Action(CANCEL, at)))["a"]
    assert line.phase_at(at - 0.01) is before
    assert line.phase_at(at) is Phase.CANCELLED
    assert line.ended_at == at and line.outcome is Phase.CANCELLED


def test_cancelling_a_queued_job_and_the_running_one_frees_the_slot() -> None:
    lines = run(plan("a", 0.0, Action(CANCEL, 50.0)), plan("b", 1.0), plan("c", 2.0, Action(CANCEL, 20.0)))
    assert lines["c"].phase_at(20.0) is Phase.CANCELLED
    assert lines["c"].started_at is None
    assert lines["b"].started_at == 50.0
    assert lines["b"].ended_at == 50.0 + T


def test_pause_then_resume_continues_where_training_stopped() -> None:
    pause_at, resume_at = V + 40, 300.0
    line = run(plan("a", 0.0, Action(PAUSE, pause_at, 1), Action(RESUME, resume_at, 2)))["a"]
    assert phases(line) == [
        (0.0, Phase.VALIDATING),
        (V, Phase.QUEUED),
        (V, Phase.RUNNING),
        (pause_at, Phase.PAUSING),
        (pause_at + X, Phase.PAUSED),
        (resume_at, Phase.RESUMING),
        (resume_at + X, Phase.RUNNING),
        (resume_at + X + (T - 40), Phase.SUCCEEDED),
    ]
    assert line.progress_at(200.0) == pytest.approx(0.4)
    assert line.time_at_progress(0.5) == pytest.approx(resume_at + X + 10)


def test_a_paused_job_gives_up_its_slot_and_queues_again_on_resume() -> None:
    pause_at = V + 40
    lines = run(plan("a", 0.0, Action(PAUSE, pause_at, 1), Action(RESUME, pause_at + 20, 2)), plan("b", 1.0))
    assert lines["b"].started_at == pause_at + X
    a = lines["a"]
    assert a.phase_at(pause_at + 20) is Phase.RESUMING
    # it waits for b to finish, then takes the transition back to running
    assert a.phase_at(pause_at + X + T - 1) is Phase.RESUMING
    assert a.entered(Phase.RUNNING) == V
    assert a.ended_at == pytest.approx(pause_at + X + T + X + (T - 40))


def test_a_paused_job_can_be_cancelled_and_never_finishes_otherwise() -> None:
    paused = run(plan("a", 0.0, Action(PAUSE, 20.0)))["a"]
    assert paused.phase_at(10**6) is Phase.PAUSED
    assert paused.ended_at is None and paused.outcome is None
    cancelled = run(plan("a", 0.0, Action(PAUSE, 20.0, 1), Action(CANCEL, 40.0, 2)))["a"]
    assert cancelled.phase_at(40.0) is Phase.CANCELLED


def test_actions_at_one_instant_apply_in_the_order_they_were_made() -> None:
    # a is cancelled and b (queued behind it) is then cancelled too, both at t=50: nothing runs after.
    lines = run(plan("a", 0.0, Action(CANCEL, 50.0, 1)), plan("b", 1.0, Action(CANCEL, 50.0, 2)))
    assert lines["b"].started_at == 50.0
    assert lines["b"].phase_at(50.0) is Phase.CANCELLED


def test_an_action_that_was_refused_changes_nothing() -> None:
    line = run(plan("a", 0.0, Action(RESUME, 20.0), Action(PAUSE, 5.0)))["a"]
    assert line.ended_at == V + T


def test_recording_an_action_at_now_never_changes_the_past() -> None:
    now = V + 30
    before = run(plan("a"), plan("b", 2.0))
    after = run(plan("a", 0.0, Action(PAUSE, now)), plan("b", 2.0, Action(CANCEL, now, 2)))
    for job in ("a", "b"):
        for t in (0.0, 5.0, V, V + 1, now - 0.001):
            assert before[job].phase_at(t) is after[job].phase_at(t)


def test_settle_time_is_when_the_last_finishing_job_ends() -> None:
    # c is paused once it runs (after a and b): it holds no slot and will never finish by itself.
    lines = run(plan("a"), plan("b", 1.0), plan("c", 2.0, Action(PAUSE, V + 2 * T + 1)))
    assert lines["c"].ended_at is None
    assert settle_time(list(lines.values()), 0.0) == V + 2 * T
    assert settle_time(list(lines.values()), 10**6) == 10**6


NAMES = {
    Phase.VALIDATING: ("validating_files", "pending", "notRunning"),
    Phase.QUEUED: ("queued", "pending", "notRunning"),
    Phase.RUNNING: ("running", "running", "running"),
    Phase.PAUSING: ("paused", "pausing", "running"),
    Phase.PAUSED: ("paused", "paused", "running"),
    Phase.RESUMING: ("queued", "resuming", "running"),
    Phase.SUCCEEDED: ("succeeded", "succeeded", "succeeded"),
    Phase.FAILED: ("failed", "failed", "failed"),
    Phase.CANCELLED: ("cancelled", "cancelled", "canceled"),
}


@pytest.mark.parametrize("phase", list(Phase))
def test_each_surface_names_each_phase_in_its_own_words(phase: Phase) -> None:
    names = tuple(status_name(phase, style) for style in (Style.OPENAI, Style.AZURE, Style.LEGACY))
    assert names == NAMES[phase]


@pytest.mark.parametrize("action", [CANCEL, PAUSE, RESUME, DELETE])
@pytest.mark.parametrize("phase", list(Phase))
def test_each_action_is_allowed_only_from_its_phases(action: str, phase: Phase) -> None:
    allowed = {
        CANCEL: phase not in (Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED),
        PAUSE: phase is Phase.RUNNING,
        RESUME: phase is Phase.PAUSED,
        DELETE: phase in (Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED),
    }[action]
    assert (phase in ALLOWED_FROM[action]) is allowed
    if allowed:
        check_action(action, phase, "ftjob-1", Style.AZURE)
        return
    with pytest.raises(UnexpectedEntityState) as raised:
        check_action(action, phase, "ftjob-1", Style.OPENAI)
    error = raised.value
    assert error.status_for(Surface.OPENAI) == 400
    assert error.status_for(Surface.AZURE) == 409
    assert error.openai_body()["error"]["type"] == "invalid_request_error"
    assert error.body(Surface.AZURE, Family.AUTHORING)["error"]["code"] == "unexpectedEntityState"
    assert f"Cannot {action} job 'ftjob-1'" in error.message
