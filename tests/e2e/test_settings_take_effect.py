"""Settings that take effect, in a real browser: the chair changes the budgets to 25/65 and the next
meeting's planner and console show 25/65 at once; a length of 120 minutes for one meeting shows on that
meeting only and survives a later change of the team's settings."""
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from .conftest import CHAIR

PLAN_LINK = re.compile(r"/teams/1/meetings/(\d+)/plan$")


def _planned_meetings(page: Page, db_path) -> list[int]:
    """The scheduled meetings whose agenda is not yet frozen, by start: listed as planned on the chair's meetings page
    and with their submission deadline still ahead (the server runs without the scheduler, so a meeting whose deadline
    passed today still says planned, though no setting follows it any more)."""
    page.goto("/teams/1/meetings")
    listed = set()
    meetings = page.locator("li.meeting").filter(has=page.locator(".badge.state-planned"))
    for index in range(meetings.count()):
        meeting = meetings.nth(index)
        if not meeting.locator(".badge", has_text=re.compile(r"^extra$")).count():
            listed.add(int(PLAN_LINK.search(meeting.get_by_role("link", name="Plan").get_attribute("href")).group(1)))
    with closing(sqlite3.connect(db_path)) as db:
        ahead = [row[0] for row in db.execute("SELECT id FROM meetings WHERE team_id = 1 AND deadline_at > ?"
                                              " ORDER BY starts_at", [datetime.now(UTC).isoformat(timespec="seconds")])]
    ids = [meeting_id for meeting_id in ahead if meeting_id in listed]
    assert len(ids) >= 2, "the demo team should have at least two planned meetings ahead"
    return ids


def _save_settings(page: Page, **values: str) -> None:
    page.goto("/teams/1/settings")
    for field, value in values.items():
        page.locator(f"#{field}").fill(value)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash").first).to_have_text("Settings saved.")


def _expect_planner(page: Page, meeting_id: int, acute: int, regular: int, minutes: int) -> None:
    page.goto(f"/teams/1/meetings/{meeting_id}/plan")
    expect(page.locator("#track-acute .budget")).to_contain_text(f"of {acute} minutes")
    expect(page.locator("#track-regular .budget")).to_contain_text(f"of {regular} minutes")
    expect(page.locator("#planner > p.muted")).to_contain_text(f"of {minutes} minutes planned")


def test_changed_budgets_and_an_own_length_take_effect(projector, login, live_server):
    page = login(projector.new_page(), CHAIR)
    first, second = _planned_meetings(page, live_server.db_path)[:2]
    try:
        _save_settings(page, meeting_minutes="90", acute_budget="25", regular_budget="65")
        notice = page.locator(".flash").nth(1)
        expect(notice).to_contain_text("→ 25 minutes")
        expect(notice).to_contain_text("→ 65 minutes")
        expect(notice).to_contain_text(re.compile(r"applied to \d+ meetings? whose agenda is not yet frozen"))

        _expect_planner(page, first, 25, 65, 90)
        expect(page.locator("#capacity-line")).to_contain_text("reviews a week that the norm needs")
        page.goto(f"/teams/1/meetings/{first}/run")
        expect(page.locator(".budget-bar.track-acute .budget-head")).to_contain_text("of 25 min")
        expect(page.locator(".budget-bar.track-regular .budget-head")).to_contain_text("of 65 min")

        # This week 120 minutes: on this meeting only.
        page.goto(f"/teams/1/meetings/{first}/plan")
        page.locator("#own-settings summary").click()
        page.locator("#own-minutes").fill("120")
        page.get_by_role("button", name="Save for this meeting").click()
        expect(page.locator("#own-settings-note")).to_contain_text("length: 120 minutes (team: 90)")
        expect(page.locator("#planner > p.muted")).to_contain_text("of 120 minutes planned")
        _expect_planner(page, second, 25, 65, 90)
        expect(page.locator("#own-settings-note")).to_have_count(0)

        # A later change of the team's settings: the own length stays, the budgets follow.
        _save_settings(page, meeting_minutes="100", acute_budget="30", regular_budget="60")
        expect(page.locator(".flash").nth(1)).to_contain_text("keeps its own setting for this meeting")
        _expect_planner(page, first, 30, 60, 120)
        expect(page.locator("#own-settings-note")).to_contain_text("length: 120 minutes (team: 100)")
        _expect_planner(page, second, 30, 60, 100)
        page.goto(f"/teams/1/meetings/{first}/run")
        expect(page.locator(".budget-bar.track-regular .budget-head")).to_contain_text("of 60 min")
    finally:
        _save_settings(page, meeting_minutes="90", acute_budget="30", regular_budget="60")
        page.goto(f"/teams/1/meetings/{first}/plan")
        if page.locator("#follow-team-settings").count():  # the section is open while an own setting holds
            page.locator("#follow-team-settings").click()
            expect(page.locator("#own-settings-note")).to_have_count(0)
