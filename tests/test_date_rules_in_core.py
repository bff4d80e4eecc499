"""The date rules live in the core; the store stores the days they give and compares them with a day. These check
that each stored day says what the rule says on every day, 29 February included."""
from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from meeting.core import client_evaluation, evaluations

DAYS = st.dates(date(2019, 1, 1), date(2033, 12, 31))
LEAP = st.sampled_from([date(2020, 2, 28), date(2020, 2, 29), date(2021, 2, 28), date(2024, 2, 29),
                        date(2027, 2, 28), date(2028, 2, 29), date(2028, 3, 1)])


@settings(max_examples=500, deadline=None)
@given(DAYS | LEAP, DAYS | LEAP, st.integers(-400, 800))
def test_the_stored_days_give_the_legal_status_on_any_day(start, evaluated_on, offset):
    day = evaluated_on + timedelta(days=offset)
    status = client_evaluation.legal_status(start, evaluated_on, day) if offset >= 0 else None
    if status is not None:  # the stored comparisons of the store's SQL (meeting.store.calendar)
        evaluated = day <= client_evaluation.covered_until(evaluated_on)
        stored = "evaluated" if evaluated else \
            "not_yet_due" if day <= client_evaluation.not_yet_due_until(start) else "overdue"
        assert stored == status
    never = client_evaluation.legal_status(start, None, day)
    assert never == ("not_yet_due" if day <= client_evaluation.not_yet_due_until(start) else "overdue")


@settings(max_examples=500, deadline=None)
@given(DAYS | LEAP, DAYS | LEAP, DAYS | LEAP)
def test_the_anniversaries_marked_with_one_are_those_marked_the_same_day(first, second, today):
    assume(max(first, second) <= today - timedelta(days=366))  # both more than a year in treatment
    first, second = sorted((first, second), key=evaluations.anniversary)
    marked = evaluations.last_anniversary_marked(today)
    groups = [evaluations.anniversary(day) <= marked for day in (first, second)]
    if groups[0] == groups[1]:
        same_day = evaluations.latest_mark(first, today)[1] == evaluations.latest_mark(second, today)[1]
        through = evaluations.marked_with(evaluations.anniversary(first), groups[0], today)
        assert (evaluations.anniversary(second) <= through) == same_day
