"""A user's own account: password, second factor and language."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from meeting.core import passwords
from meeting.core import reminders as reminder_rules
from meeting.store import feeds, second_factor
from meeting.store import reminders as reminder_store
from meeting.store import teams as team_store
from meeting.store import users as user_store
from meeting.store.db import utcnow
from meeting.web.enrolment import enrolment
from meeting.web.security import User
from meeting.web.shared import LOCALES, get_db, login_guarded, translate

bp = login_guarded(Blueprint("account", __name__, url_prefix="/account"))


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
    return render_template("auth/recovery_codes.html",
                           codes=second_factor.new_recovery_codes(get_db(), current_user.id),
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


@bp.context_processor
def mail_and_calendar() -> dict:
    """The reminder choices and the calendar feed, for their sections of the account page."""
    db = get_db()
    defaults = {}
    for team in team_store.teams_of(db, current_user.id):
        for kind, choice in reminder_store.team_defaults(db, team["id"]).items():
            defaults.setdefault(kind, choice)
    own = reminder_store.own_choices(db, [current_user.id]).get(current_user.id, {})
    choices = {kind: reminder_rules.choice(kind, own.get(kind), defaults.get(kind)) for kind in reminder_rules.KINDS}
    return {"reminder_choices": choices, "mail_any_time": bool(user_store.get_user(db,
                                                                                   current_user.id)["mail_any_time"]),
            "calendar_feed": feeds.of_user(db, current_user.id), "REMINDER_KINDS": reminder_rules.KIND_LABELS,
            "REMINDER_CHOICES": reminder_rules.CHOICES, "CHOICE_LABELS": reminder_rules.CHOICE_LABELS}


@bp.post("/reminders")
def save_reminders():
    """Store which reminders this person gets, and whether mail may come in the evening and at the weekend."""
    choices = {kind: request.form.get(f"reminder-{kind}", "") for kind in reminder_rules.KINDS}
    if any(choice not in reminder_rules.CHOICES[kind] for kind, choice in choices.items()):
        return render_template("account/index.html",
                               errors={"reminders": _("Choose one of the options for each reminder.")}), 400
    reminder_store.set_own_choices(get_db(), current_user.id, choices, request.form.get("any_time") == "1")
    flash(_("Reminder settings saved."))
    return redirect(url_for("account.index") + "#reminders")


@bp.post("/calendar")
def renew_calendar():
    """A new secret feed address (the old one stops working), shown once."""
    token = feeds.issue(get_db(), current_user.id, utcnow())
    return render_template("account/index.html", errors={},
                           feed_url=url_for("calendar.feed", token=token, _external=True))


@bp.post("/calendar/stop")
def stop_calendar():
    """No feed any more: the address answers 404."""
    feeds.stop(get_db(), current_user.id)
    flash(_("Your calendar address no longer works."))
    return redirect(url_for("account.index") + "#calendar")
