"""The managers' figures on a small history built by hand; every expected number is worked out below."""
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from meeting.core import dashboard as dashboard_rules
from meeting.core import register
from meeting.core.clients import ClientInput
from meeting.ops.demo import DEMO_PASSWORD, build_demo, demo_email
from meeting.store import calendar, history
from meeting.store import clients as client_store
from meeting.store import dashboard as dashboard_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor
from meeting.store.history import PastItem, PastMeeting
from tests.conftest import Browser, today

START, END, TODAY = date(2026, 1, 1), date(2026, 6, 30), date(2026, 11, 24)


@pytest.fixture
def audit_team(db):
    """Team R (meetings of 20 minutes, budgets 10/10, interval 6 months), two clinicians, five clients,
    and two closed meetings in the first half of 2026."""
    team_id = team_store.create_team(db, "Team R")
    team_store.update_settings(db, team_id, {"meeting_minutes": 20, "acute_budget": 10, "regular_budget": 10})
    n1 = user_store.create_user(db, "n1@example.org", "Nurse One")
    n2 = user_store.create_user(db, "n2@example.org", "Nurse Two")
    for user_id in (n1, n2):
        team_store.set_role(db, team_id, user_id, "member")
    c1, c2, c3, c4, c5 = client_store.add_clients(db, Actor(None), team_id, [
        ClientInput("C1", n1, date(2024, 1, 1), date(2026, 3, 1)),   # evaluated in the period
        ClientInput("C2", n1, date(2025, 3, 1), date(2025, 9, 15)),  # due 2026-03-15, not evaluated
        ClientInput("C3", n2, date(2026, 2, 1), None),               # new: due only 2026-08-01
        ClientInput("C4", n2, date(2023, 5, 1), date(2025, 2, 1)),   # due since 2025-08-01
        ClientInput("C5", n2, date(2024, 6, 1), date(2025, 6, 1)),   # finished before the period
    ])
    db.execute("UPDATE clients SET status = 'finished', finished_on = '2025-12-01' WHERE id = ?", [c5])
    db.execute("UPDATE clients SET last_continuation_decision = '2026-06-01' WHERE id = ?", [c4])
    team = team_store.get_team(db, team_id)
    history.insert_meetings(db, team, [
        PastMeeting(datetime(2026, 2, 3, 12, 30, tzinfo=UTC), [
            PastItem(n1, "acute", "issue", "Crisis", 10, 1300, bells=2, exemplary_situation="aggression",
                     outcome="continue_adjusted"),
            PastItem(n2, "regular", "question", "Not reached", 5, 0, state="deferred", carried_over=1),
        ], borrowed_minutes=5),
        PastMeeting(datetime(2026, 3, 1, 12, 30, tzinfo=UTC), [
            PastItem(n1, "regular", "issue", "Evaluation C1", 10, 600, client_id=c1, bells=1,
                     outcome="continue_adjusted", evaluation_on=date(2026, 3, 1)),
            PastItem(n2, "acute", "announcement", "Leave", 2, 60),
            PastItem(n2, "acute", "question", "Talked, then deferred", 5, 300, state="deferred"),
        ], ratings=[(n1, 4, 5, 3), (n2, 2, 3, 5)]),
    ])
    db.execute("UPDATE evaluations SET previous_evaluation = '2025-09-01' WHERE client_id = ?", [c1])
    return team_id


def audit_timelines(db, team_id):
    return calendar.timelines(db, team_id)


def both_audits(db, team_id, start=START, end=END) -> register.PeriodAudit:
    """The period audit counted by the store over the stored calendar, checked against the core's own."""
    calendar.refresh_stale(db)
    counted = dashboard_store.period_audit(db, [team_id], start, end)
    assert counted == register.period_audit(audit_timelines(db, team_id), start, end)
    return counted


def test_the_period_audit_counts_clients_due_and_how_their_reviews_went(db, audit_team):
    audit = both_audits(db, audit_team)
    # due in the first half of 2026: C1 (registered review 2025-09-01 → 2026-03-01, reviewed 2026-03-01: in
    # time), C2 (→ 2026-03-15, not reviewed), C4 (→ 2025-08-01: already overdue at the start, not reviewed).
    # Not C3 (→ 2026-08-01) nor C5 (finished 2025-12-01). One review held.
    # Active on 30 June: C1-C4. Within 6 months: C1 (2026-03-01), C3 (new). Within 12 months: also C2.
    assert audit == register.PeriodAudit(due=3, overdue_at_start=1, in_time=1, late=0, not_reviewed=2,
                                         reviews_held=1, active_at_end=4, within_norm_at_end=2,
                                         within_legal_at_end=3)


def test_a_review_after_its_due_date_is_late(db, audit_team):
    # C1 was due 2026-03-01 and reviewed that day; seen from a period whose reviews C1 missed by a day it is late
    c1 = db.execute("SELECT id FROM clients WHERE reference = 'C1'").fetchone()[0]
    db.execute("UPDATE evaluations SET held_on = '2026-03-02' WHERE client_id = ?", [c1])
    audit = both_audits(db, audit_team)
    assert (audit.due, audit.in_time, audit.late, audit.not_reviewed) == (3, 0, 1, 2)


def test_overdue_list_with_days_overdue(db, audit_team):
    calendar.refresh_stale(db)
    rows, total = dashboard_store.overdue(db, [audit_team], TODAY)
    # due dates: C4 2025-08-01 (480 days before 24 Nov 2026), C2 2026-03-15 (254), C3 2026-08-01 (115),
    # C1 2026-09-01 (84)
    assert [(r["reference"], r["clinician"], r["due"], r["days_overdue"]) for r in rows] == [
        ("C4", "Nurse Two", "2025-08-01", 480), ("C2", "Nurse One", "2026-03-15", 254),
        ("C3", "Nurse Two", "2026-08-01", 115), ("C1", "Nurse One", "2026-09-01", 84)]
    assert total == 4 and dashboard_store.overdue(db, [audit_team], TODAY, limit=2) == (rows[:2], 4)


def test_clients_past_one_or_two_years_without_a_continuation_decision(db, audit_team):
    calendar.refresh_stale(db)
    rows, total = dashboard_store.milestones(db, [audit_team], TODAY)
    # C1: 2 years 10 months, never decided → two_year. C2: 1 year 8 months → one_year.
    # C4: 3 years, decided 2026-06-01 after its mark 2026-05-01 → not listed. C3: under a year.
    assert [(r["reference"], r["years"], r["milestone"]) for r in rows] == [("C1", 2, "two_year"),
                                                                            ("C2", 1, "one_year")]
    assert total == 2 and dashboard_store.milestones(db, [audit_team], TODAY, limit=1) == (rows[:1], 2)


def clinicians(db, team_id, limit=None):
    """The dashboard's clinicians' table: today's counts per clinician, with the period's reviews held."""
    listed, total = dashboard_store.clinicians_today(db, [team_id], TODAY, limit)
    held = dashboard_store.reviews_per_clinician(db, [team_id], START, END)
    return [r | {"held": held.get(r["clinician_id"], 0)} for r in listed], total


def test_per_clinician(db, audit_team):
    rows, total = clinicians(db, audit_team)
    assert [(r["clinician"], r["clients"], r["held"], r["overdue"]) for r in rows] == [
        ("Nurse One", 2, 1, 2), ("Nurse Two", 2, 0, 2)] and total == 2
    db.execute("UPDATE clients SET next_evaluation_on = '2099-01-01' WHERE reference = 'C2'")  # Nurse One: 1 overdue
    top, total = clinicians(db, audit_team, limit=1)
    assert [(r["clinician"], r["held"], r["overdue"]) for r in top] == [("Nurse Two", 0, 2)] and total == 2


def test_meeting_time_planned_used_borrowed_and_overrun(db, audit_team):
    totals = dashboard_rules.time_totals(dashboard_store.period_figures(db, [audit_team], START, END))
    # acute planned 10 + 2 + 5 = 17 min; used 1300 + 60 + 300 s. regular planned 5 + 10 = 15 min; used 600 s.
    # the first meeting used 1300 s of its 1200: overrun; the second 960 s: not.
    assert totals == {"acute_planned_seconds": 1020, "acute_used_seconds": 1660, "regular_planned_seconds": 900,
                      "regular_used_seconds": 600, "borrowed_minutes": 5, "overrun": 1, "meetings": 2}


def test_process_figures(db, audit_team):
    process = dashboard_rules.process(dashboard_store.period_figures(db, [audit_team], START, END))
    # discussed: crisis, evaluation C1, the announcement, the talked-then-deferred question = 4; decided 3.
    assert (process["meetings"], process["discussed"], process["decided"]) == (2, 4, 3)
    assert dashboard_rules.share(process["decided"], process["discussed"]) == 75
    assert (process["deferred"], process["deferred_again"], process["bells"]) == (2, 1, 3)
    assert {(r["track"], r["label"]): r["items"] for r in process["items"]} == {
        ("acute", "announcement"): 1, ("acute", "issue"): 1, ("acute", "question"): 1,
        ("regular", "issue"): 1, ("regular", "question"): 1}
    assert (process["ratings"]["kept_process"], process["ratings"]["ended_in_decisions"],
            process["ratings"]["time_well_spent"]) == (3.0, 4.0, 4.0)
    assert [(t["situation"], t["items"]) for t in process["tags"]] == [("aggression", 1)]


def test_weekly_trend_groups_by_monday_with_the_shares_at_each_week_end(db, audit_team):
    calendar.refresh_stale(db)
    days = dashboard_rules.trend_days(START, END, False)
    trend = dashboard_rules.trend(dashboard_store.register_points(db, [audit_team], days),
                                  dashboard_store.trend_meetings(db, [audit_team], START, END),
                                  dashboard_store.reviews_by_day(db, [audit_team], START, END), False)
    assert len(trend) == 27 and trend[0]["week"] == "2025-12-29" and trend[-1]["week"] == "2026-06-29"
    by_week = {w["week"]: w for w in trend}
    assert {k: by_week["2026-02-02"][k] for k in ("held", "meetings", "bells", "discussed", "decided")} == {
        "held": 0, "meetings": 1, "bells": 2, "discussed": 1, "decided": 1}
    assert {k: by_week["2026-02-23"][k] for k in ("held", "meetings", "bells", "discussed", "decided")} == {
        "held": 1, "meetings": 1, "bells": 1, "discussed": 3, "decided": 2}
    assert sum(w["meetings"] for w in trend) == 2 and sum(w["held"] for w in trend) == 1
    # Sunday 4 January: C1, C2, C4 in treatment (C3 starts in February); C4 past 6 months, nobody past 12
    assert (trend[0]["active"], trend[0]["within_norm"], trend[0]["within_legal"]) == (3, 2, 3)
    # Tuesday 30 June, the period's end: as in the audit
    assert (trend[-1]["active"], trend[-1]["within_norm"], trend[-1]["within_legal"]) == (4, 2, 3)


def test_the_weekly_shares_agree_with_the_calendar_day_by_day(db, audit_team):
    """The trend counts intervals; asked per day through `within`, every week end gives the same counts."""
    timelines = audit_timelines(db, audit_team)
    calendar.refresh_stale(db)
    days = register.week_ends(date(2025, 6, 1), date(2026, 11, 30))
    assert dashboard_store.register_points(db, [audit_team], days) == register.share_trend(
        timelines, date(2025, 6, 1), date(2026, 11, 30))
    for point in register.share_trend(timelines, date(2025, 6, 1), date(2026, 11, 30)):
        active = [t for t in timelines if t.active_on(point.day)]
        assert (point.active, point.within_norm, point.within_legal) == (
            len(active), sum(t.within(6, point.day) for t in active), sum(t.within(12, point.day) for t in active))


@pytest.mark.parametrize("raw_from, raw_to, problem", [
    ("2026-01-01", "2026-06-30", None),
    ("2026-07-01", "2026-06-30", "start lies after"),
    ("yesterday", "2026-06-30", "two dates"),
    ("2016-01-01", "2026-06-30", "five years"),
])
def test_period_validation(raw_from, raw_to, problem):
    start, end, message = dashboard_rules.period(raw_from, raw_to, TODAY)
    assert (message is None) if problem is None else (problem in message)


def test_bars_scale_to_the_highest_value():
    bars = dashboard_rules.bars([("a", 2), ("b", 4), ("c", 0)], width=300, height=100)
    assert [(b.height, b.y) for b in bars] == [(50, 50), (100, 0), (0, 100)]
    assert dashboard_rules.bars([]) == []


def test_manager_dashboard_shows_the_figures_and_logs_the_view(as_user, world, db, audit_team):
    user_id = user_store.create_user(db, "boss@example.org", "Boss", "correct horse battery")
    team_store.set_role(db, audit_team, user_id, "manager")
    manager = as_user("boss@example.org")
    page = manager.get(f"/teams/{audit_team}/dashboard?from=2026-01-01&to=2026-06-30")
    assert page.status_code == 200
    assert 'id="clients-due">3<' in page.text and 'id="reviewed-in-time">1<' in page.text
    assert 'id="not-reviewed">2<' in page.text and 'id="reviews-held">1<' in page.text
    assert 'id="decision-share">75%<' in page.text
    assert "held / due" not in page.text  # reviews are never divided by clients
    assert "C4" in page.text and "<svg" in page.text
    [(log_id, team_id, detail)] = db.execute("""SELECT id, team_id, detail FROM access_log WHERE user_id = ?
        AND action = 'dashboard'""", [user_id]).fetchall()
    assert team_id == audit_team and detail == f"page team={audit_team} period=2026-01-01..2026-06-30 clients=4"
    shown = db.execute("""SELECT c.reference FROM access_log_clients s JOIN clients c ON c.id = s.client_id
        WHERE s.log_id = ? ORDER BY c.reference""", [log_id]).fetchall()
    assert [r[0] for r in shown] == ["C1", "C2", "C3", "C4"]  # every reference shown (overdue, milestones) once
    csv = manager.get(f"/teams/{audit_team}/dashboard/overdue.csv")
    assert csv.mimetype == "text/csv" and csv.text.splitlines()[1].startswith("Team R,C4,Nurse Two,2025-08-01,")
    exported = db.execute("""SELECT count(*) FROM access_log l JOIN access_log_clients s ON s.log_id = l.id
        WHERE l.user_id = ? AND l.detail LIKE 'overdue.csv %'""", [user_id]).fetchone()[0]
    assert exported == len(csv.text.splitlines()) - 1  # each client in the file


def test_dashboard_is_for_managers_only_and_shows_no_clinical_text(as_user, world, db):
    assert as_user("chair.a@example.org").get(f"/teams/{world['team_a']}/dashboard").status_code == 403
    assert as_user("member.a@example.org").get("/dashboard").status_code == 404
    page = as_user("manager.a@example.org").get("/dashboard")
    assert page.status_code == 200
    assert "Continue or step down?" not in page.text and "A decision on continuing" not in page.text


def test_the_weekly_shares_agree_with_the_calendar_for_reviews_month_ends_and_finishing():
    D = date.fromisoformat
    timelines = [
        register.Timeline(1, "A", 1, 6, D("2024-01-31"), reviews=(register.Review(D("2024-08-31")),
                                                                  register.Review(D("2025-02-28")))),
        register.Timeline(2, "B", 1, 6, D("2023-05-01"), finished_on=D("2025-03-02"),
                          registered_evaluation=D("2024-06-30")),
        register.Timeline(3, "C", 1, 3, D("2024-11-30"), reviews=(register.Review(D("2025-01-31")),)),
        register.Timeline(4, "D", 1, 12, D("2022-02-28"), registered_evaluation=D("2024-02-29"),
                          reviews=(register.Review(D("2025-03-31"), D("2025-06-30")),)),
    ]
    start, end = D("2024-06-01"), D("2025-12-31")
    points = register.share_trend(timelines, start, end)
    assert len(points) == len(register.week_ends(start, end)) and points[-1].day == end
    for point in points:
        active = [t for t in timelines if t.active_on(point.day)]
        assert (point.active, point.within_norm, point.within_legal) == (
            len(active), sum(t.within(t.norm_months, point.day) for t in active),
            sum(t.within(12, point.day) for t in active)), point.day


def test_charts_over_more_than_a_year_show_months_with_summed_counts_and_the_months_last_shares():
    start, end = date(2024, 1, 1), date(2025, 2, 23)  # Monday 1 January 2024 to a Sunday: 60 weeks
    assert not dashboard_rules.monthly(start, date(2024, 12, 31)) and dashboard_rules.monthly(start, end)
    weekly = dashboard_rules.trend_days(start, end, monthly=False)
    monthly = dashboard_rules.trend_days(start, end, monthly=True)
    assert len(weekly) == 60 and len(monthly) == 14
    assert monthly[:2] == [date(2024, 2, 4), date(2024, 3, 3)]  # the weeks of Monday 29 January, of 26 February
    points = [register.SharePoint(day, 100 + k, 50 + k, 90) for k, day in enumerate(monthly)]
    # Thursday 1 February 2024 is in the week of Monday 29 January: January's; Sunday 3 March in February's last week
    meeting_days = [("2024-01-02", 1, 2, 4, 3), ("2024-01-30", 1, 0, 4, 3), ("2024-02-01", 1, 1, 4, 3),
                    ("2024-03-03", 1, 1, 1, 1), ("2025-02-20", 2, 0, 8, 8)]
    held = [("2024-02-01", 2), ("2024-01-08", 3), ("2025-02-23", 1)]
    months = dashboard_rules.trend(points, meeting_days, held, True)
    assert [m["week"] for m in months][:3] == ["2024-01", "2024-02", "2024-03"] and months[-1]["week"] == "2025-02"
    assert months[0] == {"week": "2024-01", "held": 5, "meetings": 3, "bells": 3, "discussed": 12, "decided": 9,
                         "active": 100, "within_norm": 50, "within_legal": 90}
    assert (months[1]["meetings"], months[1]["bells"], months[2]["meetings"]) == (1, 1, 0)
    assert (months[-1]["meetings"], months[-1]["held"], months[-1]["active"]) == (2, 1, 113)
    weeks = dashboard_rules.trend([register.SharePoint(day, 1, 1, 1) for day in weekly], meeting_days, [], False)
    assert [(w["week"], w["meetings"]) for w in weeks if w["meetings"]] == [
        ("2024-01-01", 1), ("2024-01-29", 2), ("2024-02-26", 1), ("2025-02-17", 2)]


def test_the_rating_trend_averages_over_the_raters_of_each_week_or_month():
    days = [("2024-01-30", 2, 8, 6, 10, 8), ("2024-02-01", 1, 1, 1, 1, 1), ("2024-02-06", 1, 5, 5, 5, 5)]
    assert dashboard_rules.rating_trend(days, monthly=False) == [
        {"week": "2024-01-29", "raters": 3, "heard": 3.0, "goals": 7 / 3, "approach": 11 / 3, "overall": 3.0},
        {"week": "2024-02-05", "raters": 1, "heard": 5.0, "goals": 5.0, "approach": 5.0, "overall": 5.0}]
    assert dashboard_rules.rating_trend(days, monthly=True) == [  # 1 February counts in January's last week
        {"week": "2024-01", "raters": 3, "heard": 3.0, "goals": 7 / 3, "approach": 11 / 3, "overall": 3.0},
        {"week": "2024-02", "raters": 1, "heard": 5.0, "goals": 5.0, "approach": 5.0, "overall": 5.0}]




def test_the_first_screens_answers_are_counts_with_their_denominators_over_the_teams():
    north = dashboard_rules.headline("North", active=40, within_norm=30, norm_months=6, overdue=5, slots=2)
    south = dashboard_rules.headline("South", active=10, within_norm=10, norm_months=3, overdue=0, slots=0)
    assert north.achievable and not south.achievable
    legal = {"active": 50, "evaluated": 20, "not_yet_due": 8, "overdue": 22}
    process = {"meetings": 4, "bells": 7, "discussed": 30, "decided": 27}
    a = dashboard_rules.answers([north, south], legal, 5, process)
    assert (a.within_norm, a.active, a.norm_months) == (40, 50, "6/3")
    assert (a.teams_on_track, a.teams, a.on_track) == (1, 2, False)
    assert (a.evaluated_with_client, a.due_with_client) == (20, 42)  # due: a year or longer in treatment, or evaluated
    assert (a.overdue, a.bells, a.meetings, a.decided, a.discussed) == (5, 7, 4, 27, 30)


def test_today_and_a_period_that_ends_today_are_one_figure_after_a_review_dated_by_a_coming_meeting(app, db):
    """The chair runs tomorrow's meeting today (the review is dated by its meeting): the headline's "within the norm
    today" and the period block's "at the end of the period" (today) still name one number."""
    team_id = build_demo(db, today())
    manager, chair = Browser(app.test_client()), Browser(app.test_client())
    manager.login(demo_email("manager"), DEMO_PASSWORD)
    chair.login(demo_email("voorzitter"), DEMO_PASSWORD)

    def within_norm() -> dict[str, set]:
        shown = defaultdict(set)
        for name, value in re.findall(r'data-fact="(within-norm:[^"]+)">([^<]*)<',
                                      manager.get(f"/teams/{team_id}/dashboard").text):
            shown[name].add(value)
        return shown

    before = within_norm()
    meeting_id, starts_at = db.execute("SELECT id, starts_at FROM meetings WHERE team_id = ? AND state = 'planned'"
                                       " ORDER BY starts_at LIMIT 1", [team_id]).fetchone()
    client_id = db.execute("SELECT id FROM clients WHERE team_id = ? AND status = 'active' AND due_on < ?"
                           " ORDER BY due_on LIMIT 1", [team_id, today().isoformat()]).fetchone()[0]
    assert datetime.fromisoformat(starts_at).date() > today() - timedelta(days=1)
    base = f"/teams/{team_id}/meetings/{meeting_id}"
    chair.post(f"{base}/plan/due/{client_id}")
    for step in ("/run/start", "/run/consent"):
        chair.post(base + step)
    chair.post(base + "/run/phase", {"phase": "items"})
    chair.post(base + "/run/next")
    item_id = db.execute("SELECT current_item_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()[0]
    decided = chair.post(f"{base}/run/items/{item_id}/decide", {
        "answer": "Yes", "outcome": "continue_adjusted", "decision": "New goals", "needs_met": "yes",
        "continuation_answer": "Not yet stable", "colleague_invited": "yes"})
    assert decided.status_code == 302, decided.text
    after = within_norm()
    assert len(before) == len(after) == 1 and all(len(values) == 1 for values in after.values()), after
