"""Per-meeting figures, written once when a meeting closes: what the managers' dashboards sum.

A closed meeting's items, bells, borrowed minutes and decisions no longer change, so their counts are
taken once (in the transaction that closes it) instead of on every dashboard view; a dashboard over 200
teams and five years then sums one row per meeting. Only the meeting rating arrives after the close: it
adds to its meeting's row in the rating's own transaction. The legacy ratings (three scores, before the meeting
rating) live on only here, as each meeting's `old_*` sums, kept whenever a row is written again. Counts only, no
clinical text.
"""
import json

from meeting.core import evaluations
from meeting.core.closing import EXEMPLARY_SITUATIONS
from meeting.core.dashboard import ITEM_COUNTS, TAG_COUNTS
from meeting.core.meeting_rating import DIMENSIONS
from meeting.core.planning import LABELS, TRACKS

_ITEMS = ",\n".join(
    [f"count(*) FILTER (WHERE state != 'withdrawn' AND track = '{t}' AND label = '{lb}') AS items_{t}_{lb}"
     for t in TRACKS for lb in LABELS]
    + [f"coalesce(sum(minutes * 60) FILTER (WHERE state != 'withdrawn' AND track = '{t}'), 0) AS {t}_planned_seconds"
       for t in TRACKS]
    + [f"coalesce(sum(used_seconds) FILTER (WHERE state != 'withdrawn' AND track = '{t}'), 0) AS {t}_used_seconds"
       for t in TRACKS]
    + ["count(*) FILTER (WHERE state = 'decided' OR used_seconds > 0) AS discussed",
       "count(*) FILTER (WHERE state = 'decided') AS decided",
       "count(*) FILTER (WHERE state = 'deferred') AS deferred",
       "count(*) FILTER (WHERE state = 'deferred' AND carried_over >= 1) AS deferred_again"])
_TAGS = ", ".join(f"count(*) FILTER (WHERE exemplary_situation = '{s}') AS tag_{s}" for s in EXEMPLARY_SITUATIONS)
_RATING_SUMS = ", ".join(f"sum({name}) AS {name}_sum" for name in DIMENSIONS)
_FROM_ITEMS = ITEM_COUNTS + [f"{t}_{kind}_seconds" for t in TRACKS for kind in ("planned", "used")] + [
    "discussed", "decided", "deferred", "deferred_again"]
COLUMNS = (["meeting_id", "team_id", "kind", "starts_at", "minutes", "acute_budget", "regular_budget"] + _FROM_ITEMS
           + ["bells", "borrowed_minutes"] + TAG_COUNTS
           + ["old_raters", "kept_process_sum", "ended_in_decisions_sum", "time_well_spent_sum"]
           + ["raters"] + [f"{name}_sum" for name in DIMENSIONS])


# minutes of the regular items that were not a review that counted (a decided regular item with an evaluation):
# announcements, items deferred or not reached; the capacity line's pace (not in COLUMNS)
OTHER_REGULAR_MINUTES = """SELECT coalesce(sum(i.minutes) FILTER (WHERE e.id IS NULL), 0) FROM items i
    LEFT JOIN evaluations e ON e.item_id = i.id WHERE i.meeting_id = meeting_figures.meeting_id
    AND i.track = 'regular' AND i.state IN ('decided', 'deferred')"""


def write(db, where: str = "m.id = :meeting_id", params: dict | None = None) -> None:
    """(Re)write the figures of the closed meetings `where` selects (inside the caller's transaction)."""
    selected = f"SELECT m.id FROM meetings m WHERE m.state = 'closed' AND {where}"
    db.execute(f"""INSERT OR REPLACE INTO meeting_figures ({', '.join(COLUMNS)}, day)
        SELECT m.id, m.team_id, m.kind, m.starts_at, m.minutes, m.acute_budget, m.regular_budget,
        {', '.join(f'coalesce(i.{c}, 0)' for c in _FROM_ITEMS)},
        coalesce(b.bells, 0), coalesce(w.minutes, 0), {', '.join(f'coalesce(d.{c}, 0)' for c in TAG_COUNTS)},
        coalesce(o.old_raters, 0), o.kept_process_sum, o.ended_in_decisions_sum, o.time_well_spent_sum,
        coalesce(s.raters, 0), {', '.join(f's.{name}_sum' for name in DIMENSIONS)}, ''
        FROM meetings m
        LEFT JOIN (SELECT meeting_id, {_ITEMS} FROM items WHERE meeting_id IN ({selected}) GROUP BY meeting_id) i
          ON i.meeting_id = m.id
        LEFT JOIN (SELECT meeting_id, count(*) AS bells FROM bells WHERE meeting_id IN ({selected})
          GROUP BY meeting_id) b ON b.meeting_id = m.id
        LEFT JOIN (SELECT meeting_id, sum(minutes) AS minutes FROM borrowings WHERE meeting_id IN ({selected})
          GROUP BY meeting_id) w ON w.meeting_id = m.id
        LEFT JOIN (SELECT meeting_id, {_TAGS} FROM decisions WHERE meeting_id IN ({selected})
          GROUP BY meeting_id) d ON d.meeting_id = m.id
        LEFT JOIN meeting_figures o ON o.meeting_id = m.id
        LEFT JOIN (SELECT meeting_id, count(*) AS raters, {_RATING_SUMS} FROM meeting_ratings
          WHERE meeting_id IN ({selected}) GROUP BY meeting_id) s ON s.meeting_id = m.id
        WHERE m.state = 'closed' AND {where}""", params or {})
    _date_them(db)
    db.execute(f"UPDATE meeting_figures SET other_regular_minutes = ({OTHER_REGULAR_MINUTES}) "
               f"WHERE meeting_id IN ({selected})", params or {})


def _date_them(db) -> None:
    """Give the rows just written their meeting's local day (the team's time zone: the calendar's, not SQL's)."""
    rows = db.execute("""SELECT f.meeting_id, f.starts_at, t.timezone FROM meeting_figures f
        JOIN teams t ON t.id = f.team_id WHERE f.day = ''""").fetchall()
    db.conn.executemany("UPDATE meeting_figures SET day = ? WHERE meeting_id = ?",
                        [(evaluations.local_day(starts_at, zone).isoformat(), meeting_id)
                         for meeting_id, starts_at, zone in rows])


def write_meeting(db, meeting_id: int) -> None:
    """The figures of one meeting that has just closed."""
    write(db, "m.id = :meeting_id", {"meeting_id": meeting_id})


def write_all(db) -> None:
    """The figures of every closed meeting (the migration, a bulk-written history)."""
    write(db, "1 = 1")


def write_missing(db) -> None:
    """The figures of every closed meeting that has none, or only the legacy ratings a migration kept (its `day`
    empty; a migration leaves them to this owner; inside the caller's transaction): after it, every closed meeting
    has its row."""
    missing = [row[0] for row in db.execute("""SELECT m.id FROM meetings m WHERE m.state = 'closed'
        AND NOT EXISTS (SELECT 1 FROM meeting_figures f WHERE f.meeting_id = m.id AND f.day != '')""").fetchall()]
    if missing:
        write(db, "m.id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(missing)})


def add_legacy_ratings(db, rated: list[tuple[int, list[tuple[int, int, int, int]]]]) -> None:
    """The legacy ratings of past meetings (meeting id, its (user id, three scores)) as their figures' sums (a
    bulk-written history; inside the caller's transaction)."""
    db.conn.executemany("""UPDATE meeting_figures SET old_raters = ?, kept_process_sum = ?, ended_in_decisions_sum = ?,
        time_well_spent_sum = ? WHERE meeting_id = ?""", [
        (len(ratings), *(sum(r[index] for r in ratings) for index in (1, 2, 3)), meeting_id)
        for meeting_id, ratings in rated])


def add_rating(db, meeting_id: int, values: dict) -> None:
    """A meeting rating given after the close adds to its meeting's figures (inside the rating's transaction)."""
    db.execute(f"""UPDATE meeting_figures SET raters = raters + 1,
        {', '.join(f'{name}_sum = coalesce({name}_sum, 0) + :{name}' for name in DIMENSIONS)}
        WHERE meeting_id = :meeting_id""", {name: values[name] for name in DIMENSIONS} | {"meeting_id": meeting_id})
