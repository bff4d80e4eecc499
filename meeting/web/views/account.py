"""A user's own account: password, second factor and language."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from meeting.core import passwords
from meeting.store import second_factor
from meeting.web.enrolment import enrolment
from meeting.web.security import User
from meeting.store import users as user_store
from meeting.web.plumbing import LOCALES, get_db, translate

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def require_login():
    """Every page here is the user's own."""


@bp.get("/")
def index():
    """Password and language forms."""
    return render_template("account/index.html", errors={}, **_second_factor_state())


def _second_factor_state() -> dict:
    """What the account page's second-factor section shows."""
    user = user_store.get_user(get_db(), current_user.id)
    return {"second_factor": second_factor.is_enrolled(user),
            "recovery_codes_left": second_factor.unused_recovery_codes(get_db(), current_user.id)}


@bp.route("/second-factor", methods=["GET", "POST"])
def second_factor_setup():
    """Set up the second factor (QR code, key, first code), then see the recovery codes once."""
    user = user_store.get_user(get_db(), current_user.id)
    if second_factor.is_enrolled(user):
        return redirect(url_for("account.index"))
    return enrolment(user, url_for("account.second_factor_setup"), on_confirmed=lambda: None,
                     template="account/second_factor.html")


@bp.post("/second-factor/recovery-codes")
def new_recovery_codes():
    """Ten new recovery codes; the old ones stop working."""
    if not second_factor.is_enrolled(user_store.get_user(get_db(), current_user.id)):
        return redirect(url_for("account.index"))
    return render_template("auth/recovery_codes.html", codes=second_factor.new_recovery_codes(get_db(), current_user.id),
                           renewed=True)


@bp.post("/password")
def change_password():
    """Change the password; every other session of this user ends."""
    errors = {}
    if not user_store.verify_password(get_db(), current_user.id, request.form.get("current", "")):
        errors["current"] = _("Your current password is not right.")
    elif problem := passwords.password_error(request.form.get("password", ""), request.form.get("repeat", ""),
                                             current_user.email, current_user.name,
                                             user_store.context_words(get_db(), current_user.id)):
        errors["password"] = translate(problem)
    if errors:
        return render_template("account/index.html", errors=errors, **_second_factor_state()), 400
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
