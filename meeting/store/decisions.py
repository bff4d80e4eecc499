"""Decisions that close items, their actions, and the evaluations they record."""
import sqlite3
from datetime import date, datetime

from meeting.core.closing import client_changes, comes_back_as_issue, counts_as_evaluation, next_evaluation_date
from meeting.core.handover import opens_handover
from meeting.store.db import iso, write
from meeting.core.i18n import N_
from meeting.core.items import ItemInput
from meeting.store import handovers as handover_store
from meeting.store.audit import Actor, log_access
from meeting.store.items import ITEM_COLUMNS, add_item
from meeting.store.meetings import bump_revision
from meeting.store.running import Refused, close_current

DECISION_FIELDS = ("announcement_outcome", "answer", "outcome", "decision", "reason", "needs_met", "worded_by",
                   "next_evaluation_on", "continuation_answer", "colleague_invited", "exemplary_situation")
ALREADY_CLOSED = N_("This item was closed already, by someone else. Nothing was changed.")
TEXT_FIELDS = {"answer", "decision", "reason", "continuation_answer"}


def _decision_values(form: dict) -> list:
    """The decision's columns in order: free text as '' when absent, choices as NULL."""
    return [(form.get(f) or "").strip() if f in TEXT_FIELDS else (form.get(f) or None) for f in DECISION_FIELDS]


def decide(db, actor: Actor, team: dict, item: dict, form: dict, today: date, now: datetime,
           next_meeting_id: int | None) -> int:
    """Record the decision that closes `item` (validated by the caller); Refused if it is closed already."""
    try:
        with write(db):
            state = db.execute("SELECT state FROM items WHERE id = ? AND team_id = ?", [item["id"], team["id"]]).fetchone()[0]
            if state != "planned":
                raise Refused(ALREADY_CLOSED)
            decision_id = db.execute(
                f"""INSERT INTO decisions (item_id, meeting_id, {', '.join(DECISION_FIELDS)}, decided_by, decided_at)
                    VALUES ({', '.join('?' * (len(DECISION_FIELDS) + 4))})""",
                [item["id"], item["meeting_id"], *_decision_values(form), actor.user_id, iso(now)]).lastrowid
            _record_actions(db, team["id"], decision_id, form.get("actions") or [])
            if item["client_id"] and counts_as_evaluation(item, form):
                _record_evaluation(db, actor, team, item, form, today)
                if opens_handover(form.get("outcome")):
                    handover_store.open_handover(db, actor, team, item["client_id"], decision_id, form["outcome"], today)
            if comes_back_as_issue(item, form) and next_meeting_id:
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
    """Approve every planned announcement of the meeting in one go; return how many."""
    with write(db):
        ids = [r[0] for r in db.execute("SELECT id FROM items WHERE meeting_id = ? AND team_id = ? AND state = 'planned'"
                                        " AND label = 'announcement'", [meeting_id, team_id])]
        for item_id in ids:
            db.execute("INSERT INTO decisions (item_id, meeting_id, announcement_outcome, decided_by, decided_at)"
                       " VALUES (?, ?, 'approved', ?, ?)", [item_id, meeting_id, actor.user_id, iso(now)])
            db.execute("UPDATE items SET state = 'decided', version = version + 1 WHERE id = ?", [item_id])
        db.execute("UPDATE meetings SET phase = 'items' WHERE id = ? AND team_id = ?", [meeting_id, team_id])
        bump_revision(db, team_id, meeting_id)
    return len(ids)


def open_actions(db, team_id: int) -> list[dict]:
    """Actions from earlier decisions that are still open, by due date."""
    return list(db.query("""SELECT a.*, u.name AS owner_name, i.title AS item_title, c.reference AS client_reference
        FROM actions a JOIN users u ON u.id = a.owner_id JOIN decisions d ON d.id = a.decision_id
        JOIN items i ON i.id = d.item_id LEFT JOIN clients c ON c.id = i.client_id
        WHERE a.team_id = ? AND a.status = 'open' ORDER BY a.due_on, a.id""", [team_id]))


def review_action(db, team_id: int, action_id: int, status: str, meeting_id: int, now: datetime) -> None:
    """Mark an open action done, not done or moved during the look back."""
    with write(db):
        bump_revision(db, team_id, meeting_id)
        db.execute("UPDATE actions SET status = ?, reviewed_meeting_id = ?, reviewed_at = ? WHERE id = ? AND team_id = ?",
                   [status, meeting_id, iso(now), action_id, team_id])


def decisions_of_meeting(db, meeting_id: int) -> dict[int, dict]:
    """The meeting's decisions by item id."""
    return {r["item_id"]: r for r in db.query("SELECT * FROM decisions WHERE meeting_id = ?", [meeting_id])}


def actions_of_meeting(db, meeting_id: int) -> list[dict]:
    """Actions agreed in this meeting, with owner names."""
    return list(db.query("""SELECT a.*, u.name AS owner_name, d.item_id FROM actions a
        JOIN decisions d ON d.id = a.decision_id JOIN users u ON u.id = a.owner_id
        WHERE d.meeting_id = ? ORDER BY a.id""", [meeting_id]))
