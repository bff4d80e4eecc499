"""The weekly agenda in a real browser: a member brings in items on a phone, the chair plans on the projector.

The whole e2e session shares one demo database, so every item made here has a unique title and the
assertions only look at the items this module made (or at relative order), never at totals.
"""
import re
import uuid

from playwright.sync_api import Page, expect

from .conftest import CHAIR, MEMBER

PHONE_WIDTH = 360
LABEL_MISSING = "Choose a label: announcement, question or issue."
REFERENCE = re.compile(r"^FN-\d{3}[A-Z]$")
AGENDA_URL = re.compile(r"/teams/1/meetings/(\d+)/$")


def _unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def _assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the form scrolls sideways on a phone: scrollWidth {width} > {PHONE_WIDTH}"


def _agenda_item(page: Page, title: str):
    return page.locator("#agenda li.agenda-item").filter(
        has=page.locator(".title", has_text=re.compile(rf"^{re.escape(title)}$")))


def _open_form_from_team_page(page: Page) -> None:
    page.goto("/teams/1/")
    page.get_by_role("link", name="Bring in an item").tap()
    expect(page).to_have_url(re.compile(r"/teams/1/items/new"))
    expect(page.locator("#item-form")).to_be_visible()


def test_member_submits_acute_issue_and_regular_review_on_a_phone(phone, login):
    page = login(phone.new_page(), MEMBER)
    acute_title = _unique("Crisis plan after admission")
    review_title = _unique("Step down to the GP?")

    # An acute issue, from the team page's tile.
    _open_form_from_team_page(page)
    meeting_id = page.locator("select#meeting_id").input_value()
    assert meeting_id, "the form proposes no meeting to bring the item to"
    _assert_no_horizontal_scroll(page)
    page.get_by_role("radio", name="Acute issue").check()
    page.locator("input[name=label][value=issue]").check()
    page.locator("#title").fill(acute_title)
    page.locator("#need").fill("Advice on a safety plan before the weekend.")
    page.locator("#current_state").fill("Stabilising after a short admission; medication adjusted.")
    page.locator("#submit-item").click()

    expect(page).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/$"))
    acute = _agenda_item(page, acute_title)
    expect(acute).to_have_count(1)
    expect(acute.locator(".badge.track-acute")).to_have_text("Track: Acute issue")  # "Track:" for screen readers
    expect(acute.locator(".badge.label-issue")).to_have_text("Label: Issue")

    # A regular review with label question, for a client found by search-as-you-type.
    _open_form_from_team_page(page)
    page.get_by_role("radio", name="Regular review").check()
    page.locator("input[name=label][value=question]").check()
    reference_input = page.locator("#client_reference")
    reference_input.press_sequentially("FN-0")
    options = page.locator("#client-options option")
    expect(options.first).to_be_attached()  # filled by htmx from /client-suggestions
    suggestions = options.evaluate_all("os => os.map(o => o.value)")
    assert suggestions and all(REFERENCE.match(s) and s.startswith("FN-0") for s in suggestions), suggestions
    reference = suggestions[0]
    reference_input.fill(reference)
    page.locator("#title").fill(review_title)
    page.locator("#need").fill("Is she ready to step down to the GP?")
    page.locator("#current_state").fill("Stable for a year; goals of the treatment plan reached.")
    expect(page.locator("#regular-prep")).to_be_visible()  # choosing a regular review opened it
    expect(page.locator("#prep-toggle")).to_have_attribute("aria-expanded", "true")
    page.locator("#request_and_start").fill("Referred by the GP for psychosis care; started two years ago.")
    page.locator("#tried_towards_finishing").fill("Two conversations about stepping down.")
    page.locator("#finishing_hard").fill("Fear of relapse.")
    page.locator("#minutes").fill("10")
    _assert_no_horizontal_scroll(page)
    page.locator("#submit-item").click()

    expect(page).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/$"))
    review = _agenda_item(page, review_title)
    expect(review).to_have_count(1)
    expect(review.locator(".badge.track-regular")).to_have_text("Track: Regular review")
    expect(review.locator(".badge.label-question")).to_have_text("Label: Question")
    expect(review.locator("small")).to_contain_text(reference)
    expect(review.locator("small")).to_contain_text("10 min")
    expect(_agenda_item(page, acute_title)).to_have_count(1)


def test_refused_submission_keeps_the_form_and_says_why(phone, login):
    page = login(phone.new_page(), MEMBER)
    title = _unique("Unlabelled item")
    _open_form_from_team_page(page)
    page.get_by_role("radio", name="Acute issue").check()
    page.locator("#title").fill(title)
    page.locator("#need").fill("A quick word with the psychiatrist.")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # The label radios are `required`: the browser itself refuses and sends nothing.
    page.locator("#submit-item").click()
    label = page.locator("input[name=label]").first
    assert label.evaluate("el => !el.validity.valid && el.validity.valueMissing"), "no label, yet the radio is valid"
    assert label.evaluate("el => el.validationMessage"), "the browser gives no reason for refusing"
    expect(page).to_have_url(re.compile(r"/teams/1/items/new"))
    expect(page.locator("#title")).to_have_value(title)
    assert posts == [], f"the browser sent the form without a label: {posts}"

    # Without the browser's check (an older browser, a script), the server refuses and says why.
    page.locator("#item-form").evaluate("form => { form.noValidate = true; }")
    with page.expect_response(lambda r: r.request.method == "POST" and "/items/new" in r.url) as answer:
        page.locator("#submit-item").click()
    assert answer.value.status == 400, f"a submission without a label answered {answer.value.status}"
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#label-error")).to_have_text(LABEL_MISSING)
    expect(page.get_by_text(LABEL_MISSING)).to_be_visible()
    expect(page.locator("#title")).to_have_value(title)
    expect(page.locator("#need")).to_have_value("A quick word with the psychiatrist.")
    expect(page.get_by_role("radio", name="Acute issue")).to_be_checked()
    _assert_no_horizontal_scroll(page)


def _members_meeting_id(new_context, login) -> str:
    """The meeting a member's new item goes to by default (the next one still open for submission)."""
    page = login(new_context("phone").new_page(), MEMBER)
    page.goto("/teams/1/items/new")
    meeting_id = page.locator("select#meeting_id").input_value()
    assert meeting_id, "no meeting is open for members' items"
    return meeting_id


def _regular_ids(page: Page) -> list[str]:
    return page.locator("#track-regular li.plan-item").evaluate_all("lis => lis.map(li => li.id)")


def test_chair_reorders_defers_and_adds_a_due_review(projector, new_context, login):
    meeting_id = _members_meeting_id(new_context, login)
    page = login(projector.new_page(), CHAIR)

    # From the meetings list to that meeting's planner.
    page.goto("/teams/1/meetings")
    page.locator(f"a[href$='/teams/1/meetings/{meeting_id}/plan']").click()
    expect(page).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/plan$"))
    expect(page.locator("#planner")).to_be_visible()
    expect(page.locator("#capacity-line")).not_to_be_empty()
    page.evaluate("window.__marker = 1")
    regular = page.locator("#track-regular li.plan-item")

    # Add due reviews in place until the regular track has at least two items (at least one always).
    added = 0
    while added == 0 or regular.count() < 2:
        due = page.locator("#due-reviews li").filter(has=page.get_by_role("button", name="Add review")).first
        reference = due.locator("strong").inner_text().strip()
        assert REFERENCE.match(reference), f"unexpected client reference {reference!r} in the due reviews"
        before = regular.count()
        due.get_by_role("button", name="Add review").click()
        expect(page.locator("#track-regular li.plan-item", has_text=reference)).to_have_count(1)
        expect(regular).to_have_count(before + 1)
        expect(page.locator("#due-reviews li strong", has_text=reference)).to_have_count(0)
        added += 1
    assert page.evaluate("window.__marker") == 1, "adding a due review reloaded the page"

    # Move the second regular item up.
    first, second, *rest = _regular_ids(page)
    page.locator(f"#{second}").get_by_role("button", name="Move up").click()
    expect(regular.nth(0)).to_have_id(second)
    expect(regular.nth(1)).to_have_id(first)
    assert _regular_ids(page) == [second, first, *rest]
    assert page.evaluate("window.__marker") == 1, "moving an item reloaded the page"

    # Defer the item now on top, with a reason.
    item = page.locator(f"#{second}")
    toggle = item.get_by_role("button", name=re.compile(r"^Defer or move ?: "))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    item.locator("input[name=reason]").fill("Clinician on leave this week")
    item.get_by_role("button", name="Defer to next meeting").click()
    expect(page.locator(f"#{second}")).to_have_count(0)
    expect(regular.first).to_have_id(first)
    assert page.evaluate("window.__marker") == 1, "deferring an item reloaded the page"
    expect(page).to_have_url(re.compile(rf"/teams/1/meetings/{meeting_id}/plan$"))
