"""Evaluation dates, due reviews and their order, one- and two-year milestones, the weekly need."""
from datetime import date

import pytest

from meeting.core.evaluations import (
    ONE_YEAR,
    PROMPTS,
    TWO_YEAR,
    ClientRecord,
    add_months,
    count_active,
    days_overdue,
    due_reviews,
    milestone,
    milestone_reviews,
    next_evaluation_due,
    review_queue,
    reviews_needed_per_week,
    rotation,
    treatment_months,
)

D = date.fromisoformat


def client(ref="C-1", start="2024-01-15", status="active", evaluated=None, decided=None,
           invited=None, clinician_id=1) -> ClientRecord:
    """A client record from ISO date strings."""
    return ClientRecord(ref, clinician_id, D(start), status,
                        evaluated and D(evaluated), decided and D(decided), invited and D(invited))


# ---- date arithmetic --------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    ("2025-01-15", 6, "2025-07-15"),
    ("2025-01-31", 1, "2025-02-28"),
    ("2024-01-31", 1, "2024-02-29"),
    ("2024-08-31", 6, "2025-02-28"),
    ("2025-11-30", 3, "2026-02-28"),
    ("2025-03-31", -1, "2025-02-28"),
    ("2025-01-15", -13, "2023-12-15"),
    ("2025-01-15", 0, "2025-01-15"),
])
def test_add_months(day, months, expected):
    assert add_months(D(day), months) == D(expected)


@pytest.mark.parametrize("start, last, interval, expected", [
    ("2024-01-15", None, 6, "2024-07-15"),
    ("2024-01-15", "2024-06-01", 6, "2024-12-01"),
    ("2024-01-15", "2024-06-01", 12, "2025-06-01"),
])
def test_next_evaluation_due(start, last, interval, expected):
    assert next_evaluation_due(D(start), last and D(last), interval) == D(expected)


@pytest.mark.parametrize("start, today, expected", [
    ("2024-01-15", "2024-01-15", 0),
    ("2024-01-15", "2024-02-14", 0),
    ("2024-01-15", "2024-02-15", 1),
    ("2024-01-15", "2025-01-14", 11),
    ("2024-01-15", "2025-01-15", 12),
    ("2024-01-31", "2024-02-29", 1),
    ("2024-03-01", "2024-01-01", 0),  # not started yet
])
def test_treatment_months(start, today, expected):
    assert treatment_months(D(start), D(today)) == expected


@pytest.mark.parametrize("due, today, expected", [
    ("2025-01-15", "2025-01-14", 0), ("2025-01-15", "2025-01-15", 0),
    ("2025-01-15", "2025-01-16", 1), ("2024-01-15", "2025-01-15", 366),
])
def test_days_overdue(due, today, expected):
    assert days_overdue(D(due), D(today)) == expected


# ---- due reviews ------------------------------------------------------------------------------

MEETING = "2025-01-15"


@pytest.mark.parametrize("record, interval, due, overdue", [
    (client(start="2024-07-15"), 6, "2025-01-15", 0),  # exactly on the due date: due
    (client(start="2024-07-16"), 6, None, None),  # due the day after the meeting
    (client(start="2024-07-01"), 6, "2025-01-01", 14),
    (client(start="2020-01-01", evaluated="2024-07-15"), 6, "2025-01-15", 0),
    (client(start="2020-01-01", evaluated="2024-09-01"), 6, None, None),  # evaluated recently
    (client(start="2020-01-01", evaluated="2024-09-01"), 4, "2025-01-01", 14),
    (client(start="2024-01-15", evaluated="2024-03-01"), 12, None, None),
    (client(start="2023-01-15", status="finished"), 6, None, None),
    (client(start="2025-03-01"), 6, None, None),  # starts after the meeting
])
def test_due_reviews_single_client(record, interval, due, overdue):
    found = due_reviews([record], D(MEETING), interval)
    expected = [] if due is None else [(record.reference, D(due), overdue, record.last_evaluation)]
    assert [(r.reference, r.due, r.days_overdue, r.last_evaluation) for r in found] == expected


def test_due_reviews_most_overdue_first_ties_by_the_longest_wait():
    records = [client("B", "2024-07-15"), client("C", "2023-01-01"), client("A", "2024-07-15"),
               client("D", "2024-05-02"), client("E", "2024-12-01"),
               ClientRecord("F", 1, D("2023-01-01"), "active", D("2024-05-01"),  # due with A and B (agreed),
                            next_evaluation_on=D(MEETING))]  # but waiting since May: longer
    found = due_reviews(records, D(MEETING), 6)
    assert [(r.reference, r.days_overdue) for r in found][:3] == [("C", 564), ("D", 74), ("F", 0)]
    assert {r.reference for r in found[3:]} == {"A", "B"}


def test_equal_clients_take_turns_week_by_week_never_by_reference():
    """Same due date, same last review: the order rotates from week to week, so nobody always waits."""
    records = [client(f"R-{i}", "2024-07-15") for i in range(8)]
    firsts = {review_queue(records, D("2025-02-03") + (D("2025-02-10") - D("2025-02-03")) * week, 6)[0].reference
              for week in range(12)}
    assert len(firsts) > 3
    assert review_queue(records, D(MEETING), 6) == review_queue(records, D(MEETING), 6)  # deterministic
    assert rotation(D("2025-02-03"), "R-1") == rotation(D("2025-02-07"), "r-1")  # one turn a week


def test_due_reviews_of_no_clients():
    assert due_reviews([], D(MEETING), 6) == []


# ---- milestones -------------------------------------------------------------------------------

TODAY = "2025-01-15"


@pytest.mark.parametrize("record, kind, years, mark, invited", [
    (client(start="2024-01-16"), None, None, None, None),  # one day short of a year
    (client(start="2024-01-15"), ONE_YEAR, 1, "2025-01-15", None),  # exactly one year
    (client(start="2023-10-01"), ONE_YEAR, 1, "2024-10-01", None),
    (client(start="2023-10-01", decided="2024-10-01"), None, None, None, None),  # decided on the mark
    (client(start="2023-10-01", decided="2024-09-30"), ONE_YEAR, 1, "2024-10-01", None),
    (client(start="2023-10-01", invited="2024-11-01"), ONE_YEAR, 1, "2024-10-01", None),
    (client(start="2023-01-15"), TWO_YEAR, 2, "2025-01-15", None),  # two years wins over one
    (client(start="2022-12-01", decided="2023-12-05"), TWO_YEAR, 2, "2024-12-01", None),
    (client(start="2022-12-01", decided="2024-12-05"), None, None, None, None),
    (client(start="2022-12-01", invited="2024-12-10"), TWO_YEAR, 2, "2024-12-01", "2024-12-10"),
    (client(start="2022-12-01", invited="2024-11-30"), TWO_YEAR, 2, "2024-12-01", None),
    # every anniversary after two years is a new extension: decided at 2.5 years, now 3 years
    (client(start="2021-12-01", decided="2024-06-01"), TWO_YEAR, 3, "2024-12-01", None),
    (client(start="2019-01-15", decided="2024-06-01"), TWO_YEAR, 6, "2025-01-15", None),
    (client(start="2021-12-01", status="finished"), None, None, None, None),
])
def test_milestone(record, kind, years, mark, invited):
    found = milestone(record, D(TODAY))
    if kind is None:
        assert found is None
    else:
        assert (found.milestone, found.years, found.mark, found.colleague_invited_at) == (
            kind, years, D(mark), invited and D(invited))
        assert found.days_since_mark == (D(TODAY) - D(mark)).days
        assert found.prompt == PROMPTS[kind]


def test_milestone_prompts_ask_the_continuation_question_and_for_a_colleague():
    assert "what do we still want to achieve" in PROMPTS[ONE_YEAR]
    assert "colleague" in PROMPTS[TWO_YEAR]


def test_milestone_reviews_longest_waiting_first():
    records = [client("A", "2023-10-01"), client("B", "2024-03-01"), client("C", "2022-06-01"),
               client("D", "2023-12-01", decided="2024-12-02"), client("E", "2022-07-01")]
    found = milestone_reviews(records, D(TODAY))
    assert [(m.reference, m.milestone, m.days_since_mark) for m in found] == [
        ("C", TWO_YEAR, 228), ("E", TWO_YEAR, 198), ("A", ONE_YEAR, 106)]


# ---- the weekly need -----------------------------------------------------------------------------

@pytest.mark.parametrize("clients, months, needed", [
    (245, 6, 10),  # 245 / 26 weeks = 9.42 -> 10 a week
    (245, 12, 5),  # 245 / 52 = 4.71 -> 5
    (245, 3, 19),  # 245 / 13 = 18.8 -> 19
    (26, 6, 1),  # exactly one a week
    (27, 6, 2),  # one client more needs a second review
    (0, 6, 0),
    (13, 1, 3),  # 13 / (52/12 weeks) is exactly 3: no float rounding up to 4
])
def test_reviews_needed_per_week(clients, months, needed):
    assert reviews_needed_per_week(clients, months) == needed


@pytest.mark.parametrize("args", [(10, 0), (-1, 6)])
def test_reviews_needed_rejects_impossible_input(args):
    with pytest.raises(ValueError):
        reviews_needed_per_week(*args)


# ---- a demo-sized team: 245 active clients over six years ------------------------------------
# Every date is the 15th, so whole months are exact and the oracles below count in months,
# independent of the date arithmetic under test.

DEMO_MEETING = D("2025-01-15")


def demo_client(i: int) -> tuple[ClientRecord, int, int | None, int | None]:
    """Client i, its months in treatment, months since last evaluation and since the decision."""
    started = i % 72 + 1  # 1..72 months ago: spread over six years
    evaluated = {0: None, 1: 3, 2: 8}[i % 3]  # never, 3 or 8 months ago
    evaluated = evaluated if evaluated is not None and evaluated < started else None
    decided = 1 if i % 4 == 0 and started > 1 else None  # continuation decision a month ago
    record = ClientRecord(f"C-{i:03d}", i % 16 + 1, add_months(DEMO_MEETING, -started), "active",
                          evaluated and add_months(DEMO_MEETING, -evaluated),
                          decided and add_months(DEMO_MEETING, -decided))
    return record, started, evaluated, decided


DEMO = [demo_client(i) for i in range(245)]
ENDED = [ClientRecord(f"X-{i}", 1, D("2019-03-15"), "finished") for i in range(20)]
DEMO_CLIENTS = [record for record, *_ in DEMO] + ENDED
by_reference = {record.reference: record for record in DEMO_CLIENTS}


def test_demo_team_due_reviews():
    expected = {r.reference: months - 6 for r, started, evaluated, _ in DEMO
                if (months := evaluated if evaluated is not None else started) >= 6}
    found = due_reviews(DEMO_CLIENTS, DEMO_MEETING, 6)
    assert {r.reference for r in found} == set(expected)
    # by hand: evaluated 3 months ago (i % 3 == 1) is never due; the others are once started
    # 6+ months ago (i % 72 >= 5): 245 - 82 = 163 with i % 3 != 1, minus 12 started too recently
    assert len(found) == 151
    # most overdue first: months overdue never increases along the list
    months_overdue = [expected[r.reference] for r in found]
    assert months_overdue == sorted(months_overdue, reverse=True)
    # the longest-running never-evaluated clients are C-069, C-141 and C-213 (70 months): due 64 months
    # ago; the weekly rotation, not the reference, decides which of them goes first
    assert {r.reference for r in found[:3]} == {"C-069", "C-141", "C-213"}
    assert {r.due for r in found[:3]} == {add_months(DEMO_MEETING, -64)}
    assert found[-1].days_overdue == 0
    exactly_due = [r for r in found if r.due == DEMO_MEETING]
    assert {r.reference for r in exactly_due} == {ref for ref, months in expected.items() if months == 0}
    waits = [r.last_evaluation or by_reference[r.reference].treatment_start for r in exactly_due]
    assert waits == sorted(waits)  # on the same due date the longest wait since the last review first


def test_demo_team_milestones():
    expected = {}
    for record, started, _, decided in DEMO:
        months_since_mark = started % 12  # the latest anniversary, in months ago
        if started >= 12 and not (decided is not None and decided <= months_since_mark):
            expected[record.reference] = ONE_YEAR if started < 24 else TWO_YEAR
    found = milestone_reviews(DEMO_CLIENTS, DEMO_MEETING)
    assert {m.reference: m.milestone for m in found} == expected
    # by hand: 48 clients in their second year, 12 of them (i % 4 == 0, past the mark) decided;
    # 153 at two years or more, 38 of them decided since their latest anniversary
    counts = [sum(m.milestone == kind for m in found) for kind in (ONE_YEAR, TWO_YEAR)]
    assert counts == [36, 115]
    assert all(m.reference.startswith("C-") for m in found)  # finished clients are never flagged


def test_demo_team_weekly_need():
    assert count_active(DEMO_CLIENTS) == 245
    assert reviews_needed_per_week(count_active(DEMO_CLIENTS), 6) == 10
