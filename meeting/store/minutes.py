"""What the minutes need beyond the live state: actions, bells per item, ratings, borrowed minutes."""
from meeting.store.decisions import actions_of_meeting


def minutes(db, meeting_id: int) -> dict:
    """Actions, bells per item, average ratings and borrowings of one meeting."""
    bells = {r[0]: r[1] for r in db.execute(
        "SELECT item_id, count(*) FROM bells WHERE meeting_id = ? GROUP BY item_id", [meeting_id])}
    ratings = next(db.query("""SELECT count(*) AS raters, avg(kept_process) AS kept_process,
        avg(ended_in_decisions) AS ended_in_decisions, avg(time_well_spent) AS time_well_spent
        FROM ratings WHERE meeting_id = ?""", [meeting_id]))
    borrowed = list(db.query("SELECT from_track, minutes FROM borrowings WHERE meeting_id = ? ORDER BY id", [meeting_id]))
    carried = {r["origin_item_id"]: r for r in db.query(
        "SELECT origin_item_id, meeting_id FROM items WHERE origin_item_id IN (SELECT id FROM items WHERE meeting_id = ?)",
        [meeting_id])}
    return {"actions": actions_of_meeting(db, meeting_id), "bells_per_item": bells, "ratings": ratings,
            "borrowed": borrowed, "carried": carried, "bells_total": sum(bells.values())}
