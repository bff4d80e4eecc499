"""The complex-case session through the web: planned, prepared, run on the weekly meeting's clock, bell,
live revision and decision model, closed with a decision and a summary."""
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meeting.core.clients import ClientInput
from meeting.store import clients as client_store
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from tests.conftest import finishing_treatment

HX = {"HX-Request": "true"}
TZ = ZoneInfo("Europe/Amsterdam")


def base(world, session_id=None, team="a"):
    return f"/teams/{world['team_' + team]}/sessions" + (f"/{session_id}" if session_id else "")


def plan_form(world, **changes):
    day = (datetime.now(TZ).date() + timedelta(days=6)).isoformat()
    return {"client_reference": "A-001", "day": day, "time": "14:00", "presenter_id": str(world["member_a"])} | changes


def start_months_ago(db, world, months: int) -> None:
    """Client A's treatment started `months` ago (past one year by default: the session's usual client)."""
    start = date.today().replace(day=1) - timedelta(days=int(months * 30.5))
    db.execute("UPDATE clients SET treatment_start = ? WHERE id = ?", [start.isoformat(), world["client_a"]])


def planned(as_user, world, db, months: int = 18, **changes) -> int:
    start_months_ago(db, world, months)
    chair = as_user("chair.a@example.org")
    response = chair.post(base(world) + "/new", plan_form(world, **changes))
    assert response.status_code == 302, response.text
    return db.execute("SELECT max(id) FROM meetings WHERE kind = 'complex_case'").fetchone()[0]


def revision(db, session_id):
    return db.execute("SELECT revision FROM meetings WHERE id = ?", [session_id]).fetchone()[0]


def steps(db, session_id):
    return db.execute("SELECT id, step, minutes FROM items WHERE meeting_id = ? ORDER BY position",
                      [session_id]).fetchall()


def clock_kinds(db, item_id):
    return [r[0] for r in db.execute("SELECT kind FROM clock_events WHERE item_id = ? ORDER BY id", [item_id])]


def test_the_chair_plans_a_session_with_the_seeds_five_steps(as_user, world, db):
    session_id = planned(as_user, world, db, minutes_options="30")
    row = db.execute("SELECT kind, minutes, state FROM meetings WHERE id = ?", [session_id]).fetchone()
    assert row == ("complex_case", 100, "planned")
    assert [(s[1], s[2]) for s in steps(db, session_id)] == [
        ("case_presentation", 25), ("systemic_analysis", 20), ("reflective_round", 15), ("options", 30),
        ("closing", 10)]
    case = db.execute("SELECT client_id, presenter_id FROM case_sessions WHERE meeting_id = ?", [session_id]).fetchone()
    assert case == (world["client_a"], world["member_a"])


def test_a_session_is_not_a_weekly_meeting(as_user, world, db):
    session_id = planned(as_user, world, db)
    member = as_user("member.a@example.org")
    assert f"/meetings/{session_id}/" not in member.get(f"/teams/{world['team_a']}/meetings").text
    assert meeting_store.next_after(db, world["team_a"], "2000-01-01")["kind"] == "weekly"
    chair = as_user("chair.a@example.org")
    assert chair.get(f"/teams/{world['team_a']}/meetings/{session_id}/run").status_code == 404
    assert member.get(f"/teams/{world['team_a']}/meetings/{session_id}/live").status_code == 404
    assert member.get(f"/teams/{world['team_a']}/meetings/{session_id}/").status_code == 404
    assert chair.get(f"/teams/{world['team_a']}/meetings/{session_id}/plan").status_code == 404
    assert member.get(f"/teams/{world['team_a']}/meetings/{session_id}/minutes").status_code == 404
    # and a weekly meeting is no session
    assert chair.get(base(world, world["meeting_a"]) + "/run").status_code == 404


def test_only_the_chair_plans_and_a_two_year_client_needs_a_named_colleague(as_user, world, db):
    assert as_user("member.a@example.org").post(base(world) + "/new", plan_form(world)).status_code == 403
    start_months_ago(db, world, 30)
    chair = as_user("chair.a@example.org")
    refused = chair.post(base(world) + "/new", plan_form(world))
    assert refused.status_code == 400 and "name the colleague you invite" in refused.text
    assert chair.post(base(world) + "/new", plan_form(world, colleague_id=str(world["member_a"]))).status_code == 400
    response = chair.post(base(world) + "/new", plan_form(world, colleague_id=str(world["member_b"])))
    assert response.status_code == 302
    assert db.execute("SELECT colleague_id FROM case_sessions WHERE team_id = ?", [world["team_a"]]).fetchone()[0] == \
        world["member_b"]


def test_the_planner_offers_a_session_for_clients_past_a_year(as_user, world, db):
    start = date.today() - timedelta(days=430)
    client_store.add_clients(db, Actor(None), world["team_a"], [ClientInput("A-LONG", world["member_a"], start, None)])
    page = as_user("chair.a@example.org").get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/plan").text
    assert f"/teams/{world['team_a']}/sessions/new?client=A-LONG" in page
    assert 'id="planner-plan-session"' in page


def test_the_presenter_prepares_the_case_and_the_duration_comes_from_the_start_date(as_user, world, db):
    session_id = planned(as_user, world, db)
    presenter = as_user("member.a@example.org")
    page = presenter.get(base(world, session_id) + "/prepare").text
    assert 'id="treatment-months"' in page
    response = presenter.post(base(world, session_id) + "/prepare", {
        "request_and_start": "Psychosis, 2024", "tried_towards_finishing": "Two talks about the GP",
        "finishing_hard": "Fear of relapse"})
    assert response.status_code == 302
    row = db.execute("SELECT request_and_start, finishing_hard, prepared_at IS NOT NULL FROM case_sessions"
                     " WHERE meeting_id = ?", [session_id]).fetchone()
    assert row == ("Psychosis, 2024", "Fear of relapse", 1)
    other = as_user("manager.a@example.org")
    assert other.post(base(world, session_id) + "/prepare", {"finishing_hard": "x"}).status_code == 403


@pytest.fixture
def running(as_user, world, db):
    """A session of team A, started: its first step's clock runs."""
    session_id = planned(as_user, world, db)
    chair = as_user("chair.a@example.org")
    assert chair.post(base(world, session_id) + "/run/start", headers=HX).status_code == 200
    return chair, session_id


def test_starting_runs_the_first_steps_clock_and_next_moves_on(running, world, db):
    chair, session_id = running
    first, second = steps(db, session_id)[:2]
    assert clock_kinds(db, first[0]) == ["start"]
    assert db.execute("SELECT state, current_item_id FROM meetings WHERE id = ?", [session_id]).fetchone() == (
        "running", first[0])
    chair.post(base(world, session_id) + "/run/next", headers=HX)  # the stream pushes the panel's parts
    panel = chair.get(base(world, session_id) + "/run/panel").text
    assert clock_kinds(db, first[0]) == ["start", "end"] and clock_kinds(db, second[0]) == ["start"]
    assert 'id="step-title">Systemic analysis<' in panel and 'id="worksheet"' in panel


def test_the_chairs_clock_buttons_are_the_weekly_meetings(running, world, db):
    chair, session_id = running
    first = steps(db, session_id)[0][0]
    chair.post(base(world, session_id) + "/run/clock", {"kind": "toggle"}, headers=HX)
    chair.post(base(world, session_id) + "/run/clock", {"kind": "toggle"}, headers=HX)
    chair.post(base(world, session_id) + "/run/clock", {"kind": "extend"}, headers=HX)
    assert clock_kinds(db, first) == ["start", "pause", "resume", "extend"]
    assert db.execute("SELECT seconds FROM clock_events WHERE kind = 'extend'").fetchone()[0] == 120


def test_the_bell_rings_on_the_current_step_through_the_weekly_bell(running, as_user, world, db):
    chair, session_id = running
    manager = as_user("manager.a@example.org")
    response = manager.post(f"/teams/{world['team_a']}/meetings/{session_id}/bell", {"reason": "long_story"},
                            headers=HX)
    assert "The bell rang." in response.text
    rung = db.execute("SELECT item_id FROM bells WHERE meeting_id = ?", [session_id]).fetchone()[0]
    assert rung == steps(db, session_id)[0][0]
    panel = chair.get(base(world, session_id) + "/run/panel").text
    assert 'class="bell ringing"' in panel and "Long story" in panel and "manager a" not in panel
    chair.post(base(world, session_id) + "/run/bell/ack", headers=HX)
    assert 'class="bell ringing"' not in chair.get(base(world, session_id) + "/run/panel").text


def test_phones_add_worksheet_cards_and_the_projector_shows_them(running, as_user, world, db):
    chair, session_id = running
    chair.post(base(world, session_id) + "/run/next", headers=HX)
    member = as_user("member.a@example.org")
    before = revision(db, session_id)
    form = member.post(base(world, session_id) + "/cards",
                       {"step": "systemic_analysis", "level": "organisation", "text": "Long waits for the GP nurse"},
                       headers=HX)
    assert "Added: it is on the screen." in form.text
    assert revision(db, session_id) > before  # the live channel's signal
    assert db.execute("SELECT user_id FROM access_log WHERE action = 'session-card' AND client_id = ?",
                      [world["client_a"]]).fetchall() == [(world["member_a"],)]
    panel = chair.get(base(world, session_id) + "/run/panel").text
    organisation = panel.split('id="worksheet-organisation-head"')[1].split("</section>")[0]
    assert "Long waits for the GP nurse" in organisation and "member a" not in panel
    refused = member.post(base(world, session_id) + "/cards", {"step": "systemic_analysis", "text": "No level"},
                          headers=HX)
    assert "Choose the level" in refused.text


def test_an_insight_is_one_per_person_and_can_be_rewritten(running, as_user, world, db):
    chair, session_id = running
    member = as_user("member.a@example.org")
    for text in ("I keep clients to avoid disappointing them", "I avoid the goodbye"):
        member.post(base(world, session_id) + "/cards", {"step": "reflective_round", "text": text}, headers=HX)
    chair.post(base(world, session_id) + "/cards", {"step": "reflective_round", "text": "Name the end at the start"},
               headers=HX)
    rows = db.execute("SELECT user_id, text FROM session_cards WHERE meeting_id = ? AND step = 'reflective_round'"
                      " ORDER BY id", [session_id]).fetchall()
    assert rows == [(world["member_a"], "I avoid the goodbye"), (world["chair_a"], "Name the end at the start")]


def test_only_the_writer_removes_a_card(running, as_user, world, db):
    chair, session_id = running
    member = as_user("member.a@example.org")
    member.post(base(world, session_id) + "/cards", {"step": "options", "level": "patient", "text": "Resource group"},
                headers=HX)
    card = db.execute("SELECT max(id) FROM session_cards").fetchone()[0]
    assert chair.post(base(world, session_id) + f"/cards/{card}/delete", headers=HX).status_code == 404
    assert member.post(base(world, session_id) + f"/cards/{card}/delete", headers=HX).status_code == 200
    assert db.execute("SELECT count(*) FROM session_cards WHERE id = ?", [card]).fetchone()[0] == 0


def test_cards_wait_for_the_session_to_run(as_user, world, db):
    session_id = planned(as_user, world, db)
    member = as_user("member.a@example.org")
    response = member.post(base(world, session_id) + "/cards", {"step": "closing", "text": "Too early"}, headers=HX)
    assert "Cards are added while the session runs." in response.text
    assert db.execute("SELECT count(*) FROM session_cards WHERE meeting_id = ?", [session_id]).fetchone()[0] == 0


def closing_decision(**changes):
    return {"outcome": "step_down", "decision": "Step down to the GP nurse within two months", "needs_met": "yes",
            "continuation_answer": "Stable for a year; the network carries",
            "exemplary_situation": "self_neglect"} | changes


def test_the_session_ends_only_after_its_closing_decision(running, world, db):
    chair, session_id = running
    refused = chair.post(base(world, session_id) + "/run/end")
    assert refused.status_code == 302 and db.execute("SELECT state FROM meetings WHERE id = ?",
                                                     [session_id]).fetchone()[0] == "running"
    assert "Record the closing decision before ending the session." in chair.get(base(world, session_id) + "/run").text


def test_the_closing_decision_is_the_weekly_decision_model(running, world, db):
    chair, session_id = running
    closing = steps(db, session_id)[3][0]  # the options for action end in the decision
    incomplete = chair.post(base(world, session_id) + "/decide", {"outcome": "step_down"})
    assert incomplete.status_code == 400 and "Word the decision: what happens next?" in incomplete.text
    response = chair.post(base(world, session_id) + "/decide", closing_decision(**{
        "action-0-description": "Warm handover with the POH-ggz", "action-0-owner": str(world["member_a"]),
        "action-0-due": (date.today() + timedelta(days=30)).isoformat()}))
    assert response.status_code == 302, response.text
    decision = db.execute("SELECT item_id, meeting_id, outcome, exemplary_situation FROM decisions "
                          "WHERE meeting_id = ?",
                          [session_id]).fetchone()
    assert decision == (closing, session_id, "step_down", "self_neglect")
    assert db.execute("SELECT outcome FROM evaluations WHERE item_id = ?", [closing]).fetchone()[0] == "step_down"
    assert db.execute("SELECT outcome FROM handovers WHERE client_id = ?",
                      [world["client_a"]]).fetchone()[0] == "step_down"
    assert db.execute("SELECT count(*) FROM actions WHERE decision_id = (SELECT id FROM decisions WHERE item_id = ?)",
                      [closing]).fetchone()[0] == 1
    again = chair.post(base(world, session_id) + "/decide", closing_decision())
    assert again.status_code == 409 and db.execute("SELECT count(*) FROM decisions WHERE meeting_id = ?",
                                                   [session_id]).fetchone()[0] == 1


def test_the_colleague_named_at_planning_is_recorded_as_invited(as_user, world, db):
    session_id = planned(as_user, world, db, months=30, external_colleague="Dr. Q, consultation centre")
    chair = as_user("chair.a@example.org")
    chair.post(base(world, session_id) + "/run/start")
    page = chair.get(base(world, session_id) + "/decide").text
    assert "Dr. Q, consultation centre" in page and 'name="colleague_invited"' not in page
    decided = chair.post(base(world, session_id) + "/decide",
                         closing_decision(outcome="consultation", consultation_question="How do we end well?",
                                          consultation_asked_of="Consultation centre"))
    assert decided.status_code == 302
    assert db.execute("SELECT colleague_invited FROM decisions WHERE meeting_id = ?",
                      [session_id]).fetchone()[0] == "yes"
    assert db.execute("SELECT colleague_invited_at FROM clients WHERE id = ?", [world["client_a"]]).fetchone()[0]


def test_a_held_session_has_its_summary(running, as_user, world, db):
    chair, session_id = running
    url = base(world, session_id)
    member = as_user("member.a@example.org")
    member.post(url + "/prepare", {"request_and_start": "Bipolar disorder, 2021", "finishing_hard": "She fears the GP"})
    chair.post(url + "/run/next", headers=HX)
    member.post(url + "/cards", {"step": "systemic_analysis", "level": "clinician", "text": "Loyalty to her"},
                headers=HX)
    chair.post(url + "/run/next", headers=HX)
    member.post(url + "/cards", {"step": "reflective_round", "text": "I postpone the talk about the end"}, headers=HX)
    chair.post(url + "/run/next", headers=HX)
    member.post(url + "/cards", {"step": "options", "level": "organisation", "text": "Agree a re-referral route"},
                headers=HX)
    chair.post(url + "/run/next", headers=HX)
    member.post(url + "/cards", {"step": "closing", "text": "Ask the continuation question at one year"}, headers=HX)
    chair.post(url + "/decide", closing_decision())
    assert chair.post(url + "/run/end").headers["Location"].endswith(url + "/summary")
    assert db.execute("SELECT state FROM meetings WHERE id = ?", [session_id]).fetchone()[0] == "closed"
    assert all(kinds[-1] == "end" for kinds in (clock_kinds(db, s[0]) for s in steps(db, session_id)))
    summary = member.get(url + "/summary").text
    for text in ("Bipolar disorder, 2021", "She fears the GP", "Loyalty to her", "I postpone the talk about the end",
                 "Agree a re-referral route", "Ask the continuation question at one year",
                 "Step down to the GP nurse within two months", "Self-neglect"):
        assert text in summary
    markdown = member.get(url + "/summary.md")
    assert markdown.mimetype == "text/markdown" and "Agree a re-referral route" in markdown.text


def test_the_summary_neutralises_formulas(running, as_user, world, db):
    chair, session_id = running
    url = base(world, session_id)
    as_user("member.a@example.org").post(url + "/prepare", {"finishing_hard": "=HYPERLINK(\"x\")"})
    assert "'=HYPERLINK" in chair.get(url + "/summary.md").text


def test_viewing_the_case_is_logged_once_per_page_not_per_live_update(running, world, db):
    chair, session_id = running
    count = "SELECT count(*) FROM access_log WHERE action = 'session-read' AND client_id = ?"
    before = db.execute(count, [world["client_a"]]).fetchone()[0]
    chair.get(base(world, session_id) + "/run")
    for _ in range(3):
        chair.get(base(world, session_id) + "/run/panel")
    assert db.execute(count, [world["client_a"]]).fetchone()[0] == before + 1


SESSION_ROUTES = [("GET", "/stream"), ("GET", "/run"), ("GET", "/run/panel"), ("POST", "/run/start"),
                  ("POST", "/run/next"),
                  ("POST", "/run/end"), ("GET", "/live"), ("POST", "/cards"), ("GET", "/summary"),
                  ("GET", "/prepare"), ("GET", "/decide"), ("POST", "/edit"), ("POST", "/cancel")]


def finishing_rows(db, team_id):
    return [db.execute(sql, [team_id]).fetchall() for sql in (
        "SELECT * FROM meetings WHERE team_id = ? AND kind = 'complex_case'",
                                                              "SELECT * FROM case_sessions WHERE team_id = ?",
        "SELECT * FROM session_cards WHERE team_id = ?", "SELECT * FROM handovers WHERE team_id = ?",
        "SELECT p.* FROM handover_points p JOIN handovers h ON h.id = p.handover_id WHERE h.team_id = ?")]


def test_another_teams_session_card_and_handover_do_not_exist_in_the_own_path(as_user, world, db):
    chair = as_user("chair.a@example.org")
    before = finishing_rows(db, world["team_b"])
    own = f"/teams/{world['team_a']}"
    urls = [("POST" if m == "POST" else "GET", f"{own}/sessions/{world['session_b']}{path}") for m,
            path in SESSION_ROUTES]
    own_session = finishing_treatment(db, "a", team_store.get_team(db, world["team_a"]), world)["session_a"]
    urls += [("POST", f"{own}/sessions/{own_session}/cards/{world['card_b']}/delete"),
             ("GET", f"{own}/handovers/{world['handover_b']}"), ("POST", f"{own}/handovers/{world['handover_b']}")]
    for method, url in urls:
        response = chair.get(url) if method == "GET" else chair.post(url, {"step": "closing", "text": "x",
                                                                           "status_stable": "done", "version": "1"})
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    assert finishing_rows(db, world["team_b"]) == before


def test_the_decision_closes_the_options_step_and_the_closing_round_still_has_its_time(running, as_user, world, db):
    chair, session_id = running
    url = base(world, session_id)
    for _ in range(3):
        chair.post(url + "/run/next", headers=HX)
    options, closing = [s[0] for s in steps(db, session_id)[3:]]
    assert chair.post(url + "/decide", closing_decision()).status_code == 302
    assert clock_kinds(db, options) == ["start", "end"]
    panel = chair.get(url + "/run/panel").text
    assert "Next: Closing and application" in panel and "Closing decision: <strong>Step down" in panel
    chair.post(url + "/run/next", headers=HX)
    assert clock_kinds(db, closing) == ["start"]
    as_user("member.a@example.org").post(url + "/cards", {"step": "closing", "text": "Say the end out loud"},
                                         headers=HX)
    assert "Say the end out loud" in chair.get(url + "/run/panel").text
    chair.post(url + "/run/end")
    assert clock_kinds(db, closing) == ["start", "end"]


def test_the_session_streams_on_the_weekly_meetings_live_channel(as_user, world, db):
    session_id = planned(as_user, world, db)
    member = as_user("member.a@example.org")
    response = member.get(base(world, session_id) + "/stream", buffered=False)
    assert response.mimetype == "text/event-stream"
    chunks = response.response
    assert next(chunks).startswith(b"retry:")
    resync = next(chunks)  # the session's parts, as a weekly meeting's, then `changed`
    assert resync.startswith(b"event: step\n") and b"The session has not started yet" in resync
    assert resync.endswith(f"event: changed\ndata: {revision(db, session_id)}\n\n".encode())
    response.close()
    assert member.get(base(world, world["meeting_a"]) + "/stream").status_code == 404  # a weekly meeting is no session


def test_the_summary_downloads_under_a_name_in_the_readers_language(running, as_user, world):
    _chair, session_id = running
    member = as_user("member.a@example.org")
    english = member.get(base(world, session_id) + "/summary.md").headers["Content-Disposition"]
    member.post("/account/language", {"locale": "nl"})
    dutch = member.get(base(world, session_id) + "/summary.md").headers["Content-Disposition"]
    assert re.search(r'filename="complex-case-session-\d{4}-\d\d-\d\d\.md"', english), english
    assert re.search(r'filename="casusbespreking-\d{4}-\d\d-\d\d\.md"', dutch), dutch
