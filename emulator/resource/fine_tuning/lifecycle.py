"""The fine-tuning job state machine, as pure functions of the jobs and time.

No background task moves a job along: a job's status at `now` is read off a timeline computed from
what is recorded about every job (when it was created, how long it validates and trains, when it was
paused, resumed or cancelled) and the number of jobs that may train at once. All recorded actions lie
at or before the clock, so adding one never changes the past; the timeline of every job is therefore a
function of the records alone, and the status at any instant is a lookup.

    validating → queued → running → succeeded
         ↘ failed          ↓ pause ↑ resume (pausing → paused → resuming, queued again for a slot)
    cancel: any phase that is not final → cancelled

Each surface names the phases in its own words (`status_name`).
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from emulator.errors import UnexpectedEntityState


class Phase(str, Enum):
    VALIDATING = "validating"
    QUEUED = "queued"
    RUNNING = "running"
    PAUSING = "pausing"
    PAUSED = "paused"
    RESUMING = "resuming"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset({Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED})


class Style(str, Enum):
    """Whose vocabulary a status is reported in."""

    OPENAI = "openai"
    AZURE = "azure"
    LEGACY = "legacy"  # Azure's 2022/2023 fine-tunes API


_NAMES: dict[Style, dict[Phase, str]] = {
    # OpenAI's pause example answers `paused` at once, and its resume example `queued`.
    Style.OPENAI: {
        Phase.VALIDATING: "validating_files",
        Phase.QUEUED: "queued",
        Phase.RUNNING: "running",
        Phase.PAUSING: "paused",
        Phase.PAUSED: "paused",
        Phase.RESUMING: "queued",
        Phase.SUCCEEDED: "succeeded",
        Phase.FAILED: "failed",
        Phase.CANCELLED: "cancelled",
    },
    Style.AZURE: {
        Phase.VALIDATING: "pending",
        Phase.QUEUED: "pending",
        Phase.RUNNING: "running",
        Phase.PAUSING: "pausing",
        Phase.PAUSED: "paused",
        Phase.RESUMING: "resuming",
        Phase.SUCCEEDED: "succeeded",
        Phase.FAILED: "failed",
        Phase.CANCELLED: "cancelled",
    },
    Style.LEGACY: {
        Phase.VALIDATING: "notRunning",
        Phase.QUEUED: "notRunning",
        Phase.RUNNING: "running",
        Phase.PAUSING: "running",
        Phase.PAUSED: "running",
        Phase.RESUMING: "running",
        Phase.SUCCEEDED: "succeeded",
        Phase.FAILED: "failed",
        Phase.CANCELLED: "canceled",
    },
}


def status_name(phase: Phase, style: Style) -> str:
    return _NAMES[style][phase]


CANCEL, PAUSE, RESUME, DELETE = "cancel", "pause", "resume", "delete"

# The phases each action may start from (§6.4, §6.5, §7).
ALLOWED_FROM: dict[str, frozenset[Phase]] = {
    CANCEL: frozenset(Phase) - FINAL,
    PAUSE: frozenset({Phase.RUNNING}),
    RESUME: frozenset({Phase.PAUSED}),
    DELETE: FINAL,
}

_WHY = {
    CANCEL: "only a job that has not finished can be cancelled",
    PAUSE: "only a running job can be paused",
    RESUME: "only a paused job can be resumed",
    DELETE: "only a job that has finished (succeeded, failed or cancelled) can be deleted; cancel it first",
}


def check_action(action: str, phase: Phase, job_id: str, style: Style) -> None:
    """Raise the service's error for an action the job's current phase does not allow."""
    if phase not in ALLOWED_FROM[action]:
        raise UnexpectedEntityState(
            f"Cannot {action} job '{job_id}': it is {status_name(phase, style)}, and {_WHY[action]}.",
            param="fine_tuning_job_id" if style is Style.OPENAI else None,
        )


@dataclass(frozen=True)
class Action:
    kind: str  # cancel | pause | resume
    at: float
    seq: int = 0  # order of recording: actions at the same instant apply in the order they were made


@dataclass(frozen=True)
class Plan:
    """What is known about one job: enough to replay its life."""

    id: str
    created_at: float
    validate_seconds: float
    train_seconds: float
    fails: bool = False  # its data turns out bad: it fails when validation ends
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Timeline:
    id: str
    changes: tuple[tuple[float, Phase], ...]  # every phase entered, in time order
    running: tuple[tuple[float, float], ...]  # the spans during which training progressed
    train_seconds: float

    def phase_at(self, t: float) -> Phase:
        times = [at for at, _ in self.changes]
        index = bisect.bisect_right(times, t) - 1
        return self.changes[max(index, 0)][1]

    def entered(self, phase: Phase) -> float | None:
        """When the job first entered `phase`, if it ever does."""
        return next((at for at, p in self.changes if p is phase), None)

    @property
    def started_at(self) -> float | None:
        return self.entered(Phase.RUNNING)

    @property
    def ended_at(self) -> float | None:
        """When the job reaches a final phase if nothing more is done to it; None: it never will."""
        at, phase = self.changes[-1]
        return at if phase.is_final else None

    @property
    def outcome(self) -> Phase | None:
        phase = self.changes[-1][1]
        return phase if phase.is_final else None

    def progress_at(self, t: float) -> float:
        """The fraction of training done by `t`."""
        if self.train_seconds <= 0:
            return 1.0 if self.phase_at(t) is Phase.SUCCEEDED else 0.0
        done = sum(max(0.0, min(end, t) - start) for start, end in self.running)
        return min(1.0, done / self.train_seconds)

    def time_at_progress(self, fraction: float) -> float | None:
        """When training reaches `fraction` of the whole; None if it never does."""
        needed = fraction * self.train_seconds
        for start, end in self.running:
            span = end - start
            # Times are Unix seconds: a span loses ~1e-7 s to rounding, so compare with a millisecond slack.
            if needed <= span + 1e-3:
                return min(end, start + max(needed, 0.0))
            needed -= span
        return None


@dataclass
class _Job:
    plan: Plan
    order: int
    phase: Phase = Phase.VALIDATING
    changes: list[tuple[float, Phase]] = field(default_factory=list)
    running: list[tuple[float, float]] = field(default_factory=list)
    progress: float = 0.0
    run_start: float | None = None
    holds_slot: bool = False
    transition_end: float | None = None
    version: int = 0  # bumped whenever its next event changes: older heap entries are stale
    wait_version: int = 0  # the same for its place in the queue

    def enter(self, phase: Phase, t: float) -> None:
        self.phase = phase
        self.changes.append((t, phase))

    def next_event(self) -> float | None:
        if self.phase is Phase.VALIDATING:
            return self.plan.created_at + self.plan.validate_seconds
        if self.phase is Phase.RUNNING and self.run_start is not None:
            return self.run_start + max(0.0, self.plan.train_seconds - self.progress)
        if self.phase in (Phase.PAUSING, Phase.RESUMING) and self.holds_slot:
            return self.transition_end
        return None

    def stop_running(self, t: float) -> None:
        if self.run_start is not None:
            self.progress += t - self.run_start
            self.running.append((self.run_start, t))
            self.run_start = None


class _Simulation:
    """An event-driven replay: a heap of each job's next event, a heap of the jobs waiting for a slot."""

    def __init__(self, plans: Sequence[Plan], slots: int, transition_seconds: float) -> None:
        self.jobs = [_Job(plan, order) for order, plan in enumerate(plans)]
        self.slots = slots
        self.transition_seconds = transition_seconds
        self.held = 0
        self.events: list[tuple[float, int, int]] = []  # (time, job order, job version)
        self.waiting: list[tuple[float, int, int]] = []  # (waiting since, job order, wait version)
        for job in self.jobs:
            job.enter(Phase.VALIDATING, job.plan.created_at)
            self.schedule(job)

    def schedule(self, job: _Job) -> None:
        job.version += 1
        at = job.next_event()
        if at is not None:
            heapq.heappush(self.events, (at, job.order, job.version))

    def wait(self, job: _Job, t: float) -> None:
        job.wait_version += 1
        heapq.heappush(self.waiting, (t, job.order, job.wait_version))

    def release(self, job: _Job) -> None:
        if job.holds_slot:
            job.holds_slot = False
            self.held -= 1

    def finish(self, job: _Job, phase: Phase, t: float) -> None:
        job.stop_running(t)
        self.release(job)
        job.wait_version += 1  # out of the queue, if it was in it
        job.enter(phase, t)
        self.schedule(job)

    def assign(self, t: float) -> None:
        """Free slots go to the longest-waiting jobs, then the earliest created."""
        while self.held < self.slots and self.waiting:
            _, order, version = heapq.heappop(self.waiting)
            job = self.jobs[order]
            if version != job.wait_version or job.holds_slot:
                continue
            job.holds_slot = True
            self.held += 1
            if job.phase is Phase.QUEUED:
                job.enter(Phase.RUNNING, t)
                job.run_start = t
            else:
                job.transition_end = t + self.transition_seconds
            self.schedule(job)

    def next_event_time(self) -> float:
        while self.events:
            at, order, version = self.events[0]
            if version == self.jobs[order].version:
                return at
            heapq.heappop(self.events)
        return math.inf

    def fire_events(self, t: float) -> None:
        due = []
        while self.next_event_time() <= t:
            due.append(self.jobs[heapq.heappop(self.events)[1]])
        for job in sorted(due, key=lambda j: j.order):
            if job.phase is Phase.VALIDATING:
                if job.plan.fails:
                    self.finish(job, Phase.FAILED, t)
                    continue
                job.enter(Phase.QUEUED, t)
                self.wait(job, t)
            elif job.phase is Phase.RUNNING:
                job.progress = job.plan.train_seconds
                self.finish(job, Phase.SUCCEEDED, t)
                continue
            elif job.phase is Phase.PAUSING:
                self.release(job)
                job.enter(Phase.PAUSED, t)
            elif job.phase is Phase.RESUMING:
                job.enter(Phase.RUNNING, t)
                job.run_start = t
            self.schedule(job)
        self.assign(t)

    def apply(self, job: _Job, kind: str, t: float) -> None:
        if job.phase not in ALLOWED_FROM.get(kind, frozenset()):
            return  # refused when it was asked for; a record of it changes nothing
        if kind == CANCEL:
            self.finish(job, Phase.CANCELLED, t)
        elif kind == PAUSE:
            job.stop_running(t)
            job.transition_end = t + self.transition_seconds
            job.enter(Phase.PAUSING, t)
            self.schedule(job)
        elif kind == RESUME:
            job.enter(Phase.RESUMING, t)
            self.wait(job, t)
            self.schedule(job)
        self.assign(t)

    def run(self) -> dict[str, Timeline]:
        actions = sorted(
            (action.at, action.seq, job.order, index, job)
            for job in self.jobs
            for index, action in enumerate(job.plan.actions)
        )
        position = 0
        while True:
            t_event = self.next_event_time()
            t_action = actions[position][0] if position < len(actions) else math.inf
            if t_event == t_action == math.inf:
                break
            if t_event <= t_action:  # what was due happens before what is asked at the same instant
                self.fire_events(t_event)
                continue
            while position < len(actions) and actions[position][0] <= t_action:
                _, _, _, index, job = actions[position]
                position += 1
                self.apply(job, job.plan.actions[index].kind, t_action)
        return {
            job.plan.id: Timeline(job.plan.id, tuple(job.changes), tuple(job.running), job.plan.train_seconds)
            for job in self.jobs
        }


def simulate(
    plans: Sequence[Plan], *, slots: int = 1, transition_seconds: float = 10.0
) -> dict[str, Timeline]:
    """Replay every job (given in creation order) to its end, with at most `slots` training at once.

    Waiting jobs take a free slot first come, first served (by the time they began to wait, then by
    creation). A pausing job keeps its slot until it is paused; a resumed job queues again."""
    return _Simulation(plans, slots, transition_seconds).run()


def settle_time(timelines: Sequence[Timeline], now: float) -> float:
    """The instant by which every job that can still finish has finished (`now` if none is pending)."""
    ends = [t.ended_at for t in timelines if t.ended_at is not None]
    return max([now, *ends])
