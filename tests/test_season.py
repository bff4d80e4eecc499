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
from meeting.store import clients as client_store
from meeting.store import dashboard as dashboard_store
from meeting.store import decisions as decision_store
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import running as running_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import connect, iso, prepare

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEMO_DAY = date(2026, 1, 5)  # a Monday: the demo's history lies in the twelve weeks before it
WARM_UP, SEASON = 8, 26
ANNOUNCEMENTS_A_WEEK, ANNOUNCEMENT_MINUTES = 2, 5
REVIEW = {"answer": "Continue, with adjusted goals", "outcome": "continue_adjusted",
          "decision": "Continue with adjusted goals", "needs_met": "yes",
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
            forecast = dashboard_store.capacity_forecast(db, team, at(monday, 13))
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


# The legal minimum, planned (issue 27): a year from the demo day, the season's budget set that day (the line knows the
# pace from the demo's twelve weeks of meetings, and counts the first meetings' slots from their agendas), 7 of every
# 10 reviews recording an evaluation with the client; and with 400 clients. On the demo day the team starts with the
# worklist: each regiebehandelaar records the evaluations with the client that are overdue or due within 8 weeks
# (they were held, but never recorded); from then on only the reviews record them.

LEGAL_WEEKS = 52
CLIENTS_MORE = 400


@dataclass
class LegalSeason:
    """Forecasts made each week up to `forecast_weeks` (week 0: the day the budget is set); per Monday from week 0: the
    register
    (past 6 months, past 12 months without a team review, past 12 months without an evaluation with the client) as
    the raw tables say, the worklist's overdue and the dashboard's; the day each client first passed 12 months
    without an evaluation with the client."""
    forecasts: list[Forecast]
    past_norm: list[int]
    past_legal: list[int]
    past_with_client: list[int]
    worklist_overdue: list[int]
    dashboard_overdue: list[int]
    first_breach: date | None  # the first day a client within the legal minimum on week 0 passed it
    start: date
    path: str = ""  # the season's database, kept for the dashboard over HTTP
    team_id: int = 0


def with_client_overdue_raw(db, team_id: int, day: date) -> int:
    """Active clients overdue for the evaluation with the client at the start of `day`, from the raw rows and the
    core's `legal_status` (what the worklist and the dashboard must agree with)."""
    from meeting.core import client_evaluation
    rows = db.execute("""SELECT c.treatment_start, (SELECT max(e.evaluated_on) FROM client_evaluations e
        WHERE e.client_id = c.id AND e.evaluated_on < ?) FROM clients c WHERE c.team_id = ? AND c.status = 'active'""",
                      [day.isoformat(), team_id]).fetchall()
    yesterday = day - timedelta(days=1)
    return sum(1 for start, last in rows
               if client_evaluation.legal_status(date.fromisoformat(start), last and date.fromisoformat(last),
                                                 yesterday) == "overdue")


def add_more_clients(db, rng: random.Random, team_id: int, count: int) -> None:
    """Clients up to `count`, like the demo's: started 4 to 60 months ago, last reviewed within 7 months, most of
    them evaluated with the client within the year (recorded from the worklist, dated then)."""
    from meeting.core.clients import ClientInput
    from meeting.store import client_evaluations as evaluation_store
    clinicians = [r[0] for r in db.execute("SELECT DISTINCT clinician_id FROM clients WHERE team_id = ?", [team_id])]
    more = count - client_store.count_active(db, team_id)
    inputs = []
    for number in range(more):
        start = DEMO_DAY - timedelta(days=rng.randint(120, 1800))
        last = max(start, DEMO_DAY - timedelta(days=rng.randint(7, 210)))
        inputs.append(ClientInput(f"X-{number:04d}", rng.choice(clinicians), start, last if last > start else None))
    ids = client_store.add_clients(db, Actor(None), team_id, inputs)
    for client_id, client in zip(ids, inputs):
        if rng.random() < 0.8:
            day = max(client.treatment_start, DEMO_DAY - timedelta(days=rng.randint(20, 330)))
            evaluation_store.record_outside_meeting(db, Actor(client.clinician_id), team_id, client_id,
                                                    {"evaluated_with_client_on": day.isoformat()},
                                                    at(day, 12))


def play_legal(tmp_path, regular_budget, share: float, clients: int = 245, forecast_weeks: int = 2) -> LegalSeason:
    """The demo team (grown to `clients`) at `regular_budget` (or "advised": the line's advice on the demo day) for a
    year; of every 10 reviews, `share` × 10 record an evaluation with the client (spread evenly)."""
    from meeting.core import client_evaluation
    from meeting.store import client_evaluations as evaluation_store
    path = tmp_path / f"legal-{regular_budget}-{share}-{clients}.sqlite3"
    prepare(path)
    db = connect(path)
    team_id = build_demo(db, DEMO_DAY, handovers=False)
    team_store.update_settings(db, team_id, {"auto_add_due_reviews": 1})
    rng = random.Random(27)
    if clients > 245:
        add_more_clients(db, rng, team_id, clients)
    chair = Actor(db.execute("SELECT user_id FROM memberships WHERE team_id = ? AND role = 'chair'",
                             [team_id]).fetchone()[0])
    season = LegalSeason([], [], [], [], [], [], None, DEMO_DAY)
    at_risk: dict[str, date] = {}
    recorder = spread(share)
    for week in range(LEGAL_WEEKS + 1):
        monday = DEMO_DAY + timedelta(weeks=week)
        team = team_store.get_team(db, team_id)
        past_norm, past_legal = register_on(db, team, monday)
        season.past_norm.append(past_norm)
        season.past_legal.append(past_legal)
        season.past_with_client.append(with_client_overdue_raw(db, team_id, monday))
        sunday = monday - timedelta(days=1)  # the register at the start of Monday: Sunday's counts
        rows = evaluation_store.worklist_rows(db, chair, team_id, client_evaluation.worklist_until(sunday),
                                              at(monday, 0))
        season.worklist_overdue.append(sum(1 for e in client_evaluation.worklist(rows, sunday, team["timezone"])
                                           if e.overdue))
        season.dashboard_overdue.append(
            evaluation_store.legal_minimum_today(db, [team_id], sunday)["total"]["overdue"])
        if week == 0:
            catch_up(db, team_id, monday)
            at_risk = {c.reference: c.with_client_due for c in client_store.client_records(db, team_id)
                       if c.with_client_due and c.with_client_due >= monday}
        if week == LEGAL_WEEKS:
            break
        scheduler.create_meetings(db, at(monday, 9))
        meeting = meeting_store.next_after(db, team_id, iso(at(monday, 9)))
        bring_announcements(db, rng, team, meeting)
        if week == 0:
            budget = regular_budget
            if budget == "advised":
                budget = dashboard_store.capacity_forecast(db, team, at(monday, 11)).budget_for_norm
            team = set_regular_budget(db, team, budget, at(monday, 12))
        if week < forecast_weeks:
            season.forecasts.append(dashboard_store.capacity_forecast(db, team, at(monday, 13)))
        assert scheduler.freeze_agendas(db, at(monday, 13, 30)) == 1
        hold_recording(db, chair, team, meeting_store.get_meeting(db, team_id, meeting["id"]), recorder)
    breaches = [due + timedelta(days=1) for reference, due in at_risk.items()
                if not db.execute("""SELECT 1 FROM client_evaluations e JOIN clients c ON c.id = e.client_id
                    WHERE c.team_id = ? AND c.reference = ? AND e.evaluated_on <= ?""",
                                  [team_id, reference, due.isoformat()]).fetchone()
                and due + timedelta(days=1) <= season.start + timedelta(weeks=LEGAL_WEEKS)]
    season.first_breach = min(breaches, default=None)
    season.path, season.team_id = str(path), team_id
    db.close()
    return season


def spread(share: float):
    """Whether the next review records an evaluation with the client: `share` of them, spread evenly (7 of 10: the
    2nd, 3rd, 5th, 6th, 8th, 9th and 10th ...)."""
    count = 0

    def records() -> bool:
        nonlocal count
        count += 1
        return int(count * share) > int((count - 1) * share)
    return records


def catch_up(db, team_id: int, day: date) -> None:
    """Each regiebehandelaar records, from their worklist, the evaluations with the client it lists on `day`."""
    from meeting.core import client_evaluation
    from meeting.store import client_evaluations as evaluation_store
    team = team_store.get_team(db, team_id)
    clinicians = [r[0] for r in db.execute("SELECT DISTINCT clinician_id FROM clients WHERE team_id = ?", [team_id])]
    for clinician in clinicians:
        rows = evaluation_store.worklist_rows(db, Actor(clinician), team_id, client_evaluation.worklist_until(day),
                                              at(day, 8), clinician)
        for entry in client_evaluation.worklist(rows, day, team["timezone"]):
            evaluation_store.record_outside_meeting(db, Actor(clinician), team_id, entry.client_id,
                                                    {"evaluated_with_client_on": day.isoformat()}, at(day, 8))


def hold_recording(db, chair: Actor, team: dict, meeting: dict, records) -> None:
    """`hold`, a review recording an evaluation with the client that day when `records()` says so."""
    now = datetime.fromisoformat(meeting["starts_at"])
    day = evaluations.local_day(meeting["starts_at"], team["timezone"])
    running_store.start_meeting(db, team["id"], meeting["id"], now)
    decision_store.approve_consent_block(db, chair, meeting["id"], team["id"], now)
    for row in item_store.agenda_items(db, chair, team["id"], meeting["id"]):
        item = item_store.get_item(db, chair, team["id"], row["id"])
        form = REVIEW | ({"evaluated_with_client_on": day.isoformat()} if records() else {})
        decision_store.decide(db, chair, team, item, form, day, now, None)
    running_store.end_meeting(db, team["id"], meeting["id"], now + timedelta(minutes=90))


@pytest.fixture(scope="module")
def legal_seasons(tmp_path_factory) -> dict:
    """A year at half the default budget and at the default with 70% of reviews recording an evaluation with the
    client; at the advised budget with every review recording one; and 400 clients at the default."""
    tmp_path = tmp_path_factory.mktemp("legal")
    played = {"half": play_legal(tmp_path, 30, 0.7, forecast_weeks=13), "default": play_legal(tmp_path, 60, 0.7),
              "advised": play_legal(tmp_path, "advised", 1.0),
              "400": play_legal(tmp_path, 60, 0.7, clients=CLIENTS_MORE)}
    for name, season in played.items():
        for made, f in enumerate(season.forecasts):
            law = f.with_client
            print(f"\n{name}: forecast at week {made} ({f.slots} slots, share {law and law.share:.2f}, advised"
                  f" {f.budget_for_norm} then {f.budget_to_keep}); breach {law and law.breach}"
                  f" (in {law and law.breach_weeks} weeks, about {law and law.at_risk}); simulated "
                  f"{season.first_breach}")
            for weeks, point, past in zip(CHECKPOINT_WEEKS, f.checkpoints, law.past if law else ()):
                at_week = made + weeks
                if at_week < len(season.past_norm):
                    print(f"  +{weeks:2d}: norm {point.past_norm:3d}/{season.past_norm[at_week]:3d} team legal"
                          f" {point.past_legal:3d}/{season.past_legal[at_week]:3d} with client {past:3d}/"
                          f"{season.past_with_client[at_week]:3d}")
    return played


CHECKPOINT_WEEKS = (0, 4, 13, 26)


def test_at_half_budget_the_line_warns_of_the_first_legal_breach_weeks_ahead_with_its_date(legal_seasons):
    """The demo's meetings tell the pace on the demo day; from then on, every week's line names the day the first
    client passes 12 months without an evaluation with the client, at least 8 weeks ahead, and it happens then."""
    season = legal_seasons["half"]
    first = season.forecasts[0].with_client
    assert first is not None and first.breach is not None and (first.breach - season.start).days >= 8 * 7
    assert season.first_breach == first.breach
    for made, forecast in enumerate(season.forecasts):
        if season.start + timedelta(weeks=made) < season.first_breach:
            assert forecast.with_client.breach == season.first_breach, made


@pytest.mark.parametrize("name", ["half", "default", "400"])
@pytest.mark.parametrize("weeks", [4, 13, 26])
def test_a_forecast_made_at_week_1_holds_within_2_clients(legal_seasons, name, weeks):
    season = legal_seasons[name]
    forecast = season.forecasts[1]
    point = next(p for p in forecast.checkpoints if p.weeks == weeks)
    assert abs(point.past_norm - season.past_norm[1 + weeks]) <= 2
    assert abs(point.past_legal - season.past_legal[1 + weeks]) <= 2
    assert abs(forecast.with_client.past[CHECKPOINT_WEEKS.index(weeks)] - season.past_with_client[1 + weeks]) <= 2


def test_at_the_advised_budget_nobody_passes_12_months_without_an_evaluation_with_the_client(legal_seasons):
    season = legal_seasons["advised"]
    assert season.first_breach is None
    assert all(later <= earlier for earlier, later in zip(season.past_with_client, season.past_with_client[1:]))


@pytest.mark.parametrize("name", ["half", "default", "advised", "400"])
def test_the_worklist_and_the_dashboard_agree_with_the_database_every_week(legal_seasons, name):
    season = legal_seasons[name]
    assert season.worklist_overdue == season.past_with_client == season.dashboard_overdue


def test_the_dashboard_over_http_agrees_with_the_store(legal_seasons):
    """The manager's dashboard (the app on the season's database, today as the clock says) shows the overdue count of
    the evaluation with the client that the store and the raw rows give."""
    import re

    from meeting import create_app
    from meeting.ops.demo import DEMO_PASSWORD
    from meeting.store import client_evaluations as evaluation_store
    from tests.conftest import Browser
    season = legal_seasons["half"]
    app = create_app({"TESTING": True, "DATABASE": season.path, "SECRET_KEY": "test", "LOGIN_LIMIT": "1000 per minute"})
    manager = Browser(app.test_client())
    assert manager.login("manager@fact-noord.example", DEMO_PASSWORD).status_code == 302
    page = manager.get(f"/teams/{season.team_id}/dashboard").text
    shown = int(re.search(r'id="with-client-overdue">(\d+)<', page).group(1))
    db = connect(season.path)
    today = evaluations.local_day(datetime.now(AMSTERDAM), "Europe/Amsterdam")
    stored = evaluation_store.legal_minimum_today(db, [season.team_id], today)["total"]["overdue"]
    raw = with_client_overdue_raw(db, season.team_id, today + timedelta(days=1))
    db.close()
    assert shown == stored == raw and shown > 0


def test_the_pull_forward_is_fair(legal_seasons):
    """At the advised budget the freeze reviews more clients a week than fall due: it takes those due soonest, so
    once the backlog is gone every client waits about as long as every other between two reviews."""
    season = legal_seasons["advised"]
    db = connect(season.path)
    reviews = db.execute("""SELECT client_id, held_on FROM evaluations WHERE team_id = ? AND held_on >= ?
        ORDER BY client_id, held_on""", [season.team_id, (season.start + timedelta(weeks=13)).isoformat()]).fetchall()
    per_meeting = db.execute("""SELECT count(*) FROM evaluations WHERE team_id = ? AND held_on >= ?
        GROUP BY held_on""", [season.team_id, season.start.isoformat()]).fetchall()
    db.close()
    slots = max(count for count, in per_meeting)
    waits = [(date.fromisoformat(later) - date.fromisoformat(earlier)).days / 7
             for (client, earlier), (same, later) in zip(reviews, reviews[1:]) if client == same]
    cycle = client_store_active(season) / slots
    print(f"\npull-forward: {slots} reviews a week, a cycle of {cycle:.1f} weeks; "
          f"waits {min(waits)}-{max(waits)} weeks")
    assert waits and all(cycle - 2 <= wait <= cycle + 2 for wait in waits)


def client_store_active(season: LegalSeason) -> int:
    db = connect(season.path)
    active = client_store.count_active(db, season.team_id)
    db.close()
    return active
