"""The item clock, derived only from stored events, so a server restart loses nothing.

Events are `(kind, at, seconds)`: kind is start / pause / resume / extend / end, `at` a
timezone-aware UTC datetime (or its ISO text, as stored), `seconds` the added time of an
extend (0 otherwise). Pure functions: no Flask, no SQL, `now` always passed in.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from meeting.core.i18n import N_

KINDS = ("start", "pause", "resume", "extend", "end")
ACTION_LABELS = {
    "start": N_("Start"),
    "pause": N_("Pause"),
    "resume": N_("Resume"),
    "extend": N_("Extend"),
    "end": N_("End"),
}
STATUSES = ("not_started", "running", "paused", "ended")
PHASES = ("normal", "amber", "red")
AMBER_MIN_SECONDS = 60  # never warn later than the last minute
AMBER_FRACTION = 5  # ... and otherwise in the last fifth of the allowed time
EXTENSION_SECONDS = 120  # the chair's "+2 minutes"
CHAIR_ACTIONS = ("toggle", "pause", "resume", "extend")


@dataclass(frozen=True)
class ClockEvent:
    """One stored clock event."""
    kind: str
    at: datetime
    seconds: int = 0


@dataclass(frozen=True)
class ClockState:
    """What the clock shows at a moment; remaining_seconds is negative on overrun."""
    status: str
    elapsed_seconds: int
    remaining_seconds: int
    allowed_seconds: int
    extensions: int
    phase: str
    remaining_exact: float  # remaining_seconds before rounding: screens that show it at different moments agree

    @property
    def overrun_seconds(self) -> int:
        """Seconds past the allowed time (0 while within it)."""
        return max(-self.remaining_seconds, 0)


@dataclass(frozen=True)
class _Replay:
    """The clock folded over its events, before `now` is applied."""
    status: str = "not_started"
    banked: timedelta = timedelta(0)
    running_since: datetime | None = None
    extended_seconds: int = 0
    extensions: int = 0


def as_event(value) -> ClockEvent:
    """A ClockEvent from a ClockEvent, a (kind, at, seconds) tuple or a stored row dict."""
    seconds: int | None
    if isinstance(value, ClockEvent):
        kind, at, seconds = value.kind, value.at, value.seconds
    elif isinstance(value, dict):
        kind, at, seconds = value["kind"], value["at"], value.get("seconds")
    else:
        kind, at, *rest = value
        seconds = rest[0] if rest else 0
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        raise ValueError("clock events need timezone-aware datetimes")
    return ClockEvent(kind, at, int(seconds or 0))


def _status_error(status: str, kind: str, seconds: int) -> str | None:
    """Why `kind` may not follow a clock in `status`, or None when it may."""
    if kind not in KINDS:
        return N_("Unknown clock action.")
    if status == "ended":
        return N_("This item has ended; its clock can no longer change.")
    if kind == "start" and status != "not_started":
        return N_("This item has already been started.")
    if kind != "start" and status == "not_started":
        return N_("Start the item first.")
    if kind == "pause" and status != "running":
        return N_("Only a running clock can be paused.")
    if kind == "resume" and status != "paused":
        return N_("Only a paused clock can be resumed.")
    if kind == "extend" and seconds <= 0:
        return N_("An extension must add time.")
    return None


def _apply(state: _Replay, event: ClockEvent) -> _Replay:
    """The replay after one event; an event the rules forbid changes nothing."""
    if _status_error(state.status, event.kind, event.seconds):
        return state
    if event.kind == "extend":
        return _Replay(state.status, state.banked, state.running_since,
                       state.extended_seconds + event.seconds, state.extensions + 1)
    banked = state.banked
    if state.running_since is not None:  # pause or end closes the running stretch
        banked += max(event.at - state.running_since, timedelta(0))
    status = {"start": "running", "resume": "running", "pause": "paused", "end": "ended"}[event.kind]
    since = event.at if status == "running" else None
    return _Replay(status, banked, since, state.extended_seconds, state.extensions)


def _replay(events: Iterable) -> _Replay:
    """Fold the events, in time order (stable for equal times), into one replay."""
    state = _Replay()
    for event in sorted((as_event(e) for e in events), key=lambda e: e.at):
        state = _apply(state, event)
    return state


def phase_for(remaining_seconds: int, allowed_seconds: int) -> str:
    """red past the allowed time; amber in the last fifth of it, but at least the last minute."""
    if remaining_seconds < 0:
        return "red"
    if remaining_seconds <= max(AMBER_MIN_SECONDS, allowed_seconds // AMBER_FRACTION):
        return "amber"
    return "normal"


def clock_state(events: Iterable, planned_seconds: int, now: datetime) -> ClockState:
    """The clock at `now`, derived from the stored events and the item's planned seconds."""
    if planned_seconds < 0:
        raise ValueError("planned_seconds must not be negative")
    replay = _replay(events)
    elapsed = replay.banked
    if replay.running_since is not None:
        elapsed += max(now - replay.running_since, timedelta(0))
    elapsed_seconds = int(elapsed.total_seconds())  # whole seconds, rounded down
    allowed = planned_seconds + replay.extended_seconds
    remaining = allowed - elapsed_seconds
    phase = "normal" if replay.status == "not_started" else phase_for(remaining, allowed)
    return ClockState(replay.status, elapsed_seconds, remaining, allowed, replay.extensions, phase,
                      allowed - elapsed.total_seconds())


def validate_transition(events: Iterable, kind: str, seconds: int = 0) -> str | None:
    """None when `kind` (with `seconds` for an extend) may be recorded next, else why not."""
    return _status_error(_replay(events).status, kind, seconds)


def chair_event(events: Iterable, action: str) -> tuple[str, int] | None:
    """The (kind, seconds) a chair's clock button records: toggle pauses a running clock and resumes
    a paused one, extend adds two minutes; None for an unknown action."""
    if action not in CHAIR_ACTIONS:
        return None
    if action == "toggle":
        action = "resume" if _replay(events).status == "paused" else "pause"
    return action, EXTENSION_SECONDS if action == "extend" else 0


def mmss(seconds: int) -> str:
    """Whole seconds as a countdown text: 299 -> "04:59", -65 -> "-01:05"."""
    seconds = int(seconds)
    sign = "-" if seconds < 0 else ""
    minutes, rest = divmod(abs(seconds), 60)
    return f"{sign}{minutes:02d}:{rest:02d}"


def overrun_text(remaining_seconds: int) -> str:
    """How far over time, as minutes:seconds for "2:14 over" (0:00 while within time)."""
    minutes, rest = divmod(max(-int(remaining_seconds), 0), 60)
    return f"{minutes}:{rest:02d}"
