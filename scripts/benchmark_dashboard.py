"""Benchmark the manager dashboard and its CSV exports on an institution-sized database.

Builds (or reuses) a SQLite file through the app's own migrations with, by default:

  * 200 teams of 16 users (a manager, a chair and 14 clinicians), plus one area manager who
    manages the first 10 teams (for the all-teams view);
  * 250 clients per team (50,000) who started up to ten years ago: 200 active, 50 finished by a
    'finish' evaluation;
  * 5 years of weekly closed meetings per team (~52,000), ~14 items each (~750,000): acute
    issues and questions, announcements, the regular reviews of clients (each one an evaluation,
    about two per client per year), questions and the odd deferred item; with decisions, bells,
    meeting ratings and borrowed minutes, shaped like meeting.store.history writes them.

Then starts the real server (`python app.py --no-scheduler`, waitress) on a free loopback port, logs
in over HTTP and times every dashboard page and CSV export end to end: median and p95 (nearest
rank) of N requests each, after one untimed warm-up request, with every team's today counted (as the scheduler
leaves it); then the first view of the day, when no team is counted yet and the dashboard counts each team live,
read only (it must not store what it counted: the run prints how many teams a request counted); then the views
after a change behind the app's back (team 1 marked stale, as a plain SQL write would, before each request): the
dashboard works that team's calendar out live, read only (the run prints how many teams stayed stale). The target is
p95 < 300 ms (50 ms for one team's pages and CSVs); the views in the minute after a change behind the app's back,
until the scheduler stores it, are timed without one.

    python scripts/benchmark_dashboard.py                  # build /tmp/belletje-benchmark.sqlite3, then time
    python scripts/benchmark_dashboard.py --reuse          # time against the database built before
    python scripts/benchmark_dashboard.py --teams 20 --years 1 --requests 10 --db /tmp/small.sqlite3

This is a benchmark, not a test: it asserts nothing but that every page answers 200.
"""
import argparse
import contextlib
import http.cookiejar
import math
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meeting.core.evaluations import add_months  # noqa: E402
from meeting.core.teams import DEFAULTS  # noqa: E402
from meeting.store import calendar, figures  # noqa: E402
from meeting.store import db as database  # noqa: E402
from meeting.store import users as user_store  # noqa: E402

TARGET_MS = 300
TEAM_TARGET_MS = 50  # one team's dashboard, any period
TABLES = ("summary", "overdue", "milestones", "clinicians", "meetings", "items", "trend")
PASSWORD = "benchmark-password"
TEAM_MANAGER = "manager@team-001.example"
AREA_MANAGER = "area-manager@belletje.example"
AREA_TEAMS = 10
INSTITUTION_MANAGER = "institution-manager@belletje.example"  # manages every team
STAFF_PER_TEAM = 16  # manager, chair, 14 clinicians
CLIENTS_PER_TEAM = 250
FINISHED_PER_TEAM = 50
RATERS = 8
MONTHS_TO_NEXT_EVALUATION = [4, 5, 6, 6, 6, 6, 7, 8]  # mostly on time, a tail overdue (mean ~6.3)
REVIEW_OUTCOMES = ["continue_adjusted", "continue_adjusted", "continue_unchanged", "step_down", "consultation"]
ROM = ["better", "same", "worse", "not_measured"]
SITUATIONS = [None, None, None, "self_harm", "aggression", "self_neglect", "socially_transgressive", "other"]
ZONE = ZoneInfo(DEFAULTS["timezone"])


# ----------------------------------------------------------------------------------------------- build

@dataclass
class Rows:
    """Rows waiting for executemany, per table, with the next free id of each table that needs one."""
    next_id: dict
    tables: dict = field(default_factory=lambda: {name: [] for name in INSERTS})

    def add(self, table: str, row: tuple) -> int | None:
        """Queue a row; for tables with an id, prepend and return the id it will get."""
        if table in self.next_id:
            row_id = self.next_id[table]
            self.next_id[table] += 1
            self.tables[table].append((row_id, *row))
            return row_id
        self.tables[table].append(row)
        return None

    def flush(self, db) -> None:
        """Write every queued row (parents first) and empty the queues."""
        for table, sql in INSERTS.items():
            if self.tables[table]:
                db.conn.executemany(sql, self.tables[table])
                self.tables[table].clear()


INSERTS = {  # in foreign-key order
    "users": """INSERT INTO users (id, email, name, password_hash, session_token, created_at)
                VALUES (?, ?, ?, ?, ?, ?)""",
    "teams": f"""INSERT INTO teams (id, name, {', '.join(DEFAULTS)}, created_at)
                 VALUES (?, ?, {', '.join('?' * len(DEFAULTS))}, ?)""",
    "memberships": "INSERT INTO memberships (team_id, user_id, role) VALUES (?, ?, ?)",
    "clients": """INSERT INTO clients (id, team_id, reference, clinician_id, treatment_start, status, last_evaluation,
                  finished_on, last_continuation_decision, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
    "meetings": """INSERT INTO meetings (id, team_id, starts_at, deadline_at, minutes, acute_budget, regular_budget,
                   order_policy, state, phase, scheduled_for, started_at, ended_at, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'closed', 'ended', ?, ?, ?, ?)""",
    "items": """INSERT INTO items (id, meeting_id, team_id, presenter_id, client_id, track, label, title, need, minutes,
                position, state, carried_over, used_seconds, deferred_reason, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?)""",
    "decisions": """INSERT INTO decisions (id, item_id, meeting_id, outcome, announcement_outcome, exemplary_situation,
                    needs_met, continuation_answer, decided_at) VALUES (?, ?, ?, ?, ?, ?, 'yes', ?, ?)""",
    "evaluations": """INSERT INTO evaluations (team_id, client_id, item_id, clinician_id, held_on, outcome,
                      next_evaluation_on, previous_evaluation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
    "client_evaluations": """INSERT INTO client_evaluations (team_id, client_id, item_id, decision_id, clinician_id,
                             evaluated_on, relatives_invited, relatives_present, rom_done, rom_personal, rom_social,
                             rom_symptomatic, recorded_at) VALUES (?, ?, ?, ?, ?, ?, 'yes', ?, 'yes', ?, ?, ?, ?)""",
    "meeting_ratings": """INSERT INTO meeting_ratings (id, meeting_id, heard, goals, approach, overall, change_next)
                          VALUES (?, ?, ?, ?, ?, ?, '')""",
    "bells": "INSERT INTO bells (meeting_id, item_id, user_id, at, acknowledged_at) VALUES (?, ?, ?, ?, ?)",
    "borrowings": "INSERT INTO borrowings (meeting_id, from_track, minutes, at) VALUES (?, 'regular', ?, ?)",
    "access_log": """INSERT INTO access_log (at, user_id, team_id, client_id, action, detail, ip)
                     VALUES (?, NULL, ?, ?, 'create', '', 'benchmark')""",
}


@dataclass
class Evaluation:
    """A regular review of a client, held at the meeting of week `week`."""
    client_id: int
    reference: str
    clinician_id: int
    week: int
    outcome: str
    previous: date | None
    continuation: bool
    with_client: bool  # the evaluation with the client was recorded with this review (about yearly)


def iso_at(day: date, hour: int = 13, minute: int = 30) -> str:
    """The UTC ISO timestamp of a local (Amsterdam) time on `day`, as meeting.store.db.iso stores it."""
    return database.iso(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE))


def meeting_days(weekday: int, years: int, today: date) -> list[date]:
    """The weekly meeting days on `weekday` of the last `years` years, before today, oldest first."""
    last = today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    weeks = round(years * 52.18)
    return [last - timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]


def add_users_and_team(rows: Rows, team_number: int, now: str) -> tuple[int, int, list[int]]:
    """One team with its manager, chair and clinicians; returns (team id, manager id, staff ids)."""
    team_id = rows.add("teams", (f"Team {team_number:03d}", *(DEFAULTS | {"meeting_weekday": team_number % 5}).values(),
                                 now))
    domain = f"team-{team_number:03d}.example"
    manager_hash = user_store.hasher.hash(PASSWORD) if team_number == 1 else None
    manager_id = rows.add("users", (f"manager@{domain}", f"Manager {team_number:03d}", manager_hash,
                                    secrets.token_urlsafe(24), now))
    rows.add("memberships", (team_id, manager_id, "manager"))
    staff = []
    for n in range(STAFF_PER_TEAM - 1):
        user_id = rows.add("users", (f"staff{n + 1:02d}@{domain}", f"Clinician {team_number:03d}-{n + 1:02d}", None,
                                     secrets.token_urlsafe(24), now))
        rows.add("memberships", (team_id, user_id, "chair" if n == 0 else "member"))
        staff.append(user_id)
    return team_id, manager_id, staff


def plan_client(rows: Rows, rng: random.Random, team_id: int, number: int, clinician_id: int,
                days: list[date], today: date, now: str) -> list[Evaluation]:
    """Insert one client and return the evaluations held at this team's meetings over the years.

    Evaluations follow each other 4 to 8 months apart from the treatment start; one before the first
    meeting only dates the next; a finished client ends with a 'finish' evaluation.
    """
    finished = number < FINISHED_PER_TEAM
    start = today - timedelta(days=rng.randint(400, 10 * 365) if finished else rng.randint(14, 10 * 365))
    finish_after = min(start + timedelta(days=rng.randint(300, 4 * 365)), today - timedelta(days=60)) \
        if finished else None
    reference = f"T{team_id:03d}-{number + 1:04d}"
    client_id = rows.next_id["clients"]
    evaluations, last, continued, day = [], None, None, add_months(start, rng.choice(MONTHS_TO_NEXT_EVALUATION))
    status, finished_on = "active", None
    while day < today:
        week = math.ceil((day - days[0]).days / 7)
        if week >= len(days):
            break  # due at the next meeting, still ahead
        held = days[week] if week >= 0 else day
        ends = finished and held >= finish_after
        years = (held - start).days // 365
        continuation = years >= 1 and (continued is None or continued < add_months(start, 12 * years)) \
            and rng.random() < 0.7
        if week >= 0:
            evaluations.append(Evaluation(client_id, reference, clinician_id, week,
                                          "finish" if ends else rng.choice(REVIEW_OUTCOMES), last, continuation,
                                          rng.random() < 0.55))
        last, continued = held, held if continuation else continued
        if ends:
            status, finished_on = "finished", held.isoformat()
            break
        day = add_months(held, rng.choice(MONTHS_TO_NEXT_EVALUATION))
    rows.add("clients", (team_id, reference, clinician_id, start.isoformat(), status, last and last.isoformat(),
                         finished_on, continued and continued.isoformat(), now))
    rows.add("access_log", (now, team_id, client_id))
    return evaluations


def add_item(rows: Rows, meeting: tuple, position: int, item: dict) -> None:
    """One item with its decision (unless deferred), evaluation (a regular review) and bells."""
    meeting_id, team_id, at = meeting
    decided = item.get("state", "decided") == "decided"
    item_id = rows.add("items", (meeting_id, team_id, item["presenter"], item.get("client_id"), item["track"],
                                 item["label"], item["title"], item["minutes"], position,
                                 item.get("state", "decided"), item.get("carried_over", 0), item["used"],
                                 None if decided else "Not reached in the meeting", at, at))
    decision_id = None
    if decided:
        decision_id = rows.add("decisions", (item_id, meeting_id, item.get("outcome"),
                                             "approved" if item["label"] == "announcement" else None,
                                             item.get("situation"), item.get("continuation", ""), at))
    if "evaluation" in item:
        held, evaluation = item["evaluation"]
        if evaluation.with_client:
            rom = item["rom"]
            rows.add("client_evaluations", (team_id, evaluation.client_id, item_id, decision_id,
                                            evaluation.clinician_id, (held - timedelta(days=9)).isoformat(),
                                            rom[0], *rom[1:], at))
        next_on = None if evaluation.outcome == "finish" else add_months(held, DEFAULTS["evaluation_interval_months"])
        rows.add("evaluations", (team_id, evaluation.client_id, item_id, evaluation.clinician_id, held.isoformat(),
                                 evaluation.outcome, next_on and next_on.isoformat(),
                                 evaluation.previous and evaluation.previous.isoformat()))
    for _ in range(item.get("bells", 0)):
        rows.add("bells", (meeting_id, item_id, item["presenter"], at, at))


def meeting_items(rng: random.Random, staff: list[int], held: date, reviews: list[Evaluation]) -> list[dict]:
    """The agenda of one past meeting: acute track first, then the regular reviews and questions."""
    acute = [dict(presenter=rng.choice(staff), track="acute", label=rng.choice(["issue", "question"]),
                  title="Acute situation", minutes=10, used=rng.randint(420, 1080), outcome="continue_adjusted",
                  situation=rng.choice(SITUATIONS), bells=rng.choice([0, 0, 1, 2])) for _ in range(rng.randint(1, 4))]
    acute += [dict(presenter=rng.choice(staff), track="acute", label="announcement", title="Announcement",
                   minutes=2, used=rng.randint(30, 150)) for _ in range(rng.randint(2, 5))]
    regular = [dict(presenter=e.clinician_id, client_id=e.client_id, track="regular", label="issue",
                    title=f"Evaluation {e.reference}", minutes=10, used=rng.randint(360, 840), outcome=e.outcome,
                    bells=rng.choice([0, 0, 0, 1]), evaluation=(held, e),
                    rom=(rng.choice(["yes", "no"]), *(rng.choice(ROM) for _ in range(3))),
                    continuation="Continue: goals not reached yet" if e.continuation else "") for e in reviews]
    regular += [dict(presenter=rng.choice(staff), track="regular", label="question", title="Question", minutes=5,
                     used=rng.randint(120, 420)) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.4:
        regular.append(dict(presenter=rng.choice(staff), track="regular", label="question", title="Not reached",
                            minutes=5, used=0, state="deferred", carried_over=rng.choice([0, 1])))
    return acute + regular


def add_team_history(rows: Rows, rng: random.Random, team_id: int, staff: list[int], years: int,
                     today: date, now: str) -> None:
    """A team's clients and its weekly closed meetings with everything recorded in them."""
    days = meeting_days(team_id % 5, years, today)
    by_week: dict[int, list[Evaluation]] = {}
    clinicians = staff  # the chair sees clients too
    for number in range(CLIENTS_PER_TEAM):
        for evaluation in plan_client(rows, rng, team_id, number, clinicians[number % len(clinicians)],
                                      days, today, now):
            by_week.setdefault(evaluation.week, []).append(evaluation)
    for week, held in enumerate(days):
        at = iso_at(held)
        meeting_id = rows.add("meetings", (team_id, at, at, DEFAULTS["meeting_minutes"], DEFAULTS["acute_budget"],
                                           DEFAULTS["regular_budget"], DEFAULTS["order_policy"], held.isoformat(),
                                           at, iso_at(held, 15, 0), at))
        for position, item in enumerate(meeting_items(rng, staff, held, by_week.get(week, [])), start=1):
            add_item(rows, (meeting_id, team_id, at), position, item)
        for _ in range(RATERS):
            rows.add("meeting_ratings", (rng.randrange(1, 2 ** 62), meeting_id,
                                         *(rng.randint(2, 5) for _ in range(4))))
        if borrowed := rng.choice([0, 0, 5]):
            rows.add("borrowings", (meeting_id, borrowed, at))


def build(path: Path, teams: int, years: int, seed: int) -> None:
    """Create the database file from scratch and fill it in one transaction."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    database.prepare(path)
    db = database.connect(path)
    db.execute("PRAGMA cache_size = -1000000")  # 1 GB for the build only
    rng, today, now = random.Random(seed), date.today(), database.iso(database.utcnow())
    rows = Rows({table: 1 for table in ("users", "teams", "clients", "meetings", "items", "decisions")})
    db.conn.execute("BEGIN IMMEDIATE")
    area_manager = rows.add("users", (AREA_MANAGER, "Area manager", user_store.hasher.hash(PASSWORD),
                                      secrets.token_urlsafe(24), now))
    institution_manager = rows.add("users", (INSTITUTION_MANAGER, "Institution manager",
                                             user_store.hasher.hash(PASSWORD), secrets.token_urlsafe(24), now))
    for number in range(1, teams + 1):
        team_id, _, staff = add_users_and_team(rows, number, now)
        if number <= AREA_TEAMS:
            rows.add("memberships", (team_id, area_manager, "manager"))
        rows.add("memberships", (team_id, institution_manager, "manager"))
        add_team_history(rows, rng, team_id, staff, years, today, now)
        rows.flush(db)
        if number % 20 == 0:
            print(f"  {number} teams written", flush=True)
    figures.write_all(db)  # what closing each meeting writes (meeting.store.figures)
    started = time.perf_counter()
    calendar.refresh_all(db)  # the stored calendar, as the dashboard's first view or a meeting's close works it out
    print(f"  stored calendar of {teams} teams worked out in {time.perf_counter() - started:.1f} s", flush=True)
    db.conn.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def team_count(path: Path) -> int:
    """How many teams the database holds (all of them the institution manager's)."""
    db = database.connect(path)
    try:
        return db.execute("SELECT count(*) FROM teams").fetchone()[0]
    finally:
        db.close()


def print_counts(path: Path) -> None:
    """Row counts of the tables the dashboard reads, and the file size."""
    db = database.connect(path)
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("teams", "users", "clients", "meetings", "items", "decisions", "evaluations", "bells",
                            "meeting_ratings", "client_evaluations", "borrowings", "meeting_figures",
                            "access_log")}
    db.close()
    print("  " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    print(f"  file {path.stat().st_size / 1e6:,.0f} MB")


# ----------------------------------------------------------------------------------------------- serve and time

def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(path: Path, port: int, log) -> subprocess.Popen:
    """The real app under waitress, on 127.0.0.1:port, against the benchmark database."""
    env = os.environ | {"BELLETJE_DB": str(path), "BELLETJE_LOGIN_LIMIT": "1000 per minute",
                        "BELLETJE_SECRET_KEY": secrets.token_hex(32)}
    return subprocess.Popen([sys.executable, "app.py", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    """Poll the login page until the server answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def login(base: str, email: str) -> urllib.request.OpenerDirector:
    """A cookie-keeping HTTP client logged in as `email` (no proxies: loopback only)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/login") as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
    with opener.open(f"{base}/login", data=form) as response:
        if response.url.endswith("/login"):
            raise SystemExit(f"login as {email} failed")
    return opener


def fetch_ms(opener, url: str) -> float:
    """Milliseconds to request `url` and read the whole body; any status but 200 stops the run."""
    began = time.perf_counter()
    with opener.open(url) as response:
        response.read()
        if response.status != 200 or response.url != url:
            raise SystemExit(f"{url} answered {response.status} at {response.url}")
    return (time.perf_counter() - began) * 1000


def p95(samples: list[float]) -> float:
    """The 95th percentile by nearest rank."""
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def endpoints(base: str, team_id: int, today: date, teams: int) -> list[tuple[str, str, str]]:
    """(name, who, url) of every page timed: the manager of team 1, the area manager (10 teams) or the
    institution's manager (every team)."""
    def span(days: int) -> str:
        return urllib.parse.urlencode({"from": (today - timedelta(days=days)).isoformat(), "to": today.isoformat()})
    team, year, five = f"{base}/teams/{team_id}/dashboard", span(365), span(5 * 365)
    pages = [("team dashboard, default 26 weeks", "team", team),
             ("team dashboard, 1 year", "team", f"{team}?{year}"),
             ("team dashboard, 5 years", "team", f"{team}?{five}"),
             (f"all teams ({AREA_TEAMS}), 1 year", "area", f"{base}/dashboard?{year}"),
             (f"all teams ({AREA_TEAMS}), 5 years", "area", f"{base}/dashboard?{five}"),
             (f"all teams ({teams}), default 26 weeks", "institution", f"{base}/dashboard"),
             (f"all teams ({teams}), 1 year", "institution", f"{base}/dashboard?{year}")]
    return (pages + [(f"team CSV {table}, 1 year", "team", f"{team}/{table}.csv?{year}") for table in TABLES]
            + [(f"all teams ({teams}) CSV {table}, 1 year", "institution", f"{base}/dashboard/{table}.csv?{year}")
               for table in TABLES])


def time_endpoints(base: str, requests: int, teams: int, path: Path) -> list[tuple[str, float, float]]:
    """(name, median ms, p95 ms) per endpoint, after one warm-up request each; every team's today counted, as the
    scheduler leaves it. Then the first view of the day: before each request no team is counted yet, so the
    dashboard counts all of them live (read only). Then the views after a change behind the app's back."""
    openers = {"team": login(base, TEAM_MANAGER), "area": login(base, AREA_MANAGER),
               "institution": login(base, INSTITUTION_MANAGER)}
    count_every_team(path)
    results = []

    def time(views: list[tuple[str, str, str]], fetch) -> None:
        for name, who, url in views:
            samples = [fetch(openers[who], url) for _ in range(requests + 1)][1:]  # the first a warm-up
            results.append((name, statistics.median(samples), p95(samples)))
            print(f"  {name}: done", flush=True)

    time(endpoints(base, 1, datetime.now(ZONE).date(), teams), fetch_ms)
    time(first_views(base, teams), lambda opener, url: first_view_ms(path, opener, url))
    print(f"  teams the requests counted and stored: {counted_teams(path)} (a GET only reads)")
    count_every_team(path)
    time(behind_the_back_views(base, teams), lambda opener, url: stale_view_ms(path, opener, url))
    print(f"  teams still stale after the requests: {stale_teams(path)} (a GET stores nothing)")
    count_every_team(path)
    return results


def first_views(base: str, teams: int) -> list[tuple[str, str, str]]:
    """(name, who, url) of the pages timed as the first view of the day."""
    return [(f"all teams ({teams}), first view of the day", "institution", f"{base}/dashboard"),
            (f"all teams ({AREA_TEAMS}), first view of the day", "area", f"{base}/dashboard"),
            ("team dashboard, first view of the day", "team", f"{base}/teams/1/dashboard")]


BEHIND_THE_BACK = "after a change behind the app's back"


def behind_the_back_views(base: str, teams: int) -> list[tuple[str, str, str]]:
    """(name, who, url) of the pages timed with team 1 changed behind the app's back."""
    return [(f"all teams ({teams}), {BEHIND_THE_BACK}", "institution", f"{base}/dashboard"),
            (f"all teams ({teams}) CSV overdue, {BEHIND_THE_BACK}", "institution", f"{base}/dashboard/overdue.csv"),
            (f"team dashboard, {BEHIND_THE_BACK}", "team", f"{base}/teams/1/dashboard")]


@contextlib.contextmanager
def connected(path: Path):
    """A connection of its own to the benchmark database (not the server's), closed after use."""
    db = database.connect(path)
    try:
        yield db
    finally:
        db.close()


def stale_view_ms(path: Path, opener, url: str) -> float:
    """Milliseconds of `url` when team 1's calendar waits to be worked out (marked first, untimed, as the trigger
    of a plain SQL write to a client would; its count of today goes with it)."""
    with connected(path) as db, database.write(db):
        db.execute("INSERT OR IGNORE INTO calendar_stale (team_id) VALUES (1)")
    return fetch_ms(opener, url)


def stale_teams(path: Path) -> int:
    with connected(path) as db:
        return len(calendar.stale_teams(db))


def first_view_ms(path: Path, opener, url: str) -> float:
    """Milliseconds of `url` when no team has today's register counted yet (dropped first, untimed)."""
    with connected(path) as db, database.write(db):
        db.execute("DELETE FROM today_counted")
        db.execute("DELETE FROM today_counts")
    return fetch_ms(opener, url)


def count_every_team(path: Path) -> None:
    """Every team's today counted and stored: what the scheduler does shortly after each team's midnight."""
    with connected(path) as db:
        calendar.count_every_teams_today(db, database.utcnow())


def counted_teams(path: Path) -> int:
    with connected(path) as db:
        return db.execute("SELECT count(*) FROM today_counted").fetchone()[0]


def target_ms(name: str) -> int | None:
    """One team's pages and CSVs must answer in 50 ms, any view over several teams in 300 ms; the views in the
    minute after a change behind the app's back (until the scheduler stores it) are timed, without a target."""
    if BEHIND_THE_BACK in name:
        return None
    return TEAM_TARGET_MS if name.startswith("team ") else TARGET_MS


def print_table(results: list[tuple[str, float, float]], requests: int) -> None:
    """The results as a plain-text table, each against its target."""
    width = max(len(name) for name, *_ in results)
    print(f"\n{'endpoint':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'target':>7}  met   ({requests} requests each)")
    for name, median, high in results:
        target = target_ms(name)
        shown, met = ("none", "-") if target is None else (f"< {target}", "yes" if high < target else "NO")
        print(f"{name:<{width}}  {median:>9.1f}  {high:>7.1f}  {shown:>7}  {met}")


# ----------------------------------------------------------------------------------------------- main

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "belletje-benchmark.sqlite3",
                        help="database file (default: %(default)s)")
    parser.add_argument("--reuse", action="store_true", help="use the existing --db file instead of rebuilding it")
    parser.add_argument("--teams", type=int, default=200, help="teams to build (default: %(default)s)")
    parser.add_argument("--years", type=int, default=5, help="years of weekly meetings (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per endpoint (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the build (default: %(default)s)")
    args = parser.parse_args()
    if args.teams < AREA_TEAMS:
        parser.error(f"--teams must be at least {AREA_TEAMS} (the area manager manages {AREA_TEAMS})")
    return args


def main() -> None:
    args = parse_args()
    if args.reuse and args.db.exists():
        print(f"Reusing {args.db}")
        database.prepare(args.db)  # applies migrations added since the build
    else:
        print(f"Building {args.db}: {args.teams} teams, {args.years} years of weekly meetings")
        began = time.perf_counter()
        build(args.db, args.teams, args.years, args.seed)
        print(f"  built in {time.perf_counter() - began:.1f} s")
    print_counts(args.db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", prefix="belletje-benchmark-server-", suffix=".log", delete=False) as log:
        server = start_server(args.db, port, log)
        try:
            wait_until_up(base, server)
            print(f"Timing against {base} (server log {log.name})")
            print_table(time_endpoints(base, args.requests, team_count(args.db), args.db), args.requests)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
