"""Hostile input on the decision and its neighbours, through the web: every text field of a decision (an item's or a
session's), the console's deferral reason and the look-ahead note refuse control characters other than newline and
say their maximum length (never a silent cut); an acute item's decision is checked like a regular review's. Always a
4xx or a message, never a 5xx, and nothing stored."""
from datetime import date, timedelta

import pytest

from meeting.core.items import ItemInput
from meeting.store import items as item_store
from meeting.store.audit import Actor
from tests.test_run import HX, run_url, started_with_item
from tests.test_session_web import base, closing_decision

CONTROL = "Crisis\x00plan\x1b[2J\x07\x7f\x0b"
LONG = "x" * 100_000
REVIEW = {"answer": "Yes, continue", "outcome": "continue_adjusted", "decision": "New goals for housing",
          "needs_met": "yes", "continuation_answer": "Housing is not yet stable", "colleague_invited": "yes"}
ACTION = {"action-0-description": "Call the GP", "action-0-due": (date.today() + timedelta(days=7)).isoformat()}
TEXT_FIELDS = ("decision", "answer", "reason", "continuation_answer", "action-0-description")
LIMITS = {"decision": "2000", "answer": "2000", "continuation_answer": "2000", "reason": "300",
          "action-0-description": "300"}


def decisions(db, meeting_id: int) -> int:
    return db.execute("SELECT count(*) FROM decisions WHERE meeting_id = ?", [meeting_id]).fetchone()[0]


def action_row(world) -> dict:
    return ACTION | {"action-0-owner": str(world["member_a"])}


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("hostile", ["control", "long"])
def test_a_decisions_text_with_control_characters_or_too_long_is_refused_and_nothing_stored(
        as_user, world, db, field, hostile):
    chair = started_with_item(as_user, world)
    before = decisions(db, world["meeting_a"])
    form = REVIEW | action_row(world) | {field: CONTROL if hostile == "control" else LONG}
    response = chair.post(run_url(world, f"/items/{world['item_a']}/decide"), form)
    assert response.status_code == 400
    expected = ("invisible control characters" if hostile == "control"
                else f"This is too long: at most {LIMITS[field]} characters,")
    assert expected in response.text
    assert decisions(db, world["meeting_a"]) == before
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "planned"


def test_a_line_break_in_a_decision_is_kept(as_user, world, db):
    chair = started_with_item(as_user, world)
    response = chair.post(run_url(world, f"/items/{world['item_a']}/decide"),
                          REVIEW | {"decision": "First the housing.\r\nThen work."})
    assert response.status_code == 302, response.text
    assert "Then work." in db.execute("SELECT decision FROM decisions WHERE item_id = ?",
                                      [world["item_a"]]).fetchone()[0]


@pytest.fixture
def acute_question(as_user, world, db):
    """A running meeting of team A whose current item is an acute question (no client)."""
    item_id = item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                                  ItemInput("acute", "question", None, "Crisis bed?", "An answer", "", "", "", "", 5))
    return started_with_item(as_user, world), item_id


@pytest.mark.parametrize("field, value", [
    ("outcome", "evil"), ("needs_met", "evil"), ("worded_by", "evil"), ("next_evaluation_on", "abc"),
    ("next_evaluation_on", "2026-02-30"), ("next_evaluation_on", "0001-01-01"), ("next_evaluation_on", "9999-12-31"),
    ("action-0-due", "9999-12-31"), ("exemplary_situation", "evil"), ("announcement_outcome", "evil"),
])
def test_an_acute_items_decision_is_checked_like_a_regular_reviews(acute_question, world, db, field, value):
    chair, item_id = acute_question
    form = {"answer": "Yes, a crisis bed"} | action_row(world) | {field: value}
    response = chair.post(run_url(world, f"/items/{item_id}/decide"), form)
    assert response.status_code == 400, response.text
    assert db.execute("SELECT count(*) FROM decisions WHERE item_id = ?", [item_id]).fetchone()[0] == 0


def test_an_acute_items_valid_decision_is_recorded(acute_question, world, db):
    chair, item_id = acute_question
    response = chair.post(run_url(world, f"/items/{item_id}/decide"),
                          {"answer": "Yes, a crisis bed"} | action_row(world))
    assert response.status_code == 302, response.text


@pytest.mark.parametrize("field", ["decision", "reason", "continuation_answer", "action-0-description"])
@pytest.mark.parametrize("hostile", ["control", "long"])
def test_a_sessions_decision_refuses_the_same(running, world, db, field, hostile):
    chair, session_id = running
    form = closing_decision() | action_row(world) | {field: CONTROL if hostile == "control" else LONG}
    response = chair.post(base(world, session_id) + "/decide", form)
    assert response.status_code == 400
    assert decisions(db, session_id) == 0


@pytest.mark.parametrize("reason, message", [
    (CONTROL, "invisible control characters"), ("y" * 301, "This is too long: at most 300 characters,")])
def test_the_consoles_deferral_reason_is_refused_never_cut(as_user, world, db, reason, message):
    chair = started_with_item(as_user, world)
    response = chair.post(run_url(world, f"/items/{world['item_a']}/defer"), {"reason": reason}, headers=HX)
    assert response.status_code == 200 and message in response.text
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "planned"


def test_a_deferral_reason_of_the_limit_is_kept_whole(as_user, world, db):
    chair = started_with_item(as_user, world)
    chair.post(run_url(world, f"/items/{world['item_a']}/defer"), {"reason": "z" * 300}, headers=HX)
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "deferred"


@pytest.mark.parametrize("note, message", [
    (CONTROL, "invisible control characters"), ("n" * 501, "This is too long: at most 500 characters,")])
def test_the_look_ahead_note_is_refused_never_cut(as_user, world, db, note, message):
    chair = started_with_item(as_user, world)
    chair.post(run_url(world, f"/items/{world['item_a']}/defer"), {"reason": "No time"}, headers=HX)
    chair.post(run_url(world, "/phase"), {"phase": "look_ahead"}, headers=HX)
    response = chair.post(run_url(world, "/look-ahead"), {"note": note}, headers=HX)
    assert response.status_code == 200 and message in response.text
    stored = db.execute("SELECT look_ahead_note FROM meetings WHERE id = ?", [world["meeting_a"]]).fetchone()[0]
    assert not stored


def test_the_minutes_carry_no_control_character_after_a_hostile_meeting(as_user, world, db):
    chair = started_with_item(as_user, world)
    chair.post(run_url(world, f"/items/{world['item_a']}/decide"), REVIEW | {"decision": CONTROL})
    chair.post(run_url(world, f"/items/{world['item_a']}/defer"), {"reason": CONTROL}, headers=HX)
    chair.post(run_url(world, "/end"))
    minutes = chair.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/minutes.md").text
    assert not any(char in minutes for char in "\x00\x1b\x07\x7f\x0b")


@pytest.fixture
def running(as_user, world, db):
    from tests.test_session_web import planned
    session_id = planned(as_user, world, db)
    chair = as_user("chair.a@example.org")
    assert chair.post(base(world, session_id) + "/run/start", headers=HX).status_code == 200
    return chair, session_id
