"""Each team's calendar, stored: per client the dates it passes (due, within the norm until, within 12 months
until, a milestone open from, its last evaluation with the client and the last day that keeps it within 12 months,
`client_evaluation.with_client_due`); per client the stretches of period starts
with their due date and next review (as day numbers); per team the register's counts from every day they change;
and per team and clinician today's register, counted once a day by the scheduler (`count_today`; a team not yet
counted is counted live, read only, `counts_today`). The core works every date
out (meeting.core.evaluations, register and client_evaluation); SQL only compares and counts them, so a
dashboard over 200 teams does no per-client work.

Whatever a date depends on (a client, a review, an agreed next date, an evaluation with the client, the team's
norm: the inputs meeting.store.read_model declares) marks its team stale by a trigger generated from that list,
whichever code path or tool wrote it; a migration that changes what is stored marks every team stale and computes
nothing. A stale team is worked out again by the request that made it stale (meeting.web.shared: at its end, or for
a running meeting's decision once its answer is sent), when one of its meetings closes, and by the scheduler every
minute. A connection that serves a read (a GET, `db.reads_only`) never stores it: a team changed behind the app's
back (a tool, the sqlite3 shell) and not yet worked out is worked out into the connection's temporary database, and
views of the same names show the stored calendar with that team's rows in place (`work_out_live`).
"""
import json
from datetime import date, datetime, timedelta

from meeting.core import client_evaluation, evaluations, register
from meeting.core.dates import parse_date
from meeting.store.db import reads_only, write

_CLIENT_DATES = ("due_on", "review_base", "norm_until", "legal_until", "milestone_from", "anniversary",
                 "last_with_client", "with_client_due", "evaluated_until", "not_yet_due_until")


def stale_teams(db, team_ids: list[int] | None = None) -> list[int]:
    """The teams (of `team_ids`, or all) whose stored calendar waits to be worked out again."""
    rows = db.execute("SELECT team_id FROM calendar_stale ORDER BY team_id").fetchall()
    return [row[0] for row in rows if team_ids is None or row[0] in team_ids]


def refresh_stale(db, team_ids: list[int] | None = None) -> list[int]:
    """Work out and store the stale calendars among `team_ids` (or all); returns the teams stored. Reads only while
    nothing is stale, so a fresh dashboard takes no write lock for it; each team in a transaction of its own
    (about 0.1 s), so a meeting's writes never wait for more than one team. A connection that serves a read works
    every stale team out live instead (`work_out_live`) and stores nothing."""
    if reads_only(db):
        work_out_live(db)
        return []
    refreshed = []
    for team_id in stale_teams(db, team_ids):
        with write(db):
            if team_id in stale_teams(db, [team_id]):  # again, under the lock: another process may have done it
                refresh(db, team_id)
                refreshed.append(team_id)
    return refreshed


# The tables a team's calendar is written to (meeting.store.read_model): which rows are a team's ({teams}: a subquery
# of team ids), and the columns worked out in a table that holds them beside stored ones (None: every column)
_WRITTEN = {"clients": ("team_id IN ({teams})", _CLIENT_DATES),
            "client_evaluations": ("client_id IN (SELECT id FROM main.clients WHERE team_id IN ({teams}))",
                                   ("covers_until",)),
            "review_cycles": ("team_id IN ({teams})", None), "register_steps": ("team_id IN ({teams})", None)}
_LIVE_TEAMS = "SELECT team_id FROM temp.calendar_live_teams"


def work_out_live(db) -> list[int]:
    """Work out every stale team's calendar without writing the database: into copies of its rows in the
    connection's own temporary database (writing it takes no lock on the database file), shown by temporary views
    named as the stored tables, which every query then reads instead (SQLite looks a name up in the temporary
    database first): the stored rows of every other team and the worked-out rows of the stale ones. Once per
    connection: the views stay until it is closed (`db.Pool` closes such a connection rather than keep it), so a
    team that turns stale after it shows as it was. Returns the teams worked out."""
    if db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'calendar_live_teams'").fetchone():
        return []
    stale = stale_teams(db)
    if not stale:
        return []
    outside = not db.conn.in_transaction
    db.execute("CREATE TEMP TABLE calendar_live_teams (team_id INTEGER PRIMARY KEY)")
    db.conn.executemany("INSERT INTO temp.calendar_live_teams VALUES (?)", [(team_id,) for team_id in stale])
    for table, (rows, worked_out) in _WRITTEN.items():  # named as the stored table, so that `refresh` writes the copy
        db.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM main.{table} WHERE {rows.format(teams=_LIVE_TEAMS)}")
        if worked_out:  # `refresh` writes its rows by id, the view joins them by id
            db.execute(f"CREATE INDEX temp.{table}_live_id ON {table} (id)")
    db.execute("CREATE TEMP TABLE calendar_stale (team_id INTEGER PRIMARY KEY)")
    for team_id in stale:
        refresh(db, team_id)
    db.execute("DROP TABLE temp.calendar_stale")
    for table, (rows, worked_out) in _WRITTEN.items():
        db.execute(f"ALTER TABLE temp.{table} RENAME TO {table}_live")
        db.execute(f"CREATE TEMP VIEW {table} AS {_shown(db, table, rows, worked_out)}")
    db.execute(f"CREATE TEMP VIEW calendar_stale AS SELECT team_id FROM main.calendar_stale "
               f"WHERE team_id NOT IN ({_LIVE_TEAMS})")
    if outside:
        db.conn.commit()  # ends the transaction Python opened for the temporary writes (and its read snapshot)
    return stale


def _shown(db, table: str, rows: str, worked_out: tuple[str, ...] | None) -> str:
    """The view of a stored table with the live teams' rows worked out: a table of whole rows per team as the other
    teams' stored rows and the live copy; a table with some columns worked out as each stored row with those
    columns from its live copy, if it has one (one join by id: a query that reads a team's rows through the view
    still seeks them by the stored table's indexes)."""
    if worked_out is None:
        return (f"SELECT * FROM main.{table} WHERE NOT ({rows.format(teams=_LIVE_TEAMS)}) "
                f"UNION ALL SELECT * FROM temp.{table}_live")
    columns = [row[1] for row in db.execute(f"PRAGMA main.table_info({table})")]
    shown = ", ".join(f"CASE WHEN l.id IS NULL THEN s.{name} ELSE l.{name} END AS {name}" if name in worked_out
                      else f"s.{name} AS {name}" for name in columns)
    return f"SELECT {shown} FROM main.{table} s LEFT JOIN temp.{table}_live l ON l.id = s.id"


def sources(db, table: str, team_ids: list[int]) -> list[tuple[str, list[int]]]:
    """Where the rows of `team_ids` in a per-team derived table (`review_cycles`, `register_steps`) are read, as
    (qualified table, its teams): the stored table, and the copy of the teams this connection worked out live
    (`work_out_live`). For a query that seeks rows per team many times over: through the view it would read every
    team's rows at each seek."""
    if not db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'calendar_live_teams'").fetchone():
        return [(f"main.{table}", team_ids)]
    live = {row[0] for row in db.execute("SELECT team_id FROM temp.calendar_live_teams")}
    found = [(f"main.{table}", [team_id for team_id in team_ids if team_id not in live]),
             (f"temp.{table}_live", [team_id for team_id in team_ids if team_id in live])]
    return [(source, teams) for source, teams in found if teams]


def refresh(db, team_id: int) -> None:
    """Work out one team's stored calendar from its clients and reviews (inside the caller's transaction)."""
    norm, clients, timelines = _read(db, team_id)
    _write_client_dates(db, clients, norm)
    _write_evaluation_dates(db, team_id)
    db.execute("DELETE FROM review_cycles WHERE team_id = ?", [team_id])
    db.conn.executemany("""INSERT INTO review_cycles (client_id, team_id, first_start, last_start, due, next_review,
        treatment_start, finished_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                        [(t.client_id, team_id, c.first_start.toordinal(), c.last_start.toordinal(), c.due.toordinal(),
                          c.next_review and c.next_review.toordinal(), t.treatment_start.toordinal(),
                          t.finished_on and t.finished_on.toordinal())
                         for t in timelines for c in t.cycles()])  # day numbers: the largest table, compared most
    db.execute("DELETE FROM register_steps WHERE team_id = ?", [team_id])
    db.conn.executemany("INSERT INTO register_steps (team_id, day, counts) VALUES (?, ?, ?)",
                        [(team_id, day.isoformat(), encode_counts(*counts)) for day,
                         *counts in register.register_steps(timelines)])
    db.execute("DELETE FROM calendar_stale WHERE team_id = ?", [team_id])


_FIELD = 1 << 20  # a team or an institution has fewer clients than this

IN_TREATMENT = "(c.treatment_start <= :day AND (c.finished_on IS NULL OR c.finished_on > :day))"
# `client_evaluation.legal_status` on :day, by the days the core stored: "evaluated" from an evaluation with the
# client through the last day it counts (the client's last answers, unless :day lies before it), else "not yet
# due" through `not_yet_due_until`
EVALUATED_WITH_CLIENT = """CASE WHEN c.last_with_client <= :day THEN c.evaluated_until >= :day
    WHEN c.last_with_client IS NULL THEN 0
    ELSE EXISTS (SELECT 1 FROM client_evaluations e WHERE e.client_id = c.id
                 AND e.evaluated_on <= :day AND e.covers_until >= :day) END"""
NOT_YET_DUE = "c.not_yet_due_until >= :day"


def count_today(db, team_ids: list[int], today: date) -> None:
    """Count today's register, per team and responsible clinician (table `today_counts`), of the teams (of
    `team_ids`) not yet counted on `today` or stale, under the write lock (the scheduler's job: a request only
    reads, `counts_today`): the register (active clients, within the norm, overdue, by the stored dates) and the
    evaluation with the client (in treatment, evaluated within 12 months, not yet due, by
    `client_evaluation.legal_status`)."""
    refresh_stale(db, team_ids)
    if _uncounted(db, team_ids, today):
        with write(db):
            for team_id in _uncounted(db, team_ids, today):  # again, under the lock
                if stale_teams(db, [team_id]):
                    refresh(db, team_id)
                _count_today(db, team_id, today)


def count_every_teams_today(db, now: datetime) -> None:
    """Count each team's register of its own today (the scheduler's job, so a dashboard seldom has to count a
    team live)."""
    for team_id, timezone in db.execute("SELECT id, timezone FROM teams").fetchall():
        count_today(db, [team_id], evaluations.local_day(now, timezone))


def counts_today(db, team_ids: list[int], today: date, columns: str = "") -> tuple[str, dict]:
    """Today's counts per team and clinician of `team_ids` (team_id, clinician_id and `columns` of `today_counts`,
    comma-separated), read only: a subquery and its parameters (all named `:today_*`). The stored rows of each team
    counted on `today`; a team not yet counted (the first view of its day before the scheduler came by, or a team
    changed since) is counted live by the same SQL into a table of the connection's own temporary database, once for
    the connection until the database changes, so a request never takes the write lock for it and a page that sums
    the counts several ways counts once."""
    uncounted = _uncounted(db, team_ids, today)
    counted = [team_id for team_id in team_ids if team_id not in uncounted]
    params = {"today_day": today.isoformat(), "today_counted": json.dumps(counted)}
    wanted = ", ".join(["team_id", "clinician_id", *(column.strip() for column in columns.split(",")
                                                     if column.strip())])
    stored = f"SELECT {wanted} FROM today_counts" \
             " WHERE team_id IN (SELECT value FROM json_each(:today_counted)) AND day = :today_day"
    if not uncounted:
        return stored, params
    _count_live(db, uncounted, today)
    return f"{stored} UNION ALL SELECT {wanted} FROM temp.today_counts_live", params


def _count_live(db, team_ids: list[int], today: date) -> None:
    """`temp.today_counts_live` holds the rows `_COUNTS` gives for `team_ids` on `today`: counted again only when
    another connection committed (data_version), this one wrote (total_changes) or other teams or another day are
    asked. The temporary database is the connection's own: writing it takes no lock on the database file, and
    inside a caller's read transaction it is rolled back with it (its key, kept beside it, too)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS today_counts_live (team_id INTEGER, day TEXT, clinician_id INTEGER, "
               "active INTEGER, within_norm INTEGER, overdue INTEGER, in_treatment INTEGER, evaluated INTEGER, "
               "not_yet_due INTEGER)")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS today_counts_live_of (teams TEXT, day TEXT, data_version INTEGER, "
               "changes INTEGER)")
    teams, day = json.dumps(team_ids), today.isoformat()
    data_version = db.execute("PRAGMA data_version").fetchone()[0]
    kept = db.execute("SELECT teams, day, data_version, changes FROM temp.today_counts_live_of").fetchone()
    if kept == (teams, day, data_version, db.conn.total_changes):
        return
    outside = not db.conn.in_transaction
    db.execute("DELETE FROM temp.today_counts_live")
    counts = _COUNTS.format(teams="SELECT value FROM json_each(:today_teams)")
    db.execute(f"INSERT INTO temp.today_counts_live {counts}", {"today_teams": teams, "today_day": day})
    db.execute("DELETE FROM temp.today_counts_live_of")
    # total_changes counts the temporary writes too: the key's own row is the last of them
    db.execute("INSERT INTO temp.today_counts_live_of VALUES (?, ?, ?, ?)",
               [teams, day, data_version, db.conn.total_changes + 1])
    if outside:
        db.conn.commit()  # ends the transaction Python opened for the temporary writes (and its read snapshot)


def _uncounted(db, team_ids: list[int], today: date) -> list[int]:
    marks = ", ".join("?" * len(team_ids))
    counted = {row[0] for row in db.execute(f"SELECT team_id FROM today_counted WHERE team_id IN ({marks}) AND day = ?",
                                            [*team_ids, today.isoformat()])}
    return [team_id for team_id in team_ids if team_id not in counted]


def _on_today(rule: str) -> str:
    return rule.replace(":day", ":today_day")


# per team and responsible clinician on :today_day: the register (active clients, within the norm, overdue, by the
# stored dates) and the evaluation with the client (in treatment, evaluated within 12 months, not yet due, by the
# stored dates); `{teams}` a subquery of team ids. Each client's conditions are tested once, into two sums of three
# fields each (as `encode_counts`): six filtered counts tested them again per count, about a third slower over
# 50,000 clients.
_COUNTS = f"""SELECT team_id, :today_day AS day, clinician_id, register / {_FIELD * _FIELD} AS active,
        register / {_FIELD} % {_FIELD} AS within_norm, register % {_FIELD} AS overdue,
        legal / {_FIELD * _FIELD} AS in_treatment, legal / {_FIELD} % {_FIELD} AS evaluated,
        legal % {_FIELD} AS not_yet_due
    FROM (SELECT c.team_id, c.clinician_id,
              sum(CASE WHEN c.status = 'active' THEN {_FIELD * _FIELD} + (c.norm_until >= :today_day) * {_FIELD}
                  + (c.due_on < :today_day) ELSE 0 END) AS register,
              sum(CASE WHEN {_on_today(IN_TREATMENT)} THEN {_FIELD * _FIELD} + CASE
                  WHEN {_on_today(EVALUATED_WITH_CLIENT)} THEN {_FIELD} WHEN {_on_today(NOT_YET_DUE)} THEN 1 ELSE 0 END
                  ELSE 0 END) AS legal
          FROM clients c WHERE c.team_id IN ({{teams}}) GROUP BY c.team_id, c.clinician_id)
    WHERE register > 0 OR legal > 0"""


def _count_today(db, team_id: int, today: date) -> None:
    """Count one team's register on `today` (inside the caller's transaction); drops its counts of days before
    yesterday (yesterday stays for a manager in a time zone still there)."""
    keep_from = (today - timedelta(days=1)).isoformat()
    db.execute("DELETE FROM today_counts WHERE team_id = ? AND day < ?", [team_id, keep_from])
    db.execute("DELETE FROM today_counted WHERE team_id = ? AND day < ?", [team_id, keep_from])
    db.execute("INSERT INTO today_counted (team_id, day) VALUES (?, ?)", [team_id, today.isoformat()])
    db.execute(f"""INSERT INTO today_counts (team_id, day, clinician_id, active, within_norm, overdue, in_treatment,
            evaluated, not_yet_due) {_COUNTS.format(teams=':today_team')}""",
               {"today_team": team_id, "today_day": today.isoformat()})


def timelines(db, team_id: int) -> list[register.Timeline]:
    """Every client's treatment and reviews in the team, as the core's timelines (what the stored calendar is
    worked out from)."""
    return _read(db, team_id)[2]


def _read(db, team_id: int) -> tuple[int, list[dict], list[register.Timeline]]:
    norm = db.execute("SELECT evaluation_interval_months FROM teams WHERE id = ?", [team_id]).fetchone()[0]
    clients = list(db.query("""SELECT c.*, coalesce((SELECT e.previous_evaluation FROM evaluations e
        WHERE e.client_id = c.id ORDER BY e.held_on LIMIT 1), c.last_evaluation) AS registered_evaluation,
        (SELECT max(x.evaluated_on) FROM client_evaluations x WHERE x.client_id = c.id) AS with_client_last
        FROM clients c WHERE c.team_id = ?""", [team_id]))
    reviews = list(db.query("""SELECT e.client_id, e.held_on, d.next_evaluation_on AS agreed_next
        FROM evaluations e LEFT JOIN decisions d ON d.item_id = e.item_id
        WHERE e.team_id = ? ORDER BY e.client_id, e.held_on""", [team_id]))
    return norm, clients, register.timelines(
        [client | {"client_id": client["id"], "norm_months": norm} for client in clients], reviews)


def encode_counts(active: int, within_norm: int, within_legal: int) -> int:
    """The register's three counts as one integer, so that one index seek per team and day reads them all and a
    sum over teams adds them field by field."""
    return (active * _FIELD + within_norm) * _FIELD + within_legal


def decode_counts(counts: int) -> tuple[int, int, int]:
    """`encode_counts`'s three counts (of one team, or summed over teams)."""
    return counts // _FIELD // _FIELD, counts // _FIELD % _FIELD, counts % _FIELD


def _write_client_dates(db, clients: list[dict], norm: int) -> None:
    def dates(client):
        found = evaluations.stored_calendar(evaluations.client_record(client), norm)
        start, last = parse_date(client["treatment_start"]), parse_date(client["with_client_last"] or "")
        return (found.due.isoformat(), found.base.isoformat(), found.norm_until.isoformat(),
                found.legal_until.isoformat(), found.milestone_from.isoformat(), found.anniversary,
                client["with_client_last"], client_evaluation.with_client_due(start, last).isoformat(),
                last and client_evaluation.covered_until(last).isoformat(),
                client_evaluation.not_yet_due_until(start).isoformat())
    db.conn.executemany(f"UPDATE clients SET {', '.join(f'{name} = ?' for name in _CLIENT_DATES)} WHERE id = ?",
                        [(*dates(client), client["id"]) for client in clients])


def _write_evaluation_dates(db, team_id: int) -> None:
    """Each evaluation with a client of the team: the last day it counts (`client_evaluation.covered_until`)."""
    rows = db.execute("""SELECT e.id, e.evaluated_on, e.covers_until FROM client_evaluations e
        JOIN clients c ON c.id = e.client_id WHERE c.team_id = ?""", [team_id]).fetchall()
    def covers(evaluated_on: str | None) -> str | None:
        return evaluated_on and client_evaluation.covered_until(date.fromisoformat(evaluated_on)).isoformat()
    db.conn.executemany("UPDATE client_evaluations SET covers_until = ? WHERE id = ?",
                        [(until, evaluation_id) for evaluation_id, evaluated_on, stored in rows
                         if (until := covers(evaluated_on)) != stored])


def refresh_all(db) -> None:
    """Every team's calendar (a bulk-written history), inside the caller's transaction."""
    db.execute("INSERT OR IGNORE INTO calendar_stale (team_id) SELECT id FROM teams")
    for team_id in stale_teams(db):
        refresh(db, team_id)
