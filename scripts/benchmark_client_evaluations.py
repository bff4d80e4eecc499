"""Time the dashboard's two sections of issue 11 on an institution-sized database: the legal minimum
(evaluated with the client within 12 months, per team and per clinician) and the meeting rating's weekly trend.

Builds a database through the app's migrations with, by default, 200 teams of 14 clinicians and 250 clients
(200 active), five years of yearly evaluations with the client (~250,000 rows) and of weekly closed meetings
with eight meeting ratings each (~416,000 rows). Foreign keys are off while it fills the tables: the rows an
evaluation points at (items, decisions) play no part in these queries and are not written.

    python scripts/benchmark_client_evaluations.py                   # build and time
    python scripts/benchmark_client_evaluations.py --teams 20 --requests 10

Prints median and p95 (nearest rank) per query in milliseconds. A benchmark, not a test: it asserts nothing.
"""
import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meeting.store import client_evaluations, meeting_ratings  # noqa: E402
from meeting.store import db as database  # noqa: E402

CLINICIANS, CLIENTS, FINISHED, YEARS, RATERS = 14, 250, 50, 5, 8


def build(path: Path, teams: int, today: date, rng: random.Random) -> None:
    """Fill a fresh database with teams, clinicians, clients, evaluations with the client and rated meetings."""
    database.prepare(path)
    db = database.connect(path)
    db.execute("PRAGMA foreign_keys = OFF")
    users, clients, evaluations, meetings, ratings = [], [], [], [], []
    made = today.isoformat()
    for team in range(1, teams + 1):
        db.execute("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)", [team, f"Team {team:03d}", made])
        staff = [len(users) + i + 1 for i in range(CLINICIANS)]
        users += [(u, f"c{u}@example.org", f"Clinician {u}", "-", made) for u in staff]
        for index in range(CLIENTS):
            client_id = len(clients) + 1
            start = today - timedelta(days=rng.randint(30, 10 * 365))
            finished = (today - timedelta(days=rng.randint(1, 300))).isoformat() if index < FINISHED else None
            clients.append((client_id, team, f"T{team}-{index}", staff[index % CLINICIANS], start.isoformat(),
                            "finished" if finished else "active", finished, made))
            day = today - timedelta(days=rng.randint(0, 500))
            while day > start and day > today - timedelta(days=365 * YEARS):
                evaluations.append((team, client_id, staff[index % CLINICIANS], day.isoformat(), made))
                day -= timedelta(days=rng.randint(300, 420))
        for week in range(52 * YEARS):
            meetings.append((len(meetings) + 1, team, (today - timedelta(weeks=week)).isoformat() + "T12:30:00+00:00"))
            ratings += [(len(meetings), *(rng.randint(2, 5) for _ in range(4))) for _ in range(RATERS)]
    db.conn.executemany("INSERT INTO users (id, email, name, session_token, created_at) VALUES (?, ?, ?, ?, ?)", users)
    db.conn.executemany("""INSERT INTO clients (id, team_id, reference, clinician_id, treatment_start, status,
        finished_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", clients)
    db.conn.executemany("""INSERT INTO client_evaluations (team_id, client_id, item_id, decision_id, clinician_id,
        evaluated_on, recorded_at) VALUES (?1, ?2, ?6, ?6, ?3, ?4, ?5)""", [(*e, i + 1) for i,
                                                                            e in enumerate(evaluations)])
    db.conn.executemany("""INSERT INTO meetings (id, team_id, starts_at, deadline_at, minutes, acute_budget,
        regular_budget,
        order_policy, state, created_at) VALUES (?1, ?2, ?3, ?3, 90, 30, 60, 'acute_first', 'closed', ?3)""", meetings)
    db.conn.executemany("""INSERT INTO meeting_ratings (meeting_id, heard, goals, approach, overall)
        VALUES (?, ?, ?, ?, ?)""", ratings)
    db.conn.commit()
    db.execute("ANALYZE")
    print(f"built {teams} teams: {len(clients)} clients, {len(evaluations)} evaluations with the client, "
          f"{len(meetings)} meetings, {len(ratings)} meeting ratings")
    db.close()


def timed(call, requests: int) -> tuple[float, float]:
    """Median and p95 (nearest rank) in ms of `requests` calls, after one untimed warm-up."""
    call()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[math.ceil(0.95 * len(times)) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "benchmark.sqlite3"
        build(path, args.teams, today, random.Random(11))
        db = database.connect(path)
        start = today - timedelta(weeks=26)
        for label, teams in (("1 team", [1]), ("10 teams", list(range(1, 11)))):
            for name, call in (("legal minimum", lambda: client_evaluations.legal_minimum(db, teams, today)),
                               ("rating trend", lambda: meeting_ratings.trend(db, teams, start, today))):
                median, p95 = timed(call, args.requests)
                print(f"{name:14} {label:9}: median {median:6.1f} ms, p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
