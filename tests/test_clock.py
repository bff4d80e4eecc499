"""The item clock: state derived from stored events, transitions, restart safety, mm:ss."""
from datetime import UTC, datetime, timedelta

import pytest

from meeting.core.clock import ClockEvent, as_event, clock_state, mmss, validate_transition

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def ev(kind: str, seconds: float, extra: int = 0) -> tuple:
    """A stored event tuple `seconds` after T0."""
    return (kind, at(seconds), extra)


# (id, events, planned, now, (status, elapsed, remaining, allowed, extensions, phase))
STATE_CASES = [
    ("nothing yet", [], 300, 50, ("not_started", 0, 300, 300, 0, "normal")),
    ("short item not started is not amber", [], 30, 50, ("not_started", 0, 30, 30, 0, "normal")),
    ("running one second", [ev("start", 0)], 300, 1, ("running", 1, 299, 300, 0, "normal")),
    ("partial second rounds down", [ev("start", 0)], 300, 0.999, ("running", 0, 300, 300, 0, "normal")),
    ("paused keeps elapsed", [ev("start", 0), ev("pause", 100)], 300, 1000,
     ("paused", 100, 200, 300, 0, "normal")),
    ("resumed adds only running time", [ev("start", 0), ev("pause", 100), ev("resume", 400)], 300, 450,
     ("running", 150, 150, 300, 0, "normal")),
    ("extension adds to allowed", [ev("start", 0), ev("extend", 250, 120)], 300, 290,
     ("running", 290, 130, 420, 1, "normal")),
    ("two extensions counted", [ev("start", 0), ev("extend", 10, 60), ev("extend", 20, 120)], 300, 30,
     ("running", 30, 450, 480, 2, "normal")),
    ("extend while paused", [ev("start", 0), ev("pause", 60), ev("extend", 70, 120)], 300, 500,
     ("paused", 60, 360, 420, 1, "normal")),
    ("amber edge: 1 s before a fifth of 600", [ev("start", 0)], 600, 479,
     ("running", 479, 121, 600, 0, "normal")),
    ("amber at a fifth of 600", [ev("start", 0)], 600, 480, ("running", 480, 120, 600, 0, "amber")),
    ("short item: amber not before the last minute", [ev("start", 0)], 120, 59,
     ("running", 59, 61, 120, 0, "normal")),
    ("short item: amber in the last minute", [ev("start", 0)], 120, 60,
     ("running", 60, 60, 120, 0, "amber")),
    ("zero remaining is still amber", [ev("start", 0)], 300, 300, ("running", 300, 0, 300, 0, "amber")),
    ("one second over is red", [ev("start", 0)], 300, 301, ("running", 301, -1, 300, 0, "red")),
    ("overrun is negative", [ev("start", 0)], 300, 365, ("running", 365, -65, 300, 0, "red")),
    ("extension lifts red back to normal", [ev("start", 0), ev("extend", 320, 300)], 300, 330,
     ("running", 330, 270, 600, 1, "normal")),
    ("ended keeps final overrun", [ev("start", 0), ev("end", 310)], 300, 9999,
     ("ended", 310, -10, 300, 0, "red")),
    ("ended while paused", [ev("start", 0), ev("pause", 100), ev("end", 200)], 300, 9999,
     ("ended", 100, 200, 300, 0, "normal")),
    ("forbidden events change nothing", [ev("resume", 0), ev("pause", 1), ev("start", 5),
                                         ev("start", 50), ev("pause", 60), ev("pause", 70),
                                         ev("resume", 80), ev("extend", 85, 0), ev("extend", 86, -30)],
     300, 100, ("running", 75, 225, 300, 0, "normal")),
    ("nothing after end", [ev("start", 0), ev("end", 50), ev("resume", 60), ev("extend", 70, 120),
                           ev("pause", 80)], 300, 100, ("ended", 50, 250, 300, 0, "normal")),
    ("stored out of order, replayed by time", [ev("resume", 400), ev("start", 0), ev("pause", 100)],
     300, 450, ("running", 150, 150, 300, 0, "normal")),
    ("now before start (skewed clock) counts zero", [ev("start", 10)], 300, 5,
     ("running", 0, 300, 300, 0, "normal")),
]


@pytest.mark.parametrize("events, planned, now, expected",
                         [c[1:] for c in STATE_CASES], ids=[c[0] for c in STATE_CASES])
def test_clock_state_from_events(events, planned, now, expected):
    state = clock_state(events, planned, at(now))
    assert (state.status, state.elapsed_seconds, state.remaining_seconds, state.allowed_seconds,
            state.extensions, state.phase) == expected


def test_overrun_seconds():
    assert clock_state([ev("start", 0)], 300, at(365)).overrun_seconds == 65
    assert clock_state([ev("start", 0)], 300, at(200)).overrun_seconds == 0


def test_two_screens_in_the_same_second_get_the_remaining_time_to_the_fraction():
    """Whole seconds hide up to a second: the exact remaining lets screens rendered at other moments agree."""
    early, late = (clock_state([ev("start", 0), ev("pause", 100.2), ev("resume", 110)], 300, at(s))
                   for s in (150.1, 150.6))
    assert early.remaining_seconds == late.remaining_seconds == 160  # 140 whole seconds run of 300
    assert early.remaining_exact == pytest.approx(159.7) and late.remaining_exact == pytest.approx(159.2)
    assert clock_state([ev("start", 0)], 300, at(365.5)).remaining_exact == pytest.approx(-65.5)


def test_stored_rows_with_iso_text_give_same_state():
    events = [ev("start", 0), ev("pause", 100), ev("resume", 400), ev("extend", 410, 120)]
    rows = [{"kind": k, "at": when.isoformat(), "seconds": s or None} for k, when, s in events]
    dataclasses = [ClockEvent(k, when, s) for k, when, s in events]
    reference = clock_state(events, 300, at(450))
    assert clock_state(rows, 300, at(450)) == reference
    assert clock_state(dataclasses, 300, at(450)) == reference
    assert reference.elapsed_seconds == 150 and reference.allowed_seconds == 420


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        as_event(("start", datetime(2025, 3, 3, 9, 0), 0))


def test_negative_planned_seconds_are_refused():
    with pytest.raises(ValueError):
        clock_state([], -1, T0)


SCRIPT = [ev("start", 0), ev("extend", 30, 120), ev("pause", 100), ev("resume", 160), ev("end", 500)]


@pytest.mark.parametrize("crash_at, up_at, expected", [
    (50, 50, ("running", 50, 370, "normal")),
    (50, 130, ("running", 130, 290, "normal")),     # kept running while the server was down
    (120, 140, ("paused", 100, 320, "normal")),     # paused before the crash: stays paused
    (200, 600, ("running", 540, -120, "red")),
    (700, 900, ("ended", 440, -20, "red")),
])
def test_restart_rederives_the_same_state(crash_at, up_at, expected):
    """The state at `now` depends only on stored events, not on what the old process did."""
    stored, live = [], []
    for second in range(crash_at + 1):  # the old process records events and answers polls
        stored += [{"kind": k, "at": w.isoformat(), "seconds": s}
                   for k, w, s in SCRIPT if w == at(second)]
        live.append(clock_state(stored, 300, at(second)))
    after_restart = clock_state(stored, 300, at(up_at))
    never_crashed = clock_state([e for e in SCRIPT if e[1] <= at(crash_at)], 300, at(up_at))
    assert after_restart == never_crashed
    assert (after_restart.status, after_restart.elapsed_seconds,
            after_restart.remaining_seconds, after_restart.phase) == expected
    assert live[-1] == clock_state(stored, 300, at(crash_at))


# (id, events, kind, seconds, expected message or None)
TRANSITION_CASES = [
    ("start fresh", [], "start", 0, None),
    ("start twice", [ev("start", 0)], "start", 0, "This item has already been started."),
    ("start after pause", [ev("start", 0), ev("pause", 5)], "start", 0,
     "This item has already been started."),
    ("pause before start", [], "pause", 0, "Start the item first."),
    ("resume before start", [], "resume", 0, "Start the item first."),
    ("extend before start", [], "extend", 60, "Start the item first."),
    ("end before start", [], "end", 0, "Start the item first."),
    ("pause running", [ev("start", 0)], "pause", 0, None),
    ("pause paused", [ev("start", 0), ev("pause", 5)], "pause", 0, "Only a running clock can be paused."),
    ("resume running", [ev("start", 0)], "resume", 0, "Only a paused clock can be resumed."),
    ("resume paused", [ev("start", 0), ev("pause", 5)], "resume", 0, None),
    ("extend running", [ev("start", 0)], "extend", 120, None),
    ("extend paused", [ev("start", 0), ev("pause", 5)], "extend", 120, None),
    ("extend by zero", [ev("start", 0)], "extend", 0, "An extension must add time."),
    ("extend by negative", [ev("start", 0)], "extend", -60, "An extension must add time."),
    ("end running", [ev("start", 0)], "end", 0, None),
    ("end paused", [ev("start", 0), ev("pause", 5)], "end", 0, None),
    ("unknown kind", [ev("start", 0)], "rewind", 0, "Unknown clock action."),
] + [
    (f"{kind} after end", [ev("start", 0), ev("end", 9)], kind, 60,
     "This item has ended; its clock can no longer change.")
    for kind in ("start", "pause", "resume", "extend", "end")
]


@pytest.mark.parametrize("events, kind, seconds, expected",
                         [c[1:] for c in TRANSITION_CASES], ids=[c[0] for c in TRANSITION_CASES])
def test_validate_transition(events, kind, seconds, expected):
    assert validate_transition(events, kind, seconds) == expected


@pytest.mark.parametrize("seconds, text", [
    (0, "00:00"), (59, "00:59"), (299, "04:59"), (300, "05:00"), (5999, "99:59"),
    (6000, "100:00"), (-1, "-00:01"), (-65, "-01:05"), (-600, "-10:00"),
])
def test_mmss(seconds, text):
    assert mmss(seconds) == text


@pytest.mark.parametrize("events, action, expected", [
    ([ev("start", 0)], "toggle", ("pause", 0)),
    ([ev("start", 0), ev("pause", 10)], "toggle", ("resume", 0)),
    ([ev("start", 0), ev("pause", 10), ev("extend", 20, 120)], "toggle", ("resume", 0)),  # still paused
    ([ev("start", 0)], "extend", ("extend", 120)),
    ([ev("start", 0)], "pause", ("pause", 0)),
    ([ev("start", 0)], "rewind", None),
])
def test_the_chairs_clock_buttons(events, action, expected):
    from meeting.core.clock import chair_event
    assert chair_event(events, action) == expected


def test_overrun_in_words_reads_minutes_and_seconds():
    from meeting.core.clock import overrun_text
    assert [overrun_text(s) for s in (-134, -5, 0, 30, -3600)] == ["2:14", "0:05", "0:00", "0:00", "60:00"]
