"""axe-core over every page, in English and Dutch, on a phone (360x640) and a projector (1920x1080).

axe-core is vendored for the tests only (tests/e2e/vendor, see its README). Any serious or critical
violation fails the test, with every one listed. Setup makes what the pages need: a running meeting
with an item open, a closed meeting's minutes (the demo's history), an own item to edit.
"""
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import CHAIR, MANAGER, MEMBER
from .test_live_meeting import _add_meeting, _bring_in, _run_to_first_item, _unique

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
ADMIN = "admin@belletje.example"
BLOCKING = ("serious", "critical")
SIZES = {"phone": {"width": 360, "height": 640}, "projector": {"width": 1920, "height": 1080}}
LANGUAGES = {"en": "en-GB", "nl": "nl-NL"}


@pytest.fixture(scope="module")
def pages(browser, base_url) -> dict:
    """The URLs under test, made once: a running meeting, a closed one, an own item, a client."""
    context = browser.new_context(base_url=base_url, viewport=SIZES["projector"], locale="en-GB")
    context.set_default_timeout(15_000)
    chair = context.new_page()
    _log_in(chair, CHAIR)
    meeting_id = _add_meeting(chair, "10:31")
    member_context = browser.new_context(base_url=base_url, viewport=SIZES["phone"], locale="en-GB")
    member = member_context.new_page()
    _log_in(member, MEMBER)
    title = _unique("Crisis plan after admission")
    item_id = _bring_in(member, meeting_id, title, "Advice on a safety plan before the weekend.")
    _bring_in(member, meeting_id, _unique("Second item"), "Who calls the GP?")
    own = member.locator("#agenda a", has_text="Edit").first.get_attribute("href")
    _run_to_first_item(chair, meeting_id, title)
    chair.goto("/teams/1/meetings")
    minutes = chair.locator("a[href$='/minutes']").first.get_attribute("href")
    closed_id = int(re.search(r"/meetings/(\d+)/minutes", minutes).group(1))
    chair.goto("/teams/1/clients")
    client = (chair.locator("a[href*='/teams/1/clients/']").filter(has_text=re.compile(r"^FN-"))
              .first.get_attribute("href"))
    chair.goto("/teams/1/handovers")
    handover = chair.locator("a[href*='/teams/1/handovers/']").first.get_attribute("href")
    context.close()
    member_context.close()
    run = f"/teams/1/meetings/{meeting_id}"
    return {
        None: ["/login", "/login/help", "/set-password/not-a-token"],
        MEMBER: ["/teams/1/", "/account/", "/teams/1/meetings", f"{run}/", "/teams/1/items/new", own,
                 "/teams/1/clients", "/teams/1/clients/new", client, "/teams/1/settings", f"{run}/live",
                 f"/teams/1/items/{item_id}/story", "/teams/1/consultations", "/teams/1/handovers", handover,
                 f"/teams/1/meetings/{closed_id}/minutes", f"/teams/1/meetings/{closed_id}/live",
                 "/teams/1/no-such-page"],
        CHAIR: [f"{run}/plan", f"{run}/run", f"{run}/run#decide", f"{run}/run/items/{item_id}/decide",
                "/teams/1/clients/import", "/teams/1/sessions", "/teams/1/sessions/new"],
        MANAGER: ["/teams/1/dashboard", "/dashboard"],
        ADMIN: ["/admin/", "/admin/users/2", "/admin/access-log"],
    }


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("open-tafel-demo")
    page.locator("form").filter(has=page.locator("#password")).get_by_role("button").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))


def _axe(page: Page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [v for v in result if v["impact"] in BLOCKING]


def _visit(page: Page, url: str) -> None:
    if url.endswith("#decide"):  # the console with its decision panel open
        page.goto(url.removesuffix("#decide"))
        page.locator("#decide-link").click()
        expect(page.locator("#decide-form")).to_be_visible()
    else:
        page.goto(url)
    page.wait_for_load_state("domcontentloaded")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_no_serious_or_critical_axe_violation_on_any_page(browser, base_url, pages, language, size):
    found, checked = [], 0
    for user, urls in pages.items():
        # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids
        context = browser.new_context(base_url=base_url, viewport=SIZES[size], locale=LANGUAGES[language],
                                      bypass_csp=True, is_mobile=size == "phone", has_touch=size == "phone")
        context.set_default_timeout(15_000)
        page = context.new_page()
        if user:
            _log_in(page, user)
        for url in urls:
            _visit(page, url)
            assert page.evaluate("document.documentElement.lang").startswith(language), f"{url}: wrong lang"
            if size == "phone":  # a wide table scrolls in its own box, the page never sideways
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > SIZES["phone"]["width"]:
                    found.append(f"{url}: the page scrolls sideways on a phone (scrollWidth {width})")
            for violation in _axe(page):
                nodes = "; ".join(" ".join(n["target"]) for n in violation["nodes"][:5])
                found.append(f"{url} [{violation['impact']}] {violation['id']}: {violation['help']} — {nodes}")
            checked += 1
        context.close()
    print(f"axe {language} {size}: {checked} pages, {len(found)} serious or critical violations")
    assert not found, f"axe ({language}, {size}):\n" + "\n".join(found)
