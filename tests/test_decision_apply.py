"""The store applies a decision in one transaction: the decision, its actions, the team review, the evaluation with
the client, the handover and its announcement on the next agenda are written together or not at all."""
import sqlite3
from datetime import date, timedelta

import pytest

from meeting.store import decisions as decision_store
from meeting.store import items as item_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.db import utcnow

MEETING_DAY = date(2026, 6, 2)  # client A-001 started 2024-01-15: past two years
STEP_DOWN = {"answer": "Step down", "outcome": "step_down", "decision": "To the GP nurse", "needs_met": "yes",
             "continuation_answer": "Stable; the network carries", "colleague_invited": "yes",
             "evaluated_with_client_on": "2026-05-28", "relatives_invited": "yes"}
# the last write of a decision: its handover's announcement is linked to the item on the next agenda
INTERRUPT = """CREATE TEMP TRIGGER interrupt BEFORE UPDATE OF handover_id ON items
    BEGIN SELECT RAISE(ABORT, 'interrupted halfway'); END"""


def counts(db, client_id: int) -> dict:
    """What a decision about the client writes, counted."""
    def count(sql: str) -> int:
        return db.execute(sql, [client_id]).fetchone()[0]
    return {"decisions": count("SELECT count(*) FROM decisions d JOIN items i ON i.id = d.item_id "
                               "WHERE i.client_id = ?"),
            "actions": count("""SELECT count(*) FROM actions a JOIN decisions d ON d.id = a.decision_id
                JOIN items i ON i.id = d.item_id WHERE i.client_id = ?"""),
            "evaluations": count("SELECT count(*) FROM evaluations WHERE client_id = ?"),
            "with_client": count("SELECT count(*) FROM client_evaluations WHERE client_id = ?"),
            "handovers": count("SELECT count(*) FROM handovers WHERE client_id = ?"),
            "announcements": count("SELECT count(*) FROM items WHERE client_id = ? AND handover_id IS NOT NULL"),
            "last_evaluation": count("SELECT last_evaluation FROM clients WHERE id = ?")}


def step_down(db, world, form=STEP_DOWN):
    team = team_store.get_team(db, world["team_a"])
    item = item_store.get_item(db, Actor(None), world["team_a"], world["item_a"])
    form = form | {"actions": [{"description": "Send the letter", "owner": str(world["member_a"]),
                                "due": (MEETING_DAY + timedelta(days=7)).isoformat()}]}
    return decision_store.decide(db, Actor(world["chair_a"]), team, item, form, MEETING_DAY, utcnow(), None)


def test_a_step_down_writes_every_effect_at_once(db, world):
    step_down(db, world)
    assert counts(db, world["client_a"]) == {"decisions": 1, "actions": 1, "evaluations": 1, "with_client": 1,
                                             "handovers": 1, "announcements": 1, "last_evaluation": "2026-06-02"}


def test_an_apply_interrupted_halfway_leaves_nothing_written(db, world):
    before = counts(db, world["client_a"])
    db.execute(INTERRUPT)
    with pytest.raises(sqlite3.IntegrityError, match="interrupted halfway"):
        step_down(db, world)
    assert counts(db, world["client_a"]) == before
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "planned"
    db.execute("DROP TRIGGER interrupt")
    step_down(db, world)  # nothing half-done stands in the way of doing it again
    assert counts(db, world["client_a"])["handovers"] == 1


def test_a_sessions_decision_interrupted_halfway_leaves_nothing_written(db, world):
    team = team_store.get_team(db, world["team_b"])
    session_id = world["session_b"]
    first = session_store.steps(db, session_id)[0]["id"]
    session_store.start(db, team["id"], session_id, first, utcnow(), world["chair_b"])
    options = next(s for s in session_store.steps(db, session_id) if s["step"] == "options")
    before = counts(db, world["client_b"])
    db.execute(INTERRUPT.replace("interrupt ", "interrupt_session "))
    with pytest.raises(sqlite3.IntegrityError):
        decision_store.decide(db, Actor(world["chair_b"]), team, options, STEP_DOWN | {"colleague_invited": ""},
                              MEETING_DAY, utcnow(), None)
    assert counts(db, world["client_b"]) == before
    db.execute("DROP TRIGGER interrupt_session")
    decision_store.decide(db, Actor(world["chair_b"]), team, options, STEP_DOWN | {"colleague_invited": ""},
                          MEETING_DAY, utcnow(), None)
    after = counts(db, world["client_b"])
    assert after["decisions"] == before["decisions"] + 1 and after["evaluations"] == before["evaluations"] + 1


def test_a_second_decision_on_the_same_item_is_refused_with_the_one_refusal_type(db, world):
    step_down(db, world)
    with pytest.raises(decision_store.InvalidDecision) as refusal:
        step_down(db, world)
    assert refusal.value.errors == {"item": decision_store.ALREADY_CLOSED}
