"""Migrations are frozen: a fresh database migrates from 0001 to today, and a database left at any old version, with
a team's clients, a held meeting with a decided review and an evaluation with the client, migrates forward to the
same data and the same derived figures as today's schema holding the same rows."""
import ast
import json
from pathlib import Path

import pytest

from meeting.core.i18n import is_generated, message_of, plain
from meeting.store import calendar, figures
from meeting.store import migrations as migrations_module
from meeting.store.db import connect, prepare, write
from meeting.store.migrations import migrations

NAMES = [migration.name for migration in migrations._migrations]
STARTS_AT = "2025-06-03T11:30:00+00:00"
# the rows every version can hold, oldest table first; a column a version lacks is left out
ROWS = [
    ("users", {"id": 1, "email": "chair@example.org", "name": "Chair", "session_token": "t", "created_at": ""}),
    ("teams", {"id": 1, "name": "Team", "created_at": "2024-01-01T00:00:00+00:00"}),
    ("memberships", {"team_id": 1, "user_id": 1, "role": "chair"}),
    ("clients", {"id": 1, "team_id": 1, "reference": "C-001", "clinician_id": 1, "treatment_start": "2024-01-15",
                 "created_at": ""}),
    ("clients", {"id": 2, "team_id": 1, "reference": "C-002", "clinician_id": 1, "treatment_start": "2023-02-28",
                 "last_evaluation": "2024-08-20", "created_at": ""}),
    ("meetings", {"id": 1, "team_id": 1, "starts_at": STARTS_AT, "deadline_at": "2025-06-02T11:30:00+00:00",
                  "minutes": 90, "acute_budget": 30, "regular_budget": 60, "order_policy": "acute_first",
                  "state": "closed", "scheduled_for": "2025-06-03", "created_at": ""}),
    ("items", {"id": 1, "meeting_id": 1, "team_id": 1, "presenter_id": 1, "client_id": 1, "track": "regular",
               "label": "issue", "title": "Review", "need": "A decision", "minutes": 10, "position": 1,
               "state": "decided", "used_seconds": 540, "created_at": "", "updated_at": ""}),
    ("items", {"id": 2, "meeting_id": 1, "team_id": 1, "presenter_id": 1, "track": "regular", "label": "announcement",
               "title": "Holidays", "need": "Noted", "minutes": 2, "position": 2, "state": "decided",
               "used_seconds": 60, "created_at": "", "updated_at": ""}),
    ("decisions", {"id": 1, "item_id": 1, "meeting_id": 1, "decision": "Continue", "decided_by": 1,
                   "decided_at": STARTS_AT}),
    ("decisions", {"id": 2, "item_id": 2, "meeting_id": 1, "announcement_outcome": "noted", "decided_by": 1,
                   "decided_at": STARTS_AT}),
    ("evaluations", {"id": 1, "team_id": 1, "client_id": 1, "item_id": 1, "clinician_id": 1, "held_on": "2025-06-03",
                     "outcome": "continue_adjusted"}),
    ("ratings", {"id": 1, "meeting_id": 1, "user_id": 1, "kept_process": 4, "ended_in_decisions": 5,
                 "time_well_spent": 3, "at": STARTS_AT}),
    ("client_evaluations", {"id": 1, "team_id": 1, "client_id": 1, "item_id": 1, "decision_id": 1, "clinician_id": 1,
                            "evaluated_on": "2025-06-03", "relatives_invited": "yes", "recorded_by": 1,
                            "recorded_at": STARTS_AT}),
    # as closing the meeting wrote them at that version (a derived table: planted in the old database only)
    ("meeting_figures", {"meeting_id": 1, "team_id": 1, "kind": "weekly", "starts_at": STARTS_AT, "day": "2025-06-03",
                         "minutes": 90, "acute_budget": 30, "regular_budget": 60, "items_regular_announcement": 1,
                         "items_regular_issue": 1, "regular_planned_seconds": 720, "regular_used_seconds": 600,
                         "discussed": 2, "decided": 2, "old_raters": 1, "kept_process_sum": 4,
                         "ended_in_decisions_sum": 5, "time_well_spent_sum": 3, "other_regular_minutes": 2}),
]
DERIVED = {"meeting_figures"}
# what the comparison reads: the planted data and every derived table that does not depend on today
COMPARED = ["users", "teams", "memberships", "clients", "meetings", "items", "decisions", "evaluations",
            "client_evaluations", "meeting_figures", "review_cycles", "register_steps", "reviews_held"]


def plant(db, columns_of: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Insert ROWS as far as the schema holds them (or as `columns_of`, an older schema, held them); returns the
    columns written per table."""
    tables = set(db.table_names())
    written = {}
    for table, row in ROWS:
        if table not in tables or (columns_of is not None and (table not in columns_of or table in DERIVED)):
            continue
        allowed = columns_of[table] if columns_of is not None else {c.name for c in db[table].columns}
        values = {name: value for name, value in row.items() if name in allowed}
        db.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                   list(values.values()))
        written[table] = allowed
    db.conn.commit()
    return written


def contents(db) -> dict[str, list[tuple]]:
    """The compared tables' rows, by column name (so a column's place in an old table does not matter)."""
    found = {}
    for table in COMPARED:
        if table in db.table_names():
            names = sorted(c.name for c in db[table].columns)
            found[table] = db.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY 1, 2, 3").fetchall()
    return found


def worked_out(path, legacy_ratings: bool = False) -> dict[str, list[tuple]]:
    """Prepare the database (migrate and write what migrations leave to their owners), read every team's calendar.
    The legacy ratings planted in an old version live on in today's schema as their meeting's figures only."""
    prepare(path)
    db = connect(path)
    try:
        if legacy_ratings:
            with write(db):
                figures.add_legacy_ratings(db, [
                    (row["meeting_id"], [(row["user_id"], row["kept_process"], row["ended_in_decisions"],
                                          row["time_well_spent"])]) for table, row in ROWS if table == "ratings"])
        calendar.refresh_stale(db, [1])
        return contents(db)
    finally:
        db.close()


def test_a_fresh_database_migrates_from_the_first_migration_to_today(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    prepare(path)
    db = connect(path)
    assert [migration.name for migration in migrations.applied(db)] == NAMES
    assert migrations.pending(db) == []
    assert db.execute("SELECT count(*) FROM meeting_figures").fetchone()[0] == 0
    assert calendar.stale_teams(db) == []


@pytest.mark.parametrize("version", NAMES, ids=lambda name: name[:4])
def test_a_database_at_each_version_migrates_forward_to_todays_data_and_figures(tmp_path, version):
    old_path = tmp_path / "old.sqlite3"
    old = connect(old_path)
    following = NAMES[NAMES.index(version) + 1:]
    migrations.apply(old, stop_before=following[0] if following else None)
    assert [migration.name for migration in migrations.pending(old)][:1] == following[:1]
    columns_of = plant(old)
    old.close()
    migrated = worked_out(old_path)

    today_path = tmp_path / "today.sqlite3"
    prepare(today_path)
    today = connect(today_path)
    plant(today, columns_of)
    today.close()
    # the legacy ratings were planted (in their table, or as the figures closing wrote at that version)
    expected = worked_out(today_path, legacy_ratings="ratings" in columns_of or "meeting_figures" in columns_of)

    assert migrated == expected
    if "meetings" in columns_of and "decisions" in columns_of:
        db = connect(old_path)
        figure = dict(zip(figures.COLUMNS + ["day", "other_regular_minutes"], db.execute(
            f"SELECT {', '.join(figures.COLUMNS)}, day, other_regular_minutes FROM meeting_figures").fetchone()))
        assert (figure["meeting_id"], figure["day"], figure["decided"], figure["items_regular_issue"]) == (
            1, "2025-06-03", 2, 1)
        assert figure["other_regular_minutes"] == 2  # the announcement; the review counted
        assert (figure["old_raters"], figure["kept_process_sum"]) == (1, 4)
        client = db.execute("SELECT due_on, last_with_client, with_client_due FROM clients WHERE id = 1").fetchone()
        assert client[0] is not None
        if "client_evaluations" in columns_of:
            assert client[1:] == ("2025-06-03", "2026-06-03")
        assert calendar.stale_teams(db) == []
        db.close()


def test_no_migration_calls_code_that_can_change_later():
    """A migration's body is its own SQL: it imports nothing and calls only run_statements, db.execute or a private
    helper frozen beside it; the module imports only the standard library and sqlite-utils, so no helper can reach code
    that changes later."""
    tree = ast.parse(Path(migrations_module.__file__).read_text())
    imported = {(node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
                for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert imported <= {"json", "re", "sqlite3", "sqlite_utils"}, imported
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("_")}
    for function in (node for node in tree.body if isinstance(node, ast.FunctionDef) and node.decorator_list):
        for node in (inner for statement in function.body for inner in ast.walk(statement)):
            assert not isinstance(node, (ast.Import, ast.ImportFrom)), function.name
            if isinstance(node, ast.Call):
                called = ast.unparse(node.func)
                assert called in {"run_statements", "db.execute"} | helpers, (function.name, called)


def test_generated_text_stored_in_english_or_dutch_becomes_its_message_id_and_typed_text_stays(tmp_path):
    """Migration 0026: text the app wrote in whoever's language is recognised and stored as message id and values."""
    path = tmp_path / "old.sqlite3"
    db = connect(path)
    migrations.apply(db, stop_before="0026_generated_text_as_message_ids")
    plant(db)
    rows = [  # id, title, need, deferred reason, step
        (10, "Handover C-001: 2 of 6 points done",
         "Het team volgt de overdracht tot elk punt is afgerond of niet van toepassing is.", None, None),
        (11, "Bespreking C-002 (17 maanden in behandeling)",
         "Een jaar in behandeling: waarom gaan we door, en wat willen we nog bereiken?",
         "Niet aan bod gekomen in het MDO", None),
        (12, "Antwoord extern consult: Handover C-001: 2 of 6 points done", "What now?", "Not reached in the meeting",
         None),
        (13, "Handelingsopties verkennen", "", None, "options"),
        (14, "Casusbespreking", "Not reached in the meeting", "We ran out of time", None),  # typed: stays
    ]
    for item_id, title, need, reason, step in rows:
        db.execute("""INSERT INTO items (id, meeting_id, team_id, presenter_id, track, label, title, need, minutes,
            position, state, deferred_reason, step, created_at, updated_at)
            VALUES (?, 1, 1, 1, 'regular', 'question', ?, ?, 5, ?, 'planned', ?, ?, '', '')""",
                   [item_id, title, need, item_id, reason, step])
    db.execute("UPDATE meetings SET look_ahead = ? WHERE id = 1",
               ['{"note": "", "carried": ["Handover C-001: 2 of 6 points done", "Holidays"]}'])
    db.conn.commit()
    migrations.apply(db)
    stored = {r[0]: r[1:] for r in db.execute("SELECT id, title, need, deferred_reason FROM items WHERE id >= 10")}
    assert all(is_generated(text) for text in (*stored[10][:2], *stored[11], stored[12][0], stored[12][2],
                                               stored[13][0]))
    assert [plain(text) for text in (*stored[10][:2], *stored[11], stored[12][0], stored[13][0])] == [
        "Handover C-001: 2 of 6 points done",
        "The team follows the handover until every point is done or does not apply.",
        "Evaluation C-002 (17 months in treatment)",
        "One year in treatment: why do we continue, and what do we still want to achieve?",
        "Not reached in the meeting", "Consultation answer: Handover C-001: 2 of 6 points done", "Options for action"]
    assert message_of(stored[11][0])[1] == {"reference": "C-002", "months": 17}
    assert stored[12][1] == "What now?" and stored[14] == ("Casusbespreking", "Not reached in the meeting",
                                                           "We ran out of time")
    carried = json.loads(db.execute("SELECT look_ahead FROM meetings WHERE id = 1").fetchone()[0])["carried"]
    assert is_generated(carried[0]) and carried[1] == "Holidays"
    db.close()
