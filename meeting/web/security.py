"""Logins, CSRF, rate limits, device cookies, the client's address behind a proxy, and response headers."""
import os
import secrets

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, URLSafeSerializer

from meeting.store import users as user_store

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
DEVICE_COOKIE = "belletje_device"
DEVICE_COOKIE_DAYS = 180
DEVICE_ACCOUNTS = 5  # a shared computer remembers this many accounts signed in from it

HSTS = "max-age=31536000; includeSubDomains"  # a year: browsers then never try plain HTTP for this host
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class User(UserMixin):
    """The logged-in user. The session carries `id:token`; rotating the token ends every session."""

    def __init__(self, row: dict):
        self.id, self.name, self.email = row["id"], row["name"], row["email"]
        self.locale, self.is_admin = row["locale"], bool(row["is_admin"])
        self.session_token = row["session_token"]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


def init_app(app) -> None:
    """Wire Flask-Login, CSRF, the limiter and the security headers."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(set_security_headers)
    app.config.setdefault("TRUSTED_PROXIES", int(os.environ.get("BELLETJE_TRUSTED_PROXIES", "0")))
    trust_proxies(app, int(app.config["TRUSTED_PROXIES"]))


def trust_proxies(app, count: int) -> None:
    """Read the client's address from the last `count` X-Forwarded-For entries (reverse proxies this app sits behind).

    Zero (the default) trusts none: a client could write any address into the header and escape its login waits.
    """
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="belletje-device")


def device_nonce(account: str) -> str | None:
    """The nonce of this browser's device cookie for `account` (typed e-mail, lower case), if it signed in before."""
    try:
        return _devices().loads(request.cookies.get(DEVICE_COOKIE, "")).get(account)
    except (BadSignature, AttributeError, ValueError):
        return None


def remember_device(response, account: str):
    """Give this browser (or renew) its device cookie for `account` after a right password (OWASP device cookies)."""
    try:
        known = dict(_devices().loads(request.cookies.get(DEVICE_COOKIE, "")))
    except (BadSignature, ValueError, TypeError):
        known = {}
    known.pop(account, None)
    known = dict(list(known.items())[-(DEVICE_ACCOUNTS - 1):]) | {account: secrets.token_urlsafe(16)}
    response.set_cookie(DEVICE_COOKIE, _devices().dumps(known), max_age=DEVICE_COOKIE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"], path="/login")
    return response


@login_manager.unauthorized_handler
def unauthorized():
    """Logged out: a live stream gets 204 (so it stops retrying), htmx a full redirect, pages the login."""
    from flask import redirect, url_for
    if request.path.endswith("/stream"):
        return "", 204
    from meeting.web.shared import htmx
    if htmx:
        return "", 200, {"HX-Redirect": url_for("auth.login")}
    return redirect(url_for("auth.login"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Find the user for a session id, only while its token is current and the account active."""
    from meeting.web.shared import get_db
    user_id, _, token = session_id.partition(":")
    row = user_store.get_user(get_db(), int(user_id)) if user_id.isdigit() else None
    if row and row["active"] and row["session_token"] == token:
        return User(row)
    return None


def set_security_headers(response):
    """A strict CSP, no sniffing, no framing; no caching of anything behind a login; HSTS when served over HTTPS."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if current_app.config.get("HTTPS"):
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    elif request.args.get("v") and response.status_code == 200:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # the URL changes with the file
    return response
