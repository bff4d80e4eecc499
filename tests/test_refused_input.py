"""Input the app must refuse (the probe's findings): numbers too large for SQLite, dates out of any sensible window,
text that breaks its field's rule, hostile download names, a busy database. Each answers a 4xx or a message, never
a 500, and changes nothing."""
import re
import threading
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from meeting import create_app
from meeting.core.actions import validate_review
from meeting.core.text import TextField, text_errors, whole_number
from meeting.store import history, meeting_ratings
from meeting.store import teams as team_store
from meeting.store.db import connect
from meeting.store.history import PastMeeting
from tests.conftest import finishing_treatment

HUGE = "9" * 30
HX = {"HX-Request": "true"}


def team_url(world, suffix: str) -> str:
    return f"/teams/{world['team_a']}{suffix}"


def count(db, sql: str, params=()) -> int:
    return db.execute(sql, params).fetchone()[0]


# --- one rule for every text field and every whole number ---------------------------------------------------------

def test_the_text_rule_refuses_control_characters_line_breaks_in_one_line_fields_and_states_the_maximum():
    fields = {"note": TextField(10, multiline=True), "who": TextField(10)}
    assert text_errors({"note": "two\r\nlines\t", "who": "  Ann, Bo  "}, fields) == {}
    errors = text_errors({"note": "bell\x07", "who": "Ann\nBo"}, fields)
    assert errors["note"].startswith("This contains invisible control characters")
    assert errors["who"] == "Keep this on one line, without line breaks or tabs."
    assert text_errors({"who": "A\tB"}, fields)["who"] == "Keep this on one line, without line breaks or tabs."
    too_long = text_errors({"note": "x" * 11}, fields)["note"]
    assert too_long % too_long.params == "This is too long: at most 10 characters, it has 11."


@pytest.mark.parametrize("text, number", [("42", 42), (" 7 ", 7), ("9223372036854775807", 2 ** 63 - 1),
                                          ("9223372036854775808", None), (HUGE, None), ("9" * 5000, None),
                                          ("-1", None), ("1.5", None), ("²", None), ("١٢", None), ("", None)],
                         ids=lambda value: value[:25] if isinstance(value, str) else None)
def test_a_whole_number_fits_sqlite_or_is_none(text, number):
    assert whole_number(text) == number


# --- numbers in queries and forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [f"page={HUGE}", f"clinician={HUGE}", "page=" + "9" * 5000],
                         ids=["page", "clinician", "page-5000-digits"])
def test_a_huge_number_in_the_registry_query_is_a_400_that_says_so(as_user, world, query):
    response = as_user("member.a@example.org").get(team_url(world, f"/clients?{query}"))
    assert response.status_code == 400
    assert "in the address must be a whole number" in response.text


@pytest.mark.parametrize("query, said", [(f"user_id={HUGE}", "whole number"), ("to=9999-12-31", "must be a date"),
                                         ("from=0001-01-01", "must be a date"), ("to=2026-02-30", "must be a date")])
def test_the_access_log_refuses_a_huge_user_or_a_date_out_of_range(as_user, world, query, said):
    response = as_user("admin@example.org").get(f"/admin/access-log?{query}")
    assert response.status_code == 400 and said in response.text


def test_a_huge_version_on_the_item_form_is_a_conflict_and_changes_nothing(as_user, world, db):
    before = db.execute("SELECT title, version FROM items WHERE id = ?", [world["item_a"]]).fetchone()
    response = as_user("member.a@example.org").post(team_url(world, f"/items/{world['item_a']}/edit"), {
        "version": HUGE, "meeting_id": world["meeting_a"], "track": "regular", "label": "question",
        "client_reference": "A-001", "title": "Changed", "need": "Something", "minutes": "5"})
    assert response.status_code == 409 and "Someone changed this item meanwhile" in response.text
    assert db.execute("SELECT title, version FROM items WHERE id = ?", [world["item_a"]]).fetchone() == before


def test_a_huge_target_meeting_in_the_planner_is_refused(as_user, world, db):
    url = team_url(world, f"/meetings/{world['meeting_a']}/plan/items/{world['item_a']}/meeting")
    response = as_user("chair.a@example.org").post(url, {"target": HUGE}, follow_redirects=True)
    assert response.status_code == 200 and "Choose a meeting that is still to come." in response.text
    assert count(db, "SELECT meeting_id FROM items WHERE id = ?", [world["item_a"]]) == world["meeting_a"]


def test_a_huge_handover_version_is_a_conflict(as_user, world, db):
    handover = finishing_treatment(db, "a", team_store.get_team(db, world["team_a"]), world)["handover_a"]
    response = as_user("member.a@example.org").post(team_url(world, f"/handovers/{handover}"), {"version": HUGE})
    assert response.status_code == 409 and "Someone changed this handover meanwhile" in response.text


def test_minutes_of_a_session_step_beyond_python_s_digit_limit_are_refused(as_user, world, db):
    day = (date.today() + timedelta(days=20)).isoformat()
    response = as_user("chair.a@example.org").post(team_url(world, "/sessions/new"), {
        "client_reference": "A-001", "presenter_id": world["member_a"], "day": day, "time": "10:00",
        "minutes_case_presentation": "9" * 5000})
    assert response.status_code == 400 and "Give the minutes as a whole number from 1 to 60." in response.text
    assert count(db, "SELECT count(*) FROM meetings WHERE kind != 'weekly' AND team_id = ?", [world["team_a"]]) == 0


def test_a_rating_score_beyond_python_s_digit_limit_is_refused(as_user, world, db):
    db.execute("UPDATE meetings SET state = 'closed' WHERE id = ?", [world["meeting_a"]])
    response = as_user("member.a@example.org").post(team_url(world, f"/meetings/{world['meeting_a']}/rating"), {
        "heard": "9" * 5000, "goals": "4", "approach": "4", "overall": "4"}, headers=HX)
    assert response.status_code == 200 and "Tap a score from 1 to 5." in response.text
    assert count(db, "SELECT count(*) FROM meeting_ratings") == 0


@pytest.mark.parametrize("query", ["from=0001-01-01&to=0001-01-02", "from=0001-01-01&to=0001-12-31",
                                   "from=9999-12-30&to=9999-12-31", "from=2026-01-01&to=9999-12-31"])
def test_a_dashboard_period_out_of_any_register_is_refused_with_a_message(as_user, world, query):
    manager = as_user("manager.a@example.org")
    for url in (team_url(world, f"/dashboard?{query}"), f"/dashboard?{query}"):
        page = manager.get(url)
        assert page.status_code == 200 and "Choose a period from 1950 up to a year from today." in page.text, url
    for url in (team_url(world, f"/dashboard/trend.csv?{query}"), f"/dashboard/summary.csv?{query}"):
        assert manager.get(url).status_code == 200, url  # the default period, named as such in the file name


# --- dates within a sensible window ---------------------------------------------------------------------------------

def new_regular_item(**evaluation) -> dict:
    return {"track": "regular", "label": "question", "client_reference": "A-001", "title": "Evaluated?",
            "need": "A decision", "minutes": "5"} | evaluation


@pytest.mark.parametrize("field", ["evaluated_with_client_on", "somatic_screening_on"])
@pytest.mark.parametrize("day", ["0001-01-01", "1949-12-31"])
def test_an_evaluation_date_before_any_treatment_is_refused(as_user, world, db, field, day):
    member = as_user("member.a@example.org")
    response = member.post(team_url(world, "/items/new"), new_regular_item(**{field: day}) |
                           {"meeting_id": world["meeting_a"]})
    assert response.status_code == 400 and "This date lies before the start of the treatment." in response.text
    assert count(db, "SELECT count(*) FROM items WHERE title = 'Evaluated?'") == 0


def test_an_extra_meeting_far_ahead_is_refused(as_user, world, db):
    far = (date.today() + timedelta(days=3 * 366)).isoformat()
    for day in ("9999-12-31", far):
        response = as_user("chair.a@example.org").post(team_url(world, "/meetings/extra"),
                                                       {"day": day, "time": "10:00"}, follow_redirects=True)
        assert "Plan it at most two years ahead." in response.text
        assert count(db, "SELECT count(*) FROM meetings WHERE starts_at LIKE ?", [day[:4] + "%"]) == 0


def test_a_meeting_moved_far_ahead_is_refused(as_user, world, db):
    before = count(db, "SELECT starts_at FROM meetings WHERE id = ?", [world["meeting_a"]])
    far = (date.today() + timedelta(days=3 * 366)).isoformat()
    for day in ("9999-12-31", far):
        response = as_user("chair.a@example.org").post(team_url(world, f"/meetings/{world['meeting_a']}/move"),
                                                       {"day": day, "time": "10:00"}, follow_redirects=True)
        assert "Plan it at most two years ahead." in response.text
    assert count(db, "SELECT starts_at FROM meetings WHERE id = ?", [world["meeting_a"]]) == before


def test_a_session_planned_or_moved_far_ahead_is_refused(as_user, world, db):
    chair = as_user("chair.a@example.org")
    plan = {"client_reference": "A-001", "presenter_id": world["member_a"], "day": "9999-12-31", "time": "10:00"}
    response = chair.post(team_url(world, "/sessions/new"), plan)
    assert response.status_code == 400 and "Plan it at most two years ahead." in response.text
    assert count(db, "SELECT count(*) FROM meetings WHERE kind != 'weekly' AND team_id = ?", [world["team_a"]]) == 0
    session = finishing_treatment(db, "a", team_store.get_team(db, world["team_a"]), world)["session_a"]
    before = count(db, "SELECT starts_at FROM meetings WHERE id = ?", [session])
    response = chair.post(team_url(world, f"/sessions/{session}/edit"), plan)
    assert response.status_code == 400 and "Plan it at most two years ahead." in response.text
    assert count(db, "SELECT starts_at FROM meetings WHERE id = ?", [session]) == before


@pytest.mark.parametrize("due", ["9999-12-31", (date.today() + timedelta(days=3 * 366)).isoformat()])
def test_an_action_moved_far_ahead_in_the_look_back_is_refused(as_user, world, db, due):
    assert validate_review("moved", due, date.today()) == {"due": "Plan it at most two years ahead."}
    chair = as_user("chair.a@example.org")
    for step in ("start", "consent"):
        chair.post(team_url(world, f"/meetings/{world['meeting_a']}/run/{step}"), headers=HX)
    before = db.execute("SELECT due_on, status FROM actions WHERE id = ?", [world["action_a"]]).fetchone()
    url = team_url(world, f"/meetings/{world['meeting_a']}/run/actions/{world['action_a']}")
    response = chair.post(url, {"status": "moved", "due": due}, follow_redirects=True)
    assert response.status_code == 200 and "Plan it at most two years ahead." in response.text
    assert db.execute("SELECT due_on, status FROM actions WHERE id = ?", [world["action_a"]]).fetchone() == before


# --- text outside the decision form ---------------------------------------------------------------------------------

@pytest.mark.parametrize("reason, said", [("No\x00time\x1b[2J\x07", "invisible control characters"),
                                          ("No\ntime", "on one line"),
                                          ("x" * 100_000, "at most 300 characters, it has 100000")],
                         ids=["control", "newline", "100k"])
def test_the_planner_refuses_a_hostile_deferral_reason_and_never_cuts_it(as_user, world, db, reason, said):
    url = team_url(world, f"/meetings/{world['meeting_a']}/plan/items/{world['item_a']}/defer")
    response = as_user("chair.a@example.org").post(url, {"reason": reason}, follow_redirects=True)
    assert said in response.text
    assert db.execute("SELECT state, deferred_reason FROM items WHERE id = ?", [world["item_a"]]).fetchone() == \
        ("planned", None)


@pytest.mark.parametrize("attendees", ["client,\nsister", "client\tsister", "client\x00"])
def test_the_handover_s_one_line_fields_refuse_line_breaks_tabs_and_control_characters(as_user, world, db, attendees):
    handover = finishing_treatment(db, "a", team_store.get_team(db, world["team_a"]), world)["handover_a"]
    version = count(db, "SELECT version FROM handovers WHERE id = ?", [handover])
    response = as_user("member.a@example.org").post(team_url(world, f"/handovers/{handover}"), {
        "version": version, "warm_attendees": attendees})
    assert response.status_code == 400
    assert "on one line" in response.text or "invisible control characters" in response.text
    assert count(db, "SELECT version FROM handovers WHERE id = ?", [handover]) == version


def test_a_handover_note_too_long_is_refused_with_its_maximum(as_user, world, db):
    handover = finishing_treatment(db, "a", team_store.get_team(db, world["team_a"]), world)["handover_a"]
    version = count(db, "SELECT version FROM handovers WHERE id = ?", [handover])
    response = as_user("member.a@example.org").post(team_url(world, f"/handovers/{handover}"), {
        "version": version, "note_stable": "x" * 501})
    assert response.status_code == 400 and "at most 500 characters, it has 501" in response.text


# --- downloads ------------------------------------------------------------------------------------------------------

HOSTILE_FROM = 'a"; filename*=UTF-8\'\'evil.html; x="'


def disposition_name(response) -> str:
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment; ") and "\n" not in header and "\r" not in header
    assert header.count("filename=") == 1 and header.count("filename*=") == 1
    return re.search(r'filename="([^"]*)"', header).group(1)


@pytest.mark.parametrize("hostile", [HOSTILE_FROM, "2026-01-01\r\nSet-Cookie: x=1", "2026-01-01\n"])
def test_a_csv_s_name_is_built_from_the_parsed_period_never_from_the_query(as_user, world, hostile):
    manager = as_user("manager.a@example.org")
    response = manager.get(team_url(world, "/dashboard/overdue.csv"),
                           query_string={"from": hostile, "to": "2026-06-30"})
    assert response.status_code == 200
    assert "evil" not in response.headers["Content-Disposition"]
    assert re.fullmatch(r"belletje-overdue-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv", disposition_name(response))


def test_download_names_are_in_the_reader_s_language(as_user, world):
    manager = as_user("manager.a@example.org")
    manager.post("/account/language", {"locale": "nl"})
    csv = manager.get(team_url(world, "/dashboard/overdue.csv?from=2026-01-01&to=2026-06-30"))
    assert disposition_name(csv) == "belletje-achterstand-2026-01-01-2026-06-30.csv"
    member = as_user("member.a@example.org")
    minutes = member.get(team_url(world, f"/meetings/{world['meeting_a']}/minutes.md"))
    assert re.fullmatch(r"minutes-\d{4}-\d\d-\d\d\.md", disposition_name(minutes))
    member.post("/account/language", {"locale": "nl"})
    minutes = member.get(team_url(world, f"/meetings/{world['meeting_a']}/minutes.md"))
    assert re.fullmatch(r"notulen-\d{4}-\d\d-\d\d\.md", disposition_name(minutes))


# --- a busy database, HTTPS ------------------------------------------------------------------------------------------

def test_a_write_that_waits_too_long_for_the_lock_is_told_busy_and_changes_nothing(app, as_user, world, db):
    app.config["BUSY_TIMEOUT_MS"] = 300  # before the first request builds the connection pool
    member = as_user("member.a@example.org")
    holder = connect(app.config["DATABASE"])
    holder.conn.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        response = member.post(team_url(world, "/clients/new"), {
            "reference": "LOCK-1", "clinician_id": world["member_a"], "treatment_start": "2025-01-01"})
    finally:
        holder.conn.rollback()
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Wait a few seconds and try again. Nothing was changed." in response.text
    assert count(db, "SELECT count(*) FROM clients WHERE reference = 'LOCK-1'") == 0
    again = member.post(team_url(world, "/clients/new"), {
        "reference": "LOCK-1", "clinician_id": world["member_a"], "treatment_start": "2025-01-01"})
    assert again.status_code == 302 and count(db, "SELECT count(*) FROM clients WHERE reference = 'LOCK-1'") == 1


def test_a_lock_released_within_the_timeout_lets_the_write_through(app, as_user, world, db):
    app.config["BUSY_TIMEOUT_MS"] = 5000
    member = as_user("member.a@example.org")
    holder = connect(app.config["DATABASE"])
    holder.conn.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, holder.conn.rollback)
    release.start()
    try:
        response = member.post(team_url(world, "/clients/new"), {
            "reference": "LOCK-2", "clinician_id": world["member_a"], "treatment_start": "2025-01-01"})
    finally:
        release.join()
        holder.close()
    assert response.status_code == 302 and count(db, "SELECT count(*) FROM clients WHERE reference = 'LOCK-2'") == 1


@pytest.mark.parametrize("https, expected", [("1", True), ("0", False)])
def test_https_sends_strict_transport_security(tmp_path, monkeypatch, https, expected):
    monkeypatch.setenv("BELLETJE_HTTPS", https)
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "h.sqlite3"), "SECRET_KEY": "x"})
    response = app.test_client().get("/login", base_url="https://localhost")
    assert ("max-age=31536000" in response.headers.get("Strict-Transport-Security", "")) is expected


# --- a bulk import has limits -----------------------------------------------------------------------------------------

def import_file(chair, world, data: bytes):
    """Post `data` as the import's file; the body is encoded here, in memory (the test client would spool a body
    over 500 KB to a temporary file that it never closes)."""
    chair.post("/account/language", {"locale": "en"})  # sets chair.token, the CSRF token the form needs
    boundary, body = encode_multipart({"csrf_token": chair.token,
                                       "file": FileStorage(BytesIO(data), "clients.csv", content_type="text/csv")})
    return chair.client.post(team_url(world, "/clients/import"), data=body,
                             content_type=f"multipart/form-data; boundary={boundary}")


def client_lines(rows: int, padding: str = "") -> bytes:
    lines = ["reference,clinician_email,treatment_start,last_evaluation"]
    lines += [f"BULK-{i:06d},member.a@example.org,2023-01-15,{padding}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_the_import_page_says_its_limits(as_user, world):
    page = as_user("chair.a@example.org").get(team_url(world, "/clients/import")).text
    assert "At most 2,000 clients and 1 MB per file" in page


def test_an_import_of_too_many_rows_is_refused_with_the_limit_named(as_user, world, db):
    response = import_file(as_user("chair.a@example.org"), world, client_lines(2001))
    assert response.status_code == 400
    assert "The file holds 2001 clients. Import at most 2000 per file." in response.text
    assert count(db, "SELECT count(*) FROM clients WHERE reference LIKE 'BULK-%'") == 0


def test_an_import_over_the_size_limit_is_refused_with_the_limit_named(as_user, world, db):
    response = import_file(as_user("chair.a@example.org"), world, client_lines(1000, padding=" " * 1100))
    assert response.status_code == 400
    assert "The file is larger than 1 MB. Import at most 2000 clients per file." in response.text
    assert count(db, "SELECT count(*) FROM clients WHERE reference LIKE 'BULK-%'") == 0


def test_an_import_at_the_limit_goes_in_whole(as_user, world, db):
    assert import_file(as_user("chair.a@example.org"), world, client_lines(2000)).status_code == 302
    assert count(db, "SELECT count(*) FROM clients WHERE reference LIKE 'BULK-%'") == 2000


def test_a_request_over_the_app_s_size_limit_is_a_413_that_says_so(as_user, world):
    chair = as_user("chair.a@example.org")
    response = chair.client.post(team_url(world, "/clients/import"), data=b"x" * (9 * 1024 * 1024),
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "larger than Belletje takes" in response.text


# --- ratings from three raters on -----------------------------------------------------------------------------------

def rated(db, world, raters: int) -> None:
    db.execute("UPDATE meetings SET state = 'closed' WHERE id = ?", [world["meeting_a"]])
    for user in ("member_a", "chair_a", "manager_a")[:raters]:
        meeting_ratings.rate(db, world["meeting_a"], world[user],
                             {"heard": 2, "goals": 4, "approach": 1, "overall": 5, "change_next": ""})


@pytest.mark.parametrize("raters", [1, 2])
def test_the_minutes_of_a_meeting_rated_by_fewer_than_three_show_no_scores(as_user, world, db, raters):
    rated(db, world, raters)
    member = as_user("member.a@example.org")
    for page in ("/minutes", "/minutes.md"):
        text = member.get(team_url(world, f"/meetings/{world['meeting_a']}{page}")).text
        assert "Fewer than 3 ratings" in text, page
        assert not re.search(r"Heard and understood: \d", text), page


def test_the_minutes_show_the_averages_from_three_raters_on(as_user, world, db):
    rated(db, world, 3)
    member = as_user("member.a@example.org")
    for page in ("/minutes", "/minutes.md"):
        text = member.get(team_url(world, f"/meetings/{world['meeting_a']}{page}")).text
        assert "Heard and understood: 2.0" in text and "Fewer than 3 ratings" not in text, page


@pytest.mark.parametrize("raters", [1, 2, 3])
def test_the_dashboard_shows_a_week_s_ratings_only_from_three_raters_on(as_user, world, db, raters):
    scores = [(world[user], 2, 4, 1, 5, "") for user in ("member_a", "chair_a", "manager_a")[:raters]]
    history.insert_meetings(db, team_store.get_team(db, world["team_a"]),
                            [PastMeeting(datetime.now(UTC) - timedelta(days=8), [], meeting_ratings=scores)])
    page = as_user("manager.a@example.org").get(team_url(world, "/dashboard")).text
    rating = page.split('id="rating-trend"')[1].split("</section>")[0]
    assert ("Fewer than 3 ratings" in rating) is (raters < 3)
    assert ('id="rating-heard">2.0<' in rating and "<rect" in rating) is (raters >= 3)


# --- Markdown downloads ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start", ["\r\n", "\n", "\r\n  ", " \t\n"], ids=repr)
def test_no_markdown_line_starts_a_formula_after_a_leading_line_break(as_user, world, db, start):
    hostile = f"{start}=HYPERLINK(\"http://x\")"
    db.execute("UPDATE items SET title = ?, need = ?, current_state = ? WHERE id = ?",
               [hostile, hostile, "Stable.\n=cmd|' /C calc'!A0", world["item_a"]])
    text = as_user("chair.a@example.org").get(team_url(world, f"/meetings/{world['meeting_a']}/minutes.md")).text
    assert "'=HYPERLINK" in text
    lines = [line.removeprefix("### ").removeprefix("- ").split(": ", 1)[-1] for line in re.split(r"\r\n|\n|\r", text)]
    assert [line for line in lines if line.lstrip().startswith(("=", "+", "@"))] == []


def test_the_markdown_minutes_carry_no_control_character(as_user, world, db):
    db.execute("UPDATE items SET title = ?, need = ? WHERE id = ?", ["Crisis\x00plan\x1b[2J\x07", "Bell\x7f\x85",
                                                                     world["item_a"]])
    text = as_user("chair.a@example.org").get(team_url(world, f"/meetings/{world['meeting_a']}/minutes.md")).text
    assert "Crisis" in text and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text)


def test_the_session_summary_in_markdown_starts_no_formula_after_a_leading_line_break(as_user, world, db):
    session = finishing_treatment(db, "a", team_store.get_team(db, world["team_a"]), world)["session_a"]
    db.execute("UPDATE session_cards SET text = ? WHERE meeting_id = ?", ["\r\n=HYPERLINK(\"x\")", session])
    db.execute("UPDATE meetings SET state = 'closed' WHERE id = ?", [session])
    text = as_user("chair.a@example.org").get(team_url(world, f"/sessions/{session}/summary.md")).text
    assert "'=HYPERLINK" in text
    assert not [line for line in re.split(r"\r\n|\n|\r", text) if line.lstrip().startswith("=")]
