"""The NEN 7513 access log: who did what to which client's data, when, from where. Append-only."""
from dataclasses import dataclass
from datetime import datetime

from meeting.store.db import iso, utcnow, write


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


def log_view(db, actor: Actor, action: str, client_ids, team_id: int, meeting_id: int,
             now: datetime | None = None) -> bool:
    """Log a person's view of a meeting's clients once per access point, day and set of clients shown.

    A screen re-rendered on every change is not a new access: only a new set (or a new day, or another
    device) is written. The check is a read; the write lock is taken only when there is something to log.
    """
    client_ids = sorted(set(client_ids))
    if actor.user_id is None or not client_ids:
        return False
    seen = f"{(now or utcnow()).date().isoformat()}|{','.join(map(str, client_ids))}"
    if _last_seen(db, actor, meeting_id) == seen:
        return False
    with write(db):
        if _last_seen(db, actor, meeting_id) == seen:  # another screen of this person logged it meanwhile
            return False
        db.execute("""INSERT INTO access_views (user_id, meeting_id, ip, seen) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id, meeting_id, ip) DO UPDATE SET seen = excluded.seen""",
                   [actor.user_id, meeting_id, actor.ip, seen])
        log_access(db, actor, action, client_ids, team_id, detail=f"meeting={meeting_id}", now=now)
    return True


def _last_seen(db, actor: Actor, meeting_id: int) -> str | None:
    row = db.execute("SELECT seen FROM access_views WHERE user_id = ? AND meeting_id = ? AND ip = ?",
                     [actor.user_id, meeting_id, actor.ip]).fetchone()
    return row and row[0]


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
        where.append("l.at < date(?, '+1 day')"); params.append(day_to.isoformat())
    return list(db.query(f"""
        SELECT l.*, u.email AS user_email, c.reference AS client_reference, t.name AS team_name
        FROM access_log l LEFT JOIN users u ON u.id = l.user_id
        LEFT JOIN clients c ON c.id = l.client_id LEFT JOIN teams t ON t.id = l.team_id
        WHERE {' AND '.join(where)} ORDER BY l.id DESC LIMIT ?""", [*params, limit]))
