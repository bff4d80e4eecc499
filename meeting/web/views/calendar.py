"""Calendars: the personal feed behind a secret URL (fetched without cookies), and a meeting's one-off .ics."""
import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from meeting.core.dates import parse_date
from meeting.core.ical import CalendarEvent, build
from meeting.store import feeds
from meeting.store.db import utcnow
from meeting.web.shared import LOCALES, get_db, team_view

bp = Blueprint("calendar", __name__)
ICS = "text/calendar; charset=utf-8"
FEED_TOKEN = re.compile(r"(/calendar/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]*")


class FeedTokensRedacted(logging.Filter):
    """A request line that names a feed keeps only the token's first four characters (the token is the key)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(FEED_TOKEN.sub(r"\1…", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = FEED_TOKEN.sub(r"\1…", record.msg)
        return True


@bp.record_once
def _redact_request_lines(state) -> None:
    """The development server (`flask run`) logs every request line; waitress and gunicorn here log none."""
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, FeedTokensRedacted) for f in werkzeug.filters):
        werkzeug.addFilter(FeedTokensRedacted())


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """The user's meetings, sessions, deadlines and actions; a renewed or unknown token answers 404."""
    user = feeds.user_for_token(get_db(), token) if len(token) <= 64 else None
    if user is None:
        abort(404)
    now = utcnow()
    with force_locale(user["locale"] if user["locale"] in LOCALES else "nl"):
        events = [event for row in feeds.meetings(get_db(), user["id"], now) for event in _meeting_events(row)]
        events += [_action_event(row) for row in feeds.open_actions(get_db(), user["id"])]
        body = build(events, _("Belletje: %(name)s", name=user["name"]), now)
    return body, 200, {"Content-Type": ICS, "Cache-Control": "private, max-age=300",
                       "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@bp.get("/teams/<int:team_id>/meetings/<int:meeting_id>/calendar.ics")
@team_view()
def meeting_ics(team_id: int, meeting_id: int):
    """One meeting (or session) as an .ics file to open in any calendar."""
    row = feeds.meeting(get_db(), team_id, meeting_id) or abort(404)
    body = build(_meeting_events(row)[:1], row["team_name"], utcnow())
    return body, 200, {"Content-Type": ICS,
                       "Content-Disposition": f'attachment; filename="belletje-{meeting_id}.ics"'}


def _meeting_events(row: dict) -> list[CalendarEvent]:
    """A meeting or session, and for a weekly meeting its submission deadline."""
    zone = ZoneInfo(row["timezone"])
    starts = datetime.fromisoformat(row["starts_at"]).astimezone(zone)
    cancelled = row["state"] == "cancelled"
    team = row["team_name"]
    if row["kind"] == "complex_case":
        link = _link(f"/teams/{row['team_id']}/sessions/{row['id']}/prepare") if row["own_team"] else _link("/")
        return [CalendarEvent(f"meeting-{row['id']}", _("Complex-case session: %(team)s", team=team), starts,
                              row["minutes"], row["calendar_sequence"], cancelled, link)]
    link = _link(f"/teams/{row['team_id']}/meetings/{row['id']}/")
    deadline = datetime.fromisoformat(row["deadline_at"]).astimezone(zone)
    return [CalendarEvent(f"meeting-{row['id']}", _("Team meeting: %(team)s", team=team), starts, row["minutes"],
                          row["calendar_sequence"], cancelled, link),
            CalendarEvent(f"deadline-{row['id']}", _("Agenda closes: %(team)s", team=team), deadline, None,
                          row["calendar_sequence"], cancelled, link)]


def _action_event(row: dict) -> CalendarEvent:
    return CalendarEvent(f"action-{row['id']}", _("Action due: %(team)s", team=row["team_name"]),
                         parse_date(row["due_on"]), None, row["moves"], False, _link(f"/teams/{row['team_id']}/"))


def _link(path: str) -> str:
    return url_for("team.home", _external=True).rstrip("/") + path
