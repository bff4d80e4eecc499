"""Control characters are refused in every typed field; text areas keep their line breaks."""
from datetime import date
from io import BytesIO

import pytest

from meeting.core.clients import parse_client_csv, validate_client
from meeting.core.items import validate_item
from meeting.core.teams import team_name_error
from meeting.core.text import CONTROL_CHARACTERS, email_error, has_control_characters, person_name_error, shown_safely

ITEM = {"track": "acute", "label": "issue", "title": "Escalation at home", "need": "Advice on a crisis plan"}
CLIENT = {"reference": "OK-1", "clinician_id": "7", "treatment_start": "2025-01-01"}
HEADER = "reference,clinician_email,treatment_start,last_evaluation\n"


@pytest.mark.parametrize("text, multiline, found", [
    ("Plain text, with ümlauts and – dashes", False, False),
    ("NUL\x00inside", False, True),
    ("escape \x1b[31m", True, True),
    ("delete \x7f", True, True),
    ("C1 \x85 next line", True, True),
    ("tab\there", False, True),
    ("two\nlines", False, True),
    ("two\r\nlines\tand a tab", True, False),
    ("", False, False),
])
def test_control_characters_are_found(text, multiline, found):
    assert has_control_characters(text, multiline=multiline) is found


def test_a_refused_value_is_shown_with_visible_marks():
    assert shown_safely("A\x00B\x1b") == "A\ufffdB\ufffd"


@pytest.mark.parametrize("field, value", [
    ("title", "Escalation\x00"),
    ("title", "Two\nlines"),
    ("need", "Advice\x07"),
    ("current_state", "Stable\x1b[2J"),
    ("client_reference", "A-001\x00"),
])
def test_item_fields_with_control_characters_are_refused(field, value):
    item, errors = validate_item(ITEM | {field: value}, {"A-001": 1}, {})
    assert item is None and errors[field] == CONTROL_CHARACTERS


def test_item_text_areas_keep_line_breaks_and_tabs():
    item, errors = validate_item(ITEM | {"need": "First:\r\n\tadvice\r\nSecond: a plan"}, {}, {})
    assert errors == {} and item.need == "First:\r\n\tadvice\r\nSecond: a plan"


@pytest.mark.parametrize("field, value", [
    ("reference", "AB-1\x00"), ("treatment_start", "2025-01-01\x00"), ("last_evaluation", "\x002025-06-01"),
])
def test_client_fields_with_control_characters_are_refused(field, value):
    client, errors = validate_client(CLIENT | {field: value}, {7}, date(2026, 1, 1))
    assert client is None and errors[field] == CONTROL_CHARACTERS


def test_a_csv_row_with_a_control_character_is_refused_and_shown_visibly():
    text = HEADER + "GOOD-1,a@x.org,2025-01-01,\nBAD-1,a@x.org\x00,2025-01-01,\n"
    rows, errors = parse_client_csv(text, {"a@x.org": 1}, set(), date(2026, 1, 1))
    assert rows == [] and [(e.line, "control characters" in e.message) for e in errors] == [(3, True)]
    assert errors[0].value == "BAD-1,a@x.org\ufffd,2025-01-01,"


@pytest.mark.parametrize("rule, value", [
    (team_name_error, "Team\x00C"), (person_name_error, "Nurse\x1bX"), (email_error, "a\x00@example.org"),
])
def test_names_and_addresses_with_control_characters_are_refused(rule, value):
    assert rule(value) == CONTROL_CHARACTERS


def test_plain_names_and_addresses_pass():
    assert team_name_error("FACT Zuid") is person_name_error("Fatima El Idrissi") is email_error("f@x.org") is None


def test_the_item_form_refuses_a_nul_in_the_title_and_saves_nothing(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/items/new", ITEM | {"title": "Esc\x00alation",
                                                                          "meeting_id": world["meeting_a"]})
    assert response.status_code == 400 and "invisible control characters" in response.text
    assert db.execute("SELECT count(*) FROM items WHERE title LIKE 'Esc%'").fetchone()[0] == 0


def test_the_client_form_and_import_refuse_control_characters(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post(f"/teams/{world['team_a']}/clients/new", {
        "reference": "NUL-1\x00", "clinician_id": world["member_a"], "treatment_start": "2025-03-01"})
    assert response.status_code == 400 and "invisible control characters" in response.text
    upload = {"file": (BytesIO((HEADER + "IMP-1,member.a@example.org\x1b,2025-01-01,\n").encode()), "c.csv")}
    imported = as_user("chair.a@example.org").post(f"/teams/{world['team_a']}/clients/import", upload,
                                                   content_type="multipart/form-data")
    assert imported.status_code == 400 and "invisible control characters" in imported.text
    assert db.execute("SELECT count(*) FROM clients WHERE reference LIKE 'NUL%' OR reference LIKE 'IMP%'"
                      ).fetchone()[0] == 0


@pytest.mark.parametrize("url, form", [
    ("/admin/teams", {"name": "Team\x00C"}),
    ("/admin/users", {"name": "New\x00Nurse", "email": "nurse@example.org"}),
    ("/admin/users", {"name": "New Nurse", "email": "nurse\x00@example.org"}),
])
def test_admin_forms_refuse_control_characters(as_user, world, db, url, form):
    response = as_user("admin@example.org").post(url, form)
    assert response.status_code == 400 and "invisible control characters" in response.text
    assert db.execute("SELECT count(*) FROM teams WHERE name LIKE 'Team%C'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM users WHERE email LIKE 'nurse%'").fetchone()[0] == 0


def test_create_admin_refuses_control_characters(app, db):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "boss@example.org", "--name",
                                                "Boss\x07", "--password", "a quiet harbour at dawn"])
    assert result.exit_code == 1 and "control characters" in result.output
    assert db.execute("SELECT count(*) FROM users WHERE email = 'boss@example.org'").fetchone()[0] == 0
