"""What the minutes need beyond the live state: actions, bells per item, ratings, borrowed minutes."""
import json

from meeting.store.decisions import action_reviews_of_meeting, actions_of_meeting


def minutes(db, meeting_id: int) -> dict:
    """Actions, bells per item, average ratings and borrowings of one meeting."""
    bells = {r[0]: r[1] for r in db.execute(
        "SELECT item_id, count(*) FROM bells WHERE meeting_id = ? GROUP BY item_id", [meeting_id])}
    ratings = next(db.query("""SELECT coalesce(max(old_raters), 0) AS raters,
        max(kept_process_sum * 1.0 / old_raters) AS kept_process,
        max(ended_in_decisions_sum * 1.0 / old_raters) AS ended_in_decisions,
        max(time_well_spent_sum * 1.0 / old_raters) AS time_well_spent
        FROM meeting_figures WHERE meeting_id = ?""", [meeting_id]))  # the legacy ratings, kept as figures
    borrowed = list(db.query("SELECT from_track, minutes FROM borrowings WHERE meeting_id = ? ORDER BY id",
                             [meeting_id]))
    carried = {r["origin_item_id"]: r for r in db.query(
        "SELECT origin_item_id, meeting_id FROM items WHERE origin_item_id IN (SELECT id FROM items WHERE meeting_id "
        "= ?)",
        [meeting_id])}
    next_reviews = {r[0]: r[1] for r in db.execute(
        "SELECT item_id, next_evaluation_on FROM evaluations WHERE item_id IN (SELECT id FROM items WHERE meeting_id "
        "= ?)",
        [meeting_id])}
    ahead = db.execute("SELECT look_ahead FROM meetings WHERE id = ?", [meeting_id]).fetchone()
    return {"actions": actions_of_meeting(db, meeting_id), "bells_per_item": bells, "ratings": ratings,
            "borrowed": borrowed, "carried": carried, "bells_total": sum(bells.values()),
            "next_reviews": next_reviews, "looked_back": action_reviews_of_meeting(db, meeting_id),
            "looked_ahead": json.loads(ahead[0]) if ahead and ahead[0] else None}
