"""The client registry: pseudonymous references, validation, CSV import all-or-nothing, search."""
from datetime import date

import pytest

from meeting.core.clients import parse_client_csv, passes_eleven_test, reference_error, validate_client

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize("digits, valid", [
    ("111222333", True), ("123456782", True), ("123456789", False), ("12345678", False), ("12345678a", False),
])
def test_eleven_test(digits, valid):
    assert passes_eleven_test(digits) is valid


@pytest.mark.parametrize("reference, problem", [
    ("FN-001A", None),
    ("ab", None),
    ("A" * 20, None),
    ("123456789", None),  # nine digits that fail the eleven-test are not a BSN
    ("A", "2 to 20"),
    ("A" * 21, "2 to 20"),
    ("Jan Jansen", "2 to 20"),
    ("fn_001", "2 to 20"),
    ("", "2 to 20"),
    ("-A1-B1", "starting with a letter or digit"),
    ("-1", "starting with a letter or digit"),
    ("1-", None),
    ("111222333", "BSN"),
    ("123456782", "BSN"),
])
def test_reference_validation_table(reference, problem):
    message = reference_error(reference)
    assert (message is None) if problem is None else (problem in message)


@pytest.mark.parametrize("form, field", [
    ({"reference": "OK-1", "clinician_id": "7", "treatment_start": "2030-01-01"}, "treatment_start"),
    ({"reference": "OK-1", "clinician_id": "7", "treatment_start": "yesterday"}, "treatment_start"),
    ({"reference": "OK-1", "clinician_id": "8", "treatment_start": "2025-01-01"}, "clinician_id"),
    ({"reference": "OK-1", "clinician_id": "7", "treatment_start": "2025-01-01",
      "last_evaluation": "2024-12-31"}, "last_evaluation"),
    ({"reference": "111222333", "clinician_id": "7", "treatment_start": "2025-01-01"}, "reference"),
    ({"reference": "-OK-1", "clinician_id": "7", "treatment_start": "2025-01-01"}, "reference"),
])
def test_client_form_errors_name_the_field(form, field):
    client, errors = validate_client(form, {7}, TODAY)
    assert client is None and field in errors


@pytest.mark.parametrize("start, message", [
    ("0001-01-01", "The treatment start cannot be before 1950."),
    ("1949-12-31", "The treatment start cannot be before 1950."),
    ("2026-11-25", "The treatment start cannot be in the future."),
    ("9999-12-31", "The treatment start cannot be in the future."),
    ("1950-01-01", None),
    ("2026-11-24", None),
])
def test_treatment_start_lies_between_1950_and_today(start, message):
    _client, errors = validate_client({"reference": "OK-1", "clinician_id": "7", "treatment_start": start}, {7}, TODAY)
    assert errors.get("treatment_start") == message


def test_last_evaluation_cannot_predate_an_old_start():
    _client, errors = validate_client({"reference": "OK-1", "clinician_id": "7", "treatment_start": "1950-01-01",
                                       "last_evaluation": "0001-01-01"}, {7}, TODAY)
    assert "last_evaluation" in errors


def test_valid_client_form_gives_typed_values():
    client, errors = validate_client({"reference": " FN-9 ", "clinician_id": "7", "treatment_start": "2025-01-02",
                                      "last_evaluation": "2025-07-01"}, {7}, TODAY)
    assert errors == {}
    assert (client.reference, client.clinician_id, client.treatment_start, client.last_evaluation) == (
        "FN-9", 7, date(2025, 1, 2), date(2025, 7, 1))


HEADER = "reference,clinician_email,treatment_start,last_evaluation\n"


def test_csv_with_one_bad_row_imports_nothing_and_lists_every_problem():
    text = HEADER + "GOOD-1,a@x.org,2025-01-01,\n111222333,a@x.org,2025-01-01,\nGOOD-2,nobody@x.org,2025-01-01,\n"
    rows, errors = parse_client_csv(text, {"a@x.org": 1}, set(), TODAY)
    assert rows == []
    assert [(e.line, "BSN" in e.message or "clinician" in e.message) for e in errors] == [(3, True), (4, True)]


def test_csv_refuses_duplicates_within_the_file_and_with_the_registry():
    text = HEADER + "DUP-1,a@x.org,2025-01-01,\ndup-1,a@x.org,2025-01-01,\nOLD-1,a@x.org,2025-01-01,\n"
    rows, errors = parse_client_csv(text, {"a@x.org": 1}, {"OLD-1"}, TODAY)
    assert rows == [] and [e.line for e in errors] == [3, 4]


def test_csv_with_a_wrong_header_is_refused():
    rows, errors = parse_client_csv("ref,email\nA-1,a@x.org\n", {"a@x.org": 1}, set(), TODAY)
    assert rows == [] and errors[0].line == 1


def csv_file(rows: int, email: str, bad_line: int | None = None) -> bytes:
    lines = [HEADER.strip()]
    for i in range(rows):
        reference = "111222333" if i + 2 == bad_line else f"IMP-{i:04d}"
        lines.append(f"{reference},{email},2023-{i % 12 + 1:02d}-15,{'2026-05-01' if i % 3 else ''}")
    return ("\n".join(lines) + "\n").encode()


def test_a_good_file_of_300_rows_imports_in_one_go(as_user, world, db):
    from io import BytesIO
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/clients/import",
                          {"file": (BytesIO(csv_file(300, "member.a@example.org")), "clients.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.execute("SELECT count(*) FROM clients WHERE team_id = ? AND reference LIKE 'IMP-%'",
                      [world["team_a"]]).fetchone()[0] == 300
    logged = db.execute("SELECT count(*) FROM access_log WHERE action = 'create' AND user_id = ?",
                        [world["chair_a"]]).fetchone()[0]
    assert logged == 300


def test_a_file_with_one_bad_row_in_300_imports_nothing(as_user, world, db):
    from io import BytesIO
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/clients/import",
                          {"file": (BytesIO(csv_file(300, "member.a@example.org", bad_line=250)), "c.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Nothing was imported" in response.text and "Line 250" in response.text
    assert db.execute("SELECT count(*) FROM clients WHERE reference LIKE 'IMP-%'").fetchone()[0] == 0


def test_import_refuses_a_clinician_of_another_team(as_user, world, db):
    from io import BytesIO
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/clients/import",
                          {"file": (BytesIO(csv_file(3, "member.b@example.org")), "c.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM clients WHERE reference LIKE 'IMP-%'").fetchone()[0] == 0


def test_the_client_form_refuses_a_start_in_year_one_and_a_leading_dash(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/clients/new", {
        "reference": "-OLD-1", "clinician_id": world["member_a"], "treatment_start": "0001-01-01"})
    assert response.status_code == 400
    assert "starting with a letter or digit" in response.text and "cannot be before 1950" in response.text
    assert db.execute("SELECT count(*) FROM clients WHERE reference LIKE '%OLD-1'").fetchone()[0] == 0


def test_member_adds_a_client_and_finds_it(as_user, world):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/clients/new", {
        "reference": "NEW-42", "clinician_id": world["member_a"], "treatment_start": "2025-03-01"})
    assert response.status_code == 302
    found = member.get(f"/teams/{world['team_a']}/clients?q=new-4")
    assert "NEW-42" in found.text and "A-001" not in found.text


def test_a_bsn_as_reference_is_refused_with_the_reason_and_nothing_saved(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/clients/new", {
        "reference": "111222333", "clinician_id": world["member_a"], "treatment_start": "2025-03-01"})
    assert response.status_code == 400
    assert "citizen service number (BSN)" in response.text
    assert db.execute("SELECT count(*) FROM clients WHERE reference = '111222333'").fetchone()[0] == 0


def test_duplicate_reference_in_the_team_is_refused(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/clients/new", {
        "reference": "a-001", "clinician_id": world["member_a"], "treatment_start": "2025-03-01"})
    assert response.status_code == 400 and "already in the registry" in response.text


def test_same_reference_may_exist_in_another_team(as_user, world):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/clients/new", {
        "reference": "B-001", "clinician_id": world["member_a"], "treatment_start": "2025-03-01"})
    assert response.status_code == 302


def test_client_of_another_team_cannot_be_named_as_clinician(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/clients/new", {
        "reference": "X-77", "clinician_id": world["member_b"], "treatment_start": "2025-03-01"})
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM clients WHERE reference = 'X-77'").fetchone()[0] == 0


def test_edit_and_finish_a_client(as_user, world, db):
    member = as_user("member.a@example.org")
    url = f"/teams/{world['team_a']}/clients/{world['client_a']}"
    assert member.post(url, {"reference": "A-001", "clinician_id": world["chair_a"],
                             "treatment_start": "2024-01-15", "last_evaluation": "2026-06-01"}).status_code == 302
    assert member.post(url + "/status", {"status": "finished"}).status_code == 302
    row = db.execute("SELECT clinician_id, last_evaluation, status FROM clients WHERE id = ?",
                     [world["client_a"]]).fetchone()
    assert row == (world["chair_a"], "2026-06-01", "finished")


def test_registry_shows_derived_due_date_and_overdue(as_user, world):
    page = as_user("member.a@example.org").get(f"/teams/{world['team_a']}/clients")
    # started 2024-01-15 without an evaluation: due 2024-07-15, long overdue
    assert "days overdue" in page.text


def test_search_as_you_type_returns_only_the_results_fragment(as_user, world):
    member = as_user("member.a@example.org")
    response = member.hx(f"/teams/{world['team_a']}/clients?q=A-0", headers={"HX-Target": "client-results"})
    assert response.status_code == 200
    assert 'id="client-results"' in response.text and "<html" not in response.text
    assert "A-001" in response.text
