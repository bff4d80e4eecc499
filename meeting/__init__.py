"""Belletje: the application factory."""
import os
import secrets
from pathlib import Path

from flask import Flask
from flask.templating import Environment

from meeting.store import db as database


class TemplateEnvironment(Environment):
    """Flask's Jinja environment, whose templates read the environment's own globals dict.

    Jinja layers each template's globals over the environment's as a ChainMap, and every `{% from ... import %}`
    subtracts its ~80 names from it one lookup at a time: 14 agenda rows importing their macros render in 5.6 ms
    with the ChainMap, 0.4 ms with the dict (scripts/benchmark_template_globals.py). One dict, so a global set later is
    seen too; a template given globals of its own gets Jinja's ChainMap (tests/test_template_globals.py).
    """

    def make_globals(self, d):
        return self.globals if not d else super().make_globals(d)


class Belletje(Flask):
    jinja_environment = TemplateEnvironment


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app; `test_config` overrides the environment (tests pass DATABASE)."""
    app = Belletje(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("BELLETJE_SECRET_KEY") or _stable_secret_key(),
        DATABASE=str(database.database_path()),
        HTTPS=os.environ.get("BELLETJE_HTTPS") == "1",  # served over HTTPS only: secure cookies and HSTS
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("BELLETJE_HTTPS") == "1",
        REMEMBER_COOKIE_SECURE=os.environ.get("BELLETJE_HTTPS") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # a projector left open for hours must still be able to POST
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        LOGIN_LIMIT=os.environ.get("BELLETJE_LOGIN_LIMIT", "20 per minute"),
        RATELIMIT_STORAGE_URI="memory://",
        PREPARE_DATABASE=True,
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,  # any request; an import's own limit is smaller (core.clients)
        BUSY_TIMEOUT_MS=database.BUSY_TIMEOUT_MS,  # how long a write waits for another's lock before a 503
        MAX_STREAMS=int(os.environ.get("BELLETJE_MAX_STREAMS", 80)),  # live screens per process (each holds a thread)
    )
    if test_config:
        app.config.update(test_config)
    if app.config["PREPARE_DATABASE"]:
        database.prepare(app.config["DATABASE"])
        _create_upcoming_meetings(app.config["DATABASE"])

    from meeting.ops import cli, mail
    from meeting.web import enrolment, review_helpers, security, shared, sso
    shared.init_app(app)
    review_helpers.init_app(app)
    security.init_app(app)
    sso.init_app(app)
    enrolment.init_app(app)
    cli.init_app(app)
    app.extensions["belletje_mail"] = mail  # the admin's set-password mail; the web layer imports no ops
    from meeting.web.live import Broadcaster
    app.extensions["belletje_live"] = Broadcaster(app.config["DATABASE"], app.config["MAX_STREAMS"], app)
    from meeting.web.views import (
        account,
        admin,
        agenda,
        auth,
        dashboard,
        handover,
        live,
        minutes,
        planner,
        run,
        session,
        team,
    )
    for blueprint in (auth.bp, account.bp, admin.bp, team.bp, agenda.bp, planner.bp, run.bp, live.bp, minutes.bp,
                      dashboard.bp, session.bp, handover.bp):
        app.register_blueprint(blueprint)
    from meeting.web.views import calendar, consultations, reminders, stories
    for blueprint in (stories.bp, consultations.bp, calendar.bp, reminders.bp):
        app.register_blueprint(blueprint)
    return app


def _stable_secret_key() -> str:
    """A random key kept next to the database, so sessions survive a restart of the demo."""
    path = database.database_path().parent / ".secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _create_upcoming_meetings(path) -> None:
    """Every team's meetings of the coming weeks, created at start (as the scheduler keeps them, also when it runs
    elsewhere or not at all): the pages that list them only read."""
    from meeting.ops.scheduler import create_meetings
    db = database.connect(path)
    try:
        create_meetings(db, database.utcnow())
    finally:
        db.close()
