"""The account page's reminders and calendar, and the chair's reminder defaults, in Chromium: axe-clean on a
phone and a projector, in English and Dutch, screenshots kept in /tmp/shots-25; the feed address works from a
calendar server's side (no cookies)."""
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from .conftest import CHAIR, MEMBER
from .test_accessibility import SIZES, _axe

SHOTS = Path("/tmp/shots-25")


@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"])
@pytest.mark.parametrize("size", SIZES)
def test_the_account_page_with_reminders_and_calendar(new_context, login, base_url, size, locale):
    context = new_context("phone" if size == "phone" else "projector", locale=locale, bypass_csp=True)
    page = login(context.new_page(), MEMBER)
    page.goto("/account/")
    page.locator("#reminder-deadline").select_option("always")
    page.get_by_role("checkbox").check()
    page.locator("#reminders form button.primary").click()
    expect(page.locator("#reminder-deadline")).to_have_value("always")
    page.locator("#calendar form button.primary").click()
    address = page.locator("#calendar-address code").inner_text()
    assert re.fullmatch(r"https?://\S+/calendar/[A-Za-z0-9_-]{43}\.ics", address)
    with urllib.request.urlopen(address) as response:  # a calendar server: no cookies
        calendar = Calendar.from_ical(response.read())
    assert calendar.walk("VEVENT") and calendar.walk("VTIMEZONE")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert _axe(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"account-{size}-{locale[:2]}.png", full_page=True)
    page.locator("#calendar form button.danger").click()
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(address)
    gone.value.close()
    assert gone.value.code == 404


@pytest.mark.parametrize("size", SIZES)
def test_the_chairs_reminder_defaults(new_context, login, size):
    context = new_context("phone" if size == "phone" else "projector", bypass_csp=True)
    page = login(context.new_page(), CHAIR)
    page.goto("/teams/1/settings")
    page.get_by_role("link", name="Reminders by e-mail").click()
    page.locator("#reminder_time").fill("10:30")
    page.get_by_role("button", name="Save reminder defaults").click()
    expect(page.locator("#reminder_time")).to_have_value("10:30")
    assert _axe(page) == []
    page.screenshot(path=SHOTS / f"team-reminders-{size}.png", full_page=True)
