"""The team page in a real browser: the member's phone, in English and in Dutch; a failed login."""
import re

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from .conftest import MEMBER, REPO_ROOT

DUTCH = Translations.load(str(REPO_ROOT / "meeting" / "translations"), ["nl"])  # the shipped catalogue decides

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def test_browser_protocol_smoke(browser, new_context):
    """Playwright drives Debian's Chromium: fails loudly if the protocol drifts between the two."""
    version = browser.version
    assert re.fullmatch(r"\d+(\.\d+){3}", version), f"unexpected Chromium version {version!r}"
    page = new_context("projector").new_page()
    page.set_content("<h1 id='x'>ok</h1>")
    expect(page.locator("#x")).to_have_text("ok")
    assert page.evaluate("1 + 1") == 2
    assert "HeadlessChrome" in page.evaluate("navigator.userAgent")


def _assert_no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page scrolls sideways on a phone: scrollWidth {width} > {PHONE_WIDTH}"


def test_member_sees_team_page_on_phone(phone, login):
    page = login(phone.new_page(), MEMBER)
    expect(page).to_have_url(re.compile(r"/teams/1/$"))
    expect(page.locator("#team-name")).to_have_text("FACT Noord")
    next_meeting = page.locator("#next-meeting")
    expect(next_meeting).to_be_visible()
    expect(next_meeting.get_by_role("heading")).to_have_text("Next meeting")
    expect(page.get_by_role("link", name="Client registry")).to_be_visible()
    _assert_no_horizontal_scroll(page)


def test_member_sees_team_page_in_dutch(new_context, login):
    """No language chosen: the browser's Accept-Language (nl-NL) decides."""
    page = new_context("phone", locale="nl-NL").new_page()
    page.goto("/login")
    expect(page.get_by_role("button", name="Inloggen")).to_be_visible()
    login(page, MEMBER)
    expect(page).to_have_url(re.compile(r"/teams/1/$"))
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^nl"))
    expect(page.locator("#team-name")).to_have_text("FACT Noord")
    assert DUTCH.gettext("Next meeting") != "Next meeting", "the Dutch catalogue lacks 'Next meeting'"
    expect(page.locator("#next-meeting").get_by_role("heading")).to_have_text(DUTCH.gettext("Next meeting"))
    expect(page.get_by_role("link", name="Cliëntenregister")).to_be_visible()
    _assert_no_horizontal_scroll(page)


def test_wrong_password_shows_error_and_stays_on_login(phone, login):
    page = login(phone.new_page(), MEMBER, password="not-the-password", expect_success=False)
    expect(page.get_by_role("alert")).to_contain_text("E-mail address or password is not right.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#email")).to_have_value(MEMBER)
    expect(page.locator("#password")).to_have_value("")


def test_session_survives_server_restart(phone, login, restart_server):
    """Same database, port and secret key after a restart: the phone stays logged in."""
    page = login(phone.new_page(), MEMBER)
    expect(page.locator("#team-name")).to_have_text("FACT Noord")
    restart_server()
    page.reload()
    expect(page).to_have_url(re.compile(r"/teams/1/$"))
    expect(page.locator("#team-name")).to_have_text("FACT Noord")
