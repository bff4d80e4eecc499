"""One calendar: month ends, leap years, and the planner's and the dashboard's overdue lists identical on
every day of a year (the store does no date arithmetic of its own)."""
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from meeting.core.clients import ClientInput
from meeting.core.evaluations import add_months, due_reviews, local_day, next_evaluation_due, overdue_reviews, within
from meeting.store import calendar
from meeting.store import clients as client_store
from meeting.store import dashboard as dashboard_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor

D = date.fromisoformat
STORE = Path(__file__).resolve().parent.parent / "meeting" / "store"


@pytest.mark.parametrize("day, months, expected", [
    ("2025-08-29", 6, "2026-02-28"),  # the case: never 1 March
    ("2025-08-30", 6, "2026-02-28"),
    ("2025-08-31", 6, "2026-02-28"),
    ("2027-08-29", 6, "2028-02-29"),  # into a leap year
    ("2027-08-30", 6, "2028-02-29"),
    ("2027-08-31", 6, "2028-02-29"),
    ("2026-01-31", 1, "2026-02-28"),
    ("2028-01-31", 1, "2028-02-29"),
    ("2026-01-31", 6, "2026-07-31"),
    ("2026-03-31", 6, "2026-09-30"),
    ("2024-02-29", 12, "2025-02-28"),  # a leap day a year on
    ("2024-02-29", 48, "2028-02-29"),
    ("2026-02-28", 6, "2026-08-28"),  # clamping never spreads: 28 Feb stays the 28th
])
def test_month_ends(day, months, expected):
    assert add_months(D(day), months) == D(expected)
    assert next_evaluation_due(D("2020-01-01"), D(day), months) == D(expected)


@pytest.mark.parametrize("reviewed, day, is_within", [
    ("2025-08-29", "2026-02-28", True),  # due that day: still in time
    ("2025-08-29", "2026-03-01", False),
    ("2025-08-31", "2026-02-28", True),
    ("2025-08-31", "2026-03-01", False),
    ("2027-08-31", "2028-02-29", True),
    ("2027-08-31", "2028-03-01", False),
    ("2026-01-31", "2026-07-31", True),
    ("2026-01-31", "2026-08-01", False),
])
def test_within_six_months_at_month_ends(reviewed, day, is_within):
    assert within(D(reviewed), 6, D(day)) is is_within


def test_clients_reviewed_at_the_end_of_august_are_overdue_on_the_first_of_march():
    from meeting.core.evaluations import ClientRecord
    records = [ClientRecord(f"AUG-{d}", 1, D("2020-01-01"), "active", D(f"2026-08-{d}")) for d in (28, 29, 30, 31)]
    found = overdue_reviews(records, D("2027-03-01"), 6)
    assert {(r.reference, r.due, r.days_overdue) for r in found} == {
        ("AUG-28", D("2027-02-28"), 1), ("AUG-29", D("2027-02-28"), 1),
        ("AUG-30", D("2027-02-28"), 1), ("AUG-31", D("2027-02-28"), 1)}
    assert overdue_reviews(records, D("2027-02-28"), 6) == []


def test_a_meetings_local_day():
    assert local_day("2026-03-30T22:30:00+00:00", "Europe/Amsterdam") == D("2026-03-31")  # 00:30 summer time
    assert local_day("2026-01-05T12:30:00+00:00", "Europe/Amsterdam") == D("2026-01-05")


@pytest.fixture
def month_end_team(db):
    """A team whose clients started or were last reviewed on every day from the 27th to the month's end,
    across 2025 and 2026 (leap-free) and around 29 February 2024, some with an agreed next date."""
    team_id = team_store.create_team(db, "Team Calendar")
    nurse = user_store.create_user(db, "cal@example.org", "Nurse Cal")
    team_store.set_role(db, team_id, nurse, "member")
    clients, index = [], 0
    for month_start in [D("2024-02-01")] + [D(f"{y}-{m:02d}-01") for y in (2025, 2026) for m in range(1, 13)]:
        last = add_months(month_start, 1) - timedelta(days=1)
        for day in range(27, last.day + 1):
            when = month_start.replace(day=day)
            index += 1
            reviewed = index % 3 != 0
            start = when if not reviewed else D("2023-06-30")
            clients.append(ClientInput(f"M-{index:03d}", nurse, start, when if reviewed else None))
    ids = client_store.add_clients(db, Actor(None), team_id, clients)
    for client_id, client in list(zip(ids, clients))[::7]:  # an agreed next review for some
        if client.last_evaluation:
            db.execute("UPDATE clients SET next_evaluation_on = ? WHERE id = ?",
                       [add_months(client.last_evaluation, 4).isoformat(), client_id])
    return team_id


def test_the_planner_and_the_dashboard_list_the_same_clients_overdue_every_day_of_a_year(db, month_end_team):
    records = client_store.client_records(db, month_end_team)  # what the planner reads
    calendar.refresh_stale(db)  # what the dashboard reads: the stored calendar
    today = dashboard_store.register_per_team(db, [month_end_team], D("2026-09-01"))
    assert len(records) == today[month_end_team]["active"] > 100
    day = D("2026-09-01")
    while day <= D("2027-08-31"):
        planner = [(r.reference, r.due, r.days_overdue) for r in due_reviews(records, day, 6) if r.days_overdue]
        rows, total = dashboard_store.overdue(db, [month_end_team], day)
        dashboard = [(r["reference"], D(r["due"]), r["days_overdue"]) for r in rows]
        assert total == len(planner)
        assert dashboard_store.overdue(db, [month_end_team], day, limit=10) == (rows[:10], total)
        assert planner == dashboard, day
        assert {ref for ref, *_ in planner} == oracle_overdue(records, day), day
        day += timedelta(days=1)


def oracle_overdue(records, day: date) -> set[str]:
    """Overdue by dateutil's month arithmetic (which also clamps to the month's end), not ours."""
    return {r.reference for r in records
            if (r.next_evaluation_on or (r.last_evaluation or r.treatment_start) + relativedelta(months=6)) < day}


def test_the_store_does_no_date_arithmetic():
    """Due dates and "within N months" come from the core: no month or day arithmetic in the store's SQL."""
    arithmetic = re.compile(r"julianday|'\s*\+\s*'\s*\|\||[+-]\d+ (days?|months?|years?)'|strftime\(", re.I)
    found = {path.name: arithmetic.findall(path.read_text()) for path in STORE.glob("*.py")}
    assert {name: hits for name, hits in found.items() if hits} == {}
