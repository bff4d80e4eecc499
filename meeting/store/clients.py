"""The client registry of a team. Every read or change is written to the access log in the same transaction."""
import dataclasses

from meeting.core import evaluations
from meeting.core.clients import ClientInput
from meeting.core.evaluations import ClientRecord
from meeting.store import calendar
from meeting.store.audit import Actor, log_access
from meeting.store.db import iso, utcnow, write

PAGE_SIZE = 50


def search_clients(db, actor: Actor, team_id: int, text: str = "", status: str = "active",
                   clinician_id: int | None = None, page: int = 1) -> tuple[list[dict], int]:
    """One page of a team's clients matching the filters, and the total count; logs each client shown."""
    where, params = ["c.team_id = ?"], [team_id]
    if text:
        where.append("c.reference LIKE ? ESCAPE '\\'")
        params.append("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if status in ("active", "finished"):
        where.append("c.status = ?")
        params.append(status)
    if clinician_id:
        where.append("c.clinician_id = ?")
        params.append(clinician_id)
    condition = " AND ".join(where)
    total = db.execute(f"SELECT count(*) FROM clients c WHERE {condition}", params).fetchone()[0]
    with write(db):
        rows = list(db.query(f"""SELECT c.*, u.name AS clinician_name FROM clients c
            JOIN users u ON u.id = c.clinician_id WHERE {condition}
            ORDER BY c.reference COLLATE NOCASE LIMIT ? OFFSET ?""",
                             [*params, PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE]))
        log_access(db, actor, "list", [r["id"] for r in rows], team_id, detail=f"search={text!r}")
    return rows, total


def reference_suggestions(db, actor: Actor, team_id: int, text: str, limit: int = 8) -> list[dict]:
    """Active clients whose reference holds `text` anywhere (starting matches first), with their
    regiebehandelaar, for search-as-you-type; logged."""
    pattern = text.replace("%", "\\%").replace("_", "\\_")
    with write(db):
        rows = list(db.query("""SELECT c.id, c.reference, u.name AS clinician_name FROM clients c
            JOIN users u ON u.id = c.clinician_id WHERE c.team_id = ? AND c.status = 'active'
            AND c.reference LIKE ? ESCAPE '\\' ORDER BY c.reference NOT LIKE ? ESCAPE '\\', c.reference LIMIT ?""",
                             [team_id, "%" + pattern + "%", pattern + "%", limit]))
        log_access(db, actor, "suggest", [r["id"] for r in rows], team_id, detail=f"prefix={text!r}")
    return rows


def get_client(db, actor: Actor, team_id: int, client_id: int) -> dict | None:
    """A team's client with clinician name, or None when it is not this team's; logged as a read."""
    with write(db):
        client = next(db.query("""SELECT c.*, u.name AS clinician_name FROM clients c
            JOIN users u ON u.id = c.clinician_id WHERE c.id = ? AND c.team_id = ?""",
                               [client_id, team_id]), None)
        if client:
            log_access(db, actor, "read", [client_id], team_id)
    return client


def existing_references(db, team_id: int) -> set[str]:
    """All references in a team's registry."""
    return {r["reference"] for r in db.query("SELECT reference FROM clients WHERE team_id = ?", [team_id])}


def reference_taken(db, team_id: int, reference: str, except_client_id: int | None = None) -> bool:
    """True when another client of the team already has this reference (case-insensitive)."""
    return db.execute("SELECT 1 FROM clients WHERE team_id = ? AND reference = ? COLLATE NOCASE AND id IS NOT ?",
                      [team_id, reference, except_client_id]).fetchone() is not None


def add_clients(db, actor: Actor, team_id: int, clients: list[ClientInput]) -> list[int]:
    """Insert clients in one transaction (all or nothing); logs each."""
    now = iso(utcnow())
    with write(db):
        ids = [db.execute("""INSERT INTO clients (team_id, reference, clinician_id, treatment_start,
            last_evaluation, created_at) VALUES (?, ?, ?, ?, ?, ?)""",
                          [team_id, c.reference, c.clinician_id, c.treatment_start.isoformat(),
                           c.last_evaluation and c.last_evaluation.isoformat(), now]).lastrowid
               for c in clients]
        log_access(db, actor, "create", ids, team_id)
    return ids


def update_client(db, actor: Actor, team_id: int, client_id: int, client: ClientInput) -> None:
    """Change a client's registry fields; logged."""
    with write(db):
        db.execute("""UPDATE clients SET reference = ?, clinician_id = ?, treatment_start = ?,
            last_evaluation = ? WHERE id = ? AND team_id = ?""",
                   [client.reference, client.clinician_id, client.treatment_start.isoformat(),
                    client.last_evaluation and client.last_evaluation.isoformat(), client_id, team_id])
        log_access(db, actor, "update", [client_id], team_id)


def set_status(db, actor: Actor, team_id: int, client_id: int, status: str, today) -> None:
    """Finish a treatment or reopen it; logged."""
    with write(db):
        db.execute("UPDATE clients SET status = ?, finished_on = ? WHERE id = ? AND team_id = ?",
                   [status, today.isoformat() if status == "finished" else None, client_id, team_id])
        log_access(db, actor, status == "finished" and "finish" or "reopen", [client_id], team_id)


def count_active(db, team_id: int) -> int:
    """How many active clients the team has."""
    return db.execute("SELECT count(*) FROM clients WHERE team_id = ? AND status = 'active'", [team_id]).fetchone()[0]


def active_reference_ids(db, team_id: int) -> dict[str, int]:
    """Upper-cased reference → id of the team's active clients, to resolve what a presenter typed."""
    return {r["reference"].upper(): r["id"] for r in
            db.query("SELECT id, reference FROM clients WHERE team_id = ? AND status = 'active'", [team_id])}


def client_record(row: dict) -> ClientRecord:
    """The planner's view of a client row."""
    return evaluations.client_record(row)


_RECORD = ", ".join(field.name for field in dataclasses.fields(evaluations.ClientRecord))  # its columns only


def client_records(db, team_id: int) -> list[ClientRecord]:
    """Every active client of the team as planner records (pseudonymous references only), its stored calendar's
    dates of the evaluation with the client fresh."""
    calendar.refresh_stale(db, [team_id])
    rows = db.query(f"SELECT {_RECORD} FROM clients WHERE team_id = ? AND status = 'active'", [team_id])
    return [client_record(row) for row in rows]


def record_continuation_decisions(db, decisions: list[tuple[int, str]]) -> None:
    """Set (client id, ISO day) of the last continuation decision, as imported or seeded."""
    db.conn.executemany("UPDATE clients SET last_continuation_decision = ? WHERE id = ?",
                        [(day, client_id) for client_id, day in decisions])
