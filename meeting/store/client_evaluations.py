"""The evaluation with the client as recorded with a decision, and the legal-minimum figures built on it."""
import json
from datetime import date, datetime

from meeting.core import client_evaluation
from meeting.store import calendar
from meeting.store.audit import Actor, log_access, log_access_set
from meeting.store.db import iso, write


def record(db, actor: Actor, team: dict, subject, decision_id: int, columns: dict, now: datetime) -> int:
    """Inside the decision's transaction: store the evaluation with the client the core validated (its columns)."""
    return _insert(db, actor, team["id"], subject.client_id, columns, now, item_id=subject.item_id,
                   decision_id=decision_id)


def record_outside_meeting(db, actor: Actor, team_id: int, client_id: int, values: dict, now: datetime) -> int:
    """Store an evaluation with the client recorded from the worklist (values from
    `client_evaluation.validate_outside_meeting`), with no agenda item or decision."""
    with write(db):
        return _insert(db, actor, team_id, client_id, client_evaluation.columns(values), now)


def _insert(db, actor: Actor, team_id: int, client_id: int, columns: dict, now: datetime, item_id: int | None = None,
            decision_id: int | None = None) -> int:
    """One recorded evaluation with the client, its clinician the client's regiebehandelaar, logged."""
    clinician = db.execute("SELECT clinician_id FROM clients WHERE id = ? AND team_id = ?",
                           [client_id, team_id]).fetchone()[0]
    row = columns | {"team_id": team_id, "client_id": client_id, "item_id": item_id, "decision_id": decision_id,
                     "clinician_id": clinician, "recorded_by": actor.user_id, "recorded_at": iso(now)}
    evaluation_id = db.execute(f"INSERT INTO client_evaluations ({', '.join(row)}) "
                               f"VALUES ({', '.join('?' * len(row))})",
                               list(row.values())).lastrowid
    where = f"item={item_id}" if item_id else f"decision={decision_id}" if decision_id else "worklist"
    log_access(db, actor, "client-evaluation", [client_id], team_id, detail=where, now=now)
    return evaluation_id


def worklist_rows(db, actor: Actor, team_id: int, until: date, now: datetime,
                  clinician_id: int | None = None) -> list[dict]:
    """The team's active clients (of one regiebehandelaar, or all) whose stored `with_client_due` is on or before
    `until`, with the start of the first coming meeting that has a review of the client; the view is logged."""
    calendar.refresh_stale(db, [team_id])
    only = "AND c.clinician_id = :clinician" if clinician_id is not None else ""
    rows = list(db.query(f"""SELECT c.id AS client_id, c.reference, c.clinician_id, u.name AS clinician,
            c.with_client_due, (SELECT min(m.starts_at) FROM items i JOIN meetings m ON m.id = i.meeting_id
                WHERE i.client_id = c.id AND i.track = 'regular' AND i.state = 'planned'
                AND m.state IN ('planned', 'frozen', 'running') AND m.starts_at >= :now) AS review_starts_at
        FROM clients c JOIN users u ON u.id = c.clinician_id
        WHERE c.team_id = :team AND c.status = 'active' AND c.with_client_due <= :until {only}
        ORDER BY c.with_client_due, c.reference""",
                         {"team": team_id, "until": until.isoformat(), "now": iso(now), "clinician": clinician_id}))
    if rows:
        with write(db):
            log_access_set(db, actor, "with-client-worklist", [r["client_id"] for r in rows], team_id, now=now)
    return rows


def client_for_recording(db, actor: Actor, team_id: int, client_id: int, now: datetime) -> dict | None:
    """An active client of the team with what the worklist's form shows (last evaluation with the client, due);
    the view is logged."""
    calendar.refresh_stale(db, [team_id])
    row = db.execute("""SELECT id, reference, treatment_start, last_with_client, with_client_due FROM clients
        WHERE id = ? AND team_id = ? AND status = 'active'""", [client_id, team_id]).fetchone()
    if row is None:
        return None
    with write(db):
        log_access(db, actor, "view-with-client", [client_id], team_id, now=now)
    return dict(zip(("id", "reference", "treatment_start", "last_with_client", "with_client_due"), row))


def of_meeting(db, meeting_id: int) -> dict[int, dict]:
    """The evaluations with the client recorded in this meeting, by item id."""
    return {r["item_id"]: r for r in db.query("""SELECT e.* FROM client_evaluations e
        JOIN decisions d ON d.id = e.decision_id WHERE d.meeting_id = ?""", [meeting_id])}


def last_with_client(db, client_id: int | None) -> str | None:
    """The last recorded date the treatment plan was evaluated with this client (ISO), or None."""
    if not client_id:
        return None
    return db.execute("SELECT max(evaluated_on) FROM client_evaluations WHERE client_id = ?", [client_id]).fetchone()[0]


def with_client_dues(db, team_id: int, client_ids: list[int]) -> dict[int, date]:
    """Per client of the team (of `client_ids`) its stored `with_client_due` (the team's calendar fresh)."""
    calendar.refresh_stale(db, [team_id])
    rows = db.execute("""SELECT id, with_client_due FROM clients WHERE team_id = ? AND with_client_due IS NOT NULL
        AND id IN (SELECT value FROM json_each(?))""", [team_id, json.dumps(client_ids)]).fetchall()
    return {client_id: date.fromisoformat(due) for client_id, due in rows}


def legal_minimum(db, team_ids: list[int], day: date, clinician_limit: int | None = None) -> dict:
    """Evaluated with the client within 12 months on `day`: in all, per team and per clinician
    (`client_evaluation.legal_minimum_report`).

    Counted in SQL over the days the core stored by `client_evaluation.legal_status`'s rule (SQL compares them with
    `day`). On the teams' today `legal_minimum_today` reads the same counts, stored.
    """
    calendar.refresh_stale(db, team_ids)
    marks = ", ".join(f":t{i}" for i in range(len(team_ids)))
    rows = list(db.query(f"""SELECT g.*, t.name AS team, u.name AS clinician FROM (
        SELECT team_id, clinician_id, count(*) AS in_treatment, sum(evaluated) AS evaluated,
            count(*) FILTER (WHERE NOT evaluated AND not_yet_due) AS not_yet_due
        FROM (SELECT c.team_id, c.clinician_id, {calendar.NOT_YET_DUE} AS not_yet_due,
                  {calendar.EVALUATED_WITH_CLIENT} AS evaluated
              FROM clients c WHERE c.team_id IN ({marks}) AND {calendar.IN_TREATMENT})
        GROUP BY team_id, clinician_id) g
        JOIN teams t ON t.id = g.team_id JOIN users u ON u.id = g.clinician_id""",
                         {"day": day.isoformat()} | {f"t{i}": team_id for i, team_id in enumerate(team_ids)}))
    return client_evaluation.legal_minimum_report(rows, day, clinician_limit)


def legal_minimum_today(db, team_ids: list[int], today: date, clinician_limit: int | None = None) -> dict:
    """`legal_minimum` on the teams' today, summed in SQL over the stored counts per team and clinician
    (`calendar.counts_today`): the list of clinicians grows with what is shown, not with the institution."""
    calendar.refresh_stale(db, team_ids)
    counts, params = calendar.counts_today(db, team_ids, today, "in_treatment, evaluated, not_yet_due")
    params |= {"limit": -1 if clinician_limit is None else clinician_limit}
    where = "n.in_treatment > 0"
    sums = """sum(n.in_treatment) AS active, sum(n.evaluated) AS evaluated, sum(n.not_yet_due) AS not_yet_due,
        sum(n.in_treatment - n.evaluated - n.not_yet_due) AS overdue"""
    teams = list(db.query(f"""SELECT t.name AS team, {sums} FROM ({counts}) n JOIN teams t ON t.id = n.team_id
        WHERE {where} GROUP BY n.team_id ORDER BY t.name, n.team_id""", params))
    order = "u.name, n.clinician_id" if clinician_limit is None else "overdue DESC, u.name, n.clinician_id"
    clinicians = list(db.query(f"""SELECT u.name AS clinician, {sums}, count(*) OVER () AS total FROM ({counts}) n
        JOIN users u ON u.id = n.clinician_id WHERE {where} GROUP BY n.clinician_id ORDER BY {order} LIMIT :limit""",
                               params))
    total = clinicians[0]["total"] if clinicians else 0  # the clinicians before the limit: counted by the window
    for row in clinicians:
        del row["total"]
    return {"day": today, "window_start": client_evaluation.window_start(today),
            "total": client_evaluation.legal_minimum_total(teams), "teams": teams, "clinicians": clinicians,
            "clinicians_total": total}


def known_for_item(db, actor: Actor, team_id: int, reference: str, now: datetime) -> dict | None:
    """An active client of the team by its exact reference, with what an item about it shows at once: the
    regiebehandelaar, the last recorded evaluation with the client and the last ROM brought in; the view is logged."""
    with write(db):
        client = next(db.query("""SELECT c.id, c.reference, u.name AS clinician_name FROM clients c
            JOIN users u ON u.id = c.clinician_id
            WHERE c.team_id = ? AND c.status = 'active' AND c.reference = ?""", [team_id, reference]), None)
        if client is None:
            return None
        client["last_with_client"] = last_with_client(db, client["id"])
        client["last_rom"] = next(db.query("""SELECT evaluated_on, rom_personal, rom_social, rom_symptomatic
            FROM client_evaluations WHERE client_id = ? AND rom_done = 'yes' AND evaluated_on IS NOT NULL
            ORDER BY evaluated_on DESC, id DESC LIMIT 1""", [client["id"]]), None)
        log_access(db, actor, "read", [client["id"]], team_id, now=now)
    return client
