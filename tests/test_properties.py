"""Property-based tests (hypothesis) of the pure rules: the clock, the budgets and the agenda's planning.

Each property holds for every input hypothesis can find, not only for the examples the other tests pick.
"""
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from meeting.core import budget, clock, planning

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTIONS = st.lists(st.tuples(st.sampled_from(["toggle", "toggle", "extend", "end"]), st.integers(0, 900)), max_size=12)
# events at distinct moments (stored times have whole seconds; equal ones replay in the order stored, by id)
DISTINCT = st.lists(st.tuples(st.sampled_from(["toggle", "toggle", "extend", "end"]), st.integers(1, 900)), max_size=12)


def stored_events(planned_actions) -> list:
    """What the store would hold: start, then each chair action the rules accept, at increasing times."""
    events, at = [("start", START, 0)], START
    for action, gap in planned_actions:
        at += timedelta(seconds=gap)
        kind, seconds = clock.chair_event(events, action) if action != "end" else ("end", 0)
        if clock.validate_transition(events, kind, seconds) is None:
            events.append((kind, at, seconds))
    return events


@settings(max_examples=100, deadline=None)
@given(ACTIONS, st.integers(1, 3600), st.integers(0, 20_000), st.integers(0, 20_000))
def test_the_clock_never_runs_backwards_or_faster_than_time(actions, planned, later, more):
    events = stored_events(actions)
    first = clock.clock_state(events, planned, events[-1][1] + timedelta(seconds=later))
    second = clock.clock_state(events, planned, events[-1][1] + timedelta(seconds=later + more))
    assert 0 <= first.elapsed_seconds <= second.elapsed_seconds
    assert second.elapsed_seconds <= (events[-1][1] - START).total_seconds() + later + more
    assert second.allowed_seconds == planned + clock.EXTENSION_SECONDS * second.extensions
    assert second.remaining_seconds == second.allowed_seconds - second.elapsed_seconds
    if first.status in ("paused", "ended"):  # a stopped clock shows the same at any later moment
        assert first == second


@settings(max_examples=100, deadline=None)
@given(DISTINCT, st.integers(1, 3600), st.randoms())
def test_the_clock_is_the_same_whatever_order_its_events_are_read_in(actions, planned, rng):
    events = stored_events(actions)
    shuffled = events[:]
    rng.shuffle(shuffled)
    now = events[-1][1] + timedelta(minutes=5)
    assert clock.clock_state(shuffled, planned, now) == clock.clock_state(events, planned, now)


@settings(max_examples=100, deadline=None)
@given(ACTIONS)
def test_after_end_no_clock_action_is_accepted(actions):
    events = stored_events(actions) + [("end", START + timedelta(days=1), 0)]
    if clock.validate_transition(events[:-1], "end") is None:
        assert all(clock.validate_transition(events, kind, 120) for kind in clock.KINDS)


ITEM_TIMES = st.lists(st.builds(budget.ItemTime, st.sampled_from(budget.TRACKS), st.integers(0, 3600),
                                st.integers(0, 3600)), max_size=20)
BUDGETS = st.fixed_dictionaries({"acute": st.integers(0, 120), "regular": st.integers(0, 120)})


@settings(max_examples=100, deadline=None)
@given(BUDGETS, ITEM_TIMES, st.lists(st.tuples(st.sampled_from(budget.TRACKS), st.integers(1, 30)), max_size=5))
def test_borrowing_moves_minutes_between_tracks_and_creates_none(budgets, items, borrowings):
    accounting = budget.account(budgets, items, borrowings)
    total = accounting.acute.effective_seconds + accounting.regular.effective_seconds
    assert total == (budgets["acute"] + budgets["regular"]) * 60
    for track in budget.TRACKS:
        account = accounting.track(track)
        assert account.used_seconds == sum(i.used_seconds for i in items if i.track == track)
        assert account.remaining_seconds == account.effective_seconds - account.used_seconds


@settings(max_examples=100, deadline=None)
@given(BUDGETS, ITEM_TIMES, st.sampled_from(budget.TRACKS), st.one_of(st.integers(-5, 200), st.text(max_size=5)))
def test_an_accepted_loan_never_leaves_the_lender_in_debt(budgets, items, lender, minutes):
    before = budget.account(budgets, items)
    if budget.borrow(before, lender, minutes) == {}:
        after = budget.account(budgets, items, [(lender, int(str(minutes).strip()))])
        assert after.track(lender).remaining_seconds >= 0
        other = budget.other_track(lender)
        assert after.track(other).remaining_seconds > before.track(other).remaining_seconds


def agenda_items(most: int):
    """Agenda items with ids 1..n, any track, label, minutes, position and overdue days."""
    fields = st.tuples(st.sampled_from(["acute", "regular"]), st.sampled_from(["announcement", "question", "issue"]),
                       st.integers(1, 60), st.integers(1, 30), st.integers(0, 400))
    return st.lists(fields, max_size=most).map(lambda rows: [
        planning.AgendaItem(n + 1, track, label, minutes, position, days_overdue=overdue)
        for n, (track, label, minutes, position, overdue) in enumerate(rows)])


@settings(max_examples=100, deadline=None)
@given(agenda_items(25), st.sampled_from(planning.ORDER_POLICIES))
def test_the_agenda_order_keeps_every_item_once_consent_block_first(items, policy):
    ordered = planning.order_agenda(items, policy)
    assert sorted(i.id for i in ordered) == sorted(i.id for i in items)
    labels = [i.label == "announcement" for i in ordered]
    assert labels == sorted(labels, reverse=True)  # all announcements, then the discussions
    first = "acute" if policy == planning.ACUTE_FIRST else "regular"
    discussions = [i for i in ordered if i.label != "announcement"]
    tracks = [i.track != first for i in discussions]
    assert tracks == sorted(tracks)  # the policy's track first
    for track in ("acute", "regular"):
        positions = [i.position for i in discussions if i.track == track]
        assert positions == sorted(positions)


@settings(max_examples=100, deadline=None)
@given(agenda_items(25), st.integers(0, 240))
def test_proposed_deferrals_fit_the_budget_and_lose_no_item(items, budget_minutes):
    regular = [i for i in items if i.track == "regular"]
    proposal = planning.propose_deferrals(regular, budget_minutes)
    kept, deferred = [i.id for i in proposal.keep], [d.item.id for d in proposal.defer]
    assert sorted(kept + deferred) == sorted(i.id for i in regular) and not set(kept) & set(deferred)
    assert sum(i.minutes for i in proposal.keep) <= budget_minutes
    left = budget_minutes - sum(i.minutes for i in proposal.keep)
    assert all(d.item.minutes > left for d in proposal.defer)  # nothing deferred that would still have fitted


@settings(max_examples=100, deadline=None)
@given(agenda_items(25), st.integers(0, 120))
def test_a_track_fits_in_order_until_the_first_item_past_its_budget(items, budget_minutes):
    fit = planning.track_fit(items, budget_minutes)
    assert sum(i.minutes for i in fit.fits) <= budget_minutes
    assert len(fit.fits) + len(fit.does_not_fit) == len(items)
    assert fit.planned_minutes == sum(i.minutes for i in items)
    assert fit.over_by == max(fit.planned_minutes - budget_minutes, 0)
