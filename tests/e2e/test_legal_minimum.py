"""The legal minimum, planned, in a real browser: a clinician on a phone, in Dutch, sees their clients due for the
evaluation with the client on the first screen of the team page, records one from there, and the manager's
dashboard counts one client fewer overdue. Screenshots of the changed screens go to /tmp/shots-27 (phone and
projector sizes); axe-core checks them."""
import re
from datetime import date
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from .conftest import CHAIR, MANAGER, REPO_ROOT
from .test_accessibility import _axe

pytestmark = pytest.mark.browser

DUTCH = Translations.load(str(REPO_ROOT / "meeting" / "translations"), ["nl"])
SHOTS = Path("/tmp/shots-27")
CLINICIAN = "psycholoog1@fact-noord.example"  # a regiebehandelaar of the demo team, a member
SIZES = {"phone": {"width": 360, "height": 640}, "projector": {"width": 1920, "height": 1080}}


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _overdue_with_client(page) -> int:
    page.goto("/teams/1/dashboard")
    return int(page.locator("#with-client-overdue").inner_text())


def test_a_clinician_records_an_evaluation_with_the_client_from_the_worklist_on_a_phone(new_context, login):
    manager = login(new_context("projector", locale="nl-NL", bypass_csp=True).new_page(), MANAGER)
    before = _overdue_with_client(manager)
    page = login(new_context("phone", locale="nl-NL", bypass_csp=True).new_page(), CLINICIAN)
    expect(page).to_have_url(re.compile(r"/teams/1/$"))
    worklist = page.locator("#with-client-due")
    expect(worklist.get_by_role("heading", level=2)).to_have_text(
        DUTCH.gettext("My clients: evaluation with the client due"))
    top = worklist.bounding_box()["y"]
    assert top < 640, f"the worklist starts below the phone's first screen ({top}px)"
    first = worklist.locator(".with-client-row.late").first
    expect(first).to_be_in_viewport()
    reference = first.locator("strong").inner_text()
    _shot(page, "team-page-phone-nl")
    assert not _axe(page), _axe(page)
    link = first.get_by_role("link", name=re.compile(re.escape(DUTCH.gettext("Record the evaluation")) + r"\W+"
                                                     + re.escape(reference)))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        DUTCH.gettext("Evaluation with the client %(reference)s") % {"reference": reference})
    page.get_by_role("button", name=DUTCH.gettext("Record the evaluation with the client")).click()  # no date yet
    expect(page.locator("#evaluated_with_client_on-error")).to_have_text(
        DUTCH.gettext("Enter the day the plan was evaluated with the client."))
    page.locator("#evaluated_with_client_on-error").scroll_into_view_if_needed()
    _shot(page, "record-phone-nl-error")
    assert not _axe(page), _axe(page)
    page.locator("#evaluated_with_client_on").fill(date.today().isoformat())
    page.get_by_label(DUTCH.gettext("Relatives invited?") + " " + DUTCH.gettext("Yes")).check()
    page.locator("#client_view").fill("Wil weer aan het werk; wil minder medicatie.")
    page.get_by_label(DUTCH.gettext("ROM done in the last 12 months?") + " " + DUTCH.gettext("Yes")).check()
    page.locator("#somatic_screening_on").fill(date.today().isoformat())
    page.get_by_role("button", name=DUTCH.gettext("Record the evaluation with the client")).click()
    expect(page).to_have_url(re.compile(r"/teams/1/(#with-client-due)?$"))
    expect(page.locator(".flash").first).to_contain_text(reference)
    expect(page.locator("#with-client-due").get_by_text(reference, exact=True)).to_have_count(0)
    assert _overdue_with_client(manager) == before - 1


@pytest.mark.parametrize("size", SIZES)
def test_the_changed_screens_at_phone_and_projector_size(new_context, login, size):
    """The team page (member, chair), the recording form, the planner's due list and the capacity line."""
    context = new_context("phone" if size == "phone" else "projector", locale="nl-NL", bypass_csp=True)
    member = login(context.new_page(), CLINICIAN)
    _shot(member, f"team-page-member-{size}")
    assert not _axe(member)
    member.locator("#with-client-due a").first.click()
    _shot(member, f"record-form-{size}")
    assert not _axe(member)
    chair = login(new_context("phone" if size == "phone" else "projector", locale="nl-NL", bypass_csp=True).new_page(),
                  CHAIR)
    chair.locator("#with-client-due details summary").first.click()  # per clinician, folded
    expect(chair.locator("#with-client-due details .with-client-row").first).to_be_visible()
    _shot(chair, f"team-page-chair-{size}")
    assert not _axe(chair)
    chair.goto("/teams/1/meetings")
    plan = chair.locator("a[href$='/plan']").first.get_attribute("href")
    chair.goto(plan)
    expect(chair.locator("#due-reviews")).to_be_visible()
    chair.locator("#due-reviews").scroll_into_view_if_needed()
    _shot(chair, f"planner-due-{size}")
    chair.locator("#capacity-with-client").scroll_into_view_if_needed()
    _shot(chair, f"planner-capacity-{size}")
    assert not _axe(chair)
