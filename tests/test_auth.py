"""Logging in and out, sessions that really end, throttling, set-password links, CSRF."""
from datetime import timedelta

import pytest

from meeting import create_app
from meeting.db import utcnow
from meeting.store import users as user_store
from tests.conftest import PASSWORD, Browser


def test_member_logs_in_and_reaches_the_team_page(as_user, world):
    member = as_user("member.a@example.org")
    page = member.get("/", follow_redirects=True)
    assert page.request.path == f"/teams/{world['team_a']}/"
    assert "Team A" in page.text


def test_wrong_password_is_refused_with_a_message(browser, world):
    response = browser.login("member.a@example.org", "wrong password")
    assert response.status_code == 401
    assert "E-mail address or password is not right." in response.text
    assert browser.get("/").status_code == 302


def test_pages_need_a_login(browser, world):
    response = browser.get(f"/teams/{world['team_a']}/clients")
    assert response.status_code == 302 and "/login" in response.location


def test_old_session_cookie_is_rejected_after_logout(app, as_user, world):
    member = as_user("member.a@example.org")
    stolen = member.client.get_cookie("session").value
    member.logout()
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get(f"/teams/{world['team_a']}/")
    assert response.status_code == 302 and "/login" in response.location


def test_password_change_ends_other_sessions_but_not_this_one(as_user, world):
    phone, laptop = as_user("member.a@example.org"), as_user("member.a@example.org")
    response = laptop.post("/account/password", {"current": PASSWORD, "password": "a brand new secret",
                                                 "repeat": "a brand new secret"})
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302
    assert Browser(laptop.client.application.test_client()).login(
        "member.a@example.org", "a brand new secret").status_code == 302


@pytest.mark.parametrize("current, new, repeat, message", [
    ("wrong", "a brand new secret", "a brand new secret", "Your current password is not right."),
    (PASSWORD, "short", "short", "Use at least 10 characters."),
    (PASSWORD, "a brand new secret", "another secret!", "The two passwords differ."),
])
def test_bad_password_change_is_refused_and_changes_nothing(as_user, current, new, repeat, message):
    member = as_user("member.a@example.org")
    response = member.post("/account/password", {"current": current, "password": new, "repeat": repeat})
    assert response.status_code == 400 and message in response.text
    assert Browser(member.client.application.test_client()).login("member.a@example.org").status_code == 302


def test_account_is_locked_after_five_failures_with_a_clear_message(browser, world, db):
    for _ in range(5):
        assert browser.login("member.a@example.org", "guess").status_code == 401
    response = browser.login("member.a@example.org", PASSWORD)
    assert response.status_code == 401
    assert "Too many failed attempts for this account" in response.text
    locked_until = user_store.get_user(db, world["member_a"])["locked_until"]
    assert locked_until > utcnow().isoformat()


def test_lock_expires_and_success_resets_the_counter(db, world):
    for _ in range(5):
        user_store.check_login(db, "member.a@example.org", "guess", utcnow())
    later = utcnow() + timedelta(minutes=2)
    user, reason = user_store.check_login(db, "member.a@example.org", PASSWORD, later)
    assert user and reason is None
    assert user_store.get_user(db, world["member_a"])["failed_logins"] == 0


def test_login_is_rate_limited_per_address(tmp_path, world):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "limit.sqlite3"), "SECRET_KEY": "t",
                      "LOGIN_LIMIT": "3 per minute"})
    user_agent = Browser(app.test_client())
    statuses = [user_agent.login(f"nobody{i}@example.org", "x").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert "Too many login attempts from this network" in user_agent.login("x@example.org", "x").text


def test_deactivated_user_is_logged_out_at_once(as_user, world):
    member, admin = as_user("member.a@example.org"), as_user("admin@example.org")
    assert admin.post(f"/admin/users/{world['member_a']}/active", {"active": "0"}).status_code == 302
    assert member.get(f"/teams/{world['team_a']}/").status_code == 302
    assert member.login("member.a@example.org").status_code == 401


def test_set_password_link_works_once(as_user, browser, db):
    admin = as_user("admin@example.org")
    page = admin.post("/admin/users", {"name": "New Nurse", "email": "new.nurse@example.org"})
    link = page.text.split("/set-password/")[1].split("<")[0]
    path = f"/set-password/{link}"
    assert browser.post(path, {"password": "my own secret", "repeat": "my own secret"}).status_code == 302
    assert browser.get(path).status_code == 404
    assert Browser(browser.client.application.test_client()).login(
        "new.nurse@example.org", "my own secret").status_code == 302


def test_a_post_without_csrf_token_is_refused(as_user, world, db):
    member = as_user("member.a@example.org")
    response = member.client.post(f"/teams/{world['team_a']}/clients/new",
                                  data={"reference": "NOCSRF1", "clinician_id": world["member_a"],
                                        "treatment_start": "2025-01-01"})
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM clients WHERE reference = 'NOCSRF1'").fetchone()[0] == 0


def test_htmx_sends_the_csrf_token_in_a_header(as_user, world):
    member = as_user("member.a@example.org")
    page = member.get(f"/teams/{world['team_a']}/")
    assert 'hx-headers=\'{"X-CSRFToken": "' in page.text
    token = page.text.split('"X-CSRFToken": "')[1].split('"')[0]
    response = member.client.post("/language", data={"locale": "nl"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302


def test_security_headers_and_cookie_flags(as_user, browser, world):
    response = browser.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    login = Browser(browser.client.application.test_client()).post(
        "/login", {"email": "member.a@example.org", "password": PASSWORD})
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = as_user("member.a@example.org").get(f"/teams/{world['team_a']}/clients")
    assert page.headers["Cache-Control"] == "no-store"
