"""The stored calendar (meeting.store.calendar): what SQL counts over it is what the core's calendar gives,
client by client, for random histories, periods and days; and whatever changes a date marks its team stale."""
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meeting.core import client_evaluation, evaluations, register
from meeting.core.clients import ClientInput
from meeting.ops import scheduler
from meeting.store import calendar, history
from meeting.store import client_evaluations as evaluation_store
from meeting.store import clients as client_store
from meeting.store import dashboard as dashboard_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor
from meeting.store.db import utcnow
from meeting.store.history import PastItem, PastMeeting

FIRST_DAY = date(2020, 1, 1)
DAYS = st.integers(0, 2500).map(lambda n: FIRST_DAY + timedelta(days=n))


@st.composite
def timelines(draw):
    start = draw(DAYS)
    held = sorted(set(draw(st.lists(st.integers(-5, 1200), max_size=6))))
    reviews = tuple(register.Review(start + timedelta(days=d), draw(st.none() | DAYS)) for d in held)
    finished = draw(st.none() | st.integers(0, 1600).map(lambda n: start + timedelta(days=n)))
    registered = draw(st.none() | st.integers(-400, 400).map(lambda n: start + timedelta(days=n)))
    return register.Timeline(1, "R-1", 1, draw(st.sampled_from([3, 6, 12])), start, finished, registered, reviews)


@settings(max_examples=300, deadline=None)
@given(timelines(), DAYS, st.integers(0, 800))
def test_the_cycle_holding_a_periods_start_gives_the_clients_outcome(timeline, start, length):
    end = start + timedelta(days=length)
    holding = [c for c in timeline.cycles() if c.first_start <= start <= c.last_start]
    assert len(holding) <= 1
    expected = register.review_outcome(timeline, start, end)
    found = register.cycle_outcome(holding[0], timeline.treatment_start, timeline.finished_on, start, end) \
        if holding else None
    assert found == (expected[1] if expected else None)
    if expected:
        assert holding[0].due == expected[0]


@settings(max_examples=200, deadline=None)
@given(timelines(), DAYS)
def test_the_registers_steps_count_what_within_says_on_any_day(timeline, day):
    [point] = register.points(register.register_steps([timeline]), [day])
    active = timeline.active_on(day)
    assert (point.active, point.within_norm, point.within_legal) == (
        int(active), int(active and timeline.within(timeline.norm_months, day)),
        int(active and timeline.within(12, day)))


@settings(max_examples=200, deadline=None)
@given(DAYS, st.none() | DAYS, DAYS)
def test_a_milestone_is_open_from_the_stored_day_on(start, decided, today):
    record = evaluations.ClientRecord("R-1", 1, start, last_continuation_decision=decided)
    opens = evaluations.milestone_from(start, decided)
    assert (evaluations.milestone(record, today) is not None) == (opens <= today)
    years, _ = evaluations.latest_mark(start, today)
    assert evaluations.milestone_of_years(years) == evaluations.milestone_kind(start, today)


@pytest.fixture
def institution(db):
    """Three teams (norms 6, 3 and 12 months) with random clients, reviews (some with an agreed next date),
    registered reviews, finished treatments, continuation decisions and evaluations with the client."""
    rng = random.Random(13)
    teams = []
    for number, norm in enumerate((6, 3, 12), start=1):
        team_id = team_store.create_team(db, f"Team {number}")
        team_store.update_settings(db, team_id, {"evaluation_interval_months": norm})
        staff = [user_store.create_user(db, f"n{number}{k}@example.org", f"Nurse {number}{k}") for k in range(3)]
        clients = [ClientInput(f"T{number}-{k:03}", rng.choice(staff),
                               start := FIRST_DAY + timedelta(days=rng.randint(0, 2200)),
                               start + timedelta(days=rng.randint(0, 200)) if rng.random() < 0.4 else None)
                   for k in range(60)]
        ids = client_store.add_clients(db, Actor(None), team_id, clients)
        # every leap day and its neighbours among the starts: the anniversaries SQL orders by
        for client_id, start in zip(ids, ("2020-02-29", "2020-02-28", "2021-03-01", "2024-02-29")):
            db.execute("UPDATE clients SET treatment_start = ?, last_evaluation = NULL WHERE id = ?",
                       [start, client_id])
        reviews: dict[date, list[PastItem]] = {}  # one meeting a day
        for client_id, client in zip(ids, clients):
            day = client.treatment_start
            for _ in range(rng.randint(0, 6)):
                day += timedelta(days=rng.randint(60, 300))
                reviews.setdefault(day, []).append(PastItem(
                    client.clinician_id, "regular", "question", "Review", 10, 300, client_id=client_id,
                    evaluation_on=day, outcome="continue_adjusted",
                    with_client={"evaluated_on": day.isoformat()} if rng.random() < 0.5 else None))
        history.insert_meetings(db, team_store.get_team(db, team_id), [
            PastMeeting(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), items)
            for day, items in sorted(reviews.items())])
        for client_id in ids:
            if rng.random() < 0.2:
                db.execute("UPDATE clients SET status = 'finished', finished_on = ? WHERE id = ?",
                           [(FIRST_DAY + timedelta(days=rng.randint(400, 2500))).isoformat(), client_id])
            if rng.random() < 0.3:
                db.execute("UPDATE clients SET last_continuation_decision = ? WHERE id = ?",
                           [(FIRST_DAY + timedelta(days=rng.randint(300, 2500))).isoformat(), client_id])
            if rng.random() < 0.2:
                db.execute("UPDATE clients SET next_evaluation_on = ? WHERE id = ?",
                           [(FIRST_DAY + timedelta(days=rng.randint(500, 2600))).isoformat(), client_id])
        agreed = db.execute("SELECT d.id FROM decisions d JOIN meetings m ON m.id = d.meeting_id WHERE m.team_id = ?",
                            [team_id]).fetchall()
        for (decision_id,) in agreed[::4]:
            db.execute("UPDATE decisions SET next_evaluation_on = ? WHERE id = ?",
                       [(FIRST_DAY + timedelta(days=rng.randint(200, 2700))).isoformat(), decision_id])
        teams.append(team_id)
    calendar.refresh_stale(db)
    return teams


def days_to_check(rng: random.Random) -> list[date]:
    leap = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2025, 2, 28), date(2025, 3, 1)]
    return leap + [FIRST_DAY + timedelta(days=rng.randint(0, 2800)) for _ in range(25)]


def test_the_period_audit_and_the_weekly_register_are_the_cores(db, institution):
    rng = random.Random(7)
    lines = {team_id: calendar.timelines(db, team_id) for team_id in institution}
    for _ in range(40):
        start = FIRST_DAY + timedelta(days=rng.randint(0, 2600))
        end = start + timedelta(days=rng.randint(0, 900))
        teams = rng.sample(institution, rng.randint(1, 3))
        every = [t for team_id in teams for t in lines[team_id]]
        assert dashboard_store.period_audit(db, teams, start, end) == register.period_audit(every, start, end)
        assert dashboard_store.register_points(db, teams, register.week_ends(start, end)) == \
            register.share_trend(every, start, end)


def test_today_overdue_and_milestones_are_the_planners_on_any_day(db, institution):
    records = {team_id: client_store.client_records(db, team_id) for team_id in institution}
    norms = {team_id: team_store.get_team(db, team_id)["evaluation_interval_months"] for team_id in institution}
    for day in days_to_check(random.Random(3)):
        now = dashboard_store.register_per_team(db, institution, day)
        for team_id in institution:
            overdue = evaluations.overdue_reviews(records[team_id], day, norms[team_id])
            assert (now[team_id]["active"], now[team_id]["within_norm"], now[team_id]["overdue"]) == (
                len(records[team_id]), len(records[team_id]) - evaluations.past(records[team_id], norms[team_id], day),
                len(overdue))
            rows, total = dashboard_store.overdue(db, [team_id], day)
            assert [(r["reference"], r["due"], r["days_overdue"]) for r in rows] == [
                (r.reference, r.due.isoformat(), r.days_overdue) for r in overdue] and total == len(overdue)
        milestones = evaluations.milestone_reviews([r for team_id in institution for r in records[team_id]], day)
        for limit in (None, 1, 5, 25):
            rows, total = dashboard_store.milestones(db, institution, day, limit)
            assert total == len(milestones)
            assert [(r["reference"], r["years"], r["milestone"]) for r in rows] == [
                (m.reference, m.years, m.milestone) for m in milestones[:limit]], (day, limit)
        first_seven = dashboard_store.overdue(db, institution, day, 7)[0]
        assert first_seven == dashboard_store.overdue(db, institution, day)[0][:7]


def test_the_legal_minimum_counts_each_clients_legal_status(db, institution):
    for day in days_to_check(random.Random(5)):
        figures = evaluation_store.legal_minimum(db, institution, day)
        expected: dict[str, dict] = {}
        for client in db.query("""SELECT c.*, t.name AS team FROM clients c JOIN teams t ON t.id = c.team_id
                WHERE c.treatment_start <= ? AND (c.finished_on IS NULL OR c.finished_on > ?)""",
                               [day.isoformat(), day.isoformat()]):
            last = db.execute("SELECT max(evaluated_on) FROM client_evaluations WHERE client_id = ? AND evaluated_on "
                              "<= ?",
                              [client["id"], day.isoformat()]).fetchone()[0]
            status = client_evaluation.legal_status(date.fromisoformat(client["treatment_start"]),
                                                    last and date.fromisoformat(last), day)
            team = expected.setdefault(client["team"], {"team": client["team"], "active": 0, "evaluated": 0,
                                                        "not_yet_due": 0, "overdue": 0})
            team["active"] += 1
            team[status] += 1
        assert figures["teams"] == sorted(expected.values(), key=lambda team: team["team"]), day
        # the same counts, stored per team and clinician as that day's register (the dashboard's, ending today)
        assert evaluation_store.legal_minimum_today(db, institution, day) == figures, day
        for limit in (1, 2, 5):
            assert evaluation_store.legal_minimum_today(db, institution, day, limit) == \
                evaluation_store.legal_minimum(db, institution, day, limit) == \
                figures | {"clinicians": sorted(figures["clinicians"], key=lambda r: -r["overdue"])[:limit]}, day


def assert_today_is_counted_live(db, team_id: int, day: date) -> None:
    """Today's stored counts per clinician are what the planner and the legal minimum give right now."""
    records = client_store.client_records(db, team_id)
    overdue = {r.reference for r in evaluations.overdue_reviews(
        records, day, team_store.get_team(db, team_id)["evaluation_interval_months"])}
    expected: dict[str, dict] = {}
    for reference, clinician in db.execute("""SELECT c.reference, u.name FROM clients c JOIN users u
            ON u.id = c.clinician_id WHERE c.team_id = ? AND c.status = 'active'""", [team_id]):
        entry = expected.setdefault(clinician, {"clinician": clinician, "clients": 0, "overdue": 0})
        entry["clients"] += 1
        entry["overdue"] += reference in overdue
    listed, total = dashboard_store.clinicians_today(db, [team_id], day)
    assert [{k: r[k] for k in ("clinician", "clients", "overdue")} for r in listed] == \
        sorted(expected.values(), key=lambda r: r["clinician"]) and total == len(expected)
    assert evaluation_store.legal_minimum_today(db, [team_id], day) == evaluation_store.legal_minimum(db, [team_id],
                                                                                                      day)


def test_todays_counts_follow_every_change_and_the_day(db, institution):
    team, day = institution[0], date(2026, 3, 2)
    assert_today_is_counted_live(db, team, day)
    client_id, clinician = db.execute("SELECT id, clinician_id FROM clients WHERE team_id = ? AND status = 'active'"
                                      " ORDER BY id LIMIT 1", [team]).fetchone()
    other_clinician = db.execute("SELECT clinician_id FROM clients WHERE team_id = ? AND clinician_id <> ? LIMIT 1",
                                 [team, clinician]).fetchone()[0]
    item = db.execute("SELECT item_id, decision_id FROM client_evaluations WHERE team_id = ? LIMIT 1",
                      [team]).fetchone()
    for sql, params in [
        ("UPDATE clients SET clinician_id = ? WHERE id = ?", [other_clinician, client_id]),
        ("UPDATE clients SET next_evaluation_on = '2000-01-01' WHERE id = ?", [client_id]),
        ("UPDATE client_evaluations SET evaluated_on = '2026-03-01' WHERE item_id = ?", [item[0]]),
        ("UPDATE clients SET status = 'finished', finished_on = '2026-03-01' WHERE id = ?", [client_id]),
        ("UPDATE clients SET treatment_start = '2026-02-01', status = 'active', finished_on = NULL WHERE id = ?",
         [client_id]),
    ]:
        db.execute(sql, params)
        assert_today_is_counted_live(db, team, day)  # read live: the change dropped the team's stored counts
        calendar.count_today(db, [team], day)  # the scheduler counts it again
        assert_today_is_counted_live(db, team, day)
    for later in (day + timedelta(days=1), day + timedelta(days=200)):  # a new day is counted anew
        assert_today_is_counted_live(db, team, later)
        calendar.count_today(db, [team], later)
        assert_today_is_counted_live(db, team, later)
    kept = {row[0] for row in db.execute("SELECT DISTINCT day FROM today_counts WHERE team_id = ?", [team])}
    assert kept == {(day + timedelta(days=200)).isoformat()}  # days before yesterday are dropped


def test_the_reviews_held_per_day_follow_every_write_to_the_reviews(db, institution):
    rng = random.Random(11)
    def by_day(team_ids):
        marks = ", ".join("?" * len(team_ids))
        return db.execute(f"""SELECT held_on, count(*) FROM evaluations WHERE team_id IN ({marks})
            GROUP BY held_on ORDER BY held_on""", team_ids).fetchall()
    ids = [row[0] for row in db.execute("SELECT id FROM evaluations")]
    for evaluation_id in rng.sample(ids, 40):
        change = rng.choice(["move", "day", "delete"])
        if change == "move":
            db.execute("UPDATE evaluations SET team_id = ? WHERE id = ?", [rng.choice(institution), evaluation_id])
        elif change == "day":
            db.execute("UPDATE evaluations SET held_on = ? WHERE id = ?",
                       [(FIRST_DAY + timedelta(days=rng.randint(0, 2500))).isoformat(), evaluation_id])
        else:
            db.execute("DELETE FROM evaluations WHERE id = ?", [evaluation_id])
        teams = rng.sample(institution, rng.randint(1, 3))
        assert dashboard_store.reviews_by_day(db, teams, date.min, date.max) == by_day(teams)


def test_whatever_a_date_depends_on_marks_its_team_stale(db, institution):
    team, other = institution[0], institution[1]
    client_id = db.execute("SELECT client_id FROM evaluations WHERE team_id = ? LIMIT 1", [team]).fetchone()[0]
    changes = [
        ("UPDATE clients SET last_evaluation = '2026-01-05' WHERE id = ?", [client_id]),
        ("UPDATE clients SET next_evaluation_on = '2026-02-05' WHERE id = ?", [client_id]),
        ("UPDATE clients SET last_continuation_decision = '2026-02-05' WHERE id = ?", [client_id]),
        ("UPDATE clients SET status = 'finished', finished_on = '2026-03-01' WHERE id = ?", [client_id]),
        ("UPDATE clients SET clinician_id = (SELECT min(id) FROM users) WHERE id = ?", [client_id]),
        ("UPDATE evaluations SET held_on = '2025-06-01' WHERE client_id = ?", [client_id]),
        ("UPDATE decisions SET next_evaluation_on = '2026-09-09' WHERE item_id IN "
         "(SELECT item_id FROM evaluations WHERE team_id = ?)", [team]),
        ("UPDATE teams SET evaluation_interval_months = 4 WHERE id = ?", [team]),
        ("UPDATE client_evaluations SET evaluated_on = '2026-04-04' WHERE team_id = ?", [team]),
        ("DELETE FROM client_evaluations WHERE team_id = ?", [team]),
        ("DELETE FROM evaluations WHERE client_id = ?", [client_id]),
    ]
    for sql, params in changes:
        assert calendar.stale_teams(db) == []
        calendar.count_today(db, [team], date(2026, 3, 2))
        db.execute(sql, params)
        assert calendar.stale_teams(db) == [team], sql
        assert db.execute("SELECT count(*) FROM today_counts WHERE team_id = ?", [team]).fetchone()[0] == 0, sql
        assert calendar.refresh_stale(db, [other]) == [] and calendar.stale_teams(db) == [team]
        assert calendar.refresh_stale(db, [team]) == [team]
    db.execute("UPDATE clients SET team_id = ? WHERE id = ?", [other, client_id])  # moved: both teams
    assert calendar.stale_teams(db) == sorted([team, other])
    db.execute("UPDATE clients SET colleague_invited_at = '2026-01-01' WHERE team_id = ?", [other])
    calendar.refresh_stale(db)
    db.execute("UPDATE clients SET colleague_invited_at = '2026-02-01' WHERE team_id = ?", [other])
    assert calendar.stale_teams(db) == []  # no date of the calendar depends on it


def test_the_dashboard_shows_a_change_made_behind_its_back(as_user, db, institution):
    """A change by any path (here plain SQL, as an import would write) shows on the next view; a view reads it live
    and stores nothing (tests/test_no_write_in_a_get.py), the scheduler's minute stores it."""
    user_id = user_store.create_user(db, "boss@example.org", "Boss", "correct horse battery")
    team_store.set_role(db, institution[0], user_id, "manager")
    manager = as_user("boss@example.org")
    before = manager.get(f"/teams/{institution[0]}/dashboard").text
    first = db.execute("SELECT id, reference FROM clients WHERE team_id = ? AND status = 'active' ORDER BY id LIMIT 1",
                       [institution[0]]).fetchone()
    db.execute("UPDATE clients SET next_evaluation_on = '2000-01-01' WHERE id = ?", [first[0]])
    after = manager.get(f"/teams/{institution[0]}/dashboard/overdue.csv").text
    assert after.splitlines()[1].startswith(f"Team 1,{first[1]},") and "2000-01-01" in after
    assert "2000-01-01" not in before and calendar.stale_teams(db) == [institution[0]]
    scheduler.work_out_calendars(db, utcnow())
    assert calendar.stale_teams(db) == []
    assert manager.get(f"/teams/{institution[0]}/dashboard/overdue.csv").text == after
