"""The global admin: teams, users, roles, the institution's sign-in, and the access log."""
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from meeting.core.i18n import N_
from meeting.core.teams import ROLES, team_name_error
from meeting.core.text import email_error, has_control_characters, person_name_error
from meeting.store import audit, outbox, second_factor
from meeting.store import institution as institution_store
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.db import utcnow, write
from meeting.web import sso
from meeting.web.shared import get_db, query_date, query_number, translate

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
                           users=user_store.list_users(get_db()), errors=errors,
                           failed_mail=outbox.failed(get_db()), mail_configured=_mail().settings_from_env() is not None,
                           ), 400 if errors else 200


@bp.post("/teams")
def create_team():
    """Create a team with the default settings."""
    name = request.form.get("name", "").strip()
    error = translate(team_name_error(name))
    if not error and team_store.get_team_by_name(get_db(), name):
        error = _("A team with this name exists already.")
    if error:
        return _index({"team_name": error})
    with write(get_db()):
        team_id = team_store.create_team(get_db(), name)
        # the schedule's coming meetings at once (then the scheduler keeps them ahead): the pages listing them only read
        meeting_store.ensure_upcoming(get_db(), team_store.get_team(get_db(), team_id), utcnow())
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
        link = url_for("auth.set_password", token=token, _external=True)
        mailed = _mail_link(db, user_id, link)
    return _show_user(user_id, link=_shown_link(link, mailed), mailed=mailed)


def _shown_link(link: str, mailed: bool) -> str | None:
    """The link the admin sees: none once it is mailed, unless mail only reaches the server's console (the demo)."""
    settings = _mail().settings_from_env()
    return link if not mailed or (settings is not None and settings.console) else None


def _mail_link(db, user_id: int, link: str) -> bool:
    """Queue the set-password link for the user (in the caller's transaction); False when no mail is configured."""
    mail = _mail()
    settings = mail.settings_from_env()
    if settings is None:
        return False
    user = user_store.get_user(db, user_id)
    return mail.queue(db, settings, "set_password", f"set_password:{user_id}:{utcnow().isoformat()}",
                      user, {}, link, utcnow())


def _mail():
    """The outgoing mail (meeting.ops.mail), which the app factory hands the app: the web imports no ops."""
    return current_app.extensions["belletje_mail"]


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    """One user: roles per team, activation, a new set-password link."""
    return _show_user(user_id)


def _show_user(user_id: int, link: str | None = None, mailed: bool = False):
    db = get_db()
    row = user_store.get_user(db, user_id) or abort(404)
    roles = {t["id"]: t["role"] for t in team_store.teams_of(db, user_id)}
    return render_template("admin/user.html", user=row, roles=roles, link=link, mailed=mailed,
                           teams=team_store.list_teams(db), ROLES=ROLES,
                           recovery_codes_left=second_factor.unused_recovery_codes(db, user_id),
                           passwords_off=not institution_store.get(db)["local_passwords"])


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
    db = get_db()
    user_store.get_user(db, user_id) or abort(404)
    with write(db):
        token = user_store.issue_set_password_link(db, user_id, utcnow())
        link = url_for("auth.set_password", token=token, _external=True)
        mailed = _mail_link(db, user_id, link)
    return _show_user(user_id, link=_shown_link(link, mailed), mailed=mailed)


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


@bp.post("/users/<int:user_id>/second-factor")
def remove_second_factor(user_id: int):
    """Take a user's second factor away (a lost phone): they set it up again at their next sign-in or on their
    account."""
    user_store.get_user(get_db(), user_id) or abort(404)
    second_factor.remove(get_db(), user_id)
    flash(_("The second factor is removed. The user sets it up again."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/break-glass")
def set_break_glass(user_id: int):
    """Let an admin keep signing in with a password while local passwords are off, or not any more."""
    row = user_store.get_user(get_db(), user_id) or abort(404)
    if not row["is_admin"]:
        abort(404)
    user_store.set_break_glass(get_db(), user_id, request.form.get("break_glass") == "1")
    flash(_("Account updated."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/sign-in")
def sign_in():
    """The institution's sign-in: its provider (from the environment), the second factor, local passwords."""
    return _sign_in_page(institution_store.get(get_db()), {})


def _sign_in_page(settings: dict, errors: dict):
    app = current_app
    provider = {"issuer": app.config["OIDC_ISSUER"], "client_id": app.config["OIDC_CLIENT_ID"],
                "name": sso.provider_name(app)} if sso.configured(app) else None
    break_glass = [u for u in user_store.list_users(get_db()) if u["break_glass"] and u["active"]]
    return render_template("admin/sign_in.html", settings=settings, errors=errors, provider=provider,
                           break_glass=break_glass,
                           callback=url_for("auth.sso_callback", _external=True)), 400 if errors else 200


@bp.post("/sign-in")
def save_sign_in():
    """Save the institution's sign-in settings; passwords go off only with a provider and a break-glass admin."""
    form, db = request.form, get_db()
    values = {"name": form.get("name", "").strip(), "second_factor_required": int(form.get("second_factor") == "1"),
              "sso_creates_accounts": int(form.get("creates_accounts") == "1"),
              "local_passwords": int(form.get("local_passwords") == "1")}
    errors = {}
    if has_control_characters(values["name"]) or len(values["name"]) > 100:
        errors["name"] = N_("An institution name has at most 100 characters, without control characters.")
    if not values["local_passwords"] and not sso.configured(current_app):
        errors["local_passwords"] = N_("Connect an identity provider first: without one, nobody could sign in.")
    elif not values["local_passwords"] and not any(u["break_glass"] and u["active"]
                                                   for u in user_store.list_users(db)):
        errors["local_passwords"] = N_("Mark at least one admin as break-glass first (on the admin's user page): "
                                       "when the provider is down, only they can still sign in.")
    if errors:
        return _sign_in_page(values, errors)
    institution_store.update(db, **values)
    flash(_("Sign-in settings saved."))
    return redirect(url_for("admin.sign_in"))


@bp.post("/mail/retry")
def retry_mail():
    """Try a mail that could not be delivered again (the scheduler sends it within a minute)."""
    mail_id = request.form.get("mail_id", "")
    if mail_id.isdigit() and len(mail_id) < 12 and outbox.retry(get_db(), int(mail_id), utcnow()):
        flash(_("The mail will be sent again."))
    return redirect(url_for("admin.index") + "#failed-mail")


@bp.get("/access-log")
def access_log():
    """The NEN 7513 access log, filtered by user, client reference and dates."""
    args, window = request.args, (ACCESS_LOG_START, ACCESS_LOG_END)
    rows = audit.search_access_log(
        get_db(), user_id=query_number("user_id"), client_reference=args.get("client", "").strip() or None,
        day_from=query_date("from", *window), day_to=query_date("to", *window))
    return render_template("admin/access_log.html", rows=rows, users=user_store.list_users(get_db()), args=args)
