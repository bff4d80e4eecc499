"""The anonymous meeting rating at the end of a meeting: scores and one thing to change, apart from who rated."""
import secrets
from datetime import date

from meeting.core import dashboard as dashboard_rules
from meeting.core.meeting_rating import DIMENSIONS
from meeting.store import figures
from meeting.store.db import write

_AVERAGES = ", ".join(f"avg({name}) AS {name}" for name in DIMENSIONS)


def rate(db, meeting_id: int, user_id: int, values: dict) -> bool:
    """Store a participant's (validated) rating once; False when they rated this meeting already.

    Who rated goes to meeting_raters, the scores to meeting_ratings, with nothing linking the two: the
    scores get a random id, so not even the order of the rows tells whose they are. No revision bump: no
    live screen shows ratings, and a re-render would wipe what others are still typing.
    """
    with write(db):
        if has_rated(db, meeting_id, user_id):
            return False
        db.execute("INSERT INTO meeting_raters (meeting_id, user_id) VALUES (?, ?)", [meeting_id, user_id])
        db.execute(f"""INSERT INTO meeting_ratings (id, meeting_id, {', '.join(DIMENSIONS)}, change_next)
            VALUES (?, ?, {', '.join('?' * len(DIMENSIONS))}, ?)""",
                   [secrets.randbelow(2 ** 62) + 1, meeting_id, *(values[name] for name in DIMENSIONS),
                    values.get("change_next", "")])
        figures.add_rating(db, meeting_id, values)
    return True


def has_rated(db, meeting_id: int, user_id: int) -> bool:
    """Whether this participant has rated the meeting (on the new scale)."""
    return db.execute("SELECT 1 FROM meeting_raters WHERE meeting_id = ? AND user_id = ?",
                      [meeting_id, user_id]).fetchone() is not None


def summary(db, meeting_id: int) -> dict:
    """The meeting's average per dimension, how many rated, and the things to change (in no telling order)."""
    row = next(db.query(f"SELECT count(*) AS raters, {_AVERAGES} FROM meeting_ratings WHERE meeting_id = ?",
                        [meeting_id]))
    row["changes"] = [r[0] for r in db.execute("""SELECT change_next FROM meeting_ratings
        WHERE meeting_id = ? AND change_next != '' ORDER BY change_next COLLATE NOCASE""", [meeting_id])]
    return row


def trend(db, team_ids: list[int], start: date, end: date, monthly: bool = False) -> list[dict]:
    """Per week (its Monday) or month (`dashboard_rules.trend_key`) of closed meetings in the period with ratings:
    how many rated and the average per dimension over them."""
    marks = ", ".join("?" * len(team_ids))
    rows = db.execute(f"""SELECT day, sum(raters), {', '.join(f'sum({name}_sum)' for name in DIMENSIONS)}
        FROM meeting_figures WHERE team_id IN ({marks}) AND kind IN ('weekly', 'complex_case') AND day BETWEEN ? AND ?
        AND raters > 0 GROUP BY day""", [*team_ids, start.isoformat(), end.isoformat()])
    return dashboard_rules.rating_trend(rows, monthly)
