"""Numbers, dates, durations and names in the reader's language (issue 28): a Dutch reader sees decimal commas,
Dutch dates on the chart axes, durations that never read as a time of day, singular and plural forms, the
minutes downloaded as notulen, and roles and access-log events in words."""
import re
from datetime import UTC, datetime

import pytest

from meeting.store import users as user_store
from meeting.web.shared import chart_label, duration
from tests.test_meeting_rating import history_meeting


def dutch(as_user, email):
    user_agent = as_user(email)
    user_agent.post("/account/language", {"locale": "nl"})
    return user_agent


def test_a_dutch_dashboard_shows_ratings_with_a_decimal_comma_and_dutch_dates_on_the_axes(as_user, world, db):
    raters = [user_store.create_user(db, f"rater{i}@example.org", f"Rater {i}") for i in range(4)]
    history_meeting(db, world["team_a"], datetime.now(UTC),  # four raters: averages show from three on
                    [(raters[0], 4, 5, 3, 4, "Text"), (raters[1], 3, 4, 4, 3, ""),
                     (raters[2], 4, 5, 3, 4, ""), (raters[3], 3, 4, 4, 3, "")])
    page = dutch(as_user, "manager.a@example.org").get(f"/teams/{world['team_a']}/dashboard").text
    assert 'id="rating-heard">3,5<' in page and 'id="rating-goals">4,5<' in page
    axes = re.findall(r'<text x="(?:0|600)" y="178"[^>]*>([^<]+)</text>', page)
    assert axes and not [label for label in axes if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", label)], axes
    months = "jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec"
    assert all(re.fullmatch(rf"\d{{1,2}} ({months}) \d{{4}}", label) for label in axes), axes


@pytest.mark.parametrize("locale, label, shown", [("nl", "2026-03-02", "2 mrt 2026"), ("nl", "2026-03", "mrt 2026"),
                                                  ("en", "2026-03-02", "Mar 2, 2026")])
def test_a_chart_label_is_a_date_in_the_readers_language(app, locale, label, shown):
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert chart_label(label) == shown


@pytest.mark.parametrize("seconds, shown", [(600, "10 min"), (582, "9 min 42 s"), (42, "42 s"), (-65, "-1 min 5 s")])
def test_a_duration_never_reads_as_a_time_of_day(app, seconds, shown):
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert duration(seconds) == shown


def test_the_minutes_show_durations_and_download_as_notulen(as_user, world):
    chair = dutch(as_user, "chair.a@example.org")
    base = f"/teams/{world['team_a']}/meetings/{world['meeting_a']}"
    page = chair.get(base + "/minutes").text
    assert re.search(r"<td>\d+ min / 0 min", page) and not re.search(r"<td>\d\d:\d\d / ", page)
    download = chair.get(base + "/minutes.md")
    assert re.search(r'filename="notulen-\d{4}-\d\d-\d\d\.md"', download.headers["Content-Disposition"])
    english = as_user("member.a@example.org").get(base + "/minutes.md")  # the language is the account's
    assert re.search(r'filename="minutes-\d{4}-\d\d-\d\d\.md"', english.headers["Content-Disposition"])


def test_admin_pages_name_roles_and_access_log_events_in_words(as_user, world):
    as_user("member.a@example.org").get(f"/teams/{world['team_a']}/clients/{world['client_a']}")
    admin = dutch(as_user, "admin@example.org")
    users = admin.get("/admin/").text
    assert "Team A: Voorzitter" in users and "Team A: Teamlid" in users and ": chair" not in users
    log = admin.get(f"/admin/access-log?user_id={world['member_a']}").text.split('id="access-log"')[1]
    assert "cliënt geopend" in log
