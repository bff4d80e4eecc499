"""Items on a meeting's agenda. Reads and changes of client-linked items go to the access log."""
from meeting.core.items import ItemInput
from meeting.store.audit import Actor, log_access, log_view
from meeting.store.db import iso, utcnow, write
from meeting.store.meetings import NotTheTeams, bump_revision

ITEM_COLUMNS = ("track", "label", "client_id", "title", "need", "current_state", "request_and_start",
                "tried_towards_finishing", "finishing_hard", "minutes", "input_from", "input_kind",
                "proposed_outcome", "evaluation_prep")


class Conflict(Exception):
    """Someone else changed the item since it was read."""


def _next_position(db, meeting_id: int, track: str) -> int:
    return db.execute("SELECT coalesce(max(position), 0) + 1 FROM items WHERE meeting_id = ? AND track = ?",
                      [meeting_id, track]).fetchone()[0]


def add_item(db, actor: Actor, team_id: int, meeting_id: int, presenter_id: int, item: ItemInput,
             late: bool = False, carried_over: int = 0, origin_item_id: int | None = None) -> int:
    """Put an item at the end of its track on the meeting's agenda."""
    now = iso(utcnow())
    with write(db):
        values = [getattr(item, column) for column in ITEM_COLUMNS]
        item_id = db.execute(
            f"""INSERT INTO items (meeting_id, team_id, presenter_id, {', '.join(ITEM_COLUMNS)}, position,
                late, carried_over, origin_item_id, created_at, updated_at)
                VALUES ({', '.join('?' * (len(ITEM_COLUMNS) + 9))})""",
            [meeting_id, team_id, presenter_id, *values, _next_position(db, meeting_id, item.track),
             int(late), carried_over, origin_item_id, now, now]).lastrowid
        _log(db, actor, team_id, item.client_id, "item-create", item_id)
        bump_revision(db, team_id, meeting_id)
    return item_id


def _log(db, actor: Actor, team_id: int, client_id: int | None, action: str, item_id: int) -> None:
    if client_id:
        log_access(db, actor, action, [client_id], team_id, detail=f"item={item_id}")


def get_item(db, actor: Actor, team_id: int, item_id: int) -> dict | None:
    """A team's item with presenter and client reference; logged when it concerns a client."""
    with write(db):
        item = next(db.query("""SELECT i.*, u.name AS presenter_name, c.reference AS client_reference,
            c.treatment_start AS client_treatment_start FROM items i JOIN users u ON u.id = i.presenter_id
            LEFT JOIN clients c ON c.id = i.client_id WHERE i.id = ? AND i.team_id = ?""", [item_id, team_id]), None)
        if item:
            _log(db, actor, team_id, item["client_id"], "item-read", item_id)
    return item


def update_item(db, actor: Actor, team_id: int, item_id: int, version: int, item: ItemInput) -> None:
    """Change an item's fields if nobody changed it since `version`; else raise Conflict."""
    with write(db):
        old = db.execute("SELECT meeting_id, track, position FROM items WHERE id = ? AND team_id = ?",
                         [item_id, team_id]).fetchone()
        if old is None:
            raise NotTheTeams(item_id)
        assignments = ", ".join(f"{column} = ?" for column in ITEM_COLUMNS)
        position = old[2] if old[1] == item.track else _next_position(db, old[0], item.track)
        cursor = db.execute(
            f"UPDATE items SET {assignments}, position = ?, version = version + 1, updated_at = ?"
            " WHERE id = ? AND team_id = ? AND version = ?",
            [*(getattr(item, c) for c in ITEM_COLUMNS), position, iso(utcnow()), item_id, team_id, version])
        if cursor.rowcount == 0:
            raise Conflict()
        _log(db, actor, team_id, item.client_id, "item-update", item_id)
        bump_revision(db, team_id, old[0])


def set_item_state(db, team_id: int, item_id: int, state: str, reason: str | None = None) -> None:
    """Withdraw, defer or decide an item (recording a deferral's reason)."""
    with write(db):
        db.execute("UPDATE items SET state = ?, deferred_reason = coalesce(?, deferred_reason),"
                   " version = version + 1, updated_at = ? WHERE id = ? AND team_id = ?",
                   [state, reason, iso(utcnow()), item_id, team_id])
        bump_revision(db, team_id, _meeting_of(db, team_id, item_id))


def _meeting_of(db, team_id: int, item_id: int) -> int:
    row = db.execute("SELECT meeting_id FROM items WHERE id = ? AND team_id = ?", [item_id, team_id]).fetchone()
    if row is None:
        raise NotTheTeams(item_id)
    return row[0]


def agenda_items(db, actor: Actor | None, team_id: int, meeting_id: int, states=("planned",)) -> list[dict]:
    """A meeting's items in the given states with presenter and client reference.

    The clients shown are logged once per person and day (`log_view`); with `actor=None` the caller logs,
    as the live channel does for each screen that receives a shared fragment.
    """
    marks = ", ".join("?" * len(states))
    rows = list(db.query(f"""SELECT i.*, u.name AS presenter_name, c.reference AS client_reference,
        c.treatment_start AS client_treatment_start, c.last_evaluation AS client_last_evaluation,
        c.next_evaluation_on AS client_next_evaluation_on FROM items i JOIN users u ON u.id = i.presenter_id
        LEFT JOIN clients c ON c.id = i.client_id
        WHERE i.meeting_id = ? AND i.team_id = ? AND i.state IN ({marks})
        ORDER BY i.track, i.position""", [meeting_id, team_id, *states]))
    if actor is not None:
        log_view(db, actor, "agenda", [r["client_id"] for r in rows if r["client_id"]], team_id, meeting_id)
    return rows


def planned_minutes(db, meeting_id: int, track: str) -> int:
    """Minutes planned on a track of the meeting."""
    return db.execute("SELECT coalesce(sum(minutes), 0) FROM items WHERE meeting_id = ? AND track = ?"
                      " AND state = 'planned'", [meeting_id, track]).fetchone()[0]


def clients_on_agenda(db, meeting_id: int) -> set[int]:
    """The clients that have an item on the meeting (in any state)."""
    return {r[0] for r in db.execute("SELECT client_id FROM items WHERE meeting_id = ? AND client_id IS NOT NULL",
                                     [meeting_id])}


def count_planned(db, meeting_id: int) -> int:
    """How many items are planned on the meeting."""
    return db.execute("SELECT count(*) FROM items WHERE meeting_id = ? AND state = 'planned'",
                      [meeting_id]).fetchone()[0]


def items_of_presenter(db, team_id: int, presenter_id: int, meeting_ids: list[int]) -> list[dict]:
    """The presenter's own items on these meetings, in any state."""
    if not meeting_ids:
        return []
    marks = ", ".join("?" * len(meeting_ids))
    return list(db.query(f"""SELECT i.*, c.reference AS client_reference FROM items i
        LEFT JOIN clients c ON c.id = i.client_id
        WHERE i.team_id = ? AND i.presenter_id = ? AND i.meeting_id IN ({marks}) ORDER BY i.id""",
                         [team_id, presenter_id, *meeting_ids]))


def move_in_track(db, team_id: int, item_id: int, direction: int) -> None:
    """Swap an item with its planned neighbour in the same track (direction -1 up, +1 down)."""
    with write(db):
        item = db.execute("SELECT meeting_id, track, position, label = 'announcement' FROM items"
                          " WHERE id = ? AND team_id = ?", [item_id, team_id]).fetchone()
        if item is None:
            raise NotTheTeams(item_id)
        comparison, order = ("<", "DESC") if direction < 0 else (">", "ASC")
        # announcements sit in the consent block: they only trade places among themselves
        neighbour = db.execute(
            f"""SELECT id, position FROM items WHERE meeting_id = ? AND track = ? AND state = 'planned'
                AND position {comparison} ? AND (label = 'announcement') = ?
                ORDER BY position {order} LIMIT 1""", item).fetchone()
        if neighbour:
            db.execute("UPDATE items SET position = ? WHERE id = ?", [neighbour[1], item_id])
            db.execute("UPDATE items SET position = ? WHERE id = ?", [item[2], neighbour[0]])
            bump_revision(db, team_id, item[0])


def set_minutes(db, team_id: int, item_id: int, minutes: int) -> None:
    """Change an item's planned minutes."""
    with write(db):
        db.execute("UPDATE items SET minutes = ?, version = version + 1 WHERE id = ? AND team_id = ?",
                   [minutes, item_id, team_id])
        bump_revision(db, team_id, _meeting_of(db, team_id, item_id))


def move_to_meeting(db, team_id: int, item_id: int, meeting_id: int) -> None:
    """Move an item to another meeting of the team, at the end of its track there."""
    with write(db):
        old_meeting = _meeting_of(db, team_id, item_id)
        track = db.execute("SELECT track FROM items WHERE id = ?", [item_id]).fetchone()[0]
        db.execute("UPDATE items SET meeting_id = ?, position = ?, version = version + 1 WHERE id = ?",
                   [meeting_id, _next_position(db, meeting_id, track), item_id])
        bump_revision(db, team_id, old_meeting)
        bump_revision(db, team_id, meeting_id)


def defer(db, actor: Actor, team_id: int, item_id: int, reason: str, next_meeting_id: int) -> int:
    """Mark the item deferred here (with the reason) and carry a copy to the next meeting; return the copy."""
    with write(db):
        item = next(db.query("SELECT * FROM items WHERE id = ? AND team_id = ?", [item_id, team_id]))
        set_item_state(db, team_id, item_id, "deferred", reason)
        copy = ItemInput(**{column: item[column] for column in ITEM_COLUMNS})
        copy_id = add_item(db, actor, team_id, next_meeting_id, item["presenter_id"], copy,
                           carried_over=item["carried_over"] + 1, origin_item_id=item_id)
        if item["handover_id"]:  # an open handover's announcement stays linked to it
            db.execute("UPDATE items SET handover_id = ? WHERE id = ?", [item["handover_id"], copy_id])
        return copy_id


def defer_all(db, actor: Actor, team_id: int, reasons: dict[int, str], next_meeting_id: int) -> None:
    """Defer several items (item id -> reason) in one transaction: all of them or, on any failure, none."""
    with write(db):
        for item_id, reason in reasons.items():
            defer(db, actor, team_id, item_id, reason, next_meeting_id)


def relabel(db, team_id: int, item_id: int, label: str) -> None:
    """Change an item's label (an announcement someone wants to discuss becomes a question)."""
    with write(db):
        db.execute("UPDATE items SET label = ?, version = version + 1 WHERE id = ? AND team_id = ?",
                   [label, item_id, team_id])
        bump_revision(db, team_id, _meeting_of(db, team_id, item_id))
