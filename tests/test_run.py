"""Running a meeting through the web: start, items, the bell, decisions, budgets, the end."""
import threading
from datetime import date

from meeting.core.evaluations import local_day
from meeting.core.i18n import plain
from meeting.store import items as item_store
from meeting.store import now
from meeting.store.audit import Actor
from tests.conftest import make_item

HX = {"HX-Request": "true"}


def team_today() -> date:
    """Today where the team is (Amsterdam): the date a decision is recorded on, also just after midnight there."""
    return now.team_today("Europe/Amsterdam")


def run_url(world, suffix=""):
    return f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/run{suffix}"


def meeting_row(db, world):
    return db.execute("SELECT state, phase, current_item_id FROM meetings WHERE id = ?",
                      [world["meeting_a"]]).fetchone()


def started_with_item(as_user, world):
    """A running meeting of team A with its first waiting item open; returns the chair and the item id."""
    chair = as_user("chair.a@example.org")
    chair.post(run_url(world, "/start"), headers=HX)
    chair.post(run_url(world, "/consent"), headers=HX)
    chair.post(run_url(world, "/next"), headers=HX)
    return chair


def test_chair_starts_the_meeting_and_opens_the_next_item(as_user, world, db):
    started_with_item(as_user, world)
    state, phase, current = meeting_row(db, world)
    assert (state, phase, current) == ("running", "items", world["item_a"])
    kinds = [r[0] for r in db.execute("SELECT kind FROM clock_events WHERE item_id = ?", [world["item_a"]])]
    assert kinds == ["start"]


def test_only_the_chair_runs_the_meeting(as_user, world, db):
    member = as_user("member.a@example.org")
    assert member.post(run_url(world, "/start")).status_code == 403
    assert member.get(run_url(world)).status_code == 403
    assert meeting_row(db, world)[0] == "planned"


def test_closing_without_a_decision_is_refused_and_the_item_stays_open(as_user, world, db):
    chair = started_with_item(as_user, world)
    response = chair.post(run_url(world, f"/items/{world['item_a']}/decide"), {"answer": ""})
    assert response.status_code == 400
    assert "Record the team&#39;s answer to the question." in response.text
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "planned"
    assert db.execute("SELECT count(*) FROM decisions WHERE item_id = ?", [world["item_a"]]).fetchone()[0] == 0


def test_a_regular_review_decision_is_an_evaluation_dated_by_its_meeting(as_user, world, db):
    """The meeting is three days ahead (the world's extra meeting): the review carries its date, not today's."""
    chair = started_with_item(as_user, world)
    starts_at = db.execute("SELECT starts_at FROM meetings WHERE id = ?", [world["meeting_a"]]).fetchone()[0]
    held_on = local_day(starts_at, "Europe/Amsterdam").isoformat()
    assert held_on != team_today().isoformat()
    response = chair.post(run_url(world, f"/items/{world['item_a']}/decide"), {
        "answer": "Yes, continue", "outcome": "continue_adjusted", "decision": "New goals for housing",
        "needs_met": "yes", "continuation_answer": "Housing is not yet stable", "colleague_invited": "yes"})
    assert response.status_code == 302, response.text
    evaluation = db.execute("SELECT held_on, outcome FROM evaluations WHERE item_id = ?", [world["item_a"]]).fetchone()
    assert evaluation == (held_on, "continue_adjusted")
    client = db.execute("SELECT last_evaluation, next_evaluation_on, last_continuation_decision, colleague_invited_at"
                        " FROM clients WHERE id = ?", [world["client_a"]]).fetchone()
    assert client == (held_on, None, held_on, held_on)
    assert meeting_row(db, world)[2] is None  # no current item any more


def test_finishing_the_treatment_finishes_the_client(as_user, world, db):
    chair = started_with_item(as_user, world)
    chair.post(run_url(world, f"/items/{world['item_a']}/decide"), {
        "answer": "Finish", "outcome": "finish", "decision": "Hand over to the GP", "needs_met": "yes",
        "continuation_answer": "Goals reached", "colleague_invited": "no"})
    assert db.execute("SELECT status FROM clients WHERE id = ?", [world["client_a"]]).fetchone()[0] == "finished"
    assert db.execute("SELECT next_evaluation_on FROM evaluations").fetchone()[0] is None


def test_two_chairs_deciding_the_same_item_at_once_record_one_decision(app, as_user, world, db):
    first = started_with_item(as_user, world)
    second = as_user("chair.a@example.org")
    form = {"answer": "Yes", "outcome": "continue_unchanged", "decision": "Go on", "reason": "Stable",
            "needs_met": "yes", "continuation_answer": "Still needed", "colleague_invited": "no"}
    barrier, results = threading.Barrier(2), []

    def decide(user_agent):
        barrier.wait()
        results.append(user_agent.post(run_url(world, f"/items/{world['item_a']}/decide"), form))

    threads = [threading.Thread(target=decide, args=(u,)) for u in (first, second)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    statuses = sorted(r.status_code for r in results)
    assert statuses == [302, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert "This item was closed already, by someone else" in loser.text
    assert db.execute("SELECT count(*) FROM decisions WHERE item_id = ?", [world["item_a"]]).fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM evaluations WHERE item_id = ?", [world["item_a"]]).fetchone()[0] == 1


def test_bell_shows_on_the_projector_without_who_and_once_per_ten_seconds(as_user, world, db):
    chair = started_with_item(as_user, world)
    manager = as_user("manager.a@example.org")
    first = manager.post(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/bell", {"reason": "off_point"},
                         headers=HX)
    again = manager.post(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/bell", {}, headers=HX)
    assert "The bell rang." in first.text and "Wait" in again.text
    assert db.execute("SELECT count(*), max(item_id) FROM bells").fetchone() == (1, world["item_a"])
    panel = chair.get(run_url(world, "/panel")).text
    bell = panel.split('id="bell"')[1].split("</div>")[0]
    assert "Off the point" in bell and "1 ring for this item" in bell
    assert "manager a" not in panel
    chair.post(run_url(world, "/bell/ack"), headers=HX)
    assert 'class="bell ringing"' not in chair.get(run_url(world, "/panel")).text


def test_the_bell_is_silent_outside_a_running_meeting(as_user, world, db):
    response = as_user("member.a@example.org").post(
        f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/bell", {}, headers=HX)
    assert "only while the meeting runs" in response.text
    assert db.execute("SELECT count(*) FROM bells").fetchone()[0] == 0


def test_clock_pause_resume_and_extend_are_stored_events(as_user, world, db):
    chair = started_with_item(as_user, world)
    for kind in ("toggle", "toggle", "extend"):
        chair.post(run_url(world, "/clock"), {"kind": kind}, headers=HX)
    rows = db.execute("SELECT kind, seconds, user_id FROM clock_events WHERE item_id = ? ORDER BY id",
                      [world["item_a"]]).fetchall()
    assert [r[:2] for r in rows] == [("start", 0), ("pause", 0), ("resume", 0), ("extend", 120)]
    assert rows[-1][2] == world["chair_a"]


def test_spent_acute_budget_must_be_resolved_by_borrowing_or_deferring(as_user, world, db):
    db.execute("UPDATE meetings SET acute_budget = 1 WHERE id = ?", [world["meeting_a"]])
    db.execute("UPDATE items SET state = 'withdrawn' WHERE id = ?", [world["item_a"]])
    for title in ("Crisis one", "Crisis two"):
        item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                            make_item(track="acute", label="issue", title=title, minutes=1))
    chair = started_with_item(as_user, world)
    first = db.execute("SELECT current_item_id FROM meetings WHERE id = ?", [world["meeting_a"]]).fetchone()[0]
    db.execute("UPDATE clock_events SET at = replace(datetime(at, '-2 minutes'), ' ', 'T') || '+00:00' WHERE item_id "
               "= ?", [first])
    chair.post(run_url(world, f"/items/{first}/decide"), {"outcome": "continue_adjusted", "decision": "Plan",
                                                         "needs_met": "yes"})
    blocked = chair.post(run_url(world, "/next"), headers=HX)
    assert "acute" in blocked.text.lower() and meeting_row(db, world)[2] is None
    chair.post(run_url(world, "/resolve"), {"choice": "borrow", "minutes": "5"}, headers=HX)
    assert db.execute("SELECT from_track, minutes FROM borrowings").fetchone() == ("regular", 5)
    chair.post(run_url(world, "/next"), headers=HX)
    assert meeting_row(db, world)[2] is not None


def test_ending_the_meeting_carries_unfinished_items_over(as_user, world, db):
    chair = started_with_item(as_user, world)
    response = chair.post(run_url(world, "/end"))
    assert response.status_code == 302 and response.location.endswith("/minutes")
    assert meeting_row(db, world)[0] == "closed"
    state, reason = db.execute("SELECT state, deferred_reason FROM items WHERE id = ?", [world["item_a"]]).fetchone()
    original = (state, plain(reason))
    carried = db.execute("SELECT carried_over, state FROM items WHERE origin_item_id = ?", [world["item_a"]]).fetchone()
    assert original == ("deferred", "Not reached in the meeting") and carried == (1, "planned")
    minutes = chair.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/minutes").text
    assert "Not reached in the meeting" in minutes


def test_participants_rate_the_meeting_and_the_minutes_show_the_average(as_user, world, db):
    chair = started_with_item(as_user, world)
    chair.post(run_url(world, "/end"))
    base = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}"
    for email, score, change in (("member.a@example.org", "4", "Start on time"), ("chair.a@example.org", "2", "")):
        response = as_user(email).post(base + "/rating", {"heard": score, "goals": "5", "approach": "3", "overall": "4",
                                                          "change_next": change}, headers=HX)
        assert "Thank you for rating the meeting." in response.text
    again = as_user("member.a@example.org").post(base + "/rating", {"heard": "1", "goals": "1", "approach": "1",
                                                                    "overall": "1"}, headers=HX)
    assert "You have rated this meeting already." in again.text
    refused = as_user("manager.a@example.org").post(base + "/rating", {"heard": "9"}, headers=HX)
    assert 'id="rating-form"' in refused.text and "Tap a score from 1 to 5." in refused.text
    assert db.execute("SELECT count(*) FROM meeting_ratings").fetchone()[0] == 2
    two = chair.get(base + "/minutes").text  # two raters: no averages, or each could read the other's scores
    assert "Fewer than 3 ratings" in two and "Heard and understood:" not in two and "2 participants rated" in two
    as_user("manager.a@example.org").post(base + "/rating", {"heard": "3", "goals": "5", "approach": "3",
                                                              "overall": "4"}, headers=HX)
    minutes = chair.get(base + "/minutes").text
    assert "Heard and understood: 3.0" in minutes and "3 participants rated" in minutes
    assert "Start on time" in minutes
    markdown = chair.get(base + "/minutes.md")
    assert markdown.headers["Content-Disposition"].startswith("attachment") and "# Minutes" in markdown.text
    assert "- Worked on what we wanted: 5.0" in markdown.text and "Start on time" in markdown.text
    chair.post("/account/language", {"locale": "nl"})
    dutch = chair.get(base + "/minutes").text
    assert ": 3,0</li>" in dutch and ": 3.0</li>" not in dutch  # a decimal comma in the Dutch UI


def test_with_nothing_to_look_back_on_the_meeting_starts_with_the_items(as_user, world, db):
    chair = as_user("chair.a@example.org")
    chair.post(run_url(world, "/start"), headers=HX)  # its only action was agreed in this very meeting
    assert meeting_row(db, world)[:2] == ("running", "items")  # no look back, no announcements: no clicks


def test_a_moved_action_stays_open_with_its_new_date_and_comes_back(as_user, world, db):
    from datetime import timedelta

    from meeting.store import meetings as meeting_store
    from meeting.store import teams as team_store
    from meeting.store.db import utcnow
    team = team_store.get_team(db, world["team_a"])
    later = meeting_store.add_extra(db, team, utcnow() + timedelta(days=5))
    even_later = meeting_store.add_extra(db, team, utcnow() + timedelta(days=6))
    chair, action = as_user("chair.a@example.org"), world["action_a"]
    for meeting_id in (later, even_later):
        url = f"/teams/{world['team_a']}/meetings/{meeting_id}/run"
        chair.post(url + "/start", headers=HX)
        assert db.execute("SELECT phase FROM meetings WHERE id = ?", [meeting_id]).fetchone()[0] == "look_back"
        assert "Call the GP" in chair.get(url + "/panel").text
        refused = chair.post(url + f"/actions/{action}", {"status": "moved", "due": ""}, headers=HX)
        assert "A moved action needs a new due date." in refused.text
        new_due = (team_today() + timedelta(days=14 if meeting_id == later else 21)).isoformat()
        chair.post(url + f"/actions/{action}", {"status": "moved", "due": new_due}, headers=HX)
        assert db.execute("SELECT status, due_on FROM actions WHERE id = ?", [action]).fetchone() == ("open", new_due)
        assert "Call the GP" in as_user("member.a@example.org").get(f"/teams/{world['team_a']}/").text  # my actions
    reviews = db.execute("SELECT meeting_id, status, due_after FROM action_reviews WHERE action_id = ? ORDER BY id",
                         [action]).fetchall()
    assert [(m, s) for m, s, _ in reviews] == [(later, "moved"), (even_later, "moved")]
    url = f"/teams/{world['team_a']}/meetings/{even_later}/run"
    chair.post(url + f"/actions/{action}", {"status": "not_done"}, headers=HX)
    assert db.execute("SELECT status FROM actions WHERE id = ?", [action]).fetchone()[0] == "open"
    chair.post(url + f"/actions/{action}", {"status": "done"}, headers=HX)
    assert db.execute("SELECT status FROM actions WHERE id = ?", [action]).fetchone()[0] == "done"
    assert "Call the GP" not in as_user("member.a@example.org").get(f"/teams/{world['team_a']}/").text


def test_the_look_ahead_is_kept_in_the_minutes(as_user, world, db):
    chair = started_with_item(as_user, world)
    refused = chair.post(run_url(world, "/phase"), {"phase": "look_ahead"}, headers=HX)
    assert "Close the current item with a decision or a deferral first." in refused.text
    chair.post(run_url(world, f"/items/{world['item_a']}/defer"), {"reason": "No time"}, headers=HX)
    chair.post(run_url(world, "/phase"), {"phase": "look_ahead"}, headers=HX)
    panel = chair.get(run_url(world, "/panel")).text
    assert "What we carry" in panel and "Call the GP" in panel
    chair.post(run_url(world, "/look-ahead"), {"note": "Lotte on leave for three weeks"}, headers=HX)
    chair.post(run_url(world, "/end"))
    minutes = chair.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/minutes").text
    assert "Lotte on leave for three weeks" in minutes and "Call the GP" in minutes


def test_next_says_why_while_the_current_item_has_no_decision(as_user, world):
    chair = started_with_item(as_user, world)
    response = chair.post(run_url(world, "/next"), headers=HX)
    assert "The current item has no decision yet: record a decision or defer it first." in response.text
    assert 'id="console-status"' in response.text and 'hx-swap-oob="true"' in response.text


def test_a_success_message_shows_once_after_a_full_page_load(as_user, world):
    chair = started_with_item(as_user, world)
    decided = chair.post(run_url(world, f"/items/{world['item_a']}/decide"),
                         {"answer": "Yes", "outcome": "continue_adjusted", "decision": "Go on", "needs_met": "yes",
                          "continuation_answer": "Still goals", "colleague_invited": "yes"})
    assert decided.status_code == 302
    assert chair.get(run_url(world)).text.count("Decision recorded.") == 1


def test_a_logged_out_stream_answers_204_not_a_redirect(browser, world):
    response = browser.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/stream")
    assert response.status_code == 204


def test_the_bell_works_without_script_too(as_user, world, db):
    started_with_item(as_user, world)
    member = as_user("member.a@example.org")
    url = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}"
    response = member.post(url + "/bell", {}, headers={"Referer": "http://localhost" + url + "/live"})
    assert response.status_code == 302 and response.location.endswith("/live")
    assert db.execute("SELECT count(*) FROM bells").fetchone()[0] == 1


def test_during_the_consent_block_a_phone_pulls_an_announcement_out(as_user, world, db):
    item_id = item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                                  make_item(track="acute", label="announcement", title="New on-call rota"))
    chair = as_user("chair.a@example.org")
    chair.post(run_url(world, "/start"), headers=HX)
    chair.post(run_url(world, "/phase"), {"phase": "consent"}, headers=HX)
    member = as_user("member.a@example.org")
    live = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/live"
    assert "New on-call rota" in member.get(live).text
    response = member.post(f"/teams/{world['team_a']}/items/{item_id}/discuss", {"back": "live"})
    assert response.status_code == 302 and response.location.endswith("/live")
    chair.post(run_url(world, "/consent"), headers=HX)
    assert db.execute("SELECT label, state FROM items WHERE id = ?", [item_id]).fetchone() == ("question", "planned")


def test_the_decision_form_shows_how_long_the_treatment_has_run(as_user, world):
    from meeting.core.evaluations import treatment_months
    chair = started_with_item(as_user, world)
    page = chair.get(run_url(world, f"/items/{world['item_a']}/decide")).text
    assert f"{treatment_months(date(2024, 1, 15), team_today())} months in treatment" in page


def test_over_time_reads_in_words_and_the_console_shows_the_end_in_view(as_user, world, db):
    import re
    from datetime import timedelta

    from meeting.store.db import iso, utcnow
    chair = started_with_item(as_user, world)  # item A: 5 minutes planned
    db.execute("INSERT INTO clock_events (item_id, kind, at, seconds) VALUES (?, 'start', ?, 0)",
               [world["item_a"], iso(utcnow() - timedelta(minutes=7, seconds=10))])
    panel = chair.get(run_url(world, "/panel")).text
    over = re.search(r'<span class="overrun"[^>]*>([^<]+)</span>', panel)
    assert over and re.fullmatch(r"2:1\d over", over.group(1)), over and over.group(0)
    assert "hidden" not in over.group(0)
    assert "At this pace the meeting ends at" in panel
