"""Who is reminded of what, and when: the pure rules, with `now` passed in."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from meeting.core import reminders as rules
from meeting.core.mail import compose, next_attempt

AMS, UTC = ZoneInfo("Europe/Amsterdam"), ZoneInfo("UTC")


@pytest.mark.parametrize("moment, expected", [
    (datetime(2027, 3, 29, 9, 0, tzinfo=AMS), datetime(2027, 3, 29, 9, 0, tzinfo=AMS)),  # Monday morning: now
    (datetime(2027, 3, 29, 7, 59, tzinfo=AMS), datetime(2027, 3, 29, 8, 0, tzinfo=AMS)),  # too early: at eight
    (datetime(2027, 3, 29, 18, 0, tzinfo=AMS), datetime(2027, 3, 30, 8, 0, tzinfo=AMS)),  # evening: next morning
    (datetime(2027, 3, 26, 17, 59, tzinfo=AMS), datetime(2027, 3, 26, 17, 59, tzinfo=AMS)),  # Friday before six
    (datetime(2027, 3, 26, 18, 0, tzinfo=AMS), datetime(2027, 3, 29, 8, 0, tzinfo=AMS)),  # Friday evening: Monday
    (datetime(2027, 3, 28, 2, 30, tzinfo=UTC), datetime(2027, 3, 29, 8, 0, tzinfo=AMS)),  # the DST night: Monday
])
def test_quiet_hours_hold_a_mail_until_the_next_working_morning(moment, expected):
    assert rules.first_moment_allowed(moment, "Europe/Amsterdam") == expected


def test_who_chose_any_time_is_not_held():
    sunday_night = datetime(2027, 3, 28, 23, 0, tzinfo=AMS)
    assert rules.first_moment_allowed(sunday_night, None) == sunday_night


def test_a_persons_choice_wins_over_the_teams_default_which_wins_over_the_built_in_one():
    assert rules.choice("deadline", None, None) == "relevant"
    assert rules.choice("deadline", None, "always") == "always"
    assert rules.choice("deadline", "off", "always") == "off"
    assert rules.choice("actions", "relevant", None) == "on"  # not a choice for this kind: ignored


def test_recipients_of_the_deadline_reminder():
    concerned = {1: True, 2: False, 3: False, 4: True}
    assert rules.recipients("deadline", concerned, {}, None) == [1, 4]
    assert rules.recipients("deadline", concerned, {3: "always", 4: "off"}, None) == [1, 3]
    assert rules.recipients("deadline", concerned, {1: "off"}, "always") == [2, 3, 4]


def test_reminder_moments_are_local_days_at_the_teams_time_across_dst():
    deadline = datetime(2027, 3, 29, 13, 30, tzinfo=AMS)  # Monday; the day before is the Sunday the clocks change
    assert rules.deadline_reminder_at(deadline, "09:00", "Europe/Amsterdam") == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    meeting = datetime(2027, 4, 1, 13, 30, tzinfo=AMS)
    assert rules.actions_reminder_at(meeting, "10:15", "Europe/Amsterdam") == datetime(2027, 3, 30, 10, 15, tzinfo=AMS)
    assert rules.digest_week(datetime(2027, 4, 1, 12, 0, tzinfo=AMS), "09:00", "Europe/Amsterdam") == (
        "2027-W13", datetime(2027, 3, 29, 9, 0, tzinfo=AMS))
    assert rules.rating_reminder_at(datetime(2027, 4, 1, 23, 30, tzinfo=UTC), "09:00", "Europe/Amsterdam") == \
        datetime(2027, 4, 3, 9, 0, tzinfo=AMS)  # ended after midnight local time: the day after that


def test_is_due_only_between_its_moment_and_what_it_reminds_of():
    at, until = datetime(2027, 3, 30, 9, tzinfo=AMS), datetime(2027, 3, 31, 13, 30, tzinfo=AMS)
    assert not rules.is_due(at, datetime(2027, 3, 30, 8, 59, tzinfo=AMS), until)
    assert rules.is_due(at, at, until) and not rules.is_due(at, until, until)


def test_evaluations_with_the_client_falling_due_within_four_weeks_or_overdue():
    today = date(2027, 3, 29)
    assert rules.evaluation_with_client_due(date(2026, 4, 20), None) == date(2027, 4, 20)
    assert rules.evaluations_falling_due([(date(2026, 4, 20), None), (date(2020, 1, 1), date(2026, 4, 26)),
                                          (date(2020, 1, 1), date(2026, 4, 27)), (date(2019, 1, 1), None)], today) == 3


@pytest.mark.parametrize("item, missing", [
    ({"label": "issue", "current_state": "", "request_and_start": ""}, True),
    ({"label": "question", "current_state": "Stable"}, False),
    ({"label": "question", "evaluation_prep": '{"client_view": "x"}'}, False),
    ({"label": "announcement"}, False),
])
def test_an_item_misses_its_preparation_when_nothing_beyond_the_need_is_there(item, missing):
    assert rules.missing_preparation(item) is missing


@pytest.mark.parametrize("text, problem", [("09:00", False), ("17:59", False), ("07:59", True), ("18:00", True),
                                           ("9:00", True), ("noon", True), ("", True)])
def test_the_reminder_time_lies_within_working_hours(text, problem):
    assert (rules.reminder_time_error(text) is not None) is problem


def test_back_off_grows_and_then_gives_up():
    now = datetime(2027, 3, 30, 9, tzinfo=UTC)
    waits = [(next_attempt(n, now) - now).total_seconds() / 60 for n in range(1, 5)]
    assert waits == [1, 5, 30, 120] and next_attempt(5, now) is None


def test_a_mail_escapes_what_it_shows_and_signs_with_the_team():
    mail = compose("minutes", {"meeting": "<b>Thursday</b>"}, "https://b.example/x?a=1&b=2", "Team <A>",
                   "https://b.example/account/", lambda text: text)
    assert "<b>" not in mail.html and "&lt;b&gt;Thursday" in mail.html
    assert 'href="https://b.example/x?a=1&amp;b=2"' in mail.html
    assert mail.text.endswith("Change them on your account page: https://b.example/account/\n")
    assert "Team <A>, via Belletje" in mail.text
