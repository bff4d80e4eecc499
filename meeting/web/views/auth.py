"""Logging in and out, and setting a password from a one-time link."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from meeting.core import passwords
from meeting.store.db import utcnow
from meeting.web.security import User, limiter
from meeting.store import users as user_store
from meeting.web.plumbing import LOCALES, get_db

bp = Blueprint("auth", __name__)


def _login_limit():
    from flask import current_app
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=lambda: request.remote_addr or "")
def login():
    """The login form; success leads to the user's team."""
    if request.method == "GET":
        return render_template("auth/login.html")
    now = utcnow()
    result = user_store.check_login(get_db(), request.form.get("email", ""), request.form.get("password", ""),
                                    now, request.remote_addr or "")
    if result.refused == "throttled":
        return _refused(_throttled_message(passwords.minutes_to_wait(result.retry_at, now)), 429)
    if not result.user:
        return _refused(_("E-mail address or password is not right."), 401)
    session.clear()
    login_user(User(result.user))
    return redirect(url_for("team.home"))


def _throttled_message(minutes: int) -> str:
    return ngettext("Too many failed attempts for this account from this address. Try again in %(num)s minute.",
                    "Too many failed attempts for this account from this address. Try again in %(num)s minutes.",
                    minutes)


def _refused(message: str, status: int):
    return render_template("auth/login.html", error=message, email=request.form.get("email", "")), status


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(_error):
    """Too many login attempts from this address: say so and how long to wait."""
    message = _("Too many login attempts from this network. Wait a minute and try again.")
    return render_template("auth/login.html", error=message), 429


@bp.post("/logout")
@login_required
def logout():
    """End this session and every other one of this user (the token rotates)."""
    user_store.rotate_session_token(get_db(), current_user.id)
    logout_user()
    session.clear()
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password through the one-time link an admin handed over."""
    user = user_store.user_for_set_password_token(get_db(), token, utcnow())
    if not user:
        return render_template("auth/set_password.html", expired=True), 404
    error = None
    if request.method == "POST":
        error = passwords.password_error(request.form.get("password", ""), request.form.get("repeat", ""),
                                         user["email"], user["name"])
        if not error:
            user_store.set_password(get_db(), user["id"], request.form["password"])
            flash(_("Your password is set. Log in with it."))
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", user=user, error=error), 400 if error else 200


@bp.post("/language")
def language():
    """Switch the interface language (stored for a logged-in user, else in the session)."""
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            user_store.set_locale(get_db(), current_user.id, locale)
    return redirect(request.referrer if _same_site(request.referrer) else url_for("team.home"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
