"""The NEN 7513 access log: who did what to which client's data, when, from where. Append-only."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from meeting.store.db import iso, utcnow


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from which access point."""
    user_id: int | None
    ip: str = ""


def log_access(db, actor: Actor, action: str, client_ids, team_id: int | None,
               detail: str = "", now: datetime | None = None) -> None:
    """Write one access-log row per client; call inside the transaction of the change it records."""
    at = iso(now or utcnow())
    db.conn.executemany(
        "INSERT INTO access_log (at, user_id, team_id, client_id, action, detail, ip)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(at, actor.user_id, team_id, client_id, action, detail, actor.ip) for client_id in client_ids],
    )


def search_access_log(db, user_id=None, client_reference=None, day_from=None, day_to=None, limit=500) -> list[dict]:
    """Access-log rows, newest first, filtered by user, client reference and date range."""
    where, params = ["1 = 1"], []
    if user_id:
        where.append("l.user_id = ?"); params.append(user_id)
    if client_reference:
        where.append("c.reference = ? COLLATE NOCASE"); params.append(client_reference)
    if day_from:
        where.append("l.at >= ?"); params.append(day_from.isoformat())
    if day_to:
        where.append("l.at < ?"); params.append((day_to + timedelta(days=1)).isoformat())  # up to the end of that day
    return list(db.query(f"""
        SELECT l.*, u.email AS user_email, c.reference AS client_reference, t.name AS team_name
        FROM access_log l LEFT JOIN users u ON u.id = l.user_id
        LEFT JOIN clients c ON c.id = l.client_id LEFT JOIN teams t ON t.id = l.team_id
        WHERE {' AND '.join(where)} ORDER BY l.id DESC LIMIT ?""", [*params, limit]))
