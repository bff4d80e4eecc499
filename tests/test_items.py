"""Bringing in items from a phone: validation, ownership, the freeze, what others can see."""
from datetime import timedelta

import pytest

from meeting.ops import scheduler
from meeting.store.db import iso, utcnow
from tests.conftest import make_item

GOOD = {"track": "acute", "label": "issue", "title": "Escalation at home", "need": "Advice on a crisis plan",
        "current_state": "Unstable since last week"}


def item_count(db, team_id):
    return db.execute("SELECT count(*) FROM items WHERE team_id = ?", [team_id]).fetchone()[0]


def submit(user_agent, world, **changes):
    data = GOOD | {"meeting_id": world["meeting_a"]} | changes
    return user_agent.post(f"/teams/{world['team_a']}/items/new", {k: v for k, v in data.items() if v is not None})


def test_member_submits_an_acute_issue_and_sees_it_on_the_agenda(as_user, world, db):
    member = as_user("member.a@example.org")
    response = submit(member, world)
    assert response.status_code == 302
    agenda = member.get(response.location)
    assert "Escalation at home" in agenda.text
    row = db.execute("SELECT track, label, minutes, late FROM items WHERE title = 'Escalation at home'").fetchone()
    assert row == ("acute", "issue", 10, 0)  # minutes defaulted by label


@pytest.mark.parametrize("changes, message", [
    ({"label": None}, "Choose a label: announcement, question or issue."),
    ({"need": ""}, "Say what you need from the team."),
    ({"title": "  "}, "Give the item a one-line title."),
    ({"track": "regular", "client_reference": ""}, "A regular review is about a client: give the reference."),
    ({"track": "regular", "client_reference": "B-001"}, "No active client with this reference in your team."),
    ({"minutes": "0"}, "Give the minutes needed as a whole number from 1 to 60."),
    ({"track": "urgent"}, "Choose acute issue or regular review."),
])
def test_incomplete_submission_is_refused_and_nothing_saved(as_user, world, db, changes, message):
    before = item_count(db, world["team_a"])
    response = submit(as_user("member.a@example.org"), world, **changes)
    assert response.status_code == 400
    assert message in response.text
    assert item_count(db, world["team_a"]) == before


def test_regular_review_resolves_the_reference_case_insensitively(as_user, world, db):
    response = submit(as_user("member.a@example.org"), world, track="regular", label="question",
                      client_reference="a-001", minutes="")
    assert response.status_code == 302
    assert db.execute("SELECT client_id, minutes FROM items WHERE title = ? ORDER BY id DESC",
                      [GOOD["title"]]).fetchone() == (world["client_a"], 5)


def test_a_team_wide_announcement_needs_no_client_but_a_review_does(as_user, world, db):
    member = as_user("member.a@example.org")
    response = submit(member, world, track="regular", label="announcement", client_reference="",
                      title="New crisis protocol from Monday")
    assert response.status_code == 302
    assert db.execute("SELECT client_id, track, label FROM items WHERE title = 'New crisis protocol from Monday'"
                      ).fetchone() == (None, "regular", "announcement")
    refused = submit(member, world, track="regular", label="question", client_reference="", title="A review")
    assert refused.status_code == 400 and "A regular review is about a client" in refused.text


def test_presenter_edits_own_item(as_user, world, db):
    member = as_user("member.a@example.org")
    version = db.execute("SELECT version FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0]
    response = member.post(f"/teams/{world['team_a']}/items/{world['item_a']}/edit",
                           GOOD | {"meeting_id": world["meeting_a"], "version": version, "title": "New title"})
    assert response.status_code == 302
    assert db.execute("SELECT title FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "New title"


def test_a_stale_edit_is_refused_instead_of_overwriting(as_user, world, db):
    member = as_user("member.a@example.org")
    url = f"/teams/{world['team_a']}/items/{world['item_a']}/edit"
    first = member.post(url, GOOD | {"meeting_id": world["meeting_a"], "version": 1, "title": "First edit"})
    second = member.post(url, GOOD | {"meeting_id": world["meeting_a"], "version": 1, "title": "Second edit"})
    assert first.status_code == 302 and second.status_code == 409
    assert "Someone changed this item meanwhile" in second.text
    assert db.execute("SELECT title FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "First edit"


def test_member_cannot_edit_or_withdraw_another_members_item(as_user, world, db):
    chair = as_user("chair.a@example.org")
    edit = chair.post(f"/teams/{world['team_a']}/items/{world['item_a']}/edit",
                      GOOD | {"meeting_id": world["meeting_a"], "version": 1})
    withdraw = chair.post(f"/teams/{world['team_a']}/items/{world['item_a']}/withdraw")
    assert (edit.status_code, withdraw.status_code) == (403, 403)
    assert db.execute("SELECT title, state FROM items WHERE id = ?", [world["item_a"]]).fetchone() == (
        "Continue or step down?", "planned")


def freeze(db, meeting_id):
    db.execute("UPDATE meetings SET deadline_at = ? WHERE id = ?", [iso(utcnow() - timedelta(minutes=1)), meeting_id])


def test_after_the_deadline_the_presenter_can_no_longer_change_the_item(as_user, world, db):
    freeze(db, world["meeting_a"])
    member = as_user("member.a@example.org")
    assert member.post(f"/teams/{world['team_a']}/items/{world['item_a']}/withdraw").status_code == 403
    assert member.get(f"/teams/{world['team_a']}/items/{world['item_a']}/edit").status_code == 403
    late = submit(member, world)
    assert late.status_code == 400 and "Choose a meeting whose agenda is still open." in late.text
    assert db.execute("SELECT state FROM items WHERE id = ?", [world["item_a"]]).fetchone()[0] == "planned"


def test_chair_adds_a_late_acute_item_after_the_freeze(as_user, world, db):
    freeze(db, world["meeting_a"])
    response = submit(as_user("chair.a@example.org"), world, title="Late crisis")
    assert response.status_code == 302
    assert db.execute("SELECT late FROM items WHERE title = 'Late crisis'").fetchone()[0] == 1


def test_withdrawn_item_leaves_the_agenda(as_user, world):
    member = as_user("member.a@example.org")
    assert member.post(f"/teams/{world['team_a']}/items/{world['item_a']}/withdraw").status_code == 302
    agenda = member.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/")
    assert f'id="item-{world["item_a"]}"' not in agenda.text
    assert "Withdrawn" in agenda.text


def test_agenda_shows_others_only_title_label_presenter_and_reference(as_user, world, db):
    from meeting.store import items as item_store
    from meeting.store.audit import Actor
    item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                        make_item(title="Private review", need="SECRET-NEED", current_state="SECRET-STATE",
                                  finishing_hard="SECRET-HARD", client_id=world["client_a"]))
    page = as_user("chair.a@example.org").get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/")
    assert "Private review" in page.text and "A-001" in page.text and "member a" in page.text
    assert "SECRET" not in page.text


def test_an_announcement_can_be_pulled_out_of_the_consent_block(as_user, world, db):
    from meeting.store import items as item_store
    from meeting.store.audit import Actor
    item_id = item_store.add_item(db, Actor(None), world["team_a"], world["meeting_a"], world["member_a"],
                                  make_item(label="announcement", track="acute", title="New leave policy"))
    chair = as_user("chair.a@example.org")
    assert "consent block" in chair.get(f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/").text
    chair.post(f"/teams/{world['team_a']}/items/{item_id}/discuss")
    assert db.execute("SELECT label FROM items WHERE id = ?", [item_id]).fetchone()[0] == "question"


def test_client_suggestions_search_the_own_team_only(as_user, world):
    member = as_user("member.a@example.org")
    own = member.hx(f"/teams/{world['team_a']}/client-suggestions?client_reference=A-")
    other = member.hx(f"/teams/{world['team_a']}/client-suggestions?client_reference=B-")
    assert '<option value="A-001"' in own.text and "<html" not in own.text
    assert "responsible clinician: member a" in own.text  # the regiebehandelaar shows with the reference
    assert "B-001" not in other.text
    anywhere = member.hx(f"/teams/{world['team_a']}/client-suggestions?client_reference=001")
    assert '<option value="A-001"' in anywhere.text  # the reference matches anywhere, not only at its start


def test_a_new_team_has_the_schedule_four_weeks_ahead_once(as_user, world, db):
    """Created with the team (the admin's form; the scheduler keeps it ahead), listed by a page that only reads."""
    admin = as_user("admin@example.org")
    assert admin.post("/admin/teams", {"name": "Team New"}).status_code == 302
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Team New'").fetchone()[0]
    scheduler.create_meetings(db, utcnow())  # the scheduler's round: nothing more to create
    scheduled = db.execute("SELECT count(*) FROM meetings WHERE team_id = ? AND is_extra = 0", [team_id]).fetchone()[0]
    assert scheduled == 4
