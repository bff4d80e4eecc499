"""The rows behind the managers' figures, over one or more teams and a period. Counts, dates and
pseudonymous references only: no clinical free text ever leaves these functions. Every due date and
"within N months" figure is worked out by the core from these rows, never in SQL."""
from datetime import date, datetime

from meeting.core import capacity, evaluations
from meeting.core.teams import upcoming_meeting_starts
from meeting.store.clients import client_records
from meeting.store.db import iso

def _teams(team_ids: list[int]) -> tuple[str, dict]:
    marks = ", ".join(f":team{i}" for i in range(len(team_ids)))
    return marks, {f"team{i}": team_id for i, team_id in enumerate(team_ids)}


def register(db, team_ids: list[int]) -> list[dict]:
    """Every active client of these teams with what the calendar needs: dates, team, norm, clinician.

    No date arithmetic here: due dates, overdue lists and milestones come from meeting.core.evaluations.
    """
    marks, params = _teams(team_ids)
    return list(db.query(f"""SELECT c.id AS client_id, c.reference, c.team_id, t.name AS team,
        t.evaluation_interval_months AS norm_months, c.clinician_id, u.name AS clinician, c.status,
        c.treatment_start, c.last_evaluation, c.next_evaluation_on, c.last_continuation_decision,
        c.colleague_invited_at
        FROM clients c JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = c.clinician_id
        WHERE c.team_id IN ({marks}) AND c.status = 'active' ORDER BY c.id""", params))


def timelines(db, team_ids: list[int], since: date, start: date, end: date) -> tuple[list[dict], list[dict]]:
    """The clients in treatment at some time in [start, end], and their reviews held from `since` to `end`.

    `registered_evaluation` is the last review before Belletje recorded any (from the registry).
    """
    marks, params = _teams(team_ids)
    params |= {"since": since.isoformat(), "start": start.isoformat(), "end": end.isoformat()}
    clients = list(db.query(f"""SELECT c.id AS client_id, c.reference, c.team_id,
        t.evaluation_interval_months AS norm_months, c.treatment_start, c.finished_on,
        coalesce((SELECT e.previous_evaluation FROM evaluations e WHERE e.client_id = c.id
                  ORDER BY e.held_on LIMIT 1), c.last_evaluation) AS registered_evaluation
        FROM clients c JOIN teams t ON t.id = c.team_id
        WHERE c.team_id IN ({marks}) AND c.treatment_start <= :end
        AND (c.finished_on IS NULL OR c.finished_on >= :start)""", params))
    reviews = list(db.query(f"""SELECT e.client_id, e.held_on, d.next_evaluation_on AS agreed_next
        FROM evaluations e LEFT JOIN decisions d ON d.item_id = e.item_id
        WHERE e.team_id IN ({marks}) AND e.held_on BETWEEN :since AND :end
        ORDER BY e.client_id, e.held_on""", params))
    return clients, reviews


def reviews_per_clinician(db, team_ids: list[int], start: date, end: date) -> dict[int, int]:
    """Team reviews held in the period, by the clinician responsible at the time."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat()}
    return {r[0]: r[1] for r in db.execute(f"""SELECT clinician_id, count(*) FROM evaluations
        WHERE team_id IN ({marks}) AND held_on BETWEEN :start AND :end GROUP BY clinician_id""", params)}


def other_regular_minutes(db, team_id: int, meetings: int) -> list[int]:
    """Per recent closed meeting (newest first): minutes of regular items that were not a review.

    Announcements, items deferred or not reached: what the regular budget spent on anything but a
    review that counted (a decided regular item with an evaluation).
    """
    return [r[0] for r in db.execute("""SELECT coalesce(sum(i.minutes) FILTER (WHERE e.id IS NULL), 0)
        FROM (SELECT id, starts_at FROM meetings WHERE team_id = ? AND state = 'closed'
              ORDER BY starts_at DESC LIMIT ?) m
        LEFT JOIN items i ON i.meeting_id = m.id AND i.track = 'regular' AND i.state IN ('decided', 'deferred')
        LEFT JOIN evaluations e ON e.item_id = i.id
        GROUP BY m.id ORDER BY m.starts_at DESC""", [team_id, meetings])]


def capacity_forecast(db, team: dict, now: datetime, advise: bool = True) -> capacity.Forecast:
    """The team's capacity line: its register, its budget and the recent meetings' other regular items,
    replayed from its next meeting on (the same figures for the planner, the settings and the dashboard)."""
    today = evaluations.local_day(now, team["timezone"])
    other = other_regular_minutes(db, team["id"], capacity.RECENT_MEETINGS)
    pace = capacity.Pace(team["regular_budget"], capacity.average_other_minutes(other), team["minutes_issue"],
                         len(other))
    return capacity.forecast(client_records(db, team["id"]), today, _next_meeting_day(db, team, now),
                             team["evaluation_interval_months"], pace, advise)


def _next_meeting_day(db, team: dict, now: datetime) -> date:
    """The day of the team's next meeting still to come: a stored one, else the weekly schedule's."""
    row = db.execute("""SELECT starts_at FROM meetings WHERE team_id = ? AND starts_at > ?
        AND state IN ('planned', 'frozen') ORDER BY starts_at LIMIT 1""", [team["id"], iso(now)]).fetchone()
    starts_at = row[0] if row else upcoming_meeting_starts(team, now)[0]
    return evaluations.local_day(starts_at, team["timezone"])


def meeting_time(db, team_ids: list[int], start: date, end: date) -> list[dict]:
    """Per closed meeting in the period: planned and used seconds per track, budgets, borrowed, overrun."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat()}
    return list(db.query(f"""SELECT m.id AS meeting_id, t.name AS team, date(m.starts_at) AS day, m.minutes,
        m.acute_budget, m.regular_budget,
        coalesce(sum(i.minutes * 60) FILTER (WHERE i.track = 'acute'), 0) AS acute_planned_seconds,
        coalesce(sum(i.used_seconds) FILTER (WHERE i.track = 'acute'), 0) AS acute_used_seconds,
        coalesce(sum(i.minutes * 60) FILTER (WHERE i.track = 'regular'), 0) AS regular_planned_seconds,
        coalesce(sum(i.used_seconds) FILTER (WHERE i.track = 'regular'), 0) AS regular_used_seconds,
        (SELECT coalesce(sum(b.minutes), 0) FROM borrowings b WHERE b.meeting_id = m.id) AS borrowed_minutes
        FROM meetings m JOIN teams t ON t.id = m.team_id
        LEFT JOIN items i ON i.meeting_id = m.id AND i.state != 'withdrawn'
        WHERE m.team_id IN ({marks}) AND m.state = 'closed' AND m.kind = 'weekly'
        AND date(m.starts_at) BETWEEN :start AND :end GROUP BY m.id ORDER BY m.starts_at""", params))


def process(db, team_ids: list[int], start: date, end: date) -> dict:
    """Items by label and track, decisions among discussed items, deferrals, bells, ratings, situation tags."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat()}
    meetings = f"""SELECT m.id FROM meetings m WHERE m.team_id IN ({marks}) AND m.state = 'closed'
        AND m.kind = 'weekly' AND date(m.starts_at) BETWEEN :start AND :end"""
    items = list(db.query(f"""SELECT track, label, count(*) AS items FROM items
        WHERE meeting_id IN ({meetings}) AND state != 'withdrawn' GROUP BY track, label ORDER BY track, label""", params))
    row = db.execute(f"""SELECT (SELECT count(*) FROM ({meetings})),
        count(*) FILTER (WHERE state = 'decided' OR used_seconds > 0),
        count(*) FILTER (WHERE state = 'decided'),
        count(*) FILTER (WHERE state = 'deferred'),
        count(*) FILTER (WHERE state = 'deferred' AND carried_over >= 1),
        (SELECT count(*) FROM bells WHERE meeting_id IN ({meetings}))
        FROM items WHERE meeting_id IN ({meetings})""", params).fetchone()
    ratings = next(db.query(f"""SELECT count(*) AS raters, avg(kept_process) AS kept_process,
        avg(ended_in_decisions) AS ended_in_decisions, avg(time_well_spent) AS time_well_spent
        FROM ratings WHERE meeting_id IN ({meetings})""", params))
    tags = list(db.query(f"""SELECT exemplary_situation AS situation, count(*) AS items FROM decisions
        WHERE meeting_id IN ({meetings}) AND exemplary_situation IS NOT NULL GROUP BY 1 ORDER BY 2 DESC""", params))
    return {"items": items, "meetings": row[0], "discussed": row[1], "decided": row[2], "deferred": row[3],
            "deferred_again": row[4], "bells": row[5], "ratings": ratings, "tags": tags}


def meetings_by_day(db, team_ids: list[int], start: date, end: date) -> list[dict]:
    """Per closed meeting in the period: its day, discussed and decided items, bells (weeks are the core's)."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat()}
    return list(db.query(f"""SELECT date(m.starts_at) AS day,
        (SELECT count(*) FROM items i WHERE i.meeting_id = m.id AND (i.state = 'decided' OR i.used_seconds > 0))
          AS discussed,
        (SELECT count(*) FROM items i WHERE i.meeting_id = m.id AND i.state = 'decided') AS decided,
        (SELECT count(*) FROM bells b WHERE b.meeting_id = m.id) AS bells
        FROM meetings m WHERE m.team_id IN ({marks}) AND m.state = 'closed' AND m.kind = 'weekly'
        AND date(m.starts_at) BETWEEN :start AND :end ORDER BY m.starts_at""", params))
