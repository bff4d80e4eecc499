"""The running meeting in a real browser: the chair's console on the projector and members' phones.

The e2e database is shared by the whole session, so every test adds its OWN extra meeting (a few
days ahead, at its own time), brings in its own items as a member and runs that meeting; it never
looks at other meetings or at totals.
"""
import re
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import CHAIR, MEMBER

MEMBER2 = "vp2@fact-noord.example"  # presents the items, so the ringer (MEMBER) is never on screen
RINGER_NAME = "Fatima El Idrissi"  # MEMBER's demo name
TEAM_TZ = ZoneInfo("Europe/Amsterdam")
DAYS_AHEAD = 3  # past the 24-hour submission deadline, before most of the weekly schedule
PLAN_URL = re.compile(r"/teams/1/meetings/(\d+)/plan$")
BELL_BUDGET_S = 1.0
RECONNECT_BUDGET_MS = 10_000
RESTART_DOWN_S = 3


def _unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


def _add_meeting(chair: Page, start: str) -> int:
    """As the chair: an extra meeting DAYS_AHEAD days from now at `start` (HH:MM); returns its id."""
    day = (datetime.now(TEAM_TZ).date() + timedelta(days=DAYS_AHEAD)).isoformat()
    chair.goto("/teams/1/meetings")
    chair.locator("#extra-day").fill(day)
    chair.locator("#extra-time").fill(start)
    chair.get_by_role("button", name="Add meeting").click()
    expect(chair).to_have_url(PLAN_URL)
    return int(PLAN_URL.search(chair.url).group(1))


def _bring_in(member: Page, meeting_id: int, title: str, need: str, label: str = "issue") -> int:
    """As a member: an acute item on that meeting; returns the item's id."""
    member.goto(f"/teams/1/items/new?meeting_id={meeting_id}")
    expect(member.locator("select#meeting_id"), "the new meeting is not offered for items").to_have_value(
        str(meeting_id))
    member.locator("input[name=track][value=acute]").check()
    member.locator(f"input[name=label][value={label}]").check()
    member.locator("#title").fill(title)
    member.locator("#need").fill(need)
    member.locator("#submit-item").click()
    expect(member).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/$"))
    row = member.locator("#agenda li.agenda-item").filter(
        has=member.locator(".title", has_text=re.compile(rf"^{re.escape(title)}$")))
    expect(row).to_have_count(1)
    return int(row.get_attribute("id").removeprefix("item-"))


def _open_live(page: Page, url: str, stream_path: str) -> None:
    """Load a live page and wait until its event stream answers: the stream is live (it pushes every part at once)."""
    with page.expect_response(lambda r: r.url.endswith(stream_path) and r.request.method == "GET"):
        page.goto(url)


def _open_console(chair: Page, meeting_id: int) -> None:
    _open_live(chair, f"/teams/1/meetings/{meeting_id}/run", f"/meetings/{meeting_id}/run/stream")
    expect(chair.locator("body")).to_have_class(re.compile(r"\bprojector\b"))


def _open_phone(phone: Page, meeting_id: int) -> None:
    _open_live(phone, f"/teams/1/meetings/{meeting_id}/live", f"/meetings/{meeting_id}/stream")


def _through_opening_phases(chair: Page) -> None:
    """Start the meeting; click through the look back and the consent block when they have anything in them."""
    chair.locator("#start-meeting").click()
    opening = chair.locator("#to-consent, #approve-consent, #next-item")
    expect(opening).to_have_count(1)
    for step in ("#to-consent", "#approve-consent"):
        if chair.locator(step).count():
            chair.locator(step).click()
            expect(chair.locator(step)).to_have_count(0)


def _run_to_first_item(chair: Page, meeting_id: int, title: str) -> None:
    """Console: start, look back, consent block (each when not empty), open the first item; its clock runs."""
    _open_console(chair, meeting_id)
    _through_opening_phases(chair)
    expect(chair.locator("#current-item .item-title")).to_have_text(title)  # shown as next up
    chair.locator("#next-item").click()
    expect(chair.locator("#current-item h1.item-title")).to_have_text(title)
    expect(chair.locator("#current-item .countdown")).to_have_attribute("data-status", "running")


def _meeting_with_open_item(chair: Page, presenter_context: BrowserContext, login, start: str,
                            items: list[tuple[str, str]]) -> tuple[int, list[int]]:
    """A new meeting with MEMBER2's acute issues `items` (title, need); the first one is open."""
    meeting_id = _add_meeting(chair, start)
    presenter = login(presenter_context.new_page(), MEMBER2)
    item_ids = [_bring_in(presenter, meeting_id, title, need) for title, need in items]
    presenter.close()
    _run_to_first_item(chair, meeting_id, items[0][0])
    return meeting_id, item_ids


def _remaining_now(page: Page) -> dict:
    """The countdown's remaining seconds at this instant (server value minus the time since it arrived)."""
    return page.locator("#current-item .countdown").evaluate("""el => {
        const now = Date.now();
        const status = el.dataset.status;
        const since = status === "running" ? (now - Number(el.dataset.receivedAt)) / 1000 : 0;
        return {remaining: Number(el.dataset.remaining) - since, rendered: Number(el.dataset.remaining),
                status, now, text: el.textContent};
    }""")


def test_bell_from_phone_reaches_projector_within_a_second(projector, phone, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    title = _unique("Crisis plan after admission")
    meeting_id, _ = _meeting_with_open_item(
        chair, new_context("phone"), login, "08:01", [(title, "Advice on a safety plan before the weekend.")])
    bell = chair.locator("#bell")
    expect(bell).not_to_have_class(re.compile(r"\bringing\b"))

    member = login(phone.new_page(), MEMBER)
    _open_phone(member, meeting_id)
    expect(member.locator("#phone-state .item-title")).to_have_text(title)
    chair.locator("#current-heading").evaluate("el => { el.dataset.before = 'the ring'; }")
    member.locator("#bell-reason").select_option("long_story")
    started = time.monotonic()
    member.locator("#ring-bell").tap()
    expect(bell).to_have_class(re.compile(r"\bringing\b"), timeout=int(BELL_BUDGET_S * 1000))
    latency = time.monotonic() - started
    # only the parts the ring changed were pushed: the item on the projector is the same element as before
    assert chair.locator("#current-heading").get_attribute("data-before") == "the ring"
    print(f"bell latency phone tap -> projector ringing: {latency * 1000:.0f} ms")
    assert latency < BELL_BUDGET_S, f"the bell took {latency:.3f} s to reach the projector"

    expect(member.locator("#bell-result")).to_have_text("The bell rang.")
    expect(bell).to_have_attribute("data-bell-id", re.compile(r"^\d+$"))
    expect(bell.locator(".bell-count")).to_have_text("1 ring for this item")
    expect(bell).to_contain_text("Long story")
    expect(bell).not_to_contain_text(RINGER_NAME)
    expect(bell).not_to_contain_text("El Idrissi")
    expect(chair.locator("#panel")).not_to_contain_text(RINGER_NAME)  # the ringer presents nothing here

    # One ring per person per 10 seconds.
    member.locator("#ring-bell").tap()
    expect(member.locator("#bell-result")).to_have_text(re.compile(r"^Wait \d+ seconds? before ringing again\.$"))
    expect(bell.locator(".bell-count")).to_have_text("1 ring for this item")


def test_decision_on_projector_updates_the_phone_without_reload(projector, phone, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    title = _unique("Refuses depot medication")
    meeting_id, (item_id,) = _meeting_with_open_item(
        chair, new_context("phone"), login, "08:02", [(title, "Do we start a compulsory-care procedure?")])

    member = login(phone.new_page(), MEMBER)
    _open_phone(member, meeting_id)
    state = member.locator(f"#phone-item-{item_id} .item-state")
    expect(state).to_have_text("now")
    member.evaluate("window.__noReload = 1")

    # Closing without a decision is impossible: the empty form is refused and the item stays open.
    chair.locator("#decide-link").click()
    expect(chair.locator("#decide-panel #decide-form")).to_be_visible()
    expect(chair).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/run$"))  # deciding is part of the console
    chair.locator("#record-decision").click()
    expect(chair.locator("#decision-errors")).to_be_visible()
    expect(chair.locator("#decide-form")).to_be_visible()
    expect(state).to_have_text("now")

    chair.locator("input[name=outcome][value=continue_adjusted]").check()
    chair.locator("#decision").fill("Psychiatrist visits on Monday; the depot is discussed with the family.")
    chair.locator("input[name=needs_met][value=yes]").check()
    started = time.monotonic()
    chair.locator("#record-decision").click()
    expect(state).to_have_text("Decided")
    print(f"decision click -> phone shows Decided: {(time.monotonic() - started) * 1000:.0f} ms")
    expect(chair).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/run$"))
    expect(chair.locator("#current-item h1.item-title")).to_have_count(0)
    expect(chair.locator("#decide-form")).to_have_count(0)
    expect(chair.locator("#console-status")).to_have_text("Decision recorded.")
    assert member.evaluate("window.__noReload") == 1, "the phone reloaded to show the decision"


def test_clock_survives_a_server_restart_mid_item(projector, phone, new_context, login, restart_server):
    chair = login(projector.new_page(), CHAIR)
    title = _unique("Threatens the neighbours")
    meeting_id, _ = _meeting_with_open_item(
        chair, new_context("phone"), login, "08:03", [(title, "Is a home visit with two safe enough?")])
    member = login(phone.new_page(), MEMBER)
    _open_phone(member, meeting_id)
    expect(member.locator("#phone-state .countdown")).to_have_attribute("data-status", "running")
    phone_loads: list[float] = []
    member.on("load", lambda: phone_loads.append(time.monotonic()))

    chair.wait_for_timeout(1500)  # let the clock run a little
    before = _remaining_now(chair)
    assert before["status"] == "running", before
    down_at = time.monotonic()
    restart_server(down_seconds=RESTART_DOWN_S)  # long enough that a frozen or reset clock shows
    restart_s = time.monotonic() - down_at
    chair.reload()
    expect(chair.locator("#current-item h1.item-title")).to_have_text(title)
    after = _remaining_now(chair)
    elapsed = (after["now"] - before["now"]) / 1000
    expected = before["remaining"] - elapsed
    print(f"restart took {restart_s:.2f} s; remaining before {before['remaining']:.2f} s "
          f"(rendered {before['rendered']}), after {after['remaining']:.2f} s (rendered {after['rendered']}), "
          f"elapsed {elapsed:.2f} s, expected {expected:.2f} s, off by {after['remaining'] - expected:+.2f} s")
    assert after["status"] == "running", f"the clock is no longer running after the restart: {after}"
    assert abs(after["remaining"] - expected) <= 1.5, (
        f"the clock did not continue across the restart: {before['remaining']:.2f} s left before, "
        f"{after['remaining']:.2f} s after {elapsed:.2f} s (expected {expected:.2f} s)")

    # A change after the restart reaches the phone, which recovers by itself (no test reload).
    paused_at = time.monotonic()
    chair.locator("#current-item .controls button", has_text="Pause").click()
    expect(chair.locator("#current-item .countdown")).to_have_attribute("data-status", "paused")
    expect(member.locator("#phone-state .countdown")).to_have_attribute(
        "data-status", "paused", timeout=RECONNECT_BUDGET_MS)
    print(f"phone showed the pause {time.monotonic() - paused_at:.2f} s after the click "
          f"({time.monotonic() - down_at:.2f} s after the server went down); "
          f"phone page loads meanwhile: {[round(t - down_at, 2) for t in phone_loads]} s after going down")
    expect(member).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/live$"))
    expect(member.locator("#phone-state .item-title")).to_have_text(title)


def _layout(page: Page) -> dict:
    """What scrolls, and where the main blocks end (px from the top of the document)."""
    return page.evaluate("""() => {
        const de = document.documentElement;
        const bottom = sel => { const el = document.querySelector(sel);
            return el ? Math.round(el.getBoundingClientRect().bottom + window.scrollY) : null; };
        return {scrollHeight: de.scrollHeight, innerHeight: window.innerHeight,
                scrollWidth: de.scrollWidth, innerWidth: window.innerWidth,
                bottoms: {header: bottom("header.top"), currentItem: bottom("#current-item"),
                          controls: bottom("#current-item .controls"), bell: bottom("#bell"),
                          budgets: bottom(".side .budgets"), comingUp: bottom(".side .coming"),
                          endForm: bottom(".side .end-form"), side: bottom(".side"), main: bottom("main")}};
    }""")


def test_projector_fits_without_scrolling(projector, new_context, login):
    """The projector never scrolls while an item is on, also not while the bell rings."""
    chair = login(projector.new_page(), CHAIR)
    items = [
        (_unique("Crisis plan after admission: who informs the GP"),
         "Advice on a safety plan before the weekend; the family asks for daily contact."),
        (_unique("Stops taking lithium"), "Do we ask the psychiatrist for a home visit this week?"),
        (_unique("Eviction notice"), "Who contacts the housing corporation?"),
    ]
    meeting_id, _ = _meeting_with_open_item(chair, new_context("phone"), login, "08:04", items)
    sizes = ((1920, 1080), (1280, 720))

    measured = {}
    for width, height in sizes:
        chair.set_viewport_size({"width": width, "height": height})
        expect(chair.locator("#current-item h1.item-title")).to_have_text(items[0][0])
        measured[f"item, {width}x{height}"] = _layout(chair)

    member = login(new_context("phone").new_page(), MEMBER)
    _open_phone(member, meeting_id)
    member.locator("#bell-reason").select_option("not_answering")
    member.locator("#ring-bell").tap()
    expect(chair.locator("#bell")).to_have_class(re.compile(r"\bringing\b"))
    for width, height in sizes:
        chair.set_viewport_size({"width": width, "height": height})
        expect(chair.locator("#current-item h1.item-title")).to_have_text(items[0][0])
        measured[f"item + ringing bell, {width}x{height}"] = _layout(chair)

    for state, m in measured.items():
        print(f"projector {state}: {m}")
    problems = [f"{state}: scrollHeight {m['scrollHeight']} vs innerHeight {m['innerHeight']}, "
                f"scrollWidth {m['scrollWidth']} vs innerWidth {m['innerWidth']}; bottoms {m['bottoms']}"
                for state, m in measured.items()
                if m["scrollHeight"] > m["innerHeight"] or m["scrollWidth"] > m["innerWidth"]]
    assert not problems, "the projector scrolls:\n" + "\n".join(problems)


def test_keyboard_shortcut_b_rings_and_question_mark_shows_help(projector, new_context, login):
    chair = login(projector.new_page(), CHAIR)
    title = _unique("Missed three appointments")
    _meeting_with_open_item(chair, new_context("phone"), login, "08:05", [(title, "Do we go round to see him?")])
    bell = chair.locator("#bell")
    expect(bell).not_to_have_class(re.compile(r"\bringing\b"))
    help_box = chair.locator("#help")
    expect(help_box).to_be_hidden()

    chair.keyboard.press("b")
    expect(bell).to_have_class(re.compile(r"\bringing\b"))
    expect(bell.locator(".bell-count")).to_have_text("1 ring for this item")
    expect(bell).not_to_contain_text("Sanne Bakker")

    chair.keyboard.press("?")
    expect(help_box).to_be_visible()
    expect(help_box.get_by_role("heading")).to_have_text("Keyboard shortcuts")
    expect(help_box).to_contain_text("Ring the bell")
    chair.keyboard.press("?")
    expect(help_box).to_be_hidden()
    expect(chair.locator("#current-item h1.item-title")).to_have_text(title)  # no other shortcut fired




def test_two_chairs_deciding_the_same_item_one_wins_the_other_is_told(projector, new_context, login):
    first = login(projector.new_page(), CHAIR)
    title = _unique("Two screens, one decision")
    meeting_id, (item_id,) = _meeting_with_open_item(
        first, new_context("phone"), login, "08:06", [(title, "Continue the crisis plan?")])
    second = login(new_context("projector").new_page(), CHAIR)
    decide_url = f"/teams/1/meetings/{meeting_id}/run/items/{item_id}/decide"
    for page, words in ((first, "Crisis plan continues."), (second, "Crisis plan stops.")):
        page.goto(decide_url)
        page.locator("input[name=outcome][value=continue_adjusted]").check()
        page.locator("#decision").fill(words)
        page.locator("input[name=needs_met][value=yes]").check()
    first.locator("#record-decision").click()
    expect(first).to_have_url(re.compile(rf"/meetings/{meeting_id}/run$"))
    second.locator("#record-decision").click()
    expect(second.get_by_text("This item was closed already, by someone else. Nothing was changed.")).to_be_visible()
    second.goto(f"/teams/1/meetings/{meeting_id}/minutes")
    expect(second.locator("#minutes-items")).to_contain_text("Crisis plan continues.")
    expect(second.locator("#minutes-items")).not_to_contain_text("Crisis plan stops.")
