"""Step-down handovers: opened by a decision, ticked over the next meetings, on their agendas until done.

The client leaves the active count when the recorded last-contact date has come (core.handover.leaving):
at once when it is recorded as today or earlier, otherwise by the scheduler's daily job on that date.
Every read or change is written to the access log.
"""
from datetime import date, datetime

from meeting.core import handover as rules
from meeting.core.dates import parse_date
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store.audit import Actor, log_access
from meeting.store.db import iso, utcnow, write

_LIVE_ITEM = """SELECT i.id, i.meeting_id FROM items i JOIN meetings m ON m.id = i.meeting_id
    WHERE i.handover_id = ? AND i.state = 'planned' AND m.state IN ('planned', 'frozen', 'running')"""


class Conflict(Exception):
    """Someone else saved the handover since it was read."""


def open_handover(db, actor: Actor, team: dict, client_id: int, decision_id: int, outcome: str,
                  today: date) -> int:
    """Open the handover of a step-down or finish decision, every point open (inside the decision's transaction)."""
    last_contact = rules.initial_last_contact(outcome, today)
    with write(db):
        handover_id = db.execute(
            """INSERT INTO handovers (team_id, client_id, decision_id, outcome, opened_on, last_contact_on)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [team["id"], client_id, decision_id, outcome, today.isoformat(), last_contact and last_contact.isoformat()]
        ).lastrowid
        db.conn.executemany("INSERT INTO handover_points (handover_id, point) VALUES (?, ?)",
                            [(handover_id, point) for point in rules.POINTS])
        log_access(db, actor, "handover-open", [client_id], team["id"], detail=f"handover={handover_id}")
        _apply_last_contact(db, actor, team["id"], handover_id, today)
    return handover_id


def step_downs_without_handover(db, team_id: int, limit: int) -> list[dict]:
    """The team's latest step-down decisions on a client that have no handover (written before handovers existed)."""
    return list(db.query("""SELECT d.id AS decision_id, i.client_id, date(d.decided_at) AS day FROM decisions d
        JOIN items i ON i.id = d.item_id WHERE i.team_id = ? AND i.client_id IS NOT NULL AND d.outcome = 'step_down'
        AND NOT EXISTS (SELECT 1 FROM handovers h WHERE h.decision_id = d.id)
        ORDER BY d.decided_at DESC LIMIT ?""", [team_id, limit]))


def step_down_handovers(db, team_id: int) -> list[int]:
    """The ids of the team's step-down handovers, oldest first."""
    return [r[0] for r in db.execute("SELECT id FROM handovers WHERE team_id = ? AND outcome = 'step_down'"
                                     " ORDER BY opened_on, id", [team_id])]


def get_handover(db, actor: Actor, team_id: int, handover_id: int) -> dict | None:
    """A team's handover with its client, clinician, points and where it is on the agenda; logged as a read."""
    with write(db):
        row = next(db.query("""SELECT h.*, c.reference, c.status AS client_status, c.finished_on AS client_finished_on,
            c.treatment_start, u.name AS clinician_name, d.meeting_id AS decided_in FROM handovers h
            JOIN clients c ON c.id = h.client_id JOIN users u ON u.id = c.clinician_id
            JOIN decisions d ON d.id = h.decision_id WHERE h.id = ? AND h.team_id = ?""", [handover_id, team_id]), None)
        if row is None:
            return None
        log_access(db, actor, "handover-read", [row["client_id"]], team_id, detail=f"handover={handover_id}")
    row["points"] = points(db, handover_id)
    row["on_agenda"] = next(db.query("""SELECT m.id, m.starts_at, m.state FROM items i
        JOIN meetings m ON m.id = i.meeting_id
        WHERE i.handover_id = ? AND i.state = 'planned' AND m.state IN ('planned', 'frozen', 'running')
        ORDER BY m.starts_at LIMIT 1""", [handover_id]), None)
    return row


def of_decision(db, decision_id: int) -> int | None:
    """The handover a decision opened, if any."""
    row = db.execute("SELECT id FROM handovers WHERE decision_id = ?", [decision_id]).fetchone()
    return row and row[0]


def points(db, handover_id: int) -> dict[str, dict]:
    """The checklist by point: status, note, who ticked it and when."""
    return {r["point"]: r for r in db.query("""SELECT p.*, u.name AS user_name FROM handover_points p
        LEFT JOIN users u ON u.id = p.user_id WHERE p.handover_id = ?""", [handover_id])}


def statuses(db, handover_id: int) -> dict[str, str]:
    """Point -> status of one handover."""
    return {r[0]: r[1] for r in db.execute("SELECT point, status FROM handover_points WHERE handover_id = ?",
                                           [handover_id])}


def save(db, actor: Actor, team: dict, handover_id: int, version: int, values: dict, today: date) -> bool:
    """Store the checklist (validated by the core) if nobody saved it since `version`; returns whether it is
    done now. A done handover leaves the agendas; one that is open again comes back on the next."""
    with write(db):
        old = next(db.query("SELECT * FROM handovers WHERE id = ? AND team_id = ?", [handover_id, team["id"]]), None)
        if old is None or old["version"] != version:
            raise Conflict()
        done = rules.is_done(values["statuses"], values["last_contact_on"])
        day = {k: values[k] and values[k].isoformat() for k in ("warm_meeting_on", "new_care_starts_on",
                                                                "last_contact_on")}
        db.execute("""UPDATE handovers SET receiving_care = ?, warm_meeting_on = ?, warm_attendees = ?,
            new_care_starts_on = ?, last_contact_on = ?, done_on = ?, version = version + 1 WHERE id = ?""",
                   [values["receiving_care"], day["warm_meeting_on"], values["warm_attendees"],
                    day["new_care_starts_on"], day["last_contact_on"],
                    (old["done_on"] or today.isoformat()) if done else None, handover_id])
        _save_points(db, actor, handover_id, values)
        log_access(db, actor, "handover-update", [old["client_id"]], team["id"], detail=f"handover={handover_id}")
        _apply_last_contact(db, actor, team["id"], handover_id, today)
        if done:
            _leave_agendas(db, team["id"], handover_id)
        else:
            _retitle(db, team, handover_id)
    return done


def _save_points(db, actor: Actor, handover_id: int, values: dict) -> None:
    """Write each point whose status or note changed, with who changed it and when."""
    now = iso(utcnow())
    for point in rules.POINTS:
        db.execute("""UPDATE handover_points SET status = ?, note = ?, user_id = ?, at = ?
            WHERE handover_id = ? AND point = ? AND (status != ? OR note != ?)""",
                   [values["statuses"][point], values["notes"][point], actor.user_id, now, handover_id, point,
                    values["statuses"][point], values["notes"][point]])


def _apply_last_contact(db, actor: Actor, team_id: int, handover_id: int, today: date) -> None:
    """Let the client leave (or come back to) the active count as the last-contact date says."""
    row = db.execute("""SELECT h.last_contact_on, h.client_left_on, c.id, c.status, c.finished_on FROM handovers h
        JOIN clients c ON c.id = h.client_id WHERE h.id = ?""", [handover_id]).fetchone()
    change = rules.leaving(parse_date(row[0]), parse_date(row[1]), {"status": row[3], "finished_on": row[4]}, today)
    if change is None:
        return
    if change.client:
        values = [v.isoformat() if isinstance(v, date) else v for v in change.client.values()]
        db.execute(f"UPDATE clients SET {', '.join(f'{c} = ?' for c in change.client)} WHERE id = ? AND team_id = ?",
                   [*values, row[2], team_id])
        action = "finish" if change.client.get("status") == "finished" else "reopen"
        log_access(db, actor, action, [row[2]], team_id, detail=f"handover={handover_id} last contact")
    db.execute("UPDATE handovers SET client_left_on = ? WHERE id = ?",
               [change.left_on and change.left_on.isoformat(), handover_id])


def leave_on_last_contact(db, actor: Actor, team_id: int, today: date) -> int:
    """The scheduler's daily part: clients whose last contact has come leave the active count; returns how many."""
    with write(db):
        ids = [r[0] for r in db.execute("""SELECT id FROM handovers WHERE team_id = ? AND last_contact_on <= ?
            AND client_left_on IS NULL""", [team_id, today.isoformat()])]
        for handover_id in ids:
            _apply_last_contact(db, actor, team_id, handover_id, today)
    return len(ids)


def put_on_agendas(db, actor: Actor, team: dict, after: str) -> int:
    """Every open handover not yet on a coming agenda becomes a short announcement on the first weekly
    meeting after `after` (an ISO start); returns how many were added."""
    with write(db):
        meeting_store.ensure_upcoming(db, team, datetime.fromisoformat(after))
        target = meeting_store.next_after(db, team["id"], after)
        missing = [r for r in db.query("""SELECT h.id, h.client_id, c.reference, c.clinician_id FROM handovers h
            JOIN clients c ON c.id = h.client_id WHERE h.team_id = ? AND h.done_on IS NULL""", [team["id"]])
                   if db.execute(_LIVE_ITEM, [r["id"]]).fetchone() is None]
        for row in missing if target else []:
            item = rules.announcement(row["client_id"], row["reference"], rules.progress(statuses(db, row["id"])),
                                      team["minutes_announcement"])
            item_id = item_store.add_item(db, actor, team["id"], target["id"], row["clinician_id"], item)
            db.execute("UPDATE items SET handover_id = ? WHERE id = ?", [row["id"], item_id])
    return len(missing) if target else 0


def _leave_agendas(db, team_id: int, handover_id: int) -> None:
    """A done handover is withdrawn from the agendas still to come."""
    for item_id, meeting_id in db.execute(_LIVE_ITEM, [handover_id]).fetchall():
        db.execute("UPDATE items SET state = 'withdrawn', version = version + 1 WHERE id = ?", [item_id])
        meeting_store.bump_revision(db, team_id, meeting_id)


def _retitle(db, team: dict, handover_id: int) -> None:
    """The announcement on the coming agenda shows the handover's progress."""
    row = db.execute("SELECT h.client_id, c.reference FROM handovers h JOIN clients c ON c.id = h.client_id"
                     " WHERE h.id = ?", [handover_id]).fetchone()
    title = rules.announcement(row[0], row[1], rules.progress(statuses(db, handover_id)), 1).title
    for item_id, meeting_id in db.execute(_LIVE_ITEM, [handover_id]).fetchall():
        db.execute("UPDATE items SET title = ?, version = version + 1 WHERE id = ?", [title, item_id])
        meeting_store.bump_revision(db, team["id"], meeting_id)


def of_team(db, actor: Actor, team_id: int, done_since: date) -> list[dict]:
    """The team's open handovers and those done on `done_since` or later, oldest first, with their progress;
    logged."""
    with write(db):
        rows = list(db.query("""SELECT h.*, c.reference, u.name AS clinician_name,
            (SELECT count(*) FROM handover_points p WHERE p.handover_id = h.id AND p.status != 'open') AS points_done,
            (SELECT p.status FROM handover_points p WHERE p.handover_id = h.id AND p.point = 'no_gap') AS no_gap
            FROM handovers h JOIN clients c ON c.id = h.client_id JOIN users u ON u.id = c.clinician_id
            WHERE h.team_id = ? AND (h.done_on IS NULL OR h.done_on >= ?)
            ORDER BY h.done_on IS NOT NULL, h.opened_on, h.id""", [team_id, done_since.isoformat()]))
        log_access(db, actor, "handovers", sorted({r["client_id"] for r in rows}), team_id)
    return rows


def for_dashboard(db, team_ids: list[int], since: date) -> list[dict]:
    """Open handovers and those done since `since`, with reference, team, clinician, points done and the
    no-gap point's status: the core works out age and gaps. Dates and references only, no notes."""
    marks = ", ".join("?" * len(team_ids))
    return list(db.query(f"""SELECT h.id, h.client_id, h.team_id, h.opened_on, h.done_on, h.last_contact_on,
        h.new_care_starts_on, c.reference, t.name AS team, u.name AS clinician,
        (SELECT count(*) FROM handover_points p WHERE p.handover_id = h.id AND p.status != 'open') AS points_done,
        (SELECT p.status FROM handover_points p WHERE p.handover_id = h.id AND p.point = 'no_gap') AS no_gap
        FROM handovers h JOIN clients c ON c.id = h.client_id JOIN teams t ON t.id = h.team_id
        JOIN users u ON u.id = c.clinician_id
        WHERE h.team_id IN ({marks}) AND (h.done_on IS NULL OR h.done_on >= ?)
        ORDER BY h.opened_on, h.id""", [*team_ids, since.isoformat()]))
