"""The member's phone (issue 28), in Dutch at 390x844: one tap from the home page to the running meeting, my
actions without scrolling, the rating that replaces the live page when the meeting ends, a quick item in at most
8 taps, and a refused item whose error summary takes the focus.

Every test adds its OWN extra meeting (as test_live_meeting does); taps are counted by the helper that makes them.
"""
import re
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from babel.support import Translations
from playwright.sync_api import Locator, Page, expect

from .conftest import MEMBER, REPO_ROOT
from .test_live_meeting import DAYS_AHEAD, _add_meeting, _bring_in, _run_to_first_item

DUTCH = Translations.load(str(REPO_ROOT / "meeting" / "translations"), ["nl"])
AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
BLOCKING = ("serious", "critical")
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="nl-NL",
             bypass_csp=True)  # bypass_csp: axe is injected as an inline script, which the app's CSP forbids
WIDE = dict(viewport={"width": 1920, "height": 1080})
SHOTS = Path("/tmp/shots-28a")
MAX_TAPS = 8


def _unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


class Thumb:
    """Taps on a phone, counted: the only way these tests touch the page (typing is typing, not tapping)."""

    def __init__(self, page: Page):
        self.page, self.taps = page, 0

    def tap(self, target: Locator) -> None:
        self.taps += 1
        target.tap()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def _axe(page: Page) -> list[str]:
    """axe's serious and critical violations on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']}: {v['help']} — {'; '.join(' '.join(n['target']) for n in v['nodes'][:5])}"
            for v in found if v["impact"] in BLOCKING]


def _shot(page: Page, name: str) -> None:
    """Screenshots of the page as it is now, at 390x844 and at 1920x1080 (the same page, widened, then back)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-390x844.png"))
    page.set_viewport_size(WIDE["viewport"])
    page.screenshot(path=str(SHOTS / f"{name}-1920x1080.png"))
    page.set_viewport_size(PHONE["viewport"])
    page.evaluate("window.scrollTo(0, 0)")


def _in_first_screen(page: Page, target: Locator) -> None:
    """`target` is visible without scrolling: inside the viewport and above the pinned bell, if there is one."""
    expect(target).to_be_visible()
    assert page.evaluate("window.scrollY") == 0, "the page was scrolled"
    box = target.bounding_box()
    bottom = page.evaluate("""() => { const bell = document.querySelector('.bell-form');
        return bell && getComputedStyle(bell).display !== 'none' ? bell.getBoundingClientRect().top : innerHeight; }""")
    assert box["y"] >= 0 and box["y"] + box["height"] <= bottom, (
        f"{target} is at {box['y']:.0f}-{box['y'] + box['height']:.0f} px, the first screen ends at {bottom:.0f} px")


def _uncovered(page: Page, target: Locator) -> bool:
    """Whether the element at `target`'s centre (scrolled into view) is `target` or inside it: nothing covers it."""
    target.scroll_into_view_if_needed()
    return target.evaluate("""el => { const r = el.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return top !== null && (el === top || el.contains(top)); }""")


def _decide(chair: Page, decision: str, action: str | None = None) -> None:
    """On the console: record a decision on the open item, with an action for MEMBER (Fatima El Idrissi)."""
    chair.locator("#decide-link").click()
    chair.locator("input[name=outcome][value=continue_adjusted]").check()
    chair.locator("#decision").fill(decision)
    chair.locator("input[name=needs_met][value=yes]").check()
    if action:
        chair.locator("#action-0-description").fill(action)
        owner = chair.locator("#action-0-owner option", has_text="Fatima El Idrissi").get_attribute("value")
        chair.locator("#action-0-owner").select_option(owner)
        due = date.today() + timedelta(days=DAYS_AHEAD + 1)  # after the meeting, which is DAYS_AHEAD days ahead
        chair.locator("#action-0-due").fill(due.isoformat())
    chair.locator("#record-decision").click()
    expect(chair.locator("#decide-form")).to_have_count(0)


def test_from_the_home_page_one_tap_to_the_running_meeting_then_the_rating_without_a_reload(
        projector, new_context, login):
    chair = login(projector.new_page(), "voorzitter@fact-noord.example")
    first, title = _unique("Depot geweigerd"), _unique("Onrust op de afdeling")
    meeting_id = _add_meeting(chair, "10:21")
    phone_context = new_context("phone", **PHONE)
    member = phone_context.new_page()
    login(member, MEMBER)
    _bring_in(member, meeting_id, first, "Wie belt de familie?")
    _bring_in(member, meeting_id, title, "Advies over de afspraken met de wijkagent.")
    _run_to_first_item(chair, meeting_id, first)
    action = _unique("Familie bellen over het depot")
    _decide(chair, "Het depot gaat door; de familie wordt gebeld.", action)
    chair.locator("#next-item").click()
    expect(chair.locator("#current-item h1.item-title")).to_have_text(title)

    # The home page leads with the bar: one tap to the live page.
    member.goto("/")
    expect(member).to_have_url(re.compile(r"/teams/1/$"))
    thumb = Thumb(member)
    join = member.locator(f"#running-{meeting_id}")
    _in_first_screen(member, join)
    expect(join).to_contain_text(DUTCH.gettext("Join"))
    expect(join).to_contain_text("Nu bezig")
    _in_first_screen(member, member.locator("#my-actions li", has_text=action))
    assert not _axe(member), _axe(member)
    _shot(member, "home-running")
    with member.expect_response(lambda r: r.url.endswith(f"/meetings/{meeting_id}/stream")):
        thumb.tap(join)
    expect(member).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/live$"))
    assert thumb.taps <= 1, f"{thumb.taps} taps from the home page to the live page"

    # The live page: what is on, then mine (my item today, my actions) above the pinned bell.
    expect(member.locator("#phone-state .item-title")).to_have_text(title)
    expect(member.locator(f"#running-{meeting_id}")).to_have_count(0)  # no bar for the meeting one is in
    _in_first_screen(member, member.locator("#my-items-today").get_by_role("link", name=title))
    _in_first_screen(member, member.locator("#my-actions-heading"))
    _in_first_screen(member, member.locator("#my-actions li", has_text=action))
    assert not _axe(member), _axe(member)
    _shot(member, "live-running")

    # The chair decides and ends the meeting; the phone becomes the rating, nothing covers it, no reload.
    member.evaluate("window.__noReload = 1")
    _decide(chair, "De wijkagent wordt uitgenodigd voor het volgende MDO.")
    chair.locator("#to-look-ahead").click()
    chair.locator("#end-meeting").click()
    expect(chair).to_have_url(re.compile(rf"/meetings/{meeting_id}/minutes$"))

    expect(member.locator("#meeting-ended")).to_have_text(DUTCH.gettext("The meeting has ended"))
    expect(member.locator("#rating-form")).to_be_visible()
    expect(member.locator("#bell-form")).to_be_hidden()
    assert member.evaluate("window.__noReload") == 1, "the phone reloaded to show the rating"
    for part in ("#rating-form h2", "#rate-heard legend", "#rate-overall .score-chip >> nth=4", "#change_next",
                 "#send-rating"):
        target = member.locator(part)
        assert _uncovered(member, target), f"{part} of the rating is covered"
    member.evaluate("window.scrollTo(0, 0)")
    assert not _axe(member), _axe(member)
    _shot(member, "live-ended-rating")
    member.screenshot(path=str(SHOTS / "live-ended-rating-full-390.png"), full_page=True)


def test_a_regular_review_goes_on_the_agenda_in_at_most_eight_taps(projector, new_context, login):
    chair = login(projector.new_page(), "voorzitter@fact-noord.example")
    meeting_id = _add_meeting(chair, "10:22")
    chair.close()
    phone_context = new_context("phone", **PHONE)
    member = phone_context.new_page()
    login(member, MEMBER)
    member.goto(f"/teams/1/meetings/{meeting_id}/")
    title = _unique("Afschalen naar de POH-ggz?")

    thumb, started = Thumb(member), time.monotonic()
    thumb.tap(member.get_by_role("link", name=re.compile(re.escape(DUTCH.gettext("Bring in an item")))))
    expect(member.locator("select#meeting_id")).to_have_value(str(meeting_id))
    thumb.tap(member.locator("label.choice", has=member.locator("#track-regular")))
    expect(member.locator("#proposed-outcome")).to_be_hidden()  # the finish box: only for an announcement
    thumb.tap(member.locator("label.choice", has=member.locator("#label-announcement")))
    expect(member.locator("#proposed-outcome")).to_be_visible()
    thumb.tap(member.locator("label.choice", has=member.locator("#label-question")))
    expect(member.locator("#proposed-outcome")).to_be_hidden()
    thumb.taps -= 1  # the announcement was a look at the finish box, not part of submitting a question
    thumb.tap(member.locator("#client_reference"))
    thumb.type("FN-1")
    match = member.locator("#client-matches button").first  # checked as typed: the matching clients to tap
    expect(match).to_be_visible()
    reference = match.inner_text().split()[0]
    thumb.tap(match)
    expect(member.locator("#client_reference")).to_have_value(reference)
    expect(member.locator("#client-found")).to_contain_text(reference)  # what the app knows, at once
    expect(member.locator("#client-found")).to_contain_text("regiebehandelaar")
    expect(member.locator("#client-known")).to_contain_text(DUTCH.gettext("Last ROM:"))
    expect(member.locator("#title")).to_be_focused()  # the tap on the client went on to the title
    thumb.type(title)
    thumb.tap(member.locator("#need"))
    thumb.type("Zijn jullie het eens dat we afschalen?")
    _shot(member, "item-form-quick")
    assert not _axe(member), _axe(member)
    thumb.tap(member.locator("#submit-item"))
    expect(member).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/$"))
    seconds = time.monotonic() - started
    row = member.locator("#agenda li.agenda-item", has_text=title)
    expect(row).to_have_count(1)
    print(f"quick regular review: {thumb.taps} taps, {seconds:.1f} s in the browser (typing at machine speed)")
    assert thumb.taps <= MAX_TAPS, f"{thumb.taps} taps to put a regular review on the agenda"

    # What is still to prepare: on the agenda, and to the presenter, with the way to complete it.
    still = row.locator(".to-prepare")
    for part in ("the current state of the treatment", "the case preparation", "the evaluation with the client",
                 "whose input you want"):
        expect(still).to_contain_text(DUTCH.gettext(part))
    expect(member.locator(".flash").last).to_contain_text("Nog voor te bereiden")
    assert not _axe(member), _axe(member)
    _shot(member, "agenda-still-to-prepare")
    still.get_by_role("link").tap()
    expect(member).to_have_url(re.compile(r"/items/\d+/edit#preparation$"))
    expect(member.locator("#client_reference")).to_have_value(reference)
    member.locator("#current_state").fill("Stabiel sinds een jaar; de doelen zijn bereikt.")
    member.locator("#submit-prepared").click()
    expect(member).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/(#preparation)?$"))
    expect(row.locator(".to-prepare")).not_to_contain_text(DUTCH.gettext("the current state of the treatment"))


def test_a_refused_item_puts_the_focus_on_an_error_summary_and_keeps_every_value(projector, new_context, login):
    chair = login(projector.new_page(), "voorzitter@fact-noord.example")
    meeting_id = _add_meeting(chair, "10:23")
    chair.close()
    member = new_context("phone", **PHONE).new_page()
    login(member, MEMBER)
    member.goto(f"/teams/1/items/new?meeting_id={meeting_id}")
    member.locator("#track-regular").check()
    member.locator("#label-issue").check()
    member.locator("#client_reference").press_sequentially("ZZ-9")
    expect(member.locator("#client-none")).to_be_visible()  # checked as typed, before any submit
    member.locator("#title").fill("Weigert medicatie")
    member.locator("#need").fill("Wat doen we als ze blijft weigeren?")
    member.locator("#current_state").fill("Sinds twee weken geen depot.")
    member.locator("#submit-item").tap()

    summary = member.locator("#error-summary")
    expect(summary).to_be_focused()
    _in_first_screen(member, summary)
    link = summary.get_by_role("link", name=DUTCH.gettext("Client reference"))
    expect(link).to_have_attribute("href", "#client_reference")
    for field, value in (("#client_reference", "ZZ-9"), ("#title", "Weigert medicatie"),
                         ("#need", "Wat doen we als ze blijft weigeren?"),
                         ("#current_state", "Sinds twee weken geen depot.")):
        expect(member.locator(field)).to_have_value(value)
    expect(member.locator("#track-regular")).to_be_checked()
    expect(member.locator("#label-issue")).to_be_checked()
    assert not _axe(member), _axe(member)
    _shot(member, "item-form-refused")
    link.tap()
    expect(member.locator("#client_reference")).to_be_focused()
    expect(member.locator("#client_reference-error")).to_have_text(
        DUTCH.gettext("No active client with this reference in your team."))
