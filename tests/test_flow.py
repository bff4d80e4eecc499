"""The running meeting's flow, derived from stored values at `now`."""
from datetime import UTC, datetime, timedelta

import pytest

from meeting.core.flow import meeting_view, unfinished
from meeting.core.planning import AgendaItem

T0 = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
BUDGETS = {"acute": 10, "regular": 20}


def item(id, track="acute", label="issue", minutes=5, position=None):
    return AgendaItem(id=id, track=track, label=label, minutes=minutes, position=position or id)


def started(at, minutes_ago):
    return [{"kind": "start", "at": (at - timedelta(minutes=minutes_ago)).isoformat(), "seconds": 0}]


def ended(at, minutes_ago, used_minutes):
    start = at - timedelta(minutes=minutes_ago)
    return [{"kind": "start", "at": start.isoformat(), "seconds": 0},
            {"kind": "end", "at": (start + timedelta(minutes=used_minutes)).isoformat(), "seconds": 0}]


def view(items, states=None, events=None, current=None, policy="acute_first", borrowings=()):
    states = states or {i.id: "planned" for i in items}
    return meeting_view(items, states, events or {}, current, policy, BUDGETS, list(borrowings), T0)


def test_an_empty_meeting_has_nothing_next_and_nothing_to_resolve():
    v = view([])
    assert (v.current, v.next_up, v.resolution, v.waiting) == (None, None, None, ())


@pytest.mark.parametrize("policy, first", [("acute_first", 1), ("regular_first", 2)])
def test_next_item_follows_the_order_policy_and_skips_announcements(policy, first):
    items = [item(1), item(2, track="regular"), item(3, label="announcement")]
    assert view(items, policy=policy).next_up.item.id == first


def test_the_current_item_runs_on_its_clock():
    items = [item(1, minutes=5)]
    v = view(items, events={1: started(T0, 3)}, current=1)
    assert v.current.clock.status == "running" and v.current.clock.remaining_seconds == 120
    assert v.next_up is None


def test_spent_acute_budget_blocks_the_next_acute_item_until_resolved():
    items = [item(1, minutes=10), item(2, minutes=5)]
    states = {1: "decided", 2: "planned"}
    v = view(items, states=states, events={1: ended(T0, 20, 11)})
    assert v.accounting.acute.used_seconds == 660
    assert v.resolution is not None and v.resolution.track == "acute"
    assert set(v.resolution.options) == {"defer", "borrow"}


def test_borrowed_minutes_lift_the_block_and_show_in_both_budgets():
    items = [item(1, minutes=10), item(2, minutes=5)]
    states = {1: "decided", 2: "planned"}
    v = view(items, states=states, events={1: ended(T0, 20, 11)},
             borrowings=[{"from_track": "regular", "minutes": 6}])
    assert v.resolution is None
    assert (v.accounting.acute.effective_seconds, v.accounting.regular.effective_seconds) == (960, 840)


def test_planned_time_counts_until_an_item_is_closed_then_the_used_time():
    items = [item(1, minutes=5), item(2, minutes=5)]
    v = view(items, states={1: "decided", 2: "planned"}, events={1: ended(T0, 10, 2)})
    assert v.accounting.acute.planned_seconds == 120 + 300


def test_unfinished_items_are_listed_for_carrying_over():
    items = [item(1), item(2), item(3, track="regular")]
    v = view(items, states={1: "decided", 2: "planned", 3: "deferred"})
    assert [p.item.id for p in unfinished(v)] == [2]


def test_end_estimate_follows_the_pace_of_the_closed_items():
    from meeting.core.flow import end_estimate
    items = [item(1, minutes=5), item(2, "regular", minutes=5), item(3, "regular", minutes=5),
             item(4, "regular", minutes=5)]
    # item 1 took 10 minutes for 5 planned: pace 2.0; three regular reviews of 5 min wait, 10 min each now
    v = view(items, states={1: "decided", 2: "planned", 3: "planned", 4: "planned"},
             events={1: ended(T0, 12, 10)})
    estimate = end_estimate(v, "acute_first", T0 + timedelta(minutes=25), T0)
    assert estimate.pace == 2.0
    assert estimate.ends_at == T0 + timedelta(minutes=30)
    assert estimate.over_seconds == 5 * 60
    assert (estimate.regular_fit, estimate.regular_waiting) == (2, 3)  # 25 min left: two of ten minutes


def test_end_estimate_is_bounded_by_the_regular_budget_and_counts_the_current_item():
    from meeting.core.flow import end_estimate
    items = [item(1, "regular", minutes=8), item(2, "regular", minutes=8), item(3, "regular", minutes=8)]
    v = view(items, events={1: started(T0, 3)}, current=1)  # 5 min left of item 1; budget 20 - 3 used
    estimate = end_estimate(v, "acute_first", T0 + timedelta(hours=2), T0)
    assert estimate.pace == 1.0 and estimate.ends_at == T0 + timedelta(minutes=21)
    assert estimate.over_seconds == 0
    assert (estimate.regular_fit, estimate.regular_waiting) == (1, 2)  # 17 - 5 = 12 min of budget: one of 8


@pytest.mark.parametrize("actions, announcements, expected", [
    (2, 1, "look_back"), (0, 1, "consent"), (0, 0, "items"), (1, 0, "look_back")])
def test_empty_phases_are_skipped(actions, announcements, expected):
    from meeting.core.flow import first_phase
    assert first_phase(actions, announcements) == expected
