"""Deferring several items is one change: interrupted halfway, nothing is deferred."""
import pytest

from meeting.store import items as item_store
from meeting.store.audit import Actor
from tests.conftest import make_item


class Interrupted(Exception):
    """Stands for a crash between two items of one deferral."""


@pytest.fixture
def interrupt_second_carry_over(monkeypatch):
    """The second carried-over copy fails, as a crash in the middle would."""
    real_add_item, calls = item_store.add_item, []

    def add_item(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Interrupted()
        return real_add_item(*args, **kwargs)

    def arm() -> list:
        monkeypatch.setattr(item_store, "add_item", add_item)
        return calls
    return arm


def states(db, meeting_id):
    return db.execute("SELECT state, count(*) FROM items WHERE meeting_id = ? GROUP BY state ORDER BY state",
                      [meeting_id]).fetchall()


def test_the_planners_proposed_deferrals_land_all_or_none(as_user, world, db, interrupt_second_carry_over):
    for title in ("Review one", "Review two", "Review three"):
        item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                            make_item(title=title, minutes=40))
    before = states(db, world["meeting_a"])
    chair = as_user("chair.a@example.org")
    calls = interrupt_second_carry_over()
    with pytest.raises(Interrupted):
        chair.post(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/plan/defer-proposed")
    assert len(calls) == 2, "the proposal should defer at least two items"
    assert states(db, world["meeting_a"]) == before
    assert db.execute("SELECT count(*) FROM items WHERE origin_item_id IS NOT NULL").fetchone()[0] == 0


def test_deferring_a_spent_tracks_items_lands_all_or_none(as_user, world, db, interrupt_second_carry_over):
    run = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/run"
    db.execute("UPDATE meetings SET acute_budget = 1 WHERE id = ?", [world["meeting_a"]])
    for title in ("Crisis one", "Crisis two", "Crisis three"):
        item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                            make_item(track="acute", label="issue", title=title, minutes=1))
    chair = as_user("chair.a@example.org")
    chair.post(run + "/start")
    chair.post(run + "/phase", {"phase": "items"})
    chair.post(run + "/next")
    first = db.execute("SELECT current_item_id FROM meetings WHERE id = ?", [world["meeting_a"]]).fetchone()[0]
    db.execute("UPDATE clock_events SET at = replace(datetime(at, '-2 minutes'), ' ', 'T') || '+00:00'"
               " WHERE item_id = ?", [first])
    chair.post(f"{run}/items/{first}/decide", {"outcome": "continue_adjusted", "decision": "Plan", "needs_met": "yes"})
    before = states(db, world["meeting_a"])
    calls = interrupt_second_carry_over()
    with pytest.raises(Interrupted):
        chair.post(run + "/resolve", {"choice": "defer"})
    assert len(calls) == 2, "two acute items wait: the budget is spent"
    assert states(db, world["meeting_a"]) == before
