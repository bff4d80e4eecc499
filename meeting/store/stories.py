"""Colleagues' prepared stories for a coming meeting, read from the agenda: every read is in the access log."""
from meeting.store.audit import Actor, log_access
from meeting.store.db import write


def read_story(db, actor: Actor, team_id: int, item_id: int) -> dict | None:
    """A planned item of a meeting still to come, with presenter and client reference; the read is logged.

    None for an item that is not on a coming agenda (withdrawn, closed, or its meeting has passed).
    """
    with write(db):
        item = next(db.query("""SELECT i.*, u.name AS presenter_name, c.reference AS client_reference,
            c.treatment_start AS client_treatment_start FROM items i JOIN users u ON u.id = i.presenter_id
            JOIN meetings m ON m.id = i.meeting_id LEFT JOIN clients c ON c.id = i.client_id
            WHERE i.id = ? AND i.team_id = ? AND i.state = 'planned' AND m.state IN ('planned', 'frozen', 'running')""",
                             [item_id, team_id]), None)
        if item and item["client_id"]:
            log_access(db, actor, "story-read", [item["client_id"]], team_id, detail=f"item={item_id}")
    return item
