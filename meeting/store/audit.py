"""The NEN 7513 access log: who did what to which client's data, when, from where. Append-only."""
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def log_access_set(db, actor: Actor, action: str, client_ids, team_id: int | None, detail: str = "",
                   now: datetime | None = None) -> None:
    """Write one access-log row for a view of many clients at once, with its clients in `access_log_clients`
    (its detail counts them); call inside the transaction of the view it records."""
    shown = sorted(set(client_ids) - {None})
    log_id = db.execute("INSERT INTO access_log (at, user_id, team_id, client_id, action, detail, ip)"
                        " VALUES (?, ?, ?, NULL, ?, ?, ?)",
                        [iso(now or utcnow()), actor.user_id, team_id, action, f"{detail} clients={len(shown)}".strip(),
                         actor.ip]).lastrowid
    db.execute("INSERT INTO access_log_clients (log_id, client_id) SELECT ?, value FROM json_each(?)",
               [log_id, json.dumps(shown)])


def log_page_of_many(db, actor: Actor, action: str, client_ids, team_id: int | None, detail: str = "") -> None:
    """Log one view of a page that shows many clients (a planner, a list): one row per view, in its own transaction."""
    if actor.user_id is None or not set(client_ids) - {None}:
        return
    with write(db):
        log_access_set(db, actor, action, client_ids, team_id, detail)


def log_view(db, actor: Actor, action: str, client_ids, team_id: int, meeting_id: int,
             now: datetime | None = None) -> bool:
    """Log a person's view of a meeting's clients: each client once per person, meeting, access point and day.

    A screen re-rendered on every change is not a new access: only a client this person has not yet been
    shown there today (a new item, another device, a new day) is written. The check is a read; the write
    lock is taken only when there is something to log. Returns whether rows were written.
    """
    shown = set(client_ids) - {None}
    if actor.user_id is None or not shown:
        return False
    day = (now or utcnow()).date().isoformat()
    if not shown - _seen_today(db, actor, meeting_id, day):
        return False
    with write(db):
        seen = _seen_today(db, actor, meeting_id, day)  # another screen of this person may have logged meanwhile
        new = sorted(shown - seen)
        if not new:
            return False
        db.execute("""INSERT INTO access_views (user_id, meeting_id, ip, seen) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id, meeting_id, ip) DO UPDATE SET seen = excluded.seen""",
                   [actor.user_id, meeting_id, actor.ip, f"{day}|{','.join(map(str, sorted(seen | shown)))}"])
        log_access(db, actor, action, new, team_id, detail=f"meeting={meeting_id}", now=now)
    return True


def _seen_today(db, actor: Actor, meeting_id: int, day: str) -> set[int]:
    """The clients of this meeting already logged for this person and access point today."""
    row = db.execute("SELECT seen FROM access_views WHERE user_id = ? AND meeting_id = ? AND ip = ?",
                     [actor.user_id, meeting_id, actor.ip]).fetchone()
    if not row or not row[0].startswith(day + "|"):
        return set()
    return {int(i) for i in row[0].split("|", 1)[1].split(",") if i}


def search_access_log(db, user_id=None, client_reference=None, day_from=None, day_to=None, limit=500) -> list[dict]:
    """Access-log rows, newest first, filtered by user, client reference and date range. A client's rows include the
    views of many clients that held it (`log_access_set`), shown under its reference."""
    where, params = ["1 = 1"], []
    matched: dict[int, str] = {}
    if user_id:
        where.append("l.user_id = ?")
        params.append(user_id)
    if client_reference:
        matched = dict(db.execute("SELECT id, reference FROM clients WHERE reference = ? COLLATE NOCASE",
                                  [client_reference]).fetchall())
        marks = ", ".join("?" * len(matched))
        where.append(f"""(l.client_id IN ({marks}) OR l.id IN (SELECT log_id FROM access_log_clients
            WHERE client_id IN ({marks})))""")
        params += [*matched, *matched]
    if day_from:
        where.append("l.at >= ?")
        params.append(day_from.isoformat())
    if day_to:
        where.append("l.at < ?")
        params.append((day_to + timedelta(days=1)).isoformat())  # up to the end of that day
    in_set = f"""(SELECT min(s.client_id) FROM access_log_clients s WHERE s.log_id = l.id
        AND s.client_id IN ({', '.join('?' * len(matched))}))""" if matched else "NULL"
    rows = list(db.query(f"""
        SELECT l.*, u.email AS user_email, c.reference AS client_reference, t.name AS team_name, {in_set} AS in_set
        FROM access_log l LEFT JOIN users u ON u.id = l.user_id
        LEFT JOIN clients c ON c.id = l.client_id LEFT JOIN teams t ON t.id = l.team_id
        WHERE {' AND '.join(where)} ORDER BY l.id DESC LIMIT ?""", [*matched, *params, limit]))
    for row in rows:
        in_set = row.pop("in_set")
        row["client_reference"] = row["client_reference"] or matched.get(in_set)
    return rows
