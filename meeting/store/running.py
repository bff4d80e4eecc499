"""The running meeting: phases, the current item, clock events, bells, borrowed minutes, the look ahead."""
import json
import logging
from datetime import datetime

from meeting.core import clock
from meeting.core.closing import ring_wait_seconds
from meeting.core.i18n import N_
from meeting.store import calendar, figures
from meeting.store.db import iso, write
from meeting.store.meetings import NotTheTeams, bump_revision, next_after

log = logging.getLogger(__name__)


class Refused(Exception):
    """A change the rules do not allow now; the message says why (an N_ text)."""


def start_meeting(db, team_id: int, meeting_id: int, now: datetime, phase: str = "look_back") -> None:
    """Open the meeting: it runs, starting with `phase` (the look back, unless there is nothing to look back on)."""
    with write(db):
        cursor = db.execute("UPDATE meetings SET state = 'running', phase = ?, started_at = ?"
                            " WHERE id = ? AND team_id = ? AND state IN ('planned', 'frozen')",
                            [phase, iso(now), meeting_id, team_id])
        if not cursor.rowcount:
            raise Refused(N_("This meeting cannot be started now."))
        bump_revision(db, team_id, meeting_id)


def set_phase(db, team_id: int, meeting_id: int, phase: str) -> None:
    """Move on to the consent block or the items."""
    with write(db):
        db.execute("UPDATE meetings SET phase = ? WHERE id = ? AND team_id = ?", [phase, meeting_id, team_id])
        bump_revision(db, team_id, meeting_id)


def clock_events(db, item_id: int) -> list[dict]:
    """An item's clock events in the order they were stored."""
    return list(db.query("SELECT kind, at, seconds FROM clock_events WHERE item_id = ? ORDER BY id", [item_id]))


def clock_events_of_meeting(db, meeting_id: int) -> dict[int, list[dict]]:
    """Every item's clock events for one meeting, by item id."""
    events: dict[int, list[dict]] = {}
    for row in db.query("""SELECT e.item_id, e.kind, e.at, e.seconds FROM clock_events e
            JOIN items i ON i.id = e.item_id WHERE i.meeting_id = ? ORDER BY e.id""", [meeting_id]):
        events.setdefault(row.pop("item_id"), []).append(row)
    return events


def add_clock_event(db, team_id: int, meeting_id: int, item_id: int, kind: str, now: datetime,
                    user_id: int | None, seconds: int = 0) -> None:
    """Store a clock event if the clock's rules allow it (checked inside the write lock)."""
    with write(db):
        _require_item_of(db, team_id, meeting_id, item_id)
        problem = clock.validate_transition(clock_events(db, item_id), kind, seconds)
        if problem:
            raise Refused(problem)
        db.execute("INSERT INTO clock_events (item_id, kind, at, seconds, user_id) VALUES (?, ?, ?, ?, ?)",
                   [item_id, kind, iso(now), seconds, user_id])
        bump_revision(db, team_id, meeting_id)


def _require_item_of(db, team_id: int, meeting_id: int, item_id: int) -> None:
    """Refuse an item that is not on this team's meeting (the transaction rolls back)."""
    if db.execute("SELECT 1 FROM items WHERE id = ? AND meeting_id = ? AND team_id = ?",
                  [item_id, meeting_id, team_id]).fetchone() is None:
        raise NotTheTeams(item_id)


def _stop_clock(db, item_id: int, now: datetime, user_id: int | None) -> None:
    """End the item's clock if it was started and not yet ended."""
    if clock.validate_transition(clock_events(db, item_id), "end") is None:
        db.execute("INSERT INTO clock_events (item_id, kind, at, seconds, user_id) VALUES (?, 'end', ?, 0, ?)",
                   [item_id, iso(now), user_id])


def open_item(db, team_id: int, meeting_id: int, item_id: int, now: datetime, user_id: int) -> None:
    """Make `item_id` the current item and start its clock (there is one current item at a time)."""
    with write(db):
        _require_item_of(db, team_id, meeting_id, item_id)
        current = db.execute("SELECT current_item_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()[0]
        if current and current != item_id:
            raise Refused(N_("Close the current item with a decision or a deferral first."))
        db.execute("UPDATE meetings SET current_item_id = ?, phase = 'items' WHERE id = ?", [item_id, meeting_id])
        if not clock_events(db, item_id):
            db.execute("INSERT INTO clock_events (item_id, kind, at, seconds, user_id) VALUES (?, 'start', ?, 0, ?)",
                       [item_id, iso(now), user_id])
        bump_revision(db, team_id, meeting_id)


def close_current(db, team_id: int, meeting_id: int, item_id: int, now: datetime, user_id: int | None) -> None:
    """Stop the item's clock, keep its used seconds for reports, clear it as the current item."""
    _require_item_of(db, team_id, meeting_id, item_id)
    _stop_clock(db, item_id, now, user_id)
    used = clock.clock_state(clock_events(db, item_id), 0, now).elapsed_seconds
    db.execute("UPDATE items SET used_seconds = ? WHERE id = ?", [used, item_id])
    db.execute("UPDATE meetings SET current_item_id = NULL WHERE id = ? AND current_item_id = ?",
               [meeting_id, item_id])
    bump_revision(db, team_id, meeting_id)


def borrowings(db, meeting_id: int) -> list[dict]:
    """Minutes borrowed between the tracks in this meeting."""
    return list(db.query("SELECT from_track, minutes FROM borrowings WHERE meeting_id = ? ORDER BY id", [meeting_id]))


def borrow(db, team_id: int, meeting_id: int, from_track: str, minutes: int, user_id: int, now: datetime) -> None:
    """Record minutes moved from one track's budget to the other's (visible in the minutes)."""
    with write(db):
        db.execute("INSERT INTO borrowings (meeting_id, from_track, minutes, user_id, at) VALUES (?, ?, ?, ?, ?)",
                   [meeting_id, from_track, minutes, user_id, iso(now)])
        bump_revision(db, team_id, meeting_id)


def ring(db, team_id: int, meeting_id: int, item_id: int | None, user_id: int, reason: str | None,
         now: datetime) -> float:
    """Ring the bell; returns 0 when rung, else the seconds this person must still wait."""
    with write(db):
        last = db.execute("SELECT max(at) FROM bells WHERE user_id = ? AND meeting_id = ?",
                          [user_id, meeting_id]).fetchone()[0]
        wait = ring_wait_seconds(datetime.fromisoformat(last) if last else None, now)
        if wait > 0:
            return wait
        db.execute("INSERT INTO bells (meeting_id, item_id, user_id, reason, at) VALUES (?, ?, ?, ?, ?)",
                   [meeting_id, item_id, user_id, reason, now.isoformat(timespec="milliseconds")])
        bump_revision(db, team_id, meeting_id)
    return 0.0


def bell_state(db, meeting_id: int, item_id: int | None) -> dict:
    """What the projector shows: rings for the current item, the newest unacknowledged ring (never who)."""
    count = db.execute("SELECT count(*) FROM bells WHERE meeting_id = ? AND item_id IS ?",
                       [meeting_id, item_id]).fetchone()[0]
    latest = next(db.query("""SELECT id, reason, at FROM bells WHERE meeting_id = ? AND acknowledged_at IS NULL
        ORDER BY id DESC LIMIT 1""", [meeting_id]), None)
    reasons = [r["reason"] for r in db.query("""SELECT reason FROM bells WHERE meeting_id = ?
        AND acknowledged_at IS NULL AND reason IS NOT NULL""", [meeting_id])]
    return {"count": count, "ringing": latest, "reasons": reasons}


def acknowledge_bells(db, team_id: int, meeting_id: int, now: datetime) -> None:
    """The chair has seen the bell."""
    with write(db):
        bump_revision(db, team_id, meeting_id)
        db.execute("UPDATE bells SET acknowledged_at = ? WHERE meeting_id = ? AND acknowledged_at IS NULL",
                   [iso(now), meeting_id])


def end_meeting(db, team_id: int, meeting_id: int, now: datetime, look_ahead: dict | None = None) -> None:
    """Close the meeting (its unfinished items must have been carried over first), keeping its look ahead."""
    with write(db):
        db.execute("UPDATE meetings SET state = 'closed', phase = 'ended', ended_at = ?, current_item_id = NULL,"
                   " look_ahead = ? WHERE id = ? AND team_id = ?",
                   [iso(now), json.dumps(look_ahead) if look_ahead else None, meeting_id, team_id])
        bump_revision(db, team_id, meeting_id)
        figures.write_meeting(db, meeting_id)
    _work_out_calendar(db, team_id)


def _work_out_calendar(db, team_id: int) -> None:
    """The meeting's reviews are in: work out the team's stored calendar now, so the dashboard's first view after
    it need not wait. In a transaction (or savepoint) of its own: nothing in the calendar may keep a meeting from
    closing; a failure leaves the team stale, for the dashboard or the scheduler to try again."""
    try:
        calendar.refresh_stale(db, [team_id])
    except Exception:  # noqa: BLE001 - logged; the close itself has been committed
        log.exception("the stored calendar of team %s was not worked out after its meeting closed", team_id)


def set_look_ahead_note(db, team_id: int, meeting_id: int, note: str) -> None:
    """The chair's look-ahead note: who is absent or on leave, anything else the team carries."""
    with write(db):
        db.execute("UPDATE meetings SET look_ahead_note = ? WHERE id = ? AND team_id = ?", [note, meeting_id, team_id])
        bump_revision(db, team_id, meeting_id)


def look_ahead(db, team_id: int, meeting: dict) -> dict:
    """What the meeting carries forward: the open actions, the next meeting and who presents there so far."""
    following = next_after(db, team_id, meeting["starts_at"])
    presenters = [r["name"] for r in db.query("""SELECT DISTINCT u.name FROM items i JOIN users u
        ON u.id = i.presenter_id
        WHERE i.meeting_id = ? AND i.state = 'planned' ORDER BY u.name""", [following["id"] if following else 0])]
    actions = list(db.query("""SELECT a.description, a.due_on, u.name AS owner_name FROM actions a
        JOIN users u ON u.id = a.owner_id WHERE a.team_id = ? AND a.status = 'open' ORDER BY a.due_on, a.id""",
                            [team_id]))
    return {"next_meeting": following and following["starts_at"], "next_presenters": presenters,
            "open_actions": actions, "note": meeting.get("look_ahead_note") or ""}
