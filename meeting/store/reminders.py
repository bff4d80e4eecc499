"""What the reminders read (who is concerned by what), and the choices people and chairs make about them.

Reads return ids, counts and moments only: what a mail may say (see meeting.core.mail). The rules that
decide who gets what, and when, are in meeting.core.reminders.
"""
from datetime import datetime, timedelta

from meeting.store.db import iso, write


def own_choices(db, user_ids: list[int] | None = None) -> dict[int, dict[str, str]]:
    """Each user's own reminder choices, by user id and kind (all users when `user_ids` is None)."""
    rows = db.execute("SELECT user_id, kind, choice FROM reminder_choices").fetchall()
    found: dict[int, dict[str, str]] = {}
    for user_id, kind, choice in rows:
        if user_ids is None or user_id in user_ids:
            found.setdefault(user_id, {})[kind] = choice
    return found


def set_own_choices(db, user_id: int, choices: dict[str, str], any_time: bool) -> None:
    """Store a user's choices (every kind given) and whether mail may come in the evening and at the weekend."""
    with write(db):
        for kind, choice in choices.items():
            db.execute("""INSERT INTO reminder_choices (user_id, kind, choice) VALUES (?, ?, ?)
                ON CONFLICT (user_id, kind) DO UPDATE SET choice = excluded.choice""", [user_id, kind, choice])
        db.execute("UPDATE users SET mail_any_time = ? WHERE id = ?", [int(any_time), user_id])


def team_defaults(db, team_id: int) -> dict[str, str]:
    """The team's default choice per kind (what its chair set)."""
    return {row[0]: row[1] for row in
            db.execute("SELECT kind, choice FROM team_reminder_defaults WHERE team_id = ?", [team_id])}


def set_team_defaults(db, team_id: int, choices: dict[str, str], reminder_time: str) -> None:
    """Store the team's defaults and the local time its reminders go out."""
    with write(db):
        for kind, choice in choices.items():
            db.execute("""INSERT INTO team_reminder_defaults (team_id, kind, choice) VALUES (?, ?, ?)
                ON CONFLICT (team_id, kind) DO UPDATE SET choice = excluded.choice""", [team_id, kind, choice])
        db.execute("UPDATE teams SET reminder_time = ? WHERE id = ?", [reminder_time, team_id])


def recipients(db, user_ids) -> dict[int, dict]:
    """Active users by id, with what a mail to them needs: address, name, language, quiet hours."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    return {row["id"]: row for row in db.query(
        f"SELECT id, email, name, locale, mail_any_time FROM users WHERE active = 1 AND id IN ({marks})", ids)}


def meeting_members(db, team_id: int) -> list[int]:
    """The team's members and chairs (who bring in items and sit at the meeting), active ones."""
    return [row[0] for row in db.execute("""SELECT u.id FROM memberships x JOIN users u ON u.id = x.user_id
        WHERE x.team_id = ? AND x.role IN ('member', 'chair') AND u.active = 1 ORDER BY u.id""", [team_id])]


def meetings_with_deadline_between(db, team_id: int, start: datetime, end: datetime) -> list[dict]:
    """The team's weekly meetings open for submissions whose deadline falls in [start, end)."""
    return list(db.query("""SELECT id, starts_at, deadline_at FROM meetings WHERE team_id = ? AND kind = 'weekly'
        AND state = 'planned' AND deadline_at >= ? AND deadline_at < ? ORDER BY starts_at""",
                         [team_id, iso(start), iso(end)]))


def clinicians_with_due_reviews(db, team_id: int, meeting_id: int, meeting_day: str) -> set[int]:
    """Clinicians with an active client whose team review is due by `meeting_day` and not on that meeting's agenda."""
    return {row[0] for row in db.execute("""SELECT DISTINCT c.clinician_id FROM clients c
        WHERE c.team_id = ? AND c.status = 'active' AND c.due_on <= ?
        AND c.id NOT IN (SELECT client_id FROM items WHERE meeting_id = ? AND state = 'planned'
                         AND client_id IS NOT NULL)""", [team_id, meeting_day, meeting_id])}


def planned_items_preparation(db, meeting_id: int) -> list[dict]:
    """Each planned item of a meeting: its presenter, label and whether each preparation field holds something."""
    return list(db.query("""SELECT presenter_id, label, current_state != '' AS current_state,
        request_and_start != '' AS request_and_start, tried_towards_finishing != '' AS tried_towards_finishing,
        finishing_hard != '' AS finishing_hard, evaluation_prep != '' AS evaluation_prep
        FROM items WHERE meeting_id = ? AND state = 'planned'""", [meeting_id]))


def meetings_starting_between(db, team_id: int, kind: str, start: datetime, end: datetime) -> list[dict]:
    """The team's planned or frozen meetings of `kind` that start in [start, end)."""
    return list(db.query("""SELECT id, starts_at FROM meetings WHERE team_id = ? AND kind = ?
        AND state IN ('planned', 'frozen') AND starts_at >= ? AND starts_at < ? ORDER BY starts_at""",
                         [team_id, kind, iso(start), iso(end)]))


def open_actions_due_by(db, team_id: int, day: str) -> dict[int, int]:
    """Per owner: how many of their open actions in the team are due on or before `day`."""
    return {row[0]: row[1] for row in db.execute("""SELECT owner_id, count(*) FROM actions
        WHERE team_id = ? AND status = 'open' AND due_on <= ? GROUP BY owner_id""", [team_id, day])}


def evaluation_dates_per_clinician(db, team_id: int) -> dict[int, list[tuple[str, str | None]]]:
    """Per clinician: (treatment start, last evaluation with the client) of each of their active clients."""
    found: dict[int, list[tuple[str, str | None]]] = {}
    for clinician_id, start, last in db.execute("""SELECT clinician_id, treatment_start, last_with_client
            FROM clients WHERE team_id = ? AND status = 'active'""", [team_id]):
        found.setdefault(clinician_id, []).append((start, last))
    return found


def meetings_ended_since(db, team_id: int, since: datetime) -> list[dict]:
    """The team's weekly meetings that ended since `since`."""
    return list(db.query("""SELECT id, starts_at, ended_at FROM meetings WHERE team_id = ? AND kind = 'weekly'
        AND state = 'closed' AND ended_at >= ? ORDER BY ended_at""", [team_id, iso(since)]))


def raters(db, meeting_id: int) -> set[int]:
    """Who rated a meeting."""
    return {row[0] for row in db.execute("SELECT user_id FROM meeting_raters WHERE meeting_id = ?", [meeting_id])}


def unprepared_sessions_starting_between(db, team_id: int, start: datetime, end: datetime) -> list[dict]:
    """The team's planned complex-case sessions in [start, end) whose preparation is still open, with presenter
    and invited colleague."""
    return list(db.query("""SELECT m.id, m.starts_at, s.presenter_id, s.colleague_id FROM meetings m
        JOIN case_sessions s ON s.meeting_id = m.id WHERE m.team_id = ? AND m.kind = 'complex_case'
        AND m.state = 'planned' AND s.prepared_at IS NULL AND m.starts_at >= ? AND m.starts_at < ?
        ORDER BY m.starts_at""", [team_id, iso(start), iso(end)]))


def window(now: datetime, days_back: int, days_ahead: int) -> tuple[datetime, datetime]:
    """[now - days_back, now + days_ahead): the stretch a reminder job looks at."""
    return now - timedelta(days=days_back), now + timedelta(days=days_ahead)


def allow_any_time(db, user_ids: list[int]) -> None:
    """Let these users have mail in the evening and at the weekend too (the demo: a newcomer sees a reminder now)."""
    with write(db):
        for user_id in user_ids:
            db.execute("UPDATE users SET mail_any_time = 1 WHERE id = ?", [user_id])
