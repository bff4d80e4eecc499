"""The account page's reminder and calendar sections, and the chair's defaults for the team."""
from meeting.store import reminders as reminder_store


def test_a_person_turns_a_reminder_off_and_allows_evenings(as_user, world, db):
    member = as_user("member.a@example.org")
    page = member.get("/account/").text
    assert 'id="reminder-deadline"' in page and 'id="calendar"' in page
    form = {f"reminder-{kind}": "on" for kind in ("actions", "evaluations", "minutes", "rating", "session")}
    response = member.post("/account/reminders", form | {"reminder-deadline": "off", "any_time": "1"})
    assert response.status_code == 302
    assert reminder_store.own_choices(db)[world["member_a"]]["deadline"] == "off"
    assert db.execute("SELECT mail_any_time FROM users WHERE id = ?", [world["member_a"]]).fetchone()[0] == 1
    assert '<option value="off" selected>' in member.get("/account/").text


def test_a_choice_that_is_not_offered_is_refused_and_changes_nothing(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.post("/account/reminders", {"reminder-deadline": "sometimes"})
    assert response.status_code == 400 and "Choose one of the options" in response.text
    assert reminder_store.own_choices(db) == {}


def test_the_chair_sets_the_teams_defaults_which_a_member_sees_as_their_own(as_user, world, db):
    chair = as_user("chair.a@example.org")
    form = {f"default-{kind}": "on" for kind in ("actions", "evaluations", "minutes", "rating", "session")}
    response = chair.post(f"/teams/{world['team_a']}/reminders", form | {"default-deadline": "always",
                                                                        "reminder_time": "10:30"})
    assert response.status_code == 302
    assert reminder_store.team_defaults(db, world["team_a"])["deadline"] == "always"
    assert db.execute("SELECT reminder_time FROM teams WHERE id = ?", [world["team_a"]]).fetchone()[0] == "10:30"
    assert '<option value="always" selected>' in as_user("member.a@example.org").get("/account/").text


def test_a_reminder_time_in_the_quiet_hours_is_refused(as_user, world, db):
    chair = as_user("chair.a@example.org")
    response = chair.post(f"/teams/{world['team_a']}/reminders", {"default-deadline": "always",
                                                                  "reminder_time": "21:00"})
    assert response.status_code == 400 and "between 08:00 and 17:59" in response.text
    assert reminder_store.team_defaults(db, world["team_a"]) == {}


def test_only_the_chair_changes_the_defaults(as_user, world, db):
    member = as_user("member.a@example.org")
    assert member.get(f"/teams/{world['team_a']}/reminders").status_code == 200
    assert member.post(f"/teams/{world['team_a']}/reminders", {"reminder_time": "10:00"}).status_code == 403
    assert as_user("manager.a@example.org").post(f"/teams/{world['team_a']}/reminders",
                                                  {"reminder_time": "10:00"}).status_code == 403
