"""The per-meeting figures the dashboards sum: written when a meeting closes, in the same transaction, and
added to by a meeting rating that comes after the close."""
from datetime import timedelta

from meeting.core import dashboard as dashboard_rules
from meeting.core.evaluations import local_day
from meeting.store import dashboard as dashboard_store
from meeting.store import figures, meeting_ratings
from meeting.store import meetings as meeting_store
from meeting.store import running as running_store
from meeting.store import teams as team_store
from meeting.store.db import utcnow


def _period(db, world):
    team = team_store.get_team(db, world["team_a"])
    day = local_day(meeting_store.get_meeting(db, world["team_a"], world["meeting_a"])["starts_at"], team["timezone"])
    return day - timedelta(days=1), day + timedelta(days=1)


def _close(db, world):
    running_store.start_meeting(db, world["team_a"], world["meeting_a"], utcnow())
    running_store.end_meeting(db, world["team_a"], world["meeting_a"], utcnow())


def test_a_meeting_counts_on_the_dashboard_once_it_has_closed(db, world):
    start, end = _period(db, world)
    assert dashboard_rules.process(dashboard_store.period_figures(db, [world["team_a"]], start,
                                                                  end))["meetings"] == 0  # planned: not yet a figure
    _close(db, world)
    process = dashboard_rules.process(dashboard_store.period_figures(db, [world["team_a"]], start, end))
    # the world's meeting: the regular question still planned, the decided question and the decided consultation issue
    assert (process["meetings"], process["decided"], process["discussed"]) == (1, 2, 2)
    assert {(r["track"], r["label"]): r["items"] for r in process["items"]} == {
        ("regular", "question"): 1, ("acute", "question"): 1, ("acute", "issue"): 1}
    assert dashboard_rules.process(dashboard_store.period_figures(db, [world["team_b"]], start,
                                                                  end))["meetings"] == 0  # team B's meeting is open
    [row] = dashboard_store.meeting_time(db, [world["team_a"]], start, end)
    assert row["meeting_id"] == world["meeting_a"] and row["day"] == (start + timedelta(days=1)).isoformat()


def test_the_figures_written_at_the_close_are_what_a_recount_gives(db, world):
    _close(db, world)
    columns = ", ".join(figures.COLUMNS + ["day"])
    at_close = db.execute(f"SELECT {columns} FROM meeting_figures WHERE meeting_id = ?",
                          [world["meeting_a"]]).fetchall()
    figures.write_all(db)
    recounted = db.execute(f"SELECT {columns} FROM meeting_figures WHERE meeting_id = ?",
                           [world["meeting_a"]]).fetchall()
    assert at_close == recounted and len(at_close) == 1


def test_a_rating_after_the_close_adds_to_its_meetings_figures(db, world):
    _close(db, world)
    start, end = _period(db, world)
    assert meeting_ratings.trend(db, [world["team_a"]], start, end) == []
    scores = {"heard": 4, "goals": 2, "approach": 5, "overall": 3, "change_next": ""}
    assert meeting_ratings.rate(db, world["meeting_a"], world["member_a"], scores)
    assert meeting_ratings.rate(db, world["meeting_a"], world["chair_a"], scores | {"heard": 2})
    [week] = meeting_ratings.trend(db, [world["team_a"]], start, end)
    assert (week["raters"], week["heard"], week["goals"], week["overall"]) == (2, 3.0, 2.0, 3.0)


def test_a_meeting_closes_and_works_out_its_teams_calendar_and_a_broken_date_cannot_stop_it(db, world):
    from meeting.store import calendar
    db.execute("UPDATE clients SET last_evaluation = '2025-06-01' WHERE id = ?", [world["client_a"]])
    assert world["team_a"] in calendar.stale_teams(db)
    _close(db, world)
    assert world["team_a"] not in calendar.stale_teams(db)  # worked out when the meeting closed

    running_store.start_meeting(db, world["team_b"], world["meeting_b"], utcnow())
    db.execute("UPDATE clients SET treatment_start = 'not a date' WHERE id = ?", [world["client_b"]])  # a bad import
    running_store.end_meeting(db, world["team_b"], world["meeting_b"], utcnow())
    assert meeting_store.get_meeting(db, world["team_b"], world["meeting_b"])["state"] == "closed"
    assert world["team_b"] in calendar.stale_teams(db)  # left for the dashboard or the scheduler to try again
