"""Meetings: created from the weekly schedule, moved, cancelled, added as extras."""
from datetime import datetime, timedelta

from meeting.core import teams as team_rules
from meeting.core.items import deadline
from meeting.core.teams import upcoming_meeting_starts
from meeting.store.db import iso, utcnow, write

WEEKS_AHEAD = 4


def _insert(db, team: dict, starts_at: datetime, scheduled_for: str | None, is_extra: bool) -> int | None:
    """Insert a meeting with a copy of the team's budgets; None when the schedule slot exists."""
    cursor = db.execute(
        """INSERT INTO meetings (team_id, starts_at, deadline_at, minutes, acute_budget, regular_budget,
           order_policy, scheduled_for, is_extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (team_id, scheduled_for) DO NOTHING""",
        [team["id"], iso(starts_at), iso(deadline(starts_at, team["submission_deadline_hours"])),
         team["meeting_minutes"], team["acute_budget"], team["regular_budget"], team["order_policy"],
         scheduled_for, int(is_extra), iso(utcnow())])
    return cursor.lastrowid if cursor.rowcount else None


def ensure_upcoming(db, team: dict, now: datetime, weeks: int = WEEKS_AHEAD) -> int:
    """Create the schedule's meetings for the coming weeks that do not exist yet; return how many."""
    created = 0
    with write(db):
        for start in upcoming_meeting_starts(team, now, weeks):
            # the schedule slot (local date) is the key: a moved or cancelled meeting is not recreated
            created += _insert(db, team, start, start.date().isoformat(), False) is not None
    return created


def add_extra(db, team: dict, starts_at: datetime) -> int:
    """An extra meeting outside the weekly schedule."""
    with write(db):
        return _insert(db, team, starts_at, None, True)


def get_meeting(db, team_id: int, meeting_id: int) -> dict | None:
    """A team's meeting, or None when it is not this team's."""
    return next(db.query("SELECT * FROM meetings WHERE id = ? AND team_id = ?", [meeting_id, team_id]), None)


def upcoming(db, team_id: int, now: datetime, limit: int = 24) -> list[dict]:
    """Meetings not yet closed whose start is today or later, by start, with item counts."""
    return list(db.query("""SELECT m.*, count(i.id) FILTER (WHERE i.state = 'planned') AS items
        FROM meetings m LEFT JOIN items i ON i.meeting_id = m.id
        WHERE m.team_id = ? AND m.starts_at >= ? AND m.state != 'closed' AND m.kind = 'weekly'
        GROUP BY m.id ORDER BY m.starts_at LIMIT ?""", [team_id, iso(now.replace(hour=0, minute=0)), limit]))


def move(db, team: dict, meeting_id: int, starts_at: datetime) -> None:
    """Move a meeting to another start; its deadline moves with it."""
    with write(db):
        db.execute("UPDATE meetings SET starts_at = ?, deadline_at = ? WHERE id = ? AND team_id = ?",
                   [iso(starts_at), iso(deadline(starts_at, team["submission_deadline_hours"])),
                    meeting_id, team["id"]])
        bump_revision(db, team["id"], meeting_id)


def follow_team_settings(db, team: dict, now: datetime) -> list[dict]:
    """Give every meeting whose agenda is not yet frozen the team's length, budgets, order and deadline,
    except what a chair set for that meeting alone; return those meetings (as they are now), by start."""
    with write(db):
        meetings = list(db.query("""SELECT * FROM meetings WHERE team_id = ? AND state = 'planned'
            AND deadline_at > ? AND kind = 'weekly' ORDER BY starts_at""", [team["id"], iso(now)]))
        for meeting in meetings:
            values = team_rules.meeting_settings(team, meeting)
            values["deadline_at"] = iso(values["deadline_at"])
            if any(meeting[column] != value for column, value in values.items()):
                db.execute(f"UPDATE meetings SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ? AND team_id = ?",
                           [*values.values(), meeting["id"], team["id"]])
                bump_revision(db, team["id"], meeting["id"])
    return [get_meeting(db, team["id"], meeting["id"]) for meeting in meetings]


def set_own_settings(db, team: dict, meeting_id: int, values: dict | None) -> bool:
    """This meeting's own length, budgets and order, kept when the team's change (None: follow the team
    again); only for a meeting still to come. False when it was not."""
    values = values or {column: team[team_column] for column, team_column in team_rules.MEETING_SETTINGS.items()}
    changes = values | team_rules.overrides(team, values)
    with write(db):
        changed = db.execute(f"""UPDATE meetings SET {', '.join(f'{c} = ?' for c in changes)}
            WHERE id = ? AND team_id = ? AND state IN ('planned', 'frozen')""",
                             [*changes.values(), meeting_id, team["id"]]).rowcount
        if changed:
            bump_revision(db, team["id"], meeting_id)
    return bool(changed)


def set_state(db, team_id: int, meeting_id: int, state: str) -> None:
    """Change a meeting's state (cancel, freeze, …)."""
    with write(db):
        db.execute("UPDATE meetings SET state = ? WHERE id = ? AND team_id = ?", [state, meeting_id, team_id])
        bump_revision(db, team_id, meeting_id)


class NotTheTeams(LookupError):
    """The meeting is not this team's: the change it was part of must not happen."""


def bump_revision(db, team_id: int, meeting_id: int) -> None:
    """Tell live screens that something about this team's meeting changed.

    Every change of a meeting ends here inside its write transaction, so a meeting of another
    team raises and rolls the whole change back.
    """
    if not db.execute("UPDATE meetings SET revision = revision + 1 WHERE id = ? AND team_id = ?",
                      [meeting_id, team_id]).rowcount:
        raise NotTheTeams(meeting_id)


def revisions(db, meeting_ids: list[int]) -> dict[int, int]:
    """The current revision of each meeting, by id."""
    marks = ", ".join("?" * len(meeting_ids))
    return {r[0]: r[1] for r in db.execute(f"SELECT id, revision FROM meetings WHERE id IN ({marks})", meeting_ids)}


def data_version(db) -> int:
    """A number that changes whenever another connection commits (cheap to poll)."""
    return db.execute("PRAGMA data_version").fetchone()[0]


def past_deadline(db, now: datetime) -> list[dict]:
    """Every team's planned meetings whose submission deadline has passed (to be frozen)."""
    return list(db.query("SELECT * FROM meetings WHERE state = 'planned' AND deadline_at <= ? AND kind = 'weekly'",
                         [iso(now)]))


def next_meeting_id(db, team: dict, meeting: dict) -> int:
    """The first meeting after `meeting` that is still to come (created from the schedule if needed)."""
    ensure_upcoming(db, team, datetime.fromisoformat(meeting["starts_at"]))
    return next_after(db, team["id"], meeting["starts_at"])["id"]


def next_after(db, team_id: int, starts_at: str) -> dict | None:
    """The first planned or frozen weekly meeting of the team that starts after `starts_at`."""
    return next(db.query("""SELECT * FROM meetings WHERE team_id = ? AND starts_at > ?
        AND state IN ('planned', 'frozen') AND kind = 'weekly' ORDER BY starts_at LIMIT 1""", [team_id, starts_at]),
                None)


def cancel(db, team_id: int, meeting_id: int, next_meeting_id: int) -> None:
    """Cancel a meeting and move its planned items to the end of their tracks in the next meeting."""
    with write(db):
        set_state(db, team_id, meeting_id, "cancelled")
        offset = {track: db.execute("SELECT coalesce(max(position), 0) FROM items WHERE meeting_id = ? AND track = ?",
                                    [next_meeting_id, track]).fetchone()[0] for track in ("acute", "regular")}
        for track, base in offset.items():
            db.execute("UPDATE items SET meeting_id = ?, position = position + ? WHERE meeting_id = ? AND track = ?"
                       " AND state = 'planned'", [next_meeting_id, base, meeting_id, track])
        bump_revision(db, team_id, next_meeting_id)


def recently_closed(db, team_id: int, limit: int = 5) -> list[dict]:
    """The team's last closed meetings, newest first."""
    return list(db.query("SELECT * FROM meetings WHERE team_id = ? AND state = 'closed' AND kind = 'weekly'"
                         " ORDER BY starts_at DESC LIMIT ?", [team_id, limit]))


def running_for(db, user_id: int) -> list[dict]:
    """The meetings and complex-case sessions running now in the user's teams, at most one of each kind per team (the
    one started last), by start: one query, by the user's memberships (memberships_by_user) and each team's running
    meetings (meetings_by_team_state_start). One started more than `FORGOTTEN` ago was left running, not running now."""
    return list(db.query("""SELECT m.id, m.team_id, m.kind, m.starts_at, max(m.started_at) AS started_at,
        t.name AS team_name FROM memberships ms
        JOIN meetings m ON m.team_id = ms.team_id AND m.state = 'running'
        JOIN teams t ON t.id = m.team_id
        WHERE ms.user_id = ? AND m.started_at >= ? GROUP BY m.team_id, m.kind ORDER BY m.starts_at, m.id""",
                         [user_id, iso(utcnow() - FORGOTTEN)]))


FORGOTTEN = timedelta(hours=12)


def of_day(db, team_id: int, start: datetime, end: datetime) -> list[int]:
    """The ids of the team's weekly meetings (not cancelled) that start in [start, end): a day's agenda."""
    return [row[0] for row in db.execute("""SELECT id FROM meetings WHERE team_id = ? AND kind = 'weekly'
        AND state != 'cancelled' AND starts_at >= ? AND starts_at < ? ORDER BY starts_at""",
                                         [team_id, iso(start), iso(end)])]
