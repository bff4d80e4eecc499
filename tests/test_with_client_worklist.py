"""The legal minimum, planned: each regiebehandelaar's worklist of evaluations with the client due, and recording
one from there (no agenda item), on the small world of conftest (client A-001: in treatment since 15 January 2024,
never evaluated with the client, so overdue)."""
from datetime import date, timedelta

import pytest

from meeting.core import client_evaluation
from meeting.core.clients import ClientInput
from meeting.store import client_evaluations as evaluation_store
from meeting.store import clients as client_store
from meeting.store.audit import Actor
from meeting.store.now import team_today

D = date.fromisoformat


def today() -> date:
    """The team's today on the app's one clock (which --now moves)."""
    return team_today("Europe/Amsterdam")


@pytest.mark.parametrize("start, last, due", [
    ("2024-01-15", None, "2025-01-14"),  # not yet due while the start lies in the 12-month window
    ("2020-01-01", "2024-02-29", "2025-02-28"),
    ("2020-01-01", "2023-02-28", "2024-02-29"),  # the window from 29 February reaches back to 28 February
    ("2024-06-01", "2024-03-01", "2025-05-31"),  # an evaluation before the start does not shorten the first year
])
def test_the_due_date_is_the_last_day_the_legal_status_is_kept(start, last, due):
    found = client_evaluation.with_client_due(D(start), last and D(last))
    assert found == D(due)
    assert client_evaluation.legal_status(D(start), last and D(last), found) != "overdue"
    assert client_evaluation.legal_status(D(start), last and D(last), found + timedelta(days=1)) == "overdue"


def test_recording_outside_a_meeting_needs_the_date():
    values, errors = client_evaluation.validate_outside_meeting({"client_view": "Fine"}, D("2026-06-30"),
                                                                D("2024-01-01"))
    assert set(errors) == {"evaluated_with_client_on"} and values == {}
    values, errors = client_evaluation.validate_outside_meeting({"evaluated_with_client_on": "2026-07-01"},
                                                                D("2026-06-30"), D("2024-01-01"))
    assert set(errors) == {"evaluated_with_client_on"}


def test_a_review_before_the_due_date_is_told_apart():
    rows = [{"client_id": 1, "reference": "R-1", "clinician_id": 5, "clinician": "Ann", "with_client_due": "2026-07-20",
             "review_starts_at": "2026-07-14T10:30:00+00:00"},
            {"client_id": 2, "reference": "R-2", "clinician_id": 5, "clinician": "Ann", "with_client_due": "2026-07-10",
             "review_starts_at": "2026-07-14T10:30:00+00:00"},
            {"client_id": 3, "reference": "R-3", "clinician_id": 6, "clinician": "Bob", "with_client_due": "2026-06-01",
             "review_starts_at": None},
            {"client_id": 4, "reference": "R-4", "clinician_id": 6, "clinician": "Bob", "with_client_due": "2026-09-01",
             "review_starts_at": None}]  # beyond 8 weeks: not listed
    found = client_evaluation.worklist(rows, D("2026-06-30"), "Europe/Amsterdam")
    assert [(e.reference, e.overdue, e.days, e.review_in_time) for e in found] == [
        ("R-3", True, 29, False), ("R-2", False, 10, False), ("R-1", False, 20, True)]
    assert [(name, [e.reference for e in entries]) for name, entries in client_evaluation.by_clinician(found)] == [
        ("Ann", ["R-2", "R-1"]), ("Bob", ["R-3"])]


def test_a_member_sees_their_clients_due_and_records_one_from_the_team_page(as_user, world, db):
    team = world["team_a"]
    client_store.add_clients(db, Actor(None), team, [ClientInput("A-002", world["chair_a"], today(), None)])
    member = as_user("member.a@example.org")
    page = member.get(f"/teams/{team}/").text
    assert 'id="with-client-due"' in page and "A-001" in page and "A-002" not in page
    logged = db.execute("""SELECT c.client_id FROM access_log l JOIN access_log_clients c ON c.log_id = l.id
        WHERE l.action = 'with-client-worklist' AND l.user_id = ?""", [world["member_a"]]).fetchall()
    assert logged == [(world["client_a"],)]
    url = f"/teams/{team}/clients/{world['client_a']}/evaluation-with-client"
    refused = member.post(url, {"client_view": "Wants to work again."})
    assert refused.status_code == 400 and 'id="evaluated_with_client_on-error"' in refused.text
    assert db.execute("SELECT count(*) FROM client_evaluations").fetchone()[0] == 0
    day = today().isoformat()
    assert member.post(url, {"evaluated_with_client_on": day, "relatives_invited": "yes", "relatives_present": "no",
                             "client_view": "Wants to work again.", "rom_done": "yes", "rom_personal": "better",
                             "somatic_screening_on": day}).status_code == 302
    row = db.execute("""SELECT item_id, decision_id, evaluated_on, client_view, rom_personal, clinician_id, recorded_by
        FROM client_evaluations WHERE client_id = ?""", [world["client_a"]]).fetchone()
    assert row == (None, None, day, "Wants to work again.", "better", world["member_a"], world["member_a"])
    assert evaluation_store.legal_minimum_today(db, [team], today())["total"]["overdue"] == 0
    assert "A-001" not in member.get(f"/teams/{team}/").text.split('id="with-client-due"')[1].split("</section>")[0]


def test_a_chair_sees_the_list_per_clinician_and_another_team_cannot_record(as_user, world):
    chair = as_user("chair.a@example.org")
    page = chair.get(f"/teams/{world['team_a']}/").text
    assert "member a: 1 client" in page.split('id="with-client-due"')[1] and "A-001" in page
    other = as_user("member.b@example.org")
    url = f"/teams/{world['team_a']}/clients/{world['client_a']}/evaluation-with-client"
    assert other.get(url).status_code == 404
    assert as_user("manager.a@example.org").get(url).status_code == 403


def test_the_legal_minimum_at_stake_goes_first_in_the_freeze_and_when_the_planners_slots_are_short():
    from meeting.core import evaluations
    from meeting.core.evaluations import ClientRecord
    meeting = D("2026-03-03")
    clients = [ClientRecord("DUE", 1, D("2020-01-01"), last_evaluation=D("2025-08-01"),
                            last_with_client=D("2025-08-01"), with_client_due=D("2026-08-01")),
               # not reviewed since its evaluation with the client, which runs out before the next meeting; the
               # team agreed on its next review in June
               ClientRecord("STAKE", 1, D("2020-01-01"), last_evaluation=D("2025-03-05"),
                            last_with_client=D("2025-03-05"), with_client_due=D("2026-03-05"),
                            next_evaluation_on=D("2026-06-01")),
               # reviewed since without one: on the worklist, not first in the freeze
               ClientRecord("REVIEWED", 1, D("2020-01-01"), last_evaluation=D("2025-12-01"),
                            last_with_client=D("2025-03-05"), with_client_due=D("2026-03-05"))]
    assert [r.reference for r in evaluations.review_queue(clients, meeting, 6)] == ["STAKE", "DUE", "REVIEWED"]
    due = evaluations.due_reviews(clients, meeting, 6)
    assert [(r.reference, r.legal_at_stake) for r in due] == [("DUE", False), ("STAKE", True)]  # due soonest first
    assert [r.reference for r in evaluations.offered_first(due, 2)] == ["DUE", "STAKE"]
    assert [r.reference for r in evaluations.offered_first(due, 1)] == ["STAKE", "DUE"]
