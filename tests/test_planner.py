"""The chair's planner: order, budgets, deferrals, due reviews, capacity, meeting changes."""
import math
import re
from datetime import date, timedelta

from meeting.ops import scheduler
from meeting.ops.demo import build_demo
from meeting.store import items as item_store
from meeting.store.audit import Actor
from meeting.store.db import utcnow
from meeting.store.now import team_today
from tests.conftest import make_item


def today() -> date:
    """The team's today on the app's one clock (which --now moves)."""
    return team_today("Europe/Amsterdam")


def plan_url(world, suffix=""):
    return f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/plan{suffix}"


def add(db, world, **changes):
    return item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                               make_item(**changes))


def positions(db, world, track):
    return [r[0] for r in db.execute("SELECT title FROM items WHERE meeting_id = ? AND track = ? AND state = 'planned'"
                                     " ORDER BY position", [world["meeting_a"], track])]


def test_only_the_chair_opens_the_planner(as_user, world):
    assert as_user("chair.a@example.org").get(plan_url(world)).status_code == 200
    assert as_user("member.a@example.org").get(plan_url(world)).status_code == 403


def test_chair_reorders_within_a_track_in_place(as_user, world, db):
    add(db, world, title="Second review")
    chair = as_user("chair.a@example.org")
    second = db.execute("SELECT id FROM items WHERE title = 'Second review'").fetchone()[0]
    response = chair.post(plan_url(world, f"/items/{second}/move"), {"direction": "up"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="planner"' in response.text and "<html" not in response.text
    assert positions(db, world, "regular") == ["Second review", "Continue or step down?"]


def test_over_budget_track_is_marked_and_deferral_proposed_keeping_the_most_overdue(as_user, world, db):
    db.execute("UPDATE meetings SET regular_budget = 10 WHERE id = ?", [world["meeting_a"]])
    add(db, world, title="Team matter", minutes=8)  # no client: not overdue at all
    page = as_user("chair.a@example.org").get(plan_url(world)).text
    assert "3 minutes over budget" in page
    proposal = page.split('id="deferral-proposal"')[1].split("</section>")[0]
    assert "Team matter" in proposal and "Continue or step down?" not in proposal


def test_chair_defers_with_a_reason_and_the_item_is_carried_over(as_user, world, db):
    chair = as_user("chair.a@example.org")
    refused = chair.post(plan_url(world, f"/items/{world['item_a']}/defer"), {"reason": " "})
    assert refused.status_code == 302
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "planned"
    chair.post(plan_url(world, f"/items/{world['item_a']}/defer"), {"reason": "No time"})
    original = db.execute("SELECT state, deferred_reason FROM items WHERE id = ?", [world["item_a"]]).fetchone()
    copy = db.execute("SELECT meeting_id, carried_over, state FROM items WHERE origin_item_id = ?",
                      [world["item_a"]]).fetchone()
    assert original == ("deferred", "No time")
    assert copy[0] != world["meeting_a"] and copy[1:] == (1, "planned")


def test_chair_changes_minutes_and_bad_minutes_change_nothing(as_user, world, db):
    chair = as_user("chair.a@example.org")
    chair.post(plan_url(world, f"/items/{world['item_a']}/minutes"), {"minutes": "12"})
    chair.post(plan_url(world, f"/items/{world['item_a']}/minutes"), {"minutes": "-3"})
    assert db.execute("SELECT minutes FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == 12


def test_chair_moves_an_item_to_another_meeting(as_user, world, db):
    chair = as_user("chair.a@example.org")
    scheduler.create_meetings(db, utcnow())  # the schedule
    target = db.execute("SELECT id FROM meetings WHERE team_id = ? AND id != ? ORDER BY starts_at LIMIT 1",
                        [world["team_a"], world["meeting_a"]]).fetchone()[0]
    chair.post(plan_url(world, f"/items/{world['item_a']}/meeting"), {"target": target})
    assert db.execute("SELECT meeting_id FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == target


def test_a_due_review_is_added_in_one_click_for_the_responsible_clinician(as_user, world, db):
    item_store.set_item_state(db, world["team_a"], world["item_a"], "withdrawn")
    chair = as_user("chair.a@example.org")
    page = chair.get(plan_url(world)).text
    due = page.split('id="due-reviews"')[1].split("</section>")[0]
    assert "A-001" in due and "days overdue" in due
    chair.post(plan_url(world, f"/due/{world['client_a']}"), headers={"HX-Request": "true"})
    row = db.execute("SELECT presenter_id, track, client_id FROM items WHERE state = 'planned' AND meeting_id = ?"
                     " ORDER BY id DESC", [world["meeting_a"]]).fetchone()
    assert row == (world["member_a"], "regular", world["client_a"])
    after = chair.get(plan_url(world)).text.split('id="due-reviews"')[1].split("</section>")[0]
    assert "A-001" not in after  # on the agenda now, no longer offered


def test_cancelling_a_meeting_moves_its_items_to_the_next(as_user, world, db):
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/cancel")
    assert response.status_code == 302
    state = db.execute("SELECT state FROM meetings WHERE id = ?", [world["meeting_a"]]).fetchone()[0]
    moved_to = db.execute("SELECT meeting_id FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0]
    assert state == "cancelled" and moved_to != world["meeting_a"]


def test_chair_moves_a_meeting_and_its_deadline(as_user, world, db):
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    as_user("chair.a@example.org").post(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/move",
                                        {"day": day, "time": "09:00"})
    starts, deadline = db.execute("SELECT starts_at, deadline_at FROM meetings WHERE id = ?",
                                  [world["meeting_a"]]).fetchone()
    assert starts.startswith(day) and deadline < starts


def test_chair_adds_an_extra_meeting_and_bad_dates_are_refused(as_user, world, db):
    chair = as_user("chair.a@example.org")
    before = db.execute("SELECT count(*) FROM meetings").fetchone()[0]
    chair.post(f"/teams/{world['team_a']}/meetings/extra", {"day": "2001-01-01", "time": "10:00"})
    chair.post(f"/teams/{world['team_a']}/meetings/extra", {"day": "not a day", "time": "10:00"})
    assert db.execute("SELECT count(*) FROM meetings").fetchone()[0] == before
    chair.post(f"/teams/{world['team_a']}/meetings/extra",
               {"day": (today() + timedelta(days=20)).isoformat(), "time": "10:00"})
    assert db.execute("SELECT count(*) FROM meetings WHERE is_extra = 1").fetchone()[0] == 3


def test_capacity_line_for_the_demo_team_matches_a_hand_computation(app, db):
    """245 active clients, reviewed every 6 months (26 weeks): 245 / 26 = 9.4 → 10 reviews a week.
    The regular budget of 60 minutes, minus the average minutes of other regular items in the last 8
    meetings (the demo's questions that were not reached), fits floor((60 - other) / 10) reviews."""
    team_id = build_demo(db, today())
    other = sum(r[0] for r in db.execute("""SELECT i.minutes FROM items i JOIN meetings m ON m.id = i.meeting_id
        WHERE m.id IN (SELECT id FROM meetings WHERE team_id = ? AND state = 'closed' ORDER BY starts_at DESC LIMIT 8)
        AND i.track = 'regular' AND i.id NOT IN (SELECT item_id FROM evaluations)""", [team_id])) / 8
    slots = math.floor((60 - other) / 10)
    from tests.conftest import Browser
    chair = Browser(app.test_client())
    chair.login("voorzitter@fact-noord.example", "open-tafel-demo")
    page = chair.get(f"/teams/{team_id}/settings").text
    line = re.search(r'id="capacity-line">([^<]+)<', page).group(1)
    assert line == f"{slots} of the 10 reviews a week that the norm needs fit in the budget: not achievable."
    assert f"minus {round(other)} minutes of other regular items" in page
    assert 'id="capacity-forecast"' in page and "past 12 months without a team review" in page


def test_reordering_skips_announcements_in_the_consent_block(as_user, world, db):
    add(db, world, title="Regular announcement", label="announcement")
    last = add(db, world, title="Third review")
    as_user("chair.a@example.org").post(plan_url(world, f"/items/{last}/move"), {"direction": "up"})
    shown = [t for t in positions(db, world, "regular") if t != "Regular announcement"]
    assert shown == ["Third review", "Continue or step down?"]


def test_demo_clients_are_held_by_a_regiebehandelaar_only(db):
    """A regiebehandelaar is a psychiatrist, psychologist or nurse specialist; never the peer expert or IPS worker."""
    team_id = build_demo(db, today())
    holders = {r[0] for r in db.execute("""SELECT DISTINCT u.name FROM clients c JOIN users u ON u.id = c.clinician_id
        WHERE c.team_id = ?""", [team_id])}
    assert holders and all(re.search(r"\((psychiater|GZ-psycholoog|klinisch psycholoog|verpleegkundig specialist "
                                     r"GGZ)\)$",
                                     name) for name in holders), holders
    names = {r[0] for r in db.execute("SELECT name FROM users")}
    assert not {n for n in names if re.search(r"\((nurse|psychiatrist|psychologist|peer support|case manager)", n)}
