"""The complex-case session: planning it, the presenter's preparation, the projector and chair console,
the phones (worksheet cards, insights, options), the closing decision and the summary.

It runs on the weekly meeting's machinery: the steps are timed by the item clock, the phones and the
projector follow the meeting's revision through the same live channel (live.Broadcaster, live.sse_events),
the bell is live.ring, and the closing decision is validated and stored by the same decision model
(closing.validate_decision, decisions.decide).
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from meeting.core import clock, evaluations, session as rules
from meeting.core.dates import local_moment, parse_date
from meeting.core.decision import DecisionInput
from meeting.core.i18n import N_
from meeting.store import clients as client_store, decisions as decision_store, handovers as handover_store
from meeting.store import meetings as meeting_store, minutes as minutes_store, running as running_store
from meeting.store import sessions as session_store, teams as team_store
from meeting.store.db import utcnow
from meeting.store.decisions import ALREADY_CLOSED
from meeting.web.live import sse_events
from meeting.web.plumbing import actor, get_db, htmx, team_today, team_view, translate

bp = Blueprint("session", __name__)
SESSIONS = "/teams/<int:team_id>/sessions"
SESSION = SESSIONS + "/<int:session_id>"
PRESENTERS = ("member", "chair")


@bp.before_request
@login_required
def require_login():
    """Team membership and roles are checked per view by team_view."""


@bp.record_once
def session_names(state) -> None:
    """The steps' and levels' names for every template and macro."""
    state.app.jinja_env.globals.update(
        STEPS=rules.STEPS, STEP_NAMES=rules.STEP_NAMES, DEFAULT_MINUTES=rules.DEFAULT_MINUTES,
        STEP_PROMPTS=rules.STEP_PROMPTS, FACTOR_NAMES=rules.FACTOR_NAMES, LEVEL_NAMES=rules.LEVEL_NAMES,
        FACTOR_HINTS=rules.FACTOR_HINTS, LEVELS=rules.LEVELS, CARD_KINDS=rules.CARD_KINDS)


@bp.errorhandler(running_store.Refused)
def refused(refusal: running_store.Refused):
    """A change the rules do not allow now (checked inside the write lock): say why, show the console."""
    flash(translate(str(refusal)))
    return _after_action(request.view_args["team_id"], request.view_args["session_id"])


@bp.get(SESSIONS)
@team_view()
def index(team_id: int):
    """The team's coming and past complex-case sessions."""
    return render_template("session/index.html", **session_store.of_team(get_db(), team_id, utcnow()))


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
        return _plan_page(_plan_form(session), {}, session)
    values, errors = _posted_plan(session)
    if errors:
        return _plan_page(request.form, errors, session), 400
    starts_at, _client_id, presenter, minutes, colleague, external = values
    session_store.update_plan(get_db(), actor(), team_id, session_id, starts_at, presenter, minutes, colleague, external)
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


# --- live: the projector and chair console, and the phones -------------------------------------------------

def _session(team_id: int, session_id: int) -> dict:
    return session_store.get_session(get_db(), team_id, session_id) or abort(404)


def _context(team_id: int, session_id: int) -> dict:
    """The session as every live screen sees it, derived from the stored events at this moment."""
    db, now = get_db(), utcnow()
    session = _session(team_id, session_id)
    steps = session_store.steps(db, session_id)
    view = rules.session_view([rules.Step(s["id"], s["step"], s["minutes"]) for s in steps],
                              running_store.clock_events_of_meeting(db, session_id), session["current_item_id"], now)
    cards = session_store.cards(db, session_id)
    decision_step = next(s for s in steps if s["step"] == rules.DECISION_STEP)
    return dict(session=session, meeting=session, view=view, cards=cards, board=rules.board(cards),
                decision_step=decision_step,
                decision=decision_store.decisions_of_meeting(db, session_id).get(decision_step["id"]),
                bell=running_store.bell_state(db, session_id, session["current_item_id"]), months=_months(session),
                now=now)


def _after_action(team_id: int, session_id: int):
    """htmx gets the fresh console panel; a plain form post goes back to the console."""
    if htmx:
        return render_template("session/_panel.html", **_context(team_id, session_id))
    return redirect(url_for("session.console", team_id=team_id, session_id=session_id))


@bp.get(SESSION + "/run")
@team_view("chair")
def console(team_id: int, session_id: int):
    """The projector and chair console; its panel re-fetches itself whenever the session changes (SSE)."""
    context = _context(team_id, session_id)
    session_store.log_view(get_db(), actor(), context["session"], "session-read")
    return render_template("session/console.html", **context)


@bp.get(SESSION + "/run/panel")
@team_view("chair")
def panel(team_id: int, session_id: int):
    """The console's live panel alone, for htmx."""
    return render_template("session/_panel.html", **_context(team_id, session_id))


@bp.post(SESSION + "/run/start")
@team_view("chair")
def start(team_id: int, session_id: int):
    """Start the session: the first step's clock runs."""
    first = session_store.steps(get_db(), session_id)[0]
    session_store.start(get_db(), team_id, session_id, first["id"], utcnow(), current_user.id)
    return _after_action(team_id, session_id)


@bp.post(SESSION + "/run/next")
@team_view("chair")
def next_step(team_id: int, session_id: int):
    """End the current step and start the next one."""
    context = _context(team_id, session_id)
    view = context["view"]
    refusal = rules.next_step_refusal(view, context["session"]["state"])
    if refusal:
        raise running_store.Refused(refusal)
    session_store.next_step(get_db(), team_id, session_id, view.current and view.current.step.id,
                            view.next_up.step.id, utcnow(), current_user.id)
    return _after_action(team_id, session_id)


@bp.post(SESSION + "/run/clock")
@team_view("chair")
def clock_action(team_id: int, session_id: int):
    """Pause, resume or extend (+2 minutes) the current step's clock: the weekly meeting's clock buttons."""
    current = _session(team_id, session_id)["current_item_id"]
    event = clock.chair_event(running_store.clock_events(get_db(), current or 0), request.form.get("kind", ""))
    if not current or event is None:
        raise running_store.Refused(N_("There is no current step."))
    running_store.add_clock_event(get_db(), team_id, session_id, current, event[0], utcnow(), current_user.id, event[1])
    return _after_action(team_id, session_id)


@bp.post(SESSION + "/run/bell/ack")
@team_view("chair")
def acknowledge_bell(team_id: int, session_id: int):
    """The chair has seen the bell."""
    running_store.acknowledge_bells(get_db(), team_id, session_id, utcnow())
    return _after_action(team_id, session_id)


@bp.post(SESSION + "/run/end")
@team_view("chair")
def end(team_id: int, session_id: int):
    """End the session (only after its closing decision); the summary is ready at once."""
    session_store.end(get_db(), team_id, session_id, utcnow(), current_user.id)
    return redirect(url_for("session.summary", team_id=team_id, session_id=session_id))


@bp.get(SESSION + "/stream")
@team_view()
def stream(team_id: int, session_id: int):
    """The weekly meeting's live channel (Broadcaster, sse_events) for the session: `changed` on connect and on
    every change; the session's screens then fetch their own panels."""
    _session(team_id, session_id)  # a plain 404 before any event for a weekly meeting's id
    broadcaster = current_app.extensions["belletje_live"]
    if not broadcaster.open_stream(session_id):
        return Response("too many live screens", status=503, headers={"Retry-After": "10"})
    return Response(stream_with_context(sse_events(broadcaster, session_id)), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@bp.get(SESSION + "/live")
@team_view()
def phone(team_id: int, session_id: int):
    """Every participant's phone: the step, its prompt, the clock, the card or insight to add, the bell."""
    context = _context(team_id, session_id)
    session_store.log_view(get_db(), actor(), context["session"], "session-read")
    return render_template("session/phone.html", **context)


@bp.get(SESSION + "/live/panel")
@team_view()
def phone_panel(team_id: int, session_id: int):
    """The phone's live panel alone, re-fetched on every change."""
    return render_template("session/_phone_panel.html", **_context(team_id, session_id))


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
        return redirect(url_for("session.phone", team_id=team_id, session_id=session_id))
    form = request.form if errors else {"level": card["level"]}  # the next card is often at the same level
    return render_template("session/_card_form.html", step=step, errors=errors, saved=bool(card), form=form,
                           session_id=session_id, **_own_insight(session_id, step))


def _own_insight(session_id: int, step: str) -> dict:
    mine = [c for c in session_store.cards(get_db(), session_id) if c["step"] == step and c["level"] is None
            and c["user_id"] == current_user.id]
    return {"insight": mine[0]["text"] if mine else ""}


@bp.post(SESSION + "/cards/<int:card_id>/delete")
@team_view()
def delete_card(team_id: int, session_id: int, card_id: int):
    """Take one's own card off the board."""
    if not session_store.delete_card(get_db(), actor(), team_id, session_id, card_id):
        abort(404)
    if htmx:
        return render_template("session/_phone_panel.html", **_context(team_id, session_id))
    return redirect(url_for("session.phone", team_id=team_id, session_id=session_id))


# --- the closing decision: the weekly meeting's decision model ----------------------------------------------

@bp.route(SESSION + "/decide", methods=["GET", "POST"])
@team_view("chair")
def decide(team_id: int, session_id: int):
    """The closing decision: the decision command, as for a weekly meeting's item, with the session as its subject."""
    context = _context(team_id, session_id)
    session, step = context["session"], context["decision_step"]
    members = [m for m in team_store.members(get_db(), team_id) if m["active"]]
    page = dict(context, item=dict(step, client_id=session["client_id"]), members=members, milestone=_milestone(session))
    if context["decision"] or session["state"] != "running":
        message = ALREADY_CLOSED if context["decision"] else N_("Start the session first.")
        return render_template("session/decide.html", **page, form={}, errors={"item": message}), \
            409 if request.method == "POST" else 200
    if request.method == "GET":
        return render_template("session/decide.html", **page, form={}, errors={})
    posted = DecisionInput.from_form(request.form)
    today = evaluations.local_day(session["starts_at"], g.team["timezone"])  # a review is dated by its session
    try:
        next_meeting = meeting_store.next_meeting_id(get_db(), g.team, session)
        decision_store.decide(get_db(), actor(), g.team, step, posted, today, utcnow(), next_meeting, translate)
        flash(_("Decision recorded."))
        return redirect(url_for("session.console", team_id=team_id, session_id=session_id))
    except decision_store.InvalidDecision as refusal:
        errors = refusal.errors
    return render_template("session/decide.html", **page, form=posted.as_form(), errors=errors), \
        409 if "item" in errors else 400


def _milestone(session: dict) -> str | None:
    start = parse_date(session["client_treatment_start"])
    return evaluations.milestone_kind(start, team_today(g.team)) if start else None


# --- the summary -------------------------------------------------------------------------------------------

def _summary_context(team_id: int, session_id: int) -> dict:
    context = _context(team_id, session_id)
    session_store.log_view(get_db(), actor(), context["session"], "session-summary")
    handover_id = context["decision"] and handover_store.of_decision(get_db(), context["decision"]["id"])
    return context | minutes_store.minutes(get_db(), session_id) | {"handover_id": handover_id}


@bp.get(SESSION + "/summary")
@team_view("member", "chair")
def summary(team_id: int, session_id: int):
    """The session's summary: preparation, worksheet, insights, options, decision; printable."""
    return render_template("session/summary.html", **_summary_context(team_id, session_id))


@bp.get(SESSION + "/summary.md")
@team_view("member", "chair")
def summary_markdown(team_id: int, session_id: int):
    """The summary as a Markdown download."""
    text = render_template("session/summary.md", **_summary_context(team_id, session_id))
    return Response(text, mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="session-{session_id}.md"'})
