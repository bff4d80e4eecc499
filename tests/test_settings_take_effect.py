"""Settings take effect: every meeting whose agenda is not yet frozen follows the team's length, budgets,
order and deadline at once, except what a chair set for one meeting only; the settings page says in one
line what changed where."""
import html
from datetime import datetime, timedelta

import pytest

from meeting.core import teams as team_rules
from meeting.core.teams import DEFAULTS
from meeting.ops import scheduler
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store.db import utcnow

GOOD = {key: str(value) for key, value in DEFAULTS.items()}
COLUMNS = "minutes, acute_budget, regular_budget, order_policy, deadline_at, state"


@pytest.fixture
def scheduled(db, world):
    """Team A's four scheduled meetings (the first one frozen) besides the world's extra meeting."""
    scheduler.create_meetings(db, utcnow())
    ids = [r[0] for r in db.execute("SELECT id FROM meetings WHERE team_id = ? AND is_extra = 0 ORDER BY starts_at",
                                    [world["team_a"]])]
    meeting_store.set_state(db, world["team_a"], ids[0], "frozen")
    return ids


def rows(db, ids):
    return [db.execute(f"SELECT {COLUMNS} FROM meetings WHERE id = ?", [i]).fetchone() for i in ids]


def test_changed_budgets_reach_every_meeting_not_yet_frozen(as_user, world, db, scheduled):
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/settings", GOOD | {"acute_budget": "25", "regular_budget": "65"},
                          follow_redirects=True)
    assert response.status_code == 200
    budgets = [(m[1], m[2]) for m in rows(db, scheduled)]
    assert budgets == [(30, 60), (25, 65), (25, 65), (25, 65)]  # the frozen agenda keeps what it was frozen with
    extra = rows(db, [world["meeting_a"]])[0]
    assert (extra[1], extra[2]) == (25, 65)
    text = html.unescape(response.text)
    assert "Acute budget 30 → 25 minutes, regular budget 60 → 65 minutes: applied to 4 meetings whose agenda" \
           " is not yet frozen (" in text


def test_an_own_setting_stays_when_the_team_changes_later(as_user, world, db, scheduled):
    chair = as_user("chair.a@example.org")
    plan = f"/teams/{world['team_a']}/meetings/{scheduled[2]}/plan"
    response = chair.post(plan + "/own-settings", {"minutes": "120", "acute_budget": "30", "regular_budget": "60",
                                                   "order_policy": "acute_first"}, follow_redirects=True)
    assert "Own settings for this meeting" in response.text and "length: 120 minutes (team: 90)" in response.text
    response = chair.post(f"/teams/{world['team_a']}/settings",
                          GOOD | {"acute_budget": "25", "regular_budget": "65", "meeting_minutes": "100"},
                          follow_redirects=True)
    assert [m[0] for m in rows(db, scheduled)] == [90, 100, 120, 100]  # 120 stays on that meeting only
    assert [(m[1], m[2]) for m in rows(db, scheduled)][1:] == [(25, 65)] * 3  # its budgets were the team's
    assert "1 of them keeps its own setting for this meeting (" in html.unescape(response.text)
    page = chair.get(plan).text
    assert "length: 120 minutes (team: 100)" in page
    chair.post(plan + "/own-settings", {"follow_team": "1"})
    assert rows(db, [scheduled[2]])[0][0] == 100
    assert db.execute("SELECT minutes_override FROM meetings WHERE id = ?", [scheduled[2]]).fetchone()[0] is None


def test_an_own_setting_that_does_not_add_up_is_refused(as_user, world, db, scheduled):
    chair = as_user("chair.a@example.org")
    plan = f"/teams/{world['team_a']}/meetings/{scheduled[1]}/plan"
    response = chair.post(plan + "/own-settings", {"minutes": "60", "acute_budget": "30", "regular_budget": "60",
                                                   "order_policy": "acute_first"}, follow_redirects=True)
    assert "The acute and regular budgets together exceed the meeting length." in html.unescape(response.text)
    assert rows(db, [scheduled[1]])[0][0] == 90
    assert as_user("member.a@example.org").post(plan + "/own-settings", {"minutes": "120"}).status_code == 403


def test_order_and_deadline_follow_too(db, world, scheduled):
    team = team_store.get_team(db, world["team_a"])
    team_store.update_settings(db, team["id"], {"order_policy": "regular_first", "submission_deadline_hours": 48})
    changed = meeting_store.follow_team_settings(db, team_store.get_team(db, team["id"]), utcnow())
    assert {m["id"] for m in changed} == {world["meeting_a"], *scheduled[1:]}
    for meeting in rows(db, scheduled[1:]):
        assert meeting[3] == "regular_first"
    starts = {m["id"]: datetime.fromisoformat(m["starts_at"]) for m in changed}
    for meeting in changed:
        assert datetime.fromisoformat(meeting["deadline_at"]) == starts[meeting["id"]] - timedelta(hours=48)
    assert rows(db, scheduled[:1])[0][3] == "acute_first"


def test_the_notice_names_the_changes(db, world):
    team = team_store.get_team(db, world["team_a"])
    changes = team_rules.setting_changes(team, {"meeting_minutes": 100, "acute_budget": 30,
                                                "order_policy": "regular_first",
                                                "submission_deadline_hours": 24, "meeting_weekday": 3})
    assert [(c.field, c.old, c.new) for c in changes] == [("meeting_minutes", 90, 100),
                                                          ("order_policy", "acute_first", "regular_first")]
    assert team_rules.schedule_changed(team, {"meeting_weekday": 3})


def test_a_changed_weekday_is_said_to_apply_to_meetings_created_later(as_user, world):
    response = as_user("chair.a@example.org").post(f"/teams/{world['team_a']}/settings",
                                                   GOOD | {"meeting_weekday": "3"},
                                                   follow_redirects=True)
    assert "applies to meetings created from now on" in response.text
