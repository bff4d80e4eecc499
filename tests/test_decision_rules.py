"""Decision rules live in the core and are enforced by the store, whoever calls it: a review past one year
needs the continuation answer, past two years the invited colleague; nothing is stored otherwise."""
from datetime import date

import pytest

from meeting.core import closing
from meeting.store import decisions as decision_store
from meeting.store import items as item_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import utcnow

REVIEW = {"answer": "Yes", "outcome": "continue_adjusted", "decision": "Go on with housing goals",
          "needs_met": "yes", "actions": []}
MEETING_DAY = date(2026, 6, 2)  # client A-001 started 2024-01-15: past two years


def decide(db, world, form):
    team = team_store.get_team(db, world["team_a"])
    item = item_store.get_item(db, Actor(None), world["team_a"], world["item_a"])
    return decision_store.decide(db, Actor(world["chair_a"]), team, item, form, MEETING_DAY, utcnow(), None)


def stored(db, world):
    return (db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0],
            db.execute("SELECT count(*) FROM decisions WHERE item_id = ?", [world["item_a"]]).fetchone()[0],
            db.execute("SELECT count(*) FROM evaluations WHERE item_id = ?", [world["item_a"]]).fetchone()[0])


@pytest.mark.parametrize("form, missing", [
    (REVIEW, {"continuation_answer", "colleague_invited"}),
    (REVIEW | {"continuation_answer": "Work is not yet stable"}, {"colleague_invited"}),
    (REVIEW | {"colleague_invited": "yes"}, {"continuation_answer"}),
    (REVIEW | {"continuation_answer": "Work", "colleague_invited": "maybe"}, {"colleague_invited"}),
    (REVIEW | {"continuation_answer": "Work", "colleague_invited": "yes", "next_evaluation_on": "2027-09-01"},
     {"next_evaluation_on"}),  # beyond the legal minimum of 12 months
])
def test_the_store_refuses_a_review_without_what_the_milestone_requires(db, world, form, missing):
    with pytest.raises(decision_store.InvalidDecision) as refusal:
        decide(db, world, form)
    assert set(refusal.value.errors) == missing
    assert stored(db, world) == ("planned", 0, 0)


def test_the_store_records_a_complete_review_dated_by_its_meeting(db, world):
    decide(db, world, REVIEW | {"continuation_answer": "Work is not yet stable", "colleague_invited": "yes"})
    assert stored(db, world) == ("decided", 1, 1)
    assert db.execute("SELECT held_on, next_evaluation_on FROM evaluations WHERE item_id = ?",
                      [world["item_a"]]).fetchone() == ("2026-06-02", "2026-12-02")


def test_the_rule_is_the_cores():
    item = {"track": "regular", "label": "issue", "treatment_start": "2025-01-01"}
    assert set(closing.validate_decision(item, REVIEW, date(2026, 3, 1))) == {"continuation_answer"}


def test_the_minutes_give_the_next_review_date_the_calendar_set(as_user, db, world):
    """No date was agreed: the minutes show the one the core worked out (six months after the meeting)."""
    decide(db, world, REVIEW | {"continuation_answer": "Work is not yet stable", "colleague_invited": "yes"})
    base = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}"
    chair = as_user("chair.a@example.org")
    assert "Next review in the team: Dec 2, 2026" in chair.get(base + "/minutes.md").text
    assert "Next review in the team" in chair.get(base + "/minutes").text
