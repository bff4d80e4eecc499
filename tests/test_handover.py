"""The step-down handover through the web and the scheduler: opened by the decision, on the next agendas
until done, and the client leaving the active count on the last-contact date, not before."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meeting.core.handover import POINTS
from meeting.core.i18n import plain
from meeting.ops import scheduler
from meeting.store import clients as client_store
from tests.test_run import HX, run_url, started_with_item, team_today

TZ = ZoneInfo("Europe/Amsterdam")
STEP_DOWN = {"answer": "Step down", "outcome": "step_down", "decision": "To the GP nurse", "needs_met": "yes",
             "continuation_answer": "Stable; the network carries", "colleague_invited": "no"}


def decided(as_user, world, outcome="step_down"):
    """Team A's weekly meeting decides its regular review of client A (step down by default)."""
    chair = started_with_item(as_user, world)
    response = chair.post(run_url(world, f"/items/{world['item_a']}/decide"), STEP_DOWN | {"outcome": outcome})
    assert response.status_code == 302, response.text
    return chair


def handover_of(db, world):
    return db.execute("SELECT id, version FROM handovers WHERE client_id = ?", [world["client_a"]]).fetchone()


def handover_url(world, handover_id):
    return f"/teams/{world['team_a']}/handovers/{handover_id}"


def client_row(db, world):
    return db.execute("SELECT status, finished_on FROM clients WHERE id = ?", [world["client_a"]]).fetchone()


def announcements(db, handover_id):
    """The handover's announcements: meeting, state, title (in English) and label."""
    return [(meeting, state, plain(title), label) for meeting, state, title, label in db.execute(
        """SELECT i.meeting_id, i.state, i.title, i.label FROM items i WHERE i.handover_id = ? ORDER BY i.id""",
        [handover_id]).fetchall()]


def checklist(version, points=POINTS, **changes):
    """A posted checklist with `points` done (the rest open), the warm handover's details and no gap."""
    today = team_today()
    form = {f"status_{p}": "done" if p in points else "open" for p in POINTS} | {
        "version": str(version), "receiving_care": "gp_nurse", "warm_meeting_on": today.isoformat(),
        "warm_attendees": "client, sister, POH-ggz, own nurse",
        "new_care_starts_on": (today + timedelta(days=3)).isoformat(),
        "last_contact_on": (today + timedelta(days=10)).isoformat()}
    return form | changes


def test_stepping_down_in_the_weekly_meeting_opens_a_handover_on_the_next_agenda(as_user, world, db):
    decided(as_user, world)
    handover_id, _ = handover_of(db, world)
    next_meeting = db.execute("""SELECT id FROM meetings WHERE team_id = ? AND kind = 'weekly' AND starts_at >
        (SELECT starts_at FROM meetings WHERE id = ?) AND state IN ('planned', 'frozen') ORDER BY starts_at LIMIT 1""",
                              [world["team_a"], world["meeting_a"]]).fetchone()[0]
    assert announcements(db, handover_id) == [(next_meeting, "planned", "Handover A-001: 0 of 6 points done",
                                               "announcement")]
    assert client_row(db, world) == ("active", None)  # a step down keeps the client until the last contact
    assert db.execute("SELECT count(*) FROM handover_points WHERE handover_id = ? AND status = 'open'",
                      [handover_id]).fetchone()[0] == 6


def test_a_review_that_continues_opens_no_handover(as_user, world, db):
    decided(as_user, world, outcome="continue_adjusted")
    assert handover_of(db, world) is None


def test_finishing_makes_the_decision_day_the_last_contact(as_user, world, db):
    decided(as_user, world, outcome="finish")
    day = meeting_day(db, world)  # a review is dated by the meeting it is held in
    assert client_row(db, world) == ("finished", day)
    row = db.execute("SELECT last_contact_on, client_left_on FROM handovers WHERE client_id = ?",
                     [world["client_a"]]).fetchone()
    assert row == (day, day)


def meeting_day(db, world) -> str:
    """The local (Amsterdam) date of team A's meeting."""
    starts_at = db.execute("SELECT starts_at FROM meetings WHERE id = ?", [world["meeting_a"]]).fetchone()[0]
    return datetime.fromisoformat(starts_at).astimezone(ZoneInfo("Europe/Amsterdam")).date().isoformat()


def test_points_are_ticked_and_the_agenda_shows_the_progress(as_user, world, db):
    decided(as_user, world)
    handover_id, version = handover_of(db, world)
    member = as_user("member.a@example.org")
    response = member.post(handover_url(world, handover_id), checklist(version, points=("stable", "network")))
    assert response.status_code == 302, response.text
    rows = dict(db.execute("SELECT point, status FROM handover_points WHERE handover_id = ?", [handover_id]).fetchall())
    assert [p for p in POINTS if rows[p] == "done"] == ["stable", "network"]
    assert announcements(db, handover_id)[0][2] == "Handover A-001: 2 of 6 points done"
    page = member.get(handover_url(world, handover_id)).text
    assert "2 of 6 points done" in page and "Last changed by member a" in page


def test_not_applicable_needs_a_note_and_nothing_is_saved_without_it(as_user, world, db):
    decided(as_user, world)
    handover_id, version = handover_of(db, world)
    member = as_user("member.a@example.org")
    response = member.post(handover_url(world, handover_id), checklist(version, status_network="not_applicable"))
    assert response.status_code == 400 and "Say in the note why this does not apply." in response.text
    assert handover_of(db, world)[1] == version


def test_two_people_saving_at_once_the_second_is_told(as_user, world, db):
    decided(as_user, world)
    handover_id, version = handover_of(db, world)
    first, second = as_user("member.a@example.org"), as_user("chair.a@example.org")
    assert first.post(handover_url(world, handover_id), checklist(version, points=("stable",))).status_code == 302
    late = second.post(handover_url(world, handover_id), checklist(version, points=("network",)))
    assert late.status_code == 409 and "Someone changed this handover meanwhile" in late.text


def test_a_manager_sees_the_handover_but_does_not_tick_it(as_user, world, db):
    decided(as_user, world)
    handover_id, version = handover_of(db, world)
    manager = as_user("manager.a@example.org")
    assert manager.get(handover_url(world, handover_id)).status_code == 200
    assert manager.post(handover_url(world, handover_id), checklist(version)).status_code == 403


def test_done_leaves_the_agenda_and_the_client_leaves_on_the_last_contact_date_not_before(as_user, world, db):
    decided(as_user, world)
    handover_id, version = handover_of(db, world)
    active_before = client_store.count_active(db, world["team_a"])
    member = as_user("member.a@example.org")
    assert member.post(handover_url(world, handover_id), checklist(version)).status_code == 302
    assert db.execute("SELECT done_on FROM handovers WHERE id = ?",
                      [handover_id]).fetchone()[0] == team_today().isoformat()
    assert [r[1] for r in announcements(db, handover_id)] == ["withdrawn"]
    assert client_row(db, world) == ("active", None)  # the last contact is in ten days
    last_contact = team_today() + timedelta(days=10)
    the_day_before = datetime.combine(last_contact - timedelta(days=1), time(12), tzinfo=TZ)
    assert scheduler.leave_on_last_contact(db, the_day_before) == 0
    assert client_store.count_active(db, world["team_a"]) == active_before
    on_the_day = datetime.combine(last_contact, time(0, 5), tzinfo=TZ)
    assert scheduler.leave_on_last_contact(db, on_the_day) == 1
    assert client_row(db, world) == ("finished", last_contact.isoformat())
    assert client_store.count_active(db, world["team_a"]) == active_before - 1
    assert scheduler.leave_on_last_contact(db, on_the_day) == 0  # idempotent


def test_a_last_contact_recorded_as_today_takes_the_client_out_at_once_and_a_later_one_brings_it_back(
        as_user, world, db):
    decided(as_user, world)
    handover_id, version = handover_of(db, world)
    member = as_user("member.a@example.org")
    today = team_today()
    member.post(handover_url(world, handover_id), checklist(
        version, points=("stable",), new_care_starts_on=today.isoformat(), last_contact_on=today.isoformat()))
    assert client_row(db, world) == ("finished", today.isoformat())
    assert db.execute("SELECT action, detail FROM access_log WHERE client_id = ? ORDER BY id DESC LIMIT 1",
                      [world["client_a"]]).fetchone() == ("finish", f"handover={handover_id} last contact")
    member.post(handover_url(world, handover_id), checklist(
        version + 1, points=("stable",), last_contact_on=(today + timedelta(days=5)).isoformat()))
    assert client_row(db, world) == ("active", None)


def test_the_announcement_comes_back_on_every_agenda_until_done(as_user, world, db):
    chair = decided(as_user, world)
    handover_id, _ = handover_of(db, world)
    first = announcements(db, handover_id)[0][0]
    chair.post(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/run/end")
    base = f"/teams/{world['team_a']}/meetings/{first}/run"
    chair.post(base + "/start", headers=HX)
    chair.post(base + "/phase", {"phase": "consent"}, headers=HX)
    assert "Handover A-001" in chair.get(base + "/panel").text
    chair.post(base + "/consent", headers=HX)  # approved: noted by the team
    chair.post(base + "/end")
    rows = announcements(db, handover_id)
    assert [r[:2] for r in rows[:1]] == [(first, "decided")] and rows[1][1] == "planned" and rows[1][0] != first
    # not reached in the next meeting: carried over with its link, never twice on one agenda
    second = rows[1][0]
    chair.post(f"/teams/{world['team_a']}/meetings/{second}/run/start", headers=HX)
    chair.post(f"/teams/{world['team_a']}/meetings/{second}/run/end")
    rows = announcements(db, handover_id)
    assert [r[1] for r in rows] == ["decided", "deferred", "planned"]
    assert db.execute("SELECT count(*) FROM items WHERE handover_id = ? AND state = 'planned'",
                      [handover_id]).fetchone()[0] == 1


def test_the_dashboard_shows_open_handovers_their_age_and_gaps(as_user, world, db):
    decided(as_user, world)
    handover_id, version = handover_of(db, world)
    manager = as_user("manager.a@example.org")
    page = manager.get(f"/teams/{world['team_a']}/dashboard").text
    row = page.split(f'id="dashboard-handover-{handover_id}"')[1].split("</tr>")[0]
    assert "A-001" in row and "0 / 6" in row and 'id="handover-gaps"' not in page
    today = team_today()
    as_user("member.a@example.org").post(handover_url(world, handover_id), checklist(
        version, points=("stable",), new_care_starts_on=(today + timedelta(days=40)).isoformat(),
        last_contact_on=(today + timedelta(days=10)).isoformat()))
    page = manager.get(f"/teams/{world['team_a']}/dashboard").text
    assert "1 client with a gap between the last contact and the new care" in page
    row = page.split(f'id="dashboard-handover-{handover_id}"')[1].split("</tr>")[0]
    assert "30 days" in row and "1 / 6" in row
    gap_page = as_user("member.a@example.org").get(handover_url(world, handover_id)).text
    assert 'id="gap-warning"' in gap_page


def test_the_team_lists_its_open_handovers_oldest_first(as_user, world, db):
    decided(as_user, world)
    db.execute("UPDATE handovers SET opened_on = ? WHERE client_id = ?",
               [(team_today() - timedelta(days=12)).isoformat(), world["client_a"]])
    page = as_user("member.a@example.org").get(f"/teams/{world['team_a']}/handovers").text
    assert "A-001" in page and "open for 12 days" in page


@pytest.mark.parametrize("email", ["member.a@example.org", "chair.a@example.org"])
def test_the_team_page_leads_to_sessions_and_handovers(as_user, world, email):
    page = as_user(email).get(f"/teams/{world['team_a']}/").text
    assert f'href="/teams/{world["team_a"]}/sessions"' in page


def test_the_teams_list_keeps_a_done_handover_for_90_days(as_user, world, db):
    decided(as_user, world)
    handover_id, _ = handover_of(db, world)
    member, reference = as_user("member.a@example.org"), db.execute(
        "SELECT reference FROM clients WHERE id = ?", [world["client_a"]]).fetchone()[0]
    for days_ago, listed in ((90, True), (91, False)):
        done_on = (team_today() - timedelta(days=days_ago)).isoformat()
        db.execute("UPDATE handovers SET done_on = ? WHERE id = ?", [done_on, handover_id])
        page = member.get(f"/teams/{world['team_a']}/handovers").text
        assert (reference in page) == listed, days_ago
