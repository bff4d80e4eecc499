"""Sign-in help by mail ("Forgot your password?"), through a real SMTP server (aiosmtpd on a local port)."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meeting.ops import mail
from meeting.store import institution, outbox
from meeting.store import users as user_store
from tests.conftest import PASSWORD, Browser
from tests.test_mail import plain, smtp  # noqa: F401 (the fixture)

NEW_PASSWORD = "purple tugboat wanders late"
SENT = "a link to set a new password is on its way"


@pytest.fixture
def mail_on(smtp, monkeypatch):  # noqa: F811
    """Mail configured in the environment, to the test's SMTP server; the inbox it fills."""
    inbox, settings = smtp
    for name, value in {"BELLETJE_SMTP_HOST": "127.0.0.1", "BELLETJE_SMTP_PORT": str(settings.port),
                        "BELLETJE_SMTP_SECURITY": "none", "BELLETJE_MAIL_FROM": "belletje@ggz.example",
                        "BELLETJE_MAIL_LOCALE": "en", "BELLETJE_BASE_URL": "https://belletje.ggz.example"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BELLETJE_MAIL", raising=False)
    return inbox


def deliver(db) -> None:
    mail.deliver(db, mail.settings_from_env(), datetime.now(ZoneInfo("UTC")))


def main(page: str) -> str:
    """The page's own content (the header carries a per-session CSRF token)."""
    return re.search(r"<main.*</main>", page, re.DOTALL).group(0)


def ask_help(app, email: str):
    return Browser(app.test_client()).post("/login/help", {"email": email})


def test_the_login_page_offers_help_that_mails_a_one_time_link(app, db, world, mail_on):
    browser = Browser(app.test_client())
    login = browser.get("/login").text
    assert 'href="/login/help"' in login and "Forgot your password?" in login
    answer = browser.post("/login/help", {"email": " Member.A@example.org "})
    assert answer.status_code == 200 and SENT in answer.text
    deliver(db)
    [message] = mail_on.take()
    assert message["To"] == "member.a@example.org" and message["X-Belletje-Kind"] == "set_password"
    link = re.search(r"https://belletje\.ggz\.example(/set-password/\S+)", plain(message)).group(1)
    for reference in ("A-001", "Stable for months", "Team A"):  # no clinical content, nothing of the team
        assert reference not in message.as_string()
    assert browser.get(link).status_code == 200
    assert browser.post(link, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 302
    assert browser.get(link).status_code == 404  # once only
    assert Browser(app.test_client()).login("member.a@example.org", NEW_PASSWORD).status_code == 302
    assert Browser(app.test_client()).login("member.a@example.org", PASSWORD).status_code == 401


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, db, world, mail_on):
    known, unknown = ask_help(app, "member.a@example.org"), ask_help(app, "nobody@example.org")
    assert unknown.status_code == known.status_code == 200
    assert main(unknown.text).replace("nobody@example.org", "X") == main(known.text).replace("member.a@example.org",
                                                                                             "X")
    deliver(db)
    assert [m["To"] for m in mail_on.take()] == ["member.a@example.org"]


def test_a_deactivated_account_gets_no_mail(app, db, world, mail_on):
    user_store.set_active(db, world["member_a"], False)
    answer = ask_help(app, "member.a@example.org")
    assert answer.status_code == 200 and SENT in answer.text
    deliver(db)
    assert mail_on.take() == []
    assert user_store.get_user(db, world["member_a"])["set_password_token"] is None


def test_asking_again_soon_sends_no_second_mail_and_keeps_the_first_link_working(app, db, world, mail_on):
    ask_help(app, "member.a@example.org")
    token = user_store.get_user(db, world["member_a"])["set_password_token"]
    again = ask_help(app, "member.a@example.org")
    assert again.status_code == 200 and SENT in again.text
    deliver(db)
    assert len(mail_on.take()) == 1
    assert user_store.get_user(db, world["member_a"])["set_password_token"] == token


def test_with_local_passwords_off_there_is_no_link_and_the_form_refuses(app, db, world, mail_on):
    institution.update(db, local_passwords=0)
    browser = Browser(app.test_client())
    assert "/login/help" not in browser.get("/login").text
    assert browser.get("/login/help").status_code == 403
    refused = browser.post("/login/help", {"email": "admin@example.org"})
    assert refused.status_code == 403 and "turned off" in refused.text
    deliver(db)
    assert mail_on.take() == [] and outbox.waiting(db) == 0


def test_without_mail_there_is_no_help_link(app, world, monkeypatch):
    monkeypatch.delenv("BELLETJE_SMTP_HOST", raising=False)
    monkeypatch.delenv("BELLETJE_MAIL", raising=False)
    browser = Browser(app.test_client())
    assert "/login/help" not in browser.get("/login").text
    assert browser.get("/login/help").status_code == 403


@pytest.mark.parametrize("typed", ["member.a@example.org\x07", "a" * 250 + "@example.org", "no address"])
def test_control_characters_and_overlong_input_are_refused_with_a_message(app, db, world, mail_on, typed):
    answer = ask_help(app, typed)
    assert answer.status_code == 400 and 'role="alert"' in answer.text and SENT not in answer.text
    assert outbox.waiting(db) == 0
    assert user_store.get_user(db, world["member_a"])["set_password_token"] is None


def test_the_help_form_is_rate_limited_per_address(app, db, world, mail_on):
    app.config["LOGIN_LIMIT"] = "3 per minute"
    browser = Browser(app.test_client())
    answers = [browser.post("/login/help", {"email": f"n{i}@example.org"}).status_code for i in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = browser.post("/login/help", {"email": "member.a@example.org"})
    assert refused.status_code == 429 and "Wait a minute" in refused.text
    assert outbox.waiting(db) == 0


def test_the_help_page_speaks_dutch(app, world, mail_on):
    browser = Browser(app.test_client())
    browser.post("/language", {"locale": "nl"})
    assert "Wachtwoord vergeten?" in browser.get("/login").text


def test_a_mistyped_mail_setting_hides_the_help_and_keeps_the_login_page(app, world, mail_on, monkeypatch):
    monkeypatch.setenv("BELLETJE_SMTP_SECURITY", "ssl-please")
    login = Browser(app.test_client()).get("/login")
    assert login.status_code == 200 and "/login/help" not in login.text
