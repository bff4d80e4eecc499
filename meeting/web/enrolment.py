"""Setting up the second factor, at a sign-in that requires it or from the account page: one page, one check."""
from datetime import datetime

import segno
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from meeting.core import second_factor as factor_rules
from meeting.store import second_factor
from meeting.store.db import utcnow
from meeting.web.shared import get_db


def init_app(app) -> None:
    """The QR code maker for templates."""
    app.jinja_env.globals["qr_code"] = qr_code


def qr_code(uri: str) -> str:
    """The QR code of `uri` as an SVG data URI, made on the server (the CSP allows data: images, no script needed)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def wait_message(until: datetime, now: datetime) -> str:
    """How long to wait after too many wrong codes."""
    minutes = factor_rules.minutes_to_wait(until, now)
    return ngettext("Too many wrong codes. Try again in %(num)s minute.",
                    "Too many wrong codes. Try again in %(num)s minutes.", minutes)


def enrolment(user: dict, action: str, on_confirmed, template: str = "auth/enrol.html"):
    """The enrolment page (QR code, secret in text, first code) and its confirmation, showing the recovery codes."""
    db, now = get_db(), utcnow()
    secret = second_factor.pending_secret(db, user["id"]) or second_factor.start_enrolment(db, user["id"])
    page = dict(secret=secret, uri=factor_rules.provisioning_uri(secret, user["email"]), action=action)
    if request.method == "GET":
        return render_template(template, **page)
    if (wait := second_factor.retry_at(db, user["id"])) and wait > now:
        return render_template(template, error=wait_message(wait, now), **page), 429
    step = second_factor.first_step(db, user["id"], request.form.get("code", ""), now)
    if step is None:
        second_factor.record_miss(db, user["id"], now)
        return render_template(template, error=_("This code is not right. Type the code the app shows now."),
                               **page), 400
    codes = second_factor.confirm(db, user["id"], step, now)
    on_confirmed()
    return render_template("auth/recovery_codes.html", codes=codes)
