"""The global admin: teams, users, roles, and the access log."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from meeting.store.db import utcnow, write
from meeting.store import audit, teams as team_store, users as user_store
from meeting.core.teams import ROLES, team_name_error
from meeting.core.text import email_error, person_name_error
from meeting.web.plumbing import get_db, query_date, query_number, translate

bp = Blueprint("admin", __name__, url_prefix="/admin")
ACCESS_LOG_START, ACCESS_LOG_END = date(2000, 1, 1), date(2999, 12, 31)  # a search's dates: any real log's, and room


@bp.before_request
@login_required
def require_admin():
    """Only global admins; for anyone else these pages do not exist."""
    if not current_user.is_admin:
        abort(404)


@bp.get("/")
def index():
    """Teams and users at a glance."""
    return _index({})


def _index(errors: dict):
    """The admin page, with a form's errors (then as a 400)."""
    return render_template("admin/index.html", teams=team_store.list_teams(get_db()),
                           users=user_store.list_users(get_db()), errors=errors), 400 if errors else 200


@bp.post("/teams")
def create_team():
    """Create a team with the default settings."""
    name = request.form.get("name", "").strip()
    error = translate(team_name_error(name))
    if not error and team_store.get_team_by_name(get_db(), name):
        error = _("A team with this name exists already.")
    if error:
        return _index({"team_name": error})
    team_store.create_team(get_db(), name)
    # Back here, not to the team's pages: an admin who is not a member may not act there.
    flash(_("Team “%(name)s” created. Give it a chair under Users; the chair sets its meeting.", name=name))
    return redirect(url_for("admin.index"))


@bp.post("/users")
def create_user():
    """Add a user and show the admin a one-time set-password link to hand over."""
    email, name = request.form.get("email", "").strip().lower(), request.form.get("name", "").strip()
    errors = {field: translate(message) for field, message in
              (("email", email_error(email)), ("name", person_name_error(name))) if message}
    if "email" not in errors and user_store.get_user_by_email(get_db(), email):
        errors["email"] = _("This e-mail address has an account already.")
    if errors:
        return _index(errors)
    db = get_db()
    with write(db):
        user_id = user_store.create_user(db, email, name, is_admin=bool(request.form.get("is_admin")))
        token = user_store.issue_set_password_link(db, user_id, utcnow())
    return _show_user(user_id, link=url_for("auth.set_password", token=token, _external=True))


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    """One user: roles per team, activation, a new set-password link."""
    return _show_user(user_id)


def _show_user(user_id: int, link: str | None = None):
    db = get_db()
    row = user_store.get_user(db, user_id) or abort(404)
    roles = {t["id"]: t["role"] for t in team_store.teams_of(db, user_id)}
    return render_template("admin/user.html", user=row, roles=roles, link=link,
                           teams=team_store.list_teams(db), ROLES=ROLES)


@bp.post("/users/<int:user_id>/roles")
def set_roles(user_id: int):
    """Set the user's role in each team (empty: not a member)."""
    db = get_db()
    user_store.get_user(db, user_id) or abort(404)
    with write(db):
        for team in team_store.list_teams(db):
            role = request.form.get(f"role-{team['id']}") or None
            if role is None or role in ROLES:
                team_store.set_role(db, team["id"], user_id, role)
    flash(_("Roles saved."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/link")
def new_link(user_id: int):
    """A fresh one-time set-password link (the old one stops working)."""
    user_store.get_user(get_db(), user_id) or abort(404)
    token = user_store.issue_set_password_link(get_db(), user_id, utcnow())
    return _show_user(user_id, link=url_for("auth.set_password", token=token, _external=True))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    """Deactivate (ending every session) or reactivate an account."""
    if user_id == current_user.id:
        flash(_("You cannot deactivate your own account."))
    else:
        user_store.get_user(get_db(), user_id) or abort(404)
        user_store.set_active(get_db(), user_id, request.form.get("active") == "1")
        flash(_("Account updated."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/access-log")
def access_log():
    """The NEN 7513 access log, filtered by user, client reference and dates."""
    args, window = request.args, (ACCESS_LOG_START, ACCESS_LOG_END)
    rows = audit.search_access_log(
        get_db(), user_id=query_number("user_id"), client_reference=args.get("client", "").strip() or None,
        day_from=query_date("from", *window), day_to=query_date("to", *window))
    return render_template("admin/access_log.html", rows=rows, users=user_store.list_users(get_db()), args=args)
