"""The team's reminder defaults: which reminders its members get unless they choose otherwise, and when."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from meeting.core import reminders as rules
from meeting.store import reminders as reminder_store
from meeting.web.shared import get_db, team_view, translate

bp = Blueprint("reminders", __name__)
EDITORS = ("chair", "admin")


@bp.before_request
@login_required
def require_login():
    """Team pages need a login; team_view checks membership."""


@bp.route("/teams/<int:team_id>/reminders", methods=["GET", "POST"])
@team_view("chair", "manager", "member", "admin", admin=True)
def defaults(team_id: int):
    """The team's defaults per reminder and its reminder time; only the chair changes them."""
    errors, saved = {}, reminder_store.team_defaults(get_db(), team_id)
    choices = {kind: rules.choice(kind, None, saved.get(kind)) for kind in rules.KINDS}
    reminder_time = g.team["reminder_time"]
    if request.method == "POST":
        if g.role not in EDITORS:
            abort(403)
        choices = {kind: request.form.get(f"default-{kind}", "") for kind in rules.KINDS}
        reminder_time = request.form.get("reminder_time", "").strip()[:8]
        if problem := rules.reminder_time_error(reminder_time):
            errors["reminder_time"] = translate(problem)
        if any(choice not in rules.CHOICES[kind] for kind, choice in choices.items()):
            errors["defaults"] = _("Choose one of the options for each reminder.")
            choices = {kind: rules.choice(kind, None, choices[kind]) for kind in rules.KINDS}
        if not errors:
            reminder_store.set_team_defaults(get_db(), team_id, choices, reminder_time)
            flash(_("The team's reminder defaults are saved."))
            return redirect(url_for("reminders.defaults", team_id=team_id))
    return render_template("team/reminders.html", choices=choices, reminder_time=reminder_time, errors=errors,
                           can_edit=g.role in EDITORS, KINDS=rules.KIND_LABELS, CHOICES=rules.CHOICES,
                           CHOICE_LABELS=rules.CHOICE_LABELS), 400 if errors else 200
