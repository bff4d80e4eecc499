"""The managers' figures, aggregated in SQL over one or more teams and a period. Counts, dates and
pseudonymous references only: no clinical free text ever leaves these functions."""
from datetime import date

# The date an evaluation was last held on or before :day, for client c (NULL when never).
_LAST_HELD = """coalesce(
    (SELECT max(e.held_on) FROM evaluations e WHERE e.client_id = c.id AND e.held_on <= :day),
    (SELECT e.previous_evaluation FROM evaluations e WHERE e.client_id = c.id AND e.held_on > :day
     ORDER BY e.held_on LIMIT 1),
    CASE WHEN c.last_evaluation <= :day THEN c.last_evaluation END)"""
_INTERVAL = "'+' || t.evaluation_interval_months || ' months'"


def _teams(team_ids: list[int]) -> tuple[str, dict]:
    marks = ", ".join(f":team{i}" for i in range(len(team_ids)))
    return marks, {f"team{i}": team_id for i, team_id in enumerate(team_ids)}


def evaluation_figures(db, team_ids: list[int], start: date, end: date) -> dict:
    """Evaluations held vs due in the period; active clients evaluated within the interval and 12 months."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat()}
    held = db.execute(f"SELECT count(*) FROM evaluations WHERE team_id IN ({marks}) AND held_on BETWEEN :start AND :end",
                      params).fetchone()[0]
    before_start = _LAST_HELD.replace(":day", "date(:start, '-1 day')")
    due = db.execute(f"""SELECT count(*) FROM clients c JOIN teams t ON t.id = c.team_id
        WHERE c.team_id IN ({marks}) AND c.treatment_start <= :end AND (c.finished_on IS NULL OR c.finished_on >= :start)
        AND date(coalesce({before_start}, c.treatment_start), {_INTERVAL}) <= :end""", params).fetchone()[0]
    at_end = _LAST_HELD.replace(":day", ":end")
    row = db.execute(f"""SELECT count(*),
        coalesce(sum(date(coalesce({at_end}, c.treatment_start), {_INTERVAL}) > :end), 0),
        coalesce(sum(date(coalesce({at_end}, c.treatment_start), '+12 months') > :end), 0)
        FROM clients c JOIN teams t ON t.id = c.team_id WHERE c.team_id IN ({marks}) AND c.treatment_start <= :end
        AND (c.finished_on IS NULL OR c.finished_on > :end)""", params).fetchone()
    return {"held": held, "due": due, "active": row[0], "within_interval": row[1], "within_12_months": row[2]}


_DUE = f"coalesce(c.next_evaluation_on, date(coalesce(c.last_evaluation, c.treatment_start), {_INTERVAL}))"


def overdue(db, team_ids: list[int], today: date, limit: int | None = 100) -> tuple[list[dict], int]:
    """Active clients past their evaluation date, most overdue first: reference, clinician, days."""
    marks, params = _teams(team_ids)
    params |= {"today": today.isoformat(), "limit": -1 if limit is None else limit}
    condition = f"""FROM clients c JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = c.clinician_id
        WHERE c.team_id IN ({marks}) AND c.status = 'active' AND {_DUE} < :today"""
    total = db.execute(f"SELECT count(*) {condition}", params).fetchone()[0]
    rows = list(db.query(f"""SELECT c.id AS client_id, c.reference, t.name AS team, u.name AS clinician, {_DUE} AS due,
        CAST(julianday(:today) - julianday({_DUE}) AS INTEGER) AS days_overdue {condition}
        ORDER BY days_overdue DESC, c.reference LIMIT :limit""", params))
    return rows, total


def milestones(db, team_ids: list[int], today: date, limit: int | None = 100) -> tuple[list[dict], int]:
    """Active clients past one or two years of treatment without a continuation decision since that mark."""
    marks, params = _teams(team_ids)
    params |= {"today": today.isoformat(), "limit": -1 if limit is None else limit}
    years = "CAST((julianday(:today) - julianday(c.treatment_start)) / 365.25 AS INTEGER)"
    mark = f"date(c.treatment_start, '+' || {years} || ' years')"
    condition = f"""FROM clients c JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = c.clinician_id
        WHERE c.team_id IN ({marks}) AND c.status = 'active' AND {years} >= 1
        AND (c.last_continuation_decision IS NULL OR c.last_continuation_decision < {mark})"""
    total = db.execute(f"SELECT count(*) {condition}", params).fetchone()[0]
    rows = list(db.query(f"""SELECT c.id AS client_id, c.reference, t.name AS team, u.name AS clinician,
        {years} AS years, CASE WHEN {years} >= 2 THEN 'two_year' ELSE 'one_year' END AS milestone {condition}
        ORDER BY years DESC, c.reference LIMIT :limit""", params))
    return rows, total


def per_clinician(db, team_ids: list[int], start: date, end: date, today: date) -> list[dict]:
    """Per responsible clinician: active clients, evaluations held in the period, overdue now."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat(), "today": today.isoformat()}
    return list(db.query(f"""SELECT u.name AS clinician, count(*) AS clients,
        coalesce(sum({_DUE} < :today), 0) AS overdue,
        (SELECT count(*) FROM evaluations e WHERE e.clinician_id = u.id AND e.team_id IN ({marks})
         AND e.held_on BETWEEN :start AND :end) AS held
        FROM clients c JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = c.clinician_id
        WHERE c.team_id IN ({marks}) AND c.status = 'active' GROUP BY u.id ORDER BY u.name""", params))


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


def weekly_trend(db, team_ids: list[int], start: date, end: date) -> list[dict]:
    """Per week (Monday): evaluations held, meetings, bells, discussed and decided items."""
    marks, params = _teams(team_ids)
    params |= {"start": start.isoformat(), "end": end.isoformat()}
    week = "date({col}, '-' || ((CAST(strftime('%w', {col}) AS INTEGER) + 6) % 7) || ' days')"
    held = {r[0]: r[1] for r in db.execute(f"""SELECT {week.format(col='held_on')}, count(*) FROM evaluations
        WHERE team_id IN ({marks}) AND held_on BETWEEN :start AND :end GROUP BY 1""", params)}
    # count per meeting first, then group the meetings by week: the week is worked out once per meeting
    rows = list(db.query(f"""SELECT {week.format(col='day')} AS week, count(*) AS meetings,
        sum(discussed) AS discussed, sum(decided) AS decided, sum(bells) AS bells FROM (
          SELECT date(m.starts_at) AS day,
            (SELECT count(*) FROM items i WHERE i.meeting_id = m.id AND (i.state = 'decided' OR i.used_seconds > 0))
              AS discussed,
            (SELECT count(*) FROM items i WHERE i.meeting_id = m.id AND i.state = 'decided') AS decided,
            (SELECT count(*) FROM bells b WHERE b.meeting_id = m.id) AS bells
          FROM meetings m WHERE m.team_id IN ({marks}) AND m.state = 'closed' AND m.kind = 'weekly'
          AND date(m.starts_at) BETWEEN :start AND :end) GROUP BY 1""", params))
    by_week = {r["week"]: r for r in rows}
    weeks = sorted(set(held) | set(by_week))
    return [{"week": w, "held": held.get(w, 0), **{k: by_week.get(w, {}).get(k, 0) for k in
            ("meetings", "bells", "discussed", "decided")}} for w in weeks]
