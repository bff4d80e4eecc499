"""Bookkeeping for the scheduler's jobs and the in-app notices they leave."""
import json
import sqlite3
from datetime import datetime

from meeting.store.db import iso


def claim(db, job: str, period: str, now: datetime) -> bool:
    """Record that `job` runs for `period`; False when it already ran (so running twice changes nothing)."""
    try:
        db.execute("INSERT INTO job_runs (job, period, ran_at) VALUES (?, ?, ?)", [job, period, iso(now)])
        return True
    except sqlite3.IntegrityError:
        return False


def has_run(db, job: str, period: str) -> bool:
    """Whether `job` ran for `period` already (a read, to skip work whose claim would fail anyway)."""
    return db.execute("SELECT 1 FROM job_runs WHERE job = ? AND period = ?", [job, period]).fetchone() is not None


def record_result(db, job: str, period: str, result: str) -> None:
    """Note what a job run did."""
    db.execute("UPDATE job_runs SET result = ? WHERE job = ? AND period = ?", [result, job, period])


def runs(db, job: str) -> list[dict]:
    """The recorded runs of a job, oldest first."""
    return list(db.query("SELECT * FROM job_runs WHERE job = ? ORDER BY id", [job]))


def notify(db, user_id: int, team_id: int, message: str, params: dict, link: str, now: datetime) -> None:
    """Leave an in-app notice (message is an N_ text with placeholders)."""
    db.execute("INSERT INTO notifications (user_id, team_id, message, params, link, created_at) VALUES (?, ?, ?, ?, "
               "?, ?)",
               [user_id, team_id, message, json.dumps(params), link, iso(now)])


def unread(db, user_id: int) -> list[dict]:
    """A user's unread notices, newest first."""
    rows = list(db.query("SELECT * FROM notifications WHERE user_id = ? AND read_at IS NULL ORDER BY id DESC LIMIT 20",
                         [user_id]))
    return [row | {"params": json.loads(row["params"])} for row in rows]


def mark_read(db, user_id: int, notification_id: int, now: datetime) -> None:
    """Dismiss a notice."""
    db.execute("UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ?",
               [iso(now), notification_id, user_id])
