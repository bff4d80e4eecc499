"""The schema comes from migrations applied to an empty database."""
import sqlite3

from meeting.store.db import connect, prepare
from meeting.store.migrations import migrations, split_statements


def test_migrations_build_the_schema_on_an_empty_database(tmp_path):
    path = tmp_path / "empty.sqlite3"
    prepare(path)
    db = connect(path)
    assert {"users", "teams", "memberships", "clients", "access_log"} <= set(db.table_names())
    assert migrations.pending(db) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_applying_migrations_twice_changes_nothing(tmp_path):
    path = tmp_path / "twice.sqlite3"
    prepare(path)
    schema = connect(path).execute("SELECT group_concat(sql) FROM sqlite_master").fetchone()[0]
    prepare(path)
    assert connect(path).execute("SELECT group_concat(sql) FROM sqlite_master").fetchone()[0] == schema
    assert len(migrations.applied(connect(path))) == len(migrations._migrations)


def test_every_connection_enforces_foreign_keys(tmp_path):
    path = tmp_path / "fk.sqlite3"
    prepare(path)
    db = connect(path)
    try:
        db.execute("INSERT INTO memberships (team_id, user_id, role) VALUES (99, 99, 'member')")
    except sqlite3.IntegrityError as error:
        assert "FOREIGN KEY" in str(error)
    else:
        raise AssertionError("a membership of a missing team was accepted")


def test_split_statements_keeps_trigger_bodies_whole():
    script = "CREATE TABLE t (a); CREATE TRIGGER x BEFORE DELETE ON t BEGIN SELECT 1; SELECT 2; END;"
    assert split_statements(script) == [
        "CREATE TABLE t (a);", "CREATE TRIGGER x BEFORE DELETE ON t BEGIN SELECT 1; SELECT 2; END;"]


def test_the_migrate_command_prepares_the_configured_database(app, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "cli.sqlite3")
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "clients" in connect(tmp_path / "cli.sqlite3").table_names()


def test_0009_reopens_actions_that_not_done_or_moved_had_closed(tmp_path):
    """Before 0009 "not done" and "moved" closed an action for good; after it they are reviews and it is open."""
    db = connect(tmp_path / "old.sqlite3")
    migrations.apply(db, stop_before="0009_actions_follow_through_and_look_ahead")
    db.execute("INSERT INTO users (id, email, name, session_token, created_at) VALUES (1, 'a@b.c', 'A', 't', '')")
    db.execute("INSERT INTO teams (id, name, created_at) VALUES (1, 'T', '')")
    db.execute("""INSERT INTO meetings (id, team_id, starts_at, deadline_at, minutes, acute_budget, regular_budget,
        order_policy, created_at)
        VALUES (1, 1, '2026-01-06T12:30', '2026-01-05T12:30', 90, 30, 60, 'acute_first', '')""")
    db.execute("""INSERT INTO items (id, meeting_id, team_id, presenter_id, track, label, title, need, minutes,
        position, created_at, updated_at) VALUES (1, 1, 1, 1, 'acute', 'issue', 't', 'n', 5, 1, '', '')""")
    db.execute("INSERT INTO decisions (id, item_id, meeting_id, decided_at) VALUES (1, 1, 1, '')")
    for action_id, status in ((1, "not_done"), (2, "moved"), (3, "done"), (4, "open")):
        db.execute("""INSERT INTO actions (id, decision_id, team_id, description, owner_id, due_on, status,
            reviewed_meeting_id, reviewed_at) VALUES (?, 1, 1, 'x', 1, '2026-02-01', ?, ?, '2026-01-13')""",
                   [action_id, status, None if status == "open" else 1])
    migrations.apply(db)
    assert db.execute("SELECT id, status FROM actions ORDER BY id").fetchall() == [
        (1, "open"), (2, "open"), (3, "done"), (4, "open")]
    assert db.execute("SELECT action_id, status FROM action_reviews ORDER BY action_id").fetchall() == [
        (1, "not_done"), (2, "moved"), (3, "done")]
