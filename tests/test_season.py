"""A season of the demo team (245 clients), replayed through the app's own scheduler and decision code on a
temp SQLite file, no web. Eight weeks at the default budget to settle, then the chair sets the season's
regular budget (the meetings already scheduled follow it) and 26 weekly meetings are held. Every week two
members bring a regular announcement of 5 minutes; the scheduler's freeze fills the rest of the regular
budget with reviews; every review is decided. The capacity line's forecast, made the day the budget is
set, is held against what happens.

Run `python -m pytest tests/test_season.py -s` to see the figures.
"""
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meeting.core import evaluations
from meeting.core.capacity import Forecast
from meeting.core.items import ItemInput
from meeting.ops import scheduler
from meeting.ops.demo import build_demo
from meeting.store import clients as client_store, decisions as decision_store, items as item_store
from meeting.store import meetings as meeting_store, reports as report_store, running as running_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import connect, iso, prepare

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEMO_DAY = date(2026, 1, 5)  # a Monday: the demo's history lies in the twelve weeks before it
WARM_UP, SEASON = 8, 26
ANNOUNCEMENTS_A_WEEK, ANNOUNCEMENT_MINUTES = 2, 5
REVIEW = {"answer": "Continue, with adjusted goals", "outcome": "continue_adjusted", "decision": "Continue with adjusted goals", "needs_met": "yes",
          "continuation_answer": "Goals on housing still open", "colleague_invited": "yes", "actions": []}
TOLERANCE = 2  # percentage points


@dataclass
class Season:
    """The forecast made the day the season's budget was set, and what the register showed every Monday
    from then (week 0) to the end of the season (week 26)."""
    forecast: Forecast
    past_norm: list[int]  # per week: active clients past 6 months
    past_legal: list[int]  # per week: active clients past 12 months
    active: int
    reviews_per_meeting: list[int]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)


def play(tmp_path, regular_budget: int) -> Season:
    """Build the demo team, settle for 8 weeks at the default budget, set `regular_budget`, play 26 weeks."""
    path = tmp_path / f"season-{regular_budget}.sqlite3"
    prepare(path)
    db = connect(path)
    # without the demo's open handovers: their announcements wait for a consent block the season does not run
    team_id = build_demo(db, DEMO_DAY, handovers=False)
    team_store.update_settings(db, team_id, {"auto_add_due_reviews": 1})
    chair = Actor(db.execute("SELECT user_id FROM memberships WHERE team_id = ? AND role = 'chair'",
                             [team_id]).fetchone()[0])
    rng, forecast, registers, reviews = random.Random(14), None, [], []
    for week in range(WARM_UP + SEASON + 1):
        monday = DEMO_DAY + timedelta(weeks=week)
        team = team_store.get_team(db, team_id)
        if week >= WARM_UP:
            registers.append(register_on(db, team, monday))
        if week == WARM_UP + SEASON:
            break
        scheduler.create_meetings(db, at(monday, 9))
        meeting = meeting_store.next_after(db, team_id, iso(at(monday, 9)))
        bring_announcements(db, rng, team, meeting)
        if week == WARM_UP:
            team = set_regular_budget(db, team, regular_budget, at(monday, 12))
            forecast = report_store.capacity_forecast(db, team, at(monday, 13))
        assert scheduler.freeze_agendas(db, at(monday, 13, 30)) == 1
        held = hold(db, chair, team, meeting_store.get_meeting(db, team_id, meeting["id"]))
        if week >= WARM_UP:
            reviews.append(held)
    active = client_store.count_active(db, team_id)
    db.close()
    return Season(forecast, [r[0] for r in registers], [r[1] for r in registers], active, reviews)


def set_regular_budget(db, team: dict, minutes: int, now: datetime) -> dict:
    """What saving the settings page does: store the team's settings, the meetings not yet frozen follow."""
    team_store.update_settings(db, team["id"], {"regular_budget": minutes, "meeting_minutes": max(90, 30 + minutes)})
    team = team_store.get_team(db, team["id"])
    assert len(meeting_store.follow_team_settings(db, team, now)) == 4
    return team


def bring_announcements(db, rng: random.Random, team: dict, meeting: dict) -> None:
    """Two members each bring a regular announcement about one of their clients (approved in one go)."""
    for client in rng.sample(client_store.client_records(db, team["id"]), ANNOUNCEMENTS_A_WEEK):
        client_id = client_store.active_reference_ids(db, team["id"])[client.reference.upper()]
        item = ItemInput("regular", "announcement", client_id, "Moves house next month", "Take note", "", "", "", "",
                         ANNOUNCEMENT_MINUTES)
        item_store.add_item(db, Actor(client.clinician_id), team["id"], meeting["id"], client.clinician_id, item)


def hold(db, chair: Actor, team: dict, meeting: dict) -> int:
    """The meeting as the chair runs it: announcements approved in one go, every review decided; how many."""
    now = datetime.fromisoformat(meeting["starts_at"])
    day = evaluations.local_day(meeting["starts_at"], team["timezone"])
    running_store.start_meeting(db, team["id"], meeting["id"], now)
    decision_store.approve_consent_block(db, chair, meeting["id"], team["id"], now)
    rows = item_store.agenda_items(db, chair, team["id"], meeting["id"])
    for row in rows:
        item = item_store.get_item(db, chair, team["id"], row["id"])
        decision_store.decide(db, chair, team, item, REVIEW, day, now, None)
    running_store.end_meeting(db, team["id"], meeting["id"], now + timedelta(minutes=90))
    return len(rows)


def register_on(db, team: dict, day: date) -> tuple[int, int]:
    """Active clients past 6 months and past 12 months without a review, at the start of `day`."""
    records = client_store.client_records(db, team["id"])
    return evaluations.past(records, 6, day), evaluations.past(records, 12, day)


def percent(count: int, active: int) -> float:
    return 100 * count / active


@pytest.fixture(scope="module")
def seasons(tmp_path_factory) -> dict:
    """The season at the default regular budget (60), at half of it (30), and at the budget the capacity
    line advises on the day the season starts."""
    tmp_path = tmp_path_factory.mktemp("season")
    played = {budget: play(tmp_path, budget) for budget in (60, 30)}
    played["advised"] = play(tmp_path, played[60].forecast.budget_for_norm)
    for name, season in played.items():
        f = season.forecast
        print(f"\nregular budget {name} ({f.pace.regular_budget} min, other items {f.pace.other_minutes:.1f} min,"
              f" {f.slots} review slots a week, {min(season.reviews_per_meeting)}-{max(season.reviews_per_meeting)}"
              f" held; the norm needs {f.needed}; advised {f.budget_for_norm} min)")
        for point in f.checkpoints:
            print(f"  week {point.weeks:2d}: past 6 months forecast {point.past_norm:3d} simulated"
                  f" {season.past_norm[point.weeks]:3d}; past 12 months forecast {point.past_legal:3d}"
                  f" simulated {season.past_legal[point.weeks]:3d}")
        print(f"  first new client past 12 months: forecast week {f.legal_breach and f.legal_breach.weeks},"
              f" simulated week {first_new_past_legal(season)}; at most past 12 months in the coming"
              f" year: forecast {f.newly_past_legal_peak}")
    return played


def first_new_past_legal(season: Season) -> int | None:
    """The first week the simulated register has more clients past 12 months than the week before."""
    return next((week for week in range(1, len(season.past_legal))
                 if season.past_legal[week] > season.past_legal[week - 1]), None)


@pytest.mark.parametrize("budget", [60, 30])
@pytest.mark.parametrize("week", [13, 26])
def test_the_forecast_matches_the_simulated_season(seasons, budget, week):
    season = seasons[budget]
    point = next(p for p in season.forecast.checkpoints if p.weeks == week)
    assert abs(percent(point.past_norm, season.active) - percent(season.past_norm[week], season.active)) <= TOLERANCE
    assert abs(percent(point.past_legal, season.active) - percent(season.past_legal[week], season.active)) <= TOLERANCE


@pytest.mark.parametrize("budget", [60, 30])
def test_the_freeze_fills_every_slot_the_line_counts(seasons, budget):
    """The budget's change reached the meetings already scheduled: every freeze added what the line says."""
    season = seasons[budget]
    assert season.forecast.slots == (budget - ANNOUNCEMENTS_A_WEEK * ANNOUNCEMENT_MINUTES) // 10
    assert set(season.reviews_per_meeting) == {season.forecast.slots}


def test_at_half_budget_the_line_warns_of_the_legal_minimum_weeks_ahead(seasons):
    """The day the budget is halved nobody is past 12 months; the line names the week the first one will
    be, weeks ahead, and the season shows it happen then."""
    half = seasons[30].forecast
    assert not half.achievable and half.checkpoints[0].past_legal == 0
    assert half.legal_breach is not None and half.legal_breach.weeks >= 4
    assert first_new_past_legal(seasons[30]) == half.legal_breach.weeks
    assert half.newly_past_legal_peak > 0


def test_with_the_advised_budget_every_client_stays_within_six_months(seasons):
    season = seasons["advised"]
    assert season.past_norm[0] > 0  # the team starts the season with a backlog ...
    assert season.forecast.budget_suffices  # ... which the advised budget clears by week 13 ...
    assert all(count == 0 for count in season.past_norm[13:])  # ... and from then on nobody falls past 6 months
    assert max(season.past_legal) == 0


def test_the_default_budget_is_not_enough_and_the_line_says_so(seasons):
    default = seasons[60].forecast
    assert not default.achievable and not default.budget_suffices and default.budget_for_norm > 60
    assert seasons[60].past_norm[-1] > seasons[60].past_norm[0]
