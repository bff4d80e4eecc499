"""The complex-case session's own pages: planning it, the presenter's preparation, the phones' worksheet cards,
insights and options, and the summary.

Running it is the running-session blueprint's (views/run.py for the console, views/live.py for the phones): one
context builder, one stream of parts, one clock, one bell and one decision command serve both kinds.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from meeting.core import evaluations
from meeting.core import session as rules
from meeting.core.dates import local_moment, parse_date
from meeting.core.i18n import N_
from meeting.store import clients as client_store
from meeting.store import handovers as handover_store
from meeting.store import minutes as minutes_store
from meeting.store import running as running_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store.audit import log_page_of_many
from meeting.store.db import utcnow
from meeting.web.live import session_context
from meeting.web.shared import (
    actor,
    attachment,
    get_db,
    htmx,
    login_guarded,
    running_url,
    team_today,
    team_view,
    translate,
)

bp = login_guarded(Blueprint("session", __name__))
SESSIONS = "/teams/<int:team_id>/sessions"
SESSION = SESSIONS + "/<int:session_id>"
PRESENTERS = ("member", "chair")


@bp.record_once
def session_names(state) -> None:
    """The steps' and levels' names for every template and macro."""
    state.app.jinja_env.globals.update(
        STEPS=rules.STEPS, STEP_NAMES=rules.STEP_NAMES, DEFAULT_MINUTES=rules.DEFAULT_MINUTES,
        STEP_PROMPTS=rules.STEP_PROMPTS, FACTOR_NAMES=rules.FACTOR_NAMES, LEVEL_NAMES=rules.LEVEL_NAMES,
        FACTOR_HINTS=rules.FACTOR_HINTS, LEVELS=rules.LEVELS, CARD_KINDS=rules.CARD_KINDS)


@bp.errorhandler(running_store.Refused)
def refused(refusal: running_store.Refused):
    """A change the rules do not allow now (checked inside the write lock): say why, show the sessions."""
    flash(translate(str(refusal)))
    return redirect(url_for("session.index", team_id=request.view_args["team_id"]))


@bp.get(SESSIONS)
@team_view()
def index(team_id: int):
    """The team's coming and past complex-case sessions; the clients shown are logged as one view (NEN 7513)."""
    sessions = session_store.of_team(get_db(), team_id, utcnow())
    log_page_of_many(get_db(), actor(), "sessions", [s["client_id"] for s in sessions["coming"] + sessions["ended"]],
                   team_id)
    return render_template("session/index.html", **sessions)


# --- planning --------------------------------------------------------------------------------------------

@bp.route(SESSIONS + "/new", methods=["GET", "POST"])
@team_view("chair")
def plan(team_id: int):
    """Plan a session for a client (from the planner's one- and two-year list, or by reference)."""
    if request.method == "GET":
        client = request.args.get("client", "").strip()[:20]
        form = {"client_reference": client, "day": "", "time": g.team["meeting_start"],
                **{f"minutes_{s}": m for s, m in rules.DEFAULT_MINUTES.items()}}
        return _plan_page(form, {}, None)
    form, (values, errors) = request.form, _posted_plan(None)
    if errors:
        return _plan_page(form, errors, None), 400
    session_id = session_store.create(get_db(), actor(), g.team, *values)
    flash(_("The complex-case session is planned."))
    return redirect(url_for("session.index", team_id=team_id) + f"#session-{session_id}")


@bp.route(SESSION + "/edit", methods=["GET", "POST"])
@team_view("chair")
def edit(team_id: int, session_id: int):
    """Change a planned session: its moment, presenter, step minutes, invited colleague."""
    session = _session(team_id, session_id)
    if session["state"] != "planned":
        flash(_("Only a session that has not started can be changed."))
        return redirect(url_for("session.index", team_id=team_id))
    if request.method == "GET":
        session_store.log_view(get_db(), actor(), session, "session-plan-read")
        return _plan_page(_plan_form(session), {}, session)
    values, errors = _posted_plan(session)
    if errors:
        return _plan_page(request.form, errors, session), 400
    starts_at, _client_id, presenter, minutes, colleague, external = values
    session_store.update_plan(get_db(), actor(), team_id, session_id, starts_at, presenter, minutes, colleague,
                              external)
    flash(_("The session is changed."))
    return redirect(url_for("session.index", team_id=team_id))


@bp.post(SESSION + "/cancel")
@team_view("chair")
def cancel(team_id: int, session_id: int):
    """Cancel a session that has not started."""
    session_store.cancel(get_db(), team_id, session_id)
    flash(_("The session is cancelled."))
    return redirect(url_for("session.index", team_id=team_id))


def _plan_page(form, errors: dict, session: dict | None):
    db = get_db()
    return render_template("session/plan.html", form=form, errors=errors, session=session,
                           members=[m for m in team_store.members(db, g.team["id"]) if m["active"]],
                           colleagues=session_store.colleagues_outside(db, g.team["id"]),
                           total=sum(rules.parse_minutes(form)[0].values()))


def _plan_form(session: dict) -> dict:
    """A stored session as the plan form shows it, in the team's time zone."""
    start = datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo(g.team["timezone"]))
    steps = session_store.steps(get_db(), session["id"])
    return {"client_reference": session["client_reference"], "presenter_id": str(session["presenter_id"]),
            "day": start.date().isoformat(), "time": start.strftime("%H:%M"),
            "colleague_id": str(session["colleague_id"] or ""), "external_colleague": session["external_colleague"],
            **{f"minutes_{s['step']}": s["minutes"] for s in steps}}


def _posted_plan(session: dict | None) -> tuple[tuple | None, dict]:
    """The posted plan checked by the core: (start, client id, presenter, minutes, colleague, outside name)."""
    db, form = get_db(), request.form
    starts_at = local_moment(form.get("day"), form.get("time"), g.team["timezone"])
    reference = session["client_reference"] if session else form.get("client_reference", "").strip().upper()
    client_id = client_store.active_reference_ids(db, g.team["id"]).get(reference)
    client = client_id and client_store.get_client(db, actor(), g.team["id"], client_id)
    members = {m["id"] for m in team_store.members(db, g.team["id"]) if m["active"]}
    colleagues = {c["id"] for c in session_store.colleagues_outside(db, g.team["id"])}
    errors = rules.validate_plan(form, starts_at, utcnow(), client or None, members, colleagues,
                                 starts_at and starts_at.date())
    if errors:
        return None, errors
    colleague = int(form["colleague_id"]) if form.get("colleague_id") else None
    return (starts_at, client_id, int(form["presenter_id"]), rules.parse_minutes(form)[0], colleague,
            form.get("external_colleague", "").strip()), {}


# --- the presenter's preparation ---------------------------------------------------------------------------

@bp.route(SESSION + "/prepare", methods=["GET", "POST"])
@team_view(*PRESENTERS)
def prepare(team_id: int, session_id: int):
    """The presenter prepares the case beforehand, on a phone or a desktop."""
    session = _session(team_id, session_id)
    if current_user.id != session["presenter_id"] and g.role != "chair":
        abort(403)
    if session["state"] in ("closed", "cancelled"):
        abort(403)
    errors = {}
    if request.method == "POST":
        values, errors = rules.validate_preparation(request.form)
        if not errors:
            session_store.save_preparation(get_db(), actor(), team_id, session_id, values, utcnow())
            flash(_("Your case preparation is saved."))
            return redirect(url_for("session.index", team_id=team_id))
    else:
        session_store.log_view(get_db(), actor(), session, "session-read")
    form = request.form if request.method == "POST" else session
    return render_template("session/prepare.html", session=session, form=form, errors=errors,
                           months=_months(session)), 400 if errors else 200


def _months(session: dict) -> int:
    """How long the treatment has run, derived from the client's start date."""
    return evaluations.treatment_months(parse_date(session["client_treatment_start"]), team_today(g.team))


# --- the phones' cards ----------------------------------------------------------------------------------------

def _session(team_id: int, session_id: int) -> dict:
    return session_store.get_session(get_db(), team_id, session_id) or abort(404)


@bp.post(SESSION + "/cards")
@team_view()
def add_card(team_id: int, session_id: int):
    """Add a worksheet factor or an option at a level, or record one's insight (replacing an earlier one)."""
    session = _session(team_id, session_id)
    step = request.form.get("step", "")
    card, errors = rules.validate_card(step, request.form)
    if session["state"] != "running":
        card, errors = None, {"step": N_("Cards are added while the session runs.")}
    if card:
        session_store.add_card(get_db(), actor(), team_id, session_id, card, utcnow())
    if not htmx:
        flash(translate(next(iter(errors.values()))) if errors else _("Added."))
        return redirect(_phone(team_id, session_id))
    form = request.form if errors else {"level": card["level"]}  # the next card is often at the same level
    return _card_area(session, step, errors=errors, saved=bool(card), form=form)


def _card_area(session: dict, step: str, **state):
    """This person's card area of a step: the form (as it was left) and their own cards."""
    mine = [c for c in session_store.cards(get_db(), session["id"]) if c["user_id"] == current_user.id]
    return render_template("session/_card_area.html", session=session, step=step, mine=mine,
                           **({"errors": {}, "saved": False, "form": {}} | state))


def _phone(team_id: int, session_id: int) -> str:
    return running_url("live.phone", "session", team_id=team_id, meeting_id=session_id)


@bp.post(SESSION + "/cards/<int:card_id>/delete")
@team_view()
def delete_card(team_id: int, session_id: int, card_id: int):
    """Take one's own card off the board."""
    step = next((c["step"] for c in session_store.cards(get_db(), session_id) if c["id"] == card_id), None)
    if not session_store.delete_card(get_db(), actor(), team_id, session_id, card_id):
        abort(404)
    if htmx:
        return _card_area(_session(team_id, session_id), step)
    return redirect(_phone(team_id, session_id))


# --- the summary -------------------------------------------------------------------------------------------

@bp.get(SESSION + "/summary.md", endpoint="summary_markdown")
@bp.get(SESSION + "/summary")
@team_view("member", "chair")
def summary(team_id: int, session_id: int):
    """The session's summary: preparation, worksheet, insights, options, decision; printable, or as Markdown (.md)."""
    markdown = request.endpoint == "session.summary_markdown"
    context = session_context(team_id, session_id, log=False)
    session_store.log_view(get_db(), actor(), context["session"], "session-summary")
    handover_id = context["decision"] and handover_store.of_decision(get_db(), context["decision"]["id"])
    context |= minutes_store.minutes(get_db(), session_id) | {"handover_id": handover_id}
    if not markdown:
        return render_template("session/summary.html", **context)
    day = evaluations.local_day(context["session"]["starts_at"], g.team["timezone"])
    return Response(render_template("session/summary.md", **context), mimetype="text/markdown",
                    headers=attachment(pgettext("file name", "complex-case-session"), day, suffix="md"))
