"""The step-down handovers: the team's list and one handover's checklist, ticked over the next meetings."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from meeting.core import handover as rules
from meeting.core.text import parse_whole_number
from meeting.store import handovers as handover_store
from meeting.store.db import iso, utcnow
from meeting.web.shared import actor, get_db, login_guarded, team_today, team_view

bp = login_guarded(Blueprint("handover", __name__))
HANDOVERS = "/teams/<int:team_id>/handovers"
EDITORS = ("member", "chair")


@bp.record_once
def handover_names(state) -> None:
    """The checklist's names for every template (the dashboard shows handovers too)."""
    state.app.jinja_env.globals.update(
        HANDOVER_POINTS=rules.POINTS, POINT_NAMES=rules.POINT_NAMES, POINT_HINTS=rules.POINT_HINTS,
        POINT_STATUSES=rules.STATUSES, RECEIVING_CARE=rules.RECEIVING_CARE, HANDOVER_KINDS=rules.KINDS)


@bp.get(HANDOVERS)
@team_view(*EDITORS, "manager")
def index(team_id: int):
    """Open handovers (oldest first) and those done lately, with their progress and gaps."""
    today = team_today(g.team)
    rows = rules.annotated(handover_store.of_team(get_db(), actor(), team_id, rules.listed_since(today)), today)
    return render_template("handover/index.html", rows=rows, today=today, total=len(rules.POINTS))


@bp.route(HANDOVERS + "/<int:handover_id>", methods=["GET", "POST"])
@team_view(*EDITORS, "manager")
def handover(team_id: int, handover_id: int):
    """One handover's checklist: each point done, not applicable or open, with a note."""
    db, today = get_db(), team_today(g.team)
    errors, form = {}, None
    if request.method == "POST":
        if g.role not in EDITORS:
            abort(403)
        values, errors = rules.validate(request.form, today)
        if not errors:
            try:
                done = handover_store.save(db, actor(), g.team, handover_id, request.form.get("version",
                                                                                              type=parse_whole_number),
                                           values, today)
                handover_store.put_on_agendas(db, actor(), g.team, iso(utcnow()))  # open again: back on
                flash(_("The handover is done.") if done else _("The handover is saved."))
                return redirect(url_for("handover.handover", team_id=team_id, handover_id=handover_id))
            except handover_store.Conflict:
                errors = {"version": _(
                    "Someone changed this handover meanwhile. Reload it and make your change again.")}
        form = request.form
    row = handover_store.get_handover(db, actor(), team_id, handover_id) or abort(404)
    return render_template("handover/handover.html", handover=row, form=form or _form(row), errors=errors,
                           today=today, can_edit=g.role in EDITORS,
                           flag=rules.gap_flag(row, {p: r["status"] for p, r in row["points"].items()}, today),
                           done=rules.progress({p: r["status"] for p, r in row["points"].items()})), \
        (409 if "version" in errors else 400) if errors else 200


def _form(row: dict) -> dict:
    """The stored checklist as the form shows it."""
    form = {key: row[key] or "" for key in ("receiving_care", "warm_meeting_on", "warm_attendees",
                                            "new_care_starts_on", "last_contact_on", "version")}
    for point, stored in row["points"].items():
        form[f"status_{point}"], form[f"note_{point}"] = stored["status"], stored["note"]
    return form
