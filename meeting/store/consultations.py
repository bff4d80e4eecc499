"""External consultations asked in a decision, and their answers, which come back to the agenda as items."""
from datetime import date

from meeting.core.consultation import answer_item
from meeting.core.i18n import N_
from meeting.store.audit import Actor, log_access
from meeting.store.db import utcnow, write
from meeting.store.items import add_item
from meeting.store.running import Refused


def record(db, actor: Actor, team: dict, subject, decision_id: int, request) -> int:
    """Inside the decision's transaction: the consultation it asks for (the core's `ConsultationRequest`)."""
    consultation_id = db.execute(
        """INSERT INTO consultations (team_id, client_id, item_id, decision_id, presenter_id, question, asked_of,
           asked_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [team["id"], subject.client_id, subject.item_id, decision_id, subject.presenter_id, request.question,
         request.asked_of, request.asked_on.isoformat()]).lastrowid
    if subject.client_id:
        log_access(db, actor, "consultation", [subject.client_id], team["id"], detail=f"item={subject.item_id}")
    return consultation_id


_SELECT = """SELECT k.*, i.title, i.track, i.meeting_id, c.reference AS client_reference, u.name AS presenter_name,
    a.meeting_id AS answer_meeting_id FROM consultations k JOIN items i ON i.id = k.item_id
    JOIN users u ON u.id = k.presenter_id LEFT JOIN clients c ON c.id = k.client_id
    LEFT JOIN items a ON a.id = k.answer_item_id"""


def of_team(db, actor: Actor, team_id: int, limit: int = 50) -> list[dict]:
    """The team's consultations, open ones first, then the latest answered; logs the clients shown."""
    with write(db):
        rows = list(db.query(f"""{_SELECT} WHERE k.team_id = ?
            ORDER BY k.answered_on IS NOT NULL, coalesce(k.answered_on, k.asked_on) DESC, k.id DESC LIMIT ?""",
                             [team_id, limit]))
        log_access(db, actor, "consultations", sorted({r["client_id"] for r in rows if r["client_id"]}), team_id)
    return rows


def get(db, team_id: int, consultation_id: int) -> dict | None:
    """One of the team's consultations, or None."""
    return next(db.query(f"{_SELECT} WHERE k.id = ? AND k.team_id = ?", [consultation_id, team_id]), None)


ALREADY_ANSWERED = N_("This consultation has an answer already. Nothing was changed.")


def answer(db, actor: Actor, team_id: int, consultation_id: int, text: str, need: str,
           meeting_id: int, late: bool, today: date) -> int:
    """Record the answer and put it on the meeting's agenda as an item of the presenter; return the item's id."""
    with write(db):
        consultation = get(db, team_id, consultation_id)
        if consultation is None or consultation["answered_on"]:
            raise Refused(ALREADY_ANSWERED)
        item_id = add_item(db, actor, team_id, meeting_id, consultation["presenter_id"],
                           answer_item(consultation, text, need), late=late)
        db.execute("""UPDATE consultations SET answer = ?, answered_on = ?, answered_by = ?, answer_item_id = ?
            WHERE id = ? AND team_id = ? AND answered_on IS NULL""",
                   [text.strip(), today.isoformat(), actor.user_id, item_id, consultation_id, team_id])
        if consultation["client_id"]:
            log_access(db, actor, "consultation-answer", [consultation["client_id"]], team_id,
                       detail=f"consultation={consultation_id} item={item_id}", now=utcnow())
    return item_id


def of_meeting(db, meeting_id: int) -> dict[int, dict]:
    """Consultations asked in this meeting, by the asking item's id."""
    return {r["item_id"]: r for r in db.query(f"{_SELECT} WHERE i.meeting_id = ?", [meeting_id])}

