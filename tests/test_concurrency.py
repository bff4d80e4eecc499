"""Concurrent writers on the real SQLite file: twenty chairs deciding at once, and a long backup mid-meeting."""
import threading
import time

from meeting.store import backups
from meeting.store import items as item_store
from meeting.store.audit import Actor
from tests.conftest import make_item

HX = {"HX-Request": "true"}


def base(world):
    return f"/teams/{world['team_a']}/meetings/{world['meeting_a']}"


def test_twenty_decisions_on_different_items_at_once_all_land(as_user, world, db):
    item_ids = [item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                                    make_item(track="acute", title=f"Question {n}")) for n in range(20)]
    chairs = [as_user("chair.a@example.org") for _ in item_ids]
    barrier, statuses = threading.Barrier(len(item_ids)), {}

    def decide(chair, item_id):
        barrier.wait()
        statuses[item_id] = chair.post(f"{base(world)}/run/items/{item_id}/decide",
                                       {"answer": f"Yes {item_id}"}).status_code

    threads = [threading.Thread(target=decide, args=pair) for pair in zip(chairs, item_ids)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert set(statuses.values()) == {302}, statuses
    answers = dict(db.execute(f"SELECT item_id, answer FROM decisions WHERE item_id IN ({','.join('?' * 20)})",
                              item_ids))
    assert answers == {i: f"Yes {i}" for i in item_ids}


def test_a_long_backup_while_the_meeting_writes_answers_no_500(as_user, world, db, tmp_path):
    ballast = [("2026-01-01T00:00:00+00:00", None, world["team_a"], world["client_a"], "read", "x" * 200, "10.0.0.1")]
    db.conn.executemany("INSERT INTO access_log (at, user_id, team_id, client_id, action, detail, ip)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)", ballast * 80_000)  # ~25 MB of history to copy
    db.conn.commit()
    chair = as_user("chair.a@example.org")
    for step in ("start", "consent", "next"):
        chair.post(f"{base(world)}/run/{step}", headers=HX)
    window = {}

    def back_up():
        window["start"] = time.monotonic()
        backups.copy_database(db.conn.execute("PRAGMA database_list").fetchone()[2], tmp_path / "backup.sqlite3")
        window["end"] = time.monotonic()

    statuses, during = [], 0
    backup = threading.Thread(target=back_up)
    backup.start()
    while backup.is_alive() or not statuses:
        response = chair.post(f"{base(world)}/run/clock", {"kind": "toggle"}, headers=HX)
        statuses.append(response.status_code)
        during += "end" not in window
    backup.join()
    assert set(statuses) == {200}, statuses
    assert during >= 1, "no write happened while the backup ran"
    events = db.execute("SELECT count(*) FROM clock_events WHERE item_id = ?", [world["item_a"]]).fetchone()[0]
    assert events == 1 + len(statuses)  # the start, then every pause or resume
