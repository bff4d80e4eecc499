"""The second factor for local accounts: TOTP set up with a QR code, used once per code, recovery codes, the
institution's "second factor required", and passwords turned off for all but a break-glass admin."""
import re
from datetime import UTC, datetime, timedelta

import pyotp

from meeting.core import second_factor as rules
from meeting.store import institution, second_factor
from meeting.store import users as user_store
from tests.conftest import PASSWORD, Browser

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def secret_of(db, user_id: int) -> str:
    return db.execute("SELECT totp_secret FROM users WHERE id = ?", [user_id]).fetchone()[0]


def enrol_on_account_page(member: Browser, db, user_id: int) -> list[str]:
    """Set up the second factor from the account page; return the recovery codes shown."""
    page = member.get("/account/second-factor")
    assert page.status_code == 200
    secret = secret_of(db, user_id)
    done = member.post("/account/second-factor", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)


def test_enrolment_shows_a_server_made_qr_code_and_the_key_and_the_first_code_confirms(as_user, world, db):
    member = as_user("member.a@example.org")
    page = member.get("/account/second-factor").text
    secret = secret_of(db, world["member_a"])
    assert 'src="data:image/svg+xml' in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page
    wrong = member.post("/account/second-factor", {"code": "000000"})
    assert wrong.status_code == 400 and "This code is not right" in wrong.text
    assert not user_store.get_user(db, world["member_a"])["totp_confirmed_at"]
    codes = enrol_on_account_page(member, db, world["member_a"])
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = {r[0] for r in db.execute("SELECT code_hash FROM recovery_codes WHERE user_id = ?", [world["member_a"]])}
    assert stored == {rules.recovery_hash(code) for code in codes} and not set(codes) & stored  # hashed
    assert "10 recovery codes left." in member.get("/account/").text


def test_an_enrolled_user_signs_in_only_with_a_code_and_reaches_no_team_page_before(app, as_user, world, db):
    enrol_on_account_page(as_user("member.a@example.org"), db, world["member_a"])
    user_agent = Browser(app.test_client())
    response = user_agent.login("member.a@example.org")
    assert response.status_code == 302 and response.location.endswith("/login/code")
    assert user_agent.get(f"/teams/{world['team_a']}/").status_code == 302  # not signed in yet
    secret = secret_of(db, world["member_a"])
    step = pyotp.TOTP(secret).timecode(datetime.now(UTC))
    code = pyotp.TOTP(secret).generate_otp(step + 1)  # the enrolment used this window; the next one is free
    assert user_agent.post("/login/code", {"code": code}).status_code == 302
    assert user_agent.get(f"/teams/{world['team_a']}/").status_code == 200


def test_a_code_works_once_and_a_wrong_one_signs_nobody_in(world, db):
    secret = second_factor.start_enrolment(db, world["member_a"])
    second_factor.confirm(db, world["member_a"], pyotp.TOTP(secret).timecode(NOW), NOW)
    code = pyotp.TOTP(secret).at(NOW + timedelta(seconds=30))
    assert second_factor.check_code(db, world["member_a"], code, NOW)
    assert not second_factor.check_code(db, world["member_a"], code, NOW)  # reused in its window
    assert not second_factor.check_code(db, world["member_a"], pyotp.TOTP(secret).at(NOW), NOW)  # an older one
    assert not second_factor.check_code(db, world["member_a"], "123456", NOW + timedelta(minutes=5))


def test_a_recovery_code_works_once(app, as_user, world, db):
    codes = enrol_on_account_page(as_user("member.a@example.org"), db, world["member_a"])
    first = Browser(app.test_client())
    first.login("member.a@example.org")
    assert first.post("/login/code", {"code": codes[3].upper()}).status_code == 302
    assert first.get(f"/teams/{world['team_a']}/").status_code == 200
    again = Browser(app.test_client())
    again.login("member.a@example.org")
    refused = again.post("/login/code", {"code": codes[3]})
    assert refused.status_code == 400 and "it was used already" in refused.text
    assert again.get(f"/teams/{world['team_a']}/").status_code == 302
    assert second_factor.unused_recovery_codes(db, world["member_a"]) == 9


def test_wrong_codes_are_slowed_even_before_the_right_one(world, db):
    secret = second_factor.start_enrolment(db, world["member_a"])
    second_factor.confirm(db, world["member_a"], pyotp.TOTP(secret).timecode(NOW) - 2, NOW)
    for _ in range(5):
        assert not second_factor.check_code(db, world["member_a"], "000000", NOW)
    assert second_factor.retry_at(db, world["member_a"]) == NOW + timedelta(minutes=1)


def test_too_many_wrong_codes_make_the_sign_in_wait(app, as_user, world, db):
    enrol_on_account_page(as_user("member.a@example.org"), db, world["member_a"])
    user_agent = Browser(app.test_client())
    user_agent.login("member.a@example.org")
    statuses = [user_agent.post("/login/code", {"code": "000000"}).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    secret = secret_of(db, world["member_a"])
    right = user_agent.post("/login/code", {"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 429 and "Too many wrong codes" in right.text


def test_second_factor_required_sends_a_local_user_through_enrolment_first(app, world, db):
    institution.update(db, second_factor_required=1)
    user_agent = Browser(app.test_client())
    response = user_agent.login("member.a@example.org")
    assert response.location.endswith("/login/enrol")
    for path in (f"/teams/{world['team_a']}/", "/account/", f"/teams/{world['team_a']}/clients"):
        assert user_agent.get(path).status_code == 302, path
    page = user_agent.get("/login/enrol")
    assert page.status_code == 200 and "Your institution requires a second factor" in page.text
    assert user_agent.post("/login/enrol", {"code": "111111"}).status_code == 400
    assert user_agent.get(f"/teams/{world['team_a']}/").status_code == 302
    done = user_agent.post("/login/enrol", {"code": pyotp.TOTP(secret_of(db, world["member_a"])).now()})
    assert done.status_code == 200 and done.text.count("<li><code>") == 10
    assert user_agent.get(f"/teams/{world['team_a']}/").status_code == 200


def test_the_enrolment_page_needs_a_right_password_first(browser, world):
    response = browser.get("/login/enrol")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert browser.get("/login/code").status_code == 302


def test_admin_sees_the_second_factor_and_removes_it_for_a_lost_phone(as_user, world, db):
    enrol_on_account_page(as_user("member.a@example.org"), db, world["member_a"])
    admin = as_user("admin@example.org")
    assert "10 recovery codes left" in admin.get(f"/admin/users/{world['member_a']}").text
    assert admin.post(f"/admin/users/{world['member_a']}/second-factor").status_code == 302
    assert not user_store.get_user(db, world["member_a"])["totp_confirmed_at"]
    assert second_factor.unused_recovery_codes(db, world["member_a"]) == 0
    assert Browser(admin.client.application.test_client()).login("member.a@example.org").location.endswith("/")


def test_passwords_turned_off_refuse_everyone_but_a_break_glass_admin(app, as_user, world, db):
    admin = as_user("admin@example.org")
    refused = admin.post("/admin/sign-in", {"name": "GGZ Voorbeeld", "local_passwords": ""})
    assert refused.status_code == 400 and "Connect an identity provider first" in refused.text
    assert institution.get(db)["local_passwords"] == 1
    institution.update(db, local_passwords=0)
    member = Browser(app.test_client()).login("member.a@example.org")
    assert member.status_code == 403 and "Sign-in with a password is turned off here" in member.text
    assert Browser(app.test_client()).login("admin@example.org").status_code == 403
    user_store.set_break_glass(db, world["admin"], True)
    assert Browser(app.test_client()).login("admin@example.org").status_code == 302


def test_the_sign_in_settings_page_saves_the_rules(as_user, world, db):
    admin = as_user("admin@example.org")
    page = admin.get("/admin/sign-in")
    assert page.status_code == 200 and "/login/sso/callback" in page.text
    saved = admin.post("/admin/sign-in", {"name": "GGZ Voorbeeld", "second_factor": "1", "creates_accounts": "1",
                                          "local_passwords": "1"})
    assert saved.status_code == 302
    assert institution.get(db) == {"id": 1, "name": "GGZ Voorbeeld", "second_factor_required": 1,
                                   "sso_creates_accounts": 1, "local_passwords": 1}
    bad = admin.post("/admin/sign-in", {"name": "x" * 101, "local_passwords": "1"})
    assert bad.status_code == 400 and institution.get(db)["name"] == "GGZ Voorbeeld"


def test_a_password_holding_the_institutions_name_is_refused(as_user, world, db):
    institution.update(db, name="GGZ Voorbeeld")
    member = as_user("member.a@example.org")
    response = member.post("/account/password", {"current": PASSWORD, "password": "ggz-voorbeeld-2026",
                                                 "repeat": "ggz-voorbeeld-2026"})
    assert response.status_code == 400 and "must not contain the name of this app" in response.text
