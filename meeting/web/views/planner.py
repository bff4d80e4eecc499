"""The chair's planner: tracks against their budgets, order, deferrals, due reviews, capacity."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from meeting.core import closing, evaluations, planning
from meeting.core import items as item_rules
from meeting.core import teams as team_rules
from meeting.core.dates import BEYOND_HORIZON, beyond_horizon, parse_date
from meeting.core.i18n import generated
from meeting.core.text import parse_whole_number, text_errors
from meeting.store import audit
from meeting.store import clients as client_store
from meeting.store import items as item_store
from meeting.store import meetings as meeting_store
from meeting.store.db import utcnow
from meeting.web import review_helpers
from meeting.web.shared import actor, capacity_forecast, get_db, htmx, login_guarded, team_today, team_view, translate

bp = login_guarded(Blueprint("planner", __name__))
PLAN = "/teams/<int:team_id>/meetings/<int:meeting_id>/plan"


@bp.get(PLAN)
@team_view("chair")
def plan(team_id: int, meeting_id: int):
    """The planner page."""
    return render_template("planner/plan.html", **_planner_context(team_id, meeting_id))


def _planner_context(team_id: int, meeting_id: int, log: bool = True) -> dict:
    """Everything the planner shows, computed by the pure core from stored rows; with `log`, a view of its clients."""
    db, today = get_db(), team_today(g.team)
    meeting = meeting_store.get_meeting(db, team_id, meeting_id) or abort(404)
    if meeting["kind"] != "weekly":  # a complex-case session is planned on its own page (views/session.py)
        abort(404)
    rows = item_store.agenda_items(db, None, team_id, meeting_id)  # logged below, with the due clients, as one view
    interval = g.team["evaluation_interval_months"]
    items = [item_rules.agenda_item(r, today, interval) for r in rows]
    the_plan = planning.plan(items, _settings(meeting))
    meeting_day = evaluations.local_day(meeting["starts_at"], g.team["timezone"])
    records = client_store.client_records(db, team_id)
    on_agenda = {r["client_reference"] for r in rows if r["client_reference"]}
    due = evaluations.offered_first([d for d in evaluations.due_reviews(records, meeting_day, interval)
                                     if d.reference not in on_agenda], _free_review_slots(the_plan))
    milestones = [m for m in evaluations.milestone_reviews(records, today) if m.reference not in on_agenda]
    clients_by_ref = client_store.active_reference_ids(db, team_id)
    shown = [r["client_id"] for r in rows] + [clients_by_ref.get(c.reference.upper())
                                              for c in due[:30] + milestones[:30]]
    if log:
        audit.log_page_of_many(db, actor(), "planner", shown, team_id, detail=f"meeting={meeting_id}")
    return dict(meeting=meeting, rows={r["id"]: r for r in rows}, plan=the_plan, due=due[:30], due_total=len(due),
                milestones=milestones[:30], milestones_total=len(milestones),
                proposed={d.item.id: d.reason for d in the_plan.deferrals},
                capacity=capacity_forecast(g.team), own_settings=_own_settings(meeting),
                other_meetings=[m for m in meeting_store.upcoming(db, team_id, utcnow()) if m["id"] != meeting_id],
                clients_by_ref=clients_by_ref, state=item_rules.effective_state(meeting, utcnow()),
                with_client_needed_by=review_helpers.with_client_needed(
                    [r["client_id"] for r in rows if r["client_id"]], meeting["starts_at"]))


def _free_review_slots(the_plan: planning.Plan) -> int:
    """Reviews that still fit the regular budget after what is planned on it."""
    left = max(the_plan.regular.budget_minutes - the_plan.regular.planned_minutes, 0)
    return left // g.team["minutes_issue"] if g.team["minutes_issue"] else 0


def _own_settings(meeting: dict) -> dict:
    """This meeting's settings that differ from the team's on purpose: column -> (meeting value, team value)."""
    return {column: (meeting[column], g.team[team_column]) for column,
            team_column in team_rules.MEETING_SETTINGS.items()
            if meeting[team_rules.override_column(column)] is not None}


def _settings(meeting: dict) -> planning.TeamSettings:
    return planning.TeamSettings(
        meeting_minutes=meeting["minutes"], acute_budget_minutes=meeting["acute_budget"],
        regular_budget_minutes=meeting["regular_budget"], order_policy=meeting["order_policy"],
        evaluation_interval_months=g.team["evaluation_interval_months"],
        announcement_minutes=g.team["minutes_announcement"], question_minutes=g.team["minutes_question"],
        issue_minutes=g.team["minutes_issue"])


def _planner_fragment(team_id: int, meeting_id: int):
    """After an action: the planner re-rendered in place for htmx, or the page for a plain form post."""
    if htmx:
        return render_template("planner/_planner.html", **_planner_context(team_id, meeting_id))
    return redirect(url_for("planner.plan", team_id=team_id, meeting_id=meeting_id))


def _planned_item(team_id: int, meeting_id: int, item_id: int) -> dict:
    item = item_store.get_item(get_db(), actor(), team_id, item_id)
    if not item or item["meeting_id"] != meeting_id:
        abort(404)
    return item


@bp.post(PLAN + "/own-settings")
@team_view("chair")
def own_settings(team_id: int, meeting_id: int):
    """This meeting's own length, budgets and order (e.g. this week 120 minutes), or back to the team's."""
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id)
    values, errors = (None, {}) if request.form.get("follow_team") else team_rules.validate_meeting_times(request.form)
    if meeting["state"] not in ("planned", "frozen"):
        flash(_("Only a meeting still to come can be changed."))
    elif errors:
        for column, message in errors.items():
            flash(translate(message, **team_rules.meeting_limits(column)))
    else:
        meeting_store.set_own_settings(get_db(), g.team, meeting_id, values)
        flash(_("This meeting follows the team's settings again.") if values is None
              else _("This meeting's own settings are saved; they stay when the team's settings change."))
    return _planner_fragment(team_id, meeting_id)


@bp.post(PLAN + "/items/<int:item_id>/move")
@team_view("chair")
def move(team_id: int, meeting_id: int, item_id: int):
    """Move an item one place up or down within its track."""
    _planned_item(team_id, meeting_id, item_id)
    item_store.move_in_track(get_db(), team_id, item_id, -1 if request.form.get("direction") == "up" else 1)
    return _planner_fragment(team_id, meeting_id)


@bp.post(PLAN + "/items/<int:item_id>/minutes")
@team_view("chair")
def minutes(team_id: int, meeting_id: int, item_id: int):
    """Change the minutes planned for an item."""
    _planned_item(team_id, meeting_id, item_id)
    value = request.form.get("minutes", type=parse_whole_number)
    if value is None or not 1 <= value <= item_rules.MAX_ITEM_MINUTES:
        flash(_("Give the minutes needed as a whole number from 1 to 60."))
    else:
        item_store.set_minutes(get_db(), team_id, item_id, value)
    return _planner_fragment(team_id, meeting_id)


@bp.post(PLAN + "/items/<int:item_id>/meeting")
@team_view("chair")
def to_meeting(team_id: int, meeting_id: int, item_id: int):
    """Move an item to another open meeting of the team."""
    _planned_item(team_id, meeting_id, item_id)
    target = meeting_store.get_meeting(get_db(), team_id, request.form.get("target", type=parse_whole_number) or 0)
    if not target or target["state"] in ("closed", "cancelled"):
        flash(_("Choose a meeting that is still to come."))
    else:
        item_store.move_to_meeting(get_db(), team_id, item_id, target["id"])
    return _planner_fragment(team_id, meeting_id)


@bp.post(PLAN + "/items/<int:item_id>/defer")
@team_view("chair")
def defer(team_id: int, meeting_id: int, item_id: int):
    """Defer an item, with a reason, to the next meeting (it is carried over, never lost)."""
    _planned_item(team_id, meeting_id, item_id)
    errors = closing.validate_deferral(request.form.get("reason")) or \
        text_errors(request.form, {"reason": closing.DEFERRAL_REASON})
    if errors:
        flash(translate(errors["reason"]))
        return _planner_fragment(team_id, meeting_id)
    item_store.defer(get_db(), actor(), team_id, item_id, request.form["reason"].strip(),
                     _next_meeting(team_id, meeting_id))
    return _planner_fragment(team_id, meeting_id)


@bp.post(PLAN + "/defer-proposed")
@team_view("chair")
def defer_proposed(team_id: int, meeting_id: int):
    """Apply the planner's proposal: defer every item that does not fit its budget."""
    proposed = _planner_context(team_id, meeting_id, log=False)["proposed"]
    item_store.defer_all(get_db(), actor(), team_id, {item_id: generated(reason) for item_id,
                                                      reason in proposed.items()},
                         _next_meeting(team_id, meeting_id))
    return _planner_fragment(team_id, meeting_id)


def _next_meeting(team_id: int, meeting_id: int) -> int:
    """The first meeting after this one that is still to come (created from the schedule if needed)."""
    return meeting_store.next_meeting_id(get_db(), g.team, meeting_store.get_meeting(get_db(), team_id, meeting_id))


@bp.post(PLAN + "/due/<int:client_id>")
@team_view("chair")
def add_due_review(team_id: int, meeting_id: int, client_id: int):
    """One click: a regular review of a due client for its responsible clinician, prefilled."""
    client, today = client_store.get_client(get_db(), actor(), team_id, client_id), team_today(g.team)
    record = client_store.client_record(client)
    prompt = evaluations.milestone(record, today)
    item = item_rules.due_review_item(client_id, client["reference"], evaluations.treatment_months(
        record.treatment_start, today), prompt and prompt.prompt, g.team["minutes_question"])
    item_store.add_item(get_db(), actor(), team_id, meeting_id, client["clinician_id"], item)
    return _planner_fragment(team_id, meeting_id)


@bp.post("/teams/<int:team_id>/meetings/<int:meeting_id>/move")
@team_view("chair")
def move_meeting(team_id: int, meeting_id: int):
    """Move a meeting to another day or time."""
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id) or abort(404)
    starts_at = _posted_start()
    if starts_at is None:
        flash(_("Give a date and a time."))
        return redirect(url_for("planner.plan", team_id=team_id, meeting_id=meeting_id))
    if meeting["state"] not in ("planned", "frozen") or starts_at < utcnow():
        flash(_("Only a meeting still to come can be moved, and not into the past."))
    elif beyond_horizon(starts_at, utcnow()):
        flash(translate(BEYOND_HORIZON))
    else:
        meeting_store.move(get_db(), g.team, meeting_id, starts_at)
        flash(_("The meeting is moved."))
    return redirect(url_for("planner.plan", team_id=team_id, meeting_id=meeting_id))


@bp.post("/teams/<int:team_id>/meetings/<int:meeting_id>/cancel")
@team_view("chair")
def cancel_meeting(team_id: int, meeting_id: int):
    """Cancel a meeting; its items move to the next meeting, nothing is lost."""
    meeting = meeting_store.get_meeting(get_db(), team_id, meeting_id) or abort(404)
    if meeting["state"] not in ("planned", "frozen"):
        abort(403)
    next_id = _next_meeting(team_id, meeting_id)
    meeting_store.cancel(get_db(), team_id, meeting_id, next_id)
    flash(_("The meeting is cancelled; its items moved to the next meeting."))
    return redirect(url_for("planner.plan", team_id=team_id, meeting_id=next_id))


@bp.post("/teams/<int:team_id>/meetings/extra")
@team_view("chair")
def extra_meeting(team_id: int):
    """Add an extra meeting outside the weekly schedule."""
    starts_at = _posted_start()
    if starts_at is None:
        flash(_("Give a date and a time."))
        return redirect(url_for("agenda.meetings", team_id=team_id))
    if starts_at < utcnow() or beyond_horizon(starts_at, utcnow()):
        flash(_("Only a meeting still to come can be moved, and not into the past.") if starts_at < utcnow()
              else translate(BEYOND_HORIZON))
        return redirect(url_for("agenda.meetings", team_id=team_id))
    meeting_id = meeting_store.add_extra(get_db(), g.team, starts_at)
    flash(_("Extra meeting added."))
    return redirect(url_for("planner.plan", team_id=team_id, meeting_id=meeting_id))


def _posted_start() -> datetime | None:
    """The posted day and time as a moment in the team's time zone, or None when either is missing or wrong."""
    day, at = parse_date(request.form.get("day", "")), request.form.get("time", "")
    try:
        return datetime.combine(day, time.fromisoformat(at), tzinfo=ZoneInfo(g.team["timezone"]))
    except (TypeError, ValueError):
        return None
