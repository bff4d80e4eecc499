"""The evaluation with the client (WGBO, at least yearly): its rules, and the dashboard's legal-minimum figure
per team and per clinician on a small history built by hand; every expected number is worked out below."""
from datetime import UTC, date, datetime

import pytest

from meeting.core import client_evaluation
from meeting.core.clients import ClientInput
from meeting.store import client_evaluations as evaluation_store
from meeting.store import clients as client_store
from meeting.store import history
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.audit import Actor
from meeting.store.history import PastItem, PastMeeting

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize("form, errors", [
    ({}, set()),
    ({"evaluated_with_client_on": "2026-05-01", "relatives_invited": "yes", "relatives_present": "yes",
      "client_view": "Wants to work again.", "rom_done": "yes", "rom_personal": "better", "rom_social": "same",
      "rom_symptomatic": "worse", "somatic_screening_on": "2026-01-10", "agreements": "GP: bloods; nurse: depot."},
     set()),
    ({"evaluated_with_client_on": "2026-07-01"}, {"evaluated_with_client_on"}),
    ({"evaluated_with_client_on": "1 May"}, {"evaluated_with_client_on"}),
    ({"evaluated_with_client_on": "2019-12-31"}, {"evaluated_with_client_on"}),  # before the treatment started
    ({"somatic_screening_on": "2027-01-01"}, {"somatic_screening_on"}),
    ({"relatives_invited": "maybe"}, {"relatives_invited"}),
    ({"relatives_invited": "no", "relatives_present": "yes"}, {"relatives_present"}),
    ({"rom_done": "no", "rom_personal": "better"}, {"rom_personal"}),
    ({"rom_done": "no", "rom_personal": "not_measured"}, set()),
    ({"rom_social": "up"}, {"rom_social"}),
    ({"client_view": "x" * 301}, {"client_view"}),
    ({"agreements": "who\x00does"}, {"agreements"}),
])
def test_the_evaluation_with_the_client_is_checked_but_never_required(form, errors):
    values, found = client_evaluation.validate(form, TODAY, date(2020, 1, 1))
    assert set(found) == errors
    assert (values == {}) == bool(errors)


def test_a_preparation_is_stored_as_json_and_comes_back_as_form_values():
    values, _ = client_evaluation.validate({"evaluated_with_client_on": "2026-05-01", "rom_personal": "better",
                                            "client_view": " In her words. "}, TODAY)
    stored = client_evaluation.to_preparation(values)
    assert client_evaluation.from_preparation(stored) == {
        "evaluated_with_client_on": "2026-05-01", "rom_personal": "better", "client_view": "In her words."}
    assert client_evaluation.to_preparation(client_evaluation.validate({}, TODAY)[0]) == ""
    assert client_evaluation.from_preparation("not json") == {}
    assert client_evaluation.form_values({"evaluation_prep": stored})["rom_personal"] == "better"
    assert client_evaluation.form_values({"rom_personal": "worse",
                                          "evaluation_prep": stored}) == {"rom_personal": "worse"}


@pytest.mark.parametrize("start, last, status", [
    (date(2020, 1, 1), date(2025, 6, 30), "evaluated"),  # exactly 12 months before: still within
    (date(2020, 1, 1), date(2025, 6, 29), "overdue"),
    (date(2020, 1, 1), None, "overdue"),
    (date(2025, 7, 1), None, "not_yet_due"),  # under a year in treatment
    (date(2025, 6, 30), None, "overdue"),  # a full year in treatment
    (date(2025, 9, 1), date(2026, 1, 5), "evaluated"),
    (date(2020, 1, 1), date(2026, 7, 1), "overdue"),  # after the day asked about
])
def test_legal_status_on_a_day(start, last, status):
    assert client_evaluation.legal_status(start, last, TODAY) == status


@pytest.fixture
def two_teams(db):
    """Team P (nurses P1, P2) and team Q (nurse Q1), with evaluations with the client recorded by hand.

    On 30 June 2026 (window from 30 June 2025):
      P-1 (P1, since 2022): evaluated with the client 2026-03-01            → evaluated
      P-2 (P1, since 2022): evaluated 2025-05-01 only (before the window)    → overdue
      P-3 (P2, since 2026-02-01): never                                      → not yet due
      P-4 (P2, since 2021): evaluated 2025-08-01, then a review without one  → evaluated
      P-5 (P2, since 2021): finished 2026-04-01                              → not counted
      P-6 (P1, since 2021): evaluated 2026-09-01, after the day asked about  → overdue
      Q-1 (Q1, since 2023): evaluated 2026-06-30, on the day itself          → evaluated
      Q-2 (Q1, since 2024): a team review only, no evaluation with the client → overdue
    """
    ids = {}
    for name in ("P", "Q"):
        ids[name] = team_store.create_team(db, f"Team {name}")
    for user in ("P1", "P2", "Q1"):
        ids[user] = user_store.create_user(db, f"{user.lower()}@example.org", f"Nurse {user}")
        team_store.set_role(db, ids[user[0]], ids[user], "member")
    clients = {"P": [("P-1", "P1", date(2022, 1, 1)), ("P-2", "P1", date(2022, 1, 1)), ("P-3", "P2", date(2026, 2, 1)),
                     ("P-4", "P2", date(2021, 1, 1)), ("P-5", "P2", date(2021, 1, 1)), ("P-6", "P1", date(2021, 1, 1))],
               "Q": [("Q-1", "Q1", date(2023, 1, 1)), ("Q-2", "Q1", date(2024, 1, 1))]}
    for team, rows in clients.items():
        added = client_store.add_clients(db, Actor(None), ids[team], [ClientInput(ref, ids[who], start, None)
                                                                       for ref, who, start in rows])
        ids |= dict(zip((ref for ref, _, _ in rows), added))
    db.execute("UPDATE clients SET status = 'finished', finished_on = '2026-04-01' WHERE id = ?", [ids["P-5"]])

    def review(client: str, clinician: str, held: date, with_client: str | None) -> PastItem:
        return PastItem(ids[clinician], "regular", "issue", f"Review {client}", 10, 600, client_id=ids[client],
                        outcome="continue_adjusted", evaluation_on=held,
                        with_client={"evaluated_on": with_client, "rom_done": "yes"} if with_client else None)

    at = datetime(2026, 6, 30, 12, tzinfo=UTC)
    history.insert_meetings(db, team_store.get_team(db, ids["P"]), [PastMeeting(at, [
        review("P-1", "P1", date(2026, 3, 5), "2026-03-01"), review("P-2", "P1", date(2025, 5, 3), "2025-05-01"),
        review("P-4", "P2", date(2025, 8, 2), "2025-08-01"), review("P-4", "P2", date(2026, 2, 2), None),
        review("P-5", "P2", date(2026, 3, 1), "2026-03-01"), review("P-6", "P1", date(2026, 9, 2), "2026-09-01")])])
    history.insert_meetings(db, team_store.get_team(db, ids["Q"]), [PastMeeting(at, [
        review("Q-1", "Q1", date(2026, 6, 30), "2026-06-30"), review("Q-2", "Q1", date(2026, 6, 1), None)])])
    return ids


def test_legal_minimum_per_team_and_clinician_against_a_hand_computed_history(db, two_teams):
    figures = evaluation_store.legal_minimum(db, [two_teams["P"], two_teams["Q"]], TODAY)
    assert figures["window_start"] == date(2025, 6, 30)
    assert figures["total"] == {"active": 7, "evaluated": 3, "not_yet_due": 1, "overdue": 3}
    assert figures["teams"] == [
        {"team": "Team P", "active": 5, "evaluated": 2, "not_yet_due": 1, "overdue": 2},  # P-1, P-4 | P-3 | P-2, P-6
        {"team": "Team Q", "active": 2, "evaluated": 1, "not_yet_due": 0, "overdue": 1}]  # Q-1 | Q-2
    assert figures["clinicians"] == [
        {"clinician": "Nurse P1", "active": 3, "evaluated": 1, "not_yet_due": 0, "overdue": 2},  # P-1 | P-2, P-6
        {"clinician": "Nurse P2", "active": 2, "evaluated": 1, "not_yet_due": 1, "overdue": 0},  # P-4 | P-3
        {"clinician": "Nurse Q1", "active": 2, "evaluated": 1, "not_yet_due": 0, "overdue": 1}]  # Q-1 | Q-2


def test_legal_minimum_of_one_team_on_another_day(db, two_teams):
    # On 2026-09-30 (window from 2025-09-30): P-1 evaluated (2026-03-01), P-2 overdue, P-3 not yet due,
    # P-4 overdue (2025-08-01 fell out), P-6 evaluated (2026-09-01); P-5 finished.
    figures = evaluation_store.legal_minimum(db, [two_teams["P"]], date(2026, 9, 30))
    assert figures["teams"] == [{"team": "Team P", "active": 5, "evaluated": 2, "not_yet_due": 1, "overdue": 2}]
    assert [(c["clinician"], c["evaluated"], c["overdue"]) for c in figures["clinicians"]] == [
        ("Nurse P1", 2, 1), ("Nurse P2", 0, 1)]


def test_no_clients_no_figures(db):
    team_id = team_store.create_team(db, "Empty")
    figures = evaluation_store.legal_minimum(db, [team_id], TODAY)
    assert figures["total"]["active"] == 0 and figures["teams"] == [] and figures["clinicians"] == []
