"""Sign-in an institution accepts, in Chromium: single sign-on against a real OpenID provider on a local port
(tests/oidc_provider.py: Authlib, its own RSA key, a login form), each refused case, and the second factor.

The module runs its own server (the demo, with the provider configured), so the session's shared server keeps
its password-only sign-in.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pyotp
import pytest
from playwright.sync_api import Page, expect

from .conftest import DEMO_PASSWORD, DEVICES, MEMBER, REPO_ROOT, LiveServer, _free_port
from .test_accessibility import _axe

ADMIN = "admin@belletje.example"
CLIENT_ID, CLIENT_SECRET = "belletje-e2e", "a client secret for the e2e provider"
PROVIDER_NAME = "GGZ Voorbeeld"
PROVIDER_PASSWORD = "provider password"
SHOTS = Path("/tmp/shots-26")
REFUSED_SIGN_IN = "The sign-in with your institution could not be completed. Start it again."


class Provider:
    """tests/oidc_provider.py as a child process."""

    def __init__(self, redirect_prefix: str, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider", str(self.port), CLIENT_ID, CLIENT_SECRET, redirect_prefix],
            cwd=REPO_ROOT, env=os.environ | {"AUTHLIB_INSECURE_TRANSPORT": "1"}, stdout=self.log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/.well-known/openid-configuration", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the test provider did not start: " + log.read_text())

    def next_token(self, **misbehaviour) -> None:
        """Make the provider's next ID token misbehave (another audience, already expired)."""
        request = urllib.request.Request(self.url + "/test/next-token", method="POST",
                                         data=json.dumps(misbehaviour).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    """(server, provider): the demo server signing in through the test provider."""
    workdir = tmp_path_factory.mktemp("e2e-sso")
    server = LiveServer(workdir)
    provider = Provider(server.url + "/login/sso/callback", workdir / "provider.log")
    server.env |= {"BELLETJE_OIDC_ISSUER": provider.url, "BELLETJE_OIDC_CLIENT_ID": CLIENT_ID,
                   "BELLETJE_OIDC_CLIENT_SECRET": CLIENT_SECRET, "BELLETJE_OIDC_NAME": PROVIDER_NAME}
    server.start()
    yield server, provider
    server.stop()
    provider.stop()


@pytest.fixture
def context(browser, sso):
    server, _provider = sso
    contexts = []

    def make(device: str = "projector", **overrides):
        made = browser.new_context(**(DEVICES[device] | {"base_url": server.url} | overrides))
        made.set_default_timeout(15_000)
        contexts.append(made)
        return made

    yield make
    for made in contexts:
        made.close()


def start_sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page.get_by_role("heading", name="Test institution sign-in")).to_be_visible()


def sign_in_at_provider(page: Page, email: str) -> None:
    page.locator("#email").fill(email)
    page.locator("#password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()


def assert_signed_out(page: Page) -> None:
    page.goto("/teams/1/")
    expect(page).to_have_url(re.compile(r"/login$"))


def refusal(page: Page, message: str) -> None:
    expect(page.get_by_role("alert")).to_have_text(message)
    assert_signed_out(page)


def test_sign_in_with_the_institution_lands_on_the_team_page_and_signs_out(context, sso):
    page = context().new_page()
    start_sign_in(page)
    sign_in_at_provider(page, MEMBER)
    expect(page).to_have_url(re.compile(r"/teams/1/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("FACT Noord")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").first).to_have_text("You are logged out.")
    end_session = page.get_by_role("link", name=f"Also sign out at {PROVIDER_NAME}")
    assert end_session.get_attribute("href").startswith(sso[1].url + "/logout?")
    end_session.click()
    expect(page.get_by_role("heading", name="Signed out at the provider")).to_be_visible()
    assert_signed_out(page)


def test_an_unknown_email_is_refused_with_a_message(context):
    page = context().new_page()
    start_sign_in(page)
    sign_in_at_provider(page, "stranger@elsewhere.example")
    refusal(page, "There is no Belletje account for stranger@elsewhere.example. Ask your Belletje admin for one.")


def test_a_deactivated_account_is_refused_with_a_message(context, sso):
    server, _provider = sso
    with sqlite3.connect(server.db_path) as db:
        db.execute("UPDATE users SET active = 0 WHERE email = 'vp2@fact-noord.example'")
    try:
        page = context().new_page()
        start_sign_in(page)
        sign_in_at_provider(page, "vp2@fact-noord.example")
        refusal(page, "The Belletje account for vp2@fact-noord.example is deactivated. Ask your Belletje admin.")
    finally:
        with sqlite3.connect(server.db_path) as db:
            db.execute("UPDATE users SET active = 1 WHERE email = 'vp2@fact-noord.example'")


@pytest.mark.parametrize("misbehaviour", [{"audience": "another-app"}, {"expires_in": -600},
                                          {"issuer": "http://127.0.0.1:1"}],
                         ids=["other-audience", "expired", "issuer"])
def test_an_id_token_for_another_audience_expired_or_from_another_issuer_is_refused(context, sso, misbehaviour):
    page = context().new_page()
    start_sign_in(page)
    sso[1].next_token(**misbehaviour)
    sign_in_at_provider(page, MEMBER)
    refusal(page, REFUSED_SIGN_IN)


def test_a_wrong_state_is_refused(context):
    page = context().new_page()
    start_sign_in(page)
    callbacks = []

    def hold_back(route):  # the provider's answer (a redirect to the app), kept from the app
        answer = route.fetch(max_redirects=0)
        callbacks.append(answer.headers["location"])
        route.fulfill(status=200, body="held back", content_type="text/plain")

    page.route(re.compile(r".*/authorize\?.*"), hold_back)
    sign_in_at_provider(page, MEMBER)
    expect(page.locator("body")).to_have_text("held back")
    page.unroute(re.compile(r".*/authorize\?.*"))
    query = parse_qs(urlparse(callbacks[0]).query)
    page.goto("/login/sso/callback?" + urlencode({"code": query["code"][0], "state": "not-the-state-we-sent"}))
    refusal(page, REFUSED_SIGN_IN)


def test_a_sign_in_started_in_another_browser_is_refused(context):
    """Login CSRF: a provider answer for someone else's sign-in carries a state this browser never sent."""
    attacker = context().new_page()
    start_sign_in(attacker)
    victim = context().new_page()
    victim.goto(attacker.url)  # the attacker's authorization request, opened in the victim's browser
    sign_in_at_provider(victim, MEMBER)
    refusal(victim, REFUSED_SIGN_IN)


def test_a_replayed_code_is_refused(context):
    first = context().new_page()
    callbacks = []
    first.on("request", lambda request: callbacks.append(request.url) if "/login/sso/callback" in request.url else None)
    start_sign_in(first)
    sign_in_at_provider(first, MEMBER)
    expect(first).to_have_url(re.compile(r"/teams/1/$"))
    first.get_by_role("button", name="Log out").click()
    first.goto(callbacks[0])  # the same answer again: its state was spent
    refusal(first, REFUSED_SIGN_IN)
    second = context().new_page()  # a fresh sign-in's state with the spent code: the provider refuses the code
    start_sign_in(second)
    fresh_state = parse_qs(urlparse(second.url).query)["state"][0]
    old_code = parse_qs(urlparse(callbacks[0]).query)["code"][0]
    second.goto("/login/sso/callback?" + urlencode({"code": old_code, "state": fresh_state}))
    refusal(second, REFUSED_SIGN_IN)


def totp_secret(page: Page) -> str:
    return page.locator("#totp-secret").inner_text().replace(" ", "")


def log_in_with_password(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form").filter(has=page.locator("#password")).get_by_role("button").click()


def shoot(page: Page, name: str) -> list[str]:
    """Screenshots at both sizes, and axe's serious or critical violations at each."""
    found = []
    for size, viewport in (("360x640", {"width": 360, "height": 640}), ("1920x1080", {"width": 1920, "height": 1080})):
        page.set_viewport_size(viewport)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
        found += [f"{name} {size}: {v['id']} {v['help']}" for v in _axe(page)]
    return found


def test_second_factor_required_enrols_a_local_user_before_any_team_page(browser, sso):
    server, _provider = sso
    found = []
    admin_context = browser.new_context(base_url=server.url, bypass_csp=True, **DEVICES["projector"])
    admin = admin_context.new_page()
    log_in_with_password(admin, ADMIN)
    admin.goto("/admin/sign-in")
    admin.get_by_label("Name of the institution").fill(PROVIDER_NAME)
    admin.get_by_role("checkbox", name=re.compile("Second factor required")).check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status").first).to_have_text("Sign-in settings saved.")
    found += shoot(admin, "admin-sign-in")
    member_context = browser.new_context(base_url=server.url, bypass_csp=True, **DEVICES["phone"])
    try:
        member = member_context.new_page()
        member.goto("/login")
        found += shoot(member, "login")
        log_in_with_password(member, "vp3@fact-noord.example")
        expect(member).to_have_url(re.compile(r"/login/enrol$"))
        found += shoot(member, "enrolment")
        secret = totp_secret(member)
        member.goto("/teams/1/")
        expect(member).to_have_url(re.compile(r"/login$"))  # no team page before the second factor is set up
        member.goto("/login/enrol")
        member.get_by_label("Code from the app").fill("000000")
        member.get_by_role("button", name="Confirm").click()
        expect(member.get_by_role("alert")).to_have_text("This code is not right. Type the code the app shows now.")
        first_code = pyotp.TOTP(secret).now()
        member.get_by_label("Code from the app").fill(first_code)
        member.get_by_role("button", name="Confirm").click()
        codes = member.locator("#recovery-codes code").all_inner_texts()
        assert len(codes) == 10
        found += shoot(member, "recovery-codes")
        member.get_by_role("link", name="I have kept them: continue").click()
        expect(member).to_have_url(re.compile(r"/teams/1/$"))
        member.get_by_role("button", name="Log out").click()

        log_in_with_password(member, "vp3@fact-noord.example")
        expect(member).to_have_url(re.compile(r"/login/code$"))
        found += shoot(member, "code")
        member.get_by_label("Code").fill(first_code)  # spent by the enrolment (or by now out of its window)
        member.get_by_role("button", name="Sign in").click()
        expect(member.get_by_role("alert")).to_have_text("This code is not right, or it was used already.")
        member.get_by_label("Code").fill(codes[0])
        member.get_by_role("button", name="Sign in").click()
        expect(member).to_have_url(re.compile(r"/teams/1/$"))
        member.goto("/account/")
        expect(member.locator("#second-factor")).to_contain_text("9 recovery codes left.")
        found += shoot(member, "account")
        member.get_by_role("button", name="Log out").click()
        log_in_with_password(member, "vp3@fact-noord.example")
        member.get_by_label("Code").fill(codes[0])
        member.get_by_role("button", name="Sign in").click()
        expect(member.get_by_role("alert")).to_have_text("This code is not right, or it was used already.")
        assert_signed_out(member)

        admin.goto(f"/admin/users/{_user_id(server, 'vp3@fact-noord.example')}")
        expect(admin.locator("#user-sign-in")).to_contain_text("9 recovery codes left")
        found += shoot(admin, "admin-user")
    finally:
        admin.goto("/admin/sign-in")
        admin.get_by_role("checkbox", name=re.compile("Second factor required")).uncheck()
        admin.get_by_role("button", name="Save").click()
        member_context.close()
        admin_context.close()
    assert not found, "\n".join(found)


def _user_id(server, email: str) -> int:
    with sqlite3.connect(server.db_path) as db:
        return db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0]


def test_with_accounts_made_at_first_sign_in_a_newcomer_gets_an_account_without_a_team(context, sso):
    server, _provider = sso
    with sqlite3.connect(server.db_path) as db:
        db.execute("UPDATE institution SET sso_creates_accounts = 1")
    try:
        page = context().new_page()
        start_sign_in(page)
        sign_in_at_provider(page, "new.colleague@fact-noord.example")
        expect(page.get_by_role("heading", name="Your teams")).to_be_visible()
        expect(page.get_by_text("You are not in a team yet. Ask your admin to add you.")).to_be_visible()
        page.goto("/teams/1/")
        expect(page.get_by_role("heading", level=1)).not_to_contain_text("FACT Noord")  # no role, no team page
        with sqlite3.connect(server.db_path) as db:
            created = db.execute("SELECT u.name, u.password_hash, count(m.team_id) FROM users u LEFT JOIN memberships m"
                                 " ON m.user_id = u.id WHERE u.email = 'new.colleague@fact-noord.example'").fetchone()
        assert created == ("new.colleague", None, 0)
    finally:
        with sqlite3.connect(server.db_path) as db:
            db.execute("UPDATE institution SET sso_creates_accounts = 0")


def test_with_passwords_off_only_a_break_glass_admin_signs_in_with_one(browser, sso):
    server, _provider = sso
    with sqlite3.connect(server.db_path) as db:
        db.execute("UPDATE institution SET local_passwords = 0")
        db.execute("UPDATE users SET break_glass = 1 WHERE email = ?", [ADMIN])
    context = browser.new_context(base_url=server.url, bypass_csp=True, **DEVICES["phone"])
    try:
        page = context.new_page()
        page.goto("/login")
        expect(page.locator("#email")).to_be_hidden()  # folded away: the provider's button is the way in
        found = shoot(page, "login-passwords-off")
        page.get_by_text("Admin sign-in with a password").click()
        page.locator("#email").fill(MEMBER)
        page.locator("#password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Sign-in with a password is turned off here. Sign in with your institution's account.")
        assert_signed_out(page)
        page.goto("/login")
        page.get_by_text("Admin sign-in with a password").click()
        page.locator("#email").fill(ADMIN)
        page.locator("#password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))
        assert not found, "\n".join(found)
    finally:
        context.close()
        with sqlite3.connect(server.db_path) as db:
            db.execute("UPDATE institution SET local_passwords = 1")
            db.execute("UPDATE users SET break_glass = 0 WHERE email = ?", [ADMIN])
