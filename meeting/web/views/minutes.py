"""The minutes of a meeting: decisions, actions, deferrals, time per item, bells, ratings."""
from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from flask_login import login_required

from meeting.store import minutes as minutes_store, substance as substance_store
from meeting.web.live import live_context
from meeting.web.plumbing import get_db, team_view

bp = Blueprint("minutes", __name__)
MEETING = "/teams/<int:team_id>/meetings/<int:meeting_id>"


@bp.before_request
@login_required
def require_login():
    """Team membership is checked per view by team_view."""


def _context(team_id: int, meeting_id: int) -> dict:
    context = live_context(team_id, meeting_id)
    context.update(minutes_store.minutes(get_db(), meeting_id))
    context.update(substance_store.of_meeting(get_db(), meeting_id))
    return context


@bp.get(MEETING + "/minutes")
@team_view("member", "chair")
def minutes(team_id: int, meeting_id: int):
    """The minutes, printable (print-to-PDF styles)."""
    return render_template("minutes/minutes.html", **_context(team_id, meeting_id))


@bp.get(MEETING + "/minutes.md")
@team_view("member", "chair")
def minutes_markdown(team_id: int, meeting_id: int):
    """The minutes as a Markdown download."""
    text = render_template("minutes/minutes.md", **_context(team_id, meeting_id))
    name = _("minutes-of-meeting")  # the file's name in the reader's language: notulen-12.md
    return Response(text, mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{meeting_id}.md"'})
