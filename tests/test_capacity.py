"""The capacity line: review slots the regular budget really leaves, and the forecast replayed the way the
freeze takes reviews (hand-computed on small registers; the demo-sized season is in test_season.py)."""
from datetime import date, timedelta

import pytest

from meeting.core import capacity
from meeting.core.evaluations import ClientRecord

D = date.fromisoformat
TODAY, FIRST_MEETING = D("2026-01-05"), D("2026-01-06")  # a Monday, and the Tuesday meeting


def record(ref, last=None, start="2020-01-01", agreed=None):
    return ClientRecord(ref, 1, D(start), "active", last and D(last), next_evaluation_on=agreed and D(agreed))


@pytest.mark.parametrize("budget, other, review, slots", [
    (60, 0, 10, 6), (60, 10, 10, 5), (60, 2.5, 10, 5), (30, 10, 10, 2), (5, 10, 10, 0), (65, 0, 10, 6),
])
def test_review_slots(budget, other, review, slots):
    assert capacity.review_slots(budget, other, review) == slots


def test_review_slots_refuse_impossible_input():
    with pytest.raises(ValueError):
        capacity.review_slots(60, 0, 0)
    with pytest.raises(ValueError):
        capacity.review_slots(60, -1, 10)


def test_the_other_items_are_averaged_over_the_recent_meetings():
    assert capacity.average_other_minutes([10, 0, 5, 5]) == 5
    assert capacity.average_other_minutes([]) == 0
    assert capacity.Pace(60, 5, 10, 4).slots == 5


SMALL = [record("A", "2025-07-01"),  # due 2026-01-01: past 6 months from 2 January
         record("B", "2025-07-15"),  # due 2026-01-15
         record("C", start="2025-12-01"),  # new: due 2026-06-01
         record("D", "2025-06-01")]  # due 2025-12-01


def test_replay_takes_one_review_a_week_in_the_freezes_order_and_pulls_forward():
    weeks = capacity.replay(SMALL, TODAY, FIRST_MEETING, 6, 1)
    past = [next(weeks).past_norm for _ in range(6)]
    # now A and D are past 6 months; 6 Jan D is reviewed, 13 Jan A, 20 Jan B (due the 15th: past on the
    # 19th), 27 Jan C is pulled forward though due only in June; from then on nobody is past
    assert past == [2, 1, 1, 0, 0, 0]


def test_the_forecast_of_a_small_register():
    f = capacity.forecast(SMALL, TODAY, FIRST_MEETING, 6, capacity.Pace(10, 0, 10))
    assert (f.slots, f.needed, f.achievable) == (1, 1, True)
    assert [(w.weeks, w.past_norm, w.past_legal) for w in f.checkpoints] == [(0, 2, 0), (4, 0, 0), (13, 0, 0),
                                                                             (26, 0, 0)]
    assert f.clears.weeks == 3 and f.legal_breach is None and f.budget_suffices


def test_a_register_heading_past_the_legal_minimum_is_warned_weeks_ahead():
    """Three clients last reviewed on 1 March 2025 and no review slot: on Monday 2 March 2026 they are past
    12 months, eight weeks after today."""
    clients = [record(f"L-{i}", "2025-03-01") for i in range(3)]
    f = capacity.forecast(clients, TODAY, FIRST_MEETING, 6, capacity.Pace(0, 0, 10))
    assert f.checkpoints[0].past_legal == 0
    assert (f.legal_breach.weeks, f.legal_breach.day, f.newly_past_legal_peak) == (8, D("2026-03-02"), 3)
    assert not f.achievable and f.clears is None


def test_the_advised_budget_is_the_smallest_that_brings_and_keeps_everyone_within_the_norm():
    clients = [record(f"O-{i:02d}", "2025-05-01") for i in range(20)] + \
              [record(f"N-{i:02d}", (D("2025-08-01") + timedelta(days=7 * i)).isoformat()) for i in range(20)]
    f = capacity.forecast(clients, TODAY, FIRST_MEETING, 6, capacity.Pace(10, 4, 10))
    assert f.slots == 0 and not f.budget_suffices
    advised = f.budget_for_norm
    assert advised is not None and (advised - 4) % 10 == 0
    slots = f.slots_for_norm
    assert capacity.keeps_within_norm(clients, TODAY, FIRST_MEETING, 6, slots)
    assert not capacity.keeps_within_norm(clients, TODAY, FIRST_MEETING, 6, slots - 1)


def test_no_budget_is_advised_beyond_what_a_team_can_set():
    clients = [record(f"X-{i:03d}", "2025-01-01") for i in range(300)]
    f = capacity.forecast(clients, TODAY, FIRST_MEETING, 1, capacity.Pace(60, 0, 10))
    assert f.needed > 48 and f.budget_for_norm is None


def test_the_replay_takes_exactly_the_freezes_first_reviews_ties_included():
    """The replay's shortcut (rotation only at the cut) picks what `review_queue` puts first."""
    import random

    from meeting.core.evaluations import review_queue
    rng = random.Random(3)
    clients = [record(f"Q-{i:03d}", rng.choice(["2025-06-30", "2025-07-31", "2025-08-31"]),
                      agreed=rng.choice([None, None, "2026-02-28"])) for i in range(60)]
    replayed = [capacity._Replayed(c, 6) for c in clients]
    for weeks in range(8):
        day = FIRST_MEETING + timedelta(weeks=weeks)
        for slots in (1, 5, 17):
            taken = [r.reference for r in capacity._taken(replayed, slots, day)]
            assert taken == [r.reference for r in review_queue(clients, day, 6)[:slots]]


def with_client(ref, last, due, start="2020-01-01", with_client_last=None):
    return ClientRecord(ref, 1, D(start), "active", D(last), with_client_due=D(due),
                        last_with_client=with_client_last and D(with_client_last))


def test_the_legal_minimum_is_forecast_at_the_share_of_reviews_recording_an_evaluation_with_the_client():
    """W-1 and W-2 (evaluated with the client on 1 and 28 February 2025) pass 12 months without one on 1 February and
    28 February 2026 unless a review before records it; A passes on 2 December. Without a review slot all three do.
    With one slot, the review order takes A (past 6 months) on 6 January, then W-1 and W-2 (both due 1 April),
    then whoever is due first: by its due day W-1 had one review, W-2 two, A a dozen."""
    clients = [with_client("W-1", "2025-10-01", "2026-01-31", with_client_last="2025-02-01"),
               with_client("W-2", "2025-10-01", "2026-02-27", with_client_last="2025-02-28"),
               with_client("A", "2025-06-01", "2026-12-01", with_client_last="2025-12-02")]
    none = capacity.forecast(clients, TODAY, FIRST_MEETING, 6, capacity.Pace(0, 0, 10, 8, with_client_share=0.5))
    assert none.with_client.past == (0, 1, 2, 2)  # weeks 0, 4 (2 February), 13, 26 (6 July)
    assert (none.with_client.breach, none.with_client.breach_weeks, none.with_client.at_risk) == (D("2026-02-01"), 3, 3)
    one = capacity.forecast(clients, TODAY, FIRST_MEETING, 6, capacity.Pace(10, 0, 10, 8, with_client_share=0.5))
    # by 2 February W-1 is past with chance 1/2 (rounded: 1); by April every client has had several reviews
    assert one.with_client.past == (0, 1, 0, 0) and one.with_client.at_risk == 1  # 1/2 + 1/4 + 1/2**12
    # nobody past: 1/2 after 1 February, 1/2 * 3/4 after 28 February: from then on more likely than not somebody is
    assert one.with_client.breach == D("2026-02-28")
    every = capacity.forecast(clients, TODAY, FIRST_MEETING, 6, capacity.Pace(10, 0, 10, 8, with_client_share=1.0))
    assert every.with_client.past == (0, 0, 0, 0) and every.with_client.breach is None
    unknown = capacity.forecast(clients, TODAY, FIRST_MEETING, 6, capacity.Pace(10, 0, 10))
    assert unknown.with_client is None


def test_the_coming_agendas_count_their_reviews():
    agendas = [{"state": "frozen", "regular_budget": 60, "items": 7, "reviews": 6, "regular_minutes": 65},
               {"state": "planned", "regular_budget": 60, "items": 2, "reviews": 1, "regular_minutes": 15},
               {"state": "planned", "regular_budget": 60, "items": 0, "reviews": 0, "regular_minutes": 0},
               {"state": "planned", "regular_budget": 60, "items": 3, "reviews": 0, "regular_minutes": 10}]
    assert capacity.coming_slots(agendas, 10) == (6, 5)  # 1 review planned + 4 more the freeze adds; then unknown
    pace = capacity.Pace(60, 20, 10, 8, coming=(6, 5))
    assert [pace.slots_at(n) for n in range(4)] == [6, 5, 4, 4]


def test_two_budgets_one_that_clears_the_backlog_and_a_smaller_one_that_keeps_it_cleared():
    clients = [record(f"O-{i:02d}", "2025-05-01") for i in range(20)] + \
              [record(f"N-{i:03d}", (D("2025-07-10") + timedelta(days=i)).isoformat()) for i in range(150)]
    f = capacity.forecast(clients, TODAY, FIRST_MEETING, 6, capacity.Pace(10, 0, 10))
    assert f.budget_for_norm is not None and f.budget_to_keep is not None
    assert f.budget_to_keep < f.budget_for_norm
    keep, clear = f.slots_to_keep, f.slots_for_norm
    assert capacity.keeps_within_norm(clients, TODAY, FIRST_MEETING, 6, keep, clearing=clear)
    assert not capacity.keeps_within_norm(clients, TODAY, FIRST_MEETING, 6, keep - 1, clearing=clear)
