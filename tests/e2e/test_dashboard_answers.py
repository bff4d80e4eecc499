"""The manager's 30-second test at 1440x900, in Dutch: the five answers stand in the first viewport as counts with
their denominators, agree with the store's figures and link to their detail; and no two figures on the page that
name the same fact show different numbers."""
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from meeting.core import evaluations
from meeting.store import client_evaluations as evaluation_store
from meeting.store import dashboard as dashboard_store
from meeting.store import teams as team_store
from meeting.store.db import connect
from meeting.web.shared import team_today

from .conftest import MANAGER

pytestmark = pytest.mark.browser
MANAGER_SCREEN = {"width": 1440, "height": 900}
COUNT_OF = re.compile(r"^(\d+) van (\d+)$")


def _store_figures(db_path) -> dict:
    """What the store says for the demo team today and the default period (the last 26 weeks)."""
    db = connect(db_path)
    try:
        team = team_store.get_team(db, 1)
        today = team_today(team)
        register = dashboard_store.register_per_team(db, [1], today)[1]
        legal = evaluation_store.legal_minimum_today(db, [1], today)["total"]
        process = dashboard_store.period_figures(db, [1], today - timedelta(weeks=26), today)
        forecast = dashboard_store.capacity_forecast(db, team, datetime.now(UTC))
        return {"reviewed": (register["within_norm"], register["active"]),
                "on_track": (forecast.slots, evaluations.reviews_needed_per_week(register["active"],
                                                                                 team["evaluation_interval_months"])),
                "with_client": (legal["evaluated"], legal["active"] - legal["not_yet_due"]),
                "overdue": (dashboard_store.overdue(db, [1], today, 1)[1], register["active"]),
                "bells": process["bells"], "meetings": process["meetings"],
                "decided": (process["decided"], process["discussed"])}
    finally:
        db.close()


def _count_of(page, selector: str) -> tuple[int, int]:
    text = page.locator(selector).inner_text().strip()
    found = COUNT_OF.match(text)
    assert found, f"{selector} reads {text!r}, not a count with its denominator"
    return int(found[1]), int(found[2])


def _in_first_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= MANAGER_SCREEN["height"] \
        and box["x"] + box["width"] <= MANAGER_SCREEN["width"]


def test_the_five_answers_stand_in_the_first_screen_and_agree_with_the_store(new_context, login, live_server):
    page = login(new_context("projector", viewport=MANAGER_SCREEN, locale="nl-NL").new_page(), MANAGER)
    page.goto("/teams/1/dashboard")
    answers = ["#answer-reviewed", "#answer-on-track", "#answer-with-client", "#answer-overdue", "#answer-process"]
    for answer in answers:
        assert _in_first_viewport(page, answer), f"{answer} is not in the first 1440x900 screen"
    store = _store_figures(live_server.db_path)

    assert _count_of(page, "#answer-reviewed strong") == store["reviewed"]
    assert _count_of(page, "#answer-on-track strong") == store["on_track"]
    assert _count_of(page, "#answer-with-client strong") == store["with_client"]
    assert _count_of(page, "#answer-overdue strong") == store["overdue"]
    bells, decided = page.locator("#answer-process strong").inner_text().split(" · ")
    assert bells == f"{store['bells']} belletje{'' if store['bells'] == 1 else 's'}"
    assert tuple(map(int, COUNT_OF.match(decided).groups())) == store["decided"]
    expect(page.locator("#answer-process")).to_contain_text(
        f"{store['meetings']} MDO" if store["meetings"] == 1 else f"{store['meetings']} MDO's")

    for answer, detail in (("#answer-reviewed", "#headline"), ("#answer-on-track", "#capacity-1"),
                           ("#answer-with-client", "#client-evaluations"), ("#answer-overdue", "#overdue"),
                           ("#answer-process", "#process")):
        assert page.locator(answer).get_attribute("href") == detail
        expect(page.locator(detail)).to_be_attached()
    page.locator("#answer-overdue").click()
    expect(page).to_have_url(re.compile(r"#overdue$"))
    expect(page.locator("#overdue h2")).to_be_in_viewport()


def test_no_two_figures_name_the_same_fact_with_different_numbers(new_context, login):
    page = login(new_context("projector", viewport=MANAGER_SCREEN, locale="nl-NL").new_page(), MANAGER)
    for url in ("/teams/1/dashboard", "/dashboard"):
        page.goto(url)
        shown = defaultdict(set)
        for name, text in page.locator("[data-fact]").evaluate_all(
                "nodes => nodes.map(n => [n.dataset.fact, n.innerText.trim()])"):
            shown[name].add(text)
        assert len(shown) >= 10, f"{url}: only {sorted(shown)} are named"
        assert {name: texts for name, texts in shown.items() if len(texts) > 1} == {}, url
        # the headline's "today" and the period block's "end of the period" are one fact when the period ends today
        today = next(name.split(":", 1)[1] for name in shown if name.startswith("within-norm:"))
        assert len([name for name in shown if name.startswith("within-norm:")]) == 1, \
            "the default period ends today, so within the norm at its end is today's figure"
        assert f"active:{today}" in shown
