"""The complex-case session's pure rules: the five steps in order, timed by the item clock, and its forms."""
from datetime import UTC, date, datetime, timedelta

import pytest

from meeting.core import session
from meeting.core.session import DEFAULT_MINUTES, STEPS, Step, session_view

T0 = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)
STEP_ROWS = [Step(10 + i, step, DEFAULT_MINUTES[step]) for i, step in enumerate(STEPS)]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def events(*stretches) -> dict[int, list]:
    """Clock events per step id from (step index, kind, minute) triples."""
    found: dict[int, list] = {}
    for index, kind, minute, *seconds in stretches:
        found.setdefault(10 + index, []).append((kind, at(minute), seconds[0] if seconds else 0))
    return found


def test_the_seeds_five_steps_in_order_take_95_minutes():
    assert STEPS == ("case_presentation", "systemic_analysis", "reflective_round", "options", "closing")
    assert [DEFAULT_MINUTES[s] for s in STEPS] == [25, 20, 15, 25, 10]
    assert sum(DEFAULT_MINUTES.values()) == 95


def test_before_the_start_every_step_waits_and_the_first_is_next():
    view = session_view(reversed(STEP_ROWS), {}, None, T0)  # stored order does not matter
    assert [p.step.step for p in view.steps] == list(STEPS)
    assert [p.state for p in view.steps] == ["waiting"] * 5
    assert view.current is None and view.next_up.step.step == "case_presentation"
    assert (view.planned_seconds, view.used_seconds, view.projected_seconds) == (95 * 60, 0, 95 * 60)


def test_a_running_step_counts_down_like_an_item_and_the_next_step_is_the_following_one():
    view = session_view(STEP_ROWS, events((0, "start", 0)), 10, at(10))
    assert view.current.step.step == "case_presentation"
    assert view.current.clock.remaining_seconds == 15 * 60 and view.current.clock.phase == "normal"
    assert view.next_up.step.step == "systemic_analysis"
    assert view.used_seconds == 600 and view.over_seconds == 0


def test_steps_follow_each_other_and_done_steps_keep_the_time_they_used():
    stored = events((0, "start", 0), (0, "end", 22), (1, "start", 22))
    view = session_view(STEP_ROWS, stored, 11, at(30))
    assert [p.state for p in view.steps] == ["done", "current", "waiting", "waiting", "waiting"]
    assert view.steps[0].clock.elapsed_seconds == 22 * 60
    assert view.current.clock.remaining_seconds == 12 * 60
    assert view.next_up.step.step == "reflective_round"
    # 3 minutes won on the first step: the session is projected to end early, never "over"
    assert view.projected_seconds == 92 * 60 and view.over_seconds == 0


def test_an_overrun_step_turns_red_and_the_session_is_projected_over_time():
    view = session_view(STEP_ROWS, events((0, "start", 0)), 10, at(31))
    assert view.current.clock.phase == "red" and view.current.clock.overrun_seconds == 6 * 60
    assert view.over_seconds == 6 * 60


def test_pause_and_the_chairs_extension_are_replayed_from_the_stored_events():
    stored = events((0, "start", 0), (0, "pause", 5), (0, "resume", 15), (0, "extend", 16, 120))
    view = session_view(STEP_ROWS, stored, 10, at(20))
    assert view.current.clock.elapsed_seconds == 10 * 60  # ten paused minutes do not count
    assert view.current.clock.allowed_seconds == 27 * 60 and view.current.clock.extensions == 1
    paused = session_view(STEP_ROWS, events((0, "start", 0), (0, "pause", 5)), 10, at(500))
    assert paused.current.clock.remaining_seconds == 20 * 60  # a restart hours later loses nothing


def test_the_last_step_has_no_next_and_the_chair_is_told_to_decide():
    stored = events(*[(i, kind, 10 * i + (5 if kind == "end" else 0)) for i in range(4) for kind in ("start", "end")],
                    (4, "start", 40))
    view = session_view(STEP_ROWS, stored, 14, at(45))
    assert view.current.step.step == "closing" and view.next_up is None
    assert "closing decision" in session.next_step_refusal(view, "running")
    assert session.next_step_refusal(session_view(STEP_ROWS, {}, None, T0), "planned") == "Start the session first."
    assert session.next_step_refusal(session_view(STEP_ROWS, {}, None, T0), "running") is None


@pytest.mark.parametrize("form, minutes, fields", [
    ({}, DEFAULT_MINUTES, set()),
    ({"minutes_options": "30", "minutes_closing": " 5 "}, DEFAULT_MINUTES | {"options": 30, "closing": 5}, set()),
    ({"minutes_case_presentation": "0"}, None, {"minutes_case_presentation"}),
    ({"minutes_reflective_round": "61"}, None, {"minutes_reflective_round"}),
    ({"minutes_systemic_analysis": "ten"}, None, {"minutes_systemic_analysis"}),
])
def test_step_minutes_default_to_the_seed_and_stay_between_1_and_60(form, minutes, fields):
    parsed, errors = session.parse_minutes(form)
    assert set(errors) == fields
    if minutes:
        assert parsed == minutes


CLIENT = {"treatment_start": "2025-01-10"}
LONG_CLIENT = {"treatment_start": "2023-01-10"}
NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
GOOD = {"presenter_id": "3"}


@pytest.mark.parametrize("name, form, start, client, fields", [
    ("valid", GOOD, at(0), CLIENT, set()),
    ("in the past", GOOD, NOW - timedelta(hours=1), CLIENT, {"day"}),
    ("no moment", GOOD, None, CLIENT, {"day"}),
    ("unknown client", GOOD, at(0), None, {"client_reference"}),
    ("presenter not in the team", {"presenter_id": "99"}, at(0), CLIENT, {"presenter_id"}),
    ("two years without a colleague", GOOD, at(0), LONG_CLIENT, {"colleague_id"}),
    ("two years with a colleague of another team", GOOD | {"colleague_id": "7"}, at(0), LONG_CLIENT, set()),
    ("two years with someone from outside", GOOD | {"external_colleague": "Dr. Q, Centrum X"}, at(0), LONG_CLIENT,
     set()),
    ("a colleague who is not outside the team", GOOD | {"colleague_id": "3"}, at(0), CLIENT, {"colleague_id"}),
    ("both kinds of colleague", GOOD | {"colleague_id": "7", "external_colleague": "Q"}, at(0), CLIENT,
     {"colleague_id"}),
    ("control characters in the outside name", GOOD | {"external_colleague": "Q\x1b"}, at(0), CLIENT,
     {"external_colleague"}),
])
def test_a_session_plan(name, form, start, client, fields):
    errors = session.validate_plan(form, start, NOW, client, {3, 4}, {7}, start and start.date())
    assert set(errors) == fields, name


@pytest.mark.parametrize("step, form, fields", [
    ("systemic_analysis", {"level": "patient", "text": "Fear of relapse"}, set()),
    ("systemic_analysis", {"text": "No level"}, {"level"}),
    ("options", {"level": "organisation", "text": ""}, {"text"}),
    ("options", {"level": "clinician", "text": "x" * 301}, {"text"}),
    ("systemic_analysis", {"level": "patient", "text": "line\nbreak"}, {"text"}),
    ("reflective_round", {"text": "I keep going to avoid disappointing her.\nAnd me."}, set()),
    ("closing", {"text": "  "}, {"text"}),
    ("case_presentation", {"text": "A solution!"}, {"step"}),
])
def test_cards_need_a_level_except_insights(step, form, fields):
    card, errors = session.validate_card(step, form)
    assert set(errors) == fields
    assert (card is None) == bool(fields)


def test_an_insight_never_carries_a_level():
    card, _ = session.validate_card("closing", {"level": "patient", "text": "Sharper at the one-year mark"})
    assert card == {"step": "closing", "level": None, "text": "Sharper at the one-year mark"}


def test_the_board_groups_cards_by_step_and_level_in_the_order_they_came():
    cards = [{"id": 1, "step": "systemic_analysis", "level": "patient", "text": "a"},
             {"id": 2, "step": "options", "level": "organisation", "text": "b"},
             {"id": 3, "step": "systemic_analysis", "level": "patient", "text": "c"},
             {"id": 4, "step": "closing", "level": None, "text": "d"}]
    board = session.board(cards)
    assert [c["id"] for c in board["systemic_analysis"]["patient"]] == [1, 3]
    assert board["systemic_analysis"]["clinician"] == [] and [c["id"] for c in board["options"]["organisation"]] == [2]
    assert [c["id"] for c in board["closing"][None]] == [4] and board["reflective_round"][None] == []


def test_preparation_texts_are_checked():
    values, errors = session.validate_preparation({"request_and_start": "Depression, 2019",
                                                   "finishing_hard": "x" * 1501})
    assert values["tried_towards_finishing"] == "" and set(errors) == {"finishing_hard"}


def test_a_named_colleague_counts_as_invited_in_the_decision():
    assert session.with_named_colleague({}, {"colleague_id": 7})["colleague_invited"] == "yes"
    assert session.with_named_colleague({}, {"external_colleague": "Dr. Q"})["colleague_invited"] == "yes"
    assert "colleague_invited" not in session.with_named_colleague({}, {"colleague_id": None, "external_colleague": ""})


def test_session_day_is_what_the_two_year_rule_looks_at():
    # a client reaching two years between today and the session: the session day counts
    client = {"treatment_start": "2024-02-15"}
    assert not session.validate_plan(GOOD, at(0), NOW, client, {3}, set(), date(2026, 2, 10))
    assert "colleague_id" in session.validate_plan(GOOD, at(0), NOW, client, {3}, set(), date(2026, 2, 20))
