"""A team's own pages: home, the client registry, settings."""
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from meeting.core import client_evaluation, evaluations
from meeting.core import clients as client_rules
from meeting.core import teams as team_rules
from meeting.core.dates import local_moment, parse_date
from meeting.store import client_evaluations as evaluation_store
from meeting.store import clients as client_store
from meeting.store import decisions as decision_store
from meeting.store import jobs
from meeting.store import meetings as meeting_store
from meeting.store import teams as team_store
from meeting.store.db import utcnow, write
from meeting.web.shared import (
    actor,
    capacity_forecast,
    get_db,
    login_guarded,
    my_items,
    query_number,
    team_today,
    team_view,
    translate,
)

bp = login_guarded(Blueprint("team", __name__))
SETTINGS_EDITORS = ("chair", "manager", "admin")
IMPORT_LIMITS = {"max_rows": client_rules.IMPORT_MAX_ROWS,
                 "max_megabytes": client_rules.IMPORT_MAX_BYTES // (1024 * 1024)}
MAX_PAGE = 1_000_000  # a registry page number beyond any registry; its offset must still fit SQLite


@bp.get("/")
def home():
    """Go to the user's team; with several, list them."""
    teams = team_store.teams_of(get_db(), current_user.id)
    if len(teams) == 1:
        return redirect(url_for("team.team_home", team_id=teams[0]["id"]))
    if not teams and current_user.is_admin:
        return redirect(url_for("admin.index"))
    return render_template("team/choose.html", teams=teams)


@bp.get("/teams/<int:team_id>/")
@team_view()
def team_home(team_id: int):
    """The next meeting and the way into the registry."""
    next_start = team_rules.upcoming_meeting_starts(g.team, utcnow())[0]
    active = client_store.count_active(get_db(), team_id)
    notices = [n for n in jobs.unread(get_db(), current_user.id) if n["team_id"] == team_id]
    return render_template("team/home.html", next_start=next_start, active_clients=active, notices=notices,
                           members=team_store.members(get_db(), team_id),
                           my_actions=decision_store.actions_of_owner(get_db(), team_id, current_user.id),
                           my_items_today=my_items(team_id, _todays_meetings(team_id)),
                           with_client_due=_with_client_worklist(team_id),
                           WORKLIST_WEEKS=client_evaluation.WORKLIST_WEEKS, WORKLIST_FIRST=5)


def _todays_meetings(team_id: int) -> list[int]:
    """The team's weekly meetings of today, in its time zone."""
    today, zone = team_today(g.team), g.team["timezone"]
    start = local_moment(today.isoformat(), "00:00", zone)
    end = local_moment((today + timedelta(days=1)).isoformat(), "00:00", zone)
    return meeting_store.of_day(get_db(), team_id, start, end)


def _with_client_worklist(team_id: int) -> list:
    """The evaluations with the client due: a member's own clients (as regiebehandelaar), a chair's and a
    manager's per clinician."""
    today, mine = team_today(g.team), g.role not in ("chair", "manager", "admin")
    rows = evaluation_store.worklist_rows(get_db(), actor(), team_id, client_evaluation.worklist_until(today), utcnow(),
                                          current_user.id if mine else None)
    entries = client_evaluation.worklist(rows, today, g.team["timezone"])
    return [(None, entries)] if mine else client_evaluation.by_clinician(entries)


@bp.route("/teams/<int:team_id>/clients/<int:client_id>/evaluation-with-client", methods=["GET", "POST"])
@team_view("member", "chair")
def record_with_client(team_id: int, client_id: int):
    """Record an evaluation with the client outside a meeting (from the worklist)."""
    db, today = get_db(), team_today(g.team)
    client = evaluation_store.client_for_recording(db, actor(), team_id, client_id, utcnow()) or abort(404)
    form, errors = (request.form if request.method == "POST" else {}), {}
    if request.method == "POST":
        values, errors = client_evaluation.validate_outside_meeting(form, today, parse_date(client["treatment_start"]))
        if not errors:
            evaluation_store.record_outside_meeting(db, actor(), team_id, client_id, values, utcnow())
            flash(_("Evaluation with the client %(reference)s recorded.", reference=client["reference"]))
            return redirect(url_for("team.team_home", team_id=team_id) + "#with-client-due")
    return render_template("team/with_client.html", client=client, values=client_evaluation.form_values(form),
                           errors=errors, due=parse_date(client["with_client_due"] or ""),
                           today=today), 400 if errors else 200


@bp.post("/teams/<int:team_id>/notices/<int:notice_id>/read")
@team_view()
def dismiss_notice(team_id: int, notice_id: int):
    """Dismiss an in-app notice."""
    jobs.mark_read(get_db(), current_user.id, notice_id, utcnow())
    return redirect(url_for("team.team_home", team_id=team_id))


@bp.get("/teams/<int:team_id>/clients")
@team_view()
def clients(team_id: int):
    """The registry, searchable; htmx requests get only the result rows."""
    filters = _registry_filters()
    rows, total = client_store.search_clients(get_db(), actor(), team_id, **filters)
    context = dict(rows=_with_derived(rows), total=total, filters=filters,
                   pages=max(1, -(-total // client_store.PAGE_SIZE)),
                   clinicians=team_store.members(get_db(), team_id))
    results_only = request.headers.get("HX-Target") == "client-results"
    template = "team/_client_results.html" if results_only else "team/clients.html"
    response = render_template(template, **context)
    return response, {"Vary": "HX-Request, HX-Target"}


def _registry_filters() -> dict:
    args = request.args
    return {"text": args.get("q", "").strip()[:20], "status": args.get("status", "active"),
            "clinician_id": query_number("clinician"), "page": max(query_number("page", MAX_PAGE) or 1, 1)}


def _with_derived(rows: list[dict]) -> list[dict]:
    """Add next evaluation due, months in treatment and days overdue, derived and never stored."""
    today, interval = team_today(g.team), g.team["evaluation_interval_months"]
    result = []
    for row in rows:
        start = parse_date(row["treatment_start"])
        last = parse_date(row["last_evaluation"] or "")
        due = evaluations.next_evaluation_due(start, last, interval, parse_date(row["next_evaluation_on"] or ""))
        result.append(row | {"next_due": due, "months": evaluations.treatment_months(start, today),
                             "overdue_days": evaluations.days_overdue(due, today) if row["status"] == "active" else 0})
    return result


@bp.route("/teams/<int:team_id>/clients/new", methods=["GET", "POST"])
@team_view("member", "chair")
def add_client(team_id: int):
    """Register a client under a pseudonymous reference."""
    return _client_form(team_id, None)


@bp.route("/teams/<int:team_id>/clients/<int:client_id>", methods=["GET", "POST"])
@team_view("member", "chair")
def edit_client(team_id: int, client_id: int):
    """Edit a client's registry fields."""
    client = client_store.get_client(get_db(), actor(), team_id, client_id) or abort(404)
    return _client_form(team_id, client)


def _client_form(team_id: int, client: dict | None):
    members = team_store.members(get_db(), team_id)
    form, errors = (request.form if request.method == "POST" else client or {}), {}
    if request.method == "POST":
        values, errors = client_rules.validate_client(form, {m["id"] for m in members if m["active"]},
                                                      team_today(g.team))
        if values and client_store.reference_taken(get_db(), team_id, values.reference, client and client["id"]):
            errors = {"reference": _("This reference is already in the registry.")}
        if not errors:
            if client:
                client_store.update_client(get_db(), actor(), team_id, client["id"], values)
            else:
                client_store.add_clients(get_db(), actor(), team_id, [values])
            flash(_("Client %(reference)s saved.", reference=values.reference))
            return redirect(url_for("team.clients", team_id=team_id))
    status = 400 if errors else 200
    return render_template("team/client_form.html", client=client, form=form, errors=errors,
                           clinicians=[m for m in members if m["active"]]), status


@bp.post("/teams/<int:team_id>/clients/<int:client_id>/status")
@team_view("member", "chair")
def set_client_status(team_id: int, client_id: int):
    """Finish a treatment, or reopen a finished one."""
    client = client_store.get_client(get_db(), actor(), team_id, client_id) or abort(404)
    status = "finished" if request.form.get("status") == "finished" else "active"
    client_store.set_status(get_db(), actor(), team_id, client_id, status, team_today(g.team))
    flash(_("Client %(reference)s is now %(status)s.", reference=client["reference"],
            status=_("finished") if status == "finished" else _("active")))
    return redirect(url_for("team.clients", team_id=team_id, status=status))


@bp.route("/teams/<int:team_id>/clients/import", methods=["GET", "POST"])
@team_view("chair", "manager")
def import_clients(team_id: int):
    """Import a CSV of clients: all rows or, if any row is wrong, none."""
    if request.method == "GET":
        return render_template("team/import.html", errors=[], **IMPORT_LIMITS)
    upload = request.files.get("file")
    data = upload.read(client_rules.IMPORT_MAX_BYTES + 1) if upload else b""
    if too_large := client_rules.import_too_large(len(data)):
        return render_template("team/import.html", errors=[too_large], **IMPORT_LIMITS), 400
    text = data.decode("utf-8", errors="replace")
    clinicians = {m["email"]: m["id"] for m in team_store.members(get_db(), team_id) if m["active"]}
    rows, errors = client_rules.parse_client_csv(
        text, clinicians, client_store.existing_references(get_db(), team_id), team_today(g.team))
    if errors:
        return render_template("team/import.html", errors=errors, **IMPORT_LIMITS), 400
    client_store.add_clients(get_db(), actor(), team_id, rows)
    flash(ngettext("%(num)s client imported.", "%(num)s clients imported.", len(rows)))
    return redirect(url_for("team.clients", team_id=team_id))


@bp.route("/teams/<int:team_id>/settings", methods=["GET", "POST"])
@team_view("chair", "manager", "member", "admin", admin=True)
def settings(team_id: int):
    """The team's meeting settings; chairs and managers change them."""
    errors = {}
    form = g.team
    if request.method == "POST":
        if g.role not in SETTINGS_EDITORS:
            abort(403)
        form = request.form
        values, errors = team_rules.validate_settings(form)
        if values:
            _save_settings(team_id, values)
            return redirect(url_for("team.settings", team_id=team_id))
    messages = {field: translate(message, **team_rules.limits(field)) for field, message in errors.items()}
    return render_template("team/settings.html", form=form, errors=messages, capacity=capacity_forecast(g.team),
                           can_edit=g.role in SETTINGS_EDITORS), 400 if errors else 200


def _save_settings(team_id: int, values: dict) -> None:
    """Store the settings and let every meeting not yet frozen follow them; say in one line what changed where."""
    db, changes = get_db(), team_rules.setting_changes(g.team, values)
    with write(db):
        team_store.update_settings(db, team_id, values)
        meetings = meeting_store.follow_team_settings(db, team_store.get_team(db, team_id), utcnow())
        meeting_store.ensure_upcoming(db, team_store.get_team(db, team_id), utcnow())  # the new schedule's, at once
    flash(_("Settings saved."))
    if changes:
        flash(_settings_notice(changes, meetings))
    if team_rules.schedule_changed(g.team, values):
        flash(_("The new weekday, start time or time zone applies to meetings created from now on;"
                " move meetings already planned in the planner."))


def _settings_notice(changes: list, meetings: list[dict]) -> str:
    """E.g. "Regular budget 60 → 65 minutes: applied to 4 meetings whose agenda is not yet frozen (…)"."""
    parts = ", ".join(_change_text(change) for change in changes)
    parts = parts[:1].upper() + parts[1:]
    if not meetings:
        return _("%(changes)s: no meeting is open for items now; meetings created from now on follow it.",
                 changes=parts)
    notice = ngettext("%(changes)s: applied to %(num)s meeting whose agenda is not yet frozen (%(days)s).",
                      "%(changes)s: applied to %(num)s meetings whose agenda is not yet frozen (%(days)s).",
                      len(meetings), changes=parts, days=_days(meetings))
    columns = {column for column, team_column in team_rules.MEETING_SETTINGS.items()
               if team_column in {change.field for change in changes}}
    kept = [m for m in meetings if any(m[team_rules.override_column(c)] is not None for c in columns)]
    if kept:
        notice += " " + ngettext("%(num)s of them keeps its own setting for this meeting (%(days)s).",
                                 "%(num)s of them keep their own setting for this meeting (%(days)s).",
                                 len(kept), days=_days(kept))
    return notice


def _change_text(change) -> str:
    """One changed setting, old → new, in the reader's language."""
    name = translate(team_rules.SETTING_NAMES[change.field])
    if change.field == "order_policy":
        return _("%(setting)s %(old)s → %(new)s", setting=name, old=translate(team_rules.ORDER_POLICIES[change.old]),
                 new=translate(team_rules.ORDER_POLICIES[change.new]))
    if change.field == "submission_deadline_hours":
        return ngettext("%(setting)s %(old)s → %(num)s hour before the meeting",
                        "%(setting)s %(old)s → %(num)s hours before the meeting", change.new, setting=name,
                        old=change.old)
    return ngettext("%(setting)s %(old)s → %(num)s minute", "%(setting)s %(old)s → %(num)s minutes", change.new,
                    setting=name, old=change.old)


def _days(meetings: list[dict]) -> str:
    return ", ".join(format_datetime(datetime.fromisoformat(m["starts_at"]), "d MMM") for m in meetings)
