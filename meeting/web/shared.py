"""Per-request shared shared by every blueprint: the database, the actor, the team, the locale."""
import hashlib
import logging
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache, wraps
from pathlib import Path
from urllib.parse import quote

from babel import dates, numbers
from flask import abort, current_app, g, has_request_context, render_template, request, session, url_for
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale, get_translations, lazy_gettext
from flask_compress import Compress
from flask_htmx import HTMX
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter

from meeting.core import actions, budget, closing, evaluations
from meeting.core.access_log import ACCESS_ACTIONS
from meeting.core.clock import mmss, overrun_text
from meeting.core.dates import parse_date
from meeting.core.exports import markdown_cell
from meeting.core.i18n import is_generated, message_of
from meeting.core.items import ITEM_STATES, LABEL_EXPLANATIONS, LABEL_NAMES, MEETING_STATES, TRACK_NAMES
from meeting.core.teams import MEETING_SETTINGS, ORDER_POLICIES, ROLES, SETTING_NAMES, WEEKDAYS
from meeting.core.text import MAX_WHOLE_NUMBER, whole_number
from meeting.store import calendar
from meeting.store import dashboard as dashboard_store
from meeting.store import db as database
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import scope as scope_store
from meeting.store import teams as team_store
from meeting.store.audit import Actor
from meeting.store.now import team_today as today_in

LOCALES = ("en", "nl")
htmx = HTMX()
# HTML, CSS, JS and SVG are compressed; never text/event-stream: a compressor buffers, and a live screen
# must get each event the moment it is written.
COMPRESSED = ["text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
              "text/csv", "text/markdown", "application/json"]


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route: an id larger than SQLite's integers is a 404, never an OverflowError."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_WHOLE_NUMBER,
                 signed: bool = False):
        super().__init__(url_map, fixed_digits, min, max, signed)


class Refused(BadRequest):
    """A 400 whose page says what was wrong with the request (a number or a date in the query)."""

    def __init__(self, message: str):
        super().__init__(description=message)
        self.message = message

log = logging.getLogger("belletje.web")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")  # a request by these methods writes nothing but the access log


def init_app(app) -> None:
    """Attach the database teardown, htmx and Babel, and template helpers."""
    # Before any blueprint adds its rules: a rule looks its converters up when it is added.
    app.url_map.converters["int"] = BoundedIntegerConverter
    htmx.init_app(app)
    app.config.update(COMPRESS_MIMETYPES=COMPRESSED, COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_STREAMS=False)
    Compress(app)
    app.after_request(static_in_memory)  # runs before the compressor (after_request runs in reverse order)
    app.url_defaults(versioned_static)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s), ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n), newstyle=True)
    app.after_request(work_out_stale_calendars)
    app.teardown_appcontext(close_db)
    app.before_request(running_now)
    app.jinja_env.globals.update(running_url=running_url, tr=translate, LOCALES=LOCALES, get_locale=get_locale,
                                 ROLES=ROLES, shown=shown,
                                 WEEKDAYS=WEEKDAYS, ORDER_POLICIES=ORDER_POLICIES, TRACK_NAMES=TRACK_NAMES,
                                 LABEL_NAMES=LABEL_NAMES, LABEL_EXPLANATIONS=LABEL_EXPLANATIONS,
                                 MEETING_STATES=MEETING_STATES, ITEM_STATES=ITEM_STATES, mmss=mmss,
                                 BELL_REASONS=closing.BELL_REASONS, OUTCOMES=closing.OUTCOMES,
                                 ANNOUNCEMENT_OUTCOMES=closing.ANNOUNCEMENT_OUTCOMES, NEEDS_MET=closing.NEEDS_MET,
                                 YES_NO=closing.YES_NO, WORDED_BY=closing.WORDED_BY, MILESTONES=closing.MILESTONES,
                                 EXEMPLARY_SITUATIONS=closing.EXEMPLARY_SITUATIONS, TRACK_LABELS=budget.TRACK_LABELS,
                                 overrun_text=overrun_text, duration=duration, ACTION_REVIEWS=actions.REVIEWS,
                                 ACCESS_ACTIONS=ACCESS_ACTIONS,
                                 ACTION_REVIEW_TEXTS=actions.REVIEW_TEXTS,
                                 MEETING_SETTING_NAMES={column: SETTING_NAMES[team_column]
                                                        for column, team_column in MEETING_SETTINGS.items()})
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, render_error)
    app.register_error_handler(database.OperationalError, render_busy)
    app.jinja_env.filters["moment"] = lambda value, pattern="EEE d MMM HH:mm": format_datetime(
        datetime.fromisoformat(value) if isinstance(value, str) else value, pattern)
    app.jinja_env.filters["combine_moment"] = lambda params: {
        key: format_datetime(datetime.fromisoformat(value), "EEE d MMM HH:mm") if key == "moment" else value
        for key, value in params.items()}
    app.jinja_env.filters["months_in_treatment"] = lambda start: evaluations.treatment_months(
        parse_date(start), team_today(g.team)) if start and g.get("team") else None
    app.jinja_env.filters["shown"] = shown
    app.jinja_env.filters["cell"] = markdown_cell  # the Markdown downloads; a CSV neutralises its own
    app.jinja_env.filters["day"] = lambda d: format_date(parse_date(d) if isinstance(d, str) else d,
                                                         "medium") if d else "—"
    app.jinja_env.filters["decimal"] = lambda number, pattern="0.0": format_decimal(number, pattern)
    app.jinja_env.filters["percent"] = lambda value: "—" if value is None else f"{value}%"
    app.jinja_env.filters["chart_value"] = chart_value
    app.jinja_env.filters["chart_label"] = chart_label
    app.jinja_env.filters["chart_bars"] = chart_bars
    app.jinja_env.filters["chart_top"] = lambda bars: chart_value(max(b.value for b in bars))


def catalogue():
    """This request's translations, looked up once: Flask-Babel looks them up anew on every `_()` in a template,
    a quarter of a dashboard's render (tests/test_translation_lookup.py). Nothing switches the locale within a
    request (a live fragment renders in an app context of its own)."""
    try:
        return g.catalogue
    except AttributeError:
        g.catalogue = get_translations()
        return g.catalogue


@lru_cache(maxsize=16)  # kept: Babel's symbol lookup costs about 90 µs, and every chart value of a page asks
def _number_symbols(locale: str) -> dict:
    return {ord("."): numbers.get_decimal_symbol(locale), ord(","): numbers.get_group_symbol(locale)}


def duration(seconds: int) -> str:
    """A length of time in minutes and seconds that never reads as a time of day: "10 min", "9 min 42 s", "42 s"."""
    sign, (minutes, rest) = "-" if seconds < 0 else "", divmod(abs(int(seconds)), 60)
    if not rest:
        return sign + catalogue().ugettext("%(min)s min") % {"min": minutes}
    if not minutes:
        return sign + catalogue().ugettext("%(sec)s s") % {"sec": rest}
    return sign + catalogue().ugettext("%(min)s min %(sec)s s") % {"min": minutes, "sec": rest}


def chart_label(label: str) -> str:
    """A chart's week (its Monday, ISO) or month ("2026-03") in the reader's language: "8 jun 2026", "mrt 2026"."""
    return _chart_label(label, str(get_locale()))


@lru_cache(maxsize=4096)  # kept: about 35 µs a label in Babel, and a page's nine five-year charts have 2,340 bars
def _chart_label(label: str, locale: str) -> str:
    if len(label) == 7:
        return dates.format_skeleton("yMMM", date.fromisoformat(label + "-01"), locale=locale)
    return dates.format_date(date.fromisoformat(label), "medium", locale=locale)


def chart_bars(bars: list, unit: str = "") -> Markup:
    """The SVG bars of a chart, each with its week and value as a tooltip, built in one go (a five-year chart
    has 260 bars, nine charts a page: a Jinja loop with four format filters per bar was most of the page's time)."""
    symbols, unit = _number_symbols(str(get_locale())), escape(unit)
    return Markup("".join(
        f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.width:.1f}" height="{b.height:.1f}" fill="#0b5cad">'
        f'<title>{escape(chart_label(b.label))}: {chart_value(b.value, symbols)}{unit}</title></rect>' for b in bars))


def chart_value(number: float, symbols: dict | None = None) -> str:
    """A chart bar's value with at most one decimal in the reader's notation (as `decimal("#,##0.#")`), fast:
    a five-year chart has hundreds of bars and Babel's full formatter per bar costs more than the page's data."""
    text = f"{round(number, 1):,.1f}".removesuffix(".0")
    return text.translate(symbols or _number_symbols(str(get_locale())))


def static_in_memory(response):
    """Read a static file into the response, so it is compressed as a whole (nothing streamed ever is)."""
    if request.endpoint == "static" and response.direct_passthrough and response.status_code == 200:
        source = response.response
        try:
            response.direct_passthrough = False
            response.set_data(b"".join(source))
        finally:
            source.close()
    return response


def versioned_static(endpoint: str, values: dict) -> None:
    """Every static URL carries its file's content hash (`?v=`), so browsers may keep it for a year."""
    if endpoint == "static" and "filename" in values:
        values.setdefault("v", _content_hash(str(Path(current_app.static_folder) / values["filename"])))


@lru_cache(maxsize=256)  # kept: every static URL of every page would read and hash its file again
def _content_hash(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


def get_db():
    """This request's own connection, taken from the app's pool (a connection serves one thread at a time); a GET's
    reads only (`database.reads_only`): it never stores the read model."""
    if "db" not in g:
        g.db = _pool().take(reads_only=has_request_context() and request.method in SAFE_METHODS)
    return g.db


def work_out_stale_calendars(response):
    """After a request that wrote: work out the stored calendar of any team it made stale (each team in a
    transaction of its own), so that a GET finds every team fresh and never takes the write lock for it. A running
    meeting's decision is answered first: its team is worked out once the response has been sent (on a connection
    of its own), so the chair's screen never waits for it."""
    db = g.get("db")
    if db is None or request.method in SAFE_METHODS or db.conn.in_transaction:
        return response
    if request.blueprint == "run":
        pool = _pool()
        response.call_on_close(lambda: _refresh_stale_on_own_connection(pool))
    else:
        _refresh_stale(db)
    return response


def _refresh_stale(db) -> None:
    try:
        calendar.refresh_stale(db)
    except Exception:  # noqa: BLE001 - logged; the request's own write has been committed
        log.exception("a stale calendar was left for the scheduler")


def _refresh_stale_on_own_connection(pool: database.Pool) -> None:
    db = pool.take()
    try:
        _refresh_stale(db)
    finally:
        pool.give_back(db)


def close_db(_exc=None) -> None:
    """Give the request's connection back (rolled back if it left a transaction open)."""
    db = g.pop("db", None)
    if db is not None:
        _pool().give_back(db)


def _pool() -> database.Pool:
    path = str(current_app.config["DATABASE"])
    pool = current_app.extensions.get("belletje_pool")
    if pool is None or pool.path != path:
        pool = current_app.extensions["belletje_pool"] = database.Pool(
            path, busy_timeout_ms=current_app.config.get("BUSY_TIMEOUT_MS", database.BUSY_TIMEOUT_MS))
    return pool


RUNNING_KINDS = {"weekly": "weekly", "complex_case": "session"}  # a meeting's kind -> its kind of running session
RUNNING_NAMES = {"weekly": lazy_gettext("Meeting"), "complex_case": lazy_gettext("Complex-case session")}


def running_now() -> None:
    """g.running: what runs now in the user's teams, each with the address of its live page, for the bar at the
    top of every page (base.html). One indexed query, only for a whole page (no fragment, stream or form post);
    not on the projector (the chair's console fills its screen), and not for the session a phone is in already."""
    if (request.method != "GET" or request.endpoint in (None, "static") or (htmx and not htmx.boosted)
            or request.endpoint.endswith(("stream", "panel")) or request.blueprint == "run"
            or not current_user.is_authenticated):
        return
    here = (request.view_args or {}).get("meeting_id") if request.blueprint == "live" else None
    g.running = [dict(m, name=RUNNING_NAMES[m["kind"]],
                      url=running_url("live.phone", RUNNING_KINDS[m["kind"]], team_id=m["team_id"], meeting_id=m["id"]))
                 for m in meeting_store.running_for(get_db(), current_user.id) if m["id"] != here]


def select_locale() -> str:
    """The user's chosen language, else the session's, else the browser's best match."""
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return request.accept_languages.best_match(LOCALES) or "en"


def select_timezone() -> str:
    """Times show in the team's time zone; outside a team, in the default one."""
    team = g.get("team")
    return team["timezone"] if team else "Europe/Amsterdam"


def translate(message: str | None, **params) -> str:
    """Translate a message the pure core marked with N_ (and fill its placeholders), from this request's catalogue."""
    if not message:
        return ""
    params = getattr(message, "params", {}) | params  # a core Message carries its own (e.g. a field's maximum)
    text = catalogue().ugettext(message)
    return text % params if params else text


def shown(text: str | None) -> str:
    """A stored text as this reader sees it: one the app generated in the reader's language (its values too, when
    they are generated texts themselves), one a person typed as typed."""
    if not is_generated(text):
        return text or ""
    message, values = message_of(text)  # type: ignore[arg-type]
    translated = catalogue().ugettext(message)
    if not values:
        return translated
    return translated % {key: shown(value) if isinstance(value, str) else value for key, value in values.items()}


def attachment(*parts, suffix: str) -> dict:
    """The header that downloads a file named from `parts` (words and dates the app made, joined by "-"):
    an ASCII name for every browser and the reader's-language name (RFC 6266); only letters, digits, "-" and
    "_" of a part reach it, so no part can end the name or add a parameter."""
    stem = "-".join(filter(None, (re.sub(r"[^\w-]+", "_", str(part)).strip("_-") for part in parts)))
    name = f"{stem}.{suffix}"
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"}


def query_number(name: str, highest: int = MAX_WHOLE_NUMBER) -> int | None:
    """A whole number up to `highest` from the query string; None when absent or blank, a 400 saying so otherwise."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    number = whole_number(raw)
    if number is None or number > highest:
        raise Refused(lazy_gettext("“%(name)s” in the address must be a whole number.", name=name))
    return number


def query_date(name: str, earliest: date, latest: date) -> date | None:
    """A date from the query string within [earliest, latest]; None when absent, a 400 saying so otherwise."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    day = parse_date(raw)
    if day is None or not earliest <= day <= latest:
        raise Refused(lazy_gettext("“%(name)s” in the address must be a date from %(earliest)s to %(latest)s.",
                                   name=name, earliest=earliest.isoformat(), latest=latest.isoformat()))
    return day


def capacity_forecast(team: dict):
    """The team's capacity line and forecast (templates/_capacity.html renders it)."""
    return dashboard_store.capacity_forecast(get_db(), team, database.utcnow())


def my_items(team_id: int, meeting_ids: list[int]) -> list[dict]:
    """The current user's items on these meetings' agendas (not the withdrawn ones): the "mine" of a page."""
    return [i for i in item_store.items_of_presenter(get_db(), team_id, current_user.id, meeting_ids)
            if i["state"] != "withdrawn"]


def actor() -> Actor:
    """The current user and their access point, for the access log."""
    return Actor(current_user.id if current_user.is_authenticated else None, request.remote_addr or "")


MEETING_URL = "/teams/<int:team_id>/meetings/<int:meeting_id>"
SESSION_URL = "/teams/<int:team_id>/sessions/<int:meeting_id>"


def running_route(bp, rule: str, session_rule: str | None = None, **options):
    """Register a view of a running session at both kinds' addresses: the weekly meeting's (MEETING_URL + `rule`,
    kind "weekly") and the complex-case session's (SESSION_URL + `session_rule` or `rule`, kind "session", its
    endpoint prefixed "session_"). The view gets `kind`; `running_url` builds either address.
    """
    def register(view):
        for kind, url in (("weekly", MEETING_URL + rule), ("session", SESSION_URL + (session_rule or rule))):
            bp.add_url_rule(url, _ENDPOINT_PREFIX[kind] + view.__name__, _of_kind(view, kind), **options)
        return view
    return register


_ENDPOINT_PREFIX = {"weekly": "", "session": "session_"}


def _of_kind(view, kind: str):
    @wraps(view)
    def with_kind(**values):
        return view(kind=kind, **values)
    return with_kind


def running_url(endpoint: str, kind: str = "weekly", **values) -> str:
    """The address of a running-session view (`running_route`) for a session of `kind`."""
    blueprint, name = endpoint.split(".")
    return url_for(f"{blueprint}.{_ENDPOINT_PREFIX[kind]}{name}", **values)


def running_kind() -> str:
    """The kind of running session this request's address is of (for handlers outside the view)."""
    return "session" if (request.endpoint or "").split(".")[-1].startswith("session_") else "weekly"


def login_guarded(bp):
    """`bp` with the one login guard every team page has; team membership and roles are checked per view
    (team_view). A live stream answers 204 when logged out (a redirect would make it retry forever)."""
    bp.before_request(_require_login)
    return bp


@login_required
def _require_login():
    """Nothing more to do once logged in."""


def team_view(*roles: str, admin: bool = False):
    """Load g.team for `team_id` and require one of `roles`; a non-member gets a 404, not a hint.

    Every other id in the URL must belong to the team too (404 otherwise), whatever the role.

    With `admin=True` a global admin who is not a member passes too, with the role "admin".
    """
    def decorator(view):
        @wraps(view)
        def wrapped(team_id: int, **kwargs):
            team = team_store.get_team(get_db(), team_id)
            role = team and team_store.role_in(get_db(), team_id, current_user.id)
            if team and not role and admin and current_user.is_admin:
                role = "admin"
            if not team or not role or not _ids_of_team(team_id, kwargs):
                abort(404)
            if roles and role not in roles:
                abort(403)
            g.team, g.role = team, role
            return view(team_id, **kwargs)
        return wrapped
    return decorator


def _ids_of_team(team_id: int, kwargs: dict) -> bool:
    """Every id in the URL (meeting, item, client, action, notice) is this team's, checked before any view runs."""
    return scope_store.belongs_to_team(get_db(), team_id, {k: v for k, v in kwargs.items() if k.endswith("_id")})


def team_today(team: dict) -> date:
    """Today's date in the team's time zone (meeting.store.now, the one clock)."""
    return today_in(team["timezone"])


ERROR_TEXTS = {
    400: (lazy_gettext("Something was wrong with that request"),
          lazy_gettext("Reload the page and try again. Nothing was changed.")),
    403: (lazy_gettext("Not allowed"), lazy_gettext("Your role in this team does not allow this.")),
    404: (lazy_gettext("Not found"), lazy_gettext("This page does not exist, or it is not yours to see.")),
    405: (lazy_gettext("Not allowed"), lazy_gettext("This address does not take that kind of request.")),
    413: (lazy_gettext("Too large"), lazy_gettext("This request is larger than Belletje takes. Nothing was changed.")),
}


BUSY_SECONDS = 5  # how long a busy answer asks the browser to wait before it tries again


def render_busy(error):
    """A write that waited its whole busy timeout for another's lock: 503 "busy, try again", nothing changed.
    Any other database error is a real fault and stays a 500."""
    if not database.is_busy(error):
        raise error
    current_app.logger.warning("database busy: %s %s", request.method, request.path)
    return render_template("errors/error.html", code=503, title=lazy_gettext("Busy"), message=lazy_gettext(
        "Belletje is busy with other work. Wait a few seconds and try again. Nothing was changed.")), 503, \
        {"Retry-After": str(BUSY_SECONDS)}


def render_error(error: HTTPException):
    """A plain, translated error page; never a hint whether another team's thing exists."""
    title, message = ERROR_TEXTS[error.code]
    if error.code == 400 and str(getattr(error, "description", "")).startswith("The CSRF"):
        message = lazy_gettext("The form had expired. Reload the page and try again. Nothing was changed.")
    elif isinstance(error, Refused):
        message = error.message
    return render_template("errors/error.html", code=error.code, title=title, message=message), error.code
