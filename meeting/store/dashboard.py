"""The rows behind the managers' figures, over one or more teams and a period. Counts, dates and
pseudonymous references only: no clinical free text ever leaves these functions. Every due date and
"within N months" figure is worked out by the core from these rows, never in SQL."""
import dataclasses
import json
from datetime import date, datetime
from operator import itemgetter

from meeting.core import capacity, evaluations
from meeting.core import dashboard as dashboard_rules
from meeting.core import register as register_rules
from meeting.core.dates import parse_date
from meeting.core.teams import upcoming_meeting_starts
from meeting.store import calendar
from meeting.store.clients import client_records
from meeting.store.db import iso


def _teams(team_ids: list[int]) -> tuple[str, dict]:
    marks = ", ".join(f":team{i}" for i in range(len(team_ids)))
    return marks, {f"team{i}": team_id for i, team_id in enumerate(team_ids)}


def register_per_team(db, team_ids: list[int], today: date) -> dict[int, dict]:
    """Per team today: active clients, how many within the norm, how many overdue (summed over the stored counts
    per clinician, `calendar.counts_today`)."""
    calendar.refresh_stale(db, team_ids)
    counts, params = calendar.counts_today(db, team_ids, today, "active, within_norm, overdue")
    return {row["team_id"]: row for row in db.query(f"""SELECT team_id, sum(active) AS active,
        sum(within_norm) AS within_norm, sum(overdue) AS overdue FROM ({counts}) GROUP BY team_id""", params)}


def clinicians_today(db, team_ids: list[int], today: date, limit: int | None = None) -> tuple[list[dict], int]:
    """Per responsible clinician with active clients today, over the teams: clients and overdue; by name, or the
    `limit` with the most overdue (ties by name); and how many such clinicians there are."""
    calendar.refresh_stale(db, team_ids)
    counts, params = calendar.counts_today(db, team_ids, today, "active, overdue")
    params |= {"limit": -1 if limit is None else limit}
    order = "u.name, n.clinician_id" if limit is None else "sum(n.overdue) DESC, u.name, n.clinician_id"
    rows = list(db.query(f"""SELECT n.clinician_id, u.name AS clinician, sum(n.active) AS clients,
        sum(n.overdue) AS overdue, count(*) OVER () AS total FROM ({counts}) n JOIN users u ON u.id = n.clinician_id
        WHERE n.active > 0 GROUP BY n.clinician_id ORDER BY {order} LIMIT :limit""", params))
    total = rows[0]["total"] if rows else 0  # the clinicians before the limit: counted by the window
    for row in rows:
        del row["total"]
    return rows, total


_LISTED = """c.id AS client_id, c.reference, c.team_id, t.name AS team, u.name AS clinician, c.due_on, c.review_base
    FROM clients c JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = c.clinician_id"""


def overdue(db, team_ids: list[int], today: date, limit: int | None = None) -> tuple[list[dict], int]:
    """The active clients past their due date on `today` in the planner's order (the `limit` first), and how
    many there are. SQL finds the due date the `limit`-th reaches; the core orders the clients up to it."""
    calendar.refresh_stale(db, team_ids)
    marks, params = _teams(team_ids)
    where = f"c.team_id IN ({marks}) AND c.status = 'active' AND c.due_on < :today"
    params |= {"today": today.isoformat()}
    total = db.execute(f"SELECT count(*) FROM clients c WHERE {where}", params).fetchone()[0]
    cut = _nth(db, f"SELECT c.due_on FROM clients c WHERE {where} ORDER BY c.due_on", params, limit)
    rows = list(db.query(f"SELECT {_LISTED} WHERE {where}" + (" AND c.due_on <= :cut" if cut else ""),
                         params | {"cut": cut}))
    rows.sort(key=lambda r: evaluations.queue_key(parse_date(r["due_on"]), parse_date(r["review_base"]), today,
                                                  r["reference"]))
    return [r | {"due": r["due_on"], "days_overdue": evaluations.days_overdue(parse_date(r["due_on"]), today)}
            for r in rows[:limit]], total


def milestones(db, team_ids: list[int], today: date, limit: int | None = None) -> tuple[list[dict], int]:
    """The active clients with an open milestone on `today`, longest since its mark first (the `limit` first),
    and how many there are. The stored `milestone_from` says which are open; a mark falls on the start's stored
    anniversary, so SQL orders them by it, from the day after today's (marked last year) round to today's (both
    bounds from the core), and the core works out the mark of each candidate."""
    calendar.refresh_stale(db, team_ids)
    marks, params = _teams(team_ids)
    where = f"c.team_id IN ({marks}) AND c.status = 'active' AND c.milestone_from <= :today"
    params |= {"today": today.isoformat(), "md": evaluations.last_anniversary_marked(today)}
    total = db.execute(f"SELECT count(*) FROM clients c WHERE {where}", params).fetchone()[0]
    cut = _nth(db, f"""SELECT json_array(c.anniversary <= :md, c.anniversary) FROM clients c WHERE {where}
        ORDER BY c.anniversary <= :md, c.anniversary""", params, limit)
    if cut:  # up to the last anniversary marked on the cut's day (the core's: 29 February's may be the 28th)
        group, day = json.loads(cut)
        where += """ AND ((c.anniversary <= :md) < :group
            OR ((c.anniversary <= :md) = :group AND c.anniversary <= :through))"""
        params |= {"group": group, "through": evaluations.marked_with(day, bool(group), today)}
    found, latest_mark, kind = [], evaluations.latest_mark, evaluations.milestone_of_years
    for client_id, reference, team_id, team, clinician, start in db.execute(f"""SELECT c.id, c.reference, c.team_id,
            t.name, u.name, c.treatment_start FROM clients c JOIN teams t ON t.id = c.team_id
            JOIN users u ON u.id = c.clinician_id WHERE {where}""", params):
        years, mark = latest_mark(parse_date(start), today)
        found.append((mark, reference, {"client_id": client_id, "reference": reference, "team_id": team_id,
                                        "team": team, "clinician": clinician, "years": years,
                                        "milestone": kind(years)}))
    found.sort(key=itemgetter(0, 1))
    return [row for _, _, row in found[:limit]], total


def _nth(db, ordered_sql: str, params: dict, limit: int | None):
    """The `limit`-th value of an ordered query, or None when there are no more than `limit` rows (or no limit)."""
    if limit is None:
        return None
    row = db.execute(f"{ordered_sql} LIMIT 1 OFFSET :offset", params | {"offset": limit - 1}).fetchone()
    return row[0] if row else None


def period_audit(db, team_ids: list[int], start: date, end: date,
                 by_day: list[tuple[str, int]] | None = None) -> register_rules.PeriodAudit:
    """The period's clients due and how their reviews went (`register.cycle_outcome`, counted over the stored
    cycles that hold the period's start), the team reviews held (from `by_day`, when already read), and the
    register at the period's end."""
    calendar.refresh_stale(db, team_ids)
    counts = dict.fromkeys(("due", "overdue_at_start", "in_time", "late", "not_reviewed"), 0)
    for cycles, teams in calendar.sources(db, "review_cycles", team_ids):
        marks, params = _teams(teams)
        params |= {"start": start.toordinal(), "end": end.toordinal()}  # the cycles' days are day numbers
        found = next(db.query(f"""SELECT count(*) AS due, count(*) FILTER (WHERE due < :start) AS overdue_at_start,
            count(*) FILTER (WHERE next_review <= :end AND next_review <= due) AS in_time,
            count(*) FILTER (WHERE next_review <= :end AND next_review > due) AS late,
            count(*) FILTER (WHERE next_review IS NULL OR next_review > :end) AS not_reviewed
            FROM {cycles} WHERE team_id IN ({marks}) AND last_start >= :start AND first_start <= :start
            AND due <= :end AND treatment_start <= max(due, :start)
            AND (finished_on IS NULL OR finished_on > max(due, :start))""", params))
        counts = {name: counts[name] + found[name] for name in counts}
    held = sum(count for _, count in (reviews_by_day(db, team_ids, start, end) if by_day is None else by_day))
    [at_end] = register_points(db, team_ids, [end])
    return register_rules.PeriodAudit(**counts, reviews_held=held, active_at_end=at_end.active,
                                      within_norm_at_end=at_end.within_norm, within_legal_at_end=at_end.within_legal)


def register_points(db, team_ids: list[int], days: list[date]) -> list[register_rules.SharePoint]:
    """The register on each of `days`, summed over the teams: each team's last stored step on or before the day."""
    calendar.refresh_stale(db, team_ids)
    summed = dict.fromkeys((day.isoformat() for day in days), 0)
    for steps, teams in calendar.sources(db, "register_steps", team_ids):
        rows = db.execute(f"""SELECT day, coalesce(sum(counts), 0) FROM (SELECT d.value AS day, (SELECT s.counts
                FROM {steps} s WHERE s.team_id = t.value AND s.day <= d.value ORDER BY s.day DESC LIMIT 1) AS counts
            FROM json_each(:days) d CROSS JOIN json_each(:teams) t) GROUP BY day""",
                          {"days": json.dumps(list(summed)), "teams": json.dumps(teams)})
        for day, counts in rows:
            summed[day] += counts  # each field adds up on its own (`calendar.encode_counts`)
    found = {day: calendar.decode_counts(counts) for day, counts in summed.items()}
    return [register_rules.SharePoint(day, *found[day.isoformat()]) for day in days]


def reviews_by_day(db, team_ids: list[int], start: date, end: date) -> list[tuple[str, int]]:
    """Team reviews held per day of the period, summed over the teams (from the rollup per team and day that
    triggers keep with every write to the reviews)."""
    marks, params = _teams(team_ids)
    return db.execute(f"""SELECT day, sum(held) FROM reviews_held WHERE team_id IN ({marks})
        AND day BETWEEN :start AND :end GROUP BY day HAVING sum(held) > 0""",
                      params | {"start": start.isoformat(), "end": end.isoformat()}).fetchall()


def reviews_per_clinician(db, team_ids: list[int], start: date, end: date,
                          clinician_ids: list[int] | None = None) -> dict[int, int]:
    """Team reviews held in the period, by the clinician responsible at the time (of `clinician_ids`, or all)."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat()}
    only = ""
    if clinician_ids is not None:
        only = f"AND clinician_id IN ({', '.join(f':c{i}' for i in range(len(clinician_ids)))})"
        params |= {f"c{i}": clinician_id for i, clinician_id in enumerate(clinician_ids)}
    return {r[0]: r[1] for r in db.execute(f"""SELECT clinician_id, count(*) FROM evaluations
        WHERE team_id IN ({marks}) AND held_on BETWEEN :start AND :end {only} GROUP BY clinician_id""", params)}


def other_regular_minutes(db, team_id: int, meetings: int) -> list[int]:
    """Per recent closed meeting (newest first): minutes of regular items that were not a review.

    Announcements, items deferred or not reached: what the regular budget spent on anything but a
    review that counted (written with the meeting's figures when it closed).
    """
    return [r[0] for r in db.execute("""SELECT other_regular_minutes FROM meeting_figures WHERE team_id = ?
        ORDER BY starts_at DESC LIMIT ?""", [team_id, meetings])]


def review_pace(db, team: dict, now: datetime | None = None) -> capacity.Pace:
    """The team's review slots a week: its regular budget minus the recent meetings' other regular items; with
    `now` (a forecast), the evaluations with the client a review over those meetings and the coming meetings'
    agendas."""
    other = other_regular_minutes(db, team["id"], capacity.RECENT_MEETINGS)
    pace = capacity.Pace(team["regular_budget"], capacity.average_other_minutes(other), team["minutes_issue"],
                         len(other))
    if now is None:
        return pace
    return dataclasses.replace(
        pace, with_client_share=capacity.with_client_share(*recent_with_client(db, team, capacity.RECENT_MEETINGS)),
        coming=capacity.coming_slots(coming_agendas(db, team["id"], now), team["minutes_issue"]))


def recent_with_client(db, team: dict, meetings: int) -> tuple[int, int]:
    """Team reviews held, and evaluations with the client recorded with a decision, in the meetings since the start
    of the team's `meetings`-th last closed meeting (those recorded from the worklist are no review's pace)."""
    since = db.execute("""SELECT min(starts_at) FROM (SELECT starts_at FROM meeting_figures WHERE team_id = ?
        ORDER BY starts_at DESC LIMIT ?)""", [team["id"], meetings]).fetchone()[0]
    if since is None:
        return 0, 0
    reviews = db.execute("SELECT count(*) FROM evaluations WHERE team_id = ? AND held_on >= ?",
                         [team["id"], evaluations.local_day(since, team["timezone"]).isoformat()]).fetchone()[0]
    with_client = db.execute("""SELECT count(*) FROM client_evaluations e JOIN decisions d ON d.id = e.decision_id
        JOIN meetings m ON m.id = d.meeting_id WHERE e.team_id = ? AND m.starts_at >= ?""",
                             [team["id"], since]).fetchone()[0]
    return reviews, with_client


def coming_agendas(db, team_id: int, now: datetime, meetings: int = capacity.RECENT_MEETINGS) -> list[dict]:
    """The team's coming weekly meetings (planned or frozen), by start: state, regular budget, items planned,
    reviews planned (regular items about a client, not announcements), regular minutes planned."""
    return list(db.query("""SELECT m.state, m.regular_budget, count(i.id) AS items,
            count(i.id) FILTER (WHERE i.track = 'regular' AND i.label != 'announcement' AND i.client_id IS NOT NULL)
                AS reviews,
            coalesce(sum(i.minutes) FILTER (WHERE i.track = 'regular'), 0) AS regular_minutes
        FROM meetings m LEFT JOIN items i ON i.meeting_id = m.id AND i.state = 'planned'
        WHERE m.team_id = ? AND m.kind = 'weekly' AND m.starts_at > ? AND m.state IN ('planned', 'frozen')
        GROUP BY m.id ORDER BY m.starts_at LIMIT ?""", [team_id, iso(now), meetings]))


def capacity_forecast(db, team: dict, now: datetime, advise: bool = True) -> capacity.Forecast:
    """The team's capacity line: its register, its budget and the recent meetings' other regular items,
    replayed from its next meeting on (the same figures for the planner, the settings and the dashboard)."""
    today = evaluations.local_day(now, team["timezone"])
    pace = review_pace(db, team, now)
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


def period_figures(db, team_ids: list[int], start: date, end: date) -> dict:
    """The sums of the figures of the teams' weekly meetings closed in the period (`dashboard_rules.PERIOD_SUMS`),
    how many meetings and how many overran (what `dashboard_rules.process` and `dashboard_rules.time_totals`
    report)."""
    where, params = _period(team_ids, start, end)
    return next(db.query(f"""SELECT count(*) AS meetings,
        count(*) FILTER (WHERE acute_used_seconds + regular_used_seconds > minutes * 60) AS overrun,
        {', '.join(f'coalesce(sum({c}), 0) AS {c}' for c in dashboard_rules.PERIOD_SUMS)} FROM meeting_figures f
        WHERE {where}""",
                         params))


def trend_meetings(db, team_ids: list[int], start: date, end: date) -> list[tuple[str, int, int, int, int]]:
    """Per local day of the period with closed weekly meetings: the day, how many, their bells, discussed and
    decided items (`dashboard_rules.TREND_SUMS`, which `dashboard_rules.trend` adds up per week or month)."""
    where, params = _period(team_ids, start, end)
    return db.execute(f"""SELECT f.day, count(*), sum(bells), sum(discussed), sum(decided) FROM meeting_figures f
        WHERE {where} GROUP BY f.day""", params).fetchall()
