"""External consultations the team asked for (seed 000), and their answers, which come back to the agenda."""
from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from meeting.core import consultation as consultation_rules
from meeting.core import items as item_rules
from meeting.store import consultations as consultation_store
from meeting.store import meetings as meeting_store
from meeting.store.db import iso, utcnow
from meeting.store.running import Refused
from meeting.web.shared import actor, get_db, login_guarded, team_today, team_view, translate

bp = login_guarded(Blueprint("consultations", __name__))
CONSULTATIONS = "/teams/<int:team_id>/consultations"


@bp.get(CONSULTATIONS)
@team_view("member", "chair")
def consultations(team_id: int):
    """Open consultations with a form for the answer, then the answered ones."""
    return _page(team_id, {}, None, {})


def _page(team_id: int, errors: dict, answering: int | None, form: dict, status: int = 200):
    rows = consultation_store.of_team(get_db(), actor(), team_id)
    return render_template("consultations/consultations.html", rows=rows, errors=errors, answering=answering,
                           form=form), status


@bp.post(CONSULTATIONS + "/<int:consultation_id>/answer")
@team_view("member", "chair")
def answer(team_id: int, consultation_id: int):
    """Record the answer: it goes on the next meeting's agenda as an issue of the presenter."""
    consultation_store.get(get_db(), team_id, consultation_id) or abort(404)
    errors = consultation_rules.validate_answer(request.form)
    if errors:
        return _page(team_id, errors, consultation_id, request.form, 400)
    meeting = _next_meeting(team_id)
    try:
        consultation_store.answer(get_db(), actor(), team_id, consultation_id, request.form["answer"],
                                  request.form["need"],
                                  meeting["id"], not item_rules.open_for_submission(meeting, utcnow()),
                                  team_today(g.team))
    except Refused as refusal:
        flash(translate(str(refusal)))
        return redirect(url_for("consultations.consultations", team_id=team_id))
    flash(_("The answer is on the agenda of %(moment)s.",
            moment=format_datetime(datetime.fromisoformat(meeting["starts_at"]), "EEEE d MMMM, HH:mm")))
    return redirect(url_for("agenda.agenda", team_id=team_id, meeting_id=meeting["id"]))


def _next_meeting(team_id: int) -> dict:
    """The first planned or frozen meeting from now on (the schedule's meetings are created if needed)."""
    meeting_store.ensure_upcoming(get_db(), g.team, utcnow())
    return meeting_store.next_after(get_db(), team_id, iso(utcnow())) or abort(409)
