"""One running session in a real browser at 1920x1080: a complex-case session decides on its console with the clock
and the bell in view; the weekly decision keeps the question readable; Escape closes what is open; the look back by
keyboard reviews every action once; a review is recorded in a few keys; the budgets' used time moves with the clock.

Every test adds its OWN meeting or session with unique titles (the demo server is shared by the whole run).
"""
import os
import re
import time
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import CHAIR, MEMBER
from .test_accessibility import _axe
from .test_finishing_treatment import _add_card, _next_step, _plan_session, _register_client
from .test_live_meeting import (
    _add_meeting,
    _meeting_with_open_item,
    _open_console,
    _open_phone,
    _through_opening_phases,
    _unique,
)
from .test_review_substance import _prepare_regular_review

SHOTS = Path(os.environ.get("BELLETJE_SCREENSHOTS", "/tmp/shots-23"))
ROOM_MIN_PX = 28
MIN_CONTRAST = 4.5
KEY_BUDGET = 15

CONTRAST = """el => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const background = node => {
        for (; node; node = node.parentElement) {
            const c = rgb(getComputedStyle(node).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
        }
        return [255, 255, 255];
    };
    const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const rect = el.getBoundingClientRect();
    return {contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
            size: parseFloat(getComputedStyle(el).fontSize),
            visible: rect.width > 0 && rect.height > 0 && rect.bottom <= innerHeight && rect.right <= innerWidth};
}"""


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _in_view(page: Page, selector: str) -> bool:
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect(), y = (r.top + r.bottom) / 2;"
        " return r.height > 0 && y > 0 && y < innerHeight && r.right <= innerWidth; }")


def _fits(page: Page) -> None:
    height = page.evaluate("[document.documentElement.scrollHeight, innerHeight]")
    below = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
        const r = el.getBoundingClientRect(); return r.height && r.bottom > innerHeight + 1
            && !el.closest('.decide-panel *'); })
        .slice(0, 5).map(el => el.tagName + '#' + el.id + '.' + el.className)""")
    assert height[0] <= height[1], f"the console runs past the screen: {height}, {below}"


def _no_axe_violation(page: Page, what: str) -> None:
    found = [f"[{v['impact']}] {v['id']}: {v['help']}" for v in _axe(page)]
    assert not found, f"axe on {what}:\n" + "\n".join(found)


def test_a_session_decides_on_its_console_with_the_clock_and_the_bell_in_view(new_context, login):
    # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids
    chair = login(new_context("projector", bypass_csp=True).new_page(), CHAIR)
    phone = login(new_context("phone", bypass_csp=True).new_page(), MEMBER)
    reference = _register_client(phone)
    session_id = _plan_session(chair, reference, "06:31")
    url = f"/teams/1/sessions/{session_id}"
    with chair.expect_response(lambda r: r.url.endswith(url + "/run/stream")):
        chair.goto(url + "/run")
    chair.keyboard.press("?")  # the session's help opens by key, and closes with Escape
    expect(chair.locator("#help")).to_be_visible()
    chair.keyboard.press("Escape")
    expect(chair.locator("#help")).to_be_hidden()
    chair.locator("#help-toggle").click()  # and by click
    expect(chair.locator("#help")).to_be_visible()
    chair.keyboard.press("Escape")
    expect(chair.locator("#help-toggle")).to_be_focused()

    chair.locator("#start-session").click()
    expect(chair.locator("#step-title")).to_have_text("Case presentation")
    expect(chair.locator("#end-session")).to_have_count(0)  # no end button from step 1
    expect(chair.locator("#session-used")).not_to_have_text("00:00", timeout=2500)  # the session's time moves
    _shot(chair, "projector-session-step1")
    _fits(chair)
    with phone.expect_response(lambda r: r.url.endswith(url + "/stream")):
        phone.goto(url + "/live")
    for title in ("Systemic analysis", "Reflective round", "Options for action"):
        _next_step(chair, title)
    _add_card(phone, chair, "options", "organisation", "A quick re-referral route with the practice", "#options-board")
    _no_axe_violation(phone, "the session's phone")
    _shot(chair, "projector-session-options")
    _fits(chair)

    chair.keyboard.press("d")  # the closing decision opens beside the session, on the console
    expect(chair.locator("#decide-form")).to_be_visible()
    expect(chair.locator("#decision-options")).to_contain_text("A quick re-referral route")  # the options, open
    _shot(chair, "projector-session-decide-open")
    _no_axe_violation(chair, "the session's console while deciding")
    for selector in (".session-main .countdown", "#step-title", "#bell"):
        expect(chair.locator(selector)).to_be_visible()
        assert _in_view(chair, selector), f"{selector} is not in view while deciding"
    _fits(chair)
    member_phone = phone
    member_phone.locator("#ring-bell").tap()
    expect(chair.locator("#bell")).to_have_class(re.compile(r"\bringing\b"))  # the bell reaches the deciding chair
    chair.locator("input[name=outcome][value=step_down]").check()
    chair.locator("#decision").fill("Step down to the GP's mental-health nurse; warm handover first.")
    chair.locator("input[name=needs_met][value=yes]").check()
    chair.locator("#continuation_answer").fill("What is still needed, the GP nurse can offer.")
    _shot(chair, "projector-session-deciding")
    question = chair.locator(".milestone label").evaluate(CONTRAST)  # the milestone's question, readable too
    assert question["contrast"] >= MIN_CONTRAST, f"the milestone's question: contrast {question['contrast']:.2f}"
    chair.locator("#record-decision").click()
    expect(chair.locator("#console-status")).to_have_text("Decision recorded.")
    expect(chair.locator("#decision-state")).to_contain_text("Step down")
    expect(chair.locator("#decide-form")).to_have_count(0)
    expect(chair.locator("#end-session")).to_be_visible()  # the end, once the closing decision is recorded
    _next_step(chair, "Closing and application")
    _fits(chair)
    chair.locator("#end-session").click()
    expect(chair).to_have_url(re.compile(rf"{url}/summary$"))


def test_with_the_decision_open_the_question_stays_readable_and_escape_closes_it(projector, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    title, need = _unique("Sleeps in the car"), "Do we ask for a crisis bed or a housing emergency route?"
    _meeting_with_open_item(chair, new_context("phone"), login, "10:31", [(title, need)])
    chair.locator("#decide-link").focus()
    chair.keyboard.press("Enter")
    expect(chair.locator("#decide-form")).to_be_visible()
    expect(chair.locator("input[name=outcome]").first).to_be_focused()  # the first field of an issue's decision
    _shot(chair, "projector-weekly-deciding")
    for selector in ("#current-item .need p", "#current-item .need-label", "#decision-prep-need p",
                     "#decision-prep-need .need-label"):
        expect(chair.locator(selector).first).to_contain_text(need if selector.endswith("p") else "What I need")
        measured = chair.locator(selector).first.evaluate(CONTRAST)
        print(f"{selector} while deciding: contrast {measured['contrast']:.1f}:1, {measured['size']:.0f} px")
        assert measured["visible"], f"{selector} is not on the screen while deciding"
        assert measured["contrast"] >= MIN_CONTRAST, f"{selector}: contrast {measured['contrast']:.2f}"
        assert measured["size"] >= ROOM_MIN_PX, f"{selector}: {measured['size']} px"
    chair.keyboard.press("Escape")
    expect(chair.locator("#decide-form")).to_have_count(0)
    expect(chair.locator("#decide-link")).to_be_focused()  # the focus is back where it was


def _keys(page: Page, *keys: str) -> int:
    for key in keys:
        page.keyboard.press(key)
    return len(keys)


def test_a_regular_review_is_recorded_in_at_most_fifteen_key_presses(projector, phone, login):
    chair = login(projector.new_page(), CHAIR)
    meeting_id = _add_meeting(chair, "10:32")
    member = login(phone.new_page(), MEMBER)
    title = _unique("Continue with IPS?")
    _prepare_regular_review(member, meeting_id, title, (date.today() - timedelta(days=20)).isoformat())
    _open_console(chair, meeting_id)
    _through_opening_phases(chair)
    chair.locator("#next-item").click()
    expect(chair.locator("#current-item h1.item-title")).to_have_text(title)
    chair.evaluate("document.activeElement && document.activeElement.blur()")

    presses = _keys(chair, "d")
    expect(chair.locator("#answer")).to_be_focused()
    chair.keyboard.type("Yes: continue with IPS first")
    presses += _keys(chair, "Tab", "Space")  # the outcome: the first choice, continue with adjusted goals
    expect(chair.locator("input[name=outcome][value=continue_adjusted]")).to_be_checked()
    presses += _keys(chair, "Tab")
    chair.keyboard.type("IPS first; the GP question in three months")
    presses += _keys(chair, "Tab", "Tab", "Tab", "Space")  # past the reason and who worded it: needs met, yes
    expect(chair.locator("input[name=needs_met][value=yes]")).to_be_checked()
    if chair.locator("#continuation_answer").count():  # the client may be past a year: the continuation question
        presses += _keys(chair, "Tab")
        chair.keyboard.type("Work is within reach")
        if chair.locator("input[name=colleague_invited]").count():
            presses += _keys(chair, "Tab", "Space")
    presses += _keys(chair, "Control+Enter")
    expect(chair.locator("#console-status")).to_have_text("Decision recorded.")
    print(f"a regular review recorded in {presses} key presses besides typing")
    assert presses <= KEY_BUDGET, f"{presses} key presses"


def test_the_look_back_by_keyboard_reviews_every_action_once(projector, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    first, _ = _meeting_with_open_item(chair, new_context("phone"), login, "10:33",
                                       [(_unique("Refuses medication"), "Who visits?")])
    actions = [_unique("Call the sister"), _unique("Letter to the GP")]
    chair.locator("#decide-link").click()
    chair.locator("input[name=outcome][value=continue_adjusted]").check()
    chair.locator("#decision").fill("Two actions")
    chair.locator("input[name=needs_met][value=yes]").check()
    for index, action in enumerate(actions):
        chair.locator(f"#action-{index}-description").fill(action)
        owner = chair.locator(f"#action-{index}-owner option", has_text="Fatima El Idrissi").get_attribute("value")
        chair.locator(f"#action-{index}-owner").select_option(owner)
        chair.locator(f"#action-{index}-due").fill((date.today() + timedelta(days=7 + index)).isoformat())
    chair.locator("#record-decision").click()
    expect(chair.locator("#console-status")).to_have_text("Decision recorded.")
    chair.locator("#to-look-ahead").click()
    chair.locator("#end-meeting").click()

    second = _add_meeting(chair, "10:34")
    _open_console(chair, second)
    chair.locator("#start-meeting").click()
    rows = chair.locator("#open-actions li")
    expect(rows.first).to_be_visible()
    total = rows.count()
    first_button = chair.locator("#open-actions li .choice-row button").first
    first_button.focus()
    chair.keyboard.press(" ")  # a stray Space records nothing
    time.sleep(0.5)
    expect(chair.locator("#open-actions li.reviewed")).to_have_count(0)
    for reviewed in range(1, total + 1):
        expect(chair.locator("#open-actions li:not(.reviewed) .choice-row button").first).to_be_focused()
        if reviewed == 1:  # the first is moved a month on: the rows re-sort by due date
            chair.keyboard.press("Tab")
            chair.keyboard.press("Tab")
            chair.keyboard.type(f"{date.today() + timedelta(days=30):%d%m%Y}")  # dd/mm/yyyy in en-GB
        chair.keyboard.press("Enter")  # done (or moved), for the focused row
        expect(chair.locator("#open-actions li.reviewed")).to_have_count(reviewed)
    assert chair.locator("#open-actions li:not(.reviewed)").count() == 0
    for action in actions:
        expect(chair.locator("#open-actions li", has_text=action)).to_have_class(re.compile(r"\breviewed\b"))
    expect(chair.locator("#to-consent")).to_be_focused()


def test_the_budgets_used_time_moves_with_the_clock_and_holds_when_paused(projector, phone, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    meeting_id, _ = _meeting_with_open_item(chair, new_context("phone"), login, "10:35",
                                            [(_unique("Lost his flat"), "Emergency housing?")])
    used = chair.locator("#budget-used-acute")
    before = used.inner_text()
    started = time.monotonic()
    expect(used).not_to_have_text(before, timeout=2000)
    print(f"the acute budget's used time moved from {before} to {used.inner_text()} "
          f"after {time.monotonic() - started:.1f} s")
    _open_phone(login(phone.new_page(), MEMBER), meeting_id)  # the phones follow the same clock
    chair.keyboard.press(" ")  # pause: the used time holds still
    expect(chair.locator("#current-item .countdown")).to_have_attribute("data-status", "paused")
    held = used.inner_text()
    time.sleep(1.5)
    assert used.inner_text() == held
