"""NEN 7513: reads and changes of client data are logged, append-only."""
import sqlite3
from datetime import UTC

import pytest


def log_rows(db, client_id):
    return [dict(r) for r in db.query("SELECT user_id, action, ip FROM access_log WHERE client_id = ? ORDER BY id",
                                      [client_id])]


def test_reading_a_client_is_logged_with_who_and_from_where(as_user, world, db):
    member = as_user("member.a@example.org")
    member.get(f"/teams/{world['team_a']}/clients/{world['client_a']}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert {"user_id": world["member_a"], "action": "read", "ip": "10.1.2.3"} in log_rows(db, world["client_a"])


def test_listing_the_registry_logs_each_client_shown(as_user, world, db):
    as_user("manager.a@example.org").get(f"/teams/{world['team_a']}/clients")
    assert any(r["action"] == "list" and r["user_id"] == world["manager_a"] for r in log_rows(db, world["client_a"]))


def test_a_change_is_logged(as_user, world, db):
    member = as_user("member.a@example.org")
    member.post(f"/teams/{world['team_a']}/clients/{world['client_a']}/status", {"status": "finished"})
    assert log_rows(db, world["client_a"])[-1] == {"user_id": world["member_a"], "action": "finish", "ip": "127.0.0.1"}


@pytest.mark.parametrize("statement", ["UPDATE access_log SET action = 'nothing'", "DELETE FROM access_log"])
def test_the_log_refuses_updates_and_deletes(world, db, statement):
    before = db.execute("SELECT count(*) FROM access_log").fetchone()[0]
    assert before > 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(statement)
    assert db.execute("SELECT count(*) FROM access_log").fetchone()[0] == before


@pytest.mark.parametrize("statement", ["UPDATE access_log_clients SET client_id = 0", "DELETE FROM access_log_clients"])
def test_the_clients_of_a_view_of_many_refuse_updates_and_deletes(world, db, statement):
    from meeting.store.audit import Actor, log_access_set
    log_access_set(db, Actor(world["manager_a"]), "dashboard", [world["client_a"]], world["team_a"])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(statement)
    assert db.execute("SELECT client_id FROM access_log_clients").fetchall() == [(world["client_a"],)]


def test_a_dashboards_view_of_many_clients_is_one_row_found_under_each_clients_reference(as_user, world, db):
    from meeting.store.audit import search_access_log
    csv = as_user("manager.a@example.org").get(f"/teams/{world['team_a']}/dashboard/overdue.csv",
                                               environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert "A-001" in csv.text
    [row] = search_access_log(db, user_id=world["manager_a"], client_reference="a-001")
    assert (row["action"], row["client_reference"], row["ip"], row["team_id"]) == (
        "dashboard", "A-001", "10.9.8.7", world["team_a"])
    assert row["detail"].startswith("overdue.csv ") and row["detail"].endswith(" clients=1")
    assert search_access_log(db, user_id=world["manager_a"], client_reference="B-001") == []
    page = as_user("admin@example.org").get("/admin/access-log?client=A-001").text.split('id="access-log"')[1]
    assert "manager.a@example.org" in page and "overdue.csv" in page


def test_admin_filters_the_log_by_user_and_client(as_user, world):
    as_user("member.a@example.org").get(f"/teams/{world['team_a']}/clients/{world['client_a']}")
    admin = as_user("admin@example.org")
    page = admin.get(f"/admin/access-log?user_id={world['member_a']}&client=A-001&from=2020-01-01&to=2099-01-01")
    assert page.status_code == 200 and "member.a@example.org" in page.text and ">read" in page.text
    other = admin.get(f"/admin/access-log?user_id={world['member_b']}")
    assert "member.a@example.org" not in other.text.split('id="access-log"')[1]


def test_a_view_is_logged_once_per_client_person_access_point_and_day(world, db):
    from datetime import date, datetime

    from meeting.core.clients import ClientInput
    from meeting.store import clients as client_store
    from meeting.store.audit import Actor, log_view
    one = world["client_a"]
    two, three = client_store.add_clients(db, Actor(None), world["team_a"], [
        ClientInput(f"A-00{n}", world["member_a"], date(2024, 1, 1), None) for n in (2, 3)])
    phone, laptop = Actor(world["member_a"], "10.0.0.1"), Actor(world["member_a"], "10.0.0.2")
    monday, tuesday = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 3, 9, tzinfo=UTC)

    def rows():
        return db.execute("SELECT client_id, ip, substr(at, 1, 10) FROM access_log WHERE action = 'live'"
                          " ORDER BY id").fetchall()

    meeting, team = world["meeting_a"], world["team_a"]
    assert log_view(db, phone, "live", [one, two], team, meeting, monday)
    assert not log_view(db, phone, "live", [two, one], team, meeting, monday)  # a re-render
    assert not log_view(db, phone, "live", [one], team, meeting, monday)  # fewer clients: nothing new was shown
    assert log_view(db, phone, "live", [one, three], team, meeting, monday)  # a new client: only it is logged
    assert log_view(db, laptop, "live", [one], team, meeting, monday)  # another access point
    assert log_view(db, phone, "live", [one], team, meeting, tuesday)  # another day
    assert rows() == [(one, "10.0.0.1", "2026-03-02"), (two, "10.0.0.1", "2026-03-02"),
                      (three, "10.0.0.1", "2026-03-02"), (one, "10.0.0.2", "2026-03-02"),
                      (one, "10.0.0.1", "2026-03-03")]
