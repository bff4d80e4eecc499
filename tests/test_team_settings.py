"""Team settings: sensible defaults, refused with a clear message when impossible."""
from datetime import UTC, datetime

import pytest

from meeting.core.teams import DEFAULTS, team_name_error, upcoming_meeting_starts, validate_settings

GOOD = {key: str(value) for key, value in DEFAULTS.items()}


def test_defaults_are_valid():
    values, errors = validate_settings(GOOD)
    assert errors == {} and values["meeting_minutes"] == 90 and values["acute_budget"] == 30


@pytest.mark.parametrize("changes, field", [
    ({"acute_budget": "40", "regular_budget": "60"}, "regular_budget"),
    ({"acute_budget": "-5"}, "acute_budget"),
    ({"meeting_minutes": "ninety"}, "meeting_minutes"),
    ({"evaluation_interval_months": "0"}, "evaluation_interval_months"),
    ({"meeting_start": "25:00"}, "meeting_start"),
    ({"order_policy": "loudest_first"}, "order_policy"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"meeting_weekday": "7"}, "meeting_weekday"),
])
def test_invalid_settings_are_refused(changes, field):
    values, errors = validate_settings(GOOD | changes)
    assert values is None and field in errors


def test_budgets_over_the_meeting_length_are_refused_in_the_page(as_user, world, db):
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/settings", GOOD | {"acute_budget": "45", "regular_budget": "60"})
    assert response.status_code == 400
    assert "exceed the meeting length" in response.text
    assert db.execute("SELECT acute_budget FROM teams WHERE id = ?", [world["team_a"]]).fetchone()[0] == 30


def test_chair_saves_settings(as_user, world, db):
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/settings", GOOD | {"acute_budget": "20",
                                                                        "order_policy": "regular_first"})
    assert response.status_code == 302
    assert db.execute("SELECT acute_budget, order_policy FROM teams WHERE id = ?",
                      [world["team_a"]]).fetchone() == (20, "regular_first")


@pytest.mark.parametrize("name, problem", [
    ("FACT Zuid", None), ("AB", None), ("A", "2 to 80"), ("A" * 81, "2 to 80"), ("FACT\x00Zuid", "control characters"),
])
def test_team_name_rules(name, problem):
    message = team_name_error(name)
    assert (message is None) if problem is None else (problem in message)


def test_admin_who_creates_a_team_lands_where_they_can_act(as_user, world, db):
    admin = as_user("admin@example.org")
    response = admin.post("/admin/teams", {"name": "Team C"})
    assert response.status_code == 302
    page = admin.get(response.location)
    assert page.status_code == 200
    assert "Team “Team C” created. Give it a chair under Users" in page.text
    assert db.execute("SELECT count(*) FROM teams WHERE name = 'Team C'").fetchone()[0] == 1


def test_a_duplicate_team_name_is_refused_on_the_admin_page(as_user, world):
    response = as_user("admin@example.org").post("/admin/teams", {"name": "Team A"})
    assert response.status_code == 400 and "A team with this name exists already." in response.text


@pytest.mark.parametrize("now, expected_utc", [
    # Tuesday 13:30 Amsterdam: winter time is UTC+1, summer time UTC+2
    (datetime(2026, 3, 23, 12, tzinfo=UTC), datetime(2026, 3, 24, 12, 30, tzinfo=UTC)),
    (datetime(2026, 3, 31, 11, tzinfo=UTC), datetime(2026, 3, 31, 11, 30, tzinfo=UTC)),
    (datetime(2026, 3, 31, 11, 31, tzinfo=UTC), datetime(2026, 4, 7, 11, 30, tzinfo=UTC)),
])
def test_next_meeting_follows_the_weekly_schedule_across_dst(now, expected_utc):
    team = DEFAULTS | {"name": "T"}
    assert upcoming_meeting_starts(team, now)[0] == expected_utc
