"""A user's own account: password and language."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from meeting.core import passwords
from meeting.web.security import User
from meeting.store import users as user_store
from meeting.web.plumbing import LOCALES, get_db, login_guarded, translate

bp = login_guarded(Blueprint("account", __name__, url_prefix="/account"))


@bp.get("/")
def index():
    """Password and language forms."""
    return render_template("account/index.html", errors={})


@bp.post("/password")
def change_password():
    """Change the password; every other session of this user ends."""
    errors = {}
    if not user_store.verify_password(get_db(), current_user.id, request.form.get("current", "")):
        errors["current"] = _("Your current password is not right.")
    elif problem := passwords.password_error(request.form.get("password", ""), request.form.get("repeat", ""),
                                             current_user.email, current_user.name):
        errors["password"] = translate(problem)
    if errors:
        return render_template("account/index.html", errors=errors), 400
    user_store.set_password(get_db(), current_user.id, request.form["password"])
    login_user(User(user_store.get_user(get_db(), current_user.id)))  # this session goes on with the new token
    flash(_("Your password is changed. Other sessions are logged out."))
    return redirect(url_for("account.index"))


@bp.post("/language")
def change_language():
    """Store the language; an empty choice follows the browser again."""
    locale = request.form.get("locale") or None
    if locale is None or locale in LOCALES:
        user_store.set_locale(get_db(), current_user.id, locale)
        session.pop("locale", None)
        current_user.locale = locale
        flash(_("Language saved."))
    return redirect(url_for("account.index"))
