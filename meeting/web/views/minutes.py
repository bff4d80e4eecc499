"""The minutes of a meeting: decisions, actions, deferrals, time per item, bells, ratings."""
from flask import Blueprint, Response, g, render_template, request
from flask_babel import pgettext

from meeting.core import evaluations
from meeting.store import meeting_records
from meeting.store import minutes as minutes_store
from meeting.web.live import live_context
from meeting.web.shared import attachment, get_db, login_guarded, team_view

bp = login_guarded(Blueprint("minutes", __name__))
MEETING = "/teams/<int:team_id>/meetings/<int:meeting_id>"


def _context(team_id: int, meeting_id: int) -> dict:
    context = live_context(team_id, meeting_id)
    context.update(minutes_store.minutes(get_db(), meeting_id))
    context.update(meeting_records.of_meeting(get_db(), meeting_id))
    return context


@bp.get(MEETING + "/minutes.md", endpoint="minutes_markdown")
@bp.get(MEETING + "/minutes")
@team_view("member", "chair")
def minutes(team_id: int, meeting_id: int):
    """The minutes, printable (print-to-PDF styles), or as a Markdown download (.md)."""
    if request.endpoint != "minutes.minutes_markdown":
        return render_template("minutes/minutes.html", **_context(team_id, meeting_id))
    context = _context(team_id, meeting_id)
    text = render_template("minutes/minutes.md", **context)
    day = evaluations.local_day(context["meeting"]["starts_at"], g.team["timezone"])
    return Response(text, mimetype="text/markdown",
                    headers=attachment(pgettext("file name", "minutes"), day, suffix="md"))
