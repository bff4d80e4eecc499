"""Exports a spreadsheet may open: no text cell starts a formula (OWASP CSV injection)."""
import csv
import io

import pytest

from meeting.core.exports import neutralised

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
TABLES = ("summary", "overdue", "milestones", "clinicians", "meetings", "items", "trend")


@pytest.mark.parametrize("start", DANGEROUS, ids=repr)
def test_a_text_that_would_start_a_formula_gets_a_leading_quote(start):
    assert neutralised(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


def test_other_values_pass_unchanged():
    assert [neutralised(v) for v in ("K-0142", "", -5, 3.5, None)] == ["K-0142", "", -5, 3.5, None]


@pytest.fixture
def hostile_texts(db, world):
    """Stored texts as an attacker would leave them, past the form validation (older data, an import, SQL)."""
    def plant(start: str) -> str:
        payload = f"{start}HYPERLINK(1)"
        db.execute("UPDATE clients SET reference = ?, last_evaluation = '2024-01-15' WHERE id = ?",
                   [payload, world["client_a"]])
        db.execute("UPDATE users SET name = ? WHERE id = ?", [payload, world["member_a"]])
        db.execute("UPDATE items SET title = ? WHERE team_id = ?", [payload, world["team_a"]])
        db.execute("UPDATE actions SET description = ? WHERE team_id = ?", [payload, world["team_a"]])
        return payload
    return plant


@pytest.mark.parametrize("start", DANGEROUS, ids=repr)
def test_no_csv_cell_of_any_dashboard_table_starts_a_formula(start, hostile_texts, as_user, world):
    payload = hostile_texts(start)
    manager = as_user("manager.a@example.org")
    seen = False
    for base in (f"/teams/{world['team_a']}/dashboard", "/dashboard"):
        for table in TABLES:
            response = manager.get(f"{base}/{table}.csv")
            assert response.status_code == 200
            cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
            assert not [cell for cell in cells if cell.startswith(tuple(DANGEROUS))], f"{base}/{table}.csv"
            seen |= f"'{payload}" in cells
    assert seen, "the planted text should appear (neutralised) in at least one table"


@pytest.mark.parametrize("start", DANGEROUS, ids=repr)
def test_the_minutes_markdown_starts_no_formula(start, hostile_texts, as_user, world):
    payload = hostile_texts(start)
    text = as_user("chair.a@example.org").get(
        f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/minutes.md").text
    assert f"'{payload}" in text
    assert payload not in text.replace(f"'{payload}", "")
