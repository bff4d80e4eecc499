"""The chair's console, which is also what the projector shows: a running session of either kind, the weekly meeting
(its steps are the agenda's items) or the complex-case session (its steps are the work form's five).

Both kinds share the console page, its stream of parts, the clock, the bell, the decision and `_after_action`; each
view is registered at both kinds' addresses (`running_route`) and reads the kind from the address. What only the weekly
meeting has (its phases, the look back, the consent block, budgets to resolve, deferral) follows below.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_htmx import make_response
from flask_login import current_user

from meeting.core import actions as action_rules
from meeting.core import budget, clock, closing, evaluations, flow
from meeting.core import session as session_rules
from meeting.core.dates import parse_date
from meeting.core.decision import DecisionInput
from meeting.core.i18n import N_, generated
from meeting.core.text import TextField, text_error
from meeting.store import client_evaluations as evaluation_store
from meeting.store import decisions as decision_store
from meeting.store import handovers as handover_store
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store import running as running_store
from meeting.store import sessions as session_store
from meeting.store import teams as team_store
from meeting.store.db import utcnow, write
from meeting.store.decisions import ALREADY_CLOSED
from meeting.web import review_helpers
from meeting.web.live import event_stream, look_ahead, panel_context
from meeting.web.shared import (
    actor,
    get_db,
    htmx,
    login_guarded,
    running_kind,
    running_route,
    running_url,
    team_today,
    team_view,
    translate,
)

bp = login_guarded(Blueprint("run", __name__))
LOOK_AHEAD_NOTE = TextField(500, multiline=True)
RUN = "/teams/<int:team_id>/meetings/<int:meeting_id>/run"
SCREENS = {"weekly": "console", "session": "session"}  # the console's kind of live screen (live.PARTS)
PANELS = {"weekly": "run/_panel.html", "session": "session/_panel.html"}
NO_CURRENT = {"weekly": N_("There is no current item."), "session": N_("There is no current step.")}


def _context(kind: str, team_id: int, meeting_id: int, log: bool = True) -> dict:
    """The running session of `kind` as the console shows it; 404 for an id of the other kind."""
    return panel_context(SCREENS[kind], team_id, meeting_id, log=log)


@running_route(bp, "/run")
@team_view("chair")
def console(team_id: int, meeting_id: int, kind: str):
    """The console page; the parts of its panel are pushed to it, rendered once per change for every screen (SSE)."""
    context = _context(kind, team_id, meeting_id)
    if kind == "session":  # opening the case's page is logged as such, once per page
        session_store.log_view(get_db(), actor(), context["session"], "session-read")
    return render_template("run/console.html", panel=PANELS[kind], **context)


@running_route(bp, "/run/stream")
@team_view("chair")
def stream(team_id: int, meeting_id: int, kind: str):
    """Server-Sent Events: every part of the console's panel and `changed` on connect, then what each change alters."""
    return event_stream(SCREENS[kind], team_id, meeting_id)


@running_route(bp, "/run/panel")
@team_view("chair")
def panel(team_id: int, meeting_id: int, kind: str):
    """The console's live panel alone, whole (a screen without the stream polls it)."""
    return render_template(PANELS[kind], **_context(kind, team_id, meeting_id))


def _after_action(team_id: int, meeting_id: int, kind: str = "weekly"):
    """htmx gets the chair's messages only: the live channel pushes what changed to every screen, this one too.

    One source for the panel's parts: a response swapped in after a newer push would leave the screen behind what
    the stream thinks it holds. A plain form post goes back to the console.
    """
    if htmx:
        return make_response(render_template("run/_status.html", oob=True), reswap="none")
    return redirect(running_url("run.console", kind, team_id=team_id, meeting_id=meeting_id))


def _refusal(message: str):
    flash(translate(message))


@bp.errorhandler(running_store.Refused)
def refused(refusal: running_store.Refused):
    """A change the rules do not allow now (checked inside the write lock): say why, show the console."""
    _refusal(str(refusal))
    return _after_action(request.view_args["team_id"], request.view_args["meeting_id"], running_kind())


@running_route(bp, "/run/start", methods=["POST"])
@team_view("chair")
def start(team_id: int, meeting_id: int, kind: str):
    """Open the meeting with the look back at open actions (a phase with nothing in it is skipped); start a session
    with its first step's clock running."""
    context = _context(kind, team_id, meeting_id, log=False)
    if kind == "session":
        session_store.start(get_db(), team_id, meeting_id, context["view"].steps[0].step.id, utcnow(), current_user.id)
        return _after_action(team_id, meeting_id, kind)
    phase = flow.first_phase(len(decision_store.open_actions(get_db(), team_id, meeting_id)),
                             flow.waiting_announcements(context["view"]))
    running_store.start_meeting(get_db(), team_id, meeting_id, utcnow(), phase)
    return _after_action(team_id, meeting_id)


@running_route(bp, "/run/clock", methods=["POST"])
@team_view("chair")
def clock_action(team_id: int, meeting_id: int, kind: str):
    """Pause, resume or extend (+2 minutes, logged) the clock of the current item or step."""
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id)
    current = meeting["current_item_id"]
    event = clock.chair_event(running_store.clock_events(get_db(), current or 0), request.form.get("kind", ""))
    if not current or event is None:
        raise running_store.Refused(NO_CURRENT[kind])
    running_store.add_clock_event(get_db(), team_id, meeting_id, current, event[0], utcnow(), current_user.id, event[1])
    return _after_action(team_id, meeting_id, kind)


@running_route(bp, "/run/bell/ack", methods=["POST"])
@team_view("chair")
def acknowledge_bell(team_id: int, meeting_id: int, kind: str):
    """The chair has seen the bell."""
    running_store.acknowledge_bells(get_db(), team_id, meeting_id, utcnow())
    return _after_action(team_id, meeting_id, kind)


@running_route(bp, "/run/next", methods=["POST"])
@team_view("chair")
def next_item(team_id: int, meeting_id: int, kind: str):
    """Open the next item (unless its budget must be resolved first: defer or borrow), or the session's next step."""
    context = _context(kind, team_id, meeting_id, log=False)
    if kind == "session":
        _next_step(team_id, meeting_id, context)
        return _after_action(team_id, meeting_id, kind)
    view, target = context["view"], context["view"].next_up
    if context["meeting"]["state"] != "running":
        _refusal(N_("Start the meeting first."))
    elif view.current:
        _refusal(N_("The current item has no decision yet: record a decision or defer it first."))
    elif target is None:
        _refusal(N_("No items are waiting."))
    elif view.resolution:
        _refusal(view.resolution.message)
    else:
        running_store.open_item(get_db(), team_id, meeting_id, target.item.id, utcnow(), current_user.id)
    return _after_action(team_id, meeting_id)


def _next_step(team_id: int, session_id: int, context: dict) -> None:
    """End the session's current step and start the next one."""
    view = context["view"]
    refusal = session_rules.next_step_refusal(view, context["session"]["state"])
    if refusal:
        raise running_store.Refused(refusal)
    session_store.next_step(get_db(), team_id, session_id, view.current and view.current.step.id,
                            view.next_up.step.id, utcnow(), current_user.id)


@running_route(bp, "/run/end", methods=["POST"])
@team_view("chair")
def end(team_id: int, meeting_id: int, kind: str):
    """End the meeting: unfinished items are carried over to the next one (listed in the minutes); end the session
    (only after its closing decision): its summary is ready at once."""
    if kind == "session":
        session_store.end(get_db(), team_id, meeting_id, utcnow(), current_user.id)
        return redirect(url_for("session.summary", team_id=team_id, session_id=meeting_id))
    context = _context(kind, team_id, meeting_id, log=False)
    if context["meeting"]["state"] != "running":
        abort(403)
    db, next_meeting = get_db(), _next_meeting_id(context["meeting"])
    unfinished = flow.unfinished(context["view"])
    with write(db):
        for progress in unfinished:
            running_store.close_current(db, team_id, meeting_id, progress.item.id, utcnow(), current_user.id)
            item_store.defer(db, actor(), team_id, progress.item.id, generated(closing.NOT_REACHED), next_meeting)
        ahead = look_ahead(db, team_id, context)
        ahead["carried"] = [context["rows"][p.item.id]["title"] for p in unfinished]
        running_store.end_meeting(db, team_id, meeting_id, utcnow(), ahead)
        handover_store.put_on_agendas(db, actor(), g.team, context["meeting"]["starts_at"])
    return redirect(url_for("minutes.minutes", team_id=team_id, meeting_id=meeting_id))


@running_route(bp, "/run/items/<int:item_id>/decide", session_rule="/decide", methods=["GET", "POST"])
@team_view("chair")
def decide(team_id: int, meeting_id: int, kind: str, item_id: int | None = None):
    """Close an item, or a session, with its decision: the decision command, in a panel of the console that keeps the
    clock and the bell live.

    htmx gets the form fragment (errors re-rendered with 200, htmx 2 swaps no 4xx); without script the page.
    """
    subject = _decision_subject(kind, team_id, meeting_id, item_id)
    members = [m for m in team_store.members(get_db(), team_id) if m["active"]]
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id)
    today = evaluations.local_day(meeting["starts_at"], g.team["timezone"])  # a review is dated by its meeting
    form, errors = {}, _closed(kind, subject, meeting)
    if not errors and request.method == "POST":
        posted = DecisionInput.from_form(request.form)
        form = posted.as_form()
        try:
            decision_store.decide(get_db(), actor(), g.team, subject, posted, today, utcnow(),
                                  _next_meeting_id(meeting))
            flash(_("Decision recorded."))
            return _decided(team_id, meeting_id, kind)
        except decision_store.InvalidDecision as refusal:
            errors = refusal.errors
    status = 409 if "item" in errors and request.method == "POST" else 400 if errors else 200
    context = dict(item=subject, form=form, errors=errors, members=members, kind=kind, meeting=meeting,
                   input_names=review_helpers.input_names(team_id),
                   milestone=_milestone(subject, today),
                   last_evaluated_with_client=evaluation_store.last_with_client(get_db(), subject.get("client_id")))
    if kind == "session":
        context |= {"board": session_rules.board(session_store.cards(get_db(), meeting_id)),
                    "session": session_store.get_session(get_db(), team_id, meeting_id)}
    if htmx:
        return render_template("run/_decide.html", **context)
    return render_template("run/decide.html", **context), status


def _decision_subject(kind: str, team_id: int, meeting_id: int, item_id: int | None) -> dict:
    """The item to decide, or the session's step that ends in the decision (with the session's case)."""
    if kind == "weekly":
        return _item_of(team_id, meeting_id, item_id)
    session = session_store.get_session(get_db(), team_id, meeting_id) or abort(404)
    step = next(s for s in session_store.steps(get_db(), meeting_id) if s["step"] == session_rules.DECISION_STEP)
    return dict(step, meeting_id=meeting_id, client_id=session["client_id"], title=translate(
        session_rules.STEP_NAMES[step["step"]]), client_reference=session["client_reference"],
        client_treatment_start=session["client_treatment_start"], presenter_name=session["presenter_name"],
        track="regular", label=None)


def _closed(kind: str, subject: dict, meeting: dict) -> dict:
    """Why nothing can be decided now: the item or session is closed, or the session has not started."""
    if subject["state"] != "planned":
        return {"item": ALREADY_CLOSED}
    if kind == "session" and meeting["state"] != "running":
        return {"item": N_("Start the session first.")}
    return {}


def _decided(team_id: int, meeting_id: int, kind: str):
    """The decision panel closes and the chair is told; the live panel follows by itself."""
    if htmx:
        return render_template("run/_status.html", oob=True)
    return redirect(running_url("run.console", kind, team_id=team_id, meeting_id=meeting_id))


def _milestone(item: dict, today) -> str | None:
    start = parse_date(item["client_treatment_start"] or "")
    return evaluations.milestone_kind(start, today) if start and item["track"] == "regular" else None


def _next_meeting_id(meeting: dict) -> int:
    return meeting_store.next_meeting_id(get_db(), g.team, meeting)


# --- the weekly meeting's own: its phases, the look back, the consent block, budgets, deferral ----------------

@bp.post(RUN + "/phase")
@team_view("chair")
def phase(team_id: int, meeting_id: int):
    """Move from the look back to the consent block (or the items, without announcements), or on to the look ahead."""
    wanted, context = request.form.get("phase"), _context("weekly", team_id, meeting_id, log=False)
    if context["meeting"]["state"] != "running":
        _refusal(N_("Start the meeting first."))
    elif wanted == "consent":
        running_store.set_phase(get_db(), team_id, meeting_id,
                                flow.after_look_back(flow.waiting_announcements(context["view"])))
    elif wanted == "items":
        running_store.set_phase(get_db(), team_id, meeting_id, wanted)
    elif wanted == "look_ahead" and context["view"].current:
        _refusal(N_("Close the current item with a decision or a deferral first."))
    elif wanted == "look_ahead":
        running_store.set_phase(get_db(), team_id, meeting_id, wanted)
    return _after_action(team_id, meeting_id)


@bp.post(RUN + "/look-ahead")
@team_view("chair")
def look_ahead_note(team_id: int, meeting_id: int):
    """The chair's look-ahead note: absences, leave, anything the team carries to next time."""
    note = request.form.get("note", "").strip()
    if error := text_error(note, LOOK_AHEAD_NOTE):
        _refusal(error)
    else:
        running_store.set_look_ahead_note(get_db(), team_id, meeting_id, note)
        flash(_("The look ahead is saved."))
    return _after_action(team_id, meeting_id)


@bp.post(RUN + "/actions/<int:action_id>")
@team_view("chair")
def review_action(team_id: int, meeting_id: int, action_id: int):
    """Look back: done closes an action; not done keeps it open; moved keeps it open with a new due date."""
    status, due = request.form.get("status"), request.form.get("due", "")
    errors = action_rules.validate_review(status, due, team_today(g.team))
    if errors:
        _refusal(next(iter(errors.values())))
    else:
        decision_store.review_action(get_db(), team_id, action_id, status, meeting_id, utcnow(),
                                     parse_date(due) if status == "moved" else None, current_user.id)
    return _after_action(team_id, meeting_id)


@bp.post(RUN + "/consent")
@team_view("chair")
def approve_consent(team_id: int, meeting_id: int):
    """Approve the remaining announcements in one go."""
    count = decision_store.approve_consent_block(get_db(), actor(), meeting_id, team_id, utcnow())
    flash(ngettext("%(num)s announcement approved.", "%(num)s announcements approved.", count))
    return _after_action(team_id, meeting_id)


@bp.post(RUN + "/resolve")
@team_view("chair")
def resolve(team_id: int, meeting_id: int):
    """The budget of a track is spent: defer its remaining items, or borrow minutes from the other."""
    context = _context("weekly", team_id, meeting_id, log=False)
    resolution = context["view"].resolution
    if resolution is None:
        return _after_action(team_id, meeting_id)
    if request.form.get("choice") == "borrow":
        source = budget.other_track(resolution.track)
        errors = budget.borrow(context["view"].accounting, source, request.form.get("minutes", ""))
        if errors:
            _refusal(next(iter(errors.values())))
        else:
            running_store.borrow(get_db(), team_id, meeting_id, source, int(request.form["minutes"]), current_user.id,
                                 utcnow())
    elif request.form.get("choice") == "defer":
        waiting = [p.item.id for p in context["view"].waiting if p.item.track == resolution.track]
        item_store.defer_all(get_db(), actor(), team_id, dict.fromkeys(waiting, generated(resolution.message)),
                             _next_meeting_id(context["meeting"]))
    return _after_action(team_id, meeting_id)


@bp.post(RUN + "/items/<int:item_id>/defer")
@team_view("chair")
def defer(team_id: int, meeting_id: int, item_id: int):
    """Close the discussion without a decision, explicitly: deferred with a reason, carried over."""
    item = _item_of(team_id, meeting_id, item_id)
    errors = closing.validate_deferral(request.form.get("reason"))
    if errors:
        _refusal(errors["reason"])
    elif item["state"] == "planned":
        db = get_db()
        with write(db):
            running_store.close_current(db, team_id, meeting_id, item_id, utcnow(), current_user.id)
            item_store.defer(db, actor(), team_id, item_id, request.form["reason"].strip(),
                             _next_meeting_id(meeting_store.get_meeting(db, team_id, meeting_id)))
    return _after_action(team_id, meeting_id)


@bp.get(RUN + "/items/<int:item_id>/story")
@team_view("chair")
def story(team_id: int, meeting_id: int, item_id: int):
    """The whole preparation of an item for the projector's overlay, fetched when the chair opens it (S)."""
    return render_template("run/_story.html", item=_item_of(team_id, meeting_id, item_id))


def _item_of(team_id: int, meeting_id: int, item_id: int) -> dict:
    item = item_store.get_item(get_db(), actor(), team_id, item_id)
    if not item or item["meeting_id"] != meeting_id:
        abort(404)
    return item
