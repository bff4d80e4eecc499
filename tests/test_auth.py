"""Logging in and out, sessions that really end, throttling, set-password links, CSRF."""
from datetime import UTC, datetime, timedelta

import pytest

from meeting import create_app
from meeting.store import users as user_store
from tests.conftest import PASSWORD, Browser

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ATTACKER, USER = "10.0.0.66", "10.0.0.2"


def login_from(app_or_browser, address: str, email: str, password: str):
    """Post the login form from `address` (a new user agent when given the app)."""
    user_agent = app_or_browser if isinstance(app_or_browser, Browser) else Browser(app_or_browser.test_client())
    return user_agent.post("/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def attempt(db, password: str, at: datetime, address: str = ATTACKER, email: str = "member.a@example.org"):
    """A login attempt through the store, at a chosen moment."""
    return user_store.check_login(db, email, password, at, address)


def failures(db) -> list[tuple]:
    return db.execute("SELECT email, address, failures FROM login_failures ORDER BY address").fetchall()


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
    (PASSWORD, "short", "short", "Use at least 12 characters."),
    (PASSWORD, "password1234", "password1234", "one of the most common passwords"),
    (PASSWORD, "member.a rules ok", "member.a rules ok", "part of your e-mail address before the @"),
    (PASSWORD, "x" * 100_000, "x" * 100_000, "Use at most 128 characters."),
    (PASSWORD, "a brand new secret", "another secret!", "The two passwords differ."),
])
def test_bad_password_change_is_refused_and_changes_nothing(as_user, current, new, repeat, message):
    member = as_user("member.a@example.org")
    response = member.post("/account/password", {"current": current, "password": new, "repeat": repeat})
    assert response.status_code == 400 and message in response.text
    assert Browser(member.client.application.test_client()).login("member.a@example.org").status_code == 302


def test_after_five_failures_the_address_must_wait_even_with_the_right_password(browser, world, db):
    for _ in range(5):
        assert browser.login("member.a@example.org", "guess").status_code == 401
    response = browser.login("member.a@example.org", PASSWORD)
    assert response.status_code == 429
    assert ("Too many failed attempts for this account from this address. Try again in 1 minute."
            in response.text)
    assert failures(db) == [("member.a@example.org", "127.0.0.1", 5)]
    assert browser.get("/").status_code == 302  # not logged in


def test_a_stranger_guessing_cannot_lock_the_user_out(app, world):
    attacker = Browser(app.test_client())
    statuses = [login_from(attacker, ATTACKER, "member.a@example.org", f"guess {n}").status_code
                for n in range(20)]
    assert statuses == [401] * 5 + [429] * 15
    assert login_from(app, USER, "member.a@example.org", PASSWORD).status_code == 302
    refused = login_from(attacker, ATTACKER, "member.a@example.org", PASSWORD)
    assert refused.status_code == 429
    assert "Try again in 1 minute." in refused.text


def test_the_wait_doubles_and_the_right_password_passes_once_it_is_over(db, world):
    for _ in range(5):
        assert attempt(db, "guess", NOW).refused == "invalid"
    assert attempt(db, PASSWORD, NOW + timedelta(seconds=59)) == user_store.LoginResult(
        None, "throttled", NOW + timedelta(minutes=1))
    assert attempt(db, "guess", NOW + timedelta(minutes=1)).refused == "invalid"  # the sixth: 2 minutes
    assert attempt(db, PASSWORD, NOW + timedelta(minutes=2, seconds=59)).refused == "throttled"
    assert attempt(db, PASSWORD, NOW + timedelta(minutes=3)).user["id"] == world["member_a"]


def test_success_from_an_address_forgets_its_failures_only(db, world):
    for address in (ATTACKER, USER):
        for _ in range(4):
            attempt(db, "guess", NOW, address)
    assert attempt(db, PASSWORD, NOW, USER).user
    assert failures(db) == [("member.a@example.org", ATTACKER, 4)]
    assert attempt(db, "guess", NOW, USER).refused == "invalid"
    assert attempt(db, PASSWORD, NOW, USER).user  # one failure of a fresh count: no wait


def test_failures_a_day_old_are_forgotten(db, world):
    for _ in range(5):
        attempt(db, "guess", NOW)
    assert attempt(db, "guess", NOW + timedelta(hours=25)).refused == "invalid"
    assert failures(db) == [("member.a@example.org", ATTACKER, 1)]
    assert attempt(db, PASSWORD, NOW + timedelta(hours=25)).user


def test_an_account_under_attack_from_many_addresses_still_lets_the_user_in(db, world):
    for n in range(4):
        for _ in range(5):
            attempt(db, "guess", NOW, f"192.0.2.{n}")
    assert attempt(db, "guess", NOW, "198.51.100.7").refused == "invalid"
    assert attempt(db, PASSWORD, NOW, "198.51.100.7").refused == "throttled"  # one free failure, not five
    assert attempt(db, PASSWORD, NOW, USER).user["id"] == world["member_a"]
    assert attempt(db, PASSWORD, NOW, "192.0.2.0", email="member.b@example.org").user  # other accounts are free


def test_an_unknown_address_is_slowed_like_a_real_one(db, world):
    for _ in range(5):
        assert attempt(db, "guess", NOW, email="nobody@example.org").refused == "invalid"
    assert attempt(db, "guess", NOW, email="nobody@example.org").refused == "throttled"


def test_a_new_password_ends_the_wait(db, world):
    for _ in range(5):
        attempt(db, "guess", NOW, USER)
    user_store.set_password(db, world["member_a"], "a fresh start for me")
    assert attempt(db, "a fresh start for me", NOW, USER).user


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
    weak = browser.post(path, {"password": "aaaaaaaaaaaa", "repeat": "aaaaaaaaaaaa"})
    assert weak.status_code == 400 and "only repeats a character" in weak.text
    named = browser.post(path, {"password": "nursing nurse 42", "repeat": "nursing nurse 42"})
    assert "must not contain your name" in named.text
    assert browser.post(path, {"password": "my own secret", "repeat": "my own secret"}).status_code == 302
    assert browser.get(path).status_code == 404
    assert Browser(browser.client.application.test_client()).login(
        "new.nurse@example.org", "my own secret").status_code == 302


def test_create_admin_refuses_a_weak_password_and_accepts_a_good_one(app, db):
    runner = app.test_cli_runner()
    command = ["create-admin", "--email", "Boss@Example.org", "--name", "Boss", "--password"]
    weak = runner.invoke(args=command + ["123456789012"])
    assert weak.exit_code == 1 and "simple run" in weak.output
    assert user_store.get_user_by_email(db, "boss@example.org") is None
    good = runner.invoke(args=command + ["a quiet harbour at dawn"])
    assert good.exit_code == 0, good.output
    assert user_store.get_user_by_email(db, "boss@example.org")["is_admin"] == 1


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
