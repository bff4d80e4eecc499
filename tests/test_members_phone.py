"""The member's phone (issue 28): the bar of what runs now, mine first, the quick item with what is still to
prepare, the client reference checked as typed, the error summary."""
import re
from datetime import timedelta

import pytest

from meeting.core.preparation import still_to_prepare
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import running as running_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import utcnow
from tests.conftest import make_item

GOOD = {"track": "regular", "label": "question", "client_reference": "A-001", "title": "Step down to the GP?",
        "need": "Do you agree?"}
PREPARED = {"current_state": "Stable for a year", "request_and_start": "Psychosis care since 2024",
            "evaluation_prep": '{"evaluated_with_client_on": "2026-01-05"}', "input_from": "psychiatrist"}


@pytest.mark.parametrize("item, missing", [
    ({"track": "regular", "label": "question"}, ["current_state", "case", "evaluation", "whose_input"]),
    ({"track": "regular", "label": "issue"} | PREPARED, []),
    ({"track": "regular", "label": "issue"} | PREPARED | {"current_state": "  "}, ["current_state"]),
    ({"track": "regular", "label": "question"} | PREPARED | {"evaluation_prep": ""}, ["evaluation"]),
    ({"track": "regular", "label": "question"} | PREPARED | {"request_and_start": ""}, ["case"]),
    ({"track": "regular", "label": "question"} | PREPARED | {"input_from": ""}, ["whose_input"]),
    ({"track": "acute", "label": "issue"}, ["current_state", "whose_input"]),  # no case, no evaluation
    ({"track": "regular", "label": "announcement"}, []),  # the team only takes note
    ({"track": "acute", "label": "announcement"}, []),
])
def test_what_an_item_still_lacks_of_its_preparation(item, missing):
    assert still_to_prepare(item) == missing


def _start(db, world, key="a"):
    meeting_id = world[f"meeting_{key}"]
    running_store.start_meeting(db, world[f"team_{key}"], meeting_id, utcnow())
    return meeting_id


def test_every_page_shows_what_runs_in_my_teams_with_one_tap_to_its_live_page(as_user, world, db):
    member = as_user("member.a@example.org")
    assert 'id="running-bar"' not in member.get(f"/teams/{world['team_a']}/").text  # nothing runs yet
    meeting_id = _start(db, world)
    live = f"/teams/{world['team_a']}/meetings/{meeting_id}/live"
    for page in (f"/teams/{world['team_a']}/", "/account/", f"/teams/{world['team_a']}/meetings"):
        html = member.get(page).text
        assert re.search(rf'<a class="running-now" id="running-{meeting_id}" href="{re.escape(live)}"', html), page
    assert 'id="running-bar"' not in member.get(live).text  # not on the live page of that meeting itself
    other = as_user("member.b@example.org")  # another team's member sees nothing of it
    assert 'id="running-bar"' not in other.get(f"/teams/{world['team_b']}/").text


def test_a_meeting_left_running_since_yesterday_is_not_running_now(as_user, world, db):
    meeting_id = world["meeting_a"]
    started = utcnow() - meeting_store.FORGOTTEN - timedelta(minutes=1)
    running_store.start_meeting(db, world["team_a"], meeting_id, started)
    assert meeting_store.running_for(db, world["member_a"]) == []  # the chair forgot to end it: no bar
    assert 'id="running-bar"' not in as_user("member.a@example.org").get(f"/teams/{world['team_a']}/").text


def test_the_bar_stays_out_of_fragments_streams_and_posts(as_user, world, db):
    member = as_user("member.a@example.org")
    _start(db, world)
    fragment = member.hx(f"/teams/{world['team_a']}/client-check?client_reference=A-")
    assert fragment.status_code == 200 and "running-bar" not in fragment.text


def test_the_bar_is_read_in_one_indexed_query(db, world):
    _start(db, world)
    member, statements = world["member_a"], []
    db.conn.set_trace_callback(statements.append)
    try:
        running = meeting_store.running_for(db, member)
    finally:
        db.conn.set_trace_callback(None)
    assert [(m["team_id"], m["kind"]) for m in running] == [(world["team_a"], "weekly")]
    queries = [q for q in statements if "sqlite_utils_query" not in q]  # sqlite-utils wraps each read in a savepoint
    assert len(queries) == 1
    sql = queries[0].replace(f"user_id = {member}", "user_id = ?")
    plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", [member]))
    assert "SCAN" not in plan, plan  # every table is searched by an index, none read whole


def test_the_live_page_shows_mine_inside_the_panel_before_the_story(as_user, world, db):
    member = as_user("member.a@example.org")
    meeting_id = _start(db, world)
    html = member.get(f"/teams/{world['team_a']}/meetings/{meeting_id}/live").text
    mine, story = html.index('id="mine"'), html.index('sse-swap="story"')
    assert html.index('sse-swap="clock"') < mine < story
    assert "Continue or step down?" in html[mine:story]  # my item on today's agenda
    assert "Call the GP" in html[mine:story]  # my open action
    panel = member.get(f"/teams/{world['team_a']}/meetings/{meeting_id}/live/panel").text
    assert 'id="mine"' not in panel  # the shared panel carries nobody's own


def test_the_ended_meeting_names_itself_so_the_pinned_bell_can_go(as_user, world, db):
    member = as_user("member.a@example.org")
    meeting_id = _start(db, world)
    running_store.end_meeting(db, world["team_a"], meeting_id, utcnow())
    html = member.get(f"/teams/{world['team_a']}/meetings/{meeting_id}/live/panel").text
    assert 'id="meeting-ended"' in html and 'id="rating-form"' in html


def test_the_home_page_leads_with_mine(as_user, world):
    html = as_user("member.a@example.org").get(f"/teams/{world['team_a']}/").text
    assert html.index('id="team-name"') < html.index('id="mine"') < html.index('id="next-meeting"')
    assert "Call the GP" in html


def test_a_quick_regular_review_goes_on_the_agenda_and_says_what_is_still_to_prepare(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/items/new", GOOD | {"meeting_id": world["meeting_a"]})
    assert response.status_code == 302
    agenda = member.get(response.location).text
    assert "Still to prepare until the deadline" in agenda  # told to the presenter
    item_id = db.execute("SELECT max(id) FROM items WHERE title = ?", [GOOD["title"]]).fetchone()[0]
    row = re.search(rf'id="to-prepare-{item_id}">(.*?)</p>', agenda, re.S).group(1)
    for part in ("the current state of the treatment", "the case preparation", "the evaluation with the client",
                 "whose input you want"):
        assert part in row
    assert f"/items/{item_id}/edit#preparation" in row  # and how to complete it
    chair = as_user("chair.a@example.org").get(response.location).text
    assert f'id="to-prepare-{item_id}"' in chair  # every reader of the agenda sees it


def test_the_finish_box_shows_only_for_an_announcement_of_a_regular_review(as_user, world):
    member = as_user("member.a@example.org")
    url = f"/teams/{world['team_a']}/items/new"
    shown = member.post(url, GOOD | {"label": "announcement", "title": "", "meeting_id": world["meeting_a"]}).text
    hidden = member.post(url, GOOD | {"title": "", "meeting_id": world["meeting_a"]}).text
    assert re.search(r'id="proposed-outcome"\s*>', shown)
    assert re.search(r'id="proposed-outcome"\s+hidden', hidden)


def test_a_refused_item_gets_an_error_summary_linking_to_its_fields_and_keeps_every_value(as_user, world, db):
    member = as_user("member.a@example.org")
    form = GOOD | {"client_reference": "A-00", "title": "", "current_state": "Worse since May",
                   "meeting_id": world["meeting_a"]}
    response = member.post(f"/teams/{world['team_a']}/items/new", form)
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1".*?</div>',
                        response.text, re.S).group(0)
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)
    assert links == [("client_reference", "Client reference"), ("title", "Title (one line)")]  # in the form's order
    assert 'id="client_reference-error"' in response.text and 'id="title-error"' in response.text  # the why, there
    assert 'value="A-00"' in response.text and "Worse since May</textarea>" in response.text
    assert 'id="client-none"' not in response.text and 'id="client-matches"' in response.text  # A-00 matches A-001


@pytest.mark.parametrize("typed, shows", [
    ("a-001", 'id="client-found"'), ("A-0", 'id="client-matches"'), ("ZZ", 'id="client-none"'), ("", "")])
def test_the_client_reference_is_checked_as_typed(as_user, world, typed, shows):
    response = as_user("member.a@example.org").hx(
        f"/teams/{world['team_a']}/client-check?client_reference={typed}")
    assert response.status_code == 200 and "<html" not in response.text
    if shows:
        assert shows in response.text
    assert ("B-001" in response.text) is False  # never another team's client


def test_a_found_client_shows_the_regiebehandelaar_the_last_evaluation_and_rom_and_is_logged(as_user, world, db):
    db.execute("INSERT INTO client_evaluations (team_id, client_id, clinician_id, evaluated_on, rom_done,"
               " rom_personal, rom_social, rom_symptomatic, recorded_at) VALUES (?, ?, ?, '2026-03-02', 'yes',"
               " 'better', 'same', 'worse', '2026-03-02T10:00:00+00:00')",
               [world["team_a"], world["client_a"], world["member_a"]])
    db.conn.commit()
    before = db.execute("SELECT count(*) FROM access_log WHERE client_id = ? AND action = 'read'",
                        [world["client_a"]]).fetchone()[0]
    html = as_user("member.a@example.org").hx(f"/teams/{world['team_a']}/client-check?client_reference=A-001").text
    assert "responsible clinician: member a" in html
    assert re.search(r"Last evaluation with the client:\s*Mar 2, 2026", html)
    assert re.search(r"Last ROM:\s*Mar 2, 2026:\s*Personal recovery Better, Social recovery Same, "
                     r"Symptomatic recovery Worse", html)
    assert db.execute("SELECT count(*) FROM access_log WHERE client_id = ? AND action = 'read'",
                      [world["client_a"]]).fetchone()[0] == before + 1


def test_a_chair_sees_the_bar_for_a_complex_case_session_too(as_user, world, db):
    session_id = world["session_b"]
    running_store.start_meeting(db, world["team_b"], session_id, utcnow())
    html = as_user("chair.b@example.org").get(f"/teams/{world['team_b']}/").text
    assert re.search(rf'id="running-{session_id}" href="/teams/{world["team_b"]}/sessions/{session_id}/live"', html)
    assert "Complex-case session" in html


def test_the_home_page_lists_my_items_on_todays_agenda_only(as_user, world, db):
    team = team_store.get_team(db, world["team_a"])
    today_meeting = meeting_store.add_extra(db, team, utcnow())  # starts now: today in any time zone
    item_store.add_item(db, Actor(None), world["team_a"], today_meeting, world["member_a"],
                        make_item(track="acute", title="Crisis at home today"))
    html = as_user("member.a@example.org").get(f"/teams/{world['team_a']}/").text
    mine = html[html.index('id="my-items-today"'):html.index('id="my-actions"')]
    assert "Crisis at home today" in mine
    assert f"/meetings/{today_meeting}/#item-" in mine
    assert "Continue or step down?" not in mine  # on the meeting in three days
