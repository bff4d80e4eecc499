"""Decisions that close items, their actions, and the evaluations they record."""
import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

from meeting.core.actions import status_after
from meeting.core.closing import (
    client_changes, comes_back_as_issue, counts_as_evaluation, next_evaluation_date, validate_decision,
)
from meeting.core.decision_extras import consent_form, finishes_by_consent
from meeting.core.handover import opens_handover
from meeting.store.db import iso, write
from meeting.core.i18n import N_
from meeting.core.items import ItemInput
from meeting.store import handovers as handover_store
from meeting.store.audit import Actor, log_access
from meeting.store.items import ITEM_COLUMNS, add_item
from meeting.store.meetings import NotTheTeams, bump_revision
from meeting.store.running import Refused, close_current
from meeting.store import client_evaluations, consultations

DECISION_FIELDS = ("announcement_outcome", "answer", "outcome", "decision", "reason", "needs_met", "worded_by",
                   "next_evaluation_on", "continuation_answer", "colleague_invited", "exemplary_situation")
ALREADY_CLOSED = N_("This item was closed already, by someone else. Nothing was changed.")
TEXT_FIELDS = {"answer", "decision", "reason", "continuation_answer"}


class InvalidDecision(Refused):
    """The decision lacks what the rules require (the core's validation): refused whoever calls."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def _decision_values(form: dict) -> list:
    """The decision's columns in order: free text as '' when absent, choices as NULL."""
    return [(form.get(f) or "").strip() if f in TEXT_FIELDS else (form.get(f) or None) for f in DECISION_FIELDS]


def decide(db, actor: Actor, team: dict, item: dict, form: dict, today: date, now: datetime,
           next_meeting_id: int | None) -> int:
    """Record the decision that closes `item`; `today` is the day of the meeting it is decided in (a review
    is dated by it). Refused if it is closed already; InvalidDecision if the rules are not met."""
    try:
        with write(db):
            stored = next(db.query("""SELECT i.state, i.track, i.label, i.client_id, c.treatment_start FROM items i
                LEFT JOIN clients c ON c.id = i.client_id WHERE i.id = ? AND i.team_id = ?""",
                                   [item["id"], team["id"]]), None)
            if stored is None:
                raise NotTheTeams(item["id"])
            if stored["state"] != "planned":
                raise Refused(ALREADY_CLOSED)
            if errors := validate_decision(stored, form, today):
                raise InvalidDecision(errors)
            decision_id = db.execute(
                f"""INSERT INTO decisions (item_id, meeting_id, {', '.join(DECISION_FIELDS)}, decided_by, decided_at)
                    VALUES ({', '.join('?' * (len(DECISION_FIELDS) + 4))})""",
                [item["id"], item["meeting_id"], *_decision_values(form), actor.user_id, iso(now)]).lastrowid
            _record_actions(db, team["id"], decision_id, form.get("actions") or [])
            if stored["client_id"] and counts_as_evaluation(stored, form):
                _record_evaluation(db, actor, team, item, form, today)
                if opens_handover(form.get("outcome")):
                    handover_store.open_handover(db, actor, team, item["client_id"], decision_id, form["outcome"], today)
            client_evaluations.record(db, actor, team, item, decision_id, form, today, now)
            consultations.record(db, actor, team, item, decision_id, form, today)
            if comes_back_as_issue(stored, form) and next_meeting_id:
                _return_as_issue(db, actor, item, next_meeting_id)
            db.execute("UPDATE items SET state = 'decided', version = version + 1 WHERE id = ?", [item["id"]])
            close_current(db, team["id"], item["meeting_id"], item["id"], now, actor.user_id)
            return decision_id
    except sqlite3.IntegrityError as error:  # the UNIQUE item_id: a second chair at the same moment
        if "decisions.item_id" in str(error):
            raise Refused(ALREADY_CLOSED) from error
        raise


def _record_actions(db, team_id: int, decision_id: int, actions: list[dict]) -> None:
    for action in actions:
        if action.get("description"):
            db.execute("INSERT INTO actions (decision_id, team_id, description, owner_id, due_on) VALUES (?, ?, ?, ?, ?)",
                       [decision_id, team_id, action["description"].strip(), int(action["owner"]), action["due"]])


def _record_evaluation(db, actor: Actor, team: dict, item: dict, form: dict, today: date) -> None:
    """A decided regular review is an evaluation: it dates the client's next one (none after finishing)."""
    override = date.fromisoformat(form["next_evaluation_on"]) if form.get("next_evaluation_on") else None
    next_on = next_evaluation_date(form["outcome"], today, team["evaluation_interval_months"], override)
    client = db.execute("SELECT clinician_id, last_evaluation FROM clients WHERE id = ?", [item["client_id"]]).fetchone()
    db.execute("""INSERT INTO evaluations (team_id, client_id, item_id, clinician_id, held_on, outcome, next_evaluation_on,
        previous_evaluation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
               [team["id"], item["client_id"], item["id"], client[0], today.isoformat(), form["outcome"],
                next_on and next_on.isoformat(), client[1]])
    _apply_client_changes(db, team["id"], item["client_id"], client_changes(form, today))
    log_access(db, actor, "evaluation", [item["client_id"]], team["id"], detail=f"item={item['id']}")


CLIENT_COLUMNS = {"last_evaluation", "next_evaluation_on", "last_continuation_decision", "colleague_invited_at",
                  "status", "finished_on"}


def _apply_client_changes(db, team_id: int, client_id: int, changes: dict) -> None:
    """Write what the core decided a decision does to the client (the columns come from a fixed set)."""
    if not set(changes) <= CLIENT_COLUMNS:
        raise ValueError(f"not a client column: {set(changes) - CLIENT_COLUMNS}")
    values = [v.isoformat() if isinstance(v, date) else v for v in changes.values()]
    db.execute(f"UPDATE clients SET {', '.join(f'{c} = ?' for c in changes)} WHERE id = ? AND team_id = ?",
               [*values, client_id, team_id])


def _return_as_issue(db, actor: Actor, item: dict, next_meeting_id: int) -> None:
    """An announcement the team did not agree with comes back as an issue at the next meeting."""
    copy = ItemInput(**({column: item[column] for column in ITEM_COLUMNS} | {"label": "issue"}))
    add_item(db, actor, item["team_id"], next_meeting_id, item["presenter_id"], copy, origin_item_id=item["id"])


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
