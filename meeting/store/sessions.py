"""Complex-case sessions: a meeting of kind 'complex_case' whose five steps are timed items.

Running a session goes through the same store functions as the weekly meeting (running.py: start,
open an item and start its clock, clock events, close it, the bell, the end), so one clock, one bell
and one revision serve both. Client-linked reads and changes are written to the access log.
"""
from datetime import datetime

from meeting.core import session as rules
from meeting.core.i18n import N_, generated
from meeting.store import running as running_store
from meeting.store.audit import Actor, log_access
from meeting.store.db import iso, utcnow, write
from meeting.store.meetings import NotTheTeams, bump_revision

NO_DECISION = N_("Record the closing decision before ending the session.")


def create(db, actor: Actor, team: dict, starts_at: datetime, client_id: int, presenter_id: int,
           minutes: dict[str, int], colleague_id: int | None, external_colleague: str) -> int:
    """Plan a session: its meeting, its case and its five steps in the seed's order; returns its id."""
    now = iso(utcnow())
    with write(db):
        session_id = db.execute(
            """INSERT INTO meetings (team_id, starts_at, deadline_at, minutes, acute_budget, regular_budget,
               order_policy, kind, created_at) VALUES (?, ?, ?, ?, 0, 0, ?, 'complex_case', ?)""",
            [team["id"], iso(starts_at), iso(starts_at), sum(minutes.values()), team["order_policy"], now]).lastrowid
        db.execute("""INSERT INTO case_sessions (meeting_id, team_id, client_id, presenter_id, colleague_id,
            external_colleague) VALUES (?, ?, ?, ?, ?, ?)""",
                   [session_id, team["id"], client_id, presenter_id, colleague_id, external_colleague])
        for position, step in enumerate(rules.STEPS, start=1):
            db.execute("""INSERT INTO items (meeting_id, team_id, presenter_id, client_id, track, label, title, need,
                minutes, position, step, created_at, updated_at) VALUES (?, ?, ?, ?, 'regular', 'issue', ?, '',
                ?, ?, ?, ?, ?)""",
                       [session_id, team["id"], presenter_id, client_id, generated(rules.STEP_NAMES[step]),
                        minutes[step], position, step, now, now])
        log_access(db, actor, "session-plan", [client_id], team["id"], detail=f"session={session_id}")
    return session_id


def update_plan(db, actor: Actor, team_id: int, session_id: int, starts_at: datetime, presenter_id: int,
                minutes: dict[str, int], colleague_id: int | None, external_colleague: str) -> None:
    """Change a session that has not started: its moment, presenter, step minutes, invited colleague."""
    with write(db):
        if not db.execute("""UPDATE meetings SET starts_at = ?, deadline_at = ?, minutes = ? WHERE id = ?
                AND team_id = ? AND kind = 'complex_case' AND state = 'planned'""",
                          [iso(starts_at), iso(starts_at), sum(minutes.values()), session_id, team_id]).rowcount:
            raise running_store.Refused(N_("Only a session that has not started can be changed."))
        db.execute("UPDATE case_sessions SET presenter_id = ?, colleague_id = ?, external_colleague = ? WHERE "
                   "meeting_id = ?",
                   [presenter_id, colleague_id, external_colleague, session_id])
        for step, value in minutes.items():
            db.execute("UPDATE items SET minutes = ?, presenter_id = ?, version = version + 1 WHERE meeting_id = ? "
                       "AND step = ?",
                       [value, presenter_id, session_id, step])
        client_id = db.execute("SELECT client_id FROM case_sessions WHERE meeting_id = ?", [session_id]).fetchone()[0]
        log_access(db, actor, "session-plan", [client_id], team_id, detail=f"session={session_id}")
        bump_revision(db, team_id, session_id)


def cancel(db, team_id: int, session_id: int) -> None:
    """Cancel a session that has not started."""
    with write(db):
        if not db.execute("UPDATE meetings SET state = 'cancelled' WHERE id = ? AND team_id = ? AND state = 'planned'"
                          " AND kind = 'complex_case'", [session_id, team_id]).rowcount:
            raise running_store.Refused(N_("Only a session that has not started can be changed."))
        bump_revision(db, team_id, session_id)


def get_session(db, team_id: int, session_id: int) -> dict | None:
    """A team's session with its case, client, presenter and invited colleague (not logged: see log_view)."""
    return next(db.query("""SELECT m.*, s.client_id, s.presenter_id, s.colleague_id, s.external_colleague,
        s.request_and_start, s.tried_towards_finishing, s.finishing_hard, s.prepared_at,
        c.reference AS client_reference, c.treatment_start AS client_treatment_start, c.status AS client_status,
        p.name AS presenter_name, k.name AS colleague_name,
        (SELECT t.name FROM memberships x JOIN teams t ON t.id = x.team_id WHERE x.user_id = s.colleague_id
         ORDER BY t.name LIMIT 1) AS colleague_team
        FROM meetings m JOIN case_sessions s ON s.meeting_id = m.id JOIN clients c ON c.id = s.client_id
        JOIN users p ON p.id = s.presenter_id LEFT JOIN users k ON k.id = s.colleague_id
        WHERE m.id = ? AND m.team_id = ? AND m.kind = 'complex_case'""", [session_id, team_id]), None)


def log_view(db, actor: Actor, session: dict, what: str) -> None:
    """Log that someone opened a screen showing the session's case (once per page, not per live re-render)."""
    with write(db):
        log_access(db, actor, what, [session["client_id"]], session["team_id"], detail=f"session={session['id']}")


def steps(db, session_id: int) -> list[dict]:
    """The session's step items in order: id, step, minutes, state, used seconds."""
    return list(db.query("""SELECT id, step, minutes, state, used_seconds FROM items
        WHERE meeting_id = ? AND step IS NOT NULL ORDER BY position""", [session_id]))


def save_preparation(db, actor: Actor, team_id: int, session_id: int, values: dict, now: datetime) -> None:
    """Store the presenter's case preparation."""
    with write(db):
        db.execute("""UPDATE case_sessions SET request_and_start = ?, tried_towards_finishing = ?, finishing_hard = ?,
            prepared_at = ? WHERE meeting_id = ? AND team_id = ?""",
                   [*(values[f] for f in rules.PREPARATION_FIELDS), iso(now), session_id, team_id])
        client_id = db.execute("SELECT client_id FROM case_sessions WHERE meeting_id = ?", [session_id]).fetchone()[0]
        log_access(db, actor, "session-prepare", [client_id], team_id, detail=f"session={session_id}")
        bump_revision(db, team_id, session_id)


def cards(db, session_id: int) -> list[dict]:
    """Every card of the session (worksheet factors, insights, options), oldest first; never who wrote it."""
    return list(db.query("SELECT id, step, level, text, user_id, at FROM session_cards "
                         "WHERE meeting_id = ? ORDER BY id",
                         [session_id]))


def add_card(db, actor: Actor, team_id: int, session_id: int, card: dict, now: datetime) -> None:
    """Put a card on the board; an insight replaces the person's earlier insight of the same step. Logged: a card
    is about the session's client."""
    with write(db):
        db.execute("""INSERT INTO session_cards (meeting_id, team_id, step, level, text, user_id, at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, step, user_id) WHERE level IS NULL
            DO UPDATE SET text = excluded.text, at = excluded.at""",
                   [session_id, team_id, card["step"], card["level"], card["text"], actor.user_id, iso(now)])
        _log_card(db, actor, team_id, session_id, "session-card")
        bump_revision(db, team_id, session_id)


def delete_card(db, actor: Actor, team_id: int, session_id: int, card_id: int) -> bool:
    """Take one's own card off the board; False when it is not this person's card of this session."""
    with write(db):
        deleted = db.execute("DELETE FROM session_cards "
                             "WHERE id = ? AND meeting_id = ? AND team_id = ? AND user_id = ?",
                             [card_id, session_id, team_id, actor.user_id]).rowcount
        if deleted:
            _log_card(db, actor, team_id, session_id, "session-card-remove")
            bump_revision(db, team_id, session_id)
    return bool(deleted)


def _log_card(db, actor: Actor, team_id: int, session_id: int, action: str) -> None:
    row = db.execute("SELECT client_id FROM case_sessions WHERE meeting_id = ? AND team_id = ?",
                     [session_id, team_id]).fetchone()
    if row is None:
        raise NotTheTeams(session_id)
    log_access(db, actor, action, [row[0]], team_id, detail=f"session={session_id}")


def start(db, team_id: int, session_id: int, first_step_id: int, now: datetime, user_id: int) -> None:
    """Start the session with its first step's clock running (the weekly meeting's own functions)."""
    with write(db):
        running_store.start_meeting(db, team_id, session_id, now)
        running_store.open_item(db, team_id, session_id, first_step_id, now, user_id)


def next_step(db, team_id: int, session_id: int, current_id: int | None, next_id: int, now: datetime,
              user_id: int) -> None:
    """End the current step's clock and start the next one's, in one transaction."""
    with write(db):
        if current_id:
            running_store.close_current(db, team_id, session_id, current_id, now, user_id)
        running_store.open_item(db, team_id, session_id, next_id, now, user_id)


def end(db, team_id: int, session_id: int, now: datetime, user_id: int) -> None:
    """End the session: refused without its closing decision; the current step's clock stops."""
    with write(db):
        row = db.execute("SELECT current_item_id, state FROM meetings WHERE id = ? AND team_id = ?",
                         [session_id, team_id]).fetchone()
        if row is None:
            raise NotTheTeams(session_id)
        if row[1] != "running":
            raise running_store.Refused(N_("Start the session first."))
        if not db.execute("SELECT 1 FROM decisions WHERE meeting_id = ?", [session_id]).fetchone():
            raise running_store.Refused(NO_DECISION)
        if row[0]:
            running_store.close_current(db, team_id, session_id, row[0], now, user_id)
        running_store.end_meeting(db, team_id, session_id, now)


def of_team(db, team_id: int, now: datetime, past_limit: int = 10) -> dict[str, list[dict]]:
    """The team's coming and running sessions, and its last ended ones, with client and presenter."""
    query = """SELECT m.id, m.starts_at, m.state, m.minutes, s.client_id, c.reference AS client_reference,
        s.presenter_id,
        p.name AS presenter_name, s.prepared_at FROM meetings m JOIN case_sessions s ON s.meeting_id = m.id
        JOIN clients c ON c.id = s.client_id JOIN users p ON p.id = s.presenter_id
        WHERE m.team_id = ? AND m.kind = 'complex_case' AND {where}"""
    coming = list(db.query(query.format(where="(m.state = 'running' OR (m.state = 'planned' AND m.starts_at >= ?))"
                                              " ORDER BY m.starts_at"), [team_id, iso(now.replace(hour=0, minute=0))]))
    ended = list(db.query(query.format(where="m.state = 'closed' ORDER BY m.starts_at DESC LIMIT ?"),
                          [team_id, past_limit]))
    return {"coming": coming, "ended": ended}


def colleagues_outside(db, team_id: int) -> list[dict]:
    """Active users who belong to another team and not to this one: who may be invited as a colleague."""
    return list(db.query("""SELECT u.id, u.name, min(t.name) AS team FROM users u JOIN memberships x ON x.user_id = u.id
        JOIN teams t ON t.id = x.team_id WHERE u.active = 1 AND x.team_id != ?
        AND u.id NOT IN (SELECT user_id FROM memberships WHERE team_id = ?) GROUP BY u.id ORDER BY u.name""",
                         [team_id, team_id]))
