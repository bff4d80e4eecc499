"""Personal calendar feeds: a secret token per user (only its hash is kept) and what the feed shows.

The token is the only key to the feed (calendars fetch it without cookies): 32 random bytes, renewed or
stopped by its owner; renewing makes the old URL answer 404. Reads return moments, states and team names:
never a client, a title or a decision.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from meeting.store.db import iso, write

PAST_DAYS = 30  # a subscribed calendar keeps the last month; a cancellation stays this long, so calendars remove it


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db, user_id: int, now: datetime) -> str:
    """A new feed token for the user (any earlier one stops working); returns the token, shown once."""
    token = secrets.token_urlsafe(32)
    with write(db):
        db.execute("""INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at""",
                   [user_id, _hash(token), iso(now)])
    return token


def stop(db, user_id: int) -> None:
    """No feed for this user any more."""
    db.execute("DELETE FROM calendar_feeds WHERE user_id = ?", [user_id])


def of_user(db, user_id: int) -> dict | None:
    """The user's feed (when it was made), or None."""
    return next(db.query("SELECT user_id, created_at FROM calendar_feeds WHERE user_id = ?", [user_id]), None)


def user_for_token(db, token: str) -> dict | None:
    """The active user whose feed this token opens, or None."""
    return next(db.query("""SELECT u.id, u.name, u.locale FROM calendar_feeds f JOIN users u ON u.id = f.user_id
        WHERE f.token_hash = ? AND u.active = 1""", [_hash(token)]), None)


def meetings(db, user_id: int, now: datetime) -> list[dict]:
    """The weekly meetings and complex-case sessions of the user's teams, and sessions they are invited to, from a
    month ago on: times, states and team, nothing about clients."""
    return list(db.query("""SELECT m.id, m.team_id, m.kind, m.state, m.starts_at, m.deadline_at, m.minutes,
        m.calendar_sequence, t.name AS team_name, t.timezone,
        (m.team_id IN (SELECT team_id FROM memberships WHERE user_id = :user)) AS own_team
        FROM meetings m JOIN teams t ON t.id = m.team_id
        WHERE m.starts_at >= :since AND (m.team_id IN (SELECT team_id FROM memberships WHERE user_id = :user)
              OR m.id IN (SELECT meeting_id FROM case_sessions WHERE colleague_id = :user))
        ORDER BY m.starts_at, m.id""", {"user": user_id, "since": iso(now - timedelta(days=PAST_DAYS))}))


def open_actions(db, user_id: int) -> list[dict]:
    """The user's open actions with their due date and team, and how often the date was moved (nothing of their
    text)."""
    return list(db.query("""SELECT a.id, a.team_id, a.due_on, t.name AS team_name,
        (SELECT count(*) FROM action_reviews r WHERE r.action_id = a.id AND r.status = 'moved') AS moves
        FROM actions a JOIN teams t ON t.id = a.team_id
        WHERE a.owner_id = ? AND a.status = 'open'
        AND a.team_id IN (SELECT team_id FROM memberships WHERE user_id = ?) ORDER BY a.due_on, a.id""",
                         [user_id, user_id]))


def meeting(db, team_id: int, meeting_id: int) -> dict | None:
    """One meeting of the team for its .ics: times, state and team."""
    return next(db.query("""SELECT m.id, m.team_id, m.kind, m.state, m.starts_at, m.deadline_at, m.minutes,
        m.calendar_sequence, t.name AS team_name, t.timezone, 1 AS own_team
        FROM meetings m JOIN teams t ON t.id = m.team_id WHERE m.id = ? AND m.team_id = ?""",
                         [meeting_id, team_id]), None)
