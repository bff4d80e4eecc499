"""The review's substance in a real browser: a member prepares a regular review on a phone, the projector
and the phones show it when it is current, the decision records the evaluation with the client, the minutes
keep it all, and the participants rate the meeting on four dimensions from their phones.

Every test makes its own extra meeting (see test_live_meeting.py) and looks only at what it made.
Set BELLETJE_SCREENSHOTS=/some/dir to keep screenshots of every screen on the way.
"""
import os
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from .conftest import CHAIR, MANAGER, MEMBER
from .test_live_meeting import MEMBER2, _add_meeting, _open_console, _open_phone, _through_opening_phases

TEAM_TZ = ZoneInfo("Europe/Amsterdam")
MIN_BODY_PX = 28
STORY = ("She lives on her own again since the spring and keeps her appointments. The psychotic symptoms have "
         "been in remission for ten months on a stable depot; what is stuck is daytime activity: she stopped the "
         "volunteer work after a conflict and spends most days at home. She wants to work with the IPS worker "
         "again but is afraid of failing. Her sister is involved and worried about the step down. We doubt "
         "whether the FACT team is still the right place or whether the GP with the mental-health nurse can "
         "take over, with a signalling plan and a quick way back. THE-END-OF-THE-STORY")
SHOTS = os.environ.get("BELLETJE_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=name.startswith("phone"))


def _unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


def _prepare_regular_review(member: Page, meeting_id: int, title: str, evaluated_on: str) -> str:
    """As a member on a phone: a regular review with whose input, the story and the evaluation prepared."""
    member.goto(f"/teams/1/items/new?meeting_id={meeting_id}")
    member.get_by_role("radio", name="Regular review").check()
    member.locator("input[name=label][value=question]").check()
    member.locator("#client_reference").press_sequentially("FN-1")
    options = member.locator("#client-options option")
    expect(options.first).to_be_attached()
    reference = options.first.get_attribute("value")
    member.locator("#client_reference").fill(reference)
    member.locator("#title").fill(title)
    member.locator("#need").fill("Do we step down to the GP, or continue with IPS first?")
    member.get_by_role("checkbox", name="Psychiatrist").check()
    member.get_by_role("checkbox", name="Peer expert").check()
    member.get_by_role("radio", name="Advice").check()
    member.locator("#current_state").fill(STORY)
    expect(member.locator("#current_state-count")).to_have_text(f"{len(STORY)} of 1500 characters")
    expect(member.locator("#current-state-hint")).to_contain_text("Not a list of events")
    expect(member.locator("#regular-prep")).to_be_visible()  # a regular review opens its case preparation
    member.locator("#request_and_start").fill("Referred after a first psychosis, four years ago.")
    member.locator("#evaluated_with_client_on").fill(evaluated_on)
    member.locator("#evaluation-with-client input[name=relatives_invited][value=yes]").check()
    member.locator("#evaluation-with-client input[name=relatives_present][value=no]").check()
    member.locator("#client_view").fill("Wants to keep the depot and find work.")
    member.locator("#evaluation-with-client input[name=rom_done][value=yes]").check()
    member.locator("#evaluation-with-client input[name=rom_personal][value=better]").check()
    member.locator("#evaluation-with-client input[name=rom_social][value=same]").check()
    _shot(member, "phone-item-form")
    width = member.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the item form scrolls sideways on a phone: {width}"
    member.locator("#submit-item").click()
    expect(member).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/$"))
    return reference


def _font_px(page: Page, selectors: tuple[str, ...]) -> dict[str, float]:
    """Computed font sizes, read in one go (a live panel swap cannot come in between)."""
    return page.evaluate("""sels => Object.fromEntries(sels.map(s =>
        [s, parseFloat(getComputedStyle(document.querySelector(s)).fontSize)]))""", list(selectors))


def test_prepared_review_on_projector_and_phone_then_in_the_minutes(projector, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    meeting_id = _add_meeting(chair, "08:11")
    title = _unique("Step down to the GP")
    evaluated_on = (datetime.now(TEAM_TZ).date() - timedelta(days=30)).isoformat()
    presenter = login(new_context("phone").new_page(), MEMBER2)
    reference = _prepare_regular_review(presenter, meeting_id, title, evaluated_on)

    # A colleague reads the preparation from the agenda before the meeting.
    colleague = login(new_context("phone").new_page(), MEMBER)
    colleague.goto(f"/teams/1/meetings/{meeting_id}/")
    row = colleague.locator("#agenda li.agenda-item", has_text=title)
    row.get_by_role("link", name=re.compile("Read the preparation")).click()
    expect(row.locator(".agenda-story .story-text")).to_contain_text("THE-END-OF-THE-STORY")
    _shot(colleague, "phone-agenda-story")

    # The chair makes it current: the projector shows label, need, whose input and the prepared state.
    _open_console(chair, meeting_id)
    _through_opening_phases(chair)
    expect(chair.locator("#current-item .item-title")).to_have_text(title)
    chair.locator("#next-item").click()
    current = chair.locator("#current-item")
    expect(current.locator("h1.item-title")).to_have_text(title)
    expect(current.locator(".badge.label-question")).to_contain_text("Question")
    expect(current.locator(".need p")).to_have_text("Do we step down to the GP, or continue with IPS first?")
    expect(current.locator("#projector-whose-input")).to_contain_text("from psychiatrist, peer expert")
    expect(current.locator("#projector-whose-input")).to_contain_text("Advice")
    expect(current.locator("#projector-story .story-text")).to_contain_text("She lives on her own again")
    sizes = _font_px(chair, ("#projector-story .story-text", "#projector-whose-input", "#current-item .need p"))
    layout = chair.evaluate("""() => ({scrollHeight: document.documentElement.scrollHeight, innerHeight: innerHeight,
        scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
        storyClipped: (el => el.scrollHeight > el.clientHeight + 1)(
            document.querySelector('#projector-story .story-text')),
        storyBottom: document.querySelector('#projector-story').getBoundingClientRect().bottom})""")
    print(f"projector 1920x1080 font sizes (px): {sizes}; layout: {layout}")
    _shot(chair, "projector-current-item")
    assert all(px >= MIN_BODY_PX for px in sizes.values()), f"projector body text under {MIN_BODY_PX} px: {sizes}"
    assert layout["scrollHeight"] <= layout["innerHeight"] and layout["scrollWidth"] <= layout["innerWidth"], layout
    assert layout["storyClipped"], "the long story was not clipped to fit the projector"
    chair.set_viewport_size({"width": 1280, "height": 720})  # a smaller projector: still no scrolling
    small = chair.evaluate("() => [document.documentElement.scrollHeight, innerHeight]")
    print(f"projector 1280x720 with the story: scrollHeight {small[0]} vs innerHeight {small[1]}")
    assert small[0] <= small[1], f"the projector scrolls at 1280x720 with a prepared story: {small}"
    chair.set_viewport_size({"width": 1920, "height": 1080})

    # The whole preparation on demand (S), also across a live re-render; Escape closes it.
    chair.keyboard.press("s")
    overlay = chair.locator("#projector-story-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("THE-END-OF-THE-STORY")
    expect(overlay).to_contain_text("Referred after a first psychosis")
    expect(overlay).to_contain_text("Personal recovery ↑")
    _shot(chair, "projector-whole-preparation")
    chair.evaluate("document.activeElement && document.activeElement.blur()")  # Space on a focused button presses it
    chair.keyboard.press(" ")  # pause: the clock and the controls are pushed again under the open overlay
    expect(current.locator(".countdown")).to_have_attribute("data-status", "paused")
    expect(overlay).to_be_visible()
    chair.keyboard.press("Escape")
    expect(overlay).to_be_hidden()

    # A phone shows the same.
    phone = login(new_context("phone").new_page(), MEMBER)
    _open_phone(phone, meeting_id)
    state = phone.locator("#phone-state")
    expect(state.locator(".item-title")).to_have_text(title)
    expect(state.locator("#phone-need")).to_contain_text("Do we step down to the GP")
    expect(state.locator("#phone-whose-input")).to_contain_text("from psychiatrist, peer expert")
    expect(state.locator("#phone-story .story-text")).to_contain_text("She lives on her own again")
    state.get_by_text("Read the whole preparation").click()
    expect(state.locator("#phone-full-story")).to_contain_text("THE-END-OF-THE-STORY")
    _shot(phone, "phone-current-item")

    # The decision form shows the preparation beside it, with the evaluation as prepared.
    chair.locator("#decide-link").click()
    expect(chair.locator("#decision-story")).to_contain_text("She lives on her own again")
    expect(chair.locator("#evaluated_with_client_on")).to_have_value(evaluated_on)
    expect(chair.locator("#evaluation-with-client input[name=rom_personal][value=better]")).to_be_checked()
    chair.locator("#answer").fill("Continue with IPS for three months, then step down.")
    chair.locator("input[name=outcome][value=continue_adjusted]").check()
    chair.locator("#decision").fill("IPS for three months; the step down is prepared with the GP.")
    chair.locator("input[name=needs_met][value=yes]").check()
    if chair.locator("#continuation_answer").count():  # the demo client may be past a treatment anniversary
        chair.locator("#continuation_answer").fill("Work is the goal left; IPS first.")
    if chair.locator("input[name=colleague_invited]").count():
        chair.locator("input[name=colleague_invited][value=yes]").check()
    _shot(chair, "projector-decision-form")
    chair.locator("#record-decision").click()
    assert chair.locator("p.error").all_inner_texts() == [], "the decision was refused"
    expect(chair).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/run$"))

    # The minutes keep the story, whose input and the evaluation with the client.
    chair.locator("#to-look-ahead").click()  # the meeting ends from its look ahead
    chair.locator("#end-meeting").click()
    expect(chair).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/minutes$"))
    minutes = chair.locator("#minutes-items")
    expect(minutes).to_contain_text("THE-END-OF-THE-STORY")
    expect(minutes).to_contain_text("from psychiatrist, peer expert")
    expect(minutes).to_contain_text("Treatment plan evaluated with the client on")
    expect(minutes).to_contain_text("Relatives invited: Yes; came: No")
    expect(minutes).to_contain_text("Personal recovery ↑")
    expect(minutes).to_contain_text(reference)
    _shot(chair, "projector-minutes")


def test_four_dimension_rating_from_a_phone_reaches_minutes_and_dashboard(projector, phone, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    meeting_id = _add_meeting(chair, "08:12")
    _open_console(chair, meeting_id)
    chair.locator("#start-meeting").click()  # a meeting without items: through what opens it, to its end
    expect(chair.locator("#to-consent, #approve-consent, #to-look-ahead").first).to_be_visible()
    for step in ("#to-consent", "#approve-consent"):
        if chair.locator(step).count():
            chair.locator(step).click()
            expect(chair.locator(step)).to_have_count(0)
    chair.locator("#to-look-ahead").click()  # the meeting ends from its look ahead
    chair.locator("#end-meeting").click()
    expect(chair).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/minutes$"))

    change = _unique("Say the question before the story")
    member = login(phone.new_page(), MEMBER)
    member.goto(f"/teams/1/meetings/{meeting_id}/live")
    form = member.locator("#rating-form")
    for name, score in (("heard", 4), ("goals", 5), ("approach", 3), ("overall", 4)):
        form.locator(f"#rate-{name}").get_by_text(str(score), exact=True).tap()
    form.locator("#change_next").fill(change)
    _shot(member, "phone-rating")
    width = member.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the rating scrolls sideways on a phone: {width}"
    form.locator("#send-rating").tap()
    expect(member.locator("#rating-form")).to_have_text("Thank you for rating the meeting.")

    chair.reload()  # one rater: no averages, or they would be that person's own scores
    expect(chair.locator("#minutes-ratings")).to_have_text(re.compile("^Fewer than 3 ratings"))
    for rater in (login(phone.new_page(), MEMBER2), chair):  # two more rate the same, and the averages show
        rater.goto(f"/teams/1/meetings/{meeting_id}/live")
        for name, score in (("heard", 4), ("goals", 5), ("approach", 3), ("overall", 4)):
            rater.locator(f"#rating-form #rate-{name}").get_by_text(str(score), exact=True).click()
        rater.locator("#send-rating").click()
        expect(rater.locator("#rating-form")).to_have_text("Thank you for rating the meeting.")
    chair.goto(f"/teams/1/meetings/{meeting_id}/minutes")
    ratings = chair.locator("#minutes-ratings")
    expect(ratings).to_contain_text("Heard and understood: 4.0")
    expect(ratings).to_contain_text("Worked on what we wanted: 5.0")
    expect(ratings).to_contain_text("The way we worked suited us: 3.0")
    expect(ratings).to_contain_text("Overall: 4.0")
    expect(chair.locator("#minutes-changes")).to_contain_text(change)

    manager = login(new_context("projector").new_page(), MANAGER)
    manager.goto("/teams/1/dashboard")
    for name in ("heard", "goals", "approach", "overall"):
        expect(manager.locator(f"#chart-rating-{name} svg rect").first).to_be_attached()
    expect(manager.locator("#evaluated-with-client")).to_have_text(re.compile(r"^\d+%$"))
    expect(manager.locator("#client-evaluations")).to_contain_text("not the team's review in the meeting")
    _shot(manager, "projector-dashboard")
