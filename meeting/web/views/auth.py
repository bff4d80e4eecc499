"""Signing in and out: a local password (with its second factor) or the institution's single sign-on; setting a
password from a one-time link, handed over by an admin or asked for by mail ("Forgot your password?").

A right password with a second factor to give (or to set up first) does not sign in yet: the session holds a
pending sign-in for ten minutes, and no page behind the login can be reached until the code is right.
"""
import time
from datetime import datetime, timedelta

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from joserfc.errors import JoseError
from requests import RequestException

from meeting.core import passwords
from meeting.core.text import email_error, person_name_error
from meeting.store import institution as institution_store
from meeting.store import outbox, second_factor
from meeting.store import users as user_store
from meeting.store.db import iso, utcnow, write
from meeting.web import sso
from meeting.web.enrolment import enrolment
from meeting.web.enrolment import wait_message as _wait_message
from meeting.web.security import User, device_nonce, limiter, remember_device
from meeting.web.shared import LOCALES, get_db, translate

bp = Blueprint("auth", __name__)
PENDING = "pending_sign_in"
PENDING_MINUTES = 10
HELP_MINUTES = 15  # one sign-in help mail per account in this window: the form cannot flood someone's inbox
HELP_ANSWER_SECONDS = 0.25  # every sign-in help answer takes this long: queueing a mail or not, the time is the same


def _login_limit():
    return current_app.config["LOGIN_LIMIT"]


def _known_device() -> bool:
    """A browser with a device cookie for the typed account is not held to its address's overall login limit."""
    return bool(device_nonce(_account()))


def _account() -> str:
    return request.form.get("email", "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=lambda: request.remote_addr or "", exempt_when=_known_device)
def login():
    """The login form; success leads to the second factor, or to the user's team."""
    if request.method == "GET":
        return _login_page()
    now, db = utcnow(), get_db()
    result = user_store.check_login(db, request.form.get("email", ""), request.form.get("password", ""),
                                    now, request.remote_addr or "", device_nonce(_account()))
    if result.refused == "throttled":
        return _refused(_throttled_message(passwords.minutes_to_wait(result.retry_at, now)), 429)
    if not result.user:
        return _refused(_("E-mail address or password is not right."), 401)
    user, policy = result.user, institution_store.get(db)
    if not policy["local_passwords"] and not user["break_glass"]:
        return _refused(_("Sign-in with a password is turned off here. Sign in with your institution's account."),
                        403)
    if second_factor.is_enrolled(user) or policy["second_factor_required"]:
        session.clear()
        session[PENDING] = {"id": user["id"], "token": user["session_token"],
                            "until": iso(now + timedelta(minutes=PENDING_MINUTES))}
        step = "auth.code" if second_factor.is_enrolled(user) else "auth.enrol"
        return remember_device(redirect(url_for(step)), _account())
    return remember_device(_signed_in(user), _account())


def _signed_in(user: dict):
    """Start the user's session (a new one: nothing of the anonymous one is kept) and go to their team."""
    session.clear()
    login_user(User(user))
    return redirect(url_for("team.home"))


def _login_page(status: int = 200, **context):
    app = current_app
    provider = sso.provider_name(app) if sso.configured(app) else None
    return render_template("auth/login.html", provider=provider, end_session=session.pop("end_session_url", None),
                           local=bool(institution_store.get(get_db())["local_passwords"]), help=_help_offered(),
                           **context), status


def _throttled_message(minutes: int) -> str:
    return ngettext("Too many failed attempts for this account from this address. Try again in %(num)s minute.",
                    "Too many failed attempts for this account from this address. Try again in %(num)s minutes.",
                    minutes)


def _refused(message: str, status: int):
    return _login_page(status, error=message, email=request.form.get("email", ""))


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(_error):
    """Too many login (or sign-in help) attempts from this address: say so and how long to wait."""
    if request.endpoint == "auth.sign_in_help":
        return render_template("auth/sign_in_help.html", email=_account(),
                               error=_("Too many requests from this network. Wait a minute and try again.")), 429
    return _login_page(429, error=_("Too many login attempts from this network. Wait a minute and try again."))


# --- the second factor ------------------------------------------------------------------------------------

def _pending_user() -> dict | None:
    """The user whose password was right and who owes a code, while the pending sign-in lasts."""
    pending = session.get(PENDING)
    if not pending or datetime.fromisoformat(pending["until"]) < utcnow():
        return None
    user = user_store.get_user(get_db(), pending["id"])
    return user if user and user["active"] and user["session_token"] == pending["token"] else None


def _start_again():
    session.pop(PENDING, None)
    flash(_("Sign in again: the sign-in took too long or was not started."))
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    """The second factor: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if not user or not second_factor.is_enrolled(user):
        return _start_again()
    if request.method == "GET":
        return render_template("auth/code.html")
    now, db = utcnow(), get_db()
    if (wait := second_factor.retry_at(db, user["id"])) and wait > now:
        return render_template("auth/code.html", error=_wait_message(wait, now)), 429
    if not second_factor.check_code(db, user["id"], request.form.get("code", ""), now):
        return render_template("auth/code.html", error=_("This code is not right, or it was used already.")), 400
    return _signed_in(user)


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """Set up the second factor before the first sign-in that requires it; the first right code signs in."""
    user = _pending_user()
    if not user or second_factor.is_enrolled(user):
        return _start_again()
    return enrolment(user, url_for("auth.enrol"), on_confirmed=lambda: _confirmed(user))


def _confirmed(user: dict) -> None:
    session.pop(PENDING, None)
    login_user(User(user))


# --- single sign-on ---------------------------------------------------------------------------------------

@bp.get("/login/sso")
def sso_start():
    """Off to the institution's provider. A link, not a form: the CSP's form-action would stop a form's redirect
    to another origin; a sign-in started elsewhere can only sign this browser's own user in, by their provider."""
    if not sso.configured(current_app):
        return _login_page(404)
    session.pop(PENDING, None)
    return sso.provider().authorize_redirect(url_for("auth.sso_callback", _external=True))


@bp.get("/login/sso/callback")
def sso_callback():
    """Back from the provider: the ID token checked, its e-mail mapped to a Belletje account, or a clear refusal."""
    if not sso.configured(current_app):
        return _login_page(404)
    try:
        token = sso.provider().authorize_access_token()
    except (OAuthError, JoseError, RequestException, ValueError, KeyError) as error:
        current_app.logger.warning("single sign-on refused: %r", error)
        return _sso_refused(_("The sign-in with your institution could not be completed. Start it again."))
    claims = token.get("userinfo") or {}
    email = str(claims.get("email") or "").strip().lower()
    if email_error(email) or claims.get("email_verified") is False:
        return _sso_refused(_("Your institution's account did not give a confirmed e-mail address."))
    db, policy = get_db(), institution_store.get(get_db())
    user = user_store.get_user_by_email(db, email)
    if not user and policy["sso_creates_accounts"]:
        name = str(claims.get("name") or "").strip()
        user_store.create_user(db, email, email.partition("@")[0] if person_name_error(name) else name)
        user = user_store.get_user_by_email(db, email)
    if not user:
        return _sso_refused(_("There is no Belletje account for %(email)s. Ask your Belletje admin for one.",
                              email=email))
    if not user["active"]:
        return _sso_refused(_("The Belletje account for %(email)s is deactivated. Ask your Belletje admin.",
                              email=email))
    response = _signed_in(user)
    session["sso_id_token"] = token.get("id_token")
    return response


def _sso_refused(message: str):
    session.clear()
    return _login_page(403, error=message)


# --- out, and in again ------------------------------------------------------------------------------------

@bp.post("/logout")
@login_required
def logout():
    """End this session and every other one of this user (the token rotates); offer the provider's sign-out."""
    id_token = session.get("sso_id_token")
    user_store.rotate_session_token(get_db(), current_user.id)
    logout_user()
    session.clear()
    end_session = _end_session_url(id_token) if id_token else None
    if end_session:
        session["end_session_url"] = end_session
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


def _end_session_url(id_token: str) -> str | None:
    """The provider's end-session URL for this sign-in, when the provider has one."""
    try:
        return sso.provider().create_logout_url(
            post_logout_redirect_uri=url_for("auth.login", _external=True), id_token_hint=id_token).get("url")
    except (OAuthError, RequestException, RuntimeError, KeyError):
        return None


# --- sign-in help by mail ---------------------------------------------------------------------------------

def _help_offered() -> bool:
    """Sign-in help is offered while local passwords work for everyone and mail can reach them."""
    try:
        configured = _mail().settings_from_env() is not None
    except ValueError:  # a mistyped mail setting must not take the login page down; mail-test says what is wrong
        configured = False
    return configured and bool(institution_store.get(get_db())["local_passwords"])


@bp.route("/login/help", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=lambda: request.remote_addr or "")
def sign_in_help():
    """Forgot your password: a set-password link by mail; the same answer whether the address has an account or not."""
    if not _help_offered():
        return render_template("auth/sign_in_help.html", off=True), 403
    if request.method == "GET":
        return render_template("auth/sign_in_help.html")
    email = _account()
    if error := email_error(email):
        return render_template("auth/sign_in_help.html", email=email, error=translate(error)), 400
    answer_at = time.monotonic() + current_app.config.get("SIGN_IN_HELP_SECONDS", HELP_ANSWER_SECONDS)
    _mail_sign_in_help(get_db(), _mail().settings_from_env(), email, utcnow())
    time.sleep(max(0.0, answer_at - time.monotonic()))
    return render_template("auth/sign_in_help.html", sent=email)


def _mail_sign_in_help(db, settings, email: str, now: datetime) -> None:
    """Queue a set-password link to an active account with this address, at most once per window.

    Any other address takes the same steps (a token made, a mail composed) and queues nothing; what is left of
    the difference (the rows written) the view's fixed answer time hides.
    """
    user = user_store.get_user_by_email(db, email)
    window = int(now.timestamp()) // (HELP_MINUTES * 60)
    key = f"sign_in_help:{user['id'] if user else 0}:{window}"
    with write(db):
        wanted = bool(user and user["active"]) and not outbox.queued(db, key)
        # id 0 belongs to no account: the same update, matching no row
        token = user_store.issue_set_password_link(db, user["id"] if wanted else 0, now)
        link = settings.base_url + url_for("auth.set_password", token=token)  # never the request's Host: it is typed
        if wanted:
            _mail().queue(db, settings, "set_password", key, user, {}, link, now)
        else:
            _mail().compose("set_password", {}, settings.default_locale, "Europe/Amsterdam", link, None, None)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password through the one-time link an admin handed over or sign-in help mailed."""
    user = user_store.user_for_set_password_token(get_db(), token, utcnow())
    if not user:
        return render_template("auth/set_password.html", expired=True), 404
    error = None
    if request.method == "POST":
        error = passwords.password_error(request.form.get("password", ""), request.form.get("repeat", ""),
                                         user["email"], user["name"], user_store.context_words(get_db(), user["id"]))
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


def _mail():
    """The outgoing mail (meeting.ops.mail), which the app factory hands the app: the web imports no ops."""
    return current_app.extensions["belletje_mail"]
