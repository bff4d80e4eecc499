"""Decisions that close items or sessions, their actions, and the evaluations they record.

A decision is the core's command (`meeting.core.decision.decide`): the store reads what it closes, lets the core
decide, and writes every effect the core returned in one transaction (`apply`).
"""
import sqlite3
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from meeting.core import decision as rules
from meeting.core.actions import status_after
from meeting.core.dates import parse_date
from meeting.core.decision_extras import consent_form, finishes_by_consent
from meeting.core.items import ItemInput
from meeting.store import client_evaluations, consultations
from meeting.store import handovers as handover_store
from meeting.store.audit import Actor, log_access
from meeting.store.db import iso, write
from meeting.store.items import ITEM_COLUMNS, add_item
from meeting.store.meetings import NotTheTeams, bump_revision
from meeting.store.running import Refused, close_current

DECISION_FIELDS = rules.RECORD_FIELDS
ALREADY_CLOSED = rules.ALREADY_CLOSED


class InvalidDecision(Refused):
    """The decision cannot be recorded (the core's refusal, or closed meanwhile): field -> message; the one
    refusal a view of a decision catches."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def subject(db, team_id: int, item_id: int) -> rules.Subject | None:
    """What deciding `item_id` closes, as stored now: a weekly meeting's item, or a complex-case session's options
    step (the session's case gives the client and whether the colleague was named)."""
    row = next(db.query("""SELECT i.id, i.meeting_id, i.state, i.track, i.label, i.client_id, i.presenter_id,
        i.handover_id, m.kind, m.starts_at, m.state AS meeting_state, c.treatment_start,
        s.colleague_id, s.external_colleague FROM items i JOIN meetings m ON m.id = i.meeting_id
        LEFT JOIN clients c ON c.id = i.client_id LEFT JOIN case_sessions s ON s.meeting_id = m.id
        WHERE i.id = ? AND i.team_id = ?""", [item_id, team_id]), None)
    if row is None:
        return None
    session = row["kind"] == "complex_case"
    return rules.Subject(
        "session" if session else "item", row["id"], row["meeting_id"], row["starts_at"], row["meeting_state"],
        row["state"], "regular" if session else row["track"], None if session else row["label"], row["client_id"],
        row["presenter_id"], parse_date(row["treatment_start"]),
        session and bool(row["colleague_id"] or (row["external_colleague"] or "").strip()), row["handover_id"])


def decide(db, actor: Actor, team: dict, item: Mapping, posted: rules.DecisionInput | Mapping, today: date,
           now: datetime, next_meeting_id: int | None) -> int:
    """Record the decision that closes `item` (an agenda item, or a session's options step); `today` is the day of
    the meeting it is decided in (a review is dated by it). InvalidDecision when the core refuses it, or when it was
    closed meanwhile; checked inside the write lock, with the team's active members as the possible owners."""
    if not isinstance(posted, rules.DecisionInput):
        posted = rules.DecisionInput.from_values(posted)
    try:
        with write(db):
            closing = subject(db, team["id"], item["id"])
            if closing is None:
                raise NotTheTeams(item["id"])
            members = {r[0] for r in db.execute("""SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.team_id = ? AND u.active = 1""", [team["id"]])}
            outcome = rules.decide(closing, posted, today, members, team["evaluation_interval_months"], next_meeting_id)
            if isinstance(outcome, rules.Refusal):
                raise InvalidDecision(outcome.errors)
            return apply(db, actor, team, outcome, now)
    except sqlite3.IntegrityError as error:  # the UNIQUE item_id: a second chair at the same moment
        if "decisions.item_id" in str(error):
            raise InvalidDecision({"item": ALREADY_CLOSED}) from error
        raise


def apply(db, actor: Actor, team: dict, decision: rules.Decision, now: datetime) -> int:
    """Write every effect of `decision` in one transaction (all or nothing); return the decision's id."""
    item = decision.subject
    with write(db):
        decision_id = db.execute(
            f"""INSERT INTO decisions (item_id, meeting_id, {', '.join(DECISION_FIELDS)}, decided_by, decided_at)
                VALUES ({', '.join('?' * (len(DECISION_FIELDS) + 4))})""",
            [item.item_id, item.meeting_id, *(decision.record[f] for f in DECISION_FIELDS), actor.user_id,
             iso(now)]).lastrowid
        db.conn.executemany("INSERT INTO actions (decision_id, team_id, description, owner_id, due_on) VALUES (?, ?, "
                            "?, ?, ?)",
                            [(decision_id, team["id"], a.description, a.owner_id, a.due_on.isoformat())
                             for a in decision.actions])
        if decision.review:
            _record_review(db, actor, team, item, decision.review, decision.client_changes)
        if decision.handover:
            handover_store.open_handover(db, actor, team, item.client_id, decision_id, decision.handover.outcome,
                                         decision.handover.opened_on)
        if decision.with_client:
            client_evaluations.record(db, actor, team, item, decision_id, decision.with_client, now)
        if decision.consultation:
            consultations.record(db, actor, team, item, decision_id, decision.consultation)
        if decision.returns_to_meeting_id:
            _return_as_issue(db, actor, team["id"], item.item_id, decision.returns_to_meeting_id)
        db.execute("UPDATE items SET state = 'decided', version = version + 1 WHERE id = ?", [item.item_id])
        close_current(db, team["id"], item.meeting_id, item.item_id, now, actor.user_id)
        if decision.announce_after:  # a step-down or finish opens a handover: the next agenda announces it
            handover_store.put_on_agendas(db, actor, team, decision.announce_after)
    return decision_id


def _record_review(db, actor: Actor, team: dict, item: rules.Subject, review: rules.TeamReview,
                   changes: dict) -> None:
    """A decided regular review is an evaluation: it dates the client's next one, and changes the client's record."""
    client = db.execute("SELECT clinician_id, last_evaluation FROM clients WHERE id = ?", [item.client_id]).fetchone()
    db.execute("""INSERT INTO evaluations (team_id, client_id, item_id, clinician_id, held_on, outcome,
        next_evaluation_on, previous_evaluation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
               [team["id"], item.client_id, item.item_id, client[0], review.held_on.isoformat(), review.outcome,
                review.next_evaluation_on and review.next_evaluation_on.isoformat(), client[1]])
    _apply_client_changes(db, team["id"], item.client_id, changes)
    log_access(db, actor, "evaluation", [item.client_id], team["id"], detail=f"item={item.item_id}")


CLIENT_COLUMNS = {"last_evaluation", "next_evaluation_on", "last_continuation_decision", "colleague_invited_at",
                  "status", "finished_on"}


def _apply_client_changes(db, team_id: int, client_id: int, changes: dict) -> None:
    """Write what the core decided a decision does to the client (the columns come from a fixed set)."""
    if not set(changes) <= CLIENT_COLUMNS:
        raise ValueError(f"not a client column: {set(changes) - CLIENT_COLUMNS}")
    values = [v.isoformat() if isinstance(v, date) else v for v in changes.values()]
    db.execute(f"UPDATE clients SET {', '.join(f'{c} = ?' for c in changes)} WHERE id = ? AND team_id = ?",
               [*values, client_id, team_id])


def _return_as_issue(db, actor: Actor, team_id: int, item_id: int, next_meeting_id: int) -> None:
    """An announcement the team did not agree with comes back as an issue at the next meeting."""
    item = next(db.query("SELECT * FROM items WHERE id = ?", [item_id]))
    copy = ItemInput(**({column: item[column] for column in ITEM_COLUMNS} | {"label": "issue"}))
    add_item(db, actor, team_id, next_meeting_id, item["presenter_id"], copy, origin_item_id=item_id)


def approve_consent_block(db, actor: Actor, meeting_id: int, team_id: int, now: datetime) -> int:
    """Approve every planned announcement of the meeting in one go; return how many.

    An announced finish of a regular review is decided like a review: the outcome, the evaluation, the client's
    evaluation with the client as prepared, and the treatment finished.
    """
    with write(db):
        team = next(db.query("SELECT * FROM teams WHERE id = ?", [team_id]))
        items = list(db.query("SELECT * FROM items WHERE meeting_id = ? AND team_id = ? AND state = 'planned'"
                              " AND label = 'announcement'", [meeting_id, team_id]))
        for item in items:
            if finishes_by_consent(item):
                decide(db, actor, team, item, consent_form(item), now.astimezone(ZoneInfo(team["timezone"])).date(),
                       now, None)
                continue
            db.execute("INSERT INTO decisions (item_id, meeting_id, announcement_outcome, decided_by, decided_at)"
                       " VALUES (?, ?, 'approved', ?, ?)", [item["id"], meeting_id, actor.user_id, iso(now)])
            db.execute("UPDATE items SET state = 'decided', version = version + 1 WHERE id = ?", [item["id"]])
        db.execute("UPDATE meetings SET phase = 'items' WHERE id = ? AND team_id = ?", [meeting_id, team_id])
        bump_revision(db, team_id, meeting_id)
    return len(items)


ACTION_COLUMNS = """a.*, u.name AS owner_name, i.title AS item_title, c.reference AS client_reference"""
ACTION_JOINS = """actions a JOIN users u ON u.id = a.owner_id JOIN decisions d ON d.id = a.decision_id
        JOIN items i ON i.id = d.item_id LEFT JOIN clients c ON c.id = i.client_id"""


def open_actions(db, team_id: int, meeting_id: int | None = None) -> list[dict]:
    """The team's actions still open, by due date, and those reviewed in `meeting_id` (with that review).

    An action reviewed as done in this meeting stays in its look back, so the chair sees what was marked.
    """
    return list(db.query(f"""SELECT {ACTION_COLUMNS}, r.status AS review, r.due_before, r.due_after
        FROM {ACTION_JOINS} LEFT JOIN action_reviews r ON r.action_id = a.id AND r.meeting_id = ?
        WHERE a.team_id = ? AND (a.status = 'open' OR r.id IS NOT NULL)
        AND d.meeting_id IS NOT ? ORDER BY a.due_on, a.id""", [meeting_id, team_id, meeting_id]))


def actions_of_owner(db, team_id: int, owner_id: int) -> list[dict]:
    """My actions: the open actions this member holds in the team, by due date."""
    return list(db.query(f"""SELECT {ACTION_COLUMNS} FROM {ACTION_JOINS}
        WHERE a.team_id = ? AND a.owner_id = ? AND a.status = 'open' ORDER BY a.due_on, a.id""",
                         [team_id, owner_id]))


def review_action(db, team_id: int, action_id: int, status: str, meeting_id: int, now: datetime,
                  new_due: date | None = None, user_id: int | None = None) -> None:
    """Look back: done closes the action; not done keeps it open; moved keeps it open with a new due date.

    Each meeting keeps its own review of the action (the last click counts), so the minutes show it.
    """
    with write(db):
        bump_revision(db, team_id, meeting_id)
        row = db.execute("""SELECT coalesce(r.due_before, a.due_on) FROM actions a LEFT JOIN action_reviews r
            ON r.action_id = a.id AND r.meeting_id = ? WHERE a.id = ? AND a.team_id = ?""",
                         [meeting_id, action_id, team_id]).fetchone()
        if row is None:
            raise NotTheTeams(action_id)
        due_after = new_due.isoformat() if status == "moved" and new_due else None
        db.execute("""INSERT INTO action_reviews (action_id, meeting_id, status, due_before, due_after, user_id, at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (action_id, meeting_id) DO UPDATE SET status = excluded.status,
            due_after = excluded.due_after, user_id = excluded.user_id, at = excluded.at""",
                   [action_id, meeting_id, status, row[0], due_after, user_id, iso(now)])
        db.execute("UPDATE actions SET status = ?, due_on = coalesce(?, ?), reviewed_meeting_id = ?, reviewed_at = ?"
                   " WHERE id = ? AND team_id = ?",
                   [status_after(status), due_after, row[0], meeting_id, iso(now), action_id, team_id])


def action_reviews_of_meeting(db, meeting_id: int) -> list[dict]:
    """The look back of a meeting as it was done: each reviewed action with its review."""
    return list(db.query(f"""SELECT {ACTION_COLUMNS}, r.status AS review, r.due_before, r.due_after
        FROM {ACTION_JOINS} JOIN action_reviews r ON r.action_id = a.id WHERE r.meeting_id = ?
        ORDER BY r.due_before, a.id""", [meeting_id]))


def decisions_of_meeting(db, meeting_id: int) -> dict[int, dict]:
    """The meeting's decisions by item id; a review's `next_review_on` is the due date it set (the core's)."""
    return {r["item_id"]: r for r in db.query("""SELECT d.*, e.next_evaluation_on AS next_review_on FROM decisions d
        LEFT JOIN evaluations e ON e.item_id = d.item_id WHERE d.meeting_id = ?""", [meeting_id])}


def actions_of_meeting(db, meeting_id: int) -> list[dict]:
    """Actions agreed in this meeting, with owner names."""
    return list(db.query("""SELECT a.*, u.name AS owner_name, d.item_id FROM actions a
        JOIN decisions d ON d.id = a.decision_id JOIN users u ON u.id = a.owner_id
        WHERE d.meeting_id = ? ORDER BY a.id""", [meeting_id]))
