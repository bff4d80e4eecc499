"""The rows behind the managers' figures, over one or more teams and a period. Counts, dates and
pseudonymous references only: no clinical free text ever leaves these functions. Every due date and
"within N months" figure is worked out by the core from these rows, never in SQL."""
from datetime import date, datetime

from meeting.core import capacity, evaluations
from meeting.core.closing import EXEMPLARY_SITUATIONS
from meeting.core.planning import LABELS, TRACKS
from meeting.core.teams import upcoming_meeting_starts
from meeting.store import figures
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


def review_pace(db, team: dict) -> capacity.Pace:
    """The team's review slots a week: its regular budget minus the recent meetings' other regular items."""
    other = other_regular_minutes(db, team["id"], capacity.RECENT_MEETINGS)
    return capacity.Pace(team["regular_budget"], capacity.average_other_minutes(other), team["minutes_issue"],
                         len(other))


def capacity_forecast(db, team: dict, now: datetime, advise: bool = True) -> capacity.Forecast:
    """The team's capacity line: its register, its budget and the recent meetings' other regular items,
    replayed from its next meeting on (the same figures for the planner, the settings and the dashboard)."""
    today = evaluations.local_day(now, team["timezone"])
    pace = review_pace(db, team)
    return capacity.forecast(client_records(db, team["id"]), today, _next_meeting_day(db, team, now),
                             team["evaluation_interval_months"], pace, advise)


def _next_meeting_day(db, team: dict, now: datetime) -> date:
    """The day of the team's next meeting still to come: a stored one, else the weekly schedule's."""
    row = db.execute("""SELECT starts_at FROM meetings WHERE team_id = ? AND starts_at > ?
        AND state IN ('planned', 'frozen') ORDER BY starts_at LIMIT 1""", [team["id"], iso(now)]).fetchone()
    starts_at = row[0] if row else upcoming_meeting_starts(team, now)[0]
    return evaluations.local_day(starts_at, team["timezone"])


_WEEKLY_IN_PERIOD = "f.team_id IN ({marks}) AND f.kind = 'weekly' AND f.day BETWEEN :start AND :end"


def _period(team_ids: list[int], start: date, end: date) -> tuple[str, dict]:
    """The figures of the teams' weekly meetings held in the period (by local day): a range the index serves."""
    marks, params = _teams(team_ids)
    return _WEEKLY_IN_PERIOD.format(marks=marks), params | {"start": start.isoformat(), "end": end.isoformat()}


def meeting_time(db, team_ids: list[int], start: date, end: date) -> list[dict]:
    """Per closed meeting in the period: planned and used seconds per track, budgets, borrowed, overrun."""
    where, params = _period(team_ids, start, end)
    return list(db.query(f"""SELECT f.meeting_id, t.name AS team, f.day, f.minutes, f.acute_budget, f.regular_budget,
        f.acute_planned_seconds, f.acute_used_seconds, f.regular_planned_seconds, f.regular_used_seconds,
        f.borrowed_minutes FROM meeting_figures f JOIN teams t ON t.id = f.team_id
        WHERE {where} ORDER BY f.starts_at""", params))


def process(db, team_ids: list[int], start: date, end: date) -> dict:
    """Items by label and track, decisions among discussed items, deferrals, bells, ratings, situation tags."""
    where, params = _period(team_ids, start, end)
    sums = [*figures.ITEM_COUNTS, *figures.TAG_COUNTS, "discussed", "decided", "deferred", "deferred_again", "bells",
            "old_raters", "kept_process_sum", "ended_in_decisions_sum", "time_well_spent_sum"]
    row = next(db.query(f"""SELECT count(*) AS meetings, {', '.join(f'coalesce(sum({c}), 0) AS {c}' for c in sums)}
        FROM meeting_figures f WHERE {where}""", params))
    items = [{"track": track, "label": label, "items": row[f"items_{track}_{label}"]}
             for track in TRACKS for label in LABELS if row[f"items_{track}_{label}"]]
    tags = sorted(({"situation": name, "items": row[f"tag_{name}"]} for name in EXEMPLARY_SITUATIONS
                   if row[f"tag_{name}"]), key=lambda tag: -tag["items"])
    raters = row["old_raters"]
    ratings = {"raters": raters, **{name: row[f"{name}_sum"] / raters if raters else None
                                    for name in ("kept_process", "ended_in_decisions", "time_well_spent")}}
    return {"items": items, "meetings": row["meetings"], "discussed": row["discussed"], "decided": row["decided"],
            "deferred": row["deferred"], "deferred_again": row["deferred_again"], "bells": row["bells"],
            "ratings": ratings, "tags": tags}


def meetings_by_day(db, team_ids: list[int], start: date, end: date) -> list[dict]:
    """Per closed meeting in the period: its day, discussed and decided items, bells (weeks are the core's)."""
    where, params = _period(team_ids, start, end)
    return list(db.query(f"""SELECT f.day, f.discussed, f.decided, f.bells FROM meeting_figures f
        WHERE {where} ORDER BY f.starts_at""", params))
