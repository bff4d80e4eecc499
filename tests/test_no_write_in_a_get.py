"""A GET writes nothing but the access log: every connection the app takes is watched by SQLite's authorizer, which
sees each statement as it is prepared (the statement cache is off, so a statement prepared by an earlier POST is
seen again), triggers' statements included. The access log (NEN 7513: who read which client's data) is the one
write a GET makes on purpose; it is named below and excluded, nothing else is. The schedule's coming meetings are
created by the scheduler, at start and by the POST that creates a team or changes its settings, never by the pages that
list them."""
import sqlite3
from datetime import timedelta

import pytest
from conftest import today

from meeting.core.clients import ClientInput
from meeting.ops import scheduler
from meeting.store import calendar
from meeting.store import client_evaluations as evaluation_store
from meeting.store import clients as client_store
from meeting.store import db as database
from meeting.store.audit import Actor

# the reads a GET must log (meeting.store.audit): the log, its clients, and what each person last saw of a meeting
ACCESS_LOG = {"access_log", "access_log_clients", "access_views"}
# SQLite reports the first use of json_each (the access log's insert) as an UPDATE of the schema table: no row of
# it is written (a real schema change is a CREATE, DROP or ALTER, which count)
NOT_A_WRITE = {"sqlite_master"}
# the connection's own temporary database (a dashboard counts a team not yet counted today into it,
# meeting.store.calendar.counts_today): no other connection sees it and writing it takes no lock on the database file
OWN_TEMPORARY = {"temp"}
WRITES = {sqlite3.SQLITE_INSERT: "INSERT", sqlite3.SQLITE_UPDATE: "UPDATE", sqlite3.SQLITE_DELETE: "DELETE",
          sqlite3.SQLITE_CREATE_TABLE: "CREATE", sqlite3.SQLITE_DROP_TABLE: "DROP",
          sqlite3.SQLITE_ALTER_TABLE: "ALTER"}
TABLES = ("summary", "overdue", "milestones", "clinicians", "meetings", "items", "trend")


class Watch:
    """The writes the app's connections prepare while `on`, as (statement kind, table)."""

    def __init__(self):
        self.on, self.writes, self.logged = False, [], 0

    def authorize(self, action, table, column, schema, _trigger):
        if action == sqlite3.SQLITE_ALTER_TABLE:  # its arguments are the database's name, then the table's
            schema, table = table, column
        if self.on and action in WRITES and schema not in OWN_TEMPORARY and table not in NOT_A_WRITE:
            if table in ACCESS_LOG:
                self.logged += 1
            else:
                self.writes.append((WRITES[action], table))
        return sqlite3.SQLITE_OK

    def gets(self, user, urls: list[str]) -> dict[str, list]:
        """GET each url as `user` (each must answer 200); the writes each made, by url (an empty list: none)."""
        found = {}
        for url in urls:
            self.on, self.writes = True, []
            try:
                assert user.get(url).status_code == 200, url
            finally:
                self.on = False
            found[url] = self.writes
        return found


@pytest.fixture
def watch(app, monkeypatch):
    """Every connection the app's pool opens from here on is watched (the pool opened before is dropped)."""
    watch, connect = Watch(), database.connect

    def watched(path, busy_timeout_ms=database.BUSY_TIMEOUT_MS):
        db = connect(path, busy_timeout_ms)
        db.conn.close()  # reopened without a statement cache, so the authorizer sees every statement
        db.conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False,
                                  cached_statements=0)
        for pragma in (f"busy_timeout = {int(busy_timeout_ms)}", "foreign_keys = ON", "synchronous = NORMAL"):
            db.conn.execute(f"PRAGMA {pragma}")
        db.conn.set_authorizer(watch.authorize)
        return db

    monkeypatch.setattr(database, "connect", watched)
    app.extensions.pop("belletje_pool", None)
    return watch


def overdue_clients(db, world) -> None:
    """Team A's registry with clients past their review (the dashboard then lists, and logs, them)."""
    start = today() - timedelta(days=800)
    client_store.add_clients(db, Actor(None), world["team_a"], [
        ClientInput(f"A-1{n:02d}", world["member_a"], start + timedelta(days=n), None) for n in range(6)])
    calendar.refresh_stale(db)


def dashboard_urls(world) -> list[str]:
    team = f"/teams/{world['team_a']}/dashboard"
    return ([team, "/dashboard"] + [f"{team}/{table}.csv" for table in TABLES]
            + [f"/dashboard/{table}.csv" for table in TABLES])


def test_the_first_dashboard_of_the_day_counts_live_and_writes_nothing_but_the_access_log(as_user, db, world, watch):
    overdue_clients(db, world)
    manager = as_user("manager.a@example.org")
    assert db.execute("SELECT count(*) FROM today_counted").fetchone()[0] == 0  # nobody counted today yet
    first = {url: manager.get(url).text for url in dashboard_urls(world) if url.endswith(".csv")}
    assert watch.gets(manager, dashboard_urls(world)) == {url: [] for url in dashboard_urls(world)}
    assert watch.logged > 0  # the overdue clients shown were logged: the watch sees what a GET writes
    assert db.execute("SELECT count(*) FROM today_counted").fetchone()[0] == 0  # still: the GETs only read
    calendar.count_every_teams_today(db, database.utcnow())  # the scheduler's round
    assert db.execute("SELECT count(*) FROM today_counted").fetchone()[0] == 2
    assert {url: manager.get(url).text for url in first} == first  # counted live = counted and stored
    assert watch.gets(manager, dashboard_urls(world)) == {url: [] for url in dashboard_urls(world)}


def test_a_dashboard_after_a_change_writes_nothing(as_user, db, world, watch):
    overdue_clients(db, world)
    calendar.count_every_teams_today(db, database.utcnow())
    member, manager = as_user("member.a@example.org"), as_user("manager.a@example.org")
    before = evaluation_store.legal_minimum_today(db, [world["team_a"]], today())["total"]["overdue"]
    day = today().isoformat()
    assert member.post(f"/teams/{world['team_a']}/clients/{world['client_a']}/evaluation-with-client",
                       {"evaluated_with_client_on": day, "relatives_invited": "no", "client_view": "Better.",
                        "rom_done": "no"}).status_code == 302
    assert calendar.stale_teams(db) == []  # the request that made the team stale worked it out
    assert watch.gets(manager, dashboard_urls(world)) == {url: [] for url in dashboard_urls(world)}
    after = evaluation_store.legal_minimum_today(db, [world["team_a"]], today())["total"]["overdue"]
    assert after == before - 1  # the change counts at once, live, until the scheduler stores the new count


def test_a_dashboard_during_a_meeting_that_recorded_a_review_writes_nothing(as_user, db, world, watch):
    """A running meeting's decision is answered before its team's calendar is worked out; by the time anyone can
    open a page the team is fresh again, so the page only reads."""
    overdue_clients(db, world)
    calendar.count_every_teams_today(db, database.utcnow())
    chair, manager = as_user("chair.a@example.org"), as_user("manager.a@example.org")
    run = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/run"
    for step in ("/start", "/consent", "/next"):
        chair.post(run + step, headers={"HX-Request": "true"})
    decided = chair.post(f"{run}/items/{world['item_a']}/decide", {
        "answer": "Yes, continue", "outcome": "continue_adjusted", "decision": "New goals for housing",
        "needs_met": "yes", "continuation_answer": "Housing is not yet stable", "colleague_invited": "yes"})
    assert decided.status_code == 302, decided.text
    assert calendar.stale_teams(db) == [world["team_a"]]  # the review is in, the chair has the answer...
    decided.close()  # ...and the server, done sending it, closes the response
    assert db.execute("SELECT count(*) FROM evaluations WHERE item_id = ?", [world["item_a"]]).fetchone()[0] == 1
    assert calendar.stale_teams(db) == []  # worked out once the answer was sent
    assert watch.gets(manager, dashboard_urls(world)) == {url: [] for url in dashboard_urls(world)}


def test_a_change_behind_the_apps_back_is_read_live_and_writes_nothing(as_user, db, world, watch):
    """A team changed by plain SQL (an import, the sqlite3 shell) shows on the next page at once, worked out read only
    into the connection's own temporary database; the scheduler stores it. A later POST writes the database, never
    the temporary copies (the connection that read live is not kept)."""
    overdue_clients(db, world)
    calendar.count_every_teams_today(db, database.utcnow())
    manager, member = as_user("manager.a@example.org"), as_user("member.a@example.org")
    csvs = [url for url in dashboard_urls(world) if url.endswith(".csv")]
    before = {url: manager.get(url).text for url in csvs}
    overdue = f"/teams/{world['team_a']}/dashboard/overdue.csv"
    assert ",A-100," in before[overdue]
    db.execute("UPDATE clients SET next_evaluation_on = ? WHERE reference = 'A-100'",
               [(today() + timedelta(days=30)).isoformat()])  # agreed in a meeting the app never saw
    assert calendar.stale_teams(db) == [world["team_a"]]
    pages = [f"/teams/{world['team_a']}/", f"/teams/{world['team_a']}/clients",
             f"/teams/{world['team_a']}/clients/{world['client_a']}/evaluation-with-client"]
    assert watch.gets(manager, dashboard_urls(world)) == {url: [] for url in dashboard_urls(world)}
    assert watch.gets(member, pages) == {url: [] for url in pages}
    live = {url: manager.get(url).text for url in csvs}
    assert ",A-100," not in live[overdue]  # the change shows at once
    assert calendar.stale_teams(db) == [world["team_a"]]  # read live, stored by nobody yet
    assert member.post(f"/teams/{world['team_a']}/clients/{world['client_a']}/evaluation-with-client",
                       {"evaluated_with_client_on": today().isoformat(), "relatives_invited": "no",
                        "client_view": "Better.", "rom_done": "no"}).status_code == 302
    assert db.execute("SELECT count(*) FROM client_evaluations WHERE client_id = ? AND evaluated_on = ?",
                      [world["client_a"], today().isoformat()]).fetchone()[0] == 1  # in the database itself
    assert calendar.stale_teams(db) == []  # the POST stored the team's calendar, the change behind its back too
    db.execute("UPDATE clients SET next_evaluation_on = NULL WHERE reference = 'A-100'")
    live = {url: manager.get(url).text for url in csvs}
    assert ",A-100," in live[overdue]
    scheduler.work_out_calendars(db, database.utcnow())  # the scheduler's minute
    assert calendar.stale_teams(db) == []
    assert {url: manager.get(url).text for url in csvs} == live  # read live = worked out and stored


def test_the_common_pages_write_nothing_but_the_access_log(as_user, db, world, watch):
    overdue_clients(db, world)
    team, meeting = world["team_a"], world["meeting_a"]
    pages = [f"/teams/{team}/", f"/teams/{team}/clients", f"/teams/{team}/meetings/{meeting}/",
             f"/teams/{team}/meetings/{meeting}/plan", f"/teams/{team}/handovers", f"/teams/{team}/consultations",
             f"/teams/{team}/sessions", f"/teams/{team}/clients/{world['client_a']}/evaluation-with-client",
             "/account/", f"/teams/{team}/meetings", f"/teams/{team}/items/new"]
    assert watch.gets(as_user("chair.a@example.org"), pages) == {url: [] for url in pages}
