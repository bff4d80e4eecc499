"""The personal calendar feed and a meeting's .ics, parsed back with icalendar as a subscribing calendar would."""
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from meeting.core.ical import CalendarEvent, build
from meeting.core.session import DEFAULT_MINUTES
from meeting.store import feeds
from meeting.store import meetings as meeting_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.now import team_today

AMS = ZoneInfo("Europe/Amsterdam")
FEED = re.compile(r"(https?://\S+/calendar/[A-Za-z0-9_-]+\.ics)")

def today() -> date:
    """The team's today on the app's one clock (which --now moves)."""
    return team_today("Europe/Amsterdam")


def feed_url(member) -> str:
    """Make (or renew) the member's feed on the account page; the address it shows once."""
    page = member.post("/account/calendar").text
    return FEED.search(page).group(1).replace("http://localhost", "")


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def dst_meetings(db, world):
    """Team A meets Tuesday 23 March 2027 (winter time) and Tuesday 30 March 2027 (summer time), 13:30 in Amsterdam."""
    team = team_store.get_team(db, world["team_a"])
    return [meeting_store.add_extra(db, team, datetime(2027, 3, day, 13, 30, tzinfo=AMS)) for day in (23, 30)]


def test_the_feed_holds_every_coming_meeting_at_its_local_time_across_the_dst_change(app, as_user, world, dst_meetings):
    member = as_user("member.a@example.org")
    anonymous = app.test_client()  # a calendar server: no cookies
    response = anonymous.get(feed_url(member))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert calendar.get_missing_tzids() == set()
    found = events(response.data)
    winter, summer = (found[f"meeting-{meeting_id}@belletje"] for meeting_id in dst_meetings)
    for event in (winter, summer):
        start = event.decoded("DTSTART")
        assert (start.hour, start.minute, str(start.tzinfo)) == (13, 30, "Europe/Amsterdam")
        assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
        assert event.decoded("DTEND") - start == timedelta(minutes=90)
        assert event["STATUS"] == "CONFIRMED" and "DTSTAMP" in event
    assert winter.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert summer.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    deadline = found[f"deadline-{dst_meetings[1]}@belletje"].decoded("DTSTART")
    assert (deadline.day, deadline.hour, deadline.minute) == (29, 13, 30)
    # the world's meeting in three days, its session (team B's) absent, the member's own action due
    assert f"meeting-{world['meeting_a']}@belletje" in found
    assert f"meeting-{world['session_b']}@belletje" not in found
    assert f"meeting-{world['meeting_b']}@belletje" not in found
    action = found[f"action-{world['action_a']}@belletje"]
    assert action.decoded("DTSTART") == today() + timedelta(days=7)


def test_the_feed_names_no_client_and_no_clinical_text(app, db, as_user, world, dst_meetings):
    member = as_user("member.b@example.org")
    body = app.test_client().get(feed_url(member)).data.decode()
    clinical = [r[0] for r in db.execute("SELECT reference FROM clients")]
    clinical += [r[0] for r in db.execute("SELECT title FROM items WHERE step IS NULL")]
    clinical += [r[0] for r in db.execute("SELECT description FROM actions")]
    clinical += ["Fear of relapse", "How do we break the pattern?"]
    unfolded = body.replace("\r\n ", "")
    assert f"meeting-{world['session_b']}@belletje" in unfolded  # the session is there, without its case
    for text in clinical:
        assert text not in unfolded, text


def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence_and_a_cancelled_one_says_so(app, db, as_user, world,
                                                                                          dst_meetings):
    url = feed_url(as_user("member.a@example.org"))
    calendar_server = app.test_client()
    before = events(calendar_server.get(url).data)
    team = team_store.get_team(db, world["team_a"])
    moved, cancelled = dst_meetings
    meeting_store.move(db, team, moved, datetime(2027, 3, 24, 15, 0, tzinfo=AMS))
    meeting_store.set_state(db, team["id"], cancelled, "cancelled")
    meeting_store.bump_revision(db, team["id"], world["meeting_a"])  # a live change: not a calendar change
    after = events(calendar_server.get(url).data)
    uid = f"meeting-{moved}@belletje"
    assert after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]
    assert after[uid].decoded("DTSTART") == datetime(2027, 3, 24, 15, 0, tzinfo=AMS)
    gone = f"meeting-{cancelled}@belletje"
    assert after[gone]["STATUS"] == "CANCELLED" and after[gone]["SEQUENCE"] > before[gone]["SEQUENCE"]
    assert after[f"deadline-{cancelled}@belletje"]["STATUS"] == "CANCELLED"
    same = f"meeting-{world['meeting_a']}@belletje"
    assert after[same]["SEQUENCE"] == before[same]["SEQUENCE"]


def test_a_renewed_address_leaves_the_old_one_answering_404(app, as_user, world):
    member = as_user("member.a@example.org")
    calendar_server = app.test_client()
    old = feed_url(member)
    assert calendar_server.get(old).status_code == 200
    new = feed_url(member)
    assert new != old and len(new.rsplit("/", 1)[1]) >= 43 + len(".ics")
    assert calendar_server.get(old).status_code == 404
    assert calendar_server.get(new).status_code == 200
    member.post("/account/calendar/stop")
    assert calendar_server.get(new).status_code == 404
    assert calendar_server.get("/calendar/" + "x" * 500 + ".ics").status_code == 404


def test_a_deactivated_users_feed_answers_404(app, db, as_user, world):
    url = feed_url(as_user("member.a@example.org"))
    db.execute("UPDATE users SET active = 0 WHERE id = ?", [world["member_a"]])
    assert app.test_client().get(url).status_code == 404


def test_an_invited_colleague_sees_the_session_of_another_team(app, db, as_user, world):
    team_b = team_store.get_team(db, world["team_b"])
    session = session_store.create(db, Actor(None), team_b, datetime(2027, 4, 8, 10, 0, tzinfo=AMS), world["client_b"],
                                   world["member_b"], dict(DEFAULT_MINUTES), world["member_a"], "")
    db.execute("UPDATE users SET locale = 'en' WHERE id = ?", [world["member_a"]])
    found = events(app.test_client().get(feed_url(as_user("member.a@example.org"))).data)
    event = found[f"meeting-{session}@belletje"]
    assert str(event["SUMMARY"]) == "Complex-case session: Team B"
    assert f"/teams/{world['team_b']}/" not in str(event["URL"])  # not a member there: the link leads home


def test_the_feed_speaks_the_users_language(app, db, as_user, world, dst_meetings):
    db.execute("UPDATE users SET locale = 'nl' WHERE id = ?", [world["member_a"]])
    found = events(app.test_client().get(feed_url(as_user("member.a@example.org"))).data)
    assert str(found[f"meeting-{dst_meetings[0]}@belletje"]["SUMMARY"]) == "MDO: Team A"


def test_a_meeting_downloads_as_one_ics(as_user, world, dst_meetings):
    response = as_user("member.a@example.org").get(f"/teams/{world['team_a']}/meetings/{dst_meetings[1]}/calendar.ics")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2027, 3, 30, 13, 30, tzinfo=AMS)
    assert calendar.walk("VTIMEZONE") and event["UID"] == f"meeting-{dst_meetings[1]}@belletje"
    assert f"/teams/{world['team_a']}/meetings/{dst_meetings[1]}/" in str(event["URL"])


def test_the_meetings_list_offers_the_ics(as_user, world):
    page = as_user("member.a@example.org").get(f"/teams/{world['team_a']}/meetings").text
    assert f"/teams/{world['team_a']}/meetings/{world['meeting_a']}/calendar.ics" in page


def test_every_event_has_what_outlook_google_and_apple_need():
    start = datetime(2026, 10, 25, 1, 30, tzinfo=AMS)  # the night the clocks go back
    body = build([CalendarEvent("meeting-1", "MDO", start, 90, 0, False, "https://b.example/teams/1/meetings/1/"),
                  CalendarEvent("action-1", "Actie", date(2026, 11, 2), None, 2, False, "https://b.example/")],
                 "Belletje", datetime(2026, 10, 1, tzinfo=ZoneInfo("UTC")))
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] and calendar["METHOD"] == "PUBLISH"
    for event in calendar.walk("VEVENT"):
        for needed in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "SEQUENCE", "STATUS"):
            assert needed in event
    all_day = calendar.walk("VEVENT")[1]
    assert all_day.decoded("DTEND") - all_day.decoded("DTSTART") == timedelta(days=1)
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert feeds.PAST_DAYS >= 7


def test_a_logged_request_line_keeps_only_the_start_of_a_feed_token(app):
    import logging

    from meeting.web.views.calendar import FeedTokensRedacted
    token = "Q" * 43
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "now", f"GET /calendar/{token}.ics HTTP/1.1", "200", "-"), None)
    FeedTokensRedacted().filter(record)
    assert token not in record.getMessage() and "/calendar/QQQQ….ics" in record.getMessage()
    assert any(isinstance(f, FeedTokensRedacted) for f in logging.getLogger("werkzeug").filters)
