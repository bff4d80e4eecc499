"""The scheduler's jobs, called directly with a fixed `now`: DST, freeze, idempotence, catch-up, backups."""
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from meeting.core.clients import ClientInput
from meeting.ops import scheduler
from meeting.store import backups, jobs
from meeting.store import clients as client_store
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import connect


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def starts(db, team_id):
    return [r[0] for r in db.execute("SELECT starts_at FROM meetings WHERE team_id = ? AND is_extra = 0"
                                     " ORDER BY starts_at", [team_id])]


@pytest.fixture
def team(db):
    """A team meeting on Tuesdays at 13:30 Amsterdam time, deadline 24 h before."""
    return team_store.get_team(db, team_store.create_team(db, "Team DST"))


@pytest.mark.parametrize("now, expected", [
    # summer time starts Sunday 29 March 2026: 13:30 is 12:30 UTC before, 11:30 UTC after
    (utc(2026, 3, 20, 9), ["2026-03-24T12:30:00+00:00", "2026-03-31T11:30:00+00:00",
                           "2026-04-07T11:30:00+00:00", "2026-04-14T11:30:00+00:00"]),
    # summer time ends Sunday 25 October 2026
    (utc(2026, 10, 16, 9), ["2026-10-20T11:30:00+00:00", "2026-10-27T12:30:00+00:00",
                            "2026-11-03T12:30:00+00:00", "2026-11-10T12:30:00+00:00"]),
])
def test_meetings_are_created_four_weeks_ahead_across_dst(db, team, now, expected):
    assert scheduler.create_meetings(db, now) == 4
    assert starts(db, team["id"]) == expected


def test_creating_meetings_twice_changes_nothing(db, team):
    scheduler.create_meetings(db, utc(2026, 3, 20, 9))
    assert scheduler.create_meetings(db, utc(2026, 3, 20, 9)) == 0
    assert len(starts(db, team["id"])) == 4


def test_a_cancelled_meeting_is_not_recreated(db, team):
    scheduler.create_meetings(db, utc(2026, 3, 20, 9))
    first = db.execute("SELECT id FROM meetings ORDER BY starts_at LIMIT 1").fetchone()[0]
    meeting_store.set_state(db, team["id"], first, "cancelled")
    scheduler.create_meetings(db, utc(2026, 3, 21, 9))
    assert db.execute("SELECT count(*) FROM meetings WHERE team_id = ?", [team["id"]]).fetchone()[0] == 4


def test_the_agenda_freezes_at_its_deadline_once_and_the_chair_is_told(db, team):
    chair = db.execute("INSERT INTO users (email, name, session_token, created_at) VALUES"
                       " ('c@x.org', 'Chair', 't', '2026-01-01')").lastrowid
    team_store.set_role(db, team["id"], chair, "chair")
    scheduler.create_meetings(db, utc(2026, 3, 20, 9))
    deadline = datetime.fromisoformat(db.execute("SELECT min(deadline_at) FROM meetings").fetchone()[0])
    assert scheduler.freeze_agendas(db, deadline - timedelta(seconds=1)) == 0
    assert scheduler.freeze_agendas(db, deadline) == 1
    assert scheduler.freeze_agendas(db, deadline + timedelta(minutes=1)) == 0
    states = [r[0] for r in db.execute("SELECT state FROM meetings ORDER BY starts_at")]
    assert states == ["frozen", "planned", "planned", "planned"]
    assert len(jobs.unread(db, chair)) == 1


def test_opted_in_team_gets_the_most_overdue_reviews_up_to_the_regular_budget(db, team):
    team_store.update_settings(db, team["id"], {"auto_add_due_reviews": 1, "regular_budget": 25})
    clinician = db.execute("INSERT INTO users (email, name, session_token, created_at) VALUES"
                           " ('n@x.org', 'Nurse', 't', '2026-01-01')").lastrowid
    team_store.set_role(db, team["id"], clinician, "member")
    client_store.add_clients(db, Actor(None), team["id"], [
        ClientInput("LEAST-1", clinician, date(2025, 6, 1), None),     # due 2025-12-01
        ClientInput("MOST-1", clinician, date(2024, 1, 1), None),      # due 2024-07-01
        ClientInput("MIDDLE-1", clinician, date(2025, 1, 1), None),    # due 2025-07-01
        ClientInput("NOTDUE-1", clinician, date(2026, 3, 1), None)])
    scheduler.create_meetings(db, utc(2026, 3, 20, 9))
    deadline = datetime.fromisoformat(db.execute("SELECT min(deadline_at) FROM meetings").fetchone()[0])
    scheduler.freeze_agendas(db, deadline)
    added = [r[0] for r in db.execute("SELECT c.reference FROM items i JOIN clients c ON c.id = i.client_id"
                                      " ORDER BY i.position")]
    assert added == ["MOST-1", "MIDDLE-1"]  # 2 × 10 minutes fit the 25-minute budget, the third does not


def test_catch_up_runs_what_was_missed_once(app, db, team, tmp_path):
    scheduler.create_meetings(db, utc(2026, 3, 20, 9))
    down_until = utc(2026, 3, 25, 8)  # the server was down over the first deadline and the night
    scheduler.catch_up(app.config["DATABASE"], tmp_path / "backups", down_until)
    scheduler.catch_up(app.config["DATABASE"], tmp_path / "backups", down_until)
    assert db.execute("SELECT count(*) FROM meetings WHERE state = 'frozen'").fetchone()[0] == 1
    assert len(list((tmp_path / "backups").glob("*.sqlite3"))) == 1
    assert len(starts(db, team["id"])) == 5  # and the schedule is four weeks ahead again


def test_backup_then_restore_round_trip(app, db, world, tmp_path):
    path = app.config["DATABASE"]
    target = scheduler.backup(path, tmp_path / "b", utc(2026, 3, 25, 2, 30))
    assert target is not None and scheduler.backup(path, tmp_path / "b", utc(2026, 3, 25, 2, 40)) is None
    before = db.execute("SELECT count(*) FROM clients").fetchone()[0]
    db.execute("UPDATE teams SET name = 'Changed after the backup' WHERE id = ?", [world["team_a"]])
    db.close()
    backups.restore(target, path)
    restored = connect(path)
    assert restored.execute("SELECT count(*) FROM clients").fetchone()[0] == before
    assert restored.execute("SELECT count(*) FROM teams WHERE name = 'Changed after the backup'").fetchone()[0] == 0
    restored.close()


def test_a_damaged_backup_is_refused(app, tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises((RuntimeError, sqlite3.DatabaseError)):
        backups.restore(broken, app.config["DATABASE"])


def test_only_fourteen_backups_are_kept(app, tmp_path):
    for day in range(1, 17):
        scheduler.backup(app.config["DATABASE"], tmp_path / "b", utc(2026, 1, day, 2, 30))
    kept = sorted(p.name for p in (tmp_path / "b").glob("*.sqlite3"))
    assert len(kept) == 14 and kept[0].startswith("belletje-20260103")


def test_only_one_process_gets_the_scheduler_lock(tmp_path):
    first = scheduler.acquire_lock(tmp_path / "s.lock")
    assert first is not None and scheduler.acquire_lock(tmp_path / "s.lock") is None
    first.close()
    again = scheduler.acquire_lock(tmp_path / "s.lock")
    assert again is not None
    again.close()


def test_the_restore_command_restores(app, world, tmp_path, db):
    runner = app.test_cli_runner()
    backup = tmp_path / "manual.sqlite3"
    backups.copy_database(app.config["DATABASE"], backup)
    db.execute("DELETE FROM memberships")
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert db.execute("SELECT count(*) FROM memberships").fetchone()[0] > 0


def test_the_chair_sees_the_freeze_notice_on_the_team_page(as_user, world, db):
    jobs.notify(db, world["chair_a"], world["team_a"], scheduler.FROZEN_NOTICE,
                {"moment": "2026-03-24T12:30:00+00:00", "items": 3, "added": 1}, "/x", utc(2026, 3, 23, 13))
    chair = as_user("chair.a@example.org")
    page = chair.get(f"/teams/{world['team_a']}/")
    assert "is frozen. Items on it: 3; due reviews added: 1." in page.text
    notice_id = db.execute("SELECT max(id) FROM notifications").fetchone()[0]
    chair.post(f"/teams/{world['team_a']}/notices/{notice_id}/read")
    assert "is frozen" not in chair.get(f"/teams/{world['team_a']}/").text


def test_free_slots_are_filled_with_the_reviews_due_soonest_never_by_reference(db, team):
    """Only one review is due, the budget has room for three: the two due soonest after the meeting are
    pulled forward; of two due the same day, the one waiting longest since its last review goes first."""
    team_store.update_settings(db, team["id"], {"auto_add_due_reviews": 1, "regular_budget": 30})
    clinician = db.execute("INSERT INTO users (email, name, session_token, created_at) VALUES"
                           " ('p@x.org', 'Nurse', 't', '2026-01-01')").lastrowid
    team_store.set_role(db, team["id"], clinician, "member")
    client_store.add_clients(db, Actor(None), team["id"], [
        ClientInput("DUE-1", clinician, date(2025, 1, 1), date(2025, 9, 1)),      # due 2026-03-01: due
        ClientInput("AAA-SOON", clinician, date(2025, 10, 1), None),             # due 2026-04-01, waiting since Oct
        ClientInput("ZZZ-SOON", clinician, date(2024, 1, 1), date(2025, 10, 1)),  # due 2026-04-01, the same wait
        ClientInput("LONGER", clinician, date(2024, 1, 1), date(2025, 9, 20)),   # agreed 2026-04-01, waits longest
        ClientInput("LATER", clinician, date(2024, 1, 1), date(2026, 1, 1))])    # due 2026-07-01
    db.execute("UPDATE clients SET next_evaluation_on = '2026-04-01' WHERE reference = 'LONGER'")
    scheduler.create_meetings(db, utc(2026, 3, 20, 9))
    deadline = datetime.fromisoformat(db.execute("SELECT min(deadline_at) FROM meetings").fetchone()[0])
    scheduler.freeze_agendas(db, deadline)
    added = [r[0] for r in db.execute("SELECT c.reference FROM items i JOIN clients c ON c.id = i.client_id"
                                      " ORDER BY i.position")]
    assert added[:2] == ["DUE-1", "LONGER"]
    assert len(added) == 3 and added[2] in ("AAA-SOON", "ZZZ-SOON")


def test_equal_clients_take_turns_at_the_freeze(db, team):
    """Clients alike in due date and wait are not always taken in reference order."""
    from meeting.core.evaluations import ClientRecord, review_queue
    records = [ClientRecord(f"T-{i:02d}", 1, date(2025, 1, 1), "active", date(2025, 10, 1)) for i in range(20)]
    firsts = [review_queue(records, date(2026, 4, 7) + timedelta(weeks=w), 6)[0].reference for w in range(10)]
    assert len(set(firsts)) > 3 and firsts != sorted(firsts)


def test_the_scheduler_works_out_a_calendar_an_import_left_stale(db, team):
    from meeting.store import calendar
    from meeting.store import dashboard as dashboard_store
    from meeting.store import users as user_store
    nurse = user_store.create_user(db, "n@example.org", "Nurse")
    client_store.add_clients(db, Actor(None), team["id"], [ClientInput("K-1", nurse, date(2025, 1, 6), None)])
    assert calendar.stale_teams(db) == [team["id"]]
    assert scheduler.work_out_calendars(db, utc(2026, 3, 2, 9)) == 1
    assert calendar.stale_teams(db) == [] and scheduler.work_out_calendars(db, utc(2026, 3, 2, 9)) == 0
    # and it counted the team's register of its today (Amsterdam's 2 March), for the dashboard to read
    assert db.execute("SELECT day, clinician_id, active, overdue FROM today_counts").fetchall() == \
        [("2026-03-02", nurse, 1, 1)]
    rows, total = dashboard_store.overdue(db, [team["id"]], date(2026, 3, 2))
    assert total == 1 and rows[0]["due"] == "2025-07-06"
