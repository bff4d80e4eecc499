"""Which team a meeting, item, client, action, notice, session, card or handover belongs to: one check for every
route that takes an id."""

OWNER_QUERIES = {
    "meeting_id": "SELECT team_id FROM meetings WHERE id = ?",
    "item_id": "SELECT team_id FROM items WHERE id = ?",
    "client_id": "SELECT team_id FROM clients WHERE id = ?",
    "action_id": "SELECT team_id FROM actions WHERE id = ?",
    "notice_id": "SELECT team_id FROM notifications WHERE id = ?",
    "consultation_id": "SELECT team_id FROM consultations WHERE id = ?",
    "session_id": "SELECT team_id FROM meetings WHERE id = ? AND kind = 'complex_case'",
    "card_id": "SELECT team_id FROM session_cards WHERE id = ?",
    "handover_id": "SELECT team_id FROM handovers WHERE id = ?",
}


def belongs_to_team(db, team_id: int, ids: dict[str, int]) -> bool:
    """True when every id is the team's, and an item named with a meeting is on that meeting.

    An id name without a query here is a programming error (KeyError): a new kind of id in a
    route must be added, it can never pass unchecked.
    """
    for name, value in ids.items():
        row = db.execute(OWNER_QUERIES[name], [value]).fetchone()
        if row is None or row[0] != team_id:
            return False
    if "item_id" in ids and "meeting_id" in ids:
        item_meeting = db.execute("SELECT meeting_id FROM items WHERE id = ?", [ids["item_id"]]).fetchone()[0]
        return item_meeting == ids["meeting_id"]
    return True
