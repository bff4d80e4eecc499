"""The decision as one pure command: the posted form as a typed value, checked against what it closes (a weekly
meeting's item or a complex-case session), returning either why not or every effect the store will write."""
from datetime import date

import pytest

from meeting.core.closing import OUTCOMES
from meeting.core.decision import (
    ALREADY_CLOSED,
    NOT_RUNNING,
    Action,
    ConsultationRequest,
    Decision,
    DecisionInput,
    HandoverOpening,
    Refusal,
    Subject,
    TeamReview,
    decide,
)
from meeting.core.text import CONTROL_CHARACTERS, TOO_LONG

TODAY = date(2026, 6, 2)
STARTS = "2026-06-02T12:00:00+00:00"
MEMBERS = {11, 12}


def item(**changes) -> Subject:
    """A weekly meeting's regular review of client 7, in treatment for five months."""
    values = dict(kind="item", item_id=1, meeting_id=5, meeting_starts_at=STARTS, meeting_state="running",
                  state="planned", track="regular", label="issue", client_id=7, presenter_id=11,
                  treatment_start=date(2026, 1, 2))
    return Subject(**(values | changes))


def session(**changes) -> Subject:
    """A complex-case session's close (its options step), its client in treatment for two and a half years."""
    values = dict(kind="session", item_id=21, meeting_id=9, meeting_starts_at=STARTS, meeting_state="running",
                  state="planned", track="regular", label=None, client_id=7, presenter_id=12,
                  treatment_start=date(2023, 12, 1), named_colleague=True)
    return Subject(**(values | changes))


def posted(**values) -> DecisionInput:
    return DecisionInput.from_values({"outcome": "continue_adjusted", "decision": "Two more months of work on housing",
                                      "needs_met": "yes"} | values)


def test_a_regular_review_continued_is_a_team_review_dated_six_months_on():
    decision = decide(item(), posted(actions=[{"description": "Call the GP", "owner": "12", "due": "2026-06-10"}]),
                      TODAY, MEMBERS, 6)
    assert isinstance(decision, Decision)
    assert decision.record["outcome"] == "continue_adjusted" and decision.record["announcement_outcome"] is None
    assert decision.actions == (Action("Call the GP", 12, date(2026, 6, 10)),)
    assert decision.review == TeamReview(TODAY, "continue_adjusted", date(2026, 12, 2))
    assert decision.client_changes == {"last_evaluation": TODAY, "next_evaluation_on": None}
    assert (decision.handover, decision.consultation, decision.returns_to_meeting_id, decision.announce_after) == (
        None, None, None, None)


@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_every_outcome_of_a_review_gives_its_effects(outcome):
    extra = {"reason": "Stable"} if outcome == "continue_unchanged" else {}
    if outcome == "consultation":
        extra = {"consultation_question": "How to end?", "consultation_asked_of": "Centre"}
    decision = decide(item(), posted(outcome=outcome, **extra), TODAY, MEMBERS, 6)
    assert isinstance(decision, Decision), decision
    assert decision.review.outcome == outcome
    assert (decision.review.next_evaluation_on is None) == (outcome == "finish")
    opens = outcome in ("finish", "step_down")
    assert (decision.handover is not None, decision.announce_after) == (opens, STARTS if opens else None)
    if opens:
        assert decision.handover == HandoverOpening(outcome, TODAY, TODAY if outcome == "finish" else None)
    assert (decision.consultation == ConsultationRequest("How to end?", "Centre", TODAY)) == (outcome == "consultation")


def test_an_announcement_not_agreed_comes_back_as_an_issue_and_is_no_review():
    decision = decide(item(label="announcement"), DecisionInput(announcement_outcome="not_agreed"), TODAY, MEMBERS, 6,
                      next_meeting_id=44)
    assert decision.returns_to_meeting_id == 44 and decision.review is None


def test_a_question_of_the_acute_track_records_the_answer_and_no_review():
    decision = decide(item(track="acute", label="question", client_id=None), DecisionInput(answer="Yes, call her"),
                      TODAY, MEMBERS, 6)
    assert decision.record["answer"] == "Yes, call her" and decision.review is None and decision.client_changes == {}


def test_the_evaluation_with_the_client_goes_with_the_review_when_filled_in():
    decision = decide(item(), posted(evaluated_with_client_on="2026-05-20", relatives_invited="yes"), TODAY,
                      MEMBERS, 6)
    assert decision.with_client["evaluated_on"] == "2026-05-20" and decision.with_client["relatives_invited"] == "yes"
    assert decide(item(), posted(), TODAY, MEMBERS, 6).with_client is None


def test_a_session_closes_as_a_review_of_its_client_with_its_named_colleague_invited():
    decision = decide(session(), posted(outcome="step_down", continuation_answer="Stable, the network carries"),
                      TODAY, MEMBERS, 6)
    assert decision.subject.kind == "session" and decision.record["colleague_invited"] == "yes"
    assert decision.review.outcome == "step_down" and decision.handover.outcome == "step_down"
    assert decision.client_changes["colleague_invited_at"] == TODAY


@pytest.mark.parametrize("subject, expected", [
    (session(named_colleague=False), {"continuation_answer", "colleague_invited"}),  # past two years
    (session(meeting_state="planned"), {"item"}),
    (session(state="decided"), {"item"}),
    (item(state="decided"), {"item"}),
])
def test_a_session_is_refused_what_its_milestone_or_state_needs(subject, expected):
    refusal = decide(subject, posted(), TODAY, MEMBERS, 6)
    assert isinstance(refusal, Refusal) and set(refusal.errors) == expected


def test_closed_and_not_running_say_why():
    assert decide(item(state="deferred"), posted(), TODAY, MEMBERS, 6).errors == {"item": ALREADY_CLOSED}
    assert decide(session(meeting_state="closed"), posted(), TODAY, MEMBERS, 6).errors == {"item": NOT_RUNNING}


@pytest.mark.parametrize("values, field", [
    ({"decision": "Go on\x1b[31m"}, "decision"),
    ({"reason": "x" * 301, "outcome": "continue_unchanged"}, "reason"),
    ({"decision": "y" * 2001}, "decision"),
    ({"continuation_answer": "bell\x07"}, "continuation_answer"),
    ({"actions": [{"description": "Call\tGP", "owner": "11", "due": "2026-06-10"}]}, "actions.0.description"),
    ({"actions": [{"description": "Call GP", "owner": "99", "due": "2026-06-10"}]}, "actions.0.owner"),
    ({"actions": [{"description": "Call GP", "owner": "11", "due": "9999-12-31"}]}, "actions.0.due"),
])
def test_every_text_is_refused_with_control_characters_or_over_its_limit(values, field):
    refusal = decide(item(), posted(**values), TODAY, MEMBERS, 6)
    assert isinstance(refusal, Refusal) and field in refusal.errors


@pytest.mark.parametrize("values, field", [
    ({"outcome": "evil"}, "outcome"), ({"needs_met": "evil"}, "needs_met"), ({"worded_by": "evil"}, "worded_by"),
    ({"next_evaluation_on": "abc"}, "next_evaluation_on"), ({"next_evaluation_on": "2026-02-30"}, "next_evaluation_on"),
    ({"next_evaluation_on": "0001-01-01"}, "next_evaluation_on"),
    ({"next_evaluation_on": "9999-12-31"}, "next_evaluation_on"),
    ({"actions": [{"description": "Call GP", "owner": "11", "due": "9999-12-31"}]}, "actions.0.due"),
    ({"answer": "ok\x00"}, "answer"),
])
def test_an_acute_items_decision_is_checked_like_a_regular_reviews(values, field):
    acute_question = item(track="acute", label="question", client_id=None)
    refusal = decide(acute_question, DecisionInput.from_values({"answer": "Yes"} | values), TODAY, MEMBERS, 6)
    assert isinstance(refusal, Refusal) and field in refusal.errors


def test_a_multiline_text_may_hold_line_breaks_and_says_its_limit():
    assert isinstance(decide(item(), posted(decision="First this.\r\nThen that."), TODAY, MEMBERS, 6), Decision)
    refusal = decide(item(), posted(decision="z" * 2001, answer="bad\x7f"), TODAY, MEMBERS, 6)
    assert refusal.errors["decision"] == TOO_LONG and refusal.errors["decision"].params == {"max": 2000, "length": 2001}
    assert refusal.errors["answer"] == CONTROL_CHARACTERS


def test_the_posted_form_becomes_a_typed_value_and_shows_again_as_posted():
    form = {"outcome": " finish ", "decision": "Stop", "action-0-description": "Letter", "action-0-owner": "11",
            "action-0-due": "2026-06-09", "rom_done": "yes", "csrf_token": "x"}
    value = DecisionInput.from_form(form)
    assert value.outcome == "finish" and value.with_client == (("rom_done", "yes"),)
    assert value.actions[0] == value.actions[0].__class__("Letter", "11", "2026-06-09") and len(value.actions) == 3
    assert value.as_form()["actions"][0] == {"description": "Letter", "owner": "11", "due": "2026-06-09"}
    assert value.as_form()["rom_done"] == "yes"
