"""Every participant's phone during a running session of either kind (a weekly meeting, a complex-case session):
what is on, the bell, and the rating at the end of a meeting."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from meeting.core import closing, meeting_rating
from meeting.store import decisions as decision_store
from meeting.store import meeting_ratings
from meeting.store import meetings as meeting_store
from meeting.store import running as running_store
from meeting.store import sessions as session_store
from meeting.store.db import utcnow
from meeting.web.live import event_stream, panel_context
from meeting.web.shared import (
    actor,
    get_db,
    htmx,
    login_guarded,
    my_items,
    running_route,
    running_url,
    team_view,
    translate,
)

bp = login_guarded(Blueprint("live", __name__))
MEETING = "/teams/<int:team_id>/meetings/<int:meeting_id>"
SCREENS = {"weekly": "phone", "session": "session-phone"}  # the phone's kind of live screen (live.PARTS)
PANELS = {"weekly": "live/_phone_panel.html", "session": "session/_phone_panel.html"}
KIND_OF = {"weekly": "weekly", "complex_case": "session"}  # a meeting's kind -> its kind of running session


@running_route(bp, "/live")
@team_view()
def phone(team_id: int, meeting_id: int, kind: str):
    """The phone page: the bell and what is on now; in a meeting the agenda and my own actions, in a session the
    step's prompts and the card or insight to add."""
    context = _phone_context(kind, team_id, meeting_id)
    if kind == "session":  # opening the case's page is logged as such, once per page
        session_store.log_view(get_db(), actor(), context["session"], "session-read")
        mine = [c for c in context["cards"] if c["user_id"] == current_user.id]
        return render_template("live/phone.html", panel=PANELS[kind], mine=mine, **context)
    my_actions = decision_store.actions_of_owner(get_db(), team_id, current_user.id)
    return render_template("live/phone.html", panel=PANELS[kind], my_actions=my_actions,
                           my_items_today=my_items(team_id, [meeting_id]), **context)


@running_route(bp, "/live/panel")
@team_view()
def phone_panel(team_id: int, meeting_id: int, kind: str):
    """The phone's live panel alone, whole (a screen without the stream polls it)."""
    return render_template(PANELS[kind], **_phone_context(kind, team_id, meeting_id))


def _phone_context(kind: str, team_id: int, meeting_id: int) -> dict:
    rated = kind == "weekly" and meeting_ratings.has_rated(get_db(), meeting_id, current_user.id)
    return panel_context(SCREENS[kind], team_id, meeting_id, rated=rated)


@running_route(bp, "/stream")
@team_view()
def stream(team_id: int, meeting_id: int, kind: str):
    """Server-Sent Events: every part of the phone's panel and `changed` on connect, then what each change alters."""
    return event_stream(SCREENS[kind], team_id, meeting_id)


@bp.post(MEETING + "/bell")
@team_view()
def ring(team_id: int, meeting_id: int):
    """Ring the bell (once per 10 seconds per person); the projector shows it, never who rang."""
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id) or abort(404)
    reason = request.form.get("reason") if request.form.get("reason") in closing.BELL_REASONS else None
    wait = 0
    if meeting["state"] != "running":
        message, rung = _("The bell rings only while the meeting runs."), False
    else:
        wait = running_store.ring(get_db(), team_id, meeting_id, meeting["current_item_id"], current_user.id, reason,
                                  utcnow())
        rung = wait == 0
        message = _("The bell rang.") if rung else ngettext(
            "Wait %(num)s second before ringing again.", "Wait %(num)s seconds before ringing again.", int(wait) + 1)
        wait = int(closing.BELL_INTERVAL.total_seconds()) if rung else int(wait) + 1
    if not htmx:  # a plain form post (no script yet): back to the page
        flash(message)
        return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                        else running_url("live.phone", KIND_OF[meeting["kind"]], team_id=team_id,
                                         meeting_id=meeting_id))
    if htmx.target == "chair-bell-result":
        return render_template("live/_bell_result.html", message=message, rung=rung)
    return render_template("live/_bell_form.html", meeting=meeting, message=message, rung=rung, wait=wait,
                           reason=reason)


@bp.post(MEETING + "/rating")
@team_view()
def rate(team_id: int, meeting_id: int):
    """Rate the meeting anonymously on the four dimensions, 1 to 5, with one thing to change next time."""
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id) or abort(404)
    values, errors = meeting_rating.validate(request.form)
    if meeting["state"] != "closed":
        message, ok = _("The meeting can be rated once it has ended."), False
    elif errors:
        if htmx:  # the form again, with what was tapped and why it was refused (200: htmx swaps it)
            return render_template("live/_rating.html", meeting=meeting, rated=False, errors=errors,
                                   posted=request.form)
        message, ok = translate(next(iter(errors.values()))), False
    elif meeting_ratings.rate(get_db(), meeting_id, current_user.id, values):
        message, ok = _("Thank you for rating the meeting."), True
    else:
        message, ok = _("You have rated this meeting already."), False
    if not htmx:
        flash(message)
        return redirect(url_for("live.phone", team_id=team_id, meeting_id=meeting_id))
    return render_template("live/_rating_result.html", message=message, ok=ok)
