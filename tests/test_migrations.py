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
